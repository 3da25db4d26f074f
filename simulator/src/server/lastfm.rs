//! Last.fm over HTTP, under `/lastfm`: the web-authentication page at `/api/auth/` (and
//! its decision), the API at `/2.0/`, and the admin API under `/admin/lastfm/users`
//! (errors there are the admin API's `{"error": "<message>"}`).
//!
//! The approval page's element ids (`user`, `approve`) are part of the contract: browser
//! tests click them.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::admin::{self, AdminError};
use super::pages::{self, escape};
use super::{respond, Simulator};
use crate::lastfm::{scrobbles_json, valid_user_name, Answer, Script};
use crate::params::{append_query, Params};

/// Who approves when the page is asked for no one and no user exists yet.
const DEFAULT_USER: &str = "sim-lastfm-user";

/// `GET|POST /lastfm/2.0/`: one API call, its parameters from the query and, when
/// posted, the form body.
pub async fn api(
    State(sim): State<Simulator>,
    method: Method,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let posted = method == Method::POST;
    let query = Params::from_query(query.as_deref());
    let form = if posted {
        Params::parse(&body)
    } else {
        Params::default()
    };
    let params: Params = query.iter().chain(form.iter()).collect();
    let now_ms = sim.now_ms();
    let answer = sim.lock().lastfm.call(&params, posted, now_ms);
    match answer {
        Answer::Json { status, body } => respond::json(status_code(status), &body, false),
        Answer::Text { status, body } => respond::scripted_body(status_code(status), body),
    }
}

fn status_code(status: u16) -> StatusCode {
    StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

fn error_page(message: &str) -> Response {
    respond::html(StatusCode::BAD_REQUEST, pages::error(message))
}

/// What the approval page and its decision both check: the app's key, and where to send
/// the user back (`cb`), which may be left out only when a token is being approved (the
/// desktop flow, which ends on a page).
fn check_request(params: &Params, api_key: &str) -> Result<(), &'static str> {
    if params.get("api_key") != Some(api_key) {
        return Err("Invalid API key");
    }
    match params.get("cb") {
        Some(cb) if cb.starts_with("http://") || cb.starts_with("https://") => Ok(()),
        Some(_) => Err("cb must be an http:// or https:// URL"),
        None if params.get("token").is_some() => Ok(()),
        None => Err("cb is required"),
    }
}

/// `GET /lastfm/api/auth/?api_key=&cb=[&token=][&user=]`: the page on which a user allows
/// the app access. `user` preselects who approves (it signs up if new); by default the
/// first user, or [`DEFAULT_USER`] when there is none.
pub async fn auth_page(State(sim): State<Simulator>, RawQuery(query): RawQuery) -> Response {
    let params = Params::from_query(query.as_deref());
    let state = sim.lock();
    if let Err(message) = check_request(&params, &state.lastfm.app().api_key) {
        return error_page(message);
    }
    let mut users: Vec<&str> = state.lastfm.users().map(|user| user.name()).collect();
    let wanted = params.get("user").filter(|name| valid_user_name(name));
    if let Some(wanted) = wanted {
        if !users.contains(&wanted) {
            users.push(wanted);
        }
    }
    let selected = wanted
        .or_else(|| users.first().copied())
        .unwrap_or(DEFAULT_USER);
    respond::html(StatusCode::OK, approval(&params, &users, selected))
}

/// `POST /lastfm/api/auth/decision`: approves, then back to `cb` with `token`, or a page
/// saying so when there is no `cb`.
pub async fn decide(State(sim): State<Simulator>, body: Bytes) -> Response {
    let params = Params::parse(&body);
    let now_ms = sim.now_ms();
    let mut state = sim.lock();
    if let Err(message) = check_request(&params, &state.lastfm.app().api_key) {
        return error_page(message);
    }
    let user = params.get("user").unwrap_or_default();
    let token = match state.lastfm.approve(params.get("token"), user, now_ms) {
        Ok(token) => token,
        Err(error) => return error_page(&error.to_string()),
    };
    match params.get("cb") {
        Some(cb) => respond::found(&append_query(cb, &[("token", &token)])),
        None => respond::html(StatusCode::OK, approved(user)),
    }
}

/// The approval page: who approves, and one button. The form re-posts the request's
/// parameters so the decision can be checked like the request was.
fn approval(params: &Params, users: &[&str], selected: &str) -> String {
    let hidden: String = ["api_key", "cb", "token"]
        .into_iter()
        .filter_map(|name| params.get(name).map(|value| (name, value)))
        .map(|(name, value)| {
            format!(
                "      <input type=\"hidden\" name=\"{name}\" value=\"{}\">\n",
                escape(value)
            )
        })
        .collect();
    let chooser = if users.is_empty() {
        format!(
            "      <input type=\"text\" name=\"user\" id=\"user\" value=\"{}\">\n",
            escape(selected)
        )
    } else {
        let options: String = users
            .iter()
            .map(|user| {
                format!(
                    "        <option value=\"{name}\"{selected}>{name}</option>\n",
                    name = escape(user),
                    selected = if *user == selected { " selected" } else { "" },
                )
            })
            .collect();
        format!("      <select name=\"user\" id=\"user\">\n{options}      </select>\n")
    };
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>Last.fm simulator: allow access</title>
  </head>
  <body>
    <h1>Allow access</h1>
    <p>An application wants to scrobble to a simulated Last.fm account.</p>
    <form method="post" action="/lastfm/api/auth/decision">
{hidden}      <label for="user">Log in as</label>
{chooser}      <button type="submit" id="approve">Yes, allow access</button>
    </form>
  </body>
</html>
"#
    )
}

fn approved(user: &str) -> String {
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>Last.fm simulator: access allowed</title>
  </head>
  <body>
    <h1>Application authorised</h1>
    <p id="approved">{} allowed access. You may close this window.</p>
  </body>
</html>
"#,
        escape(user)
    )
}

// ---------------------------------------------------------------------------------------
// Admin API

type AdminResult = Result<Response, AdminError>;

fn unknown_user(name: &str) -> AdminError {
    AdminError::NotFound(format!("no Last.fm user '{name}'"))
}

fn no_content() -> AdminResult {
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewUser {
    name: String,
}

/// `POST /admin/lastfm/users`: creates a user (one that exists is left as it is).
pub async fn put_user(State(sim): State<Simulator>, bytes: Bytes) -> AdminResult {
    let new: NewUser = admin::body(&bytes)?;
    if !valid_user_name(&new.name) {
        return Err(AdminError::BadRequest(
            "name must be 1-64 characters of letters, digits, '-', '_' or '.'".to_owned(),
        ));
    }
    let mut state = sim.lock();
    let user = state
        .lastfm
        .put_user(&new.name)
        .map_err(|error| AdminError::BadRequest(error.to_string()))?;
    let body = json!({ "name": user.name() });
    Ok(respond::json(StatusCode::CREATED, &body, false))
}

/// `POST /admin/lastfm/users/{name}/revoke`: ends every session of the user.
pub async fn revoke(State(sim): State<Simulator>, Path(name): Path<String>) -> AdminResult {
    if !sim.lock().lastfm.revoke(&name) {
        return Err(unknown_user(&name));
    }
    no_content()
}

/// `POST /admin/lastfm/users/{name}/responses`: queues scripted answers to the user's
/// next `track.scrobble` calls.
pub async fn script(
    State(sim): State<Simulator>,
    Path(name): Path<String>,
    bytes: Bytes,
) -> AdminResult {
    let script: Script = admin::body(&bytes)?;
    script.validate().map_err(AdminError::BadRequest)?;
    if !sim.lock().lastfm.script(&name, script) {
        return Err(unknown_user(&name));
    }
    no_content()
}

/// `GET /admin/lastfm/users/{name}/scrobbles`.
pub async fn scrobbles(State(sim): State<Simulator>, Path(name): Path<String>) -> AdminResult {
    let state = sim.lock();
    let user = state
        .lastfm
        .user(&name)
        .ok_or_else(|| unknown_user(&name))?;
    Ok(respond::json(StatusCode::OK, &scrobbles_json(user), false))
}

/// `DELETE /admin/lastfm/users/{name}`: forgets the user, its sessions and scrobbles.
pub async fn forget(State(sim): State<Simulator>, Path(name): Path<String>) -> AdminResult {
    if !sim.lock().lastfm.forget(&name) {
        return Err(unknown_user(&name));
    }
    no_content()
}
