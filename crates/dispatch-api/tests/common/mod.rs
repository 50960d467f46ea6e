//! What the service's tests share: the bundled road network and demo scenario, a fresh
//! service per test on SQLite (a temporary file) or PostgreSQL (a fresh schema in the
//! `test` database on 127.0.0.1:5432), one token per role, and calls through the router.
//!
//! Where no PostgreSQL server answers, PostgreSQL tests print why and return; with
//! `CARECIRCLE_REQUIRE_POSTGRES=1` (set by CI) they fail instead.

#![allow(dead_code)]

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use dispatch_api::auth::{create_token, Role};
use dispatch_api::clock::Clock;
use dispatch_api::date::PlanDate;
use dispatch_api::{app, build_state, AppState, ServeConfig};
use formats::scenario::Scenario;
use futures_util::StreamExt;
use roads::{Mode, RoadNetwork};
use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tower::ServiceExt;

pub const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
pub const DATE: &str = "2026-11-25";

pub fn network() -> Arc<RoadNetwork> {
    static NETWORK: OnceLock<Arc<RoadNetwork>> = OnceLock::new();
    NETWORK
        .get_or_init(|| {
            let pbf = Path::new(ROOT).join("data/osm/andorra-2020-05-01.osm.pbf");
            Arc::new(RoadNetwork::from_pbf(&pbf, &Mode::ALL).expect("the bundled extract loads"))
        })
        .clone()
}

pub fn scenario() -> Scenario {
    let text = std::fs::read_to_string(Path::new(ROOT).join("scenarios/demo.json"))
        .expect("demo scenario");
    Scenario::from_json(&text).expect("valid demo scenario")
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The PostgreSQL server the tests use.
pub fn postgres_url() -> String {
    std::env::var("CARECIRCLE_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_string())
}

/// A service under test; its database lives as long as it does.
pub struct Service {
    pub state: AppState,
    pub tokens: HashMap<Role, String>,
    _dir: Option<tempfile::TempDir>,
}

/// A fresh database URL, or `None` (with the reason printed) when PostgreSQL is not there.
pub async fn database(backend: Backend) -> Option<(String, Option<tempfile::TempDir>)> {
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = format!("sqlite://{}", dir.path().join("test.db").display());
            Some((url, Some(dir)))
        }
        Backend::Postgres => {
            static N: AtomicU32 = AtomicU32::new(0);
            let schema =
                format!("cc_t_{}_{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed));
            let base = postgres_url();
            let admin = sqlx::postgres::PgPoolOptions::new()
                .max_connections(1)
                .acquire_timeout(Duration::from_secs(3))
                .connect(&base)
                .await;
            let admin = match admin {
                Ok(pool) => pool,
                Err(e) => {
                    if std::env::var("CARECIRCLE_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
                        panic!(
                            "PostgreSQL at {base} is required (CARECIRCLE_REQUIRE_POSTGRES=1): {e}"
                        );
                    }
                    eprintln!("SKIPPED on PostgreSQL: no server answers at {base}: {e}");
                    return None;
                }
            };
            drop_stale_schemas(&admin).await;
            sqlx::query(&format!("CREATE SCHEMA {schema}")).execute(&admin).await.expect("schema");
            admin.close().await;
            let sep = if base.contains('?') { '&' } else { '?' };
            Some((format!("{base}{sep}options=-c%20search_path%3D{schema}"), None))
        }
    }
}

/// Schemas earlier test runs left behind (their process is gone), dropped once per run.
async fn drop_stale_schemas(admin: &sqlx::PgPool) {
    static DONE: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();
    DONE.get_or_init(|| async {
        let mine = format!("cc_t_{}_", std::process::id());
        let stale: Vec<String> = sqlx::query_scalar(
            "SELECT nspname::text FROM pg_namespace WHERE nspname LIKE 'cc_t_%'",
        )
        .fetch_all(admin)
        .await
        .unwrap_or_default();
        for schema in stale.into_iter().filter(|s| !s.starts_with(&mine)) {
            let _ = sqlx::query(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
                .execute(admin)
                .await;
        }
    })
    .await;
}

/// A fresh service over the demo scenario with a clock standing at 08:00 on [`DATE`], and a
/// token per role (dispatcher of S1, caregiver C1).
pub async fn service(backend: Backend) -> Option<Service> {
    service_with(backend, |_| {}).await
}

/// As [`service`], with `configure` applied to its configuration.
pub async fn service_with(
    backend: Backend,
    configure: impl FnOnce(&mut ServeConfig),
) -> Option<Service> {
    let (db_url, dir) = database(backend).await?;
    let mut config = ServeConfig::new(
        "127.0.0.1:0".parse().expect("addr"),
        db_url,
        scenario(),
        Some(network()),
        Duration::from_secs(1),
    );
    config.clock = Clock::fixed(&date(), 8 * 3600);
    configure(&mut config);
    let state = build_state(&config).await.expect("state");
    let mut s = Service::from_state(state).await;
    s._dir = dir;
    Some(s)
}

pub fn date() -> PlanDate {
    PlanDate::parse(DATE).expect("date")
}

/// One answer: status, JSON body (or the text as a JSON string), content type.
pub struct Answer {
    pub status: StatusCode,
    pub body: Value,
    pub content_type: Option<String>,
    pub text: String,
}

impl Service {
    /// A service over `state` with a token per role (dispatcher of S1, caregiver C1); the
    /// caller keeps the database alive.
    pub async fn from_state(state: AppState) -> Service {
        let mut tokens = HashMap::new();
        let stations = vec!["S1".to_string()];
        for role in Role::ALL {
            let token = create_token(&state.store, role, &stations, Some("C1"), "test")
                .await
                .expect("token");
            tokens.insert(role, token);
        }
        Service { state, tokens, _dir: None }
    }

    pub fn token(&self, role: Role) -> &str {
        &self.tokens[&role]
    }

    /// Calls the router as `token` (no header when `None`).
    pub async fn call_as(
        &self,
        token: Option<&str>,
        method: &str,
        uri: &str,
        body: Option<&str>,
        headers: &[(&str, &str)],
    ) -> Answer {
        let mut request = Request::builder().method(method).uri(uri);
        if body.is_some() && !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("content-type")) {
            request = request.header(header::CONTENT_TYPE, "application/json");
        }
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = request
            .body(body.map_or_else(Body::empty, |b| Body::from(b.to_string())))
            .expect("request");
        let response = app(self.state.clone()).oneshot(request).await.expect("response");
        let status = response.status();
        let content_type = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 26).await.expect("body");
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or_else(|_| Value::String(text.clone()))
        };
        Answer { status, body, content_type, text }
    }

    /// A token of caregiver `id`, for their route and check-ins.
    pub async fn caregiver_token(&self, id: &str) -> String {
        create_token(&self.state.store, Role::Caregiver, &[], Some(id), "").await.expect("token")
    }

    /// Calls as `role`.
    pub async fn call(&self, role: Role, method: &str, uri: &str, body: Option<&str>) -> Answer {
        self.call_as(Some(self.token(role)), method, uri, body, &[]).await
    }

    /// Plans S1's day (1 s of search) and waits until it is done; returns the plan id.
    pub async fn plan_day(&self) -> i64 {
        let body =
            serde_json::json!({"station": "S1", "date": DATE, "time_limit_secs": 1}).to_string();
        let created = self.call(Role::Dispatcher, "POST", "/v1/plans", Some(&body)).await;
        assert_eq!(created.status, StatusCode::ACCEPTED, "{}", created.body);
        let id = created.body["id"].as_i64().expect("plan id");
        for _ in 0..600 {
            let status = self.call(Role::Dispatcher, "GET", &format!("/v1/plans/{id}"), None).await;
            match status.body["status"].as_str() {
                Some("done") => return id,
                Some("failed") => panic!("plan failed: {}", status.body),
                _ => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
        panic!("plan {id} did not finish");
    }

    /// The current plan of S1's day, checked by the independent checker against the day's
    /// open orders.
    pub async fn checked_plan(&self) -> solver::Plan {
        let answer = self
            .call(Role::Dispatcher, "GET", &format!("/v1/stations/S1/plan?date={DATE}"), None)
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        let plan: solver::Plan =
            serde_json::from_value(answer.body["plan"].clone()).expect("a plan");
        let (scenario, _) = dispatch_api::station_day::scenario(&self.state, "S1", &date(), true)
            .await
            .expect("station day");
        // Checked on the travel the station's day is planned on (roads or its matrix).
        let source = dispatch_api::travel::of_station(&self.state, "S1").await.expect("source");
        let day = self.state.travel.day_problem(&source, &scenario).expect("day problem");
        let report = solver::check::check(&day.day.problem, &day.travel.matrices, &plan);
        assert!(report.is_feasible(), "{:?}", report.violations);
        // Every open order, each meal's pick-ups aside.
        assert_eq!(plan.kpis.visits_total, scenario.visits.len());
        plan
    }
}

/// The stops of `route` that serve orders: a meal's pick-up at a canteen is a stop on the
/// way, with nothing to check in.
pub fn orders(route: &solver::Route) -> Vec<solver::Stop> {
    route.stops.iter().filter(|s| s.pickup_for.is_none()).cloned().collect()
}

/// The visits of `plan` starting after `after` (seconds from midnight) that a dispatcher may
/// move on their own: served alone (no second caregiver) and with no pick-up on the way;
/// `(visit, caregiver)` in route order.
pub fn lone_visits(plan: &solver::Plan, after: i64) -> Vec<(String, String)> {
    let picked: Vec<&str> = plan
        .routes
        .iter()
        .flat_map(|r| r.stops.iter().filter_map(|s| s.pickup_for.as_deref()))
        .collect();
    plan.routes
        .iter()
        .flat_map(|r| {
            let to_come = orders(r).into_iter().filter(move |s| s.start.0 > after);
            to_come.map(move |s| (s.visit, r.caregiver.clone()))
        })
        .filter(|(v, _)| {
            dispatch_api::order::other_part(v).is_none() && !picked.contains(&v.as_str())
        })
        .collect()
}

/// Reads Server-Sent Events until the stream ends or `limit` events came: `(event, id, data)`.
pub async fn read_events(
    response: reqwest::Response,
    limit: usize,
) -> Vec<(String, String, Value)> {
    let mut events = Vec::new();
    let mut buffer = String::new();
    let mut stream = response.bytes_stream();
    while let Some(chunk) = stream.next().await {
        buffer.push_str(&String::from_utf8_lossy(&chunk.expect("chunk")));
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            let (mut event, mut id, mut data) = (String::new(), String::new(), String::new());
            for line in block.lines() {
                if let Some(v) = line.strip_prefix("event: ") {
                    event = v.to_string();
                } else if let Some(v) = line.strip_prefix("id: ") {
                    id = v.to_string();
                } else if let Some(v) = line.strip_prefix("data: ") {
                    data.push_str(v);
                }
            }
            if !event.is_empty() {
                events.push((event, id, serde_json::from_str(&data).expect("event data is JSON")));
                if events.len() >= limit {
                    return events;
                }
            }
        }
    }
    events
}

/// The demo's matrix on the roads among the stations, clients and canteens (of `station`
/// only, when given), less the points `leave_out`.
pub fn demo_matrix(
    station: Option<&str>,
    leave_out: &[&str],
    modes: &[formats::scenario::TravelMode],
) -> formats::travel_matrix::TravelMatrix {
    let scenario = scenario();
    let ours = |s: &str| station.is_none_or(|x| x == s);
    let mut named: Vec<_> = scenario
        .stations
        .iter()
        .filter(|s| ours(&s.id))
        .map(|s| (s.id.clone(), s.location))
        .collect();
    named.extend(
        scenario.clients.iter().filter(|c| ours(&c.station)).map(|c| (c.id.clone(), c.location)),
    );
    named.extend(scenario.canteens.iter().map(|c| (c.id.clone(), c.location)));
    named.retain(|(id, _)| !leave_out.contains(&id.as_str()));
    let (ids, points): (Vec<String>, Vec<_>) = named.into_iter().unzip();
    let travel = planner::travel::TravelSource::Roads(network())
        .travel("S1", &points, &ids, modes)
        .expect("S1 on the roads");
    travel.to_file(ids, modes).expect("a matrix")
}

/// S1's caregivers' modes in the demo.
pub fn s1_modes() -> Vec<formats::scenario::TravelMode> {
    let mut modes: Vec<formats::scenario::TravelMode> =
        scenario().caregivers.iter().filter(|c| c.station == "S1").map(|c| c.mode).collect();
    modes.sort();
    modes.dedup();
    modes
}

/// Serves the router on 127.0.0.1:0; returns the base URL.
pub async fn listen(state: &AppState) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(std::future::IntoFuture::into_future(axum::serve(listener, app(state.clone()))));
    format!("http://{addr}")
}

/// Runs a test body on SQLite and on PostgreSQL: `both!(name, body_fn)` makes `name_sqlite`
/// and `name_postgres`.
#[macro_export]
macro_rules! both {
    ($name:ident, $body:ident) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                if let Some(s) = common::service(common::Backend::Sqlite).await {
                    $body(s).await;
                }
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(s) = common::service(common::Backend::Postgres).await {
                    $body(s).await;
                }
            }
        }
    };
}
