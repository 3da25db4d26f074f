//! The admin API: users, injected plays, the truth about each history, counters and faults.
//! JSON in, JSON out; errors are `{"error": "<message>"}` with 400 or 404.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{respond, Simulator, State as SimState};
use crate::faults::{FaultKind, FaultSpec, Scope};
use crate::params::Params;
use crate::rng::derive_seed;
use crate::stream::{make_plays_from, ListeningProfile, Play};
use crate::timefmt;
use crate::users::{account_id, listening_seed, UserProfile};

/// The most plays one injection may add.
const MAX_INJECTED_PLAYS: usize = 10_000;
/// The most history a created user may start with (a month at 90 plays an hour is ~65k plays).
const MAX_HISTORY_HOURS: f64 = 24.0 * 31.0;
/// Timestamps must stay within years 0000–9999 to be printable as RFC 3339.
const MAX_TIMESTAMP_MS: i64 = 253_402_300_799_999;

#[derive(Debug)]
pub enum AdminError {
    NotFound(String),
    BadRequest(String),
}

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        let (status, message) = match self {
            Self::NotFound(message) => (StatusCode::NOT_FOUND, message),
            Self::BadRequest(message) => (StatusCode::BAD_REQUEST, message),
        };
        respond::json(status, &json!({ "error": message }), false)
    }
}

type AdminResult = Result<Response, AdminError>;

fn ok(status: StatusCode, body: Value) -> AdminResult {
    Ok(respond::json(status, &body, false))
}

/// Reads a JSON body; an empty body reads as `{}` so that all-optional bodies may be omitted.
pub(super) fn body<T: DeserializeOwned>(bytes: &Bytes) -> Result<T, AdminError> {
    let bytes: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        bytes
    };
    serde_json::from_slice(bytes)
        .map_err(|error| AdminError::BadRequest(format!("invalid JSON body: {error}")))
}

fn unknown_user(id: &str) -> AdminError {
    AdminError::NotFound(format!("no user '{id}'"))
}

fn require_user(state: &SimState, id: &str) -> Result<(), AdminError> {
    state.user(id).map(|_| ()).ok_or_else(|| unknown_user(id))
}

/// `GET /health`.
pub async fn health() -> Response {
    respond::json(StatusCode::OK, &json!({ "ok": true }), false)
}

// ---------------------------------------------------------------------------------------
// Users

fn user_json(profile: &UserProfile, rotate_by_default: bool) -> Value {
    json!({
        "id": profile.id,
        "account_id": profile.account_id,
        "display_name": profile.display_name,
        "email": profile.email,
        "country": profile.country,
        "product": profile.product,
        "plays_per_hour": profile.listening.plays_per_hour,
        "seed": profile.listening.seed,
        "stream_start_ms": profile.stream_start_ms,
        "rotate_refresh_tokens": profile.rotate_refresh_tokens.unwrap_or(rotate_by_default),
    })
}

/// `GET /admin/users`.
pub async fn list_users(State(sim): State<Simulator>) -> AdminResult {
    let state = sim.lock();
    let rotate = sim.config().rotate_refresh_tokens;
    let users: Vec<Value> = state
        .users
        .iter()
        .map(|user| user_json(&user.profile, rotate))
        .collect();
    ok(StatusCode::OK, Value::Array(users))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewUser {
    id: String,
    display_name: Option<String>,
    email: Option<String>,
    plays_per_hour: Option<f64>,
    seed: Option<u64>,
    history_hours: Option<f64>,
    rotate_refresh_tokens: Option<bool>,
    country: Option<String>,
    product: Option<String>,
}

/// `POST /admin/users`: creates a user, or replaces the one with that id.
pub async fn put_user(State(sim): State<Simulator>, bytes: Bytes) -> AdminResult {
    let new: NewUser = body(&bytes)?;
    let valid_id = !new.id.is_empty()
        && new.id.len() <= 64
        && new
            .id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
    if !valid_id {
        return Err(AdminError::BadRequest(
            "id must be 1-64 characters of letters, digits, '-', '_' or '.'".to_owned(),
        ));
    }
    let config = sim.config();
    let plays_per_hour = new.plays_per_hour.unwrap_or(config.plays_per_hour);
    if !plays_per_hour.is_finite() || plays_per_hour < 0.0 {
        return Err(AdminError::BadRequest(
            "plays_per_hour must be a number >= 0".to_owned(),
        ));
    }
    let history_hours = new.history_hours.unwrap_or(config.history_hours);
    if !(0.0..=MAX_HISTORY_HOURS).contains(&history_hours) {
        return Err(AdminError::BadRequest(format!(
            "history_hours must be within 0..={MAX_HISTORY_HOURS}"
        )));
    }
    let profile = UserProfile {
        account_id: account_id(config.seed, &new.id),
        display_name: new.display_name.unwrap_or_else(|| new.id.clone()),
        email: new.email,
        country: new.country.unwrap_or_else(|| "SE".to_owned()),
        product: new.product.unwrap_or_else(|| "premium".to_owned()),
        followers: 0,
        rotate_refresh_tokens: new.rotate_refresh_tokens,
        listening: ListeningProfile {
            seed: new
                .seed
                .unwrap_or_else(|| listening_seed(config.seed, &new.id)),
            plays_per_hour,
            catalogue_seed: config.seed,
            ..ListeningProfile::default()
        },
        stream_start_ms: sim.now_ms() - (history_hours * 3_600_000.0) as i64,
        id: new.id,
    };
    let body = user_json(&profile, config.rotate_refresh_tokens);
    sim.lock().put_user(profile);
    ok(StatusCode::CREATED, body)
}

// ---------------------------------------------------------------------------------------
// Plays

fn play_json(play: &Play) -> Value {
    json!({
        "played_at_ms": play.played_at_ms,
        "played_at": timefmt::played_at(play.played_at_ms),
        "track_id": play.track.id,
        "track_uri": play.track.uri,
        "track_name": play.track.name,
        "is_local": play.track.is_local,
        "context_uri": play.context_uri,
    })
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Injection {
    count: usize,
    ending_at_ms: Option<i64>,
    spacing_ms: Option<i64>,
}

/// `POST /admin/users/{id}/plays`: adds `count` plays ending at `ending_at_ms` (default: a
/// second ago), `spacing_ms` apart (default a minute), going backwards.
pub async fn inject_plays(
    State(sim): State<Simulator>,
    Path(id): Path<String>,
    bytes: Bytes,
) -> AdminResult {
    let injection: Injection = body(&bytes)?;
    if !(1..=MAX_INJECTED_PLAYS).contains(&injection.count) {
        return Err(AdminError::BadRequest(format!(
            "count must be within 1..={MAX_INJECTED_PLAYS}"
        )));
    }
    let spacing_ms = injection.spacing_ms.unwrap_or(60_000);
    if spacing_ms < 1 {
        return Err(AdminError::BadRequest(
            "spacing_ms must be at least 1".to_owned(),
        ));
    }
    let ending_at_ms = injection
        .ending_at_ms
        .unwrap_or_else(|| sim.now_ms() - 1000);
    let span_ms = (injection.count as i64 - 1).saturating_mul(spacing_ms);
    if ending_at_ms > MAX_TIMESTAMP_MS || ending_at_ms.saturating_sub(span_ms) < 0 {
        return Err(AdminError::BadRequest(
            "the plays must fall between 1970 and 9999".to_owned(),
        ));
    }

    let mut state = sim.lock();
    require_user(&state, &id)?;
    // Each injection draws its own tracks, reproducibly.
    state.injections += 1;
    let injection_number = state.injections;
    let catalogue = Arc::clone(&state.catalogue);
    let user = state.user_mut(&id).ok_or_else(|| unknown_user(&id))?;
    let seed = derive_seed(
        user.profile.listening.seed,
        &format!("injection:{injection_number}"),
    );
    let plays = make_plays_from(&catalogue, seed, injection.count, ending_at_ms, spacing_ms);
    let injected: Vec<Value> = plays
        .into_iter()
        .map(|mut play| {
            // A play landing on an occupied millisecond is stored 1 ms later: report that.
            play.played_at_ms = user.stream.inject_play(play.clone());
            play_json(&play)
        })
        .collect();
    ok(StatusCode::CREATED, Value::Array(injected))
}

/// `GET /admin/users/{id}/plays?from=&to=`: every play that has ended, oldest first,
/// optionally within `from..=to` (Unix ms).
pub async fn plays(
    State(sim): State<Simulator>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> AdminResult {
    let params = Params::from_query(query.as_deref());
    let bound = |name: &str| -> Result<Option<i64>, AdminError> {
        params
            .get(name)
            .map(|raw| {
                raw.parse::<i64>().map_err(|_| {
                    AdminError::BadRequest(format!("{name} must be Unix milliseconds"))
                })
            })
            .transpose()
    };
    let from = bound("from")?.unwrap_or(i64::MIN);
    let to = bound("to")?.unwrap_or(i64::MAX);
    let now_ms = sim.now_ms();
    let mut state = sim.lock();
    let user = state.user_mut(&id).ok_or_else(|| unknown_user(&id))?;
    let plays: Vec<Value> = user
        .stream
        .plays_until(now_ms)
        .iter()
        .filter(|play| (from..=to).contains(&play.played_at_ms))
        .map(play_json)
        .collect();
    ok(StatusCode::OK, Value::Array(plays))
}

// ---------------------------------------------------------------------------------------
// Counters

/// `GET /admin/users/{id}/stats`.
pub async fn stats(State(sim): State<Simulator>, Path(id): Path<String>) -> AdminResult {
    let mut state = sim.lock();
    require_user(&state, &id)?;
    let stats = *state.stats_mut(&id);
    ok(StatusCode::OK, json!(stats))
}

// ---------------------------------------------------------------------------------------
// Faults

fn install(sim: &Simulator, scope: Scope, bytes: &Bytes) -> AdminResult {
    let spec: FaultSpec = body(bytes)?;
    spec.validate()
        .map_err(|error| AdminError::BadRequest(error.to_string()))?;
    let now_ms = sim.now_ms();
    let mut state = sim.lock();
    if let Scope::User(id) = &scope {
        require_user(&state, id)?;
    }
    if spec.kind == FaultKind::ExpireAccessToken {
        // An action, not a standing fault: tokens issued afterwards are unaffected.
        let user = match &scope {
            Scope::User(id) => Some(id.as_str()),
            Scope::Everyone => None,
        };
        let expired = state.oauth.expire_access_tokens(user, now_ms);
        return ok(
            StatusCode::OK,
            json!({ "kind": spec.kind, "expired_tokens": expired }),
        );
    }
    let latest_authorization = state.oauth.latest_authorization();
    let fault = state.faults.install(scope, spec, latest_authorization);
    ok(StatusCode::CREATED, json!(fault))
}

/// `POST /admin/users/{id}/faults`.
pub async fn add_user_fault(
    State(sim): State<Simulator>,
    Path(id): Path<String>,
    bytes: Bytes,
) -> AdminResult {
    install(&sim, Scope::User(id), &bytes)
}

/// `POST /admin/faults`: a fault for every user.
pub async fn add_fault(State(sim): State<Simulator>, bytes: Bytes) -> AdminResult {
    install(&sim, Scope::Everyone, &bytes)
}

/// `GET /admin/faults`: every installed fault, for anyone.
pub async fn list_faults(State(sim): State<Simulator>) -> AdminResult {
    let state = sim.lock();
    ok(StatusCode::OK, json!(state.faults.list()))
}

/// `DELETE /admin/users/{id}/faults`: clears that user's faults (not those for everyone).
pub async fn clear_user_faults(
    State(sim): State<Simulator>,
    Path(id): Path<String>,
) -> AdminResult {
    let mut state = sim.lock();
    require_user(&state, &id)?;
    let cleared = state.faults.clear_user(&id);
    ok(StatusCode::OK, json!({ "cleared": cleared }))
}

/// `DELETE /admin/faults`: clears every fault, for everyone and for single users.
pub async fn clear_faults(State(sim): State<Simulator>) -> AdminResult {
    let cleared = sim.lock().faults.clear_all();
    ok(StatusCode::OK, json!({ "cleared": cleared }))
}
