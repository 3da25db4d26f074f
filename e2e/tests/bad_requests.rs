//! Bad requests to every route through the real runtime (the same families natively, and
//! faster, in `tests/bad_requests.rs`): methods the Worker does not take, bodies over its
//! limits (declared or not), wrong content types, huge or negative limits, malformed
//! dates and time zones, odd paths, unicode in names. Each is a clear 4xx with a JSON
//! error on `/api`, changes nothing in D1 and queues nothing; nothing answered is a 5xx,
//! a stack trace, SQL, a token or a secret.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use e2e::{Browser, Stack, ARCHIVE_DEADLINE};
use serde_json::{json, Value};

/// One exchange with any method, headers and body (ureq, so PUT, PATCH, OPTIONS work).
struct Answer {
    status: u16,
    content_type: String,
    body: String,
}

fn exchange(
    method: &str,
    url: &str,
    headers: &[(&str, String)],
    body: Option<(&str, Vec<u8>)>,
) -> Answer {
    let agent = ureq::Agent::new_with_config(
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .allow_non_standard_methods(true)
            .timeout_global(Some(Duration::from_secs(60)))
            .build(),
    );
    let mut request = ureq::http::Request::builder().method(method).uri(url);
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    let result = match body {
        Some((content_type, body)) => agent.run(
            request
                .header("Content-Type", content_type)
                .body(body)
                .expect("a request"),
        ),
        None => agent.run(request.body(()).expect("a request")),
    };
    let mut response = result.unwrap_or_else(|error| panic!("{method} {url}: {error}"));
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = response
        .body_mut()
        .with_config()
        .limit(64 * 1024 * 1024)
        .read_to_string()
        .unwrap_or_default();
    Answer {
        status,
        content_type,
        body,
    }
}

/// A request written by hand: for what a client library will not send (a body shorter
/// than its declared length, a body of unknown length).
fn raw(stack: &Stack, head: &str, body: &[u8]) -> Answer {
    let address = stack.worker_url.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).expect("connect to the worker");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    stream.write_all(head.as_bytes()).expect("write");
    let _ = stream.write_all(body);
    let _ = stream.flush();
    let mut reply = Vec::new();
    let _ = stream.read_to_end(&mut reply);
    let text = String::from_utf8_lossy(&reply).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0);
    let (headers, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let content_type = headers
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-type")
                .then(|| value.trim().to_owned())
        })
        .unwrap_or_default();
    Answer {
        status,
        content_type,
        body: body.to_owned(),
    }
}

/// What the Worker holds: every table that a request could change, as one value.
fn state(stack: &Stack) -> Vec<Value> {
    stack.d1(
        "SELECT (SELECT json_group_array(json_array(id, updated_at, next_due_at, is_active, paused, \
                  needs_reauth, archive_requested_at, time_zone, access_token_enc, display_name)) FROM users) AS users, \
                (SELECT count(*) FROM sessions) AS sessions, \
                (SELECT count(*) FROM app_rests) AS app_rests, \
                (SELECT count(*) FROM play_events) AS plays, \
                (SELECT count(*) FROM tracks) AS tracks, \
                (SELECT count(*) FROM data_gaps) AS gaps, \
                (SELECT json_group_array(json_array(id, chunks, records_read, finished_at)) FROM imports) AS imports, \
                (SELECT count(*) FROM import_chunks) AS chunks, \
                (SELECT count(*) FROM sweeps) AS sweeps, \
                (SELECT count(*) FROM dead_letters) AS dead_letters",
    )
}

/// Leaks no answer may carry.
fn leaks(body: &str, secrets: &[String]) -> Vec<String> {
    let mut found: Vec<String> = secrets
        .iter()
        .filter(|secret| !secret.is_empty() && body.contains(secret.as_str()))
        .cloned()
        .collect();
    let lower = body.to_ascii_lowercase();
    for marker in [
        "sql",
        "from users",
        "from play_events",
        "insert into",
        "delete from",
        "json_each",
        "panicked",
        "runtimeerror",
        "unreachable",
        "stack backtrace",
        "    at ",
        ".rs:",
        "wasm-function",
        "\"access_token\"",
        "\"refresh_token\"",
        "access_token_enc",
        "refresh_token_enc",
        "sim-client-secret",
    ] {
        if lower.contains(marker) {
            found.push(marker.to_owned());
        }
    }
    found
}

struct Case {
    method: &'static str,
    path: String,
    headers: Vec<(&'static str, String)>,
    body: Option<(&'static str, Vec<u8>)>,
    status: u16,
    code: &'static str,
}

fn case(method: &'static str, path: &str, status: u16, code: &'static str) -> Case {
    Case {
        method,
        path: path.to_owned(),
        headers: Vec::new(),
        body: None,
        status,
        code,
    }
}

impl Case {
    fn body(mut self, content_type: &'static str, body: impl Into<Vec<u8>>) -> Self {
        self.body = Some((content_type, body.into()));
        self
    }
}

#[test]
fn every_route_refuses_bad_requests_with_a_clear_4xx_and_no_side_effect() {
    let stack = Stack::start();
    stack.sim_post(
        "/admin/users",
        json!({ "id": "zoe", "display_name": "Zoë 🎧 <script>alert(1)</script> \u{202e}",
                "email": "zoe@example.com", "plays_per_hour": 0.0, "history_hours": 0.0 }),
    );
    stack.inject("zoe", 3, 60_000);
    let zoe = stack.login("zoe");
    let status = zoe.wait_for_poll(&json!({}), ARCHIVE_DEADLINE);
    assert_eq!(
        status["display_name"], "Zoë 🎧 <script>alert(1)</script> \u{202e}",
        "{status}"
    );
    let import = json_post(&stack, &zoe, "/api/imports", "{}");
    assert_eq!(import.status, 201, "{}", import.body);
    let import_id = serde_json::from_str::<Value>(&import.body).expect("json")["id"]
        .as_i64()
        .expect("import id");
    let cookie = format!(
        "stm_session={}",
        zoe.cookie("stm_session").expect("session")
    );
    let origin = stack.worker_url.clone();
    let before = state(&stack);
    let events_before = stack.worker_events().len();

    // Deeper than any parser's recursion limit, inside the 64 KiB body limit.
    let deep = format!("{}{}", "[".repeat(20_000), "]".repeat(20_000));
    let chunk_path = format!("/api/imports/{import_id}/chunks");
    let mut cases = vec![
        // Methods the Worker does not take at all.
        case("PUT", "/api/settings", 405, "method_not_allowed"),
        case("PATCH", "/api/account", 405, "method_not_allowed"),
        case("OPTIONS", "/api/status", 405, "method_not_allowed"),
        case("PUT", "/api/admin/jobs", 405, "method_not_allowed"),
        case("PROPFIND", "/", 405, "method_not_allowed"),
        // ... on a path with no route: no route, whatever the method.
        case("PUT", "/api/nothing", 404, "not_found"),
        // Methods a route does not take.
        case("POST", "/api/status", 405, "method_not_allowed"),
        case("DELETE", "/api/plays", 405, "method_not_allowed"),
        case("GET", "/api/archive", 405, "method_not_allowed"),
        case("GET", "/api/account/delete", 405, "method_not_allowed"),
        case("GET", "/api/imports", 405, "method_not_allowed"),
        case("GET", &chunk_path, 405, "method_not_allowed"),
        case("POST", "/login", 405, "method_not_allowed"),
        case("DELETE", "/api/admin/sweep", 405, "method_not_allowed"),
        // No such route.
        case("GET", "/api/nothing", 404, "not_found"),
        case("GET", "/api/admin/nothing", 404, "not_found"),
        case("GET", "/api/status/more", 404, "not_found"),
        case("GET", "/api/%F0%9F%8E%B5", 404, "not_found"),
        case("GET", "/api/imports/abc", 404, "import_not_found"),
        case("GET", "/api/imports/-1", 404, "import_not_found"),
        case(
            "GET",
            "/api/imports/99999999999999999999999",
            404,
            "import_not_found",
        ),
        // Limits.
        case("GET", "/api/plays?limit=-1", 400, "invalid_limit"),
        case("GET", "/api/plays?limit=0", 400, "invalid_limit"),
        case("GET", "/api/plays?limit=201", 400, "invalid_limit"),
        case(
            "GET",
            "/api/plays?limit=99999999999999999999999999",
            400,
            "invalid_limit",
        ),
        case("GET", "/api/plays?limit=1e2", 400, "invalid_limit"),
        case("GET", "/api/plays?before=-1", 400, "invalid_before"),
        case(
            "GET",
            "/api/plays?before=9223372036854775808",
            400,
            "invalid_before",
        ),
        case(
            "GET",
            "/api/plays?before=1&before_id=0",
            400,
            "invalid_before_id",
        ),
        case("GET", "/api/stats?limit=0", 400, "invalid_limit"),
        case("GET", "/api/stats?limit=-3", 400, "invalid_limit"),
        case("GET", "/api/stats?limit=51", 400, "invalid_limit"),
        // Dates, ranges and time zones.
        case("GET", "/api/stats?from=2026-02-30", 400, "invalid_from"),
        case("GET", "/api/stats?from=26-01-01", 400, "invalid_from"),
        case("GET", "/api/stats?from=-86400000", 400, "invalid_from"),
        case("GET", "/api/stats?to=10000-01-01", 400, "invalid_to"),
        case(
            "GET",
            "/api/stats?to=2026-01-01T24:00:01Z",
            400,
            "invalid_to",
        ),
        case(
            "GET",
            "/api/stats?from=2026-03-02&to=2026-03-01",
            400,
            "invalid_range",
        ),
        case(
            "GET",
            "/api/stats?from=1990-01-01&to=2026-01-01",
            400,
            "invalid_range",
        ),
        case(
            "GET",
            "/api/stats?tz=Europe/Berlin%00",
            400,
            "unknown_time_zone",
        ),
        case(
            "GET",
            "/api/stats?tz=..%2F..%2Fetc%2Fpasswd",
            400,
            "unknown_time_zone",
        ),
        case(
            "GET",
            "/api/stats?tz=%E6%9D%B1%E4%BA%AC",
            400,
            "unknown_time_zone",
        ),
        case(
            "GET",
            &format!("/api/stats?tz={}", "Z".repeat(2_000)),
            400,
            "unknown_time_zone",
        ),
        case("GET", "/api/export?format=xlsx", 400, "invalid_format"),
        case("GET", "/api/export?from=yesterday", 400, "invalid_from"),
        case(
            "GET",
            "/api/export?tz=Mars%2FOlympus_Mons",
            400,
            "unknown_time_zone",
        ),
        // Bodies: wrong content types, not the shape, too deep, too large.
        case("POST", "/api/settings", 400, "invalid_body").body("text/plain", "time_zone=UTC"),
        case("POST", "/api/settings", 400, "invalid_body").body("application/xml", "<tz>UTC</tz>"),
        case("POST", "/api/settings", 400, "invalid_body").body("application/json", "[\"UTC\"]"),
        case("POST", "/api/settings", 400, "invalid_body")
            .body("application/json", "{\"time_zone\":1}"),
        case("POST", "/api/settings", 400, "invalid_body").body("application/json", deep.clone()),
        case("POST", "/api/settings", 400, "invalid_body")
            .body("application/json", vec![0xff, 0xfe, b'{', b'}']),
        case("POST", "/api/settings", 400, "unknown_time_zone")
            .body("application/json", "{\"time_zone\":\"Zoë/🎧\"}"),
        case("POST", "/api/settings", 413, "body_too_large").body(
            "application/json",
            format!("{{\"time_zone\":\"{}\"}}", "A".repeat(70_000)),
        ),
        case("POST", &chunk_path, 400, "invalid_chunk")
            .body("application/json", "{\"file\":\"a\",\"offset\":0}"),
        case("POST", &chunk_path, 400, "invalid_chunk").body(
            "application/json",
            "{\"file\":\"a\",\"offset\":-1,\"records\":[]}",
        ),
        case("POST", &chunk_path, 400, "invalid_chunk").body("text/csv", "ts,ms_played\n"),
        case("POST", &chunk_path, 400, "invalid_chunk").body(
            "application/json",
            json!({"file": "a.json", "offset": 0, "records": vec![json!({}); 1_001]}).to_string(),
        ),
        case("POST", &chunk_path, 413, "body_too_large").body(
            "application/json",
            json!({"file": "a.json", "offset": 0, "records": [], "pad": "x".repeat(600 * 1024)})
                .to_string(),
        ),
        case(
            "POST",
            "/api/imports/999999/chunks",
            404,
            "import_not_found",
        )
        .body(
            "application/json",
            "{\"file\":\"a\",\"offset\":0,\"records\":[]}",
        ),
    ];
    // Every one with the session and our Origin: the refusals are about the request.
    for case in &mut cases {
        case.headers.push(("Cookie", cookie.clone()));
        case.headers.push(("Origin", origin.clone()));
    }
    // Admin routes: no token, a wrong one, the right one with bad jobs and users.
    let bearer = |token: &str| vec![("Authorization", format!("Bearer {token}"))];
    let admin = |method, path: &str, token: &str, status, code| Case {
        headers: bearer(token),
        ..case(method, path, status, code)
    };
    cases.extend([
        case("POST", "/api/admin/sweep", 401, "unauthorized"),
        case("GET", "/api/admin/dead-letters", 401, "unauthorized"),
        admin(
            "POST",
            "/api/admin/sweep",
            "not-the-secret",
            401,
            "unauthorized",
        ),
        admin(
            "POST",
            "/api/admin/archive/nobody",
            "not-the-secret",
            401,
            "unauthorized",
        ),
    ]);
    // Session routes without a session, with a forged one, or from elsewhere.
    for (method, path) in [
        ("GET", "/api/status"),
        ("GET", "/api/stats"),
        ("GET", "/api/export"),
        ("POST", "/api/archive"),
        ("POST", "/api/settings"),
        ("POST", "/api/account/pause"),
        ("DELETE", "/api/account"),
        ("POST", "/api/imports"),
    ] {
        for forged in ["", "stm_session=forged", "stm_session=%00"] {
            let mut case = case(method, path, 401, "not_logged_in");
            case.headers = vec![("Cookie", forged.to_owned()), ("Origin", origin.clone())];
            cases.push(case);
        }
        if method != "GET" {
            let mut foreign = case(method, path, 403, "forbidden_origin");
            foreign.headers = vec![
                ("Cookie", cookie.clone()),
                ("Origin", "https://evil.example".into()),
            ];
            cases.push(foreign);
            let mut none = case(method, path, 403, "forbidden_origin");
            none.headers = vec![("Cookie", cookie.clone())];
            cases.push(none);
        }
    }

    let secrets = vec![
        zoe.cookie("stm_session").unwrap_or_default(),
        "sim-client-secret".to_owned(),
    ];
    let mut failures = Vec::new();
    for case in &cases {
        let url = format!("{}{}", stack.worker_url, case.path);
        let answer = exchange(case.method, &url, &case.headers, case.body.clone());
        let what = format!("{} {}", case.method, &case.path[..case.path.len().min(80)]);
        let json: Option<Value> = serde_json::from_str(&answer.body).ok();
        let code = json
            .as_ref()
            .and_then(|json| json["error"]["code"].as_str())
            .unwrap_or("");
        let leaked = leaks(&answer.body, &secrets);
        if answer.status != case.status
            || code != case.code
            || !answer.content_type.starts_with("application/json")
            || !leaked.is_empty()
        {
            failures.push(format!(
                "{what}: {} {} {:?} (wanted {} {}) leaks {leaked:?}",
                answer.status,
                answer.content_type,
                &answer.body[..answer.body.len().min(200)],
                case.status,
                case.code
            ));
        }
    }

    // What a client library will not send: a large body of unknown length (chunked),
    // which only the Worker's own count of bytes can refuse. (A declared length over
    // the limit with a shorter body cannot be tried here: the local runtime waits for
    // the whole declared body before the Worker sees the request.)
    let host = stack.worker_url.trim_start_matches("http://").to_owned();
    let mut chunked_body = Vec::new();
    let piece = vec![b'A'; 16 * 1024];
    for _ in 0..8 {
        chunked_body.extend(format!("{:x}\r\n", piece.len()).as_bytes());
        chunked_body.extend(&piece);
        chunked_body.extend(b"\r\n");
    }
    chunked_body.extend(b"0\r\n\r\n");
    let chunked = raw(
        &stack,
        &format!(
            "POST /api/settings HTTP/1.1\r\nHost: {host}\r\nOrigin: {origin}\r\nCookie: {cookie}\r\n\
             Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        ),
        &chunked_body,
    );
    if chunked.status != 413 || !chunked.body.contains("body_too_large") {
        failures.push(format!(
            "chunked 128 KiB: {} {:?}",
            chunked.status,
            &chunked.body[..chunked.body.len().min(200)]
        ));
    }

    assert!(
        failures.is_empty(),
        "{} of {} bad requests were not refused cleanly:\n{}",
        failures.len(),
        cases.len() + 1,
        failures.join("\n")
    );
    eprintln!("bad requests: {} refused cleanly", cases.len() + 1);

    // Nothing changed, nothing was queued.
    assert_eq!(state(&stack), before, "a bad request changed D1");
    std::thread::sleep(Duration::from_secs(6));
    let queued: Vec<Value> = stack.worker_events()[events_before..]
        .iter()
        .filter(|event| event["event"] == "archive" || event["event"] == "sweep")
        .cloned()
        .collect();
    assert!(queued.is_empty(), "a bad request queued work: {queued:?}");
}

fn json_post(stack: &Stack, browser: &Browser<'_>, path: &str, body: &str) -> e2e::Reply {
    let cookie = format!(
        "stm_session={}",
        browser.cookie("stm_session").unwrap_or_default()
    );
    stack.http(
        "POST",
        &format!("{}{path}", stack.worker_url),
        &[("Cookie", cookie), ("Origin", stack.worker_url.clone())],
        Some(("application/json", body.to_owned())),
    )
}

/// Odd paths, odd methods and odd headers everywhere: never a 5xx, never a leak. The
/// pages escape a hostile display name; unicode names survive an import and every export.
#[test]
fn nothing_is_a_server_error_and_unicode_names_survive() {
    let stack = Stack::start();
    stack.sim_post(
        "/admin/users",
        json!({ "id": "rtl", "display_name": "\u{202e}<img src=x onerror=alert(1)> 東京 🎧",
                "email": null, "plays_per_hour": 0.0, "history_hours": 0.0 }),
    );
    stack.inject("rtl", 2, 60_000);
    let user = stack.login("rtl");
    user.wait_for_poll(&json!({}), ARCHIVE_DEADLINE);
    let cookie = format!(
        "stm_session={}",
        user.cookie("stm_session").expect("session")
    );
    let origin = stack.worker_url.clone();

    let dashboard = user.get("/");
    assert_eq!(dashboard.status, 200);
    assert!(dashboard.body.contains("東京 🎧"), "the name is shown");
    assert!(
        !dashboard.body.contains("<img src=x"),
        "the name is not escaped on the dashboard"
    );

    let paths = [
        "/",
        "//api//status",
        "/api/status/",
        "/api/./status",
        "/api/%2e%2e/api/status",
        "/api%2Fstatus",
        "/%00",
        "/%ZZ",
        "/api/plays?limit=%",
        "/api/plays?%=%&&&==",
        "/api/stats?from=%F0%9F",
        "/api/export?format=csv&format=xml",
        "/callback?code=%00&state=%00",
        "/callback?error=%3Cscript%3E",
        "/api/imports/1/chunks/..",
        "/assets/../../../../etc/passwd",
        "/assets/app.js?x=%3Cscript%3E",
    ];
    let long = format!("/api/stats?tz={}", "x".repeat(7_000));
    let mut failures = Vec::new();
    for path in paths.iter().copied().chain([long.as_str()]) {
        for method in ["GET", "POST", "DELETE", "HEAD", "PUT"] {
            let answer = exchange(
                method,
                &format!("{}{path}", stack.worker_url),
                &[("Cookie", cookie.clone()), ("Origin", origin.clone())],
                (method == "POST").then(|| ("application/json", b"{\"x\":".to_vec())),
            );
            let leaked = leaks(&answer.body, &["sim-client-secret".to_owned()]);
            if answer.status >= 500 || answer.status == 0 || !leaked.is_empty() {
                failures.push(format!(
                    "{method} {}: {} leaks {leaked:?} {:?}",
                    &path[..path.len().min(60)],
                    answer.status,
                    &answer.body[..answer.body.len().min(200)]
                ));
            }
            if path.starts_with("/api") && (400..500).contains(&answer.status) && method != "HEAD" {
                let code = serde_json::from_str::<Value>(&answer.body)
                    .ok()
                    .and_then(|json| json["error"]["code"].as_str().map(str::to_owned));
                if code.is_none() {
                    failures.push(format!(
                        "{method} {path}: {} without a JSON error: {:?}",
                        answer.status,
                        &answer.body[..answer.body.len().min(200)]
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    // Names in every script, a formula, control characters: imported, then exported.
    let import = json_post(&stack, &user, "/api/imports", "");
    assert_eq!(import.status, 201, "{}", import.body);
    let id = import.json()["id"].as_i64().expect("id");
    let chunk = json!({"file": "Streaming_History_Audio_東京.json", "offset": 0, "records": [
        {"ts": "2019-06-01T12:34:56Z", "ms_played": 200_000, "spotify_track_uri": "spotify:track:4uLU6hMCjMI75M1A2tKUQC",
         "master_metadata_track_name": "東京 \u{0000} ☃ \u{202e}x", "master_metadata_album_artist_name": "Мумий Тролль",
         "master_metadata_album_album_name": "=HYPERLINK(\"http://evil.example\")"},
        {"endTime": "2021-03-04 05:06", "msPlayed": 61_000, "artistName": "שלום \"quoted\", comma", "trackName": "🎸\r\n-2+3"}
    ]});
    let written = json_post(
        &stack,
        &user,
        &format!("/api/imports/{id}/chunks"),
        &chunk.to_string(),
    );
    assert_eq!(written.status, 200, "{}", written.body);
    assert_eq!(written.json()["chunk"]["imported"], 2, "{}", written.body);

    let csv = user.get("/api/export?format=csv");
    assert_eq!(csv.status, 200);
    assert!(
        csv.body
            .contains("\"'=HYPERLINK(\"\"http://evil.example\"\")\""),
        "{}",
        csv.body
    );
    assert!(csv.body.contains("東京"), "{}", csv.body);
    let json_export = user.get("/api/export?format=json");
    assert_eq!(json_export.status, 200);
    let parsed: Value = serde_json::from_str(&json_export.body).expect("the JSON export parses");
    let names: Vec<&str> = parsed["plays"]
        .as_array()
        .expect("plays")
        .iter()
        .filter_map(|play| play["track_name"].as_str())
        .collect();
    assert!(names.contains(&"東京 \u{0000} ☃ \u{202e}x"), "{names:?}");
    assert!(names.contains(&"🎸\r\n-2+3"), "{names:?}");
    let jsonl = user.get("/api/export?format=jsonl");
    assert_eq!(jsonl.status, 200);
    for line in jsonl.body.lines() {
        serde_json::from_str::<Value>(line).unwrap_or_else(|error| panic!("{error}: {line}"));
    }
    let stats = user.get("/api/stats?from=2019-01-01&to=2026-01-01");
    assert_eq!(stats.status, 200, "{}", stats.body);
}
