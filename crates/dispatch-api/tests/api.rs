//! The API end to end, on SQLite and on PostgreSQL: through `app().oneshot(..)` with a fresh
//! database per test, and Server-Sent Events on a real listener at 127.0.0.1:0. Every plan
//! that comes back is run through the independent checker.

mod common;

use axum::http::{header, StatusCode};
use common::{read_events, Service, DATE};
use dispatch_api::auth::Role;
use serde_json::{json, Value};
use std::time::Duration;

const ADMIN: Role = Role::Admin;

/// Calls as the admin, with an optional Idempotency-Key.
async fn c(
    s: &Service,
    method: &str,
    uri: &str,
    body: Option<&str>,
    key: Option<&str>,
) -> (StatusCode, Value, Option<String>) {
    let headers: Vec<(&str, &str)> = key.map(|k| vec![("Idempotency-Key", k)]).unwrap_or_default();
    let a = s.call_as(Some(s.token(ADMIN)), method, uri, body, &headers).await;
    (a.status, a.body, a.content_type)
}

fn order(id: &str, client: &str) -> String {
    json!({"id": id, "client": client, "date": DATE, "service": "meal", "duration": 900,
           "windows": [{"start": 39600, "end": 45000}], "priority": 3})
    .to_string()
}

async fn an_order_is_stored_and_read_back(s: Service) {
    let (status, body, _) = c(&s, "POST", "/v1/orders", Some(&order("urgent-1", "K1")), None).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["id"], "urgent-1");
    assert_eq!(body["status"], "open");
    let (status, read, _) = c(&s, "GET", "/v1/orders/urgent-1", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(read, body);

    // Without an id the service makes one up.
    let mut anonymous: Value = serde_json::from_str(&order("x", "K2")).expect("json");
    anonymous.as_object_mut().expect("object").remove("id");
    let (status, body, _) = c(&s, "POST", "/v1/orders", Some(&anonymous.to_string()), None).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert!(body["id"].as_str().is_some_and(|id| !id.is_empty()));

    // The home-care rules of an order are kept.
    let mut rules: Value = serde_json::from_str(&order("bath-1", "K1")).expect("json");
    let obj = rules.as_object_mut().expect("object");
    obj.insert("due".into(), json!(40_000));
    obj.insert("preferred".into(), json!(["C1"]));
    obj.insert("refused".into(), json!(["C2"]));
    obj.insert("female_only".into(), json!(true));
    let (status, body, _) = c(&s, "POST", "/v1/orders", Some(&rules.to_string()), None).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (_, read, _) = c(&s, "GET", "/v1/orders/bath-1", None, None).await;
    assert_eq!((&read["due"], &read["preferred"][0]), (&json!(40_000), &json!("C1")));
    assert_eq!((&read["refused"][0], &read["female_only"]), (&json!("C2"), &json!(true)));
}

async fn bad_orders_get_422_naming_the_field_and_store_nothing(s: Service) {
    let reversed = json!({"id": "bad-1", "client": "K1", "date": DATE, "service": "meal", "duration": 900,
                          "windows": [{"start": 45000, "end": 39600}]});
    let wrong_type = json!({"id": "bad-2", "client": "K1", "date": DATE, "service": "meal", "duration": "long",
                            "windows": [{"start": 39600, "end": 45000}]});
    let bad_date = json!({"id": "bad-3", "client": "K1", "date": "2026-02-30", "service": "meal", "duration": 900,
                          "windows": [{"start": 39600, "end": 45000}]});
    let cases = [
        (order("bad-0", "nobody"), "client"),
        (reversed.to_string(), "windows[0]"),
        (wrong_type.to_string(), "duration"),
        (bad_date.to_string(), "date"),
        ("{\"client\": ".to_string(), "body"),
        (
            json!({"id": "bad-4", "client": "K1", "date": DATE, "service": "meal", "duration": 900,
                   "windows": [{"start": 39600, "end": 45000}], "refused": [""]})
            .to_string(),
            "refused[0]",
        ),
    ];
    for (body, field) in cases {
        let (status, problem, content_type) = c(&s, "POST", "/v1/orders", Some(&body), None).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {problem}");
        assert_eq!(content_type.as_deref(), Some("application/problem+json"));
        assert_eq!(problem["field"], field, "{problem}");
        // The stable code and its parameters, for programs to act on.
        assert_eq!(problem["code"], "invalid", "{problem}");
        assert_eq!(problem["params"]["field"], field, "{problem}");
        assert!(problem["detail"].as_str().is_some_and(|d| d.starts_with(field)), "{problem}");
    }
    for id in ["bad-0", "bad-1", "bad-2", "bad-3"] {
        let (status, _, _) = c(&s, "GET", &format!("/v1/orders/{id}"), None, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{id} must not be stored");
    }
}

/// A problem's `detail` is Chinese unless English is asked for; code and parameters are the
/// same in both.
async fn problems_follow_accept_language(s: Service) {
    let d = s.token(Role::Dispatcher);
    let asks = [(None, "zh-CN"), (Some("en-US,en;q=0.9"), "en"), (Some("zh-CN,en;q=0.5"), "zh-CN")];
    for (accept, language) in asks {
        let headers: Vec<(&str, &str)> =
            accept.map(|a| ("accept-language", a)).into_iter().collect();
        let a = s.call_as(Some(d), "GET", "/v1/orders/nope", None, &headers).await;
        assert_eq!(a.status, StatusCode::NOT_FOUND);
        assert_eq!(a.body["code"], "not_found");
        assert_eq!(a.body["params"], json!({"what": "order", "id": "nope"}));
        let detail = a.body["detail"].as_str().unwrap_or_default();
        match language {
            "en" => assert_eq!(detail, "no order \"nope\""),
            _ => assert_eq!(detail, "没有订单 nope"),
        }
        let body = json!({"client": "K1", "date": "someday"}).to_string();
        let a = s.call_as(Some(d), "POST", "/v1/orders", Some(&body), &headers).await;
        assert_eq!(a.body["code"], "invalid", "{}", a.body);
        let detail = a.body["detail"].as_str().unwrap_or_default();
        assert!(detail.starts_with("date"), "{detail}");
        assert_eq!(detail.contains("无效"), language == "zh-CN", "{detail}");
    }
}

async fn unknown_ids_get_404(s: Service) {
    for uri in [
        "/v1/orders/nope",
        "/v1/plans/12345",
        "/v1/plans/abc",
        "/v1/plans/7/events",
        "/v1/nothing-here",
    ] {
        let (status, problem, _) = c(&s, "GET", uri, None, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}: {problem}");
        assert_eq!(problem["code"], "not_found", "{uri}: {problem}");
    }
    // Where the id is known to be missing, the parameters name it.
    let (_, problem, _) = c(&s, "GET", "/v1/orders/nope", None, None).await;
    assert_eq!(problem["params"]["id"], "nope", "{problem}");
    let (status, _, _) =
        c(&s, "GET", &format!("/v1/caregivers/nobody/route?date={DATE}"), None, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A known caregiver, but nothing planned yet: 404 that says so.
    let (status, problem, _) =
        c(&s, "GET", &format!("/v1/caregivers/C1/route?date={DATE}"), None, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        problem["detail"].as_str().is_some_and(|d| d.contains("no finished plan")),
        "{problem}"
    );
    let (status, problem, _) =
        c(&s, "GET", "/v1/caregivers/C1/route?date=tomorrow", None, None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["field"], "date");
}

async fn idempotency_key_replays_the_first_answer_and_refuses_another_body(s: Service) {
    let body = order("idem-1", "K3");
    let first = c(&s, "POST", "/v1/orders", Some(&body), Some("key-1")).await;
    assert_eq!(first.0, StatusCode::CREATED);
    let repeat = c(&s, "POST", "/v1/orders", Some(&body), Some("key-1")).await;
    assert_eq!(repeat.0, StatusCode::CREATED);
    assert_eq!(repeat.1, first.1);
    let other = c(&s, "POST", "/v1/orders", Some(&order("idem-2", "K3")), Some("key-1")).await;
    assert_eq!(other.0, StatusCode::CONFLICT, "{}", other.1);
    let (status, _, _) = c(&s, "GET", "/v1/orders/idem-2", None, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "the refused body is not stored");
    // The same order id without a key is a conflict, not an overwrite.
    let again = c(&s, "POST", "/v1/orders", Some(&order("idem-1", "K4")), None).await;
    assert_eq!(again.0, StatusCode::CONFLICT);
    let (_, stored, _) = c(&s, "GET", "/v1/orders/idem-1", None, None).await;
    assert_eq!(stored["client"], "K3");
    // Every write takes a key: a repeated plan request starts no second solve.
    let plan = json!({"station": "S1", "date": DATE, "time_limit_secs": 0.2}).to_string();
    let first = c(&s, "POST", "/v1/plans", Some(&plan), Some("plan-1")).await;
    let repeat = c(&s, "POST", "/v1/plans", Some(&plan), Some("plan-1")).await;
    assert_eq!(first.0, StatusCode::ACCEPTED);
    assert_eq!((repeat.0, &repeat.1["id"]), (StatusCode::ACCEPTED, &first.1["id"]));
}

async fn bad_plan_requests_get_422(s: Service) {
    let cases = [
        (json!({"station": "S9", "date": DATE}), "station"),
        (json!({"station": "S1", "date": "25/11/2026"}), "date"),
        (json!({"station": "S1", "date": DATE, "time_limit_secs": -1}), "time_limit_secs"),
    ];
    for (body, field) in cases {
        let (status, problem, _) = c(&s, "POST", "/v1/plans", Some(&body.to_string()), None).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert_eq!(problem["field"], field);
    }
}

async fn a_plan_streams_its_improvements_then_the_checked_final_plan(s: Service) {
    let base = common::listen(&s.state).await;
    let http = reqwest::Client::new();
    let bearer = format!("Bearer {}", s.token(Role::Dispatcher));

    let created = http
        .post(format!("{base}/v1/plans"))
        .header("authorization", &bearer)
        .json(&json!({"station": "S1", "date": DATE, "time_limit_secs": 1}))
        .send()
        .await
        .expect("post plan");
    assert_eq!(created.status(), reqwest::StatusCode::ACCEPTED);
    let created: Value = created.json().await.expect("json");
    let id = created["id"].as_i64().expect("plan id");

    let response = http
        .get(format!("{base}/v1/plans/{id}/events"))
        .header("authorization", &bearer)
        .send()
        .await
        .expect("events");
    assert_eq!(response.headers()[header::CONTENT_TYPE.as_str()], "text/event-stream");
    let events = tokio::time::timeout(Duration::from_secs(60), read_events(response, usize::MAX))
        .await
        .expect("stream ends");
    assert!(events.len() >= 2, "at least one improvement and the final plan: {events:?}");
    let (last, improvements) = events.split_last().expect("events");
    assert!(improvements.iter().all(|(e, _, _)| e == "improvement"));
    let seqs: Vec<i64> =
        improvements.iter().map(|(_, id, _)| id.parse().expect("numeric id")).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "versions in order: {seqs:?}");
    assert_eq!(last.0, "plan");
    assert_eq!(last.2["status"], "done", "{}", last.2);

    // The final plan passes the independent checker on the same station day.
    let plan = s.checked_plan().await;
    assert_eq!(serde_json::to_value(&plan).expect("json"), last.2["plan"]);

    // Resuming after the last improvement sends only the final plan.
    let last_seen = seqs.last().expect("an improvement").to_string();
    let resumed = http
        .get(format!("{base}/v1/plans/{id}/events"))
        .header("Last-Event-ID", last_seen)
        .header("authorization", &bearer)
        .send()
        .await
        .expect("events");
    let resumed = read_events(resumed, usize::MAX).await;
    assert_eq!(resumed.len(), 1, "{resumed:?}");
    assert_eq!(resumed[0].0, "plan");

    // The plan resource and a caregiver's route agree with the stream.
    let status: Value = http
        .get(format!("{base}/v1/plans/{id}"))
        .header("authorization", &bearer)
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(status["status"], "done");
    assert_eq!(status["plan"], last.2["plan"]);
    let route = plan.routes.first().expect("a route");
    let mine: Value = http
        .get(format!("{base}/v1/caregivers/{}/route?date={DATE}", route.caregiver))
        .header("authorization", &bearer)
        .send()
        .await
        .expect("route")
        .json()
        .await
        .expect("json");
    let stops = mine["stops"].as_array().expect("stops");
    assert_eq!(stops.len(), route.stops.len());
    let starts: Vec<i64> = stops.iter().map(|s| s["start"].as_i64().expect("start")).collect();
    assert!(starts.windows(2).all(|w| w[0] <= w[1]), "in time order: {starts:?}");
    assert!(stops.iter().all(|s| s["location"]["lon"].is_number() && s["client"].is_string()));
}

async fn planner_coverage_names_clients_outside_and_returns_circles(s: Service) {
    let (status, body, _) =
        c(&s, "POST", "/v1/planner/coverage", Some(r#"{"minutes": 6}"#), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (clients, covered) =
        (body["report"]["clients"].as_u64(), body["report"]["covered"].as_u64());
    assert_eq!(clients, Some(150));
    assert!(covered.is_some_and(|c| c < 150 && c > 0), "{covered:?}");
    assert_eq!(body["circles"]["features"].as_array().map(Vec::len), Some(3));
    let (status, problem, _) =
        c(&s, "POST", "/v1/planner/coverage", Some(r#"{"minutes": 0}"#), None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["field"], "minutes");
}

async fn planner_site_chooses_k_sites_and_refuses_too_many(s: Service) {
    let body = r#"{"k": 2, "minutes": 8, "candidates": [
        {"id": "A", "lon": 1.5218, "lat": 42.5075}, {"id": "B", "lon": 1.5340, "lat": 42.5100},
        {"id": "C", "lon": 1.5977, "lat": 42.5667}]}"#;
    let (status, report, _) = c(&s, "POST", "/v1/planner/site", Some(body), None).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["chosen"].as_array().map(Vec::len), Some(2));
    assert!(report["milp"]["covered"].as_u64() >= report["greedy"]["covered"].as_u64());
    let too_many = body.replace(r#""k": 2"#, r#""k": 9"#);
    let (status, problem, _) = c(&s, "POST", "/v1/planner/site", Some(&too_many), None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["field"], "k");
}

async fn planner_simulate_reports_staff_needed_per_station(s: Service) {
    let body = json!({"date": DATE, "levels": [2, 8], "iterations": 100, "seed": 3}).to_string();
    let (status, report, _) = c(&s, "POST", "/v1/planner/simulate", Some(&body), None).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["levels"].as_array().map(Vec::len), Some(6), "two levels for three stations");
    assert_eq!(report["needed"].as_array().map(Vec::len), Some(3));
    let bad = json!({"date": DATE, "levels": []}).to_string();
    let (status, problem, _) = c(&s, "POST", "/v1/planner/simulate", Some(&bad), None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["field"], "levels");
}

both!(orders_are_stored_and_read_back, an_order_is_stored_and_read_back);
both!(bad_orders, bad_orders_get_422_naming_the_field_and_store_nothing);
both!(unknown_ids, unknown_ids_get_404);
both!(problems_in_the_asked_language, problems_follow_accept_language);
both!(idempotency, idempotency_key_replays_the_first_answer_and_refuses_another_body);
both!(bad_plans, bad_plan_requests_get_422);
both!(plan_stream, a_plan_streams_its_improvements_then_the_checked_final_plan);
both!(planner_coverage, planner_coverage_names_clients_outside_and_returns_circles);
both!(planner_site, planner_site_chooses_k_sites_and_refuses_too_many);
both!(planner_simulate, planner_simulate_reports_staff_needed_per_station);
