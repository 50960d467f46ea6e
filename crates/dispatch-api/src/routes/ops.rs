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
use schemars::JsonSchema;
use serde::Serialize;

/// `GET /healthz`.
#[derive(Serialize, JsonSchema)]
pub struct Health {
    /// `ok`
    pub status: &'static str,
    /// `sqlite` or `postgres`
    pub database: String,
}

/// `GET /readyz`: ready, or (503) not, and why.
#[derive(Serialize, JsonSchema)]
pub struct Readiness {
    /// `ready` or `not ready`
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub bus: BusState,
    pub queue: QueueState,
}

/// The event bus a replica wakes the others through.
#[derive(Serialize, JsonSchema)]
pub struct BusState {
    /// `in-process`, `postgres` (LISTEN/NOTIFY) or `nats`
    pub kind: &'static str,
    pub connected: bool,
}

/// The solve queue this replica pushes plans on.
#[derive(Serialize, JsonSchema)]
pub struct QueueState {
    pub kind: &'static str,
    /// This process's name on the leases of the plans it solves.
    pub instance: String,
}

pub async fn healthz(State(state): State<AppState>) -> Result<Response, AppError> {
    state.store.ping().await?;
    let database = format!("{:?}", state.store.backend()).to_lowercase();
    Ok(Json(Health { status: "ok", database }).into_response())
}

/// Whether this replica should be sent requests: the database answers and the service is not
/// stopping (503 otherwise, with the reason). The bus is reported, not required: without it
/// orders are still taken and streams read the database every second.
pub async fn readyz(State(state): State<AppState>) -> Response {
    let bus = state.store.bus();
    let answer = |status, reason| Readiness {
        status,
        reason,
        bus: BusState { kind: bus.kind(), connected: bus.connected() },
        queue: QueueState { kind: state.queue.kind(), instance: state.instance.clone() },
    };
    let not_ready = |reason: String| {
        (StatusCode::SERVICE_UNAVAILABLE, Json(answer("not ready", Some(reason)))).into_response()
    };
    if *state.shutdown.borrow() {
        return not_ready("the service is stopping".into());
    }
    if let Err(e) = state.store.ping().await {
        return not_ready(format!("the database does not answer: {e}"));
    }
    Json(answer("ready", None)).into_response()
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
