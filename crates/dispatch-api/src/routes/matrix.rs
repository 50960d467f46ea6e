//! A station's own travel times: `PUT /v1/stations/{id}/matrix` uploads (or replaces) its
//! matrix (the JSON or CSV of `scenarios/README.md`), `GET` says which version its days are
//! planned on, `DELETE` takes it back to the roads. The matrix lives in the database, so
//! every replica plans on the same one; each plan records the version it used.

use super::{idempotent, visible_station, Idempotency};
use crate::app::AppState;
use crate::auth::{Caller, Role};
use crate::error::AppError;
use crate::store::MatrixRow;
use crate::travel::{self, MAX_UPLOAD_BYTES};
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use formats::travel_matrix::TravelMatrix;
use schemars::JsonSchema;
use serde::Serialize;

async fn station_writer(state: &AppState, caller: &Caller, station: &str) -> Result<(), AppError> {
    visible_station(state, caller, station, &[Role::Admin, Role::Dispatcher]).await.map(drop)
}

/// The matrix a station's days are planned on.
#[derive(Serialize, JsonSchema)]
pub struct StationMatrix<'a> {
    pub station: &'a str,
    pub version: i64,
    /// What its plans record: `matrix v{version}`.
    pub travel: String,
    /// Places it has times between.
    pub points: i64,
    /// The travel modes it has times for.
    pub modes: Vec<&'a str>,
    /// Whether it has distances too (said on upload; null when read back).
    pub distances: Option<bool>,
    /// Milliseconds since 1970.
    pub uploaded_ms: i64,
}

/// A dropped matrix (also the `travel` event on the station's stream).
#[derive(Serialize, JsonSchema)]
pub struct DroppedMatrix<'a> {
    pub station: &'a str,
    /// Versions dropped.
    pub dropped: u64,
    /// `roads`: the station's days are planned on the roads again.
    pub travel: &'static str,
}

fn answer(row: &MatrixRow, distances: Option<bool>) -> StationMatrix<'_> {
    StationMatrix {
        station: &row.station,
        version: row.version,
        travel: format!("matrix v{}", row.version),
        points: row.points,
        modes: row.modes.split(',').collect(),
        distances,
        uploaded_ms: row.uploaded_ms,
    }
}

/// Uploads a station's matrix: refused with 422 naming what is missing when it does not
/// cover the station, its clients, its canteens or its caregivers' travel modes.
pub async fn put(
    State(state): State<AppState>,
    caller: Caller,
    Path(station): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, AppError> {
    station_writer(&state, &caller, &station).await?;
    // Read here with the matrix's own limit (the service's 4 MiB is for everything else).
    let bytes =
        axum::body::to_bytes(body, MAX_UPLOAD_BYTES).await.map_err(|_| AppError::Status {
            status: axum::http::StatusCode::PAYLOAD_TOO_LARGE,
            detail: format!("a matrix upload is at most {} MiB", MAX_UPLOAD_BYTES >> 20),
        })?;
    let what = format!("PUT /v1/stations/{station}/matrix");
    let key = Idempotency::from_request(&caller, &headers, &what, &bytes)?;
    idempotent(&state, key, store_matrix(&state, &station, bytes)).await
}

/// Reads, checks and stores an uploaded matrix.
async fn store_matrix(
    state: &AppState,
    station: &str,
    bytes: axum::body::Bytes,
) -> Result<(StatusCode, Option<String>, String), AppError> {
    let text = String::from_utf8(Vec::from(bytes))
        .map_err(|_| AppError::invalid("body", "is not UTF-8 text (JSON or CSV)"))?;
    let (matrix, body) = tokio::task::spawn_blocking(move || {
        let matrix = TravelMatrix::parse(&text).map_err(|e| match e {
            formats::travel_matrix::MatrixError::Invalid { field, reason } => {
                AppError::invalid(field, reason)
            }
            other => AppError::invalid("body", other.to_string()),
        })?;
        // Stored as JSON: a JSON upload as it came (it was just read whole), CSV written so.
        let body = if text.trim_start().starts_with('{') {
            text
        } else {
            serde_json::to_string(&matrix.to_json())?
        };
        Ok::<_, AppError>((matrix, body))
    })
    .await
    .map_err(|e| AppError::Internal(format!("reading the matrix stopped: {e}")))??;
    let clients = state.store.clients_of(station).await?;
    let canteens = state.store.canteens_for(station, &clients).await?;
    let caregivers = state.store.caregivers_of(station).await?;
    let modes = caregivers.iter().map(|c| c.mode);
    let client_ids: Vec<String> = clients.iter().map(|c| c.id.clone()).collect();
    let canteen_ids: Vec<String> = canteens.iter().map(|c| c.id.clone()).collect();
    if let Some((field, reason)) =
        travel::uncovered(&matrix, &[station.to_string()], &client_ids, &canteen_ids, modes)
    {
        return Err(AppError::invalid(field, reason));
    }
    let names: Vec<&str> = matrix.modes().map(|m| m.as_str()).collect();
    let mut change = state.store.change(station).await?;
    let row = change.put_matrix(station, matrix.points().len(), &names.join(","), &body).await?;
    let answer = serde_json::to_value(answer(&row, Some(matrix.has_distances())))?;
    change.event("travel", &answer).await?;
    change.commit().await?;
    Ok((StatusCode::OK, None, answer.to_string()))
}

/// Which travel times the station's days are planned on.
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(station): Path<String>,
) -> Result<Response, AppError> {
    visible_station(&state, &caller, &station, &[Role::Admin, Role::Dispatcher, Role::Planner])
        .await?;
    match state.store.newest_matrix(&station).await? {
        Some(row) => Ok(Json(answer(&row, None)).into_response()),
        None => Err(AppError::NotFound(format!(
            "station {station} has no matrix: its days are planned on the roads"
        ))),
    }
}

/// Drops the station's matrix: its next plans are made on the roads again.
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(station): Path<String>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    station_writer(&state, &caller, &station).await?;
    let what = format!("DELETE /v1/stations/{station}/matrix");
    let key = Idempotency::from_request(&caller, &headers, &what, b"")?;
    idempotent(&state, key, async {
        let mut change = state.store.change(&station).await?;
        let dropped = change.drop_matrices(&station).await?;
        if dropped == 0 {
            return Err(AppError::NotFound(format!("station {station} has no matrix")));
        }
        let answer =
            serde_json::to_value(DroppedMatrix { station: &station, dropped, travel: "roads" })?;
        change.event("travel", &answer).await?;
        change.commit().await?;
        Ok((StatusCode::OK, None, answer.to_string()))
    })
    .await
}
