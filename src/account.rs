//! A connected account's state as the user sees it: whether we are archiving, and when
//! Spotify's permission runs out.

use serde::Serialize;

use crate::store::accounts::UserStatus;
use crate::time::{UnixMillis, DAY_MS};

/// Spotify refresh tokens expire six months after the user's authorization; refreshing
/// does not extend them. We count 182 days.
pub const REFRESH_TOKEN_LIFETIME_MS: i64 = 182 * DAY_MS;

/// From this long before the refresh token expires, the user is asked to log in again.
pub const EXPIRY_WARNING_MS: i64 = 14 * DAY_MS;
/// The last warning before the refresh token expires.
pub const LAST_EXPIRY_WARNING_MS: i64 = 3 * DAY_MS;

/// The warning due for a login made at `authorized_at`, in days (14, then 3), if any:
/// the last stage the time left has reached (a user first seen 2 days before the end
/// hears only the 3-day one), none once the token has ended (the refresh's
/// `invalid_grant` says that).
pub fn expiry_warning_stage(authorized_at: UnixMillis, now: UnixMillis) -> Option<i64> {
    let left = authorized_at + REFRESH_TOKEN_LIFETIME_MS - now;
    if left <= 0 {
        return None;
    }
    [EXPIRY_WARNING_MS, LAST_EXPIRY_WARNING_MS]
        .into_iter()
        .filter(|warning| left <= *warning)
        .min()
        .map(|warning| warning / DAY_MS)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Connection {
    Active,
    CoolingDown,
    NeedsReauth,
    Paused,
}

impl Connection {
    pub fn of(status: &UserStatus, now: UnixMillis) -> Self {
        if status.needs_reauth != 0 {
            Self::NeedsReauth
        } else if status.paused != 0 {
            Self::Paused
        } else if status.cooldown_until.is_some_and(|until| until > now) {
            Self::CoolingDown
        } else {
            Self::Active
        }
    }

    /// In words, for the dashboard.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Active => "Archiving",
            Self::CoolingDown => "Cooling down after a failure; archiving resumes by itself",
            Self::NeedsReauth => "Spotify no longer accepts our access: log in again to resume",
            Self::Paused => "Paused",
        }
    }
}

/// The status API's answer: the stored state and what follows from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountStatus<'a> {
    #[serde(flatten)]
    pub stored: &'a UserStatus,
    pub connection: Connection,
    pub refresh_token_expires_at: UnixMillis,
    /// Whole days left, never negative.
    pub days_until_refresh_token_expires: i64,
    /// What the user should do, when they should do something.
    pub action: Option<&'static str>,
}

impl<'a> AccountStatus<'a> {
    pub fn new(stored: &'a UserStatus, now: UnixMillis) -> Self {
        let connection = Connection::of(stored, now);
        let expires_at = stored.authorized_at + REFRESH_TOKEN_LIFETIME_MS;
        let action = match connection {
            Connection::NeedsReauth => Some("Log in with Spotify again (Repair connection) to resume archiving."),
            _ if expires_at - now <= EXPIRY_WARNING_MS => {
                Some("Spotify's permission ends soon: log in with Spotify again before then to keep archiving.")
            }
            _ => None,
        };
        Self {
            stored,
            connection,
            refresh_token_expires_at: expires_at,
            days_until_refresh_token_expires: ((expires_at - now).max(0)) / DAY_MS,
            action,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_expiry_warnings_come_at_14_then_3_days_and_stop_at_the_end() {
        let end = REFRESH_TOKEN_LIFETIME_MS;
        assert_eq!(expiry_warning_stage(0, end - 15 * DAY_MS), None);
        assert_eq!(expiry_warning_stage(0, end - 14 * DAY_MS), Some(14));
        assert_eq!(expiry_warning_stage(0, end - 4 * DAY_MS), Some(14));
        assert_eq!(expiry_warning_stage(0, end - 3 * DAY_MS), Some(3));
        assert_eq!(expiry_warning_stage(0, end - 1), Some(3));
        assert_eq!(expiry_warning_stage(0, end), None);
    }

    fn status(authorized_at: UnixMillis) -> UserStatus {
        UserStatus {
            id: "u".into(),
            display_name: None,
            email: None,
            is_active: 1,
            needs_reauth: 0,
            paused: 0,
            authorized_at,
            last_polled_at: None,
            last_success_at: None,
            next_due_at: 0,
            consecutive_failures: 0,
            last_failure_type: None,
            last_failure_at: None,
            cooldown_until: None,
            plays_archived: 0,
            first_play_at: None,
            last_play_at: None,
        }
    }

    #[test]
    fn a_fresh_authorization_has_six_months_and_no_warning() {
        let stored = status(0);
        let account = AccountStatus::new(&stored, DAY_MS);
        assert_eq!(account.days_until_refresh_token_expires, 181);
        assert_eq!(account.action, None);
        assert_eq!(account.connection, Connection::Active);
    }

    #[test]
    fn two_weeks_before_expiry_the_user_is_warned() {
        let stored = status(0);
        let account = AccountStatus::new(&stored, REFRESH_TOKEN_LIFETIME_MS - 14 * DAY_MS);
        assert_eq!(account.days_until_refresh_token_expires, 14);
        assert!(account
            .action
            .is_some_and(|action| action.contains("log in")));
        let day_before = AccountStatus::new(&stored, REFRESH_TOKEN_LIFETIME_MS - 15 * DAY_MS);
        assert_eq!(day_before.action, None);
    }

    #[test]
    fn past_expiry_no_negative_days() {
        let stored = status(0);
        assert_eq!(
            AccountStatus::new(&stored, REFRESH_TOKEN_LIFETIME_MS + DAY_MS)
                .days_until_refresh_token_expires,
            0
        );
    }

    #[test]
    fn needing_a_login_outranks_everything() {
        let mut stored = status(0);
        stored.needs_reauth = 1;
        stored.paused = 1;
        stored.cooldown_until = Some(10);
        assert_eq!(Connection::of(&stored, 0), Connection::NeedsReauth);
        stored.needs_reauth = 0;
        assert_eq!(Connection::of(&stored, 0), Connection::Paused);
        stored.paused = 0;
        assert_eq!(Connection::of(&stored, 0), Connection::CoolingDown);
        assert_eq!(Connection::of(&stored, 10), Connection::Active);
    }

    #[test]
    fn the_status_json_keeps_the_stored_fields_flat() {
        let stored = status(0);
        let json = serde_json::to_value(AccountStatus::new(&stored, 0)).expect("json");
        assert_eq!(json["connection"], "active");
        assert_eq!(json["id"], "u");
        assert_eq!(json["days_until_refresh_token_expires"], 182);
    }
}
