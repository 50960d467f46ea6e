//! One file per resource, and what their handlers share: JSON answers, idempotency keys and
//! listing parameters.

pub mod caregivers;
pub mod master;
pub mod matrix;
pub mod me;
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
use crate::store::Remembered;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
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

/// A write's `Idempotency-Key`, scoped to its caller, and its request in canonical form.
pub struct Idempotency {
    pub key: String,
    pub request: String,
}

impl Idempotency {
    /// Reads the header; the request is the method, path and body (JSON bodies canonical:
    /// serde_json's maps are sorted, so the same body always prints the same way).
    pub fn from_request(
        caller: &Caller,
        headers: &HeaderMap,
        what: &str,
        body: &[u8],
    ) -> Result<Option<Idempotency>, AppError> {
        let Some(value) = headers.get(IDEMPOTENCY_KEY) else { return Ok(None) };
        let key =
            value.to_str().ok().filter(|k| !k.is_empty() && k.len() <= 200).ok_or_else(|| {
                AppError::invalid("Idempotency-Key", "must be 1 to 200 visible ASCII characters")
            })?;
        let body = match serde_json::from_slice::<serde_json::Value>(body) {
            Ok(v) => v.to_string(),
            Err(_) => String::from_utf8_lossy(body).into_owned(),
        };
        Ok(Some(Idempotency {
            key: format!("{}:{key}", caller.key_scope),
            request: format!("{what}\n{body}"),
        }))
    }

    /// The first answer when this key was used before with the same request; `409` when it
    /// was used with another.
    pub async fn replay(&self, state: &AppState) -> Result<Option<Response>, AppError> {
        let Some(first) = state.store.remembered(&self.key).await? else { return Ok(None) };
        if first.request != self.request {
            return Err(AppError::Conflict(
                "this Idempotency-Key was used for a different request".into(),
            ));
        }
        let status = StatusCode::from_u16(first.status).unwrap_or(StatusCode::OK);
        Ok(Some(json_response(status, None, first.response)))
    }

    pub fn answer(&self, status: StatusCode, response: &str) -> Remembered {
        Remembered {
            request: self.request.clone(),
            status: status.as_u16(),
            response: response.to_string(),
        }
    }
}

/// Runs a write under an optional idempotency key: a repeat gets the first answer; a
/// successful answer is remembered.
pub async fn idempotent<F>(
    state: &AppState,
    key: Option<Idempotency>,
    write: F,
) -> Result<Response, AppError>
where
    F: std::future::Future<Output = Result<(StatusCode, Option<String>, String), AppError>>,
{
    if let Some(key) = &key {
        if let Some(replay) = key.replay(state).await? {
            return Ok(replay);
        }
    }
    let (status, location, body) = write.await?;
    if let Some(key) = &key {
        state.store.remember(&key.key, &key.answer(status, &body)).await?;
    }
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
