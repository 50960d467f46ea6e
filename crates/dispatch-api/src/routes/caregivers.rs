//! `GET /v1/caregivers/{id}/route?date=YYYY-MM-DD`: a caregiver's visits in order, from the
//! newest finished plan of their station's day.

use crate::app::AppState;
use crate::date::PlanDate;
use crate::error::AppError;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use planner::road_travel::to_wgs84;
use serde_json::json;
use std::collections::HashMap;

pub async fn route(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let date =
        query.get("date").ok_or_else(|| AppError::invalid("date", "required, as YYYY-MM-DD"))?;
    let date = PlanDate::field("date", date)?;
    let caregiver = state
        .store
        .caregiver(&id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no caregiver {id:?}")))?;
    let plan_id =
        state.store.newest_done_plan(&caregiver.station, &date).await?.ok_or_else(|| {
            AppError::NotFound(format!(
                "no finished plan of station {} for {date} yet",
                caregiver.station
            ))
        })?;
    let version =
        state.store.latest_version(plan_id).await?.ok_or_else(|| {
            AppError::Internal(format!("plan {plan_id} is done but has no version"))
        })?;
    let plan: solver::Plan = serde_json::from_value(version.plan)?;
    let mut stops = Vec::new();
    if let Some(route) = plan.routes.iter().find(|r| r.caregiver == caregiver.id) {
        for stop in &route.stops {
            let order = state.store.order(&stop.visit).await?;
            let client = match &order {
                Some(o) => state.store.client(&o.client).await?,
                None => None,
            };
            stops.push(json!({
                "visit": stop.visit,
                "client": client.as_ref().map(|c| &c.id),
                "client_name": client.as_ref().and_then(|c| c.name.as_ref()),
                "service": order.as_ref().map(|o| o.service.as_str()),
                "arrival": stop.arrival, "start": stop.start, "end": stop.end,
                "location": client.as_ref().map(|c| { let p = to_wgs84(&c.location); json!({"lon": p.lon, "lat": p.lat}) }),
            }));
        }
    }
    Ok(Json(json!({"caregiver": caregiver.id, "station": caregiver.station, "date": date, "plan": plan_id, "stops": stops}))
        .into_response())
}
