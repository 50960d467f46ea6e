//! Clients' phone numbers never reach the service's logs: `carecircle serve --demo` logging at
//! `debug` (more than an operator runs with) imports numbers as CSV and JSON, refuses a bad one,
//! lists clients, plans the day and serves a caregiver's route with the numbers on it — and
//! its stderr holds none of them.

use serde_json::{json, Value};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod support {
    pub mod service_process;
}
use support::service_process::{create_token, free_port, wait_healthy, BIN};

/// A number the service refuses (22 digits).
const TOO_LONG: &str = "1390000123456789012345";

/// Every number of the demo's clients and of the ones this test imports.
fn numbers() -> Vec<String> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/demo.json"))
        .expect("the demo scenario");
    let demo: Value = serde_json::from_str(&text).expect("json");
    let mut numbers: Vec<String> = Vec::new();
    for client in demo["clients"].as_array().into_iter().flatten() {
        numbers.extend(client["phone"].as_str().map(String::from));
        for c in client["contacts"].as_array().into_iter().flatten() {
            numbers.extend(c["phone"].as_str().map(String::from));
        }
    }
    numbers
        .extend(["13712345678", "0631-7654321", "+86 136 5555 0101", TOO_LONG].map(String::from));
    numbers
}

async fn call(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    how: (&str, &str),
    body: Option<(&str, String)>,
) -> (u16, Value) {
    let (method, path) = how;
    let mut request =
        http.request(method.parse().expect("method"), format!("{base}{path}")).bearer_auth(token);
    if let Some((content_type, body)) = body {
        request = request.header("content-type", content_type).body(body);
    }
    let response = request.send().await.expect("the service answers");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn numbers_stay_out_of_the_logs() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = format!("sqlite://{}", dir.path().join("phones.db").display());
    let log_path = dir.path().join("serve.log");
    let log = std::fs::File::create(&log_path).expect("log file");
    let admin = create_token(&db, &["--role", "admin"]);
    let port = free_port();
    let mut server = Command::new(BIN)
        .args(["serve", "--demo", "--db", &db, "--addr", &format!("127.0.0.1:{port}")])
        .env("RUST_LOG", "debug")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("serve starts");
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    wait_healthy(&http, &base).await;
    // The demo's caregivers exist once the service has loaded it.
    let caregiver = create_token(&db, &["--role", "caregiver", "--caregiver", "C1"]);

    let csv = "编号,姓名,站点,经度,纬度,电话,联系人,关系\n\
               K901,王秀英,S1,1.5301,42.5112,13712345678,张伟 0631-7654321,儿子\n";
    let (status, body) =
        call(&http, &base, &admin, ("POST", "/v1/clients/import"), Some(("text/csv", csv.into())))
            .await;
    assert_eq!(status, 200, "{body}");
    let client = json!({"id": "K902", "station": "S1", "location": {"lon": 1.529, "lat": 42.5105},
                        "contacts": [{"name": "李娜", "phone": "+86 136 5555 0101"}]});
    let (status, body) = call(
        &http,
        &base,
        &admin,
        ("PUT", "/v1/clients/K902"),
        Some(("application/json", client.to_string())),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let bad = json!({"id": "K903", "station": "S1", "location": {"lon": 1.529, "lat": 42.5105},
                     "phone": TOO_LONG});
    let (status, body) = call(
        &http,
        &base,
        &admin,
        ("POST", "/v1/clients"),
        Some(("application/json", bad.to_string())),
    )
    .await;
    assert_eq!((status, body["field"].as_str()), (422, Some("phone")), "{body}");
    let (status, listed) = call(&http, &base, &admin, ("GET", "/v1/clients?limit=500"), None).await;
    assert_eq!(status, 200);
    assert!(listed.to_string().contains("13712345678"), "the API does show them to dispatchers");

    // The caregiver's route, with the day's clients' numbers on it, once the day is planned.
    let deadline = Instant::now() + Duration::from_secs(120);
    let route = loop {
        let (status, route) = call(&http, &base, &caregiver, ("GET", "/v1/me/route"), None).await;
        if status == 200 {
            break route;
        }
        assert!(Instant::now() < deadline, "no plan within two minutes: {route}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    let on_route = route["stops"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|s| s["contacts"].as_array().is_some_and(|c| !c.is_empty()))
        .count();
    assert!(on_route > 0, "the route carries contacts: {route}");

    let _ = server.kill();
    let _ = server.wait();
    let logs = std::fs::read_to_string(&log_path).expect("logs");
    assert!(logs.contains("/v1/me/route"), "the requests were logged:\n{logs}");
    for number in numbers() {
        // Neither as written nor as its bare digits.
        let bare: String = number.chars().filter(char::is_ascii_digit).collect();
        assert!(!logs.contains(&number) && !logs.contains(&bare), "{number} is in the logs");
    }
}
