//! The accounts service: `/authorize`, its decision, and `/api/token`.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::header::AUTHORIZATION;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::{pages, respond, Simulator};
use crate::faults::Endpoint;
use crate::oauth::{AuthorizationRequest, GrantPolicy, TokenRequest};
use crate::params::{append_query, Params};
use crate::users::UserProfile;

/// `GET /authorize`: the consent dialog, or an error page for an unacceptable request.
pub async fn authorize(State(sim): State<Simulator>, RawQuery(query): RawQuery) -> Response {
    let params = Params::from_query(query.as_deref());
    let state = sim.lock();
    if let Err(error) = AuthorizationRequest::from_params(&params, state.oauth.client()) {
        return respond::html(StatusCode::BAD_REQUEST, pages::error(&error.to_string()));
    }
    let users: Vec<&UserProfile> = state.users.iter().map(|user| &user.profile).collect();
    respond::html(StatusCode::OK, pages::consent(&params, &users))
}

/// `POST /authorize/decision`: back to the app with a code, or with `access_denied`.
pub async fn decide(State(sim): State<Simulator>, body: Bytes) -> Response {
    let params = Params::parse(&body);
    let now_ms = sim.now_ms();
    let mut state = sim.lock();
    // The form's hidden fields came from the browser: check them as if freshly requested.
    let request = match AuthorizationRequest::from_params(&params, state.oauth.client()) {
        Ok(request) => request,
        Err(error) => {
            return respond::html(StatusCode::BAD_REQUEST, pages::error(&error.to_string()))
        }
    };
    let Some(user_id) = params.get("user").filter(|id| state.user(id).is_some()) else {
        return respond::html(StatusCode::BAD_REQUEST, pages::error("Unknown user"));
    };
    let user_id = user_id.to_owned();
    let approved = match params.get("decision") {
        Some("approve") => true,
        Some("deny") => false,
        _ => {
            return respond::html(
                StatusCode::BAD_REQUEST,
                pages::error("decision must be approve or deny"),
            )
        }
    };
    state.stats_mut(&user_id).authorize_decisions += 1;

    let mut pairs = Vec::with_capacity(2);
    let code;
    if approved {
        code = state.oauth.issue_code(&request, &user_id, now_ms);
        pairs.push(("code", code.as_str()));
    } else {
        pairs.push(("error", "access_denied"));
    }
    if let Some(client_state) = request.state.as_deref() {
        pairs.push(("state", client_state));
    }
    respond::found(&append_query(&request.redirect_uri, &pairs))
}

/// `POST /api/token`: exchanges a code or refreshes, subject to faults.
pub async fn token(State(sim): State<Simulator>, headers: HeaderMap, body: Bytes) -> Response {
    let form = Params::parse(&body);
    let authorization = headers
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok());
    let request = TokenRequest::parse(authorization, &form);

    // Faults and counters first, by the user the code or refresh token belongs to.
    let verdict = {
        let mut state = sim.lock();
        let user_id = request
            .as_ref()
            .ok()
            .and_then(|request| state.oauth.subject(&request.grant))
            .map(|subject| subject.user_id);
        if let Some(user_id) = &user_id {
            state.stats_mut(user_id).token_calls += 1;
        }
        state.faults.on_request(user_id.as_deref(), Endpoint::Token)
    };
    if let Some(hang) = verdict.hang {
        if !sim.hold(hang).await {
            return respond::shutting_down();
        }
    }
    if let Some(response) = verdict.effect.and_then(respond::fault) {
        return response;
    }
    let malformed = verdict.effect.is_some();

    let request = match request {
        Ok(request) => request,
        Err(error) => return token_error(error, malformed),
    };
    let now_ms = sim.now_ms();
    let mut state = sim.lock();
    let mut policy = GrantPolicy::default();
    if let Some(subject) = state.oauth.subject(&request.grant) {
        policy.rotate_refresh_token =
            state
                .user(&subject.user_id)
                .map_or(sim.config().rotate_refresh_tokens, |user| {
                    user.profile
                        .rotate_refresh_tokens
                        .unwrap_or(sim.config().rotate_refresh_tokens)
                });
        policy.refresh_token_revoked = subject.authorization.is_some_and(|authorization| {
            state
                .faults
                .revokes_refresh_token(&subject.user_id, authorization)
        });
    }
    match state.oauth.grant(&request, policy, now_ms) {
        Ok(tokens) => match serde_json::to_value(&tokens) {
            Ok(body) => respond::json(StatusCode::OK, &body, malformed),
            Err(_) => respond::web_api_error(StatusCode::INTERNAL_SERVER_ERROR, "Server error."),
        },
        Err(error) => token_error(error, malformed),
    }
}

fn token_error(error: crate::oauth::TokenError, malformed: bool) -> Response {
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::BAD_REQUEST);
    respond::json(status, &error.body(), malformed)
}
