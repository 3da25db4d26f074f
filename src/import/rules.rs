//! The import's rules: what counts as a play, how a skip is marked, and when two records
//! of one listen (a polled play and an exported one, or the two export formats) are
//! recognised as one.

use super::record::{ExportRecord, Format};
use crate::time::{UnixMillis, MINUTE_MS, SECOND_MS};

/// Spotify's own threshold: a stream counts as a play from 30 seconds on.
pub const MIN_PLAY_MS: i64 = 30 * SECOND_MS;

/// Two second-precise end times of one listen (a poll's `played_at`, an extended
/// history's `ts`) lie at most this far apart.
pub const MERGE_WINDOW_MS: i64 = 2 * MINUTE_MS;

/// The tolerance around account data's minute: its `endTime` is the end truncated to the
/// minute, so the listen ended in `[endTime, endTime + 1 min)`, give or take this.
pub const MINUTE_SLACK_MS: i64 = MINUTE_MS;

/// A scrobble is filed under the start of the listen, Spotify's plays under its end: a
/// scrobble and a Spotify play of one listen are this far apart at most. Nearly all
/// music is shorter; a longer track's scrobble is not recognised as its polled play.
pub const LONGEST_LISTEN_MS: i64 = 15 * MINUTE_MS;

/// Why a record is not imported as a play.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkipReason {
    /// Under 30 s.
    Short,
    /// Streamed in a private session.
    Incognito,
    /// Names no track, episode or audiobook.
    Unidentified,
    /// A Last.fm track playing as the export was made: not scrobbled, so not a play yet.
    NowPlaying,
}

impl SkipReason {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Short => "under_30s",
            Self::Incognito => "incognito",
            Self::Unidentified => "unidentified",
            Self::NowPlaying => "now_playing",
        }
    }
}

/// Whether a record is a play, and if not, why not. The reasons are checked in this
/// order: playing now, under 30 s, then a private session, then naming nothing.
///
/// A scrobble or a ListenBrainz listen has no duration: its service counted it by the
/// scrobbling rule (at least 30 seconds or half the track), so it is never under 30 s.
pub fn judge(record: &ExportRecord) -> Result<(), SkipReason> {
    if record.now_playing {
        Err(SkipReason::NowPlaying)
    } else if record.ms_played.is_some_and(|ms| ms < MIN_PLAY_MS) {
        Err(SkipReason::Short)
    } else if record.incognito {
        // The listener chose a private session: Spotify keeps those plays out of their
        // history, and so do we (they are counted, not stored).
        Err(SkipReason::Incognito)
    } else if record.content.is_none() {
        Err(SkipReason::Unidentified)
    } else {
        Ok(())
    }
}

/// Whether the listener skipped the stream: the export's `skipped` when it says, else
/// what `reason_end` tells (the forward or back button ended it: skipped; it played to
/// its end: not), else unknown. A skipped stream of 30 s or more is still a play; it is
/// kept and marked.
pub fn skipped(record: &ExportRecord) -> Option<bool> {
    let by_reason = match record.reason_end.as_deref() {
        Some("fwdbtn" | "backbtn") => Some(true),
        Some("trackdone") => Some(false),
        _ => None,
    };
    record.skipped.or(by_reason)
}

/// Where a play in the archive came from (`play_events.source`, as its [`Source::code`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Poll,
    /// Extended streaming history: to the second.
    Import,
    /// Account data: to the minute.
    ImportAccount,
    /// A Last.fm scrobble with its Unix time: the start of the listen, to the second.
    Lastfm,
    /// A Last.fm scrobble with a written date: the start of the listen, to the minute.
    LastfmMinute,
    /// A ListenBrainz listen: the start of the listen, to the second.
    ListenBrainz,
}

/// What the instant a source records is: the end of the listen (Spotify) or its start
/// (a scrobble), and how precisely.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Instant {
    start: bool,
    to_the_minute: bool,
}

impl Source {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Poll => "poll",
            Self::Import => "import",
            Self::ImportAccount => "import_account",
            Self::Lastfm => "import_lastfm",
            Self::LastfmMinute => "import_lastfm_minute",
            Self::ListenBrainz => "import_listenbrainz",
        }
    }

    /// The value of `play_events.source` (0, a poll, costs no byte).
    pub const fn code(self) -> u8 {
        match self {
            Self::Poll => 0,
            Self::Import => 1,
            Self::ImportAccount => 2,
            Self::Lastfm => 3,
            Self::LastfmMinute => 4,
            Self::ListenBrainz => 5,
        }
    }

    /// The source stored as `code`; `None` for a code no version wrote.
    pub const fn from_code(code: i64) -> Option<Self> {
        match code {
            0 => Some(Self::Poll),
            1 => Some(Self::Import),
            2 => Some(Self::ImportAccount),
            3 => Some(Self::Lastfm),
            4 => Some(Self::LastfmMinute),
            5 => Some(Self::ListenBrainz),
            _ => None,
        }
    }

    pub const fn of(format: Format) -> Self {
        match format {
            Format::Extended => Self::Import,
            Format::Account => Self::ImportAccount,
            Format::Lastfm => Self::Lastfm,
            Format::LastfmMinute => Self::LastfmMinute,
            Format::ListenBrainz => Self::ListenBrainz,
        }
    }

    const fn instant(self) -> Instant {
        match self {
            Self::Poll | Self::Import => Instant {
                start: false,
                to_the_minute: false,
            },
            Self::ImportAccount => Instant {
                start: false,
                to_the_minute: true,
            },
            // Last.fm files a scrobble under the time the track started playing, and
            // ListenBrainz does the same with a listen.
            Self::Lastfm | Self::ListenBrainz => Instant {
                start: true,
                to_the_minute: false,
            },
            Self::LastfmMinute => Instant {
                start: true,
                to_the_minute: true,
            },
        }
    }

    pub const ALL: [Self; 6] = [
        Self::Poll,
        Self::Import,
        Self::ImportAccount,
        Self::Lastfm,
        Self::LastfmMinute,
        Self::ListenBrainz,
    ];
}

/// How far before and after a play from `source` ending at `at`, a play of the same
/// track from `existing` may end and still be the same listen: `(before, after)`.
///
/// `None` when both come from the same source: one source never records one listen
/// twice, so only an identical record (the same file imported again, overlapping files)
/// is the same listen there, and two real plays a minute apart stay two.
///
/// Each source's instant lies in a span around the listen's true end or start: a
/// minute's worth after it when written to the minute, and, for a start, up to
/// [`LONGEST_LISTEN_MS`] before the end. Two instants are one listen when those spans
/// meet, give or take [`MERGE_WINDOW_MS`] between two second-precise clocks or
/// [`MINUTE_SLACK_MS`] when either is written to the minute.
pub const fn window_offsets(source: Source, existing: Source) -> Option<(i64, i64)> {
    if source as u8 == existing as u8 {
        return None;
    }
    let (a, b) = (source.instant(), existing.instant());
    let slack = if a.to_the_minute || b.to_the_minute {
        MINUTE_SLACK_MS
    } else {
        MERGE_WINDOW_MS
    };
    // The other instant, relative to `at`, from the truncations alone.
    let mut before = slack + if b.to_the_minute { MINUTE_MS } else { 0 };
    let mut after = slack + if a.to_the_minute { MINUTE_MS } else { 0 };
    // A start against an end: the listen's length lies between them.
    if a.start && !b.start {
        after += LONGEST_LISTEN_MS;
    } else if b.start && !a.start {
        before += LONGEST_LISTEN_MS;
    }
    Some((before, after))
}

/// The span in which a play from `existing` must end to be the same listen as a play
/// from `source` ending at `at`; `None`: only an identical end time.
pub fn merge_window(
    source: Source,
    at: UnixMillis,
    existing: Source,
) -> Option<(UnixMillis, UnixMillis)> {
    window_offsets(source, existing).map(|(before, after)| (at - before, at + after))
}

/// The widest offset any window reaches: the index range a lookup scans (a start
/// written to the minute against an end).
pub const WIDEST_OFFSET_MS: i64 = MINUTE_SLACK_MS + MINUTE_MS + LONGEST_LISTEN_MS;

/// Whether two plays of the same track are one listen (what the SQL of
/// [`crate::store`] decides, stated once in Rust for the tests).
pub fn same_listen(a: Source, a_at: UnixMillis, b: Source, b_at: UnixMillis) -> bool {
    match merge_window(a, a_at, b) {
        None => a_at == b_at,
        Some((from, to)) => (from..=to).contains(&b_at),
    }
}

/// The span of time a record shows the export covers: its instant, or the minute of one
/// written to the minute.
pub fn covered_span(record: &ExportRecord) -> (UnixMillis, UnixMillis) {
    match record.format {
        Format::Extended | Format::Lastfm | Format::ListenBrainz => {
            (record.ended_at, record.ended_at)
        }
        Format::Account | Format::LastfmMinute => {
            (record.ended_at, record.ended_at + MINUTE_MS - 1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::record::{parse_record, Content, Kind};
    use serde_json::json;

    const T: UnixMillis = 1_700_000_000_000;

    fn record(ms_played: i64) -> ExportRecord {
        ExportRecord {
            format: Format::Extended,
            ended_at: T,
            ms_played: Some(ms_played),
            now_playing: false,
            content: Some(Content {
                kind: Kind::Track,
                id: Some("t".into()),
                uri: None,
                name: Some("Song".into()),
                artist: Some("Artist".into()),
                album: None,
                is_local: false,
            }),
            skipped: None,
            reason_start: None,
            reason_end: None,
            shuffle: None,
            incognito: false,
            offline: None,
            offline_at: None,
        }
    }

    #[test]
    fn a_play_is_thirty_seconds_or_more() {
        assert_eq!(judge(&record(29_999)), Err(SkipReason::Short));
        assert_eq!(judge(&record(30_000)), Ok(()));
        assert_eq!(judge(&record(0)), Err(SkipReason::Short));
        // A scrobble has no duration: its service counted it a play.
        let mut scrobble = record(0);
        scrobble.ms_played = None;
        assert_eq!(judge(&scrobble), Ok(()));
    }

    #[test]
    fn private_sessions_are_left_out_and_nameless_records_too() {
        let mut incognito = record(200_000);
        incognito.incognito = true;
        assert_eq!(judge(&incognito), Err(SkipReason::Incognito));
        let mut nameless = record(200_000);
        nameless.content = None;
        assert_eq!(judge(&nameless), Err(SkipReason::Unidentified));
        // Too short wins over the other reasons: it is not a play at all.
        incognito.ms_played = Some(5_000);
        assert_eq!(judge(&incognito), Err(SkipReason::Short));
    }

    #[test]
    fn skips_are_marked_from_the_flag_or_from_reason_end() {
        let with = |skipped: Option<bool>, reason_end: &str| {
            let mut record = record(60_000);
            record.skipped = skipped;
            record.reason_end = Some(reason_end.into());
            record
        };
        assert_eq!(skipped(&with(Some(true), "trackdone")), Some(true));
        assert_eq!(skipped(&with(Some(false), "fwdbtn")), Some(false));
        assert_eq!(skipped(&with(None, "fwdbtn")), Some(true));
        assert_eq!(skipped(&with(None, "backbtn")), Some(true));
        assert_eq!(skipped(&with(None, "trackdone")), Some(false));
        for other in [
            "endplay",
            "logout",
            "remote",
            "clickrow",
            "unexpected-exit",
            "whatever",
        ] {
            assert_eq!(skipped(&with(None, other)), None, "{other}");
        }
        // A skipped stream past 30 s is still a play.
        assert_eq!(judge(&with(Some(true), "fwdbtn")), Ok(()));
    }

    #[test]
    fn reason_end_values_never_decide_whether_a_record_is_a_play() {
        for reason in [
            "trackdone",
            "fwdbtn",
            "backbtn",
            "endplay",
            "logout",
            "remote",
            "clickrow",
            "unexpected-exit",
            "unexpected-exit-while-paused",
            "trackerror",
            "playbtn",
        ] {
            let value = json!({"ts": "2020-01-01T00:00:00Z", "ms_played": 45_000,
                               "spotify_track_uri": "spotify:track:abc", "master_metadata_track_name": "S",
                               "reason_end": reason, "skipped": null});
            let record = parse_record(&value, T).expect("record");
            assert_eq!(judge(&record), Ok(()), "{reason}");
            let short = parse_record(
                &json!({"ts": "2020-01-01T00:00:00Z", "ms_played": 1_000,
                "spotify_track_uri": "spotify:track:abc", "reason_end": reason}),
                T,
            )
            .expect("record");
            assert_eq!(judge(&short), Err(SkipReason::Short), "{reason}");
        }
    }

    #[test]
    fn a_poll_and_an_extended_record_within_two_minutes_are_one_listen() {
        use Source::*;
        assert!(same_listen(Import, T, Poll, T + 90_000));
        assert!(same_listen(Import, T, Poll, T - MERGE_WINDOW_MS));
        assert!(!same_listen(Import, T, Poll, T + MERGE_WINDOW_MS + 1));
        // Symmetric.
        assert!(same_listen(Poll, T + 90_000, Import, T));
    }

    #[test]
    fn account_data_matches_within_a_minute_around_its_truncated_minute() {
        use Source::*;
        let minute = T - T % MINUTE_MS;
        // The poll saw the end at 12:34:50; account data says 12:34.
        assert!(same_listen(ImportAccount, minute, Poll, minute + 50_000));
        assert!(same_listen(Poll, minute + 50_000, ImportAccount, minute));
        // A minute of slack either side of the minute.
        assert!(same_listen(ImportAccount, minute, Poll, minute - MINUTE_MS));
        assert!(same_listen(
            ImportAccount,
            minute,
            Poll,
            minute + 2 * MINUTE_MS
        ));
        assert!(!same_listen(
            ImportAccount,
            minute,
            Poll,
            minute - MINUTE_MS - 1
        ));
        assert!(!same_listen(
            ImportAccount,
            minute,
            Poll,
            minute + 2 * MINUTE_MS + 1
        ));
        // The same holds against extended history.
        assert!(same_listen(Import, minute + 50_000, ImportAccount, minute));
    }

    #[test]
    fn one_source_never_merges_two_different_times() {
        use Source::*;
        for source in Source::ALL {
            assert!(same_listen(source, T, source, T));
            assert!(!same_listen(source, T, source, T + 40_000));
        }
        assert_eq!(merge_window(Import, T, Import), None);
        assert_eq!(
            merge_window(Poll, T, Import),
            Some((T - 120_000, T + 120_000))
        );
    }

    #[test]
    fn a_scrobble_is_one_listen_with_the_play_ending_within_the_longest_listen_after_it() {
        use Source::*;
        // Started at T, a four-minute track: the poll saw it end at T + 4 min.
        assert!(same_listen(Lastfm, T, Poll, T + 4 * MINUTE_MS));
        assert!(same_listen(Poll, T + 4 * MINUTE_MS, Lastfm, T));
        assert!(same_listen(ListenBrainz, T, Import, T + 4 * MINUTE_MS));
        // Our own ListenBrainz export files a play under its end: the same instant merges.
        assert!(same_listen(ListenBrainz, T, Poll, T));
        let farthest = T + LONGEST_LISTEN_MS + MERGE_WINDOW_MS;
        assert!(same_listen(Lastfm, T, Poll, farthest));
        assert!(!same_listen(Lastfm, T, Poll, farthest + 1));
        // An end never comes long before its start.
        assert!(!same_listen(Lastfm, T, Poll, T - MERGE_WINDOW_MS - 1));
        // Two services' starts of one listen lie close together.
        assert!(same_listen(Lastfm, T, ListenBrainz, T + 30_000));
        assert!(!same_listen(Lastfm, T, ListenBrainz, T + 4 * MINUTE_MS));
    }

    #[test]
    fn a_scrobble_written_to_the_minute_allows_that_minute() {
        use Source::*;
        let minute = T - T % MINUTE_MS;
        // Started at 12:34:50, written 12:34; the same scrobble with its Unix time.
        assert!(same_listen(LastfmMinute, minute, Lastfm, minute + 50_000));
        assert!(same_listen(Lastfm, minute + 50_000, LastfmMinute, minute));
        assert!(!same_listen(
            LastfmMinute,
            minute,
            Lastfm,
            minute + 2 * MINUTE_MS + 1
        ));
        // Against a play's end: the minute, the listen, and a minute of slack.
        let farthest = minute + MINUTE_MS + LONGEST_LISTEN_MS + MINUTE_SLACK_MS;
        assert!(same_listen(LastfmMinute, minute, Poll, farthest));
        assert!(!same_listen(LastfmMinute, minute, Poll, farthest + 1));
    }

    #[test]
    fn windows_are_symmetric_between_two_sources() {
        for a in Source::ALL {
            for b in Source::ALL {
                for offset in [
                    -20 * MINUTE_MS,
                    -90_000,
                    0,
                    59_000,
                    3 * MINUTE_MS,
                    16 * MINUTE_MS,
                ] {
                    assert_eq!(
                        same_listen(a, T, b, T + offset),
                        same_listen(b, T + offset, a, T),
                        "{a:?} {b:?} {offset}"
                    );
                }
            }
        }
    }

    #[test]
    fn every_source_code_reads_back_and_indexes_all() {
        // A play row's windows and the poll's are arrays indexed by the code.
        for (index, source) in Source::ALL.into_iter().enumerate() {
            assert_eq!(usize::from(source.code()), index);
            assert_eq!(Source::from_code(i64::from(source.code())), Some(source));
        }
        assert_eq!(Source::from_code(6), None);
    }

    #[test]
    fn every_window_stays_inside_the_widest_offset() {
        for a in Source::ALL {
            for b in Source::ALL {
                if let Some((before, after)) = window_offsets(a, b) {
                    assert!(before <= WIDEST_OFFSET_MS && after <= WIDEST_OFFSET_MS);
                }
            }
        }
    }
}
