//! The user's forwarding destinations, by API and by the dashboard's forms: connect one
//! (a ListenBrainz token checked with ListenBrainz; Last.fm by its web authentication,
//! whose session key is sealed), switch it off and on, disconnect it.
//!
//! Every change needs the session and a request from our own pages. A credential is
//! never sent back, only the account it belongs to.

use serde_json::json;

use super::auth::{reader, writer, SignedIn};
use super::error::HttpError;
use super::fields::{self, fields, text_field};
use super::pages::{escape, message_page};
use super::{App, Bindings, WebRequest, WebResponse};
use crate::crypto::{random_token, TokenCipher};
use crate::forward::listenbrainz::{self, TokenError};
use crate::forward::{self, lastfm, seal_context, ForwardConfig, Service};
use crate::history::zone::{parse_zone, Zone};
use crate::history::Bound;
use crate::pairs::first;
use crate::ports::{HttpClient, KeyValueStore, LogLine};
use crate::shards::ShardIndex;
use crate::store::forwarding::DestinationView;
use crate::store::Store;
use crate::time::UnixMillis;

/// Where a refused form's page leads back to.
const BACK: &str = "/#forwarding-h";

fn refuse(request: &WebRequest, refusal: HttpError) -> Result<WebResponse, HttpError> {
    fields::refuse(request, refusal, BACK)
}

fn no_such_service() -> HttpError {
    let names: Vec<&str> = Service::ALL
        .iter()
        .map(|service| service.as_str())
        .collect();
    HttpError::new(
        404,
        "not_found",
        format!("No such service: there are {}.", names.join(" and ")),
    )
}

fn not_connected(service: Service) -> HttpError {
    HttpError::new(
        404,
        "not_connected",
        format!("{} is not connected.", service.title()),
    )
}

pub(super) async fn overview<P: Bindings>(
    app: &App<'_, P>,
    request: &WebRequest,
    now: UnixMillis,
) -> Result<WebResponse, HttpError> {
    let user = reader(&app.shards, request, now).await?;
    let destinations = Store::new(user.db).destinations(&user.id).await?;
    let services: Vec<&str> = Service::ALL
        .iter()
        .map(|service| service.as_str())
        .collect();
    Ok(WebResponse::json(
        200,
        &json!({ "services": services, "destinations": destinations }),
    ))
}

/// The account a pasted token belongs to, asked of the service.
async fn check_token<H: HttpClient>(
    http: &H,
    api_url: &str,
    text: &str,
) -> Result<(String, String), HttpError> {
    let invalid = |message: &str| HttpError::new(400, "invalid_token", message);
    let token = listenbrainz::read_token(text).ok_or_else(|| {
        invalid("Paste the user token from your ListenBrainz settings: letters, digits and dashes.")
    })?;
    let answer = http
        .send(listenbrainz::validate_request(api_url, token))
        .await;
    match listenbrainz::read_validation(answer) {
        Ok(account) => Ok((token.to_owned(), account)),
        Err(TokenError::Invalid) => Err(invalid(
            "ListenBrainz does not know this token: copy it again from your settings there.",
        )),
        Err(TokenError::Unreachable(cause)) => Err(HttpError::new(
            502,
            "service_unreachable",
            "ListenBrainz could not check the token just now; try again in a minute.",
        )
        .with_cause(cause)),
    }
}

pub(super) async fn connect<P: Bindings>(
    app: &App<'_, P>,
    request: &WebRequest,
    service: &str,
    now: UnixMillis,
) -> Result<WebResponse, HttpError> {
    let SignedIn {
        id: user_id,
        shard,
        db,
    } = writer(&app.shards, request, now).await?;
    let Some(service) = Service::parse(service) else {
        return refuse(request, no_such_service());
    };
    match service {
        Service::ListenBrainz => {
            connect_listenbrainz(app, request, &user_id, (shard, db), now).await
        }
        Service::LastFm => approve_at_lastfm(app, request, &user_id).await,
    }
}

fn cipher<'a, P: Bindings>(app: &App<'a, P>) -> Result<&'a TokenCipher, HttpError> {
    app.cipher.map_err(|error| {
        HttpError::misconfigured("The service cannot seal secrets yet.").with_cause(error)
    })
}

/// The instant a `since` date (`YYYY-MM-DD`) starts in the user's saved zone (UTC
/// without one); `None` when it is no date.
async fn archive_since<P: Bindings>(
    app: &App<'_, P>,
    db: &P::Database,
    user_id: &str,
    text: &str,
) -> Result<Option<UnixMillis>, HttpError> {
    let Some(Bound::Day(date)) = Bound::parse(text) else {
        return Ok(None);
    };
    let saved = Store::new(db)
        .history_settings(user_id)
        .await?
        .and_then(|settings| settings.time_zone);
    let zone = saved
        .as_deref()
        .and_then(|name| parse_zone(name, app.zones))
        .unwrap_or_else(Zone::utc);
    Ok(Bound::Day(date).resolve(&zone))
}

/// What a service gave us to connect with: the account, the credential to seal, and how
/// far back the archive goes along (`None`: only what is archived from now on).
struct Credential<'a> {
    account: &'a str,
    secret: &'a str,
    since: Option<UnixMillis>,
}

/// Seals a destination's credential and stores it, connecting the destination (again);
/// then relays what waited for it (connected again after a revocation, or the archive
/// since the date the user chose).
async fn store_credential<P: Bindings>(
    app: &App<'_, P>,
    (shard, db): (ShardIndex, &P::Database),
    user_id: &str,
    service: Service,
    credential: Credential<'_>,
    now: UnixMillis,
) -> Result<(), HttpError> {
    let cipher = cipher(app)?;
    // The cause names what failed, never the credential.
    let sealed = cipher
        .seal(credential.secret, &seal_context(user_id, service))
        .map_err(|error| {
            HttpError::storage_unavailable(format!("credential not sealed: {error}"))
        })?;
    Store::new(db)
        .connect_destination(
            user_id,
            service,
            credential.account,
            &sealed,
            credential.since,
            now,
        )
        .await?;
    relay_now(app, shard, db, now).await;
    Ok(())
}

/// Relays the shard's destinations due now: what waited while a destination was off or
/// revoked goes at once, not at the next sweep. If the queue fails, the sweep sends it.
async fn relay_now<P: Bindings>(
    app: &App<'_, P>,
    shard: ShardIndex,
    db: &P::Database,
    now: UnixMillis,
) {
    if let Err(error) = forward::relay(shard, db, app.queue, now).await {
        app.log.write(
            LogLine::warn("forwards_unrelayed")
                .field("shard", shard)
                .field("error", error.to_string()),
        );
    }
}

async fn connect_listenbrainz<P: Bindings>(
    app: &App<'_, P>,
    request: &WebRequest,
    user_id: &str,
    user_db: (ShardIndex, &P::Database),
    now: UnixMillis,
) -> Result<WebResponse, HttpError> {
    // Checked before the token travels: a deployment that cannot seal it keeps nothing.
    cipher(app)?;
    let Some(fields) = fields(request) else {
        return refuse(
            request,
            HttpError::new(
                400,
                "invalid_token",
                "Send a JSON object: {\"token\": \"…\"}.",
            ),
        );
    };
    let pasted = text_field(&fields, "token").unwrap_or_default();
    let since = match text_field(&fields, "since").filter(|text| !text.is_empty()) {
        Some(text) => match archive_since(app, user_db.1, user_id, text).await? {
            Some(since) => Some(since),
            None => {
                return refuse(
                    request,
                    HttpError::new(
                        400,
                        "invalid_since",
                        "`since` must be a date (YYYY-MM-DD, in your time zone), or left out.",
                    ),
                )
            }
        },
        None => None,
    };
    let (token, account) = match check_token(app.http, &app.forward.listenbrainz_url, pasted).await
    {
        Ok(checked) => checked,
        Err(refusal) => return refuse(request, refusal),
    };
    let service = Service::ListenBrainz;
    let credential = Credential {
        account: &account,
        secret: &token,
        since,
    };
    store_credential(app, user_db, user_id, service, credential, now).await?;
    if request.is_form() {
        return Ok(WebResponse::back_to_dashboard());
    }
    Ok(WebResponse::json(
        201,
        &json!({ "destination": { "service": service.as_str(), "account": account } }),
    ))
}

/// How long a Last.fm approval may take: the state that ties it to the user lives this
/// long (KV's shortest life is 60 s).
const APPROVAL_SECONDS: u64 = 600;

/// The KV key of a Last.fm approval's state: its value is the user it was started for.
fn approval_key(state: &str) -> String {
    format!("lastfm_approval_{state}")
}

/// Sends the user to Last.fm to approve us, with a state that brings them back to their
/// own account (a form: `303`; the API: the address, to open).
async fn approve_at_lastfm<P: Bindings>(
    app: &App<'_, P>,
    request: &WebRequest,
    user_id: &str,
) -> Result<WebResponse, HttpError> {
    let Some(lastfm_app) = &app.forward.lastfm else {
        return refuse(
            request,
            HttpError::new(
                503,
                "not_offered",
                "Last.fm forwarding is not set up on this deployment (LASTFM_API_KEY).",
            ),
        );
    };
    let state = random_token(24)
        .map_err(|error| HttpError::storage_unavailable(format!("no approval state: {error}")))?;
    app.kv
        .put(&approval_key(&state), user_id, APPROVAL_SECONDS)
        .await
        .map_err(|error| {
            HttpError::storage_unavailable(format!("approval state not kept: {error}"))
        })?;
    let callback = format!(
        "{}/forwarding/lastfm/callback?state={state}",
        request.origin
    );
    let approve_at = lastfm::approval_url(lastfm_app, &callback);
    if request.is_form() {
        let mut response = WebResponse::redirect(&approve_at);
        response.status = 303;
        return Ok(response);
    }
    Ok(WebResponse::json(200, &json!({ "approve_at": approve_at })))
}

fn approval_failed(status: u16, text: &str) -> WebResponse {
    WebResponse::html(
        status,
        message_page(
            "Last.fm not connected",
            text,
            Some((BACK, "Back to your archive")),
        ),
    )
}

/// `GET /forwarding/lastfm/callback?state=…&token=…`: Last.fm sends the user back with
/// an approved token, which becomes a session key. Only the user who started the
/// approval, signed in, can finish it, and only once.
pub(super) async fn lastfm_callback<P: Bindings>(
    app: &App<'_, P>,
    request: &WebRequest,
    now: UnixMillis,
) -> Result<WebResponse, HttpError> {
    let SignedIn {
        id: user_id,
        shard,
        db,
    } = reader(&app.shards, request, now).await?;
    let query = request.query_pairs();
    let state = first(&query, "state").unwrap_or_default();
    let started_by = match app.kv.get(&approval_key(state)).await {
        Ok(started_by) => started_by,
        Err(error) => {
            return Err(HttpError::storage_unavailable(format!(
                "approval state unread: {error}"
            )))
        }
    };
    if state.is_empty() || started_by.as_deref() != Some(user_id.as_str()) {
        return Ok(approval_failed(
            400,
            "This Last.fm approval has expired or was not started here; connect Last.fm again.",
        ));
    }
    if let Err(error) = app.kv.delete(&approval_key(state)).await {
        // It expires in minutes anyway, and the token it came with works once.
        app.log
            .write(LogLine::warn("lastfm_approval_kept").field("error", error.to_string()));
    }
    let (Some(lastfm_app), Some(token)) = (
        &app.forward.lastfm,
        first(&query, "token").and_then(lastfm::read_token),
    ) else {
        return Ok(approval_failed(
            400,
            "Last.fm sent no token back; connect Last.fm again.",
        ));
    };
    let answer = app
        .http
        .send(lastfm::session_request(lastfm_app, token))
        .await;
    let session = match lastfm::read_session(answer) {
        Ok(session) => session,
        Err(why) => {
            app.log
                .write(LogLine::warn("lastfm_session_refused").field("error", why.as_str()));
            return Ok(approval_failed(
                502,
                &format!("{why}. Try connecting again."),
            ));
        }
    };
    // Last.fm ignores scrobbles over 14 days old: there is no archive to send it.
    let credential = Credential {
        account: &session.name,
        secret: &session.key,
        since: None,
    };
    store_credential(app, (shard, db), &user_id, Service::LastFm, credential, now).await?;
    Ok(WebResponse::back_to_dashboard())
}

/// The switch: off, plays keep collecting and none is sent; on again, they are sent.
pub(super) async fn switch<P: Bindings>(
    app: &App<'_, P>,
    request: &WebRequest,
    service: &str,
    enabled: bool,
    now: UnixMillis,
) -> Result<WebResponse, HttpError> {
    let SignedIn {
        id: user_id,
        shard,
        db,
    } = writer(&app.shards, request, now).await?;
    let Some(service) = Service::parse(service) else {
        return refuse(request, no_such_service());
    };
    if !Store::new(db)
        .set_destination_enabled(&user_id, service, enabled)
        .await?
    {
        return refuse(request, not_connected(service));
    }
    if enabled {
        relay_now(app, shard, db, now).await;
    }
    if request.is_form() {
        return Ok(WebResponse::back_to_dashboard());
    }
    Ok(WebResponse::json(
        200,
        &json!({ "service": service.as_str(), "enabled": enabled }),
    ))
}

/// Disconnects: the credential is forgotten and the plays waiting for it are dropped.
pub(super) async fn disconnect<P: Bindings>(
    app: &App<'_, P>,
    request: &WebRequest,
    service: &str,
    now: UnixMillis,
) -> Result<WebResponse, HttpError> {
    let user = writer(&app.shards, request, now).await?;
    let Some(service) = Service::parse(service) else {
        return refuse(request, no_such_service());
    };
    if !Store::new(user.db)
        .delete_destination(&user.id, service)
        .await?
    {
        return refuse(request, not_connected(service));
    }
    if request.is_form() {
        return Ok(WebResponse::back_to_dashboard());
    }
    Ok(WebResponse::json(
        200,
        &json!({ "deleted": service.as_str() }),
    ))
}

/// A destination's state in words, and whether it needs the person.
fn state(destination: &DestinationView, time: &impl Fn(UnixMillis) -> String) -> (String, bool) {
    let last_sent = match destination.last_sent_at {
        Some(at) => format!("last sent {}", time(at)),
        None => "nothing sent yet".to_owned(),
    };
    let error = || escape(destination.last_error.as_deref().unwrap_or("it failed"));
    if destination.revoked_at.is_some() {
        return (
            format!(
                "stopped: {}. Connect it again below; nothing archived meanwhile is lost",
                error()
            ),
            true,
        );
    }
    if destination.enabled == 0 {
        return (format!("switched off; {last_sent}"), false);
    }
    if destination.failures > 0 {
        return (
            format!(
                "retrying {}: {} (attempt {} failed); {last_sent}",
                time(destination.next_attempt_at),
                error(),
                destination.failures
            ),
            true,
        );
    }
    (format!("connected; {last_sent}"), false)
}

/// The form that connects `service`: a pasted token for ListenBrainz (and, the first
/// time, how far back the archive goes along), a button that leads to Last.fm's
/// approval for Last.fm.
fn connect_form(service: Service, label: &str, first_time: bool) -> String {
    let name = service.as_str();
    let token = match service {
        Service::ListenBrainz => format!(
            "<label for=\"{name}-token\">{title} user token</label> \
             <input id=\"{name}-token\" name=\"token\" type=\"password\" required autocomplete=\"off\" \
             spellcheck=\"false\"> {since}",
            title = service.title(),
            since = if first_time {
                format!(
                    "<label for=\"{name}-since\">Also send what is archived since (optional)</label> \
                     <input id=\"{name}-since\" name=\"since\" type=\"date\"> "
                )
            } else {
                String::new()
            },
        ),
        Service::LastFm => String::new(),
    };
    format!(
        "<form method=\"post\" action=\"/api/forwarding/{name}\" id=\"connect-{name}\">{token}\
         <button class=\"button\" id=\"connect-{name}-button\" type=\"submit\">{label}</button></form>"
    )
}

/// The dashboard's section: each service, connected (its state, its switch and a way
/// out) or not (a form to connect it, where this deployment offers it).
pub fn panel_html(
    destinations: &[DestinationView],
    config: &ForwardConfig,
    time: impl Fn(UnixMillis) -> String,
) -> String {
    let services: String = Service::ALL
        .iter()
        .map(|&service| {
            let name = service.as_str();
            let Some(destination) = destinations.iter().find(|destination| destination.service == name)
            else {
                let (text, form) = if config.offers(service) {
                    (
                        "Not connected. Every play archived from the moment you connect is sent there once.",
                        connect_form(service, &format!("Connect {}", service.title()), true),
                    )
                } else {
                    ("Not offered on this deployment.", String::new())
                };
                return format!(
                    "<div class=\"destination\" id=\"destination-{name}\" data-connected=\"0\"><h3>{title}</h3>\
                     <p>{text}</p>{form}</div>",
                    title = service.title(),
                );
            };
            let (state, attention) = state(destination, &time);
            let class = if attention { " class=\"state-attention\"" } else { "" };
            let (switch_path, switch_label) = if destination.enabled != 0 {
                ("pause", "Switch off")
            } else {
                ("resume", "Switch on")
            };
            let reconnect = if destination.revoked_at.is_some() {
                connect_form(service, "Connect again", false)
            } else {
                String::new()
            };
            format!(
                "<div class=\"destination\" id=\"destination-{name}\" data-connected=\"1\" data-enabled=\"{enabled}\" \
                 data-revoked=\"{revoked}\"><h3>{title}</h3>\
                 <p>As <strong>{account}</strong>: <span id=\"{name}-state\"{class}>{state}</span>. \
                 <span id=\"{name}-behind\">{pending}</span> plays waiting, {sent} sent{refused}{passed}.</p>{reconnect}\
                 <form class=\"inline\" method=\"post\" action=\"/api/forwarding/{name}/{switch_path}\">\
                 <button class=\"button secondary\" id=\"{name}-switch\" type=\"submit\">{switch_label}</button></form> \
                 <form class=\"inline\" method=\"post\" action=\"/api/forwarding/{name}/delete\">\
                 <button class=\"button secondary\" id=\"{name}-disconnect\" type=\"submit\">Disconnect</button></form></div>",
                title = service.title(),
                account = escape(&destination.account),
                enabled = destination.enabled,
                revoked = u8::from(destination.revoked_at.is_some()),
                pending = destination.pending,
                sent = destination.sent,
                // A play refused alone was taken off for good: the user sees how many.
                refused = if destination.refused > 0 {
                    format!(", {} refused by {}", destination.refused, service.title())
                } else {
                    String::new()
                },
                passed = if destination.passed_over > 0 {
                    format!(", {} passed over by its rules", destination.passed_over)
                } else {
                    String::new()
                },
            )
        })
        .collect();
    format!(
        "<section class=\"card\" aria-labelledby=\"forwarding-h\"><h2 id=\"forwarding-h\">Forwarding</h2>\
         <p>Send your plays on to the other places you keep your listening, as they are archived.</p>{services}</section>"
    )
}
