//! The file formats' JSON Schemas are published in `schemas/` for other programs to check
//! their files with: the published copies are exactly what `carecircle scenario schema`
//! (and `--matrix`) print — `UPDATE_SCHEMAS=1 cargo test --test schemas` writes them again
//! after a format changes — and every scenario the project ships validates against the
//! scenario schema, as does a matrix file the project writes.

use serde_json::Value;
use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The schema as the command prints it.
fn printed(schema: &Value) -> String {
    serde_json::to_string_pretty(schema).expect("a schema prints") + "\n"
}

fn published(name: &str, schema: &Value) {
    let path = root().join("schemas").join(name);
    let want = printed(schema);
    if std::env::var_os("UPDATE_SCHEMAS").is_some() {
        std::fs::create_dir_all(path.parent().expect("a folder")).expect("mkdir");
        std::fs::write(&path, &want).expect("write");
    }
    let have = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (UPDATE_SCHEMAS=1 writes it)", path.display()));
    assert!(
        have == want,
        "{} is out of date: UPDATE_SCHEMAS=1 cargo test --test schemas",
        path.display()
    );
}

#[test]
fn the_published_schemas_are_the_commands() {
    published("scenario.schema.json", &formats::scenario::json_schema());
    published("matrix.schema.json", &formats::travel_matrix::json_schema());
}

/// Every scenario file the project ships (the demo, the golden day).
fn shipped_scenarios() -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut folders = vec![root().join("scenarios")];
    while let Some(dir) = folders.pop() {
        for entry in std::fs::read_dir(&dir).expect("scenarios/") {
            let path = entry.expect("entry").path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            if path.is_dir() {
                folders.push(path);
            } else if name.ends_with(".json") && !name.ends_with(".expected.json") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

#[test]
fn shipped_scenarios_follow_the_published_schema() {
    let schema = formats::scenario::json_schema();
    let validator = jsonschema::validator_for(&schema).expect("the scenario schema compiles");
    let files = shipped_scenarios();
    assert!(files.len() >= 2, "the demo and the golden day: {files:?}");
    for path in files {
        let text = std::fs::read_to_string(&path).expect("read");
        let value: Value = serde_json::from_str(&text).expect("json");
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .take(5)
            .map(|e| format!("{}: {e}", e.instance_path))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
    }
}

/// The schema is not a blanket yes: a scenario with a visit lacking its duration, or a
/// caregiver with a travel mode there is none of, is refused by it, as by the reader.
#[test]
fn the_scenario_schema_refuses_what_the_reader_refuses() {
    let schema = formats::scenario::json_schema();
    let validator = jsonschema::validator_for(&schema).expect("the scenario schema compiles");
    let demo: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("scenarios/demo.json")).expect("demo"),
    )
    .expect("json");
    let mut no_duration = demo.clone();
    if let Some(v) = no_duration["visits"][0].as_object_mut() {
        v.remove("duration");
    }
    assert!(!validator.is_valid(&no_duration), "a visit without its duration passed");
    let mut flying = demo.clone();
    flying["caregivers"][0]["mode"] = Value::from("helicopter");
    assert!(!validator.is_valid(&flying), "a caregiver by helicopter passed");
}

#[test]
fn a_written_matrix_follows_the_published_schema() {
    let schema = formats::travel_matrix::json_schema();
    let validator = jsonschema::validator_for(&schema).expect("the matrix schema compiles");
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("matrix.json");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_carecircle"))
        .args(["--quiet", "roads", "matrix"])
        .arg(root().join("data/osm/andorra-2020-05-01.osm.pbf"))
        .arg("--scenario")
        .arg(root().join("scenarios/demo.json"))
        .args(["--format", "json", "--out"])
        .arg(&out)
        .status()
        .expect("carecircle runs");
    assert!(status.success(), "carecircle matrix failed");
    let value: Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("read")).expect("json");
    let errors: Vec<String> = validator
        .iter_errors(&value)
        .take(5)
        .map(|e| format!("{}: {e}", e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}
