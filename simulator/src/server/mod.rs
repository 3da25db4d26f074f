//! The HTTP face of the simulator: accounts service, Web API, admin API, notification
//! sinks and the simulated scrobbling services (ListenBrainz, Last.fm) on one origin.
//!
//! All state sits behind one mutex that is never held across an `await`, so requests are
//! served concurrently and a hanging request blocks nobody else.

mod accounts;
mod admin;
mod lastfm;
mod listenbrainz;
mod pages;
mod respond;
mod sinks;
mod web_api;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use axum::extract::{DefaultBodyLimit, Request};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{delete, get, post};
use axum::Router;
use serde::Serialize;
use tokio::sync::watch;

use crate::catalogue::Catalogue;
use crate::clock::Clock;
use crate::faults::{FaultBook, Hang};
use crate::lastfm::{Lastfm, LastfmApp};
use crate::listenbrainz::{Account as ListenBrainzAccount, ListenBrainz};
use crate::oauth::{ClientCredentials, OAuthStore};
use crate::sinks::SinkBook;
use crate::stream::ListeningStream;
use crate::users::{default_users, UserProfile};

/// How a simulator is set up; the CLI flags map onto these fields one to one.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerConfig {
    /// Origin used in `href` and `next` links, e.g. `http://127.0.0.1:8080` (no trailing slash).
    pub base_url: String,
    pub client: ClientCredentials,
    pub access_token_ttl_secs: u64,
    /// Whether refreshing hands out a new refresh token (users may override it).
    pub rotate_refresh_tokens: bool,
    pub seed: u64,
    pub users: usize,
    pub plays_per_hour: f64,
    /// How much listening history the users have when the simulator starts.
    pub history_hours: f64,
    /// Whether to write one line per request to stderr.
    pub log_requests: bool,
    /// The app registered with the simulated Last.fm.
    pub lastfm: LastfmApp,
    /// ListenBrainz users that exist from the start, so that a developer has a token to
    /// paste without calling the admin API.
    pub listenbrainz_users: Vec<ListenBrainzAccount>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            base_url: "http://127.0.0.1".to_owned(),
            client: ClientCredentials {
                client_id: "sim-client-id".to_owned(),
                client_secret: "sim-client-secret".to_owned(),
            },
            access_token_ttl_secs: 3600,
            rotate_refresh_tokens: false,
            seed: 42,
            users: 3,
            plays_per_hour: 20.0,
            history_hours: 2.0,
            log_requests: true,
            lastfm: LastfmApp::default(),
            listenbrainz_users: Vec::new(),
        }
    }
}

/// Per-user request counters, as `GET /admin/users/{id}/stats` reports them. Every request
/// that can be tied to the user counts, whatever it was answered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CallStats {
    pub recently_played_calls: u64,
    pub token_calls: u64,
    pub me_calls: u64,
    pub authorize_decisions: u64,
}

pub(crate) struct User {
    profile: UserProfile,
    stream: ListeningStream,
}

/// Everything mutable, guarded by one lock.
pub(crate) struct State {
    catalogue: Arc<Catalogue>,
    /// In creation order: the consent page lists them so.
    users: Vec<User>,
    oauth: OAuthStore,
    faults: FaultBook,
    stats: HashMap<String, CallStats>,
    /// Counts injections, so each one draws different tracks.
    injections: u64,
    /// Notification sinks and what they received.
    sinks: SinkBook,
    /// The simulated ListenBrainz: its users and what they submitted.
    listenbrainz: ListenBrainz,
    /// The simulated Last.fm: its users, tokens, sessions and what they scrobbled.
    lastfm: Lastfm,
}

impl State {
    fn user(&self, id: &str) -> Option<&User> {
        self.users.iter().find(|user| user.profile.id == id)
    }

    fn user_mut(&mut self, id: &str) -> Option<&mut User> {
        self.users.iter_mut().find(|user| user.profile.id == id)
    }

    fn stats_mut(&mut self, user_id: &str) -> &mut CallStats {
        self.stats.entry(user_id.to_owned()).or_default()
    }

    /// Adds a user, or replaces the one with the same id (its tokens and counters stay).
    fn put_user(&mut self, profile: UserProfile) {
        let stream = ListeningStream::with_catalogue(
            profile.listening.clone(),
            profile.stream_start_ms,
            Arc::clone(&self.catalogue),
        );
        let user = User { profile, stream };
        match self
            .users
            .iter_mut()
            .find(|existing| existing.profile.id == user.profile.id)
        {
            Some(existing) => *existing = user,
            None => self.users.push(user),
        }
    }
}

struct Shared {
    config: ServerConfig,
    clock: Arc<dyn Clock>,
    state: Mutex<State>,
    /// Flipped to true on shutdown so that hanging requests let go.
    shutdown: watch::Sender<bool>,
}

/// A running simulator's state; cheap to clone (all clones share it).
#[derive(Clone)]
pub struct Simulator {
    shared: Arc<Shared>,
}

impl Simulator {
    /// A simulator with the configured default users, whose history starts
    /// `history_hours` before the clock's now.
    pub fn new(config: ServerConfig, clock: Arc<dyn Clock>) -> Self {
        let now_ms = clock.now_ms();
        let history_ms = (config.history_hours.max(0.0) * 3_600_000.0) as i64;
        let mut state = State {
            catalogue: Arc::new(Catalogue::generate(config.seed)),
            users: Vec::new(),
            oauth: OAuthStore::new(
                config.client.clone(),
                config.access_token_ttl_secs,
                config.seed,
            ),
            faults: FaultBook::new(config.seed),
            stats: HashMap::new(),
            injections: 0,
            sinks: SinkBook::new(),
            listenbrainz: ListenBrainz::new(),
            lastfm: Lastfm::new(config.lastfm.clone(), config.seed),
        };
        for profile in default_users(
            config.users,
            config.seed,
            config.plays_per_hour,
            now_ms - history_ms,
        ) {
            state.put_user(profile);
        }
        for account in &config.listenbrainz_users {
            // The CLI refuses a token given twice; of two such accounts, the first keeps it.
            let _ = state
                .listenbrainz
                .put_user(&account.user_name, &account.token);
        }
        let (shutdown, _) = watch::channel(false);
        Self {
            shared: Arc::new(Shared {
                config,
                clock,
                state: Mutex::new(state),
                shutdown,
            }),
        }
    }

    /// The HTTP routes, ready to serve.
    pub fn router(&self) -> Router {
        let router = Router::new()
            .route("/health", get(admin::health))
            .route("/authorize", get(accounts::authorize))
            .route("/authorize/decision", post(accounts::decide))
            .route("/api/token", post(accounts::token))
            .route("/v1/me", get(web_api::me))
            .route(
                "/v1/me/player/recently-played",
                get(web_api::recently_played),
            )
            .route("/admin/users", get(admin::list_users).post(admin::put_user))
            .route(
                "/admin/users/{id}/plays",
                get(admin::plays).post(admin::inject_plays),
            )
            .route("/admin/users/{id}/stats", get(admin::stats))
            .route(
                "/admin/users/{id}/faults",
                post(admin::add_user_fault).delete(admin::clear_user_faults),
            )
            .route(
                "/admin/faults",
                get(admin::list_faults)
                    .post(admin::add_fault)
                    .delete(admin::clear_faults),
            )
            .route("/sinks", get(sinks::page))
            .route("/sinks/{name}", post(sinks::deliver).put(sinks::deliver))
            .route("/sinks/{name}/", post(sinks::deliver).put(sinks::deliver))
            .route(
                "/sinks/{name}/{*rest}",
                post(sinks::deliver).put(sinks::deliver),
            )
            .route(
                "/admin/sinks/{name}",
                get(sinks::received)
                    .post(sinks::configure)
                    .delete(sinks::forget),
            )
            .route(
                "/listenbrainz/1/validate-token",
                get(listenbrainz::validate_token),
            )
            .route(
                "/listenbrainz/1/submit-listens",
                post(listenbrainz::submit_listens)
                    .layer(DefaultBodyLimit::max(listenbrainz::MAX_BODY_BYTES)),
            )
            .route("/admin/listenbrainz/users", post(listenbrainz::put_user))
            .route(
                "/admin/listenbrainz/users/{user_name}",
                delete(listenbrainz::forget),
            )
            .route(
                "/admin/listenbrainz/users/{user_name}/revoke",
                post(listenbrainz::revoke),
            )
            .route(
                "/admin/listenbrainz/users/{user_name}/responses",
                post(listenbrainz::script),
            )
            .route(
                "/admin/listenbrainz/users/{user_name}/listens",
                get(listenbrainz::listens),
            )
            .route("/lastfm/api/auth", get(lastfm::auth_page))
            .route("/lastfm/api/auth/", get(lastfm::auth_page))
            .route("/lastfm/api/auth/decision", post(lastfm::decide))
            .route("/lastfm/2.0", get(lastfm::api).post(lastfm::api))
            .route("/lastfm/2.0/", get(lastfm::api).post(lastfm::api))
            .route("/admin/lastfm/users", post(lastfm::put_user))
            .route("/admin/lastfm/users/{name}", delete(lastfm::forget))
            .route("/admin/lastfm/users/{name}/revoke", post(lastfm::revoke))
            .route("/admin/lastfm/users/{name}/responses", post(lastfm::script))
            .route(
                "/admin/lastfm/users/{name}/scrobbles",
                get(lastfm::scrobbles),
            )
            .fallback(web_api::not_found)
            .with_state(self.clone());
        if self.shared.config.log_requests {
            router.layer(middleware::from_fn(log_request))
        } else {
            router
        }
    }

    /// Releases every hanging request (they answer 503) so the server can stop.
    pub fn shutdown(&self) {
        self.shared.shutdown.send_replace(true);
    }

    pub fn config(&self) -> &ServerConfig {
        &self.shared.config
    }

    pub(crate) fn now_ms(&self) -> i64 {
        self.shared.clock.now_ms()
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        // A handler that panicked mid-update leaves at worst a half-counted request behind;
        // keep serving rather than fail every later request.
        self.shared
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Holds a request as a hang fault asks. Returns false if the simulator began shutting
    /// down meanwhile.
    pub(crate) async fn hold(&self, hang: Hang) -> bool {
        let mut shutdown = self.shared.shutdown.subscribe();
        let stopping = shutdown.wait_for(|stopping| *stopping);
        match hang {
            Hang::For(duration) => tokio::select! {
                () = tokio::time::sleep(duration) => true,
                _ = stopping => false,
            },
            Hang::Forever => {
                // Returns once shutdown starts (or, impossibly, the sender is gone).
                let _ = stopping.await;
                false
            }
        }
    }
}

async fn log_request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    eprintln!(
        "{method} {path} -> {} in {} ms",
        response.status().as_u16(),
        started.elapsed().as_millis()
    );
    response
}

#[cfg(test)]
mod tests;
