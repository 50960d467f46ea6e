//! Reports for programmes: `GET /v1/ledger`, the service hours finished visits booked, by
//! client, caregiver, team, station or month, as JSON or CSV; `GET /v1/reports/teams`, the
//! quarter's team grades with their parts, as JSON or an SVG chart.

use super::Params;
use crate::app::AppState;
use crate::auth::{Caller, Role};
use crate::error::AppError;
use crate::grades;
use crate::ledger::{self, GroupBy, Period};
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;

pub async fn ledger(
    State(state): State<AppState>,
    caller: Caller,
    params: Params,
) -> Result<Response, AppError> {
    caller.require(&[Role::Admin, Role::Dispatcher, Role::Planner])?;
    let (today, _) = state.clock.now();
    let from = params.get("from").unwrap_or(today.month());
    let period = Period::parse(from, params.get("to").unwrap_or(from))?;
    let by = match params.get("by") {
        None => GroupBy::Station,
        Some(b) => GroupBy::parse(b).ok_or_else(|| {
            AppError::invalid("by", "must be client, caregiver, team, station or month")
        })?,
    };
    let stations = caller.station_filter(params.get("station"));
    let ledger = ledger::read(&state.store, &period, by, stations.as_deref()).await?;
    match params.get("format") {
        None | Some("json") => Ok(Json(ledger).into_response()),
        Some("csv") => Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!(
                        "attachment; filename=\"ledger-{}-{}-by-{}.csv\"",
                        period.from,
                        period.to,
                        by.as_str()
                    ),
                ),
            ],
            ledger::to_csv(&ledger),
        )
            .into_response()),
        Some("svg") => {
            Ok(([(header::CONTENT_TYPE, "image/svg+xml; charset=utf-8")], ledger::to_svg(&ledger))
                .into_response())
        }
        Some(_) => Err(AppError::invalid("format", "must be json, csv or svg")),
    }
}

/// The quarter's team grades: `?quarter=2026Q3` (default: this quarter), `&format=svg` for the
/// chart. Weights and thresholds are the service's configuration.
pub async fn teams(
    State(state): State<AppState>,
    caller: Caller,
    params: Params,
) -> Result<Response, AppError> {
    caller.require(&[Role::Admin, Role::Planner])?;
    let (today, _) = state.clock.now();
    let this_quarter = today.quarter();
    let quarter = params.get("quarter").unwrap_or(&this_quarter);
    let report = grades::report(&state.store, quarter, &state.grades).await?;
    match params.get("format") {
        None | Some("json") => Ok(Json(report).into_response()),
        Some("svg") => {
            Ok(([(header::CONTENT_TYPE, "image/svg+xml; charset=utf-8")], grades::to_svg(&report))
                .into_response())
        }
        Some(_) => Err(AppError::invalid("format", "must be json or svg")),
    }
}
