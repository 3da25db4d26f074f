//! One attempt at one destination: claim it, submit its oldest waiting plays, settle.
//!
//! A play reaches a destination once: the claim keeps a second message from sending the
//! same plays while an attempt is under way (and only the claim's holder settles it);
//! accepted plays leave the outbox in the batch that records the success; and, should
//! that batch fail after the service accepted them, a mark in KV (written first) makes
//! the next attempt record them instead of sending them again. What remains is the
//! moment between the service's answer and the mark: a Worker that dies there sends that
//! batch once more.

use super::{lastfm, listenbrainz, seal_context, Answer, ForwardConfig, Service};
use crate::crypto::TokenCipher;
use crate::engine::archive::{MessageDecision, UNRECORDED_RETRY_SECONDS};
use crate::notify::delivery::backoff_seconds;
use crate::notify::{relay as relay_notifications, NotifyMessage};
use crate::ports::HttpRequest;
use crate::ports::{Database, HttpClient, JobQueue, KeyValueStore, Log, LogLine};
use crate::shards::{ShardIndex, Shards};
use crate::store::forwarding::{keys_of, AcceptedBatch, ClaimedDestination};
use crate::store::history::HistoryPlay;
use crate::store::Store;
use crate::time::{UnixMillis, SECOND_MS};

/// How long the mark of an accepted batch is kept in KV: longer than any retry.
pub const ACCEPTED_MARK_TTL_SECONDS: u64 = 7 * 24 * 60 * 60;

/// The longest wait a service's `Retry-After` (or `X-RateLimit-Reset-In`) is taken for.
pub const MAX_WAIT_SECONDS: u64 = 24 * 60 * 60;

/// The KV key that holds what destination `id` of `shard` had taken of a batch when its
/// record failed.
pub fn accepted_mark(shard: ShardIndex, id: i64) -> String {
    format!("forward_accepted_{shard}_{id}")
}

/// How one attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ForwardOutcome {
    /// The service answered for `plays` (took them, or passed some over by its rules);
    /// `waiting` more wait (a message for them is sent).
    Sent { plays: usize, waiting: i64 },
    /// Nothing to attempt: not due, held by another attempt, paused, revoked or gone.
    NothingToDo,
    /// Not sent; tried again after `delay_seconds` (the sweep sends the message then).
    Retrying { delay_seconds: u64, error: String },
    /// The service refused these `plays` as they are (a 400): a batch is sent again one
    /// play at a time; a single play is taken off and counted as refused.
    Refused { plays: usize, error: String },
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
            Self::Refused { .. } => "refused",
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

/// A batch's request, and how many plays it carries.
struct Submission {
    request: HttpRequest,
    plays: usize,
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
        // A batch a service took whose record failed is recorded now, never sent again.
        // A KV that cannot say whether there is one sends nothing now: the claim runs
        // out and the sweep tries again.
        let mark = accepted_mark(shard, id);
        match self.kv.get(&mark).await {
            Ok(None) => {}
            Ok(Some(text)) => {
                if let Err(error) = self
                    .settle_mark(&store, shard, &destination, &mark, &text, now)
                    .await
                {
                    return error;
                }
            }
            Err(error) => return unrecorded(format!("the accepted mark unread: {error}")),
        }
        let Some(service) = Service::parse(&destination.service) else {
            let error = format!("unknown service {}", destination.service);
            return self.fail(&store, &destination, error, None, now).await;
        };
        let credential = match self.open_credential(&store, &destination, service).await {
            Ok(credential) => credential,
            // Sealed under a key that is gone: only a new credential helps. The service
            // refused nothing, so the user hears no "it refused your access" alert; the
            // operator's log says which key step went wrong.
            Err(error) => {
                let error =
                    format!("the stored credential cannot be opened ({error}); connect again");
                self.log.write(
                    LogLine::error("forward_credential_unreadable")
                        .field("shard", shard)
                        .field("destination", id)
                        .field("error", error.as_str()),
                );
                return match store
                    .record_credential_unreadable(&destination, &error, now)
                    .await
                {
                    Ok(()) => ForwardOutcome::Revoked { error },
                    Err(cause) => unrecorded(format!("{error}; then {cause}")),
                };
            }
        };
        let limit = if destination.solo_plays > 0 {
            1
        } else {
            service.batch_size()
        };
        let plays = match store.waiting_plays(&destination, limit).await {
            Ok(plays) => plays,
            Err(error) => return unrecorded(error),
        };
        if plays.is_empty() {
            // Its count was ahead of its outbox (a mark just recorded, or a play whose
            // outbox row a repeat absorbed): counted again, and nothing sent.
            return match store.recount_pending(&destination).await {
                Ok(()) => ForwardOutcome::NothingToDo,
                Err(error) => unrecorded(error),
            };
        }
        let keys = keys_of(&plays);
        let attempt = destination.claimed_until;
        let submission = match self.submission(service, &credential, &plays) {
            Ok(Some(submission)) => submission,
            // Nothing in the batch the service takes (Last.fm: every play 30 s or
            // shorter): passed over, never sent.
            Ok(None) => {
                let batch = AcceptedBatch {
                    attempt,
                    taken: 0,
                    keys,
                };
                return self.record(&store, shard, &destination, &batch, now).await;
            }
            Err(error) => return self.fail(&store, &destination, error, None, now).await,
        };
        let result = self.http.send(submission.request).await;
        let answer = match service {
            Service::ListenBrainz => listenbrainz::classify(&result, now),
            Service::LastFm => lastfm::classify(&result, now),
        };
        match answer {
            Answer::Accepted { taken } => {
                // The plays of the batch it did not take (or was not sent) are passed over.
                let batch = AcceptedBatch {
                    attempt,
                    taken: taken.unwrap_or(submission.plays),
                    keys,
                };
                self.mark(&mark, &batch).await;
                self.record(&store, shard, &destination, &batch, now).await
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
                        .field("service", service.as_str())
                        .field("plays", plays.len())
                        .field("error", error.as_str()),
                );
                self.refused(&store, shard, &destination, &keys, error)
                    .await
            }
            Answer::Revoked { error } => self.revoke(shard, db, &destination, error, now).await,
        }
    }

    /// The destination's credential, opened; sealed again first when an older key
    /// sealed it (the key is being rotated), so that it still opens once that key goes.
    async fn open_credential(
        &self,
        store: &Store<'_, D>,
        destination: &ClaimedDestination,
        service: Service,
    ) -> Result<String, String> {
        let context = seal_context(&destination.user_id, service);
        let credential = self
            .cipher
            .open(&destination.credential, &context)
            .map_err(|error| error.to_string())?;
        if self.cipher.is_stale(&destination.credential) {
            let resealed = match self.cipher.seal(&credential, &context) {
                Ok(sealed) => store
                    .reseal_credential(destination.id, &destination.credential, &sealed)
                    .await
                    .map_err(|error| error.to_string()),
                Err(error) => Err(error.to_string()),
            };
            if let Err(error) = resealed {
                // It opens still; the next attempt tries again.
                self.log.write(
                    LogLine::warn("forward_credential_not_resealed")
                        .field("destination", destination.id)
                        .field("error", error),
                );
            }
        }
        Ok(credential)
    }

    /// The request that submits `plays` to `service`, and how many it carries; `None`
    /// when the service takes none of them. `Err`: the service cannot be reached as
    /// configured.
    fn submission(
        &self,
        service: Service,
        credential: &str,
        plays: &[HistoryPlay],
    ) -> Result<Option<Submission>, String> {
        match service {
            Service::ListenBrainz => Ok(Some(Submission {
                request: listenbrainz::submit_request(
                    &self.config.listenbrainz_url,
                    credential,
                    plays,
                ),
                plays: plays.len(),
            })),
            Service::LastFm => {
                let Some(app) = &self.config.lastfm else {
                    return Err("Last.fm is not configured (LASTFM_API_KEY)".to_owned());
                };
                let scrobbled: Vec<&HistoryPlay> = plays
                    .iter()
                    .filter(|play| lastfm::scrobbles(play))
                    .collect();
                Ok((!scrobbled.is_empty()).then(|| Submission {
                    request: lastfm::scrobble_request(app, credential, &scrobbled),
                    plays: scrobbled.len(),
                }))
            }
        }
    }

    /// Marks the accepted plays before their record is written. A mark that cannot be
    /// written is told and the record goes ahead: only if that fails too could the
    /// plays be sent again. The mark stays (KV takes one write a second per key): the
    /// next attempt finds it recorded, by its attempt, and removes it.
    async fn mark(&self, mark: &str, batch: &AcceptedBatch) {
        let written = match serde_json::to_string(batch) {
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

    /// Records the batch a mark holds, unless it was recorded (its attempt is the
    /// destination's `last_batch`), then removes the mark. `Err`: the outcome to answer.
    async fn settle_mark(
        &self,
        store: &Store<'_, D>,
        shard: ShardIndex,
        destination: &ClaimedDestination,
        mark: &str,
        text: &str,
        now: UnixMillis,
    ) -> Result<(), ForwardOutcome> {
        let batch: AcceptedBatch = serde_json::from_str(text)
            .map_err(|error| unrecorded(format!("the accepted mark unreadable: {error}")))?;
        if destination.last_batch != Some(batch.attempt) {
            // Recorded now, the claim ends with it: the plays after it go with the
            // message `record` sends for them.
            let outcome = self.record(store, shard, destination, &batch, now).await;
            if matches!(outcome, ForwardOutcome::Sent { .. }) {
                self.remove_mark(mark).await;
            }
            return Err(outcome);
        }
        self.remove_mark(mark).await;
        Ok(())
    }

    async fn remove_mark(&self, mark: &str) {
        if let Err(error) = self.kv.delete(mark).await {
            // Harmless: the next attempt finds it recorded again.
            self.log.write(
                LogLine::warn("forward_mark_kept")
                    .field("mark", mark)
                    .field("error", error.to_string()),
            );
        }
    }

    /// Sends the message for the plays still waiting.
    async fn next(&self, shard: ShardIndex, destination: i64) {
        let next = NotifyMessage::Forward { shard, destination };
        if let Err(error) = self.queue.send_notifications(vec![next]).await {
            // The sweep relays it.
            self.log.write(
                LogLine::warn("forward_next_unsent")
                    .field("destination", destination)
                    .field("error", error.to_string()),
            );
        }
    }

    /// Records a batch the service answered for, and sends a message for the plays still
    /// waiting.
    async fn record(
        &self,
        store: &Store<'_, D>,
        shard: ShardIndex,
        destination: &ClaimedDestination,
        batch: &AcceptedBatch,
        now: UnixMillis,
    ) -> ForwardOutcome {
        let waiting = match store.record_sent(destination, batch, now).await {
            Ok(Some(waiting)) => waiting,
            // Another attempt holds it now: the plays left the outbox all the same.
            Ok(None) => return unrecorded("accepted; the claim ran out before the record"),
            Err(error) => return unrecorded(format!("accepted; then {error}")),
        };
        if waiting > 0 {
            self.next(shard, destination.id).await;
        }
        ForwardOutcome::Sent {
            plays: batch.keys.len(),
            waiting,
        }
    }

    /// The service refused these plays as they are (a 400). A batch is then sent one
    /// play at a time, at once; a play refused alone is taken off the outbox and counted
    /// (it can never be sent, and would hold back every play after it).
    async fn refused(
        &self,
        store: &Store<'_, D>,
        shard: ShardIndex,
        destination: &ClaimedDestination,
        keys: &[crate::store::forwarding::OutboxKey],
        error: String,
    ) -> ForwardOutcome {
        let waiting = match keys {
            [key] => match store.record_refused_play(destination, *key, &error).await {
                Ok(waiting) => waiting.unwrap_or(0),
                Err(cause) => return unrecorded(format!("{error}; then {cause}")),
            },
            _ => match store
                .record_refused_batch(destination, &error, keys.len())
                .await
            {
                Ok(()) => destination.pending,
                Err(cause) => return unrecorded(format!("{error}; then {cause}")),
            },
        };
        if waiting > 0 {
            self.next(shard, destination.id).await;
        }
        ForwardOutcome::Refused {
            plays: keys.len(),
            error,
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
        // The service's own wait wins when it is longer, hours included (the database
        // holds it, not the queue), up to a day: a wait past that is not believed.
        let delay_seconds = retry_after_seconds
            .unwrap_or(0)
            .min(MAX_WAIT_SECONDS)
            .max(backoff);
        let retry_at = now.saturating_add(
            i64::try_from(delay_seconds)
                .unwrap_or(0)
                .saturating_mul(SECOND_MS),
        );
        match store
            .record_forward_failure(destination, &error, retry_at)
            .await
        {
            Ok(()) => ForwardOutcome::Retrying {
                delay_seconds,
                error,
            },
            Err(cause) => unrecorded(format!("{error}; then {cause}")),
        }
    }

    /// Records the revocation with the user's alert, and relays the alert at once: the
    /// user hears it now, not at the next sweep (which relays it if this relay fails).
    async fn revoke(
        &self,
        shard: ShardIndex,
        db: &D,
        destination: &ClaimedDestination,
        error: String,
        now: UnixMillis,
    ) -> ForwardOutcome {
        if let Err(cause) = Store::new(db)
            .record_revoked(destination, &error, now)
            .await
        {
            return unrecorded(format!("{error}; then {cause}"));
        }
        if let Err(cause) = relay_notifications(shard, db, self.queue, now).await {
            self.log.write(
                LogLine::warn("forward_alert_unrelayed")
                    .field("shard", shard)
                    .field("destination", destination.id)
                    .field("error", cause.to_string()),
            );
        }
        ForwardOutcome::Revoked { error }
    }
}
