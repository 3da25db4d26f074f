//! Login with Spotify, sessions and logout.
//!
//! `/login` seals the state and the PKCE verifier into this browser's login cookie for
//! ten minutes (nothing is stored for an anonymous visitor); `/callback` opens the
//! cookie, checks the state (it works once: a KV mark), trades the code, reads `/me`,
//! files the user under their stable id (or the Spotify id they were filed under before),
//! starts a session and sends the first archive (the backfill of the last 50 plays) to
//! the queue, at most once in the "Archive now" interval.

use super::cookies::{cookie_name, read_cookie, set_cookie, LOGIN_COOKIE, SESSION_COOKIE};
use super::error::HttpError;
use super::notifications::NotificationsPanel;
use super::pages;
use super::{App, Bindings, WebRequest, WebResponse};
use crate::crypto::{random_token, sha256_hex, TokenCipher};
use crate::engine::job::{ArchiveJob, JobUser};
use crate::engine::slot::SlotKind;
use crate::history::ARCHIVE_REQUEST_INTERVAL_MS;
use crate::oauth::{read_callback, CallbackOutcome, PendingLogin, LOGIN_TTL_MS};
use crate::ports::{Database, JobQueue, KeyValueStore, LogLine};
use crate::shards::{read_sharded_token, sharded_token, ShardIndex, Shards, UserShard};
use crate::spotify::profile::Profile;
use crate::spotify::SpotifyClient;
use crate::store::accounts::LoginWrite;
use crate::store::archive::SealedTokens;
use crate::store::{Store, StoreError};
use crate::time::{UnixMillis, DAY_MS, SECOND_MS};

/// Plays the dashboard's timeline shows before "Load older plays".
pub const TIMELINE_PAGE: usize = 50;

/// How long a session lasts.
pub const SESSION_TTL_MS: i64 = 30 * DAY_MS;

/// The signed-in user of a request: who, and the shard (and its database) they live in.
#[derive(Debug)]
pub struct SignedIn<'a, D> {
    pub id: String,
    pub shard: ShardIndex,
    pub db: &'a D,
}

/// The user of the request's session, if it has a live one: one read, in the shard the
/// cookie names. A cookie that names no session (none, garbled, an unbound shard, an
/// expired or ended session) is `Ok(None)`; a database that does not answer is an error
/// (503), not a signed-out visitor: the user is signed in, we just cannot tell now.
pub async fn session_user<'a, D: Database>(
    shards: &Shards<'a, D>,
    request: &WebRequest,
    now: UnixMillis,
) -> Result<Option<SignedIn<'a, D>>, HttpError> {
    let cookie = read_cookie(
        request.header("Cookie"),
        &cookie_name(SESSION_COOKIE, request.is_https()),
    );
    let Some((shard, token)) = cookie.and_then(read_sharded_token) else {
        return Ok(None);
    };
    let Ok(db) = shards.get(shard) else {
        return Ok(None);
    };
    let id = Store::new(db).session_user(&sha256_hex(token), now).await?;
    Ok(id.map(|id| SignedIn { id, shard, db }))
}

/// A state-changing request from a page must come from our own origin.
pub fn same_origin(request: &WebRequest) -> bool {
    request
        .header("Origin")
        .is_some_and(|origin| origin == request.origin)
}

pub fn not_logged_in() -> HttpError {
    HttpError::new(401, "not_logged_in", "Log in with Spotify first.")
}

pub fn forbidden_origin() -> HttpError {
    HttpError::new(
        403,
        "forbidden_origin",
        "This request must come from this site's own pages.",
    )
}

/// The session's user, or the 401 (or the 503 of a database that did not answer).
pub async fn reader<'a, D: Database>(
    shards: &Shards<'a, D>,
    request: &WebRequest,
    now: UnixMillis,
) -> Result<SignedIn<'a, D>, HttpError> {
    session_user(shards, request, now)
        .await?
        .ok_or_else(not_logged_in)
}

/// The session's user for a change: it must come from our own pages (the Origin
/// header) and be logged in; otherwise the 403 or 401 to answer.
pub async fn writer<'a, D: Database>(
    shards: &Shards<'a, D>,
    request: &WebRequest,
    now: UnixMillis,
) -> Result<SignedIn<'a, D>, HttpError> {
    if !same_origin(request) {
        return Err(forbidden_origin());
    }
    reader(shards, request, now).await
}

fn failure_page(status: u16, title: &str, text: &str) -> WebResponse {
    WebResponse::html(
        status,
        pages::message_page(title, text, Some(("/login", "Try again"))),
    )
}

/// The page that answers a page's request (not the API's) that failed on our side: the
/// error's cause is logged here, since no [`HttpError`] reaches the router.
pub fn failed_page<P: Bindings>(
    app: &App<'_, P>,
    request: &WebRequest,
    error: &HttpError,
) -> WebResponse {
    if let Some(line) = error.log_line(&request.path) {
        app.log.write(line);
    }
    try_again_soon()
}

/// The page of a dashboard that could not be read.
fn try_again_soon() -> WebResponse {
    WebResponse::html(
        503,
        pages::message_page(
            "Try again soon",
            "Your archive could not be read just now.",
            None,
        ),
    )
}

/// The line of a login that failed on our side: `step` says where, `cause` what broke
/// (a storage message: never a token, a code or a cookie).
fn login_failure(step: &'static str, cause: impl std::fmt::Display) -> LogLine {
    LogLine::error("login_failed")
        .field("step", step)
        .field("cause", cause.to_string())
}

pub async fn home<P: Bindings>(
    app: &App<'_, P>,
    request: &WebRequest,
    now: UnixMillis,
) -> Result<WebResponse, HttpError> {
    // The home page is a page, not JSON: a failure is a page too, its cause logged here.
    let signed_in = match session_user(&app.shards, request, now).await {
        Ok(signed_in) => signed_in,
        Err(error) => return Ok(failed_page(app, request, &error)),
    };
    let Some(SignedIn {
        id: user_id, db, ..
    }) = signed_in
    else {
        return Ok(WebResponse::html(200, pages::landing()));
    };
    let store = Store::new(db);
    let read = (
        store.status_with_settings(&user_id).await,
        store.plays_page(&user_id, None, TIMELINE_PAGE + 1).await,
        store.gaps(&user_id, 500).await,
        notifications_panel(&store, &user_id).await,
        store.destinations(&user_id).await,
        store.share_links(&user_id).await,
    );
    Ok(match read {
        (
            Ok(Some((status, settings))),
            Ok(mut plays),
            Ok(gaps),
            Ok(Some(notifications)),
            Ok(forwarding),
            Ok(shares),
        ) => {
            // One play more than shown says whether there are older ones.
            let more = plays.len() > TIMELINE_PAGE;
            plays.truncate(TIMELINE_PAGE);
            let panels = pages::Panels {
                notifications: &notifications,
                forwarding: &forwarding,
                forward: &app.forward,
                shares: &shares,
            };
            let page = pages::dashboard(&status, &settings, &plays, more, &gaps, &panels, now);
            WebResponse::html(200, page)
        }
        (Ok(None), ..) | (_, _, _, Ok(None), ..) => WebResponse::html(200, pages::landing()),
        (status, plays, gaps, notifications, forwarding, shares) => {
            // The first failure says what broke; the others are most likely the same.
            let cause = [
                status.err(),
                plays.err(),
                gaps.err(),
                notifications.err(),
                forwarding.err(),
                shares.err(),
            ]
            .into_iter()
            .flatten()
            .next();
            if let Some(cause) = cause {
                app.log.write(
                    LogLine::error("dashboard_unavailable").field("cause", cause.to_string()),
                );
            }
            try_again_soon()
        }
    })
}

async fn notifications_panel<D: Database>(
    store: &Store<'_, D>,
    user_id: &str,
) -> Result<Option<NotificationsPanel>, StoreError> {
    let Some(settings) = store.notify_settings(user_id).await? else {
        return Ok(None);
    };
    Ok(Some(NotificationsPanel {
        settings,
        channels: store.channels(user_id).await?,
        recent: store.recent_deliveries(user_id, 10).await?,
    }))
}

pub async fn login<P: Bindings>(
    app: &App<'_, P>,
    request: &WebRequest,
    now: UnixMillis,
) -> WebResponse {
    let (Ok(credentials), Ok(cipher)) = (app.credentials, app.cipher) else {
        return WebResponse::html(
            503,
            pages::message_page(
                "Not configured",
                "This service has no Spotify app configured yet.",
                None,
            ),
        );
    };
    // Nothing is stored: the login lives in the browser's cookie, sealed.
    let started = PendingLogin::start(now).and_then(|pending| {
        let sealed = pending.seal(cipher)?;
        Ok((pending, sealed))
    });
    let (pending, sealed) = match started {
        Ok(started) => started,
        Err(error) => {
            app.log.write(login_failure("start", error));
            return failure_page(503, "Try again", "The login could not be started.");
        }
    };
    let redirect_uri = format!("{}/callback", request.origin);
    let url = pending.authorize_url(
        &app.endpoints.accounts_url,
        &credentials.client_id,
        &redirect_uri,
    );
    WebResponse::redirect(&url).with_header(
        "Set-Cookie",
        set_cookie(
            &cookie_name(LOGIN_COOKIE, request.is_https()),
            &sealed,
            "/",
            LOGIN_TTL_MS / SECOND_MS,
            !request.is_loopback_http(),
        ),
    )
}

/// The KV key that marks a login's state as used: a state works once.
fn spent_state_key(state: &str) -> String {
    format!("login_state_{}", sha256_hex(state))
}

/// The login this browser's cookie (`login_cookie`) carries, if we sealed it and it is
/// the one Spotify's `state` names, before it expired.
fn browser_login(
    request: &WebRequest,
    login_cookie: &str,
    cipher: &TokenCipher,
    state: &str,
    now: UnixMillis,
) -> Option<PendingLogin> {
    read_cookie(request.header("Cookie"), login_cookie)
        .and_then(|sealed| PendingLogin::open(sealed, cipher).ok())
        .filter(|pending| pending.accepts(state, now))
}

/// How long a used state is remembered: as long as a login may take.
const SPENT_STATE_TTL_SECONDS: u64 = (LOGIN_TTL_MS / SECOND_MS) as u64;

pub async fn callback<P: Bindings>(
    app: &App<'_, P>,
    request: &WebRequest,
    now: UnixMillis,
) -> WebResponse {
    let secure = !request.is_loopback_http();
    let login_cookie = cookie_name(LOGIN_COOKIE, request.is_https());
    // Whatever happens next, this browser's login is over.
    let forget_login = set_cookie(&login_cookie, "", "/", 0, secure);
    let (code, state) = match read_callback(&request.query) {
        CallbackOutcome::Approved { code, state } => (code, state),
        CallbackOutcome::Refused { error, state } => {
            // Spend the state, so that this login cannot be turned into another later.
            if let (Some(state), Ok(cipher)) = (state, app.cipher) {
                let ours = browser_login(request, &login_cookie, cipher, &state, now).is_some();
                let spent = if ours {
                    app.kv
                        .put(&spent_state_key(&state), "1", SPENT_STATE_TTL_SECONDS)
                        .await
                } else {
                    Ok(())
                };
                if let Err(error) = spent {
                    app.log.write(login_failure("spend_refused_state", error));
                    return failure_page(503, "Try again", "The refusal could not be recorded.")
                        .with_header("Set-Cookie", forget_login);
                }
            }
            let text = if error == "access_denied" {
                "You chose not to connect Spotify. Nothing was stored."
            } else {
                "Spotify did not complete the login. Nothing was stored."
            };
            return failure_page(400, "Not connected", text)
                .with_header("Set-Cookie", forget_login);
        }
        CallbackOutcome::Invalid => {
            return failure_page(400, "Login failed", "This login link is not valid.")
        }
    };
    let (Ok(credentials), Ok(cipher)) = (app.credentials, app.cipher) else {
        return WebResponse::html(
            503,
            pages::message_page(
                "Not configured",
                "This service is not fully configured.",
                None,
            ),
        );
    };
    let Some(pending) = browser_login(request, &login_cookie, cipher, &state, now) else {
        return failure_page(
            400,
            "Login expired",
            "This login link is not valid any more. Please start again.",
        )
        .with_header("Set-Cookie", forget_login);
    };
    // The state is spent before its code is used, so that a replay of this very
    // request (the same cookie and URL) is refused before it reaches Spotify.
    let spent = spent_state_key(&state);
    match app.kv.get(&spent).await {
        Ok(None) => {}
        Ok(Some(_)) => {
            return failure_page(
                400,
                "Login expired",
                "This login link was used already. Please start again.",
            )
            .with_header("Set-Cookie", forget_login)
        }
        Err(error) => {
            app.log.write(login_failure("read_spent_state", error));
            return failure_page(503, "Try again", "The login could not be completed.");
        }
    }
    if let Err(error) = app.kv.put(&spent, "1", SPENT_STATE_TTL_SECONDS).await {
        app.log.write(login_failure("spend_state", error));
        return failure_page(503, "Try again", "The login could not be completed.");
    }
    let spotify = SpotifyClient::new(app.http, app.endpoints, credentials);
    let redirect_uri = format!("{}/callback", request.origin);
    // Spotify's errors name what it answered, never a code or a token.
    let grant = match spotify
        .exchange_code(&code, &redirect_uri, &pending.code_verifier, now)
        .await
    {
        Ok(grant) => grant,
        Err(error) => {
            app.log.write(login_failure("exchange_code", error));
            return failure_page(502, "Login failed", "Spotify did not accept the login.");
        }
    };
    let Some(refresh_token) = grant.refresh_token.as_deref() else {
        return failure_page(502, "Login failed", "Spotify did not accept the login.");
    };
    let profile = match spotify.me(&grant.access_token, now).await {
        Ok(profile) => profile,
        Err(error) => {
            app.log.write(login_failure("read_profile", error));
            return failure_page(
                502,
                "Login failed",
                "Your Spotify profile could not be read.",
            );
        }
    };
    // The user this account already is, in the shard it lives in; else a new one, filed
    // in the shard with the most room before anything of theirs is written.
    let UserShard { user_id, shard } = match place_login(&app.shards, &profile, now).await {
        Ok(place) => place,
        Err(LoginPlaceError::NoShardTakesUsers) => {
            return failure_page(
                503,
                "Not taking new users",
                "This service is not taking new users just now.",
            )
        }
        Err(LoginPlaceError::Unavailable(error)) => {
            app.log.write(login_failure("place_user", error));
            return failure_page(503, "Try again", "The login could not be completed.");
        }
    };
    let db = match app.shards.get(shard) {
        Ok(db) => db,
        Err(error) => {
            app.log.write(login_failure("bind_shard", error));
            return failure_page(503, "Try again", "The login could not be completed.");
        }
    };
    let store = Store::new(db);
    let sealed = cipher
        .seal(&grant.access_token, &user_id)
        .and_then(|access| {
            Ok(SealedTokens {
                access_token_enc: access,
                refresh_token_enc: Some(cipher.seal(refresh_token, &user_id)?),
                expires_at: now + i64::try_from(grant.expires_in).unwrap_or(3_600) * SECOND_MS,
            })
        });
    let (tokens, session) = match sealed.and_then(|tokens| Ok((tokens, random_token(32)?))) {
        Ok(sealed) => sealed,
        Err(error) => {
            app.log.write(login_failure("seal_tokens", error));
            return failure_page(503, "Try again", "The login could not be completed.");
        }
    };
    let session_hash = sha256_hex(&session);
    let written = store
        .complete_login(&LoginWrite {
            user_id: &user_id,
            profile: &profile,
            tokens: &tokens,
            session_hash: &session_hash,
            session_expires_at: now + SESSION_TTL_MS,
            backfill_interval_ms: ARCHIVE_REQUEST_INTERVAL_MS,
            now,
        })
        .await;
    let written = match written {
        Ok(written) => written,
        Err(error) => {
            app.log.write(login_failure("complete_login", error));
            return failure_page(503, "Try again", "The login could not be completed.");
        }
    };
    // The backfill goes through the queue, never inside this request, and at most once
    // in the "Archive now" interval. If the queue is down, the claim is given back and
    // the user, due at once, is picked up by the next sweep.
    if written.backfill_claimed {
        let backfill = ArchiveJob {
            shard,
            users: vec![JobUser::new(&user_id, SlotKind::Manual, now)],
            enqueued_at: now,
        };
        if let Err(error) = app.queue.send_batch(vec![backfill]).await {
            app.log.write(
                LogLine::warn("backfill_not_queued")
                    .field("user", user_id.as_str())
                    .field("cause", error.to_string()),
            );
            // Failing to give it back only delays the next "Archive now" by 5 minutes.
            if let Err(error) = store.restore_archive_request(&user_id, now, None).await {
                app.log.write(
                    LogLine::warn("archive_request_not_restored")
                        .field("user", user_id.as_str())
                        .field("cause", error.to_string()),
                );
            }
        }
    }
    WebResponse::redirect("/")
        .with_header(
            "Set-Cookie",
            set_cookie(
                &cookie_name(SESSION_COOKIE, request.is_https()),
                &sharded_token(shard, &session),
                "/",
                SESSION_TTL_MS / SECOND_MS,
                secure,
            ),
        )
        .with_header("Set-Cookie", forget_login)
}

/// Where the user of a login lives: the directory's record of this account (by its
/// stable id, or the Spotify id a user was filed under before `/me` sent one), or a new
/// user's place, filed in the directory first (the shard with the fewest users for its
/// weight), so that a login that fails after this finds the same place next time.
async fn place_login<D: Database>(
    shards: &Shards<'_, D>,
    profile: &Profile,
    now: UnixMillis,
) -> Result<UserShard, LoginPlaceError> {
    let directory = Store::new(shards.directory());
    if let Some(filed) = directory.directory_login_user(profile).await? {
        return Ok(filed);
    }
    let counts = directory.shard_user_counts().await?;
    let shard = shards
        .for_new_user(&counts)
        .ok_or(LoginPlaceError::NoShardTakesUsers)?;
    let user_id = profile.stable_id().to_owned();
    let shard = directory
        .file_user(&user_id, &profile.id, shard, now)
        .await?;
    Ok(UserShard { user_id, shard })
}

#[derive(Debug)]
enum LoginPlaceError {
    /// The directory could not be read or written.
    Unavailable(StoreError),
    /// Every shard's weight is 0 (`SHARD_WEIGHTS`): the deployment takes no new users.
    NoShardTakesUsers,
}

impl From<StoreError> for LoginPlaceError {
    fn from(error: StoreError) -> Self {
        Self::Unavailable(error)
    }
}

/// The `Set-Cookie` that clears this browser's session cookie.
pub fn clear_session_cookie(request: &WebRequest) -> String {
    set_cookie(
        &cookie_name(SESSION_COOKIE, request.is_https()),
        "",
        "/",
        0,
        !request.is_loopback_http(),
    )
}

pub async fn logout<P: Bindings>(
    app: &App<'_, P>,
    request: &WebRequest,
) -> Result<WebResponse, HttpError> {
    if !same_origin(request) {
        return Err(forbidden_origin());
    }
    let cookie = cookie_name(SESSION_COOKIE, request.is_https());
    let session = read_cookie(request.header("Cookie"), &cookie).and_then(read_sharded_token);
    // A cookie that names no bound shard has no session to end.
    if let Some((Ok(db), token)) = session.map(|(shard, token)| (app.shards.get(shard), token)) {
        Store::new(db)
            .delete_session(&sha256_hex(token))
            .await
            .map_err(|error| {
                HttpError::storage_unavailable(error)
                    .with_message("You could not be logged out just now; try again soon.")
            })?;
    }
    Ok(WebResponse::back_to_dashboard().with_header("Set-Cookie", clear_session_cookie(request)))
}

/// Ends every session of the user, on every device ("log out everywhere").
pub async fn logout_everywhere<P: Bindings>(
    app: &App<'_, P>,
    request: &WebRequest,
    now: UnixMillis,
) -> Result<WebResponse, HttpError> {
    let user = writer(&app.shards, request, now).await?;
    Store::new(user.db)
        .delete_user_sessions(&user.id)
        .await
        .map_err(|error| {
            HttpError::storage_unavailable(error)
                .with_message("Your sessions could not be ended just now; try again soon.")
        })?;
    let cleared = clear_session_cookie(request);
    if request.is_form() {
        return Ok(WebResponse::back_to_dashboard().with_header("Set-Cookie", cleared));
    }
    Ok(
        WebResponse::json(200, &serde_json::json!({ "logged_out_everywhere": true }))
            .with_header("Set-Cookie", cleared),
    )
}
