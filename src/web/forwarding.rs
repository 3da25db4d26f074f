//! The user's forwarding destinations, by API and by the dashboard's forms: connect one
//! (its token checked with the service, then sealed), switch it off and on, disconnect it.
//!
//! Every change needs the session and a request from our own pages. A credential is
//! never sent back, only the account it belongs to.

use serde_json::json;

use super::auth::{reader, writer, SignedIn};
use super::error::HttpError;
use super::fields::{self, fields, text_field};
use super::pages::escape;
use super::{App, Bindings, WebRequest, WebResponse};
use crate::forward::listenbrainz::{self, TokenError};
use crate::forward::{self, seal_context, Service};
use crate::ports::{HttpClient, LogLine};
use crate::store::forwarding::DestinationView;
use crate::store::Store;
use crate::time::UnixMillis;

/// Where a refused form's page leads back to.
const BACK: &str = "/#forwarding-h";

fn refuse(request: &WebRequest, refusal: HttpError) -> Result<WebResponse, HttpError> {
    fields::refuse(request, refusal, BACK)
}

fn no_such_service() -> HttpError {
    HttpError::new(
        404,
        "not_found",
        "No such service: listenbrainz is the one there is.",
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
    let token = listenbrainz::read_token(text).map_err(|_| {
        invalid("Paste the user token from your ListenBrainz settings: letters, digits and dashes.")
    })?;
    let answer = http
        .send(listenbrainz::validate_request(api_url, token))
        .await;
    match listenbrainz::read_validation(answer) {
        Ok(account) => Ok((token.to_owned(), account)),
        Err(TokenError::Invalid | TokenError::Malformed) => Err(invalid(
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
        id: user_id, db, ..
    } = writer(&app.shards, request, now).await?;
    let Some(service) = Service::parse(service) else {
        return refuse(request, no_such_service());
    };
    let cipher = app.cipher.map_err(|error| {
        HttpError::new(503, "misconfigured", "The service cannot seal secrets yet.")
            .with_cause(error)
    })?;
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
    let (token, account) = match service {
        Service::ListenBrainz => {
            match check_token(app.http, &app.forward.listenbrainz_url, pasted).await {
                Ok(checked) => checked,
                Err(refusal) => return refuse(request, refusal),
            }
        }
    };
    // The cause names what failed, never the token.
    let sealed = cipher
        .seal(&token, &seal_context(&user_id, service))
        .map_err(|error| HttpError::storage_unavailable(format!("token not sealed: {error}")))?;
    Store::new(db)
        .connect_destination(&user_id, service, &account, &sealed, now)
        .await?;
    if request.is_form() {
        return Ok(WebResponse::back_to_dashboard());
    }
    Ok(WebResponse::json(
        201,
        &json!({ "destination": { "service": service.as_str(), "account": account } }),
    ))
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
        // What collected while it was off goes now, not at the next sweep; if the queue
        // fails, the sweep sends it.
        if let Err(error) = forward::relay(shard, db, app.queue, now).await {
            app.log.write(
                LogLine::warn("forwards_unrelayed")
                    .field("shard", shard)
                    .field("error", error.to_string()),
            );
        }
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
                "stopped: {}. Paste a new token below; nothing archived meanwhile is lost",
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

/// The dashboard's section: each service, connected (its state, its switch and a way
/// out) or not (a form to connect it).
pub fn panel_html(destinations: &[DestinationView], time: impl Fn(UnixMillis) -> String) -> String {
    let services: String = Service::ALL
        .iter()
        .map(|service| {
            let name = service.as_str();
            let connect_form = |label: &str| {
                format!(
                    "<form method=\"post\" action=\"/api/forwarding/{name}\" id=\"connect-{name}\">\
                     <label for=\"{name}-token\">{title} user token</label> \
                     <input id=\"{name}-token\" name=\"token\" type=\"password\" required autocomplete=\"off\" \
                     spellcheck=\"false\"> <button class=\"button\" id=\"connect-{name}-button\" type=\"submit\">{label}</button></form>",
                    title = service.title(),
                )
            };
            let Some(destination) = destinations.iter().find(|destination| destination.service == name)
            else {
                return format!(
                    "<div class=\"destination\" id=\"destination-{name}\" data-connected=\"0\"><h3>{title}</h3>\
                     <p>Not connected. Every play archived from the moment you connect is sent there once.</p>{form}</div>",
                    title = service.title(),
                    form = connect_form("Connect"),
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
                connect_form("Connect again")
            } else {
                String::new()
            };
            format!(
                "<div class=\"destination\" id=\"destination-{name}\" data-connected=\"1\" data-enabled=\"{enabled}\" \
                 data-revoked=\"{revoked}\"><h3>{title}</h3>\
                 <p>As <strong>{account}</strong>: <span id=\"{name}-state\"{class}>{state}</span>. \
                 <span id=\"{name}-behind\">{pending}</span> plays waiting, {sent} sent.</p>{reconnect}\
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
            )
        })
        .collect();
    format!(
        "<section class=\"card\" aria-labelledby=\"forwarding-h\"><h2 id=\"forwarding-h\">Forwarding</h2>\
         <p>Send your plays on to the other places you keep your listening, as they are archived.</p>{services}</section>"
    )
}
