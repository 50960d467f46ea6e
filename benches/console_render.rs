//! The dispatcher console on a county-sized day, in Debian's Chromium (headless): generates
//! one station with 300 caregivers and about 1,200 visits on the bundled extract, serves it,
//! plans the day through the API, then opens the console with `?perf` and prints
//! - the time from navigation to the first complete (painted) render, over a few loads;
//! - the frame times (p50, p95, max and frames over 50 ms) while the station's stream brings
//!   urgent orders and check-ins, each of which the page shows without a reload.
//!
//! `cargo bench --bench console_render [-- --caregivers 300 --clients 1200 --updates 20
//! --plan-seconds 30 --loads 3]`. Needs /usr/bin/chromium and /usr/bin/chromedriver
//! (scripts/install-browser.sh); says SKIPPED without them.

use serde_json::{json, Value};
use std::time::{Duration, Instant};

#[path = "../tests/support/browser.rs"]
mod browser;
#[path = "../tests/support/service_process.rs"]
mod service_process;
use browser::{missing, sign_in, wait_until, Demo, Driver, TIMELINE_LAYOUT};
use service_process::{BIN, ROOT};

struct Options {
    caregivers: usize,
    clients: usize,
    updates: usize,
    plan_seconds: f64,
    loads: usize,
}

fn options() -> Options {
    let args: Vec<String> = std::env::args().collect();
    let value =
        |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    Options {
        caregivers: value("--caregivers").and_then(|v| v.parse().ok()).unwrap_or(300),
        clients: value("--clients").and_then(|v| v.parse().ok()).unwrap_or(1200),
        updates: value("--updates").and_then(|v| v.parse().ok()).unwrap_or(20),
        plan_seconds: value("--plan-seconds").and_then(|v| v.parse().ok()).unwrap_or(30.0),
        loads: value("--loads").and_then(|v| v.parse().ok()).unwrap_or(3),
    }
}

const READY: &str = "return document.body.dataset.ready === '1'";

/// Today in China, the day the service's clock is on.
fn today() -> String {
    dispatch_api::clock::Clock::system(dispatch_api::clock::CHINA_UTC_OFFSET_S).now().0.to_string()
}

/// One station holding the whole county day; the generator draws about 1.3 visits per client,
/// so the visit rate brings the day to about one visit per client.
fn generate(dir: &std::path::Path, o: &Options) -> std::path::PathBuf {
    let out = dir.join("county-day.json");
    let status = std::process::Command::new(BIN)
        .args(["--quiet", "scenario", "generate", "--stations", "1", "--seed", "11"])
        .arg("--pbf")
        .arg(std::path::Path::new(ROOT).join("data/osm/andorra-2020-05-01.osm.pbf"))
        .args(["--caregivers", &o.caregivers.to_string(), "--clients", &o.clients.to_string()])
        .args(["--visit-rate", "0.77", "--date", &today(), "--out"])
        .arg(&out)
        .status()
        .expect("scenario generate runs");
    assert!(status.success(), "scenario generate failed");
    out
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

async fn run(o: &Options) {
    let dir = tempfile::tempdir().expect("tempdir");
    let scenario = generate(dir.path(), o);
    let path = scenario.to_str().expect("utf-8 path");
    let limit = o.plan_seconds.to_string();
    let demo = Demo::start(&["--scenario", path, "--time-limit", &limit]).await;
    let date = today();

    let started = Instant::now();
    demo.call(
        "admin",
        "POST",
        "/v1/plans",
        Some(json!({"station": "S1", "date": date, "time_limit_secs": o.plan_seconds})),
    )
    .await;
    let plan = demo.wait_for_plan("S1").await;
    let routes = plan["plan"]["routes"].as_array().cloned().unwrap_or_default();
    let served: usize =
        routes.iter().map(|r| r["stops"].as_array().map_or(0, Vec::len)).sum::<usize>();
    let unassigned = plan["plan"]["unassigned"].as_array().map_or(0, Vec::len);
    eprintln!(
        "planned in {:.1} s: {served} visits on {} routes, {unassigned} unassigned",
        started.elapsed().as_secs_f64(),
        routes.len()
    );

    let driver = Driver::start().await;
    let page = driver.session(1400, 1000).await;
    let url = format!("{}/?station=S1&date={date}&perf", demo.base);
    sign_in(&page, &url, demo.token("admin")).await;
    assert!(wait_until(&page, READY, Duration::from_secs(120)).await, "the console did not render");

    // Loads with the token already stored: navigation to painted desk, nothing typed.
    let mut renders = Vec::new();
    for _ in 0..o.loads {
        page.goto(&url).await.expect("open the console");
        assert!(wait_until(&page, READY, Duration::from_secs(120)).await, "no render");
        let ms = page.execute("return window.ccPerf.firstRender", vec![]).await.expect("js");
        renders.push(ms.as_f64().expect("a number"));
    }
    let blocks = page
        .execute("return document.querySelectorAll('#timeline .visit').length", vec![])
        .await
        .expect("js");
    renders.sort_by(f64::total_cmp);
    // A county on one screen: every caregiver has a row laid out with their readable name,
    // and no bar's label is cut (each is measured, and written only where it fits).
    let layout = page.execute(TIMELINE_LAYOUT, vec![]).await.expect("js");
    let unlabelled = layout["unlabelled"].as_array().map_or(0, Vec::len);
    let cut = layout["cut"].as_array().map_or(0, Vec::len);
    assert_eq!(
        layout["rows"].as_u64(),
        Some(o.caregivers as u64),
        "one timeline row per caregiver: {layout}"
    );
    assert_eq!((unlabelled, cut), (0, 0), "rows without a readable name, cut labels: {layout}");

    // The stream's updates: urgent orders (each inserted by the service and redrawn) and
    // check-ins (each moves a caregiver's position and a visit's state).
    let mut firsts = routes
        .iter()
        .filter_map(|r| Some((r["caregiver"].as_str()?, r["stops"].get(0)?["visit"].as_str()?)));
    let scenario: Value =
        serde_json::from_slice(&std::fs::read(&scenario).expect("scenario")).expect("json");
    let clients: Vec<&str> = scenario["clients"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["id"].as_str())
        .collect();
    let reset = "window.ccPerf.frames.length = 0; window.ccPerf.updates.length = 0";
    page.execute(reset, vec![]).await.expect("js");
    let mut last_order = None;
    let updates_started = Instant::now();
    for n in 0..o.updates {
        let me = demo.call("admin", "GET", "/v1/me", None).await;
        let now = me["now"].as_i64().expect("now");
        if n % 2 == 0 {
            let client = clients.get(n * 7 % clients.len().max(1)).copied().unwrap_or_default();
            let order = json!({"client": client, "date": date, "service": "personal_care",
                               "duration": 1200, "urgent": true,
                               "windows": [{"start": now + 600, "end": now + 4 * 3600}]});
            let made = demo.call("admin", "POST", "/v1/orders", Some(order)).await;
            if made["assignment"].is_object() {
                last_order = made["id"].as_str().map(String::from);
            }
        } else if let Some((caregiver, visit)) = firsts.next() {
            let token = demo.create_token(&["--role", "caregiver", "--caregiver", caregiver]);
            let at = json!({"lon": 1.52, "lat": 42.507});
            let path = format!("/v1/me/visits/{visit}/check-in");
            demo.call_as(&token, "POST", &path, Some(at)).await;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    if let Some(id) = &last_order {
        let shown = format!("return !!document.querySelector('#timeline [data-visit=\"{id}\"]')");
        assert!(wait_until(&page, &shown, Duration::from_secs(10)).await, "{id} never shown");
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let frames = page.execute("return window.ccPerf.frames", vec![]).await.expect("js");
    let mut frames: Vec<f64> =
        frames.as_array().into_iter().flatten().filter_map(Value::as_f64).collect();
    frames.sort_by(f64::total_cmp);
    let long = frames.iter().filter(|&&f| f > 50.0).count();
    let updates = page.execute(SCRIPT_TIME_BY_KIND, vec![]).await.expect("js");
    page.close().await.expect("close");

    println!(
        "console_render: {served} visits, {} caregivers' routes, {} timeline blocks",
        routes.len(),
        blocks
    );
    println!(
        "  layout: {} rows, every one named{}; {} of {} bars labelled, none cut",
        layout["rows"],
        if layout["compact"] == true { " (compact)" } else { "" },
        layout["labelled"],
        layout["bars"]
    );
    let first = percentile(&renders, 0.5);
    println!(
        "  first complete render: median {first:.0} ms (loads: {}) — target < 1000 ms: {}",
        renders.iter().map(|r| format!("{r:.0}")).collect::<Vec<_>>().join(", "),
        if first < 1000.0 { "met" } else { "MISSED" }
    );
    println!(
        "  frames during {} stream updates over {:.1} s: {} frames, p50 {:.1} ms, p95 {:.1} ms, \
         max {:.1} ms, {long} over 50 ms — target none over 50 ms: {}",
        o.updates,
        updates_started.elapsed().as_secs_f64(),
        frames.len(),
        percentile(&frames, 0.5),
        percentile(&frames, 0.95),
        frames.last().copied().unwrap_or(f64::NAN),
        if long == 0 { "met" } else { "MISSED" },
    );
    for (kind, figures) in updates.as_object().into_iter().flatten() {
        println!(
            "  script per {kind}: n {}, mean {:.1} ms, max {:.1} ms",
            figures["n"],
            figures["mean"].as_f64().unwrap_or(f64::NAN),
            figures["max"].as_f64().unwrap_or(f64::NAN)
        );
    }
}

/// The page's script time per kind of update (`ccPerf.updates`): count, mean, max. */
const SCRIPT_TIME_BY_KIND: &str = r#"
    const by = {};
    for (const u of window.ccPerf.updates) {
      const b = (by[u.kind] ??= { n: 0, sum: 0, max: 0 });
      b.n++; b.sum += u.ms; b.max = Math.max(b.max, u.ms);
    }
    for (const b of Object.values(by)) b.mean = b.sum / b.n;
    return by;"#;

fn main() {
    if let Some(why) = missing() {
        eprintln!("SKIPPED console_render: {why}");
        return;
    }
    let o = options();
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(run(&o));
}
