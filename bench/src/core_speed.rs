//! The core's own work, natively: reading a recently-played page of 50 and planning its
//! write, and reading (and planning) a ten-year export of 150,000 records in the chunks
//! the import page sends.

use std::hint::black_box;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use spotify_simulator::rng::SplitMix64;
use time_machine::engine::schedule::PollingPolicy;
use time_machine::engine::write_plan::{plan_archive, PollState};
use time_machine::import::plan::{plan_chunk, read_chunk};
use time_machine::spotify::recently_played::parse_recently_played;
use time_machine::time::{to_rfc3339, UnixMillis, DAY_MS, SECOND_MS};

use crate::stats::{runs_ms, Spread};

/// 1 January 2016, 00:00 UTC: where the generated export begins.
const EXPORT_FROM: UnixMillis = 1_451_606_400_000;
const EXPORT_YEARS: i64 = 10;
/// What the import page sends per request at most (records; it also stops at 128 KiB).
pub const CHUNK_RECORDS: usize = 250;
const CHUNK_BYTES: usize = 128 * 1024;
const FILES: usize = 10;

/// A Spotify-like base-62 id of 22 characters for a number.
fn base62_id(mut n: u64, salt: u64) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    n = n.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ salt;
    (0..22)
        .map(|i| {
            let digit = (n.rotate_left(i * 7) ^ (u64::from(i) * 131)) % 62;
            ALPHABET[digit as usize] as char
        })
        .collect()
}

/// One record of extended streaming history, with the fields the page sends (it drops
/// the IP address, the device and the country).
fn export_record(rng: &mut SplitMix64, index: u64, ended_at: UnixMillis) -> Value {
    let ts = to_rfc3339(ended_at).replace(".000Z", "Z");
    let roll = rng.below(1_000);
    if roll < 15 {
        let episode = rng.below(400);
        return json!({
            "ts": ts, "ms_played": 600_000 + rng.below(1_800_000),
            "master_metadata_track_name": null, "master_metadata_album_artist_name": null,
            "master_metadata_album_album_name": null, "spotify_track_uri": null,
            "episode_name": format!("Episode {episode}: a conversation"),
            "episode_show_name": "The Weekly Show",
            "spotify_episode_uri": format!("spotify:episode:{}", base62_id(episode, 7)),
            "audiobook_title": null, "audiobook_uri": null, "audiobook_chapter_uri": null,
            "audiobook_chapter_title": null, "reason_start": "clickrow", "reason_end": "endplay",
            "shuffle": false, "skipped": null, "offline": false,
            "offline_timestamp": ended_at / 1_000, "incognito_mode": false,
        });
    }
    // Favourites come back: the smaller of two draws skews towards low track numbers.
    let track = rng.below(15_000).min(rng.below(15_000));
    let short = roll < 220;
    let ms_played = if short {
        2_000 + rng.below(27_000)
    } else {
        30_000 + rng.below(250_000)
    };
    json!({
        "ts": ts, "ms_played": ms_played,
        "master_metadata_track_name": format!("Song number {track}"),
        "master_metadata_album_artist_name": format!("The Artist {}", track % 2_500),
        "master_metadata_album_album_name": format!("Album {} (Deluxe Edition)", track / 5),
        "spotify_track_uri": format!("spotify:track:{}", base62_id(track, 3)),
        "episode_name": null, "episode_show_name": null, "spotify_episode_uri": null,
        "audiobook_title": null, "audiobook_uri": null, "audiobook_chapter_uri": null,
        "audiobook_chapter_title": null,
        "reason_start": if index.is_multiple_of(7) { "clickrow" } else { "trackdone" },
        "reason_end": if short { "fwdbtn" } else { "trackdone" },
        "shuffle": index.is_multiple_of(3), "skipped": short, "offline": index.is_multiple_of(50),
        "offline_timestamp": if index.is_multiple_of(50) { ended_at / 1_000 } else { 0 },
        "incognito_mode": roll == 999,
    })
}

/// `records` records over ten years in `FILES` files, cut into chunk bodies the way the
/// import page cuts them (at most 250 records and 128 KiB each).
pub fn export_chunks(records: usize) -> Vec<String> {
    // The simulator's seeded generator: the same export on every run.
    let mut rng = SplitMix64::new(0x5107_7a1e_b0b5_0001);
    let step = EXPORT_YEARS * 365 * DAY_MS / records.max(1) as i64;
    let per_file = records.div_ceil(FILES);
    let mut chunks = Vec::new();
    for file in 0..FILES {
        let name = format!("Streaming_History_Audio_{}_{}.json", 2016 + file, file);
        let first = file * per_file;
        let last = ((file + 1) * per_file).min(records);
        let mut offset = 0;
        let mut parts: Vec<String> = Vec::new();
        let mut bytes = 0;
        let flush = |parts: &mut Vec<String>, offset: &mut usize, chunks: &mut Vec<String>| {
            if parts.is_empty() {
                return;
            }
            chunks.push(format!(
                "{{\"file\":{},\"offset\":{},\"records\":[{}]}}",
                json!(name),
                offset,
                parts.join(",")
            ));
            *offset += parts.len();
            parts.clear();
        };
        for index in first..last {
            let at = EXPORT_FROM + index as i64 * step + rng.below(50) as i64 * SECOND_MS;
            let record = export_record(&mut rng, index as u64, at).to_string();
            if parts.len() == CHUNK_RECORDS
                || (!parts.is_empty() && bytes + record.len() > CHUNK_BYTES)
            {
                flush(&mut parts, &mut offset, &mut chunks);
                bytes = 0;
            }
            bytes += record.len() + 1;
            parts.push(record);
        }
        flush(&mut parts, &mut offset, &mut chunks);
    }
    chunks
}

#[derive(Debug, Clone)]
pub struct CoreSpeed {
    pub page_items: usize,
    pub page_bytes: usize,
    /// Per page, milliseconds.
    pub page_parse: Spread,
    pub page_parse_plan: Spread,
    pub page_parse_plan_encode: Spread,
    pub export_records: usize,
    pub export_chunks: usize,
    pub export_bytes: usize,
    /// All chunks, milliseconds.
    pub export_read: Spread,
    pub export_read_plan: Spread,
}

/// Times `work` over `iterations` and returns the time per iteration.
fn per_iteration(iterations: usize, mut work: impl FnMut()) -> Duration {
    let started = Instant::now();
    for _ in 0..iterations {
        work();
    }
    started.elapsed() / iterations.max(1) as u32
}

pub fn measure(page: &str, records: usize, runs: usize) -> CoreSpeed {
    let policy = PollingPolicy::default();
    let now: UnixMillis = 1_772_409_600_000;
    let state = PollState {
        cursor_after: Some(now - 6 * 3_600_000),
        last_success_at: Some(now - 3_600_000),
        after_downtime: false,
    };
    let items = parse_recently_played(page)
        .map(|p| p.items.len())
        .unwrap_or(0);
    let iterations = 200;
    let page_parse = runs_ms(runs, || {
        per_iteration(iterations, || {
            black_box(parse_recently_played(black_box(page)).ok());
        })
    });
    let page_parse_plan = runs_ms(runs, || {
        per_iteration(iterations, || {
            if let Ok(parsed) = parse_recently_played(black_box(page)) {
                black_box(plan_archive(&parsed, &state, &policy, now));
            }
        })
    });
    let page_parse_plan_encode = runs_ms(runs, || {
        per_iteration(iterations, || {
            if let Ok(parsed) = parse_recently_played(black_box(page)) {
                let plan = plan_archive(&parsed, &state, &policy, now);
                // The write batch's JSON parameters, as the store encodes them.
                black_box((
                    serde_json::to_string(&plan.artists).ok(),
                    serde_json::to_string(&plan.albums).ok(),
                    serde_json::to_string(&plan.tracks).ok(),
                    serde_json::to_string(&plan.track_artists).ok(),
                    serde_json::to_string(&plan.plays).ok(),
                ));
            }
        })
    });

    let chunks = export_chunks(records);
    let import_now = EXPORT_FROM + (EXPORT_YEARS * 365 + 30) * DAY_MS;
    let export_read = runs_ms(runs, || {
        let started = Instant::now();
        for chunk in &chunks {
            black_box(read_chunk(black_box(chunk)).ok());
        }
        started.elapsed()
    });
    let export_read_plan = runs_ms(runs, || {
        let started = Instant::now();
        for chunk in &chunks {
            if let Ok(read) = read_chunk(black_box(chunk)) {
                black_box(plan_chunk(&read, "0123456789abcdef", import_now));
            }
        }
        started.elapsed()
    });
    CoreSpeed {
        page_items: items,
        page_bytes: page.len(),
        page_parse,
        page_parse_plan,
        page_parse_plan_encode,
        export_records: records,
        export_chunks: chunks.len(),
        export_bytes: chunks.iter().map(String::len).sum(),
        export_read,
        export_read_plan,
    }
}
