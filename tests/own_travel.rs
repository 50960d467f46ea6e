//! A user's own travel times through the command: a matrix written by `roads matrix` from
//! the bundled extract plans exactly as the roads do, a scenario naming a matrix file and no
//! extract plans, checks and runs a week, and bad matrix files get one line naming the pair.

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

const ANDORRA: &str = "data/osm/andorra-2020-05-01.osm.pbf";

fn carecircle(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_carecircle"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the carecircle binary runs")
}

fn ok(args: &[&str]) -> String {
    let run = carecircle(args);
    assert!(run.status.success(), "{args:?}: {}", String::from_utf8_lossy(&run.stderr));
    String::from_utf8_lossy(&run.stdout).into_owned()
}

fn fails(args: &[&str]) -> String {
    let run = carecircle(args);
    assert_eq!(run.status.code(), Some(1), "{args:?} should fail");
    String::from_utf8_lossy(&run.stderr).into_owned()
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("written")).expect("json")
}

fn demo() -> Value {
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/demo.json"))
            .expect("demo scenario");
    serde_json::from_str(&text).expect("json")
}

/// The demo scenario in `dir` with `travel` instead of its extract.
fn without_roads(dir: &Path, travel: Value) -> std::path::PathBuf {
    let mut scenario = demo();
    let fields = scenario.as_object_mut().expect("an object");
    fields.remove("osm");
    fields.insert("travel".into(), travel);
    let file = dir.join("own.json");
    std::fs::write(&file, scenario.to_string()).expect("write");
    file
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8")
}

#[test]
fn a_matrix_written_from_the_roads_plans_as_the_roads_do() {
    let dir = tempfile::tempdir().expect("temp dir");
    let matrix = dir.path().join("m.json");
    let (roads, own) = (dir.path().join("roads.json"), dir.path().join("own.json"));
    ok(&[
        "roads",
        "matrix",
        ANDORRA,
        "--scenario",
        "scenarios/demo.json",
        "--format",
        "json",
        "--out",
        s(&matrix),
        "--quiet",
    ]);
    let m = json(&matrix);
    assert!(m["modes"]["ebike"]["durations"].is_array(), "the demo's caregivers ride e-bikes");
    let budget = ["--iterations", "150", "--time-limit", "120", "--seed", "3", "--quiet"];
    let mut args = vec!["solve", "scenarios/demo.json", "--out", s(&roads)];
    args.extend(budget);
    ok(&args);
    let mut args = vec!["solve", "scenarios/demo.json", "--matrix", s(&matrix), "--out", s(&own)];
    args.extend(budget);
    ok(&args);
    let (a, b) = (json(&roads), json(&own));
    assert_eq!(a["routes"], b["routes"], "the same seed and iterations give the same routes");
    assert_eq!(a["unassigned"], b["unassigned"]);
    assert_eq!(a["kpis"], b["kpis"]);
    // Checked on the matrix, and on the roads: the same numbers.
    assert!(ok(&["check", "scenarios/demo.json", s(&own), "--matrix", s(&matrix), "--quiet"])
        .contains("feasible: no rule is violated"));
    assert!(ok(&["check", "scenarios/demo.json", s(&own), "--quiet"])
        .contains("feasible: no rule is violated"));
}

#[test]
fn a_scenario_with_a_matrix_and_no_extract_plans_checks_and_runs_a_week() {
    let dir = tempfile::tempdir().expect("temp dir");
    ok(&[
        "roads",
        "matrix",
        ANDORRA,
        "--scenario",
        "scenarios/demo.json",
        "--out",
        s(&dir.path().join("times.csv")),
        "--quiet",
    ]);
    let file = without_roads(dir.path(), serde_json::json!({"matrix": "times.csv"}));
    let plan = dir.path().join("plan.json");
    let table = ok(&["solve", s(&file), "--iterations", "100", "--out", s(&plan), "--quiet"]);
    assert!(table.contains("visits served"), "{table}");
    assert!(ok(&["check", s(&file), s(&plan), "--quiet"]).contains("feasible"));
    // The map says its legs are straight: a matrix has no roads to draw.
    let geo = json(&plan.with_extension("routes.geojson"));
    let routes: Vec<&Value> = geo["features"]
        .as_array()
        .expect("features")
        .iter()
        .filter(|f| f["properties"]["kind"] == "route")
        .collect();
    assert!(!routes.is_empty());
    assert!(routes.iter().all(|f| f["properties"]["legs"] == "straight"));
    assert!(geo["attribution"].as_str().is_some_and(|a| a.contains("straight")));
    let week = dir.path().join("week");
    let out =
        ok(&["week", s(&file), "--days", "2", "--time-limit", "2", "--out", s(&week), "--quiet"]);
    assert!(out.contains("served"), "{out}");
    // Every day is checked as it is planned; the first day holds the scenario's visits.
    assert!(week.join("day-2.json").exists());
    assert!(ok(&["check", s(&file), s(&week.join("day-1.json")), "--quiet"]).contains("feasible"));
}

#[test]
fn straight_lines_plan_without_roads() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = without_roads(dir.path(), serde_json::json!({"straight_line": {"ebike_kmh": 12}}));
    let plan = dir.path().join("plan.json");
    ok(&["solve", s(&file), "--iterations", "100", "--out", s(&plan), "--quiet"]);
    assert!(ok(&["check", s(&file), s(&plan), "--quiet"]).contains("feasible"));
}

#[test]
fn bad_matrices_and_sources_get_one_line_naming_the_pair_or_point() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "from,to,mode,seconds,metres\nS1,K1,ebike,-30,100\n").expect("write");
    let err = fails(&["solve", "scenarios/demo.json", "--matrix", s(&bad), "--quiet"]);
    assert!(err.contains("line 2 (S1 → K1, ebike)") && err.contains("negative"), "{err}");

    // A matrix that lacks the demo's clients: every missing point is named.
    let small = dir.path().join("small.json");
    let rows = "[[0,60,60],[60,0,60],[60,60,0]]";
    let text = format!(
        r#"{{"points":["S1","S2","S3"],"modes":{{"ebike":{{"durations":{rows}}},"car":{{"durations":{rows}}}}}}}"#
    );
    std::fs::write(&small, text).expect("write");
    let err = fails(&["solve", "scenarios/demo.json", "--matrix", s(&small), "--quiet"]);
    assert!(err.contains("the travel matrix has no point K"), "{err}");

    // Two sources at once is a usage error (exit 2), naming both flags.
    let run = carecircle(&[
        "solve",
        "scenarios/demo.json",
        "--matrix",
        s(&small),
        "--pbf",
        ANDORRA,
        "--quiet",
    ]);
    assert_eq!(run.status.code(), Some(2));
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(err.contains("--pbf") && err.contains("--matrix"), "{err}");

    let mut scenario = demo();
    scenario["travel"] = serde_json::json!({"matrix": "small.json"});
    let both = dir.path().join("both.json");
    std::fs::write(&both, scenario.to_string()).expect("write");
    let err = fails(&["solve", s(&both), "--quiet"]);
    assert!(err.contains("travel") && err.contains("osm"), "{err}");
}

#[test]
fn the_schemas_describe_both_files() {
    let scenario: Value = serde_json::from_str(&ok(&["scenario", "schema"])).expect("json");
    let properties = scenario["properties"].as_object().expect("properties");
    for field in ["stations", "caregivers", "clients", "visits", "osm", "travel", "canteens"] {
        assert!(properties.contains_key(field), "{field} missing from the scenario schema");
    }
    let text = scenario.to_string();
    assert!(text.contains("straight_line") && text.contains("\"matrix\""), "{text}");
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("matrix.schema.json");
    ok(&["scenario", "schema", "--matrix", "--out", s(&out), "--quiet"]);
    let matrix = json(&out);
    assert_eq!(matrix["required"], serde_json::json!(["points", "modes"]));
    assert!(matrix["$defs"]["ModeJson"]["properties"]["durations"].is_object());
}
