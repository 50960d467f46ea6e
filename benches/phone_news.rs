//! How soon an open phone page shows a re-plan of the caregiver's route, in Debian's Chromium
//! (headless) at 390×844: serves the bundled demo, opens caregiver C1's phone page, then
//! cancels C1's later visits one by one at the desk and prints, per cancellation,
//! - the desk's answer (the service re-plans the day before it answers);
//! - from that answer to the page showing the new route with its notice (the caregiver's
//!   stream `/v1/me/events`, the route read again, the list redrawn): the stream→page latency.
//!
//! `cargo bench --bench phone_news [-- --cancels 5]`. Needs /usr/bin/chromium and
//! /usr/bin/chromedriver (scripts/install-browser.sh); says SKIPPED without them.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

#[path = "../tests/support/browser.rs"]
mod browser;
#[path = "../tests/support/service_process.rs"]
mod service_process;
use browser::{missing, sign_in, wait_until, Demo, Driver};

const READY: &str = "return document.body.dataset.ready === '1'";

fn unix_ms() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

fn cancels() -> usize {
    let args: Vec<String> = std::env::args().collect();
    let at = args.iter().position(|a| a == "--cancels");
    at.and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(5)
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs.get(xs.len() / 2).copied().unwrap_or(f64::NAN)
}

/// C1's last visit nobody checked in yet and served alone (cancelling half of a
/// two-caregiver visit changes another route too).
async fn later_visit(demo: &Demo) -> Option<String> {
    let route = demo.call("caregiver", "GET", "/v1/me/route", None).await;
    let stops = route["stops"].as_array()?;
    let later = stops
        .iter()
        .rev()
        .find(|s| s["kind"] == "visit" && s["check_in"].is_null() && s["with"].is_null())?;
    later["visit"].as_str().map(String::from)
}

async fn run(cancels: usize) {
    let demo = Demo::start(&[]).await;
    demo.wait_for_plan("S1").await;
    let driver = Driver::start().await;
    let page = driver.session(390, 844).await;
    sign_in(&page, &format!("{}/m/", demo.base), demo.token("caregiver")).await;
    assert!(
        wait_until(&page, READY, Duration::from_secs(30)).await,
        "the phone page did not render"
    );
    // The stream is open once the page is; give it a moment to connect.
    tokio::time::sleep(Duration::from_secs(1)).await;

    let (mut answers, mut shown) = (Vec::new(), Vec::new());
    for n in 0..cancels {
        let Some(visit) = later_visit(&demo).await else { break };
        let before = page.execute("return Number(document.body.dataset.news ?? 0)", vec![]).await;
        let before = before.ok().and_then(|v| v.as_f64()).unwrap_or(0.0);
        let sent = Instant::now();
        demo.call("admin", "POST", &format!("/v1/orders/{visit}/cancel"), None).await;
        let answered_at = unix_ms();
        answers.push(sent.elapsed().as_secs_f64() * 1000.0);
        let arrived = format!("return Number(document.body.dataset.news ?? 0) > {before}");
        if !wait_until(&page, &arrived, Duration::from_secs(30)).await {
            panic!("cancellation {n} ({visit}) never reached the page");
        }
        let at = page.execute("return Number(document.body.dataset.newsAt)", vec![]).await;
        let at = at.ok().and_then(|v| v.as_f64()).unwrap_or(f64::NAN);
        shown.push(at - answered_at);
        eprintln!(
            "  {visit}: answered in {:.0} ms, on the page {:.0} ms later",
            answers[n], shown[n]
        );
    }
    page.close().await.expect("close");
    println!("phone_news: {} re-plans of C1's route on an open phone page", shown.len());
    println!("  desk's cancellation answered: median {:.0} ms", median(answers));
    let max = shown.iter().copied().fold(f64::NAN, f64::max);
    println!(
        "  answer → page redrawn with the notice: median {:.0} ms, max {max:.0} ms",
        median(shown)
    );
}

fn main() {
    if let Some(why) = missing() {
        eprintln!("SKIPPED phone_news: {why}");
        return;
    }
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(run(cancels()));
}
