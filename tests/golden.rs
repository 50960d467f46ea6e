//! Golden scenarios: every `scenarios/golden/NAME.json` with a `NAME.expected.json` beside it
//! is planned with a fixed seed and iteration budget (deterministic), checked by the
//! independent checker (the command refuses to write a plan that fails it), and its KPIs are
//! held to the recorded bounds.

use std::path::Path;
use std::process::Command;

fn number(expected: &serde_json::Value, key: &str) -> Option<i64> {
    expected.get(key).and_then(serde_json::Value::as_i64)
}

#[test]
fn golden_scenarios_keep_their_kpis() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/golden");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).expect("scenarios/golden") {
        let path = entry.expect("entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        let Some(stem) = name.strip_suffix(".expected.json") else { continue };
        let expected: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("expected")).expect("json");
        let scenario = dir.join(format!("{stem}.json"));
        let out = tempfile::tempdir().expect("temp dir");
        let plan_path = out.path().join("plan.json");
        let iterations = number(&expected, "iterations").unwrap_or(1000).to_string();
        let seed = number(&expected, "seed").unwrap_or(1).to_string();
        let run = Command::new(env!("CARGO_BIN_EXE_carecircle"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(["solve", scenario.to_str().expect("utf-8"), "--quiet", "--iterations"])
            .args([iterations.as_str(), "--time-limit", "600", "--seed", seed.as_str(), "--out"])
            .arg(&plan_path)
            .output()
            .expect("carecircle runs");
        assert!(run.status.success(), "{stem}: {}", String::from_utf8_lossy(&run.stderr));
        let plan: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&plan_path).expect("plan"))
                .expect("json");
        let k = &plan["kpis"];
        let kpi = |key: &str| k[key].as_i64().unwrap_or_else(|| panic!("{stem}: kpis.{key}"));
        let at_most = |key: &str, value: i64| {
            if let Some(max) = number(&expected, &format!("{key}_max")) {
                assert!(value <= max, "{stem}: {key} = {value}, recorded at most {max}");
            }
        };
        assert_eq!(number(&expected, "visits_total"), Some(kpi("visits_total")), "{stem}");
        let served_min = number(&expected, "visits_served_min").unwrap_or(0);
        assert!(kpi("visits_served") >= served_min, "{stem}: served {}", kpi("visits_served"));
        for key in
            ["travel_time", "longest_leg", "lateness_total", "non_preferred_visits", "overtime"]
        {
            at_most(key, kpi(key));
        }
        at_most("working_spread", k["fairness"]["working_spread"].as_i64().unwrap_or(i64::MAX));
        let allowed: Vec<&str> = expected["unassigned_reasons"]
            .as_array()
            .map(|a| a.iter().filter_map(|r| r.as_str()).collect())
            .unwrap_or_default();
        for u in plan["unassigned"].as_array().expect("unassigned") {
            let reason = u["reason"].as_str().unwrap_or_default();
            assert!(allowed.contains(&reason), "{stem}: {} unassigned for {reason}", u["visit"]);
        }
        checked += 1;
    }
    assert!(checked > 0, "no golden scenario found in {}", dir.display());
}
