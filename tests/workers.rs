//! The chaos test of the solve queue: two `serve --api-only` replicas and two `carecircle
//! worker`s on one PostgreSQL database, on each queue path (NATS JetStream on a server of the
//! test's own; the database's own table). Clients post orders, urgent orders and plan requests
//! to both replicas and hold a station's stream on each; replica A and worker W1 are killed
//! with SIGKILL while W1 holds a running plan and A a stream and a half-sent order (asserted);
//! both restart (W1 under its own instance id). Then: no acknowledged order lost or doubled;
//! every station-day's plan passes the independent checker and holds every open order (no
//! caregiver double-booked); no plan left queued or running; no version stored under a lease
//! after a newer one was taken (versions' epochs never go back); each subscriber saw every
//! event once, in order. Then a worker paused (SIGSTOP) past its lease while it solves is
//! replaced, and once woken stores nothing under its lost lease; last, a worker told to stop
//! (SIGTERM) with a short grace hands its plan back and the other worker finishes it.
//!
//! Needs PostgreSQL on 127.0.0.1:5432 and, for the JetStream path, the `nats-server` program;
//! where they are missing the test says SKIPPED, unless CARECIRCLE_REQUIRE_POSTGRES=1 or
//! CARECIRCLE_REQUIRE_NATS=1 (set by CI) makes it fail.

#![cfg(unix)]

use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

mod support {
    pub mod cluster;
    pub mod service_process;
}
use support::cluster::{
    all_events, checked_day_plan, get_json, half_sent_order, on_postgres, subscribe, Nats,
};
use support::service_process::{
    admin_token, free_port, post_order, serve_with, wait_healthy, BIN, ROOT,
};

const DAYS: [&str; 2] = ["2027-03-09", "2027-03-10"];
const STATIONS: [&str; 3] = ["S1", "S2", "S3"];
/// How long each plan searches: long enough that a worker is killed mid-plan.
const PLAN_SECS: u64 = 4;

/// A process killed when the test ends, however it ends.
struct Process {
    child: Child,
    base: String,
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Process {
    fn kill(&mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reaped");
    }
}

fn replica(db: &str, port: u16, nats: &[&str]) -> Process {
    let mut flags = vec!["--api-only", "--time-limit", "30"];
    flags.extend_from_slice(nats);
    let child = serve_with(db, port, Stdio::inherit(), &flags);
    Process { child, base: format!("http://127.0.0.1:{port}") }
}

fn worker(db: &str, id: &str, port: u16, nats: &[&str], more: &[&str]) -> Process {
    let child = Command::new(BIN)
        .args(["--quiet", "worker", "--db", db, "--instance-id", id, "--concurrency", "1"])
        .args(["--addr", &format!("127.0.0.1:{port}"), "--time-limit", "30", "--scenario"])
        .arg(Path::new(ROOT).join("scenarios/demo.json"))
        .args(nats)
        .args(more)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("worker starts");
    Process { child, base: format!("http://127.0.0.1:{port}") }
}

/// The demo's clients by station.
fn clients() -> BTreeMap<String, Vec<String>> {
    let text = std::fs::read_to_string(Path::new(ROOT).join("scenarios/demo.json")).expect("demo");
    let demo: Value = serde_json::from_str(&text).expect("json");
    let mut by_station: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for c in demo["clients"].as_array().expect("clients") {
        let station = c["station"].as_str().expect("station").to_string();
        by_station.entry(station).or_default().push(c["id"].as_str().expect("id").to_string());
    }
    by_station
}

fn order(client: &str, day: &str, n: usize, urgent: bool) -> Value {
    let start = 8 * 3600 + (n as i64 % 8) * 1800;
    json!({"client": client, "date": day, "service": "chaos-test", "duration": 1200,
           "windows": [{"start": start, "end": start + 6 * 3600}], "urgent": urgent})
}

async fn request_plan(
    http: &reqwest::Client,
    base: &str,
    admin: &str,
    station: &str,
    day: &str,
) -> (u16, Value) {
    let r = http
        .post(format!("{base}/v1/plans"))
        .bearer_auth(admin)
        .json(&json!({"station": station, "date": day, "time_limit_secs": PLAN_SECS}))
        .send()
        .await
        .expect("plan request");
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

/// Waits (up to `secs`) until `sql` (one BIGINT) answers something other than 0.
async fn until_some(db: &sqlx::PgPool, sql: &str, secs: u64, what: &str) -> i64 {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let n: i64 = sqlx::query_scalar(&format!("SELECT CAST(COALESCE(({sql}), 0) AS BIGINT)"))
            .fetch_one(db)
            .await
            .expect(what);
        if n != 0 {
            return n;
        }
        assert!(Instant::now() < deadline, "{what}: never happened");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Asks for a 20 s plan of `station`'s `day`; its id.
async fn long_plan(
    http: &reqwest::Client,
    base: &str,
    admin: &str,
    station: &str,
    day: &str,
) -> i64 {
    let r = http
        .post(format!("{base}/v1/plans"))
        .bearer_auth(admin)
        .json(&json!({"station": station, "date": day, "time_limit_secs": 20}))
        .send()
        .await
        .expect("plan");
    assert_eq!(r.status().as_u16(), 202);
    r.json::<Value>().await.expect("json")["id"].as_i64().expect("id")
}

async fn chaos(db: &str, nats: Option<(Nats, String)>) {
    let http = reqwest::Client::new();
    let admin = admin_token(db);
    let pool =
        sqlx::postgres::PgPoolOptions::new().max_connections(2).connect(db).await.expect("db");
    let (_nats_server, nats_flags) = match nats {
        Some((server, url)) => (Some(server), vec!["--nats".to_string(), url]),
        None => (None, Vec::new()),
    };
    let nats_flags: Vec<&str> = nats_flags.iter().map(String::as_str).collect();
    let queue = if nats_flags.is_empty() { "postgres" } else { "jetstream" };
    let mut a = replica(db, free_port(), &nats_flags);
    let b = replica(db, free_port(), &nats_flags);
    let mut w1 = worker(db, "w1", free_port(), &nats_flags, &[]);
    let w2 = worker(db, "w2", free_port(), &nats_flags, &[]);
    for p in [&a, &b, &w1, &w2] {
        wait_healthy(&http, &p.base).await;
        let (_, ready) = get_json(&http, &format!("{}/readyz", p.base), "").await;
        assert_eq!(ready["queue"]["kind"], queue, "{ready}");
    }
    let bases = vec![a.base.clone(), b.base.clone()];
    let clients = clients();

    // Each station-day's orders, to both replicas.
    let mut acked: BTreeMap<String, (String, String, String)> = BTreeMap::new();
    let mut n = 0;
    for day in DAYS {
        for station in STATIONS {
            for client in clients[station].iter().take(6) {
                n += 1;
                let key = format!("plain-{n}");
                let id =
                    post_order(&http, &bases[n % 2], &admin, &key, &order(client, day, n, false))
                        .await;
                acked
                    .insert(key, (id.expect("a plain order is taken"), station.into(), day.into()));
            }
        }
    }
    // A stream of S1 on each replica.
    let on_a = subscribe(http.clone(), bases.clone(), 0, admin.clone(), "S1").await;
    let on_b = subscribe(http.clone(), bases.clone(), 1, admin.clone(), "S1").await;

    // Every station-day's plan, asked of both replicas; a second request of a day is refused
    // naming the plan being solved.
    let mut plans = Vec::new();
    for (k, (day, station)) in
        DAYS.iter().flat_map(|d| STATIONS.iter().map(move |s| (*d, *s))).enumerate()
    {
        let (status, body) = request_plan(&http, &bases[k % 2], &admin, station, day).await;
        assert_eq!(status, 202, "{body}");
        let id = body["id"].as_i64().expect("plan id");
        if k == 0 {
            let (again, refused) = request_plan(&http, &bases[1], &admin, station, day).await;
            assert_eq!(again, 409, "{refused}");
            assert!(
                refused["detail"].as_str().unwrap_or("").contains(&format!("plan {id}")),
                "{refused}"
            );
        }
        plans.push(id);
    }

    // W1 holds a running plan, A a stream and a half-sent order: both are killed.
    let held = until_some(
        &pool,
        "SELECT COALESCE(MIN(id), 0) FROM plans WHERE status = 'running' AND lease_owner = 'w1'",
        60,
        "W1 runs a plan",
    )
    .await;
    let half = order(&clients["S1"][7], DAYS[0], 40, true);
    let in_flight = half_sent_order(&http, &a.base, &admin, "in-flight", &half).await;
    assert_eq!(on_a.reconnects.load(Ordering::Relaxed), 0, "A's subscriber is on A");
    let status: String = sqlx::query_scalar("SELECT status FROM plans WHERE id = $1")
        .bind(held)
        .fetch_one(&pool)
        .await
        .expect("plan");
    assert_eq!(status, "running", "W1 still holds plan {held} when it is killed");
    w1.kill();
    a.kill();
    let answer = tokio::time::timeout(Duration::from_secs(10), in_flight)
        .await
        .expect("ends with A")
        .expect("task");
    assert!(answer.is_err(), "the half-sent order got no answer: {answer:?}");

    // B alone takes urgent orders meanwhile.
    for (k, day) in DAYS.iter().enumerate() {
        let key = format!("b-alone-{k}");
        let id =
            post_order(&http, &b.base, &admin, &key, &order(&clients["S1"][6], day, 50 + k, true))
                .await;
        acked.insert(
            key,
            (id.expect("B takes orders while A is down"), "S1".into(), day.to_string()),
        );
    }

    // Both come back; the half-sent order is sent again under its key.
    let a_port: u16 = a.base.rsplit(':').next().and_then(|p| p.parse().ok()).expect("port");
    let w1_port: u16 = w1.base.rsplit(':').next().and_then(|p| p.parse().ok()).expect("port");
    drop(a);
    drop(w1);
    let a = replica(db, a_port, &nats_flags);
    let w1 = worker(db, "w1", w1_port, &nats_flags, &[]);
    wait_healthy(&http, &a.base).await;
    let retried = post_order(
        &http,
        &a.base,
        &admin,
        "in-flight",
        &order(&clients["S1"][7], DAYS[0], 40, true),
    )
    .await;
    acked.insert(
        "in-flight".into(),
        (retried.expect("the retry is taken"), "S1".into(), DAYS[0].into()),
    );
    for (k, station) in STATIONS.iter().enumerate() {
        let key = format!("after-{k}");
        let id = post_order(
            &http,
            &bases[k % 2],
            &admin,
            &key,
            &order(&clients[*station][8], DAYS[1], 60 + k, true),
        )
        .await;
        acked.insert(
            key,
            (id.expect("orders after the restart"), station.to_string(), DAYS[1].into()),
        );
    }

    // Every plan ends: done, none failed or left running.
    until_some(&pool, "SELECT CASE WHEN COUNT(*) = 0 THEN 1 ELSE 0 END FROM plans WHERE status IN ('queued', 'running')", 180, "every plan ends").await;
    for id in &plans {
        let (_, p) = get_json(&http, &format!("{}/v1/plans/{id}", b.base), &admin).await;
        assert_eq!(p["status"], "done", "{p}");
    }
    let attempts: i64 = sqlx::query_scalar("SELECT attempts FROM plans WHERE id = $1")
        .bind(held)
        .fetch_one(&pool)
        .await
        .expect("attempts");
    assert!(attempts >= 2, "plan {held} was taken again after W1 was killed: {attempts} attempts");

    // Fencing: a plan's versions were stored under ever newer leases, never an older one
    // after a newer one was taken; its last one under the lease that finished it.
    let rows: Vec<(i64, i64, Option<i64>)> = sqlx::query_as("SELECT plan_id, seq, lease_epoch FROM plan_versions WHERE plan_id = ANY($1) ORDER BY plan_id, seq").bind(&plans).fetch_all(&pool).await.expect("versions");
    for plan in &plans {
        let epochs: Vec<i64> = rows
            .iter()
            .filter(|r| r.0 == *plan)
            .map(|r| r.2.expect("a solve's version has its epoch"))
            .collect();
        assert!(!epochs.is_empty(), "plan {plan} has versions");
        assert!(epochs.windows(2).all(|w| w[0] <= w[1]), "plan {plan}: epochs {epochs:?}");
        let last: i64 = sqlx::query_scalar("SELECT lease_epoch FROM plans WHERE id = $1")
            .bind(plan)
            .fetch_one(&pool)
            .await
            .expect("epoch");
        assert_eq!(epochs.last(), Some(&last), "plan {plan}");
    }

    // Every acknowledged order, once, on both replicas; every station-day's plan passes the
    // checker and holds every open order.
    tokio::time::sleep(Duration::from_secs(3)).await; // improvements after re-plans end
    for (key, (id, _, _)) in &acked {
        for base in [&a.base, &b.base] {
            let (status, _) = get_json(&http, &format!("{base}/v1/orders/{id}"), &admin).await;
            assert_eq!(status, 200, "order {id} (key {key}) was acknowledged but {base} lacks it");
        }
    }
    for day in DAYS {
        for station in STATIONS {
            let url = format!("{}/v1/orders?date={day}&station={station}&limit=500", a.base);
            let (_, listed) = get_json(&http, &url, &admin).await;
            let stored = listed["items"].as_array().expect("items").len();
            let expected = acked.values().filter(|(_, s, d)| s == station && d == day).count();
            assert_eq!(stored, expected, "{station} {day}: one order per key");
            let plan = checked_day_plan(db, station, day).await;
            assert_eq!(
                plan.kpis.visits_total, expected,
                "{station} {day}: every open order in the plan"
            );
        }
    }

    // The stream of S1 is numbered 1, 2, ... and each subscriber saw all of it once, in order.
    let all = all_events(&http, &b.base, &admin, "S1").await;
    let expected: Vec<String> = (1..=all.len()).map(|n| format!("S1:{n}")).collect();
    assert_eq!(all, expected, "gap-free numbers");
    for (who, seen) in [("A's", &on_a), ("B's", &on_b)] {
        let deadline = Instant::now() + Duration::from_secs(20);
        while seen.ids.lock().expect("ids").len() < all.len() && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        seen.stop.store(true, Ordering::Relaxed);
        assert_eq!(*seen.ids.lock().expect("ids"), all, "{who} subscriber");
    }

    // A worker paused (SIGSTOP) past its lease while it solves: the other takes the plan over;
    // woken, the paused one stores nothing more, and the plan's versions never go back to its
    // epoch.
    let paused = long_plan(&http, &a.base, &admin, "S3", DAYS[1]).await;
    let sql = format!("SELECT CASE lease_owner WHEN 'w1' THEN 1 WHEN 'w2' THEN 2 ELSE 0 END FROM plans WHERE id = {paused} AND status = 'running'");
    let holder = until_some(&pool, &sql, 60, "the plan to pause runs").await;
    let sql = format!("SELECT COUNT(*) FROM plan_versions WHERE plan_id = {paused}");
    until_some(&pool, &sql, 60, "a version before the pause").await;
    let sql = format!("SELECT lease_epoch FROM plans WHERE id = {paused}");
    let first_epoch = until_some(&pool, &sql, 5, "its epoch").await;
    let pid = if holder == 1 { w1.child.id() } else { w2.child.id() }.to_string();
    assert!(Command::new("kill").args(["-STOP", &pid]).status().expect("kill").success());
    let sql = format!("SELECT CASE WHEN lease_epoch > {first_epoch} THEN 1 ELSE 0 END FROM plans WHERE id = {paused}");
    until_some(&pool, &sql, 90, "the other worker takes the paused one's plan over").await;
    assert!(Command::new("kill").args(["-CONT", &pid]).status().expect("kill").success());
    let sql = format!(
        "SELECT CASE WHEN status = 'done' THEN 1 ELSE 0 END FROM plans WHERE id = {paused}"
    );
    until_some(&pool, &sql, 90, "the plan taken over is finished").await;
    tokio::time::sleep(Duration::from_secs(6)).await; // the woken worker's renewal comes and fails
    let epochs: Vec<Option<i64>> =
        sqlx::query_scalar("SELECT lease_epoch FROM plan_versions WHERE plan_id = $1 ORDER BY seq")
            .bind(paused)
            .fetch_all(&pool)
            .await
            .expect("versions");
    let epochs: Vec<i64> = epochs.into_iter().map(|e| e.expect("an epoch")).collect();
    assert!(epochs.windows(2).all(|w| w[0] <= w[1]), "paused plan: epochs {epochs:?}");
    assert_eq!(epochs.first(), Some(&first_epoch), "{epochs:?}");
    assert!(epochs.last() > Some(&first_epoch), "finished under the new lease: {epochs:?}");

    // W2 told to stop with a second's grace while it runs a long plan: handed back, and W1
    // solves it.
    drop(w2);
    let w3 = worker(db, "w3", free_port(), &nats_flags, &["--stop-grace-secs", "1"]);
    wait_healthy(&http, &w3.base).await;
    let long = long_plan(&http, &a.base, &admin, "S2", DAYS[0]).await;
    let holder = until_some(&pool, &format!("SELECT CASE lease_owner WHEN 'w1' THEN 1 WHEN 'w3' THEN 3 ELSE 0 END FROM plans WHERE id = {long} AND status = 'running'"), 60, "the long plan runs").await;
    let (mut stopping, other) = if holder == 3 { (w3, w1) } else { (w1, w3) };
    let pid = stopping.child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().expect("kill").success());
    let exited = tokio::task::spawn_blocking(move || stopping.child.wait())
        .await
        .expect("join")
        .expect("wait");
    assert!(exited.success(), "a worker told to stop exits cleanly: {exited:?}");
    until_some(
        &pool,
        &format!("SELECT CASE WHEN status = 'done' THEN 1 ELSE 0 END FROM plans WHERE id = {long}"),
        90,
        "the handed-back plan is finished by the other worker",
    )
    .await;
    let owner: Option<String> = sqlx::query_scalar("SELECT lease_owner FROM plans WHERE id = $1")
        .bind(long)
        .fetch_one(&pool)
        .await
        .expect("owner");
    assert_eq!(owner, None);
    let attempts: i64 = sqlx::query_scalar("SELECT attempts FROM plans WHERE id = $1")
        .bind(long)
        .fetch_one(&pool)
        .await
        .expect("attempts");
    assert_eq!(attempts, 1, "a plan handed back is not counted as a failed attempt");
    drop(other);
    pool.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workers_survive_chaos_on_the_postgres_queue() {
    on_postgres("cc_workers_pg", false, |url, nats| async move { chaos(&url, nats).await }).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workers_survive_chaos_on_jetstream() {
    on_postgres("cc_workers_js", true, |url, nats| async move { chaos(&url, nats).await }).await;
}
