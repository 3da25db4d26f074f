//! Bad requests to every route, natively through `App::handle` against the twins (the
//! same requests go through the real runtime in `e2e/tests/bad_requests.rs`): wrong
//! methods, wrong content types, bodies that are not what the route reads, huge or
//! negative limits, malformed dates and time zones, unicode where names go, forged
//! sessions and admin tokens. Each must be a clear 4xx, with a JSON error of a stable
//! code on `/api`, and change nothing: not a row, not a KV key, not a queue message.
//! Nothing answered may be a 5xx (the twins never fail, so a 503 would be SQL that broke
//! on the input), carry a stack trace, SQL, a token or a secret.
//!
//! A property test then throws arbitrary requests at the router: any method, path,
//! query, headers and body. CI runs the default number of cases; a long run:
//! `PROPTEST_CASES=100000 cargo test -p spotify-time-machine --release --test bad_requests`.

use futures::executor::block_on;
use proptest::prelude::*;
use serde_json::{json, Value};

use time_machine::import::plan::MAX_FILE_NAME;
use time_machine::oauth::{read_callback, CallbackOutcome};
use time_machine::ports::{HttpResponse, Method, TransportError};
use time_machine::testing::web::{header, RequestBuilder, WebWorld, CIPHER_KEY, ORIGIN};
use time_machine::testing::ScriptedHttp;
use time_machine::time::{UnixMillis, DAY_MS};
use time_machine::web::{WebRequest, WebResponse};

/// Sunday 1 November 2026, 12:00 UTC.
const NOW: UnixMillis = 1_793_534_400_000;
const CRON_SECRET: &str = "cron-secret-that-must-never-leak";
const CLIENT_SECRET: &str = "client-secret-that-must-never-leak";
const ACCESS_TOKEN: &str = "AT-access-token-that-must-never-leak";
const REFRESH_TOKEN: &str = "RT-refresh-token-that-must-never-leak";
/// The session cookie of `u1` (`session_cookie("u1")`), whose hash is in `sessions`.
const SESSION: &str = "stm_session=c-u1";

/// The web world with the secrets below, its admin routes open to [`CRON_SECRET`].
struct World {
    web: WebWorld,
}

impl World {
    /// `u1` (display name with unicode), sealed tokens, a session, a play, a gap, an
    /// import, a dead letter, a sweep: something in every table a bad request could touch.
    fn new() -> Self {
        let mut web = WebWorld::new();
        web.credentials.client_secret = CLIENT_SECRET.into();
        web.cron_secret = Some(CRON_SECRET);
        let world = Self { web };
        let access = world.web.cipher.seal(ACCESS_TOKEN, "u1").expect("seal");
        let refresh = world.web.cipher.seal(REFRESH_TOKEN, "u1").expect("seal");
        world.web.db.sql(
            "INSERT INTO users (id, spotify_id, display_name, access_token_enc, refresh_token_enc,
                                token_expires_at, authorized_at, created_at, updated_at, next_due_at)
             VALUES ('u1', 'u1', ?1, ?2, ?3, ?4, ?5, ?5, ?5, ?5)",
            vec![
                json!("Zoë 🎧 <script>alert(1)</script> \u{202e}"),
                json!(access),
                json!(refresh),
                json!(NOW + DAY_MS),
                json!(NOW - DAY_MS),
            ],
        );
        assert_eq!(world.web.open_session("u1", NOW), SESSION);
        world.web.db.sql(
            "INSERT INTO tracks (id, name, duration_ms) VALUES ('t1', '=1+2 🎵', 180000)",
            vec![],
        );
        world.web.db.sql(
            "INSERT INTO play_events (user_key, track_key, played_at)
             SELECT u.key, t.key, ?1 FROM users u, tracks t WHERE u.id = 'u1' AND t.id = 't1'",
            vec![json!(NOW - 3_600_000)],
        );
        world.web.db.sql(
            "INSERT INTO data_gaps (user_id, gap_from, gap_to, reason, detected_at) VALUES ('u1', 1, 2, 'downtime', 3)",
            vec![],
        );
        world.web.db.sql(
            "INSERT INTO imports (id, user_id, created_at, updated_at) VALUES (7, 'u1', ?1, ?1)",
            vec![json!(NOW - 60_000)],
        );
        world.web.db.sql(
            "INSERT INTO imports (id, user_id, created_at, updated_at, finished_at) VALUES (8, 'u1', ?1, ?1, ?1)",
            vec![json!(NOW - 60_000)],
        );
        world.web.db.sql(
            "INSERT INTO dead_letters (message_id, body, received_at) VALUES ('m1', '{\"users\":[]}', 1)",
            vec![],
        );
        world
    }

    fn send(&self, request: &WebRequest) -> WebResponse {
        // Spotify is never reached by a bad request; if it were, it would fail.
        let http = ScriptedHttp::new(vec![Err::<HttpResponse, _>(TransportError::Failed(
            "no Spotify here".into(),
        ))]);
        let response = self.web.send_with(&http, request, NOW);
        assert!(
            http.requests().is_empty() || request.path == "/callback",
            "{request:?} reached Spotify"
        );
        response
    }

    /// Every row of every table, every KV key and every queued message.
    fn snapshot(&self) -> Value {
        let tables = self.web.db.sql(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' ORDER BY name",
            vec![],
        );
        let mut state = serde_json::Map::new();
        for table in tables {
            let name = table["name"].as_str().expect("table name").to_owned();
            let rows = self
                .web
                .db
                .sql(&format!("SELECT * FROM \"{name}\" ORDER BY 1, 2"), vec![]);
            state.insert(name, json!(rows));
        }
        state.insert("kv".into(), json!(self.web.kv.keys()));
        state.insert(
            "queue".into(),
            json!(format!("{:?}", self.web.queue.messages())),
        );
        Value::Object(state)
    }
}

/// A request of `u1` from our own pages: Cookie, then Origin.
fn request(method: Method, path_and_query: &str) -> WebRequest {
    time_machine::testing::web::request(method, path_and_query, Some(SESSION)).with_our_origin()
}

fn with_body(request: WebRequest, content_type: &str, body: &str) -> WebRequest {
    request.with_content_type(content_type).with_body(body)
}

fn admin(request: WebRequest, bearer: &str) -> WebRequest {
    request.with_header("Authorization", bearer)
}

/// What no answer may ever contain: secrets, tokens (plain or sealed), SQL, a panic or a
/// stack trace.
fn leaks(world: &World, body: &str) -> Vec<String> {
    let mut secrets: Vec<String> = [
        CRON_SECRET,
        CLIENT_SECRET,
        ACCESS_TOKEN,
        REFRESH_TOKEN,
        CIPHER_KEY,
    ]
    .iter()
    .map(|text| (*text).to_owned())
    .collect();
    for row in world.web.db.sql(
        "SELECT access_token_enc, refresh_token_enc FROM users",
        vec![],
    ) {
        secrets.extend(row.values().filter_map(Value::as_str).map(str::to_owned));
    }
    let mut found: Vec<String> = secrets
        .into_iter()
        .filter(|secret| body.contains(secret.as_str()))
        .collect();
    let lower = body.to_ascii_lowercase();
    for marker in [
        "sql",
        "from users",
        "from play_events",
        "from sessions",
        "insert into",
        "update users",
        "delete from",
        "json_each",
        "panicked",
        "stack backtrace",
        "runtimeerror",
        "unreachable",
        "src/",
        ".rs:",
    ] {
        if lower.contains(marker) {
            found.push(marker.to_owned());
        }
    }
    found
}

/// Asserts the answer is a clear refusal with `code` (and `status`), as JSON.
#[track_caller]
fn assert_refused(world: &World, request: &WebRequest, status: u16, code: &str) {
    let response = world.send(request);
    let what = format!(
        "{:?} {}?{} [{} bytes of body]",
        request.method,
        request.path,
        request.query,
        request.body.len()
    );
    assert_eq!(response.status, status, "{what}: {}", response.body);
    assert!(response.stream.is_none(), "{what}");
    assert_eq!(
        header(&response, "Content-Type"),
        Some("application/json"),
        "{what}"
    );
    let body: Value = serde_json::from_str(&response.body)
        .unwrap_or_else(|error| panic!("{what}: not JSON ({error}): {}", response.body));
    assert_eq!(body["error"]["code"], code, "{what}: {body}");
    let message = body["error"]["message"].as_str().unwrap_or("");
    assert!(!message.is_empty(), "{what}: {body}");
    assert!(message.len() < 300, "{what}: a long message: {body}");
    let leaked = leaks(world, &response.body);
    assert!(
        leaked.is_empty(),
        "{what} leaks {leaked:?}: {}",
        response.body
    );
}

/// The bad requests of one route family, each with the status and code it must get.
fn cases() -> Vec<(WebRequest, u16, &'static str)> {
    use Method::{Delete, Get, Post};
    let bearer = format!("Bearer {CRON_SECRET}");
    let big_json = format!("{{\"time_zone\":\"{}\"}}", "A".repeat(70_000));
    let deep_json = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let mut cases = vec![
        // Wrong methods, on every route that has a method.
        (request(Delete, "/api/status"), 405, "method_not_allowed"),
        (request(Post, "/api/plays"), 405, "method_not_allowed"),
        (request(Delete, "/api/gaps"), 405, "method_not_allowed"),
        (request(Post, "/api/stats"), 405, "method_not_allowed"),
        (request(Delete, "/api/export"), 405, "method_not_allowed"),
        (request(Get, "/api/archive"), 405, "method_not_allowed"),
        (request(Delete, "/api/settings"), 405, "method_not_allowed"),
        (request(Post, "/api/health"), 405, "method_not_allowed"),
        (request(Get, "/api/account/pause"), 405, "method_not_allowed"),
        (request(Get, "/api/account/resume"), 405, "method_not_allowed"),
        (request(Get, "/api/account/delete"), 405, "method_not_allowed"),
        (request(Get, "/api/account"), 405, "method_not_allowed"),
        (request(Get, "/api/imports"), 405, "method_not_allowed"),
        (request(Delete, "/api/imports/7"), 405, "method_not_allowed"),
        (request(Post, "/api/imports/7"), 405, "method_not_allowed"),
        (request(Get, "/api/imports/7/chunks"), 405, "method_not_allowed"),
        (request(Get, "/api/imports/7/finish"), 405, "method_not_allowed"),
        (request(Post, "/login"), 405, "method_not_allowed"),
        (request(Delete, "/callback"), 405, "method_not_allowed"),
        (request(Get, "/logout"), 405, "method_not_allowed"),
        (request(Post, "/import"), 405, "method_not_allowed"),
        (admin(request(Get, "/api/admin/sweep"), &bearer), 405, "method_not_allowed"),
        (admin(request(Get, "/api/admin/jobs"), &bearer), 405, "method_not_allowed"),
        (admin(request(Post, "/api/admin/dead-letters"), &bearer), 405, "method_not_allowed"),
        (admin(request(Get, "/api/admin/archive/u1"), &bearer), 405, "method_not_allowed"),
        // Routes that do not exist.
        (request(Get, "/api/nope"), 404, "not_found"),
        (request(Get, "/api/%F0%9F%8E%B5"), 404, "not_found"),
        (request(Get, "/api/imports/7/chunks/extra"), 404, "not_found"),
        (request(Get, "/api/status/extra"), 404, "not_found"),
        (admin(request(Get, "/api/admin/nope"), &bearer), 404, "not_found"),
        (admin(request(Post, "/api/admin"), &bearer), 404, "not_found"),
        // Huge, negative, fractional and repeated limits; malformed keys.
        (request(Get, "/api/plays?limit=-1"), 400, "invalid_limit"),
        (request(Get, "/api/plays?limit=0"), 400, "invalid_limit"),
        (request(Get, "/api/plays?limit=1.5"), 400, "invalid_limit"),
        (request(Get, "/api/plays?limit=184467440737095516160"), 400, "invalid_limit"),
        (request(Get, "/api/plays?limit=%F0%9F%8E%B5"), 400, "invalid_limit"),
        (request(Get, "/api/plays?limit=&limit=5"), 400, "invalid_limit"),
        (request(Get, "/api/plays?before=-9223372036854775808"), 400, "invalid_before"),
        (request(Get, "/api/plays?before=9223372036854775808"), 400, "invalid_before"),
        (request(Get, "/api/plays?before=1&before_id=-1"), 400, "invalid_before_id"),
        (request(Get, "/api/stats?limit=51"), 400, "invalid_limit"),
        (request(Get, "/api/stats?limit=-10"), 400, "invalid_limit"),
        (request(Get, "/api/stats?limit=99999999999999999999999"), 400, "invalid_limit"),
        // Malformed dates and ranges.
        (request(Get, "/api/stats?from=2026-13-01"), 400, "invalid_from"),
        (request(Get, "/api/stats?from=2026-02-29"), 400, "invalid_from"),
        (request(Get, "/api/stats?from=0000-01-01"), 400, "invalid_from"),
        (request(Get, "/api/stats?from=1969-12-31"), 400, "invalid_from"),
        (request(Get, "/api/stats?to=10000-01-01"), 400, "invalid_to"),
        (request(Get, "/api/stats?to=253402300800000"), 400, "invalid_to"),
        (request(Get, "/api/stats?from=-1"), 400, "invalid_from"),
        (request(Get, "/api/stats?from=1e12"), 400, "invalid_from"),
        (request(Get, "/api/stats?from=2026-03-29T25:00:00Z"), 400, "invalid_from"),
        (request(Get, "/api/stats?from=%00"), 400, "invalid_from"),
        (request(Get, "/api/stats?from=1970-01-01&to=1970-01-02"), 400, "invalid_range"),
        (request(Get, "/api/stats?from=2000-01-01&to=2030-01-01"), 400, "invalid_range"),
        (request(Get, "/api/stats?from=2026-01-02&to=2026-01-01"), 400, "invalid_range"),
        (request(Get, "/api/stats?from=2026-01-01&to=2026-01-01"), 400, "invalid_range"),
        (request(Get, "/api/export?from=2026-01-02&to=2026-01-01"), 400, "invalid_range"),
        (request(Get, "/api/export?to=yesterday"), 400, "invalid_to"),
        (request(Get, "/api/export?format=csv%00"), 400, "invalid_format"),
        (request(Get, "/api/export?format=CSV"), 400, "invalid_format"),
        (request(Get, "/api/export?format="), 400, "invalid_format"),
        // Time zones: unknown, wrong case, paths, control characters, unicode, huge.
        (request(Get, "/api/stats?tz=europe/berlin"), 400, "unknown_time_zone"),
        (request(Get, "/api/stats?tz=Europe/Berlin%20"), 400, "unknown_time_zone"),
        (request(Get, "/api/stats?tz=../../../etc/passwd"), 400, "unknown_time_zone"),
        (request(Get, "/api/stats?tz=Europe%2FBerlin%00"), 400, "unknown_time_zone"),
        (request(Get, "/api/stats?tz=%E6%9D%B1%E4%BA%AC"), 400, "unknown_time_zone"),
        (request(Get, "/api/stats?tz=%E0%A4%A"), 400, "unknown_time_zone"),
        (request(Get, "/api/stats?tz=%2B02%3A00"), 400, "unknown_time_zone"),
        (request(Get, &format!("/api/stats?tz={}", "A".repeat(10_000))), 400, "unknown_time_zone"),
        (request(Get, "/api/export?tz=Local"), 400, "unknown_time_zone"),
        // Settings: wrong content types and bodies that are not the setting.
        (with_body(request(Post, "/api/settings"), "application/json", ""), 400, "invalid_body"),
        (with_body(request(Post, "/api/settings"), "application/json", "null"), 400, "invalid_body"),
        (with_body(request(Post, "/api/settings"), "application/json", "[]"), 400, "invalid_body"),
        (with_body(request(Post, "/api/settings"), "application/json", "\"UTC\""), 400, "invalid_body"),
        (with_body(request(Post, "/api/settings"), "application/json", "{}"), 400, "invalid_body"),
        (with_body(request(Post, "/api/settings"), "application/json", "{\"time_zone\":5}"), 400, "invalid_body"),
        (with_body(request(Post, "/api/settings"), "application/json", "{\"time_zone\":[\"UTC\"]}"), 400, "invalid_body"),
        (with_body(request(Post, "/api/settings"), "application/json", "{\"time_zone\":\"UTC\""), 400, "invalid_body"),
        (with_body(request(Post, "/api/settings"), "application/json", &deep_json), 400, "invalid_body"),
        (with_body(request(Post, "/api/settings"), "application/json", "{\"time_zone\":\"Mars/Olympus_Mons\"}"), 400, "unknown_time_zone"),
        (with_body(request(Post, "/api/settings"), "application/json", "{\"time_zone\":\"Europe/Berlin\\u0000\"}"), 400, "unknown_time_zone"),
        (with_body(request(Post, "/api/settings"), "application/json", "{\"time_zone\":\"Zoë/🎧\"}"), 400, "unknown_time_zone"),
        (with_body(request(Post, "/api/settings"), "application/json", &big_json), 400, "unknown_time_zone"),
        (with_body(request(Post, "/api/settings"), "text/plain", "time_zone=UTC"), 400, "invalid_body"),
        (with_body(request(Post, "/api/settings"), "application/xml", "<time_zone>UTC</time_zone>"), 400, "invalid_body"),
        (with_body(request(Post, "/api/settings"), "multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"time_zone\"\r\n\r\nUTC\r\n--x--"), 400, "invalid_body"),
        (with_body(request(Post, "/api/settings"), "application/x-www-form-urlencoded", "zone=UTC"), 400, "invalid_body"),
        (with_body(request(Post, "/api/settings"), "application/x-www-form-urlencoded", "time_zone=Nowhere%2FLand"), 400, "unknown_time_zone"),
        // Imports: ids that are not ids, chunks that are not chunks.
        (request(Get, "/api/imports/abc"), 404, "import_not_found"),
        (request(Get, "/api/imports/-7"), 404, "import_not_found"),
        (request(Get, "/api/imports/0"), 404, "import_not_found"),
        (request(Get, "/api/imports/99999999999999999999"), 404, "import_not_found"),
        (request(Get, "/api/imports/9"), 404, "import_not_found"),
        (request(Post, "/api/imports/%F0%9F%8E%B5/finish"), 404, "import_not_found"),
        (with_body(request(Post, "/api/imports/7/chunks"), "application/json", ""), 400, "invalid_chunk"),
        (with_body(request(Post, "/api/imports/7/chunks"), "application/json", "[]"), 400, "invalid_chunk"),
        (with_body(request(Post, "/api/imports/7/chunks"), "text/plain", "file=a&offset=0"), 400, "invalid_chunk"),
        (with_body(request(Post, "/api/imports/7/chunks"), "application/json", &deep_json), 400, "invalid_chunk"),
        (with_body(request(Post, "/api/imports/7/chunks"), "application/json", r#"{"file":"a.json","offset":0,"records":{}}"#), 400, "invalid_chunk"),
        (with_body(request(Post, "/api/imports/7/chunks"), "application/json", r#"{"file":"a.json","offset":-1,"records":[]}"#), 400, "invalid_chunk"),
        (with_body(request(Post, "/api/imports/7/chunks"), "application/json", r#"{"file":"a.json","offset":1e300,"records":[]}"#), 400, "invalid_chunk"),
        (with_body(request(Post, "/api/imports/7/chunks"), "application/json", r#"{"file":"","offset":0,"records":[]}"#), 400, "invalid_chunk"),
        (with_body(request(Post, "/api/imports/7/chunks"), "application/json", &json!({"file": "é".repeat(MAX_FILE_NAME / 2 + 1), "offset": 0, "records": []}).to_string()), 400, "invalid_chunk"),
        (with_body(request(Post, "/api/imports/7/chunks"), "application/json", &json!({"file": "a.json", "offset": 0, "records": vec![json!(1); 1_001]}).to_string()), 400, "invalid_chunk"),
        (with_body(request(Post, "/api/imports/7/chunks"), "application/json", &json!({"file": "a.json", "offset": 0, "records": [], "pad": "x".repeat(600 * 1024)}).to_string()), 413, "chunk_too_large"),
        (with_body(request(Post, "/api/imports/8/chunks"), "application/json", r#"{"file":"a.json","offset":0,"records":[]}"#), 409, "import_finished"),
        (with_body(request(Post, "/api/imports/9/chunks"), "application/json", r#"{"file":"a.json","offset":0,"records":[]}"#), 404, "import_not_found"),
        // Admin: tokens that are not the secret, jobs that are not jobs, users that are not.
        (admin(request(Post, "/api/admin/sweep"), "Bearer wrong"), 401, "unauthorized"),
        (admin(request(Post, "/api/admin/sweep"), &format!("bearer {CRON_SECRET}")), 401, "unauthorized"),
        (admin(request(Post, "/api/admin/sweep"), &format!("Bearer {CRON_SECRET} ")), 401, "unauthorized"),
        (admin(request(Post, "/api/admin/sweep"), &format!("Bearer  {CRON_SECRET}")), 401, "unauthorized"),
        (admin(request(Post, "/api/admin/sweep"), &format!("Bearer {}", &CRON_SECRET[..CRON_SECRET.len() - 1])), 401, "unauthorized"),
        (admin(request(Post, "/api/admin/sweep"), &format!("Basic {CRON_SECRET}")), 401, "unauthorized"),
        (admin(request(Post, "/api/admin/sweep"), "Bearer "), 401, "unauthorized"),
        (request(Post, "/api/admin/sweep"), 401, "unauthorized"),
        (request(Get, "/api/admin/dead-letters"), 401, "unauthorized"),
        (admin(request(Post, "/api/admin/archive/u1"), "Bearer x"), 401, "unauthorized"),
        (admin(with_body(request(Post, "/api/admin/jobs"), "application/json", "{\"users\":[]}"), "Bearer x"), 401, "unauthorized"),
        (admin(with_body(request(Post, "/api/admin/jobs"), "application/json", ""), &bearer), 400, "invalid_job"),
        (admin(with_body(request(Post, "/api/admin/jobs"), "application/json", "{\"users\":[],\"enqueued_at\":0}"), &bearer), 400, "invalid_job"),
        (admin(with_body(request(Post, "/api/admin/jobs"), "application/json", "{\"users\":[{\"user_id\":\"u1\"}],\"enqueued_at\":0}"), &bearer), 400, "invalid_job"),
        (admin(with_body(request(Post, "/api/admin/jobs"), "application/json", &deep_json), &bearer), 400, "invalid_job"),
        (admin(with_body(request(Post, "/api/admin/jobs"), "application/x-www-form-urlencoded", "users=u1"), &bearer), 400, "invalid_job"),
        (admin(with_body(request(Post, "/api/admin/jobs"), "application/json", &json!({"users": vec![json!({"user_id": "u1", "slot": "s", "manual": true}); 101], "enqueued_at": 0}).to_string()), &bearer), 400, "invalid_job"),
        (admin(request(Post, "/api/admin/archive/nobody"), &bearer), 404, "unknown_user"),
        (admin(request(Post, "/api/admin/archive/u1%00"), &bearer), 404, "unknown_user"),
        (admin(request(Post, "/api/admin/archive/%F0%9F%8E%B5"), &bearer), 404, "unknown_user"),
        (admin(request(Post, "/api/admin/archive/u1'%20OR%20'1'='1"), &bearer), 404, "unknown_user"),
        (admin(request(Post, &format!("/api/admin/archive/{}", "u".repeat(5_000))), &bearer), 404, "unknown_user"),
    ];
    // Session routes with a forged, missing or foreign session; writes from another origin.
    for (method, path) in [
        (Get, "/api/status"),
        (Get, "/api/plays"),
        (Get, "/api/gaps"),
        (Get, "/api/stats"),
        (Get, "/api/export"),
        (Get, "/api/imports/7"),
        (Post, "/api/archive"),
        (Post, "/api/settings"),
        (Post, "/api/imports"),
        (Post, "/api/imports/7/finish"),
        (Post, "/api/account/pause"),
        (Delete, "/api/account"),
    ] {
        for cookie in [
            "",
            "stm_session=",
            "stm_session=forged",
            "stm_session=c-u1x",
            "stm_session=\"\"",
            "other=c-u1",
            "stm_session=%63-u1",
        ] {
            let mut forged = request(method, path);
            forged.headers[0].1 = cookie.into();
            forged = with_body(forged, "application/json", "{\"time_zone\":\"UTC\"}");
            cases.push((forged, 401, "not_logged_in"));
        }
        if method != Get {
            for origin in [
                "http://evil.example",
                "null",
                "http://127.0.0.1:8787/",
                "HTTP://127.0.0.1:8787",
                "",
            ] {
                let mut foreign = request(method, path);
                foreign.headers[1].1 = origin.into();
                cases.push((foreign, 403, "forbidden_origin"));
            }
            let mut without = request(method, path);
            without.headers.remove(1);
            cases.push((without, 403, "forbidden_origin"));
        }
    }
    cases
}

#[test]
fn every_bad_request_is_a_clear_4xx_that_changes_nothing() {
    let world = World::new();
    let before = world.snapshot();
    let cases = cases();
    for (request, status, code) in &cases {
        assert_refused(&world, request, *status, code);
        let after = world.snapshot();
        assert!(
            after == before,
            "{:?} {}?{} changed the state",
            request.method,
            request.path,
            request.query
        );
    }
    eprintln!("{} bad requests refused cleanly", cases.len());
}

#[test]
fn html_routes_refuse_cleanly_and_escape_what_they_echo() {
    let world = World::new();
    let before = world.snapshot();
    for path in [
        "/nope",
        "/%3Cscript%3Ealert(1)%3C/script%3E",
        "/callback",
        "/callback?code=x",
        "/callback?state=%3Cscript%3E",
        "/callback?error=%3Cscript%3Ealert(1)%3C/script%3E&state=x",
        "/callback?code=%00&state=%00",
        "/callback?code=a&code=b&state=c&state=d",
    ] {
        let response = world.send(&request(Method::Get, path));
        assert!(
            (400..500).contains(&response.status),
            "{path}: {} {}",
            response.status,
            response.body
        );
        assert_eq!(
            header(&response, "Content-Type"),
            Some("text/html; charset=utf-8"),
            "{path}"
        );
        assert!(
            !response.body.contains("<script>"),
            "{path}: {}",
            response.body
        );
        let leaked = leaks(&world, &response.body);
        assert!(leaked.is_empty(), "{path} leaks {leaked:?}");
    }
    assert!(
        world.snapshot() == before,
        "an HTML refusal changed the state"
    );
}

#[test]
fn unicode_names_go_in_and_come_out_intact() {
    let world = World::new();
    let name = "Zoë 🎧 <script>alert(1)</script> \u{202e}";
    let status: Value =
        serde_json::from_str(&world.send(&request(Method::Get, "/api/status")).body)
            .expect("status");
    assert_eq!(status["display_name"], name);
    let dashboard = world.send(&request(Method::Get, "/"));
    assert_eq!(dashboard.status, 200);
    assert!(dashboard.body.contains("Zoë 🎧"), "the name is shown");
    assert!(
        !dashboard.body.contains("<script>alert(1)</script>"),
        "the name is escaped on the dashboard"
    );
    // A zone with a non-ASCII name does exist in no tz database; an ASCII one is saved.
    let saved = world.send(&with_body(
        request(Method::Post, "/api/settings"),
        "application/json",
        "{\"time_zone\":\"America/Argentina/ComodRivadavia\"}",
    ));
    assert_eq!(saved.status, 200, "{}", saved.body);
    // An import of names in every script keeps them exactly.
    let chunk = json!({"file": "Streaming_History_Audio_🎵.json", "offset": 0, "records": [
        {"ts": "2019-06-01T12:34:56Z", "ms_played": 200_000, "spotify_track_uri": "spotify:track:4uLU6hMCjMI75M1A2tKUQC",
         "master_metadata_track_name": "東京 \u{0000} ☃ \u{202e}", "master_metadata_album_artist_name": "Мумий Тролль",
         "master_metadata_album_album_name": "=SUM(A1)"},
        {"endTime": "2021-03-04 05:06", "msPlayed": 61_000, "artistName": "שלום", "trackName": "🎸"}
    ]});
    let written = world.send(&with_body(
        request(Method::Post, "/api/imports/7/chunks"),
        "application/json",
        &chunk.to_string(),
    ));
    assert_eq!(written.status, 200, "{}", written.body);
    let report: Value = serde_json::from_str(&written.body).expect("report");
    assert_eq!(report["chunk"]["imported"], 2, "{report}");
    let plays: Value = serde_json::from_str(
        &world
            .send(&request(Method::Get, "/api/plays?limit=10"))
            .body,
    )
    .expect("plays");
    let names: Vec<&str> = plays["plays"]
        .as_array()
        .expect("plays")
        .iter()
        .filter_map(|play| play["track_name"].as_str())
        .collect();
    assert!(names.contains(&"東京 \u{0000} ☃ \u{202e}"), "{names:?}");
    assert!(names.contains(&"🎸"), "{names:?}");
}

// ---------------------------------------------------------------------------------------
// Any request at all.

fn method() -> impl Strategy<Value = Method> {
    prop_oneof![Just(Method::Get), Just(Method::Post), Just(Method::Delete)]
}

fn path() -> impl Strategy<Value = String> {
    let known = prop_oneof![
        Just("/"),
        Just("/login"),
        Just("/callback"),
        Just("/logout"),
        Just("/import"),
        Just("/assets/app.js"),
        Just("/api/health"),
        Just("/api/status"),
        Just("/api/plays"),
        Just("/api/gaps"),
        Just("/api/stats"),
        Just("/api/export"),
        Just("/api/archive"),
        Just("/api/settings"),
        Just("/api/imports"),
        Just("/api/imports/7"),
        Just("/api/imports/7/chunks"),
        Just("/api/imports/7/finish"),
        Just("/api/imports/8/chunks"),
        Just("/api/account"),
        Just("/api/account/pause"),
        Just("/api/account/resume"),
        Just("/api/account/delete"),
        Just("/api/admin/sweep"),
        Just("/api/admin/jobs"),
        Just("/api/admin/dead-letters"),
        Just("/api/admin/archive/u1"),
        Just("/api/shares"),
        Just("/api/shares/new"),
        Just("/api/shares/1/revoke"),
        Just("/s/AAAAAAAAAAAAAAAAAAAAAA"),
        Just("/s/1.AAAAAAAAAAAAAAAAAAAAAA"),
        Just("/year"),
        Just("/year/2026"),
        Just("/year/card.svg"),
        Just("/year/2026/card.svg"),
    ]
    .prop_map(str::to_owned);
    prop_oneof![
        4 => known.clone(),
        1 => (known, "[/a-z0-9%.]{0,12}").prop_map(|(path, tail)| format!("{path}{tail}")),
        1 => "/[ -~]{0,30}",
        1 => "/.{0,20}",
    ]
}

fn query() -> impl Strategy<Value = String> {
    let value = prop_oneof![
        "[0-9]{0,20}",
        "-[0-9]{1,20}",
        "[0-9]{4}-[0-9]{2}-[0-9]{2}",
        Just("Europe/Berlin".to_owned()),
        Just("csv".to_owned()),
        Just("jsonl".to_owned()),
        "[%0-9A-F]{0,9}",
        ".{0,12}",
    ];
    let name = prop_oneof![
        Just("limit"),
        Just("before"),
        Just("before_id"),
        Just("from"),
        Just("to"),
        Just("tz"),
        Just("format"),
        Just("code"),
        Just("state"),
        Just("error"),
    ];
    prop_oneof![
        3 => prop::collection::vec((name, value), 0..5).prop_map(|pairs| {
            pairs.iter().map(|(name, value)| format!("{name}={value}")).collect::<Vec<_>>().join("&")
        }),
        1 => ".{0,60}",
    ]
}

fn body() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("{\"time_zone\":\"Europe/Berlin\"}".to_owned()),
        Just("{\"time_zone\":null}".to_owned()),
        Just("time_zone=UTC".to_owned()),
        Just("{\"users\":[{\"user_id\":\"u1\",\"slot\":\"s\",\"manual\":true}],\"enqueued_at\":0}".to_owned()),
        Just("{\"file\":\"a.json\",\"offset\":0,\"records\":[{\"ts\":\"2019-06-01T12:34:56Z\",\"ms_played\":40000,\"master_metadata_track_name\":\"x\"}]}".to_owned()),
        ".{0,80}",
        "[{}\\[\\]\":,0-9a-z_]{0,80}",
    ]
}

fn headers() -> impl Strategy<Value = Vec<(String, String)>> {
    let cookie = prop_oneof![
        Just(None),
        Just(Some(SESSION.to_owned())),
        Just(Some("stm_session=forged".to_owned())),
        ".{0,30}".prop_map(|text| Some(format!("stm_session={text}"))),
    ];
    let origin = prop_oneof![
        Just(None),
        Just(Some(ORIGIN.to_owned())),
        Just(Some("http://evil.example".to_owned())),
    ];
    let content_type = prop_oneof![
        Just(None),
        Just(Some("application/json".to_owned())),
        Just(Some("application/x-www-form-urlencoded".to_owned())),
        Just(Some("text/plain".to_owned())),
        ".{0,20}".prop_map(Some),
    ];
    let authorization = prop_oneof![
        Just(None),
        Just(Some(format!("Bearer {CRON_SECRET}"))),
        ".{0,30}".prop_map(Some),
    ];
    (cookie, origin, content_type, authorization).prop_map(
        |(cookie, origin, content_type, authorization)| {
            [
                ("Cookie", cookie),
                ("Origin", origin),
                ("Content-Type", content_type),
                ("Authorization", authorization),
            ]
            .into_iter()
            .filter_map(|(name, value)| value.map(|value| (name.to_owned(), value)))
            .collect()
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: case_count(512), ..ProptestConfig::default() })]

    #[test]
    fn no_request_is_a_server_error_or_leaks(method in method(), path in path(), query in query(), body in body(), headers in headers()) {
        let world = World::new();
        let request = WebRequest { method, origin: ORIGIN.into(), path: path.clone(), query, headers, body };
        let mut response = world.send(&request);
        prop_assert!(response.status < 500, "{request:?}: {} {}", response.status, response.body);
        let leaked = leaks(&world, &response.body);
        prop_assert!(leaked.is_empty(), "{request:?} leaks {leaked:?}: {}", response.body);
        let is_api = path.trim_end_matches('/').starts_with("/api");
        // The dashboard's plain forms post to the API; a refusal of a form is a page that
        // leads back, not JSON a person would be shown.
        let is_form = request.is_form();
        let is_page = response
            .headers
            .iter()
            .any(|(name, value)| name.eq_ignore_ascii_case("Content-Type") && value.starts_with("text/html"));
        if response.status >= 400 && is_api && !(is_form && is_page) {
            let error: Value = serde_json::from_str(&response.body)
                .map_err(|error| TestCaseError::fail(format!("{request:?}: not JSON ({error}): {}", response.body)))?;
            prop_assert!(error["error"]["code"].as_str().is_some_and(|code| !code.is_empty()), "{request:?}: {error}");
            prop_assert!(error["error"]["message"].as_str().is_some_and(|text| !text.is_empty()), "{request:?}: {error}");
        }
        if let Some(mut plan) = response.stream.take() {
            // A streamed export must stream to its end.
            for _ in 0..1_000 {
                match block_on(plan.next_chunk(&world.web.db)) {
                    Ok(Some(chunk)) => {
                        let leaked = leaks(&world, &chunk);
                        prop_assert!(leaked.is_empty(), "{request:?} export leaks {leaked:?}");
                    }
                    Ok(None) => break,
                    Err(error) => prop_assert!(false, "{request:?}: the export failed: {error}"),
                }
            }
        }
    }
}

/// The query string of a login callback, as Spotify would send it back: sanity for the
/// property above (the callback route reads `code` and `state` like this).
#[test]
fn the_callback_reads_its_query_like_the_fuzzer_writes_it() {
    assert_eq!(
        read_callback("code=a%20b&state=c"),
        CallbackOutcome::Approved {
            code: "a b".into(),
            state: "c".into()
        }
    );
}

/// The cases of a property with its own default: `PROPTEST_CASES` when set (a long run).
fn case_count(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(default)
}
