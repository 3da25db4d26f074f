//! Login with Spotify, sessions and logout.
//!
//! `/login` keeps the state's hash and the PKCE verifier in D1 for ten minutes, bound to
//! a random cookie of this browser; `/callback` takes them (a state works once), checks
//! the cookie, trades the code, reads `/me`, files the user under their stable id, starts
//! a session and sends the first archive (the backfill of the last 50 plays) to the queue.

use super::cookies::{read_cookie, set_cookie, LOGIN_COOKIE, SESSION_COOKIE};
use super::pages;
use super::{App, WebRequest, WebResponse};
use crate::crypto::{constant_time_eq, random_token, sha256_hex};
use crate::job::{ArchiveJob, JobUser};
use crate::oauth::{read_callback, CallbackOutcome, PendingLogin, LOGIN_TTL_MS};
use crate::ports::{Database, HttpClient, JobQueue, KeyValueStore};
use crate::slot::SlotKind;
use crate::spotify::SpotifyClient;
use crate::store::{SealedTokens, Store};
use crate::time::{UnixMillis, DAY_MS, SECOND_MS};

/// Plays the dashboard's timeline shows before "Load older plays".
pub const TIMELINE_PAGE: usize = 50;

/// How long a session lasts.
pub const SESSION_TTL_MS: i64 = 30 * DAY_MS;

/// The user id of the request's session, if it has a live one.
pub async fn session_user<D: Database>(
    db: &D,
    request: &WebRequest,
    now: UnixMillis,
) -> Option<String> {
    let id = read_cookie(request.header("Cookie"), SESSION_COOKIE)?;
    Store::new(db)
        .session_user(&sha256_hex(id), now)
        .await
        .ok()
        .flatten()
}

/// A state-changing request from a page must come from our own origin.
pub fn same_origin(request: &WebRequest) -> bool {
    request
        .header("Origin")
        .is_some_and(|origin| origin == request.origin)
}

pub fn not_logged_in() -> WebResponse {
    WebResponse::error(401, "not_logged_in", "Log in with Spotify first.")
}

pub fn forbidden_origin() -> WebResponse {
    WebResponse::error(
        403,
        "forbidden_origin",
        "This request must come from this site's own pages.",
    )
}

/// The session's user, or the 401 to answer.
pub async fn reader<D: Database>(
    db: &D,
    request: &WebRequest,
    now: UnixMillis,
) -> Result<String, WebResponse> {
    session_user(db, request, now)
        .await
        .ok_or_else(not_logged_in)
}

/// The session's user for a change: it must come from our own pages (the Origin
/// header) and be logged in; otherwise the 403 or 401 to answer.
pub async fn writer<D: Database>(
    db: &D,
    request: &WebRequest,
    now: UnixMillis,
) -> Result<String, WebResponse> {
    if !same_origin(request) {
        return Err(forbidden_origin());
    }
    reader(db, request, now).await
}

fn failure_page(status: u16, title: &str, text: &str) -> WebResponse {
    WebResponse::html(
        status,
        pages::message_page(title, text, Some(("/login", "Try again"))),
    )
}

pub async fn home<D: Database, K: KeyValueStore, H: HttpClient, Q: JobQueue>(
    app: &App<'_, D, K, H, Q>,
    request: &WebRequest,
    now: UnixMillis,
) -> WebResponse {
    let Some(user_id) = session_user(app.db, request, now).await else {
        return WebResponse::html(200, pages::landing());
    };
    let store = Store::new(app.db);
    match (
        store.status_with_settings(&user_id).await,
        store.plays_page(&user_id, None, TIMELINE_PAGE + 1).await,
        store.gaps(&user_id, 500).await,
    ) {
        (Ok(Some((status, settings))), Ok(mut plays), Ok(gaps)) => {
            // One play more than shown says whether there are older ones.
            let more = plays.len() > TIMELINE_PAGE;
            plays.truncate(TIMELINE_PAGE);
            let page = pages::dashboard(&status, &settings, &plays, more, &gaps, now);
            WebResponse::html(200, page)
        }
        (Ok(None), ..) => WebResponse::html(200, pages::landing()),
        _ => WebResponse::html(
            503,
            pages::message_page(
                "Try again soon",
                "Your archive could not be read just now.",
                None,
            ),
        ),
    }
}

pub async fn login<D: Database, K: KeyValueStore, H: HttpClient, Q: JobQueue>(
    app: &App<'_, D, K, H, Q>,
    request: &WebRequest,
    now: UnixMillis,
) -> WebResponse {
    let Ok(credentials) = app.credentials else {
        return WebResponse::html(
            503,
            pages::message_page(
                "Not configured",
                "This service has no Spotify app configured yet.",
                None,
            ),
        );
    };
    let (Ok(pending), Ok(browser)) = (PendingLogin::start(now), random_token(32)) else {
        return failure_page(503, "Try again", "The login could not be started.");
    };
    let stored = Store::new(app.db)
        .create_login(
            &sha256_hex(&pending.state),
            &pending.code_verifier,
            &sha256_hex(&browser),
            pending.expires_at,
        )
        .await;
    if stored.is_err() {
        return failure_page(503, "Try again", "The login could not be started.");
    }
    let redirect_uri = format!("{}/callback", request.origin);
    let url = pending.authorize_url(
        &app.endpoints.accounts_url,
        &credentials.client_id,
        &redirect_uri,
    );
    WebResponse::redirect(&url).with_header(
        "Set-Cookie",
        set_cookie(
            LOGIN_COOKIE,
            &browser,
            "/callback",
            LOGIN_TTL_MS / SECOND_MS,
            !request.is_loopback_http(),
        ),
    )
}

pub async fn callback<D: Database, K: KeyValueStore, H: HttpClient, Q: JobQueue>(
    app: &App<'_, D, K, H, Q>,
    request: &WebRequest,
    now: UnixMillis,
) -> WebResponse {
    let (code, state) = match read_callback(&request.query) {
        CallbackOutcome::Approved { code, state } => (code, state),
        CallbackOutcome::Refused { error, state } => {
            // Spend the state, so the page cannot be replayed into a login.
            if let Some(state) = state {
                let _ = Store::new(app.db).take_login(&sha256_hex(&state)).await;
            }
            let text = if error == "access_denied" {
                "You chose not to connect Spotify. Nothing was stored."
            } else {
                "Spotify did not complete the login. Nothing was stored."
            };
            return failure_page(400, "Not connected", text);
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
    let store = Store::new(app.db);
    let Ok(taken) = store.take_login(&sha256_hex(&state)).await else {
        return failure_page(503, "Try again", "The login could not be completed.");
    };
    let browser = read_cookie(request.header("Cookie"), LOGIN_COOKIE).map(sha256_hex);
    let login = match (taken, browser) {
        (Some(login), Some(browser))
            if login.expires_at > now
                && constant_time_eq(login.browser_hash.as_bytes(), browser.as_bytes()) =>
        {
            login
        }
        _ => {
            return failure_page(
                400,
                "Login expired",
                "This login link is not valid any more. Please start again.",
            )
        }
    };
    let spotify = SpotifyClient::new(app.http, app.endpoints, credentials);
    let redirect_uri = format!("{}/callback", request.origin);
    let Ok(grant) = spotify
        .exchange_code(&code, &redirect_uri, &login.code_verifier, now)
        .await
    else {
        return failure_page(502, "Login failed", "Spotify did not accept the login.");
    };
    let Some(refresh_token) = grant.refresh_token.as_deref() else {
        return failure_page(502, "Login failed", "Spotify did not accept the login.");
    };
    let Ok(profile) = spotify.me(&grant.access_token, now).await else {
        return failure_page(
            502,
            "Login failed",
            "Your Spotify profile could not be read.",
        );
    };
    let user_id = profile.stable_id().to_owned();
    let sealed = cipher
        .seal(&grant.access_token, &user_id)
        .and_then(|access| {
            Ok(SealedTokens {
                access_token_enc: access,
                refresh_token_enc: Some(cipher.seal(refresh_token, &user_id)?),
                expires_at: now + i64::try_from(grant.expires_in).unwrap_or(3_600) * SECOND_MS,
            })
        });
    let Ok(tokens) = sealed else {
        return failure_page(503, "Try again", "The login could not be completed.");
    };
    let Ok(session) = random_token(32) else {
        return failure_page(503, "Try again", "The login could not be completed.");
    };
    if store
        .upsert_user_on_login(&profile, &tokens, now)
        .await
        .is_err()
        || store
            .create_session(&sha256_hex(&session), &user_id, now, now + SESSION_TTL_MS)
            .await
            .is_err()
    {
        return failure_page(503, "Try again", "The login could not be completed.");
    }
    // The backfill goes through the queue, never inside this request. If the queue is
    // down, the user is due at once anyway and the next sweep picks them up.
    let backfill = ArchiveJob {
        users: vec![JobUser::new(&user_id, SlotKind::Manual, now)],
        enqueued_at: now,
    };
    let _ = app.queue.send_batch(vec![backfill]).await;
    let secure = !request.is_loopback_http();
    WebResponse::redirect("/")
        .with_header(
            "Set-Cookie",
            set_cookie(
                SESSION_COOKIE,
                &session,
                "/",
                SESSION_TTL_MS / SECOND_MS,
                secure,
            ),
        )
        .with_header(
            "Set-Cookie",
            set_cookie(LOGIN_COOKIE, "", "/callback", 0, secure),
        )
}

pub async fn logout<D: Database, K: KeyValueStore, H: HttpClient, Q: JobQueue>(
    app: &App<'_, D, K, H, Q>,
    request: &WebRequest,
) -> WebResponse {
    if !same_origin(request) {
        return forbidden_origin();
    }
    if let Some(id) = read_cookie(request.header("Cookie"), SESSION_COOKIE) {
        let _ = Store::new(app.db).delete_session(&sha256_hex(id)).await;
    }
    let mut response = WebResponse::redirect("/");
    response.status = 303;
    response.with_header(
        "Set-Cookie",
        set_cookie(SESSION_COOKIE, "", "/", 0, !request.is_loopback_http()),
    )
}
