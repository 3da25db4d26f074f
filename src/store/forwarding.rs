//! The SQL of forwarding: a user's destinations, the plays each has yet to accept
//! (`forward_outbox`, filled by a trigger as plays are archived), an attempt's claim and
//! its settlement. See [`crate::forward`].

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::history::{plays_from, HistoryPlay};
use super::{decode, decode_all, to_json_text, user_key, Store, StoreError};
use crate::forward::Service;
use crate::ports::{Database, Row, Statement};
use crate::time::{UnixMillis, SECOND_MS};

/// How long an attempt holds its destination: longer than a submission can take (the
/// HTTP client gives up after 10 s), short enough that a crashed attempt's plays wait
/// for one sweep at most.
pub const CLAIM_MS: i64 = 120 * SECOND_MS;

/// How long a relayed destination is not relayed again while its message is on the
/// queue (the message's attempt ends the lease at once): the archive batches of a busy
/// minute queue one message, not one each. A message lost is made good by the first
/// relay after the lease.
pub const RELAY_LEASE_MS: i64 = 15 * SECOND_MS;

/// Connects a destination, or connects it again with a new credential: whatever stopped
/// it (a revoked token, failures) is forgotten, its waiting plays are kept.
pub(super) const CONNECT_DESTINATION: &str = concat!(
    "INSERT INTO forward_destinations (user_key, service, account, credential, created_at)
VALUES (",
    user_key!("?1"),
    ", ?2, ?3, ?4, ?5)
ON CONFLICT (user_key, service) DO UPDATE SET
    account = excluded.account, credential = excluded.credential, enabled = 1,
    revoked_at = NULL, failures = 0, last_error = NULL, next_attempt_at = 0, relayed_until = 0"
);

/// Queues the user's plays since `?3` for destination `?2`, unless it has ever answered
/// for a play (sent, passed over or refused one): those must not go twice. Plays still
/// waiting are absorbed by the outbox's key, as are the trigger's from now on. Only
/// Spotify's music (polls, Spotify's exports): plays that came from Last.fm or
/// ListenBrainz would go back where they came from, or cross over.
pub(super) const QUEUE_ARCHIVE_SINCE: &str = concat!(
    "INSERT INTO forward_outbox (destination_id, played_at, track_key)
SELECT d.id, p.played_at, p.track_key
  FROM forward_destinations d
  JOIN play_events p ON p.user_key = d.user_key AND p.played_at >= ?3
 WHERE d.user_key = ",
    user_key!("?1"),
    " AND d.service = ?2 AND d.last_sent_at IS NULL AND d.refused = 0
   AND p.kind = 0 AND p.source IN (0, 1, 2)
ON CONFLICT DO NOTHING"
);

/// Counts what [`QUEUE_ARCHIVE_SINCE`] queued (`changes()`, right after it) as waiting.
pub(super) const COUNT_ARCHIVE_QUEUED: &str = concat!(
    "UPDATE forward_destinations SET pending = pending + changes() WHERE user_key = ",
    user_key!("?1"),
    " AND service = ?2"
);

/// The user's switch: paused, a destination keeps collecting plays and sends none.
pub(super) const SET_DESTINATION_ENABLED: &str = concat!(
    "UPDATE forward_destinations SET enabled = ?3 WHERE user_key = ",
    user_key!("?1"),
    " AND service = ?2 RETURNING id"
);

/// A destination's waiting plays go with it.
pub(super) const DELETE_DESTINATION_OUTBOX: &str = concat!(
    "DELETE FROM forward_outbox WHERE destination_id =
  (SELECT id FROM forward_destinations WHERE user_key = ",
    user_key!("?1"),
    " AND service = ?2)"
);
pub(super) const DELETE_DESTINATION: &str = concat!(
    "DELETE FROM forward_destinations WHERE user_key = ",
    user_key!("?1"),
    " AND service = ?2 RETURNING id"
);

/// Every destination of a deleted account, and their waiting plays.
pub(super) const DELETE_USER_OUTBOX: &str = concat!(
    "DELETE FROM forward_outbox WHERE destination_id IN
  (SELECT id FROM forward_destinations WHERE user_key = ",
    user_key!("?1"),
    ")"
);
pub(super) const DELETE_USER_DESTINATIONS: &str = concat!(
    "DELETE FROM forward_destinations WHERE user_key = ",
    user_key!("?1")
);

pub(super) const USER_DESTINATIONS: &str = concat!(
    "SELECT service, account, enabled, pending, sent, passed_over, refused, last_sent_at, last_error, failures,
       next_attempt_at, revoked_at, created_at
  FROM forward_destinations WHERE user_key = ",
    user_key!("?1"),
    " ORDER BY service"
);

/// Takes the destinations that have plays waiting and may send them at `?1`, `?2` at
/// most, for the queue: each is not taken again for [`RELAY_LEASE_MS`] (`?3`), so a
/// relay after every archive batch does not queue a message per batch. The inner
/// conditions are the index's own.
pub(super) const DUE_DESTINATIONS: &str = "\
UPDATE forward_destinations SET relayed_until = ?1 + ?3
 WHERE id IN (SELECT id FROM forward_destinations
               WHERE pending > 0 AND enabled = 1 AND revoked_at IS NULL
                 AND next_attempt_at <= ?1 AND claimed_until <= ?1 AND relayed_until <= ?1
               ORDER BY next_attempt_at LIMIT ?2)
RETURNING id";

/// Claims a destination for one attempt, unless another attempt holds it, or it has
/// nothing waiting, is not due, paused, revoked or gone.
pub(super) const CLAIM_DESTINATION: &str = "\
UPDATE forward_destinations SET claimed_until = ?2 + ?3, relayed_until = 0
 WHERE id = ?1 AND pending > 0 AND enabled = 1 AND revoked_at IS NULL
   AND next_attempt_at <= ?2 AND claimed_until <= ?2
RETURNING id, user_key, service, credential, pending, failures, claimed_until, last_batch,
          solo_plays, (SELECT u.id FROM users u WHERE u.key = user_key) AS user_id";

/// The oldest waiting plays of destination `?1` (of user `?2`), `?3` of them.
pub(super) const WAITING_PLAYS: &str = concat!(
    super::history::play_columns!(),
    "
  JOIN forward_outbox o ON o.played_at = p.played_at AND o.track_key = p.track_key
 WHERE o.destination_id = ?1 AND p.user_key = ?2
 ORDER BY o.played_at, o.track_key
 LIMIT ?3"
);

/// Takes plays the service answered for (`?2`: `[[played_at, track_key], …]`) off the
/// outbox. Not bound to the claim: plays a service took go, whoever records them.
pub(super) const DELETE_SENT: &str = "\
DELETE FROM forward_outbox
 WHERE destination_id = ?1
   AND (played_at, track_key) IN
       (SELECT value ->> 0, value ->> 1 FROM json_each(?2))";

/// Records a batch after [`DELETE_SENT`], by the attempt holding the claim (`?5`): `?2`
/// plays taken, the rest of what the delete removed passed over; `?6` names the batch.
/// `changes()` is the delete's count: a batch recorded twice counts nothing twice.
pub(super) const RECORD_SENT: &str = "\
UPDATE forward_destinations
   SET sent = sent + min(?2, changes()), passed_over = passed_over + max(changes() - ?2, 0),
       last_sent_at = CASE WHEN changes() > 0 THEN ?3 ELSE last_sent_at END,
       pending = max(pending - changes(), 0), solo_plays = max(solo_plays - ?4, 0),
       failures = 0, last_error = NULL, next_attempt_at = 0, claimed_until = 0, last_batch = ?6
 WHERE id = ?1 AND claimed_until = ?5
RETURNING pending";

/// Counts the destination's waiting plays again (the trigger counts a play whose outbox
/// row a repeat absorbed) and ends the claim.
pub(super) const RECOUNT_PENDING: &str = "\
UPDATE forward_destinations
   SET pending = (SELECT count(*) FROM forward_outbox o WHERE o.destination_id = ?1),
       claimed_until = 0
 WHERE id = ?1 AND claimed_until = ?2";

/// Records a failure: tried again at `?3` at the earliest.
pub(super) const RECORD_FAILURE: &str = "\
UPDATE forward_destinations
   SET failures = failures + 1, last_error = ?2, next_attempt_at = ?3, claimed_until = 0
 WHERE id = ?1 AND claimed_until = ?4";

/// Records that the service refused a batch of `?3` plays: they are sent one at a time,
/// at once, to find the one it will not take.
pub(super) const RECORD_REFUSED_BATCH: &str = "\
UPDATE forward_destinations
   SET solo_plays = ?3, last_error = ?2, claimed_until = 0
 WHERE id = ?1 AND claimed_until = ?4";

/// Records, after [`DELETE_SENT`] of it, the one play the service refused.
pub(super) const RECORD_REFUSED_PLAY: &str = "\
UPDATE forward_destinations
   SET refused = refused + changes(), pending = max(pending - changes(), 0),
       solo_plays = max(solo_plays - 1, 0), last_error = ?2, claimed_until = 0
 WHERE id = ?1 AND claimed_until = ?3
RETURNING pending";

/// Records that the service refused the credential it was sent with (`?4`): nothing
/// more is sent until the user connects again, with another; plays keep collecting. A
/// late second refusal keeps the first `revoked_at`: the user's alert, keyed by it, goes
/// once.
pub(super) const RECORD_REVOKED: &str = "\
UPDATE forward_destinations
   SET revoked_at = coalesce(revoked_at, ?2), last_error = ?3, claimed_until = 0
 WHERE id = ?1 AND credential = ?4";

/// A credential sealed again under the current key, unless it changed meanwhile.
pub(super) const RESEAL_CREDENTIAL: &str = "\
UPDATE forward_destinations SET credential = ?3 WHERE id = ?1 AND credential = ?2";

/// A destination as the dashboard and the API show it. The credential is never read
/// here.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct DestinationView {
    pub service: String,
    /// The user's name at the service.
    pub account: String,
    pub enabled: i64,
    /// Plays archived and not yet accepted: how far behind it is.
    pub pending: i64,
    pub sent: i64,
    /// Plays the service's rules keep out (Last.fm: 30 s or shorter, over 14 days old).
    pub passed_over: i64,
    /// Plays the service refused, one by one (a 400), and that were taken off.
    pub refused: i64,
    pub last_sent_at: Option<UnixMillis>,
    pub last_error: Option<String>,
    pub failures: i64,
    pub next_attempt_at: UnixMillis,
    /// When the service refused the credential; forwarding waits for a new one.
    pub revoked_at: Option<UnixMillis>,
    pub created_at: UnixMillis,
}

/// A destination held by one attempt.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ClaimedDestination {
    pub id: i64,
    pub user_key: i64,
    pub user_id: String,
    pub service: String,
    /// Sealed.
    pub credential: String,
    pub pending: i64,
    /// Failed attempts since the last success, this one not counted.
    pub failures: i64,
    /// The claim's end: it also names the attempt, so that only its holder settles it.
    pub claimed_until: UnixMillis,
    /// The attempt whose batch was recorded last (see [`AcceptedBatch::attempt`]).
    pub last_batch: Option<UnixMillis>,
    /// Plays still to send one at a time, after a refused batch.
    pub solo_plays: i64,
}

/// What a service took of a batch, kept in KV between its answer and the batch's record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcceptedBatch {
    /// The attempt that sent it (its claim's end): recorded as the destination's
    /// `last_batch`, which tells a mark already recorded from one that is not.
    pub attempt: UnixMillis,
    pub taken: usize,
    pub keys: Vec<OutboxKey>,
}

/// The key of a play in the outbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxKey(pub UnixMillis, pub i64);

impl OutboxKey {
    pub fn of(play: &HistoryPlay) -> Self {
        Self(play.played_at, play.id)
    }
}

#[derive(Deserialize)]
struct Id {
    id: i64,
}

impl<D: Database> Store<'_, D> {
    /// Connects `service` for the user with its sealed credential (again, if connected);
    /// with `since`, a destination that has never been sent a play is also sent the plays
    /// archived since then, queued in the same batch (see [`QUEUE_ARCHIVE_SINCE`]).
    pub async fn connect_destination(
        &self,
        user_id: &str,
        service: Service,
        account: &str,
        sealed_credential: &str,
        since: Option<UnixMillis>,
        now: UnixMillis,
    ) -> Result<(), StoreError> {
        let mut statements = vec![Statement::new(
            CONNECT_DESTINATION,
            vec![
                json!(user_id),
                json!(service.as_str()),
                json!(account),
                json!(sealed_credential),
                json!(now),
            ],
        )];
        if let Some(since) = since {
            statements.push(Statement::new(
                QUEUE_ARCHIVE_SINCE,
                vec![json!(user_id), json!(service.as_str()), json!(since)],
            ));
            statements.push(Statement::new(
                COUNT_ARCHIVE_QUEUED,
                vec![json!(user_id), json!(service.as_str())],
            ));
        }
        self.db.batch(statements).await?;
        Ok(())
    }

    /// Turns forwarding to `service` on or off; `false` when it is not connected.
    pub async fn set_destination_enabled(
        &self,
        user_id: &str,
        service: Service,
        enabled: bool,
    ) -> Result<bool, StoreError> {
        let rows = self
            .db
            .query(Statement::new(
                SET_DESTINATION_ENABLED,
                vec![
                    json!(user_id),
                    json!(service.as_str()),
                    json!(i64::from(enabled)),
                ],
            ))
            .await?;
        Ok(!rows.is_empty())
    }

    /// Disconnects `service` and drops its waiting plays; `false` when it was not
    /// connected.
    pub async fn delete_destination(
        &self,
        user_id: &str,
        service: Service,
    ) -> Result<bool, StoreError> {
        let params = || vec![json!(user_id), json!(service.as_str())];
        let results = self
            .db
            .batch(vec![
                Statement::new(DELETE_DESTINATION_OUTBOX, params()),
                Statement::new(DELETE_DESTINATION, params()),
            ])
            .await?;
        Ok(results.get(1).is_some_and(|rows| !rows.is_empty()))
    }

    pub async fn destinations(&self, user_id: &str) -> Result<Vec<DestinationView>, StoreError> {
        let rows = self
            .db
            .query(Statement::new(USER_DESTINATIONS, vec![json!(user_id)]))
            .await?;
        decode_all(rows)
    }

    /// Takes the destinations due at `now` for the queue, at most `limit`.
    pub async fn due_destinations(
        &self,
        now: UnixMillis,
        limit: usize,
    ) -> Result<Vec<i64>, StoreError> {
        let rows = self.db.query(due_destinations(now, limit)).await?;
        read_ids(rows)
    }

    /// Claims destination `id` for an attempt at `now`; `None` when it is not for now.
    pub async fn claim_destination(
        &self,
        id: i64,
        now: UnixMillis,
    ) -> Result<Option<ClaimedDestination>, StoreError> {
        let rows = self
            .db
            .query(Statement::new(
                CLAIM_DESTINATION,
                vec![json!(id), json!(now), json!(CLAIM_MS)],
            ))
            .await?;
        rows.into_iter().next().map(decode).transpose()
    }

    /// The oldest `limit` plays waiting for a claimed destination.
    pub async fn waiting_plays(
        &self,
        destination: &ClaimedDestination,
        limit: usize,
    ) -> Result<Vec<HistoryPlay>, StoreError> {
        let rows = self
            .db
            .query(Statement::new(
                WAITING_PLAYS,
                vec![
                    json!(destination.id),
                    json!(destination.user_key),
                    json!(limit),
                ],
            ))
            .await?;
        plays_from(rows)
    }

    /// Records a batch the service answered for, in one batch of statements: its plays
    /// leave the outbox, the destination's counts move, the claim ends. Answers how many
    /// plays still wait, or `None` when the claim was no longer this attempt's (the plays
    /// left the outbox all the same).
    pub async fn record_sent(
        &self,
        destination: &ClaimedDestination,
        batch: &AcceptedBatch,
        now: UnixMillis,
    ) -> Result<Option<i64>, StoreError> {
        let results = self
            .db
            .batch(vec![
                Statement::new(
                    DELETE_SENT,
                    vec![json!(destination.id), to_json_text(&batch.keys)?],
                ),
                Statement::new(
                    RECORD_SENT,
                    vec![
                        json!(destination.id),
                        json!(batch.taken),
                        json!(now),
                        json!(batch.keys.len()),
                        json!(destination.claimed_until),
                        json!(batch.attempt),
                    ],
                ),
            ])
            .await?;
        read_pending(results.into_iter().nth(1))
    }

    /// Counts the waiting plays again and ends the claim.
    pub async fn recount_pending(
        &self,
        destination: &ClaimedDestination,
    ) -> Result<(), StoreError> {
        self.db
            .query(Statement::new(
                RECOUNT_PENDING,
                vec![json!(destination.id), json!(destination.claimed_until)],
            ))
            .await?;
        Ok(())
    }

    /// Records a failed attempt; the next is not before `retry_at`.
    pub async fn record_forward_failure(
        &self,
        destination: &ClaimedDestination,
        error: &str,
        retry_at: UnixMillis,
    ) -> Result<(), StoreError> {
        self.db
            .query(Statement::new(
                RECORD_FAILURE,
                vec![
                    json!(destination.id),
                    json!(error),
                    json!(retry_at),
                    json!(destination.claimed_until),
                ],
            ))
            .await?;
        Ok(())
    }

    /// Records that the service refused a batch of `plays` plays as they are.
    pub async fn record_refused_batch(
        &self,
        destination: &ClaimedDestination,
        error: &str,
        plays: usize,
    ) -> Result<(), StoreError> {
        self.db
            .query(Statement::new(
                RECORD_REFUSED_BATCH,
                vec![
                    json!(destination.id),
                    json!(error),
                    json!(plays),
                    json!(destination.claimed_until),
                ],
            ))
            .await?;
        Ok(())
    }

    /// Takes the one play the service refused off the outbox, and counts it. Answers how
    /// many plays still wait, as [`Store::record_sent`] does.
    pub async fn record_refused_play(
        &self,
        destination: &ClaimedDestination,
        key: OutboxKey,
        error: &str,
    ) -> Result<Option<i64>, StoreError> {
        let results = self
            .db
            .batch(vec![
                Statement::new(
                    DELETE_SENT,
                    vec![json!(destination.id), to_json_text(&[key])?],
                ),
                Statement::new(
                    RECORD_REFUSED_PLAY,
                    vec![
                        json!(destination.id),
                        json!(error),
                        json!(destination.claimed_until),
                    ],
                ),
            ])
            .await?;
        read_pending(results.into_iter().nth(1))
    }

    /// Records that the service refused the credential the attempt sent (unless the user
    /// has connected again since, with another), and tells the user's channels in the
    /// same batch: only a revocation that was recorded is told.
    pub async fn record_revoked(
        &self,
        destination: &ClaimedDestination,
        error: &str,
        now: UnixMillis,
    ) -> Result<(), StoreError> {
        self.db
            .batch(vec![
                Statement::new(
                    RECORD_REVOKED,
                    vec![
                        json!(destination.id),
                        json!(now),
                        json!(error),
                        json!(destination.credential),
                    ],
                ),
                super::notifications::forwarding_stopped(&destination.user_id, destination.id, now),
            ])
            .await?;
        Ok(())
    }

    /// Records that the destination's credential cannot be opened (sealed under a key
    /// that is gone): it stops as if revoked, without the user's alert, since the
    /// service refused nothing.
    pub async fn record_credential_unreadable(
        &self,
        destination: &ClaimedDestination,
        error: &str,
        now: UnixMillis,
    ) -> Result<(), StoreError> {
        self.db
            .query(Statement::new(
                RECORD_REVOKED,
                vec![
                    json!(destination.id),
                    json!(now),
                    json!(error),
                    json!(destination.credential),
                ],
            ))
            .await?;
        Ok(())
    }

    /// Stores a credential sealed again under the current key.
    pub async fn reseal_credential(
        &self,
        destination_id: i64,
        sealed_before: &str,
        sealed_now: &str,
    ) -> Result<(), StoreError> {
        self.db
            .query(Statement::new(
                RESEAL_CREDENTIAL,
                vec![
                    json!(destination_id),
                    json!(sealed_before),
                    json!(sealed_now),
                ],
            ))
            .await?;
        Ok(())
    }
}

/// The statement that takes the destinations due at `now` (at most `limit`): also read
/// in the sweep's housekeeping batch.
pub(super) fn due_destinations(now: UnixMillis, limit: usize) -> Statement {
    Statement::new(
        DUE_DESTINATIONS,
        vec![json!(now), json!(limit), json!(RELAY_LEASE_MS)],
    )
}

/// The ids of rows `RETURNING id`.
pub(super) fn read_ids(rows: Vec<Row>) -> Result<Vec<i64>, StoreError> {
    Ok(decode_all::<Id>(rows)?
        .into_iter()
        .map(|row| row.id)
        .collect())
}

/// The `pending` a settlement returned; `None` when it matched no row.
fn read_pending(rows: Option<Vec<Row>>) -> Result<Option<i64>, StoreError> {
    #[derive(Deserialize)]
    struct Pending {
        pending: i64,
    }
    let row = rows.and_then(|rows| rows.into_iter().next());
    Ok(row
        .map(decode::<Pending>)
        .transpose()?
        .map(|row| row.pending))
}

/// The keys of `plays` as the outbox holds them.
pub fn keys_of(plays: &[HistoryPlay]) -> Vec<OutboxKey> {
    plays.iter().map(OutboxKey::of).collect()
}
