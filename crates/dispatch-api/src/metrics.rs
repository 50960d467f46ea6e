//! Prometheus metrics, kept by hand: a few counters and one latency histogram need no
//! exporter crate. `GET /metrics` prints them in the text format.

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Instant;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] =
    [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

#[derive(Default)]
pub struct Metrics {
    /// `(method, route, status)` → count.
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    /// `(method, route)` → latency.
    latency: Mutex<BTreeMap<(String, String), Histogram>>,
    orders: AtomicU64,
}

impl Metrics {
    pub fn order_stored(&self) {
        self.orders.fetch_add(1, Ordering::Relaxed);
    }

    fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        if let Ok(mut r) = self.requests.lock() {
            *r.entry((method.into(), route.into(), status)).or_default() += 1;
        }
        if let Ok(mut l) = self.latency.lock() {
            let h = l.entry((method.into(), route.into())).or_default();
            for (i, &b) in BUCKETS.iter().enumerate() {
                if seconds <= b {
                    h.counts[i] += 1;
                }
            }
            h.count += 1;
            h.sum += seconds;
        }
    }

    /// The Prometheus text format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str("# HELP carecircle_http_requests_total HTTP requests answered.\n");
        out.push_str("# TYPE carecircle_http_requests_total counter\n");
        if let Ok(r) = self.requests.lock() {
            for ((method, route, status), n) in r.iter() {
                let _ = writeln!(
                    out,
                    "carecircle_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {n}"
                );
            }
        }
        out.push_str("# HELP carecircle_http_request_duration_seconds Time to answer.\n");
        out.push_str("# TYPE carecircle_http_request_duration_seconds histogram\n");
        if let Ok(l) = self.latency.lock() {
            for ((method, route), h) in l.iter() {
                let labels = format!("method=\"{method}\",route=\"{route}\"");
                for (b, c) in BUCKETS.iter().zip(h.counts) {
                    let _ = writeln!(out, "carecircle_http_request_duration_seconds_bucket{{{labels},le=\"{b}\"}} {c}");
                }
                let _ = writeln!(
                    out,
                    "carecircle_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                    h.count
                );
                let _ = writeln!(
                    out,
                    "carecircle_http_request_duration_seconds_sum{{{labels}}} {}",
                    h.sum
                );
                let _ = writeln!(
                    out,
                    "carecircle_http_request_duration_seconds_count{{{labels}}} {}",
                    h.count
                );
            }
        }
        out.push_str("# HELP carecircle_orders_stored_total Orders stored since the start.\n");
        out.push_str("# TYPE carecircle_orders_stored_total counter\n");
        let _ =
            writeln!(out, "carecircle_orders_stored_total {}", self.orders.load(Ordering::Relaxed));
        out
    }
}

/// Counts every request by its route pattern (never the raw path: ids would explode the
/// label set) and times it.
pub async fn track(
    State(metrics): State<std::sync::Arc<Metrics>>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let method = request.method().to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let response = next.run(request).await;
    metrics.observe(&method, &route, response.status().as_u16(), started.elapsed().as_secs_f64());
    response
}
