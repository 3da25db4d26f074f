//! The year in review: a range of local days (a calendar year, or any dates up to three
//! years) summed up in the user's time zone, DST-correct as the stats are.
//!
//! Pure: the figures are shaped from the rows of one batch ([`crate::store::review`]),
//! most of them from the stats' own buckets (local days and hours) and top lists, so a
//! review and the stats of the same range always agree. Only music counts in the music
//! figures (`kind = 0`); episodes and audiobooks have their own section, [`OtherListening`].

use serde::Serialize;

use super::stats::{self, minutes, DayStat, HourStat, TopEntry, TopTrack};
use super::zone::{date_of_day, start_of_day, Zone};
use super::{ParamError, StatsQuery, ZoneSource};
use crate::ids::public_id;
use crate::pairs::first;
use crate::store::history::{parse_artist_list, ArtistRef, DayRow};
use crate::store::review::{OtherRow, ReviewRows, ReviewTrackRow};
use crate::time::{parse_date, Date, UnixMillis};

/// The years a review may cover.
pub const REVIEW_YEARS: std::ops::RangeInclusive<i32> = 1970..=9999;

/// The longest range of dates: three years, a leap day included.
pub const MAX_REVIEW_DAYS: i64 = 3 * 365 + 1;

/// Top lists and discoveries hold this many (the card shows five).
pub const REVIEW_TOP: usize = 10;

/// What was asked for, before a time zone makes instants of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewPeriod {
    /// A calendar year: local 1 January 00:00 to the next 1 January.
    Year(i32),
    /// Local days `first..=last`.
    Days { first: Date, last: Date },
}

/// Why a period is refused; each becomes a 400 with a stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewRangeError {
    /// Neither `year` nor `from` and `to`.
    Missing,
    /// `year` together with `from` or `to`.
    YearAndDates,
    /// `year` is not a whole year of [`REVIEW_YEARS`].
    InvalidYear,
    /// `from` is not a `YYYY-MM-DD` date of [`REVIEW_YEARS`] (or is missing beside `to`).
    InvalidFrom,
    /// `to` likewise.
    InvalidTo,
    /// `from` is a later day than `to`.
    FromAfterTo,
    /// More than [`MAX_REVIEW_DAYS`] days.
    TooLong,
    /// The zone has no instant for the range's first or end day (never for a real zone).
    NoSuchDay,
}

impl From<ReviewRangeError> for ParamError {
    fn from(error: ReviewRangeError) -> Self {
        use ReviewRangeError::*;
        match error {
            Missing => ParamError::new(
                "invalid_range",
                "Ask for a `year` (2026) or `from` and `to` (YYYY-MM-DD, both days included).",
            ),
            YearAndDates => ParamError::new(
                "invalid_range",
                "Ask for a `year` or for `from` and `to`, not both.",
            ),
            InvalidYear => {
                ParamError::new("invalid_year", "`year` must be a year from 1970 to 9999.")
            }
            InvalidFrom => ParamError::new(
                "invalid_from",
                "`from` must be a date (YYYY-MM-DD) from 1970 to 9999.",
            ),
            InvalidTo => ParamError::new(
                "invalid_to",
                "`to` must be a date (YYYY-MM-DD) from 1970 to 9999.",
            ),
            FromAfterTo => ParamError::new("invalid_range", "`from` must not come after `to`."),
            TooLong => ParamError::new(
                "invalid_range",
                format!("A review covers at most {MAX_REVIEW_DAYS} days (three years)."),
            ),
            NoSuchDay => {
                ParamError::new("invalid_range", "The range has no start in this time zone.")
            }
        }
    }
}

fn date_in_years(text: &str) -> Option<Date> {
    parse_date(text).filter(|date| REVIEW_YEARS.contains(&date.year()))
}

impl ReviewPeriod {
    /// A year as the page's path gives it (`/year/2026`).
    pub fn year(text: &str) -> Result<Self, ReviewRangeError> {
        if text.is_empty() || text.len() > 4 || !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ReviewRangeError::InvalidYear);
        }
        text.parse::<i32>()
            .ok()
            .filter(|year| REVIEW_YEARS.contains(year))
            .map(Self::Year)
            .ok_or(ReviewRangeError::InvalidYear)
    }

    /// Local days `from..=to`, both `YYYY-MM-DD`.
    pub fn days(from: &str, to: &str) -> Result<Self, ReviewRangeError> {
        let first = date_in_years(from).ok_or(ReviewRangeError::InvalidFrom)?;
        let last = date_in_years(to).ok_or(ReviewRangeError::InvalidTo)?;
        if first > last {
            return Err(ReviewRangeError::FromAfterTo);
        }
        if last.days() - first.days() + 1 > MAX_REVIEW_DAYS {
            return Err(ReviewRangeError::TooLong);
        }
        Ok(Self::Days { first, last })
    }

    /// `?year=2026` or `?from=2026-03-01&to=2026-06-30`.
    pub fn parse(pairs: &[(String, String)]) -> Result<Self, ReviewRangeError> {
        let (year, from, to) = (
            first(pairs, "year"),
            first(pairs, "from"),
            first(pairs, "to"),
        );
        match (year, from, to) {
            (Some(_), Some(_), _) | (Some(_), _, Some(_)) => Err(ReviewRangeError::YearAndDates),
            (Some(year), None, None) => Self::year(year),
            (None, Some(from), Some(to)) => Self::days(from, to),
            (None, Some(_), None) => Err(ReviewRangeError::InvalidTo),
            (None, None, Some(_)) => Err(ReviewRangeError::InvalidFrom),
            (None, None, None) => Err(ReviewRangeError::Missing),
        }
    }

    /// The first and last local day.
    pub fn days_covered(self) -> Option<(Date, Date)> {
        match self {
            Self::Year(year) => Some((
                Date::from_ymd_opt(year, 1, 1)?,
                Date::from_ymd_opt(year, 12, 31)?,
            )),
            Self::Days { first, last } => Some((first, last)),
        }
    }

    /// The period the review compares with: the year before a year; before a range of
    /// dates, as many days ending the day before it. `None` before 1970.
    pub fn previous(self) -> Option<Self> {
        let previous = match self {
            Self::Year(year) => Self::Year(year - 1),
            Self::Days { first, last } => {
                let length = last.days() - first.days() + 1;
                Self::Days {
                    first: first.checked_add_days(-length)?,
                    last: first.checked_add_days(-1)?,
                }
            }
        };
        let (start, _) = previous.days_covered()?;
        REVIEW_YEARS.contains(&start.year()).then_some(previous)
    }

    /// "2026", or "2026-03-01 – 2026-06-30" (one date for one day).
    pub fn label(self) -> String {
        match self {
            Self::Year(year) => year.to_string(),
            Self::Days { first, last } if first == last => first.to_string(),
            Self::Days { first, last } => format!("{first} – {last}"),
        }
    }
}

/// A period made instants in a zone: `[from, to)`, from the first day's local midnight to
/// the midnight after the last day (the zone's own rules: a year in Berlin is 8,760 hours,
/// its spring day 23 and its autumn day 25).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewRange {
    pub period: ReviewPeriod,
    pub first_day: Date,
    pub last_day: Date,
    pub from: UnixMillis,
    pub to: UnixMillis,
    pub zone: Zone,
    pub zone_source: ZoneSource,
}

impl ReviewRange {
    pub fn new(
        period: ReviewPeriod,
        zone: Zone,
        zone_source: ZoneSource,
    ) -> Result<Self, ReviewRangeError> {
        let (first_day, last_day) = period.days_covered().ok_or(ReviewRangeError::NoSuchDay)?;
        let from = start_of_day(&zone, first_day).ok_or(ReviewRangeError::NoSuchDay)?;
        let to = last_day
            .succ_opt()
            .and_then(|end| start_of_day(&zone, end))
            .filter(|to| *to > from)
            .ok_or(ReviewRangeError::NoSuchDay)?;
        Ok(Self {
            period,
            first_day,
            last_day,
            from,
            to,
            zone,
            zone_source,
        })
    }

    /// The range the review compares with, in the same zone (`None` before 1970).
    pub fn previous(&self) -> Option<Self> {
        let period = self.period.previous()?;
        Self::new(period, self.zone.clone(), self.zone_source).ok()
    }

    fn view(&self, now: UnixMillis) -> RangeView {
        RangeView {
            from: self.from,
            to: self.to,
            first_day: self.first_day.to_string(),
            last_day: self.last_day.to_string(),
            label: self.period.label(),
            time_zone: self.zone.name().to_owned(),
            time_zone_source: self.zone_source,
            complete: self.to <= now,
        }
    }
}

/// The whole review, as the API answers it and the page renders it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct YearReview {
    pub range: RangeView,
    /// Music only.
    pub totals: stats::Totals,
    /// The longest run of consecutive local days with a play; `None` without plays.
    pub longest_streak: Option<Streak>,
    /// The local day with the most plays (of equal days, the first); `None` without plays.
    pub busiest_day: Option<DayStat>,
    /// The local hour of the day with the most plays over the range (of equal hours, the
    /// earliest); `None` without plays.
    pub busiest_hour: Option<HourStat>,
    pub top_tracks: Vec<TopTrack>,
    pub top_artists: Vec<TopEntry>,
    pub top_albums: Vec<TopEntry>,
    pub discoveries: Discoveries,
    /// Every local month the range touches, in order, months without plays included.
    pub months: Vec<MonthStat>,
    /// The listening clock: hours 0–23 of the local day.
    pub clock: Vec<HourStat>,
    pub on_repeat: Option<OnRepeat>,
    /// The range before, of the same length (see [`ReviewPeriod::previous`]).
    pub previous: Option<Comparison>,
    /// Episodes and audiobooks, never in the figures above.
    pub other: OtherListening,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RangeView {
    /// `[from, to)`, Unix milliseconds.
    pub from: UnixMillis,
    pub to: UnixMillis,
    /// The first and last local day, both included.
    pub first_day: String,
    pub last_day: String,
    /// "2026" or "2026-03-01 – 2026-06-30".
    pub label: String,
    pub time_zone: String,
    pub time_zone_source: ZoneSource,
    /// The range has ended: its figures will not change but by imports.
    pub complete: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Streak {
    pub days: i64,
    /// `YYYY-MM-DD`, local, both included.
    pub first_day: String,
    pub last_day: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MonthStat {
    /// `YYYY-MM`, local.
    pub month: String,
    pub plays: i64,
    pub minutes: i64,
}

/// Tracks and artists first heard in the range, over the whole archive (imports of older
/// history included: a track first heard in 2019 is no discovery of 2026).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Discoveries {
    pub tracks: i64,
    pub artists: i64,
    /// The discovered tracks played most in the range.
    pub top_tracks: Vec<TopTrack>,
    pub top_artists: Vec<TopEntry>,
}

/// The track played most times within one local day: of equal counts, the one whose first
/// play that day came first (so the earliest day), then the lower catalogue key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OnRepeat {
    /// `YYYY-MM-DD`, local.
    pub date: String,
    /// Its plays that day.
    pub plays: i64,
    pub track: ReviewTrack,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewTrack {
    pub id: String,
    pub name: String,
    pub artist_names: String,
    pub artists: Vec<ArtistRef>,
    pub album_name: Option<String>,
    pub image_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Comparison {
    pub first_day: String,
    pub last_day: String,
    pub label: String,
    pub plays: i64,
    pub minutes: i64,
    pub listening_days: i64,
    /// This range's figures minus the previous one's.
    pub change: Change,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub plays: i64,
    pub minutes: i64,
    pub listening_days: i64,
    /// The change of minutes in percent of the previous range's, rounded; `None` when
    /// the previous range has none.
    pub minutes_percent: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OtherListening {
    pub plays: i64,
    pub minutes: i64,
    pub episodes: KindTotals,
    pub audiobooks: KindTotals,
    /// The shows and books played most: an episode's show, a chapter's book.
    pub top: Vec<OtherEntry>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct KindTotals {
    pub plays: i64,
    pub minutes: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OtherEntry {
    /// `episode` or `audiobook`.
    pub kind: &'static str,
    pub name: String,
    pub plays: i64,
    pub minutes: i64,
}

/// The longest run of consecutive days with plays (the first of equal runs).
fn longest_streak(days: &[DayStat]) -> Option<Streak> {
    let mut best: Option<(usize, usize)> = None;
    let mut start = None;
    for (index, day) in days.iter().enumerate() {
        if day.plays == 0 {
            start = None;
            continue;
        }
        let from = *start.get_or_insert(index);
        if best.is_none_or(|(a, b)| index - from > b - a) {
            best = Some((from, index));
        }
    }
    best.map(|(a, b)| Streak {
        days: (b - a + 1) as i64,
        first_day: days[a].date.clone(),
        last_day: days[b].date.clone(),
    })
}

/// The first of the entries with the most plays, if any has a play.
fn busiest<T: Clone>(entries: &[T], plays: impl Fn(&T) -> i64) -> Option<T> {
    let mut best: Option<&T> = None;
    for entry in entries {
        if plays(entry) > best.map_or(0, &plays) {
            best = Some(entry);
        }
    }
    best.cloned()
}

/// Plays and milliseconds per local month of `first..=last`, from the day buckets.
fn months(first: Date, last: Date, days: &[DayRow]) -> Vec<MonthStat> {
    let index = |date: Date| i64::from(date.year()) * 12 + i64::from(date.month()) - 1;
    let start = index(first);
    let count = usize::try_from(index(last) - start + 1).unwrap_or(0);
    let mut sums = vec![(0_i64, 0_i64); count];
    for row in days {
        let slot = date_of_day(row.day)
            .and_then(|date| usize::try_from(index(date) - start).ok())
            .and_then(|at| sums.get_mut(at));
        if let Some(slot) = slot {
            slot.0 = slot.0.saturating_add(row.plays);
            slot.1 = slot.1.saturating_add(row.ms.unwrap_or(0));
        }
    }
    sums.into_iter()
        .enumerate()
        .map(|(offset, (plays, ms))| {
            let month = start + offset as i64;
            MonthStat {
                month: format!(
                    "{:04}-{:02}",
                    month.div_euclid(12),
                    month.rem_euclid(12) + 1
                ),
                plays,
                minutes: minutes(ms),
            }
        })
        .collect()
}

fn review_track(row: &ReviewTrackRow) -> ReviewTrack {
    // A row whose credits do not parse still shows its title: the credits are decoration.
    let artists = parse_artist_list(row.artists.as_deref()).unwrap_or_default();
    ReviewTrack {
        id: public_id(row.id.as_deref().unwrap_or_default()).to_owned(),
        name: row.name.clone().unwrap_or_default(),
        artist_names: stats::artist_names(&artists),
        artists,
        album_name: row.album_name.clone(),
        image_url: row.image_url.clone(),
    }
}

fn top_track(row: &ReviewTrackRow) -> TopTrack {
    let track = review_track(row);
    TopTrack {
        id: track.id,
        name: track.name,
        artist_names: track.artist_names,
        artists: track.artists,
        album_name: track.album_name,
        image_url: track.image_url,
        plays: row.plays,
        minutes: minutes(row.ms.unwrap_or(0)),
    }
}

fn other(rows: &[OtherRow]) -> OtherListening {
    let kind_name = |kind: i64| if kind == 2 { "audiobook" } else { "episode" };
    let (mut episodes, mut audiobooks) = (KindTotals::default(), KindTotals::default());
    let mut total_ms = 0_i64;
    for row in rows.iter().filter(|row| row.row == "total") {
        let ms = row.ms.unwrap_or(0);
        total_ms = total_ms.saturating_add(ms);
        let totals = KindTotals {
            plays: row.plays,
            minutes: minutes(ms),
        };
        if row.kind == 2 {
            audiobooks = totals;
        } else {
            episodes = totals;
        }
    }
    OtherListening {
        plays: episodes.plays + audiobooks.plays,
        minutes: minutes(total_ms),
        episodes,
        audiobooks,
        top: rows
            .iter()
            .filter(|row| row.row == "show")
            .map(|row| OtherEntry {
                kind: kind_name(row.kind),
                name: row.name.clone().unwrap_or_default(),
                plays: row.plays,
                minutes: minutes(row.ms.unwrap_or(0)),
            })
            .collect(),
    }
}

fn comparison(current: &stats::Totals, previous: &ReviewRange, days: &[DayRow]) -> Comparison {
    let plays: i64 = days.iter().map(|day| day.plays).sum();
    let ms = days
        .iter()
        .fold(0_i64, |sum, day| sum.saturating_add(day.ms.unwrap_or(0)));
    let listening_days = days.iter().filter(|day| day.plays > 0).count() as i64;
    let previous_minutes = minutes(ms);
    Comparison {
        first_day: previous.first_day.to_string(),
        last_day: previous.last_day.to_string(),
        label: previous.period.label(),
        plays,
        minutes: previous_minutes,
        listening_days,
        change: Change {
            plays: current.plays - plays,
            minutes: current.minutes - previous_minutes,
            listening_days: current.listening_days - listening_days,
            minutes_percent: (previous_minutes > 0).then(|| {
                let change = (current.minutes - previous_minutes) as f64;
                (change * 100.0 / previous_minutes as f64).round() as i64
            }),
        },
    }
}

/// Shapes the review of `range` from its rows; `previous` is the range they compared
/// with (`None`: no comparison); `now` tells whether the range has ended.
pub fn build(
    range: &ReviewRange,
    previous: Option<&ReviewRange>,
    rows: &ReviewRows,
    top: usize,
    now: UnixMillis,
) -> YearReview {
    let query = StatsQuery {
        from: range.from,
        to: range.to,
        zone: range.zone.clone(),
        zone_source: range.zone_source,
        top,
    };
    let stats = stats::build(&query, &rows.range);
    let discoveries = &rows.discoveries;
    YearReview {
        range: range.view(now),
        longest_streak: longest_streak(&stats.days),
        busiest_day: busiest(&stats.days, |day| day.plays),
        busiest_hour: busiest(&stats.hours, |hour| hour.plays),
        months: months(range.first_day, range.last_day, &rows.range.days),
        discoveries: Discoveries {
            tracks: discoveries.tracks,
            artists: discoveries.artists,
            top_tracks: discoveries.top_tracks.iter().map(top_track).collect(),
            top_artists: discoveries
                .top_artists
                .iter()
                .map(|artist| TopEntry {
                    id: public_id(artist.id.as_deref().unwrap_or_default()).to_owned(),
                    name: artist.name.clone(),
                    image_url: None,
                    plays: artist.plays,
                    minutes: minutes(artist.ms),
                })
                .collect(),
        },
        on_repeat: rows.repeat.as_ref().map(|repeat| OnRepeat {
            date: date_of_day(repeat.day)
                .map(|date| date.to_string())
                .unwrap_or_default(),
            plays: repeat.track.plays,
            track: review_track(&repeat.track),
        }),
        previous: previous.map(|previous| comparison(&stats.totals, previous, &rows.previous_days)),
        other: other(&rows.other),
        totals: stats.totals,
        top_tracks: stats.top_tracks,
        top_artists: stats.top_artists,
        top_albums: stats.top_albums,
        clock: stats.hours,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::zone::day_of_date;
    use crate::store::history::WeekHourRow;
    use crate::store::review::RepeatRow;
    use crate::testing::zones::zone;
    use crate::time::{parse_rfc3339, HOUR_MS};

    fn date(text: &str) -> Date {
        parse_date(text).expect("test date")
    }

    fn day(text: &str, plays: i64, ms: i64) -> DayRow {
        DayRow {
            day: day_of_date(date(text)),
            plays,
            ms: Some(ms),
        }
    }

    fn berlin(period: ReviewPeriod) -> ReviewRange {
        ReviewRange::new(period, zone("Europe/Berlin"), ZoneSource::Saved).expect("a range")
    }

    fn pairs(query: &str) -> Vec<(String, String)> {
        form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect()
    }

    fn build_days(range: &ReviewRange, days: Vec<DayRow>, previous: Vec<DayRow>) -> YearReview {
        let rows = ReviewRows {
            range: crate::store::history::StatsRows {
                days,
                week_hours: vec![],
                top: vec![],
            },
            previous_days: previous,
            ..ReviewRows::default()
        };
        build(range, range.previous().as_ref(), &rows, REVIEW_TOP, 0)
    }

    #[test]
    fn a_year_runs_from_local_new_year_to_the_next_across_both_changes() {
        let range = berlin(ReviewPeriod::Year(2026));
        assert_eq!(
            range.from,
            parse_rfc3339("2025-12-31T23:00:00Z").expect("instant")
        );
        assert_eq!(range.to - range.from, 365 * 24 * HOUR_MS, "23 + 25 hours");
        let previous = range.previous().expect("2025");
        assert_eq!(previous.period, ReviewPeriod::Year(2025));
        assert_eq!(previous.to, range.from);
        assert_eq!(berlin(ReviewPeriod::Year(1970)).previous(), None);
    }

    #[test]
    fn a_streak_runs_across_the_short_spring_day() {
        // 28, 29 (23 hours) and 30 March, then a day off, then two days.
        let range = berlin(ReviewPeriod::Year(2026));
        let review = build_days(
            &range,
            vec![
                day("2026-03-28", 1, 60_000),
                day("2026-03-29", 2, 60_000),
                day("2026-03-30", 1, 60_000),
                day("2026-04-01", 5, 60_000),
                day("2026-04-02", 1, 60_000),
            ],
            vec![],
        );
        assert_eq!(
            review.longest_streak,
            Some(Streak {
                days: 3,
                first_day: "2026-03-28".into(),
                last_day: "2026-03-30".into(),
            })
        );
        assert_eq!(
            review.busiest_day.map(|day| (day.date, day.plays)),
            Some(("2026-04-01".into(), 5))
        );
        assert_eq!(review.totals.listening_days, 5);
    }

    #[test]
    fn equal_streaks_and_days_go_to_the_first() {
        let range = berlin(ReviewPeriod::Days {
            first: date("2026-05-01"),
            last: date("2026-05-10"),
        });
        let review = build_days(
            &range,
            vec![
                day("2026-05-02", 3, 0),
                day("2026-05-03", 1, 0),
                day("2026-05-06", 3, 0),
                day("2026-05-07", 1, 0),
            ],
            vec![],
        );
        let streak = review.longest_streak.expect("a streak");
        assert_eq!((streak.days, streak.first_day.as_str()), (2, "2026-05-02"));
        assert_eq!(
            review.busiest_day.map(|day| day.date),
            Some("2026-05-02".into())
        );
        let empty = build_days(&range, vec![], vec![]);
        assert_eq!(
            (empty.longest_streak, empty.busiest_day, empty.busiest_hour),
            (None, None, None)
        );
    }

    #[test]
    fn the_busiest_hour_folds_the_autumn_days_second_two_oclock() {
        // 25 October 2026 has two 02:00 hours; both count as the local hour 2.
        let range = berlin(ReviewPeriod::Year(2026));
        let rows = ReviewRows {
            range: crate::store::history::StatsRows {
                days: vec![day("2026-10-25", 5, 300_000)],
                week_hours: vec![
                    WeekHourRow {
                        weekday: 6,
                        hour: 2,
                        plays: 4,
                        ms: Some(240_000),
                    },
                    WeekHourRow {
                        weekday: 6,
                        hour: 9,
                        plays: 1,
                        ms: Some(60_000),
                    },
                    WeekHourRow {
                        weekday: 0,
                        hour: 1,
                        plays: 4,
                        ms: Some(60_000),
                    },
                ],
                top: vec![],
            },
            ..ReviewRows::default()
        };
        let review = build(&range, None, &rows, REVIEW_TOP, 0);
        assert_eq!(review.clock.len(), 24);
        // Hours 1 and 2 have four plays each: the earlier wins.
        assert_eq!(
            review.busiest_hour.map(|hour| (hour.hour, hour.plays)),
            Some((1, 4))
        );
        assert_eq!(review.clock[2].minutes, 4);
        assert_eq!(review.previous, None);
    }

    #[test]
    fn every_month_of_the_range_is_there_with_or_without_plays() {
        let range = berlin(ReviewPeriod::Days {
            first: date("2026-11-15"),
            last: date("2027-02-03"),
        });
        let review = build_days(&range, vec![day("2027-01-31", 2, 90_000)], vec![]);
        let months: Vec<(&str, i64, i64)> = review
            .months
            .iter()
            .map(|month| (month.month.as_str(), month.plays, month.minutes))
            .collect();
        assert_eq!(
            months,
            [
                ("2026-11", 0, 0),
                ("2026-12", 0, 0),
                ("2027-01", 2, 2),
                ("2027-02", 0, 0)
            ]
        );
    }

    #[test]
    fn the_comparison_is_the_change_from_the_range_before() {
        let range = berlin(ReviewPeriod::Days {
            first: date("2026-03-01"),
            last: date("2026-03-10"),
        });
        let previous = range.previous().expect("before");
        assert_eq!(
            (previous.first_day, previous.last_day),
            (date("2026-02-19"), date("2026-02-28"))
        );
        let review = build_days(
            &range,
            vec![day("2026-03-01", 6, 600_000), day("2026-03-02", 6, 600_000)],
            vec![day("2026-02-20", 4, 800_000)],
        );
        let comparison = review.previous.expect("a comparison");
        assert_eq!(
            (
                comparison.plays,
                comparison.minutes,
                comparison.listening_days
            ),
            (4, 13, 1)
        );
        assert_eq!(
            comparison.change,
            Change {
                plays: 8,
                minutes: 7,
                listening_days: 1,
                minutes_percent: Some(54),
            }
        );
        let from_nothing = build_days(&range, vec![day("2026-03-01", 1, 60_000)], vec![]);
        assert_eq!(
            from_nothing.previous.map(|c| c.change.minutes_percent),
            Some(None)
        );
    }

    #[test]
    fn on_repeat_names_the_local_day_and_the_track() {
        let range = berlin(ReviewPeriod::Year(2026));
        let rows = ReviewRows {
            repeat: Some(RepeatRow {
                day: day_of_date(date("2026-10-25")),
                track: ReviewTrackRow {
                    id: Some("t5~0123456789abcdef".into()),
                    name: Some("Track 5".into()),
                    album_name: None,
                    image_url: None,
                    plays: 9,
                    ms: None,
                    artists: Some(r#"[{"id":"a5","name":"Artist 5"}]"#.into()),
                },
            }),
            ..ReviewRows::default()
        };
        let repeat = build(&range, None, &rows, REVIEW_TOP, 0)
            .on_repeat
            .expect("one");
        assert_eq!((repeat.date.as_str(), repeat.plays), ("2026-10-25", 9));
        assert_eq!(repeat.track.id, "t5", "shown without the owner key");
        assert_eq!(repeat.track.artist_names, "Artist 5");
    }

    #[test]
    fn episodes_and_audiobooks_stay_in_their_own_section() {
        let range = berlin(ReviewPeriod::Year(2026));
        let other = |row: &str, kind: i64, name: Option<&str>, plays: i64, ms: i64| OtherRow {
            row: row.into(),
            kind,
            name: name.map(str::to_owned),
            plays,
            ms: Some(ms),
        };
        let rows = ReviewRows {
            other: vec![
                other("total", 1, None, 3, 5_400_000),
                other("total", 2, None, 1, 1_200_000),
                other("show", 1, Some("Show A"), 2, 3_600_000),
                other("show", 2, Some("The Book"), 1, 1_200_000),
            ],
            ..ReviewRows::default()
        };
        let review = build(&range, None, &rows, REVIEW_TOP, 0);
        assert_eq!(review.totals.plays, 0, "no music");
        assert_eq!((review.other.plays, review.other.minutes), (4, 110));
        assert_eq!(
            review.other.episodes,
            KindTotals {
                plays: 3,
                minutes: 90
            }
        );
        assert_eq!(review.other.top[1].kind, "audiobook");
    }

    #[test]
    fn periods_are_read_and_nonsense_is_refused() {
        let parse = |query: &str| ReviewPeriod::parse(&pairs(query));
        assert_eq!(parse("year=2026"), Ok(ReviewPeriod::Year(2026)));
        assert_eq!(
            parse("from=2026-03-01&to=2026-03-01"),
            Ok(ReviewPeriod::Days {
                first: date("2026-03-01"),
                last: date("2026-03-01")
            })
        );
        use ReviewRangeError::*;
        for (query, error) in [
            ("", Missing),
            ("year=2026&to=2026-01-01", YearAndDates),
            ("year=1969", InvalidYear),
            ("year=10000", InvalidYear),
            ("year=+2026", InvalidYear),
            ("year=2026.0", InvalidYear),
            ("from=1969-12-31&to=1970-01-02", InvalidFrom),
            ("from=2026-01-01&to=2026-13-01", InvalidTo),
            ("from=2026-01-01", InvalidTo),
            ("to=2026-01-01", InvalidFrom),
            ("from=2026-01-02&to=2026-01-01", FromAfterTo),
            ("from=2023-01-01&to=2026-01-01", TooLong),
        ] {
            assert_eq!(parse(query), Err(error), "{query}");
        }
        // Three whole years with a leap day fit.
        assert!(parse("from=2024-01-01&to=2026-12-31").is_ok());
        assert_eq!(ParamError::from(InvalidYear).code, "invalid_year");
        assert_eq!(ReviewPeriod::Year(2026).label(), "2026");
        assert_eq!(
            parse("from=2026-03-01&to=2026-06-30").map(ReviewPeriod::label),
            Ok("2026-03-01 – 2026-06-30".to_owned())
        );
    }
}
