//! Crash safety of the dispatch service, on SQLite and PostgreSQL: clients post orders under
//! Idempotency-Keys while the server process is killed with SIGKILL; after a restart every
//! order that got a 2xx is there, and retrying every request (answered or not) under its key
//! creates no duplicate.

#![cfg(unix)]

use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_carecircle");
const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

fn admin_token(db: &str) -> String {
    let out = Command::new(BIN)
        .args(["token", "create", "--db", db, "--role", "admin", "--label", "crash-test"])
        .output()
        .expect("token create runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8").trim().to_string()
}

fn start(db: &str, port: u16) -> Child {
    let scenario = Path::new(ROOT).join("scenarios/demo.json");
    Command::new(BIN)
        .args(["--quiet", "serve", "--scenario"])
        .arg(&scenario)
        .args(["--db", db, "--addr", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve starts")
}

async fn wait_healthy(http: &reqwest::Client, base: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Ok(r) = http.get(format!("{base}/healthz")).send().await {
            if r.status().is_success() {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the service did not come up at {base}");
}

fn order_body(n: usize) -> String {
    json!({"client": format!("K{}", 1 + n % 150), "date": "2026-11-30", "service": "crash-test",
           "duration": 600, "windows": [{"start": 36000, "end": 40000}]})
    .to_string()
}

async fn post(http: &reqwest::Client, base: &str, token: &str, n: usize) -> Option<String> {
    let r = http
        .post(format!("{base}/v1/orders"))
        .bearer_auth(token)
        .header("Idempotency-Key", format!("crash-{n}"))
        .header("content-type", "application/json")
        .body(order_body(n))
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .ok()?;
    if !r.status().is_success() {
        return None;
    }
    let body: Value = r.json().await.ok()?;
    body["id"].as_str().map(str::to_string)
}

async fn crash_and_recover(db: &str) {
    let token = admin_token(db);
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let mut server = start(db, port);
    wait_healthy(&http, &base).await;

    // Four clients post as fast as they can; the server is killed mid-stream.
    let acked: Arc<Mutex<BTreeMap<usize, String>>> = Arc::default();
    let mut clients = Vec::new();
    for c in 0..4 {
        let (http, base, token, acked) = (http.clone(), base.clone(), token.clone(), acked.clone());
        clients.push(tokio::spawn(async move {
            let mut sent = Vec::new();
            for n in (c..).step_by(4) {
                sent.push(n);
                match post(&http, &base, &token, n).await {
                    Some(id) => {
                        acked.lock().expect("lock").insert(n, id);
                    }
                    None => break, // the server is gone
                }
            }
            sent
        }));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    server.kill().expect("SIGKILL");
    server.wait().expect("reaped");
    let mut sent = BTreeSet::new();
    for c in clients {
        sent.extend(c.await.expect("client"));
    }
    let acked = acked.lock().expect("lock").clone();
    assert!(acked.len() > 20, "the clients got going before the kill: {}", acked.len());

    let mut server = start(db, port);
    wait_healthy(&http, &base).await;
    // Every acknowledged order is there, as acknowledged.
    for (n, id) in &acked {
        let r = http
            .get(format!("{base}/v1/orders/{id}"))
            .bearer_auth(&token)
            .send()
            .await
            .expect("get");
        assert_eq!(
            r.status(),
            reqwest::StatusCode::OK,
            "order {id} (request {n}) was acknowledged but is lost"
        );
    }
    // Retrying everything under the same keys creates nothing new and answers the same ids.
    for n in &sent {
        let id = post(&http, &base, &token, *n).await.expect("a retry is answered");
        if let Some(first) = acked.get(n) {
            assert_eq!(&id, first, "request {n} was answered with another order");
        }
    }
    let mut stored = 0;
    let mut cursor = String::new();
    loop {
        let page: Value = http
            .get(format!("{base}/v1/orders?date=2026-11-30&limit=500&cursor={cursor}"))
            .bearer_auth(&token)
            .send()
            .await
            .expect("list")
            .json()
            .await
            .expect("json");
        stored += page["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter(|o| o["service"] == "crash-test")
            .count();
        match page["next"].as_str() {
            Some(next) => cursor = next.to_string(),
            None => break,
        }
    }
    assert_eq!(stored, sent.len(), "one order per request, no duplicates");
    server.kill().expect("stop");
    let _ = server.wait();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn orders_survive_sigkill_on_sqlite() {
    let dir = tempfile::tempdir().expect("temp dir");
    crash_and_recover(&format!("sqlite://{}", dir.path().join("crash.db").display())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn orders_survive_sigkill_on_postgres() {
    let base = std::env::var("CARECIRCLE_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_string());
    let admin = match sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .acquire_timeout(Duration::from_secs(3))
        .connect(&base)
        .await
    {
        Ok(pool) => pool,
        Err(e) => {
            if std::env::var("CARECIRCLE_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
                panic!("PostgreSQL at {base} is required: {e}");
            }
            eprintln!("SKIPPED on PostgreSQL: no server answers at {base}: {e}");
            return;
        }
    };
    let schema = format!("cc_crash_{}", std::process::id());
    sqlx::query(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
        .execute(&admin)
        .await
        .expect("drop");
    sqlx::query(&format!("CREATE SCHEMA {schema}")).execute(&admin).await.expect("schema");
    crash_and_recover(&format!("{base}?options=-c%20search_path%3D{schema}")).await;
    sqlx::query(&format!("DROP SCHEMA {schema} CASCADE")).execute(&admin).await.expect("drop");
}
