//! ListenBrainz over HTTP, under `/listenbrainz`: `GET /1/validate-token` and
//! `POST /1/submit-listens` as the real API answers them, and the admin API under
//! `/admin/listenbrainz/users` (errors there are the admin API's `{"error": "<message>"}`).
//!
//! Every response of the API carries the `X-RateLimit-*` headers the real server sends,
//! from [`ListenBrainz::rate_limit`].

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::header::AUTHORIZATION;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::admin::{self, AdminError};
use super::{respond, Simulator};
use crate::listenbrainz::{
    listens_json, token_from_header, valid_token, valid_user_name, RateLimit, Script,
    ScriptedResponse, Submitted, MAX_LISTENS_PER_REQUEST, MAX_LISTEN_SIZE_BYTES,
};

/// The largest body read: the biggest submission the real server could accept.
pub(super) const MAX_BODY_BYTES: usize = MAX_LISTENS_PER_REQUEST * MAX_LISTEN_SIZE_BYTES;

const LIMIT: HeaderName = HeaderName::from_static("x-ratelimit-limit");
const REMAINING: HeaderName = HeaderName::from_static("x-ratelimit-remaining");
const RESET_IN: HeaderName = HeaderName::from_static("x-ratelimit-reset-in");
const RESET: HeaderName = HeaderName::from_static("x-ratelimit-reset");

/// `{"code":…,"error":…}`, the API's error body.
fn api_error(status: StatusCode, message: &str) -> Response {
    respond::json(
        status,
        &json!({ "code": status.as_u16(), "error": message }),
        false,
    )
}

fn with_rate_limit(mut response: Response, limit: RateLimit) -> Response {
    let headers = response.headers_mut();
    headers.insert(LIMIT, HeaderValue::from(limit.limit));
    headers.insert(REMAINING, HeaderValue::from(limit.remaining));
    headers.insert(RESET_IN, HeaderValue::from(limit.reset_in));
    headers.insert(RESET, HeaderValue::from(limit.reset));
    response
}

/// The token of the `Authorization: Token <token>` header; `None` when there is no such
/// header (absent, or of another scheme).
fn token(headers: &HeaderMap) -> Option<String> {
    headers
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(token_from_header)
        .map(str::to_owned)
}

/// `GET /listenbrainz/1/validate-token`.
pub async fn validate_token(State(sim): State<Simulator>, headers: HeaderMap) -> Response {
    let token = token(&headers);
    let now_ms = sim.now_ms();
    let mut state = sim.lock();
    let limit = state.listenbrainz.rate_limit(token.as_deref(), now_ms);
    let response = match &token {
        None => api_error(
            StatusCode::BAD_REQUEST,
            "You need to provide an Authorization header.",
        ),
        Some(token) => {
            let body = match state.listenbrainz.authenticate(token) {
                Some(user) => json!({ "code": 200, "message": "Token valid.", "valid": true,
                    "user_name": user.name() }),
                None => json!({ "code": 200, "message": "Token invalid.", "valid": false }),
            };
            respond::json(StatusCode::OK, &body, false)
        }
    };
    with_rate_limit(response, limit)
}

/// The answer a script asked for; a 429 also says the window is spent.
fn scripted(response: ScriptedResponse, mut limit: RateLimit) -> Response {
    let status = StatusCode::from_u16(response.status).unwrap_or(StatusCode::OK);
    if let Some(reset_in) = response.reset_in {
        let reset_in = i64::from(reset_in);
        limit.reset += reset_in - limit.reset_in;
        limit.reset_in = reset_in;
    }
    if status == StatusCode::TOO_MANY_REQUESTS {
        limit.remaining = 0;
    }
    let reply = match response.body {
        Some(body) => respond::scripted_body(status, body),
        None if status == StatusCode::TOO_MANY_REQUESTS => api_error(
            status,
            &format!(
                "You have exceeded your rate limit. See the X-RateLimit-* headers: try again in {} seconds.",
                limit.reset_in
            ),
        ),
        None if status.is_success() => respond::json(status, &json!({ "status": "ok" }), false),
        None => api_error(
            status,
            status.canonical_reason().unwrap_or("Something went wrong"),
        ),
    };
    with_rate_limit(reply, limit)
}

/// `POST /listenbrainz/1/submit-listens`.
pub async fn submit_listens(
    State(sim): State<Simulator>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let token = token(&headers);
    let now_ms = sim.now_ms();
    let mut state = sim.lock();
    let limit = state.listenbrainz.rate_limit(token.as_deref(), now_ms);
    let response = match state.listenbrainz.submit(token.as_deref(), &body) {
        Submitted::Accepted => respond::json(StatusCode::OK, &json!({ "status": "ok" }), false),
        Submitted::Scripted(response) => return scripted(response, limit),
        Submitted::Unauthorized => {
            api_error(StatusCode::UNAUTHORIZED, "Invalid authorization token.")
        }
        Submitted::Refused(error) => api_error(StatusCode::BAD_REQUEST, &error.0),
    };
    with_rate_limit(response, limit)
}

// ---------------------------------------------------------------------------------------
// Admin API

type AdminResult = Result<Response, AdminError>;

fn unknown_user(name: &str) -> AdminError {
    AdminError::NotFound(format!("no ListenBrainz user '{name}'"))
}

fn no_content() -> AdminResult {
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewUser {
    user_name: String,
    token: String,
}

/// `POST /admin/listenbrainz/users`: creates a user, or gives it a new working token.
pub async fn put_user(State(sim): State<Simulator>, bytes: Bytes) -> AdminResult {
    let new: NewUser = admin::body(&bytes)?;
    if !valid_user_name(&new.user_name) {
        return Err(AdminError::BadRequest(
            "user_name must be 1-64 characters of letters, digits, '-', '_' or '.'".to_owned(),
        ));
    }
    if !valid_token(&new.token) {
        return Err(AdminError::BadRequest(
            "token must be 1-128 visible ASCII characters".to_owned(),
        ));
    }
    let mut state = sim.lock();
    let user = state
        .listenbrainz
        .put_user(&new.user_name, &new.token)
        .map_err(|error| AdminError::BadRequest(error.to_string()))?;
    let body = json!({ "user_name": user.name(), "token": new.token });
    Ok(respond::json(StatusCode::CREATED, &body, false))
}

/// `POST /admin/listenbrainz/users/{user_name}/revoke`.
pub async fn revoke(State(sim): State<Simulator>, Path(name): Path<String>) -> AdminResult {
    if !sim.lock().listenbrainz.revoke(&name) {
        return Err(unknown_user(&name));
    }
    no_content()
}

/// `POST /admin/listenbrainz/users/{user_name}/responses`: queues scripted answers.
pub async fn script(
    State(sim): State<Simulator>,
    Path(name): Path<String>,
    bytes: Bytes,
) -> AdminResult {
    let script: Script = admin::body(&bytes)?;
    script.validate().map_err(AdminError::BadRequest)?;
    if !sim.lock().listenbrainz.script(&name, script) {
        return Err(unknown_user(&name));
    }
    no_content()
}

/// `GET /admin/listenbrainz/users/{user_name}/listens`.
pub async fn listens(State(sim): State<Simulator>, Path(name): Path<String>) -> AdminResult {
    let state = sim.lock();
    let user = state
        .listenbrainz
        .user(&name)
        .ok_or_else(|| unknown_user(&name))?;
    Ok(respond::json(StatusCode::OK, &listens_json(user), false))
}

/// `DELETE /admin/listenbrainz/users/{user_name}`.
pub async fn forget(State(sim): State<Simulator>, Path(name): Path<String>) -> AdminResult {
    if !sim.lock().listenbrainz.forget(&name) {
        return Err(unknown_user(&name));
    }
    no_content()
}
