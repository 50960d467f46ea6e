//! Tokens for admins over the API: `GET /v1/tokens` lists them (public id, role, scope,
//! creation, expiry, revocation; never a secret), `POST /v1/tokens` makes one (shown once),
//! `POST /v1/tokens/{id}/revoke` revokes one: it is refused on its next request here, and
//! within five seconds on every other replica.

use crate::app::AppState;
use crate::auth::{create_expiring_token, Caller, Role};
use crate::error::{parse_json, AppError};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

pub async fn list(State(state): State<AppState>, caller: Caller) -> Result<Json<Value>, AppError> {
    caller.require(&[Role::Admin])?;
    Ok(Json(json!({"tokens": state.store.tokens().await?})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewToken {
    role: String,
    #[serde(default)]
    stations: Vec<String>,
    #[serde(default)]
    caregiver: Option<String>,
    #[serde(default)]
    label: String,
    /// Days until it stops working (default: never).
    #[serde(default)]
    expires_in_days: Option<u32>,
}

/// The longest a token may be made to last, in days (ten years).
const MAX_DAYS: u32 = 3_650;

pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), AppError> {
    caller.require(&[Role::Admin])?;
    let t: NewToken = parse_json(&body)?;
    let role = Role::parse(&t.role).map_err(|e| AppError::invalid("role", e))?;
    crate::limits::text("label", &t.label, crate::limits::MAX_NAME)?;
    let expires_ms = match t.expires_in_days {
        Some(0) => return Err(AppError::invalid("expires_in_days", "must be at least 1")),
        Some(d) if d > MAX_DAYS => {
            return Err(AppError::invalid("expires_in_days", format!("must be at most {MAX_DAYS}")))
        }
        Some(d) => Some(crate::store::now_ms() + i64::from(d) * 86_400_000),
        None => None,
    };
    let token = create_expiring_token(
        &state.store,
        role,
        &t.stations,
        t.caregiver.as_deref(),
        &t.label,
        expires_ms,
    )
    .await?;
    let id = crate::store::token_id(&crate::auth::token_hash(&token));
    Ok((StatusCode::CREATED, Json(json!({"id": id, "token": token, "expires_ms": expires_ms}))))
}

pub async fn revoke(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, AppError> {
    caller.require(&[Role::Admin])?;
    if !state.store.revoke_token(&id).await? {
        return Err(AppError::NotFound(format!("no token {id:?}")));
    }
    // Refused here at once; other replicas read it again within TOKEN_FRESH.
    state.tokens.clear();
    Ok(Json(json!({"id": id, "revoked": true})))
}
