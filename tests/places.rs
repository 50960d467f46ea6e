//! Caregivers who start at home and stations planned as one pool, through the command on the
//! bundled extract's roads: every plan `solve` writes has passed the independent checker.

use serde_json::{json, Value};
use std::path::Path;
use std::process::{Command, Output};

fn carecircle(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_carecircle"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the carecircle binary runs")
}

/// Writes `scenario` as `name.json` and solves it for a second into `name.plan.json`.
fn run_solve(dir: &Path, name: &str, scenario: &Value) -> (Output, std::path::PathBuf) {
    let file = dir.join(format!("{name}.json"));
    std::fs::write(&file, scenario.to_string()).expect("written");
    let out = dir.join(format!("{name}.plan.json"));
    let (f, o) = (file.to_string_lossy(), out.to_string_lossy());
    (carecircle(&["solve", &f, "--time-limit", "1", "--quiet", "--out", &o]), out)
}

/// Solves `scenario` for a second and returns the plan.
fn solve(dir: &Path, name: &str, scenario: &Value) -> Value {
    let (run, out) = run_solve(dir, name, scenario);
    assert!(run.status.success(), "{name}: {}", String::from_utf8_lossy(&run.stderr));
    let text = std::fs::read_to_string(out).expect("plan written");
    serde_json::from_str(&text).expect("plan json")
}

fn fails(dir: &Path, name: &str, scenario: &Value) -> String {
    let (run, _) = run_solve(dir, name, scenario);
    assert_eq!(run.status.code(), Some(1), "{name} should fail");
    String::from_utf8_lossy(&run.stderr).into_owned()
}

/// Andorra la Vella (S1) and Escaldes (S2), 1.5 km apart; S1's one caregiver cannot bathe,
/// S2's can; S1's client K1 books a bath.
fn two_stations() -> Value {
    let shift = json!({"start": 28_800, "end": 61_200});
    json!({
        "name": "places",
        "stations": [
            {"id": "S1", "location": {"lon": 1.5218, "lat": 42.5075},
             "circle": {"minutes": 15, "mode": "ebike"}},
            {"id": "S2", "location": {"lon": 1.5340, "lat": 42.5100},
             "circle": {"minutes": 15, "mode": "ebike"}}
        ],
        "caregivers": [
            {"id": "C1", "station": "S1", "shift": shift, "mode": "ebike"},
            {"id": "C2", "station": "S2", "skills": ["bathing"], "shift": shift, "mode": "ebike"}
        ],
        "clients": [
            {"id": "K1", "station": "S1", "location": {"lon": 1.5250, "lat": 42.5085}},
            {"id": "K2", "station": "S1", "location": {"lon": 1.5200, "lat": 42.5060}}
        ],
        "visits": [
            {"id": "V1", "client": "K1", "service": "bathing", "duration": 2_400,
             "windows": [{"start": 32_400, "end": 50_000}], "skills": ["bathing"]},
            {"id": "V2", "client": "K2", "service": "cleaning", "duration": 1_800,
             "windows": [{"start": 32_400, "end": 50_000}]}
        ]
    })
}

fn with_osm(mut s: Value) -> Value {
    let osm = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/osm/andorra-2020-05-01.osm.pbf");
    s["osm"] = json!(osm.to_string_lossy());
    s
}

fn caregiver_of<'a>(plan: &'a Value, visit: &str) -> Option<&'a str> {
    plan["routes"].as_array()?.iter().find_map(|r| {
        let serves = r["stops"].as_array()?.iter().any(|s| s["visit"] == visit);
        serves.then(|| r["caregiver"].as_str()).flatten()
    })
}

fn reason_of<'a>(plan: &'a Value, visit: &str) -> Option<&'a str> {
    let list = plan["unassigned"].as_array()?;
    list.iter().find(|u| u["visit"] == visit).and_then(|u| u["reason"].as_str())
}

#[test]
fn a_pool_lends_another_stations_caregiver_and_only_because_of_the_pool() {
    let dir = tempfile::tempdir().expect("tmp");
    let alone = solve(dir.path(), "alone", &with_osm(two_stations()));
    assert_eq!(reason_of(&alone, "V1"), Some("skills"), "{alone}");
    assert_eq!(caregiver_of(&alone, "V2"), Some("C1"));
    let mut pooled = with_osm(two_stations());
    pooled["pools"] = json!([{"id": "P1", "stations": ["S1", "S2"]}]);
    let plan = solve(dir.path(), "pooled", &pooled);
    assert_eq!(caregiver_of(&plan, "V1"), Some("C2"), "{plan}");
    assert_eq!(plan["kpis"]["visits_served"], 2);
    // A circle too small to reach K1 from Escaldes keeps C2 at home.
    pooled["stations"][1]["circle"]["minutes"] = json!(1);
    let plan = solve(dir.path(), "small", &pooled);
    assert_eq!(reason_of(&plan, "V1"), Some("circle"), "{plan}");
}

#[test]
fn a_caregiver_starting_at_home_outside_the_circle_still_plans() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut s = with_osm(two_stations());
    // C1 lives in Encamp, 8 km up the valley: well outside S1's 15-minute circle.
    let home = json!({"lon": 1.5800, "lat": 42.5350});
    s["caregivers"][0]["start"] = home.clone();
    s["caregivers"][0]["end"] = home;
    let plan = solve(dir.path(), "home", &s);
    assert_eq!(caregiver_of(&plan, "V2"), Some("C1"), "{plan}");
    let longest = plan["kpis"]["longest_leg"].as_i64().expect("seconds");
    assert!(longest > 15 * 60, "the commute is longer than the circle: {longest}");
    // Its commute limit rules the day out, with the rule named.
    s["caregivers"][0]["max_commute_minutes"] = json!(5);
    let plan = solve(dir.path(), "limited", &s);
    assert_eq!(reason_of(&plan, "V2"), Some("max_commute"), "{plan}");
    // Unpaid, the commute is outside the shift: C1 leaves home before it starts.
    s["caregivers"][0]["max_commute_minutes"] = json!(60);
    s["caregivers"][0]["commute_paid"] = json!(false);
    s["caregivers"][0]["shift"] = json!({"start": 32_400, "end": 36_000});
    let plan = solve(dir.path(), "unpaid", &s);
    let route = plan["routes"].as_array().and_then(|r| r.iter().find(|r| r["caregiver"] == "C1"));
    let departure = route.and_then(|r| r["departure"].as_i64()).expect("C1 works");
    assert!(departure < 32_400, "leaves home before the shift: {plan}");
}

#[test]
fn bad_places_and_pools_are_clear_errors() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut s = with_osm(two_stations());
    s["pools"] = json!([{"id": "P1", "stations": ["S1", "S9"]}]);
    let err = fails(dir.path(), "unknown", &s);
    assert!(err.contains(r#"pools[0].stations[1]: unknown station "S9""#), "{err}");
    let mut s = with_osm(two_stations());
    s["pools"] = json!([{"id": "P1", "stations": ["S1"]}, {"id": "P2", "stations": ["S1", "S2"]}]);
    let err = fails(dir.path(), "twice", &s);
    assert!(err.contains("pools[1].stations[0]") && err.contains("already in pool"), "{err}");
    // A home in the sea off Barcelona, far from any road of the extract.
    let mut s = with_osm(two_stations());
    s["caregivers"][0]["start"] = json!({"lon": 2.6, "lat": 41.2});
    let err = fails(dir.path(), "offroad", &s);
    assert!(err.contains("caregiver place C1@start"), "{err}");
    let mut s = with_osm(two_stations());
    s["caregivers"][0]["end"] = json!("home");
    let err = fails(dir.path(), "word", &s);
    assert!(err.contains("line") && err.contains("column"), "{err}");
}
