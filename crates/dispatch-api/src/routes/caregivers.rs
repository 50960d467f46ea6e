//! `GET /v1/caregivers/{id}/route?date=YYYY-MM-DD`: a caregiver's route, for the dispatchers
//! of their station (caregivers use `/v1/me/route`).

use super::Params;
use crate::app::AppState;
use crate::auth::{Caller, Role};
use crate::error::AppError;
use crate::route_view;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;

pub async fn route(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    params: Params,
) -> Result<Response, AppError> {
    caller.require(&[Role::Admin, Role::Dispatcher, Role::Planner])?;
    let date = params.required_date("date")?;
    let caregiver =
        state.store.caregiver(&id).await?.ok_or_else(|| AppError::no("caregiver", &id))?;
    caller.read_station(&caregiver.station, || AppError::no("caregiver", &id))?;
    Ok(Json(route_view::load(&state, &id, &date).await?.to_json()).into_response())
}
