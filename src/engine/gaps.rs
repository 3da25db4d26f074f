//! Data gaps: spans of listening we may not have seen.
//!
//! Spotify shows only the newest 50 plays. When every play on a full page is newer than
//! our cursor, the plays between the cursor and the page's oldest play may have scrolled
//! out of reach. We cannot know whether any did, so we record the span honestly instead
//! of pretending the archive is complete.

use crate::engine::schedule::SPOTIFY_WINDOW;
use crate::time::UnixMillis;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GapReason {
    /// More plays than the window holds happened between two polls.
    WindowOverflow,
    /// We could not poll for a while (re-login needed, a long cooldown, a pause).
    Downtime,
}

impl GapReason {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::WindowOverflow => "window_overflow",
            Self::Downtime => "downtime",
        }
    }
}

/// A span in which plays may be missing: after `from` (the newest play we had) and
/// before `to` (the oldest play we got).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gap {
    pub from: UnixMillis,
    pub to: UnixMillis,
    pub reason: GapReason,
}

/// The gap a page reveals, if any.
///
/// `cursor` is the newest play archived before this page, or for a user who had no play
/// yet the last poll that saw none (`None` on a first archive, which has no "before" to
/// lose), `page_size` the number of items Spotify returned,
/// `oldest_on_page` the oldest played-at among them, and `after_downtime` whether the
/// user had been out of reach since the cursor.
pub fn detect_gap(
    cursor: Option<UnixMillis>,
    page_size: usize,
    oldest_on_page: Option<UnixMillis>,
    after_downtime: bool,
) -> Option<Gap> {
    let (from, to) = (cursor?, oldest_on_page?);
    // A page that is not full reached back past the cursor: nothing can be missing.
    if page_size < SPOTIFY_WINDOW || to <= from {
        return None;
    }
    let reason = if after_downtime {
        GapReason::Downtime
    } else {
        GapReason::WindowOverflow
    };
    Some(Gap { from, to, reason })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_page_newer_than_the_cursor_is_a_gap_from_cursor_to_oldest_play() {
        assert_eq!(
            detect_gap(Some(1_000), 50, Some(5_000), false),
            Some(Gap {
                from: 1_000,
                to: 5_000,
                reason: GapReason::WindowOverflow
            })
        );
    }

    #[test]
    fn a_page_that_is_not_full_has_no_gap() {
        assert_eq!(detect_gap(Some(1_000), 49, Some(5_000), false), None);
    }

    #[test]
    fn a_first_archive_has_no_gap() {
        assert_eq!(detect_gap(None, 50, Some(5_000), false), None);
    }

    #[test]
    fn an_empty_page_has_no_gap() {
        assert_eq!(detect_gap(Some(1_000), 0, None, true), None);
    }

    #[test]
    fn a_gap_after_downtime_says_so() {
        let gap = detect_gap(Some(1_000), 50, Some(9_000), true).expect("a gap");
        assert_eq!(gap.reason, GapReason::Downtime);
        assert_eq!(gap.reason.as_str(), "downtime");
    }
}
