//! `POST /v1/orders`, `GET /v1/orders/{id}`.

use crate::app::AppState;
use crate::error::{parse_json, AppError};
use crate::order::NewOrder;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

const IDEMPOTENCY_KEY: &str = "idempotency-key";

fn json_response(status: StatusCode, location: Option<String>, body: String) -> Response {
    let mut response = (status, [(header::CONTENT_TYPE, "application/json")], body).into_response();
    if let Some(location) = location.and_then(|l| l.parse().ok()) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, AppError> {
    let Some(value) = headers.get(IDEMPOTENCY_KEY) else { return Ok(None) };
    let key = value.to_str().ok().filter(|k| !k.is_empty() && k.len() <= 200).ok_or_else(|| {
        AppError::invalid("Idempotency-Key", "must be 1 to 200 visible ASCII characters")
    })?;
    Ok(Some(key.to_string()))
}

/// Validates and stores an order; `201` only once it is durable. A repeat under the same
/// `Idempotency-Key` gets the first answer; another body under it gets `409`.
pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let key = idempotency_key(&headers)?;
    let request: serde_json::Value = parse_json(&body)?;
    // serde_json's maps are sorted, so the same body always prints the same way.
    let canonical = request.to_string();
    if let Some(key) = &key {
        if let Some((first_request, status, response)) = state.store.idempotent_answer(key).await? {
            if first_request != canonical {
                return Err(AppError::Conflict(format!(
                    "Idempotency-Key {key:?} was used for a different request"
                )));
            }
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            return Ok(json_response(status, None, response));
        }
    }
    let new: NewOrder = parse_json(&body)?;
    if state.store.client(&new.client).await?.is_none() {
        return Err(AppError::invalid("client", format!("unknown client {:?}", new.client)));
    }
    let id = match &new.id {
        Some(id) => id.clone(),
        None => state.store.next_order_id().await?,
    };
    let order = new.validate(id)?;
    let response = serde_json::to_string(&order)?;
    let idempotency = key
        .as_deref()
        .map(|k| (k, canonical.as_str(), StatusCode::CREATED.as_u16(), response.as_str()));
    if !state.store.insert_order(&order, idempotency).await? {
        return Err(AppError::Conflict(format!("order {:?} already exists", order.id)));
    }
    Ok(json_response(StatusCode::CREATED, Some(format!("/v1/orders/{}", order.id)), response))
}

pub async fn get(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let order = state
        .store
        .order(&id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no order {id:?}")))?;
    Ok(Json(order).into_response())
}
