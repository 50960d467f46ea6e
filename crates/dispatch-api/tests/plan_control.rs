//! One solve per station-day, plans queued for a core, and cancellation, on SQLite and
//! PostgreSQL: a second `POST /v1/plans` for a day being solved is refused naming the plan; a
//! plan waits `queued` while the cores are busy; `DELETE /v1/plans/{id}` cancels a queued or a
//! running plan (no version is stored after it, its core is freed, the station's stream says
//! so), again answers the same, and a finished plan answers 409.

mod common;

use axum::http::StatusCode;
use common::{Backend, Service, DATE};
use dispatch_api::auth::Role;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

async fn plan(s: &Service, station: &str, secs: u64) -> (StatusCode, Value) {
    let body = json!({"station": station, "date": DATE, "time_limit_secs": secs}).to_string();
    let a = s.call(Role::Admin, "POST", "/v1/plans", Some(&body)).await;
    (a.status, a.body)
}

async fn status(s: &Service, id: i64) -> Value {
    s.call(Role::Admin, "GET", &format!("/v1/plans/{id}"), None).await.body
}

/// Waits (a minute at most) until plan `id` satisfies `done`.
async fn until(s: &Service, id: i64, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let now = status(s, id).await;
        if done(&now) {
            return now;
        }
        assert!(Instant::now() < deadline, "plan {id} never {what}: {now}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn one_solve_per_day_and_cancel(backend: Backend) {
    // Two cores: one for requests, so solves run one at a time; a long limit.
    let Some(s) = common::service_with(backend, |c| {
        c.cores = 2;
        c.solve_threads = 1;
        c.solve_time_limit = Duration::from_secs(60);
    })
    .await
    else {
        return;
    };
    let (code, first) = plan(&s, "S1", 60).await;
    assert_eq!(code, StatusCode::ACCEPTED, "{first}");
    assert_eq!(first["status"], "queued");
    let p1 = first["id"].as_i64().expect("id");
    until(&s, p1, "ran", |p| p["status"] == "running").await;

    // A second solve of the same day is refused, naming the first.
    let (code, again) = plan(&s, "S1", 60).await;
    assert_eq!(code, StatusCode::CONFLICT, "{again}");
    assert!(
        again["detail"].as_str().is_some_and(|d| d.contains(&format!("plan {p1} "))),
        "{again}"
    );

    // Another station's plan waits for the core, and can be cancelled while it waits.
    let (code, other) = plan(&s, "S2", 60).await;
    assert_eq!(code, StatusCode::ACCEPTED, "{other}");
    let p2 = other["id"].as_i64().expect("id");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(status(&s, p2).await["status"], "queued");
    let cancelled = s.call(Role::Admin, "DELETE", &format!("/v1/plans/{p2}"), None).await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
    assert_eq!(status(&s, p2).await["status"], "cancelled");

    // The running plan is cancelled once it has stored a version; none is stored after.
    until(&s, p1, "stored a version", |p| p["version"].is_i64()).await;
    let cancelled = s.call(Role::Dispatcher, "DELETE", &format!("/v1/plans/{p1}"), None).await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
    assert_eq!(cancelled.body["status"], "cancelled");
    let at_cancel = status(&s, p1).await;
    assert_eq!(at_cancel["status"], "cancelled", "{at_cancel}");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let later = status(&s, p1).await;
    assert_eq!(later["version"], at_cancel["version"], "a version stored after the cancel");
    assert_eq!(later["status"], "cancelled");

    // Its core is free: a short plan runs at once (not after the first's minute) and is done.
    let (code, next) = plan(&s, "S2", 1).await;
    assert_eq!(code, StatusCode::ACCEPTED, "{next}");
    let p3 = next["id"].as_i64().expect("id");
    let started = Instant::now();
    until(&s, p3, "finished", |p| p["status"] == "done").await;
    assert!(started.elapsed() < Duration::from_secs(30), "the cancelled plan kept its core");

    // Cancelling again answers the same; a finished plan cannot be cancelled.
    let again = s.call(Role::Admin, "DELETE", &format!("/v1/plans/{p1}"), None).await;
    assert_eq!((again.status, again.body["status"].clone()), (StatusCode::OK, json!("cancelled")));
    let done = s.call(Role::Admin, "DELETE", &format!("/v1/plans/{p3}"), None).await;
    assert_eq!(done.status, StatusCode::CONFLICT, "{}", done.body);
    // A dispatcher of S1 cannot see S2's plans.
    let foreign = s.call(Role::Dispatcher, "DELETE", &format!("/v1/plans/{p3}"), None).await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND, "{}", foreign.body);

    // The station's stream told of the cancel; the day can be planned again.
    let events = s.state.store.events_after("S1", 0, 1000).await.expect("events");
    assert!(events.iter().any(|e| e.kind == "plan_finished"
        && e.data["plan"] == json!(p1)
        && e.data["status"] == "cancelled"));
    let (code, body) = plan(&s, "S1", 1).await;
    assert_eq!(code, StatusCode::ACCEPTED, "{body}");
    let p4 = body["id"].as_i64().expect("id");
    until(&s, p4, "finished", |p| p["status"] == "done").await;
    s.checked_plan().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_solve_per_day_and_cancel_on_sqlite() {
    one_solve_per_day_and_cancel(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_solve_per_day_and_cancel_on_postgres() {
    one_solve_per_day_and_cancel(Backend::Postgres).await;
}
