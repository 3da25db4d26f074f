//! Notification channels and the outbox of deliveries.
//!
//! An event is raised by a statement that runs in the same batch as the change that
//! causes it (a failure recorded, a login refused, a gap written, an import finished, a
//! forwarding credential refused):
//! either both are stored or neither. It becomes one outbox row per enabled channel of
//! the user, unless the same occurrence was raised before (`UNIQUE (channel_id,
//! event_key)`) or the user's daily limit of events is reached. Rows wait with
//! `relay_at` set until [`crate::notify::relay`] sends them to the queue; a delivery
//! settles as delivered or failed, and the row is forgotten 90 days later.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::{decode, decode_all, Store, StoreError};
use crate::account::REFRESH_TOKEN_LIFETIME_MS;
use crate::notify::target::ChannelKind;
use crate::ports::{Database, Row, Statement};
use crate::time::{UnixMillis, DAY_MS};

/// Channels per user, at most.
pub const MAX_CHANNELS_PER_USER: usize = 10;
/// Settled deliveries are forgotten after this long (the occurrence keys with them).
pub const OUTBOX_RETENTION_MS: i64 = 90 * DAY_MS;
/// The operator's daily limit of alerts.
pub const OPERATOR_DAILY_LIMIT: i64 = 24;
/// A relayed delivery is sent to the queue again after this long if it is still pending
/// (its message was lost, or the consumer never settled it).
pub const RELAY_AGAIN_AFTER_MS: i64 = 15 * 60 * 1_000;
/// An attempt holds its delivery this long: a duplicate message meanwhile does nothing.
pub const SENDING_LEASE_MS: i64 = 60 * 1_000;

/// The user events' common shape: `$event` is a SELECT of (event, occurrence, data) for
/// user ?1 at ?2, one row when the event holds; it fans out to the user's enabled
/// channels under the daily limit. D1 binds every number as REAL: a number that goes into
/// text (a key, the event's JSON) is cast to INTEGER first, or it would read `14.0`.
macro_rules! raise_user_event {
    ($event:expr) => {
        concat!(
            "INSERT INTO notification_outbox (user_id, channel_id, event_key, event, data, created_at, not_before, relay_at)
SELECT c.user_id, c.id, e.event || ':' || e.occurrence, e.event, e.data, ?2, ?2, ?2
  FROM (",
            $event,
            ") AS e
  JOIN notification_channels c ON c.user_id = ?1 AND c.enabled = 1
 WHERE (SELECT count(DISTINCT o.event_key) FROM notification_outbox o
         WHERE o.user_id = ?1 AND o.created_at > ?2 - 86400000)
       < (SELECT l.notify_daily_limit FROM users l WHERE l.id = ?1)
ON CONFLICT DO NOTHING"
        )
    };
}

/// Spotify refused the refresh token (?3: the token's lifetime): `refresh_token_expired`
/// when its six months are over, else `needs_login`. Once per authorization.
pub(super) const RAISE_NEEDS_LOGIN: &str = raise_user_event!(
    "SELECT CASE WHEN ?2 >= u.authorized_at + ?3 THEN 'refresh_token_expired' ELSE 'needs_login' END AS event,
       u.authorized_at AS occurrence,
       json_object('authorized_at', u.authorized_at,
                   'refresh_token_expires_at', u.authorized_at + CAST(?3 AS INTEGER)) AS data
  FROM users u WHERE u.id = ?1 AND u.needs_reauth = 1"
);

/// Archiving has failed since `failing_since` for longer than the user's threshold.
/// Once per streak of failures.
pub(super) const RAISE_FAILING: &str = raise_user_event!(
    "SELECT 'archiving_failing' AS event, u.failing_since AS occurrence,
       json_object('failing_since', u.failing_since, 'failures', u.consecutive_failures,
                   'last_failure_type', u.last_failure_type, 'next_attempt_at', u.cooldown_until) AS data
  FROM users u WHERE u.id = ?1 AND u.failing_since IS NOT NULL
   AND ?2 - u.failing_since >= u.notify_failing_after_hours * 3600000"
);

/// The refresh token (lifetime ?3) ends within ?4 days (14, then 3). Once per stage
/// and authorization.
pub(super) const RAISE_EXPIRING: &str = raise_user_event!(
    "SELECT 'refresh_token_expiring' AS event, 'd' || CAST(?4 AS INTEGER) || ':' || u.authorized_at AS occurrence,
       json_object('expires_at', u.authorized_at + CAST(?3 AS INTEGER),
                   'days_left', (u.authorized_at + CAST(?3 AS INTEGER) - CAST(?2 AS INTEGER) + 86399999) / 86400000,
                   'stage_days', CAST(?4 AS INTEGER)) AS data
  FROM users u WHERE u.id = ?1 AND u.authorized_at + ?3 > ?2 AND u.authorized_at + ?3 - ?2 <= ?4 * 86400000"
);

/// A gap from ?3 to ?4 (reason ?5) was recorded, for users who asked. Once per gap.
pub(super) const RAISE_GAP: &str = raise_user_event!(
    "SELECT 'gap_recorded' AS event, CAST(?3 AS INTEGER) AS occurrence,
       json_object('from', CAST(?3 AS INTEGER), 'to', CAST(?4 AS INTEGER), 'reason', ?5) AS data
  FROM users u WHERE u.id = ?1 AND u.notify_gaps = 1"
);

/// Import ?3 finished, with its report. Once per import.
pub(super) const RAISE_IMPORT_FINISHED: &str = raise_user_event!(
    "SELECT 'import_finished' AS event, i.id AS occurrence,
       json_object('import_id', i.id, 'records_read', i.records_read, 'imported', i.imported,
                   'merged', i.merged,
                   'skipped', i.skipped_duplicate + i.skipped_short + i.skipped_incognito + i.skipped_unidentified,
                   'errors', i.errors, 'gaps_filled', i.gaps_filled, 'finished_at', i.finished_at) AS data
  FROM imports i WHERE i.id = ?3 AND i.user_id = ?1 AND i.finished_at IS NOT NULL"
);

/// Destination ?3 stopped at ?2: its service refused the credential. Raised in the batch
/// that records the revocation, once per destination and revocation (connecting again
/// and being refused again is a new stop). Never the credential, only what the user
/// needs to act: the service, the account and how many plays wait.
pub(super) const RAISE_FORWARDING_STOPPED: &str = raise_user_event!(
    "SELECT 'forwarding_stopped' AS event, d.id || ':' || d.revoked_at AS occurrence,
       json_object('service', d.service, 'account', d.account, 'revoked_at', d.revoked_at,
                   'pending', d.pending, 'error', d.last_error) AS data
  FROM forward_destinations d
 WHERE d.id = ?3 AND d.revoked_at = ?2 AND d.user_key = (SELECT key FROM users WHERE id = ?1)"
);

/// A test of channel ?3, enabled or not (a test that gets through enables it again).
pub(super) const RAISE_TEST: &str = "\
INSERT INTO notification_outbox (user_id, channel_id, event_key, event, data, created_at, not_before, relay_at)
SELECT c.user_id, c.id, 'test:' || CAST(?2 AS INTEGER), 'test', json_object('channel', c.kind), ?2, ?2, ?2
  FROM notification_channels c
 WHERE c.id = ?3 AND c.user_id = ?1
   AND (SELECT count(DISTINCT o.event_key) FROM notification_outbox o
         WHERE o.user_id = ?1 AND o.created_at > ?2 - 86400000)
       < (SELECT l.notify_daily_limit FROM users l WHERE l.id = ?1)
ON CONFLICT DO NOTHING
RETURNING id";

/// The operator's alerts (channel 0), key ?1, event ?2, data ?3 at ?4, under ?5 a day.
macro_rules! raise_operator_event {
    ($condition:expr) => {
        concat!(
            "INSERT INTO notification_outbox (user_id, channel_id, event_key, event, data, created_at, not_before, relay_at)
SELECT '', 0, ?1, ?2, ?3, ?4, ?4, ?4
 WHERE (SELECT count(DISTINCT o.event_key) FROM notification_outbox o
         WHERE o.user_id = '' AND o.created_at > ?4 - 86400000) < ?5",
            $condition,
            "
ON CONFLICT DO NOTHING"
        )
    };
}

pub(super) const RAISE_OPERATOR: &str = raise_operator_event!("");

/// Spotify's quota rest, raised only when a new rest begins (none in force at ?4): many
/// users hear the same 429 at once.
pub(super) const RAISE_OPERATOR_APP_REST: &str = raise_operator_event!(
    "
   AND NOT EXISTS (SELECT 1 FROM app_rests r WHERE r.name = 'spotify_quota' AND r.until > ?4)"
);

/// The pending deliveries due at ?1 (at most ?2), held from the relay for ?3 ms.
pub(super) const RELAY_DUE: &str = "\
UPDATE notification_outbox SET relay_at = ?1 + ?3
 WHERE id IN (SELECT id FROM notification_outbox WHERE relay_at <= ?1 ORDER BY relay_at LIMIT ?2)
RETURNING id";

/// An attempt takes delivery ?1 at ?2 if it is pending, due (with 5 s for the queue's
/// clock) and not held by another attempt.
pub(super) const CLAIM_DELIVERY: &str = "\
UPDATE notification_outbox SET attempts = attempts + 1, sending_until = ?2 + ?3
 WHERE id = ?1 AND relay_at IS NOT NULL AND not_before <= ?2 + 5000 AND coalesce(sending_until, 0) <= ?2
RETURNING id";

pub(super) const SELECT_DELIVERY: &str = "\
SELECT o.id, o.user_id, o.channel_id, o.event, o.data, o.created_at, o.attempts,
       c.kind, c.target_enc, c.enabled, u.display_name
  FROM notification_outbox o
  LEFT JOIN notification_channels c ON c.id = o.channel_id AND c.user_id = o.user_id
  LEFT JOIN users u ON u.id = o.user_id AND o.user_id <> ''
 WHERE o.id = ?1";

pub(super) const DELIVERED: &str = "\
UPDATE notification_outbox SET delivered_at = ?2, relay_at = NULL, sending_until = NULL, last_error = NULL
 WHERE id = ?1 AND relay_at IS NOT NULL AND attempts = ?3";

/// A delivery reached the channel; a test that did enables it again.
pub(super) const CHANNEL_DELIVERED: &str = "\
UPDATE notification_channels SET last_delivered_at = ?2,
       enabled = CASE WHEN ?3 = 'test' THEN 1 ELSE enabled END,
       disabled_at = CASE WHEN ?3 = 'test' THEN NULL ELSE disabled_at END,
       disabled_reason = CASE WHEN ?3 = 'test' THEN NULL ELSE disabled_reason END
 WHERE id = ?1";

pub(super) const RETRY_LATER: &str = "\
UPDATE notification_outbox SET not_before = ?2, relay_at = ?2 + ?4, sending_until = NULL, last_error = ?3
 WHERE id = ?1 AND relay_at IS NOT NULL AND attempts = ?5";

pub(super) const SETTLE_FAILED: &str = "\
UPDATE notification_outbox SET failed_at = ?2, relay_at = NULL, sending_until = NULL, last_error = ?3
 WHERE id = ?1 AND relay_at IS NOT NULL AND attempts = ?4";

pub(super) const DISABLE_CHANNEL: &str = "\
UPDATE notification_channels SET enabled = 0, disabled_at = ?2, disabled_reason = ?3
 WHERE id = ?1 AND enabled = 1";

/// The other deliveries waiting for a channel that was just disabled will not go either.
pub(super) const CANCEL_CHANNEL_PENDING: &str = "\
UPDATE notification_outbox SET failed_at = ?2, relay_at = NULL, sending_until = NULL,
                               last_error = 'the channel was disabled'
 WHERE channel_id = ?1 AND relay_at IS NOT NULL AND id <> ?3";

/// A channel's target sealed again under the current key (while the key is rotated).
pub(super) const RESEAL_CHANNEL: &str = "\
UPDATE notification_channels SET target_enc = ?3 WHERE id = ?1 AND target_enc = ?2";

pub(super) const INSERT_CHANNEL: &str = "\
INSERT INTO notification_channels (user_id, kind, target_enc, target_hint, created_at)
SELECT ?1, ?2, ?3, ?4, ?5
 WHERE (SELECT count(*) FROM notification_channels WHERE user_id = ?1) < ?6
RETURNING id";

pub(super) const USER_CHANNELS: &str = "\
SELECT id, kind, target_hint, enabled, disabled_at, disabled_reason, created_at, last_delivered_at
  FROM notification_channels WHERE user_id = ?1 ORDER BY id";

pub(super) const DELETE_CHANNEL_PENDING: &str = "\
DELETE FROM notification_outbox
 WHERE channel_id = ?1 AND relay_at IS NOT NULL
   AND EXISTS (SELECT 1 FROM notification_channels c WHERE c.id = ?1 AND c.user_id = ?2)";

pub(super) const DELETE_CHANNEL: &str = "\
DELETE FROM notification_channels WHERE id = ?1 AND user_id = ?2 RETURNING id";

pub(super) const NOTIFY_SETTINGS: &str = "\
SELECT notify_failing_after_hours, notify_gaps, notify_daily_limit FROM users WHERE id = ?1";

pub(super) const SAVE_NOTIFY_SETTINGS: &str = "\
UPDATE users SET notify_failing_after_hours = ?2, notify_gaps = ?3, notify_daily_limit = ?4, updated_at = ?5
 WHERE id = ?1";

pub(super) const RECENT_DELIVERIES: &str = "\
SELECT id, channel_id, event, created_at, attempts, delivered_at, failed_at, last_error
  FROM notification_outbox WHERE user_id = ?1 ORDER BY created_at DESC LIMIT ?2";

pub(super) const DELETE_USER_OUTBOX: &str = "DELETE FROM notification_outbox WHERE user_id = ?1";
pub(super) const DELETE_USER_CHANNELS: &str =
    "DELETE FROM notification_channels WHERE user_id = ?1";

/// Settled deliveries older than ?1, a thousand per sweep at most.
pub(super) const FORGET_OLD_DELIVERIES: &str = "\
DELETE FROM notification_outbox
 WHERE id IN (SELECT id FROM notification_outbox WHERE created_at < ?1 AND relay_at IS NULL LIMIT 1000)";

/// The statement that takes the deliveries due at `now` for the queue.
pub(super) fn relay_due(now: UnixMillis, limit: usize) -> Statement {
    Statement::new(
        RELAY_DUE,
        vec![json!(now), json!(limit), json!(RELAY_AGAIN_AFTER_MS)],
    )
}

/// The ids [`RELAY_DUE`] answered.
pub(super) fn relayed_ids(rows: Vec<Row>) -> Result<Vec<i64>, StoreError> {
    #[derive(Deserialize)]
    struct Due {
        id: i64,
    }
    Ok(decode_all::<Due>(rows)?
        .into_iter()
        .map(|due| due.id)
        .collect())
}

/// The statement that raises `needs_login` (or `refresh_token_expired`) for the user.
pub(super) fn needs_login(user_id: &str, now: UnixMillis) -> Statement {
    Statement::new(
        RAISE_NEEDS_LOGIN,
        vec![json!(user_id), json!(now), json!(REFRESH_TOKEN_LIFETIME_MS)],
    )
}

pub(super) fn failing(user_id: &str, now: UnixMillis) -> Statement {
    Statement::new(RAISE_FAILING, vec![json!(user_id), json!(now)])
}

pub(super) fn expiring(user_id: &str, stage_days: i64, now: UnixMillis) -> Statement {
    Statement::new(
        RAISE_EXPIRING,
        vec![
            json!(user_id),
            json!(now),
            json!(REFRESH_TOKEN_LIFETIME_MS),
            json!(stage_days),
        ],
    )
}

pub(super) fn gap(
    user_id: &str,
    from: UnixMillis,
    to: UnixMillis,
    reason: &str,
    now: UnixMillis,
) -> Statement {
    Statement::new(
        RAISE_GAP,
        vec![
            json!(user_id),
            json!(now),
            json!(from),
            json!(to),
            json!(reason),
        ],
    )
}

pub(super) fn import_finished(user_id: &str, import_id: i64, now: UnixMillis) -> Statement {
    Statement::new(
        RAISE_IMPORT_FINISHED,
        vec![json!(user_id), json!(now), json!(import_id)],
    )
}

pub(super) fn forwarding_stopped(user_id: &str, destination_id: i64, now: UnixMillis) -> Statement {
    Statement::new(
        RAISE_FORWARDING_STOPPED,
        vec![json!(user_id), json!(now), json!(destination_id)],
    )
}

/// An operator alert, once per `key`.
pub fn operator_alert(alert: &OperatorAlert, now: UnixMillis) -> Statement {
    Statement::new(RAISE_OPERATOR, operator_params(alert, now))
}

pub(super) fn operator_app_rest(until: UnixMillis, now: UnixMillis) -> Statement {
    let alert = OperatorAlert {
        key: format!("app_quota_rest:{now}"),
        event: "app_quota_rest".to_owned(),
        data: json!({ "until": until }),
    };
    Statement::new(RAISE_OPERATOR_APP_REST, operator_params(&alert, now))
}

fn operator_params(alert: &OperatorAlert, now: UnixMillis) -> Vec<Value> {
    vec![
        json!(alert.key),
        json!(alert.event),
        json!(alert.data.to_string()),
        json!(now),
        json!(OPERATOR_DAILY_LIMIT),
    ]
}

/// An alert for the operator, before it is stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OperatorAlert {
    /// The occurrence: the same key is raised once.
    pub key: String,
    pub event: String,
    pub data: Value,
}

/// A user's channel as pages and the API show it: never its URL.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct ChannelView {
    pub id: i64,
    pub kind: String,
    pub target_hint: String,
    pub enabled: i64,
    pub disabled_at: Option<UnixMillis>,
    pub disabled_reason: Option<String>,
    pub created_at: UnixMillis,
    pub last_delivered_at: Option<UnixMillis>,
}

/// What the user wants to hear.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
pub struct NotifySettings {
    pub notify_failing_after_hours: i64,
    pub notify_gaps: i64,
    pub notify_daily_limit: i64,
}

/// A delivery as the user's list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct DeliveryView {
    pub id: i64,
    pub channel_id: i64,
    pub event: String,
    pub created_at: UnixMillis,
    pub attempts: i64,
    pub delivered_at: Option<UnixMillis>,
    pub failed_at: Option<UnixMillis>,
    pub last_error: Option<String>,
}

/// A delivery an attempt has claimed, with what it needs to send.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ClaimedDelivery {
    pub id: i64,
    pub user_id: String,
    /// 0 for the operator's channel.
    pub channel_id: i64,
    pub event: String,
    /// The event's facts, as JSON text.
    pub data: String,
    pub created_at: UnixMillis,
    /// This attempt included.
    pub attempts: i64,
    /// `None` when the channel was deleted (or for the operator).
    pub kind: Option<String>,
    pub target_enc: Option<String>,
    pub enabled: Option<i64>,
    pub display_name: Option<String>,
}

/// How an attempt ended, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settlement<'a> {
    Delivered,
    /// Try again at `not_before`.
    RetryAt {
        not_before: UnixMillis,
        error: &'a str,
    },
    /// The delivery will not be made; the channel is not at fault (it was deleted or
    /// disabled meanwhile, or no operator channel is configured).
    Dropped {
        error: &'a str,
    },
    /// The delivery failed for good: the channel is disabled and shown as such. When its
    /// retries ran out, the delivery is also kept as a dead letter for the operator.
    Failed {
        error: &'a str,
        dead_letter: bool,
    },
}

/// The associated data a channel's target is sealed with: its user, in a domain of its
/// own so a sealed token never opens as a channel nor the reverse.
pub fn channel_seal_context(user_id: &str) -> String {
    format!("notification-channel:{user_id}")
}

impl<D: Database> Store<'_, D> {
    /// Adds a channel (its target sealed); `None` when the user has the most already.
    pub async fn add_channel(
        &self,
        user_id: &str,
        kind: ChannelKind,
        target_enc: &str,
        target_hint: &str,
        now: UnixMillis,
    ) -> Result<Option<i64>, StoreError> {
        #[derive(Deserialize)]
        struct Added {
            id: i64,
        }
        let rows = self
            .db
            .query(Statement::new(
                INSERT_CHANNEL,
                vec![
                    json!(user_id),
                    json!(kind.as_str()),
                    json!(target_enc),
                    json!(target_hint),
                    json!(now),
                    json!(MAX_CHANNELS_PER_USER),
                ],
            ))
            .await?;
        Ok(rows
            .into_iter()
            .next()
            .map(decode::<Added>)
            .transpose()?
            .map(|added| added.id))
    }

    pub async fn channels(&self, user_id: &str) -> Result<Vec<ChannelView>, StoreError> {
        decode_all(
            self.db
                .query(Statement::new(USER_CHANNELS, vec![json!(user_id)]))
                .await?,
        )
    }

    /// Deletes the user's channel and its pending deliveries; `false` if there is no such
    /// channel of theirs.
    pub async fn delete_channel(&self, user_id: &str, channel_id: i64) -> Result<bool, StoreError> {
        let params = || vec![json!(channel_id), json!(user_id)];
        let results = self
            .db
            .batch(vec![
                Statement::new(DELETE_CHANNEL_PENDING, params()),
                Statement::new(DELETE_CHANNEL, params()),
            ])
            .await?;
        Ok(results.get(1).is_some_and(|rows| !rows.is_empty()))
    }

    /// Raises a test of the user's channel; `false` when the daily limit is reached (the
    /// caller has checked the channel is theirs).
    pub async fn raise_test(
        &self,
        user_id: &str,
        channel_id: i64,
        now: UnixMillis,
    ) -> Result<bool, StoreError> {
        let rows = self
            .db
            .query(Statement::new(
                RAISE_TEST,
                vec![json!(user_id), json!(now), json!(channel_id)],
            ))
            .await?;
        Ok(!rows.is_empty())
    }

    pub async fn notify_settings(
        &self,
        user_id: &str,
    ) -> Result<Option<NotifySettings>, StoreError> {
        let rows = self
            .db
            .query(Statement::new(NOTIFY_SETTINGS, vec![json!(user_id)]))
            .await?;
        rows.into_iter().next().map(decode).transpose()
    }

    pub async fn save_notify_settings(
        &self,
        user_id: &str,
        settings: &NotifySettings,
        now: UnixMillis,
    ) -> Result<(), StoreError> {
        self.db
            .query(Statement::new(
                SAVE_NOTIFY_SETTINGS,
                vec![
                    json!(user_id),
                    json!(settings.notify_failing_after_hours),
                    json!(settings.notify_gaps),
                    json!(settings.notify_daily_limit),
                    json!(now),
                ],
            ))
            .await?;
        Ok(())
    }

    pub async fn recent_deliveries(
        &self,
        user_id: &str,
        limit: usize,
    ) -> Result<Vec<DeliveryView>, StoreError> {
        decode_all(
            self.db
                .query(Statement::new(
                    RECENT_DELIVERIES,
                    vec![json!(user_id), json!(limit)],
                ))
                .await?,
        )
    }

    /// Raises an operator alert on its own (the health check's findings).
    pub async fn raise_operator_alert(
        &self,
        alert: &OperatorAlert,
        now: UnixMillis,
    ) -> Result<(), StoreError> {
        self.db.query(operator_alert(alert, now)).await?;
        Ok(())
    }

    /// Stores a channel's target sealed again (under the current key), unless it changed
    /// meanwhile.
    pub async fn reseal_channel(
        &self,
        channel_id: i64,
        sealed_before: &str,
        sealed_now: &str,
    ) -> Result<(), StoreError> {
        self.db
            .query(Statement::new(
                RESEAL_CHANNEL,
                vec![json!(channel_id), json!(sealed_before), json!(sealed_now)],
            ))
            .await?;
        Ok(())
    }

    /// Takes up to `limit` deliveries due at `now` for the queue, holding them from the
    /// next relays for [`RELAY_AGAIN_AFTER_MS`]. Answers their ids.
    pub async fn relay_due(&self, now: UnixMillis, limit: usize) -> Result<Vec<i64>, StoreError> {
        relayed_ids(self.db.query(relay_due(now, limit)).await?)
    }

    /// Claims delivery `id` for an attempt at `now` and reads it, in one round trip;
    /// `None` when there is nothing to attempt (settled, deleted, held by another
    /// attempt, or not due yet).
    pub async fn claim_delivery(
        &self,
        id: i64,
        now: UnixMillis,
    ) -> Result<Option<ClaimedDelivery>, StoreError> {
        let mut results = self
            .db
            .batch(vec![
                Statement::new(
                    CLAIM_DELIVERY,
                    vec![json!(id), json!(now), json!(SENDING_LEASE_MS)],
                ),
                Statement::new(SELECT_DELIVERY, vec![json!(id)]),
            ])
            .await?
            .into_iter();
        let claimed = results.next().is_some_and(|rows| !rows.is_empty());
        if !claimed {
            return Ok(None);
        }
        results
            .next()
            .and_then(|rows| rows.into_iter().next())
            .map(decode)
            .transpose()
    }

    /// Stores how an attempt at `delivery` ended, with what it does to the channel.
    pub async fn settle_delivery(
        &self,
        delivery: &ClaimedDelivery,
        settlement: &Settlement<'_>,
        now: UnixMillis,
    ) -> Result<(), StoreError> {
        let id = delivery.id;
        // Only what this attempt claimed is settled: a delivery cancelled meanwhile (its
        // channel was disabled) stays so.
        let attempts = || json!(delivery.attempts);
        let statements = match settlement {
            Settlement::Delivered => vec![
                Statement::new(DELIVERED, vec![json!(id), json!(now), attempts()]),
                Statement::new(
                    CHANNEL_DELIVERED,
                    vec![
                        json!(delivery.channel_id),
                        json!(now),
                        json!(delivery.event),
                    ],
                ),
            ],
            Settlement::RetryAt { not_before, error } => vec![Statement::new(
                RETRY_LATER,
                vec![
                    json!(id),
                    json!(not_before),
                    json!(error),
                    json!(RELAY_AGAIN_AFTER_MS),
                    attempts(),
                ],
            )],
            Settlement::Dropped { error } => vec![Statement::new(
                SETTLE_FAILED,
                vec![json!(id), json!(now), json!(error), attempts()],
            )],
            Settlement::Failed { error, dead_letter } => {
                let mut statements = vec![Statement::new(
                    SETTLE_FAILED,
                    vec![json!(id), json!(now), json!(error), attempts()],
                )];
                // The operator's channel (0) comes from settings: nothing to disable, and
                // its other alerts still go.
                if delivery.channel_id != 0 {
                    statements.extend([
                        Statement::new(
                            DISABLE_CHANNEL,
                            vec![json!(delivery.channel_id), json!(now), json!(error)],
                        ),
                        Statement::new(
                            CANCEL_CHANNEL_PENDING,
                            vec![json!(delivery.channel_id), json!(now), json!(id)],
                        ),
                    ]);
                }
                if *dead_letter {
                    statements.push(Statement::new(
                        super::dead_letters::INSERT_DEAD_LETTER,
                        vec![
                            json!(format!("notification-{id}")),
                            json!(json!({
                                "notification": id,
                                "channel": delivery.channel_id,
                                "event": delivery.event,
                                "attempts": delivery.attempts,
                                "last_error": error,
                            })
                            .to_string()),
                            json!(now),
                        ],
                    ));
                }
                statements
            }
        };
        self.db.batch(statements).await?;
        Ok(())
    }
}
