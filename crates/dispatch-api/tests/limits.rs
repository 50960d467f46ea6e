//! The same limits on SQLite and PostgreSQL: a NUL in a path, a query or a body, ids too long
//! or with spaces, and names, addresses and service words past their length all get 422
//! naming the field — never a 500 (PostgreSQL cannot store a NUL or index a 1 MB id). Chinese
//! ids stay valid. A body sent as neither JSON nor CSV gets 415.

mod common;

use axum::http::StatusCode;
use common::Backend;
use dispatch_api::auth::Role;
use serde_json::json;

const D: Role = Role::Dispatcher;

async fn limits_hold(backend: Backend) {
    let Some(s) = common::service(backend).await else { return };
    for path in
        ["/v1/orders/%00", "/v1/clients/K%001", "/v1/orders?station=S1%00", "/v1/clients/a%0Ab"]
    {
        let answer = s.call(D, "GET", path, None).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {}", answer.body);
    }
    let client = |id: &str, name: &str, address: &str| {
        json!({"id": id, "station": "S1", "name": name, "address": address,
               "location": {"lon": 1.5301, "lat": 42.5101}})
        .to_string()
    };
    let huge = "K".repeat(1 << 20);
    let cases = [
        (client("K\u{0}9", "x", "y"), "body"),
        (client(&huge, "x", "y"), "id"),
        (client("K 9", "x", "y"), "id"),
        (client("K/9", "x", "y"), "id"),
        (client("K9", &"名".repeat(101), "y"), "name"),
        (client("K9", "x", &"址".repeat(501)), "address"),
    ];
    for (body, field) in cases {
        let answer = s.call(D, "POST", "/v1/clients", Some(&body)).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", answer.body);
        assert_eq!(answer.body["field"], field, "{}", answer.body);
    }
    let created =
        s.call(D, "POST", "/v1/clients", Some(&client("客户-一号", "张三", "成山镇"))).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let order = |service: &str| {
        json!({"client": "K1", "date": common::DATE, "service": service, "duration": 900,
               "windows": [{"start": 39600, "end": 45000}]})
        .to_string()
    };
    let long = s.call(D, "POST", "/v1/orders", Some(&order(&"s".repeat(65)))).await;
    assert_eq!(long.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", long.body);
    assert_eq!(long.body["field"], "service");
    let nul = s.call(D, "POST", "/v1/orders", Some(&order("meal\u{0}"))).await;
    assert_eq!(nul.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", nul.body);
    let fine = s.call(D, "POST", "/v1/orders", Some(&order("meal"))).await;
    assert_eq!(fine.status, StatusCode::CREATED, "{}", fine.body);
    // A body sent as neither JSON nor CSV: 415, whatever it holds.
    let token = s.token(D).to_string();
    for mime in
        ["text/html", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]
    {
        let body = order("meal");
        let answer = s
            .call_as(Some(&token), "POST", "/v1/orders", Some(&body), &[("content-type", mime)])
            .await;
        assert_eq!(answer.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{mime}: {}", answer.body);
        assert_eq!(answer.content_type.as_deref(), Some("application/problem+json"));
    }
    let charset = [("content-type", "application/json; charset=utf-8")];
    let answer =
        s.call_as(Some(&token), "POST", "/v1/orders", Some(&order("meal")), &charset).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
}

/// Orders, packages and scenario visits answer the same rule with the same words.
async fn one_rule_for_every_visit(backend: Backend) {
    let Some(s) = common::service(backend).await else { return };
    let windows: Vec<_> =
        (0..9).map(|k| json!({"start": 30_000 + k * 1000, "end": 30_500 + k * 1000})).collect();
    let cases = [
        (json!({"duration": 0, "windows": [{"start": 39600, "end": 45000}]}), "duration"),
        (json!({"duration": 43_201, "windows": [{"start": 39600, "end": 45000}]}), "duration"),
        (json!({"duration": 900, "windows": windows}), "windows"),
        (
            json!({"duration": 900, "windows": [{"start": 40000, "end": 45000}, {"start": 39000, "end": 39500}]}),
            "windows[1]",
        ),
        (
            json!({"duration": 900, "windows": [{"start": 39600, "end": 45000}], "priority": 101}),
            "priority",
        ),
    ];
    for (rule, field) in cases {
        let mut order = json!({"client": "K1", "date": common::DATE, "service": "meal"});
        let mut package = json!({"id": "P9", "client": "K1", "service": "meal", "per_week": 1});
        for (k, v) in rule.as_object().expect("object") {
            order[k] = v.clone();
            package[k] = v.clone();
        }
        let o = s.call(D, "POST", "/v1/orders", Some(&order.to_string())).await;
        let p = s.call(D, "POST", "/v1/packages", Some(&package.to_string())).await;
        let mut scenario = common::scenario();
        let mut visit = serde_json::to_value(&scenario.visits[0]).expect("visit");
        for (k, v) in rule.as_object().expect("object") {
            visit[k] = v.clone();
        }
        scenario.visits[0] = serde_json::from_value(visit).expect("a visit");
        let v = scenario.validate().expect_err("refused").to_string();
        assert_eq!(o.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", o.body);
        assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", p.body);
        assert_eq!(o.body["field"], field, "{}", o.body);
        assert_eq!(p.body["field"], field, "{}", p.body);
        let reason = o.body["reason"].as_str().expect("reason");
        assert_eq!(p.body["reason"], reason);
        assert!(v.ends_with(&format!("{field}: {reason}")), "{v} / {reason}");
    }
}

#[tokio::test]
async fn one_rule_for_every_visit_on_sqlite() {
    one_rule_for_every_visit(Backend::Sqlite).await;
}

#[tokio::test]
async fn one_rule_for_every_visit_on_postgres() {
    one_rule_for_every_visit(Backend::Postgres).await;
}

#[tokio::test]
async fn limits_hold_on_sqlite() {
    limits_hold(Backend::Sqlite).await;
}

#[tokio::test]
async fn limits_hold_on_postgres() {
    limits_hold(Backend::Postgres).await;
}
