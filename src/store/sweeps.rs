//! The sweep: its claim of the due users, its record in `sweeps` (in the directory), each
//! shard's housekeeping, and what the health route reads of it.

use serde::Deserialize;
use serde_json::json;

use super::sessions::DELETE_EXPIRED_SESSIONS;
use super::{decode, decode_all, forwarding, notifications, to_json_text, Store, StoreError};
use crate::ports::{Database, Row, Statement};
use crate::time::UnixMillis;

pub(super) const CLAIM_DUE_USERS: &str = "\
UPDATE users SET next_due_at = ?2
 WHERE id IN (SELECT id FROM users
               WHERE is_active = 1 AND next_due_at <= ?1 AND coalesce(cooldown_until, 0) <= ?1
                 AND NOT EXISTS (SELECT 1 FROM app_rests WHERE name = 'spotify_quota' AND until > ?1)
               ORDER BY next_due_at LIMIT ?3)
RETURNING id, last_polled_at";

pub(super) const COUNT_COOLING_DOWN: &str = "\
SELECT count(*) AS n FROM users WHERE cooldown_until > ?1 AND is_active = 1";

pub(super) const INSERT_SWEEP: &str = "\
INSERT INTO sweeps (started_at, trigger, users_due, skipped_cooldown, enqueued, messages, duration_ms, error, shards)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";

/// The newest user key: one index entry (`users_key`), and only in a migrated database.
pub(super) const PROBE: &str = "SELECT max(key) AS top FROM users";

pub(super) const LAST_SWEEP: &str = "\
SELECT started_at, users_due, enqueued, error, shards FROM sweeps ORDER BY started_at DESC LIMIT 1";

/// A sweep's housekeeping of one shard; the deliveries due come last.
fn tidy_statements(now: UnixMillis, relay_limit: usize) -> Vec<Statement> {
    vec![
        Statement::new(DELETE_EXPIRED_SESSIONS, vec![json!(now)]),
        Statement::new(
            notifications::FORGET_OLD_DELIVERIES,
            vec![json!(now - notifications::OUTBOX_RETENTION_MS)],
        ),
        notifications::relay_due(now, relay_limit),
        forwarding::due_destinations(now, relay_limit),
    ]
}

/// What a shard's housekeeping took for the notification queue: the deliveries due, and
/// the forwarding destinations with plays waiting that may send now.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DueMessages {
    pub deliveries: Vec<i64>,
    pub forwards: Vec<i64>,
}

impl DueMessages {
    pub fn is_empty(&self) -> bool {
        self.deliveries.is_empty() && self.forwards.is_empty()
    }

    /// From the batch's results: [`tidy_statements`] ends with the two reads.
    fn from_results(results: Vec<Vec<Row>>) -> Result<Self, StoreError> {
        let mut last = results.into_iter().rev();
        let forwards = forwarding::read_ids(last.next().unwrap_or_default())?;
        let deliveries = notifications::relayed_ids(last.next().unwrap_or_default())?;
        Ok(Self {
            deliveries,
            forwards,
        })
    }
}

/// A user the sweep claimed.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct DueUser {
    pub id: String,
    pub last_polled_at: Option<UnixMillis>,
}

/// What the sweep saw and did, as stored in `sweeps`: the totals of every shard, and
/// each shard's part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SweepSummary {
    pub started_at: UnixMillis,
    pub trigger: &'static str,
    pub users_due: usize,
    pub skipped_cooldown: usize,
    pub enqueued: usize,
    pub messages: usize,
    pub duration_ms: i64,
    /// The first shard's error, named by its shard.
    pub error: Option<String>,
    /// Notification deliveries sent to their queue (logged, not stored).
    pub notifications_relayed: usize,
    /// Forwarding destinations sent to the notification queue (logged, not stored).
    pub forwards_relayed: usize,
    pub shards: Vec<ShardSweep>,
}

/// What one shard contributed to a sweep.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
pub struct ShardSweep {
    pub shard: crate::shards::ShardIndex,
    pub users_due: usize,
    pub skipped_cooldown: usize,
    pub enqueued: usize,
    pub messages: usize,
    #[serde(default)]
    pub notifications_relayed: usize,
    #[serde(default)]
    pub forwards_relayed: usize,
    pub error: Option<String>,
}

impl ShardSweep {
    pub fn new(shard: crate::shards::ShardIndex) -> Self {
        Self {
            shard,
            users_due: 0,
            skipped_cooldown: 0,
            enqueued: 0,
            messages: 0,
            notifications_relayed: 0,
            forwards_relayed: 0,
            error: None,
        }
    }
}

impl SweepSummary {
    /// The sweep of these shards' parts: their totals, and the first error by its shard.
    pub fn of_shards(
        trigger: &'static str,
        started_at: UnixMillis,
        shards: Vec<ShardSweep>,
    ) -> Self {
        let total = |count: fn(&ShardSweep) -> usize| shards.iter().map(count).sum();
        Self {
            started_at,
            trigger,
            users_due: total(|part| part.users_due),
            skipped_cooldown: total(|part| part.skipped_cooldown),
            enqueued: total(|part| part.enqueued),
            messages: total(|part| part.messages),
            duration_ms: 0,
            error: shards.iter().find_map(|part| {
                part.error
                    .as_ref()
                    .map(|error| format!("shard {}: {error}", part.shard))
            }),
            notifications_relayed: total(|part| part.notifications_relayed),
            forwards_relayed: total(|part| part.forwards_relayed),
            shards,
        }
    }
}

/// The last sweep, for the health route.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
pub struct LastSweep {
    pub started_at: UnixMillis,
    pub users_due: i64,
    pub enqueued: i64,
    pub error: Option<String>,
    /// Each shard's part (none for the sweeps recorded before there were shards).
    #[serde(default, deserialize_with = "shard_parts")]
    pub shards: Vec<ShardSweep>,
}

/// `sweeps.shards`: JSON text, or null.
fn shard_parts<'de, De: serde::Deserializer<'de>>(
    deserializer: De,
) -> Result<Vec<ShardSweep>, De::Error> {
    match Option::<String>::deserialize(deserializer)? {
        Some(text) => serde_json::from_str(&text).map_err(serde::de::Error::custom),
        None => Ok(Vec::new()),
    }
}

impl<D: Database> Store<'_, D> {
    /// Claims up to `limit` due users not in a cooldown, moving their due time to
    /// `lease_until` so the next sweep does not send them again while the queue drains
    /// (if the archive never runs, they come back when the lease ends). Also counts the
    /// users resting in a cooldown. One round trip.
    pub async fn claim_due_users(
        &self,
        now: UnixMillis,
        lease_until: UnixMillis,
        limit: usize,
    ) -> Result<(Vec<DueUser>, usize), StoreError> {
        let mut results = self
            .db
            .batch(vec![
                Statement::new(
                    CLAIM_DUE_USERS,
                    vec![json!(now), json!(lease_until), json!(limit)],
                ),
                Statement::new(COUNT_COOLING_DOWN, vec![json!(now)]),
            ])
            .await?
            .into_iter();
        let claimed = decode_all(results.next().unwrap_or_default())?;
        #[derive(Deserialize)]
        struct Count {
            n: usize,
        }
        let cooling = results
            .next()
            .unwrap_or_default()
            .into_iter()
            .next()
            .map(decode::<Count>)
            .transpose()?
            .map_or(0, |count| count.n);
        Ok((claimed, cooling))
    }

    /// Records a sweep (in the directory), and does what [`Store::tidy`] does, in one
    /// round trip.
    pub async fn record_sweep(
        &self,
        summary: &SweepSummary,
        relay_limit: usize,
    ) -> Result<DueMessages, StoreError> {
        let mut statements = vec![Statement::new(
            INSERT_SWEEP,
            vec![
                json!(summary.started_at),
                json!(summary.trigger),
                json!(summary.users_due),
                json!(summary.skipped_cooldown),
                json!(summary.enqueued),
                json!(summary.messages),
                json!(summary.duration_ms),
                json!(summary.error),
                to_json_text(&summary.shards)?,
            ],
        )];
        statements.extend(tidy_statements(summary.started_at, relay_limit));
        DueMessages::from_results(self.db.batch(statements).await?)
    }

    /// A shard's housekeeping at each sweep: clears expired sessions, forgets old
    /// deliveries, takes the notification deliveries due and reads the forwarding
    /// destinations due (at most `relay_limit` of each) for the queue, in one round trip.
    pub async fn tidy(
        &self,
        now: UnixMillis,
        relay_limit: usize,
    ) -> Result<DueMessages, StoreError> {
        DueMessages::from_results(self.db.batch(tidy_statements(now, relay_limit)).await?)
    }

    /// One cheap read that needs this database's migrations (a shard's health).
    pub async fn probe(&self) -> Result<(), StoreError> {
        self.db.query(Statement::new(PROBE, vec![])).await?;
        Ok(())
    }

    pub async fn last_sweep(&self) -> Result<Option<LastSweep>, StoreError> {
        let rows = self.db.query(Statement::new(LAST_SWEEP, vec![])).await?;
        rows.into_iter().next().map(decode).transpose()
    }
}
