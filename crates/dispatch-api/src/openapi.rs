//! The OpenAPI 3.1 document, generated from the same table that builds the router
//! ([`crate::app::ENDPOINTS`]), so the two cannot disagree: paths, roles, query parameters,
//! and the request and response bodies' JSON Schemas derived from the Rust types the
//! handlers parse and write ([`crate::contract`]).

use crate::app::{Endpoint, ENDPOINTS};
use crate::contract::{Answer, Body, Query, QueryKind};
use crate::store::MasterKind;
use schemars::generate::SchemaSettings;
use schemars::SchemaGenerator;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

const SCHEMAS: &str = "#/components/schemas/";

/// Request schemas are read as serde deserializes (defaulted fields optional, unknown fields
/// refused); answers as it serializes (fields skipped when empty are optional). A type whose
/// two readings differ gets both: the request's named `{Type}Input`.
struct Generators {
    requests: SchemaGenerator,
    answers: SchemaGenerator,
}

impl Generators {
    fn new() -> Generators {
        let settings = || {
            SchemaSettings::draft2020_12().with(|s| {
                s.definitions_path = "/components/schemas".into();
                s.meta_schema = None;
            })
        };
        Generators {
            requests: settings().for_deserialize().into_generator(),
            answers: settings().for_serialize().into_generator(),
        }
    }
}

fn path_parameters(path: &str) -> Vec<Value> {
    path.split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(|name| {
            let schema = if name == "kind" {
                json!({"type": "string", "enum": MasterKind::ALL.map(MasterKind::table)})
            } else {
                json!({"type": "string"})
            };
            json!({"name": name, "in": "path", "required": true, "schema": schema})
        })
        .collect()
}

fn query_parameter(q: &Query) -> Value {
    let schema = match q.kind {
        QueryKind::Text => json!({"type": "string"}),
        QueryKind::Date => json!({"type": "string", "format": "date"}),
        QueryKind::Month => json!({"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"}),
        QueryKind::Limit => {
            json!({"type": "integer", "minimum": 1, "maximum": crate::routes::MAX_PAGE})
        }
        QueryKind::Boolean => json!({"type": "boolean"}),
        QueryKind::OneOf(values) => json!({"type": "string", "enum": values}),
    };
    json!({"name": q.name, "in": "query", "required": q.required, "description": q.description,
           "schema": schema})
}

fn problem(what: &str) -> Value {
    json!({"description": what,
           "content": {"application/problem+json": {"schema": {"$ref": format!("{SCHEMAS}Problem")}}}})
}

fn text() -> Value {
    json!({"schema": {"type": "string"}})
}

fn answer_content(answer: Answer, generators: &mut Generators) -> Value {
    let mut content = Map::new();
    match answer {
        Answer::Json(schema) => {
            content.insert(
                "application/json".into(),
                json!({"schema": schema(&mut generators.answers)}),
            );
        }
        Answer::JsonOr(schema, others) => {
            content.insert(
                "application/json".into(),
                json!({"schema": schema(&mut generators.answers)}),
            );
            for media in others {
                content.insert(media.to_string(), text());
            }
        }
        Answer::JsonAs(schema, media) => {
            content.insert(media.into(), json!({"schema": schema(&mut generators.answers)}));
        }
        Answer::Other(media) => {
            content.insert(media.into(), text());
        }
    }
    let mut content = Value::Object(content);
    open_for_new_fields(&mut content);
    content
}

fn request_body(body: Body, generators: &mut Generators) -> Option<Value> {
    let content = match body {
        Body::None => return None,
        Body::Json(schema) => {
            json!({"application/json": {"schema": schema(&mut generators.requests)}})
        }
        Body::JsonOrCsv(schema) => json!({
            "application/json": {"schema": schema(&mut generators.requests)},
            "text/csv": text(),
        }),
    };
    Some(json!({"required": true, "content": content}))
}

fn operation(e: &Endpoint, generators: &mut Generators) -> Value {
    let mut responses = Map::new();
    responses.insert(
        e.success.to_string(),
        json!({"description": "success", "content": answer_content(e.answer, generators)}),
    );
    responses.insert("422".into(), problem("invalid input; `field` names the bad field"));
    if e.roles != "public" {
        responses.insert("401".into(), problem("no or unknown bearer token"));
        responses.insert("403".into(), problem("the token's role or station may not do this"));
    }
    responses.insert("404".into(), problem("no such resource"));
    responses.insert(
        "default".into(),
        problem("any other error (409, 413, 415, 500, ...): `code` says which"),
    );
    let mut parameters = path_parameters(e.path);
    parameters.extend(e.query.iter().map(query_parameter));
    if e.method != "get" {
        parameters.push(json!({"name": "Idempotency-Key", "in": "header", "required": false,
             "description": "The same key again within 24 h: the first answer, once; 409 with Retry-After while the first still runs",
             "schema": {"type": "string", "maxLength": 200}}));
    }
    let mut op = json!({
        "summary": e.summary,
        "description": format!("Roles: {}.", e.roles),
        "operationId": format!("{}_{}", e.method, e.path.trim_start_matches('/').replace(['/', '{', '}', '.', '-'], "_")),
        "parameters": parameters,
        "responses": responses,
    });
    if e.roles == "public" {
        op["security"] = json!([]);
    }
    if let Some(body) = request_body(e.body, generators) {
        op["requestBody"] = body;
    }
    op
}

/// Applies `f` to every object in `value`, depth first.
fn walk(value: &mut Value, f: &mut impl FnMut(&mut Map<String, Value>)) {
    match value {
        Value::Object(map) => {
            f(map);
            map.values_mut().for_each(|v| walk(v, f));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| walk(v, f)),
        _ => {}
    }
}

/// `true` (any value) written as `{}`, which means the same: client generators read only
/// schema objects.
fn no_boolean_schemas(schema: &mut Value) {
    let any = |v: &mut Value| {
        if *v == Value::Bool(true) {
            *v = json!({});
        }
    };
    walk(schema, &mut |map| {
        for key in ["items", "additionalProperties", "unevaluatedProperties"] {
            if let Some(v) = map.get_mut(key) {
                any(v);
            }
        }
        if let Some(Value::Object(properties)) = map.get_mut("properties") {
            properties.values_mut().for_each(any);
        }
        for key in ["allOf", "anyOf", "oneOf", "prefixItems"] {
            if let Some(Value::Array(items)) = map.get_mut(key) {
                items.iter_mut().for_each(any);
            }
        }
    });
}

/// Answers may grow fields: a client must not refuse one it does not know.
fn open_for_new_fields(schema: &mut Value) {
    walk(schema, &mut |map| {
        if map.get("additionalProperties") == Some(&Value::Bool(false)) {
            map.remove("additionalProperties");
        }
    });
}

/// The components: the answers' schemas, and the requests' where they read differently
/// (renamed `{Type}Input`, and the request schemas' `$ref`s with them).
fn components(mut generators: Generators, paths: &mut Map<String, Value>) -> Map<String, Value> {
    let mut answers = generators.answers.take_definitions(true);
    answers.values_mut().for_each(open_for_new_fields);
    let requests = generators.requests.take_definitions(true);
    let renamed: BTreeMap<String, String> = requests
        .iter()
        .filter(|(name, schema)| answers.get(*name).is_some_and(|a| a != *schema))
        .map(|(name, _)| (format!("{SCHEMAS}{name}"), format!("{SCHEMAS}{name}Input")))
        .collect();
    let rename = |v: &mut Value| {
        walk(v, &mut |map| {
            if let Some(Value::String(to)) = map
                .get("$ref")
                .and_then(|r| renamed.get(r.as_str()?))
                .map(|t| Value::String(t.clone()))
            {
                map.insert("$ref".into(), Value::String(to));
            }
        })
    };
    for item in paths.values_mut() {
        if let Some(ops) = item.as_object_mut() {
            for op in ops.values_mut() {
                if let Some(body) = op.get_mut("requestBody") {
                    rename(body);
                }
            }
        }
    }
    let mut all = answers;
    for (name, mut schema) in requests {
        rename(&mut schema);
        let key = if renamed.contains_key(&format!("{SCHEMAS}{name}")) {
            format!("{name}Input")
        } else {
            name
        };
        all.insert(key, schema);
    }
    all.values_mut().chain(paths.values_mut()).for_each(no_boolean_schemas);
    all.insert("Problem".into(), json!({"type": "object", "description": "An error (RFC 9457)", "properties": {
        "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
        "detail": {"type": "string", "description": "For people, in the request's Accept-Language (zh-CN by default, or English)"},
        "field": {"type": "string"}, "reason": {"type": "string"},
        "rule": {"type": "string", "description": "The rule of the day a refused change would break (checker rule or reason code)"},
        "code": {"type": "string", "description": "The problem's stable code: invalid, rule.{rule}, not_found, unauthorized, forbidden, conflict, in_progress, http.{status}, internal"},
        "params": {"type": "object", "description": "The code's parameters (field, reason, rule, what, id, retry_after_s)"}},
        "required": ["type", "title", "status", "code", "params"]}));
    all
}

/// The whole document.
pub fn document() -> Value {
    let mut generators = Generators::new();
    let mut paths: Map<String, Value> = Map::new();
    for e in ENDPOINTS {
        let op = operation(e, &mut generators);
        let item = paths.entry(e.path.to_string()).or_insert_with(|| json!({}));
        item[e.method] = op;
    }
    let schemas = components(generators, &mut paths);
    json!({
        "openapi": "3.1.0",
        "info": {"title": "CareCircle dispatch service", "version": env!("CARGO_PKG_VERSION"),
                 "description": "Orders in, schedules out: master data, orders, plans, live re-planning, caregivers' routes, alerts."},
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": schemas,
        },
        "paths": paths,
    })
}
