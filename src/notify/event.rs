//! The events a user or the operator is told about, and how each reads.
//!
//! An event row carries its facts as JSON (`notification_outbox.data`); the words are
//! made at delivery, so a channel of any kind says the same thing.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::time::{to_rfc3339, UnixMillis, DAY_MS, HOUR_MS};

/// Every event, by the name stored in `notification_outbox.event` and sent as `type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// Spotify refused the refresh token (revoked, or a password change): log in again.
    NeedsLogin,
    /// The refresh token reached its six months: log in again.
    RefreshTokenExpired,
    /// The refresh token ends in 14 days, then in 3 (`data.stage_days`).
    RefreshTokenExpiring,
    /// Archiving has failed for longer than the user's threshold.
    ArchivingFailing,
    /// A data gap was recorded (off unless the user asks).
    GapRecorded,
    /// An import of Spotify's export finished, with its report.
    ImportFinished,
    /// A forwarding destination refused its credential: nothing goes there until the
    /// user connects it again.
    ForwardingStopped,
    /// "Send a test" on the dashboard.
    Test,
    /// The operator's: no sweep for 15 minutes.
    SweepStale,
    /// The operator's: archive jobs reached the dead-letter queue.
    DeadLetters,
    /// The operator's: Spotify rests the whole app (its quota is spent).
    AppQuotaRest,
    /// The operator's: a binding failed the health check.
    BindingUnhealthy,
}

impl EventKind {
    pub const ALL: [EventKind; 12] = [
        Self::NeedsLogin,
        Self::RefreshTokenExpired,
        Self::RefreshTokenExpiring,
        Self::ArchivingFailing,
        Self::GapRecorded,
        Self::ImportFinished,
        Self::ForwardingStopped,
        Self::Test,
        Self::SweepStale,
        Self::DeadLetters,
        Self::AppQuotaRest,
        Self::BindingUnhealthy,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::NeedsLogin => "needs_login",
            Self::RefreshTokenExpired => "refresh_token_expired",
            Self::RefreshTokenExpiring => "refresh_token_expiring",
            Self::ArchivingFailing => "archiving_failing",
            Self::GapRecorded => "gap_recorded",
            Self::ImportFinished => "import_finished",
            Self::ForwardingStopped => "forwarding_stopped",
            Self::Test => "test",
            Self::SweepStale => "sweep_stale",
            Self::DeadLetters => "dead_letters",
            Self::AppQuotaRest => "app_quota_rest",
            Self::BindingUnhealthy => "binding_unhealthy",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == text)
    }

    /// Whether only a new login helps: the message links to the login.
    pub const fn asks_for_login(self) -> bool {
        matches!(
            self,
            Self::NeedsLogin | Self::RefreshTokenExpired | Self::RefreshTokenExpiring
        )
    }

    /// Whether archiving is stopped or about to stop: channels that rank messages
    /// (ntfy) show these first.
    pub const fn is_urgent(self) -> bool {
        matches!(
            self,
            Self::NeedsLogin
                | Self::RefreshTokenExpired
                | Self::ArchivingFailing
                | Self::SweepStale
                | Self::DeadLetters
                | Self::AppQuotaRest
                | Self::BindingUnhealthy
        )
    }
}

/// One event, ready to be put in words.
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    /// The idempotency key of this event on this channel: `stm-<outbox id>`.
    pub id: String,
    pub kind: EventKind,
    pub created_at: UnixMillis,
    /// The user it is about; `None` for the operator's alerts.
    pub user: Option<NotifiedUser>,
    pub data: Value,
    pub links: Links,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotifiedUser {
    pub id: String,
    pub display_name: Option<String>,
}

/// Where the reader goes next; absent when `PUBLIC_URL` is not set.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Links {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dashboard: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub login: Option<String>,
}

impl Links {
    /// The links of `kind`, from the deployment's public URL.
    pub fn for_event(kind: EventKind, public_url: Option<&str>) -> Self {
        let Some(base) = public_url.map(|url| url.trim_end_matches('/')) else {
            return Self::default();
        };
        Self {
            dashboard: Some(format!("{base}/")),
            login: kind.asks_for_login().then(|| format!("{base}/login")),
        }
    }

    /// Where a click should lead: the login when that is what helps.
    pub fn primary(&self) -> Option<&str> {
        self.login.as_deref().or(self.dashboard.as_deref())
    }
}

fn number(data: &Value, field: &str) -> Option<i64> {
    data.get(field).and_then(Value::as_i64)
}

fn instant(data: &Value, field: &str) -> String {
    number(data, field).map_or_else(|| "an unknown time".to_owned(), utc)
}

/// The name people know a forwarding destination's service by.
fn service_title(data: &Value) -> &'static str {
    data.get("service")
        .and_then(Value::as_str)
        .and_then(crate::forward::Service::parse)
        .map_or("A forwarding service", crate::forward::Service::title)
}

fn utc(at: UnixMillis) -> String {
    // Minutes are enough for people; the JSON payload has the milliseconds.
    let text = to_rfc3339(at);
    match text.get(..16) {
        Some(minutes) => format!("{} UTC", minutes.replace('T', " ")),
        None => text,
    }
}

fn whole(duration_ms: i64, unit_ms: i64) -> i64 {
    duration_ms.max(0) / unit_ms
}

impl Notification {
    /// A short title, ASCII only (ntfy sends it as a header).
    pub fn title(&self) -> String {
        match self.kind {
            EventKind::NeedsLogin => "Archiving stopped: log in again".to_owned(),
            EventKind::RefreshTokenExpired => {
                "Spotify's permission expired: log in again".to_owned()
            }
            EventKind::RefreshTokenExpiring => {
                match number(&self.data, "days_left").unwrap_or_default() {
                    ..=1 => "Spotify's permission ends within a day".to_owned(),
                    days => format!("Spotify's permission ends in {days} days"),
                }
            }
            EventKind::ArchivingFailing => "Archiving is failing".to_owned(),
            EventKind::GapRecorded => "A gap in your listening history".to_owned(),
            EventKind::ImportFinished => "Your import finished".to_owned(),
            EventKind::ForwardingStopped => {
                format!(
                    "Forwarding to {} stopped: connect it again",
                    service_title(&self.data)
                )
            }
            EventKind::Test => "Test notification".to_owned(),
            EventKind::SweepStale => "Operator: the sweep has stopped".to_owned(),
            EventKind::DeadLetters => "Operator: jobs in the dead-letter queue".to_owned(),
            EventKind::AppQuotaRest => "Operator: Spotify rests the whole app".to_owned(),
            EventKind::BindingUnhealthy => "Operator: a binding is unhealthy".to_owned(),
        }
    }

    /// The message, in full sentences.
    pub fn message(&self) -> String {
        let data = &self.data;
        match self.kind {
            EventKind::NeedsLogin => "Spotify no longer accepts the Time Machine's access to your account \
                 (it was revoked, or your password changed), so nothing is being archived. \
                 Log in with Spotify again to resume; plays older than your last 50 cannot be recovered later."
                .to_owned(),
            EventKind::RefreshTokenExpired => "Spotify ends every permission six months after the login, and yours has ended, \
                 so nothing is being archived. Log in with Spotify again to resume."
                .to_owned(),
            EventKind::RefreshTokenExpiring => format!(
                "Spotify ends every permission six months after the login; yours ends on {}. \
                 Log in with Spotify again before then and archiving goes on without a gap.",
                instant(data, "expires_at")
            ),
            EventKind::ArchivingFailing => format!(
                "Archiving has failed for {} hours, since {} ({} failures, the last of kind {}). \
                 The Time Machine keeps trying by itself; the next attempt is at {}. \
                 Spotify keeps only your last 50 plays, so a long outage leaves a gap.",
                whole(self.created_at - number(data, "failing_since").unwrap_or(self.created_at), HOUR_MS),
                instant(data, "failing_since"),
                number(data, "failures").unwrap_or_default(),
                data.get("last_failure_type").and_then(Value::as_str).unwrap_or("unknown"),
                instant(data, "next_attempt_at"),
            ),
            EventKind::GapRecorded => format!(
                "The Time Machine could not see your plays between {} and {} ({}); \
                 the dashboard shows the gap, and importing Spotify's export can fill it.",
                instant(data, "from"),
                instant(data, "to"),
                data.get("reason").and_then(Value::as_str).unwrap_or("unknown reason"),
            ),
            EventKind::ImportFinished => format!(
                "Your import finished: {} records read, {} plays added, {} matched plays already archived, \
                 {} skipped, {} errors, {} gaps filled.",
                number(data, "records_read").unwrap_or_default(),
                number(data, "imported").unwrap_or_default(),
                number(data, "merged").unwrap_or_default(),
                number(data, "skipped").unwrap_or_default(),
                number(data, "errors").unwrap_or_default(),
                number(data, "gaps_filled").unwrap_or_default(),
            ),
            EventKind::ForwardingStopped => format!(
                "{service} refused the Time Machine's access to {account} at {at}: it was revoked, \
                 or it ended. Nothing is sent to {service} until you connect it again on the dashboard. \
                 Your archive goes on as before, and {waiting} kept and sent once you do.",
                service = service_title(data),
                account = data.get("account").and_then(Value::as_str).unwrap_or("your account"),
                at = instant(data, "revoked_at"),
                waiting = match number(data, "pending").unwrap_or_default() {
                    ..=0 => "every play archived meanwhile is".to_owned(),
                    1 => "the play waiting, with every play archived meanwhile, is".to_owned(),
                    plays => format!("the {plays} plays waiting, with every play archived meanwhile, are"),
                },
            ),
            EventKind::Test => "This is a test from Spotify Time Machine: this channel works.".to_owned(),
            EventKind::SweepStale => format!(
                "No sweep has run since {} ({} minutes): nobody is being archived. Check the cron trigger and the Worker's logs.",
                instant(data, "last_sweep_at"),
                whole(self.created_at - number(data, "last_sweep_at").unwrap_or(self.created_at), 60_000),
            ),
            EventKind::DeadLetters => format!(
                "{} archive job(s) failed every retry and reached the dead-letter queue; \
                 see GET /api/admin/dead-letters and replay with POST /api/admin/jobs.",
                number(data, "messages").unwrap_or(1)
            ),
            EventKind::AppQuotaRest => format!(
                "Spotify answered 429 QUOTA_EXCEEDED: the whole app's quota is spent, and nobody is polled until {}.",
                instant(data, "until")
            ),
            EventKind::BindingUnhealthy => format!(
                "The health check found the binding {} failing: {}.",
                data.get("binding").and_then(Value::as_str).unwrap_or("unknown"),
                data.get("error").and_then(Value::as_str).unwrap_or("no detail"),
            ),
        }
    }
}

/// How many whole days are left before `expires_at`, never negative.
pub fn days_left(expires_at: UnixMillis, now: UnixMillis) -> i64 {
    whole(expires_at - now, DAY_MS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn notification(kind: EventKind, data: Value) -> Notification {
        Notification {
            id: "stm-1".into(),
            kind,
            created_at: 10 * HOUR_MS,
            user: None,
            data,
            links: Links::for_event(kind, Some("https://tm.example.com/")),
        }
    }

    #[test]
    fn every_event_name_reads_back() {
        for kind in EventKind::ALL {
            assert_eq!(EventKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(EventKind::parse("nope"), None);
    }

    #[test]
    fn titles_are_ascii_for_headers() {
        for kind in EventKind::ALL {
            let title = notification(kind, json!({"days_left": 3})).title();
            assert!(title.is_ascii(), "{title}");
        }
    }

    #[test]
    fn a_login_event_links_to_the_login() {
        let event = notification(EventKind::NeedsLogin, json!({}));
        assert_eq!(
            event.links.login.as_deref(),
            Some("https://tm.example.com/login")
        );
        assert_eq!(event.links.primary(), Some("https://tm.example.com/login"));
        let gap = notification(EventKind::GapRecorded, json!({}));
        assert_eq!(gap.links.login, None);
        assert_eq!(gap.links.primary(), Some("https://tm.example.com/"));
    }

    #[test]
    fn a_stopped_destination_is_named_with_what_waits_for_it() {
        let event = notification(
            EventKind::ForwardingStopped,
            json!({"service": "lastfm", "account": "ada-fm", "revoked_at": 3 * HOUR_MS,
                   "pending": 42}),
        );
        assert_eq!(
            event.title(),
            "Forwarding to Last.fm stopped: connect it again"
        );
        let message = event.message();
        assert!(message.starts_with("Last.fm refused"), "{message}");
        assert!(
            message.contains("ada-fm at 1970-01-01 03:00 UTC"),
            "{message}"
        );
        assert!(message.contains("the 42 plays waiting"), "{message}");
        assert_eq!(event.links.primary(), Some("https://tm.example.com/"));
    }

    #[test]
    fn the_failing_message_says_for_how_long() {
        let event = notification(
            EventKind::ArchivingFailing,
            json!({"failing_since": 3 * HOUR_MS, "failures": 4, "last_failure_type": "NETWORK",
                   "next_attempt_at": 11 * HOUR_MS}),
        );
        let message = event.message();
        assert!(message.contains("failed for 7 hours"), "{message}");
        assert!(message.contains("1970-01-01 03:00 UTC"), "{message}");
        assert!(message.contains("NETWORK"), "{message}");
    }
}
