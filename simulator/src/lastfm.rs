//! A simulated Last.fm (API 2.0): one registered app, web authentication handing out
//! tokens, `auth.getSession` trading an approved token for a session key, and
//! `track.scrobble` checking signatures and timestamps the way the real service does and
//! keeping every accepted scrobble, undeduplicated, so that tests can count them.
//!
//! Errors are Last.fm's `{"error": <code>, "message": "…"}` with the HTTP status the real
//! service sends alongside: 400 for a bad request (3 invalid method, 6 invalid parameters,
//! 13 invalid signature: clients have logged `HTTP 400` with error 13), 403 for refused
//! credentials (4, 9, 10, 14, 15, 26: `auth.getSession` with a bad token has been seen
//! answered `403 Forbidden`), 500 for 8, 503 for 11 and 16, and 429 for 29.
//!
//! Deliberately stricter than Last.fm, to catch a client's mistakes: only `format=json` is
//! spoken, `track.scrobble` must be POSTed, and a `duration`, `trackNumber` or
//! `chosenByUser` that is not a number is refused (error 6) rather than dropped.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::fmt;

use md5::{Digest, Md5};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::params::Params;
use crate::rng::SplitMix64;

/// How long a token may wait between being issued and being traded for a session.
pub const TOKEN_TTL_MS: i64 = 60 * 60 * 1000;
/// The most scrobbles one `track.scrobble` call may carry.
pub const MAX_SCROBBLES_PER_REQUEST: usize = 50;
/// Scrobbles older than this before now are ignored (code 3).
pub const MAX_SCROBBLE_AGE_SECS: i64 = 14 * 86_400;
/// Scrobbles more than this ahead of now are ignored (code 4).
pub const MAX_SCROBBLE_LEAD_SECS: i64 = 86_400;
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

/// The one app registered with the simulated Last.fm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastfmApp {
    pub api_key: String,
    pub shared_secret: String,
}

impl Default for LastfmApp {
    fn default() -> Self {
        Self {
            api_key: "sim-lastfm-key".to_owned(),
            shared_secret: "sim-lastfm-secret".to_owned(),
        }
    }
}

/// `api_sig`: the MD5, in lowercase hex, of every parameter but `format`, `callback` and
/// `api_sig` sorted by name and written `name` + `value`, followed by the shared secret.
pub fn signature<'a>(params: impl IntoIterator<Item = (&'a str, &'a str)>, secret: &str) -> String {
    let mut signed: Vec<(&str, &str)> = params
        .into_iter()
        .filter(|(name, _)| !matches!(*name, "format" | "callback" | "api_sig"))
        .collect();
    // Stable: repeated names keep their order, as they were hashed by the sender.
    signed.sort_by(|a, b| a.0.cmp(b.0));
    let mut md5 = Md5::new();
    for (name, value) in signed {
        md5.update(name.as_bytes());
        md5.update(value.as_bytes());
    }
    md5.update(secret.as_bytes());
    md5.finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// The error codes the simulator answers (Last.fm's numbering).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    InvalidMethod,
    InvalidToken,
    InvalidParameters,
    OperationFailed,
    InvalidSessionKey,
    InvalidApiKey,
    ServiceOffline,
    InvalidSignature,
    UnauthorizedToken,
    TokenExpired,
    TemporarilyUnavailable,
    SuspendedApiKey,
    RateLimitExceeded,
}

impl ErrorCode {
    const ALL: [Self; 13] = [
        Self::InvalidMethod,
        Self::InvalidToken,
        Self::InvalidParameters,
        Self::OperationFailed,
        Self::InvalidSessionKey,
        Self::InvalidApiKey,
        Self::ServiceOffline,
        Self::InvalidSignature,
        Self::UnauthorizedToken,
        Self::TokenExpired,
        Self::TemporarilyUnavailable,
        Self::SuspendedApiKey,
        Self::RateLimitExceeded,
    ];

    pub fn code(self) -> u32 {
        match self {
            Self::InvalidMethod => 3,
            Self::InvalidToken => 4,
            Self::InvalidParameters => 6,
            Self::OperationFailed => 8,
            Self::InvalidSessionKey => 9,
            Self::InvalidApiKey => 10,
            Self::ServiceOffline => 11,
            Self::InvalidSignature => 13,
            Self::UnauthorizedToken => 14,
            Self::TokenExpired => 15,
            Self::TemporarilyUnavailable => 16,
            Self::SuspendedApiKey => 26,
            Self::RateLimitExceeded => 29,
        }
    }

    pub fn from_code(code: u32) -> Option<Self> {
        Self::ALL.into_iter().find(|error| error.code() == code)
    }

    /// The HTTP status sent with it (see the module documentation).
    pub fn status(self) -> u16 {
        match self {
            Self::InvalidMethod | Self::InvalidParameters | Self::InvalidSignature => 400,
            Self::InvalidToken
            | Self::InvalidSessionKey
            | Self::InvalidApiKey
            | Self::UnauthorizedToken
            | Self::TokenExpired
            | Self::SuspendedApiKey => 403,
            Self::OperationFailed => 500,
            Self::ServiceOffline | Self::TemporarilyUnavailable => 503,
            Self::RateLimitExceeded => 429,
        }
    }

    /// The message Last.fm gives the code in general.
    pub fn message(self) -> &'static str {
        match self {
            Self::InvalidMethod => "Invalid Method - No method with that name in this package",
            Self::InvalidToken => "Invalid authentication token supplied",
            Self::InvalidParameters => "Invalid parameters - Your request is missing a required parameter",
            Self::OperationFailed => "Operation failed - Most likely the backend service failed. Please try again.",
            Self::InvalidSessionKey => "Invalid session key - Please re-authenticate",
            Self::InvalidApiKey => "Invalid API key - You must be granted a valid key by last.fm",
            Self::ServiceOffline => "Service Offline - This service is temporarily offline. Try again later.",
            Self::InvalidSignature => "Invalid method signature supplied",
            Self::UnauthorizedToken => "Unauthorized Token - This token has not been authorized",
            Self::TokenExpired => "This token has expired",
            Self::TemporarilyUnavailable => "There was a temporary error processing your request. Please try again",
            Self::SuspendedApiKey => "Suspended API key - Access for your account has been suspended, please contact Last.fm",
            Self::RateLimitExceeded => "Rate limit exceeded - Your IP has made too many requests in a short period",
        }
    }
}

/// An error answer: a code and what to say about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
}

impl ApiError {
    fn new(code: ErrorCode) -> Self {
        Self {
            code,
            message: code.message().to_owned(),
        }
    }

    fn invalid_parameters(why: impl fmt::Display) -> Self {
        Self {
            code: ErrorCode::InvalidParameters,
            message: format!("Invalid parameters - {why}"),
        }
    }

    pub fn body(&self) -> Value {
        json!({ "error": self.code.code(), "message": self.message })
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{} ({})", self.message, self.code.code())
    }
}

impl std::error::Error for ApiError {}

/// How the API answers a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Json {
        status: u16,
        body: Value,
    },
    /// A scripted body, sent as is.
    Text {
        status: u16,
        body: String,
    },
}

impl From<ApiError> for Answer {
    fn from(error: ApiError) -> Self {
        Self::Json {
            status: error.code.status(),
            body: error.body(),
        }
    }
}

fn ok(body: Value) -> Answer {
    Answer::Json { status: 200, body }
}

/// One scripted answer to a `track.scrobble` call: a Last.fm error (with its status unless
/// `status` says otherwise), or a bare status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScriptedResponse {
    #[serde(default)]
    pub error: Option<u32>,
    #[serde(default)]
    pub status: Option<u16>,
    /// Sent as is instead of the error's body (or the status's reason).
    #[serde(default)]
    pub body: Option<String>,
}

impl ScriptedResponse {
    fn answer(&self) -> Answer {
        let error = self.error.and_then(ErrorCode::from_code);
        let status = self
            .status
            .or_else(|| error.map(ErrorCode::status))
            .unwrap_or(500);
        match (&self.body, error) {
            (Some(body), _) => Answer::Text {
                status,
                body: body.clone(),
            },
            (None, Some(error)) => Answer::Json {
                status,
                body: ApiError::new(error).body(),
            },
            (None, None) => Answer::Text {
                status,
                body: String::new(),
            },
        }
    }
}

/// The admin API's `{"responses": [...]}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Script {
    pub responses: Vec<ScriptedResponse>,
}

impl Script {
    /// Checks the script: each entry an error code the simulator knows or a status within
    /// 200..=599, bodies of reasonable size.
    pub fn validate(&self) -> Result<(), String> {
        if self.responses.len() > MAX_SCRIPTED_RESPONSES {
            return Err(format!(
                "responses may hold at most {MAX_SCRIPTED_RESPONSES} entries"
            ));
        }
        for (index, response) in self.responses.iter().enumerate() {
            match (response.error, response.status) {
                (None, None) => {
                    return Err(format!("responses[{index}] needs an error or a status"))
                }
                (Some(code), _) if ErrorCode::from_code(code).is_none() => {
                    let known: Vec<String> = ErrorCode::ALL
                        .iter()
                        .map(|error| error.code().to_string())
                        .collect();
                    return Err(format!(
                        "responses[{index}].error must be one of {}",
                        known.join(", ")
                    ));
                }
                (_, Some(status)) if !(200..=599).contains(&status) => {
                    return Err(format!(
                        "responses[{index}].status must be within 200..=599"
                    ))
                }
                _ => {}
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

/// One accepted scrobble, as it was sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Scrobble {
    pub artist: String,
    pub track: String,
    pub album: Option<String>,
    pub album_artist: Option<String>,
    /// Unix seconds.
    pub timestamp: i64,
    /// Seconds.
    pub duration: Option<u32>,
    pub track_number: Option<u32>,
    pub mbid: Option<String>,
    pub chosen_by_user: Option<bool>,
}

/// A user of the simulated Last.fm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    name: String,
    script: VecDeque<ScriptedResponse>,
    /// `track.scrobble` calls made with a valid session of this user, scripted ones
    /// included.
    requests: u64,
    /// Oldest first.
    scrobbles: Vec<Scrobble>,
}

impl User {
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn requests(&self) -> u64 {
        self.requests
    }

    pub fn scrobbles(&self) -> &[Scrobble] {
        &self.scrobbles
    }

    pub fn pending_responses(&self) -> usize {
        self.script.len()
    }
}

/// A token of web authentication.
#[derive(Debug, Clone, PartialEq, Eq)]
struct AuthToken {
    issued_ms: i64,
    /// The user who approved it, once one has.
    approved_by: Option<String>,
}

/// Why a web-authentication approval was refused; shown on an error page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApprovalError {
    UnknownToken,
    ExpiredToken,
    /// Not a valid user name.
    InvalidUser,
    TooManyUsers,
}

impl fmt::Display for ApprovalError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(match self {
            Self::UnknownToken => "This token is not one the simulated Last.fm issued",
            Self::ExpiredToken => "This token has expired",
            Self::InvalidUser => {
                "A user name is 1-64 characters of letters, digits, '-', '_' or '.'"
            }
            Self::TooManyUsers => "There are too many Last.fm users already",
        })
    }
}

impl std::error::Error for ApprovalError {}

/// There are [`MAX_USERS`] users already.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooManyUsers;

impl fmt::Display for TooManyUsers {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            formatter,
            "there are {MAX_USERS} Last.fm users already; delete one first"
        )
    }
}

impl std::error::Error for TooManyUsers {}

/// The simulated Last.fm: its app, users, tokens and sessions.
#[derive(Debug, Clone)]
pub struct Lastfm {
    app: LastfmApp,
    rng: SplitMix64,
    /// In creation order: the approval page lists them so.
    users: Vec<User>,
    tokens: HashMap<String, AuthToken>,
    /// Session key to user name.
    sessions: HashMap<String, String>,
}

impl Lastfm {
    pub fn new(app: LastfmApp, seed: u64) -> Self {
        Self {
            app,
            rng: SplitMix64::derived(seed, "lastfm"),
            users: Vec::new(),
            tokens: HashMap::new(),
            sessions: HashMap::new(),
        }
    }

    pub fn app(&self) -> &LastfmApp {
        &self.app
    }

    pub fn user(&self, name: &str) -> Option<&User> {
        self.users.iter().find(|user| user.name == name)
    }

    fn user_mut(&mut self, name: &str) -> Option<&mut User> {
        self.users.iter_mut().find(|user| user.name == name)
    }

    /// Every user, in creation order.
    pub fn users(&self) -> impl Iterator<Item = &User> {
        self.users.iter()
    }

    /// Creates a user; one that exists is left as it is.
    pub fn put_user(&mut self, name: &str) -> Result<&User, TooManyUsers> {
        let index = match self.users.iter().position(|user| user.name == name) {
            Some(index) => index,
            None if self.users.len() >= MAX_USERS => return Err(TooManyUsers),
            None => {
                self.users.push(User {
                    name: name.to_owned(),
                    script: VecDeque::new(),
                    requests: 0,
                    scrobbles: Vec::new(),
                });
                self.users.len() - 1
            }
        };
        Ok(&self.users[index])
    }

    /// Ends every session of the user; false if there is no such user.
    pub fn revoke(&mut self, name: &str) -> bool {
        if self.user(name).is_none() {
            return false;
        }
        self.sessions.retain(|_, user| user != name);
        true
    }

    /// Forgets the user, its sessions, the tokens it approved and its scrobbles; false if
    /// there was none.
    pub fn forget(&mut self, name: &str) -> bool {
        if !self.revoke(name) {
            return false;
        }
        self.tokens
            .retain(|_, token| token.approved_by.as_deref() != Some(name));
        self.users.retain(|user| user.name != name);
        true
    }

    /// Queues scripted answers after those already queued; false if there is no such user.
    pub fn script(&mut self, name: &str, script: Script) -> bool {
        self.user_mut(name)
            .map(|user| user.script.extend(script.responses))
            .is_some()
    }

    fn new_token(&mut self, approved_by: Option<String>, now_ms: i64) -> String {
        let token = self.rng.base62(32);
        self.tokens.insert(
            token.clone(),
            AuthToken {
                issued_ms: now_ms,
                approved_by,
            },
        );
        token
    }

    /// Web authentication: `user` approves the app, with the token it fetched earlier
    /// (`auth.getToken`) or a new one. Returns the approved token. An unknown user signs
    /// up on the spot, so that a developer needs no admin call to try the flow.
    pub fn approve(
        &mut self,
        token: Option<&str>,
        user: &str,
        now_ms: i64,
    ) -> Result<String, ApprovalError> {
        if !valid_user_name(user) {
            return Err(ApprovalError::InvalidUser);
        }
        if let Some(token) = token {
            let issued = self.tokens.get(token).ok_or(ApprovalError::UnknownToken)?;
            if now_ms > issued.issued_ms + TOKEN_TTL_MS {
                return Err(ApprovalError::ExpiredToken);
            }
        }
        self.put_user(user)
            .map_err(|TooManyUsers| ApprovalError::TooManyUsers)?;
        match token {
            Some(token) => {
                // Found above.
                if let Some(issued) = self.tokens.get_mut(token) {
                    issued.approved_by = Some(user.to_owned());
                }
                Ok(token.to_owned())
            }
            None => Ok(self.new_token(Some(user.to_owned()), now_ms)),
        }
    }

    /// One call of the API (`/2.0/`), with its query and form parameters together.
    pub fn call(&mut self, params: &Params, posted: bool, now_ms: i64) -> Answer {
        self.dispatch(params, posted, now_ms)
            .unwrap_or_else(Answer::from)
    }

    fn dispatch(&mut self, params: &Params, posted: bool, now_ms: i64) -> Result<Answer, ApiError> {
        let method = params.get("method").unwrap_or_default();
        let method = ["auth.getToken", "auth.getSession", "track.scrobble"]
            .into_iter()
            .find(|known| known.eq_ignore_ascii_case(method))
            .ok_or_else(|| ApiError::new(ErrorCode::InvalidMethod))?;
        if params.get("format") != Some("json") {
            return Err(ApiError::invalid_parameters(
                "the simulator speaks format=json only",
            ));
        }
        match params.get("api_key") {
            None => return Err(ApiError::invalid_parameters("api_key is required")),
            Some(key) if key != self.app.api_key => {
                return Err(ApiError::new(ErrorCode::InvalidApiKey))
            }
            Some(_) => {}
        }
        let expected = signature(params.iter(), &self.app.shared_secret);
        if params.get("api_sig") != Some(expected.as_str()) {
            return Err(ApiError::new(ErrorCode::InvalidSignature));
        }
        match method {
            "auth.getToken" => Ok(ok(json!({ "token": self.new_token(None, now_ms) }))),
            "auth.getSession" => self.get_session(params, now_ms),
            _ => self.scrobble(params, posted, now_ms),
        }
    }

    fn get_session(&mut self, params: &Params, now_ms: i64) -> Result<Answer, ApiError> {
        let token = params
            .get("token")
            .ok_or_else(|| ApiError::invalid_parameters("token is required"))?;
        let issued = self
            .tokens
            .get(token)
            .ok_or_else(|| ApiError::new(ErrorCode::InvalidToken))?;
        if now_ms > issued.issued_ms + TOKEN_TTL_MS {
            self.tokens.remove(token);
            return Err(ApiError::new(ErrorCode::TokenExpired));
        }
        let Some(user) = issued.approved_by.clone() else {
            return Err(ApiError::new(ErrorCode::UnauthorizedToken));
        };
        // A token buys one session.
        self.tokens.remove(token);
        let key = self.rng.base62(32);
        self.sessions.insert(key.clone(), user.clone());
        Ok(ok(
            json!({ "session": { "name": user, "key": key, "subscriber": 0 } }),
        ))
    }

    fn scrobble(&mut self, params: &Params, posted: bool, now_ms: i64) -> Result<Answer, ApiError> {
        if !posted {
            return Err(ApiError::invalid_parameters(
                "track.scrobble must be called with POST",
            ));
        }
        let key = params
            .get("sk")
            .ok_or_else(|| ApiError::invalid_parameters("sk is required"))?;
        let name = self
            .sessions
            .get(key)
            .cloned()
            .ok_or_else(|| ApiError::new(ErrorCode::InvalidSessionKey))?;
        let user = self
            .user_mut(&name)
            .ok_or_else(|| ApiError::new(ErrorCode::InvalidSessionKey))?;
        user.requests += 1;
        if let Some(scripted) = user.script.pop_front() {
            return Ok(scripted.answer());
        }
        let scrobbles = parse_scrobbles(params)?;
        let now_secs = now_ms.div_euclid(1000);
        let mut accepted = 0;
        let mut echoes = Vec::with_capacity(scrobbles.len());
        for scrobble in scrobbles {
            let ignored = if scrobble.timestamp < now_secs - MAX_SCROBBLE_AGE_SECS {
                Some((3, "Timestamp too old"))
            } else if scrobble.timestamp > now_secs + MAX_SCROBBLE_LEAD_SECS {
                Some((4, "Timestamp too new"))
            } else {
                None
            };
            echoes.push(echo(&scrobble, ignored));
            if ignored.is_none() {
                accepted += 1;
                user.scrobbles.push(scrobble);
            }
        }
        let ignored = echoes.len() - accepted;
        Ok(ok(json!({ "scrobbles": {
            "@attr": { "accepted": accepted, "ignored": ignored },
            "scrobble": echoes,
        } })))
    }
}

/// A field as the response echoes it.
fn echoed(text: &str) -> Value {
    json!({ "#text": text, "corrected": "0" })
}

fn echo(scrobble: &Scrobble, ignored: Option<(u8, &str)>) -> Value {
    let (code, message) = ignored.unwrap_or((0, ""));
    json!({
        "artist": echoed(&scrobble.artist),
        "track": echoed(&scrobble.track),
        "album": echoed(scrobble.album.as_deref().unwrap_or_default()),
        "albumArtist": echoed(scrobble.album_artist.as_deref().unwrap_or_default()),
        "timestamp": echoed(&scrobble.timestamp.to_string()),
        "ignoredMessage": { "code": code.to_string(), "#text": message },
    })
}

/// The fields a scrobble may have, as the API names them.
const SCROBBLE_FIELDS: [&str; 9] = [
    "artist",
    "track",
    "timestamp",
    "album",
    "albumArtist",
    "duration",
    "trackNumber",
    "mbid",
    "chosenByUser",
];

/// `name[i]` as `(name, Some(i))`, or `(name, None)` when `i` is not a number; a bare
/// `name` is item 0, as for a single scrobble. `None` for parameters that are no field of
/// a scrobble.
fn indexed(param: &str) -> Option<(&str, Option<usize>)> {
    let (name, index) = match param.split_once('[') {
        Some((name, rest)) => {
            let index = rest
                .strip_suffix(']')
                .filter(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|digits| digits.parse().ok());
            (name, index)
        }
        None => (param, Some(0)),
    };
    SCROBBLE_FIELDS.contains(&name).then_some((name, index))
}

/// The scrobbles of a `track.scrobble` call, by index.
fn parse_scrobbles(params: &Params) -> Result<Vec<Scrobble>, ApiError> {
    // Each item's fields, and whether each was given indexed.
    let mut items: BTreeMap<usize, HashMap<&str, (&str, bool)>> = BTreeMap::new();
    for (param, value) in params.iter() {
        let Some((field, index)) = indexed(param) else {
            continue;
        };
        let index = index
            .ok_or_else(|| ApiError::invalid_parameters(format!("{param} has no valid index")))?;
        if index >= MAX_SCROBBLES_PER_REQUEST {
            return Err(ApiError::invalid_parameters(format!(
                "at most {MAX_SCROBBLES_PER_REQUEST} scrobbles (indices 0 to 49) per request"
            )));
        }
        // The first value of a field wins, except that an indexed one beats a bare one.
        let given_indexed = param.contains('[');
        match items.entry(index).or_default().entry(field) {
            Entry::Vacant(entry) => {
                entry.insert((value, given_indexed));
            }
            Entry::Occupied(mut entry) => {
                if given_indexed && !entry.get().1 {
                    entry.insert((value, true));
                }
            }
        }
    }
    if items.is_empty() {
        return Err(ApiError::invalid_parameters(
            "artist, track and timestamp are required",
        ));
    }
    items
        .into_iter()
        .map(|(index, fields)| {
            let text = |field: &str| {
                fields
                    .get(field)
                    .map(|(value, _)| *value)
                    .filter(|value| !value.trim().is_empty())
            };
            let required = |field: &str| {
                text(field).ok_or_else(|| {
                    ApiError::invalid_parameters(format!("{field}[{index}] is required"))
                })
            };
            let number = |field: &str| -> Result<Option<u32>, ApiError> {
                text(field)
                    .map(|value| {
                        value.parse::<u32>().map_err(|_| {
                            ApiError::invalid_parameters(format!(
                                "{field}[{index}] must be a whole number"
                            ))
                        })
                    })
                    .transpose()
            };
            let timestamp = required("timestamp")?.parse::<i64>().map_err(|_| {
                ApiError::invalid_parameters(format!("timestamp[{index}] must be Unix seconds"))
            })?;
            let chosen_by_user = match text("chosenByUser") {
                None => None,
                Some("1") => Some(true),
                Some("0") => Some(false),
                Some(_) => {
                    return Err(ApiError::invalid_parameters(format!(
                        "chosenByUser[{index}] must be 0 or 1"
                    )))
                }
            };
            Ok(Scrobble {
                artist: required("artist")?.to_owned(),
                track: required("track")?.to_owned(),
                album: text("album").map(str::to_owned),
                album_artist: text("albumArtist").map(str::to_owned),
                timestamp,
                duration: number("duration")?,
                track_number: number("trackNumber")?,
                mbid: text("mbid").map(str::to_owned),
                chosen_by_user,
            })
        })
        .collect()
}

/// The admin API's view of a user's scrobbles.
pub fn scrobbles_json(user: &User) -> Value {
    json!({
        "name": user.name,
        "requests": user.requests,
        "scrobbles": user.scrobbles,
        "pending_responses": user.script.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW_MS: i64 = 1_795_871_112_345;

    fn signed(pairs: &[(&str, &str)], secret: &str) -> Params {
        let mut params: Vec<(String, String)> = pairs
            .iter()
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
            .collect();
        let sig = signature(pairs.iter().copied(), secret);
        params.push(("api_sig".to_owned(), sig));
        params.push(("format".to_owned(), "json".to_owned()));
        params.into_iter().collect()
    }

    fn session(lastfm: &mut Lastfm, user: &str) -> String {
        let token = lastfm.approve(None, user, NOW_MS).expect("approved");
        let params = signed(
            &[
                ("method", "auth.getSession"),
                ("api_key", "sim-lastfm-key"),
                ("token", &token),
            ],
            "sim-lastfm-secret",
        );
        match lastfm.call(&params, true, NOW_MS) {
            Answer::Json { status: 200, body } => body["session"]["key"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            other => panic!("no session: {other:?}"),
        }
    }

    #[test]
    fn the_signature_is_md5_of_the_sorted_pairs_and_the_secret() {
        // md5("api_keyxmethodauth.getSessiontokenysecret"), computed independently.
        let params = [
            ("token", "y"),
            ("method", "auth.getSession"),
            ("format", "json"),
            ("api_key", "x"),
            ("callback", "cb"),
        ];
        assert_eq!(
            signature(params, "secret"),
            "621b525501283df97dab8328a24e9192"
        );
        assert_eq!(signature([], ""), "d41d8cd98f00b204e9800998ecf8427e");
    }

    #[test]
    fn parameters_are_signed_in_byte_order() {
        let a = signature([("artist[10]", "b"), ("artist[1]", "a")], "s");
        let b = signature([("artist[1]", "a"), ("artist[10]", "b")], "s");
        assert_eq!(a, b);
        assert_ne!(a, signature([("artist[1]", "b"), ("artist[10]", "a")], "s"));
    }

    #[test]
    fn every_code_maps_back_and_has_a_status() {
        for error in ErrorCode::ALL {
            assert_eq!(ErrorCode::from_code(error.code()), Some(error));
            assert!((400..=599).contains(&error.status()));
        }
        assert_eq!(ErrorCode::from_code(1), None);
    }

    #[test]
    fn scrobbles_are_read_by_index_and_a_bare_name_is_item_zero() {
        let params: Params = [
            ("artist", "A0"),
            ("track", "T0"),
            ("timestamp", "1700000000"),
            ("artist[1]", "A1"),
            ("track[1]", "T1"),
            ("timestamp[1]", "1700000100"),
            ("duration[1]", "215"),
            ("chosenByUser[1]", "0"),
            ("albumArtist[1]", "AA"),
        ]
        .into_iter()
        .collect();
        let scrobbles = parse_scrobbles(&params).expect("valid");
        assert_eq!(scrobbles.len(), 2);
        assert_eq!(scrobbles[0].artist, "A0");
        assert_eq!(
            scrobbles[1],
            Scrobble {
                artist: "A1".to_owned(),
                track: "T1".to_owned(),
                album: None,
                album_artist: Some("AA".to_owned()),
                timestamp: 1_700_000_100,
                duration: Some(215),
                track_number: None,
                mbid: None,
                chosen_by_user: Some(false),
            }
        );
    }

    #[test]
    fn the_first_value_wins_and_an_indexed_one_beats_a_bare_one() {
        let params: Params = [
            ("artist", "Bare"),
            ("artist[0]", "Indexed"),
            ("artist[0]", "Repeated"),
            ("track", "T"),
            ("timestamp[0]", "1700000000"),
        ]
        .into_iter()
        .collect();
        let scrobbles = parse_scrobbles(&params).expect("valid");
        assert_eq!(scrobbles.len(), 1);
        assert_eq!(
            (scrobbles[0].artist.as_str(), scrobbles[0].track.as_str()),
            ("Indexed", "T")
        );
    }

    #[test]
    fn bad_scrobbles_are_invalid_parameters() {
        for pairs in [
            vec![("artist[0]", "A"), ("track[0]", "T")],
            vec![("artist[0]", "A"), ("timestamp[0]", "1")],
            vec![
                ("artist[0]", "A"),
                ("track[0]", "T"),
                ("timestamp[0]", "soon"),
            ],
            vec![
                ("artist[50]", "A"),
                ("track[50]", "T"),
                ("timestamp[50]", "1"),
            ],
            vec![("artist[x]", "A")],
            vec![
                ("artist[0]", "A"),
                ("track[0]", "T"),
                ("timestamp[0]", "1"),
                ("duration[0]", "3:15"),
            ],
            vec![],
        ] {
            let params: Params = pairs.iter().copied().collect();
            let error = parse_scrobbles(&params).expect_err("refused");
            assert_eq!(error.code, ErrorCode::InvalidParameters, "{pairs:?}");
        }
    }

    #[test]
    fn a_token_is_approved_once_and_traded_once() {
        let mut lastfm = Lastfm::new(LastfmApp::default(), 1);
        let key = session(&mut lastfm, "alice");
        assert_eq!(key.len(), 32);
        assert_eq!(lastfm.sessions.get(&key).map(String::as_str), Some("alice"));
        assert!(lastfm.tokens.is_empty());
    }

    #[test]
    fn approving_checks_the_token() {
        let mut lastfm = Lastfm::new(LastfmApp::default(), 1);
        assert_eq!(
            lastfm.approve(Some("nope"), "alice", NOW_MS),
            Err(ApprovalError::UnknownToken)
        );
        let token = lastfm.new_token(None, NOW_MS);
        assert_eq!(
            lastfm.approve(Some(&token), "alice", NOW_MS + TOKEN_TTL_MS + 1),
            Err(ApprovalError::ExpiredToken)
        );
        assert_eq!(
            lastfm.approve(Some(&token), "alice", NOW_MS + TOKEN_TTL_MS),
            Ok(token)
        );
        assert_eq!(
            lastfm.approve(None, "not a name", NOW_MS),
            Err(ApprovalError::InvalidUser)
        );
    }

    #[test]
    fn revoking_and_forgetting_end_sessions() {
        let mut lastfm = Lastfm::new(LastfmApp::default(), 1);
        let alice = session(&mut lastfm, "alice");
        let bob = session(&mut lastfm, "bob");
        assert!(lastfm.revoke("alice"));
        assert!(!lastfm.sessions.contains_key(&alice));
        assert!(lastfm.sessions.contains_key(&bob));
        assert!(lastfm.forget("bob"));
        assert!(lastfm.sessions.is_empty());
        assert!(lastfm.user("bob").is_none() && lastfm.user("alice").is_some());
        assert!(!lastfm.revoke("bob") && !lastfm.forget("bob"));
    }
}
