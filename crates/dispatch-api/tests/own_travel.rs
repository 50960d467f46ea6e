//! A station's own travel times in the service, on SQLite and PostgreSQL: uploads are
//! refused with 422 naming what they miss, a day is planned (and checked) on the uploaded
//! matrix, a plan names the version it used (a solve in flight keeps its own), a client the
//! matrix does not cover is unassigned with reason `no_travel_time`, routes say their legs
//! are straight and deviation is not watched, and dropping the matrix goes back to the roads.

mod common;

use axum::http::StatusCode;
use common::{Backend, Service, DATE};
use dispatch_api::auth::Role;
use formats::scenario::TravelMode;
use formats::travel_matrix::TravelMatrix;
use serde_json::{json, Value};
use std::time::Duration;

const D: Role = Role::Dispatcher;

/// S1's matrix on the roads (its station, clients and canteens), less the points `leave_out`.
fn roads_matrix(leave_out: &[&str], modes: &[TravelMode]) -> TravelMatrix {
    common::demo_matrix(Some("S1"), leave_out, modes)
}

fn body(m: &TravelMatrix) -> String {
    serde_json::to_string(&m.to_json()).expect("json")
}

async fn upload(s: &Service, text: &str) -> common::Answer {
    s.call(D, "PUT", "/v1/stations/S1/matrix", Some(text)).await
}

async fn plan_status(s: &Service, id: i64) -> Value {
    s.call(D, "GET", &format!("/v1/plans/{id}"), None).await.body
}

async fn station_plans_on_its_own_matrix(backend: Backend) {
    let Some(s) = common::service(backend).await else { return };
    let modes = common::s1_modes();

    // Refused uploads name what is wrong.
    let some_client =
        common::scenario().clients.iter().find(|c| c.station == "S1").expect("client").id.clone();
    let missing = upload(&s, &body(&roads_matrix(&[&some_client], &modes))).await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", missing.body);
    assert_eq!(missing.body["field"], "points");
    assert!(
        missing.body["reason"].as_str().is_some_and(|r| r.contains(&some_client)),
        "{}",
        missing.body
    );
    let one_mode = upload(&s, &body(&roads_matrix(&[], &modes[..1]))).await;
    if modes.len() > 1 {
        assert_eq!(one_mode.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", one_mode.body);
        assert_eq!(one_mode.body["field"], "modes");
    }
    let negative = upload(&s, "from,to,mode,seconds,metres\nS1,K1,ebike,-4,10\n").await;
    assert_eq!(negative.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", negative.body);
    assert!(
        negative.body["field"].as_str().is_some_and(|f| f.contains("S1 → K1")),
        "{}",
        negative.body
    );
    let caregiver = s.call(Role::Caregiver, "PUT", "/v1/stations/S1/matrix", Some("{}")).await;
    assert_eq!(caregiver.status, StatusCode::FORBIDDEN);
    let none = s.call(D, "GET", "/v1/stations/S1/matrix", None).await;
    assert_eq!(none.status, StatusCode::NOT_FOUND, "no matrix yet: the roads");

    // A good upload: the day is planned on it and the plan names its version.
    let m = roads_matrix(&[], &modes);
    let first = upload(&s, &body(&m)).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let v1 = first.body["version"].as_i64().expect("version");
    let shown = s.call(D, "GET", "/v1/stations/S1/matrix", None).await;
    assert_eq!(shown.body["version"], v1);
    let plan = s.plan_day().await;
    assert_eq!(plan_status(&s, plan).await["travel"], format!("matrix v{v1}"));
    let day = s.checked_plan().await;
    assert!(day.kpis.visits_served > 0);

    // Routes: straight legs, no deviation alerts, and the reason given.
    let c1 = s.caregiver_token("C1").await;
    let route = s.call_as(Some(&c1), "GET", &format!("/v1/me/route?date={DATE}"), None, &[]).await;
    assert_eq!(route.status, StatusCode::OK, "{}", route.body);
    assert_eq!(route.body["travel"]["legs"], "straight");
    assert_eq!(route.body["travel"]["deviation_alerts"], false);
    let geo =
        s.call_as(Some(&c1), "GET", &format!("/v1/me/route.geojson?date={DATE}"), None, &[]).await;
    let legs: Vec<&Value> = geo.body["features"]
        .as_array()
        .expect("features")
        .iter()
        .filter(|f| f["properties"]["kind"] == "leg")
        .collect();
    assert!(legs.iter().all(|l| l["properties"]["legs"] == "straight"), "{}", geo.body);
    let map = s.call(D, "GET", "/v1/stations/S1/map", None).await;
    assert_eq!(map.status, StatusCode::OK, "{}", map.body);
    assert!(map.body["circle"].is_null());
    assert_eq!(map.body["travel"]["legs"], "straight");

    // A solve in flight keeps its version while a new one is uploaded.
    let created = s
        .call(
            D,
            "POST",
            "/v1/plans",
            Some(&json!({"station": "S1", "date": DATE, "time_limit_secs": 1}).to_string()),
        )
        .await;
    let running = created.body["id"].as_i64().expect("plan id");
    let second = upload(&s, &body(&m)).await;
    let v2 = second.body["version"].as_i64().expect("version");
    assert!(v2 > v1);
    for _ in 0..100 {
        let now = plan_status(&s, running).await["status"].clone();
        if now != "queued" && now != "running" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(plan_status(&s, running).await["status"], "done");
    assert_eq!(plan_status(&s, running).await["travel"], format!("matrix v{v1}"));

    // A client added later that the matrix does not cover: its visit has no way.
    let k = json!({"id": "KNEW", "station": "S1", "location": {"lon": 1.5301, "lat": 42.5101}});
    let added = s.call(D, "POST", "/v1/clients", Some(&k.to_string())).await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.body);
    let order = json!({"client": "KNEW", "date": DATE, "service": "cleaning", "duration": 1800,
                       "windows": [{"start": 36_000, "end": 61_200}], "urgent": true});
    let urgent = s.call(D, "POST", "/v1/orders", Some(&order.to_string())).await;
    assert_eq!(urgent.status, StatusCode::CREATED, "{}", urgent.body);
    let id = urgent.body["id"].as_str().expect("id").to_string();
    assert!(urgent.body["assignment"].is_null(), "{}", urgent.body);
    let day = s.checked_plan().await;
    let out = day.unassigned.iter().find(|u| u.visit == id).expect("unassigned");
    assert_eq!(out.reason.as_str(), "no_travel_time");

    // Back to the roads.
    let dropped = s.call(D, "DELETE", "/v1/stations/S1/matrix", None).await;
    assert_eq!(dropped.status, StatusCode::OK, "{}", dropped.body);
    let plan = s.plan_day().await;
    assert_eq!(plan_status(&s, plan).await["travel"], "roads");
    s.checked_plan().await;
}

#[tokio::test]
async fn station_plans_on_its_own_matrix_on_sqlite() {
    station_plans_on_its_own_matrix(Backend::Sqlite).await;
}

#[tokio::test]
async fn station_plans_on_its_own_matrix_on_postgres() {
    station_plans_on_its_own_matrix(Backend::Postgres).await;
}

/// A service started from a scenario with a matrix file and no extract serves a station: the
/// scenario's matrix is stored for each station, and the day is planned and checked on it.
#[tokio::test]
async fn a_service_without_roads_plans_on_the_scenarios_matrix() {
    let Some((db_url, _dir)) = common::database(Backend::Sqlite).await else { return };
    let mut modes: Vec<TravelMode> = common::scenario().caregivers.iter().map(|c| c.mode).collect();
    modes.sort();
    modes.dedup();
    // A county-wide matrix: every station's points.
    let scenario = common::scenario();
    let matrix = common::demo_matrix(None, &[], &modes);
    let mut config = dispatch_api::ServeConfig::new(
        "127.0.0.1:0".parse().expect("addr"),
        db_url.clone(),
        scenario,
        None,
        Duration::from_secs(1),
    );
    config.matrix = Some(std::sync::Arc::new(matrix));
    config.clock = dispatch_api::clock::Clock::fixed(&common::date(), 8 * 3600);
    let state = dispatch_api::build_state(&config).await.expect("state");
    // Started twice on the same database: the same matrix is not stored again.
    let again = dispatch_api::build_state(&config).await.expect("state");
    let newest = again.store.newest_matrix("S1").await.expect("read").expect("a matrix");
    let first = state.store.newest_matrix("S1").await.expect("read").expect("a matrix");
    assert_eq!(newest.version, first.version);
    let source = dispatch_api::travel::of_station(&state, "S1").await.expect("source");
    assert!(!source.has_paths());
    // Served end to end through HTTP: planned, checked, routed.
    let s = Service::from_state(state).await;
    let plan = s.plan_day().await;
    let made = s.call(D, "GET", &format!("/v1/plans/{plan}"), None).await;
    assert_eq!(made.body["travel"], format!("matrix v{}", first.version));
    let day = s.checked_plan().await;
    assert!(day.kpis.visits_served > 0);
    let c1 = s.caregiver_token("C1").await;
    let route = s.call_as(Some(&c1), "GET", &format!("/v1/me/route?date={DATE}"), None, &[]).await;
    assert_eq!(route.status, StatusCode::OK, "{}", route.body);
    assert_eq!(route.body["travel"]["legs"], "straight");
    // The planner's questions need roads: a clear 409, not a 500.
    let coverage = s.call(Role::Planner, "POST", "/v1/planner/coverage", Some("{}")).await;
    assert_eq!(coverage.status, StatusCode::CONFLICT, "{}", coverage.body);
}
