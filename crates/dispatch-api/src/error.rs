//! One error type for the service with one status mapping, answered as
//! `application/problem+json`: validation 422 naming the field, not found 404, conflict 409,
//! internal 500 (logged once, with no detail leaked). Every problem carries a stable `code`
//! and its `params` (listed in the README) beside `detail`, for programs to act on.

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
    /// `no {what} "{id}"`: an id that does not exist (or that the caller may not see).
    #[error("no {what} {id:?}")]
    Missing { what: String, id: String },
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
        AppError::Missing { what: what.to_string(), id: id.to_string() }
    }

    /// The problem's stable code and its parameters: `invalid` {field, reason},
    /// `rule.{rule}` {field, rule}, `not_found` ({what, id} where known), `unauthorized`,
    /// `forbidden`, `conflict`, `in_progress` {retry_after_s}, `http.{status}` for answers of
    /// the HTTP layer (405, 408, 413, ...), `internal`.
    pub fn code(&self) -> (String, serde_json::Value) {
        let none = json!({});
        match self {
            AppError::Validation { field, reason } => {
                ("invalid".into(), json!({"field": field, "reason": reason}))
            }
            AppError::Rule { field, rule, .. } => {
                (format!("rule.{rule}"), json!({"field": field, "rule": rule}))
            }
            AppError::Unauthorized(_) => ("unauthorized".into(), none),
            AppError::Forbidden(_) => ("forbidden".into(), none),
            AppError::NotFound(_) => ("not_found".into(), none),
            AppError::Missing { what, id } => ("not_found".into(), json!({"what": what, "id": id})),
            AppError::Conflict(_) => ("conflict".into(), none),
            AppError::InProgress => ("in_progress".into(), json!({"retry_after_s": 1})),
            AppError::Status { status, .. } => (format!("http.{}", status.as_u16()), none),
            AppError::Database(_) | AppError::Corrupt(_) | AppError::Internal(_) => {
                ("internal".into(), none)
            }
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            AppError::Validation { .. } | AppError::Rule { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) | AppError::Missing { .. } => StatusCode::NOT_FOUND,
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
            AppError::InProgress | AppError::Missing { .. } => {
                body["detail"] = json!(self.to_string())
            }
            _ => {
                tracing::error!(error = %self, "internal error");
                body["detail"] = json!("internal error; it has been logged");
            }
        }
        let (code, params) = self.code();
        body["code"] = json!(code);
        body["params"] = params;
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
