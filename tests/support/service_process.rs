//! `carecircle serve` as a separate process, for the tests and benchmarks that must kill,
//! signal or load it from outside: a free port, an admin token, starting it on the demo
//! scenario, waiting until it answers, and a fresh PostgreSQL schema.

#![allow(dead_code)]

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_carecircle");
pub const ROOT: &str = env!("CARGO_MANIFEST_DIR");

pub fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

/// A new admin token in the database at `db` (migrating it first, as the command does).
pub fn admin_token(db: &str) -> String {
    create_token(db, &["--role", "admin", "--label", "process-test"])
}

/// A new token made by `carecircle token create --db db` with `args` (`--role ...`).
pub fn create_token(db: &str, args: &[&str]) -> String {
    let out = Command::new(BIN)
        .args(["--quiet", "token", "create", "--db", db])
        .args(args)
        .output()
        .expect("token create runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8").trim().to_string()
}

/// `carecircle --quiet serve` on the demo scenario at 127.0.0.1:`port`.
pub fn serve(db: &str, port: u16, stderr: Stdio) -> Child {
    serve_with(db, port, stderr, &[])
}

/// As [`serve`], with more of `serve`'s flags.
pub fn serve_with(db: &str, port: u16, stderr: Stdio, flags: &[&str]) -> Child {
    Command::new(BIN)
        .args(["--quiet", "serve", "--scenario"])
        .arg(Path::new(ROOT).join("scenarios/demo.json"))
        .args(["--db", db, "--addr", &format!("127.0.0.1:{port}")])
        .args(flags)
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .expect("serve starts")
}

/// `carecircle --quiet serve --demo` on `db` at 127.0.0.1:`port`, and the four `NAME=token`
/// pairs it prints (ADMIN_TOKEN, DISPATCHER_TOKEN, CAREGIVER_TOKEN, PLANNER_TOKEN), once it
/// answers. Its later output is read as a terminal would, and its errors shown with the
/// test's output.
pub fn serve_demo(db: &str, port: u16) -> (Child, Vec<(String, String)>) {
    use std::io::{BufRead, BufReader};
    let mut server = Command::new(BIN)
        .args(["--quiet", "serve", "--demo", "--db", db, "--addr", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("serve --demo");
    let stdout = server.stdout.take().expect("stdout");
    let stderr = BufReader::new(server.stderr.take().expect("stderr"));
    std::thread::spawn(move || {
        for line in stderr.lines().map_while(Result::ok).filter(|l| l.contains("ERROR")) {
            eprintln!("serve: {line}");
        }
    });
    let mut lines = BufReader::new(stdout).lines();
    let mut tokens = Vec::new();
    for line in lines.by_ref().map_while(Result::ok) {
        if let Some(export) = line.trim().strip_prefix("export ") {
            let assignment = export.split_whitespace().next().unwrap_or_default();
            if let Some((name, value)) = assignment.split_once('=') {
                tokens.push((name.to_string(), value.to_string()));
            }
        }
        if tokens.len() == 4 {
            break;
        }
    }
    assert_eq!(tokens.len(), 4, "serve --demo prints one token per role");
    std::thread::spawn(move || lines.for_each(drop));
    let up = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(up.elapsed() < Duration::from_secs(60), "the service did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    (server, tokens)
}

/// Waits (up to a minute) until `base/healthz` answers 2xx.
pub async fn wait_healthy(http: &reqwest::Client, base: &str) {
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

/// The PostgreSQL server the tests use.
pub fn postgres_url() -> String {
    std::env::var("CARECIRCLE_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_string())
}

/// A fresh schema `name` on the test server and the URL that uses it, with a pool to drop it
/// afterwards; `Err` with the reason when no server answers.
pub async fn postgres_schema(name: &str) -> Result<(String, sqlx::PgPool), String> {
    let base = postgres_url();
    let admin = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .acquire_timeout(Duration::from_secs(3))
        .connect(&base)
        .await
        .map_err(|e| format!("no server answers at {base}: {e}"))?;
    sqlx::query(&format!("DROP SCHEMA IF EXISTS {name} CASCADE"))
        .execute(&admin)
        .await
        .expect("drop");
    sqlx::query(&format!("CREATE SCHEMA {name}")).execute(&admin).await.expect("schema");
    Ok((format!("{base}?options=-c%20search_path%3D{name}"), admin))
}

/// Posts an order to `base` under `key`; its id when acknowledged.
pub async fn post_order(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    key: &str,
    body: &serde_json::Value,
) -> Option<String> {
    let r = http
        .post(format!("{base}/v1/orders"))
        .bearer_auth(token)
        .header("Idempotency-Key", key)
        .json(body)
        .timeout(Duration::from_secs(20))
        .send()
        .await
        .ok()?;
    if !r.status().is_success() {
        return None;
    }
    let body: serde_json::Value = r.json().await.ok()?;
    body["id"].as_str().map(str::to_string)
}
