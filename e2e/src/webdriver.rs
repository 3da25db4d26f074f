//! A small W3C WebDriver client for Debian's chromedriver and headless Chromium: enough to
//! open pages, click, read text and take screenshots, with every wait bounded.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{json, Value};

/// The W3C key under which an element reference travels.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free loopback port")
}

/// A headless Chromium driven through its own chromedriver; both end on drop.
pub struct Browser {
    driver: Child,
    base: String,
    session: String,
    agent: ureq::Agent,
    _profile: TempDir,
}

struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Where an element is looked for.
pub enum By<'a> {
    Css(&'a str),
}

impl Browser {
    /// Starts chromedriver on a free port and a new headless Chromium session.
    /// `downloads` is where the browser saves downloads.
    pub fn start(downloads: &Path) -> Self {
        let chromedriver = which("chromedriver").unwrap_or_else(|| {
            panic!("chromedriver is not installed: scripts/setup installs Debian's chromium and chromium-driver")
        });
        let chromium =
            which("chromium").expect("chromium is not installed (scripts/setup installs it)");
        let port = free_port();
        let driver = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let base = format!("http://127.0.0.1:{port}");
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(120)))
            .build()
            .into();
        let deadline = Instant::now() + Duration::from_secs(20);
        while agent.get(&format!("{base}/status")).call().is_err() {
            assert!(
                Instant::now() < deadline,
                "chromedriver did not answer within 20 s"
            );
            sleep(Duration::from_millis(100));
        }
        let profile =
            std::env::temp_dir().join(format!("stm-chromium-{port}-{}", std::process::id()));
        std::fs::create_dir_all(&profile).expect("profile dir");
        let capabilities = json!({
            "capabilities": { "alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": {
                    "binary": chromium,
                    "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                             "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                             // Dates are typed month, day, year (Self::type_date).
                             "--lang=en-US",
                             "--window-size=1280,1600", format!("--user-data-dir={}", profile.display())],
                    "prefs": { "download.default_directory": downloads.display().to_string(),
                               "download.prompt_for_download": false }
                }
            }}
        });
        let mut response = agent
            .post(&format!("{base}/session"))
            .send_json(&capabilities)
            .expect("new session");
        let body: Value = response.body_mut().read_json().expect("session json");
        let session = body["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {body}"))
            .to_owned();
        let browser = Self {
            driver,
            base,
            session,
            agent,
            _profile: TempDir(profile),
        };
        // Allow downloads in headless mode (a Chrome DevTools command through chromedriver).
        browser.command(
            "POST",
            "goog/cdp/execute",
            json!({"cmd": "Browser.setDownloadBehavior", "params": {"behavior": "allow", "downloadPath": downloads.display().to_string()}}),
        );
        browser
    }

    fn command(&self, method: &str, path: &str, body: Value) -> Value {
        let url = format!("{}/session/{}/{path}", self.base, self.session);
        let result = match method {
            "GET" => self.agent.get(&url).call(),
            "DELETE" => self.agent.delete(&url).call(),
            _ => self.agent.post(&url).send_json(&body),
        };
        let mut response = result.unwrap_or_else(|error| panic!("webdriver {path}: {error}"));
        let status = response.status().as_u16();
        let value: Value = response.body_mut().read_json().unwrap_or(Value::Null);
        assert!(status < 400, "webdriver {path} answered {status}: {value}");
        value["value"].clone()
    }

    pub fn goto(&self, url: &str) {
        self.command("POST", "url", json!({ "url": url }));
    }

    pub fn current_url(&self) -> String {
        self.command("GET", "url", Value::Null)
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    fn find_now(&self, By::Css(selector): &By<'_>) -> Option<String> {
        let url = format!("{}/session/{}/element", self.base, self.session);
        let mut response = self
            .agent
            .post(&url)
            .send_json(json!({"using": "css selector", "value": selector}))
            .ok()?;
        if response.status().as_u16() >= 400 {
            return None;
        }
        let value: Value = response.body_mut().read_json().ok()?;
        value["value"][ELEMENT_KEY].as_str().map(str::to_owned)
    }

    /// Waits up to `timeout` for an element to exist and returns its reference.
    pub fn wait_for(&self, by: By<'_>, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(element) = self.find_now(&by) {
                return element;
            }
            let By::Css(selector) = by;
            assert!(
                Instant::now() < deadline,
                "no element {selector} within {timeout:?} on {}; page text: {}",
                self.current_url(),
                self.text_of_page().chars().take(600).collect::<String>()
            );
            sleep(Duration::from_millis(150));
        }
    }

    pub fn exists(&self, by: By<'_>) -> bool {
        self.find_now(&by).is_some()
    }

    pub fn click(&self, element: &str) {
        self.command("POST", &format!("element/{element}/click"), json!({}));
    }

    pub fn text(&self, element: &str) -> String {
        self.command("GET", &format!("element/{element}/text"), Value::Null)
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    pub fn text_of_page(&self) -> String {
        self.execute(
            "return document.body ? document.body.innerText : ''",
            json!([]),
        )
        .as_str()
        .unwrap_or_default()
        .to_owned()
    }

    /// Runs a script in the page and returns its result.
    pub fn execute(&self, script: &str, args: Value) -> Value {
        self.command(
            "POST",
            "execute/sync",
            json!({ "script": script, "args": args }),
        )
    }

    /// Types `text` into an element, key by key, as a person does (or pastes).
    pub fn type_text(&self, element: &str, text: &str) {
        self.command(
            "POST",
            &format!("element/{element}/value"),
            json!({ "text": text }),
        );
    }

    /// Types a date into an `<input type="date">` as a person does: its digits, month,
    /// day and year, in the order en-US Chromium shows them (the session's language).
    /// What the field held before is typed over.
    pub fn type_date(&self, element: &str, (year, month, day): (i64, u32, u32)) {
        self.type_text(element, &format!("{month:02}{day:02}{year:04}"));
    }

    /// Chooses files in an `<input type="file" multiple>`, as a person does in the file
    /// dialog: WebDriver types the absolute paths into it, one per line.
    pub fn choose_files(&self, element: &str, paths: &[&Path]) {
        let text = paths
            .iter()
            .map(|path| path.display().to_string())
            .collect::<Vec<_>>()
            .join("\n");
        self.type_text(element, &text);
    }

    /// Selects the `<option>` with this value in a `<select>`.
    pub fn select_value(&self, select_css: &str, value: &str) {
        self.execute(
            "const s = document.querySelector(arguments[0]); s.value = arguments[1]; s.dispatchEvent(new Event('change'));",
            json!([select_css, value]),
        );
    }

    /// Saves a PNG screenshot of the viewport.
    pub fn screenshot(&self, path: &Path) {
        let encoded = self.command("GET", "screenshot", Value::Null);
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(encoded.as_str().unwrap_or_default())
            .expect("screenshot is base64");
        if let Some(parent) = path.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        std::fs::write(path, bytes).expect("screenshot written");
    }

    /// Polls `condition` until it holds or `timeout` passes.
    pub fn wait_until(
        &self,
        description: &str,
        timeout: Duration,
        condition: impl Fn(&Self) -> bool,
    ) {
        let deadline = Instant::now() + timeout;
        while !condition(self) {
            assert!(
                Instant::now() < deadline,
                "{description}: not within {timeout:?}; at {}; page text: {}",
                self.current_url(),
                self.text_of_page().chars().take(600).collect::<String>()
            );
            sleep(Duration::from_millis(200));
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let url = format!("{}/session/{}", self.base, self.session);
        let _ = self.agent.delete(&url).call();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn which(program: &str) -> Option<String> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(program))
            .find(|candidate| candidate.is_file())
            .map(|found| found.display().to_string())
    })
}
