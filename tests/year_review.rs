//! The year in review against D1's twin: a generated archive of a listener in Berlin
//! (plays across both daylight-saving changes and at local midnight, polls and imports,
//! older history, episodes and audiobooks) answered by `GET /api/review`, every figure
//! checked against a computation of its own here, over the same plays, with chrono-tz's
//! calendar; the first hearings kept by the trigger, backfilled by the migration and
//! deleted with the account; and what a heavy year (40,000 plays) costs in D1 round trips,
//! statements and rows read.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{Datelike, TimeZone, Timelike};
use chrono_tz::Europe::Berlin;
use futures::executor::block_on;
use serde_json::{json, Value};
use time_machine::history::review::{ReviewPeriod, ReviewRange};
use time_machine::history::ZoneSource;
use time_machine::ports::Method;
use time_machine::store::review::REVIEW_STATEMENTS;
use time_machine::testing::web::{json_of, session_cookie, RequestBuilder, WebWorld};
use time_machine::testing::zones::zone;
use time_machine::testing::{SqliteDatabase, MIGRATIONS};
use time_machine::time::{parse_rfc3339, UnixMillis, DAY_MS, MINUTE_MS};
use time_machine::web::review::review_for;

/// 15 January 2027, 12:00 UTC: the year 2026 has ended.
const NOW: UnixMillis = 1_799_928_000_000;

fn at(text: &str) -> UnixMillis {
    parse_rfc3339(text).expect("test instant")
}

/// Rounded minutes, as the API's.
fn minutes(ms: i64) -> i64 {
    (ms + 30_000).div_euclid(60_000)
}

/// A small deterministic generator (no dependency, the same plays every run).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % below
    }
}

#[derive(Debug, Clone)]
struct Track {
    id: String,
    duration_ms: i64,
    album: Option<String>,
    /// Credited artists' names (linked rows), in order.
    artists: Vec<String>,
    /// An import's artist (or show, or book) name, for a track without links.
    import_artist: Option<String>,
    /// 0 music, 1 episode, 2 audiobook chapter.
    kind: i64,
}

impl Track {
    /// The names the stats count the track under (its credits, else the import's name).
    fn artist_names(&self) -> Vec<String> {
        if self.artists.is_empty() {
            self.import_artist.iter().cloned().collect()
        } else {
            self.artists.clone()
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Play {
    at: UnixMillis,
    track: usize,
    source: i64,
    ms_played: Option<i64>,
}

struct Archive {
    web: WebWorld,
    tracks: Vec<Track>,
    plays: Vec<Play>,
    /// The catalogue key of each track, by index.
    keys: Vec<i64>,
}

impl Archive {
    fn play_ms(&self, play: &Play) -> i64 {
        play.ms_played
            .unwrap_or(self.tracks[play.track].duration_ms)
    }

    fn insert(&mut self, play: Play) {
        let track = &self.tracks[play.track];
        let inserted = self.web.db.sql(
            "INSERT INTO play_events (user_key, track_key, played_at, source, kind, ms_played)
             SELECT u.key, t.key, ?3, ?4, ?5, ?6 FROM users u, tracks t WHERE u.id = 'u1' AND t.id = ?2
             ON CONFLICT DO NOTHING RETURNING played_at",
            vec![
                json!("u1"),
                json!(track.id),
                json!(play.at),
                json!(play.source),
                json!(track.kind),
                json!(play.ms_played),
            ],
        );
        if !inserted.is_empty() {
            self.plays.push(play);
        }
    }
}

/// Tracks `t0`…`t59` (artists `Artist 0`…`19`; `t50`… by `Artist 20`…`24`, never heard
/// before 2026; every seventh featuring the next artist), imported tracks `imp0`…`imp4`
/// (no links; `imp3`, `imp4` by an artist first heard in 2026), two shows' episodes and
/// an audiobook's chapters.
fn catalogue(web: &WebWorld) -> Vec<Track> {
    let mut tracks = Vec::new();
    for n in 0..60 {
        let main = if n >= 50 { 20 + n % 5 } else { n % 20 };
        let mut artists = vec![format!("Artist {main}")];
        if n % 7 == 0 {
            artists.push(format!("Artist {}", (main + 1) % 20));
        }
        tracks.push(Track {
            id: format!("t{n}"),
            duration_ms: 120_000 + n as i64 * 1_000,
            album: Some(format!("al{}", n % 10)),
            artists,
            import_artist: None,
            kind: 0,
        });
    }
    for n in 0..5 {
        tracks.push(Track {
            id: format!("imp{n}"),
            duration_ms: 200_000,
            album: None,
            artists: vec![],
            import_artist: Some(if n < 3 {
                format!("Imported {n}")
            } else {
                "Imported New".to_owned()
            }),
            kind: 0,
        });
    }
    for (id, show, kind) in [
        ("episode:e0", "Show A", 1),
        ("episode:e1", "Show A", 1),
        ("episode:e2", "Show B", 1),
        ("audiobook:b0", "The Book", 2),
    ] {
        tracks.push(Track {
            id: id.to_owned(),
            duration_ms: 1_800_000,
            album: None,
            artists: vec![],
            import_artist: Some(show.to_owned()),
            kind,
        });
    }
    for album in 0..10 {
        web.db.sql(
            "INSERT INTO albums (id, name, image) VALUES (?1, ?2, ?1)",
            vec![json!(format!("al{album}")), json!(format!("Album {album}"))],
        );
    }
    for artist in 0..25 {
        web.db.sql(
            "INSERT INTO artists (id, name) VALUES (?1, ?2)",
            vec![
                json!(format!("a{artist}")),
                json!(format!("Artist {artist}")),
            ],
        );
    }
    for track in &tracks {
        web.db.sql(
            "INSERT INTO tracks (id, name, duration_ms, album_key, import_artist_name)
             VALUES (?1, ?1, ?2, (SELECT key FROM albums WHERE id = ?3), ?4)",
            vec![
                json!(track.id),
                json!(track.duration_ms),
                json!(track.album),
                json!(track.import_artist),
            ],
        );
        for (position, name) in track.artists.iter().enumerate() {
            web.db.sql(
                "INSERT INTO track_artists (track_key, artist_key, position)
                 SELECT t.key, a.key, ?3 FROM tracks t, artists a WHERE t.id = ?1 AND a.name = ?2",
                vec![json!(track.id), json!(name), json!(position)],
            );
        }
    }
    tracks
}

/// Local `YYYY-MM-DDTHH:MM:SS` in Berlin as an instant (the earlier of two).
fn berlin(text: &str) -> UnixMillis {
    let local = chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S").expect("local");
    Berlin
        .from_local_datetime(&local)
        .earliest()
        .expect("exists")
        .timestamp_millis()
}

fn archive() -> Archive {
    let web = WebWorld::new();
    web.sign_in("u1", NOW);
    web.db.sql(
        "UPDATE users SET time_zone = 'Europe/Berlin' WHERE id = 'u1'",
        vec![],
    );
    let tracks = catalogue(&web);
    let keys = tracks
        .iter()
        .map(|track| {
            web.db.sql(
                "SELECT key FROM tracks WHERE id = ?1",
                vec![json!(track.id)],
            )[0]["key"]
                .as_i64()
                .expect("key")
        })
        .collect();
    let mut archive = Archive {
        web,
        tracks,
        plays: Vec::new(),
        keys,
    };
    let mut rng = Lcg(2026);
    let (episodes, music_known, music_all) = (65..69, 40, 60);
    // 2019: an import of older history (Spotify's extended history, with durations).
    let older = at("2019-01-01T00:00:00Z");
    for _ in 0..300 {
        let track = if rng.next(10) == 0 {
            60 + rng.next(3) as usize
        } else {
            rng.next(15) as usize
        };
        let ms_played = Some(30_000 + rng.next(90_000) as i64);
        let at = older + rng.next(365 * DAY_MS as u64) as i64;
        archive.insert(Play {
            at,
            track,
            source: 1,
            ms_played,
        });
    }
    // 2025 and 2026: days of listening with days off (streaks), polls and Last.fm
    // scrobbles; 2026 plays every track, 2025 only the first forty.
    for (year_start, days, plays, tracks) in [
        (berlin("2025-01-01T00:00:00"), 365, 1_500, music_known),
        (berlin("2026-01-01T00:00:00"), 365, 2_500, music_all),
    ] {
        for _ in 0..plays {
            let day = rng.next(days) as i64;
            if day % 11 == 3 || day % 17 == 5 || (100..104).contains(&day) {
                continue;
            }
            let at = year_start + day * DAY_MS + rng.next(DAY_MS as u64) as i64;
            // `imp3` and `imp4` (by "Imported New") only from 2026 on.
            let imports = if tracks == music_all { 5 } else { 3 };
            let track = match rng.next(20) {
                0 => 60 + rng.next(imports) as usize,
                _ => rng.next(tracks as u64) as usize,
            };
            let source = if rng.next(4) == 0 { 3 } else { 0 };
            archive.insert(Play {
                at,
                track,
                source,
                ms_played: None,
            });
        }
    }
    // Episodes and an audiobook in 2026 (imports: they last what they lasted).
    for _ in 0..120 {
        let at = berlin("2026-01-01T00:00:00") + rng.next(360 * DAY_MS as u64) as i64;
        let track = if rng.next(4) == 0 {
            68
        } else {
            episodes.start + rng.next(3) as usize
        };
        let ms_played = Some(60_000 + rng.next(1_700_000) as i64);
        archive.insert(Play {
            at,
            track,
            source: 1,
            ms_played,
        });
    }
    // The edges: local midnights of the range and the changes of the clocks.
    for (text, track) in [
        ("2025-12-31T22:59:59.999Z", 1), // 2025, local
        ("2025-12-31T23:00:00Z", 2),     // 1 January 2026, 00:00 local
        ("2026-03-29T00:59:59Z", 3),     // 01:59:59 CET
        ("2026-03-29T01:00:00Z", 4),     // 03:00 CEST, the same second later
        ("2026-10-25T00:30:00Z", 6),     // 02:30 CEST
        ("2026-10-25T01:30:00Z", 6),     // 02:30 CET: the hour again
        ("2026-12-31T22:59:59Z", 7),     // 31 December, 23:59:59 local
        ("2026-12-31T23:00:00Z", 55),    // 2027, local: outside
    ] {
        archive.insert(Play {
            at: at(text),
            track,
            source: 0,
            ms_played: None,
        });
    }
    // On repeat: `t5` nine times across the autumn change, and eight times another day.
    for n in 0..9 {
        let at = at("2026-10-24T23:10:00Z") + n * 20 * MINUTE_MS;
        archive.insert(Play {
            at,
            track: 5,
            source: 0,
            ms_played: None,
        });
    }
    for n in 0..8 {
        let at = at("2026-06-10T10:00:00Z") + n * 5 * MINUTE_MS;
        archive.insert(Play {
            at,
            track: 9,
            source: 0,
            ms_played: None,
        });
    }
    archive
}

/// The local date and hour of an instant in Berlin.
fn local(at: UnixMillis) -> (chrono::NaiveDate, u32) {
    let time = Berlin.timestamp_millis_opt(at).single().expect("instant");
    (time.date_naive(), time.hour())
}

/// Sorted by plays (most first), then by the last play (latest first): the API's order.
fn ranked<K: Clone>(groups: &HashMap<K, (i64, i64, i64)>, top: usize) -> Vec<(K, i64, i64)> {
    let mut list: Vec<(K, i64, i64, i64)> = groups
        .iter()
        .map(|(key, (plays, ms, last))| (key.clone(), *plays, *ms, *last))
        .collect();
    list.sort_by(|a, b| b.1.cmp(&a.1).then(b.3.cmp(&a.3)));
    list.into_iter()
        .take(top)
        .map(|(key, plays, ms, _)| (key, plays, minutes(ms)))
        .collect()
}

fn add(groups: &mut HashMap<String, (i64, i64, i64)>, key: String, ms: i64, at: UnixMillis) {
    let entry = groups.entry(key).or_insert((0, 0, i64::MIN));
    entry.0 += 1;
    entry.1 += ms;
    entry.2 = entry.2.max(at);
}

fn names(list: &Value, key: &str) -> Vec<(String, i64, i64)> {
    list.as_array()
        .expect("a list")
        .iter()
        .map(|entry| {
            (
                entry[key].as_str().expect("text").to_owned(),
                entry["plays"].as_i64().expect("plays"),
                entry["minutes"].as_i64().expect("minutes"),
            )
        })
        .collect()
}

/// Every figure of the review of `[from, to)`, computed here from the plays.
fn expected(
    archive: &Archive,
    from: UnixMillis,
    to: UnixMillis,
    previous: (UnixMillis, UnixMillis),
) -> Value {
    let music = |play: &&Play| archive.tracks[play.track].kind == 0;
    let inside = |play: &&Play| play.at >= from && play.at < to;
    let range: Vec<&Play> = archive.plays.iter().filter(music).filter(inside).collect();
    let total_ms: i64 = range.iter().map(|play| archive.play_ms(play)).sum();

    let mut per_date: BTreeMap<chrono::NaiveDate, (i64, i64)> = BTreeMap::new();
    let mut per_hour = [(0_i64, 0_i64); 24];
    let mut per_month: BTreeMap<(i32, u32), (i64, i64)> = BTreeMap::new();
    let (mut tracks, mut artists, mut albums) = (HashMap::new(), HashMap::new(), HashMap::new());
    let mut per_day_track: HashMap<(chrono::NaiveDate, usize), (i64, i64)> = HashMap::new();
    for play in &range {
        let ms = archive.play_ms(play);
        let (date, hour) = local(play.at);
        let day = per_date.entry(date).or_default();
        day.0 += 1;
        day.1 += ms;
        per_hour[hour as usize].0 += 1;
        per_hour[hour as usize].1 += ms;
        let month = per_month.entry((date.year(), date.month())).or_default();
        month.0 += 1;
        month.1 += ms;
        let track = &archive.tracks[play.track];
        add(&mut tracks, track.id.clone(), ms, play.at);
        for name in track.artist_names() {
            add(&mut artists, name, ms, play.at);
        }
        if let Some(album) = &track.album {
            add(&mut albums, album.clone(), ms, play.at);
        }
        let repeat = per_day_track
            .entry((date, play.track))
            .or_insert((0, i64::MAX));
        repeat.0 += 1;
        repeat.1 = repeat.1.min(play.at);
    }

    // Streak, busiest day and hour.
    let mut streak: Option<(chrono::NaiveDate, chrono::NaiveDate)> = None;
    let mut run: Option<(chrono::NaiveDate, chrono::NaiveDate)> = None;
    for date in per_date.keys() {
        run = match run {
            Some((first, last)) if last.succ_opt() == Some(*date) => Some((first, *date)),
            _ => Some((*date, *date)),
        };
        let length = |(a, b): (chrono::NaiveDate, chrono::NaiveDate)| (b - a).num_days();
        if streak.is_none_or(|best| run.is_some_and(|run| length(run) > length(best))) {
            streak = run;
        }
    }
    let busiest_day = per_date.iter().fold(
        None::<(chrono::NaiveDate, i64, i64)>,
        |best, (date, (plays, ms))| match best {
            Some(best) if best.1 >= *plays => Some(best),
            _ => Some((*date, *plays, *ms)),
        },
    );
    let busiest_hour = (0..24).fold(None::<usize>, |best, hour| match best {
        Some(best) if per_hour[best].0 >= per_hour[hour].0 => Some(best),
        _ if per_hour[hour].0 > 0 => Some(hour),
        _ => best,
    });

    // Months: every month of the range, empty ones included.
    let (first_date, _) = local(from);
    let (last_date, _) = local(to - 1);
    let mut months = Vec::new();
    let (mut year, mut month) = (first_date.year(), first_date.month());
    while (year, month) <= (last_date.year(), last_date.month()) {
        let (plays, ms) = per_month.get(&(year, month)).copied().unwrap_or_default();
        months.push(json!({"month": format!("{year:04}-{month:02}"), "plays": plays, "minutes": minutes(ms)}));
        (year, month) = if month == 12 {
            (year + 1, 1)
        } else {
            (year, month + 1)
        };
    }

    // Discoveries: first hearings over the whole archive (every year, every source).
    let mut first_at: HashMap<usize, UnixMillis> = HashMap::new();
    for play in archive.plays.iter().filter(music) {
        let first = first_at.entry(play.track).or_insert(play.at);
        *first = (*first).min(play.at);
    }
    let discovered: BTreeSet<usize> = first_at
        .iter()
        .filter(|(_, first)| (from..to).contains(*first))
        .map(|(track, _)| *track)
        .collect();
    let known: BTreeSet<String> = first_at
        .iter()
        .filter(|(_, first)| **first < from)
        .flat_map(|(track, _)| archive.tracks[*track].artist_names())
        .collect();
    let discovered_tracks: HashMap<String, (i64, i64, i64)> = tracks
        .iter()
        .filter(|(id, _)| {
            discovered
                .iter()
                .any(|track| archive.tracks[*track].id == **id)
        })
        .map(|(id, value)| (id.clone(), *value))
        .collect();
    let new_artists: HashMap<String, (i64, i64, i64)> = artists
        .iter()
        .filter(|(name, _)| !known.contains(*name))
        .map(|(name, value)| (name.clone(), *value))
        .collect();

    // On repeat: most plays of a track in one local day, then the earlier first play,
    // then the lower catalogue key.
    let repeat = per_day_track
        .iter()
        .max_by(|a, b| {
            a.1 .0
                .cmp(&b.1 .0)
                .then(b.1 .1.cmp(&a.1 .1))
                .then(archive.keys[b.0 .1].cmp(&archive.keys[a.0 .1]))
        })
        .map(|((date, track), (plays, _))| {
            json!({"date": date.to_string(), "plays": plays, "id": archive.tracks[*track].id})
        });

    // The range before.
    let before: Vec<&Play> = archive
        .plays
        .iter()
        .filter(music)
        .filter(|play| play.at >= previous.0 && play.at < previous.1)
        .collect();
    let before_ms: i64 = before.iter().map(|play| archive.play_ms(play)).sum();
    let before_days: BTreeSet<chrono::NaiveDate> =
        before.iter().map(|play| local(play.at).0).collect();

    // Episodes and audiobooks.
    let mut kinds = [(0_i64, 0_i64); 3];
    let mut shows: HashMap<(i64, String), (i64, i64, i64)> = HashMap::new();
    let mut other_ms = 0;
    for play in archive
        .plays
        .iter()
        .filter(|play| archive.tracks[play.track].kind > 0)
        .filter(inside)
    {
        let track = &archive.tracks[play.track];
        let ms = archive.play_ms(play);
        other_ms += ms;
        kinds[track.kind as usize].0 += 1;
        kinds[track.kind as usize].1 += ms;
        let entry = shows
            .entry((track.kind, track.import_artist.clone().unwrap_or_default()))
            .or_insert((0, 0, i64::MIN));
        entry.0 += 1;
        entry.1 += ms;
        entry.2 = entry.2.max(play.at);
    }
    let top_shows: Vec<Value> = ranked(&shows, 10)
        .into_iter()
        .map(|((kind, name), plays, minutes)| {
            json!({"kind": if kind == 2 { "audiobook" } else { "episode" }, "name": name, "plays": plays, "minutes": minutes})
        })
        .collect();

    let current_minutes = minutes(total_ms);
    let previous_minutes = minutes(before_ms);
    json!({
        "totals": {
            "plays": range.len(),
            "minutes": current_minutes,
            "distinct_tracks": tracks.len(),
            "listening_days": per_date.len(),
        },
        "longest_streak": streak.map(|(a, b)| json!({"days": (b - a).num_days() + 1, "first_day": a.to_string(), "last_day": b.to_string()})),
        "busiest_day": busiest_day.map(|(date, plays, ms)| json!({"date": date.to_string(), "plays": plays, "minutes": minutes(ms)})),
        "busiest_hour": busiest_hour.map(|hour| json!({"hour": hour, "plays": per_hour[hour].0, "minutes": minutes(per_hour[hour].1)})),
        "clock": (0..24).map(|hour| json!({"hour": hour, "plays": per_hour[hour].0, "minutes": minutes(per_hour[hour].1)})).collect::<Vec<_>>(),
        "months": months,
        "top_tracks": ranked(&tracks, 10),
        "top_artists": ranked(&artists, 10),
        "top_albums": ranked(&albums, 10),
        "discoveries": {
            "tracks": discovered.len(),
            "artists": new_artists.len(),
            "top_tracks": ranked(&discovered_tracks, 10),
            "top_artists": ranked(&new_artists, 10),
        },
        "on_repeat": repeat,
        "previous": {
            "plays": before.len(),
            "minutes": previous_minutes,
            "listening_days": before_days.len(),
            "change": {
                "plays": range.len() as i64 - before.len() as i64,
                "minutes": current_minutes - previous_minutes,
                "listening_days": per_date.len() as i64 - before_days.len() as i64,
            },
        },
        "other": {
            "plays": kinds[1].0 + kinds[2].0,
            "minutes": minutes(other_ms),
            "episodes": {"plays": kinds[1].0, "minutes": minutes(kinds[1].1)},
            "audiobooks": {"plays": kinds[2].0, "minutes": minutes(kinds[2].1)},
            "top": top_shows,
        },
    })
}

/// The answer's figures in the shape [`expected`] computes them.
fn figures(answer: &Value) -> Value {
    let ranked = |list: &Value, key: &str| {
        names(list, key)
            .into_iter()
            .map(|(name, plays, minutes)| json!([name, plays, minutes]))
            .collect::<Vec<_>>()
    };
    let previous = &answer["previous"];
    json!({
        "totals": answer["totals"],
        "longest_streak": answer["longest_streak"],
        "busiest_day": answer["busiest_day"],
        "busiest_hour": answer["busiest_hour"],
        "clock": answer["clock"],
        "months": answer["months"],
        "top_tracks": ranked(&answer["top_tracks"], "id"),
        "top_artists": ranked(&answer["top_artists"], "name"),
        "top_albums": ranked(&answer["top_albums"], "id"),
        "discoveries": {
            "tracks": answer["discoveries"]["tracks"],
            "artists": answer["discoveries"]["artists"],
            "top_tracks": ranked(&answer["discoveries"]["top_tracks"], "id"),
            "top_artists": ranked(&answer["discoveries"]["top_artists"], "name"),
        },
        "on_repeat": answer["on_repeat"].as_object().map(|repeat| json!({
            "date": repeat["date"], "plays": repeat["plays"], "id": repeat["track"]["id"],
        })),
        "previous": {
            "plays": previous["plays"],
            "minutes": previous["minutes"],
            "listening_days": previous["listening_days"],
            "change": {
                "plays": previous["change"]["plays"],
                "minutes": previous["change"]["minutes"],
                "listening_days": previous["change"]["listening_days"],
            },
        },
        "other": answer["other"],
    })
}

fn review(archive: &Archive, query: &str) -> Value {
    let cookie = session_cookie("u1");
    let response = archive.web.send(
        &time_machine::testing::web::get(&format!("/api/review?{query}"), Some(&cookie)),
        NOW,
    );
    assert_eq!(response.status, 200, "{query}: {}", response.body);
    json_of(&response)
}

#[test]
fn every_figure_of_a_generated_year_matches_a_computation_of_its_own() {
    let archive = archive();
    let answer = review(&archive, "year=2026");
    assert_eq!(
        answer["range"],
        json!({
            "from": at("2025-12-31T23:00:00Z"), "to": at("2026-12-31T23:00:00Z"),
            "first_day": "2026-01-01", "last_day": "2026-12-31", "label": "2026",
            "time_zone": "Europe/Berlin", "time_zone_source": "saved", "complete": true,
        })
    );
    let want = expected(
        &archive,
        at("2025-12-31T23:00:00Z"),
        at("2026-12-31T23:00:00Z"),
        (at("2024-12-31T23:00:00Z"), at("2025-12-31T23:00:00Z")),
    );
    let got = figures(&answer);
    for section in want.as_object().expect("sections").keys() {
        assert_eq!(got[section], want[section], "{section}");
    }
    // The data do what they are there for.
    assert_eq!(answer["months"].as_array().map(Vec::len), Some(12));
    assert_eq!(answer["on_repeat"]["date"], "2026-10-25", "the 25-hour day");
    assert_eq!(answer["on_repeat"]["plays"], 9);
    assert!(answer["discoveries"]["tracks"].as_i64() > Some(15));
    assert!(answer["discoveries"]["top_artists"]
        .as_array()
        .expect("artists")
        .iter()
        .any(|artist| artist["name"] == "Imported New"));
    assert!(answer["other"]["episodes"]["plays"].as_i64() > Some(0));
    assert!(answer["other"]["audiobooks"]["plays"].as_i64() > Some(0));
    assert_eq!(answer["previous"]["label"], "2025");
}

#[test]
fn a_range_of_dates_compares_with_as_many_days_before() {
    let archive = archive();
    // 1 March to 31 May 2026: the spring change inside, 92 days; the 92 days before.
    let answer = review(&archive, "from=2026-03-01&to=2026-05-31");
    assert_eq!(answer["range"]["label"], "2026-03-01 – 2026-05-31");
    assert_eq!(answer["previous"]["first_day"], "2025-11-29");
    assert_eq!(answer["previous"]["last_day"], "2026-02-28");
    let want = expected(
        &archive,
        berlin("2026-03-01T00:00:00"),
        berlin("2026-06-01T00:00:00"),
        (berlin("2025-11-29T00:00:00"), berlin("2026-03-01T00:00:00")),
    );
    let got = figures(&answer);
    for section in want.as_object().expect("sections").keys() {
        assert_eq!(got[section], want[section], "{section}");
    }
    // Into 2027, where nothing was played after New Year's Eve: empty months are there.
    let answer = review(&archive, "from=2026-12-01&to=2027-02-28");
    let months: Vec<(&str, i64)> = answer["months"]
        .as_array()
        .expect("months")
        .iter()
        .map(|month| {
            (
                month["month"].as_str().unwrap_or(""),
                month["plays"].as_i64().unwrap_or(-1),
            )
        })
        .collect();
    assert_eq!(months.len(), 3);
    assert_eq!(
        months[1],
        ("2027-01", 1),
        "the one play of 2027: local midnight"
    );
    assert_eq!(months[2], ("2027-02", 0));
}

#[test]
fn bad_ranges_are_refused_with_their_codes() {
    let archive = archive();
    let cookie = session_cookie("u1");
    for (query, code) in [
        ("", "invalid_range"),
        ("year=26", "invalid_year"),
        ("year=1969", "invalid_year"),
        ("year=10000", "invalid_year"),
        ("year=2026&from=2026-01-01&to=2026-02-01", "invalid_range"),
        ("from=2026-02-01&to=2026-01-01", "invalid_range"),
        ("from=2020-01-01&to=2026-01-01", "invalid_range"),
        ("from=2026-02-30&to=2026-03-01", "invalid_from"),
        ("from=2026-02-01", "invalid_to"),
        ("year=2026&tz=Mars/Base", "unknown_time_zone"),
    ] {
        let response = archive.web.send(
            &time_machine::testing::web::get(&format!("/api/review?{query}"), Some(&cookie)),
            NOW,
        );
        assert_eq!(response.status, 400, "{query}: {}", response.body);
        assert_eq!(json_of(&response)["error"]["code"], code, "{query}");
    }
    for query in ["year=2026", "year=nonsense"] {
        let anonymous = archive.web.send(
            &time_machine::testing::web::get(&format!("/api/review?{query}"), None),
            NOW,
        );
        assert_eq!(anonymous.status, 401, "{query}: the session first");
    }
    let post = archive.web.send(
        &time_machine::testing::web::request(Method::Post, "/api/review?year=2026", Some(&cookie))
            .with_our_origin(),
        NOW,
    );
    assert_eq!(post.status, 405);
}

fn first_hearings(db: &SqliteDatabase, user_key: i64) -> BTreeMap<i64, i64> {
    db.sql(
        "SELECT track_key, first_at FROM track_firsts WHERE user_key = ?1",
        vec![json!(user_key)],
    )
    .iter()
    .map(|row| {
        (
            row["track_key"].as_i64().unwrap_or(-1),
            row["first_at"].as_i64().unwrap_or(-1),
        )
    })
    .collect()
}

fn firsts_by_play(db: &SqliteDatabase, user_key: i64) -> BTreeMap<i64, i64> {
    db.sql(
        "SELECT track_key, min(played_at) AS first_at FROM play_events
          WHERE user_key = ?1 AND kind = 0 GROUP BY track_key",
        vec![json!(user_key)],
    )
    .iter()
    .map(|row| {
        (
            row["track_key"].as_i64().unwrap_or(-1),
            row["first_at"].as_i64().unwrap_or(-1),
        )
    })
    .collect()
}

#[test]
fn first_hearings_follow_every_insert_and_go_with_the_account() {
    let mut archive = archive();
    let key = archive
        .web
        .db
        .sql("SELECT key FROM users WHERE id = 'u1'", vec![])[0]["key"]
        .as_i64()
        .expect("key");
    assert_eq!(
        first_hearings(&archive.web.db, key),
        firsts_by_play(&archive.web.db, key)
    );
    // An import of older history moves a first hearing back; a later play does not.
    let before = first_hearings(&archive.web.db, key)[&archive.keys[59]];
    archive.insert(Play {
        at: at("2018-05-01T12:00:00Z"),
        track: 59,
        source: 1,
        ms_played: Some(40_000),
    });
    archive.insert(Play {
        at: at("2027-01-05T12:00:00Z"),
        track: 0,
        source: 0,
        ms_played: None,
    });
    let after = first_hearings(&archive.web.db, key);
    assert!(before > at("2026-01-01T00:00:00Z"));
    assert_eq!(after[&archive.keys[59]], at("2018-05-01T12:00:00Z"));
    assert_eq!(after, firsts_by_play(&archive.web.db, key));
    // Episodes and audiobooks are no music: they have no first hearing.
    assert!(!after.contains_key(&archive.keys[65]));

    let response = archive.web.send(
        &time_machine::testing::web::request(
            Method::Delete,
            "/api/account",
            Some(&session_cookie("u1")),
        )
        .with_our_origin(),
        NOW,
    );
    assert_eq!(response.status, 200, "{}", response.body);
    assert!(first_hearings(&archive.web.db, key).is_empty());
}

#[test]
fn the_migration_backfills_every_users_first_hearings_in_chunks_that_meet() {
    // The migrations before 0010, then 0010 itself over an archive it has not seen.
    let year_review = MIGRATIONS
        .iter()
        .position(|migration| migration.contains("CREATE TABLE track_firsts"))
        .expect("the year in review's migration");
    let before = SqliteDatabase::with_migrations(&MIGRATIONS[..year_review]);
    // Users on both sides of every kind of chunk boundary; play_events names users by key.
    let users = [
        1, 2, 99, 100, 101, 125, 126, 500, 999, 1000, 1001, 1025, 1026, 7000, 10_000, 10_001,
        10_250, 10_251, 99_999, 100_000, 100_001, 250_000,
    ];
    for (n, user) in users.iter().enumerate() {
        for (track, at, kind) in [(1, 5_000, 0), (1, 3_000, 0), (2, 9_000, 0), (3, 1_000, 1)] {
            before.sql(
                "INSERT INTO play_events (user_key, track_key, played_at, kind) VALUES (?1, ?2, ?3, ?4)",
                vec![json!(user), json!(track), json!(at + n as i64), json!(kind)],
            );
        }
    }
    before.execute_batch(MIGRATIONS[year_review]);
    for (n, user) in users.iter().enumerate() {
        let n = n as i64;
        assert_eq!(
            first_hearings(&before, *user),
            BTreeMap::from([(1, 3_000 + n), (2, 9_000 + n)]),
            "user {user}"
        );
    }
}

/// A heavy listener: 40,000 plays in 2026 and as many in 2025, 3,000 tracks by 600
/// artists, and ten years of imported history before. What one review reads.
#[test]
fn a_heavy_year_costs_one_batch_of_six_statements_whatever_it_holds() {
    let web = WebWorld::new();
    web.sign_in("u1", NOW);
    web.db.sql(
        "UPDATE users SET time_zone = 'Europe/Berlin' WHERE id = 'u1'",
        vec![],
    );
    web.db.execute_batch(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 599)
         INSERT INTO artists (id, name) SELECT 'a' || i, 'Artist ' || i FROM n;
         WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 299)
         INSERT INTO albums (id, name) SELECT 'al' || i, 'Album ' || i FROM n;
         WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 2999)
         INSERT INTO tracks (id, name, duration_ms, album_key)
         SELECT 't' || i, 'Track ' || i, 150000 + i, (SELECT key FROM albums WHERE id = 'al' || (i % 300)) FROM n;
         INSERT INTO track_artists (track_key, artist_key, position)
         SELECT t.key, a.key, 0 FROM tracks t JOIN artists a ON a.id = 'a' || ((t.key - 1) % 600);",
    );
    let plays = |from: UnixMillis, count: i64, step: i64, tracks: i64, source: i64| {
        web.db.sql(
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?2)
             INSERT INTO play_events (user_key, track_key, played_at, source)
             SELECT (SELECT key FROM users WHERE id = 'u1'), (i * 7919) % ?4 + 1, ?1 + i * ?3, ?5 FROM n",
            vec![json!(from), json!(count), json!(step), json!(tracks), json!(source)],
        );
    };
    let year = 365 * DAY_MS / 40_000;
    // 2016 to 2024: 100,000 imported plays of the first 2,000 tracks.
    plays(
        at("2016-01-01T00:00:00Z"),
        100_000,
        9 * 365 * DAY_MS / 100_000,
        2_000,
        1,
    );
    plays(at("2025-01-01T00:00:00Z"), 40_000, year, 2_500, 0);
    plays(at("2026-01-01T00:00:00Z"), 40_000, year, 3_000, 0);
    let count = |sql: &str| web.db.sql(sql, vec![])[0]["n"].as_i64().unwrap_or(-1);
    let in_2026 = count(
        "SELECT count(*) AS n FROM play_events WHERE user_key = 1
          AND played_at >= 1767222000000 AND played_at < 1798758000000",
    );
    assert!(in_2026 >= 39_990, "{in_2026}");

    // Through the API: the session, the settings, one batch.
    web.db.reset_counts();
    let response = web.send(
        &time_machine::testing::web::get("/api/review?year=2026", Some(&session_cookie("u1"))),
        NOW,
    );
    assert_eq!(response.status, 200, "{}", response.body);
    let (api_round_trips, api_statements) = (web.db.round_trips(), web.db.statements());
    assert_eq!(api_round_trips, 3, "session, settings, the review's batch");
    assert_eq!(api_statements, 2 + REVIEW_STATEMENTS);

    // The review alone, as the page calls it once it knows the user and their zone.
    let range = ReviewRange::new(
        ReviewPeriod::Year(2026),
        zone("Europe/Berlin"),
        ZoneSource::Saved,
    )
    .expect("a year");
    web.db.reset_counts();
    let review = block_on(review_for(&web.db, "u1", &range, NOW)).expect("review");
    assert_eq!(
        (web.db.round_trips(), web.db.statements()),
        (1, REVIEW_STATEMENTS)
    );
    assert_eq!(review.totals.plays, in_2026);
    assert_eq!(
        review.discoveries.tracks, 500,
        "tracks 2,501 to 3,000 are new in 2026"
    );

    // What the batch walks: the range's plays (five statements), the year before's (one),
    // and the first hearings. D1's own rows read for the same archive come from the
    // local runtime's meter: `cargo run -q -p bench -- review-rows` (bench/src/review_cost.rs).
    let previous_plays = count(
        "SELECT count(*) AS n FROM play_events WHERE user_key = 1
          AND played_at >= 1735686000000 AND played_at < 1767222000000",
    );
    let known = count(
        "SELECT count(*) AS n FROM track_firsts WHERE user_key = 1 AND first_at < 1767222000000",
    );
    println!(
        "year in review, 40,000 plays: {api_round_trips} D1 round trips through the API \
         ({api_statements} statements: session, settings, a batch of {REVIEW_STATEMENTS}); \
         the review alone 1 round trip; {in_2026} plays in the range, {previous_plays} in \
         the one before, {known} tracks heard before it, {} first heard in it",
        review.discoveries.tracks
    );
}
