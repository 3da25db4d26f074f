//! The sweep: claim the users that are due, and send them to the archive queue; then
//! relay the notification deliveries that are due.

use futures::future::join_all;

use crate::engine::job::{ArchiveJob, JobUser};
use crate::engine::slot::scheduled_kind;
use crate::notify::{self, NotifyMessage};
use crate::ports::{Database, JobQueue};
use crate::shards::{ShardIndex, Shards, DIRECTORY};
use crate::store::sweeps::{DueUser, ShardSweep, SweepSummary};
use crate::store::Store;
use crate::time::{UnixMillis, MINUTE_MS};

/// A Queue `send_batch` takes at most 100 messages…
pub const MAX_MESSAGES_PER_SEND: usize = 100;
/// …and at most 256 KB in all; we keep a margin for the platform's per-message overhead.
pub const MAX_BYTES_PER_SEND: usize = 200 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SweepConfig {
    /// Users per queue message (the consumer archives them concurrently).
    pub users_per_message: usize,
    /// Users claimed per sweep and shard at most; the rest wait for the next cron.
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

/// The users of a sweep of `shard`, `per_message` to a message, each with the slot of
/// this poll.
pub fn build_jobs(
    shard: ShardIndex,
    due: &[DueUser],
    per_message: usize,
    now: UnixMillis,
) -> Vec<ArchiveJob> {
    due.chunks(per_message.max(1))
        .map(|chunk| ArchiveJob {
            shard,
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

/// Runs one sweep over every shard and records its summary in the directory. `clock`
/// gives the time at the end, for the duration. Errors are part of the summary: a sweep
/// never fails its caller, and a shard that fails does not stop the others.
///
/// Two D1 round trips per shard, whatever the number of users: the claim, then the
/// shard's housekeeping with the notification deliveries it has due (the directory's
/// also records the sweep). The shards run concurrently: each is its own database.
pub async fn run_sweep<D: Database, Q: JobQueue>(
    shards: &Shards<'_, D>,
    queue: &Q,
    config: &SweepConfig,
    trigger: &'static str,
    now: UnixMillis,
    clock: impl Fn() -> UnixMillis,
) -> SweepSummary {
    let mut parts = join_all(
        shards
            .iter()
            .map(|(shard, db)| claim_and_send(shard, db, queue, config, now)),
    )
    .await;
    // Every shard but the directory tidies and relays on its own; the directory's batch
    // waits for their outcomes, to record the whole sweep.
    let tidied = join_all(shards.iter().filter(|(shard, _)| *shard != DIRECTORY).map(
        |(shard, db)| async move { (shard, tidy_and_relay(shard, db, queue, None, now).await) },
    ))
    .await;
    for (shard, outcome) in tidied {
        if let Some(part) = parts.iter_mut().find(|part| part.shard == shard) {
            part.absorb(outcome);
        }
    }
    let mut summary = SweepSummary::of_shards(trigger, now, parts);
    summary.duration_ms = clock() - now;
    let outcome = tidy_and_relay(DIRECTORY, shards.directory(), queue, Some(&summary), now).await;
    if let Some(part) = summary
        .shards
        .iter_mut()
        .find(|part| part.shard == DIRECTORY)
    {
        part.absorb(outcome.clone());
    }
    summary.notifications_relayed += outcome.relayed;
    summary.forwards_relayed += outcome.forwards;
    if let (None, Some(error)) = (&summary.error, outcome.error) {
        summary.error = Some(format!("shard {DIRECTORY}: {error}"));
    }
    summary
}

/// One shard's claim, and its users sent to the archive queue.
async fn claim_and_send<D: Database, Q: JobQueue>(
    shard: ShardIndex,
    db: &D,
    queue: &Q,
    config: &SweepConfig,
    now: UnixMillis,
) -> ShardSweep {
    let mut part = ShardSweep::new(shard);
    let (due, cooling) = match Store::new(db)
        .claim_due_users(now, now + config.lease_ms, config.max_users)
        .await
    {
        Ok(claimed) => claimed,
        Err(error) => {
            part.error = Some(error.to_string());
            return part;
        }
    };
    part.users_due = due.len();
    part.skipped_cooldown = cooling;
    for call in split_for_send(build_jobs(shard, &due, config.users_per_message, now)) {
        let (messages, users) = (
            call.len(),
            call.iter().map(|job| job.users.len()).sum::<usize>(),
        );
        match queue.send_batch(call).await {
            Ok(()) => {
                part.messages += messages;
                part.enqueued += users;
            }
            // The users not sent keep their lease and come back when it ends.
            Err(error) => {
                part.error = Some(error.to_string());
                break;
            }
        }
    }
    part
}

/// What a shard's second round trip did.
#[derive(Debug, Clone, Default)]
struct Tidied {
    /// Notification deliveries sent to the queue.
    relayed: usize,
    /// Forwarding destinations sent to the queue.
    forwards: usize,
    error: Option<String>,
}

impl ShardSweep {
    fn absorb(&mut self, tidied: Tidied) {
        self.notifications_relayed += tidied.relayed;
        self.forwards_relayed += tidied.forwards;
        if self.error.is_none() {
            self.error = tidied.error;
        }
    }
}

/// A shard's housekeeping in one batch (expired sessions, old deliveries; the sweep's
/// record in the directory), which also takes the notification deliveries that are due:
/// the relay's safety net for those whose writer could not send them, or whose message
/// was lost. Taken and not sent, they are due again in 15 minutes. It also reads the
/// forwarding destinations with plays waiting that may send now: the safety net of the
/// archive consumer's relay, and the retry of those whose wait is over.
async fn tidy_and_relay<D: Database, Q: JobQueue>(
    shard: ShardIndex,
    db: &D,
    queue: &Q,
    record: Option<&SweepSummary>,
    now: UnixMillis,
) -> Tidied {
    let store = Store::new(db);
    let due = match record {
        Some(summary) => store.record_sweep(summary, notify::RELAY_BATCH).await,
        None => store.tidy(now, notify::RELAY_BATCH).await,
    };
    match due {
        Ok(due) if due.is_empty() => Tidied::default(),
        Ok(due) => {
            // One call for each list: a `send_batch` takes at most 100 messages, and each
            // list holds at most `RELAY_BATCH`.
            let deliveries: Vec<NotifyMessage> = due
                .deliveries
                .iter()
                .map(|&id| NotifyMessage::delivery(shard, id))
                .collect();
            let forwards: Vec<NotifyMessage> = due
                .forwards
                .iter()
                .map(|&destination| NotifyMessage::Forward { shard, destination })
                .collect();
            let relayed = send_relayed(queue, deliveries, "notification").await;
            let forwarded = send_relayed(queue, forwards, "forward").await;
            Tidied {
                relayed: *relayed.as_ref().unwrap_or(&0),
                forwards: *forwarded.as_ref().unwrap_or(&0),
                error: relayed.err().or(forwarded.err()),
            }
        }
        Err(error) => Tidied {
            error: Some(error.to_string()),
            ..Tidied::default()
        },
    }
}

/// Sends one list a shard's housekeeping took (none: no call); answers how many went, or
/// what failed, named by `what` the list is.
async fn send_relayed<Q: JobQueue>(
    queue: &Q,
    messages: Vec<NotifyMessage>,
    what: &str,
) -> Result<usize, String> {
    if messages.is_empty() {
        return Ok(0);
    }
    let count = messages.len();
    queue
        .send_notifications(messages)
        .await
        .map(|()| count)
        .map_err(|error| format!("{what} relay: {error}"))
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
        let jobs = build_jobs(0, &due(25), 10, NOW);
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
        let jobs = build_jobs(0, &users, 10, NOW);
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
        let calls = split_for_send(build_jobs(0, &due(2_501), 10, NOW));
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
        let calls = split_for_send(build_jobs(0, &long_ids, 10, NOW));
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
        assert!(split_for_send(build_jobs(0, &[], 10, NOW)).is_empty());
    }
}

/// The sweep over several shards, against one SQLite twin per shard.
#[cfg(test)]
mod shard_tests {
    use futures::executor::block_on;
    use serde_json::{json, Value};

    use super::*;
    use crate::store::Store;
    use crate::testing::{MemoryQueue, SqliteDatabase};
    use crate::time::HOUR_MS;

    const NOW: UnixMillis = 1_800_000_000_000;
    const TOOK_MS: i64 = 42;

    /// Three shards: shard 0 with 2 users due, shard 1 with 3 due and 1 resting in a
    /// cooldown, shard 2 with 1 due and 1 not due yet.
    fn three_shards() -> [SqliteDatabase; 3] {
        let databases = [
            SqliteDatabase::new(),
            SqliteDatabase::new(),
            SqliteDatabase::new(),
        ];
        let add = |shard: usize, id: &str, due_at: UnixMillis, cooldown: Option<UnixMillis>| {
            databases[shard].sql(
                "INSERT INTO users (id, spotify_id, display_name, authorized_at, created_at, updated_at, next_due_at, cooldown_until)
                 VALUES (?1, ?1, ?1, ?2, ?2, ?2, ?3, ?4)",
                vec![json!(id), json!(NOW - HOUR_MS), json!(due_at), json!(cooldown)],
            );
        };
        add(0, "s0-a", NOW - MINUTE_MS, None);
        add(0, "s0-b", NOW, None);
        add(1, "s1-a", NOW - MINUTE_MS, None);
        add(1, "s1-b", NOW - MINUTE_MS, None);
        add(1, "s1-c", NOW, None);
        add(1, "s1-resting", NOW - MINUTE_MS, Some(NOW + HOUR_MS));
        add(2, "s2-a", NOW - MINUTE_MS, None);
        add(2, "s2-later", NOW + HOUR_MS, None);
        for database in &databases {
            database.reset_counts();
        }
        databases
    }

    fn sweep(databases: &[SqliteDatabase], queue: &MemoryQueue) -> SweepSummary {
        let shards = Shards::new(databases.iter().collect()).expect("three shards");
        block_on(run_sweep(
            &shards,
            queue,
            &SweepConfig::default(),
            "cron",
            NOW,
            || NOW + TOOK_MS,
        ))
    }

    /// (shard, user) of every job's users, sorted.
    fn sent(queue: &MemoryQueue) -> Vec<(ShardIndex, String)> {
        let mut sent: Vec<(ShardIndex, String)> = queue
            .messages()
            .iter()
            .flat_map(|job| {
                job.users
                    .iter()
                    .map(move |user| (job.shard, user.user_id.clone()))
            })
            .collect();
        sent.sort();
        sent
    }

    fn owned(pairs: &[(ShardIndex, &str)]) -> Vec<(ShardIndex, String)> {
        pairs
            .iter()
            .map(|(shard, user)| (*shard, (*user).to_owned()))
            .collect()
    }

    #[test]
    fn every_shards_due_users_are_sent_in_jobs_naming_their_shard() {
        let databases = three_shards();
        let queue = MemoryQueue::default();
        let summary = sweep(&databases, &queue);
        assert_eq!(
            sent(&queue),
            owned(&[
                (0, "s0-a"),
                (0, "s0-b"),
                (1, "s1-a"),
                (1, "s1-b"),
                (1, "s1-c"),
                (2, "s2-a")
            ])
        );
        // A job holds the users of one shard only: one message per shard here.
        assert_eq!(
            queue
                .messages()
                .iter()
                .map(|job| job.shard)
                .collect::<Vec<_>>(),
            [0, 1, 2]
        );
        let parts: Vec<(ShardIndex, usize, usize, usize, usize, Option<String>)> = summary
            .shards
            .iter()
            .map(|part| {
                (
                    part.shard,
                    part.users_due,
                    part.skipped_cooldown,
                    part.enqueued,
                    part.messages,
                    part.error.clone(),
                )
            })
            .collect();
        assert_eq!(
            parts,
            [
                (0, 2, 0, 2, 1, None),
                (1, 3, 1, 3, 1, None),
                (2, 1, 0, 1, 1, None)
            ]
        );
        assert_eq!(
            (
                summary.users_due,
                summary.skipped_cooldown,
                summary.enqueued,
                summary.messages
            ),
            (6, 1, 6, 3),
            "the totals are the parts' sums"
        );
        assert_eq!(summary.error, None);
        assert_eq!(summary.duration_ms, TOOK_MS);
        // Claimed users are held by their lease: a second sweep at once sends nobody.
        queue.take();
        let again = sweep(&databases, &queue);
        assert_eq!((again.users_due, again.enqueued), (0, 0));
        assert!(queue.messages().is_empty());
    }

    #[test]
    fn a_sweep_makes_two_round_trips_per_shard_whatever_the_users() {
        let databases = three_shards();
        let queue = MemoryQueue::default();
        sweep(&databases, &queue);
        let trips: Vec<usize> = databases.iter().map(SqliteDatabase::round_trips).collect();
        assert_eq!(trips, [2, 2, 2]);
        // With nobody due, the same two.
        for database in &databases {
            database.reset_counts();
        }
        sweep(&databases, &queue);
        let trips: Vec<usize> = databases.iter().map(SqliteDatabase::round_trips).collect();
        assert_eq!(trips, [2, 2, 2]);
    }

    #[test]
    fn the_sweep_is_recorded_once_in_the_directory_with_each_shards_part() {
        let databases = three_shards();
        let queue = MemoryQueue::default();
        let summary = sweep(&databases, &queue);
        let count = |database: &SqliteDatabase| {
            database.sql("SELECT count(*) AS n FROM sweeps", vec![])[0]["n"].clone()
        };
        assert_eq!(
            databases.iter().map(count).collect::<Vec<_>>(),
            [json!(1), json!(0), json!(0)]
        );
        let row = &databases[0].sql("SELECT users_due, enqueued, shards FROM sweeps", vec![])[0];
        assert_eq!(
            (&row["users_due"], &row["enqueued"]),
            (&json!(6), &json!(6))
        );
        let stored: Value =
            serde_json::from_str(row["shards"].as_str().expect("JSON text")).expect("JSON");
        assert_eq!(stored, serde_json::to_value(&summary.shards).expect("json"));
        assert_eq!(stored[1]["skipped_cooldown"], 1);

        // What health shows as the last sweep.
        let last = block_on(Store::new(&databases[0]).last_sweep())
            .expect("read")
            .expect("a sweep");
        assert_eq!(last.shards, summary.shards);
        assert_eq!(last.users_due, 6);
    }

    #[test]
    fn a_shard_whose_claim_fails_keeps_no_other_shards_users_back() {
        let databases = three_shards();
        databases[1].fail_batches(true);
        let queue = MemoryQueue::default();
        let summary = sweep(&databases, &queue);
        assert_eq!(
            sent(&queue),
            owned(&[(0, "s0-a"), (0, "s0-b"), (2, "s2-a")])
        );
        let failed = &summary.shards[1];
        assert_eq!((failed.shard, failed.users_due, failed.enqueued), (1, 0, 0));
        let error = failed.error.as_deref().expect("shard 1's error");
        assert!(error.contains("simulated outage"), "{error}");
        assert_eq!(summary.shards[0].error, None);
        assert_eq!(summary.shards[2].error, None);
        assert_eq!(summary.error, Some(format!("shard 1: {error}")));
        assert_eq!((summary.users_due, summary.enqueued), (3, 3));
        // Still recorded, in the directory, with the failing part.
        let last = block_on(Store::new(&databases[0]).last_sweep())
            .expect("read")
            .expect("a sweep");
        assert_eq!(last.error, summary.error);
        assert_eq!(last.shards[1].error.as_deref(), Some(error));
        // Shard 1's users were not claimed: once it answers, the next sweep sends them.
        databases[1].fail_batches(false);
        queue.take();
        let next = sweep(&databases, &queue);
        assert_eq!(next.error, None);
        assert_eq!(
            sent(&queue),
            owned(&[(1, "s1-a"), (1, "s1-b"), (1, "s1-c")])
        );
    }

    #[test]
    fn the_summarys_error_names_the_first_failing_shard() {
        let databases = three_shards();
        databases[2].fail_batches(true);
        let queue = MemoryQueue::default();
        let summary = sweep(&databases, &queue);
        let error = summary.error.expect("an error");
        assert!(error.starts_with("shard 2: "), "{error}");
        assert_eq!(summary.enqueued, 5);
    }
}
