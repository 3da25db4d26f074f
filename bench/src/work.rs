//! The core's hot paths as plain functions, the same code natively (the bench) and as
//! WebAssembly under Node's V8 (`bench/wasm-probe`): timing both gives the factor by which
//! the Worker's own work is slower as wasm, for the CPU estimates.

use std::hint::black_box;

use time_machine::crypto::TokenCipher;
use time_machine::engine::schedule::PollingPolicy;
use time_machine::engine::write_plan::{plan_archive, PollState};
use time_machine::import::plan::{plan_chunk, read_chunk};
use time_machine::spotify::recently_played::parse_recently_played;

/// The instant the kernels take as now (2 March 2026).
pub const NOW: i64 = 1_772_409_600_000;

/// Reads a recently-played page, plans its write and encodes the batch's parameters.
pub fn page(body: &str, iterations: u32) -> usize {
    let policy = PollingPolicy::default();
    let state = PollState {
        cursor_after: Some(NOW - 6 * 3_600_000),
        last_success_at: Some(NOW - 3_600_000),
        after_downtime: false,
    };
    let mut total = 0;
    for _ in 0..iterations {
        if let Ok(page) = parse_recently_played(black_box(body)) {
            let plan = plan_archive(&page, &state, &policy, NOW);
            for text in [
                serde_json::to_string(&plan.artists),
                serde_json::to_string(&plan.albums),
                serde_json::to_string(&plan.tracks),
                serde_json::to_string(&plan.track_artists),
                serde_json::to_string(&plan.plays),
            ] {
                total += text.map_or(0, |text| text.len());
            }
        }
    }
    black_box(total)
}

/// Opens a sealed token (AES-256-GCM), as every archive does with the access token.
pub fn open(key: &str, sealed: &str, user_id: &str, iterations: u32) -> usize {
    let Ok(cipher) = TokenCipher::new(key, None) else {
        return 0;
    };
    let mut total = 0;
    for _ in 0..iterations {
        total += cipher
            .open(black_box(sealed), user_id)
            .map_or(0, |token| token.len());
    }
    black_box(total)
}

/// Reads and plans one import chunk.
pub fn chunk(body: &str, now: i64, iterations: u32) -> usize {
    let mut total = 0;
    for _ in 0..iterations {
        if let Ok(chunk) = read_chunk(black_box(body)) {
            total += plan_chunk(&chunk, "0123456789abcdef", now).plays.len();
        }
    }
    black_box(total)
}
