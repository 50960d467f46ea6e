//! Load on `POST /v1/orders`: starts `carecircle serve` (SQLite, then PostgreSQL if a
//! server answers), drives it from this second process on loopback with many connections
//! for a fixed time, and prints throughput and p50/p99 latency. Target: >= 2,000 orders/s
//! with p99 <= 50 ms on each. Each database is loaded twice, each time fresh: with the
//! default token cache (a token is read again after 5 s, so a revocation reaches every
//! replica within 5 s) and with `--token-cache-secs 0` (read on every request); the ratio
//! of the two is what the 5 s of grace buys.
//!
//! `cargo bench --bench orders_load [-- --seconds 10 --connections 32 --db sqlite|postgres|both]`

use serde_json::json;
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[path = "../tests/support/service_process.rs"]
mod service_process;
use service_process::{admin_token, free_port, postgres_schema, serve_with, wait_healthy};

struct Options {
    seconds: u64,
    connections: usize,
    db: String,
}

fn options() -> Options {
    let args: Vec<String> = std::env::args().collect();
    let value =
        |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    Options {
        seconds: value("--seconds").and_then(|v| v.parse().ok()).unwrap_or(10),
        connections: value("--connections").and_then(|v| v.parse().ok()).unwrap_or(32),
        db: value("--db").unwrap_or_else(|| "both".into()),
    }
}

/// Orders per second.
async fn run(label: &str, db: &str, o: &Options, flags: &[&str]) -> f64 {
    let token = admin_token(db);
    let port = free_port();
    let mut server = serve_with(db, port, Stdio::inherit(), flags);
    let base = format!("http://127.0.0.1:{port}");
    let http =
        reqwest::Client::builder().pool_max_idle_per_host(o.connections).build().expect("client");
    wait_healthy(&http, &base).await;
    let counter = Arc::new(AtomicUsize::new(0));
    let errors = Arc::new(AtomicUsize::new(0));
    let deadline = Instant::now() + Duration::from_secs(o.seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..o.connections {
        let (http, base, token, counter, errors) =
            (http.clone(), base.clone(), token.clone(), counter.clone(), errors.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            while Instant::now() < deadline {
                let n = counter.fetch_add(1, Ordering::Relaxed);
                let body = json!({"client": format!("K{}", 1 + n % 150), "date": "2026-12-01", "service": "meal",
                                  "duration": 900, "windows": [{"start": 39600, "end": 45000}]});
                let t = Instant::now();
                let ok = http
                    .post(format!("{base}/v1/orders"))
                    .bearer_auth(&token)
                    .header("Idempotency-Key", format!("load-{n}"))
                    .json(&body)
                    .send()
                    .await
                    .is_ok_and(|r| r.status() == reqwest::StatusCode::CREATED);
                latencies.push(t.elapsed());
                if !ok {
                    errors.fetch_add(1, Ordering::Relaxed);
                }
            }
            latencies
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.expect("task"));
    }
    let elapsed = started.elapsed().as_secs_f64();
    server.kill().expect("stop");
    let _ = server.wait();
    all.sort();
    let pct = |p: f64| {
        all[((all.len() as f64 * p).ceil() as usize).clamp(1, all.len()) - 1].as_secs_f64() * 1e3
    };
    let rate = all.len() as f64 / elapsed;
    println!(
        "POST /v1/orders on {label}: {:.0} orders/s over {:.1} s with {} connections, p50 {:.1} ms, p99 {:.1} ms, \
         {} errors (target >= 2000/s, p99 <= 50 ms)",
        rate,
        elapsed,
        o.connections,
        pct(0.5),
        pct(0.99),
        errors.load(Ordering::Relaxed)
    );
    rate
}

/// What a fresh database leaves to clear away.
enum Fresh {
    /// The folder of the SQLite file, removed when dropped.
    Sqlite(tempfile::TempDir),
    Postgres {
        schema: String,
        admin: sqlx::PgPool,
    },
}

impl Fresh {
    async fn clear(self) {
        match self {
            Fresh::Sqlite(dir) => drop(dir),
            Fresh::Postgres { schema, admin } => {
                let sql = format!("DROP SCHEMA {schema} CASCADE");
                sqlx::query(&sql).execute(&admin).await.expect("drop");
            }
        }
    }
}

/// A fresh database of `kind`: its URL and what to clear after.
async fn fresh(kind: &str, n: usize) -> Result<(String, Fresh), String> {
    if kind == "SQLite" {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("load.db").display());
        return Ok((url, Fresh::Sqlite(dir)));
    }
    let schema = format!("cc_load_{}_{n}", std::process::id());
    let (url, admin) = postgres_schema(&schema).await?;
    Ok((url, Fresh::Postgres { schema, admin }))
}

/// Loads a fresh database of `kind` with each token cache; prints the ratio.
async fn both_caches(kind: &str, o: &Options) {
    let mut rates = Vec::new();
    let caches: [(&str, &[&str]); 2] =
        [("token cache 5 s", &[]), ("token read every request", &["--token-cache-secs", "0"])];
    for (n, (what, flags)) in caches.into_iter().enumerate() {
        let (db, cleared) = match fresh(kind, n).await {
            Ok(fresh) => fresh,
            Err(why) => return println!("POST /v1/orders on {kind}: SKIPPED, {why}"),
        };
        rates.push(run(&format!("{kind}, {what}"), &db, o, flags).await);
        cleared.clear().await;
    }
    println!(
        "{kind}: reading the token on every request gives {:.2}x the orders/s of the 5 s cache",
        rates[1] / rates[0]
    );
}

fn main() {
    let o = options();
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    runtime.block_on(async {
        if o.db == "sqlite" || o.db == "both" {
            both_caches("SQLite", &o).await;
        }
        if o.db == "postgres" || o.db == "both" {
            both_caches("PostgreSQL", &o).await;
        }
    });
}
