//! A county's own travel matrix through the service: one station with 3,200 clients (a
//! Rongcheng-sized programme's clients at one station, the hardest case for the size limit),
//! a matrix of seconds and metres for two modes among its 3,201 points, uploaded with
//! `PUT /v1/stations/S1/matrix` through the router on SQLite; then the first re-read of the
//! stored matrix (what a replica or a restarted process does before its first plan). Prints
//! the JSON's size against the upload limit, each step's time and the process's peak memory.
//!
//! `cargo bench -p dispatch-api --bench matrix_upload [-- CLIENTS]`

use axum::body::Body;
use axum::http::{header, Request};
use dispatch_api::auth::{create_token, Role};
use dispatch_api::{app, build_state, ServeConfig};
use formats::scenario::{ground_m, Scenario, TravelMode};
use formats::travel_matrix::{StraightLine, TravelMatrix};
use rand::{Rng, SeedableRng};
use serde_json::json;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use tower::ServiceExt;

fn county(clients: usize) -> Scenario {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
    let (lon, lat) = (122.42, 37.16);
    let clients: Vec<serde_json::Value> = (0..clients)
        .map(|i| {
            json!({"id": format!("K{i}"), "station": "S1", "location": {
                "lon": lon + rng.gen_range(-0.08..0.08), "lat": lat + rng.gen_range(-0.06..0.06)}})
        })
        .collect();
    let scenario = json!({
        "name": "county-matrix", "date": "2026-11-25",
        "stations": [{"id": "S1", "location": {"lon": lon, "lat": lat},
                      "circle": {"minutes": 15, "mode": "ebike"}}],
        "caregivers": [
            {"id": "C1", "station": "S1", "skills": [], "shift": {"start": 28800, "end": 61200}, "mode": "ebike"},
            {"id": "C2", "station": "S1", "skills": [], "shift": {"start": 28800, "end": 61200}, "mode": "car"}],
        "clients": clients, "visits": [],
    });
    Scenario::from_json(&scenario.to_string()).expect("a valid scenario")
}

fn matrix(scenario: &Scenario) -> TravelMatrix {
    let mut ids = vec![scenario.stations[0].id.clone()];
    let mut points = vec![scenario.stations[0].location];
    for c in &scenario.clients {
        ids.push(c.id.clone());
        points.push(c.location);
    }
    let line = StraightLine::default();
    let mut modes = BTreeMap::new();
    for mode in [TravelMode::Ebike, TravelMode::Car] {
        let (mut secs, mut metres) = (Vec::new(), Vec::new());
        for a in &points {
            for b in &points {
                let (s, m) = line.leg(mode, ground_m(*a, *b));
                secs.push(s as u32);
                metres.push(m as u32);
            }
        }
        modes.insert(mode, (secs, Some(metres)));
    }
    TravelMatrix::from_numbers(ids, modes).expect("a matrix")
}

fn peak_memory_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn main() {
    let clients: usize = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .and_then(|a| a.parse().ok())
        .unwrap_or(3_200);
    let scenario = county(clients);
    let built = matrix(&scenario);
    let body = serde_json::to_string(&built.to_json()).expect("json");
    drop(built);
    let limit = dispatch_api::travel::MAX_UPLOAD_BYTES;
    println!(
        "matrix: {} points, ebike and car, seconds and metres: {:.0} MB of JSON (upload limit {} MiB, {:.0} % of it)",
        clients + 1,
        body.len() as f64 / 1e6,
        limit >> 20,
        100.0 * body.len() as f64 / limit as f64
    );
    let started = Instant::now();
    let parsed = TravelMatrix::from_json(&body).expect("parses");
    println!("parse alone: {:.2} s", started.elapsed().as_secs_f64());
    drop(parsed);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let dir = tempfile::tempdir().expect("temp dir");
        let config = ServeConfig::new(
            "127.0.0.1:0".parse().expect("addr"),
            format!("sqlite://{}", dir.path().join("bench.db").display()),
            scenario,
            None,
            Duration::from_secs(10),
        );
        let state = build_state(&config).await.expect("state");
        let token = create_token(&state.store, Role::Dispatcher, &["S1".into()], None, "bench")
            .await
            .expect("token");
        let request = Request::builder()
            .method("PUT")
            .uri("/v1/stations/S1/matrix")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body))
            .expect("request");
        let started = Instant::now();
        let response = app(state.clone()).oneshot(request).await.expect("response");
        let status = response.status();
        let upload = started.elapsed();
        assert!(status.is_success(), "the upload answered {status}");
        println!(
            "PUT /v1/stations/S1/matrix: {status} in {:.2} s (request timeout 30 s)",
            upload.as_secs_f64()
        );
        // A fresh process (another replica) reads it back before its first plan.
        state.matrices.clear();
        let started = Instant::now();
        let source = dispatch_api::travel::of_station(&state, "S1").await.expect("source");
        println!(
            "first read of the stored matrix ({}): {:.2} s",
            source.label,
            started.elapsed().as_secs_f64()
        );
    });
    println!("peak memory of the process: {:.0} MB", peak_memory_mb());
}
