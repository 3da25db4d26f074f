//! One attempt at one destination: claim it, submit its oldest waiting plays, settle.
//!
//! A play reaches a destination once: the claim keeps a second message from sending the
//! same plays while an attempt is under way; accepted plays leave the outbox in the batch
//! that records the success; and, should that batch fail after the service accepted
//! them, a mark in KV (written first) makes the next attempt record them instead of
//! sending them again.

use super::{listenbrainz, seal_context, Answer, ForwardConfig, Service};
use crate::crypto::TokenCipher;
use crate::engine::archive::{MessageDecision, UNRECORDED_RETRY_SECONDS};
use crate::notify::delivery::backoff_seconds;
use crate::notify::NotifyMessage;
use crate::ports::{Database, HttpClient, JobQueue, KeyValueStore, Log, LogLine};
use crate::shards::{ShardIndex, Shards};
use crate::store::forwarding::{keys_of, ClaimedDestination, OutboxKey};
use crate::store::Store;
use crate::time::{UnixMillis, SECOND_MS};

/// How long the mark of an accepted batch is kept in KV: longer than any retry.
pub const ACCEPTED_MARK_TTL_SECONDS: u64 = 7 * 24 * 60 * 60;

/// The KV key that holds the plays destination `id` of `shard` had accepted when their
/// record failed.
pub fn accepted_mark(shard: ShardIndex, id: i64) -> String {
    format!("forward_accepted_{shard}_{id}")
}

/// How one attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ForwardOutcome {
    /// The service accepted `plays`; `waiting` more wait (a message for them is sent).
    Sent { plays: usize, waiting: i64 },
    /// Nothing to attempt: not due, held by another attempt, paused, revoked or gone.
    NothingToDo,
    /// Not sent; tried again after `delay_seconds` (the sweep sends the message then).
    Retrying { delay_seconds: u64, error: String },
    /// The service refused the credential: nothing more is sent until the user
    /// connects again.
    Revoked { error: String },
    /// The outcome could not be stored: the message is retried.
    Unrecorded { error: String },
}

impl ForwardOutcome {
    pub fn label(&self) -> &'static str {
        match self {
            Self::Sent { .. } => "sent",
            Self::NothingToDo => "nothing_to_do",
            Self::Retrying { .. } => "retrying",
            Self::Revoked { .. } => "revoked",
            Self::Unrecorded { .. } => "unrecorded",
        }
    }

    /// Only an unrecorded outcome retries its message: a failure the database holds is
    /// retried by the sweep when it is due, however long the service asked to wait.
    pub fn decision(&self) -> MessageDecision {
        match self {
            Self::Unrecorded { .. } => MessageDecision::Retry {
                delay_seconds: UNRECORDED_RETRY_SECONDS,
            },
            _ => MessageDecision::Ack,
        }
    }
}

fn unrecorded(error: impl std::fmt::Display) -> ForwardOutcome {
    ForwardOutcome::Unrecorded {
        error: error.to_string(),
    }
}

/// Everything an attempt needs, borrowed from the edge.
pub struct Forwarder<'a, D, K, H, Q> {
    /// Each destination is in its user's shard.
    pub shards: Shards<'a, D>,
    /// Where an accepted batch is marked before its record is written.
    pub kv: &'a K,
    pub http: &'a H,
    /// Where the message for the plays still waiting after a success goes.
    pub queue: &'a Q,
    pub cipher: &'a TokenCipher,
    pub config: &'a ForwardConfig,
    /// Where a failure that changes no outcome is told (a mark not written or removed).
    pub log: &'a dyn Log,
}

impl<D: Database, K: KeyValueStore, H: HttpClient, Q: JobQueue> Forwarder<'_, D, K, H, Q> {
    /// Attempts destination `id` of `shard` at `now`.
    pub async fn forward(&self, shard: ShardIndex, id: i64, now: UnixMillis) -> ForwardOutcome {
        let db = match self.shards.get(shard) {
            Ok(db) => db,
            Err(error) => return unrecorded(error),
        };
        let store = Store::new(db);
        let destination = match store.claim_destination(id, now).await {
            Ok(Some(destination)) => destination,
            Ok(None) => return ForwardOutcome::NothingToDo,
            Err(error) => return unrecorded(error),
        };
        let mark = accepted_mark(shard, id);
        // Accepted by an attempt whose record failed: record those plays, never send
        // them again. A KV that cannot say whether there are any sends nothing now: the
        // claim runs out and the sweep tries again.
        match self.kv.get(&mark).await {
            Ok(None) => {}
            Ok(Some(text)) => {
                return self
                    .record_marked(&store, shard, &destination, &text, now)
                    .await
            }
            Err(error) => return unrecorded(format!("the accepted mark unread: {error}")),
        }
        let Some(service) = Service::parse(&destination.service) else {
            return self
                .fail(
                    &store,
                    &destination,
                    format!("unknown service {}", destination.service),
                    None,
                    now,
                )
                .await;
        };
        let token = match self.cipher.open(
            &destination.credential,
            &seal_context(&destination.user_id, service),
        ) {
            Ok(token) => token,
            // Sealed under a key that is gone: only a new token helps.
            Err(error) => {
                let error = format!("the stored token cannot be opened ({error}); connect again");
                return self.revoke(&store, &destination, error, now).await;
            }
        };
        let plays = match store
            .waiting_plays(&destination, service.batch_size())
            .await
        {
            Ok(plays) => plays,
            Err(error) => return unrecorded(error),
        };
        if plays.is_empty() {
            // Its count was ahead of its outbox: counted again, and nothing sent.
            return match store.record_sent(destination.id, &[], now).await {
                Ok(_) => ForwardOutcome::NothingToDo,
                Err(error) => unrecorded(error),
            };
        }
        let request = match service {
            Service::ListenBrainz => {
                listenbrainz::submit_request(&self.config.listenbrainz_url, &token, &plays)
            }
        };
        let result = self.http.send(request).await;
        match listenbrainz::classify(&result, now) {
            Answer::Accepted => {
                let keys = keys_of(&plays);
                self.mark(&mark, &keys).await;
                self.record(&store, shard, &destination, &keys, now).await
            }
            Answer::Later {
                retry_after_seconds,
                error,
            } => {
                self.fail(&store, &destination, error, retry_after_seconds, now)
                    .await
            }
            Answer::Refused { error } => {
                self.log.write(
                    LogLine::error("forward_refused")
                        .field("shard", shard)
                        .field("destination", id)
                        .field("plays", plays.len())
                        .field("error", error.as_str()),
                );
                self.fail(&store, &destination, error, None, now).await
            }
            Answer::Revoked { error } => self.revoke(&store, &destination, error, now).await,
        }
    }

    /// Marks the accepted plays before their record is written. A mark that cannot be
    /// written is told and the record goes ahead: only if that fails too could the
    /// plays be sent again.
    async fn mark(&self, mark: &str, keys: &[OutboxKey]) {
        let written = match serde_json::to_string(keys) {
            Ok(text) => self
                .kv
                .put(mark, &text, ACCEPTED_MARK_TTL_SECONDS)
                .await
                .map_err(|error| error.to_string()),
            Err(error) => Err(error.to_string()),
        };
        if let Err(error) = written {
            self.log.write(
                LogLine::warn("forward_unmarked")
                    .field("mark", mark)
                    .field("error", error),
            );
        }
    }

    /// Records the accepted plays, removes the mark, and sends a message for the plays
    /// still waiting.
    async fn record(
        &self,
        store: &Store<'_, D>,
        shard: ShardIndex,
        destination: &ClaimedDestination,
        keys: &[OutboxKey],
        now: UnixMillis,
    ) -> ForwardOutcome {
        let waiting = match store.record_sent(destination.id, keys, now).await {
            Ok(waiting) => waiting,
            Err(error) => return unrecorded(format!("accepted; then {error}")),
        };
        let mark = accepted_mark(shard, destination.id);
        if let Err(error) = self.kv.delete(&mark).await {
            // Harmless: the next attempt records the same plays again, which removes
            // nothing more, and then sends the next ones.
            self.log.write(
                LogLine::warn("forward_mark_kept")
                    .field("mark", mark)
                    .field("error", error.to_string()),
            );
        }
        if waiting > 0 {
            let next = NotifyMessage::Forward {
                shard,
                destination: destination.id,
            };
            if let Err(error) = self.queue.send_notifications(vec![next]).await {
                // The sweep relays it.
                self.log.write(
                    LogLine::warn("forward_next_unsent")
                        .field("destination", destination.id)
                        .field("error", error.to_string()),
                );
            }
        }
        ForwardOutcome::Sent {
            plays: keys.len(),
            waiting,
        }
    }

    async fn record_marked(
        &self,
        store: &Store<'_, D>,
        shard: ShardIndex,
        destination: &ClaimedDestination,
        text: &str,
        now: UnixMillis,
    ) -> ForwardOutcome {
        match serde_json::from_str::<Vec<OutboxKey>>(text) {
            Ok(keys) => self.record(store, shard, destination, &keys, now).await,
            Err(error) => unrecorded(format!("the accepted mark unreadable: {error}")),
        }
    }

    async fn fail(
        &self,
        store: &Store<'_, D>,
        destination: &ClaimedDestination,
        error: String,
        retry_after_seconds: Option<u64>,
        now: UnixMillis,
    ) -> ForwardOutcome {
        let backoff = backoff_seconds(destination.failures + 1, self.config.retry_base_seconds);
        // The service's own wait wins when it is longer, hours included: the database
        // holds it, not the queue.
        let delay_seconds = retry_after_seconds.unwrap_or(0).max(backoff);
        let retry_at = now + i64::try_from(delay_seconds).unwrap_or(i64::MAX / 2_000) * SECOND_MS;
        match store
            .record_forward_failure(destination.id, &error, retry_at)
            .await
        {
            Ok(()) => ForwardOutcome::Retrying {
                delay_seconds,
                error,
            },
            Err(cause) => unrecorded(format!("{error}; then {cause}")),
        }
    }

    async fn revoke(
        &self,
        store: &Store<'_, D>,
        destination: &ClaimedDestination,
        error: String,
        now: UnixMillis,
    ) -> ForwardOutcome {
        match store.record_revoked(destination.id, &error, now).await {
            Ok(()) => ForwardOutcome::Revoked { error },
            Err(cause) => unrecorded(format!("{error}; then {cause}")),
        }
    }
}
