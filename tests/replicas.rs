//! Two `serve` replicas on one PostgreSQL database, on each wake-up path (a NATS server of the
//! test's own; PostgreSQL's LISTEN/NOTIFY): clients post orders and urgent orders to both and
//! hold a station's stream on each; replica A is killed with SIGKILL while it holds a stream
//! and an order is half-sent to it (asserted); its subscriber resumes on B with its
//! Last-Event-ID. On the NATS path the NATS server is then killed too: orders are still taken
//! and streams read the database. After A's restart: every acknowledged order is on both,
//! every subscriber saw every event of the station once and in order, the day's plan passes
//! the independent checker (no caregiver double-booked), and a token revoked on B is refused
//! by both at once (the token cache is a minute long: only the bus can have told A).
//!
//! Needs PostgreSQL on 127.0.0.1:5432 and, for the NATS path, the `nats-server` program;
//! where they are missing the test says SKIPPED, unless CARECIRCLE_REQUIRE_POSTGRES=1 or
//! CARECIRCLE_REQUIRE_NATS=1 (set by CI) makes it fail.

#![cfg(unix)]

use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::process::{Child, Stdio};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod support {
    pub mod cluster;
    pub mod service_process;
}
use support::cluster::{
    all_events, checked_day_plan, get_json, half_sent_order, on_postgres, start_nats_on, subscribe,
    Nats, Seen,
};
use support::service_process::{admin_token, free_port, post_order, serve_with, wait_healthy};

/// A future day: nothing of it has started, so urgent orders always find room.
const DAY: &str = "2027-01-14";
const STATION: &str = "S1";
/// Clients of S1 in the demo scenario.
const CLIENTS: [&str; 8] = ["K1", "K4", "K7", "K10", "K13", "K16", "K19", "K22"];

fn order(n: usize, urgent: bool) -> Value {
    let start = 8 * 3600 + (n as i64 % 8) * 1800;
    json!({"client": CLIENTS[n % CLIENTS.len()], "date": DAY, "service": "replica-test",
           "duration": 1200, "windows": [{"start": start, "end": start + 6 * 3600}],
           "urgent": urgent})
}

/// A replica: its process and address.
struct Replica {
    child: Child,
    base: String,
    port: u16,
}

fn start(db: &str, port: u16, flags: &[&str]) -> Replica {
    let mut all = vec!["--time-limit", "1", "--token-cache-secs", "60"];
    all.extend_from_slice(flags);
    let child = serve_with(db, port, Stdio::inherit(), &all);
    Replica { child, base: format!("http://127.0.0.1:{port}"), port }
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Posts an urgent order to `base` and waits (three seconds at most: streams read the
/// database only every ten while the bus is up) until `seen`, a subscriber on the other
/// replica, hears of it: the wake-up crossed the bus.
async fn crosses_promptly(
    http: &reqwest::Client,
    (base, admin): (&str, &str),
    (key, n): (&str, usize),
    seen: &Seen,
) -> String {
    let before = seen.ids.lock().expect("ids").len();
    let id = post_order(http, base, admin, key, &order(n, true)).await.expect("taken");
    let deadline = Instant::now() + Duration::from_secs(3);
    while seen.ids.lock().expect("ids").len() == before {
        assert!(Instant::now() < deadline, "an order on {base} was not heard on the other replica");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    id
}

/// Waits until `base`'s `/readyz` reports the bus as `connected`.
async fn bus_becomes(http: &reqwest::Client, base: &str, kind: &str, connected: bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let r: Value = http
            .get(format!("{base}/readyz"))
            .send()
            .await
            .expect("readyz")
            .json()
            .await
            .expect("json");
        assert_eq!(r["bus"]["kind"], kind, "{r}");
        if r["bus"]["connected"] == connected {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the bus of {base} never became connected={connected}: {r}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn two_replicas(db: &str, nats: Option<(Nats, String)>) {
    let http = reqwest::Client::new();
    let admin = admin_token(db);
    let (nats_server, nats_flags) = match nats {
        Some((server, url)) => (Some(server), vec!["--nats".to_string(), url]),
        None => (None, Vec::new()),
    };
    let flags: Vec<&str> = nats_flags.iter().map(String::as_str).collect();
    let kind = if nats_server.is_some() { "nats" } else { "postgres" };
    let mut a = start(db, free_port(), &flags);
    wait_healthy(&http, &a.base).await;
    let b = start(db, free_port(), &flags);
    wait_healthy(&http, &b.base).await;
    bus_becomes(&http, &a.base, kind, true).await;
    bus_becomes(&http, &b.base, kind, true).await;
    let bases = vec![a.base.clone(), b.base.clone()];

    // The day's orders, to both replicas, and its plan.
    let acked: Arc<Mutex<BTreeMap<String, String>>> = Arc::default();
    for n in 0..8 {
        let key = format!("plain-{n}");
        let id = post_order(&http, &bases[n % 2], &admin, &key, &order(n, false)).await;
        acked.lock().expect("acked").insert(key, id.expect("a plain order is taken"));
    }
    let plan: Value = http
        .post(format!("{}/v1/plans", a.base))
        .bearer_auth(&admin)
        .json(&json!({"station": STATION, "date": DAY, "time_limit_secs": 1}))
        .send()
        .await
        .expect("plan")
        .json()
        .await
        .expect("json");
    let plan_id = plan["id"].as_i64().expect("plan id");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        // Followed on the replica that does not solve it.
        let (_, p) = get_json(&http, &format!("{}/v1/plans/{plan_id}", b.base), &admin).await;
        if p["status"] == "done" {
            break;
        }
        assert_ne!(p["status"], "failed", "{p}");
        assert!(Instant::now() < deadline, "the plan did not finish: {p}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // A stream on each replica, from the start of the station's stream.
    let on_a = subscribe(http.clone(), bases.clone(), 0, admin.clone(), STATION).await;
    let on_b = subscribe(http.clone(), bases.clone(), 1, admin.clone(), STATION).await;

    // Two clients post urgent orders to both replicas at once.
    let mut clients = Vec::new();
    for c in 0..2 {
        let (http, bases, admin, acked) =
            (http.clone(), bases.clone(), admin.clone(), acked.clone());
        clients.push(tokio::spawn(async move {
            for n in 0..6 {
                let key = format!("urgent-{c}-{n}");
                let at = &bases[(c + n) % 2];
                if let Some(id) =
                    post_order(&http, at, &admin, &key, &order(10 + 2 * n + c, true)).await
                {
                    acked.lock().expect("acked").insert(key, id);
                }
            }
        }));
    }
    for c in clients {
        c.await.expect("client");
    }
    assert_eq!(acked.lock().expect("acked").len(), 20, "every order taken while both run");
    let id = crosses_promptly(&http, (&a.base, &admin), ("a-to-b", 30), &on_b).await;
    acked.lock().expect("acked").insert("a-to-b".into(), id);

    // An urgent order half-sent to A when A is killed.
    let half = order(40, true);
    let in_flight = half_sent_order(&http, &a.base, &admin, "in-flight", &half).await;
    assert_eq!(on_a.reconnects.load(Ordering::Relaxed), 0, "A's subscriber is on A");
    a.child.kill().expect("SIGKILL");
    a.child.wait().expect("reaped");
    let answer = tokio::time::timeout(Duration::from_secs(10), in_flight)
        .await
        .expect("the half-sent order ends with A")
        .expect("task");
    assert!(answer.is_err(), "the half-sent order got no answer: {answer:?}");

    // B alone takes orders; A's subscriber goes on on B.
    for n in 0..2 {
        let key = format!("b-alone-{n}");
        let id = post_order(&http, &b.base, &admin, &key, &order(50 + n, true)).await;
        acked.lock().expect("acked").insert(key, id.expect("B takes orders while A is down"));
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while on_a.reconnects.load(Ordering::Relaxed) == 0 {
        assert!(Instant::now() < deadline, "A's subscriber never noticed A was gone");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // NATS goes away too: orders are still taken, streams read the database, and A restarts
    // without it.
    let nats_port = nats_server.map(|server| {
        let port: u16 =
            nats_flags[1].rsplit(':').next().and_then(|p| p.parse().ok()).expect("port");
        drop(server);
        port
    });
    if nats_port.is_some() {
        bus_becomes(&http, &b.base, kind, false).await;
        let key = "no-nats".to_string();
        let id = post_order(&http, &b.base, &admin, &key, &order(55, true)).await;
        acked.lock().expect("acked").insert(key, id.expect("B takes orders without NATS"));
    }

    // A comes back: the half-sent order is sent again under its key, once.
    let port = a.port;
    drop(a);
    let a = start(db, port, &flags);
    wait_healthy(&http, &a.base).await;
    let _nats_again = nats_port.map(|p| start_nats_on(p).expect("nats-server starts again"));
    bus_becomes(&http, &a.base, kind, true).await;
    bus_becomes(&http, &b.base, kind, true).await;
    // A new stream on the restarted A hears B's orders at once.
    let on_a_again = subscribe(http.clone(), bases.clone(), 0, admin.clone(), STATION).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while on_a_again.ids.lock().expect("ids").is_empty() {
        assert!(Instant::now() < deadline, "the restarted A streams nothing");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let id = crosses_promptly(&http, (&b.base, &admin), ("b-to-a", 31), &on_a_again).await;
    acked.lock().expect("acked").insert("b-to-a".into(), id);
    let retried = post_order(&http, &a.base, &admin, "in-flight", &order(40, true)).await;
    acked.lock().expect("acked").insert("in-flight".into(), retried.expect("the retry is taken"));
    for n in 0..2 {
        let key = format!("a-again-{n}");
        let id = post_order(&http, &a.base, &admin, &key, &order(60 + n, true)).await;
        acked.lock().expect("acked").insert(key, id.expect("A takes orders after its restart"));
    }

    // A dispatcher's token, used on both (so each keeps it for a minute), revoked on B:
    // refused by both at once.
    let made: Value = http
        .post(format!("{}/v1/tokens", b.base))
        .bearer_auth(&admin)
        .json(&json!({"role": "dispatcher", "stations": [STATION], "label": "to revoke"}))
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("json");
    let (id, secret) = (made["id"].as_str().expect("id"), made["token"].as_str().expect("secret"));
    for base in [&a.base, &b.base] {
        let url = format!("{base}/v1/stations/{STATION}/alerts?date={DAY}");
        assert_eq!(get_json(&http, &url, secret).await.0, 200, "{base}");
    }
    let revoked = http
        .post(format!("{}/v1/tokens/{id}/revoke", b.base))
        .bearer_auth(&admin)
        .send()
        .await
        .expect("revoke");
    assert_eq!(revoked.status(), 200);
    for base in [&a.base, &b.base] {
        let url = format!("{base}/v1/stations/{STATION}/alerts?date={DAY}");
        let deadline = Instant::now() + Duration::from_secs(5);
        while get_json(&http, &url, secret).await.0 != 401 {
            assert!(Instant::now() < deadline, "{base} still takes a revoked token");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    // Every acknowledged order is on both replicas; one order per key.
    let acked = acked.lock().expect("acked").clone();
    assert_eq!(acked.len(), 8 + 12 + 1 + 2 + usize::from(nats_port.is_some()) + 1 + 1 + 2);
    for (key, id) in &acked {
        for base in [&a.base, &b.base] {
            let (status, _) = get_json(&http, &format!("{base}/v1/orders/{id}"), &admin).await;
            assert_eq!(status, 200, "order {id} (key {key}) was acknowledged but {base} lacks it");
        }
    }
    let (_, listed) =
        get_json(&http, &format!("{}/v1/orders?date={DAY}&limit=500", b.base), &admin).await;
    let stored = listed["items"].as_array().expect("items").len();
    assert_eq!(stored, acked.len(), "one order per key: {listed}");

    // The station's stream is numbered 1, 2, ... and each subscriber saw all of it, once, in
    // order (the background improvements after the re-plans are let finish first).
    tokio::time::sleep(Duration::from_secs(3)).await;
    let all = all_events(&http, &a.base, &admin, STATION).await;
    let expected: Vec<String> = (1..=all.len()).map(|n| format!("{STATION}:{n}")).collect();
    assert_eq!(all, expected, "gap-free numbers");
    assert!(all.len() > 30, "urgent orders make events: {}", all.len());
    for (who, seen) in [("A's", &on_a), ("B's", &on_b), ("the restarted A's", &on_a_again)] {
        let deadline = Instant::now() + Duration::from_secs(20);
        while seen.ids.lock().expect("ids").len() < all.len() && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        seen.stop.store(true, Ordering::Relaxed);
        assert_eq!(*seen.ids.lock().expect("ids"), all, "{who} subscriber");
    }

    // The day's plan passes the independent checker: nobody double-booked, every open order
    // served or reported unassigned.
    let plan = checked_day_plan(db, STATION, DAY).await;
    assert_eq!(plan.kpis.visits_total, acked.len());
    assert!(plan.kpis.visits_served * 10 >= acked.len() * 9, "{:?}", plan.kpis);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_share_every_event_through_listen_notify() {
    on_postgres("cc_replicas_pg", false, |url, nats| async move { two_replicas(&url, nats).await })
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_share_every_event_through_nats() {
    on_postgres(
        "cc_replicas_nats",
        true,
        |url, nats| async move { two_replicas(&url, nats).await },
    )
    .await;
}
