//! Forwarding: every play a poll archives, sent on to the services a user also keeps
//! their listening in (ListenBrainz, Last.fm), once per play and destination.
//!
//! The path of a play: the statement that archives it also queues it for each of the
//! user's destinations (a trigger fills `forward_outbox`, in the archive's own batch:
//! `migrations/0009_forwarding.sql`); [`relay`] sends the destinations that have plays
//! waiting and may send now to the notification queue; its consumer runs
//! [`sender::Forwarder`], which claims the destination, submits the oldest waiting plays
//! and, once the service has accepted them, removes them from the outbox in the batch
//! that records the success. The archive never waits for a destination: one that is down
//! for a week has a week of plays waiting, and catches up when it answers again.
//!
//! - [`listenbrainz`]: ListenBrainz's requests and what its answers mean;
//! - [`lastfm`]: Last.fm's web authentication, signed calls and scrobbles;
//! - [`sender`]: one attempt at one destination.

pub mod lastfm;
pub mod listenbrainz;
pub mod sender;

#[cfg(test)]
mod flow_tests;

use crate::notify::{NotifyMessage, RelayError};
use crate::ports::{Database, JobQueue};
use crate::shards::ShardIndex;
use crate::store::Store;
use crate::time::UnixMillis;

/// A service plays are forwarded to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    ListenBrainz,
    LastFm,
}

impl Service {
    /// Every service, in the order the dashboard shows them.
    pub const ALL: [Self; 2] = [Self::ListenBrainz, Self::LastFm];

    /// The name in the database, the API and the routes.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::ListenBrainz => "listenbrainz",
            Self::LastFm => "lastfm",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|service| service.as_str() == name)
    }

    /// The name people know it by.
    pub const fn title(self) -> &'static str {
        match self {
            Self::ListenBrainz => "ListenBrainz",
            Self::LastFm => "Last.fm",
        }
    }

    /// The most plays one submission carries.
    pub const fn batch_size(self) -> usize {
        match self {
            Self::ListenBrainz => listenbrainz::BATCH_LISTENS,
            Self::LastFm => lastfm::BATCH_SCROBBLES,
        }
    }
}

/// Where the services are reached, and how soon a failed attempt is tried again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForwardConfig {
    /// ListenBrainz's API root (`LISTENBRAINZ_API_URL`), without a trailing `/`.
    pub listenbrainz_url: String,
    /// The operator's Last.fm API account (`LASTFM_API_KEY`, `LASTFM_SHARED_SECRET`);
    /// `None`: Last.fm is not offered.
    pub lastfm: Option<lastfm::LastFmApp>,
    /// The first wait after a failure, doubled on each one after (the notifications'
    /// `NOTIFY_RETRY_BASE_SECONDS`).
    pub retry_base_seconds: u64,
}

impl Default for ForwardConfig {
    fn default() -> Self {
        Self {
            listenbrainz_url: listenbrainz::DEFAULT_API_URL.to_owned(),
            lastfm: None,
            retry_base_seconds: crate::notify::delivery::DEFAULT_RETRY_BASE_SECONDS,
        }
    }
}

impl ForwardConfig {
    /// Whether this deployment can forward to `service`: Last.fm needs the operator's
    /// API account.
    pub fn offers(&self, service: Service) -> bool {
        match service {
            Service::ListenBrainz => true,
            Service::LastFm => self.lastfm.is_some(),
        }
    }
}

/// The associated data a destination's credential is sealed with: its user and service,
/// in a domain of their own, so that no other sealed value opens as a credential.
pub fn seal_context(user_id: &str, service: Service) -> String {
    format!("forward:{}:{user_id}", service.as_str())
}

/// What a service's answer to a submission means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// The service took the submission: `taken` of its plays when it says how many (Last.fm
    /// ignores some, as too old), all of them when it does not.
    Accepted { taken: Option<usize> },
    /// Worth another try: 5xx, 429, no answer. `retry_after_seconds` when the service
    /// said how long to wait.
    Later {
        retry_after_seconds: Option<u64>,
        error: String,
    },
    /// The credential no longer works: forwarding stops until the user connects again.
    Revoked { error: String },
    /// The service will not take these plays as they are (a 400). Tried again later, as
    /// a failure, so that nothing is dropped; the error is on the dashboard.
    Refused { error: String },
}

/// Destinations sent to the queue per relay, at most (one `send_batch`).
pub const RELAY_BATCH: usize = 100;

/// Sends the destinations of `shard` that have plays waiting and may send now to the
/// notification queue; answers how many. Runs in every sweep and after every archive
/// batch; with nothing waiting it reads no row (the index holds only destinations with
/// plays waiting).
pub async fn relay<D: Database, Q: JobQueue>(
    shard: ShardIndex,
    db: &D,
    queue: &Q,
    now: UnixMillis,
) -> Result<usize, RelayError> {
    let due = Store::new(db)
        .due_destinations(now, RELAY_BATCH)
        .await
        .map_err(RelayError::Store)?;
    if due.is_empty() {
        return Ok(0);
    }
    let count = due.len();
    let messages = due
        .into_iter()
        .map(|destination| NotifyMessage::Forward { shard, destination })
        .collect();
    queue
        .send_notifications(messages)
        .await
        .map_err(RelayError::Queue)?;
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_service_reads_back_from_its_name() {
        for service in Service::ALL {
            assert_eq!(Service::parse(service.as_str()), Some(service));
        }
        assert_eq!(Service::parse("ListenBrainz"), None);
        assert_eq!(Service::parse(""), None);
    }

    #[test]
    fn credentials_are_sealed_apart_from_every_other_secret() {
        let context = seal_context("u1", Service::ListenBrainz);
        assert_eq!(context, "forward:listenbrainz:u1");
        assert_ne!(
            context,
            crate::store::notifications::channel_seal_context("u1")
        );
    }
}
