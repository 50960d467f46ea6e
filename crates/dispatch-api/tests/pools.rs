//! A pool's day in the service, on SQLite and PostgreSQL: pools in master data (the admin's,
//! refused naming the field when wrong), a pool-day planned as one problem from any member
//! station (a client served by another station's caregiver *because* of the pool), one solve
//! and one lock per pool-day, its re-plans and events on every member's stream, and the lent
//! caregiver's phone showing the other station's client. Every plan passes the checker.

mod common;

use axum::http::StatusCode;
use common::{Service, DATE};
use dispatch_api::auth::Role;
use serde_json::{json, Value};

const A: Role = Role::Admin;
const D: Role = Role::Dispatcher;

/// Andorra la Vella (S1) and Escaldes (S2), 1.5 km apart; S1's one caregiver cannot bathe,
/// S2's can; S1's client K1 books a bath.
fn two_stations() -> formats::scenario::Scenario {
    let shift = json!({"start": 28_800, "end": 61_200});
    let scenario = json!({
        "name": "pools", "date": DATE,
        "stations": [
            {"id": "S1", "location": {"lon": 1.5218, "lat": 42.5075},
             "circle": {"minutes": 15, "mode": "ebike"}},
            {"id": "S2", "location": {"lon": 1.5340, "lat": 42.5100},
             "circle": {"minutes": 15, "mode": "ebike"}}
        ],
        "caregivers": [
            {"id": "C1", "station": "S1", "shift": shift, "mode": "ebike"},
            {"id": "C2", "station": "S2", "skills": ["bathing"], "shift": shift, "mode": "ebike"}
        ],
        "clients": [
            {"id": "K1", "station": "S1", "location": {"lon": 1.5250, "lat": 42.5085}},
            {"id": "K2", "station": "S1", "location": {"lon": 1.5200, "lat": 42.5060}}
        ],
        "visits": [
            {"id": "V1", "client": "K1", "service": "bathing", "duration": 2_400,
             "windows": [{"start": 32_400, "end": 50_000}], "skills": ["bathing"]},
            {"id": "V2", "client": "K2", "service": "cleaning", "duration": 1_800,
             "windows": [{"start": 32_400, "end": 50_000}]}
        ]
    });
    formats::scenario::Scenario::from_json(&scenario.to_string()).expect("a valid scenario")
}

async fn two_station_service(backend: common::Backend) -> Option<Service> {
    common::service_with(backend, |config| config.scenario = two_stations()).await
}

/// Plans `station`'s day for a second as `role`; waits until it is done; returns the answer
/// to the request and the plan id.
async fn plan(s: &Service, role: Role, station: &str) -> (Value, i64) {
    let body = json!({"station": station, "date": DATE, "time_limit_secs": 1}).to_string();
    let created = s.call(role, "POST", "/v1/plans", Some(&body)).await;
    assert_eq!(created.status, StatusCode::ACCEPTED, "{}", created.body);
    let id = created.body["id"].as_i64().expect("plan id");
    for _ in 0..600 {
        let status = s.call(role, "GET", &format!("/v1/plans/{id}"), None).await;
        match status.body["status"].as_str() {
            Some("done") => return (created.body, id),
            Some("failed") => panic!("plan failed: {}", status.body),
            _ => tokio::time::sleep(std::time::Duration::from_millis(100)).await,
        }
    }
    panic!("plan {id} did not finish");
}

/// The plan `station`'s caregivers follow, checked by the independent checker against its
/// unit's day (the pool's, when pooled); with the answer's `pool`.
async fn checked_plan(s: &Service, station: &str) -> (solver::Plan, Value) {
    let uri = format!("/v1/stations/{station}/plan?date={DATE}");
    let answer = s.call(A, "GET", &uri, None).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let plan: solver::Plan = serde_json::from_value(answer.body["plan"].clone()).expect("a plan");
    let date = common::date();
    let (scenario, _) =
        dispatch_api::station_day::scenario(&s.state, station, &date, true).await.expect("the day");
    let source = dispatch_api::travel::of_station(&s.state, station).await.expect("source");
    let day = s.state.travel.day_problem(&source, &scenario).expect("day problem");
    let report = solver::check::check(&day.day.problem, &day.travel.matrices, &plan);
    assert!(report.is_feasible(), "{:?}", report.violations);
    assert_eq!(plan.kpis.visits_total, scenario.visits.len());
    (plan, answer.body["pool"].clone())
}

fn caregiver_of<'a>(plan: &'a solver::Plan, visit: &str) -> Option<&'a str> {
    plan.routes
        .iter()
        .find(|r| r.stops.iter().any(|s| s.visit == visit))
        .map(|r| r.caregiver.as_str())
}

fn reason_of(plan: &solver::Plan, visit: &str) -> Option<String> {
    plan.unassigned
        .iter()
        .find(|u| u.visit == visit)
        .map(|u| serde_json::to_value(u.reason).ok().and_then(|v| v.as_str().map(str::to_string)))?
}

async fn event_kinds(s: &Service, station: &str, after: i64) -> Vec<String> {
    let events = s.state.store.events_after(station, after, 1_000).await.expect("events");
    events.into_iter().map(|e| e.kind).collect()
}

async fn a_pool_day_is_planned_locked_and_replanned_as_one(s: Service) {
    // Alone, S1 cannot bathe K1.
    plan(&s, D, "S1").await;
    let (alone, pool) = checked_plan(&s, "S1").await;
    assert_eq!(reason_of(&alone, "V1").as_deref(), Some("skills"), "{alone:?}");
    assert_eq!(pool, Value::Null);

    // Pools are the admin's, and wrong ones are refused naming the field.
    let p1 = json!({"id": "P1", "name": "Andorra centre", "stations": ["S1", "S2"]}).to_string();
    let refused = s.call(D, "PUT", "/v1/pools/P1", Some(&p1)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    for (body, field) in [
        (json!({"stations": ["S1", "S9"]}), "stations[1]"),
        (json!({"stations": []}), "stations"),
        (json!({"id": "S2", "stations": ["S1"]}), "id"),
    ] {
        let id = body["id"].as_str().unwrap_or("P9");
        let answer = s.call(A, "PUT", &format!("/v1/pools/{id}"), Some(&body.to_string())).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {}", answer.body);
        assert_eq!(answer.body["field"], field, "{body}: {}", answer.body);
    }
    let made = s.call(A, "PUT", "/v1/pools/P1", Some(&p1)).await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.body);
    let second = json!({"stations": ["S2"]}).to_string();
    let answer = s.call(A, "PUT", "/v1/pools/P2", Some(&second)).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", answer.body);
    assert!(answer.text.contains("already in pool"), "{}", answer.body);
    let station = json!({"id": "P1", "location": {"lon": 1.52, "lat": 42.50},
                         "circle": {"minutes": 15, "mode": "ebike"}});
    let answer = s.call(A, "PUT", "/v1/stations/P1", Some(&station.to_string())).await;
    assert_eq!(answer.body["field"], "id", "a station may not take a pool's id: {}", answer.body);
    // Every reader sees it, S1's dispatcher too.
    let listed = s.call(D, "GET", "/v1/pools", None).await;
    assert_eq!(listed.body["items"][0]["stations"], json!(["S1", "S2"]), "{}", listed.body);

    // S1's dispatcher plans the pool's day: one problem, where S2's C2 bathes K1.
    let (created, id) = plan(&s, D, "S1").await;
    assert_eq!(created["pool"], "P1", "{created}");
    assert_eq!(created["stations"], json!(["S1", "S2"]), "{created}");
    let (pooled, pool) = checked_plan(&s, "S1").await;
    assert_eq!(pool, "P1");
    assert_eq!(caregiver_of(&pooled, "V1"), Some("C2"), "{pooled:?}");
    assert_eq!(pooled.kpis.visits_served, 2);
    // S2 follows the same plan, and its stream heard it end as S1's did.
    let answer = s.call(A, "GET", &format!("/v1/stations/S2/plan?date={DATE}"), None).await;
    assert_eq!(answer.body["id"], id, "{}", answer.body);
    for station in ["S1", "S2"] {
        assert!(event_kinds(&s, station, 0).await.contains(&"plan_finished".to_string()));
    }

    // One solve per pool-day: while one runs from S1, S2's request is refused naming it.
    let body = json!({"station": "S1", "date": DATE, "time_limit_secs": 1}).to_string();
    let running = s.call(D, "POST", "/v1/plans", Some(&body)).await;
    assert_eq!(running.status, StatusCode::ACCEPTED, "{}", running.body);
    let body = json!({"station": "S2", "date": DATE, "time_limit_secs": 1}).to_string();
    let busy = s.call(A, "POST", "/v1/plans", Some(&body)).await;
    assert_eq!(busy.status, StatusCode::CONFLICT, "{}", busy.body);
    assert!(busy.text.contains("pool \\\"P1\\\" (S1, S2)"), "{}", busy.text);
    let running = running.body["id"].as_i64().expect("id");
    let cancelled = s.call(A, "DELETE", &format!("/v1/plans/{running}"), None).await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);

    // C2's phone shows S1's client.
    let token = s.caregiver_token("C2").await;
    let route =
        s.call_as(Some(&token), "GET", &format!("/v1/me/route?date={DATE}"), None, &[]).await;
    assert_eq!(route.status, StatusCode::OK, "{}", route.body);
    assert!(route.text.contains("\"V1\""), "{}", route.body);

    // A lock made at S1 holds for the pool's day, as S2 sees it.
    let locked = s.call(D, "POST", "/v1/orders/V1/lock", None).await;
    assert_eq!(locked.status, StatusCode::OK, "{}", locked.body);
    let answer = s.call(A, "GET", &format!("/v1/stations/S2/plan?date={DATE}"), None).await;
    assert_eq!(answer.body["locked"], json!(["V1"]), "{}", answer.body);

    // 09:00, an urgent order of S1's K2: the pool's day is re-planned once, and both
    // stations' streams carry the new plan; V1 stays with C2, locked.
    let (s1_seen, s2_seen) = (
        s.state.store.last_event_seq("S1").await.expect("seq"),
        s.state.store.last_event_seq("S2").await.expect("seq"),
    );
    s.state.clock.set(&common::date(), 9 * 3600);
    let urgent = json!({"client": "K2", "date": DATE, "service": "medical_escort",
                        "duration": 1200, "windows": [{"start": 36_000, "end": 50_000}],
                        "urgent": true});
    let answer = s.call(D, "POST", "/v1/orders", Some(&urgent.to_string())).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    let replanned = answer.body["replan"]["plan"].as_i64().expect("re-planned");
    for (station, seen) in [("S1", s1_seen), ("S2", s2_seen)] {
        let kinds = event_kinds(&s, station, seen).await;
        assert!(kinds.contains(&"plan".to_string()), "{station}: {kinds:?}");
        let uri = format!("/v1/stations/{station}/plan?date={DATE}");
        assert_eq!(s.call(A, "GET", &uri, None).await.body["id"], replanned);
    }
    let (after, _) = checked_plan(&s, "S2").await;
    assert_eq!(caregiver_of(&after, "V1"), Some("C2"), "{after:?}");
    assert_eq!(after.kpis.visits_total, 3);

    // Without the pool, S1 plans alone again.
    let dropped = s.call(A, "DELETE", "/v1/pools/P1", None).await;
    assert_eq!(dropped.status, StatusCode::OK, "{}", dropped.body);
    let (created, _) = plan(&s, D, "S1").await;
    assert_eq!(created["pool"], Value::Null, "{created}");
    let (alone, pool) = checked_plan(&s, "S1").await;
    assert_eq!(pool, Value::Null);
    assert_eq!(reason_of(&alone, "V1").as_deref(), Some("skills"), "{alone:?}");
}

mod pool_day {
    use super::*;
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        if let Some(s) = two_station_service(common::Backend::Sqlite).await {
            a_pool_day_is_planned_locked_and_replanned_as_one(s).await;
        }
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        if let Some(s) = two_station_service(common::Backend::Postgres).await {
            a_pool_day_is_planned_locked_and_replanned_as_one(s).await;
        }
    }
}
