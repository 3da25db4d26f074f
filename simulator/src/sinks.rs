//! Notification sinks: named receivers of the Worker's notifications (Standard Webhooks,
//! ntfy, Discord), so that tests can read back what was delivered and script how each
//! delivery is answered.
//!
//! A sink answers from its script, one scripted response per delivery, then its default
//! status forever. It keeps the newest [`MAX_DELIVERIES`] deliveries. Sinks that were never
//! configured spring into being on their first delivery, answering 200.

use std::collections::{BTreeMap, VecDeque};
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use crate::standard_webhooks::{self, Secret, SignatureHeaders, Verdict};

/// The most sinks that may exist at once.
pub const MAX_SINKS: usize = 100;
/// The most deliveries one sink keeps; older ones are dropped.
pub const MAX_DELIVERIES: usize = 1_000;
/// The largest delivery body accepted.
pub const MAX_BODY_BYTES: usize = 256 * 1024;
/// The most scripted responses one configuration may hold.
pub const MAX_SCRIPTED_RESPONSES: usize = 1_000;

/// Whether `name` may name a sink: 1 to 64 letters, digits, `-` or `_`.
pub fn valid_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// One scripted answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScriptedResponse {
    pub status: u16,
    /// Sent as `Retry-After` when present (seconds, or any text a test wants to try).
    #[serde(default, deserialize_with = "text_or_number")]
    pub retry_after: Option<String>,
    #[serde(default)]
    pub body: Option<String>,
}

impl ScriptedResponse {
    fn status(status: u16) -> Self {
        Self {
            status,
            retry_after: None,
            body: None,
        }
    }
}

/// Accepts `"30"` and `30` alike.
fn text_or_number<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum TextOrNumber {
        Text(String),
        Number(serde_json::Number),
    }
    Ok(
        Option::<TextOrNumber>::deserialize(deserializer)?.map(|value| match value {
            TextOrNumber::Text(text) => text,
            TextOrNumber::Number(number) => number.to_string(),
        }),
    )
}

/// A sink's configuration as the admin API receives it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SinkSpec {
    #[serde(default)]
    pub secret: Option<String>,
    #[serde(default)]
    pub responses: Vec<ScriptedResponse>,
    #[serde(default)]
    pub default_status: Option<u16>,
}

/// A validated configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SinkConfig {
    pub secret: Option<Secret>,
    pub responses: Vec<ScriptedResponse>,
    pub default_status: u16,
}

impl Default for SinkConfig {
    fn default() -> Self {
        Self {
            secret: None,
            responses: Vec::new(),
            default_status: 200,
        }
    }
}

/// Statuses a sink may answer: 1xx cannot be a final answer.
fn valid_status(status: u16) -> bool {
    (200..=599).contains(&status)
}

/// What a header value may hold (visible ASCII, spaces and tabs).
fn valid_header_text(text: &str) -> bool {
    text.bytes()
        .all(|b| b == b'\t' || (b' '..=b'~').contains(&b))
}

impl TryFrom<SinkSpec> for SinkConfig {
    type Error = String;

    fn try_from(spec: SinkSpec) -> Result<Self, String> {
        let secret = spec
            .secret
            .as_deref()
            .map(Secret::parse)
            .transpose()
            .map_err(|error| error.to_string())?;
        if spec.responses.len() > MAX_SCRIPTED_RESPONSES {
            return Err(format!(
                "responses may hold at most {MAX_SCRIPTED_RESPONSES} entries"
            ));
        }
        for (index, response) in spec.responses.iter().enumerate() {
            if !valid_status(response.status) {
                return Err(format!(
                    "responses[{index}].status must be within 200..=599"
                ));
            }
            if let Some(retry_after) = &response.retry_after {
                if retry_after.trim().is_empty() || !valid_header_text(retry_after) {
                    return Err(format!(
                        "responses[{index}].retry_after must be non-empty printable ASCII"
                    ));
                }
            }
            if response
                .body
                .as_ref()
                .is_some_and(|body| body.len() > MAX_BODY_BYTES)
            {
                return Err(format!(
                    "responses[{index}].body must be at most {MAX_BODY_BYTES} bytes"
                ));
            }
        }
        let default_status = spec.default_status.unwrap_or(200);
        if !valid_status(default_status) {
            return Err("default_status must be within 200..=599".to_owned());
        }
        Ok(Self {
            secret,
            responses: spec.responses,
            default_status,
        })
    }
}

/// One delivery as it arrived and was answered.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Delivery {
    /// When it arrived, Unix milliseconds.
    pub at: i64,
    pub method: String,
    /// The path, with the query string when there was one.
    pub path: String,
    /// Every header, names lowercased; repeated headers joined with `, `.
    pub headers: BTreeMap<String, String>,
    /// The body as text (invalid UTF-8 replaced).
    pub body: String,
    /// The body parsed as JSON, or null when it is not JSON.
    pub json: Value,
    /// The status it was answered.
    pub status: u16,
    pub signature: Verdict,
}

/// A delivery before it is answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incoming<'a> {
    pub method: &'a str,
    pub path: &'a str,
    /// Names lowercased.
    pub headers: BTreeMap<String, String>,
    pub body: &'a [u8],
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sink {
    config: SinkConfig,
    /// What is left of the script, next first.
    script: VecDeque<ScriptedResponse>,
    /// Oldest first.
    received: VecDeque<Delivery>,
}

impl Sink {
    pub fn config(&self) -> &SinkConfig {
        &self.config
    }

    /// The deliveries kept, oldest first.
    pub fn received(&self) -> &VecDeque<Delivery> {
        &self.received
    }

    pub fn pending_responses(&self) -> usize {
        self.script.len()
    }

    fn next_response(&mut self) -> ScriptedResponse {
        self.script
            .pop_front()
            .unwrap_or_else(|| ScriptedResponse::status(self.config.default_status))
    }

    fn record(&mut self, delivery: Delivery) {
        while self.received.len() >= MAX_DELIVERIES {
            self.received.pop_front();
        }
        self.received.push_back(delivery);
    }
}

/// A new sink was refused: there are [`MAX_SINKS`] already.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooManySinks;

impl fmt::Display for TooManySinks {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            formatter,
            "there are {MAX_SINKS} sinks already; delete one first"
        )
    }
}

impl std::error::Error for TooManySinks {}

/// Every sink, by name.
#[derive(Debug, Clone, Default)]
pub struct SinkBook {
    sinks: BTreeMap<String, Sink>,
}

impl SinkBook {
    pub fn new() -> Self {
        Self::default()
    }

    fn entry(&mut self, name: &str) -> Result<&mut Sink, TooManySinks> {
        if !self.sinks.contains_key(name) && self.sinks.len() >= MAX_SINKS {
            return Err(TooManySinks);
        }
        Ok(self.sinks.entry(name.to_owned()).or_default())
    }

    /// Creates the sink or replaces its configuration; its script starts afresh and what it
    /// received is kept.
    pub fn configure(&mut self, name: &str, config: SinkConfig) -> Result<&Sink, TooManySinks> {
        let sink = self.entry(name)?;
        sink.script = config.responses.iter().cloned().collect();
        sink.config = config;
        Ok(sink)
    }

    /// Records a delivery arriving at `now_ms` and returns how to answer it.
    pub fn receive(
        &mut self,
        name: &str,
        incoming: Incoming<'_>,
        now_ms: i64,
    ) -> Result<ScriptedResponse, TooManySinks> {
        let sink = self.entry(name)?;
        let header = |name: &str| incoming.headers.get(name).map(String::as_str);
        let signature = standard_webhooks::verify(
            sink.config.secret.as_ref(),
            SignatureHeaders {
                id: header("webhook-id"),
                timestamp: header("webhook-timestamp"),
                signature: header("webhook-signature"),
            },
            incoming.body,
            now_ms.div_euclid(1000),
        );
        let response = sink.next_response();
        sink.record(Delivery {
            at: now_ms,
            method: incoming.method.to_owned(),
            path: incoming.path.to_owned(),
            body: String::from_utf8_lossy(incoming.body).into_owned(),
            json: serde_json::from_slice(incoming.body).unwrap_or(Value::Null),
            headers: incoming.headers,
            status: response.status,
            signature,
        });
        Ok(response)
    }

    pub fn get(&self, name: &str) -> Option<&Sink> {
        self.sinks.get(name)
    }

    /// Forgets the sink and everything it received; false if there was none.
    pub fn forget(&mut self, name: &str) -> bool {
        self.sinks.remove(name).is_some()
    }

    /// Every sink, by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Sink)> {
        self.sinks.iter().map(|(name, sink)| (name.as_str(), sink))
    }

    pub fn is_empty(&self) -> bool {
        self.sinks.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn incoming(body: &[u8]) -> Incoming<'_> {
        Incoming {
            method: "POST",
            path: "/sinks/a",
            headers: BTreeMap::from([("content-type".to_owned(), "text/plain".to_owned())]),
            body,
        }
    }

    fn config(responses: Vec<ScriptedResponse>, default_status: u16) -> SinkConfig {
        SinkConfig {
            secret: None,
            responses,
            default_status,
        }
    }

    #[test]
    fn names_are_short_words() {
        assert!(valid_name("a"));
        assert!(valid_name("ntfy_alerts-2"));
        assert!(valid_name(&"x".repeat(64)));
        assert!(!valid_name(""));
        assert!(!valid_name(&"x".repeat(65)));
        assert!(!valid_name("a.b"));
        assert!(!valid_name("a/b"));
        assert!(!valid_name("é"));
    }

    #[test]
    fn the_script_runs_out_into_the_default_status() {
        let mut book = SinkBook::new();
        let script = vec![ScriptedResponse::status(503), ScriptedResponse::status(429)];
        book.configure("a", config(script, 204)).expect("room");
        let statuses: Vec<u16> = (0..4)
            .map(|_| book.receive("a", incoming(b"x"), 0).expect("room").status)
            .collect();
        assert_eq!(statuses, [503, 429, 204, 204]);
        let sink = book.get("a").expect("the sink");
        assert_eq!(sink.pending_responses(), 0);
        let recorded: Vec<u16> = sink.received().iter().map(|d| d.status).collect();
        assert_eq!(recorded, statuses);
    }

    #[test]
    fn an_unconfigured_sink_answers_200_and_records() {
        let mut book = SinkBook::new();
        let answer = book
            .receive("new", incoming(br#"{"a":1}"#), 1_500)
            .expect("room");
        assert_eq!(answer, ScriptedResponse::status(200));
        let delivery = &book.get("new").expect("created").received()[0];
        assert_eq!(delivery.at, 1_500);
        assert_eq!(delivery.json, serde_json::json!({ "a": 1 }));
        assert_eq!(delivery.signature, Verdict::NotChecked);
        assert_eq!(delivery.headers["content-type"], "text/plain");
    }

    #[test]
    fn a_body_that_is_not_json_reads_as_null() {
        let mut book = SinkBook::new();
        book.receive("a", incoming(b"Backup done \xff"), 0)
            .expect("room");
        let delivery = &book.get("a").expect("created").received()[0];
        assert_eq!(delivery.json, Value::Null);
        assert_eq!(delivery.body, "Backup done \u{fffd}");
    }

    #[test]
    fn reconfiguring_restarts_the_script_and_keeps_the_deliveries() {
        let mut book = SinkBook::new();
        book.configure("a", config(vec![ScriptedResponse::status(500)], 200))
            .expect("room");
        book.receive("a", incoming(b"1"), 0).expect("room");
        let script = vec![ScriptedResponse::status(502), ScriptedResponse::status(503)];
        let sink = book.configure("a", config(script, 200)).expect("room");
        assert_eq!(sink.pending_responses(), 2);
        assert_eq!(sink.received().len(), 1);
        assert!(book.forget("a"));
        assert!(!book.forget("a"));
        assert!(book.get("a").is_none());
    }

    #[test]
    fn only_the_newest_deliveries_are_kept() {
        let mut book = SinkBook::new();
        for at in 0..(MAX_DELIVERIES as i64 + 5) {
            book.receive("a", incoming(b""), at).expect("room");
        }
        let received = book.get("a").expect("created").received();
        assert_eq!(received.len(), MAX_DELIVERIES);
        assert_eq!(received.front().map(|d| d.at), Some(5));
    }

    #[test]
    fn new_sinks_are_refused_past_the_limit() {
        let mut book = SinkBook::new();
        for index in 0..MAX_SINKS {
            book.receive(&format!("s{index}"), incoming(b""), 0)
                .expect("room");
        }
        assert_eq!(
            book.receive("one-more", incoming(b""), 0),
            Err(TooManySinks)
        );
        assert_eq!(
            book.configure("one-more", SinkConfig::default()).err(),
            Some(TooManySinks)
        );
        // Existing sinks carry on.
        assert!(book.receive("s0", incoming(b""), 0).is_ok());
        assert!(book.configure("s1", SinkConfig::default()).is_ok());
    }

    #[test]
    fn specs_are_validated() {
        let parse = |json: &str| -> Result<SinkConfig, String> {
            let spec: SinkSpec = serde_json::from_str(json).map_err(|e| e.to_string())?;
            SinkConfig::try_from(spec)
        };
        assert_eq!(parse("{}"), Ok(SinkConfig::default()));
        let config = parse(
            r#"{"secret":"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw","default_status":204,
                "responses":[{"status":429,"retry_after":"30"},{"status":503,"retry_after":7,"body":"no"}]}"#,
        )
        .expect("valid");
        assert_eq!(config.default_status, 204);
        assert_eq!(config.responses[0].retry_after.as_deref(), Some("30"));
        assert_eq!(config.responses[1].retry_after.as_deref(), Some("7"));
        assert_eq!(config.responses[1].body.as_deref(), Some("no"));
        for bad in [
            r#"{"secret":"plain"}"#,
            r#"{"default_status":100}"#,
            r#"{"default_status":600}"#,
            r#"{"responses":[{"status":99}]}"#,
            r#"{"responses":[{"status":429,"retry_after":"1\n2"}]}"#,
            r#"{"responses":[{"status":429,"retry_after":" "}]}"#,
            r#"{"responses":[{"retry_after":"1"}]}"#,
            r#"{"unknown":1}"#,
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
