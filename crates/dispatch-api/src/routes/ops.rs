//! For operators: `GET /healthz` (the database answers), `GET /metrics` (Prometheus), and
//! `GET /openapi.json`.

use crate::app::AppState;
use crate::error::AppError;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

pub async fn healthz(State(state): State<AppState>) -> Result<Response, AppError> {
    state.store.ping().await?;
    Ok(Json(
        json!({"status": "ok", "database": format!("{:?}", state.store.backend()).to_lowercase()}),
    )
    .into_response())
}

pub async fn metrics(State(state): State<AppState>) -> Response {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], state.metrics.render()).into_response()
}

pub async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], crate::openapi::document().to_string())
        .into_response()
}
