//! One attempt at one delivery: claim it, send it, classify the answer, settle it.
//!
//! A delivery is made at most once: the claim holds it from duplicate messages while
//! it is sent, a settled one is never claimed again, and the idempotency key (the same
//! on every retry) lets a receiver drop a repeat if a success could not be recorded.

use serde_json::Value;

use super::event::{EventKind, Links, Notification, NotifiedUser};
use super::message::{request, MessageError};
use super::target::{ChannelKind, ChannelTarget, UrlPolicy};
use super::NotifyMessage;
use crate::config::ConfigError;
use crate::crypto::{sha256_hex, TokenCipher};
use crate::engine::archive::{MessageDecision, MAX_QUEUE_DELAY_SECONDS, UNRECORDED_RETRY_SECONDS};
use crate::ports::{
    Database, HttpClient, HttpResponse, KeyValueStore, Log, LogLine, TransportError,
};
use crate::shards::{ShardIndex, Shards, DIRECTORY};
use crate::spotify::retry_after::parse_retry_after;
use crate::store::notifications::{
    channel_seal_context, ClaimedDelivery, OperatorAlert, Settlement,
};
use crate::store::Store;
use crate::time::{UnixMillis, SECOND_MS};

/// Attempts per delivery (`NOTIFY_MAX_ATTEMPTS`): with the default 60 s base, the last
/// comes about two hours after the first (1, 2, 4, 8, 16, 32 and 64 minutes apart),
/// unless the receiver asks for longer waits with `Retry-After`: an outage of ntfy or
/// Discord of an hour does not cost a user their channel.
pub const DEFAULT_MAX_ATTEMPTS: i64 = 8;
/// The default base of the backoff, in seconds (`NOTIFY_RETRY_BASE_SECONDS`).
pub const DEFAULT_RETRY_BASE_SECONDS: u64 = 60;
const NO_OPERATOR: &str = "no operator channel is configured (OPERATOR_ALERT_URL)";

/// How long the mark of a sent delivery is kept in KV: longer than any retry.
pub const SENT_MARK_TTL_SECONDS: u64 = 7 * 24 * 60 * 60;

/// A delivery's name across shards: outbox ids count from 1 in every shard. Shard 0's
/// is its id alone, as before there were shards.
fn delivery_name(shard: ShardIndex, id: i64) -> String {
    if shard == DIRECTORY {
        id.to_string()
    } else {
        format!("{shard}-{id}")
    }
}

/// The KV key that says delivery `id` of `shard` was sent (and its record may still be
/// missing).
pub fn sent_mark(shard: ShardIndex, id: i64) -> String {
    format!("notification_sent_{}", delivery_name(shard, id))
}

/// The idempotency key (and webhook id) of delivery `id` of `shard`: the same on every
/// retry, and never the same for two deliveries, whichever shards they are in.
pub fn delivery_key(shard: ShardIndex, id: i64) -> String {
    format!("stm-{}", delivery_name(shard, id))
}

/// The operator's channel, from vars and secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperatorChannel {
    pub kind: ChannelKind,
    pub target: ChannelTarget,
}

/// The deployment's notification settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifyConfig {
    /// Where links in messages lead (`PUBLIC_URL`); no links without it.
    pub public_url: Option<String>,
    pub retry_base_seconds: u64,
    /// Attempts per delivery before it fails and its channel is disabled.
    pub max_attempts: i64,
    pub url_policy: UrlPolicy,
    /// The operator's channel; `Err` names the setting that is wrong: the operator's
    /// alerts are then kept, not sent, and everything else works.
    pub operator: Result<Option<OperatorChannel>, ConfigError>,
}

impl Default for NotifyConfig {
    fn default() -> Self {
        Self {
            public_url: None,
            retry_base_seconds: DEFAULT_RETRY_BASE_SECONDS,
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            url_policy: UrlPolicy::default(),
            operator: Ok(None),
        }
    }
}

/// What a receiver's answer means for the delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Delivered,
    /// Worth another try: 5xx, 408, 429 or no answer; `retry_after_seconds` when the
    /// receiver said how long to wait.
    Later {
        retry_after_seconds: Option<u64>,
        error: String,
    },
    /// The receiver will never take it (any other 4xx: a deleted Discord webhook is 404,
    /// a wrong ntfy token 401/403).
    Refused {
        error: String,
    },
}

fn retry_after(response: &HttpResponse, now: UnixMillis) -> Option<u64> {
    let value = response.header("Retry-After")?;
    parse_retry_after(value, now).or_else(|| {
        // Fractions of a second (Discord's rate limits): round up.
        value
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|seconds| seconds.is_finite() && *seconds >= 0.0)
            .map(|seconds| seconds.ceil() as u64)
    })
}

pub fn classify(result: &Result<HttpResponse, TransportError>, now: UnixMillis) -> Answer {
    match result {
        Ok(response) if (200..300).contains(&response.status) => Answer::Delivered,
        Ok(response) if matches!(response.status, 408 | 429) || response.status >= 500 => {
            Answer::Later {
                retry_after_seconds: retry_after(response, now),
                error: format!("HTTP {}", response.status),
            }
        }
        Ok(response) if (300..400).contains(&response.status) => Answer::Refused {
            error: format!(
                "HTTP {} (a redirect: give the channel its final URL)",
                response.status
            ),
        },
        Ok(response) => Answer::Refused {
            error: format!("HTTP {}", response.status),
        },
        Err(error) => Answer::Later {
            retry_after_seconds: None,
            error: error.to_string(),
        },
    }
}

/// The wait before the attempt after `attempts` failed ones: doubling from `base`.
pub fn backoff_seconds(attempts: i64, base: u64) -> u64 {
    let doublings = u32::try_from(attempts.saturating_sub(1).clamp(0, 20)).unwrap_or(20);
    base.max(1)
        .saturating_mul(1_u64 << doublings)
        .min(MAX_QUEUE_DELAY_SECONDS)
}

/// How one attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryOutcome {
    Delivered,
    /// Nothing to attempt: settled already, deleted, held by another attempt, not due.
    NothingToDo,
    /// Stored for another attempt after `delay_seconds`; the message is retried then.
    Retrying {
        delay_seconds: u64,
        error: String,
    },
    /// Not sent, and never will be; the channel is not at fault.
    Dropped {
        error: String,
    },
    /// Failed for good: the channel is disabled.
    Failed {
        error: String,
        dead_letter: bool,
    },
    /// The outcome could not be stored: the message is retried.
    Unrecorded {
        error: String,
    },
}

impl DeliveryOutcome {
    pub fn label(&self) -> &'static str {
        match self {
            Self::Delivered => "delivered",
            Self::NothingToDo => "nothing_to_do",
            Self::Retrying { .. } => "retrying",
            Self::Dropped { .. } => "dropped",
            Self::Failed { .. } => "failed",
            Self::Unrecorded { .. } => "unrecorded",
        }
    }

    pub fn decision(&self) -> MessageDecision {
        match self {
            Self::Retrying { delay_seconds, .. } => MessageDecision::Retry {
                delay_seconds: *delay_seconds,
            },
            Self::Unrecorded { .. } => MessageDecision::Retry {
                delay_seconds: UNRECORDED_RETRY_SECONDS,
            },
            _ => MessageDecision::Ack,
        }
    }
}

/// Everything a delivery needs, borrowed from the edge.
pub struct Deliverer<'a, D, K, H> {
    /// Each delivery is in the outbox of its user's shard; the operator's in shard 0.
    pub shards: Shards<'a, D>,
    /// Where a sent delivery is marked before its record is written: if D1 fails in
    /// between, the retry finds the mark and records it instead of sending it again.
    pub kv: &'a K,
    pub http: &'a H,
    pub cipher: &'a TokenCipher,
    pub config: &'a NotifyConfig,
    /// Where a failure that changes no outcome is told (a mark or a reseal not written).
    pub log: &'a dyn Log,
}

/// Where a claimed delivery goes, or why it goes nowhere.
enum Destination {
    Channel(ChannelKind, ChannelTarget),
    /// A channel whose target must be sealed again (sealed before, sealed now).
    Reseal(ChannelKind, ChannelTarget, String, String),
    /// Nowhere to send it, and nobody at fault.
    Nowhere(String),
    Broken(String),
}

impl<D: Database, K: KeyValueStore, H: HttpClient> Deliverer<'_, D, K, H> {
    pub async fn deliver(&self, message: &NotifyMessage, now: UnixMillis) -> DeliveryOutcome {
        match message {
            NotifyMessage::Delivery(id) => self.deliver_stored(DIRECTORY, *id, now).await,
            NotifyMessage::ShardDelivery { shard, id } => {
                self.deliver_stored(*shard, *id, now).await
            }
            NotifyMessage::OperatorAlert(alert) => self.deliver_unstored(alert, now).await,
            // The consumer hands these to `forward::sender::Forwarder`; one that reaches
            // here is retried until it lands in the dead-letter queue, told in the log.
            NotifyMessage::Forward { .. } => DeliveryOutcome::Unrecorded {
                error: "a forwarding message reached the notification deliverer".to_owned(),
            },
        }
    }

    async fn deliver_stored(&self, shard: ShardIndex, id: i64, now: UnixMillis) -> DeliveryOutcome {
        let db = match self.shards.get(shard) {
            Ok(db) => db,
            // Not bound (a binding removed by mistake): retried, it reaches the
            // dead-letter queue, and an operator who binds the shard again can replay it.
            Err(error) => {
                return DeliveryOutcome::Unrecorded {
                    error: error.to_string(),
                }
            }
        };
        let store = Store::new(db);
        let delivery = match store.claim_delivery(id, now).await {
            Ok(Some(delivery)) => delivery,
            Ok(None) => return DeliveryOutcome::NothingToDo,
            Err(error) => {
                return DeliveryOutcome::Unrecorded {
                    error: error.to_string(),
                }
            }
        };
        // Sent by an attempt whose record failed: record it, do not send it again. (A KV
        // that does not answer cannot say: the send goes ahead, and the idempotency key
        // is the receiver's guard.)
        let outcome = match self.kv.get(&sent_mark(shard, id)).await {
            Ok(Some(_)) => DeliveryOutcome::Delivered,
            _ => self.attempt(db, shard, &delivery, now).await,
        };
        if outcome == DeliveryOutcome::Delivered {
            let marked = self
                .kv
                .put(&sent_mark(shard, id), "sent", SENT_MARK_TTL_SECONDS)
                .await;
            if let Err(error) = marked {
                self.log.write(
                    LogLine::warn("delivery_unmarked")
                        .field("shard", shard)
                        .field("delivery", id)
                        .field("error", error.to_string()),
                );
            }
        }
        let settlement = match &outcome {
            DeliveryOutcome::Delivered => Settlement::Delivered,
            DeliveryOutcome::Retrying {
                delay_seconds,
                error,
            } => Settlement::RetryAt {
                not_before: now + i64::try_from(*delay_seconds).unwrap_or(0) * SECOND_MS,
                error,
            },
            DeliveryOutcome::Dropped { error } => Settlement::Dropped { error },
            DeliveryOutcome::Failed { error, dead_letter } => Settlement::Failed {
                error,
                dead_letter: *dead_letter,
            },
            DeliveryOutcome::NothingToDo | DeliveryOutcome::Unrecorded { .. } => return outcome,
        };
        match store.settle_delivery(&delivery, &settlement, now).await {
            Ok(()) => outcome,
            Err(error) => DeliveryOutcome::Unrecorded {
                error: format!("{}; then {error}", outcome.label()),
            },
        }
    }

    fn destination(&self, delivery: &ClaimedDelivery) -> Destination {
        if delivery.channel_id == 0 {
            return match &self.config.operator {
                Ok(Some(operator)) => Destination::Channel(operator.kind, operator.target.clone()),
                Ok(None) => Destination::Nowhere(NO_OPERATOR.to_owned()),
                Err(error) => Destination::Nowhere(format!("the operator's channel: {error}")),
            };
        }
        let (Some(kind), Some(sealed)) = (&delivery.kind, &delivery.target_enc) else {
            return Destination::Nowhere("the channel was deleted".to_owned());
        };
        if delivery.enabled == Some(0) && delivery.event != EventKind::Test.as_str() {
            return Destination::Nowhere("the channel is disabled".to_owned());
        }
        let Some(kind) = ChannelKind::parse(kind) else {
            return Destination::Broken(format!("unknown channel kind {kind}"));
        };
        let context = channel_seal_context(&delivery.user_id);
        let target = self
            .cipher
            .open(sealed, &context)
            .map_err(|error| error.to_string())
            .and_then(|text| {
                let target = serde_json::from_str::<ChannelTarget>(&text)
                    .map_err(|error| error.to_string())?;
                Ok((text, target))
            });
        match target {
            Ok((text, target)) => {
                // While TOKEN_ENCRYPTION_KEY is rotated, a channel sealed under the previous
                // key is sealed again, so that the previous key can be retired.
                if self.cipher.is_stale(sealed) {
                    if let Ok(resealed) = self.cipher.seal(&text, &context) {
                        return Destination::Reseal(kind, target, sealed.clone(), resealed);
                    }
                }
                Destination::Channel(kind, target)
            }
            Err(error) => Destination::Broken(format!(
                "the channel's settings no longer open ({error}); add the channel again"
            )),
        }
    }

    async fn attempt(
        &self,
        db: &D,
        shard: ShardIndex,
        delivery: &ClaimedDelivery,
        now: UnixMillis,
    ) -> DeliveryOutcome {
        let (kind, target) = match self.destination(delivery) {
            Destination::Channel(kind, target) => (kind, target),
            Destination::Reseal(kind, target, before, now_sealed) => {
                // Best effort: the next delivery tries again.
                let resealed = Store::new(db)
                    .reseal_channel(delivery.channel_id, &before, &now_sealed)
                    .await;
                if let Err(error) = resealed {
                    self.log.write(
                        LogLine::warn("channel_unresealed")
                            .field("shard", shard)
                            .field("channel", delivery.channel_id)
                            .field("error", error.to_string()),
                    );
                }
                (kind, target)
            }
            Destination::Nowhere(error) => return DeliveryOutcome::Dropped { error },
            Destination::Broken(error) => {
                return DeliveryOutcome::Failed {
                    error,
                    dead_letter: false,
                }
            }
        };
        let Some(event) = EventKind::parse(&delivery.event) else {
            return DeliveryOutcome::Dropped {
                error: format!("unknown event {}", delivery.event),
            };
        };
        let data: Value = match serde_json::from_str(&delivery.data) {
            Ok(data) => data,
            Err(error) => {
                return DeliveryOutcome::Dropped {
                    error: format!("the event's data is not JSON: {error}"),
                }
            }
        };
        let notification = Notification {
            id: delivery_key(shard, delivery.id),
            kind: event,
            created_at: delivery.created_at,
            user: (!delivery.user_id.is_empty()).then(|| NotifiedUser {
                id: delivery.user_id.clone(),
                display_name: delivery.display_name.clone(),
            }),
            data,
            links: Links::for_event(event, self.config.public_url.as_deref()),
        };
        match self.send(kind, &target, &notification, now).await {
            Ok(Answer::Delivered) => DeliveryOutcome::Delivered,
            Ok(Answer::Later {
                retry_after_seconds,
                error,
            }) if delivery.attempts < self.config.max_attempts => DeliveryOutcome::Retrying {
                delay_seconds: retry_after_seconds
                    .unwrap_or_else(|| {
                        backoff_seconds(delivery.attempts, self.config.retry_base_seconds)
                    })
                    .clamp(1, MAX_QUEUE_DELAY_SECONDS),
                error,
            },
            Ok(Answer::Later { error, .. }) => DeliveryOutcome::Failed {
                error: format!(
                    "{} attempts failed, the last with {error}",
                    delivery.attempts
                ),
                dead_letter: true,
            },
            Ok(Answer::Refused { error }) => DeliveryOutcome::Failed {
                error: format!("the receiver refused the delivery with {error}"),
                dead_letter: false,
            },
            Err(error) => DeliveryOutcome::Failed {
                error: error.to_string(),
                dead_letter: false,
            },
        }
    }

    async fn send(
        &self,
        kind: ChannelKind,
        target: &ChannelTarget,
        notification: &Notification,
        now: UnixMillis,
    ) -> Result<Answer, MessageError> {
        let request = request(kind, target, notification, now)?;
        let result = self.http.send(request).await;
        Ok(classify(&result, now))
    }

    /// An operator alert the database could not take: sent as it is, retried by the
    /// queue (its retries, then its dead-letter queue) while the receiver fails.
    async fn deliver_unstored(&self, alert: &OperatorAlert, now: UnixMillis) -> DeliveryOutcome {
        let operator = match &self.config.operator {
            Ok(Some(operator)) => operator,
            Ok(None) => {
                return DeliveryOutcome::Dropped {
                    error: NO_OPERATOR.to_owned(),
                }
            }
            Err(error) => {
                return DeliveryOutcome::Dropped {
                    error: format!("the operator's channel: {error}"),
                }
            }
        };
        let Some(event) = EventKind::parse(&alert.event) else {
            return DeliveryOutcome::Dropped {
                error: format!("unknown event {}", alert.event),
            };
        };
        let notification = Notification {
            // The key names the occurrence: the same alert has the same id.
            id: format!("stm-alert-{}", &sha256_hex(alert.key.as_bytes())[..16]),
            kind: event,
            created_at: now,
            user: None,
            data: alert.data.clone(),
            links: Links::for_event(event, self.config.public_url.as_deref()),
        };
        match self
            .send(operator.kind, &operator.target, &notification, now)
            .await
        {
            Ok(Answer::Delivered) => DeliveryOutcome::Delivered,
            Ok(Answer::Later {
                retry_after_seconds,
                error,
            }) => DeliveryOutcome::Retrying {
                delay_seconds: retry_after_seconds
                    .unwrap_or(self.config.retry_base_seconds)
                    .clamp(1, MAX_QUEUE_DELAY_SECONDS),
                error,
            },
            Ok(Answer::Refused { error }) => DeliveryOutcome::Dropped {
                error: format!("the operator's channel refused the alert with {error}"),
            },
            Err(error) => DeliveryOutcome::Dropped {
                error: error.to_string(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, retry_after: Option<&str>) -> Result<HttpResponse, TransportError> {
        Ok(HttpResponse {
            status,
            headers: retry_after
                .map(|value| vec![("Retry-After".to_owned(), value.to_owned())])
                .unwrap_or_default(),
            body: String::new(),
        })
    }

    #[test]
    fn answers_are_delivered_later_or_refused() {
        assert_eq!(classify(&answer(204, None), 0), Answer::Delivered);
        assert!(matches!(
            classify(&answer(500, None), 0),
            Answer::Later {
                retry_after_seconds: None,
                ..
            }
        ));
        assert!(matches!(
            classify(&answer(429, Some("120")), 0),
            Answer::Later {
                retry_after_seconds: Some(120),
                ..
            }
        ));
        assert!(matches!(
            classify(&answer(429, Some("0.25")), 0),
            Answer::Later {
                retry_after_seconds: Some(1),
                ..
            }
        ));
        assert!(matches!(
            classify(&answer(404, None), 0),
            Answer::Refused { .. }
        ));
        assert!(matches!(
            classify(&Err(TransportError::Timeout), 0),
            Answer::Later { .. }
        ));
    }

    #[test]
    fn the_backoff_doubles_and_is_capped() {
        assert_eq!(backoff_seconds(1, 60), 60);
        assert_eq!(backoff_seconds(2, 60), 120);
        assert_eq!(backoff_seconds(7, 60), 3_840);
        assert_eq!(backoff_seconds(60, 30), MAX_QUEUE_DELAY_SECONDS);
        assert_eq!(backoff_seconds(1, 0), 1);
    }
}
