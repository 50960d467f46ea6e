//! Graceful shutdown of the dispatch service: on SIGTERM a request in flight still gets its
//! answer, open event streams end cleanly, and the process exits with success.

#![cfg(unix)]

use futures_util::StreamExt;
use std::process::Stdio;
use std::time::{Duration, Instant};

mod support {
    pub mod service_process;
}
use support::service_process::{admin_token, free_port, serve, wait_healthy};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_finishes_requests_in_flight_and_closes_streams() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = format!("sqlite://{}", dir.path().join("stop.db").display());
    let token = admin_token(&db);
    let port = free_port();
    let mut server = serve(&db, port, Stdio::null());
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    wait_healthy(&http, &base).await;
    let stream = http
        .get(format!("{base}/v1/stations/S1/events"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("stream opens");
    // A request that takes a while: simulating many weeks of demand.
    let slow = {
        let (http, base, token) = (http.clone(), base.clone(), token.clone());
        tokio::spawn(async move {
            http.post(format!("{base}/v1/planner/simulate"))
                .bearer_auth(&token)
                .json(&serde_json::json!({"date": "2026-11-25", "levels": [2, 4, 6, 8], "iterations": 3000, "seed": 1}))
                .send()
                .await
        })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!slow.is_finished(), "the request is still in flight when the signal comes");
    // SAFETY: sending SIGTERM to our own child process.
    unsafe {
        libc::kill(server.id() as i32, libc::SIGTERM);
    }
    let answer = slow.await.expect("task").expect("the request in flight is answered");
    assert_eq!(answer.status(), reqwest::StatusCode::OK);
    let ended =
        tokio::time::timeout(Duration::from_secs(10), stream.bytes_stream().for_each(|_| async {}))
            .await;
    assert!(ended.is_ok(), "the event stream ends on shutdown");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = server.try_wait().expect("wait") {
            assert!(status.success(), "exits cleanly: {status}");
            break;
        }
        assert!(Instant::now() < deadline, "the service did not stop");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
