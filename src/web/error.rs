//! The one error answer of the HTTP surface.
//!
//! A handler returns `Result<WebResponse, HttpError>` and reaches the failures of the
//! store, the parsers and the body reader with `?`. The router turns an [`HttpError`]
//! into its answer, `{"error": {"code", "message"}}` with any fields beside it, and logs
//! its cause once: the cause says what broke (a database message, say) and never
//! reaches the answer.

use std::fmt;

use serde_json::{Map, Value};

use super::body::BodyError;
use super::routes::Part;
use super::WebResponse;
use crate::history::ParamError;
use crate::import::plan::ChunkRefused;
use crate::notify::target::TargetError;
use crate::ports::{LogLine, Method};
use crate::store::StoreError;

/// What the user is told when the database failed: the same words whichever read or
/// write it was, since the user can do the same about each (try again).
pub const STORAGE_UNAVAILABLE_MESSAGE: &str =
    "Your archive could not be read or saved just now; try again soon.";

/// An answer that refuses or fails a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpError {
    pub status: u16,
    /// Stable across versions: what clients match on.
    pub code: &'static str,
    /// For the person reading it.
    pub message: String,
    /// Fields beside `error` at the body's top level (a rate limit's
    /// `retry_after_seconds`, say).
    pub fields: Map<String, Value>,
    /// Headers beside the JSON ones (`Retry-After`).
    pub headers: Vec<(&'static str, String)>,
    /// What failed underneath, for the log only: never in the answer.
    pub cause: Option<String>,
}

impl HttpError {
    pub fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            fields: Map::new(),
            headers: Vec::new(),
            cause: None,
        }
    }

    /// The database failed (503 `storage_unavailable`).
    pub fn storage_unavailable(cause: impl fmt::Display) -> Self {
        Self::new(503, "storage_unavailable", STORAGE_UNAVAILABLE_MESSAGE).with_cause(cause)
    }

    /// The queue did not take a job (503 `queue_unavailable`).
    pub fn queue_unavailable(message: &str, cause: impl fmt::Display) -> Self {
        Self::new(503, "queue_unavailable", message).with_cause(cause)
    }

    /// `405 method_not_allowed` for a route that exists, with `Allow` naming the method
    /// it takes (and HEAD beside GET: a HEAD is answered as the GET).
    pub fn method_not_allowed(allowed: Method) -> Self {
        let mut error = Self::new(
            405,
            "method_not_allowed",
            format!("This route takes {}.", allowed.as_str()),
        );
        let allow = match allowed {
            Method::Get => "GET, HEAD".to_owned(),
            other => other.as_str().to_owned(),
        };
        error.headers.push(("Allow", allow));
        error
    }

    /// `503 misconfigured`: what the service's own configuration refuses (a binding or a
    /// setting is missing or wrong); the cause says which.
    pub fn misconfigured(message: &str) -> Self {
        Self::new(503, "misconfigured", message)
    }

    /// A route of a part this build does not hold reached the app: its front has no
    /// binding to the part (see [`Part`]).
    pub fn part_not_built(part: Part) -> Self {
        Self::misconfigured("This part of the service is not deployed.").with_cause(format!(
            "the {part:?} part's route reached a build without it; bind {} to it",
            part.binding()
        ))
    }

    /// `404 not_found` for an API path that names no route.
    pub fn no_such_route() -> Self {
        Self::new(404, "not_found", "No such route.")
    }

    /// The same error in other words: where the general ones say less than they could.
    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = message.into();
        self
    }

    pub fn with_cause(mut self, cause: impl fmt::Display) -> Self {
        self.cause = Some(cause.to_string());
        self
    }

    pub fn with_field(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.fields.insert(name.to_owned(), value.into());
        self
    }

    pub fn with_header(mut self, name: &'static str, value: String) -> Self {
        self.headers.push((name, value));
        self
    }

    /// The answer: `{"error": {"code", "message"}, ...fields}` and the headers.
    pub fn to_response(&self) -> WebResponse {
        let mut body = Map::new();
        body.insert(
            "error".to_owned(),
            serde_json::json!({ "code": self.code, "message": self.message }),
        );
        body.extend(self.fields.clone());
        let mut response = WebResponse::json(self.status, &body);
        response.headers.extend(
            self.headers
                .iter()
                .map(|(name, value)| ((*name).to_owned(), value.clone())),
        );
        response
    }

    /// The log line of an error with a cause, for the request at `path`; `None` when
    /// there is nothing to log (a refusal says all there is to say in its answer).
    pub fn log_line(&self, path: &str) -> Option<LogLine> {
        let cause = self.cause.as_deref()?;
        let line = if self.status >= 500 {
            LogLine::error("http_error")
        } else {
            LogLine::warn("http_error")
        };
        Some(
            line.field("status", self.status)
                .field("code", self.code)
                .field("path", path)
                .field("cause", cause),
        )
    }
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.status, self.code, self.message)?;
        if let Some(cause) = &self.cause {
            write!(f, " ({cause})")?;
        }
        Ok(())
    }
}

impl std::error::Error for HttpError {}

impl From<StoreError> for HttpError {
    fn from(error: StoreError) -> Self {
        Self::storage_unavailable(error)
    }
}

impl From<BodyError> for HttpError {
    fn from(error: BodyError) -> Self {
        match error {
            BodyError::TooLarge => {
                Self::new(413, "body_too_large", "The request body is too large.")
            }
            BodyError::Unreadable => Self::new(
                400,
                "invalid_body",
                "The request body could not be read as UTF-8 text.",
            ),
        }
    }
}

/// A query parameter of stats or export the API refuses.
impl From<ParamError> for HttpError {
    fn from(error: ParamError) -> Self {
        Self::new(400, error.code, error.message)
    }
}

/// An import chunk that is not one.
impl From<ChunkRefused> for HttpError {
    fn from(refused: ChunkRefused) -> Self {
        Self::new(400, "invalid_chunk", refused.0)
    }
}

/// A notification channel's URL or token we do not send to.
impl From<TargetError> for HttpError {
    fn from(error: TargetError) -> Self {
        Self::new(400, "invalid_channel", error.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::DatabaseError;
    use crate::testing::web::{get, json_of, post, WebWorld};

    const NOW: i64 = 1_750_000_000_000;

    fn header<'a>(response: &'a WebResponse, name: &str) -> Option<&'a str> {
        crate::pairs::header(&response.headers, name)
    }

    #[test]
    fn an_error_renders_as_the_answers_before_it() {
        let response =
            HttpError::new(401, "not_logged_in", "Log in with Spotify first.").to_response();
        assert_eq!(response.status, 401);
        assert_eq!(
            response.body,
            r#"{"error":{"code":"not_logged_in","message":"Log in with Spotify first."}}"#
        );
        assert_eq!(
            response.headers,
            vec![
                ("Content-Type".to_owned(), "application/json".to_owned()),
                ("Cache-Control".to_owned(), "no-store".to_owned()),
                ("X-Content-Type-Options".to_owned(), "nosniff".to_owned()),
            ]
        );
        assert!(response.stream.is_none());
    }

    #[test]
    fn fields_sit_beside_the_error_and_headers_follow_the_json_ones() {
        let response = HttpError::new(429, "archive_rate_limited", "Later.")
            .with_field("retry_after_seconds", 30)
            .with_field("archive_available_at", 1_000)
            .with_header("Retry-After", "30".to_owned())
            .to_response();
        // As `json!` wrote it before: the same object, so the same text.
        let before = serde_json::json!({
            "error": { "code": "archive_rate_limited", "message": "Later." },
            "retry_after_seconds": 30,
            "archive_available_at": 1_000,
        });
        assert_eq!(response.body, before.to_string());
        assert_eq!(response.status, 429);
        assert_eq!(header(&response, "Retry-After"), Some("30"));
        assert_eq!(response.headers.len(), 4);
    }

    #[test]
    fn a_store_error_is_a_503_whose_cause_stays_out_of_the_answer() {
        let error = HttpError::from(StoreError::Database(DatabaseError {
            message: "D1_ERROR: no such table: sessions".into(),
        }));
        assert_eq!((error.status, error.code), (503, "storage_unavailable"));
        assert_eq!(
            error.cause.as_deref(),
            Some("database error: D1_ERROR: no such table: sessions")
        );
        let response = error.to_response();
        assert_eq!(response.status, 503);
        assert!(!response.body.contains("D1_ERROR"), "{}", response.body);
        assert!(response.body.contains("storage_unavailable"));
    }

    /// A signed-in user whose shard's sessions query fails (a D1 outage).
    fn world_with_failing_sessions() -> (WebWorld, String) {
        let world = WebWorld::new();
        let cookie = world.sign_in("ada", NOW);
        world
            .db
            .fail_queries_matching(Some("SELECT user_id FROM sessions"));
        (world, cookie)
    }

    #[test]
    fn a_session_lookup_the_database_fails_is_a_503_not_a_401() {
        let (world, cookie) = world_with_failing_sessions();
        let response = world.send(&get("/api/plays", Some(&cookie)), NOW);
        assert_eq!(response.status, 503, "{}", response.body);
        assert_eq!(json_of(&response)["error"]["code"], "storage_unavailable");
        assert!(
            !response.body.contains("simulated outage"),
            "{}",
            response.body
        );
        // A change is refused the same way, not sent to log in again.
        let change = world.send(&post("/api/account/pause", Some(&cookie), ""), NOW);
        assert_eq!(change.status, 503, "{}", change.body);
    }

    #[test]
    fn the_router_logs_an_errors_cause_once_as_one_json_line() {
        let (world, cookie) = world_with_failing_sessions();
        world.send(&get("/api/plays", Some(&cookie)), NOW);
        assert_eq!(
            world.log.lines(),
            vec![serde_json::json!({
                "level": "error",
                "event": "http_error",
                "status": 503,
                "code": "storage_unavailable",
                "path": "/api/plays",
                "cause": "database error: D1_ERROR: simulated outage",
            })]
        );
    }

    #[test]
    fn a_refusal_is_answered_and_not_logged() {
        let world = WebWorld::new();
        let response = world.send(&get("/api/plays", None), NOW);
        assert_eq!(response.status, 401);
        assert_eq!(
            response.body,
            r#"{"error":{"code":"not_logged_in","message":"Log in with Spotify first."}}"#
        );
        assert!(world.log.lines().is_empty());
    }

    #[test]
    fn the_dashboard_of_a_failing_session_lookup_is_a_page_and_a_log_line() {
        let (world, cookie) = world_with_failing_sessions();
        let response = world.send(&get("/", Some(&cookie)), NOW);
        assert_eq!(response.status, 503);
        assert!(response.body.contains("Try again soon"));
        assert_eq!(world.log.events("http_error").len(), 1);
    }

    #[test]
    fn only_an_error_with_a_cause_is_logged() {
        assert_eq!(
            HttpError::new(401, "not_logged_in", "Log in.").log_line("/api/plays"),
            None
        );
        let line = HttpError::storage_unavailable("database error: down")
            .log_line("/api/plays")
            .map(|line| line.to_json());
        assert_eq!(
            line,
            Some(serde_json::json!({
                "level": "error", "event": "http_error", "status": 503,
                "code": "storage_unavailable", "path": "/api/plays",
                "cause": "database error: down",
            }))
        );
    }
}
