//! Tokens for admins over the API: `GET /v1/tokens` lists them (public id, role, scope,
//! creation, expiry, revocation; never a secret), `POST /v1/tokens` makes one (shown once),
//! `POST /v1/tokens/{id}/revoke` revokes one: it is refused on its next request here, and
//! within five seconds on every other replica.

use super::{idempotent, json_response, remembered_write, Idempotency};
use crate::app::AppState;
use crate::auth::{create_expiring_token, Caller, Role};
use crate::error::{parse_json, AppError};
use crate::store::TokenInfo;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Json;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub async fn list(State(state): State<AppState>, caller: Caller) -> Result<Json<Tokens>, AppError> {
    caller.require(&[Role::Admin])?;
    Ok(Json(Tokens { tokens: state.store.tokens().await? }))
}

/// Every token, never a secret.
#[derive(Serialize, JsonSchema)]
pub struct Tokens {
    pub tokens: Vec<TokenInfo>,
}

/// A new token: its secret is shown once (a repeat of the request under its Idempotency-Key
/// gets `token: null` and a note).
#[derive(Serialize, JsonSchema)]
pub struct NewTokenAnswer<'a> {
    /// The public id (to list or revoke it).
    pub id: &'a str,
    pub token: Option<&'a str>,
    /// When it stops working, milliseconds since 1970 (null: never).
    pub expires_ms: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<&'static str>,
}

/// A revoked token.
#[derive(Serialize, JsonSchema)]
pub struct Revoked<'a> {
    pub id: &'a str,
    pub revoked: bool,
}

/// The body of `POST /v1/tokens`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
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

/// Makes a token. Under an Idempotency-Key a repeat makes none and gets the first answer
/// without the secret (secrets are never stored): revoke it and make another if it was lost.
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    caller.require(&[Role::Admin])?;
    match Idempotency::from_request(&caller, &headers, "POST /v1/tokens", &body)? {
        None => new_token(&state, &body).await.map(|(s, answer, _)| json_response(s, None, answer)),
        Some(key) => {
            remembered_write(&state, key, async {
                let (status, answer, kept) = new_token(&state, &body).await?;
                Ok((status, None, answer, kept))
            })
            .await
        }
    }
}

/// The new token's answer, and the same without its secret.
async fn new_token(
    state: &AppState,
    body: &[u8],
) -> Result<(StatusCode, String, String), AppError> {
    let t: NewToken = parse_json(body)?;
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
    let answer = NewTokenAnswer { id: &id, token: Some(&token), expires_ms, note: None };
    let kept = NewTokenAnswer {
        id: &id,
        token: None,
        expires_ms,
        note: Some("the secret is shown once: revoke this token and make another if it was lost"),
    };
    Ok((StatusCode::CREATED, serde_json::to_string(&answer)?, serde_json::to_string(&kept)?))
}

pub async fn revoke(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    caller.require(&[Role::Admin])?;
    let what = format!("POST /v1/tokens/{id}/revoke");
    let key = Idempotency::from_request(&caller, &headers, &what, b"")?;
    idempotent(&state, key, async {
        if !state.store.revoke_token(&id).await? {
            return Err(AppError::no("token", &id));
        }
        // Refused here at once, and on the other replicas as soon as the bus tells them
        // (within TOKEN_FRESH if it cannot).
        state.tokens.clear();
        state.store.bus().publish(crate::bus::Wake::TokensRevoked);
        Ok((StatusCode::OK, None, serde_json::to_string(&Revoked { id: &id, revoked: true })?))
    })
    .await
}
