//! Archiving one user, and one queue message of users.
//!
//! Per user, in this order: the idempotency slot in KV; the user's row (one D1 read); the
//! access token, refreshed just in time (a rotated refresh token is stored before the new
//! access token is used); one recently-played call after the cursor; one atomic D1 batch
//! with the plays and the cursor together, so a crash at any point loses nothing and a
//! redelivery duplicates nothing; then the slot is written. A failure is classified and
//! recorded on the user, and never touches the other users of the message.

use std::collections::HashSet;

use futures::future::join_all;

use crate::crypto::{CryptoError, TokenCipher};
use crate::engine::breaker::{cooldown_after, FailureKind};
use crate::engine::gaps::Gap;
use crate::engine::job::{ArchiveJob, JobUser};
use crate::engine::schedule::PollingPolicy;
use crate::engine::slot::SLOT_TTL_SECONDS;
use crate::engine::write_plan::{plan_archive, PollState};
use crate::ports::{Database, HttpClient, KeyValueStore, Log, LogLine};
use crate::shards::{ShardIndex, Shards, DIRECTORY};
use crate::spotify::client::ClientCredentials;
use crate::spotify::token::TokenGrant;
use crate::spotify::{SpotifyClient, SpotifyEndpoints, SpotifyError};
use crate::store::archive::{ArchiveUser, SealedTokens};
use crate::store::{Store, StoreError};
use crate::time::{UnixMillis, MINUTE_MS, SECOND_MS};

/// An access token expiring sooner than this is refreshed before use.
pub const REFRESH_BUFFER_MS: i64 = 5 * MINUTE_MS;

/// How far behind the cursor a poll asks: Spotify has been seen to add a play to
/// recently-played after newer ones, with its older `played_at`, and a strict
/// `after=<cursor>` would never see it. The repeats this brings back are absorbed by the
/// plays' unique key; the gap rule still measures from the cursor itself.
pub const POLL_OVERLAP_MS: i64 = 10 * MINUTE_MS;

/// The `after` of a poll of a user whose newest archived play is `cursor`.
pub fn poll_after(cursor: Option<UnixMillis>) -> Option<UnixMillis> {
    cursor.map(|cursor| cursor.saturating_sub(POLL_OVERLAP_MS).max(0))
}

/// The longest delay a Queue retry may ask for (12 hours).
pub const MAX_QUEUE_DELAY_SECONDS: u64 = 12 * 60 * 60;

/// Everything an archive needs, borrowed from the edge.
pub struct Archiver<'a, D, K, H> {
    /// Each job's users are in the shard it names.
    pub shards: Shards<'a, D>,
    pub kv: &'a K,
    pub http: &'a H,
    pub endpoints: &'a SpotifyEndpoints,
    pub credentials: &'a ClientCredentials,
    pub cipher: &'a TokenCipher,
    pub policy: PollingPolicy,
    /// Where a failure that changes no outcome is told (a slot not marked).
    pub log: &'a dyn Log,
}

/// How one user's archive ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArchiveOutcome {
    Archived {
        plays_seen: usize,
        plays_inserted: usize,
        gap: Option<Gap>,
        spotify_calls: u32,
    },
    /// The slot's key was already in KV: a redelivery, nothing to do.
    AlreadyArchived,
    /// The user is gone, paused or needs to log in again.
    Skipped,
    /// A scheduled poll of a user whose circuit breaker is open (a redelivered message
    /// that also held a rate-limited user): it waits for its cooldown like the sweep does.
    CoolingDown { until: UnixMillis },
    /// Spotify rests the whole app (its quota is spent): nobody is polled until then.
    /// The message is acked; the sweep sends the user again once the rest is over.
    AppResting { until: UnixMillis },
    /// Spotify refused the refresh token; polling stops until the user logs in again.
    NeedsReauth,
    /// Recorded on the user with a cooldown.
    Failed {
        kind: FailureKind,
        cooldown_until: UnixMillis,
        error: String,
    },
    /// Recorded with a cooldown of Spotify's `Retry-After`; the message is retried then.
    RateLimited { retry_after_seconds: u64 },
    /// Not even the failure could be recorded (D1 unreachable): the message is retried.
    Unrecorded { error: String },
}

impl ArchiveOutcome {
    /// A short name for logs and counts.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Archived { .. } => "archived",
            Self::AlreadyArchived => "already_archived",
            Self::Skipped => "skipped",
            Self::CoolingDown { .. } => "cooling_down",
            Self::AppResting { .. } => "app_resting",
            Self::NeedsReauth => "needs_reauth",
            Self::Failed { .. } => "failed",
            Self::RateLimited { .. } => "rate_limited",
            Self::Unrecorded { .. } => "unrecorded",
        }
    }
}

/// Why the archive itself stopped, before it is classified.
#[derive(Debug)]
enum ArchiveError {
    Spotify(SpotifyError),
    Store(StoreError),
    /// A stored token does not open (the key changed without its predecessor).
    Crypto(CryptoError),
    /// The user has no refresh token at all.
    NoRefreshToken,
}

impl From<SpotifyError> for ArchiveError {
    fn from(error: SpotifyError) -> Self {
        Self::Spotify(error)
    }
}

impl From<StoreError> for ArchiveError {
    fn from(error: StoreError) -> Self {
        Self::Store(error)
    }
}

impl From<CryptoError> for ArchiveError {
    fn from(error: CryptoError) -> Self {
        Self::Crypto(error)
    }
}

/// An access token ready to use, and whether it still has to be stored.
struct AccessToken {
    token: String,
    /// Sealed and not yet in D1: written with the archive batch.
    unsaved: Option<(String, UnixMillis)>,
}

/// What a queue message should become.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageDecision {
    Ack,
    /// Redeliver after this many seconds; users already archived skip by their slot.
    Retry {
        delay_seconds: u64,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobReport {
    pub outcomes: Vec<(String, ArchiveOutcome)>,
    pub decision: MessageDecision,
}

impl<D: Database, K: KeyValueStore, H: HttpClient> Archiver<'_, D, K, H> {
    /// Archives every user of a message concurrently and decides the message's fate.
    pub async fn archive_job(&self, job: &ArchiveJob, now: UnixMillis) -> JobReport {
        let mut reports = self.archive_batch(std::slice::from_ref(job), now).await;
        reports.pop().unwrap_or(JobReport {
            outcomes: Vec::new(),
            decision: MessageDecision::Ack,
        })
    }

    /// Archives the messages of one queue batch, every user concurrently, and decides
    /// each message's fate (one report per job, in order). A slot that appears twice in
    /// the batch (a job delivered twice at once) runs once: both copies would read the
    /// KV key before either wrote it.
    pub async fn archive_batch(&self, jobs: &[ArchiveJob], now: UnixMillis) -> Vec<JobReport> {
        let mut seen = HashSet::new();
        let runs: Vec<Vec<(&JobUser, bool)>> = jobs
            .iter()
            .map(|job| {
                job.users
                    .iter()
                    .map(|user| {
                        (
                            user,
                            seen.insert((user.user_id.as_str(), user.slot.as_str())),
                        )
                    })
                    .collect()
            })
            .collect();
        join_all(runs.iter().zip(jobs).map(|(users, job)| async move {
            let outcomes = join_all(users.iter().map(|(user, first)| async move {
                if *first {
                    self.archive_user(job.shard, user, job.enqueued_at, now)
                        .await
                } else {
                    ArchiveOutcome::AlreadyArchived
                }
            }))
            .await;
            JobReport {
                decision: decide(&outcomes),
                outcomes: users
                    .iter()
                    .map(|(user, _)| user.user_id.clone())
                    .zip(outcomes)
                    .collect(),
            }
        }))
        .await
    }

    /// Archives one user of a job made at `enqueued_at`. A scheduled poll respects the
    /// user's state: it waits out an open breaker and does nothing for a user archived
    /// since the job was made (a redelivery whose slot KV lost). A manual one runs.
    pub async fn archive_user(
        &self,
        shard: ShardIndex,
        job: &JobUser,
        enqueued_at: UnixMillis,
        now: UnixMillis,
    ) -> ArchiveOutcome {
        // A KV outage must not stop archiving: the unique key still prevents duplicates,
        // at worst we make one Spotify call too many.
        if let Ok(Some(_)) = self.kv.get(&job.slot).await {
            return ArchiveOutcome::AlreadyArchived;
        }
        let store = match self.shards.get(shard) {
            Ok(db) => Store::new(db),
            // A job for a shard that is not bound (a binding removed by mistake): retried,
            // it reaches the dead-letter queue, to replay once the shard is bound again.
            Err(error) => {
                return ArchiveOutcome::Unrecorded {
                    error: error.to_string(),
                }
            }
        };
        let user = match store.archive_user(&job.user_id).await {
            Ok(Some(user)) if user.is_active() => user,
            Ok(_) => return ArchiveOutcome::Skipped,
            Err(error) => {
                return ArchiveOutcome::Unrecorded {
                    error: error.to_string(),
                }
            }
        };
        if let Some(until) = user.app_rest_until.filter(|until| *until > now) {
            return ArchiveOutcome::AppResting { until };
        }
        if !job.manual {
            if let Some(until) = user.cooldown_until.filter(|until| *until > now) {
                return ArchiveOutcome::CoolingDown { until };
            }
            if user.last_success_at.is_some_and(|at| at >= enqueued_at) {
                return ArchiveOutcome::AlreadyArchived;
            }
        }
        let spotify = SpotifyClient::new(self.http, self.endpoints, self.credentials);
        match self.archive(&store, &spotify, &user, now).await {
            Ok(outcome) => {
                // Best effort: without the key a redelivery costs one call, never a row.
                if let Err(error) = self.kv.put(&job.slot, "done", SLOT_TTL_SECONDS).await {
                    self.log.write(
                        LogLine::warn("slot_unmarked")
                            .field("user", user.id.as_str())
                            .field("error", error.to_string()),
                    );
                }
                outcome
            }
            Err(error) => self.record_failure(&store, &user, error, now).await,
        }
    }

    async fn archive(
        &self,
        store: &Store<'_, D>,
        spotify: &SpotifyClient<'_, H>,
        user: &ArchiveUser,
        now: UnixMillis,
    ) -> Result<ArchiveOutcome, ArchiveError> {
        let stored_access = match (&user.access_token_enc, user.token_expires_at) {
            (Some(sealed), Some(expires_at)) if expires_at - now > REFRESH_BUFFER_MS => {
                Some(self.cipher.open(sealed, &user.id)?)
            }
            _ => None,
        };
        let (mut access, refreshed) = match stored_access {
            Some(token) => (
                AccessToken {
                    token,
                    unsaved: None,
                },
                false,
            ),
            None => (self.refresh(store, spotify, user, now).await?, true),
        };
        let after = poll_after(user.cursor_after);
        let page = match spotify.recently_played(&access.token, after, now).await {
            // The token died early (revoked, clock skew): one refresh, one retry.
            Err(SpotifyError::Unauthorized) if !refreshed => {
                access = self.refresh(store, spotify, user, now).await?;
                spotify.recently_played(&access.token, after, now).await?
            }
            result => result?,
        };
        let state = PollState {
            cursor_after: user.cursor_after,
            last_success_at: user.last_success_at,
            after_downtime: was_down(
                user.consecutive_failures,
                user.last_success_at,
                now,
                &self.policy,
            ),
        };
        let plan = plan_archive(&page, &state, &self.policy, now);
        let unsaved = access
            .unsaved
            .as_ref()
            .map(|(sealed, expires_at)| (sealed.as_str(), *expires_at));
        let events = user.archive_events(&plan, now);
        let write = store
            .write_archive(&user.id, &plan, unsaved, events)
            .await?;
        Ok(ArchiveOutcome::Archived {
            plays_seen: plan.plays.len(),
            plays_inserted: write.plays_inserted,
            gap: plan.gap,
            spotify_calls: spotify.calls(),
        })
    }

    /// Rests the whole app until `until` in every shard, concurrently: the directory
    /// records it with the operator's alert (and health reads it there), and every other
    /// shard keeps a copy, because its sweep's claim and its consumer read only their own
    /// database. A shard that misses it fails the record: the message is retried, and the
    /// record is idempotent (a later 429 only moves the end further out).
    async fn record_app_rest(&self, until: UnixMillis, now: UnixMillis) -> Result<(), StoreError> {
        join_all(self.shards.iter().map(|(shard, db)| async move {
            let store = Store::new(db);
            if shard == DIRECTORY {
                store.record_app_rest(until, now).await
            } else {
                store.copy_app_rest(until, now).await
            }
        }))
        .await
        .into_iter()
        .collect()
    }

    async fn refresh(
        &self,
        store: &Store<'_, D>,
        spotify: &SpotifyClient<'_, H>,
        user: &ArchiveUser,
        now: UnixMillis,
    ) -> Result<AccessToken, ArchiveError> {
        let sealed_refresh = user
            .refresh_token_enc
            .as_deref()
            .ok_or(ArchiveError::NoRefreshToken)?;
        let refresh_token = self.cipher.open(sealed_refresh, &user.id)?;
        let TokenGrant {
            access_token,
            expires_in,
            refresh_token: rotated,
            ..
        } = spotify.refresh(&refresh_token, now).await?;
        let expires_at = now + i64::try_from(expires_in).unwrap_or(3_600) * SECOND_MS;
        let sealed_access = self.cipher.seal(&access_token, &user.id)?;
        // While TOKEN_ENCRYPTION_KEY is rotated, a refresh token Spotify does not rotate
        // would stay sealed under the previous key for good: seal it again now, so that
        // the previous key can be retired (docs/operations.md).
        let rotated = rotated.or_else(|| {
            self.cipher
                .is_stale(sealed_refresh)
                .then(|| refresh_token.clone())
        });
        match rotated {
            // The old refresh token may already be dead: store the new one before anything else.
            Some(rotated) => {
                let tokens = SealedTokens {
                    access_token_enc: sealed_access,
                    refresh_token_enc: Some(self.cipher.seal(&rotated, &user.id)?),
                    expires_at,
                };
                store.store_tokens(&user.id, &tokens, now).await?;
                Ok(AccessToken {
                    token: access_token,
                    unsaved: None,
                })
            }
            None => Ok(AccessToken {
                token: access_token,
                unsaved: Some((sealed_access, expires_at)),
            }),
        }
    }

    async fn record_failure(
        &self,
        store: &Store<'_, D>,
        user: &ArchiveUser,
        error: ArchiveError,
        now: UnixMillis,
    ) -> ArchiveOutcome {
        let failures_before = u32::try_from(user.consecutive_failures).unwrap_or(0);
        let (kind, retry_after, message) = match &error {
            ArchiveError::Spotify(SpotifyError::InvalidGrant) | ArchiveError::NoRefreshToken => {
                return match store.mark_needs_reauth(&user.id, now).await {
                    Ok(()) => ArchiveOutcome::NeedsReauth,
                    Err(error) => ArchiveOutcome::Unrecorded {
                        error: error.to_string(),
                    },
                };
            }
            // The app's quota, not this user's doing: the whole app rests, recorded once
            // for everyone, and the user's own state is left alone.
            ArchiveError::Spotify(SpotifyError::QuotaExceeded {
                retry_after_seconds,
            }) => {
                let rest = cooldown_after(FailureKind::RateLimited, 0, *retry_after_seconds, now);
                return match self.record_app_rest(rest.until, now).await {
                    Ok(()) => ArchiveOutcome::AppResting { until: rest.until },
                    Err(error) => ArchiveOutcome::Unrecorded {
                        error: error.to_string(),
                    },
                };
            }
            ArchiveError::Spotify(spotify) => {
                let retry_after = match spotify {
                    SpotifyError::RateLimited {
                        retry_after_seconds,
                    } => *retry_after_seconds,
                    _ => None,
                };
                (spotify.failure_kind(), retry_after, spotify.to_string())
            }
            // A token that no longer opens is an authorization problem the operator or a
            // new login fixes; it must not look like a Spotify outage.
            ArchiveError::Crypto(crypto) => (FailureKind::Auth, None, crypto.to_string()),
            ArchiveError::Store(store_error) => {
                (FailureKind::Unknown, None, store_error.to_string())
            }
        };
        let cooldown = cooldown_after(kind, failures_before, retry_after, now);
        if let Err(record_error) = store.record_failure(&user.id, kind, cooldown, now).await {
            return ArchiveOutcome::Unrecorded {
                error: format!("{message}; then {record_error}"),
            };
        }
        match kind {
            FailureKind::RateLimited => ArchiveOutcome::RateLimited {
                retry_after_seconds: u64::try_from((cooldown.until - now).div_euclid(SECOND_MS))
                    .unwrap_or(0),
            },
            _ => ArchiveOutcome::Failed {
                kind,
                cooldown_until: cooldown.until,
                error: message,
            },
        }
    }
}

/// How long a message waits before its retry when a failure could not be recorded.
pub const UNRECORDED_RETRY_SECONDS: u64 = 60;

/// Ack unless a user was rate limited (retry after Spotify's wait) or could not be
/// recorded (retry after a minute; past the configured retries the platform moves the
/// message to the dead-letter queue). A Rust Worker cannot read the platform's delivery
/// count, so the wait does not grow with it.
pub fn decide(outcomes: &[ArchiveOutcome]) -> MessageDecision {
    let rate_limit_wait = outcomes
        .iter()
        .filter_map(|outcome| match outcome {
            ArchiveOutcome::RateLimited {
                retry_after_seconds,
            } => Some(*retry_after_seconds),
            _ => None,
        })
        .max();
    let unrecorded = outcomes
        .iter()
        .any(|outcome| matches!(outcome, ArchiveOutcome::Unrecorded { .. }));
    let backoff = unrecorded.then_some(UNRECORDED_RETRY_SECONDS);
    match rate_limit_wait.into_iter().chain(backoff).max() {
        Some(wait) => MessageDecision::Retry {
            delay_seconds: wait.clamp(1, MAX_QUEUE_DELAY_SECONDS),
        },
        None => MessageDecision::Ack,
    }
}

/// Whether the user was out of reach since the last archive: failures in a row, or no
/// success for over two regular intervals (a pause, a re-login, a long cooldown).
pub fn was_down(
    consecutive_failures: i64,
    last_success_at: Option<UnixMillis>,
    now: UnixMillis,
    policy: &PollingPolicy,
) -> bool {
    consecutive_failures > 0
        || last_success_at.is_some_and(|at| now - at > 2 * policy.regular_interval_ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_of_successes_and_recorded_failures_is_acked() {
        let outcomes = [
            ArchiveOutcome::AlreadyArchived,
            ArchiveOutcome::Failed {
                kind: FailureKind::Network,
                cooldown_until: 0,
                error: String::new(),
            },
            ArchiveOutcome::NeedsReauth,
        ];
        assert_eq!(decide(&outcomes), MessageDecision::Ack);
    }

    #[test]
    fn a_rate_limit_retries_the_message_after_the_longest_wait() {
        let outcomes = [
            ArchiveOutcome::RateLimited {
                retry_after_seconds: 30,
            },
            ArchiveOutcome::RateLimited {
                retry_after_seconds: 120,
            },
            ArchiveOutcome::Skipped,
        ];
        assert_eq!(
            decide(&outcomes),
            MessageDecision::Retry { delay_seconds: 120 }
        );
    }

    #[test]
    fn a_wait_of_hours_is_capped_at_the_queue_maximum() {
        let outcomes = [ArchiveOutcome::RateLimited {
            retry_after_seconds: 86_400,
        }];
        assert_eq!(
            decide(&outcomes),
            MessageDecision::Retry {
                delay_seconds: MAX_QUEUE_DELAY_SECONDS
            }
        );
    }

    #[test]
    fn an_unrecorded_failure_retries_after_a_minute() {
        let outcomes = [ArchiveOutcome::Unrecorded {
            error: "d1 down".into(),
        }];
        assert_eq!(
            decide(&outcomes),
            MessageDecision::Retry { delay_seconds: 60 }
        );
    }

    #[test]
    fn a_longer_rate_limit_wins_over_the_unrecorded_wait() {
        let outcomes = [
            ArchiveOutcome::Unrecorded {
                error: "d1 down".into(),
            },
            ArchiveOutcome::RateLimited {
                retry_after_seconds: 600,
            },
        ];
        assert_eq!(
            decide(&outcomes),
            MessageDecision::Retry { delay_seconds: 600 }
        );
    }

    #[test]
    fn downtime_is_failures_or_a_long_silence() {
        let policy = PollingPolicy::default();
        assert!(was_down(1, Some(0), 0, &policy));
        assert!(was_down(
            0,
            Some(0),
            3 * policy.regular_interval_ms,
            &policy
        ));
        assert!(!was_down(0, Some(0), policy.regular_interval_ms, &policy));
        assert!(!was_down(0, None, 0, &policy));
    }
}
