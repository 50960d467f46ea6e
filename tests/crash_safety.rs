//! Crash safety of the dispatch service, on SQLite and PostgreSQL: clients post orders under
//! Idempotency-Keys while the server process is killed with SIGKILL; after a restart every
//! order that got a 2xx is there, and retrying every request (answered or not) under its key
//! creates no duplicate.

#![cfg(unix)]

use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

mod support {
    pub mod service_process;
}
use support::service_process::{
    admin_token, free_port, post_order, postgres_schema, serve, wait_healthy,
};

fn order_body(n: usize) -> Value {
    json!({"client": format!("K{}", 1 + n % 150), "date": "2026-11-30", "service": "crash-test",
           "duration": 600, "windows": [{"start": 36000, "end": 40000}]})
}

/// Posts order `n` under its own key; its id when acknowledged.
async fn post(http: &reqwest::Client, base: &str, token: &str, n: usize) -> Option<String> {
    post_order(http, base, token, &format!("crash-{n}"), &order_body(n)).await
}

async fn crash_and_recover(db: &str) {
    let token = admin_token(db);
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let mut server = serve(db, port, Stdio::null());
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

    let mut server = serve(db, port, Stdio::null());
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
    let schema = format!("cc_crash_{}", std::process::id());
    let (url, admin) = match postgres_schema(&schema).await {
        Ok(found) => found,
        Err(why) => {
            if std::env::var("CARECIRCLE_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
                panic!("PostgreSQL is required: {why}");
            }
            eprintln!("SKIPPED on PostgreSQL: {why}");
            return;
        }
    };
    crash_and_recover(&url).await;
    sqlx::query(&format!("DROP SCHEMA {schema} CASCADE")).execute(&admin).await.expect("drop");
}
