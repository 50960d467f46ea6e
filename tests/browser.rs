//! The web pages in a real browser (Debian's Chromium, headless, through ChromeDriver) against
//! `carecircle serve --demo` as a process: the dispatcher signs in and sees the routes on the
//! map; an urgent order posted through the API appears in the timeline without a reload; an
//! alert is acknowledged from the alerts panel; a dispatcher of one station cannot open
//! another's; the caregiver checks in and out on a 390 × 844 phone and the visit's state
//! changes; the family rates the visit from the link the check-out gave, and a low rating
//! raises an alert; the planner's view shows coverage, a proposed site and the staffing plots;
//! the language switch works; the page's GCJ-02 shift equals the service's. Every step saves a
//! screenshot under target/tmp/browser/ (the test output folder).
//!
//! Needs /usr/bin/chromium and /usr/bin/chromedriver (scripts/install-browser.sh); without them
//! the test says SKIPPED, unless CARECIRCLE_REQUIRE_BROWSER=1 (CI), where it fails.

#![cfg(unix)]

mod support {
    pub mod browser;
    pub mod service_process;
}

use fantoccini::{Client, Locator};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::time::Duration;
use support::browser::{
    available, place_device, screenshot, sign_in, wait_until, Cdp, Demo, Driver, TIMELINE_LAYOUT,
};

fn shots() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("browser")
}

const READY: &str = "return document.body.dataset.ready === '1'";
const FEW_SECONDS: Duration = Duration::from_secs(10);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_phone_and_planner_pages_in_a_real_browser() {
    if !available("console_phone_and_planner_pages_in_a_real_browser") {
        return;
    }
    // Deviation alerts at once, so the test can raise one without waiting five minutes.
    let demo = Demo::start(&["--demo", "--deviation-minutes", "0"]).await;
    let plan = demo.wait_for_plan("S1").await;
    let driver = Driver::start().await;

    let desk = driver.session(1400, 1000).await;
    dispatcher_sees_routes_and_an_urgent_order_arrive(&demo, &desk, &plan).await;
    dispatcher_acknowledges_an_alert(&demo, &desk, &plan).await;
    dispatcher_assigns_a_visit_by_hand(&demo, &desk).await;
    dispatcher_finds_prints_and_exports(&demo, &desk).await;
    dispatcher_cannot_open_another_station(&demo, &desk).await;
    the_language_switches(&desk).await;
    the_page_shifts_to_gcj02_as_the_service_does(&desk).await;
    the_centre_sees_every_station_and_opens_one(&demo, &desk).await;
    desk.close().await.expect("close");

    let phone = driver.session(390, 844).await;
    let link = caregiver_checks_in_on_a_phone(&demo, &phone).await;
    phone.close().await.expect("close");
    let family = driver.session(390, 844).await;
    family_rates_the_visit(&demo, &family, &link).await;
    family.close().await.expect("close");

    let planner = driver.session(1400, 1000).await;
    planner_sees_coverage(&demo, &planner).await;
    planner.close().await.expect("close");

    let desk = driver.session(1400, 1000).await;
    a_station_on_its_own_matrix_says_its_legs_are_straight(&demo, &desk).await;
    desk.close().await.expect("close");
}

/// After S1 uploads its own matrix (written by `roads matrix` from the bundled extract), the
/// console and the phone say legs are straight and deviation alerts are off.
async fn a_station_on_its_own_matrix_says_its_legs_are_straight(demo: &Demo, c: &Client) {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("m.json");
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_carecircle"))
        .args(["roads", "matrix", "data/osm/andorra-2020-05-01.osm.pbf", "--scenario"])
        .args(["scenarios/demo.json", "--format", "json", "--quiet", "--out"])
        .arg(&file)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("carecircle runs");
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let matrix: Value =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("matrix")).expect("json");
    let stored = demo.call("dispatcher", "PUT", "/v1/stations/S1/matrix", Some(matrix)).await;
    assert!(stored["version"].is_i64(), "{stored}");
    let shown = "return document.getElementById('map-note')?.hidden === false";
    sign_in(c, &format!("{}/", demo.base), demo.token("dispatcher")).await;
    assert!(wait_until(c, READY, Duration::from_secs(30)).await, "the console did not render");
    assert!(wait_until(c, shown, FEW_SECONDS).await, "the console did not say legs are straight");
    screenshot(c, &shots(), "11-console-own-matrix").await;
    sign_in(c, &format!("{}/m/", demo.base), demo.token("caregiver")).await;
    assert!(wait_until(c, READY, Duration::from_secs(30)).await, "the phone page did not render");
    assert!(wait_until(c, shown, FEW_SECONDS).await, "the phone did not say legs are straight");
}

/// Saturated pixels in the map's canvas: the routes (roads are grey, the circle pale blue).
const ROUTE_PIXELS: &str = r#"
    let n = 0;
    for (const c of document.querySelectorAll('#map canvas')) {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      for (let i = 0; i < d.length; i += 4) {
        const [r, g, b, a] = [d[i], d[i + 1], d[i + 2], d[i + 3]];
        if (a > 200 && Math.max(r, g, b) - Math.min(r, g, b) > 80) n++;
      }
    }
    return n;"#;

async fn dispatcher_sees_routes_and_an_urgent_order_arrive(demo: &Demo, c: &Client, plan: &Value) {
    sign_in(c, &format!("{}/", demo.base), demo.token("dispatcher")).await;
    assert!(wait_until(c, READY, Duration::from_secs(30)).await, "the console did not render");
    let routes = plan["plan"]["routes"].as_array().expect("routes").len();
    let drawn: Value = c
        .execute("return Number(document.getElementById('map').dataset.routes)", vec![])
        .await
        .expect("js");
    assert_eq!(drawn.as_u64(), Some(routes as u64), "every route is on the map");
    let pixels = c.execute(ROUTE_PIXELS, vec![]).await.expect("js");
    assert!(pixels.as_u64().unwrap_or(0) > 500, "the routes are drawn in colour: {pixels} pixels");
    let rows = c.find_all(Locator::Css("#timeline .visit")).await.expect("timeline");
    let planned: usize = plan["plan"]["routes"]
        .as_array()
        .expect("routes")
        .iter()
        .map(|r| r["stops"].as_array().map_or(0, Vec::len))
        .sum();
    assert_eq!(rows.len(), planned, "one timeline block per planned visit");
    // Every caregiver has a row with their name, every bar's label fits or is left out.
    let layout = c.execute(TIMELINE_LAYOUT, vec![]).await.expect("js");
    assert_eq!(layout["unlabelled"], json!([]), "rows without a readable name: {layout}");
    assert_eq!(layout["cut"], json!([]), "bars with a cut label: {layout}");
    assert!(layout["labelled"].as_u64().unwrap_or(0) > 0, "{layout}");
    let served = c
        .find(Locator::Css("[data-kpi='kpi.served']"))
        .await
        .expect("kpi")
        .text()
        .await
        .expect("text");
    assert!(served.contains('/'), "{served}");
    screenshot(c, &shots(), "1-console-signed-in").await;
    the_map_tells_caregivers_apart(c, routes).await;

    // An urgent order from elsewhere (the API, as a phone call taken by another dispatcher).
    let me = demo.call("dispatcher", "GET", "/v1/me", None).await;
    let now = me["now"].as_i64().expect("now");
    let order = json!({"client": "K1", "date": me["today"], "service": "personal_care",
                       "duration": 1200, "urgent": true,
                       "windows": [{"start": now + 600, "end": now + 4 * 3600}]});
    let made = demo.call("admin", "POST", "/v1/orders", Some(order)).await;
    let id = made["id"].as_str().expect("id");
    assert!(made["assignment"].is_object(), "the urgent order was placed: {made}");
    let appears = format!("return !!document.querySelector('#timeline [data-visit=\"{id}\"]')");
    assert!(wait_until(c, &appears, FEW_SECONDS).await, "urgent order {id} not in the timeline");
    // What moved names the client, as people know them (the id stays in the title).
    let k1 = demo.call("dispatcher", "GET", "/v1/clients/K1", None).await;
    let k1 = k1["name"].as_str().expect("K1's name");
    let entry = format!("#moves li[data-visit=\"{id}\"]");
    let said = c.find(Locator::Css(&entry)).await.expect("the order in what moved");
    let said = said.text().await.expect("text");
    assert!(said.contains(k1), "what moved names the client: {said}");
    screenshot(c, &shots(), "2-console-urgent-order").await;
}

/// The map's legend names every route's caregiver; a click on one shows them alone (and marks
/// their timeline row), a second click shows everyone; the routes follow the roads; routes
/// that lie near each other do not share a colour while the palette lasts; compact rows keep
/// their names.
async fn the_map_tells_caregivers_apart(c: &Client, routes: usize) {
    let on_roads = "return Number(document.getElementById('map').dataset.roads) > 0";
    assert!(wait_until(c, on_roads, FEW_SECONDS).await, "no route drawn on the roads");
    let entries = c.find_all(Locator::Css("#legend button")).await.expect("legend");
    assert_eq!(entries.len(), routes, "one legend entry per route");
    let colours = c
        .execute(
            "return new Set([...document.querySelectorAll('#legend i')].map((i) => i.style.background)).size",
            vec![],
        )
        .await
        .expect("js");
    assert_eq!(colours.as_u64(), Some(routes.min(14) as u64), "colours in the legend");
    let who = entries[0].attr("data-caregiver").await.expect("attr").expect("a caregiver");
    entries[0].click().await.expect("click");
    let chosen = c.execute("return document.getElementById('map').dataset.chosen", vec![]).await;
    assert_eq!(chosen.expect("js"), json!(who));
    let row = format!(
        "return !!document.querySelector('#timeline .row.chosen [data-caregiver=\"{who}\"]')"
    );
    assert!(wait_until(c, &row, FEW_SECONDS).await, "{who}'s row is not marked");
    screenshot(c, &shots(), "1b-console-one-caregiver").await;
    click(c, &format!("#legend button[data-caregiver='{who}']")).await;
    let all = c.execute("return document.getElementById('map').dataset.chosen", vec![]).await;
    assert_eq!(all.expect("js"), json!(""));
    click(c, "#compact").await;
    let layout = c.execute(TIMELINE_LAYOUT, vec![]).await.expect("js");
    assert_eq!(layout["compact"], true, "{layout}");
    assert_eq!(layout["unlabelled"], json!([]), "compact rows without a readable name: {layout}");
    assert_eq!(layout["cut"], json!([]), "compact bars with a cut label: {layout}");
    screenshot(c, &shots(), "1c-console-compact").await;
    click(c, "#compact").await;
}

async fn dispatcher_acknowledges_an_alert(demo: &Demo, c: &Client, plan: &Value) {
    // The demo's caregiver is far from their path: a deviation alert, pushed live.
    let routed =
        plan["plan"]["routes"].as_array().expect("routes").iter().any(|r| r["caregiver"] == "C1");
    assert!(routed, "the demo caregiver (C1) has a route");
    let far = json!({"lon": 1.45, "lat": 42.46});
    demo.call("caregiver", "POST", "/v1/me/positions", Some(far.clone())).await;
    demo.call("caregiver", "POST", "/v1/me/positions", Some(far)).await;
    let button = "#alerts li[data-dedup^='deviation:'] button.ack";
    let shown = format!("return !!document.querySelector(\"{button}\")");
    assert!(wait_until(c, &shown, FEW_SECONDS).await, "the deviation alert did not appear");
    c.find(Locator::Css(button)).await.expect("ack").click().await.expect("click");
    let acked =
        "return !!document.querySelector(\"#alerts li.is-acked[data-dedup^='deviation:']\")";
    assert!(wait_until(c, acked, FEW_SECONDS).await, "the alert was not shown acknowledged");
    let me = demo.call("dispatcher", "GET", "/v1/me", None).await;
    let alerts = demo
        .call(
            "dispatcher",
            "GET",
            &format!("/v1/stations/S1/alerts?date={}", me["today"].as_str().unwrap_or("")),
            None,
        )
        .await;
    let stored = alerts["alerts"]
        .as_array()
        .expect("alerts")
        .iter()
        .find(|a| a["kind"] == "deviation")
        .cloned()
        .expect("stored");
    assert_eq!(stored["acked_by"], "demo", "{stored}");
    // No visit is shown late before its planned start: every late alert on the page was
    // raised after the start its visit has in the day's plan.
    let day = demo
        .call(
            "dispatcher",
            "GET",
            &format!("/v1/stations/S1/plan?date={}", me["today"].as_str().unwrap_or("")),
            None,
        )
        .await;
    let planned: std::collections::HashMap<&str, i64> = day["plan"]["routes"]
        .as_array()
        .expect("routes")
        .iter()
        .flat_map(|r| r["stops"].as_array().expect("stops"))
        .filter_map(|s| Some((s["visit"].as_str()?, s["start"].as_i64()?)))
        .collect();
    let shown = c
        .execute(
            "return [...document.querySelectorAll(\"#alerts li[data-code^='late.']\")]
               .map((li) => [li.dataset.dedup.slice('late:'.length), Number(li.dataset.at)])",
            vec![],
        )
        .await
        .expect("js");
    for pair in shown.as_array().expect("late alerts") {
        let (visit, at) = (pair[0].as_str().unwrap_or(""), pair[1].as_i64().unwrap_or(0));
        if let Some(start) = planned.get(visit) {
            assert!(at > *start, "{visit} shown late at {at}, planned at {start}");
        }
    }
    screenshot(c, &shots(), "3-console-alert-acknowledged").await;
}

/// The script that says whether caregiver `who`'s timeline row holds visit `visit`.
fn in_row(who: &str, visit: &str) -> String {
    format!(
        "return [...document.querySelectorAll('#timeline .row')].some(r => \
         r.querySelector('[data-caregiver=\"{who}\"]') && r.querySelector('[data-visit=\"{visit}\"]'))"
    )
}

/// "Assign to" in a visit's dialog: a caregiver without the skill is refused with the rule
/// named in the page's words; another caregiver takes it, the timeline shows it on their row,
/// and it stays there through a re-plan. (C1's day is left alone for the phone's steps.)
async fn dispatcher_assigns_a_visit_by_hand(demo: &Demo, c: &Client) {
    let me = demo.call("dispatcher", "GET", "/v1/me", None).await;
    let (today, now) = (me["today"].as_str().expect("today"), me["now"].as_i64().expect("now"));
    let day =
        demo.call("dispatcher", "GET", &format!("/v1/stations/S1/plan?date={today}"), None).await;
    let caregivers = demo.call("dispatcher", "GET", "/v1/caregivers?station=S1", None).await;
    let caregivers = caregivers["items"].as_array().expect("caregivers").clone();
    let skills_of = |id: &str| -> Vec<Value> {
        let c = caregivers.iter().find(|c| c["id"] == id);
        c.and_then(|c| c["skills"].as_array().cloned()).unwrap_or_default()
    };
    // The visits to come served alone by someone other than C1, with what they need.
    let mut candidates = Vec::new();
    for r in day["plan"]["routes"].as_array().expect("routes") {
        let from = r["caregiver"].as_str().expect("caregiver");
        for stop in r["stops"].as_array().expect("stops") {
            let visit = stop["visit"].as_str().expect("visit");
            let soon = stop["start"].as_i64() < Some(now + 1800);
            if from == "C1" || stop["pickup_for"].is_string() || soon {
                continue;
            }
            let order = demo.call("dispatcher", "GET", &format!("/v1/orders/{visit}"), None).await;
            if order["caregivers"] != 2 {
                let needs = order["skills"].as_array().cloned().unwrap_or_default();
                candidates.push((visit.to_string(), from.to_string(), needs));
            }
        }
    }
    let others = |from: &str| -> Vec<String> {
        let ids = caregivers.iter().filter_map(|c| c["id"].as_str());
        ids.filter(|id| *id != "C1" && *id != from).map(String::from).collect()
    };
    let open = |visit: &str| {
        format!("document.querySelector('#timeline [data-visit=\"{visit}\"]').click()")
    };
    let choose = |who: &str| format!("document.getElementById('assign-to').value = '{who}'");
    let answered = "return !document.getElementById('visit-dialog').open || \
                    !!document.getElementById('visit-error').dataset.rule";
    let clear = "delete document.getElementById('visit-error').dataset.rule";

    // One needing a skill, to a caregiver without it.
    let (visit, lacks) = candidates
        .iter()
        .find_map(|(visit, from, needs)| {
            let lacks = others(from)
                .into_iter()
                .find(|id| !needs.is_empty() && needs.iter().any(|s| !skills_of(id).contains(s)))?;
            Some((visit.clone(), lacks))
        })
        .expect("a skilled visit and a caregiver without the skill");
    c.execute(&open(&visit), vec![]).await.expect("open the visit");
    assert!(
        wait_until(c, "return document.getElementById('visit-dialog').open", FEW_SECONDS).await
    );
    c.execute(&choose(&lacks), vec![]).await.expect("choose");
    click(c, "#assign-go").await;
    let refused = "return document.getElementById('visit-error').dataset.rule === 'skills'";
    assert!(wait_until(c, refused, FEW_SECONDS).await, "no skills refusal for {lacks}");
    let said =
        c.find(Locator::Css("#visit-error")).await.expect("error").text().await.expect("text");
    assert!(said.contains("技能不符"), "the rule in the page's words: {said}");
    screenshot(c, &shots(), "3b-console-assign-refused").await;
    click(c, "#visit-close").await;

    // Visits and caregivers in turn until one takes it; each refusal names its rule.
    let mut taken = None;
    'visits: for (visit, from, _) in &candidates {
        c.execute(&open(visit), vec![]).await.expect("open the visit");
        for to in others(from) {
            c.execute(&choose(&to), vec![]).await.expect("choose");
            c.execute(clear, vec![]).await.expect("js");
            click(c, "#assign-go").await;
            assert!(wait_until(c, answered, FEW_SECONDS).await, "no answer for {visit} to {to}");
            let still = c.execute("return document.getElementById('visit-dialog').open", vec![]);
            if still.await.expect("js") == json!(false) {
                taken = Some((visit.clone(), to));
                break 'visits;
            }
        }
        click(c, "#visit-close").await;
    }
    let (visit, to) = taken.expect("some visit can go to another caregiver");
    assert!(wait_until(c, &in_row(&to, &visit), FEW_SECONDS).await, "{visit} not on {to}'s row");
    // A re-plan by hand keeps it there.
    click(c, "#replan").await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(wait_until(c, &in_row(&to, &visit), FEW_SECONDS).await, "the re-plan moved {visit}");
    let after =
        demo.call("dispatcher", "GET", &format!("/v1/stations/S1/plan?date={today}"), None).await;
    let on = after["plan"]["routes"].as_array().expect("routes").iter().find(|r| {
        r["stops"].as_array().is_some_and(|s| s.iter().any(|s| s["visit"] == visit.as_str()))
    });
    assert_eq!(on.map(|r| r["caregiver"].clone()), Some(json!(to)), "kept by the service");
    screenshot(c, &shots(), "3c-console-assigned").await;
    a_visit_dragged_on_the_timeline_is_assigned(demo, c, today).await;
}

/// Where a drop puts a visit (the handler's geometry, called on its own in the page), then a
/// real drop: a visit dragged onto a row at a time is assigned there, or the note says why not.
async fn a_visit_dragged_on_the_timeline_is_assigned(demo: &Demo, c: &Client, today: &str) {
    let geometry = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             import('/assets/timeline.js').then((m) => done([
               m.dropStart(150, 100, 200, 28800, 64800), m.dropStart(99, 100, 200, 0, 3600),
               m.dropStart(300, 100, 200, 0, 3600), m.dropStart(110, 100, 200, 0, 86400),
               m.dropStart(150, 100, 0, 0, 3600)]))",
            vec![],
        )
        .await
        .expect("js");
    assert_eq!(geometry, json!([37800, null, 3600, 4200, null]));
    // A visit to come on a five-minute start: dropped on its own row at its own start, which
    // it is sure to fit.
    let me = demo.call("dispatcher", "GET", "/v1/me", None).await;
    let now = me["now"].as_i64().expect("now");
    let day =
        demo.call("dispatcher", "GET", &format!("/v1/stations/S1/plan?date={today}"), None).await;
    let mut targets = Vec::new();
    for r in day["plan"]["routes"].as_array().expect("routes") {
        let who = r["caregiver"].as_str().expect("caregiver");
        for stop in r["stops"].as_array().expect("stops") {
            let start = stop["start"].as_i64().unwrap_or(0);
            if start > now + 1800 && start % 300 == 0 && stop["pickup_for"].is_null() && who != "C1"
            {
                targets.push((
                    who.to_string(),
                    stop["visit"].as_str().expect("visit").to_string(),
                    start,
                ));
            }
        }
    }
    // Those the timeline lets go (a two-caregiver visit moves with its other half, a locked
    // one not at all), tried in turn: the service may still keep one where it is (a visit a
    // pinned one needs before it to close its day), and says so in the note.
    let mut kept = false;
    let mut refusals = Vec::new();
    for (who, visit, start) in targets {
        let draggable = format!(
            "return document.querySelector('#timeline button.visit[data-visit=\"{visit}\"]')?.draggable === true"
        );
        if c.execute(&draggable, vec![]).await.expect("js") != json!(true) {
            continue;
        }
        c.execute("document.getElementById('timeline-note').textContent = ''", vec![])
            .await
            .expect("js");
        let drag = format!(
            "const block = document.querySelector('#timeline button.visit[data-visit=\"{visit}\"]');
             if (block.draggable !== true) return 'not draggable';
             const row = [...document.querySelectorAll('#timeline .row')]
               .find((r) => r.querySelector('[data-caregiver=\"{who}\"]'));
             const track = row.querySelector('.track').getBoundingClientRect();
             const span = JSON.parse(document.getElementById('timeline').dataset.span);
             const x = track.left + (({start} - span.from) / (span.to - span.from)) * track.width;
             const b = block.getBoundingClientRect();
             const data = new DataTransfer();
             const at = (type, target, clientX) => target.dispatchEvent(new DragEvent(type,
               {{ bubbles: true, cancelable: true, clientX, clientY: b.top + 4, dataTransfer: data }}));
             at('dragstart', block, b.left);
             at('dragover', row.querySelector('.track'), x);
             at('drop', row.querySelector('.track'), x);
             at('dragend', block, x);
             return 'dropped';"
        );
        let dropped = c.execute(&drag, vec![]).await.expect("drag");
        assert_eq!(dropped, json!("dropped"));
        let locked =
            |plan: &Value| plan["locked"].as_array().is_some_and(|l| l.contains(&json!(visit)));
        for _ in 0..50 {
            let after = demo
                .call("dispatcher", "GET", &format!("/v1/stations/S1/plan?date={today}"), None)
                .await;
            if locked(&after) {
                let at = after["plan"]["routes"].as_array().expect("routes").iter().find_map(|r| {
                    let s = r["stops"].as_array()?.iter().find(|s| s["visit"] == visit.as_str())?;
                    Some((r["caregiver"].clone(), s["start"].clone()))
                });
                assert_eq!(at, Some((json!(who), json!(start))), "assigned where it was dropped");
                kept = true;
                break;
            }
            let note = c
                .execute("return document.getElementById('timeline-note').textContent", vec![])
                .await
                .expect("js");
            if note.as_str().is_some_and(|n| !n.is_empty()) {
                refusals.push(format!("{visit}: {note}"));
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        if kept || refusals.len() >= 5 {
            break;
        }
    }
    assert!(kept, "no drop assigned anything: {refusals:?}");
}

/// The desk's tools: the date picker shows the day; search marks a client's visits and a
/// caregiver's row; the page is one scroll with the hour axis on top; the "now" line moves by
/// itself; a caregiver's day sheet prints (print media: only the sheet); the day exports as CSV.
async fn dispatcher_finds_prints_and_exports(demo: &Demo, c: &Client) {
    let me = demo.call("dispatcher", "GET", "/v1/me", None).await;
    let today = me["today"].as_str().expect("today");
    let js = |script: &'static str| async move { c.execute(script, vec![]).await.expect(script) };
    assert_eq!(js("return document.getElementById('day').value").await, json!(today));

    // Search by a client's name: their visits are marked, the others dimmed.
    let day =
        demo.call("dispatcher", "GET", &format!("/v1/stations/S1/plan?date={today}"), None).await;
    let route = day["plan"]["routes"][0].clone();
    let who = route["caregiver"].as_str().expect("caregiver").to_string();
    let visit =
        route["stops"].as_array().expect("stops").iter().find(|s| s["pickup_for"].is_null());
    let visit = visit.and_then(|s| s["visit"].as_str()).expect("a visit").to_string();
    let order = demo.call("dispatcher", "GET", &format!("/v1/orders/{visit}"), None).await;
    let client = demo
        .call(
            "dispatcher",
            "GET",
            &format!("/v1/clients/{}", order["client"].as_str().expect("client")),
            None,
        )
        .await;
    let client_name = client["name"].as_str().expect("a name").to_string();
    let find = c.find(Locator::Css("#find")).await.expect("search box");
    find.send_keys(&client_name).await.expect("type");
    let marked = format!(
        "return !!document.querySelector('#timeline button.visit.match[data-visit=\"{visit}\"]')"
    );
    assert!(wait_until(c, &marked, FEW_SECONDS).await, "{client_name}'s visit {visit} not marked");
    let count =
        c.find(Locator::Css("#find-count")).await.expect("count").text().await.expect("text");
    assert!(count.contains("找到"), "{count}");
    screenshot(c, &shots(), "3d-console-search").await;
    find.clear().await.expect("clear");
    c.execute("document.getElementById('find').dispatchEvent(new Event('input'))", vec![])
        .await
        .expect("js");
    find.send_keys(&who).await.expect("type");
    let row = format!(
        "return !!document.querySelector('#timeline .row.match [data-caregiver=\"{who}\"]')"
    );
    assert!(wait_until(c, &row, FEW_SECONDS).await, "{who}'s row not marked");
    find.clear().await.expect("clear");
    c.execute("document.getElementById('find').dispatchEvent(new Event('input'))", vec![])
        .await
        .expect("js");

    // One scroll: the timeline pane does not scroll on its own, and the axis sticks on top.
    assert_eq!(
        js("return getComputedStyle(document.querySelector('.timeline-pane')).overflowY").await,
        json!("visible")
    );
    assert_eq!(
        js("return getComputedStyle(document.querySelector('#timeline .axis')).position").await,
        json!("sticky")
    );
    let stuck = js("window.scrollTo(0, document.scrollingElement.scrollHeight);
                    const axis = document.querySelector('#timeline .axis').getBoundingClientRect();
                    const rows = document.querySelector('#timeline').getBoundingClientRect();
                    return rows.top >= 0 || Math.abs(axis.top) < 2")
    .await;
    assert_eq!(stuck, json!(true), "the hour axis scrolled away");
    js("window.scrollTo(0, 0)").await;

    // The "now" line moves in a quiet minute (the demo's clock runs).
    let before = js("return document.querySelector('#timeline .now').style.left").await;
    let moved = format!("return document.querySelector('#timeline .now').style.left !== {before}");
    assert!(
        wait_until(c, &moved, Duration::from_secs(20)).await,
        "the now line stood still at {before}"
    );

    // The caregiver's day sheet, and what printing shows.
    js("window.print = () => { document.body.dataset.printed = '1'; }").await;
    click(c, &format!("#timeline button.who[data-caregiver='{who}']")).await;
    click(c, "#cg-print").await;
    assert!(wait_until(c, "return document.body.dataset.printed === '1'", FEW_SECONDS).await);
    let lines = js("return document.querySelectorAll('#print-sheet tbody tr').length").await;
    assert_eq!(
        lines.as_u64(),
        route["stops"].as_array().map(|s| s.len() as u64),
        "one line per stop"
    );
    let sheet =
        c.find(Locator::Css("#print-sheet")).await.expect("sheet").text().await.expect("text");
    assert!(sheet.contains(&client_name), "the sheet names the clients: {sheet}");
    c.issue_cmd(Cdp("Emulation.setEmulatedMedia", json!({"media": "print"})))
        .await
        .expect("print media");
    assert_eq!(
        js("return getComputedStyle(document.getElementById('desk')).display").await,
        json!("none")
    );
    assert_eq!(
        js("return getComputedStyle(document.getElementById('print-sheet')).display").await,
        json!("block")
    );
    screenshot(c, &shots(), "3e-console-day-sheet").await;
    c.issue_cmd(Cdp("Emulation.setEmulatedMedia", json!({"media": ""})))
        .await
        .expect("screen media");
    js("window.dispatchEvent(new Event('afterprint'))").await;
    assert_eq!(js("return document.getElementById('print-sheet').hidden").await, json!(true));

    // The day as CSV: what the download link is given.
    js("const make = URL.createObjectURL; URL.createObjectURL = (blob) => { window.ccExported = blob; return make(blob); }").await;
    click(c, "#export").await;
    assert!(wait_until(c, "return !!window.ccExported", FEW_SECONDS).await, "nothing exported");
    let csv = c
        .execute_async(
            "const done = arguments[arguments.length - 1]; window.ccExported.text().then(done)",
            vec![],
        )
        .await
        .expect("csv");
    let csv = csv.as_str().expect("text");
    assert!(csv.contains("地址") && csv.contains(&visit), "{csv}");
}

async fn dispatcher_cannot_open_another_station(demo: &Demo, c: &Client) {
    c.goto(&format!("{}/?station=S2", demo.base)).await.expect("open");
    let denied = "return document.body.dataset.denied === '1'";
    assert!(wait_until(c, denied, FEW_SECONDS).await, "S2's page opened for S1's dispatcher");
    let text =
        c.find(Locator::Css("#message-text")).await.expect("message").text().await.expect("text");
    assert!(text.contains("S2"), "{text}");
    assert!(c.find_all(Locator::Css("#timeline .visit")).await.expect("find").is_empty());
    screenshot(c, &shots(), "4-console-other-station-refused").await;
}

async fn the_language_switches(c: &Client) {
    c.goto(&format!("{}/", current_origin(c).await)).await.expect("open");
    assert!(wait_until(c, READY, Duration::from_secs(30)).await);
    let title = c.find(Locator::Css("h1")).await.expect("h1").text().await.expect("text");
    assert!(title.contains("调度"), "Chinese by default: {title}");
    let chinese = c
        .find(Locator::Css("#alerts li[data-code='deviation'] span"))
        .await
        .expect("the deviation alert")
        .text()
        .await
        .expect("text");
    assert!(chinese.contains("偏离计划路线"), "in Chinese: {chinese}");
    c.find(Locator::Css("#lang")).await.expect("switch").click().await.expect("click");
    let title = c.find(Locator::Css("h1")).await.expect("h1").text().await.expect("text");
    assert!(title.contains("Station console"), "English after the switch: {title}");
    // Everything the page shows: the stream's badge and the services on the timeline too.
    let live = c.find(Locator::Css("#live")).await.expect("live").text().await.expect("text");
    assert_eq!(live, "Live");
    let chinese_services = c
        .execute(
            "const zh = ['助餐', '保洁', '助浴', '陪同', '陪诊', '生活照料', '取餐'];
             return [...document.querySelectorAll('#timeline button.visit')]
               .filter((b) => zh.some((w) => b.title.includes(w))).length",
            vec![],
        )
        .await
        .expect("js");
    assert_eq!(chinese_services, json!(0), "service names left in Chinese");
    // Alerts are written from their code and parameters in the page's language.
    let english = c
        .find(Locator::Css("#alerts li[data-code='deviation'] span"))
        .await
        .expect("the deviation alert")
        .text()
        .await
        .expect("text");
    assert!(english.contains("m off the planned route since"), "in English: {english}");
    screenshot(c, &shots(), "5-console-english").await;
    c.find(Locator::Css("#lang")).await.expect("switch").click().await.expect("click");
}

/// An admin (like a dispatcher of several stations) starts on the centre's view: one row per
/// station with its figures and open alerts, the counts those of the API; "Open" opens that
/// station's console.
async fn the_centre_sees_every_station_and_opens_one(demo: &Demo, c: &Client) {
    sign_in(c, &format!("{}/", demo.base), demo.token("admin")).await;
    assert!(
        wait_until(c, READY, Duration::from_secs(30)).await,
        "the centre's view did not render"
    );
    let me = demo.call("admin", "GET", "/v1/me", None).await;
    let stations = me["stations"].as_array().expect("stations");
    assert!(stations.len() > 1, "the demo has several stations: {me}");
    let rows = c.find_all(Locator::Css("#centre-table tbody tr")).await.expect("rows");
    assert_eq!(rows.len(), stations.len(), "one row per station");
    let today = me["today"].as_str().unwrap_or("");
    let alerts =
        demo.call("admin", "GET", &format!("/v1/stations/S1/alerts?date={today}"), None).await;
    let open = alerts["alerts"]
        .as_array()
        .expect("alerts")
        .iter()
        .filter(|a| a["acked_by"].is_null())
        .count();
    let cell = c
        .find(Locator::Css("#centre-table tr[data-station='S1'] td:nth-last-child(2)"))
        .await
        .expect("S1's alerts")
        .text()
        .await
        .expect("text");
    let shown = if open == 0 { "暂无告警".to_string() } else { open.to_string() };
    assert!(cell.starts_with(&shown), "S1's open alerts: API {open}, page {cell:?}");
    let served = c
        .find(Locator::Css("#centre-table tr[data-station='S1'] td"))
        .await
        .expect("S1's figures")
        .text()
        .await
        .expect("text");
    assert!(served.contains(" / "), "S1's served visits: {served}");
    screenshot(c, &shots(), "5b-centre").await;
    click(c, "#centre-table button[data-open='S2']").await;
    let opened = "return location.search.includes('station=S2') \
                  && document.body.dataset.ready === '1'";
    assert!(wait_until(c, opened, Duration::from_secs(30)).await, "S2's console did not open");
    let station = c.execute("return document.getElementById('station').value", vec![]).await;
    assert_eq!(station.expect("js"), json!("S2"));
    let desk = c.execute("return !document.getElementById('desk').hidden", vec![]).await;
    assert_eq!(desk.expect("js"), json!(true), "S2's desk is shown");
}

/// Tiles of Chinese providers are drawn in GCJ-02: the page's conversion of the overlay must
/// be the one the service applies to clients' coordinates (Rongcheng, Weihai, Beijing).
async fn the_page_shifts_to_gcj02_as_the_service_does(c: &Client) {
    let convert = r#"const done = arguments[arguments.length - 1];
        import('/assets/common.js').then((m) => done(arguments[0].map(([x, y]) => m.wgs84ToGcj02(x, y))));"#;
    let places = [(122.4867, 37.1655), (122.1204, 37.5131), (116.3912, 39.9073), (1.52, 42.5)];
    let args = vec![json!(places.iter().map(|&(x, y)| [x, y]).collect::<Vec<_>>())];
    let shifted = c.execute_async(convert, args).await.expect("js");
    for (i, &(lon, lat)) in places.iter().enumerate() {
        let want = roads::coords::wgs84_to_gcj02(roads::LonLat { lon, lat });
        let got = (shifted[i][0].as_f64().expect("lon"), shifted[i][1].as_f64().expect("lat"));
        assert!(
            (got.0 - want.lon).abs() < 1e-9 && (got.1 - want.lat).abs() < 1e-9,
            "({lon}, {lat}): page {got:?}, service {want:?}"
        );
    }
}

/// Clicks the element `css` finds.
async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css)).await.expect(css).click().await.expect("click");
}

/// The script that says whether the visit card `card` is in state `state`.
fn in_state(card: &str, state: &str) -> String {
    format!("return document.querySelector('{card}')?.dataset.state === '{state}'")
}

async fn current_origin(c: &Client) -> String {
    let url = c.current_url().await.expect("url");
    url.origin().ascii_serialization()
}

async fn caregiver_checks_in_on_a_phone(demo: &Demo, c: &Client) -> String {
    let route = demo.call("caregiver", "GET", "/v1/me/route", None).await;
    // The first visit at a client's home (a meal's pick-up at a canteen has no check-in).
    let stops = route["stops"].as_array().expect("stops");
    let k = stops.iter().position(|s| s["kind"] == "visit").expect("a visit today");
    let first = &stops[k];
    let visit = first["visit"].as_str().expect("a visit today");
    let at = &first["location"];
    sign_in(c, &format!("{}/m/", demo.base), demo.token("caregiver")).await;
    assert!(wait_until(c, READY, Duration::from_secs(30)).await, "the phone page did not render");
    // At the client's door.
    place_device(c, &demo.base, at["lon"].as_f64().expect("lon"), at["lat"].as_f64().expect("lat"))
        .await;
    let size = c.execute("return [innerWidth, innerHeight]", vec![]).await.expect("js");
    assert_eq!(size, json!([390, 844]));
    screenshot(c, &shots(), "6-phone-route").await;
    let card = format!("li[data-visit=\"{visit}\"]");
    calls_and_map_apps_on_the_card(c, &card, first).await;
    click(c, &format!("{card} button[data-act='check-in']")).await;
    let started = in_state(&card, "started");
    assert!(wait_until(c, &started, FEW_SECONDS).await, "the visit did not turn started");
    let after = demo.call("caregiver", "GET", "/v1/me/route", None).await;
    assert!(after["stops"][k]["check_in"].is_i64(), "the check-in was stored: {after}");
    // Large touch targets: the buttons are at least 48 px high.
    let height = c
        .execute(
            &format!(
                "return document.querySelector('{card} button').getBoundingClientRect().height"
            ),
            vec![],
        )
        .await
        .expect("js");
    assert!(height.as_f64().unwrap_or(0.0) >= 48.0, "button height {height}");
    screenshot(c, &shots(), "7-phone-checked-in").await;
    // A reload shows the same state (from the server, or the saved route without one).
    c.refresh().await.expect("reload");
    assert!(wait_until(c, &started, FEW_SECONDS).await, "the state was lost on reload");
    // Checked out: the card offers the family's rating link.
    click(c, &format!("{card} button[data-act='check-out']")).await;
    let done = in_state(&card, "done");
    assert!(wait_until(c, &done, FEW_SECONDS).await, "the visit did not turn done");
    let link = c
        .find(Locator::Css(&format!("{card} .rate-link a")))
        .await
        .expect("a rating link")
        .attr("href")
        .await
        .expect("href")
        .expect("an address");
    let share = c.find(Locator::Css(&format!("{card} button[data-share]"))).await.expect("share");
    assert_eq!(share.attr("data-share").await.expect("attr").as_deref(), Some(link.as_str()));
    // The link comes back after a reload from the service, not from what this phone kept.
    c.execute("localStorage.removeItem('cc.route')", vec![]).await.expect("forget the route");
    c.refresh().await.expect("reload");
    let again = format!("return document.querySelector('{card} .rate-link a')?.href === '{link}'");
    assert!(wait_until(c, &again, FEW_SECONDS).await, "the rating link is gone after a reload");
    screenshot(c, &shots(), "7b-phone-checked-out").await;
    another_visit_than_the_next_asks_why(demo, c, &stops[k + 1..]).await;
    a_refused_position_still_checks_in(demo, c, &stops[k + 1..]).await;
    a_replanned_route_reaches_the_open_page(demo, c, visit).await;
    link
}

/// The card of a visit calls the client and each contact, and hands the way there to Amap,
/// Baidu and Tencent maps, each in its own coordinates (GCJ-02; BD-09 for Baidu).
async fn calls_and_map_apps_on_the_card(c: &Client, card: &str, stop: &Value) {
    let hrefs = |css: String| async move {
        let mut out = Vec::new();
        for link in c.find_all(Locator::Css(&css)).await.expect("links") {
            out.push(link.attr("href").await.expect("href").unwrap_or_default());
        }
        out
    };
    let mut dials: Vec<String> =
        stop["dial"].as_str().map(|d| format!("tel:{d}")).into_iter().collect();
    for contact in stop["contacts"].as_array().expect("contacts") {
        dials.push(format!("tel:{}", contact["dial"].as_str().expect("dial")));
    }
    assert!(!dials.is_empty(), "the demo's clients have someone to call: {stop}");
    assert_eq!(hrefs(format!("{card} a.call")).await, dials);
    let at = &stop["location"];
    let wgs =
        roads::LonLat::new(at["lon"].as_f64().expect("lon"), at["lat"].as_f64().expect("lat"));
    let (gcj, bd) = (roads::coords::wgs84_to_gcj02(wgs), roads::coords::wgs84_to_bd09(wgs));
    for (app, carries) in [
        ("amap", format!("to={:.6},{:.6},", gcj.lon, gcj.lat)),
        ("baidu", format!("location={:.6},{:.6}&", bd.lat, bd.lon)),
        ("tencent", format!("tocoord={:.6},{:.6}&", gcj.lat, gcj.lon)),
    ] {
        let link = hrefs(format!("{card} a[data-nav='{app}']")).await;
        assert!(link.len() == 1 && link[0].contains(&carries), "{app}: {link:?} lacks {carries}");
    }
}

/// Checking in at a visit after the next one asks why, and the dispatcher gets the reason.
async fn another_visit_than_the_next_asks_why(demo: &Demo, c: &Client, later: &[Value]) {
    let mut visits =
        later.iter().filter(|s| s["kind"] == "visit").filter_map(|s| s["visit"].as_str());
    let (next, skipped_to) =
        (visits.next().expect("a next visit"), visits.next().expect("another"));
    let card = format!("li[data-visit=\"{skipped_to}\"]");
    let primary = format!("li[data-visit=\"{next}\"] button[data-act='check-in'].primary");
    assert!(c.find(Locator::Css(&primary)).await.is_ok(), "the next visit's check-in leads");
    click(c, &format!("{card} button[data-act='check-in']")).await;
    let asks =
        format!("return !document.querySelector('form[data-reason=\"{skipped_to}\"]').hidden");
    assert!(wait_until(c, &asks, FEW_SECONDS).await, "no reason asked for {skipped_to}");
    let still = format!("return document.querySelector('{card}').dataset.state === 'planned'");
    assert!(wait_until(c, &still, FEW_SECONDS).await, "checked in before the reason was given");
    let why = "家属要求提前";
    let form = format!("form[data-reason=\"{skipped_to}\"]");
    c.find(Locator::Css(&format!("{form} textarea")))
        .await
        .expect("textarea")
        .send_keys(why)
        .await
        .expect("type");
    click(c, &format!("{form} button")).await;
    let started = in_state(&card, "started");
    assert!(wait_until(c, &started, FEW_SECONDS).await, "{skipped_to} did not turn started");
    let me = demo.call("caregiver", "GET", "/v1/me", None).await;
    let day = format!("/v1/stations/S1/plan?date={}", me["today"].as_str().expect("today"));
    let progress = demo.call("admin", "GET", &day, None).await["progress"].clone();
    let told = progress.as_array().expect("progress").iter().find(|p| p["visit"] == skipped_to);
    assert_eq!(told.map(|p| p["check_in_reason"].clone()), Some(json!(why)), "{progress}");
}

/// The caregiver refuses the position: the next visit's check-in is recorded all the same,
/// unverified, and the page says so in its own words.
async fn a_refused_position_still_checks_in(demo: &Demo, c: &Client, later: &[Value]) {
    let next = later
        .iter()
        .find(|s| s["kind"] == "visit")
        .and_then(|s| s["visit"].as_str())
        .expect("the next visit");
    let origin = current_origin(c).await;
    let deny =
        json!({"permission": {"name": "geolocation"}, "setting": "denied", "origin": origin});
    c.issue_cmd(Cdp("Browser.setPermission", deny)).await.expect("deny the position");
    let card = format!("li[data-visit=\"{next}\"]");
    click(c, &format!("{card} button[data-act='check-in']")).await;
    let started = in_state(&card, "started");
    assert!(wait_until(c, &started, FEW_SECONDS).await, "no check-in without a position");
    let status = c.find(Locator::Css("#status")).await.expect("status").text().await.expect("text");
    assert!(status.contains("未核实"), "the page says it is unverified: {status}");
    let me = demo.call("caregiver", "GET", "/v1/me", None).await;
    let day = format!("/v1/stations/S1/plan?date={}", me["today"].as_str().expect("today"));
    let progress = demo.call("admin", "GET", &day, None).await["progress"].clone();
    let row = progress.as_array().expect("progress").iter().find(|p| p["visit"] == next).cloned();
    assert_eq!(row.map(|p| p["verified"].clone()), Some(json!(false)), "{progress}");
}

/// A later visit of the caregiver's is cancelled at the desk: the open phone page drops it
/// without a reload and says the route changed (the caregiver's own stream).
async fn a_replanned_route_reaches_the_open_page(demo: &Demo, c: &Client, done: &str) {
    let route = demo.call("caregiver", "GET", "/v1/me/route", None).await;
    let later = route["stops"]
        .as_array()
        .expect("stops")
        .iter()
        .rev()
        .find(|s| s["kind"] == "visit" && s["check_in"].is_null() && s["with"].is_null())
        .and_then(|s| s["visit"].as_str())
        .expect("a later visit of one caregiver")
        .to_string();
    let card = format!("li[data-visit=\"{later}\"]");
    let shown = format!("return !!document.querySelector('{card}')");
    assert!(wait_until(c, &shown, FEW_SECONDS).await, "{later} is on the page before");
    demo.call("admin", "POST", &format!("/v1/orders/{later}/cancel"), None).await;
    let gone = format!(
        "return !document.querySelector('{card}') && !document.getElementById('news').hidden"
    );
    assert!(
        wait_until(c, &gone, Duration::from_secs(30)).await,
        "the cancelled {later} stayed on the open page, or no notice came"
    );
    let notice = c.find(Locator::Css("#news")).await.expect("news").text().await.expect("text");
    assert!(notice.contains('1'), "the notice counts what changed: {notice}");
    // The family's rating link of the visit checked out before stays on its card (the
    // service keeps it until the visit is rated).
    let link = format!("return !!document.querySelector('li[data-visit=\"{done}\"] .rate-link a')");
    assert!(wait_until(c, &link, FEW_SECONDS).await, "the rating link left with the re-plan");
    screenshot(c, &shots(), "7c-phone-route-changed").await;
}

/// A family member opens the rating link on their own phone (no token), gives two stars and a
/// comment; the station gets a low-rating alert.
async fn family_rates_the_visit(demo: &Demo, c: &Client, link: &str) {
    c.goto(link).await.expect("open the rating page");
    assert!(wait_until(c, READY, FEW_SECONDS).await, "the rating page did not render");
    let about = c.find(Locator::Css("#about")).await.expect("about").text().await.expect("text");
    assert!(about.contains("评分"), "what is rated, in Chinese: {about}");
    c.find(Locator::Css("input[name=stars][value='2']"))
        .await
        .expect("2 stars")
        .click()
        .await
        .expect("click");
    c.find(Locator::Css("#comment"))
        .await
        .expect("comment")
        .send_keys("来晚了")
        .await
        .expect("type");
    screenshot(c, &shots(), "7c-family-rates").await;
    c.find(Locator::Css("#rate-form button")).await.expect("send").click().await.expect("click");
    let rated = "return document.body.dataset.rated === '2'";
    assert!(wait_until(c, rated, FEW_SECONDS).await, "the rating was not taken");
    let me = demo.call("admin", "GET", "/v1/me", None).await;
    let today = me["today"].as_str().expect("today");
    let alerts =
        demo.call("dispatcher", "GET", &format!("/v1/stations/S1/alerts?date={today}"), None).await;
    let low =
        alerts["alerts"].as_array().expect("alerts").iter().any(|a| a["kind"] == "low_rating");
    assert!(low, "a low-rating alert: {alerts}");
    // The link works once: opening it again says so.
    c.refresh().await.expect("reload");
    assert!(wait_until(c, READY, FEW_SECONDS).await);
    let hidden =
        c.execute("return document.getElementById('rate-form').hidden", vec![]).await.expect("js");
    assert_eq!(hidden, json!(true), "no second rating");
}

async fn planner_sees_coverage(demo: &Demo, c: &Client) {
    sign_in(c, &format!("{}/plan/", demo.base), demo.token("planner")).await;
    assert!(wait_until(c, READY, Duration::from_secs(60)).await, "the planner view did not render");
    let text =
        c.find(Locator::Css("#coverage")).await.expect("coverage").text().await.expect("text");
    assert!(text.contains('%'), "{text}");
    screenshot(c, &shots(), "8-planner-coverage").await;
    // Where one more station would cover most clients (a MILP, proven optimal, on the server).
    c.find(Locator::Css("#k")).await.expect("k").clear().await.expect("clear");
    c.find(Locator::Css("#k")).await.expect("k").send_keys("1").await.expect("type");
    c.find(Locator::Css("#site-form button")).await.expect("site").click().await.expect("click");
    let sited = "return document.getElementById('sites').textContent.includes('k=1')";
    assert!(wait_until(c, sited, Duration::from_secs(60)).await, "no siting result");
    let rings = "return document.querySelectorAll('.proposed-site').length";
    assert!(
        wait_until(c, &format!("{rings} === 1"), FEW_SECONDS).await,
        "the proposed site is not on the map"
    );
    screenshot(c, &shots(), "9-planner-siting").await;
    // The staffing plots: one simulated week at two staffing levels, drawn as SVG charts.
    c.find(Locator::Css("#levels")).await.expect("levels").clear().await.expect("clear");
    c.find(Locator::Css("#levels")).await.expect("levels").send_keys("2,6").await.expect("type");
    c.find(Locator::Css("#sim-form button")).await.expect("simulate").click().await.expect("click");
    let plotted = "return document.querySelectorAll('#charts svg').length === 2";
    assert!(wait_until(c, plotted, Duration::from_secs(120)).await, "no staffing plots");
    screenshot(c, &shots(), "10-planner-staffing").await;
    // Each answer says what it means, and the English switch writes them all again.
    let said = |css: &'static str| async move {
        c.find(Locator::Css(css)).await.expect(css).text().await.expect("text")
    };
    assert!(said("#coverage").await.contains("服务圈"), "coverage explained");
    assert!(said("#sites").await.contains("整数规划"), "siting explained");
    assert!(said("#sim-status").await.contains("紧急呼叫"), "staffing explained");
    click(c, "#lang").await;
    assert!(said("#coverage").await.contains("clients covered"), "{}", said("#coverage").await);
    assert!(said("#sites").await.contains("integer program"), "{}", said("#sites").await);
    assert!(said("#sim-status").await.contains("urgent calls"), "{}", said("#sim-status").await);
    let chinese = c
        .execute(
            "return /[\\u4e00-\\u9fff]/.test(document.querySelector('.side').textContent)",
            vec![],
        )
        .await
        .expect("js");
    assert_eq!(chinese, json!(false), "Chinese left on the English planner page");
    // The label is drawn again on the switch: read it by script, not by a kept element.
    let site = "return (document.querySelector('.proposed-site')?.textContent ?? '')
                  .startsWith('Proposed site')";
    assert!(wait_until(c, site, FEW_SECONDS).await, "the map's proposed site is not in English");
    screenshot(c, &shots(), "11-planner-english").await;
    click(c, "#lang").await;
}
