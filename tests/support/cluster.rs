//! Several service and worker processes on one PostgreSQL database, for the tests that kill
//! them: a NATS server of the test's own, subscribers of a station's stream that move to
//! another replica when theirs goes away, and the independent check of a stored day plan.

#![allow(dead_code)]

use super::service_process::{free_port, postgres_schema, ROOT};
use futures_util::StreamExt;
use serde_json::Value;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub fn require(var: &str, what: &str) {
    assert!(std::env::var(var).is_err(), "{what} (required by {var})");
    eprintln!("SKIPPED: {what}");
}

/// A NATS server (with JetStream, its store in a folder of its port, so that a restart on
/// the same port finds its streams) of the test's own on a free port, so that it can be
/// killed mid-run.
pub struct Nats(Child);

impl Drop for Nats {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn start_nats() -> Option<(Nats, String)> {
    let port = free_port();
    Some((start_nats_on(port)?, format!("nats://127.0.0.1:{port}")))
}

pub fn start_nats_on(port: u16) -> Option<Nats> {
    // Debian puts it in /usr/sbin, which a user's PATH may lack.
    let child = ["nats-server", "/usr/sbin/nats-server"].iter().find_map(|program| {
        Command::new(program)
            .args(["-a", "127.0.0.1", "-p", &port.to_string(), "-js", "-sd"])
            .arg(std::env::temp_dir().join(format!("carecircle-nats-{port}")))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()
    })?;
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "nats-server did not come up on {port}");
        std::thread::sleep(Duration::from_millis(50));
    }
    Some(Nats(child))
}

/// What a subscriber saw: event ids in order, and how often it had to reconnect.
#[derive(Default)]
pub struct Seen {
    pub ids: Mutex<Vec<String>>,
    pub reconnects: AtomicUsize,
    pub stop: AtomicBool,
}

/// Follows the station's stream from its start on `bases[first]`; when a stream ends it goes
/// on with its Last-Event-ID on the next replica that answers.
pub async fn subscribe(
    http: reqwest::Client,
    bases: Vec<String>,
    first: usize,
    token: String,
    station: &'static str,
) -> Arc<Seen> {
    let seen = Arc::new(Seen::default());
    let out = seen.clone();
    tokio::spawn(async move {
        let mut at = first;
        let mut last = format!("{station}:0");
        while !seen.stop.load(Ordering::Relaxed) {
            let request = http
                .get(format!("{}/v1/stations/{station}/events", bases[at]))
                .bearer_auth(&token)
                .header("Last-Event-ID", &last)
                .send()
                .await;
            if let Ok(response) = request.and_then(reqwest::Response::error_for_status) {
                let mut buffer = String::new();
                let mut body = response.bytes_stream();
                while let Some(Ok(chunk)) = body.next().await {
                    buffer.push_str(&String::from_utf8_lossy(&chunk));
                    while let Some(end) = buffer.find("\n\n") {
                        let block: String = buffer.drain(..end + 2).collect();
                        if let Some(id) = block.lines().find_map(|l| l.strip_prefix("id: ")) {
                            last = id.to_string();
                            seen.ids.lock().expect("ids").push(last.clone());
                        }
                    }
                }
            }
            // The stream ended: its replica went away. Resume on the other one.
            seen.reconnects.fetch_add(1, Ordering::Relaxed);
            at = (at + 1) % bases.len();
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    out
}

/// Every event of the station, read from its start on `base` until it is quiet.
pub async fn all_events(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    station: &str,
) -> Vec<String> {
    let response = http
        .get(format!("{base}/v1/stations/{station}/events?after={station}:0"))
        .bearer_auth(token)
        .send()
        .await
        .expect("stream");
    let mut ids = Vec::new();
    let mut buffer = String::new();
    let mut body = response.bytes_stream();
    while let Ok(Some(Ok(chunk))) =
        tokio::time::timeout(Duration::from_millis(1500), body.next()).await
    {
        buffer.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            if let Some(id) = block.lines().find_map(|l| l.strip_prefix("id: ")) {
                ids.push(id.to_string());
            }
        }
    }
    ids
}

pub async fn get_json(http: &reqwest::Client, url: &str, token: &str) -> (u16, Value) {
    let r = http.get(url).bearer_auth(token).send().await.expect("answer");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// The plan caregivers follow for `station`'s `date` in the database at `db`, checked by the
/// independent checker on the demo's roads (nobody double-booked, every open order served or
/// reported unassigned).
pub async fn checked_day_plan(db: &str, station: &str, day: &str) -> solver::Plan {
    let network = roads::RoadNetwork::from_pbf(
        &Path::new(ROOT).join("data/osm/andorra-2020-05-01.osm.pbf"),
        &roads::Mode::ALL,
    )
    .expect("the bundled extract");
    let text = std::fs::read_to_string(Path::new(ROOT).join("scenarios/demo.json")).expect("demo");
    let config = dispatch_api::ServeConfig::new(
        "127.0.0.1:0".parse().expect("addr"),
        db.to_string(),
        formats::scenario::Scenario::from_json(&text).expect("demo"),
        Some(Arc::new(network)),
        Duration::from_secs(1),
    );
    let state = dispatch_api::build_state(&config).await.expect("the database");
    let date = dispatch_api::date::PlanDate::parse(day).expect("date");
    let (_, plan) = state.store.current_plan(station, &date).await.expect("read").expect("a plan");
    let (scenario, _) =
        dispatch_api::station_day::scenario(&state, station, &date, true).await.expect("day");
    let source = dispatch_api::travel::of_station(&state, station).await.expect("source");
    let day = state.travel.day_problem(&source, &scenario).expect("day problem");
    let report = solver::check::check(&day.day.problem, &day.travel.matrices, &plan);
    assert!(report.is_feasible(), "{:?}", report.violations);
    state.store.close().await;
    plan
}

/// Runs `test` on a fresh PostgreSQL schema `{prefix}_{pid}` (with a NATS server of its own
/// when `nats`), then drops the schema; says SKIPPED where PostgreSQL or nats-server is
/// missing, unless CI requires them.
pub async fn on_postgres<F, Fut>(prefix: &str, nats: bool, test: F)
where
    F: FnOnce(String, Option<(Nats, String)>) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let schema = format!("{prefix}_{}", std::process::id());
    let (url, admin) = match postgres_schema(&schema).await {
        Ok(found) => found,
        Err(why) => return require("CARECIRCLE_REQUIRE_POSTGRES", &why),
    };
    let server = if nats {
        let Some(server) = start_nats() else {
            return require("CARECIRCLE_REQUIRE_NATS", "no nats-server program to start");
        };
        Some(server)
    } else {
        None
    };
    test(url, server).await;
    let _ = sqlx::query(&format!("DROP SCHEMA {schema} CASCADE")).execute(&admin).await;
}

/// Posts `order` to `base` under `key` but sends only half its body, and checks (300 ms on)
/// that the request is still in flight: the replica can then be killed mid-request. The task
/// ends when the connection does.
pub async fn half_sent_order(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    key: &str,
    order: &Value,
) -> tokio::task::JoinHandle<reqwest::Result<reqwest::Response>> {
    let text = order.to_string();
    let head = text[..text.len() / 2].to_string();
    let body = futures_util::stream::iter([Ok::<_, std::io::Error>(head)])
        .chain(futures_util::stream::pending());
    let request = http
        .post(format!("{base}/v1/orders"))
        .bearer_auth(token)
        .header("Idempotency-Key", key)
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(body));
    let in_flight = tokio::spawn(request.send());
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!in_flight.is_finished(), "the order is still being sent when {base} is killed");
    in_flight
}
