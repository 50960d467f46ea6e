//! A station's live day: `GET /v1/stations/{id}/events` (Server-Sent Events: plan versions,
//! assignments, check-ins, alerts; resumes after `Last-Event-ID`), `GET .../plan?date=` (the
//! plan caregivers follow), `POST .../absences` (a caregiver is out: their remaining visits
//! are re-planned), `GET .../alerts?date=`, and `POST .../package-orders` (a day's orders
//! from the station's care packages).

use super::{idempotent, visible_station, Idempotency, Params};
use crate::app::AppState;
use crate::auth::{Caller, Role};
use crate::bus::{self, Wake};
use crate::contract::geo::{Feature, FeatureCollection};
use crate::date::PlanDate;
use crate::error::{parse_json, AppError};
use crate::live;
use crate::order::Order;
use crate::route_view;
use crate::station_map;
use crate::station_map::MapArea;
use crate::store::{Inserted, OrderKind, ResumeFrom, Store, StoredEvent};
use crate::store::{Progress, StoredAlert};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Json;
use formats::care_package::expand_week;
use formats::scenario::Scenario;
use futures_util::Stream;
use planner::travel::to_wgs84;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::convert::Infallible;
use tokio::sync::{broadcast, mpsc, watch};
use tokio_stream::wrappers::ReceiverStream;

async fn dispatcher_of(state: &AppState, caller: &Caller, station: &str) -> Result<(), AppError> {
    visible_station(state, caller, station, &[Role::Admin, Role::Dispatcher]).await.map(drop)
}

const READERS: &[Role] = &[Role::Admin, Role::Dispatcher, Role::Planner];

/// The number to resume after: `Last-Event-ID`, else `?after=` (`S1:42`, or an old-style
/// number), else only what comes next.
async fn resume_after(
    store: &Store,
    station: &str,
    headers: &HeaderMap,
    params: &Params,
) -> Result<i64, AppError> {
    let header = headers
        .get("last-event-id")
        .map(|v| v.to_str().map_err(|_| AppError::invalid("Last-Event-ID", "must be text")));
    let (field, text) = match (header.transpose()?, params.get("after")) {
        (Some(h), _) => ("Last-Event-ID", h),
        (None, Some(a)) => ("after", a),
        (None, None) => return store.last_event_seq(station).await,
    };
    let from = ResumeFrom::parse(text, station).map_err(|r| AppError::invalid(field, r))?;
    store.resume_seq(station, from).await
}

pub async fn events(
    State(state): State<AppState>,
    caller: Caller,
    Path(station): Path<String>,
    headers: HeaderMap,
    params: Params,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, AppError> {
    dispatcher_of(&state, &caller, &station).await?;
    let every = |e: StoredEvent| {
        let event = Event::default().id(e.sse_id()).event(&e.kind).data(e.data.to_string());
        std::future::ready(Ok(Some(event)))
    };
    station_stream(&state, station, (&headers, &params), every).await
}

/// A stream (SSE) of what `shown` makes of each event of `station`'s stream (`None`: nothing
/// for this listener), from where `Last-Event-ID` or `?after=` says, else from now.
pub(crate) async fn station_stream<Shown>(
    state: &AppState,
    station: String,
    (headers, params): (&HeaderMap, &Params),
    shown: impl FnMut(StoredEvent) -> Shown + Send + 'static,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, AppError>
where
    Shown: std::future::Future<Output = Result<Option<Event>, AppError>> + Send,
{
    // Listen before reading the store, so no event can fall between the two.
    let wake = state.store.event_wakeups();
    let after = resume_after(&state.store, &station, headers, params).await?;
    let (tx, rx) = mpsc::channel(64);
    let (store, shutdown) = (state.store.clone(), state.shutdown.clone());
    tokio::spawn(async move {
        let _counted = store.bus().counters().subscriber();
        let followed = follow_station(&store, &station, after, (wake, shutdown), &tx, shown);
        if let Err(e) = followed.await {
            tracing::error!(%station, error = %e, "event stream stopped");
        }
    });
    Ok(Sse::new(ReceiverStream::new(rx)).keep_alive(KeepAlive::default()))
}

/// Follows `station`'s stream after number `sent`, sending what `shown` makes of each event
/// (`None`: nothing for this listener), until the listener leaves or the service stops.
async fn follow_station<Shown>(
    store: &Store,
    station: &str,
    mut sent: i64,
    (mut wake, mut shutdown): (broadcast::Receiver<Wake>, watch::Receiver<bool>),
    tx: &mpsc::Sender<Result<Event, Infallible>>,
    mut shown: impl FnMut(StoredEvent) -> Shown,
) -> Result<(), AppError>
where
    Shown: std::future::Future<Output = Result<Option<Event>, AppError>>,
{
    loop {
        loop {
            let batch = store.events_after(station, sent, 200).await?;
            if batch.is_empty() {
                break;
            }
            for e in batch {
                let seq = e.seq;
                if let Some(event) = shown(e).await? {
                    if tx.send(Ok(event)).await.is_err() {
                        return Ok(()); // the listener left
                    }
                }
                sent = seq;
            }
        }
        // A wake-up of this station, or the timer: the bus may have lost one.
        let waited =
            bus::station_news(store.bus().as_ref(), &mut wake, station, &mut shutdown, tx.closed());
        if waited.await == bus::Next::End {
            return Ok(());
        }
    }
}

/// The plan caregivers follow for a day, with its id and reason (a pooled station's: its
/// pool's plan, named in `pool`).
pub async fn plan(
    State(state): State<AppState>,
    caller: Caller,
    Path(station): Path<String>,
    params: Params,
) -> Result<Response, AppError> {
    visible_station(&state, &caller, &station, READERS).await?;
    let date = params.required_date("date")?;
    let (id, plan) = state.store.current_plan(&station, &date).await?.ok_or_else(|| {
        AppError::NotFound(format!("no finished plan of station {station:?} for {date}"))
    })?;
    match params.get("format") {
        None | Some("json") => {}
        Some("csv") => {
            let english = params.get("lang") == Some("en");
            let body = crate::day_csv::day_csv(&state, &station, &date, &plan, english).await?;
            let file = format!("attachment; filename=\"{station}-{date}.csv\"");
            let headers = [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (header::CONTENT_DISPOSITION, file),
            ];
            return Ok((headers, body).into_response());
        }
        Some(_) => return Err(AppError::invalid("format", "must be json or csv")),
    }
    let progress = state.store.progress_of_day(&station, &date).await?;
    let locked = state.store.locked_visits(&station, &date).await?;
    // A pooled station follows its pool's plan: every member's routes, planned as one.
    let unit = state.store.plan_unit(&station).await?;
    let pool = (unit.id != station).then_some(unit.id.as_str());
    let answer = StationPlan {
        id,
        station: &station,
        pool,
        date: &date,
        kpis: &plan.kpis,
        plan: &plan,
        progress,
        locked,
    };
    Ok(Json(answer).into_response())
}

/// The plan caregivers follow for a day, and what happened in the field.
#[derive(Serialize, JsonSchema)]
pub struct StationPlan<'a> {
    /// The plan's id.
    pub id: i64,
    pub station: &'a str,
    /// The pool it was planned with, if any.
    pub pool: Option<&'a str>,
    pub date: &'a PlanDate,
    pub kpis: &'a solver::Kpis,
    pub plan: &'a solver::Plan,
    /// Check-ins and check-outs.
    pub progress: Vec<Progress>,
    /// Visits a dispatcher locked.
    pub locked: Vec<String>,
}

/// A station's map: the area, the station and its active clients.
#[derive(Serialize, JsonSchema)]
pub struct StationMap<'a> {
    #[serde(flatten)]
    pub area: &'a MapArea,
    pub station: MapPlace<'a>,
    pub clients: Vec<MapPlace<'a>>,
}

/// A station or a client on the map.
#[derive(Serialize, JsonSchema)]
pub struct MapPlace<'a> {
    pub id: &'a str,
    pub name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<Option<&'a str>>,
    pub lon: f64,
    pub lat: f64,
}

/// The last known positions of a station's caregivers.
#[derive(Serialize, JsonSchema)]
pub struct Positions<'a> {
    pub station: &'a str,
    pub date: &'a PlanDate,
    pub positions: Vec<CaregiverPosition>,
}

/// Where a caregiver was last, in WGS84 degrees, at seconds from local midnight.
#[derive(Serialize, JsonSchema)]
pub struct CaregiverPosition {
    pub caregiver: String,
    pub at: i64,
    pub lon: f64,
    pub lat: f64,
    /// Since when they have been off their route's road path.
    pub off_path_since: Option<i64>,
}

/// The answer to a manual re-plan.
#[derive(Serialize, JsonSchema)]
pub struct Replanned<'a> {
    pub date: &'a PlanDate,
    pub replan: live::ReplanReport,
}

/// The answer to an absence or its undoing: the re-plan of the day (none: no plan yet).
#[derive(Serialize, JsonSchema)]
pub struct AbsenceChange<'a> {
    pub caregiver: &'a str,
    pub date: &'a PlanDate,
    pub replan: Option<live::ReplanReport>,
}

/// The alerts of a station's day.
#[derive(Serialize, JsonSchema)]
pub struct Alerts<'a> {
    pub station: &'a str,
    pub date: &'a PlanDate,
    pub alerts: Vec<StoredAlert>,
}

/// The orders made from the station's care packages for a day.
#[derive(Serialize, JsonSchema)]
pub struct PackageOrders<'a> {
    pub date: &'a PlanDate,
    /// Orders created now (asking again creates none).
    pub created: Vec<String>,
    /// Those of them that need two caregivers.
    pub two_caregiver_orders: Vec<String>,
}

/// What a map of the station shows: its circle on the roads, the roads around it, the
/// station and its active clients.
pub async fn map(
    State(state): State<AppState>,
    caller: Caller,
    Path(station): Path<String>,
) -> Result<Response, AppError> {
    let s = visible_station(&state, &caller, &station, READERS).await?;
    let area = station_map::area(&state, &s).await?;
    let home = to_wgs84(&s.location);
    let clients = state.store.clients_of(&station).await?;
    let clients: Vec<_> = clients.iter().map(|c| (c, to_wgs84(&c.location))).collect();
    let body = StationMap {
        area: &area,
        station: MapPlace {
            id: &s.id,
            name: s.name.as_deref(),
            address: None,
            lon: home.lon,
            lat: home.lat,
        },
        clients: clients
            .iter()
            .map(|(c, p)| MapPlace {
                id: &c.id,
                name: c.name.as_deref(),
                address: Some(c.address.as_deref()),
                lon: p.lon,
                lat: p.lat,
            })
            .collect(),
    };
    Ok(Json(body).into_response())
}

/// The day's routes on the roads (`?date=`, default today; `&caregivers=C1,C2` only theirs),
/// one GeoJSON line per caregiver from where they start to where they end, with
/// `roads: false` where the station plans on its own matrix and the line joins the stops
/// straight.
pub async fn routes_geojson(
    State(state): State<AppState>,
    caller: Caller,
    Path(station): Path<String>,
    params: Params,
) -> Result<Response, AppError> {
    visible_station(&state, &caller, &station, READERS).await?;
    let date = params.date("date")?.unwrap_or_else(|| state.clock.now().0);
    let only: Option<std::collections::HashSet<&str>> =
        params.get("caregivers").map(|c| c.split(',').map(str::trim).collect());
    let day = route_view::StationDay::load(&state, &station, &date).await?;
    let mut caregivers: std::collections::HashMap<String, _> =
        state.store.caregivers_of(&station).await?.into_iter().map(|c| (c.id.clone(), c)).collect();
    // A pooled station's plan holds the pool's routes: each caregiver is read where they are.
    let mut views = Vec::new();
    for route in &day.plan().routes {
        if only.as_ref().is_some_and(|only| !only.contains(route.caregiver.as_str())) {
            continue;
        }
        let caregiver = match caregivers.remove(&route.caregiver) {
            Some(c) => Some(c),
            None => state.store.caregiver(&route.caregiver).await?,
        };
        if let Some(c) = caregiver {
            views.push(day.view(c));
        }
    }
    let features: Vec<_> = route_view::day_paths(&state, views)
        .await?
        .into_iter()
        .map(|(view, path)| {
            let line: Vec<[f64; 2]> = path.iter().map(|p| [p.lon, p.lat]).collect();
            let properties = json!({"caregiver": view.caregiver.id, "roads": view.roads.is_some()});
            Feature::new("LineString", json!(line), properties)
        })
        .collect();
    let body = serde_json::to_string(&FeatureCollection::new(features, None))?;
    Ok(([(header::CONTENT_TYPE, "application/geo+json")], body).into_response())
}

/// The station's caregivers' last positions of a day (default today).
pub async fn positions(
    State(state): State<AppState>,
    caller: Caller,
    Path(station): Path<String>,
    params: Params,
) -> Result<Response, AppError> {
    dispatcher_of(&state, &caller, &station).await?;
    let date = params.date("date")?.unwrap_or_else(|| state.clock.now().0);
    let positions: Vec<_> = state
        .store
        .positions_of_station(&station, &date)
        .await?
        .into_iter()
        .map(|(caregiver, p)| CaregiverPosition {
            caregiver,
            at: p.at,
            lon: p.lon,
            lat: p.lat,
            off_path_since: p.off_since,
        })
        .collect();
    Ok(Json(Positions { station: &station, date: &date, positions }).into_response())
}

/// The body of `POST /v1/stations/{id}/replan`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplanRequest {
    date: PlanDate,
}

/// Re-plans a station's day now, from its current plan: what started and what is locked
/// stays, unplaced visits are tried again, and the rest moves as little as it can.
pub async fn replan(
    State(state): State<AppState>,
    caller: Caller,
    Path(station): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    dispatcher_of(&state, &caller, &station).await?;
    let what = format!("POST /v1/stations/{station}/replan");
    let key = Idempotency::from_request(&caller, &headers, &what, &body)?;
    idempotent(&state, key, async {
        let request: ReplanRequest = parse_json(&body)?;
        let report = live::replan_day(&state, &station, &request.date, "manual").await?;
        let Some(report) = report else {
            return Err(AppError::Conflict(format!(
                "station {station:?} has no finished plan for {}: make one with POST /v1/plans",
                request.date
            )));
        };
        let body = Replanned { date: &request.date, replan: report };
        Ok((StatusCode::OK, None, serde_json::to_string(&body)?))
    })
    .await
}

/// Acknowledges an alert: the station sees who did, and when.
pub async fn acknowledge(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    caller.require(&[Role::Admin, Role::Dispatcher])?;
    let what = format!("POST /v1/alerts/{id}/acknowledge");
    let key = Idempotency::from_request(&caller, &headers, &what, b"")?;
    idempotent(&state, key, async {
        let missing = || AppError::no("alert", &id);
        let alert = state.store.alert(&id).await?.ok_or_else(missing)?;
        caller.read_station(&alert.alert.station, missing)?;
        let (_, now) = state.clock.now();
        let mut change = state.store.change(&alert.alert.station).await?;
        if change.acknowledge_alert(&id, &caller.label, now).await? {
            change.event("alert_ack", &json!({"dedup": id, "by": caller.label, "at": now})).await?;
            change.commit().await?;
        }
        let alert = state.store.alert(&id).await?.ok_or_else(missing)?;
        Ok((StatusCode::OK, None, serde_json::to_string(&alert)?))
    })
    .await
}

/// The body of `POST /v1/stations/{id}/absences`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Absence {
    caregiver: String,
    date: PlanDate,
}

/// Marks a caregiver absent for a day and re-plans their remaining visits.
pub async fn absence(
    State(state): State<AppState>,
    caller: Caller,
    Path(station): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    dispatcher_of(&state, &caller, &station).await?;
    let key = Idempotency::from_request(
        &caller,
        &headers,
        &format!("POST /v1/stations/{station}/absences"),
        &body,
    )?;
    idempotent(&state, key, async {
        let absence: Absence = parse_json(&body)?;
        match state.store.caregiver(&absence.caregiver).await? {
            Some(c) if c.station == station => {}
            _ => {
                return Err(AppError::invalid(
                    "caregiver",
                    format!("no caregiver {:?} at station {station:?}", absence.caregiver),
                ))
            }
        }
        let mut change = state.store.change(&station).await?;
        change.mark_absent(&absence.caregiver, &absence.date).await?;
        change
            .event("absence", &json!({"caregiver": absence.caregiver, "date": absence.date}))
            .await?;
        change.commit().await?;
        let replan = live::replan_day(&state, &station, &absence.date, "absence").await?;
        let body = AbsenceChange { caregiver: &absence.caregiver, date: &absence.date, replan };
        Ok((StatusCode::OK, None, serde_json::to_string(&body)?))
    })
    .await
}

/// Undoes an absence (marked by mistake, or the caregiver came after all): the caregiver is
/// available again and the day is re-planned (it may give them visits). `?date=` names the
/// day; `404` when they were not marked absent on it.
pub async fn undo_absence(
    State(state): State<AppState>,
    caller: Caller,
    Path((station, caregiver)): Path<(String, String)>,
    headers: HeaderMap,
    params: Params,
) -> Result<Response, AppError> {
    dispatcher_of(&state, &caller, &station).await?;
    let date = params.required_date("date")?;
    let what = format!("DELETE /v1/stations/{station}/absences/{caregiver}?date={date}");
    let key = Idempotency::from_request(&caller, &headers, &what, b"")?;
    idempotent(&state, key, async {
        match state.store.caregiver(&caregiver).await? {
            Some(c) if c.station == station => {}
            _ => return Err(AppError::no("caregiver", &caregiver)),
        }
        let mut change = state.store.change(&station).await?;
        if !change.unmark_absent(&caregiver, &date).await? {
            return Err(AppError::NotFound(format!(
                "caregiver {caregiver:?} is not marked absent on {date}"
            )));
        }
        let body = json!({"caregiver": caregiver, "date": date});
        change.event("absence_undone", &body).await?;
        change.commit().await?;
        let replan = live::replan_day(&state, &station, &date, "absence_undone").await?;
        let body = AbsenceChange { caregiver: &caregiver, date: &date, replan };
        Ok((StatusCode::OK, None, serde_json::to_string(&body)?))
    })
    .await
}

pub async fn alerts(
    State(state): State<AppState>,
    caller: Caller,
    Path(station): Path<String>,
    params: Params,
) -> Result<Response, AppError> {
    dispatcher_of(&state, &caller, &station).await?;
    let date = params.required_date("date")?;
    let alerts = state.store.alerts_of(&station, &date).await?;
    Ok(Json(Alerts { station: &station, date: &date, alerts }).into_response())
}

/// The body of `POST /v1/stations/{id}/package-orders`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PackageDay {
    date: PlanDate,
}

/// Orders for one day from the station's care packages: fixed-day packages on their days,
/// flexible ones on the days the week planner gives them (`care_package::expand_week` over
/// the date's Monday-to-Sunday week: the same days each time for the same packages). Orders
/// are named `{package}-{date}`, so asking twice creates them once. A package needing two
/// caregivers at once becomes a two-caregiver order (two linked visits, both with the
/// package's skills); the answer lists those orders beside the others.
pub async fn package_orders(
    State(state): State<AppState>,
    caller: Caller,
    Path(station): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, AppError> {
    dispatcher_of(&state, &caller, &station).await?;
    let what = format!("POST /v1/stations/{station}/package-orders");
    let key = Idempotency::from_request(&caller, &headers, &what, &body)?;
    idempotent(&state, key, async {
        let day: PackageDay = parse_json(&body)?;
        // The week of packages alone: no orders, caregivers or absences are needed to spread
        // them, so none are read.
        let packages = state.store.packages_of(&station).await?;
        let weekday = day.date.weekday();
        let week = Scenario {
            name: station.clone(),
            date: Some(day.date.to_string()),
            stations: state.store.station(&station).await?.into_iter().collect(),
            clients: state.store.clients_of(&station).await?,
            packages: packages.clone(),
            ..Scenario::default()
        };
        let today =
            expand_week(&week, 7, 0).into_iter().nth(usize::from(weekday)).unwrap_or_default();
        let (mut created, mut two_caregivers) = (Vec::new(), Vec::new());
        for p in &packages {
            let visit_id = format!("{}-d{}", p.id, usize::from(weekday) + 1);
            let Some(v) = today.visits.iter().find(|v| v.id == visit_id) else { continue };
            let mut order = Order::from_scenario_visit(v, day.date.clone());
            order.id = format!("{}-{}", p.id, day.date);
            if p.two_caregivers {
                order.caregivers = 2;
            }
            if state.store.insert_order(&order, &station, OrderKind::Package, None).await?
                == Inserted::Done
            {
                if p.two_caregivers {
                    two_caregivers.push(order.id.clone());
                }
                created.push(order.id);
            }
        }
        let body = PackageOrders { date: &day.date, created, two_caregiver_orders: two_caregivers };
        Ok((StatusCode::OK, None, serde_json::to_string(&body)?))
    })
    .await
}
