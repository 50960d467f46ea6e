//! The OpenAPI 3.1 document, generated from the same table that builds the router
//! ([`crate::app::ENDPOINTS`]), so the two cannot disagree.

use crate::app::{Endpoint, ENDPOINTS};
use serde_json::{json, Map, Value};

fn parameters(path: &str) -> Vec<Value> {
    path.split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
        .collect()
}

fn operation(e: &Endpoint) -> Value {
    let problem = |what: &str| json!({"description": what, "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}});
    let mut responses = Map::new();
    responses.insert(e.success.to_string(), json!({"description": "success"}));
    responses.insert("422".into(), problem("invalid input; `field` names the bad field"));
    if e.roles != "public" {
        responses.insert("401".into(), problem("no or unknown bearer token"));
        responses.insert("403".into(), problem("the token's role or station may not do this"));
    }
    responses.insert("404".into(), problem("no such resource"));
    let mut op = json!({
        "summary": e.summary,
        "description": format!("Roles: {}.", e.roles),
        "operationId": format!("{}_{}", e.method, e.path.trim_start_matches('/').replace(['/', '{', '}', '.'], "_")),
        "parameters": parameters(e.path),
        "responses": responses,
    });
    if e.roles == "public" {
        op["security"] = json!([]);
    }
    if matches!(e.method, "post" | "put" | "patch") {
        op["requestBody"] = json!({"required": false, "content": {"application/json": {"schema": {"type": "object"}}}});
    }
    if e.method != "get" {
        if let Some(p) = op["parameters"].as_array_mut() {
            let key = json!({"name": "Idempotency-Key", "in": "header", "required": false,
                             "description": "The same key again within 24 h: the first answer, once; 409 with Retry-After while the first still runs",
                             "schema": {"type": "string", "maxLength": 200}});
            p.push(key);
        }
    }
    op
}

/// The whole document.
pub fn document() -> Value {
    let mut paths: Map<String, Value> = Map::new();
    for e in ENDPOINTS {
        let item = paths.entry(e.path.to_string()).or_insert_with(|| json!({}));
        item[e.method] = operation(e);
    }
    json!({
        "openapi": "3.1.0",
        "info": {"title": "CareCircle dispatch service", "version": env!("CARGO_PKG_VERSION"),
                 "description": "Orders in, schedules out: master data, orders, plans, live re-planning, caregivers' routes, alerts."},
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Problem": {"type": "object", "properties": {
                "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
                "detail": {"type": "string"}, "field": {"type": "string"}, "reason": {"type": "string"},
                "rule": {"type": "string", "description": "The rule of the day a refused change would break (checker rule or reason code)"},
                "code": {"type": "string", "description": "The problem's stable code: invalid, rule.{rule}, not_found, unauthorized, forbidden, conflict, in_progress, http.{status}, internal"},
                "params": {"type": "object", "description": "The code's parameters (field, reason, rule, what, id, retry_after_s)"}},
                "required": ["type", "title", "status", "code", "params"]}},
        },
        "paths": paths,
    })
}
