//! The README's dispatcher-and-caregiver walk-through, run as written (with curl and bash)
//! against `carecircle serve --demo`: the README's promise is checked, not hoped.

#![cfg(unix)]

use std::path::Path;
use std::process::Command;

mod support {
    pub mod service_process;
}
use support::service_process::{free_port, serve_demo, ROOT};

/// The `sh` block after the `<!-- walkthrough -->` marker.
fn walkthrough() -> String {
    let readme = std::fs::read_to_string(Path::new(ROOT).join("README.md")).expect("README");
    let after = readme.split("<!-- walkthrough -->").nth(1).expect("the walkthrough marker");
    let block = after.split("```sh\n").nth(1).expect("a sh block");
    block.split("```").next().expect("its end").to_string()
}

#[test]
fn the_readme_walkthrough_works_against_serve_demo() {
    if Command::new("curl").arg("--version").output().is_err() {
        eprintln!("SKIPPED: curl is not installed");
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let port = free_port();
    let db = format!("sqlite://{}", dir.path().join("walk.db").display());
    let (mut server, tokens) = serve_demo(&db, port);
    let script =
        walkthrough().replace("B=http://localhost:8080", &format!("B=http://127.0.0.1:{port}"));
    let out = Command::new("bash")
        .args(["-euo", "pipefail", "-c", &script])
        .envs(tokens)
        .current_dir(dir.path())
        .output()
        .expect("bash runs");
    let _ = server.kill();
    let _ = server.wait();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the walkthrough failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains(r#""assignment":{"#), "the urgent order was inserted:\n{stdout}");
    assert!(stdout.contains("\n403\n"), "a caregiver cannot read another's route:\n{stdout}");
    assert!(stdout.contains(r#""status":"ok""#));
    for file in ["route.geojson", "route.ics"] {
        assert!(dir.path().join(file).metadata().is_ok_and(|m| m.len() > 100), "{file} written");
    }
}
