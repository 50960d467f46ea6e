//! The web pages, built into the binary: the dispatcher's console at `/`, the caregiver's
//! phone page at `/m/`, the planner's view at `/plan/`, the rating page a family opens from a
//! one-time link at `/rate/{link}`, and their assets under `/assets/`.
//! They are static files (`web/static`, with the front-end packages `web/vendor.sh` copies
//! from the npm lockfile); everything they show comes from the public API, so nothing here
//! reads data, and nothing is fetched from elsewhere at run time.

use axum::extract::Path;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;

/// One embedded file: its name under `/assets/`, its media type and its bytes.
struct Asset {
    name: &'static str,
    media_type: &'static str,
    bytes: &'static [u8],
}

macro_rules! assets {
    ($( $name:literal => $media_type:literal, )*) => {
        const ASSETS: &[Asset] = &[
            $( Asset {
                name: $name,
                media_type: $media_type,
                bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/web/static/", $name)),
            }, )*
        ];
    };
}

assets! {
    "console.html" => "text/html; charset=utf-8",
    "phone.html" => "text/html; charset=utf-8",
    "plan.html" => "text/html; charset=utf-8",
    "rate.html" => "text/html; charset=utf-8",
    "app.css" => "text/css; charset=utf-8",
    "common.js" => "text/javascript; charset=utf-8",
    "strings.js" => "text/javascript; charset=utf-8",
    "console.js" => "text/javascript; charset=utf-8",
    "centre.js" => "text/javascript; charset=utf-8",
    "timeline.js" => "text/javascript; charset=utf-8",
    "phone.js" => "text/javascript; charset=utf-8",
    "plan.js" => "text/javascript; charset=utf-8",
    "rate.js" => "text/javascript; charset=utf-8",
    "sw.js" => "text/javascript; charset=utf-8",
    "vendor/leaflet/leaflet.js" => "text/javascript; charset=utf-8",
    "vendor/leaflet/leaflet.css" => "text/css; charset=utf-8",
    "vendor/leaflet/LICENSE" => "text/plain; charset=utf-8",
}

/// Scripts only from here; inline styles for the timeline's positions; images also from a
/// tile server the user may configure.
const POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
                      img-src 'self' data: blob: https:; connect-src 'self'; frame-ancestors 'none'";

fn file(name: &str) -> Response {
    let Some(asset) = ASSETS.iter().find(|a| a.name == name) else {
        return crate::AppError::NotFound(format!("no asset {name:?}")).into_response();
    };
    let mut response = (StatusCode::OK, asset.bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(asset.media_type));
    // Always asked again (the files are small, and a new binary must show its own pages).
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(POLICY));
    if name == "sw.js" {
        headers.insert("service-worker-allowed", HeaderValue::from_static("/m/"));
    }
    response
}

/// The pages' routes.
pub fn pages<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/", get(|| async { file("console.html") }))
        .route("/m/", get(|| async { file("phone.html") }))
        .route("/m", get(|| async { Redirect::permanent("/m/") }))
        .route("/m/sw.js", get(|| async { file("sw.js") }))
        .route("/plan/", get(|| async { file("plan.html") }))
        .route("/plan", get(|| async { Redirect::permanent("/plan/") }))
        .route("/rate/{link}", get(|| async { file("rate.html") }))
        .route("/assets/{*name}", get(|Path(name): Path<String>| async move { file(&name) }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_page_names_only_embedded_assets() {
        for page in ["console.html", "phone.html", "plan.html", "rate.html", "sw.js"] {
            let text =
                std::str::from_utf8(ASSETS.iter().find(|a| a.name == page).expect("page").bytes)
                    .expect("utf-8");
            for part in text.split("/assets/").skip(1) {
                let name: String =
                    part.chars().take_while(|c| !matches!(c, '"' | '\'' | ')' | ' ')).collect();
                assert!(ASSETS.iter().any(|a| a.name == name), "{page} names /assets/{name}");
            }
        }
    }

    #[test]
    fn scripts_import_only_embedded_modules() {
        for asset in
            ASSETS.iter().filter(|a| a.name.ends_with(".js") && !a.name.starts_with("vendor"))
        {
            let text = std::str::from_utf8(asset.bytes).expect("utf-8");
            for part in text.split("from \"./").skip(1) {
                let name: String = part.chars().take_while(|&c| c != '"').collect();
                assert!(ASSETS.iter().any(|a| a.name == name), "{} imports {name}", asset.name);
            }
        }
    }
}
