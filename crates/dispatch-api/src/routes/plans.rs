//! `POST /v1/plans`, `GET /v1/plans/{id}`, `GET /v1/plans/{id}/events` (Server-Sent Events).

use super::{idempotent, Idempotency};
use crate::app::AppState;
use crate::auth::{Caller, Role};
use crate::bus::{self, Wake};
use crate::date::PlanDate;
use crate::error::{parse_json, AppError};
use crate::solve_worker;
use crate::store::{PlanRow, PlanStatus, Store};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Json;
use formats::scenario::PlanUnit;
use futures_util::Stream;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::{broadcast, mpsc, watch};
use tokio_stream::wrappers::ReceiverStream;

/// The body of `POST /v1/plans`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPlan {
    station: String,
    date: PlanDate,
    /// Seconds of search; capped by the service's limit.
    #[serde(default)]
    time_limit_secs: Option<f64>,
}

/// Starts planning a station's day — a pooled station's: its pool's day, as one problem (an
/// admin may name the pool's id as `station`); `202` with the plan id at once.
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, AppError> {
    caller.require(&[Role::Admin, Role::Dispatcher])?;
    let key = Idempotency::from_request(&caller, &headers, "POST /v1/plans", &body)?;
    idempotent(&state, key, async {
        let new: NewPlan = parse_json(&body)?;
        caller.write_station(&new.station, || AppError::no("station", &new.station))?;
        let limit = match new.time_limit_secs {
            None => state.solve_time_limit,
            Some(s) if s.is_finite() && s > 0.0 => {
                // Compared before converting: a huge number of seconds is no Duration.
                Duration::try_from_secs_f64(s.min(state.solve_time_limit.as_secs_f64()))
                    .unwrap_or(state.solve_time_limit)
            }
            Some(_) => {
                return Err(AppError::invalid(
                    "time_limit_secs",
                    "must be a positive number of seconds",
                ))
            }
        };
        let unit = state.store.plan_unit(&new.station).await?;
        let id =
            solve_worker::start(&state, &new.station, &new.date, limit).await?.map_err(|busy| {
                AppError::Conflict(format!(
                    "plan {busy} of {} for {} is being solved: follow it at \
                     /v1/plans/{busy}, or cancel it with DELETE /v1/plans/{busy}",
                    unit_name(&unit),
                    new.date
                ))
            })?;
        let body = QueuedPlan {
            id,
            status: PlanStatus::Queued,
            events: format!("/v1/plans/{id}/events"),
            pool: pool_of(&unit),
            stations: &unit.stations,
        };
        Ok((StatusCode::ACCEPTED, Some(format!("/v1/plans/{id}")), serde_json::to_string(&body)?))
    })
    .await
}

/// `station S1`, or `pool P1 (S1, S2)`.
fn unit_name(unit: &PlanUnit) -> String {
    match pool_of(unit) {
        Some(pool) => format!("pool {pool:?} ({})", unit.stations.join(", ")),
        None => format!("station {:?}", unit.id),
    }
}

/// The pool's id when the unit is a pool.
fn pool_of(unit: &PlanUnit) -> Option<&str> {
    (unit.stations != [unit.id.as_str()]).then_some(unit.id.as_str())
}

/// A plan the caller may read (a pool's: when they read any of its stations), with its unit.
async fn find(store: &Store, caller: &Caller, id: &str) -> Result<(PlanRow, PlanUnit), AppError> {
    caller.require(&[Role::Admin, Role::Dispatcher, Role::Planner])?;
    let missing = || AppError::no("plan", id);
    let id: i64 = id.parse().map_err(|_| missing())?;
    let row = store.plan(id).await?.ok_or_else(missing)?;
    let unit = store.plan_unit(&row.unit).await?;
    if !unit.stations.iter().any(|s| caller.sees(s)) {
        return Err(missing());
    }
    Ok((row, unit))
}

/// Cancels a queued or running plan, wherever it is solved: no version is stored after this,
/// and its core is freed. Cancelling a cancelled plan answers as the first time; a plan that
/// ended otherwise answers `409`.
pub async fn cancel(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    caller.require(&[Role::Admin, Role::Dispatcher])?;
    let what = format!("DELETE /v1/plans/{id}");
    let key = Idempotency::from_request(&caller, &headers, &what, b"")?;
    idempotent(&state, key, async {
        let (row, _) = find(&state.store, &caller, &id).await?;
        caller.require(&[Role::Admin, Role::Dispatcher])?;
        let mut change = state.store.change(&row.unit).await?;
        let why = format!("cancelled by {}", caller.label);
        if change.move_plan(row.id, PlanStatus::Cancelled, Some(&why)).await? {
            let event = json!({"plan": row.id, "date": row.date, "status": PlanStatus::Cancelled,
                               "error": why});
            change.event("plan_finished", &event).await?;
            change.commit().await?;
        } else {
            drop(change);
            let now = state.store.plan(row.id).await?.ok_or_else(|| AppError::no("plan", &id))?;
            if now.status != PlanStatus::Cancelled {
                return Err(AppError::Conflict(format!(
                    "plan {id} is {}: only a queued or running plan can be cancelled",
                    now.status.as_str()
                )));
            }
        }
        let body = CancelledPlan { id: row.id, status: PlanStatus::Cancelled };
        Ok((StatusCode::OK, None, serde_json::to_string(&body)?))
    })
    .await
}

/// The plan's status and newest version.
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (row, unit) = find(&state.store, &caller, &id).await?;
    let latest = state.store.latest_version(row.id).await?;
    Ok(Json(PlanState {
        id: row.id,
        station: &row.station,
        pool: pool_of(&unit),
        stations: &unit.stations,
        date: &row.date,
        status: row.status,
        reason: &row.reason,
        travel: row.travel.as_deref(),
        error: row.error.as_deref(),
        version: latest.as_ref().map(|v| v.seq),
        kpis: latest.as_ref().map(|v| &v.kpis),
        plan: latest.as_ref().map(|v| &v.plan),
    })
    .into_response())
}

/// The answer to `POST /v1/plans` (202).
#[derive(Serialize, JsonSchema)]
pub struct QueuedPlan<'a> {
    pub id: i64,
    pub status: PlanStatus,
    /// Its improving versions, as Server-Sent Events.
    pub events: String,
    /// The pool planned as one, when the station is in one.
    pub pool: Option<&'a str>,
    pub stations: &'a [String],
}

/// The answer to `DELETE /v1/plans/{id}`.
#[derive(Serialize, JsonSchema)]
pub struct CancelledPlan {
    pub id: i64,
    pub status: PlanStatus,
}

/// A plan's status and its newest version.
#[derive(Serialize, JsonSchema)]
pub struct PlanState<'a> {
    pub id: i64,
    /// The plan unit's first station.
    pub station: &'a str,
    pub pool: Option<&'a str>,
    pub stations: &'a [String],
    pub date: &'a str,
    pub status: PlanStatus,
    /// Why it was made: `solve`, `urgent`, `absence`, `cancel`, `change`, `improve`, …
    pub reason: &'a str,
    /// The travel it was made on: `roads` or `matrix v{version}`.
    pub travel: Option<&'a str>,
    /// Why it failed or who cancelled it.
    pub error: Option<&'a str>,
    /// The newest version's number (none yet: null).
    pub version: Option<i64>,
    #[schemars(with = "Option<solver::Kpis>")]
    pub kpis: Option<&'a serde_json::Value>,
    #[schemars(with = "Option<solver::Plan>")]
    pub plan: Option<&'a serde_json::Value>,
}

/// Each improving version as an `improvement` event (id = version number), then the final
/// plan as a `plan` event, then the end. Works before, during and after the solve, and
/// resumes after `Last-Event-ID`.
pub async fn events(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, AppError> {
    let (row, _) = find(&state.store, &caller, &id).await?;
    let after = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    // Listen before reading the store, so no version can fall between the two. Versions and
    // the end are stored with an event of the plan's station: that wakes this stream on
    // whichever replica the plan is solved.
    let wake = state.store.event_wakeups();
    let (tx, rx) = mpsc::channel(16);
    let shutdown = state.shutdown.clone();
    tokio::spawn(async move {
        let _counted = state.store.bus().counters().subscriber();
        let plan = (row.id, row.station.as_str());
        if let Err(e) = stream_plan(&state.store, plan, after, wake, shutdown, &tx).await {
            tracing::error!(plan = row.id, error = %e, "plan event stream stopped");
        }
    });
    Ok(Sse::new(ReceiverStream::new(rx)).keep_alive(KeepAlive::default()))
}

async fn stream_plan(
    store: &Store,
    (plan_id, station): (i64, &str),
    mut sent: i64,
    mut wake: broadcast::Receiver<Wake>,
    mut shutdown: watch::Receiver<bool>,
    tx: &mpsc::Sender<Result<Event, Infallible>>,
) -> Result<(), AppError> {
    loop {
        for v in store.versions_after(plan_id, sent).await? {
            if v.is_final {
                break;
            }
            let data = json!({"plan": plan_id, "seq": v.seq, "kpis": v.kpis});
            let event =
                Event::default().event("improvement").id(v.seq.to_string()).data(data.to_string());
            if tx.send(Ok(event)).await.is_err() {
                return Ok(()); // the subscriber left
            }
            sent = v.seq;
        }
        let row = store
            .plan(plan_id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("no plan {plan_id}")))?;
        if row.status.is_finished() {
            let last = store.latest_version(plan_id).await?.filter(|v| v.is_final);
            let data = json!({
                "id": plan_id, "status": row.status, "error": row.error,
                "plan": last.as_ref().map(|v| &v.plan),
            });
            let seq = last.map_or(sent, |v| v.seq);
            let _ = tx
                .send(Ok(Event::default().event("plan").id(seq.to_string()).data(data.to_string())))
                .await;
            return Ok(());
        }
        let waited =
            bus::station_news(store.bus().as_ref(), &mut wake, station, &mut shutdown, tx.closed());
        if waited.await == bus::Next::End {
            return Ok(());
        }
    }
}
