//! The stats answer, shaped from the store's buckets: a dense series of local days, the
//! 24 hours of the day, the weekday × hour grid and the top lists.

use serde::Serialize;

use super::zone::{date_of_day, day_number, Zone};
use super::{StatsQuery, ZoneSource};
use crate::ids::public_id;
use crate::store::history::{ArtistRef, StatsRows, TopRow};
use crate::time::{to_rfc3339, UnixMillis};

/// Weekday names of the heatmap's rows.
pub const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// A track's credited artists as one line: `A, B`.
pub fn artist_names(artists: &[ArtistRef]) -> String {
    artists
        .iter()
        .map(|artist| artist.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Milliseconds to whole minutes, rounded.
pub fn minutes(ms: i64) -> i64 {
    // Saturating: a sum of outside durations must never overflow into a panic.
    ms.saturating_add(30_000).div_euclid(60_000)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stats {
    pub range: RangeView,
    pub totals: Totals,
    /// Every local day of the range, in order, days without plays included.
    pub days: Vec<DayStat>,
    /// Hours 0–23 of the local day.
    pub hours: Vec<HourStat>,
    pub heatmap: Heatmap,
    pub top_tracks: Vec<TopTrack>,
    pub top_artists: Vec<TopEntry>,
    pub top_albums: Vec<TopEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RangeView {
    pub from: UnixMillis,
    pub to: UnixMillis,
    pub from_iso: String,
    pub to_iso: String,
    pub time_zone: String,
    pub time_zone_source: ZoneSource,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub plays: i64,
    pub minutes: i64,
    pub distinct_tracks: i64,
    /// Local days with at least one play.
    pub listening_days: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DayStat {
    /// `YYYY-MM-DD`, local.
    pub date: String,
    pub plays: i64,
    pub minutes: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HourStat {
    pub hour: i64,
    pub plays: i64,
    pub minutes: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Heatmap {
    /// Row names: `plays[0]` is Monday.
    pub weekdays: [&'static str; 7],
    /// `plays[weekday][hour]`, local.
    pub plays: Vec<Vec<i64>>,
    /// The largest cell, for scaling.
    pub max: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TopTrack {
    pub id: String,
    pub name: String,
    pub artist_names: String,
    pub artists: Vec<ArtistRef>,
    pub album_name: Option<String>,
    pub image_url: Option<String>,
    pub plays: i64,
    pub minutes: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TopEntry {
    pub id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
    pub plays: i64,
    pub minutes: i64,
}

/// The local day numbers of the first and last instant of `[from, to)`.
fn local_days(zone: &Zone, from: UnixMillis, to: UnixMillis) -> (i64, i64) {
    let first = day_number(from + zone.offset_ms(from));
    let last = day_number(to - 1 + zone.offset_ms(to - 1));
    (first, last.max(first))
}

fn entry(row: &TopRow) -> TopEntry {
    TopEntry {
        id: public_id(row.id.as_deref().unwrap_or_default()).to_owned(),
        name: row.name.clone().unwrap_or_default(),
        image_url: row.image_url.clone(),
        plays: row.plays,
        minutes: minutes(row.ms),
    }
}

pub fn build(query: &StatsQuery, rows: &StatsRows) -> Stats {
    let (first, last) = local_days(&query.zone, query.from, query.to);
    let span = usize::try_from(last - first + 1).unwrap_or(0);
    let mut per_day = vec![(0_i64, 0_i64); span];
    for row in &rows.days {
        if let Some(slot) = usize::try_from(row.day - first)
            .ok()
            .and_then(|i| per_day.get_mut(i))
        {
            slot.0 = slot.0.saturating_add(row.plays);
            slot.1 = slot.1.saturating_add(row.ms.unwrap_or(0));
        }
    }
    let days: Vec<DayStat> = per_day
        .iter()
        .enumerate()
        .map(|(index, (plays, ms))| DayStat {
            date: date_of_day(first + index as i64)
                .map(|date| date.to_string())
                .unwrap_or_default(),
            plays: *plays,
            minutes: minutes(*ms),
        })
        .collect();
    let mut grid = vec![vec![0_i64; 24]; 7];
    let mut hour_ms = [0_i64; 24];
    let mut hour_plays = [0_i64; 24];
    for row in &rows.week_hours {
        let (Ok(weekday), Ok(hour)) = (usize::try_from(row.weekday), usize::try_from(row.hour))
        else {
            continue;
        };
        if weekday < 7 && hour < 24 {
            grid[weekday][hour] = grid[weekday][hour].saturating_add(row.plays);
            hour_plays[hour] = hour_plays[hour].saturating_add(row.plays);
            hour_ms[hour] = hour_ms[hour].saturating_add(row.ms.unwrap_or(0));
        }
    }
    let hours = (0..24)
        .map(|hour| HourStat {
            hour: hour as i64,
            plays: hour_plays[hour],
            minutes: minutes(hour_ms[hour]),
        })
        .collect();
    let max = grid.iter().flatten().copied().max().unwrap_or(0);
    let of_kind = |kind: &'static str| rows.top.iter().filter(move |row| row.kind == kind);
    let top_tracks = of_kind("track")
        .map(|row| TopTrack {
            id: public_id(row.id.as_deref().unwrap_or_default()).to_owned(),
            name: row.name.clone().unwrap_or_default(),
            artist_names: artist_names(&row.artists),
            artists: row.artists.clone(),
            album_name: row.album_name.clone(),
            image_url: row.image_url.clone(),
            plays: row.plays,
            minutes: minutes(row.ms),
        })
        .collect();
    let distinct_tracks = of_kind("distinct_tracks").map(|row| row.plays).sum();
    let total_ms = rows.days.iter().fold(0_i64, |total, row| {
        total.saturating_add(row.ms.unwrap_or(0))
    });
    Stats {
        range: RangeView {
            from: query.from,
            to: query.to,
            from_iso: to_rfc3339(query.from),
            to_iso: to_rfc3339(query.to),
            time_zone: query.zone.name().to_owned(),
            time_zone_source: query.zone_source,
        },
        totals: Totals {
            plays: rows.days.iter().map(|row| row.plays).sum(),
            minutes: minutes(total_ms),
            distinct_tracks,
            listening_days: days.iter().filter(|day| day.plays > 0).count() as i64,
        },
        days,
        hours,
        heatmap: Heatmap {
            weekdays: WEEKDAYS,
            plays: grid,
            max,
        },
        top_tracks,
        top_artists: of_kind("artist").map(entry).collect(),
        top_albums: of_kind("album").map(entry).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::history::{DayRow, WeekHourRow};
    use crate::testing::zones::zone;
    use crate::time::parse_rfc3339;

    #[test]
    fn days_are_dense_and_hours_fold_the_grid() {
        let query = StatsQuery {
            from: parse_rfc3339("2026-03-28T23:00:00Z").expect("from"),
            to: parse_rfc3339("2026-03-31T22:00:00Z").expect("to"),
            zone: zone("Europe/Berlin"),
            zone_source: ZoneSource::Query,
            top: 10,
        };
        let day = crate::history::zone::day_of_date(
            crate::time::Date::from_ymd_opt(2026, 3, 31).expect("date"),
        );
        let rows = StatsRows {
            days: vec![DayRow {
                day,
                plays: 2,
                ms: Some(90_000),
            }],
            week_hours: vec![
                WeekHourRow {
                    weekday: 1,
                    hour: 9,
                    plays: 1,
                    ms: Some(45_000),
                },
                WeekHourRow {
                    weekday: 1,
                    hour: 10,
                    plays: 1,
                    ms: Some(45_000),
                },
            ],
            top: vec![],
        };
        let stats = build(&query, &rows);
        let dates: Vec<&str> = stats.days.iter().map(|day| day.date.as_str()).collect();
        assert_eq!(dates, ["2026-03-29", "2026-03-30", "2026-03-31"]);
        assert_eq!((stats.days[2].plays, stats.days[2].minutes), (2, 2));
        assert_eq!(stats.totals.plays, 2);
        assert_eq!(stats.totals.listening_days, 1);
        assert_eq!(stats.hours.len(), 24);
        assert_eq!(stats.hours[9].plays, 1);
        assert_eq!(stats.heatmap.plays[1][10], 1);
        assert_eq!(stats.heatmap.max, 1);
    }

    #[test]
    fn minutes_round_to_the_nearest() {
        assert_eq!(minutes(29_999), 0);
        assert_eq!(minutes(30_000), 1);
        assert_eq!(minutes(213_573), 4);
    }
}
