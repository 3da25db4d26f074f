//! One event as the HTTP request each kind of channel expects.
//!
//! Every request carries `Idempotency-Key: stm-<delivery id>`: one key per event and
//! channel, the same on every retry, so a receiver that saw it already can drop it.
//! A generic webhook is signed per Standard Webhooks (<https://www.standardwebhooks.com>):
//! `webhook-id`, `webhook-timestamp` and `webhook-signature: v1,<base64 HMAC-SHA256 of
//! "{id}.{timestamp}.{body}">`, keyed by the channel's `whsec_` secret.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;

use super::event::Notification;
use super::target::{ChannelKind, ChannelTarget};
use crate::crypto::{random_bytes, CryptoError};
use crate::ports::{HttpRequest, Method};
use crate::time::{to_rfc3339, UnixMillis, SECOND_MS};

/// The prefix of a Standard Webhooks secret.
pub const SECRET_PREFIX: &str = "whsec_";
/// What we read of a receiver's answer: its status is what counts.
pub const MAX_ANSWER_BYTES: usize = 4 * 1024;
/// Discord refuses a message longer than this.
const DISCORD_MAX_CHARS: usize = 2_000;
const USER_AGENT: &str = "SpotifyTimeMachine-Notifications/1";

/// A new signing secret: 32 random bytes, as `whsec_<base64>`.
pub fn new_secret() -> Result<String, CryptoError> {
    Ok(format!(
        "{SECRET_PREFIX}{}",
        STANDARD.encode(random_bytes(32)?)
    ))
}

/// Why a request could not be made; the channel is misconfigured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageError(pub &'static str);

impl std::fmt::Display for MessageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

/// The Standard Webhooks signature of `body`: `v1,<base64>`.
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &str) -> Result<String, MessageError> {
    let key = secret
        .strip_prefix(SECRET_PREFIX)
        .and_then(|encoded| STANDARD.decode(encoded).ok())
        .filter(|key| !key.is_empty())
        .ok_or(MessageError(
            "the webhook's signing secret is not a whsec_ secret",
        ))?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key)
        .map_err(|_| MessageError("the webhook's signing secret is unusable"))?;
    mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
    Ok(format!(
        "v1,{}",
        STANDARD.encode(mac.finalize().into_bytes())
    ))
}

/// The webhook's JSON body: everything the event knows, and the words for people.
pub fn webhook_body(notification: &Notification) -> String {
    json!({
        "id": notification.id,
        "type": notification.kind.as_str(),
        "created_at": to_rfc3339(notification.created_at),
        "user": notification.user,
        "title": notification.title(),
        "message": notification.message(),
        "data": notification.data,
        "links": notification.links,
    })
    .to_string()
}

fn discord_content(notification: &Notification) -> String {
    let mut content = format!("**{}**\n{}", notification.title(), notification.message());
    if let Some(link) = notification.links.primary() {
        content.push('\n');
        content.push_str(link);
    }
    if content.chars().count() > DISCORD_MAX_CHARS {
        content = content.chars().take(DISCORD_MAX_CHARS - 1).collect();
        content.push('…');
    }
    content
}

/// The request that delivers `notification` to a channel of `kind` at `now`.
pub fn request(
    kind: ChannelKind,
    target: &ChannelTarget,
    notification: &Notification,
    now: UnixMillis,
) -> Result<HttpRequest, MessageError> {
    let mut headers = vec![
        ("User-Agent".to_owned(), USER_AGENT.to_owned()),
        ("Idempotency-Key".to_owned(), notification.id.clone()),
    ];
    let body = match kind {
        ChannelKind::Webhook => {
            let secret = target
                .secret
                .as_deref()
                .ok_or(MessageError("the webhook has no signing secret"))?;
            let body = webhook_body(notification);
            let timestamp = now.div_euclid(SECOND_MS);
            headers.extend([
                ("Content-Type".to_owned(), "application/json".to_owned()),
                ("webhook-id".to_owned(), notification.id.clone()),
                ("webhook-timestamp".to_owned(), timestamp.to_string()),
                (
                    "webhook-signature".to_owned(),
                    sign(secret, &notification.id, timestamp, &body)?,
                ),
            ]);
            body
        }
        ChannelKind::Ntfy => {
            headers.extend([
                (
                    "Content-Type".to_owned(),
                    "text/plain; charset=utf-8".to_owned(),
                ),
                ("Title".to_owned(), notification.title()),
                (
                    "Priority".to_owned(),
                    if notification.kind.is_urgent() {
                        "high"
                    } else {
                        "default"
                    }
                    .to_owned(),
                ),
                (
                    "Tags".to_owned(),
                    if notification.kind.is_urgent() {
                        "warning"
                    } else {
                        "headphones"
                    }
                    .to_owned(),
                ),
            ]);
            if let Some(link) = notification.links.primary() {
                headers.push(("Click".to_owned(), link.to_owned()));
            }
            if let Some(token) = &target.token {
                headers.push(("Authorization".to_owned(), format!("Bearer {token}")));
            }
            notification.message()
        }
        ChannelKind::Discord => {
            headers.push(("Content-Type".to_owned(), "application/json".to_owned()));
            json!({
                "username": "Spotify Time Machine",
                "content": discord_content(notification),
                // Nothing in our text may ping anyone.
                "allowed_mentions": { "parse": [] },
            })
            .to_string()
        }
    };
    Ok(HttpRequest {
        method: Method::Post,
        url: target.url.clone(),
        headers,
        body: Some(body),
        follow_redirects: false,
        max_response_bytes: Some(MAX_ANSWER_BYTES),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::event::{EventKind, Links, NotifiedUser};

    fn notification(kind: EventKind) -> Notification {
        Notification {
            id: "stm-42".into(),
            kind,
            created_at: 1_800_000_000_000,
            user: Some(NotifiedUser {
                id: "u1".into(),
                display_name: Some("Ada".into()),
            }),
            data: json!({"authorized_at": 1}),
            links: Links::for_event(kind, Some("https://tm.example.com")),
        }
    }

    /// Known answer: the Standard Webhooks reference libraries sign this input so
    /// (secret `whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw`, id `msg_p5jXN8AQM9LWM0D4loKWxJek`,
    /// timestamp 1614265330, body `{"test": 2432232314}`).
    #[test]
    fn the_signature_matches_the_standard_webhooks_example() {
        let signature = sign(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1_614_265_330,
            r#"{"test": 2432232314}"#,
        )
        .expect("signs");
        assert_eq!(signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn a_webhook_is_signed_json_with_the_idempotency_key() {
        let target = ChannelTarget {
            url: "https://hooks.example.com/in".into(),
            token: None,
            secret: Some(new_secret().expect("random")),
        };
        let event = notification(EventKind::NeedsLogin);
        let request =
            request(ChannelKind::Webhook, &target, &event, 1_800_000_000_500).expect("request");
        assert_eq!(request.header("Idempotency-Key"), Some("stm-42"));
        assert_eq!(request.header("webhook-id"), Some("stm-42"));
        assert_eq!(request.header("webhook-timestamp"), Some("1800000000"));
        let body = request.body.clone().expect("body");
        let expected = sign(
            target.secret.as_deref().expect("secret"),
            "stm-42",
            1_800_000_000,
            &body,
        )
        .expect("signs");
        assert_eq!(request.header("webhook-signature"), Some(expected.as_str()));
        let json: serde_json::Value = serde_json::from_str(&body).expect("json");
        assert_eq!(json["type"], "needs_login");
        assert_eq!(json["user"]["display_name"], "Ada");
        assert_eq!(json["links"]["login"], "https://tm.example.com/login");
    }

    #[test]
    fn a_webhook_without_a_secret_is_not_sent_unsigned() {
        let target = ChannelTarget {
            url: "https://hooks.example.com/in".into(),
            token: None,
            secret: None,
        };
        assert!(request(
            ChannelKind::Webhook,
            &target,
            &notification(EventKind::Test),
            0
        )
        .is_err());
    }

    #[test]
    fn ntfy_gets_text_a_title_a_link_and_the_token() {
        let target = ChannelTarget {
            url: "https://ntfy.sh/topic".into(),
            token: Some("tk_1".into()),
            secret: None,
        };
        let request = request(
            ChannelKind::Ntfy,
            &target,
            &notification(EventKind::NeedsLogin),
            0,
        )
        .expect("request");
        assert_eq!(request.header("Authorization"), Some("Bearer tk_1"));
        assert_eq!(
            request.header("Click"),
            Some("https://tm.example.com/login")
        );
        assert_eq!(request.header("Priority"), Some("high"));
        assert!(request
            .body
            .expect("body")
            .contains("Log in with Spotify again"));
    }

    #[test]
    fn discord_gets_content_that_pings_nobody() {
        let target = ChannelTarget {
            url: "https://discord.com/api/webhooks/1/a".into(),
            token: None,
            secret: None,
        };
        let request = request(
            ChannelKind::Discord,
            &target,
            &notification(EventKind::Test),
            0,
        )
        .expect("request");
        let json: serde_json::Value =
            serde_json::from_str(&request.body.expect("body")).expect("json");
        assert!(json["content"]
            .as_str()
            .expect("content")
            .starts_with("**Test notification**"));
        assert_eq!(json["allowed_mentions"]["parse"], json!([]));
    }
}
