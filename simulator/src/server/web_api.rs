//! The Web API endpoints: `/v1/me` and `/v1/me/player/recently-played`.

use axum::extract::{RawQuery, State};
use axum::http::header::AUTHORIZATION;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::{respond, Simulator};
use crate::faults::Endpoint;
use crate::oauth::{AccessToken, AccessTokenError};
use crate::params::Params;
use crate::recently_played::{self, Query};

/// The scope Spotify requires for the listening history.
const RECENTLY_PLAYED_SCOPE: &str = "user-read-recently-played";

/// A request that passed authentication and the fault gate.
struct Caller {
    token: AccessToken,
    /// A malformed-body fault fired: answer, then cut the body short.
    malformed: bool,
}

/// Authenticates the bearer token, counts the call for its user, and applies faults.
async fn admit(
    sim: &Simulator,
    headers: &HeaderMap,
    endpoint: Endpoint,
) -> Result<Caller, Response> {
    let now_ms = sim.now_ms();
    let bearer = headers
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::trim)
        .unwrap_or_default();
    let (token, verdict) = {
        let mut state = sim.lock();
        let authenticated = state.oauth.authenticate(bearer, now_ms).cloned();
        // Calls with an expired token still count for its user.
        if let Some(user_id) = state.oauth.owner(bearer).map(str::to_owned) {
            let stats = state.stats_mut(&user_id);
            match endpoint {
                Endpoint::RecentlyPlayed => stats.recently_played_calls += 1,
                Endpoint::Me => stats.me_calls += 1,
                Endpoint::Token => stats.token_calls += 1,
            }
        }
        let token = authenticated.map_err(unauthorized)?;
        let verdict = state.faults.on_request(Some(&token.user_id), endpoint);
        (token, verdict)
    };
    if let Some(hang) = verdict.hang {
        if !sim.hold(hang).await {
            return Err(respond::shutting_down());
        }
    }
    if let Some(response) = verdict.effect.and_then(respond::fault) {
        return Err(response);
    }
    Ok(Caller {
        token,
        malformed: verdict.effect.is_some(),
    })
}

fn unauthorized(error: AccessTokenError) -> Response {
    respond::web_api_error(StatusCode::UNAUTHORIZED, error.message())
}

/// `GET /v1/me`.
pub async fn me(State(sim): State<Simulator>, headers: HeaderMap) -> Response {
    let caller = match admit(&sim, &headers, Endpoint::Me).await {
        Ok(caller) => caller,
        Err(response) => return response,
    };
    let state = sim.lock();
    match state.user(&caller.token.user_id) {
        Some(user) => respond::json(
            StatusCode::OK,
            &user.profile.me(&sim.config().base_url),
            caller.malformed,
        ),
        None => unauthorized(AccessTokenError::Invalid),
    }
}

/// `GET /v1/me/player/recently-played`.
pub async fn recently_played(
    State(sim): State<Simulator>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let caller = match admit(&sim, &headers, Endpoint::RecentlyPlayed).await {
        Ok(caller) => caller,
        Err(response) => return response,
    };
    if !caller.token.has_scope(RECENTLY_PLAYED_SCOPE) {
        return respond::web_api_error(StatusCode::FORBIDDEN, "Insufficient client scope");
    }
    let params = Params::from_query(query.as_deref());
    let query = match Query::parse(
        params.get("limit"),
        params.get("after"),
        params.get("before"),
    ) {
        Ok(query) => query,
        Err(error) => return respond::web_api_error(StatusCode::BAD_REQUEST, &error.to_string()),
    };
    let now_ms = sim.now_ms();
    let mut state = sim.lock();
    match state.user_mut(&caller.token.user_id) {
        Some(user) => {
            let page = recently_played::page(
                user.stream.plays_until(now_ms),
                now_ms,
                &query,
                &sim.config().base_url,
            );
            respond::json(StatusCode::OK, &page, caller.malformed)
        }
        None => unauthorized(AccessTokenError::Invalid),
    }
}

/// Any other path, answered as the Web API answers unknown endpoints.
pub async fn not_found() -> Response {
    respond::web_api_error(StatusCode::NOT_FOUND, "Service not found")
}
