//! Every write is idempotent under concurrency, on SQLite and PostgreSQL: the same request
//! with one Idempotency-Key sent by several clients at the same instant (released together
//! by a barrier) has one effect. Each answer is the first answer, or `409` with
//! `Retry-After` while the first still runs; a later repeat gets the first answer. Each write
//! is raced many times with fresh keys.

mod common;

use axum::http::StatusCode;
use common::{Answer, Service, DATE};
use dispatch_api::app::ENDPOINTS;
use dispatch_api::auth::Role;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use tokio::sync::Barrier;

/// Clients sending each request at once.
const AT_ONCE: usize = 4;
/// How many times each cheap write is raced (each with its own key and body).
const ROUNDS: u32 = 8;

/// Reads that compute and change nothing: nothing to repeat.
const NO_EFFECT: &[&str] = &["/v1/planner/coverage", "/v1/planner/site", "/v1/planner/simulate"];

struct Racer {
    s: Arc<Service>,
    next_key: AtomicU32,
    /// The (method, path template) of each write raced, to check that none is left out.
    raced: std::sync::Mutex<BTreeSet<(String, String)>>,
}

impl Racer {
    /// Sends `body` to `path` `AT_ONCE` times at the same instant under one fresh key as
    /// `token` (none: a public endpoint), then once more; returns the first answer.
    async fn race(
        &self,
        token: Option<&str>,
        method: &str,
        (template, path): (&str, &str),
        body: Option<Value>,
    ) -> Answer {
        self.raced.lock().expect("lock").insert((method.to_lowercase(), template.to_string()));
        let key = format!("race-{}", self.next_key.fetch_add(1, Ordering::Relaxed));
        let body = body.map(|b| b.to_string());
        let barrier = Arc::new(Barrier::new(AT_ONCE));
        let mut calls = Vec::new();
        for _ in 0..AT_ONCE {
            let (s, barrier) = (self.s.clone(), barrier.clone());
            let (token, method, path) =
                (token.map(str::to_string), method.to_string(), path.to_string());
            let (body, key) = (body.clone(), key.clone());
            calls.push(tokio::spawn(async move {
                barrier.wait().await;
                let headers = [("Idempotency-Key", key.as_str())];
                s.call_as(token.as_deref(), &method, &path, body.as_deref(), &headers).await
            }));
        }
        let mut answers = Vec::new();
        for call in calls {
            answers.push(call.await.expect("a call"));
        }
        let (waiting, done): (Vec<_>, Vec<_>) =
            answers.into_iter().partition(|a| a.status == StatusCode::CONFLICT && in_progress(a));
        let first = done.first().unwrap_or_else(|| panic!("{method} {path}: no answer but 409s"));
        assert!(first.status.is_success(), "{method} {path}: {} {}", first.status, first.text);
        for other in &done {
            assert_eq!(
                (other.status, shown(other)),
                (first.status, shown(first)),
                "{method} {path}: two answers to one key: the write ran twice"
            );
        }
        for w in &waiting {
            assert!(w.status == StatusCode::CONFLICT, "{method} {path}: {}", w.text);
        }
        let headers = [("Idempotency-Key", key.as_str())];
        let again = self.s.call_as(token, method, path, body.as_deref(), &headers).await;
        assert_eq!(
            (again.status, shown(&again)),
            (first.status, shown(first)),
            "{method} {path}: a later repeat gets the first answer"
        );
        Answer {
            status: first.status,
            body: first.body.clone(),
            content_type: first.content_type.clone(),
            text: first.text.clone(),
        }
    }
}

/// What must be the same in every answer to one key: all of it, but a new token's secret,
/// which only the first answer shows.
fn shown(a: &Answer) -> Value {
    match a.body.get("token") {
        Some(_) => json!({"id": a.body["id"], "expires_ms": a.body["expires_ms"]}),
        None => a.body.clone(),
    }
}

fn in_progress(a: &Answer) -> bool {
    a.body["code"] == "in_progress"
}

async fn every_write_runs_once_per_key(s: Service) {
    let s = Arc::new(s);
    let r = Racer { s: s.clone(), next_key: AtomicU32::new(0), raced: Default::default() };
    let d = Some(s.token(Role::Dispatcher));
    let a = Some(s.token(Role::Admin));
    let c = Some(s.token(Role::Caregiver));
    let window = json!([{"start": 36_000, "end": 50_000}]);

    // The station's own matrix: uploaded and dropped once per key (before
    // clients are added that it does not cover).
    let matrix = common::demo_matrix(Some("S1"), &[], &common::s1_modes());
    let matrix = serde_json::to_value(matrix.to_json()).expect("json");
    let path = "/v1/stations/S1/matrix";
    let stored = r.race(d, "PUT", ("/v1/stations/{id}/matrix", path), Some(matrix)).await;
    assert_eq!(stored.body["version"], 1, "one version per key: {}", stored.text);
    r.race(d, "DELETE", ("/v1/stations/{id}/matrix", path), None).await;

    // Master data: create, replace, import, deactivate.
    for i in 0..ROUNDS {
        let id = format!("K-race-{i}");
        let client = json!({"id": id, "station": "S1", "name": "王秀英",
                            "location": {"lon": 1.5301, "lat": 42.5112}});
        let created = r.race(d, "POST", ("/v1/{kind}", "/v1/clients"), Some(client.clone())).await;
        assert_eq!(created.status, StatusCode::CREATED);
        let mut renamed = client.clone();
        renamed["name"] = json!("王秀兰");
        let path = format!("/v1/clients/{id}");
        r.race(d, "PUT", ("/v1/{kind}/{id}", &path), Some(renamed)).await;
        let mut more = client.clone();
        more["id"] = json!(format!("K-import-{i}"));
        let imported = r
            .race(d, "POST", ("/v1/{kind}/import", "/v1/clients/import"), Some(json!([more])))
            .await;
        assert_eq!(imported.body["imported"], 1);
        r.race(d, "DELETE", ("/v1/{kind}/{id}", &path), None).await;
    }
    // Orders: one created per key (a second would have another id), changed, cancelled.
    let before = s.call(Role::Dispatcher, "GET", "/v1/orders?station=S1&limit=500", None).await;
    let count = |a: &Answer| a.body["items"].as_array().map_or(0, Vec::len);
    for i in 0..ROUNDS {
        let order = json!({"client": "K1", "date": DATE, "service": "meal",
                           "duration": 600 + i, "windows": window});
        let created = r.race(d, "POST", ("/v1/orders", "/v1/orders"), Some(order)).await;
        let id = created.body["id"].as_str().expect("an order id").to_string();
        let path = format!("/v1/orders/{id}");
        r.race(d, "PATCH", ("/v1/orders/{id}", &path), Some(json!({"duration": 900}))).await;
        let path = format!("/v1/orders/{id}/cancel");
        r.race(d, "POST", ("/v1/orders/{id}/cancel", &path), None).await;
    }
    let after = s.call(Role::Dispatcher, "GET", "/v1/orders?station=S1&limit=500", None).await;
    assert_eq!(count(&after), count(&before) + ROUNDS as usize, "one order per key");

    // Plans: one solve per key.
    let plan = json!({"station": "S1", "date": DATE, "time_limit_secs": 1});
    let started = r.race(d, "POST", ("/v1/plans", "/v1/plans"), Some(plan)).await;
    let plan_id = started.body["id"].as_i64().expect("plan id");
    wait_for_plan(&s, plan_id).await;
    s.checked_plan().await;
    // One cancel per key: a plan of a second's search is still being solved when it comes.
    let plan = json!({"station": "S1", "date": DATE, "time_limit_secs": 1}).to_string();
    let second = s.call(Role::Dispatcher, "POST", "/v1/plans", Some(&plan)).await;
    let path = format!("/v1/plans/{}", second.body["id"].as_i64().expect("plan id"));
    let cancelled = r.race(d, "DELETE", ("/v1/plans/{id}", &path), None).await;
    assert_eq!(cancelled.body["status"], "cancelled", "{}", cancelled.text);

    // A planned day: urgent orders, re-plans, locks, package orders, absences.
    for i in 0..3 {
        let urgent = json!({"client": "K1", "date": DATE, "service": "meal", "urgent": true,
                            "duration": 300 + i, "windows": window});
        let placed = r.race(d, "POST", ("/v1/orders", "/v1/orders"), Some(urgent)).await;
        assert!(placed.body["replan"].is_object(), "{}", placed.text);
        let replan = json!({"date": DATE});
        let path = "/v1/stations/S1/replan";
        r.race(d, "POST", ("/v1/stations/{id}/replan", path), Some(replan)).await;
        let path = "/v1/stations/S1/package-orders";
        r.race(d, "POST", ("/v1/stations/{id}/package-orders", path), Some(json!({"date": DATE})))
            .await;
    }
    let planned = s.checked_plan().await;
    let visit = planned
        .routes
        .iter()
        .filter(|r| r.caregiver != "C1")
        .flat_map(common::orders)
        .next()
        .expect("a planned visit")
        .visit;
    for _ in 0..3 {
        let path = format!("/v1/orders/{visit}/lock");
        r.race(d, "POST", ("/v1/orders/{id}/lock", &path), None).await;
        let path = format!("/v1/orders/{visit}/unlock");
        r.race(d, "POST", ("/v1/orders/{id}/unlock", &path), None).await;
    }
    // By hand: a visit still to come, served alone, assigned to its own caregiver (where it
    // fits best): once per key.
    let (lone, own) =
        common::lone_visits(&planned, 9 * 3600).into_iter().next().expect("a lone visit to come");
    let path = format!("/v1/orders/{lone}/assign");
    let assigned =
        r.race(d, "POST", ("/v1/orders/{id}/assign", &path), Some(json!({"caregiver": own}))).await;
    assert_eq!(assigned.body["visit"], lone.as_str(), "{}", assigned.text);
    let absent = json!({"caregiver": "C4", "date": DATE});
    let path = "/v1/stations/S1/absences";
    r.race(d, "POST", ("/v1/stations/{id}/absences", path), Some(absent)).await;
    let path = format!("/v1/stations/S1/absences/C4?date={DATE}");
    let undone = r.race(d, "DELETE", ("/v1/stations/{id}/absences/{caregiver}", &path), None).await;
    assert_eq!(undone.body["caregiver"], "C4", "{}", undone.text);
    r.race(
        d,
        "POST",
        ("/v1/stations/{id}/absences", "/v1/stations/S1/absences"),
        Some(json!({"caregiver": "C4", "date": DATE})),
    )
    .await;

    // The caregiver's day: a position, a check-in and a check-out, then the family's rating
    // and the alert it raises.
    let planned = s.checked_plan().await;
    let mine = planned.routes.iter().find(|r| r.caregiver == "C1").expect("C1's route");
    let first = common::orders(mine).first().expect("C1 has a visit").visit.clone();
    let at = json!({"lon": 1.53, "lat": 42.51});
    r.race(c, "POST", ("/v1/me/positions", "/v1/me/positions"), Some(at.clone())).await;
    let path = format!("/v1/me/visits/{first}/check-in");
    r.race(c, "POST", ("/v1/me/visits/{id}/check-in", &path), Some(at.clone())).await;
    let path = format!("/v1/me/visits/{first}/check-out");
    r.race(c, "POST", ("/v1/me/visits/{id}/check-out", &path), Some(at)).await;
    let path = format!("/v1/orders/{first}/rating-link");
    let link = r.race(d, "POST", ("/v1/orders/{id}/rating-link", &path), None).await;
    let link = link.body["link"].as_str().expect("a link").trim_start_matches("/rate/").to_string();
    let path = format!("/v1/ratings/{link}");
    let stars = json!({"stars": 1, "comment": "迟到了"});
    r.race(None, "POST", ("/v1/ratings/{link}", &path), Some(stars)).await;
    let path = format!("/v1/alerts/low_rating:{first}/acknowledge");
    r.race(d, "POST", ("/v1/alerts/{id}/acknowledge", &path), None).await;

    // Tokens: one per key; a repeat never shows the secret again.
    let new = json!({"role": "planner", "label": "race"});
    let made = r.race(a, "POST", ("/v1/tokens", "/v1/tokens"), Some(new)).await;
    let listed = s.call(Role::Admin, "GET", "/v1/tokens", None).await;
    let races = listed.body["tokens"].as_array().expect("tokens");
    assert_eq!(races.iter().filter(|t| t["label"] == "race").count(), 1, "one token per key");
    let id = made.body["id"].as_str().expect("a token id");
    let path = format!("/v1/tokens/{id}/revoke");
    r.race(a, "POST", ("/v1/tokens/{id}/revoke", &path), None).await;

    // Every write of the service was raced.
    let raced = r.raced.lock().expect("lock").clone();
    let writes: BTreeSet<(String, String)> = ENDPOINTS
        .iter()
        .filter(|e| e.method != "get" && !NO_EFFECT.contains(&e.path))
        .map(|e| (e.method.to_string(), e.path.to_string()))
        .collect();
    let left: Vec<_> = writes.difference(&raced).collect();
    assert!(left.is_empty(), "writes never raced: {left:?}");
}

async fn wait_for_plan(s: &Service, id: i64) {
    for _ in 0..600 {
        let status = s.call(Role::Dispatcher, "GET", &format!("/v1/plans/{id}"), None).await;
        match status.body["status"].as_str() {
            Some("done") => return,
            Some("failed") => panic!("plan failed: {}", status.body),
            _ => tokio::time::sleep(std::time::Duration::from_millis(100)).await,
        }
    }
    panic!("plan {id} did not finish");
}

both!(every_write, every_write_runs_once_per_key);
