//! What the service accepts, the same on SQLite and PostgreSQL: ids of at most 64 letters,
//! digits and `-_.:` (Chinese 编号 are letters), bounded names, addresses and service words,
//! and no NUL anywhere (PostgreSQL cannot store one; SQLite would, so both refuse it here).

use crate::error::AppError;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

pub const MAX_ID: usize = 64;
pub const MAX_NAME: usize = 100;
pub const MAX_ADDRESS: usize = 500;
pub const MAX_SERVICE: usize = 64;

/// An id: 1 to 64 Unicode letters or digits, or `-`, `_`, `.`, `:`.
pub fn id(field: &str, value: &str) -> Result<(), AppError> {
    let n = value.chars().count();
    let fine = |c: char| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ':');
    if n == 0 || n > MAX_ID || !value.chars().all(fine) {
        return Err(AppError::invalid(
            field,
            format!(
                "must be 1 to {MAX_ID} letters, digits or - _ . : (no spaces, control characters \
                 or /)"
            ),
        ));
    }
    Ok(())
}

/// A text of at most `max` characters.
pub fn text(field: &str, value: &str, max: usize) -> Result<(), AppError> {
    if value.chars().count() > max {
        return Err(AppError::invalid(field, format!("must be at most {max} characters")));
    }
    Ok(())
}

/// The common fields of a master row or an order, where present: `id`, `name`, `address`,
/// `service`.
pub fn row(body: &Value) -> Result<(), AppError> {
    if holds_nul(body) {
        return Err(AppError::invalid("body", "must not hold a NUL character"));
    }
    if let Some(v) = body.get("id").and_then(Value::as_str) {
        id("id", v)?;
    }
    for (field, max) in [("name", MAX_NAME), ("address", MAX_ADDRESS), ("service", MAX_SERVICE)] {
        if let Some(v) = body.get(field).and_then(Value::as_str) {
            text(field, v, max)?;
        }
    }
    Ok(())
}

fn holds_nul(v: &Value) -> bool {
    match v {
        Value::String(s) => s.contains('\0'),
        Value::Array(a) => a.iter().any(holds_nul),
        Value::Object(o) => o.iter().any(|(k, v)| k.contains('\0') || holds_nul(v)),
        _ => false,
    }
}

/// Refuses a body holding a NUL character (a raw byte or JSON's `\u0000`).
pub fn no_nul(bytes: &[u8]) -> Result<(), AppError> {
    let escaped = bytes.windows(6).any(|w| w.eq_ignore_ascii_case(b"\\u0000"));
    if bytes.contains(&0) || escaped {
        return Err(AppError::invalid("body", "must not hold a NUL character"));
    }
    Ok(())
}

/// Refuses a body sent as anything but JSON or CSV (415); a body without a content-type is read
/// as JSON, as before.
pub async fn json_or_csv(request: Request, next: Next) -> Response {
    let writes = matches!(request.method().as_str(), "POST" | "PUT" | "PATCH");
    let declared = request.headers().get(axum::http::header::CONTENT_TYPE).map(|v| {
        v.to_str().unwrap_or("?").split(';').next().unwrap_or("").trim().to_ascii_lowercase()
    });
    if let (true, Some(mime)) = (writes, declared) {
        let fine = mime == "application/json" || mime.ends_with("+json") || mime == "text/csv";
        if !fine {
            return AppError::Status {
                status: axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
                detail: format!(
                    "content-type {mime:?}: send application/json (or text/csv where rows are \
                     imported)"
                ),
            }
            .into_response();
        }
    }
    next.run(request).await
}

/// Refuses a path or query holding a NUL or another control character (`%00`, `%0A`, ...)
/// before any handler sees it.
pub async fn clean_uri(request: Request, next: Next) -> Response {
    let uri = request.uri();
    let decoded = |s: &str| -> bool {
        // %00..%1F and %7F, in either case.
        let b = s.as_bytes();
        b.contains(&0)
            || b.windows(3).any(|w| {
                w[0] == b'%'
                    && matches!((w[1], w[2].to_ascii_uppercase()), (b'0' | b'1', b'0'..=b'9' | b'A'..=b'F') | (b'7', b'F'))
            })
    };
    for (field, part) in [("path", Some(uri.path())), ("query", uri.query())] {
        if part.is_some_and(decoded) {
            return AppError::invalid(field, "must not hold a NUL or another control character")
                .into_response();
        }
    }
    next.run(request).await
}
