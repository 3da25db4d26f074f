//! The user's notification channels and settings, by API and by the dashboard's forms.
//!
//! Every change needs the session and a request from our own pages. A page's form gets
//! a page back (the dashboard, or the new webhook's signing secret, shown once); the API
//! gets JSON. A channel's URL is never sent back, only its hint.

use serde_json::{json, Map, Value};

use super::auth::{reader, writer, SignedIn};
use super::error::HttpError;
use super::fields::{self, fields, text_field};
use super::pages::{escape, message_page};
use super::{App, Bindings, WebRequest, WebResponse};
use crate::notify::message::new_secret;
use crate::notify::relay;
use crate::notify::target::{self, ChannelKind};
use crate::ports::LogLine;
use crate::store::notifications::{
    channel_seal_context, ChannelView, DeliveryView, NotifySettings, MAX_CHANNELS_PER_USER,
};
use crate::store::Store;
use crate::time::UnixMillis;

/// The threshold of `archiving_failing`, in hours.
pub const FAILING_AFTER_HOURS: std::ops::RangeInclusive<i64> = 1..=168;
/// Events per day a user may allow.
pub const DAILY_LIMIT: std::ops::RangeInclusive<i64> = 1..=100;
/// Deliveries the API and the dashboard list.
const RECENT: usize = 20;

/// Where a refused form's page leads back to.
const BACK: &str = "/#notifications-h";

fn refuse(request: &WebRequest, refusal: HttpError) -> Result<WebResponse, HttpError> {
    fields::refuse(request, refusal, BACK)
}

fn no_such_channel() -> HttpError {
    HttpError::new(404, "not_found", "No such channel.")
}

/// A whole number, from JSON or a form's text.
fn number_field(fields: &Map<String, Value>, name: &str) -> Result<Option<i64>, ()> {
    match fields.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(number)) => number.as_i64().map(Some).ok_or(()),
        Some(Value::String(text)) => text.trim().parse().map(Some).map_err(|_| ()),
        Some(_) => Err(()),
    }
}

/// A flag, from JSON, or a form's checkbox (present or absent) with its hidden twin.
fn flag_field(fields: &Map<String, Value>, name: &str, form: bool) -> Result<Option<bool>, ()> {
    match fields.get(name) {
        Some(Value::Bool(flag)) => Ok(Some(*flag)),
        Some(Value::String(text)) if form => Ok(Some(matches!(text.as_str(), "on" | "true" | "1"))),
        None if form => Ok(fields.contains_key("notify_gaps_present").then_some(false)),
        None | Some(Value::Null) => Ok(None),
        Some(_) => Err(()),
    }
}

fn channel_id(text: &str) -> Option<i64> {
    text.parse().ok().filter(|id| *id > 0)
}

pub(super) async fn overview<P: Bindings>(
    app: &App<'_, P>,
    request: &WebRequest,
    now: UnixMillis,
) -> Result<WebResponse, HttpError> {
    let user = reader(&app.shards, request, now).await?;
    let store = Store::new(user.db);
    let settings = store
        .notify_settings(&user.id)
        .await?
        .ok_or_else(settings_missing)?;
    let channels = store.channels(&user.id).await?;
    let recent = store.recent_deliveries(&user.id, RECENT).await?;
    Ok(WebResponse::json(
        200,
        &json!({ "settings": settings_json(&settings), "channels": channels, "recent": recent }),
    ))
}

/// A signed-in user without a row of settings: the session outlived its user (a
/// deletion racing this request). Answered as before, with the storage's 503.
fn settings_missing() -> HttpError {
    HttpError::new(
        503,
        "storage_unavailable",
        super::error::STORAGE_UNAVAILABLE_MESSAGE,
    )
    .with_cause("the signed-in user has no notification settings")
}

fn settings_json(settings: &NotifySettings) -> Value {
    json!({
        "failing_after_hours": settings.notify_failing_after_hours,
        "notify_gaps": settings.notify_gaps != 0,
        "daily_limit": settings.notify_daily_limit,
    })
}

pub(super) async fn save_settings<P: Bindings>(
    app: &App<'_, P>,
    request: &WebRequest,
    now: UnixMillis,
) -> Result<WebResponse, HttpError> {
    let SignedIn {
        id: user_id, db, ..
    } = writer(&app.shards, request, now).await?;
    let store = Store::new(db);
    let current = store
        .notify_settings(&user_id)
        .await?
        .ok_or_else(settings_missing)?;
    let invalid = |message: &str| refuse(request, HttpError::new(400, "invalid_settings", message));
    let Some(fields) = fields(request) else {
        return invalid(
            "Send a JSON object: {\"failing_after_hours\": 6, \"notify_gaps\": false, \"daily_limit\": 10}.",
        );
    };
    let hours = match number_field(&fields, "failing_after_hours") {
        Ok(hours) => hours.unwrap_or(current.notify_failing_after_hours),
        Err(()) => return invalid("failing_after_hours must be a whole number of hours."),
    };
    if !FAILING_AFTER_HOURS.contains(&hours) {
        return invalid("failing_after_hours must be between 1 and 168 (a week).");
    }
    let limit = match number_field(&fields, "daily_limit") {
        Ok(limit) => limit.unwrap_or(current.notify_daily_limit),
        Err(()) => return invalid("daily_limit must be a whole number."),
    };
    if !DAILY_LIMIT.contains(&limit) {
        return invalid("daily_limit must be between 1 and 100 events a day.");
    }
    let gaps = match flag_field(&fields, "notify_gaps", request.is_form()) {
        Ok(gaps) => gaps.unwrap_or(current.notify_gaps != 0),
        Err(()) => return invalid("notify_gaps must be true or false."),
    };
    let settings = NotifySettings {
        notify_failing_after_hours: hours,
        notify_gaps: i64::from(gaps),
        notify_daily_limit: limit,
    };
    store.save_notify_settings(&user_id, &settings, now).await?;
    if request.is_form() {
        return Ok(WebResponse::back_to_dashboard());
    }
    Ok(WebResponse::json(
        200,
        &json!({ "settings": settings_json(&settings) }),
    ))
}

pub(super) async fn add_channel<P: Bindings>(
    app: &App<'_, P>,
    request: &WebRequest,
    now: UnixMillis,
) -> Result<WebResponse, HttpError> {
    let SignedIn {
        id: user_id, db, ..
    } = writer(&app.shards, request, now).await?;
    let cipher = app.cipher.map_err(|error| {
        HttpError::misconfigured("The service cannot seal secrets yet.").with_cause(error)
    })?;
    let invalid = |message: &str| refuse(request, HttpError::new(400, "invalid_channel", message));
    let Some(fields) = fields(request) else {
        return invalid("Send a JSON object: {\"kind\": \"webhook\", \"url\": \"https://…\"}.");
    };
    let Some(kind) = text_field(&fields, "kind").and_then(ChannelKind::parse) else {
        return invalid("kind must be webhook, ntfy or discord.");
    };
    let url = text_field(&fields, "url").unwrap_or_default();
    let token = text_field(&fields, "token");
    let mut channel = match target::validate(kind, url, token, app.notify.url_policy) {
        Ok(channel) => channel,
        Err(error) => return refuse(request, error.into()),
    };
    // The webhook's signing secret is ours to make: the receiver gets it once, now.
    let secret = match kind {
        ChannelKind::Webhook => Some(new_secret().map_err(|error| {
            HttpError::storage_unavailable(format!("no signing secret: {error}"))
        })?),
        _ => None,
    };
    channel.secret = secret.clone();
    // The cause names what failed, never the channel (its URL and secret are secrets).
    let plain = serde_json::to_string(&channel)
        .map_err(|error| HttpError::storage_unavailable(format!("channel not encoded: {error}")))?;
    let sealed = cipher
        .seal(&plain, &channel_seal_context(&user_id))
        .map_err(|error| HttpError::storage_unavailable(format!("channel not sealed: {error}")))?;
    let hint = target::hint(&channel.url);
    let store = Store::new(db);
    let Some(id) = store
        .add_channel(&user_id, kind, &sealed, &hint, now)
        .await?
    else {
        return refuse(
            request,
            HttpError::new(
                409,
                "too_many_channels",
                format!("You have {MAX_CHANNELS_PER_USER} channels already; delete one first."),
            ),
        );
    };
    if request.is_form() {
        return Ok(WebResponse::html(
            201,
            added_page(kind, &hint, secret.as_deref()),
        ));
    }
    let mut body = json!({
        "channel": { "id": id, "kind": kind.as_str(), "target_hint": hint, "enabled": 1 },
    });
    if let Some(secret) = secret {
        body["signing_secret"] = json!(secret);
    }
    Ok(WebResponse::json(201, &body))
}

fn added_page(kind: ChannelKind, hint: &str, secret: Option<&str>) -> String {
    let text = match secret {
        Some(secret) => format!(
            "The webhook {} is added. Every delivery is signed per Standard Webhooks with this secret; \
             give it to your receiver now, it is not shown again: {}",
            hint, secret
        ),
        None => format!("The {} channel {} is added. Send it a test from your archive's page.", kind.as_str(), hint),
    };
    message_page(
        "Channel added",
        &text,
        Some(("/#notifications-h", "Back to your archive")),
    )
}

pub(super) async fn delete_channel<P: Bindings>(
    app: &App<'_, P>,
    request: &WebRequest,
    id: &str,
    now: UnixMillis,
) -> Result<WebResponse, HttpError> {
    let user = writer(&app.shards, request, now).await?;
    let Some(id) = channel_id(id) else {
        return refuse(request, no_such_channel());
    };
    if !Store::new(user.db).delete_channel(&user.id, id).await? {
        return refuse(request, no_such_channel());
    }
    if request.is_form() {
        return Ok(WebResponse::back_to_dashboard());
    }
    Ok(WebResponse::json(200, &json!({ "deleted": id })))
}

pub(super) async fn test_channel<P: Bindings>(
    app: &App<'_, P>,
    request: &WebRequest,
    id: &str,
    now: UnixMillis,
) -> Result<WebResponse, HttpError> {
    let SignedIn {
        id: user_id,
        shard,
        db,
    } = writer(&app.shards, request, now).await?;
    let store = Store::new(db);
    let channels = store.channels(&user_id).await?;
    let Some(channel) = channel_id(id).and_then(|id| channels.into_iter().find(|c| c.id == id))
    else {
        return refuse(request, no_such_channel());
    };
    if !store.raise_test(&user_id, channel.id, now).await? {
        return refuse(
            request,
            HttpError::new(
                429,
                "daily_limit_reached",
                "Your daily limit of notifications is reached; raise it in the settings or try tomorrow.",
            ),
        );
    }
    // Sent now when the queue takes it; otherwise the next sweep relays it (the answer
    // says which; the log says why).
    let relayed = match relay(shard, db, app.queue, now).await {
        Ok(_) => true,
        Err(error) => {
            app.log.write(
                LogLine::warn("relay_deferred")
                    .field("shard", shard)
                    .field("cause", error.to_string()),
            );
            false
        }
    };
    if request.is_form() {
        return Ok(WebResponse::back_to_dashboard());
    }
    Ok(WebResponse::json(
        202,
        &json!({ "test": { "channel": channel.id, "queued": relayed } }),
    ))
}

/// What the dashboard shows of the user's notifications.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationsPanel {
    pub settings: NotifySettings,
    pub channels: Vec<ChannelView>,
    pub recent: Vec<DeliveryView>,
}

/// The dashboard's section: the channels with their state and buttons, a form to add one,
/// the settings and the last deliveries.
pub fn panel_html(panel: &NotificationsPanel, time: impl Fn(UnixMillis) -> String) -> String {
    let channels: String = panel
        .channels
        .iter()
        .map(|channel| {
            let state = if channel.enabled != 0 {
                match channel.last_delivered_at {
                    Some(at) => format!("working, last delivery {}", time(at)),
                    None => "enabled, nothing delivered yet".to_owned(),
                }
            } else {
                format!(
                    "<strong class=\"state-attention\">disabled</strong>: {}",
                    escape(channel.disabled_reason.as_deref().unwrap_or("it kept failing"))
                )
            };
            format!(
                "<li id=\"channel-{id}\" data-enabled=\"{enabled}\"><strong>{kind}</strong> {hint} ({state}) \
                 <form class=\"inline\" method=\"post\" action=\"/api/notifications/channels/{id}/test\">\
                 <button class=\"button secondary\" id=\"test-channel-{id}\" type=\"submit\">Send a test</button></form> \
                 <form class=\"inline\" method=\"post\" action=\"/api/notifications/channels/{id}/delete\">\
                 <button class=\"button secondary\" id=\"delete-channel-{id}\" type=\"submit\">Delete</button></form></li>",
                id = channel.id,
                enabled = channel.enabled,
                kind = escape(&channel.kind),
                hint = escape(&channel.target_hint),
            )
        })
        .collect();
    let channels = if channels.is_empty() {
        "<p id=\"no-channels\">No channels yet: nobody is told when archiving stops.</p>".to_owned()
    } else {
        format!("<ul id=\"channels\">{channels}</ul>")
    };
    let recent: String = panel
        .recent
        .iter()
        .map(|delivery| {
            let outcome = match (delivery.delivered_at, delivery.failed_at) {
                (Some(at), _) => format!("delivered {}", time(at)),
                (None, Some(_)) => format!(
                    "not delivered: {}",
                    escape(delivery.last_error.as_deref().unwrap_or("failed"))
                ),
                (None, None) => match &delivery.last_error {
                    Some(error) => format!(
                        "retrying: attempt {} failed ({})",
                        delivery.attempts,
                        escape(error)
                    ),
                    None => "on its way".to_owned(),
                },
            };
            format!(
                "<li>{} {}: {}</li>",
                time(delivery.created_at),
                escape(&delivery.event),
                outcome
            )
        })
        .collect();
    let recent = if recent.is_empty() {
        String::new()
    } else {
        format!("<h3>Recent notifications</h3><ul id=\"deliveries\">{recent}</ul>")
    };
    let settings = &panel.settings;
    format!(
        "<section class=\"card\" aria-labelledby=\"notifications-h\"><h2 id=\"notifications-h\">Notifications</h2>\
         <p>We tell you when archiving needs you: a new login, failures that last, Spotify's permission \
         running out, a finished import.</p>{channels}\
         <form method=\"post\" action=\"/api/notifications/channels\" id=\"add-channel\">\
         <label for=\"channel-kind\">Kind</label> <select id=\"channel-kind\" name=\"kind\">\
         <option value=\"webhook\">Webhook (signed JSON)</option><option value=\"ntfy\">ntfy topic</option>\
         <option value=\"discord\">Discord webhook</option></select> \
         <label for=\"channel-url\">URL</label> <input id=\"channel-url\" name=\"url\" type=\"url\" required \
         placeholder=\"https://ntfy.sh/your-topic\" autocomplete=\"off\" spellcheck=\"false\"> \
         <label for=\"channel-token\">ntfy token (optional)</label> <input id=\"channel-token\" name=\"token\" \
         autocomplete=\"off\" spellcheck=\"false\"> \
         <button class=\"button\" id=\"add-channel-button\" type=\"submit\">Add channel</button></form>\
         <form method=\"post\" action=\"/api/notifications/settings\" id=\"notify-settings\">\
         <input type=\"hidden\" name=\"notify_gaps_present\" value=\"1\">\
         <label for=\"failing-after\">Tell me when archiving has failed for (hours)</label> \
         <input id=\"failing-after\" name=\"failing_after_hours\" type=\"number\" min=\"1\" max=\"168\" value=\"{hours}\"> \
         <label for=\"daily-limit\">At most this many a day</label> \
         <input id=\"daily-limit\" name=\"daily_limit\" type=\"number\" min=\"1\" max=\"100\" value=\"{limit}\"> \
         <label><input type=\"checkbox\" id=\"notify-gaps\" name=\"notify_gaps\"{gaps}> Tell me about each data gap</label> \
         <button class=\"button\" id=\"save-notify-settings\" type=\"submit\">Save</button></form>{recent}</section>",
        hours = settings.notify_failing_after_hours,
        limit = settings.notify_daily_limit,
        gaps = if settings.notify_gaps != 0 { " checked" } else { "" },
    )
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::notify::NotifyMessage;
    use crate::ports::Method;
    use crate::testing::web::{get, json_of, post, request, RequestBuilder, WebWorld};
    use crate::web::WebResponse;

    const NOW: i64 = 1_800_000_000_000;
    const SINK: &str = "https://hooks.example.com/in/SECRETPATH1234";

    fn add(world: &WebWorld, cookie: &str, body: serde_json::Value) -> WebResponse {
        world.send(
            &post(
                "/api/notifications/channels",
                Some(cookie),
                &body.to_string(),
            ),
            NOW,
        )
    }

    #[test]
    fn a_bad_url_is_refused_with_a_clear_400() {
        let world = WebWorld::new();
        let cookie = world.sign_in("ada", NOW);
        let cases = [
            (
                json!({"kind": "webhook", "url": "ftp://example.com/x"}),
                "https://",
            ),
            (
                json!({"kind": "webhook", "url": "http://example.com/x"}),
                "https://",
            ),
            (
                json!({"kind": "webhook", "url": "https://10.0.0.1/x"}),
                "private",
            ),
            (
                json!({"kind": "discord", "url": "https://example.com/x"}),
                "Discord",
            ),
            (json!({"kind": "ntfy", "url": "https://ntfy.sh/"}), "topic"),
            (json!({"kind": "webhook", "url": ""}), "URL"),
            (json!({"kind": "pager", "url": SINK}), "kind"),
        ];
        for (body, says) in cases {
            let response = add(&world, &cookie, body.clone());
            let answer = json_of(&response);
            assert_eq!(
                (response.status, answer["error"]["code"].as_str()),
                (400, Some("invalid_channel")),
                "{body}: {answer}"
            );
            let message = answer["error"]["message"].as_str().unwrap_or_default();
            assert!(message.contains(says), "{body}: {message}");
        }
        let channels = world.db.sql("SELECT id FROM notification_channels", vec![]);
        assert!(channels.is_empty());
    }

    #[test]
    fn a_webhook_gets_its_secret_once_and_nothing_shows_its_url() {
        let world = WebWorld::new();
        let cookie = world.sign_in("ada", NOW);
        let response = add(&world, &cookie, json!({"kind": "webhook", "url": SINK}));
        assert_eq!(response.status, 201, "{}", response.body);
        let created = json_of(&response);
        let secret = created["signing_secret"]
            .as_str()
            .expect("a secret")
            .to_owned();
        assert!(secret.starts_with("whsec_"));
        assert_eq!(
            created["channel"]["target_hint"],
            "https://hooks.example.com/…1234"
        );

        let overview = world.send(&get("/api/notifications", Some(&cookie)), NOW);
        let dashboard = world.send(&get("/", Some(&cookie)), NOW);
        let stored = world.db.sql(
            "SELECT target_enc, target_hint FROM notification_channels",
            vec![],
        );
        for text in [
            &overview.body,
            &dashboard.body,
            &serde_json::to_string(&stored).expect("json"),
        ] {
            assert!(!text.contains("SECRETPATH"), "the URL shows: {text}");
            assert!(!text.contains(&secret), "the secret shows: {text}");
        }
        assert!(dashboard.body.contains("hooks.example.com/…1234"));
    }

    #[test]
    fn a_form_adds_a_channel_and_shows_the_webhook_secret_on_a_page() {
        let world = WebWorld::new();
        let cookie = world.sign_in("ada", NOW);
        let form = post(
            "/api/notifications/channels",
            Some(&cookie),
            "kind=webhook&url=https%3A%2F%2Fhooks.example.com%2Fin%2Fabc",
        )
        .with_content_type("application/x-www-form-urlencoded");
        let response = world.send(&form, NOW);
        assert_eq!(response.status, 201);
        assert!(response.body.contains("whsec_"), "{}", response.body);
        let bad = post(
            "/api/notifications/channels",
            Some(&cookie),
            "kind=ntfy&url=nope",
        )
        .with_content_type("application/x-www-form-urlencoded");
        let refused = world.send(&bad, NOW);
        assert_eq!(refused.status, 400);
        assert!(
            refused.body.contains("not a valid absolute URL"),
            "{}",
            refused.body
        );
    }

    #[test]
    fn a_test_is_sent_to_the_queue_at_once_and_only_for_ones_own_channel() {
        let world = WebWorld::new();
        let ada = world.sign_in("ada", NOW);
        let bob = world.sign_in("bob", NOW);
        let created = json_of(&add(
            &world,
            &ada,
            json!({"kind": "ntfy", "url": "https://ntfy.sh/ada-alerts"}),
        ));
        let id = created["channel"]["id"].as_i64().expect("an id");
        let path = format!("/api/notifications/channels/{id}/test");

        assert_eq!(world.send(&post(&path, Some(&bob), ""), NOW).status, 404);
        let response = world.send(&post(&path, Some(&ada), ""), NOW);
        assert_eq!(response.status, 202, "{}", response.body);
        let outbox = world
            .db
            .sql("SELECT id, event FROM notification_outbox", vec![]);
        assert_eq!(outbox.len(), 1);
        assert_eq!(
            world.queue.take_notifications(),
            [NotifyMessage::Delivery(
                outbox[0]["id"].as_i64().expect("id")
            )]
        );

        let delete = request(
            Method::Delete,
            &format!("/api/notifications/channels/{id}"),
            Some(&bob),
        )
        .with_our_origin();
        assert_eq!(world.send(&delete, NOW).status, 404);
        let delete = request(
            Method::Delete,
            &format!("/api/notifications/channels/{id}"),
            Some(&ada),
        )
        .with_our_origin();
        assert_eq!(world.send(&delete, NOW).status, 200);
        let left = world
            .db
            .sql("SELECT count(*) AS n FROM notification_outbox", vec![]);
        assert_eq!(left[0]["n"], 0, "the pending test went with its channel");
    }

    #[test]
    fn settings_are_checked_then_saved() {
        let world = WebWorld::new();
        let cookie = world.sign_in("ada", NOW);
        let save = |body: serde_json::Value| {
            world.send(
                &post(
                    "/api/notifications/settings",
                    Some(&cookie),
                    &body.to_string(),
                ),
                NOW,
            )
        };
        assert_eq!(save(json!({"failing_after_hours": 0})).status, 400);
        assert_eq!(save(json!({"daily_limit": 1000})).status, 400);
        assert_eq!(save(json!({"notify_gaps": "yes"})).status, 400);
        let saved = save(json!({"failing_after_hours": 2, "notify_gaps": true}));
        assert_eq!(
            json_of(&saved)["settings"],
            json!({"failing_after_hours": 2, "notify_gaps": true, "daily_limit": 10})
        );
        // A form without the checkbox turns it off.
        let form = post(
            "/api/notifications/settings",
            Some(&cookie),
            "notify_gaps_present=1&failing_after_hours=3&daily_limit=5",
        )
        .with_content_type("application/x-www-form-urlencoded");
        assert_eq!(world.send(&form, NOW).status, 303);
        let read = json_of(&world.send(&get("/api/notifications", Some(&cookie)), NOW));
        assert_eq!(
            read["settings"],
            json!({"failing_after_hours": 3, "notify_gaps": false, "daily_limit": 5})
        );
    }

    #[test]
    fn changes_need_our_own_pages() {
        let world = WebWorld::new();
        let cookie = world.sign_in("ada", NOW);
        let foreign = request(Method::Post, "/api/notifications/channels", Some(&cookie))
            .with_header("Origin", "https://evil.example")
            .with_body(&json!({"kind": "webhook", "url": SINK}).to_string());
        assert_eq!(world.send(&foreign, NOW).status, 403);
        assert_eq!(
            world.send(&get("/api/notifications", None), NOW).status,
            401
        );
    }
}
