//! A simulated ListenBrainz (API v1): users with one token each, `submit-listens`
//! validated the way the real server validates it, and every accepted listen kept as it
//! arrived, so that tests can prove the Worker delivers each play exactly once by counting.
//!
//! Nothing is deduplicated, on purpose: the real server deduplicates listens with the same
//! user, timestamp and track, which would hide a Worker that submits twice.
//!
//! Tests script how the next submissions of a user are answered (a 503, a 429 with a reset
//! time, …); a scripted answer replaces the real one and its listens are not recorded.
//!
//! Rate limiting is reported, not enforced: every response carries the `X-RateLimit-*`
//! headers of a fixed window per token, counting down to 0 and staying there, but only a
//! scripted 429 refuses a request. A real limit would make tests depend on their speed.

use std::collections::VecDeque;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// The most listens one submission may carry.
pub const MAX_LISTENS_PER_REQUEST: usize = 1_000;
/// A submission's body may be at most this many bytes per listen it carries.
pub const MAX_LISTEN_SIZE_BYTES: usize = 10_240;
/// The earliest `listened_at` accepted: 2002-10-01T00:00:00Z, before which nobody scrobbled.
pub const LISTEN_MINIMUM_TS: i64 = 1_033_430_400;
/// Requests allowed per token and window, as the headers report them.
pub const RATE_LIMIT: u32 = 50;
/// The length of a rate-limit window.
pub const RATE_LIMIT_WINDOW_SECS: i64 = 10;
/// The most users that may exist at once.
pub const MAX_USERS: usize = 1_000;
/// The most scripted responses one user may have queued.
pub const MAX_SCRIPTED_RESPONSES: usize = 1_000;
/// The largest scripted body.
pub const MAX_SCRIPTED_BODY_BYTES: usize = 64 * 1024;

/// Whether `name` may name a user: 1 to 64 letters, digits, `-`, `_` or `.`.
pub fn valid_user_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
}

/// Whether `token` may be a token: 1 to 128 visible ASCII characters (it travels in a
/// header, after `Token `).
pub fn valid_token(token: &str) -> bool {
    (1..=128).contains(&token.len()) && token.bytes().all(|b| b.is_ascii_graphic())
}

/// The token of an `Authorization: Token <token>` header; `None` when the header is not of
/// that form.
pub fn token_from_header(header: &str) -> Option<&str> {
    let (scheme, token) = header.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("token") && !token.is_empty()).then_some(token)
}

/// A user and its token, as `--listenbrainz-user NAME:TOKEN` gives them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub user_name: String,
    pub token: String,
}

impl Account {
    /// Reads `NAME:TOKEN`; `None` unless both parts are valid.
    pub fn parse(text: &str) -> Option<Self> {
        let (user_name, token) = text.split_once(':')?;
        (valid_user_name(user_name) && valid_token(token)).then(|| Self {
            user_name: user_name.to_owned(),
            token: token.to_owned(),
        })
    }
}

/// How a submission declares its listens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListenType {
    Single,
    Import,
    PlayingNow,
}

impl ListenType {
    fn parse(text: &str) -> Option<Self> {
        match text {
            "single" => Some(Self::Single),
            "import" => Some(Self::Import),
            "playing_now" => Some(Self::PlayingNow),
            _ => None,
        }
    }
}

/// One listen of a submission, as it arrived.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Listen {
    /// Unix seconds; absent only for `playing_now`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listened_at: Option<i64>,
    pub listen_type: ListenType,
    /// Exactly as submitted (artist and track names checked, nothing else touched).
    pub track_metadata: Value,
}

/// Why a submission was refused with 400; the text is the `error` of the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadSubmission(pub String);

impl fmt::Display for BadSubmission {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

impl std::error::Error for BadSubmission {}

fn bad(message: impl Into<String>) -> BadSubmission {
    BadSubmission(message.into())
}

/// Parses and checks a `submit-listens` body as the real server does: the listen type, the
/// number of listens, the size of the body against that number, and each listen's
/// timestamp and names.
pub fn parse_submission(body: &[u8]) -> Result<(ListenType, Vec<Listen>), BadSubmission> {
    let document: Value = serde_json::from_slice(body)
        .map_err(|error| bad(format!("Cannot parse JSON document: {error}")))?;
    let Some(document) = document.as_object() else {
        return Err(bad("The JSON document must be an object."));
    };
    let listen_type = document
        .get("listen_type")
        .and_then(Value::as_str)
        .and_then(ListenType::parse)
        .ok_or_else(|| {
            bad("JSON document must have a listen_type of single, import or playing_now.")
        })?;
    let payload = match document.get("payload") {
        Some(Value::Array(payload)) => payload,
        Some(_) => return Err(bad("The payload of the JSON document must be a list.")),
        None => return Err(bad("JSON document must contain a payload.")),
    };
    if payload.is_empty() {
        return Err(bad("JSON document does not contain any listens."));
    }
    if payload.len() > MAX_LISTENS_PER_REQUEST {
        return Err(bad(format!(
            "Too many listens: at most {MAX_LISTENS_PER_REQUEST} may be submitted at once."
        )));
    }
    if body.len() > payload.len() * MAX_LISTEN_SIZE_BYTES {
        return Err(bad(format!(
            "JSON document is too large: listens may take at most {MAX_LISTEN_SIZE_BYTES} bytes each."
        )));
    }
    if listen_type != ListenType::Import && payload.len() > 1 {
        return Err(bad(format!(
            "A {} submission must contain exactly one listen.",
            if listen_type == ListenType::Single {
                "single"
            } else {
                "playing_now"
            }
        )));
    }
    payload
        .iter()
        .map(|listen| parse_listen(listen, listen_type))
        .collect::<Result<Vec<_>, _>>()
        .map(|listens| (listen_type, listens))
}

fn parse_listen(listen: &Value, listen_type: ListenType) -> Result<Listen, BadSubmission> {
    let Some(listen) = listen.as_object() else {
        return Err(bad("Each listen must be a JSON object."));
    };
    let listened_at = match (listen.get("listened_at"), listen_type) {
        (None, ListenType::PlayingNow) => None,
        (Some(_), ListenType::PlayingNow) => {
            return Err(bad("A playing_now listen must not have a listened_at."))
        }
        (None, _) => return Err(bad("Each listen must have a listened_at.")),
        (Some(at), _) => {
            let at = at
                .as_i64()
                .ok_or_else(|| bad("listened_at must be an integer number of Unix seconds."))?;
            if at < LISTEN_MINIMUM_TS {
                return Err(bad(format!(
                    "listened_at is too low: it must be at least {LISTEN_MINIMUM_TS} (2002-10-01)."
                )));
            }
            Some(at)
        }
    };
    let Some(metadata) = listen.get("track_metadata").and_then(Value::as_object) else {
        return Err(bad("Each listen must have a track_metadata object."));
    };
    for key in ["artist_name", "track_name"] {
        let named = metadata
            .get(key)
            .and_then(Value::as_str)
            .is_some_and(|name| !name.trim().is_empty());
        if !named {
            return Err(bad(format!(
                "track_metadata must have a non-empty {key} string."
            )));
        }
    }
    if let Some(release) = metadata.get("release_name") {
        if !release.is_string() {
            return Err(bad("track_metadata.release_name must be a string."));
        }
    }
    if let Some(info) = metadata.get("additional_info") {
        if !info.is_object() {
            return Err(bad("track_metadata.additional_info must be an object."));
        }
    }
    Ok(Listen {
        listened_at,
        listen_type,
        track_metadata: Value::Object(metadata.clone()),
    })
}

/// One scripted answer to a `submit-listens` request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScriptedResponse {
    pub status: u16,
    /// Seconds until the rate-limit window resets, sent as `X-RateLimit-Reset-In`.
    #[serde(default)]
    pub reset_in: Option<u32>,
    /// Sent as is; by default `{"code":<status>,"error":"…"}`.
    #[serde(default)]
    pub body: Option<String>,
}

/// The admin API's `{"responses": [...]}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Script {
    pub responses: Vec<ScriptedResponse>,
}

impl Script {
    /// Checks the script: statuses within 200..=599, bodies of reasonable size.
    pub fn validate(&self) -> Result<(), String> {
        if self.responses.len() > MAX_SCRIPTED_RESPONSES {
            return Err(format!(
                "responses may hold at most {MAX_SCRIPTED_RESPONSES} entries"
            ));
        }
        for (index, response) in self.responses.iter().enumerate() {
            if !(200..=599).contains(&response.status) {
                return Err(format!(
                    "responses[{index}].status must be within 200..=599"
                ));
            }
            if response
                .body
                .as_ref()
                .is_some_and(|body| body.len() > MAX_SCRIPTED_BODY_BYTES)
            {
                return Err(format!(
                    "responses[{index}].body must be at most {MAX_SCRIPTED_BODY_BYTES} bytes"
                ));
            }
        }
        Ok(())
    }
}

/// A user of the simulated ListenBrainz.
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    name: String,
    token: String,
    revoked: bool,
    script: VecDeque<ScriptedResponse>,
    /// `submit-listens` requests made with this user's valid token, scripted ones included.
    requests: u64,
    /// Oldest first.
    listens: Vec<Listen>,
}

impl User {
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn requests(&self) -> u64 {
        self.requests
    }

    pub fn listens(&self) -> &[Listen] {
        &self.listens
    }

    pub fn pending_responses(&self) -> usize {
        self.script.len()
    }

    fn works_with(&self, token: &str) -> bool {
        !self.revoked && self.token == token
    }
}

/// Where a request stands in its token's rate-limit window, as the headers say it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub limit: u32,
    pub remaining: u32,
    /// Seconds until the window ends.
    pub reset_in: i64,
    /// When the window ends, Unix seconds.
    pub reset: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Window {
    start_secs: i64,
    used: u32,
}

/// How a `submit-listens` request was answered by the book.
#[derive(Debug, Clone, PartialEq)]
pub enum Submitted {
    /// Recorded; answer `{"status":"ok"}`.
    Accepted,
    /// Answer as the test scripted; nothing recorded.
    Scripted(ScriptedResponse),
    /// The token is unknown or revoked: 401.
    Unauthorized,
    /// The body was refused: 400.
    Refused(BadSubmission),
}

/// Why a user could not be created or given a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PutUserError {
    /// The token already belongs to another user.
    TokenTaken { owner: String },
    /// There are [`MAX_USERS`] users already.
    TooManyUsers,
}

impl fmt::Display for PutUserError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TokenTaken { owner } => {
                write!(formatter, "that token already belongs to '{owner}'")
            }
            Self::TooManyUsers => write!(
                formatter,
                "there are {MAX_USERS} users already; delete one first"
            ),
        }
    }
}

impl std::error::Error for PutUserError {}

/// Every ListenBrainz user, in creation order, and the rate-limit windows.
#[derive(Debug, Clone, Default)]
pub struct ListenBrainz {
    users: Vec<User>,
    /// By token (or `""` for requests without one).
    windows: Vec<(String, Window)>,
}

impl ListenBrainz {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn user(&self, name: &str) -> Option<&User> {
        self.users.iter().find(|user| user.name == name)
    }

    fn user_mut(&mut self, name: &str) -> Option<&mut User> {
        self.users.iter_mut().find(|user| user.name == name)
    }

    /// The user a token authenticates: known and not revoked.
    pub fn authenticate(&self, token: &str) -> Option<&User> {
        self.users.iter().find(|user| user.works_with(token))
    }

    /// Creates a user, or gives an existing one a new (working) token; its listens, counter
    /// and script stay.
    pub fn put_user(&mut self, name: &str, token: &str) -> Result<&User, PutUserError> {
        if let Some(owner) = self
            .users
            .iter()
            .find(|user| user.token == token && user.name != name)
        {
            return Err(PutUserError::TokenTaken {
                owner: owner.name.clone(),
            });
        }
        let index = match self.users.iter().position(|user| user.name == name) {
            Some(index) => index,
            None if self.users.len() >= MAX_USERS => return Err(PutUserError::TooManyUsers),
            None => {
                self.users.push(User {
                    name: name.to_owned(),
                    token: String::new(),
                    revoked: false,
                    script: VecDeque::new(),
                    requests: 0,
                    listens: Vec::new(),
                });
                self.users.len() - 1
            }
        };
        let user = &mut self.users[index];
        token.clone_into(&mut user.token);
        user.revoked = false;
        Ok(user)
    }

    /// Revokes the user's token; false if there is no such user.
    pub fn revoke(&mut self, name: &str) -> bool {
        self.user_mut(name)
            .map(|user| user.revoked = true)
            .is_some()
    }

    /// Queues scripted answers after those already queued; false if there is no such user.
    pub fn script(&mut self, name: &str, script: Script) -> bool {
        self.user_mut(name)
            .map(|user| user.script.extend(script.responses))
            .is_some()
    }

    /// Forgets the user and everything it submitted; false if there was none.
    pub fn forget(&mut self, name: &str) -> bool {
        let before = self.users.len();
        self.users.retain(|user| user.name != name);
        self.users.len() != before
    }

    /// Handles a `submit-listens` request made with `token` (if any).
    pub fn submit(&mut self, token: Option<&str>, body: &[u8]) -> Submitted {
        let Some(user) =
            token.and_then(|token| self.users.iter_mut().find(|user| user.works_with(token)))
        else {
            return Submitted::Unauthorized;
        };
        user.requests += 1;
        if let Some(scripted) = user.script.pop_front() {
            return Submitted::Scripted(scripted);
        }
        match parse_submission(body) {
            // Now-playing notices are not listens.
            Ok((ListenType::PlayingNow, _)) => Submitted::Accepted,
            Ok((_, listens)) => {
                user.listens.extend(listens);
                Submitted::Accepted
            }
            Err(error) => Submitted::Refused(error),
        }
    }

    /// Counts one request against `token`'s window (no token shares one window) at
    /// `now_ms` and says where it stands.
    pub fn rate_limit(&mut self, token: Option<&str>, now_ms: i64) -> RateLimit {
        let key = token.unwrap_or_default();
        let now_secs = now_ms.div_euclid(1000);
        let start_secs = now_secs - now_secs.rem_euclid(RATE_LIMIT_WINDOW_SECS);
        let index = match self.windows.iter().position(|(owner, _)| owner == key) {
            Some(index) => index,
            None => {
                // Windows that have ended say nothing any more: drop them as new ones come.
                self.windows
                    .retain(|(_, window)| window.start_secs >= start_secs);
                self.windows.push((
                    key.to_owned(),
                    Window {
                        start_secs,
                        used: 0,
                    },
                ));
                self.windows.len() - 1
            }
        };
        let window = &mut self.windows[index].1;
        if window.start_secs != start_secs {
            *window = Window {
                start_secs,
                used: 0,
            };
        }
        window.used = window.used.saturating_add(1);
        let reset = start_secs + RATE_LIMIT_WINDOW_SECS;
        RateLimit {
            limit: RATE_LIMIT,
            remaining: RATE_LIMIT.saturating_sub(window.used),
            reset_in: reset - now_secs,
            reset,
        }
    }
}

/// The admin API's view of a user's listens.
pub fn listens_json(user: &User) -> Value {
    json!({
        "user_name": user.name,
        "requests": user.requests,
        "listens": user.listens,
        "pending_responses": user.script.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listen(at: i64) -> Value {
        json!({ "listened_at": at, "track_metadata": { "artist_name": "A", "track_name": "T" } })
    }

    fn body(listen_type: &str, payload: Vec<Value>) -> Vec<u8> {
        json!({ "listen_type": listen_type, "payload": payload })
            .to_string()
            .into_bytes()
    }

    fn refused(body: &[u8]) -> String {
        match parse_submission(body) {
            Err(BadSubmission(message)) => message,
            Ok(parsed) => panic!("accepted: {parsed:?}"),
        }
    }

    #[test]
    fn accounts_are_name_colon_token() {
        assert_eq!(
            Account::parse("alice:tok:1"),
            Some(Account {
                user_name: "alice".to_owned(),
                token: "tok:1".to_owned()
            })
        );
        for bad in ["alice", "alice:", ":tok", "a b:tok", "alice:to k"] {
            assert_eq!(Account::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_authorization_header_needs_the_token_scheme() {
        assert_eq!(token_from_header("Token abc"), Some("abc"));
        assert_eq!(token_from_header("token  abc "), Some("abc"));
        assert_eq!(token_from_header("Bearer abc"), None);
        assert_eq!(token_from_header("Token"), None);
        assert_eq!(token_from_header("Token "), None);
    }

    #[test]
    fn a_submission_keeps_its_metadata_as_sent() {
        let metadata = json!({ "artist_name": "A", "track_name": "T", "release_name": "R",
            "additional_info": { "spotify_id": "x", "duration_ms": 1 } });
        let (listen_type, listens) = parse_submission(&body(
            "single",
            vec![json!({ "listened_at": 1_700_000_000, "track_metadata": metadata })],
        ))
        .expect("valid");
        assert_eq!(listen_type, ListenType::Single);
        assert_eq!(
            listens,
            vec![Listen {
                listened_at: Some(1_700_000_000),
                listen_type: ListenType::Single,
                track_metadata: metadata,
            }]
        );
    }

    #[test]
    fn malformed_submissions_are_refused_with_their_reason() {
        assert!(refused(b"{").starts_with("Cannot parse JSON document"));
        assert!(refused(&body("scrobble", vec![listen(1_700_000_000)])).contains("listen_type"));
        assert!(refused(&body("import", vec![])).contains("any listens"));
        assert!(refused(&body(
            "single",
            vec![listen(1_700_000_000), listen(1_700_000_001)]
        ))
        .contains("exactly one listen"));
        let too_many: Vec<Value> = (0..=MAX_LISTENS_PER_REQUEST as i64)
            .map(|n| listen(1_700_000_000 + n))
            .collect();
        assert!(refused(&body("import", too_many)).starts_with("Too many listens"));
        assert!(refused(&body("import", vec![listen(1_000_000_000)])).contains("too low"));
        assert!(refused(&body(
            "import",
            vec![json!({ "track_metadata": { "artist_name": "A", "track_name": "T" } })]
        ))
        .contains("listened_at"));
        assert!(refused(&body(
            "import",
            vec![json!({ "listened_at": 1_700_000_000,
                "track_metadata": { "artist_name": " ", "track_name": "T" } })]
        ))
        .contains("artist_name"));
        assert!(refused(&body(
            "import",
            vec![json!({ "listened_at": 1_700_000_000, "track_metadata": { "artist_name": "A" } })]
        ))
        .contains("track_name"));
        let padded = json!({ "listen_type": "single", "payload": [listen(1_700_000_000)],
            "padding": "x".repeat(MAX_LISTEN_SIZE_BYTES) });
        assert!(refused(padded.to_string().as_bytes()).contains("too large"));
    }

    #[test]
    fn exactly_a_thousand_listens_may_be_imported() {
        let listens: Vec<Value> = (0..MAX_LISTENS_PER_REQUEST as i64)
            .map(|n| listen(1_700_000_000 + n))
            .collect();
        let (_, parsed) = parse_submission(&body("import", listens)).expect("valid");
        assert_eq!(parsed.len(), MAX_LISTENS_PER_REQUEST);
    }

    #[test]
    fn playing_now_needs_no_timestamp_and_records_nothing() {
        let mut book = ListenBrainz::new();
        book.put_user("alice", "tok").expect("created");
        let now_playing = body(
            "playing_now",
            vec![json!({ "track_metadata": { "artist_name": "A", "track_name": "T" } })],
        );
        assert_eq!(book.submit(Some("tok"), &now_playing), Submitted::Accepted);
        let user = book.user("alice").expect("exists");
        assert_eq!((user.requests(), user.listens().len()), (1, 0));
    }

    #[test]
    fn listens_are_recorded_in_order_without_deduplication() {
        let mut book = ListenBrainz::new();
        book.put_user("alice", "tok").expect("created");
        let one = body("single", vec![listen(1_700_000_000)]);
        assert_eq!(book.submit(Some("tok"), &one), Submitted::Accepted);
        assert_eq!(book.submit(Some("tok"), &one), Submitted::Accepted);
        let two = body("import", vec![listen(1_600_000_000), listen(1_600_000_100)]);
        assert_eq!(book.submit(Some("tok"), &two), Submitted::Accepted);
        let at: Vec<Option<i64>> = book
            .user("alice")
            .expect("exists")
            .listens()
            .iter()
            .map(|listen| listen.listened_at)
            .collect();
        assert_eq!(
            at,
            [1_700_000_000, 1_700_000_000, 1_600_000_000, 1_600_000_100].map(Some)
        );
    }

    #[test]
    fn a_token_belongs_to_one_user_and_replacing_keeps_the_listens() {
        let mut book = ListenBrainz::new();
        book.put_user("alice", "tok-a").expect("created");
        assert_eq!(
            book.put_user("bob", "tok-a").err(),
            Some(PutUserError::TokenTaken {
                owner: "alice".to_owned()
            })
        );
        book.submit(Some("tok-a"), &body("single", vec![listen(1_700_000_000)]));
        assert!(book.revoke("alice"));
        assert!(book.authenticate("tok-a").is_none());
        book.put_user("alice", "tok-a2").expect("replaced");
        assert!(book.authenticate("tok-a").is_none());
        let user = book.authenticate("tok-a2").expect("a working token");
        assert_eq!(user.listens().len(), 1);
    }

    #[test]
    fn the_rate_limit_counts_down_per_window_and_token() {
        let mut book = ListenBrainz::new();
        let first = book.rate_limit(Some("a"), 1_000_003_000);
        assert_eq!(
            first,
            RateLimit {
                limit: RATE_LIMIT,
                remaining: RATE_LIMIT - 1,
                reset_in: 7,
                reset: 1_000_010,
            }
        );
        assert_eq!(
            book.rate_limit(Some("a"), 1_000_004_000).remaining,
            RATE_LIMIT - 2
        );
        assert_eq!(
            book.rate_limit(Some("b"), 1_000_004_000).remaining,
            RATE_LIMIT - 1
        );
        let next_window = book.rate_limit(Some("a"), 1_000_010_000);
        assert_eq!(
            (next_window.remaining, next_window.reset_in),
            (RATE_LIMIT - 1, 10)
        );
        for _ in 0..RATE_LIMIT + 5 {
            book.rate_limit(None, 1_000_010_000);
        }
        assert_eq!(book.rate_limit(None, 1_000_010_000).remaining, 0);
    }
}
