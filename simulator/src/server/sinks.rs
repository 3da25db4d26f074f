//! Notification sinks over HTTP: deliveries arrive at `/sinks/{name}` (and any path below
//! it), tests script and read them under `/admin/sinks/{name}`, and `GET /sinks` shows them
//! to a developer.
//!
//! Errors are the admin API's `{"error": "<message>"}`.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use axum::body::{to_bytes, Bytes};
use axum::extract::{Path, Request, State};
use axum::http::header::{CONTENT_LENGTH, RETRY_AFTER};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use super::admin::{self, AdminError};
use super::pages::escape;
use super::{respond, Simulator};
use crate::sinks::{
    valid_name, Delivery, Incoming, ScriptedResponse, Sink, SinkBook, SinkConfig, SinkSpec,
    MAX_BODY_BYTES,
};
use crate::timefmt;

/// How many deliveries per sink the HTML page shows (the admin API has them all).
const PAGE_DELIVERIES: usize = 50;

fn error(status: StatusCode, message: &str) -> Response {
    respond::json(status, &json!({ "error": message }), false)
}

fn bad_name() -> Response {
    error(
        StatusCode::NOT_FOUND,
        "sink names are 1-64 characters of letters, digits, '-' or '_'",
    )
}

fn too_large() -> Response {
    error(
        StatusCode::PAYLOAD_TOO_LARGE,
        &format!("a delivery's body may be at most {MAX_BODY_BYTES} bytes"),
    )
}

/// The answer a script asked for.
fn answer(response: ScriptedResponse) -> Response {
    let status = StatusCode::from_u16(response.status).unwrap_or(StatusCode::OK);
    let mut reply = match response.body {
        Some(body) => respond::scripted_body(status, body),
        None => status.into_response(),
    };
    // Validated when the script was configured.
    if let Some(value) = response
        .retry_after
        .and_then(|text| HeaderValue::from_str(&text).ok())
    {
        reply.headers_mut().insert(RETRY_AFTER, value);
    }
    reply
}

/// `POST`/`PUT /sinks/{name}` and `/sinks/{name}/{*rest}`: records one delivery and answers
/// it as the sink's script says.
pub async fn deliver(
    State(sim): State<Simulator>,
    Path(params): Path<HashMap<String, String>>,
    request: Request,
) -> Response {
    let name = params.get("name").map(String::as_str).unwrap_or_default();
    if !valid_name(name) {
        return bad_name();
    }
    let (parts, body) = request.into_parts();
    let declared_length = parts
        .headers
        .get(CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<u64>().ok());
    if declared_length.is_some_and(|length| length > MAX_BODY_BYTES as u64) {
        return too_large();
    }
    // Fails when the body outgrows the limit (or the client vanished mid-body).
    let Ok(bytes) = to_bytes(body, MAX_BODY_BYTES).await else {
        return too_large();
    };
    let mut headers: BTreeMap<String, String> = BTreeMap::new();
    for (header, value) in &parts.headers {
        let value = String::from_utf8_lossy(value.as_bytes());
        headers
            .entry(header.as_str().to_ascii_lowercase())
            .and_modify(|joined| {
                joined.push_str(", ");
                joined.push_str(&value);
            })
            .or_insert_with(|| value.into_owned());
    }
    let path = parts
        .uri
        .path_and_query()
        .map_or_else(|| parts.uri.path(), |path| path.as_str());
    let incoming = Incoming {
        method: parts.method.as_str(),
        path,
        headers,
        body: &bytes,
    };
    let now_ms = sim.now_ms();
    let received = sim.lock().sinks.receive(name, incoming, now_ms);
    match received {
        Ok(response) => answer(response),
        Err(full) => error(StatusCode::TOO_MANY_REQUESTS, &full.to_string()),
    }
}

fn config_json(name: &str, config: &SinkConfig) -> Value {
    json!({
        "name": name,
        "secret": config.secret.as_ref().map(|secret| secret.as_str()),
        "responses": config.responses,
        "default_status": config.default_status,
    })
}

/// `POST /admin/sinks/{name}`: creates the sink or replaces its configuration (its script
/// starts afresh; what it received is kept).
pub async fn configure(
    State(sim): State<Simulator>,
    Path(name): Path<String>,
    bytes: Bytes,
) -> Response {
    if !valid_name(&name) {
        return bad_name();
    }
    let config = admin::body::<SinkSpec>(&bytes)
        .and_then(|spec| SinkConfig::try_from(spec).map_err(AdminError::BadRequest));
    let config = match config {
        Ok(config) => config,
        Err(error) => return error.into_response(),
    };
    let configured = sim
        .lock()
        .sinks
        .configure(&name, config)
        .map(|sink| config_json(&name, sink.config()));
    match configured {
        Ok(body) => respond::json(StatusCode::CREATED, &body, false),
        Err(full) => error(StatusCode::TOO_MANY_REQUESTS, &full.to_string()),
    }
}

/// `GET /admin/sinks/{name}`: what the sink received, oldest first. A sink that does not
/// exist has received nothing.
pub async fn received(State(sim): State<Simulator>, Path(name): Path<String>) -> Response {
    if !valid_name(&name) {
        return bad_name();
    }
    let body = {
        let state = sim.lock();
        let sink = state.sinks.get(&name);
        let received: Vec<&Delivery> = sink
            .map(|sink| sink.received().iter().collect())
            .unwrap_or_default();
        json!({
            "name": name,
            "received": received,
            "pending_responses": sink.map_or(0, Sink::pending_responses),
        })
    };
    respond::json(StatusCode::OK, &body, false)
}

/// `DELETE /admin/sinks/{name}`: forgets the sink and everything it received.
pub async fn forget(State(sim): State<Simulator>, Path(name): Path<String>) -> Response {
    if !valid_name(&name) {
        return bad_name();
    }
    let deleted = sim.lock().sinks.forget(&name);
    respond::json(StatusCode::OK, &json!({ "deleted": deleted }), false)
}

/// `GET /sinks`: every sink and its deliveries, newest first, for a human.
pub async fn page(State(sim): State<Simulator>) -> Response {
    let html = render(&sim.config().base_url, &sim.lock().sinks);
    respond::html(StatusCode::OK, html)
}

fn render_delivery(html: &mut String, delivery: &Delivery) {
    let time = timefmt::played_at(delivery.at);
    let headers: String = delivery
        .headers
        .iter()
        .map(|(name, value)| format!("{name}: {value}\n"))
        .collect();
    let body = if delivery.json.is_null() {
        delivery.body.clone()
    } else {
        serde_json::to_string_pretty(&delivery.json).unwrap_or_else(|_| delivery.body.clone())
    };
    let _ = write!(
        html,
        r#"      <article class="delivery">
        <p><time datetime="{time}">{time}</time> · <code>{method} {path}</code> · answered <strong class="status">{status}</strong> · signature <span class="signature">{signature}</span></p>
        <details><summary>Headers</summary><pre>{headers}</pre></details>
        <pre class="body">{body}</pre>
      </article>
"#,
        time = escape(&time),
        method = escape(&delivery.method),
        path = escape(&delivery.path),
        status = delivery.status,
        signature = delivery.signature.as_str(),
        headers = escape(&headers),
        body = escape(&body),
    );
}

fn render_sink(html: &mut String, name: &str, sink: &Sink) {
    let received = sink.received().len();
    let checked = if sink.config().secret.is_some() {
        "signatures checked"
    } else {
        "signatures not checked"
    };
    let _ = write!(
        html,
        r#"    <section class="sink" id="sink-{name}">
      <h2>{name}</h2>
      <p>{received} deliveries; {pending} scripted responses pending, then {default}; {checked}.</p>
"#,
        name = escape(name),
        pending = sink.pending_responses(),
        default = sink.config().default_status,
    );
    for delivery in sink.received().iter().rev().take(PAGE_DELIVERIES) {
        render_delivery(html, delivery);
    }
    if received > PAGE_DELIVERIES {
        let _ = writeln!(
            html,
            "      <p>{} older deliveries not shown; <code>GET /admin/sinks/{}</code> has them all.</p>",
            received - PAGE_DELIVERIES,
            escape(name)
        );
    }
    html.push_str("    </section>\n");
}

/// The page itself: sinks by name, each one's deliveries newest first. It reloads itself
/// every few seconds so that new notifications show up.
fn render(base_url: &str, sinks: &SinkBook) -> String {
    let mut html = format!(
        r#"<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta http-equiv="refresh" content="5">
    <title>Spotify simulator: notification sinks</title>
    <style>pre {{ white-space: pre-wrap; background: #f4f4f4; padding: 0.5em; }}</style>
  </head>
  <body>
    <h1>Notification sinks</h1>
    <p>Deliveries to <code>{base}/sinks/NAME</code>, newest first. This page reloads every 5 seconds.</p>
"#,
        base = escape(base_url)
    );
    if sinks.is_empty() {
        html.push_str("    <p id=\"empty\">Nothing has been delivered yet.</p>\n");
    }
    for (name, sink) in sinks.iter() {
        render_sink(&mut html, name, sink);
    }
    html.push_str("  </body>\n</html>\n");
    html
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sinks::Incoming;

    #[test]
    fn the_page_escapes_what_was_delivered_and_shows_the_newest_first() {
        let mut book = SinkBook::new();
        let headers = BTreeMap::from([("title".to_owned(), "<b>hi</b>".to_owned())]);
        for (at, body) in [
            (1_000, &b"<script>alert(1)</script>"[..]),
            (2_000, br#"{"message":"a<b"}"#),
        ] {
            let incoming = Incoming {
                method: "POST",
                path: "/sinks/x\"y",
                headers: headers.clone(),
                body,
            };
            book.receive("ntfy", incoming, at).expect("room");
        }
        let html = render("http://sim.test", &book);
        assert!(!html.contains("<script>") && !html.contains("<b>hi"));
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(html.contains("title: &lt;b&gt;hi&lt;/b&gt;"));
        assert!(html.contains("/sinks/x&quot;y"));
        assert!(html.contains("{\n  &quot;message&quot;: &quot;a&lt;b&quot;\n}"));
        let newest = html.find("1970-01-01T00:00:02Z").expect("the newest");
        let oldest = html.find("1970-01-01T00:00:01Z").expect("the oldest");
        assert!(newest < oldest);
    }

    #[test]
    fn an_empty_page_says_so() {
        let html = render("http://sim.test", &SinkBook::new());
        assert!(html.contains(r#"<p id="empty">"#));
    }
}
