//! The service's contract checked from outside, by programs that know nothing of its code,
//! against `carecircle serve --demo` on SQLite and on PostgreSQL:
//!
//! - a Python client generated from `openapi.json` by openapi-python-client runs the README
//!   walk-through's JSON operations (`scripts/contract/walkthrough.py`): every answer must
//!   parse into the model the document promises;
//! - schemathesis sends every operation of the document examples, edge cases and random
//!   input (as an admin, and the caregiver's own operations as a caregiver) and finds no
//!   5xx, no status the document does not list, no media type or body that breaks it.
//!
//! The tools are pinned in `scripts/python-tools.txt` and installed by
//! `scripts/python-tools.sh` from the package registry; where that cannot run the test says
//! SKIPPED, unless CARECIRCLE_REQUIRE_CONTRACT is set (CI sets it). The day's plan is then
//! read from the database and checked by the independent checker.

#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::OnceLock;

mod support {
    pub mod cluster;
    pub mod service_process;
}
use support::cluster::{checked_day_plan, require};
use support::service_process::{free_port, postgres_schema, serve_demo, ROOT};

/// The tools' bin directory, installed once per run; `None` (said) where pip cannot.
fn tools() -> Option<&'static Path> {
    static BIN: OnceLock<Option<PathBuf>> = OnceLock::new();
    let bin = BIN.get_or_init(|| {
        let out =
            Command::new("bash").arg(Path::new(ROOT).join("scripts/python-tools.sh")).output();
        match out {
            Ok(out) if out.status.success() => {
                Some(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
            }
            Ok(out) => {
                eprintln!("{}", String::from_utf8_lossy(&out.stderr));
                None
            }
            Err(e) => {
                eprintln!("bash: {e}");
                None
            }
        }
    });
    if bin.is_none() {
        require("CARECIRCLE_REQUIRE_CONTRACT", "the pinned Python tools could not be installed");
    }
    bin.as_deref()
}

/// `serve --demo` on `db`, killed when dropped.
struct Service {
    child: Child,
    base: String,
    tokens: Vec<(String, String)>,
}

impl Service {
    fn start(db: &str) -> Service {
        let port = free_port();
        let (child, tokens) = serve_demo(db, port);
        Service { child, base: format!("http://127.0.0.1:{port}"), tokens }
    }

    fn token(&self, name: &str) -> &str {
        self.tokens.iter().find(|(n, _)| n == name).map(|(_, t)| t.as_str()).expect("token")
    }

    /// The service's date, which `serve --demo` plans.
    async fn today(&self) -> String {
        let me: serde_json::Value = reqwest::Client::new()
            .get(format!("{}/v1/me", self.base))
            .bearer_auth(self.token("ADMIN_TOKEN"))
            .send()
            .await
            .expect("GET /v1/me")
            .json()
            .await
            .expect("json");
        me["today"].as_str().expect("today").to_string()
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn run(what: &str, command: &mut Command) {
    let out = command.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{what} failed:\n{stdout}\n{stderr}");
    eprintln!("{what}: passed\n{}", stdout.lines().rev().take(12).collect::<Vec<_>>().join("\n"));
}

/// The client generated afresh from the checked-in document (the one the service serves,
/// which tests/openapi.rs keeps equal), and the walk-through run on it.
fn generated_client_walkthrough(bin: &Path, service: &Service, work: &Path) {
    let client = work.join("client");
    run(
        "openapi-python-client generate",
        Command::new(bin.join("openapi-python-client"))
            .arg("generate")
            .arg("--path")
            .arg(Path::new(ROOT).join("crates/dispatch-api/openapi.json"))
            .arg("--config")
            .arg(Path::new(ROOT).join("scripts/contract/client.yaml"))
            .arg("--output-path")
            .arg(&client)
            .arg("--overwrite"),
    );
    run(
        "the walk-through on the generated client",
        Command::new(bin.join("python"))
            .arg(Path::new(ROOT).join("scripts/contract/walkthrough.py"))
            .arg(&service.base)
            .env("PYTHONPATH", &client)
            .envs(service.tokens.iter().cloned()),
    );
}

/// One run of schemathesis: whose token, which operations (`include` and `exclude` path
/// regexes), how many cases each, and how long a request may take.
struct Pass {
    who: &'static str,
    token: &'static str,
    include: &'static str,
    exclude: &'static [&'static str],
    examples: &'static str,
    timeout: &'static str,
}

/// The admin's pass cannot revoke tokens: schemathesis sends ids it read from earlier answers
/// (`GET /v1/tokens`), and would revoke its own token half-way; revocations come last.
const REVOKE: &str = "^/v1/tokens/[{]id[}]/revoke$";
/// The event streams never end by themselves and schemathesis reads them until its timeout:
/// they get a pass of their own, with few cases and a short timeout.
const STREAMS: &str = "/events$";

/// schemathesis over every operation as an admin, the caregiver's own as a caregiver, the
/// event streams, then the revocations.
fn schemathesis(bin: &Path, service: &Service, work: &Path) {
    let passes = [
        Pass {
            who: "as an admin",
            token: "ADMIN_TOKEN",
            include: ".",
            exclude: &["^/v1/me", REVOKE, STREAMS],
            examples: "25",
            timeout: "60",
        },
        Pass {
            who: "as a caregiver",
            token: "CAREGIVER_TOKEN",
            include: "^/v1/me",
            exclude: &[STREAMS],
            examples: "25",
            timeout: "60",
        },
        Pass {
            who: "on the stations' and plans' streams",
            token: "ADMIN_TOKEN",
            include: STREAMS,
            exclude: &["^/v1/me"],
            examples: "5",
            timeout: "2",
        },
        Pass {
            who: "on the caregiver's stream",
            token: "CAREGIVER_TOKEN",
            include: "^/v1/me/events$",
            exclude: &[],
            examples: "5",
            timeout: "2",
        },
        Pass {
            who: "revoking tokens",
            token: "ADMIN_TOKEN",
            include: REVOKE,
            exclude: &[],
            examples: "25",
            timeout: "60",
        },
    ];
    for pass in passes {
        let mut command = Command::new(bin.join("schemathesis"));
        command
            .current_dir(work)
            .args(["run", &format!("{}/openapi.json", service.base)])
            .args(["--header", &format!("Authorization: Bearer {}", service.token(pass.token))])
            .args([
                "--checks",
                "not_a_server_error,status_code_conformance,content_type_conformance,\
                 response_schema_conformance",
            ])
            .args(["--phases", "examples,coverage,fuzzing"])
            // One worker: hypothesis's lambda-source cache is not thread-safe.
            .args(["--max-examples", pass.examples, "--seed", "20261207", "--workers", "1"])
            .args(["--request-timeout", pass.timeout, "--suppress-health-check", "all"])
            .args(["--include-path-regex", pass.include]);
        for pattern in pass.exclude {
            command.args(["--exclude-path-regex", pattern]);
        }
        let started = std::time::Instant::now();
        run(&format!("schemathesis {}", pass.who), &mut command);
        eprintln!("schemathesis {}: {:.0} s", pass.who, started.elapsed().as_secs_f64());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_contract_holds_on_sqlite() {
    let Some(bin) = tools() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let db = format!("sqlite://{}", dir.path().join("contract.db").display());
    let service = Service::start(&db);
    let today = service.today().await;
    generated_client_walkthrough(bin, &service, dir.path());
    schemathesis(bin, &service, dir.path());
    drop(service);
    checked_day_plan(&db, "S1", &today).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_contract_holds_on_postgres() {
    let Some(bin) = tools() else { return };
    let schema = format!("contract_{}", std::process::id());
    let (db, admin) = match postgres_schema(&schema).await {
        Ok(found) => found,
        Err(why) => return require("CARECIRCLE_REQUIRE_POSTGRES", &why),
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let service = Service::start(&db);
    let today = service.today().await;
    schemathesis(bin, &service, dir.path());
    drop(service);
    checked_day_plan(&db, "S1", &today).await;
    let _ = sqlx::query(&format!("DROP SCHEMA {schema} CASCADE")).execute(&admin).await;
}
