//! Orders: `POST /v1/orders` (one-off, or `"urgent": true` for a one-tap call, inserted into
//! the day's plan at once), `GET /v1/orders`, `GET /v1/orders/{id}`, `PATCH /v1/orders/{id}`
//! (change), `POST /v1/orders/{id}/cancel`.

use super::{idempotent, json_response, Idempotency, Params};
use crate::app::AppState;
use crate::auth::{Caller, Role};
use crate::date::PlanDate;
use crate::error::{parse_json, AppError};
use crate::live;
use crate::order::{order_of, NewOrder, Order, OrderPatch, OrderStatus};
use crate::store::{Inserted, OrderKind, OrderQuery};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use rand::RngCore;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use solver::Seconds;

/// A new order id: `O` and 16 random hex digits, so concurrent writers never collide.
fn new_order_id() -> String {
    let mut bytes = [0u8; 8];
    rand::thread_rng().fill_bytes(&mut bytes);
    format!("O{}", bytes.iter().map(|b| format!("{b:02x}")).collect::<String>())
}

/// Validates and stores an order; `201` only once it is durable. A repeat under the same
/// `Idempotency-Key` gets the first answer; another body under it gets `409`. An urgent
/// order is then inserted into its day's plan and the answer says where (`replan`).
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    caller.require(&[Role::Admin, Role::Dispatcher])?;
    let key = Idempotency::from_request(&caller, &headers, "POST /v1/orders", &body)?;
    if let Some(key) = &key {
        if let Some(replay) = key.replay(&state).await? {
            return Ok(replay);
        }
    }
    let new: NewOrder = parse_json(&body)?;
    let urgent = new.urgent;
    let unknown = || AppError::invalid("client", format!("unknown client {:?}", new.client));
    let client = state.store.client(&new.client).await?.ok_or_else(unknown)?;
    caller.write_station(&client.station, unknown)?;
    let id = new.id.clone().unwrap_or_else(new_order_id);
    let order = new.validate(id)?;
    let kind = if urgent { OrderKind::Urgent } else { OrderKind::OneOff };
    let response = serde_json::to_string(&CreatedOrder::of(&order))?;
    let answer = key.as_ref().map(|k| (k.key.as_str(), k.answer(StatusCode::CREATED, &response)));
    match state
        .store
        .insert_order(&order, &client.station, kind, answer.as_ref().map(|(k, a)| (*k, a)))
        .await?
    {
        Inserted::Done => {}
        Inserted::IdTaken => {
            return Err(AppError::Conflict(format!("order {:?} already exists", order.id)))
        }
        Inserted::KeyTaken => {
            if let Some(replay) = key.as_ref().map(|k| k.replay(&state)) {
                if let Some(replay) = replay.await? {
                    return Ok(replay);
                }
            }
            return Err(AppError::InProgress);
        }
    }
    state.metrics.order_stored();
    let location = Some(format!("/v1/orders/{}", order.id));
    if !urgent {
        return Ok(json_response(StatusCode::CREATED, location, response));
    }
    let placed = live::replan_day(&state, &client.station, &order.date, "urgent").await;
    let body = match &placed {
        Ok(replan) => urgent_answer(&order, replan.as_ref())?,
        Err(_) => response, // stored, not placed: a retry gets the order
    };
    if let Some(key) = &key {
        // The order was stored with a provisional answer (a repeat meanwhile is told to wait);
        // now it is known where it went. Should this never run, the order alone stands.
        state.store.finish_key(&key.key, StatusCode::CREATED.as_u16(), &body).await?;
    }
    placed?;
    Ok(json_response(StatusCode::CREATED, location, body))
}

/// The answer to `POST /v1/orders`: the stored order, and for an urgent one where it went.
#[derive(Serialize, JsonSchema)]
pub struct CreatedOrder<'a> {
    #[serde(flatten)]
    pub order: &'a Order,
    /// Present (true) for an urgent order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub urgent: Option<bool>,
    /// The re-plan that inserted an urgent order (null: the day has no plan yet).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replan: Option<Option<&'a live::ReplanReport>>,
    /// Where an urgent order's visit went (null: nowhere yet).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assignment: Option<Option<&'a live::Placed>>,
    /// A two-caregiver urgent order's two visits, one per caregiver.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assignments: Option<Vec<&'a live::Placed>>,
}

impl<'a> CreatedOrder<'a> {
    fn of(order: &'a Order) -> CreatedOrder<'a> {
        CreatedOrder { order, urgent: None, replan: None, assignment: None, assignments: None }
    }
}

fn urgent_answer(order: &Order, replan: Option<&live::ReplanReport>) -> Result<String, AppError> {
    // Where its visit went; a two-caregiver order's two (`assignments`, one per caregiver).
    let placed: Vec<&live::Placed> = replan
        .iter()
        .flat_map(|r| &r.inserted)
        .filter(|i| order_of(&i.visit) == order.id)
        .collect();
    let answer = CreatedOrder {
        order,
        urgent: Some(true),
        replan: Some(replan),
        assignment: Some(placed.first().copied()),
        assignments: (order.caregivers == 2).then_some(placed),
    };
    Ok(serde_json::to_string(&answer)?)
}

/// The answer to a change: the order, and the re-plans of its days (the old and the new).
#[derive(Serialize, JsonSchema)]
pub struct ChangedOrder {
    pub order: Order,
    pub replan: Vec<live::ReplanReport>,
}

/// The answer to a cancellation: the order, and the re-plan of its day (null: no plan yet,
/// or it was cancelled before).
#[derive(Serialize, JsonSchema)]
pub struct CancelledOrder {
    pub order: Order,
    pub replan: Option<live::ReplanReport>,
}

/// The answer to a lock or an unlock (also the `lock` event on the station's stream).
#[derive(Serialize, JsonSchema)]
pub struct VisitLock<'a> {
    pub visit: &'a str,
    pub date: &'a PlanDate,
    pub locked: bool,
    /// Where a locked visit is kept.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caregiver: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<Seconds>,
}

/// The answer to an assignment: the visit and the re-plan that put it there.
#[derive(Serialize, JsonSchema)]
pub struct AssignedVisit {
    pub visit: String,
    pub replan: live::ReplanReport,
}

async fn find(state: &AppState, caller: &Caller, id: &str) -> Result<(Order, String), AppError> {
    let (order, station, _) =
        state.store.order_row(id).await?.ok_or_else(|| AppError::no("order", id))?;
    caller.read_station(&station, || AppError::no("order", id))?;
    Ok((order, station))
}

pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    caller.require(&[Role::Admin, Role::Dispatcher, Role::Planner])?;
    let (order, _) = find(&state, &caller, &id).await?;
    Ok(Json(order).into_response())
}

/// `?station=&date=&status=&cursor=&limit=`, in id order; `next` is the next page's cursor.
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    params: Params,
) -> Result<Response, AppError> {
    caller.require(&[Role::Admin, Role::Dispatcher, Role::Planner])?;
    let status = match params.get("status") {
        None => None,
        Some("open") => Some(OrderStatus::Open),
        Some("cancelled") => Some(OrderStatus::Cancelled),
        Some(other) => {
            return Err(AppError::invalid("status", format!("{other:?} is not open or cancelled")))
        }
    };
    let stations = caller.station_filter(params.get("station"));
    let query = OrderQuery {
        stations,
        date: params.date("date")?,
        status,
        cursor: params.cursor(),
        limit: params.limit()?,
    };
    Ok(Json(state.store.list_orders(&query).await?).into_response())
}

/// Changes an order: any of its fields but `id` and `client`. A change to a planned day is
/// re-planned at once.
pub async fn change(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    caller.require(&[Role::Admin, Role::Dispatcher])?;
    let key =
        Idempotency::from_request(&caller, &headers, &format!("PATCH /v1/orders/{id}"), &body)?;
    idempotent(&state, key, async {
        let (order, station) = find(&state, &caller, &id).await?;
        caller.write_station(&station, || AppError::no("order", &id))?;
        if order.status != OrderStatus::Open {
            return Err(AppError::Conflict(format!("order {id:?} is cancelled")));
        }
        let patch: Value = parse_json(&body)?;
        let Value::Object(patch) = patch else {
            return Err(AppError::invalid("body", "must be a JSON object of the fields to change"));
        };
        if let Some(field) = ["id", "client", "status"].iter().find(|f| patch.contains_key(**f)) {
            return Err(AppError::invalid(*field, "cannot be changed"));
        }
        parse_json::<OrderPatch>(&body)?;
        let mut merged = serde_json::to_value(&order)?;
        for (field, value) in patch {
            merged[field] = value;
        }
        if let Value::Object(m) = &mut merged {
            m.remove("status");
        }
        let changed =
            parse_json::<NewOrder>(merged.to_string().as_bytes())?.validate(id.clone())?;
        state.store.update_order(&changed).await?;
        let mut replans = Vec::new();
        for date in [&order.date, &changed.date] {
            if replans.iter().any(|(d, _)| d == date) {
                continue;
            }
            match live::replan_day(&state, &station, date, "change").await {
                Ok(replan) => replans.push((date.clone(), replan)),
                Err(e) => {
                    // A change its day cannot take (a started visit its caregiver may no
                    // longer serve) is refused whole: the order is as it was.
                    state.store.update_order(&order).await?;
                    return Err(e);
                }
            }
        }
        let replan: Vec<_> = replans.into_iter().filter_map(|(_, r)| r).collect();
        let body = serde_json::to_string(&ChangedOrder { order: changed, replan })?;
        Ok((StatusCode::OK, None, body))
    })
    .await
}

/// Cancels an order; a planned visit leaves its route at once.
pub async fn cancel(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    caller.require(&[Role::Admin, Role::Dispatcher])?;
    let key =
        Idempotency::from_request(&caller, &headers, &format!("POST /v1/orders/{id}/cancel"), b"")?;
    idempotent(&state, key, async {
        let (mut order, station) = find(&state, &caller, &id).await?;
        caller.write_station(&station, || AppError::no("order", &id))?;
        if order.status == OrderStatus::Cancelled {
            let body = CancelledOrder { order, replan: None };
            return Ok((StatusCode::OK, None, serde_json::to_string(&body)?));
        }
        order.status = OrderStatus::Cancelled;
        state.store.update_order(&order).await?;
        let replan = live::replan_day(&state, &station, &order.date, "cancel").await?;
        Ok((StatusCode::OK, None, serde_json::to_string(&CancelledOrder { order, replan })?))
    })
    .await
}

/// Locks a planned visit: later re-plans keep its caregiver and start. Only a visit in a
/// route of its day's current plan can be locked.
pub async fn lock(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    caller.require(&[Role::Admin, Role::Dispatcher])?;
    let key =
        Idempotency::from_request(&caller, &headers, &format!("POST /v1/orders/{id}/lock"), b"")?;
    idempotent(&state, key, lock_visit(&state, &caller, &id)).await
}

async fn lock_visit(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<(StatusCode, Option<String>, String), AppError> {
    let (order, station) = find(state, caller, id).await?;
    caller.write_station(&station, || AppError::no("order", id))?;
    if order.status != OrderStatus::Open {
        return Err(AppError::Conflict(format!("order {id:?} is cancelled")));
    }
    let plan = state.store.current_plan(&station, &order.date).await?.map(|(_, p)| p);
    let placed = plan.iter().flat_map(|p| &p.routes).find_map(|r| {
        r.stops.iter().find(|s| s.visit == id).map(|s| (r.caregiver.clone(), s.start))
    });
    let Some((caregiver, start)) = placed else {
        return Err(AppError::Conflict(format!(
            "visit {id:?} is in no route of its day's plan: only a planned visit can be locked"
        )));
    };
    let data = VisitLock {
        visit: id,
        date: &order.date,
        locked: true,
        caregiver: Some(caregiver),
        start: Some(start),
    };
    let mut change = state.store.change(&station).await?;
    change.lock_visit(id, &station, &order.date).await?;
    let data = serde_json::to_value(&data)?;
    change.event("lock", &data).await?;
    change.commit().await?;
    Ok((StatusCode::OK, None, data.to_string()))
}

/// Where a dispatcher puts a visit: a caregiver, and a start (seconds from midnight) or none
/// (where it fits best).
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Assignment {
    caregiver: String,
    #[serde(default)]
    start: Option<i64>,
}

/// Moves a visit to a caregiver (and start) by hand: checked, stored locked there, the rest
/// of the day re-planned around it; refused with the rule it would break.
pub async fn assign(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    caller.require(&[Role::Admin, Role::Dispatcher])?;
    let what = format!("POST /v1/orders/{id}/assign");
    let key = Idempotency::from_request(&caller, &headers, &what, &body)?;
    idempotent(&state, key, async {
        let a: Assignment = parse_json(&body)?;
        crate::limits::id("caregiver", &a.caregiver)?;
        if a.start.is_some_and(|s| !(0..=2 * 86_400).contains(&s)) {
            return Err(AppError::invalid("start", "must be 0 to 172800 seconds from midnight"));
        }
        let (order, station) = find(&state, &caller, &id).await?;
        caller.write_station(&station, || AppError::no("order", &id))?;
        if order.status != OrderStatus::Open {
            return Err(AppError::Conflict(format!("order {id:?} is cancelled")));
        }
        let start = a.start.map(solver::Seconds);
        let report =
            live::assign_visit(&state, (&station, &order.date), (&id, &a.caregiver, start)).await?;
        let body = AssignedVisit { visit: id.clone(), replan: report };
        Ok((StatusCode::OK, None, serde_json::to_string(&body)?))
    })
    .await
}

/// Unlocks a visit: re-plans may move it again.
pub async fn unlock(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    caller.require(&[Role::Admin, Role::Dispatcher])?;
    let what = format!("POST /v1/orders/{id}/unlock");
    let key = Idempotency::from_request(&caller, &headers, &what, b"")?;
    idempotent(&state, key, async {
        let (order, station) = find(&state, &caller, &id).await?;
        caller.write_station(&station, || AppError::no("order", &id))?;
        let data = VisitLock {
            visit: &id,
            date: &order.date,
            locked: false,
            caregiver: None,
            start: None,
        };
        let mut change = state.store.change(&station).await?;
        change.unlock_visit(&id).await?;
        let data = serde_json::to_value(&data)?;
        change.event("lock", &data).await?;
        change.commit().await?;
        Ok((StatusCode::OK, None, data.to_string()))
    })
    .await
}
