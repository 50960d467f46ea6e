//! The caregiver's own day, and only theirs: `GET /v1/me/route` (JSON), `/v1/me/route.geojson`
//! (stops and the road path of every leg), `/v1/me/route.ics` (a calendar feed), each with
//! `?date=` (default today); `POST /v1/me/visits/{id}/check-in` and `/check-out` and
//! `POST /v1/me/positions`, each with `{lon, lat, crs}`.

use super::{idempotent, ratings, Idempotency, Params};
use crate::alerts;
use crate::app::AppState;
use crate::auth::Caller;
use crate::date::PlanDate;
use crate::error::{parse_json, AppError};
use crate::route_view::{self, RouteView};
use crate::store::AlertRow;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use formats::scenario::{Crs, GeoPoint};
use planner::travel::to_wgs84;
use roads::LonLat;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

async fn own_route(
    state: &AppState,
    caller: &Caller,
    params: &Params,
) -> Result<RouteView, AppError> {
    let me = caller.own_caregiver()?;
    let today = state.clock.now().0;
    let date = params.date("date")?.unwrap_or_else(|| today.clone());
    let mut view = route_view::load(state, me, &date).await?;
    if date != today {
        view.forget_contacts();
    }
    Ok(view)
}

/// Who the token speaks for: its role, the stations it may see (every active one for admins
/// and planners), its caregiver, its label.
pub async fn whoami(State(state): State<AppState>, caller: Caller) -> Result<Response, AppError> {
    let stations: Vec<String> = match caller.readable_stations() {
        Some(own) => own,
        None => state
            .store
            .all_active::<formats::scenario::Station>(crate::store::MasterKind::Stations)
            .await?
            .into_iter()
            .map(|s| s.id)
            .collect(),
    };
    let (today, now) = state.clock.now();
    let answer = Me {
        role: caller.role.as_str(),
        stations,
        caregiver: caller.caregiver.as_deref(),
        label: &caller.label,
        today,
        now,
    };
    Ok(Json(answer).into_response())
}

/// Who a token speaks for.
#[derive(Serialize, JsonSchema)]
pub struct Me<'a> {
    /// `admin`, `dispatcher`, `caregiver` or `planner`.
    pub role: &'static str,
    /// The stations it may see.
    pub stations: Vec<String>,
    /// A caregiver's token: whose.
    pub caregiver: Option<&'a str>,
    pub label: &'a str,
    /// The service's date and time (seconds from local midnight).
    pub today: PlanDate,
    pub now: i64,
}

/// A check-in or a check-out as recorded (also the event on the station's stream).
#[derive(Serialize, JsonSchema)]
pub struct CheckRecord<'a> {
    pub visit: &'a str,
    pub caregiver: &'a str,
    pub date: &'a PlanDate,
    /// Seconds from local midnight.
    pub at: i64,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    /// It came with the phone's position.
    pub verified: bool,
    /// A check-in at another visit than the next one of the route.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub out_of_order: Option<bool>,
    /// The caregiver's reason for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<Option<String>>,
    /// A check-out's one-time link for the client or family to rate the visit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rating_link: Option<Option<String>>,
}

/// The answer to a position: how far from the planned road path, and the alert it raised.
#[derive(Serialize, JsonSchema)]
pub struct PositionAnswer {
    pub at: i64,
    /// Metres from the route's road path (none: no path to compare with).
    pub off_path_m: Option<f64>,
    pub alert: Option<AlertRow>,
}

pub async fn route(
    State(state): State<AppState>,
    caller: Caller,
    params: Params,
) -> Result<Response, AppError> {
    Ok(Json(own_route(&state, &caller, &params).await?.to_json()).into_response())
}

pub async fn route_geojson(
    State(state): State<AppState>,
    caller: Caller,
    params: Params,
) -> Result<Response, AppError> {
    let view = own_route(&state, &caller, &params).await?;
    let body = tokio::task::spawn_blocking(move || {
        let legs = view.legs();
        view.to_geojson(&legs)
    })
    .await
    .map_err(|e| AppError::Internal(format!("path lookup stopped: {e}")))?;
    Ok(([(header::CONTENT_TYPE, "application/geo+json")], body.to_string()).into_response())
}

pub async fn route_ical(
    State(state): State<AppState>,
    caller: Caller,
    params: Params,
) -> Result<Response, AppError> {
    let view = own_route(&state, &caller, &params).await?;
    Ok(([(header::CONTENT_TYPE, "text/calendar; charset=utf-8")], view.to_ical(state.utc_offset_s))
        .into_response())
}

/// Where the caregiver is, in any of the coordinate systems phones send.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Position {
    lon: f64,
    lat: f64,
    #[serde(default)]
    crs: Crs,
}

impl Position {
    fn parse(body: &[u8]) -> Result<LonLat, AppError> {
        let p: Position = parse_json(body)?;
        wgs84(p.lon, p.lat, p.crs)
    }
}

fn wgs84(lon: f64, lat: f64, crs: Crs) -> Result<LonLat, AppError> {
    if !(-180.0..=180.0).contains(&lon) {
        return Err(AppError::invalid("lon", format!("{lon} is not a longitude")));
    }
    if !(-90.0..=90.0).contains(&lat) {
        return Err(AppError::invalid("lat", format!("{lat} is not a latitude")));
    }
    Ok(to_wgs84(&GeoPoint { lon, lat, crs }))
}

/// A check-in or check-out: where (both or neither: a phone without a position still checks
/// in, unverified), and for a check-in at another visit than the next one on the route, why.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckBody {
    #[serde(default)]
    lon: Option<f64>,
    #[serde(default)]
    lat: Option<f64>,
    #[serde(default)]
    crs: Crs,
    #[serde(default)]
    reason: Option<String>,
}

/// The longest reason a caregiver may give.
const MAX_REASON: usize = 500;

/// A visit on the caregiver's route today.
struct MyVisit {
    station: String,
    date: PlanDate,
    order: String,
    /// The visits of the caregiver's route, in order (pick-ups left out).
    route: Vec<String>,
}

/// The station, day and order of the visit, if it is on the caregiver's route today (a part
/// of a two-caregiver order is the caregiver's own visit), with the route.
async fn my_visit(state: &AppState, me: &str, visit: &str) -> Result<MyVisit, AppError> {
    // Another caregiver's visit is answered as one that does not exist.
    let missing = || AppError::NotFound(format!("no visit {visit:?} on your route"));
    let (order, station, _) = state.store.order_row(visit).await?.ok_or_else(missing)?;
    let plan = state.store.current_plan(&station, &order.date).await?;
    let route: Vec<String> = plan
        .iter()
        .flat_map(|(_, plan)| &plan.routes)
        .filter(|r| r.caregiver == me)
        .flat_map(|r| r.stops.iter().filter(|s| s.pickup_for.is_none()).map(|s| s.visit.clone()))
        .collect();
    if !route.iter().any(|v| v == visit) {
        return Err(missing());
    }
    let (today, _) = state.clock.now();
    if order.date != today {
        return Err(AppError::invalid(
            "visit",
            format!("{visit} is on {}, not today ({today})", order.date),
        ));
    }
    Ok(MyVisit { station, date: today, order: order.id, route })
}

#[derive(Clone, Copy)]
enum Check {
    In,
    Out,
}

async fn check(
    state: AppState,
    caller: Caller,
    visit: String,
    headers: HeaderMap,
    body: Bytes,
    which: Check,
) -> Result<Response, AppError> {
    let me = caller.own_caregiver()?.to_string();
    let what = match which {
        Check::In => "check-in",
        Check::Out => "check-out",
    };
    let key = Idempotency::from_request(
        &caller,
        &headers,
        &format!("POST /v1/me/visits/{visit}/{what}"),
        &body,
    )?;
    idempotent(&state, key, async {
        let b: CheckBody = parse_json(&body)?;
        let p = match (b.lon, b.lat) {
            (Some(lon), Some(lat)) => Some(wgs84(lon, lat, b.crs)?),
            (None, None) => None,
            (Some(_), None) => {
                return Err(AppError::invalid("lat", "a position needs lat with lon"))
            }
            (None, Some(_)) => {
                return Err(AppError::invalid("lon", "a position needs lon with lat"))
            }
        };
        let position = p.map(|p| (p.lon, p.lat));
        let reason = b.reason.map(|r| r.trim().to_string()).filter(|r| !r.is_empty());
        if let Some(r) = &reason {
            if matches!(which, Check::Out) {
                return Err(AppError::invalid("reason", "only a check-in takes a reason"));
            }
            crate::limits::text("reason", r, MAX_REASON)?;
        }
        let MyVisit { station, date, order, route } = my_visit(&state, &me, &visit).await?;
        // The next visit is the first of the route nobody checked in yet: a check-in at
        // another one is marked for the dispatcher (the phone asks the caregiver why).
        let started: std::collections::HashSet<String> = state
            .store
            .progress_of_day(&station, &date)
            .await?
            .into_iter()
            .map(|p| p.visit)
            .collect();
        let next = route.iter().find(|v| !started.contains(*v));
        let out_of_order = matches!(which, Check::In) && next.is_some_and(|n| *n != visit);
        let (_, now) = state.clock.now();
        let mut change = state.store.change(&station).await?;
        let done = match which {
            Check::In => {
                let at = (now, position);
                let why = reason.as_deref();
                change.check_in(&visit, &order, &me, &date, at, why).await?
            }
            Check::Out => change.check_out(&visit, now, position).await?,
        };
        if !done {
            let why = match which {
                Check::In => "already checked in",
                Check::Out => "not checked in, or already checked out",
            };
            return Err(AppError::Conflict(format!("visit {visit:?} is {why}")));
        }
        let check_in = matches!(which, Check::In);
        let mut record = CheckRecord {
            visit: &visit,
            caregiver: &me,
            date: &date,
            at: now,
            lon: p.map(|p| p.lon),
            lat: p.map(|p| p.lat),
            verified: p.is_some(),
            out_of_order: check_in.then_some(out_of_order),
            reason: check_in.then_some(reason),
            rating_link: None,
        };
        change.event(what, &serde_json::to_value(&record)?).await?;
        change.commit().await?;
        if let Check::Out = which {
            // The family's one-time link to rate the visit: the caregiver shows or sends it.
            let link = ratings::issue_link(&state, &visit, &station, &me, date.as_str()).await?;
            record.rating_link = Some(link);
        }
        Ok((StatusCode::OK, None, serde_json::to_string(&record)?))
    })
    .await
}

pub async fn check_in(
    State(state): State<AppState>,
    caller: Caller,
    Path(visit): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    check(state, caller, visit, headers, body, Check::In).await
}

pub async fn check_out(
    State(state): State<AppState>,
    caller: Caller,
    Path(visit): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    check(state, caller, visit, headers, body, Check::Out).await
}

/// A position update; answers how far the caregiver is from the planned path and any
/// deviation alert it raised.
pub async fn position(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let me = caller.own_caregiver()?.to_string();
    let key = Idempotency::from_request(&caller, &headers, "POST /v1/me/positions", &body)?;
    idempotent(&state, key, async {
        let p = Position::parse(&body)?;
        let (date, now) = state.clock.now();
        let (distance, alert) = alerts::on_position(&state, &me, &date, now, p).await?;
        let body = PositionAnswer { at: now, off_path_m: distance, alert };
        Ok((StatusCode::OK, None, serde_json::to_string(&body)?))
    })
    .await
}
