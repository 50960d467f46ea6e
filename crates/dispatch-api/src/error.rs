//! One error type for the service with one status mapping, answered as
//! `application/problem+json`: validation 422 naming the field, not found 404, conflict 409,
//! internal 500 (logged once, with no detail leaked).

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde_json::json;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum AppError {
    #[error("{field}: {reason}")]
    Validation { field: String, reason: String },
    /// A well-formed request that would break a rule of the day (`rule`: the checker's or
    /// the solver's name for it); 422 with the rule named.
    #[error("{field}: {reason}")]
    Rule { field: String, rule: String, reason: String },
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    /// A request whose Idempotency-Key another request holds and is still answering.
    #[error("the first request with this Idempotency-Key is still running: try again in a moment")]
    InProgress,
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("stored data is not valid JSON: {0}")]
    Corrupt(#[from] serde_json::Error),
    #[error("{0}")]
    Internal(String),
    /// An answer made by axum or a layer (405, 408, 413, ...), rewritten as a problem.
    #[error("{detail}")]
    Status { status: StatusCode, detail: String },
}

impl AppError {
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> AppError {
        AppError::Validation { field: field.into(), reason: reason.into() }
    }

    /// `404 no {what} "{id}"`: the one answer for an id that does not exist and for one the
    /// caller may not see.
    pub fn no(what: &str, id: &str) -> AppError {
        AppError::NotFound(format!("no {what} {id:?}"))
    }

    fn status(&self) -> StatusCode {
        match self {
            AppError::Validation { .. } | AppError::Rule { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Conflict(_) | AppError::InProgress => StatusCode::CONFLICT,
            AppError::Status { status, .. } => *status,
            AppError::Database(_) | AppError::Corrupt(_) | AppError::Internal(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        let mut body = json!({
            "type": "about:blank",
            "title": status.canonical_reason().unwrap_or("error"),
            "status": status.as_u16(),
        });
        match &self {
            AppError::Validation { field, reason } => {
                body["detail"] = json!(format!("{field}: {reason}"));
                body["field"] = json!(field);
                body["reason"] = json!(reason);
            }
            AppError::Rule { field, rule, reason } => {
                body["detail"] = json!(format!("{field}: {reason}"));
                body["field"] = json!(field);
                body["rule"] = json!(rule);
                body["reason"] = json!(reason);
            }
            AppError::Unauthorized(d)
            | AppError::Forbidden(d)
            | AppError::NotFound(d)
            | AppError::Conflict(d)
            | AppError::Status { detail: d, .. } => body["detail"] = json!(d),
            AppError::InProgress => body["detail"] = json!(self.to_string()),
            _ => {
                tracing::error!(error = %self, "internal error");
                body["detail"] = json!("internal error; it has been logged");
            }
        }
        let mut response =
            (status, [(header::CONTENT_TYPE, "application/problem+json")], body.to_string())
                .into_response();
        if matches!(self, AppError::InProgress) {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
        }
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// Parses JSON, naming the path of the first bad field.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    crate::limits::no_nul(bytes)?;
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let error = e.into_inner();
        // Broken JSON is the body's fault; a wrong value is the field's.
        let field = if path == "." || !error.is_data() { "body".to_string() } else { path };
        AppError::invalid(field, error.to_string())
    })
}
