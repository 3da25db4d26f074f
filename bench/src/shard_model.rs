//! The scaling model over N shards (D1 databases): what one shard holds and does, what a
//! deployment of N full shards does, and where the next limit binds as shards are added.
//! From the model's measured inputs ([`Inputs`]: bytes per play, rows per user-day, …)
//! and what the sweep over shards measured ([`ShardFacts`], `crate::shard_sweep`).

use crate::model::{
    Inputs, CRONS_PER_DAY, PAID_D1_DATABASE_BYTES, PAID_KV_USD_PER_MILLION_WRITES,
    PAID_KV_WRITES_INCLUDED_PER_MONTH, PAID_SUBREQUESTS, QUEUE_MESSAGES_PER_SECOND,
    SWEEP_MAX_USERS, USERS_PER_MESSAGE,
};
use crate::stats::{amount, int, num, table};

/// The deployments the table shows: 1, 10 and 100 shards.
pub const SHARD_COLUMNS: [f64; 3] = [1.0, 10.0, 100.0];
/// The most shards the Worker binds (`MAX_SHARDS` in src/shards.rs).
pub const MAX_SHARDS: f64 = time_machine::shards::MAX_SHARDS as f64;
/// D1, as of writing: storage per account (paid), databases per account (paid; Cloudflare's
/// newest page says 1,000,000, the first 100,000 included), queries per invocation
/// (paid), D1 bindings per Worker script (about 5,000).
pub const PAID_D1_ACCOUNT_BYTES: f64 = 1e12;
pub const PAID_D1_DATABASES: f64 = 50_000.0;
pub const PAID_D1_QUERIES_PER_INVOCATION: f64 = 1_000.0;
pub const WORKER_D1_BINDINGS: f64 = 5_000.0;
/// Workers Paid: CPU per invocation by default (it can be raised to 5 minutes).
pub const PAID_CPU_MS_PER_INVOCATION: f64 = 30_000.0;
/// D1 time per round trip the throughput figures assume (Cloudflare's example: 1 ms).
pub const D1_MS_PER_ROUND_TRIP: f64 = 1.0;
/// The cron's sweeps an hour, from its schedule (`CRONS_PER_DAY`).
const SWEEPS_PER_HOUR: f64 = crate::model::CRONS_PER_DAY / 24.0;
/// One `send_batch` carries at most this many messages (the sweep's own bound).
const MESSAGES_PER_SEND: f64 = time_machine::engine::sweep::MAX_MESSAGES_PER_SEND as f64;

/// What the sweep over shards measured.
#[derive(Debug, Clone, Default)]
pub struct ShardFacts {
    /// D1 round trips one shard costs a sweep (the claim, the housekeeping).
    pub round_trips_per_shard: f64,
    /// A shard's housekeeping (not the directory's), D1's rows read and written a sweep.
    pub tidy_rows_read: f64,
    pub tidy_rows_written: f64,
    /// Bytes per user of the directory in shard 0 (`user_shards` and its index).
    pub directory_bytes_per_user: f64,
    /// The cron's own work natively per claimed user, ms (the sweep replayed).
    pub cron_native_ms_per_user: f64,
    /// The factor from native to workerd's CPU, and whether it was measured this run.
    pub wasm_factor: f64,
    pub wasm_measured: bool,
    /// The sweep the per-user figures come from, in words.
    pub source: String,
}

/// One sweep of a deployment of `shards` shards of `users_per_shard` users each.
struct Sweep {
    users_per_shard: f64,
    messages_per_shard: f64,
    sends_per_shard: f64,
    subrequests: f64,
    d1_queries: f64,
    cpu_ms: f64,
}

impl ShardFacts {
    fn sweep(&self, shards: f64, users_per_shard: f64) -> Sweep {
        let users_per_shard = users_per_shard.min(SWEEP_MAX_USERS);
        let messages_per_shard = (users_per_shard / USERS_PER_MESSAGE).ceil();
        let sends_per_shard = (messages_per_shard / MESSAGES_PER_SEND).ceil();
        Sweep {
            users_per_shard,
            messages_per_shard,
            sends_per_shard,
            subrequests: shards * (self.round_trips_per_shard + sends_per_shard),
            d1_queries: shards * self.round_trips_per_shard,
            cpu_ms: shards * users_per_shard * self.cron_native_ms_per_user * self.wasm_factor,
        }
    }
}

/// Users one shard holds for a year: 10 GB of their plays and the catalogue's share.
pub fn users_per_shard(inputs: &Inputs) -> f64 {
    (PAID_D1_DATABASE_BYTES / inputs.bytes_per_user_year()).floor()
}

/// User-years a deployment of `shards` full shards holds: every shard's, less what the
/// directory (every user's entry, in shard 0) takes from shard 0. (With equal weights the
/// shards fill alike, and shard 0, holding the directory too, fills first; its weight
/// then goes to 0 and the others fill up.) Users U: U · bytes per user-year + U ·
/// directory bytes per user = shards · 10 GB.
pub fn user_years(inputs: &Inputs, facts: &ShardFacts, shards: f64) -> f64 {
    let per_year = inputs.bytes_per_user_year();
    (shards * PAID_D1_DATABASE_BYTES / (per_year + facts.directory_bytes_per_user)).floor()
}

/// A limit on the number of shards.
pub struct ShardLimit {
    pub limit: String,
    pub shards: f64,
    /// Whether it binds only in a case the full, typical shards do not reach.
    pub conditional: bool,
    pub arithmetic: String,
}

pub fn limits(inputs: &Inputs, facts: &ShardFacts) -> Vec<ShardLimit> {
    let full = users_per_shard(inputs);
    let steady = facts.sweep(1.0, full * inputs.polls_per_hour / SWEEPS_PER_HOUR);
    let backlog = facts.sweep(1.0, full);
    let capped = facts.sweep(1.0, SWEEP_MAX_USERS);
    let per_shard = |sweep: &Sweep| facts.round_trips_per_shard + sweep.sends_per_shard;
    let mut out = vec![
        ShardLimit {
            limit: "`MAX_SHARDS` in src/shards.rs (the bindings the Worker looks for)".into(),
            shards: MAX_SHARDS,
            conditional: false,
            arithmetic: format!(
                "a constant: `ARCHIVE_DB`, `ARCHIVE_DB_1` … `ARCHIVE_DB_{}`; raise it to bind more",
                MAX_SHARDS - 1.0
            ),
        },
        ShardLimit {
            limit: "D1 storage per account, 1 TB (paid)".into(),
            shards: (PAID_D1_ACCOUNT_BYTES / PAID_D1_DATABASE_BYTES).floor(),
            conditional: false,
            arithmetic: "1 TB / 10 GB per full shard".into(),
        },
        ShardLimit {
            limit: "the cron's subrequests, 1,000 per invocation (paid): after an outage"
                .into(),
            shards: (PAID_SUBREQUESTS / per_shard(&backlog)).floor(),
            conditional: false,
            arithmetic: format!(
                "every user of a full shard due at once ({} users, {} messages): {} D1 round trips + {} Queue sends = {} per shard",
                int(backlog.users_per_shard as i64),
                int(backlog.messages_per_shard as i64),
                num(facts.round_trips_per_shard),
                num(backlog.sends_per_shard),
                num(per_shard(&backlog))
            ),
        },
        ShardLimit {
            limit: "the cron's subrequests, 1,000 per invocation (paid): steady state".into(),
            shards: (PAID_SUBREQUESTS / per_shard(&steady)).floor(),
            conditional: false,
            arithmetic: format!(
                "a twelfth of a full shard's users each sweep ({} users, {} messages): {} D1 round trips + {} Queue send = {} per shard",
                int(steady.users_per_shard.round() as i64),
                int(steady.messages_per_shard as i64),
                num(facts.round_trips_per_shard),
                num(steady.sends_per_shard),
                num(per_shard(&steady))
            ),
        },
        ShardLimit {
            limit: "the cron's subrequests, 1,000 per invocation (paid): every shard at its cap"
                .into(),
            shards: (PAID_SUBREQUESTS / per_shard(&capped)).floor(),
            conditional: true,
            arithmetic: format!(
                "only if each shard had {} users due at once (more users than a year of typical listeners fills 10 GB with): {} D1 round trips + {} Queue sends = {} per shard",
                int(SWEEP_MAX_USERS as i64),
                num(facts.round_trips_per_shard),
                num(capped.sends_per_shard),
                num(per_shard(&capped))
            ),
        },
        ShardLimit {
            limit: "D1 queries per invocation, 1,000 (paid)".into(),
            shards: (PAID_D1_QUERIES_PER_INVOCATION / facts.round_trips_per_shard).floor(),
            conditional: false,
            arithmetic: format!(
                "{} round trips per shard a sweep",
                num(facts.round_trips_per_shard)
            ),
        },
        ShardLimit {
            limit: format!(
                "the cron's CPU, 30 s per invocation (paid default): after an outage (estimate, × {}{})",
                num(facts.wasm_factor),
                if facts.wasm_measured { "" } else { ", stated" }
            ),
            shards: (PAID_CPU_MS_PER_INVOCATION / backlog.cpu_ms).floor(),
            conditional: false,
            arithmetic: format!(
                "{} ms of the Worker's own work natively per claimed user ({}) × {} users of a full shard × {} = {} ms per shard",
                num(facts.cron_native_ms_per_user),
                facts.source,
                int(backlog.users_per_shard as i64),
                num(facts.wasm_factor),
                num(backlog.cpu_ms)
            ),
        },
        ShardLimit {
            limit: "D1 bindings per Worker script, about 5,000".into(),
            shards: WORKER_D1_BINDINGS,
            conditional: false,
            arithmetic: "one binding per shard".into(),
        },
        ShardLimit {
            limit: "D1 databases per account, 50,000 (paid)".into(),
            shards: PAID_D1_DATABASES,
            conditional: false,
            arithmetic: "one database per shard (Cloudflare's newest page: 1,000,000, the first 100,000 included)".into(),
        },
        ShardLimit {
            limit: "Queue throughput, 5,000 messages/s (one queue)".into(),
            shards: (QUEUE_MESSAGES_PER_SECOND * 3_600.0 * USERS_PER_MESSAGE
                / (full * inputs.polls_per_hour))
                .floor(),
            conditional: false,
            arithmetic: format!(
                "{} messages an hour per full shard ({} users polled {} times an hour, {} to a message)",
                int((full * inputs.polls_per_hour / USERS_PER_MESSAGE).round() as i64),
                int(full as i64),
                num(inputs.polls_per_hour),
                num(USERS_PER_MESSAGE)
            ),
        },
    ];
    out.sort_by(|a, b| a.shards.total_cmp(&b.shards));
    out
}

/// What one shard holds and does, full: its users for a year.
pub fn per_shard_table(inputs: &Inputs, facts: &ShardFacts) -> String {
    let full = users_per_shard(inputs);
    let day = inputs.user_day();
    let warm = inputs.warm().user_day();
    let sweeps = CRONS_PER_DAY;
    let written = |per_user: f64| full * per_user + sweeps * facts.tidy_rows_written;
    let round_trips = full * day.d1_round_trips + sweeps * facts.round_trips_per_shard;
    let busy_ms_per_hour = round_trips / 24.0 * D1_MS_PER_ROUND_TRIP;
    let archives_per_hour = full * inputs.polls_per_hour;
    let throughput_users =
        3_600_000.0 / (D1_MS_PER_ROUND_TRIP * day.d1_round_trips / day.archives.max(1.0));
    let rows = vec![
        vec![
            "users held for a year (10 GB: their plays and the catalogue's share)".to_owned(),
            format!(
                "**{}** (10 GB / {} MB per user-year)",
                int(full as i64),
                num(inputs.bytes_per_user_year() / 1e6)
            ),
        ],
        vec![
            "D1 rows written per shard-day, tracks new to the catalogue / already stored"
                .to_owned(),
            format!(
                "{} / {} ({} / {} per user-day; a shard's housekeeping at each of the {} sweeps reads {} rows and writes {})",
                int(written(day.d1_rows_written).round() as i64),
                int(written(warm.d1_rows_written).round() as i64),
                amount(day.d1_rows_written),
                amount(warm.d1_rows_written),
                int(sweeps as i64),
                num(facts.tidy_rows_read),
                num(facts.tidy_rows_written)
            ),
        ],
        vec![
            "D1 rows read per shard-day".to_owned(),
            int((full * day.d1_rows_read + sweeps * facts.tidy_rows_read).round() as i64),
        ],
        vec![
            "D1 round trips per shard-day (archives and sweeps)".to_owned(),
            int(round_trips.round() as i64),
        ],
        vec![
            format!(
                "D1 busy per shard-hour, at {} ms a round trip (assumed: Cloudflare's example)",
                num(D1_MS_PER_ROUND_TRIP)
            ),
            format!(
                "{} s of 3,600 ({}%): one query at a time binds at {} archives an hour, {}× a full shard's {}",
                num(busy_ms_per_hour / 1_000.0),
                num(100.0 * busy_ms_per_hour / 3_600_000.0),
                int(throughput_users.round() as i64),
                int((throughput_users / archives_per_hour).floor() as i64),
                int(archives_per_hour.round() as i64)
            ),
        ],
        vec![
            "the sweep's cap, `SWEEP_MAX_USERS` per shard".to_owned(),
            format!(
                "{} a sweep, {} polls an hour: {}× a full shard's {}",
                int(SWEEP_MAX_USERS as i64),
                int((SWEEP_MAX_USERS * SWEEPS_PER_HOUR) as i64),
                int((SWEEP_MAX_USERS * SWEEPS_PER_HOUR / archives_per_hour).floor() as i64),
                int(archives_per_hour.round() as i64)
            ),
        ],
        vec![
            "the directory's share, in shard 0 (`user_shards` and its index)".to_owned(),
            format!(
                "{} bytes per user of the deployment ({} MB for 100 full shards' users: {}% of shard 0)",
                num(facts.directory_bytes_per_user),
                num(100.0 * full * facts.directory_bytes_per_user / 1e6),
                num(100.0 * 100.0 * full * facts.directory_bytes_per_user / PAID_D1_DATABASE_BYTES)
            ),
        ],
    ];
    table(&["one full shard", "amount"], &rows)
}

/// What a deployment of 1, 10 and 100 full shards does, and the next limit of each.
pub fn deployment_table(inputs: &Inputs, facts: &ShardFacts) -> String {
    let full = users_per_shard(inputs);
    let day = inputs.user_day();
    let warm = inputs.warm().user_day();
    let all_limits = limits(inputs, facts);
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut line = |what: &str, cell: &dyn Fn(f64) -> String| {
        let mut row = vec![what.to_owned()];
        row.extend(SHARD_COLUMNS.iter().map(|n| cell(*n)));
        rows.push(row);
    };
    line("**user-years held** (a year of typical listeners)", &|n| {
        format!("**{}**", int(user_years(inputs, facts, n) as i64))
    });
    line("the directory in shard 0", &|n| {
        format!(
            "{} MB",
            num(n * full * facts.directory_bytes_per_user / 1e6)
        )
    });
    line(
        "D1 storage in the account after a year (1 TB, paid)",
        &|n| format!("{} GB", int((n * PAID_D1_DATABASE_BYTES / 1e9) as i64)),
    );
    line("D1 rows written a day, tracks new / already stored", &|n| {
        format!(
            "{} M / {} M",
            num(n * (full * day.d1_rows_written + CRONS_PER_DAY * facts.tidy_rows_written) / 1e6),
            num(n * (full * warm.d1_rows_written + CRONS_PER_DAY * facts.tidy_rows_written) / 1e6)
        )
    });
    line(
        "a sweep, steady state: users / D1 round trips / Queue sends / subrequests (paid 1,000)",
        &|n| {
            let sweep = facts.sweep(n, full * inputs.polls_per_hour / SWEEPS_PER_HOUR);
            format!(
                "{} / {} / {} / {}",
                int((n * sweep.users_per_shard).round() as i64),
                int(sweep.d1_queries as i64),
                int((n * sweep.sends_per_shard) as i64),
                int(sweep.subrequests as i64)
            )
        },
    );
    line("a sweep after an outage (every user due): users / subrequests / CPU estimate, ms (paid 30,000)", &|n| {
        let sweep = facts.sweep(n, full);
        format!(
            "{} / {} / {}",
            int((n * sweep.users_per_shard) as i64),
            int(sweep.subrequests as i64),
            num(sweep.cpu_ms)
        )
    });
    line(
        "Queue messages an hour (5,000 a second: 18 M an hour)",
        &|n| int((n * full * inputs.polls_per_hour / USERS_PER_MESSAGE).round() as i64),
    );
    line(
        "KV writes a day (the idempotency slot), and their price a month past the included 1 M",
        &|n| {
            let writes = n * full * day.kv_writes;
            let usd = ((writes * 30.0 - PAID_KV_WRITES_INCLUDED_PER_MONTH).max(0.0) / 1e6)
                * PAID_KV_USD_PER_MILLION_WRITES;
            format!(
                "{} (${})",
                int(writes.round() as i64),
                int(usd.round() as i64)
            )
        },
    );
    line(
        "Spotify calls a second (one app; its limit is not published)",
        &|n| num(n * full * day.spotify_calls / 86_400.0),
    );
    line("**the next limit**", &|n| {
        next_limit(&all_limits, inputs, n)
    });
    let header: Vec<String> = std::iter::once("full shards".to_owned())
        .chain(SHARD_COLUMNS.iter().map(|n| int(*n as i64)))
        .collect();
    table(
        &header.iter().map(String::as_str).collect::<Vec<_>>(),
        &rows,
    )
}

/// The limits a deployment of `shards` has passed, reached, and the next one.
fn next_limit(all: &[ShardLimit], inputs: &Inputs, shards: f64) -> String {
    let full = users_per_shard(inputs);
    let mut parts = vec![format!(
        "each database's 10 GB at {} user-years a shard: add shards",
        int(full as i64)
    )];
    let certain = all.iter().filter(|limit| !limit.conditional);
    let past: Vec<String> = certain
        .clone()
        .filter(|limit| limit.shards < shards)
        .map(|limit| format!("{} ({})", limit.limit, int(limit.shards as i64)))
        .collect();
    let at: Vec<String> = certain
        .clone()
        .filter(|limit| limit.shards == shards)
        .map(|limit| limit.limit.clone())
        .collect();
    if !past.is_empty() {
        parts.push(format!("**past**: {}", past.join("; ")));
    }
    if !at.is_empty() {
        parts.push(format!("**reached**: {}", at.join("; ")));
    }
    if let Some(next) = certain.clone().find(|limit| limit.shards > shards) {
        parts.push(format!(
            "then {} at {} shards",
            next.limit,
            int(next.shards as i64)
        ));
    }
    parts.join("; ")
}

/// Every limit on the number of shards, sorted.
pub fn limits_table(inputs: &Inputs, facts: &ShardFacts) -> String {
    let rows: Vec<Vec<String>> = limits(inputs, facts)
        .iter()
        .map(|limit| {
            vec![
                limit.limit.clone(),
                format!(
                    "{}{}",
                    int(limit.shards as i64),
                    if limit.conditional { " (if)" } else { "" }
                ),
                int(user_years(inputs, facts, limit.shards) as i64),
                limit.arithmetic.clone(),
            ]
        })
        .collect();
    table(
        &[
            "limit",
            "binds past (shards)",
            "user-years then",
            "arithmetic",
        ],
        &rows,
    )
}

/// The tables of docs/scaling.md's shards section.
pub fn tables(inputs: &Inputs, facts: &ShardFacts) -> String {
    format!(
        "{}\n{}\n{}",
        per_shard_table(inputs, facts),
        deployment_table(inputs, facts),
        limits_table(inputs, facts)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs() -> Inputs {
        Inputs {
            day_plays: 15.0,
            polls_per_hour: 1.0,
            awake_hours: 16.0,
            bytes_per_play: 25.0,
            catalogue_bytes_per_track: 200.0,
            catalogue_tracks_per_user_year: 5_000.0,
            ..Inputs::default()
        }
    }

    fn facts() -> ShardFacts {
        ShardFacts {
            round_trips_per_shard: 2.0,
            directory_bytes_per_user: 100.0,
            cron_native_ms_per_user: 0.005,
            wasm_factor: 1.5,
            wasm_measured: true,
            source: "test".into(),
            ..ShardFacts::default()
        }
    }

    #[test]
    fn shards_multiply_the_user_years_less_the_directory() {
        let (inputs, facts) = (inputs(), facts());
        // 3.19 MB per user-year: 3,134 in 10 GB.
        assert_eq!(users_per_shard(&inputs), 3_134.0);
        let one = user_years(&inputs, &facts, 1.0);
        let hundred = user_years(&inputs, &facts, 100.0);
        assert_eq!(one, 3_134.0);
        // The directory's 100 bytes per user: 10 of the 313,479 user-years.
        assert_eq!(hundred, 313_469.0);
    }

    #[test]
    fn the_limits_are_sorted_and_the_code_binds_first() {
        let (inputs, facts) = (inputs(), facts());
        let all = limits(&inputs, &facts);
        assert!(all.windows(2).all(|pair| pair[0].shards <= pair[1].shards));
        let certain: Vec<&ShardLimit> = all.iter().filter(|limit| !limit.conditional).collect();
        assert_eq!(certain[0].shards, MAX_SHARDS);
        assert_eq!(certain[1].shards, 100.0);
        // A full shard after an outage: 3,134 users, 314 messages, 4 sends: 6 per shard.
        let backlog = all
            .iter()
            .find(|limit| {
                limit.limit.contains("after an outage") && limit.limit.contains("subrequests")
            })
            .expect("the backlog's subrequests");
        assert_eq!(backlog.shards, 166.0);
        let next = next_limit(&all, &inputs, 100.0);
        assert!(next.contains("**past**: `MAX_SHARDS`"), "{next}");
        assert!(
            next.contains("**reached**: D1 storage per account"),
            "{next}"
        );
    }
}
