//! One file per resource, and what their handlers share: JSON answers, idempotency keys and
//! listing parameters.

pub mod caregivers;
pub mod master;
pub mod matrix;
pub mod me;
pub mod me_events;
pub mod ops;
pub mod orders;
pub mod planner;
pub mod plans;
pub mod ratings;
pub mod reports;
pub mod stations;
pub mod tokens;

use crate::app::AppState;
use crate::auth::{Caller, Role};
use crate::date::PlanDate;
use crate::error::AppError;
use crate::store::{Claim, Remembered};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

const IDEMPOTENCY_KEY: &str = "idempotency-key";
/// The longest page a listing returns.
pub const MAX_PAGE: usize = 500;

/// A JSON answer with an optional `Location`.
pub fn json_response(status: StatusCode, location: Option<String>, body: String) -> Response {
    let mut response = (status, [(header::CONTENT_TYPE, "application/json")], body).into_response();
    if let Some(location) = location.and_then(|l| l.parse().ok()) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

/// A write's `Idempotency-Key`, scoped to its caller, and its request's fingerprint.
pub struct Idempotency {
    pub key: String,
    pub request: String,
}

/// Bodies up to this size are compared as canonical JSON (the same object with other spaces
/// or key order is the same request); larger ones (a travel matrix) by their bytes.
const CANONICAL_BODY_BYTES: usize = 1 << 20;

impl Idempotency {
    /// Reads the header; the request is the method, path and a SHA-256 of the body.
    pub fn from_request(
        caller: &Caller,
        headers: &HeaderMap,
        what: &str,
        body: &[u8],
    ) -> Result<Option<Idempotency>, AppError> {
        Idempotency::scoped(&caller.key_scope, headers, what, body)
    }

    /// As [`Idempotency::from_request`], for a caller without a token (a rating link's
    /// holder): `scope` names whose keys these are.
    pub fn scoped(
        scope: &str,
        headers: &HeaderMap,
        what: &str,
        body: &[u8],
    ) -> Result<Option<Idempotency>, AppError> {
        let Some(value) = headers.get(IDEMPOTENCY_KEY) else { return Ok(None) };
        let key =
            value.to_str().ok().filter(|k| !k.is_empty() && k.len() <= 200).ok_or_else(|| {
                AppError::invalid("Idempotency-Key", "must be 1 to 200 visible ASCII characters")
            })?;
        let canonical = (body.len() <= CANONICAL_BODY_BYTES)
            .then(|| serde_json::from_slice::<serde_json::Value>(body).ok())
            .flatten()
            .map(|v| v.to_string());
        let digest = Sha256::digest(canonical.as_ref().map_or(body, |c| c.as_bytes()));
        Ok(Some(Idempotency {
            key: format!("{scope}:{key}"),
            request: format!("{what}\n{digest:x}"),
        }))
    }

    /// What is stored under the key, for a request that does not claim it (a new order,
    /// whose key is stored with it): the first answer, `409` while the first still runs or
    /// when the key was used for another request, `None` when the key is free.
    pub async fn replay(&self, state: &AppState) -> Result<Option<Response>, AppError> {
        match state.store.remembered(&self.key).await? {
            None => Ok(None),
            Some(found) => self.answer_of(found).map(Some),
        }
    }

    fn answer_of(&self, found: Claim) -> Result<Response, AppError> {
        let (Claim::Running { request } | Claim::Answered(Remembered { request, .. })) = &found
        else {
            return Err(AppError::Internal("a claimed key has no answer".into()));
        };
        if *request != self.request {
            return Err(AppError::Conflict(
                "this Idempotency-Key was used for a different request".into(),
            ));
        }
        match found {
            Claim::Answered(first) => {
                let status = StatusCode::from_u16(first.status).unwrap_or(StatusCode::OK);
                Ok(json_response(status, None, first.response))
            }
            _ => Err(AppError::InProgress),
        }
    }

    pub fn answer(&self, status: StatusCode, response: &str) -> Remembered {
        Remembered {
            request: self.request.clone(),
            status: status.as_u16(),
            response: response.to_string(),
        }
    }
}

/// Gives a claimed key back if its write never answered (an error, or a request dropped
/// mid-way when its client went away), so that a retry runs instead of waiting for nothing.
struct ClaimGuard {
    store: crate::store::Store,
    key: Option<String>,
}

impl Drop for ClaimGuard {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            let store = self.store.clone();
            tokio::spawn(async move {
                if let Err(e) = store.release_key(&key).await {
                    tracing::warn!(error = %e, "an idempotency key could not be given back");
                }
            });
        }
    }
}

/// Runs a write under an optional idempotency key, once per key: the key is claimed first;
/// a repeat gets the first answer, or `409` (`Retry-After: 1`) while the first still runs.
/// Only a successful answer is kept: a failed write gives its key back.
pub async fn idempotent<F>(
    state: &AppState,
    key: Option<Idempotency>,
    write: F,
) -> Result<Response, AppError>
where
    F: std::future::Future<Output = Result<(StatusCode, Option<String>, String), AppError>>,
{
    let Some(key) = key else {
        let (status, location, body) = write.await?;
        return Ok(json_response(status, location, body));
    };
    remembered_write(state, key, async {
        let (status, location, body) = write.await?;
        Ok((status, location, body.clone(), body))
    })
    .await
}

/// As [`idempotent`], for a write whose remembered answer differs from the one it gives the
/// first time (a new token's secret is shown once): the write returns both.
pub async fn remembered_write<F>(
    state: &AppState,
    key: Idempotency,
    write: F,
) -> Result<Response, AppError>
where
    F: std::future::Future<Output = Result<(StatusCode, Option<String>, String, String), AppError>>,
{
    match state.store.claim_key(&key.key, &key.request).await? {
        Claim::Mine => {}
        found => return key.answer_of(found),
    }
    let mut guard = ClaimGuard { store: state.store.clone(), key: Some(key.key.clone()) };
    let (status, location, body, kept) = write.await?;
    state.store.finish_key(&key.key, status.as_u16(), &kept).await?;
    guard.key = None;
    Ok(json_response(status, location, body))
}

/// The station of `/v1/stations/{id}/…` when the caller has one of `roles` and may see it.
/// A station the caller may not see answers the same `404` as one that does not exist.
pub async fn visible_station(
    state: &AppState,
    caller: &Caller,
    station: &str,
    roles: &[Role],
) -> Result<formats::scenario::Station, AppError> {
    caller.require(roles)?;
    let missing = || AppError::no("station", station);
    caller.read_station(station, missing)?;
    state.store.station(station).await?.ok_or_else(missing)
}

/// Query parameters, parsed by name.
pub struct Params(pub HashMap<String, String>);

impl Params {
    pub fn date(&self, name: &str) -> Result<Option<PlanDate>, AppError> {
        self.0.get(name).map(|d| PlanDate::field(name, d)).transpose()
    }

    pub fn required_date(&self, name: &str) -> Result<PlanDate, AppError> {
        self.date(name)?.ok_or_else(|| AppError::invalid(name, "required, as YYYY-MM-DD"))
    }

    pub fn limit(&self) -> Result<usize, AppError> {
        match self.0.get("limit") {
            None => Ok(100),
            Some(l) => l
                .parse::<usize>()
                .ok()
                .filter(|l| (1..=MAX_PAGE).contains(l))
                .ok_or_else(|| AppError::invalid("limit", format!("must be 1 to {MAX_PAGE}"))),
        }
    }

    pub fn cursor(&self) -> Option<String> {
        self.0.get("cursor").cloned()
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Params {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Params, AppError> {
        let axum::extract::Query(map) =
            axum::extract::Query::<HashMap<String, String>>::from_request_parts(parts, state)
                .await
                .map_err(|e| AppError::invalid("query", e.body_text()))?;
        Ok(Params(map))
    }
}
