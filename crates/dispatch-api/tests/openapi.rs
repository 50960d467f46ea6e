//! The OpenAPI document: generated from the route table, served at /openapi.json, and kept in
//! the repository (openapi.json) so a change of the API shows in review. CI fails when the
//! checked-in copy is stale; `UPDATE_OPENAPI=1 cargo test -p dispatch-api --test openapi`
//! rewrites it.

mod common;

use axum::http::StatusCode;
use common::Backend;
use dispatch_api::app::ENDPOINTS;
use dispatch_api::auth::Role;
use std::path::Path;

const CHECKED_IN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.json");

#[test]
fn the_checked_in_document_is_current() {
    let generated =
        serde_json::to_string_pretty(&dispatch_api::openapi::document()).expect("json") + "\n";
    if std::env::var("UPDATE_OPENAPI").is_ok_and(|v| v == "1") {
        std::fs::write(CHECKED_IN, &generated).expect("write openapi.json");
    }
    let stored = std::fs::read_to_string(Path::new(CHECKED_IN)).unwrap_or_default();
    assert!(
        stored == generated,
        "crates/dispatch-api/openapi.json is stale: run UPDATE_OPENAPI=1 cargo test -p dispatch-api --test openapi"
    );
}

#[test]
fn every_route_is_documented_once() {
    let doc = dispatch_api::openapi::document();
    let paths = doc["paths"].as_object().expect("paths");
    let operations: usize = paths.values().map(|p| p.as_object().map_or(0, |m| m.len())).sum();
    assert_eq!(operations, ENDPOINTS.len());
    for e in ENDPOINTS {
        let op = &doc["paths"][e.path][e.method];
        assert!(op["responses"].is_object(), "{} {}", e.method, e.path);
        let params = op["parameters"].as_array().expect("parameters");
        let in_path = e.path.matches('{').count();
        assert_eq!(params.iter().filter(|p| p["in"] == "path").count(), in_path, "{}", e.path);
    }
}

#[tokio::test]
async fn the_service_serves_it() {
    let s = common::service(Backend::Sqlite).await.expect("SQLite");
    let answer = s.call_as(None, "GET", "/openapi.json", None, &[]).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.body, dispatch_api::openapi::document());
    // Metrics count what was asked, by route pattern.
    s.call(Role::Admin, "GET", "/v1/orders/V1", None).await;
    let metrics = s.call_as(None, "GET", "/metrics", None, &[]).await;
    assert!(
        metrics.text.contains(
            r#"carecircle_http_requests_total{method="GET",route="/v1/orders/{id}",status="200"} 1"#
        ),
        "{}",
        metrics.text
    );
    assert!(metrics.text.contains("carecircle_http_request_duration_seconds_bucket"));
}
