//! A real browser for the page tests and the render benchmark: Debian's Chromium, headless,
//! driven through ChromeDriver (WebDriver) with fantoccini; and `carecircle serve --demo` as a
//! process, with the tokens it prints. Missing browser: `None` with the reason, so callers
//! skip loudly (or fail, where CARECIRCLE_REQUIRE_BROWSER=1, as in CI).

#![allow(dead_code)]

use super::service_process::{admin_token, create_token, free_port, wait_healthy, BIN};
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Why the browser tests cannot run here, if they cannot.
pub fn missing() -> Option<String> {
    let chromium = std::env::var("CARECIRCLE_CHROMIUM").unwrap_or_else(|_| CHROMIUM.into());
    let driver = std::env::var("CARECIRCLE_CHROMEDRIVER").unwrap_or_else(|_| CHROMEDRIVER.into());
    for (what, path) in [("chromium", chromium), ("chromium-driver", driver)] {
        if !Path::new(&path).exists() {
            return Some(format!(
                "{path} is missing: install Debian's {what} (scripts/install-browser.sh)"
            ));
        }
    }
    None
}

/// `true` when the caller should go on; prints SKIPPED (or panics under
/// CARECIRCLE_REQUIRE_BROWSER=1) when there is no browser.
pub fn available(test: &str) -> bool {
    let Some(why) = missing() else { return true };
    if std::env::var("CARECIRCLE_REQUIRE_BROWSER").is_ok_and(|v| v == "1") {
        panic!("{test}: CARECIRCLE_REQUIRE_BROWSER=1 but {why}");
    }
    eprintln!("SKIPPED {test}: {why}");
    false
}

/// A ChromeDriver process; each session it opens is a fresh headless Chromium.
pub struct Driver {
    child: Child,
    url: String,
    profiles: tempfile::TempDir,
}

impl Driver {
    pub async fn start() -> Driver {
        let driver =
            std::env::var("CARECIRCLE_CHROMEDRIVER").unwrap_or_else(|_| CHROMEDRIVER.into());
        let port = free_port();
        let child = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let url = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(r) = http.get(format!("{url}/status")).send().await {
                if r.status().is_success() {
                    break;
                }
            }
            assert!(Instant::now() < deadline, "chromedriver did not answer at {url}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Driver { child, url, profiles: tempfile::tempdir().expect("tempdir") }
    }

    /// A new headless browser window of `width` × `height` CSS pixels.
    pub async fn session(&self, width: u32, height: u32) -> Client {
        let chromium = std::env::var("CARECIRCLE_CHROMIUM").unwrap_or_else(|_| CHROMIUM.into());
        let profile = tempfile::tempdir_in(self.profiles.path()).expect("profile").keep();
        // The flags of a closed network: without the background-networking ones Chromium keeps
        // trying to reach Google's hosts.
        let caps = json!({
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--hide-scrollbars",
                    format!("--window-size={width},{height}"),
                    format!("--user-data-dir={}", profile.display()),
                ],
            }
        });
        let Value::Object(caps) = caps else { unreachable!() };
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&self.url)
            .await
            .expect("a browser session");
        // The page itself gets exactly this viewport (a phone's is a mobile one).
        client
            .issue_cmd(Cdp(
                "Emulation.setDeviceMetricsOverride",
                json!({"width": width, "height": height, "deviceScaleFactor": 1,
                       "mobile": width < 600}),
            ))
            .await
            .expect("set the viewport");
        client
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A Chrome DevTools command through ChromeDriver (`goog/cdp/execute`): what WebDriver has no
/// command for, such as the position the page's geolocation reports.
#[derive(Debug)]
pub struct Cdp(pub &'static str, pub Value);

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/goog/cdp/execute", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(json!({"cmd": self.0, "params": self.1}).to_string()))
    }
}

/// The browser reports `(lon, lat)` as the device's position to pages of `origin`.
pub async fn place_device(client: &Client, origin: &str, lon: f64, lat: f64) {
    client
        .issue_cmd(Cdp(
            "Browser.grantPermissions",
            json!({"origin": origin, "permissions": ["geolocation"]}),
        ))
        .await
        .expect("grant geolocation");
    client
        .issue_cmd(Cdp(
            "Emulation.setGeolocationOverride",
            json!({"latitude": lat, "longitude": lon, "accuracy": 10}),
        ))
        .await
        .expect("place the device");
}

/// Waits (up to `limit`) until `script` returns true in the page.
pub async fn wait_until(client: &Client, script: &str, limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if let Ok(Value::Bool(true)) = client.execute(script, vec![]).await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

/// Signs in on the page at `url` with `token`, through the sign-in form.
pub async fn sign_in(client: &Client, url: &str, token: &str) {
    client.goto(url).await.expect("open the page");
    client.execute("localStorage.clear()", vec![]).await.expect("clear");
    client.goto(url).await.expect("open the page");
    let field = client.wait().for_element(Locator::Css("#token")).await.expect("token field");
    field.send_keys(token).await.expect("type the token");
    client
        .find(Locator::Css("#signin-form button[type=submit]"))
        .await
        .expect("sign-in button")
        .click()
        .await
        .expect("sign in");
}

/// Saves a screenshot as `dir/name.png`.
pub async fn screenshot(client: &Client, dir: &Path, name: &str) -> PathBuf {
    std::fs::create_dir_all(dir).expect("screenshot folder");
    let png = client.screenshot().await.expect("screenshot");
    let path = dir.join(format!("{name}.png"));
    std::fs::write(&path, png).expect("write screenshot");
    path
}

/// `carecircle serve` on the bundled demo (or `args`' scenario) with its tokens.
pub struct Demo {
    pub child: Child,
    pub base: String,
    pub tokens: HashMap<String, String>,
    db_url: String,
    _db: tempfile::TempDir,
}

impl Demo {
    /// Starts the service with `args` after `serve` (none: `--demo`) and waits until it
    /// answers. With `--demo` the tokens are the ones it prints; otherwise there is an admin
    /// token, and `create_token` makes others.
    pub async fn start(args: &[&str]) -> Demo {
        let db = tempfile::tempdir().expect("tempdir");
        let port = free_port();
        let db_url = format!("sqlite://{}", db.path().join("web.db").display());
        let demo = args.is_empty() || args.contains(&"--demo");
        let mut tokens = HashMap::new();
        if !demo {
            tokens.insert("ADMIN_TOKEN".to_string(), admin_token(&db_url));
        }
        let mut command = Command::new(BIN);
        command.args(["--quiet", "serve", "--addr", &format!("127.0.0.1:{port}"), "--db", &db_url]);
        command.args(if args.is_empty() { &["--demo"] } else { args });
        command.stdout(if demo { Stdio::piped() } else { Stdio::null() });
        let mut child = command.stderr(Stdio::inherit()).spawn().expect("serve starts");
        let base = format!("http://127.0.0.1:{port}");
        if let Some(stdout) = child.stdout.take() {
            // The tokens come first, then the line naming the pages.
            let printed = tokio::task::spawn_blocking(move || {
                let mut tokens = HashMap::new();
                for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                    if let Some(rest) = line.trim().strip_prefix("export ") {
                        if let Some((name, value)) = rest.split_once('=') {
                            let value = value.split_whitespace().next().unwrap_or_default();
                            tokens.insert(name.to_string(), value.to_string());
                        }
                    }
                    if line.starts_with("Open http") {
                        break;
                    }
                }
                tokens
            })
            .await
            .expect("read the tokens");
            tokens.extend(printed);
        }
        wait_healthy(&reqwest::Client::new(), &base).await;
        Demo { child, base, tokens, db_url, _db: db }
    }

    /// A new token made by `carecircle token create` with `args` (`--role ...`).
    pub fn create_token(&self, args: &[&str]) -> String {
        create_token(&self.db_url, args)
    }

    pub fn token(&self, role: &str) -> &str {
        self.tokens.get(&format!("{}_TOKEN", role.to_uppercase())).map_or("", String::as_str)
    }

    /// Calls the API as `role`.
    pub async fn call(&self, role: &str, method: &str, path: &str, body: Option<Value>) -> Value {
        self.call_as(self.token(role), method, path, body).await
    }

    /// Calls the API with `token`; panics unless the answer is 2xx.
    pub async fn call_as(
        &self,
        token: &str,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> Value {
        let http = reqwest::Client::new();
        let mut request = http
            .request(method.parse().expect("method"), format!("{}{path}", self.base))
            .bearer_auth(token);
        if let Some(body) = body {
            request = request.header("content-type", "application/json").body(body.to_string());
        }
        let response = request.send().await.expect("the service answers");
        let status = response.status();
        let value: Value = response.json().await.unwrap_or(Value::Null);
        assert!(status.is_success(), "{method} {path}: {status} {value}");
        value
    }

    /// Waits until station `station` has a finished plan for today.
    pub async fn wait_for_plan(&self, station: &str) -> Value {
        let me = self.call("admin", "GET", "/v1/me", None).await;
        let today = me["today"].as_str().expect("today").to_string();
        let http = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let r = http
                .get(format!("{}/v1/stations/{station}/plan?date={today}", self.base))
                .bearer_auth(self.token("admin"))
                .send()
                .await
                .expect("answer");
            if r.status().is_success() {
                return r.json().await.expect("json");
            }
            assert!(Instant::now() < deadline, "no plan of {station} within two minutes");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// How the console's timeline is laid out: its caregiver rows, those whose name is missing,
/// cut or not laid out (no height), and the visit bars whose label is cut.
pub const TIMELINE_LAYOUT: &str = r#"
    const rows = [...document.querySelectorAll('#timeline .row:not(.axis)')];
    const unlabelled = rows.filter((r) => {
      const who = r.querySelector('.who');
      return !who || !who.textContent.trim() || who.scrollWidth > who.clientWidth + 1
        || r.getBoundingClientRect().height < 10;
    }).map((r) => r.querySelector('.who')?.dataset.caregiver ?? '?');
    const bars = [...document.querySelectorAll('#timeline button.visit')];
    const cut = bars.filter((b) => b.scrollWidth > b.clientWidth + 1).map((b) => b.dataset.visit);
    const labelled = bars.filter((b) => b.textContent.trim()).length;
    return { rows: rows.length, unlabelled, bars: bars.length, labelled, cut,
             compact: document.getElementById('timeline').classList.contains('compact') };"#;
