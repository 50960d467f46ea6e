//! Urgent insertion latency, side by side on two station days of 150 orders and 40
//! caregivers: a plain day, and a mixed county day (60 of the orders meals picked up at three
//! canteens, half the caregivers with a lunch break, ten two-caregiver baths). Each day is
//! planned, then urgent orders are posted one at a time through the router (validation,
//! storage, re-plan, checker and its locked rule, new plan version, events) and each answer is
//! timed. Each urgent order is cancelled again (untimed) so the day stays as it was. Prints
//! p50, p99 and max per day; the targets are p99 < 200 ms (plain) and ≤ 15 ms (mixed). The
//! plain day is timed twice: alone, and while new plans of the day search on every core the
//! service gives solves (all but one, `SolveCores`): its p99 should not move.
//!
//! `cargo bench -p dispatch-api --bench urgent_insertion [-- SAMPLES]`

use axum::body::Body;
use axum::http::{header, Request};
use dispatch_api::auth::{create_token, Role};
use dispatch_api::clock::Clock;
use dispatch_api::date::PlanDate;
use dispatch_api::{app, build_state, ServeConfig};
use formats::scenario::{
    Caregiver, CircleSpec, Client, GeoPoint, Place, Scenario, Station, TravelMode, Visit,
};
use rand::{Rng, SeedableRng};
use roads::{Mode, RoadNetwork};
use serde_json::{json, Value};
use solver::{Seconds, TimeWindow};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tower::ServiceExt;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
const DATE: &str = "2026-11-25";

/// One station in Andorra la Vella, 40 caregivers on e-bikes, 150 clients and visits; when
/// `mixed`, 60 of them meals from three canteens and half the caregivers with a lunch break.
fn station_day(network: &RoadNetwork, mixed: bool) -> Scenario {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    let centre = GeoPoint { lon: 1.5290, lat: 42.5100, crs: Default::default() };
    let graph = network.graph(Mode::Ebike).expect("ebike graph");
    let mut clients = Vec::new();
    while clients.len() < 150 {
        let p = GeoPoint {
            lon: centre.lon + rng.gen_range(-0.012..0.012),
            lat: centre.lat + rng.gen_range(-0.008..0.008),
            crs: Default::default(),
        };
        if graph.snap(roads::LonLat { lon: p.lon, lat: p.lat }, 50.0).is_ok() {
            clients.push(Client {
                id: format!("K{}", clients.len() + 1),
                name: None,
                station: "S1".into(),
                location: p,
                address: None,
                phone: None,
                contacts: Vec::new(),
                monthly_hours: None,
                any_canteen: false,
                canteen: None,
            });
        }
    }
    let caregivers = (1..=40)
        .map(|i| Caregiver {
            id: format!("C{i}"),
            name: None,
            station: "S1".into(),
            skills: Vec::new(),
            shift: TimeWindow::new(Seconds(8 * 3600), Seconds(18 * 3600)),
            mode: TravelMode::Ebike,
            max_route_duration: None,
            contracted: None,
            female: i % 2 == 0,
            lunch_break: (mixed && i % 2 == 1).then_some(solver::LunchBreak {
                window: TimeWindow::new(Seconds(41_400), Seconds(48_600)),
                duration: Seconds(1800),
            }),
            box_capacity: None,
            start: Place::Station,
            end: Place::Station,
            max_commute_minutes: None,
            commute_paid: true,
        })
        .collect();
    let visits = clients
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let start = 8 * 3600 + rng.gen_range(0..8) * 3600;
            let meal = mixed && i % 5 < 2;
            let (service, duration, window) = if meal {
                (solver::ServiceKind::Meal, 300, (39_600, 46_800))
            } else {
                (
                    solver::ServiceKind::Cleaning,
                    rng.gen_range(2..6) * 900,
                    (start, start + 3 * 3600),
                )
            };
            Visit {
                id: format!("V{}", i + 1),
                client: c.id.clone(),
                service,
                duration: Seconds(duration),
                windows: vec![TimeWindow::new(Seconds(window.0), Seconds(window.1))],
                skills: Vec::new(),
                priority: 1,
                due: None,
                preferred: Vec::new(),
                refused: Vec::new(),
                female_only: false,
                canteen: None,
                meals: None,
            }
        })
        .collect();
    // Three canteens among the clients' streets, open for lunch.
    let canteens = if mixed {
        clients
            .iter()
            .step_by(50)
            .enumerate()
            .map(|(k, c)| formats::scenario::Canteen {
                id: format!("CT{}", k + 1),
                name: None,
                location: c.location,
                hours: TimeWindow::new(Seconds(37_800), Seconds(48_600)),
                meals_ready: None,
            })
            .collect()
    } else {
        Vec::new()
    };
    Scenario {
        name: "urgent-bench".into(),
        date: Some(DATE.into()),
        osm: None,
        stations: vec![Station {
            id: "S1".into(),
            name: None,
            location: centre,
            circle: CircleSpec { minutes: 15, mode: TravelMode::Ebike },
            max_leg_minutes: None,
            meal_rules: None,
        }],
        caregivers,
        clients,
        visits,
        canteens,
        ..Scenario::default()
    }
}

async fn call(
    router: &axum::Router,
    token: &str,
    method: &str,
    uri: &str,
    body: Option<String>,
) -> (u16, Value) {
    let mut request = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"));
    if body.is_some() {
        request = request.header(header::CONTENT_TYPE, "application/json");
    }
    let request = request.body(body.map_or_else(Body::empty, Body::from)).expect("request");
    let response = router.clone().oneshot(request).await.expect("response");
    let status = response.status().as_u16();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 26).await.expect("body");
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

/// What one day's urgent orders took.
struct Latency {
    p50: f64,
    p99: f64,
    max: f64,
    inserted: usize,
}

/// Plans `scenario`'s day, adds `baths` two-caregiver orders, then times `samples` urgent
/// orders; with `beside`, while a new plan of the day searches on every core.
fn measure(
    network: &Arc<RoadNetwork>,
    scenario: Scenario,
    baths: usize,
    samples: usize,
    beside: bool,
) -> Latency {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let dir = tempfile::tempdir().expect("temp dir");
        let date = PlanDate::parse(DATE).expect("date");
        let mut config = ServeConfig::new(
            "127.0.0.1:0".parse().expect("addr"),
            format!("sqlite://{}", dir.path().join("bench.db").display()),
            scenario.clone(),
            Some(network.clone()),
            Duration::from_secs(10),
        );
        config.clock = Clock::fixed(&date, 8 * 3600);
        let state = build_state(&config).await.expect("state");
        let token = create_token(&state.store, Role::Admin, &[], None, "bench").await.expect("token");
        let router = app(state.clone());
        for k in 0..baths {
            let client = &scenario.clients[k * 7].id;
            let body = json!({"client": client, "date": DATE, "service": "bathing", "duration": 2400,
                              "windows": [{"start": 32_400, "end": 61_200}], "caregivers": 2});
            let (status, answer) = call(&router, &token, "POST", "/v1/orders", Some(body.to_string())).await;
            assert_eq!(status, 201, "{answer}");
        }
        let (status, created) = call(&router, &token, "POST", "/v1/plans",
            Some(json!({"station": "S1", "date": DATE, "time_limit_secs": 10}).to_string())).await;
        assert_eq!(status, 202, "{created}");
        let id = created["id"].as_i64().expect("plan id");
        loop {
            let (_, plan) = call(&router, &token, "GET", &format!("/v1/plans/{id}"), None).await;
            if plan["status"] == "done" {
                eprintln!("planned: {} of {} orders served by {} caregivers",
                    plan["kpis"]["visits_served"], plan["kpis"]["visits_total"], plan["kpis"]["caregivers_used"]);
                break;
            }
            assert_ne!(plan["status"], "failed", "{plan}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        // As many plans of the day as the service runs at once (every core but the one it
        // keeps for requests), searching past the samples; the runtime waits for them.
        let beside = if beside { state.solve_cores.at_once } else { 0 };
        for _ in 0..beside {
            let body = json!({"station": "S1", "date": DATE, "time_limit_secs": 20});
            let (status, created) = call(&router, &token, "POST", "/v1/plans", Some(body.to_string())).await;
            assert_eq!(status, 202, "{created}");
        }
        if beside > 0 {
            eprintln!("{beside} plans of the day searching beside the orders, {} of {} cores",
                beside * state.solve_cores.threads, config.cores);
        }
        state.clock.set(&date, 9 * 3600);
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        let mut times = Vec::with_capacity(samples);
        let mut inserted = 0;
        for i in 0..=samples {
            let client = format!("K{}", rng.gen_range(1..=150));
            let start = rng.gen_range(10..15) * 3600;
            let body = json!({"client": client, "date": DATE, "service": "medical", "duration": 1800,
                              "windows": [{"start": start, "end": start + 3 * 3600}], "urgent": true});
            let t = Instant::now();
            let (status, answer) = call(&router, &token, "POST", "/v1/orders", Some(body.to_string())).await;
            let elapsed = t.elapsed();
            assert_eq!(status, 201, "{answer}");
            if i == 0 {
                eprintln!("first urgent order (cold caches): {:.1} ms", elapsed.as_secs_f64() * 1e3);
            } else {
                times.push(elapsed);
                inserted += usize::from(!answer["assignment"].is_null());
            }
            let order = answer["id"].as_str().expect("id");
            let (status, _) = call(&router, &token, "POST", &format!("/v1/orders/{order}/cancel"), None).await;
            assert_eq!(status, 200);
        }
        times.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        Latency {
            p50: ms(percentile(&times, 0.5)),
            p99: ms(percentile(&times, 0.99)),
            max: ms(*times.last().expect("samples")),
            inserted,
        }
    })
}

fn main() {
    let samples: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(200);
    let pbf = Path::new(ROOT).join("data/osm/andorra-2020-05-01.osm.pbf");
    let network =
        Arc::new(RoadNetwork::from_pbf(&pbf, &Mode::ALL).expect("the bundled extract loads"));
    let days = [
        ("plain", false, 0, false, "< 200"),
        ("plain beside solves on every core", false, 0, true, "as plain"),
        ("mixed", true, 10, false, "<= 15"),
    ];
    for (name, mixed, baths, beside, target) in days {
        let l = measure(&network, station_day(&network, mixed), baths, samples, beside);
        println!(
            "urgent insertion, {name} station day of 150 orders and 40 caregivers, {samples} orders: \
             p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms (target p99 {target} ms); {} inserted, {} left unassigned",
            l.p50, l.p99, l.max, l.inserted, samples - l.inserted
        );
    }
}
