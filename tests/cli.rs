//! End-to-end tests of the `carecircle` command across the crates: the demo, solve + check on
//! a Solomon instance, the road subcommands, and clear one-line errors for bad input.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn carecircle(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_carecircle"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the carecircle binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn shared(relative: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared").join(relative);
    if p.exists() {
        Some(p)
    } else {
        // CI sets it: there the data must be present.
        assert!(
            !std::env::var("CARECIRCLE_REQUIRE_SHARED").is_ok_and(|v| v == "1"),
            "{} is absent (CARECIRCLE_REQUIRE_SHARED=1)",
            p.display()
        );
        eprintln!("SKIPPED: {} is absent (../shared not beside the project)", p.display());
        None
    }
}

const ANDORRA: &str = "data/osm/andorra-2020-05-01.osm.pbf";

#[test]
fn demo_writes_a_plan_that_the_checker_accepts() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().to_str().expect("utf-8 path");
    let run = carecircle(&["demo", "--quiet", "--out", out, "--time-limit", "3"]);
    assert!(run.status.success(), "demo failed: {}", text(&run.stderr));
    let stdout = text(&run.stdout);
    assert!(stdout.contains("visits served"), "{stdout}");
    assert!(stdout.contains("longest leg / circle limit"), "{stdout}");

    let plan_path = dir.path().join("plan.json");
    let plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&plan_path).expect("plan.json"))
            .expect("json");
    assert!(plan["kpis"]["visits_served"].as_u64().unwrap_or(0) > 0, "the demo serves visits");
    for u in plan["unassigned"].as_array().expect("unassigned list") {
        assert!(u["reason"].as_str().is_some_and(|r| !r.is_empty()), "reason for {u}");
    }
    let geo: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("plan.routes.geojson")).expect("geojson"),
    )
    .expect("geojson parses");
    let routes = geo["features"]
        .as_array()
        .expect("features")
        .iter()
        .filter(|f| f["geometry"]["type"] == "LineString")
        .count();
    assert_eq!(routes, plan["routes"].as_array().map_or(0, Vec::len));
    let svg = std::fs::read_to_string(dir.path().join("plan.svg")).expect("svg");
    assert!(svg.starts_with("<svg") && svg.contains("OpenStreetMap contributors"));

    let check = carecircle(&[
        "check",
        "--quiet",
        "scenarios/demo.json",
        plan_path.to_str().expect("utf-8"),
    ]);
    assert!(check.status.success(), "check refused the demo plan: {}", text(&check.stdout));
    assert!(text(&check.stdout).contains("feasible"));
}

#[test]
fn solomon_c101_solves_and_checks() {
    let Some(c101) = shared("data/vrptw/solomon/C101.txt") else { return };
    let c101 = c101.to_str().expect("utf-8");
    let dir = tempfile::tempdir().expect("temp dir");
    let plan = dir.path().join("c101.json");
    let plan = plan.to_str().expect("utf-8");
    let run = carecircle(&["solve", c101, "--quiet", "--time-limit", "2", "--out", plan]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    assert!(text(&run.stdout).contains("100 of 100 customers served"), "{}", text(&run.stdout));
    let check = carecircle(&["check", c101, plan]);
    assert!(check.status.success(), "{}", text(&check.stdout));
}

#[test]
fn mankowska_instance_solves_checks_and_reports_the_benchmark_objective() {
    let Some(file) = shared("data/hhc/mankowska2014/instances/InstanzCPLEX_HCSRP_10_1.txt") else {
        return;
    };
    let file = file.to_str().expect("utf-8");
    let dir = tempfile::tempdir().expect("temp dir");
    let plan_path = dir.path().join("a1.json");
    let plan_path = plan_path.to_str().expect("utf-8");
    let run = carecircle(&["solve", file, "--quiet", "--iterations", "3000", "--out", plan_path]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    assert!(text(&run.stdout).contains("13 of 13 services"), "{}", text(&run.stdout));
    let plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(plan_path).expect("plan")).expect("json");
    // A1's optimum is 218.2 (rounded); the objective is recomputed from the routes.
    let objective = plan["kpis"]["objective"].as_f64().expect("kpis.objective");
    assert!((218.0..=221.0).contains(&objective), "{objective}");
    let service = &plan["routes"][0]["stops"][0]["service"];
    assert!(service.as_str().is_some_and(|s| s.parse::<u32>().is_ok()), "{service}");
    let check = carecircle(&["check", file, plan_path]);
    assert!(check.status.success(), "{}", text(&check.stdout));
    assert!(text(&check.stdout).contains("objective 218."), "{}", text(&check.stdout));
}

#[test]
fn a_tampered_plan_fails_the_check_naming_the_rule() {
    let Some(c101) = shared("data/vrptw/solomon/C101.txt") else { return };
    let c101 = c101.to_str().expect("utf-8");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("plan.json");
    let run = carecircle(&[
        "solve",
        c101,
        "--quiet",
        "--iterations",
        "50",
        "--out",
        path.to_str().expect("utf-8"),
    ]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let mut plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("plan")).expect("json");
    // Drop the first stop of the first route: that customer is now neither served nor unassigned.
    let stops = plan["routes"][0]["stops"].as_array_mut().expect("stops");
    stops.remove(0);
    std::fs::write(&path, plan.to_string()).expect("write");
    let check = carecircle(&["check", c101, path.to_str().expect("utf-8")]);
    assert!(!check.status.success(), "a tampered plan must not pass");
    assert!(text(&check.stdout).contains("violation"), "{}", text(&check.stdout));
}

#[test]
fn bad_scenario_gets_one_line_naming_file_and_field() {
    let dir = tempfile::tempdir().expect("temp dir");
    let demo =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/demo.json"))
            .expect("demo scenario");
    let mut scenario: serde_json::Value = serde_json::from_str(&demo).expect("json");
    scenario["visits"][0]["client"] = "nobody".into();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, scenario.to_string()).expect("write");
    let run = carecircle(&["solve", bad.to_str().expect("utf-8"), "--quiet"]);
    assert_eq!(run.status.code(), Some(1));
    let err = text(&run.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("bad.json") && err.contains("visits[0].client"), "{err}");
}

#[test]
fn roads_info_reads_both_shared_extracts() {
    let run = carecircle(&["roads", "info", ANDORRA, "--quiet"]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    assert!(text(&run.stdout).contains("ebike"));
    let Some(helsinki) = shared("data/osm/helsinki-centre-2019.osm.pbf") else { return };
    let run = carecircle(&["roads", "info", helsinki.to_str().expect("utf-8")]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    assert!(text(&run.stderr).contains("missing"), "the cut's missing refs are reported");
}

#[test]
fn roads_isochrone_writes_a_geojson_polygon() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("circle.geojson");
    let run = carecircle(&[
        "roads",
        "isochrone",
        ANDORRA,
        "--quiet",
        "--at",
        "1.5218,42.5075",
        "--minutes",
        "10",
        "--mode",
        "ebike",
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let geo: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("written")).expect("json");
    let ring = &geo["features"][0]["geometry"]["coordinates"][0];
    assert_eq!(geo["features"][0]["geometry"]["type"], "Polygon");
    let ring = ring.as_array().expect("a ring");
    assert!(ring.len() >= 4, "a polygon ring has at least 4 positions");
    assert_eq!(ring.first(), ring.last(), "the ring is closed");
}

#[test]
fn roads_matrix_writes_every_pair_and_names_bad_lines() {
    let dir = tempfile::tempdir().expect("temp dir");
    let points = dir.path().join("points.csv");
    std::fs::write(&points, "id,lon,lat\na,1.5218,42.5075\nb,1.5340,42.5100\nc,1.5600,42.5450\n")
        .expect("write");
    let out = dir.path().join("m.csv");
    let run = carecircle(&[
        "roads",
        "matrix",
        ANDORRA,
        "--quiet",
        "--points",
        points.to_str().expect("utf-8"),
        "--mode",
        "car",
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let csv = std::fs::read_to_string(&out).expect("matrix");
    assert_eq!(csv.lines().count(), 1 + 9);
    assert!(csv.lines().any(|l| l == "a,a,car,0,0"), "{csv}");

    std::fs::write(&points, "a,1.5218,42.5075\nb,east,42.51\n").expect("write");
    let run = carecircle(&[
        "roads",
        "matrix",
        ANDORRA,
        "--quiet",
        "--points",
        points.to_str().expect("utf-8"),
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    assert_eq!(run.status.code(), Some(1));
    let err = text(&run.stderr);
    assert!(err.contains("line 2") && err.contains("lon"), "{err}");
}

#[test]
fn coverage_circles_reports_clients_outside_and_writes_a_map() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().to_str().expect("utf-8");
    let run = carecircle(&[
        "coverage",
        "circles",
        "--quiet",
        "--scenario",
        "scenarios/demo.json",
        "--minutes",
        "6",
        "--out",
        out,
    ]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("coverage.json")).expect("coverage.json"),
    )
    .expect("json");
    let clients = report["clients"].as_u64().expect("clients");
    let covered = report["covered"].as_u64().expect("covered");
    let outside = report["outside"].as_array().expect("outside").len() as u64;
    assert!(covered < clients, "a 6-minute circle misses some demo clients");
    assert_eq!(covered + outside, clients);
    assert!(report["outside"][0]["travel_time"].as_i64().is_some_and(|t| t > 6 * 60));
    let svg = std::fs::read_to_string(dir.path().join("coverage.svg")).expect("svg");
    assert!(svg.contains("<polygon") && svg.contains("OpenStreetMap contributors"));
    // The circles of several stations at once are the same circles.
    let one = tempfile::tempdir().expect("temp dir");
    let run = carecircle(&[
        "coverage",
        "circles",
        "--quiet",
        "--scenario",
        "scenarios/demo.json",
        "--minutes",
        "6",
        "--threads",
        "1",
        "--out",
        one.path().to_str().expect("utf-8"),
    ]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let on_one = std::fs::read_to_string(one.path().join("coverage.json")).expect("coverage.json");
    assert_eq!(serde_json::from_str::<serde_json::Value>(&on_one).expect("json"), report);
}

#[test]
fn coverage_site_chooses_k_sites_at_least_as_well_as_greedy() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().to_str().expect("utf-8");
    let run = carecircle(&[
        "coverage",
        "site",
        "--quiet",
        "--scenario",
        "scenarios/demo.json",
        "--k",
        "2",
        "--minutes",
        "8",
        "--out",
        out,
    ]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("site.json")).expect("site.json"),
    )
    .expect("json");
    assert_eq!(report["chosen"].as_array().map(Vec::len), Some(2));
    let milp = report["milp"]["covered"].as_u64().expect("covered");
    let greedy = report["greedy"]["covered"].as_u64().expect("covered");
    assert!(milp >= greedy && milp > 0, "MILP {milp} vs greedy {greedy}");
    assert_eq!(report["milp"]["gap"], 0.0);
    assert!(std::fs::read_to_string(dir.path().join("site.svg"))
        .expect("svg")
        .contains("<polygon"));
}

#[test]
fn simulate_is_deterministic_and_names_the_staff_needed() {
    let run_once = |out: &str, threads: &str| {
        let run = carecircle(&[
            "simulate",
            "--threads",
            threads,
            "--quiet",
            "--scenario",
            "scenarios/demo.json",
            "--weeks",
            "1",
            "--seed",
            "2",
            "--levels",
            "3,8",
            "--iterations",
            "200",
            "--out",
            out,
        ]);
        assert!(run.status.success(), "{}", text(&run.stderr));
        assert!(text(&run.stdout).contains("station S1"), "{}", text(&run.stdout));
        std::fs::read_to_string(Path::new(out).join("simulation.json")).expect("simulation.json")
    };
    let (a, b) = (tempfile::tempdir().expect("dir"), tempfile::tempdir().expect("dir"));
    let first = run_once(a.path().to_str().expect("utf-8"), "1");
    let second = run_once(b.path().to_str().expect("utf-8"), "3");
    assert_eq!(first, second, "same seed, same simulation, on one thread or three");
    let report: serde_json::Value = serde_json::from_str(&first).expect("json");
    let levels = report["levels"].as_array().expect("levels");
    assert_eq!(levels.len(), 2 * 3, "two levels for each of three stations");
    for pair in levels.chunks(2) {
        let unserved = |l: &serde_json::Value| l["package_unserved"].as_u64().expect("count");
        assert!(
            unserved(&pair[1]) <= unserved(&pair[0]),
            "more caregivers never serve fewer: {pair:?}"
        );
    }
    assert!(a.path().join("utilisation.png").exists() && a.path().join("unserved.svg").exists());
}

#[test]
fn coverage_site_p_median_reports_travel_and_a_proven_gap() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().to_str().expect("utf-8");
    let run = carecircle(&[
        "coverage",
        "site",
        "--quiet",
        "--scenario",
        "scenarios/demo.json",
        "--objective",
        "p-median",
        "--k",
        "3",
        "--out",
        out,
    ]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("site.json")).expect("site.json"),
    )
    .expect("json");
    assert_eq!(report["objective"], "p-median");
    let mean = |m: &str| report[m]["mean_travel_seconds"].as_f64().expect("mean travel");
    assert!(mean("milp") > 0.0 && mean("milp") <= mean("greedy") + 1e-9);
    assert!(report["milp"]["gap"].as_f64().is_some_and(|g| (0.0..=0.01).contains(&g)));
}

#[test]
fn a_week_of_care_packages_is_planned_day_by_day_with_the_rules() {
    let dir = tempfile::tempdir().expect("temp dir");
    let scenario = dir.path().join("pk.json");
    let scenario = scenario.to_str().expect("utf-8");
    let gen = carecircle(&[
        "scenario",
        "generate",
        "--quiet",
        "--pbf",
        ANDORRA,
        "--stations",
        "1",
        "--caregivers",
        "8",
        "--clients",
        "40",
        "--packages",
        "--rules",
        "--seed",
        "3",
        "--out",
        scenario,
    ]);
    assert!(gen.status.success(), "{}", text(&gen.stderr));
    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(scenario).expect("scenario")).expect("json");
    assert!(s["packages"].as_array().is_some_and(|p| !p.is_empty()), "packages drawn");
    let out = dir.path().join("week");
    let out = out.to_str().expect("utf-8");
    let week = carecircle(&[
        "week",
        scenario,
        "--quiet",
        "--days",
        "3",
        "--time-limit",
        "1",
        "--out",
        out,
    ]);
    assert!(week.status.success(), "{}", text(&week.stderr));
    let summary: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new(out).join("week.json")).expect("week.json"),
    )
    .expect("json");
    let days = summary["days"].as_array().expect("days");
    assert_eq!(days.len(), 3);
    // Meals come every day, so every day has visits, and most are served.
    for d in days {
        let (visits, served) =
            (d["visits"].as_u64().unwrap_or(0), d["served"].as_u64().unwrap_or(0));
        assert!(visits > 0 && served * 10 >= visits * 9, "{d}");
    }
    assert!(Path::new(out).join("day-3.json").exists());
    assert!(Path::new(out).join("week.svg").exists());
    assert!(summary["entitlements"].as_array().is_some_and(|e| e.len() == 40));
}

/// `report ledger` and `report teams` read what the service stored: two visits checked in and
/// out become two bookings with their real durations and a graded team; bad input is named.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_ledger_and_teams_read_the_services_finished_visits() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = format!("sqlite://{}", dir.path().join("ledger.db").display());
    let json =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/demo.json"))
            .expect("demo scenario");
    let scenario = formats::scenario::Scenario::from_json(&json).expect("demo scenario");
    let date = dispatch_api::date::PlanDate::parse(scenario.date.as_deref().expect("a date"))
        .expect("date");
    let network = roads::RoadNetwork::from_pbf(Path::new(ANDORRA), &roads::Mode::ALL)
        .expect("the bundled extract");
    let visits: Vec<(String, String)> = scenario
        .visits
        .iter()
        .take(2)
        .map(|v| {
            let station =
                scenario.clients.iter().find(|c| c.id == v.client).map(|c| c.station.clone());
            (v.id.clone(), station.expect("the client's station"))
        })
        .collect();
    let config = dispatch_api::ServeConfig::new(
        "127.0.0.1:0".parse().expect("addr"),
        db.clone(),
        scenario,
        Some(std::sync::Arc::new(network)),
        std::time::Duration::from_secs(1),
    );
    let state = dispatch_api::build_state(&config).await.expect("the service's database");
    for (i, (visit, station)) in visits.iter().enumerate() {
        let at = 9 * 3600 + i as i64 * 3600;
        let mut change = state.store.change(station).await.expect("change");
        assert!(change
            .check_in(visit, visit, "C1", &date, (at, Some((1.52, 42.5))), None)
            .await
            .expect("in"));
        assert!(change
            .check_out(visit, at + 1800 * (i as i64 + 1), Some((1.52, 42.5)))
            .await
            .expect("out"));
        change.commit().await.expect("stored");
    }
    state.store.close().await;

    let csv = dir.path().join("ledger.csv");
    let month = &date.as_str()[..7];
    let run = carecircle(&[
        "report",
        "ledger",
        "--db",
        &db,
        "--from",
        month,
        "--by",
        "client",
        "--out",
        csv.to_str().expect("utf-8"),
    ]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let table = text(&run.stdout);
    let total = table.lines().last().expect("a totals line");
    assert!(
        total
            .split_whitespace()
            .eq(["total", "2", "1.50", "2", ""].into_iter().filter(|s| !s.is_empty())),
        "{table}"
    );
    let written = std::fs::read_to_string(&csv).expect("the CSV");
    assert!(written.lines().last().is_some_and(|l| l.starts_with("total,2,1.50,")), "{written}");
    assert!(csv.with_extension("svg").exists() && csv.with_extension("png").exists(), "the chart");

    let bad = carecircle(&["report", "ledger", "--db", &db, "--from", "2026-13"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(text(&bad.stderr).contains("--from: must be a month"), "{}", text(&bad.stderr));

    // The same visits graded: no teams yet, so one row with both visits and every part listed.
    let chart = dir.path().join("teams.svg");
    let (year, month) = date.as_str().split_at(4);
    let quarter = format!("{year}Q{}", (month[1..3].parse::<u32>().expect("month") - 1) / 3 + 1);
    let run = carecircle(&[
        "report",
        "teams",
        "--db",
        &db,
        "--quarter",
        &quarter,
        "--out",
        chart.to_str().expect("utf-8"),
    ]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let table = text(&run.stdout);
    assert!(
        table.contains("(no team)")
            && table.contains("punctuality")
            && table.contains("complaints"),
        "{table}"
    );
    for written in [chart.clone(), chart.with_extension("png"), chart.with_extension("json")] {
        assert!(written.exists(), "{} written", written.display());
    }
    let bad = carecircle(&["report", "teams", "--db", &db, "--quarter", "2026Q5"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(text(&bad.stderr).contains("--quarter: must be"), "{}", text(&bad.stderr));
}

/// `demo-week` plays the demo through the service: meal rounds from the canteens (pick-ups
/// marked, every meal hot within its limit — the command stops if a plan fails the checker),
/// check-ins and ratings over the API, then the ledger and team grades a person reads.
#[test]
fn demo_week_plays_meal_rounds_ratings_a_ledger_and_team_grades() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("week");
    let run = carecircle(&[
        "--quiet",
        "demo-week",
        "--days",
        "2",
        "--time-limit",
        "1",
        "--out",
        out.to_str().expect("utf-8 path"),
    ]);
    let stdout = text(&run.stdout);
    assert!(run.status.success(), "{stdout}\n{}", text(&run.stderr));
    assert!(stdout.contains("team grades 2026Q4"), "{stdout}");
    assert!(stdout.contains("S1-T1"), "teams were formed: {stdout}");
    let plan: solver::Plan =
        serde_json::from_str(&std::fs::read_to_string(out.join("day-1.json")).expect("day 1"))
            .expect("a plan");
    let meals = plan.kpis.meals.expect("meal rounds");
    assert!(meals.delivered > 0 && meals.rounds > 0, "{meals:?}");
    assert!(meals.ride_max.0 <= 30 * 60, "hot within 30 minutes: {meals:?}");
    let pickups = plan.routes.iter().flat_map(|r| &r.stops).filter(|s| s.pickup_for.is_some());
    assert!(pickups.count() >= meals.delivered, "each delivered meal was picked up");
    let ratings: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("ratings.json")).expect("ratings"))
            .expect("json");
    assert!(ratings["S1"]["count"].as_u64().unwrap_or(0) > 0, "{ratings}");
    let ledger = std::fs::read_to_string(out.join("ledger.csv")).expect("ledger");
    assert!(ledger.lines().count() > 20, "{ledger}");
    for chart in ["ledger.svg", "ledger.png", "teams.svg", "teams.png", "teams.json"] {
        assert!(out.join(chart).metadata().is_ok_and(|m| m.len() > 100), "{chart} written");
    }
}

#[test]
fn tokens_are_listed_without_secrets_and_revoked_by_id() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = format!("sqlite://{}", dir.path().join("t.db").display());
    let made = carecircle(&[
        "token",
        "create",
        "--db",
        &db,
        "--role",
        "admin",
        "--label",
        "ops",
        "--expires-in",
        "90d",
    ]);
    assert!(made.status.success(), "{}", text(&made.stderr));
    let token = text(&made.stdout).trim().to_string();
    let id: String = dispatch_api::auth::token_hash(&token).chars().take(12).collect();
    let list = text(&carecircle(&["token", "list", "--db", &db]).stdout);
    let line = list.lines().find(|l| l.starts_with(&id)).unwrap_or_else(|| panic!("{list}"));
    assert!(line.contains("admin") && line.contains("ops") && !list.contains(&token), "{list}");
    let revoked = carecircle(&["token", "revoke", &id, "--db", &db]);
    assert!(revoked.status.success(), "{}", text(&revoked.stderr));
    let list = text(&carecircle(&["token", "list", "--db", &db]).stdout);
    let line = list.lines().find(|l| l.starts_with(&id)).unwrap_or_else(|| panic!("{list}"));
    assert_eq!(line.matches("UTC").count(), 3, "created, expires and revoked: {line}");
    let unknown = carecircle(&["token", "revoke", "abcdefabcdef", "--db", &db]);
    assert_eq!(unknown.status.code(), Some(1));
    let bad =
        carecircle(&["token", "create", "--db", &db, "--role", "admin", "--expires-in", "soon"]);
    assert_eq!(bad.status.code(), Some(2), "a usage error names the flag");
}

#[test]
fn db_check_lists_rows_outside_todays_limits() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("c.db");
    let db = format!("sqlite://{}", file.display());
    let clean = carecircle(&["db", "check", "--db", &db]);
    assert!(clean.status.success(), "a new database is clean: {}", text(&clean.stderr));
    // A row from before the limits, as an older build stored it: a 300-character name.
    let name = "名".repeat(300);
    let body = format!(r#"{{"id":"K1","name":"{name}"}}"#);
    assert!(insert_old_client(&file, &body), "inserted");
    let found = carecircle(&["db", "check", "--db", &db, "--json"]);
    assert_eq!(found.status.code(), Some(1), "{}", text(&found.stderr));
    let line: serde_json::Value = serde_json::from_str(text(&found.stdout).trim()).expect("json");
    assert_eq!(line["table"], "clients");
    assert_eq!(line["id"], "K1");
    assert_eq!(line["field"], "name");
    assert!(text(&found.stderr).contains("1 stored rows"), "{}", text(&found.stderr));
}

/// Stores a client row straight into the SQLite file, as a build before the limits did.
fn insert_old_client(file: &std::path::Path, body: &str) -> bool {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let store = dispatch_api::store::Store::connect(&format!("sqlite://{}", file.display()))
            .await
            .expect("store");
        store.close().await;
        sqlx::any::install_default_drivers();
        let pool =
            sqlx::AnyPool::connect(&format!("sqlite://{}", file.display())).await.expect("pool");
        sqlx::query("INSERT INTO stations (id, body) VALUES ('S1', '{}')")
            .execute(&pool)
            .await
            .expect("station");
        let done = sqlx::query("INSERT INTO clients (id, station, body) VALUES ('K1', 'S1', $1)")
            .bind(body)
            .execute(&pool)
            .await
            .expect("client");
        pool.close().await;
        done.rows_affected() == 1
    })
}

#[test]
fn station_days_planned_at_once_give_the_same_checked_plan() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut plans = Vec::new();
    for threads in ["1", "3"] {
        let out = dir.path().join(format!("plan-{threads}.json"));
        let out = out.to_str().expect("utf-8");
        let run = carecircle(&[
            "solve",
            "scenarios/demo.json",
            "--iterations",
            "300",
            "--time-limit",
            "120",
            "--threads",
            threads,
            "--out",
            out,
        ]);
        assert!(run.status.success(), "--threads {threads}: {}", text(&run.stderr));
        let check = carecircle(&["check", "scenarios/demo.json", out]);
        assert!(check.status.success(), "--threads {threads}: {}", text(&check.stdout));
        let plan: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out).expect("plan")).expect("json");
        plans.push((
            plan["routes"].clone(),
            plan["unassigned"].clone(),
            plan["kpis"]["cost"].clone(),
        ));
    }
    assert_eq!(plans[0], plans[1], "the same plan on one thread and on three");
    // Six threads: the three station-days at once, each searched on two threads that
    // exchange their best solutions; reproducible with a seed and iterations.
    let on_six = |k: usize| {
        let out = dir.path().join(format!("plan-6-{k}.json"));
        let out = out.to_str().expect("utf-8");
        let run = carecircle(&[
            "solve",
            "scenarios/demo.json",
            "--iterations",
            "6000",
            "--time-limit",
            "120",
            "--threads",
            "6",
            "--quiet",
            "--out",
            out,
        ]);
        assert!(run.status.success(), "--threads 6: {}", text(&run.stderr));
        let check = carecircle(&["check", "scenarios/demo.json", out]);
        assert!(check.status.success(), "--threads 6: {}", text(&check.stdout));
        let plan: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out).expect("plan")).expect("json");
        (plan["routes"].clone(), plan["unassigned"].clone(), plan["kpis"]["cost"].clone())
    };
    assert_eq!(on_six(1), on_six(2), "the same plan every time on two threads a day");
    for bad in ["0", "-2", "two"] {
        let run = carecircle(&["solve", "scenarios/demo.json", "--threads", bad]);
        assert_eq!(run.status.code(), Some(2), "--threads {bad}");
        assert!(text(&run.stderr).contains("--threads"), "{}", text(&run.stderr));
    }
}

/// `--preset city-meals` is a city meal day as Jinan's platform runs them: ten stations, 600
/// caregivers, 6,700 hot lunches from 100 elder canteens, nothing else.
#[test]
fn the_city_meals_preset_is_a_city_lunch() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("city.json");
    let run = carecircle(&[
        "scenario",
        "generate",
        "--quiet",
        "--pbf",
        "data/osm/andorra-2020-05-01.osm.pbf",
        "--preset",
        "city-meals",
        "--out",
        out.to_str().expect("utf-8 path"),
    ]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let city: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("scenario")).expect("json");
    let count = |key: &str| city[key].as_array().map_or(0, Vec::len);
    assert_eq!(
        [count("stations"), count("caregivers"), count("clients"), count("canteens")],
        [10, 600, 6_700, 100]
    );
    let visits = city["visits"].as_array().expect("visits");
    assert_eq!(visits.len(), 6_700, "one lunch per client");
    assert!(visits.iter().all(|v| v["service"] == "meal"), "nothing but meals");
}
