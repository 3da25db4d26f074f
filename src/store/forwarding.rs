//! The SQL of forwarding: a user's destinations, the plays each has yet to accept
//! (`forward_outbox`, filled by a trigger as plays are archived), an attempt's claim and
//! its settlement. See [`crate::forward`].

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::history::{plays_from, HistoryPlay};
use super::{decode, decode_all, to_json_text, user_key, Store, StoreError};
use crate::forward::Service;
use crate::ports::{Database, Statement};
use crate::time::{UnixMillis, SECOND_MS};

/// How long an attempt holds its destination: longer than a submission can take (the
/// HTTP client gives up after 10 s), short enough that a crashed attempt's plays wait
/// for one sweep at most.
pub const CLAIM_MS: i64 = 120 * SECOND_MS;

/// Connects a destination, or connects it again with a new credential: whatever stopped
/// it (a revoked token, failures) is forgotten, its waiting plays are kept.
pub(super) const CONNECT_DESTINATION: &str = concat!(
    "INSERT INTO forward_destinations (user_key, service, account, credential, created_at)
VALUES (",
    user_key!("?1"),
    ", ?2, ?3, ?4, ?5)
ON CONFLICT (user_key, service) DO UPDATE SET
    account = excluded.account, credential = excluded.credential, enabled = 1,
    revoked_at = NULL, failures = 0, last_error = NULL, next_attempt_at = 0"
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
    "SELECT service, account, enabled, pending, sent, last_sent_at, last_error, failures,
       next_attempt_at, revoked_at, created_at
  FROM forward_destinations WHERE user_key = ",
    user_key!("?1"),
    " ORDER BY service"
);

/// The destinations that have plays waiting and may send them at `?1`. The conditions
/// are the index's own, so the index holds only these candidates.
pub(super) const DUE_DESTINATIONS: &str = "\
SELECT id FROM forward_destinations
 WHERE pending > 0 AND enabled = 1 AND revoked_at IS NULL
   AND next_attempt_at <= ?1 AND claimed_until <= ?1
 ORDER BY next_attempt_at LIMIT ?2";

/// Claims a destination for one attempt, unless another attempt holds it, it is not
/// due, paused, revoked or gone.
pub(super) const CLAIM_DESTINATION: &str = "\
UPDATE forward_destinations SET claimed_until = ?2 + ?3
 WHERE id = ?1 AND enabled = 1 AND revoked_at IS NULL
   AND next_attempt_at <= ?2 AND claimed_until <= ?2
RETURNING id, user_key, service, credential, pending, failures,
          (SELECT u.id FROM users u WHERE u.key = user_key) AS user_id";

/// The oldest waiting plays of destination `?1` (of user `?2`), `?3` of them.
pub(super) const WAITING_PLAYS: &str = concat!(
    super::history::play_columns!(),
    "
  JOIN forward_outbox o ON o.played_at = p.played_at AND o.track_key = p.track_key
 WHERE o.destination_id = ?1 AND p.user_key = ?2
 ORDER BY o.played_at, o.track_key
 LIMIT ?3"
);

/// Takes the plays a service accepted (`?2`: `[[played_at, track_key], …]`) off the outbox.
pub(super) const DELETE_SENT: &str = "\
DELETE FROM forward_outbox
 WHERE destination_id = ?1
   AND (played_at, track_key) IN
       (SELECT value ->> 0, value ->> 1 FROM json_each(?2))";

/// Records a success: `?2` plays sent, the count of those still waiting read afresh
/// (with none sent, only the count).
pub(super) const RECORD_SENT: &str = "\
UPDATE forward_destinations
   SET sent = sent + ?2, last_sent_at = CASE WHEN ?2 > 0 THEN ?3 ELSE last_sent_at END,
       failures = 0, last_error = NULL,
       next_attempt_at = 0, claimed_until = 0,
       pending = (SELECT count(*) FROM forward_outbox o WHERE o.destination_id = ?1)
 WHERE id = ?1
RETURNING pending";

/// Records a failure: tried again at `?3` at the earliest.
pub(super) const RECORD_FAILURE: &str = "\
UPDATE forward_destinations
   SET failures = failures + 1, last_error = ?2, next_attempt_at = ?3, claimed_until = 0
 WHERE id = ?1";

/// Records that the service refused the credential: nothing more is sent until the user
/// connects again; plays keep collecting.
pub(super) const RECORD_REVOKED: &str = "\
UPDATE forward_destinations
   SET revoked_at = ?2, last_error = ?3, claimed_until = 0
 WHERE id = ?1";

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
    /// Connects `service` for the user with its sealed credential (again, if connected).
    pub async fn connect_destination(
        &self,
        user_id: &str,
        service: Service,
        account: &str,
        sealed_credential: &str,
        now: UnixMillis,
    ) -> Result<(), StoreError> {
        self.db
            .query(Statement::new(
                CONNECT_DESTINATION,
                vec![
                    json!(user_id),
                    json!(service.as_str()),
                    json!(account),
                    json!(sealed_credential),
                    json!(now),
                ],
            ))
            .await?;
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

    /// The ids of the destinations due at `now`, at most `limit`.
    pub async fn due_destinations(
        &self,
        now: UnixMillis,
        limit: usize,
    ) -> Result<Vec<i64>, StoreError> {
        let rows = self
            .db
            .query(Statement::new(
                DUE_DESTINATIONS,
                vec![json!(now), json!(limit)],
            ))
            .await?;
        Ok(decode_all::<Id>(rows)?
            .into_iter()
            .map(|row| row.id)
            .collect())
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

    /// Records that the service accepted the plays of `keys`, in one batch: they leave
    /// the outbox, the destination's counts move, its claim ends. Answers how many plays
    /// still wait.
    pub async fn record_sent(
        &self,
        destination_id: i64,
        keys: &[OutboxKey],
        now: UnixMillis,
    ) -> Result<i64, StoreError> {
        let results = self
            .db
            .batch(vec![
                Statement::new(
                    DELETE_SENT,
                    vec![json!(destination_id), to_json_text(&keys)?],
                ),
                Statement::new(
                    RECORD_SENT,
                    vec![json!(destination_id), json!(keys.len()), json!(now)],
                ),
            ])
            .await?;
        #[derive(Deserialize)]
        struct Pending {
            pending: i64,
        }
        let row = results
            .into_iter()
            .nth(1)
            .and_then(|rows| rows.into_iter().next());
        Ok(row
            .map(decode::<Pending>)
            .transpose()?
            .map_or(0, |row| row.pending))
    }

    /// Records a failed attempt; the next is not before `retry_at`.
    pub async fn record_forward_failure(
        &self,
        destination_id: i64,
        error: &str,
        retry_at: UnixMillis,
    ) -> Result<(), StoreError> {
        self.db
            .query(Statement::new(
                RECORD_FAILURE,
                vec![json!(destination_id), json!(error), json!(retry_at)],
            ))
            .await?;
        Ok(())
    }

    /// Records that the service refused the credential.
    pub async fn record_revoked(
        &self,
        destination_id: i64,
        error: &str,
        now: UnixMillis,
    ) -> Result<(), StoreError> {
        self.db
            .query(Statement::new(
                RECORD_REVOKED,
                vec![json!(destination_id), json!(now), json!(error)],
            ))
            .await?;
        Ok(())
    }
}

/// The keys of `plays` as the outbox holds them.
pub fn keys_of(plays: &[HistoryPlay]) -> Vec<OutboxKey> {
    plays.iter().map(OutboxKey::of).collect()
}
