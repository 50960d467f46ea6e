//! For operators: `GET /healthz` (the database answers), `GET /readyz` (send it requests:
//! the database answers, the service is not stopping; the event bus's state), `GET /metrics`
//! (Prometheus), and
//! `GET /openapi.json`.

use crate::app::AppState;
use crate::error::AppError;
use axum::extract::State;
use axum::http::{header, StatusCode};
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

/// Whether this replica should be sent requests: the database answers and the service is not
/// stopping (503 otherwise, with the reason). The bus is reported, not required: without it
/// orders are still taken and streams read the database every second.
pub async fn readyz(State(state): State<AppState>) -> Response {
    let bus = state.store.bus();
    let bus = json!({"kind": bus.kind(), "connected": bus.connected()});
    let queue = json!({"kind": state.queue.kind(), "instance": state.instance});
    let not_ready = |reason: String| {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "not ready", "reason": reason, "bus": bus, "queue": queue})),
        )
            .into_response()
    };
    if *state.shutdown.borrow() {
        return not_ready("the service is stopping".into());
    }
    if let Err(e) = state.store.ping().await {
        return not_ready(format!("the database does not answer: {e}"));
    }
    Json(json!({"status": "ready", "bus": bus, "queue": queue})).into_response()
}

pub async fn metrics(State(state): State<AppState>) -> Response {
    let bus = state.store.bus();
    // The depth is the queue's (every process's jobs); a queue away leaves it out.
    let depth = state.queue.depth().await.ok();
    let text = state.metrics.render()
        + &bus.counters().render(bus.as_ref())
        + &state.jobs.render(depth, state.queue.kind());
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response()
}

pub async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], crate::openapi::document().to_string())
        .into_response()
}
