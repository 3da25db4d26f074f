//! The sweep: claim the users that are due, and send them to the archive queue; then
//! relay the notification deliveries that are due.

use crate::job::{ArchiveJob, JobUser};
use crate::notify::{self, NotifyMessage};
use crate::ports::{Database, JobQueue};
use crate::slot::scheduled_kind;
use crate::store::{DueUser, Store, SweepSummary};
use crate::time::{UnixMillis, MINUTE_MS};

/// A Queue `send_batch` takes at most 100 messages…
pub const MAX_MESSAGES_PER_SEND: usize = 100;
/// …and at most 256 KB in all; we keep a margin for the platform's per-message overhead.
pub const MAX_BYTES_PER_SEND: usize = 200 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SweepConfig {
    /// Users per queue message (the consumer archives them concurrently).
    pub users_per_message: usize,
    /// Users claimed per sweep at most; the rest wait for the next cron.
    pub max_users: usize,
    /// How long a claimed user is held back from the next sweeps while their message
    /// waits in the queue.
    pub lease_ms: i64,
}

impl Default for SweepConfig {
    fn default() -> Self {
        Self {
            users_per_message: 10,
            max_users: 10_000,
            lease_ms: 10 * MINUTE_MS,
        }
    }
}

/// The users of a sweep, `per_message` to a message, each with the slot of this poll.
pub fn build_jobs(due: &[DueUser], per_message: usize, now: UnixMillis) -> Vec<ArchiveJob> {
    due.chunks(per_message.max(1))
        .map(|chunk| ArchiveJob {
            users: chunk
                .iter()
                .map(|user| JobUser::new(&user.id, scheduled_kind(user.last_polled_at, now), now))
                .collect(),
            enqueued_at: now,
        })
        .collect()
}

/// Cuts messages into `send_batch` calls that respect the Queue limits.
pub fn split_for_send(jobs: Vec<ArchiveJob>) -> Vec<Vec<ArchiveJob>> {
    let mut calls: Vec<Vec<ArchiveJob>> = Vec::new();
    let mut bytes = 0;
    for job in jobs {
        let size = serde_json::to_string(&job).map_or(0, |text| text.len());
        let full = calls.last().is_none_or(|call| {
            call.len() >= MAX_MESSAGES_PER_SEND || bytes + size > MAX_BYTES_PER_SEND
        });
        if full {
            calls.push(Vec::new());
            bytes = 0;
        }
        bytes += size;
        if let Some(call) = calls.last_mut() {
            call.push(job);
        }
    }
    calls
}

/// Runs one sweep and records its summary. `clock` gives the time at the end, for the
/// duration. Errors are part of the summary: a sweep never fails its caller.
pub async fn run_sweep<D: Database, Q: JobQueue>(
    db: &D,
    queue: &Q,
    config: &SweepConfig,
    trigger: &'static str,
    now: UnixMillis,
    clock: impl Fn() -> UnixMillis,
) -> SweepSummary {
    let store = Store::new(db);
    let mut summary = SweepSummary {
        started_at: now,
        trigger,
        users_due: 0,
        skipped_cooldown: 0,
        enqueued: 0,
        messages: 0,
        duration_ms: 0,
        error: None,
        notifications_relayed: 0,
    };
    match store
        .claim_due_users(now, now + config.lease_ms, config.max_users)
        .await
    {
        Ok((due, cooling)) => {
            summary.users_due = due.len();
            summary.skipped_cooldown = cooling;
            for call in split_for_send(build_jobs(&due, config.users_per_message, now)) {
                let (messages, users) = (
                    call.len(),
                    call.iter().map(|job| job.users.len()).sum::<usize>(),
                );
                match queue.send_batch(call).await {
                    Ok(()) => {
                        summary.messages += messages;
                        summary.enqueued += users;
                    }
                    // The users not sent keep their lease and come back when it ends.
                    Err(error) => {
                        summary.error = Some(error.to_string());
                        break;
                    }
                }
            }
        }
        Err(error) => summary.error = Some(error.to_string()),
    }
    summary.duration_ms = clock() - now;
    // The record's batch also takes the notification deliveries that are due: the relay's
    // safety net for those whose writer could not send them, or whose message was lost.
    // Taken and not sent, they are due again in 15 minutes.
    match store.record_sweep(&summary, notify::RELAY_BATCH).await {
        Ok(due) if due.is_empty() => {}
        Ok(due) => {
            let count = due.len();
            let messages = due.into_iter().map(NotifyMessage::Delivery).collect();
            match queue.send_notifications(messages).await {
                Ok(()) => summary.notifications_relayed = count,
                Err(error) => {
                    summary
                        .error
                        .get_or_insert(format!("notification relay: {error}"));
                }
            }
        }
        Err(error) => {
            summary.error.get_or_insert(error.to_string());
        }
    }
    summary
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::HOUR_MS;

    const NOW: UnixMillis = 1_800_000_000_000 - 1_800_000_000_000 % HOUR_MS + 5 * MINUTE_MS;

    fn due(count: usize) -> Vec<DueUser> {
        (0..count)
            .map(|n| DueUser {
                id: format!("user-{n}"),
                last_polled_at: None,
            })
            .collect()
    }

    #[test]
    fn users_go_ten_to_a_message() {
        let jobs = build_jobs(&due(25), 10, NOW);
        assert_eq!(
            jobs.iter().map(|job| job.users.len()).collect::<Vec<_>>(),
            [10, 10, 5]
        );
    }

    #[test]
    fn a_user_polled_earlier_this_hour_gets_an_extra_slot() {
        let users = [
            DueUser {
                id: "a".into(),
                last_polled_at: Some(NOW - 2 * MINUTE_MS),
            },
            DueUser {
                id: "b".into(),
                last_polled_at: Some(NOW - HOUR_MS),
            },
        ];
        let jobs = build_jobs(&users, 10, NOW);
        assert!(
            jobs[0].users[0].slot.ends_with("_05"),
            "{}",
            jobs[0].users[0].slot
        );
        assert!(!jobs[0].users[1].slot.ends_with("_05"));
        assert!(!jobs[0].users[0].manual);
    }

    #[test]
    fn sends_hold_at_most_a_hundred_messages() {
        let calls = split_for_send(build_jobs(&due(2_501), 10, NOW));
        assert_eq!(
            calls.iter().map(Vec::len).collect::<Vec<_>>(),
            [100, 100, 51]
        );
    }

    #[test]
    fn sends_stay_under_the_byte_limit() {
        let long_ids: Vec<DueUser> = (0..2_000)
            .map(|n| DueUser {
                id: format!("{n}-{}", "x".repeat(400)),
                last_polled_at: None,
            })
            .collect();
        let calls = split_for_send(build_jobs(&long_ids, 10, NOW));
        assert!(calls.len() > 2);
        for call in calls {
            let bytes: usize = call
                .iter()
                .map(|job| serde_json::to_string(job).map_or(0, |t| t.len()))
                .sum();
            assert!(bytes <= MAX_BYTES_PER_SEND && call.len() <= MAX_MESSAGES_PER_SEND);
        }
    }

    #[test]
    fn nothing_due_sends_nothing() {
        assert!(split_for_send(build_jobs(&[], 10, NOW)).is_empty());
    }
}
