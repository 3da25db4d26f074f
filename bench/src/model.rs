//! From the measured per-archive counts to a user-day, and from a user-day to what a
//! deployment of N users uses and costs. The platform's limits and prices are constants
//! here, as of writing (late 2026, from Cloudflare's and Spotify's documentation as we
//! know it); each is marked where we are unsure.

use crate::stats::{amount, int, num, table};

/// A limit or price of the platform, with how sure we are of it.
pub struct Fact {
    pub what: &'static str,
    pub value: &'static str,
    pub note: &'static str,
}

pub const FREE_REQUESTS_PER_DAY: f64 = 100_000.0;
pub const FREE_CPU_MS_PER_INVOCATION: f64 = 10.0;
pub const FREE_SUBREQUESTS: f64 = 50.0;
pub const PAID_SUBREQUESTS: f64 = 1_000.0;
pub const PAID_BASE_USD_PER_MONTH: f64 = 5.0;
pub const PAID_REQUESTS_INCLUDED_PER_MONTH: f64 = 10_000_000.0;
pub const PAID_USD_PER_MILLION_REQUESTS: f64 = 0.30;
pub const PAID_CPU_MS_INCLUDED_PER_MONTH: f64 = 30_000_000.0;
pub const PAID_USD_PER_MILLION_CPU_MS: f64 = 0.02;
pub const FREE_D1_ROWS_READ_PER_DAY: f64 = 5_000_000.0;
pub const FREE_D1_ROWS_WRITTEN_PER_DAY: f64 = 100_000.0;
pub const FREE_D1_DATABASE_BYTES: f64 = 500.0 * 1e6;
pub const PAID_D1_DATABASE_BYTES: f64 = 10.0 * 1e9;
pub const PAID_D1_ROWS_READ_INCLUDED_PER_MONTH: f64 = 25_000_000_000.0;
pub const PAID_D1_USD_PER_MILLION_ROWS_READ: f64 = 0.001;
pub const PAID_D1_ROWS_WRITTEN_INCLUDED_PER_MONTH: f64 = 50_000_000.0;
pub const PAID_D1_USD_PER_MILLION_ROWS_WRITTEN: f64 = 1.00;
pub const PAID_D1_STORAGE_INCLUDED_GB: f64 = 5.0;
pub const PAID_D1_USD_PER_GB_MONTH: f64 = 0.75;
pub const FREE_KV_READS_PER_DAY: f64 = 100_000.0;
pub const FREE_KV_WRITES_PER_DAY: f64 = 1_000.0;
pub const PAID_KV_READS_INCLUDED_PER_MONTH: f64 = 10_000_000.0;
pub const PAID_KV_USD_PER_MILLION_READS: f64 = 0.50;
pub const PAID_KV_WRITES_INCLUDED_PER_MONTH: f64 = 1_000_000.0;
pub const PAID_KV_USD_PER_MILLION_WRITES: f64 = 5.00;
pub const FREE_QUEUE_OPS_PER_DAY: f64 = 10_000.0;
pub const PAID_QUEUE_OPS_INCLUDED_PER_MONTH: f64 = 1_000_000.0;
pub const PAID_QUEUE_USD_PER_MILLION_OPS: f64 = 0.40;
pub const QUEUE_MESSAGES_PER_SECOND: f64 = 5_000.0;
pub const SPOTIFY_DEVELOPMENT_MODE_USERS: f64 = 5.0;
/// The deployment's own settings (wrangler.toml).
pub const USERS_PER_MESSAGE: f64 = 10.0;
/// The consumer's `max_batch_size`: messages per invocation at most.
pub const MESSAGES_PER_BATCH: f64 = 10.0;
pub const SWEEP_MAX_USERS: f64 = 10_000.0;
pub const CRONS_PER_DAY: f64 = 288.0;
const DAYS_PER_MONTH: f64 = 30.0;
/// **An assumption, not a measurement** (a round figure): the tracks a typical listener
/// adds to the catalogue in a year, none of them shared with any other user. That is the
/// worst case: listeners who play the same tracks share their catalogue rows, and the
/// catalogue then grows slower than the users. Each track brings its share of albums,
/// artists, links and contexts as the simulator's catalogue has them: the catalogue's
/// bytes per track are measured (`crate::storage`).
pub const CATALOGUE_TRACKS_PER_USER_YEAR: f64 = 5_000.0;
/// The targets (#14): user-years one D1 database holds, the catalogue included.
pub const TARGET_USER_YEARS_PAID: f64 = 3_000.0;
pub const TARGET_USER_YEARS_FREE: f64 = 120.0;

pub fn facts() -> Vec<Fact> {
    vec![
        Fact { what: "Workers requests", value: "free 100,000/day; paid 10 M/month included, then $0.30/M", note: "we count cron and queue-consumer invocations as requests (unsure how each is billed)" },
        Fact { what: "Workers CPU time", value: "free 10 ms per invocation; paid 30 M CPU-ms/month included, then $0.02/M CPU-ms (30 s per invocation by default)", note: "" },
        Fact { what: "Subrequests per invocation", value: "free 50; paid 1,000", note: "fetch, and calls to D1, KV and Queues; the newest limits page shows 10,000 for paid" },
        Fact { what: "Workers Paid base", value: "$5/month", note: "" },
        Fact { what: "Worker size (compressed)", value: "free 3 MB; paid 10 MB", note: "each of our four Workers is held to 300 KiB (docs/operations.md, \"The Workers\")" },
        Fact { what: "Service bindings", value: "no added cost", note: "the front passes the review and history Workers' routes on through them: no second request is billed, and the part's CPU counts toward the request's" },
        Fact { what: "D1 rows read", value: "free 5 M/day; paid 25 B/month included, then $0.001/M", note: "" },
        Fact { what: "D1 rows written", value: "free 100,000/day; paid 50 M/month included, then $1.00/M", note: "an index entry written counts as a row" },
        Fact { what: "D1 storage", value: "free 500 MB per database (5 GB per account); paid 10 GB per database, 5 GB included, then $0.75/GB-month", note: "" },
        Fact { what: "D1 queries per invocation", value: "free 50; paid 1,000", note: "" },
        Fact { what: "D1 throughput", value: "one database runs one query at a time", note: "Cloudflare's example: 1 ms queries give about 1,000 queries/s" },
        Fact { what: "KV", value: "free 100,000 reads and 1,000 writes a day; paid 10 M reads ($0.50/M after) and 1 M writes ($5.00/M after) a month included", note: "" },
        Fact { what: "Queues", value: "free 10,000 operations/day; paid 1 M/month included, then $0.40/M; 3 operations per message (write, read, delete per 64 KB); 5,000 messages/s per queue", note: "the free plan's Queues allowance is recent; unsure" },
        Fact { what: "Spotify development mode", value: "5 users (each added to the app's user list)", note: "more needs Spotify's extended quota, which it grants to organisations only (its 2025 policy; unsure of the details)" },
        Fact { what: "Spotify rate limit", value: "per app, over a rolling 30-second window; the number is not published", note: "unknown: 429 with Retry-After when exceeded" },
    ]
}

/// What one user costs per day, on average, from the measurements.
#[derive(Debug, Clone, Copy, Default)]
pub struct UserDay {
    pub archives: f64,
    pub plays: f64,
    pub spotify_calls: f64,
    pub d1_round_trips: f64,
    pub d1_rows_read: f64,
    pub d1_rows_written: f64,
    pub kv_reads: f64,
    pub kv_writes: f64,
    /// Bytes of plays (with their indexes) added.
    pub bytes: f64,
    /// Bytes of the catalogue added for this user (the assumption's share, a day of it).
    pub catalogue_bytes: f64,
    /// The consumer's CPU for this user's archives, ms (an estimate).
    pub cpu_ms: f64,
}

/// One archive's measured counts.
#[derive(Debug, Clone, Copy, Default)]
pub struct ArchiveCounts {
    pub d1_round_trips: f64,
    pub rows_read: f64,
    pub rows_written: f64,
    pub spotify_calls: f64,
}

/// The measured inputs of the model.
#[derive(Debug, Clone, Copy, Default)]
pub struct Inputs {
    /// An hourly poll with nothing new (a night hour), token refreshed.
    pub night: ArchiveCounts,
    /// An hourly poll with 15 new plays (a day hour), token refreshed, every track new
    /// to the catalogue (the cold end).
    pub day: ArchiveCounts,
    /// The same with every track already in the catalogue (the warm end).
    pub day_warm: ArchiveCounts,
    pub day_plays: f64,
    /// Polls per user-hour (the week simulation, typical listeners).
    pub polls_per_hour: f64,
    /// Awake hours a day (the week simulation's listeners: 16).
    pub awake_hours: f64,
    /// The sweep's claim per claimed user (D1 counters of the 10,000-user sweep).
    pub sweep_rows_read_per_user: f64,
    pub sweep_rows_written_per_user: f64,
    /// The sweep's fixed part per sweep (the summary batch).
    pub sweep_rows_read_fixed: f64,
    pub sweep_rows_written_fixed: f64,
    pub bytes_per_play: f64,
    /// The catalogue's bytes (tables and indexes) per track stored, measured.
    pub catalogue_bytes_per_track: f64,
    /// Tracks a user adds to the catalogue in a year ([`CATALOGUE_TRACKS_PER_USER_YEAR`]).
    pub catalogue_tracks_per_user_year: f64,
    /// The consumer's core work per archived user, ms natively (full batch, refreshed).
    pub cpu_native_ms_per_user: f64,
    /// The cron's core work per claimed user, ms natively.
    pub cron_native_ms_per_user: f64,
    pub wasm_factor: f64,
    /// Subrequests of one archived user (refreshed token): D1 + KV + fetch.
    pub subrequests_per_user: f64,
}

impl Inputs {
    /// The same inputs with a warm catalogue: every track played is already stored.
    pub fn warm(&self) -> Inputs {
        Inputs {
            day: self.day_warm,
            ..*self
        }
    }

    /// D1 bytes one user adds in a year: plays with their indexes, and the catalogue's share.
    pub fn bytes_per_user_year(&self) -> f64 {
        let day = self.user_day();
        365.0 * (day.bytes + day.catalogue_bytes)
    }

    /// User-years (a year of one typical user) that `database_bytes` holds.
    pub fn user_years(&self, database_bytes: f64) -> f64 {
        database_bytes / self.bytes_per_user_year()
    }

    /// The most tracks a user may add to the catalogue in a year for `database_bytes` to
    /// hold `user_years` (none if the plays alone pass it).
    pub fn catalogue_tracks_within(&self, database_bytes: f64, user_years: f64) -> f64 {
        let plays = 365.0 * self.user_day().bytes;
        ((database_bytes / user_years - plays) / self.catalogue_bytes_per_track).max(0.0)
    }

    pub fn user_day(&self) -> UserDay {
        let polls = 24.0 * self.polls_per_hour;
        let day_share = (self.awake_hours / 24.0).clamp(0.0, 1.0);
        let (day, night) = (polls * day_share, polls * (1.0 - day_share));
        let per = |f: fn(&ArchiveCounts) -> f64| day * f(&self.day) + night * f(&self.night);
        let plays = day * self.day_plays;
        UserDay {
            archives: polls,
            plays,
            spotify_calls: per(|c| c.spotify_calls),
            d1_round_trips: per(|c| c.d1_round_trips),
            d1_rows_read: per(|c| c.rows_read) + polls * self.sweep_rows_read_per_user,
            d1_rows_written: per(|c| c.rows_written) + polls * self.sweep_rows_written_per_user,
            kv_reads: polls,
            kv_writes: polls,
            bytes: plays * self.bytes_per_play,
            catalogue_bytes: self.catalogue_tracks_per_user_year / 365.0
                * self.catalogue_bytes_per_track,
            cpu_ms: polls
                * (self.cpu_native_ms_per_user + self.cron_native_ms_per_user)
                * self.wasm_factor,
        }
    }
}

/// What N users use in a day.
#[derive(Debug, Clone, Copy)]
pub struct Usage {
    pub requests: f64,
    pub cpu_ms: f64,
    pub queue_ops: f64,
    pub d1_rows_read: f64,
    pub d1_rows_written: f64,
    pub kv_reads: f64,
    pub kv_writes: f64,
    pub spotify_calls: f64,
    /// Database size after a year of plays and the catalogue's share, bytes.
    pub bytes_after_year: f64,
    /// Users in one sweep (users are spread over the hour's 12 sweeps).
    pub users_per_sweep: f64,
}

pub fn usage(inputs: &Inputs, users: f64) -> Usage {
    let day = inputs.user_day();
    let sweeps_per_hour = 12.0_f64;
    // Hourly polls spread over the hour's sweeps; at most one sweep per user per poll.
    let busy_sweeps_per_hour = sweeps_per_hour.min(users * inputs.polls_per_hour).max(1.0);
    let users_per_sweep = users * inputs.polls_per_hour / busy_sweeps_per_hour;
    let messages_per_sweep = (users_per_sweep / USERS_PER_MESSAGE).ceil();
    let messages_per_day = 24.0 * busy_sweeps_per_hour * messages_per_sweep;
    // The consumer gets up to 10 messages per invocation; we count one invocation per
    // message, the most it can be (small sweeps never fill a batch).
    let consumer_invocations = messages_per_day;
    let sweep_fixed = CRONS_PER_DAY;
    Usage {
        requests: CRONS_PER_DAY + consumer_invocations,
        cpu_ms: users * day.cpu_ms,
        queue_ops: 3.0 * messages_per_day,
        d1_rows_read: users * day.d1_rows_read + sweep_fixed * inputs.sweep_rows_read_fixed,
        d1_rows_written: users * day.d1_rows_written
            + sweep_fixed * inputs.sweep_rows_written_fixed,
        kv_reads: users * day.kv_reads,
        kv_writes: users * day.kv_writes,
        spotify_calls: users * day.spotify_calls,
        bytes_after_year: users * inputs.bytes_per_user_year(),
        users_per_sweep,
    }
}

fn overage(used_per_month: f64, included: f64, usd_per_million: f64) -> f64 {
    (used_per_month - included).max(0.0) / 1e6 * usd_per_million
}

/// Workers Paid, per month: (base, requests, CPU, D1 reads, D1 writes, D1 storage, KV
/// reads, KV writes, Queues).
pub fn paid_month(usage: &Usage) -> [f64; 9] {
    let month = DAYS_PER_MONTH;
    // Storage averaged over the first year: half of the year's growth.
    let storage_gb = usage.bytes_after_year / 2.0 / 1e9;
    [
        PAID_BASE_USD_PER_MONTH,
        overage(
            usage.requests * month,
            PAID_REQUESTS_INCLUDED_PER_MONTH,
            PAID_USD_PER_MILLION_REQUESTS,
        ),
        overage(
            usage.cpu_ms * month,
            PAID_CPU_MS_INCLUDED_PER_MONTH,
            PAID_USD_PER_MILLION_CPU_MS,
        ),
        overage(
            usage.d1_rows_read * month,
            PAID_D1_ROWS_READ_INCLUDED_PER_MONTH,
            PAID_D1_USD_PER_MILLION_ROWS_READ,
        ),
        overage(
            usage.d1_rows_written * month,
            PAID_D1_ROWS_WRITTEN_INCLUDED_PER_MONTH,
            PAID_D1_USD_PER_MILLION_ROWS_WRITTEN,
        ),
        (storage_gb - PAID_D1_STORAGE_INCLUDED_GB).max(0.0) * PAID_D1_USD_PER_GB_MONTH,
        overage(
            usage.kv_reads * month,
            PAID_KV_READS_INCLUDED_PER_MONTH,
            PAID_KV_USD_PER_MILLION_READS,
        ),
        overage(
            usage.kv_writes * month,
            PAID_KV_WRITES_INCLUDED_PER_MONTH,
            PAID_KV_USD_PER_MILLION_WRITES,
        ),
        overage(
            usage.queue_ops * month,
            PAID_QUEUE_OPS_INCLUDED_PER_MONTH,
            PAID_QUEUE_USD_PER_MILLION_OPS,
        ),
    ]
}

fn pct(used: f64, limit: f64) -> String {
    let share = 100.0 * used / limit;
    let mark = if share > 100.0 { " **over**" } else { "" };
    format!("{}%{mark}", num(share))
}

fn usd(value: f64) -> String {
    if value == 0.0 {
        "$0".to_owned()
    } else if value < 0.01 {
        "<$0.01".to_owned()
    } else {
        let cents = (value * 100.0).round() as i64;
        format!("${}.{:02}", int(cents / 100), cents % 100)
    }
}

pub const USER_COUNTS: [f64; 4] = [5.0, 100.0, 10_000.0, 100_000.0];

/// The user-day table: what one typical user costs per day.
pub fn user_day_table(inputs: &Inputs) -> String {
    let day = inputs.user_day();
    let rows = vec![
        vec!["hourly polls (archives)".into(), amount(day.archives)],
        vec!["plays archived".into(), amount(day.plays)],
        vec![
            "Spotify calls (recently-played + token refresh)".into(),
            amount(day.spotify_calls),
        ],
        vec!["D1 round trips".into(), amount(day.d1_round_trips)],
        vec![
            "D1 rows read (archives + the sweep's claims)".into(),
            amount(day.d1_rows_read),
        ],
        vec![
            "D1 rows written (archives + the sweep's claims), tracks new to the catalogue".into(),
            amount(day.d1_rows_written),
        ],
        vec![
            "D1 rows written, tracks already stored".into(),
            amount(inputs.warm().user_day().d1_rows_written),
        ],
        vec![
            "KV reads / writes (the idempotency slot)".into(),
            format!("{} / {}", amount(day.kv_reads), amount(day.kv_writes)),
        ],
        vec![
            format!(
                "D1 bytes added: plays ({} bytes each, with their indexes)",
                num(inputs.bytes_per_play)
            ),
            int(day.bytes.round() as i64),
        ],
        vec![
            format!(
                "D1 bytes added: the catalogue's share (assumed: {} new tracks a user-year, none shared; {} bytes each)",
                int(inputs.catalogue_tracks_per_user_year as i64),
                num(inputs.catalogue_bytes_per_track)
            ),
            int(day.catalogue_bytes.round() as i64),
        ],
        vec![
            "user-years in one D1 database: 10 GB (paid) / 500 MB (free)".into(),
            format!(
                "{} / {}",
                int(inputs.user_years(PAID_D1_DATABASE_BYTES).floor() as i64),
                int(inputs.user_years(FREE_D1_DATABASE_BYTES).floor() as i64)
            ),
        ],
        vec![
            format!(
                "new catalogue tracks a user-year may bring for 10 GB to hold {} user-years / 500 MB {}",
                int(TARGET_USER_YEARS_PAID as i64),
                int(TARGET_USER_YEARS_FREE as i64)
            ),
            format!(
                "{} / {}",
                int(
                    inputs
                        .catalogue_tracks_within(PAID_D1_DATABASE_BYTES, TARGET_USER_YEARS_PAID)
                        .floor() as i64
                ),
                int(
                    inputs
                        .catalogue_tracks_within(FREE_D1_DATABASE_BYTES, TARGET_USER_YEARS_FREE)
                        .floor() as i64
                )
            ),
        ],
        vec![
            format!("CPU, ms (estimate: native × {})", num(inputs.wasm_factor)),
            num(day.cpu_ms),
        ],
    ];
    table(&["per typical user and day", "amount"], &rows)
}

/// Usage per day of 5, 100, 10,000 and 100,000 users against the free plan's limits.
pub fn free_table(inputs: &Inputs) -> String {
    let mut rows = Vec::new();
    let usages: Vec<Usage> = USER_COUNTS.iter().map(|n| usage(inputs, *n)).collect();
    let line = |name: &str, limit: &str, f: &dyn Fn(&Usage) -> String| {
        let mut row = vec![name.to_owned(), limit.to_owned()];
        row.extend(usages.iter().map(f));
        row
    };
    rows.push(line(
        "Workers requests (cron + consumer)",
        "100,000",
        &|u| {
            format!(
                "{} ({})",
                amount(u.requests),
                pct(u.requests, FREE_REQUESTS_PER_DAY)
            )
        },
    ));
    rows.push(line("Queue operations", "10,000", &|u| {
        format!(
            "{} ({})",
            amount(u.queue_ops),
            pct(u.queue_ops, FREE_QUEUE_OPS_PER_DAY)
        )
    }));
    rows.push(line("D1 rows read", "5,000,000", &|u| {
        format!(
            "{} ({})",
            amount(u.d1_rows_read),
            pct(u.d1_rows_read, FREE_D1_ROWS_READ_PER_DAY)
        )
    }));
    rows.push(line(
        "D1 rows written (tracks new to the catalogue)",
        "100,000",
        &|u| {
            format!(
                "{} ({})",
                amount(u.d1_rows_written),
                pct(u.d1_rows_written, FREE_D1_ROWS_WRITTEN_PER_DAY)
            )
        },
    ));
    let warm: Vec<Usage> = USER_COUNTS
        .iter()
        .map(|n| usage(&inputs.warm(), *n))
        .collect();
    let mut row = vec![
        "D1 rows written (tracks already stored)".to_owned(),
        "100,000".to_owned(),
    ];
    row.extend(warm.iter().map(|u| {
        format!(
            "{} ({})",
            amount(u.d1_rows_written),
            pct(u.d1_rows_written, FREE_D1_ROWS_WRITTEN_PER_DAY)
        )
    }));
    rows.push(row);
    rows.push(line("KV reads", "100,000", &|u| {
        format!(
            "{} ({})",
            amount(u.kv_reads),
            pct(u.kv_reads, FREE_KV_READS_PER_DAY)
        )
    }));
    rows.push(line("KV writes", "1,000", &|u| {
        format!(
            "{} ({})",
            amount(u.kv_writes),
            pct(u.kv_writes, FREE_KV_WRITES_PER_DAY)
        )
    }));
    rows.push(line("D1 size after a year", "500 MB", &|u| {
        format!(
            "{} MB ({})",
            amount(u.bytes_after_year / 1e6),
            pct(u.bytes_after_year, FREE_D1_DATABASE_BYTES)
        )
    }));
    rows.push(line("users per sweep (cron every 5 min)", "", &|u| {
        amount(u.users_per_sweep)
    }));
    rows.push(line("Spotify calls", "5 users in development mode", &|u| {
        amount(u.spotify_calls)
    }));
    // Whether the free plan holds N users at all: every daily limit, and one steady-state
    // sweep's users within one invocation's subrequests and CPU.
    let per_invocation = (FREE_SUBREQUESTS / inputs.subrequests_per_user)
        .min(FREE_CPU_MS_PER_INVOCATION / (inputs.cpu_native_ms_per_user * inputs.wasm_factor))
        .floor();
    rows.push(line("**fits the free plan ($0 a day)?**", "", &|u| {
        let mut over = Vec::new();
        for (name, used, limit) in [
            ("requests", u.requests, FREE_REQUESTS_PER_DAY),
            ("Queue operations", u.queue_ops, FREE_QUEUE_OPS_PER_DAY),
            ("D1 rows read", u.d1_rows_read, FREE_D1_ROWS_READ_PER_DAY),
            (
                "D1 rows written",
                u.d1_rows_written,
                FREE_D1_ROWS_WRITTEN_PER_DAY,
            ),
            ("KV reads", u.kv_reads, FREE_KV_READS_PER_DAY),
            ("KV writes", u.kv_writes, FREE_KV_WRITES_PER_DAY),
            ("D1 size", u.bytes_after_year, FREE_D1_DATABASE_BYTES),
            (
                "one invocation's subrequests or CPU",
                u.users_per_sweep
                    .min(USERS_PER_MESSAGE * MESSAGES_PER_BATCH),
                per_invocation,
            ),
        ] {
            if used > limit {
                over.push(name);
            }
        }
        if over.is_empty() {
            "**yes**".to_owned()
        } else {
            format!("**no**: {}", over.join(", "))
        }
    }));
    let header: Vec<String> = ["per day".to_owned(), "free limit".to_owned()]
        .into_iter()
        .chain(
            USER_COUNTS
                .iter()
                .map(|n| format!("{} users", int(*n as i64))),
        )
        .collect();
    table(
        &header.iter().map(String::as_str).collect::<Vec<_>>(),
        &rows,
    )
}

/// What N users cost on Workers Paid, per month and per day.
pub fn paid_table(inputs: &Inputs) -> String {
    let names = [
        "base (Workers Paid)",
        "requests",
        "CPU time",
        "D1 rows read",
        "D1 rows written",
        "D1 storage (first-year average)",
        "KV reads",
        "KV writes",
        "Queue operations",
    ];
    let costs: Vec<[f64; 9]> = USER_COUNTS
        .iter()
        .map(|n| paid_month(&usage(inputs, *n)))
        .collect();
    let mut rows: Vec<Vec<String>> = names
        .iter()
        .enumerate()
        .map(|(index, name)| {
            let mut row = vec![(*name).to_owned()];
            row.extend(costs.iter().map(|cost| usd(cost[index])));
            row
        })
        .collect();
    let mut total = vec!["**per month**".to_owned()];
    total.extend(
        costs
            .iter()
            .map(|cost| format!("**{}**", usd(cost.iter().sum()))),
    );
    rows.push(total);
    let warm: Vec<f64> = USER_COUNTS
        .iter()
        .map(|n| paid_month(&usage(&inputs.warm(), *n)).iter().sum())
        .collect();
    let mut warm_row = vec!["per month if every track played is already stored".to_owned()];
    warm_row.extend(warm.iter().map(|total| usd(*total)));
    rows.push(warm_row);
    let mut per_day = vec!["**per day**".to_owned()];
    per_day.extend(
        costs
            .iter()
            .map(|cost| format!("**{}**", usd(cost.iter().sum::<f64>() / DAYS_PER_MONTH))),
    );
    rows.push(per_day);
    let mut per_user = vec!["per user and month".to_owned()];
    per_user.extend(
        costs
            .iter()
            .zip(USER_COUNTS)
            .map(|(cost, n)| usd(cost.iter().sum::<f64>() / n)),
    );
    rows.push(per_user);
    let header: Vec<String> = std::iter::once("Workers Paid, USD".to_owned())
        .chain(
            USER_COUNTS
                .iter()
                .map(|n| format!("{} users", int(*n as i64))),
        )
        .collect();
    table(
        &header.iter().map(String::as_str).collect::<Vec<_>>(),
        &rows,
    )
}

/// The user count at which each limit binds.
pub struct Binding {
    pub limit: String,
    pub users: f64,
    pub arithmetic: String,
}

pub fn bindings(inputs: &Inputs, d1_ms_per_archive: f64) -> Vec<Binding> {
    let day = inputs.user_day();
    let per_user_year = inputs.bytes_per_user_year();
    let storage_arithmetic = |limit: &str| {
        format!(
            "{limit} / ({} plays a day × 365 × {} bytes + {} catalogue tracks (assumed) × {} bytes = {} MB per user-year)",
            amount(day.plays),
            num(inputs.bytes_per_play),
            int(inputs.catalogue_tracks_per_user_year as i64),
            num(inputs.catalogue_bytes_per_track),
            num(per_user_year / 1e6)
        )
    };
    // The most users whose usage stays within `limit` (usage grows with users, in steps).
    let users_for = |f: &dyn Fn(f64) -> f64, limit: f64| -> f64 {
        if f(1.0) > limit {
            return 0.0;
        }
        let mut high = 2.0_f64;
        while f(high) <= limit && high < 1e12 {
            high *= 2.0;
        }
        let mut low = high / 2.0;
        while high - low > 1.0 {
            let middle = ((low + high) / 2.0).floor();
            if f(middle) <= limit {
                low = middle;
            } else {
                high = middle;
            }
        }
        low
    };
    let mut out = vec![Binding {
        limit: "Spotify development mode (5 users)".into(),
        users: SPOTIFY_DEVELOPMENT_MODE_USERS,
        arithmetic: "the 6th user cannot log in until the app has Spotify's extended quota".into(),
    }];
    out.push(Binding {
        limit: "free: KV writes, 1,000/day".into(),
        users: FREE_KV_WRITES_PER_DAY / day.kv_writes,
        arithmetic: format!(
            "1,000 / {} slot writes per user-day (one per archive)",
            amount(day.kv_writes)
        ),
    });
    out.push(Binding {
        limit: "free: D1 rows written, 100,000/day".into(),
        users: users_for(
            &|n| usage(inputs, n).d1_rows_written,
            FREE_D1_ROWS_WRITTEN_PER_DAY,
        ),
        arithmetic: format!(
            "100,000 / {} rows written per user-day",
            amount(day.d1_rows_written)
        ),
    });
    let warm = inputs.warm();
    out.push(Binding {
        limit: "free: D1 rows written, if every track played is already stored".into(),
        users: users_for(
            &|n| usage(&warm, n).d1_rows_written,
            FREE_D1_ROWS_WRITTEN_PER_DAY,
        ),
        arithmetic: format!(
            "100,000 / {} rows written per user-day",
            amount(warm.user_day().d1_rows_written)
        ),
    });
    out.push(Binding {
        limit: "free: Queue operations, 10,000/day".into(),
        users: users_for(&|n| usage(inputs, n).queue_ops, FREE_QUEUE_OPS_PER_DAY),
        arithmetic: format!(
            "3 operations per message, {} users per message, {} polls per user-day (small sweeps send one message per user)",
            amount(USERS_PER_MESSAGE),
            amount(day.archives)
        ),
    });
    out.push(Binding {
        limit: "free: D1 database of 500 MB (a year of plays and the catalogue's share)".into(),
        users: FREE_D1_DATABASE_BYTES / per_user_year,
        arithmetic: storage_arithmetic("500 MB"),
    });
    out.push(Binding {
        limit: "free: D1 rows read, 5 M/day".into(),
        users: users_for(
            &|n| usage(inputs, n).d1_rows_read,
            FREE_D1_ROWS_READ_PER_DAY,
        ),
        arithmetic: format!(
            "5,000,000 / {} rows read per user-day",
            amount(day.d1_rows_read)
        ),
    });
    out.push(Binding {
        limit: "free: KV reads, 100,000/day".into(),
        users: FREE_KV_READS_PER_DAY / day.kv_reads,
        arithmetic: format!("100,000 / {} per user-day", amount(day.kv_reads)),
    });
    out.push(Binding {
        limit: "free: Workers requests, 100,000/day".into(),
        users: users_for(&|n| usage(inputs, n).requests, FREE_REQUESTS_PER_DAY),
        arithmetic: "288 crons + one consumer invocation per message (at most)".into(),
    });
    out.push(Binding {
        limit: "paid: one D1 database of 10 GB (a year of plays and the catalogue's share)".into(),
        users: PAID_D1_DATABASE_BYTES / per_user_year,
        arithmetic: storage_arithmetic("10 GB"),
    });
    // Per invocation: the consumer archives a whole batch in one invocation. Users are
    // spread over the hour's 12 sweeps, so a batch holds about a twelfth of the users
    // due in an hour; after an outage or a deploy they may all come at once.
    let per_invocation = |name: &str, limit: f64, per_user: f64, unit: &str| {
        let users = (limit / per_user).floor();
        Binding {
            limit: name.to_owned(),
            users: users * 12.0 / inputs.polls_per_hour.max(f64::MIN_POSITIVE),
            arithmetic: format!(
                "{} {unit} per archived user: at most {} users in one consumer invocation; at {} users a sweep carries that many (steady state), and a backlog of more than {} users at once (after an outage) already binds",
                num(per_user),
                int(users as i64),
                int((users * 12.0 / inputs.polls_per_hour.max(f64::MIN_POSITIVE)) as i64),
                int(users as i64)
            ),
        }
    };
    out.push(per_invocation(
        "free: 50 subrequests per invocation",
        FREE_SUBREQUESTS,
        inputs.subrequests_per_user,
        "subrequests (token refreshed)",
    ));
    out.push(per_invocation(
        "free: 10 ms CPU per invocation (estimate)",
        FREE_CPU_MS_PER_INVOCATION,
        inputs.cpu_native_ms_per_user * inputs.wasm_factor,
        "ms CPU (estimate)",
    ));
    let polls_per_hour_capacity = SWEEP_MAX_USERS * 12.0;
    out.push(Binding {
        limit: "the sweep's cap: SWEEP_MAX_USERS 10,000 per 5-minute sweep".into(),
        users: polls_per_hour_capacity / inputs.polls_per_hour,
        arithmetic: format!(
            "120,000 polls an hour / {} polls per user-hour",
            num(inputs.polls_per_hour)
        ),
    });
    if d1_ms_per_archive > 0.0 {
        let archives_per_hour = 3_600_000.0 / d1_ms_per_archive;
        out.push(Binding {
            limit: "D1 write throughput (one query at a time)".into(),
            users: archives_per_hour / inputs.polls_per_hour,
            arithmetic: format!(
                "at {} ms of D1 time per archive (assumed: 1 ms per round trip, Cloudflare's example): {} archives an hour",
                num(d1_ms_per_archive),
                int(archives_per_hour as i64)
            ),
        });
    }
    out.push(Binding {
        limit: "Queue throughput, 5,000 messages/s".into(),
        users: QUEUE_MESSAGES_PER_SECOND * 3_600.0 * USERS_PER_MESSAGE / inputs.polls_per_hour,
        arithmetic: "18 M messages an hour × 10 users per message; far past every other limit"
            .into(),
    });
    out.sort_by(|a, b| a.users.total_cmp(&b.users));
    out
}

pub fn bindings_table(inputs: &Inputs, d1_ms_per_archive: f64) -> String {
    let rows: Vec<Vec<String>> = bindings(inputs, d1_ms_per_archive)
        .iter()
        .map(|binding| {
            vec![
                binding.limit.clone(),
                int(binding.users.floor() as i64),
                binding.arithmetic.clone(),
            ]
        })
        .collect();
    table(&["limit", "binds past (users)", "arithmetic"], &rows)
}

pub fn facts_table() -> String {
    let rows: Vec<Vec<String>> = facts()
        .iter()
        .map(|fact| {
            vec![
                fact.what.to_owned(),
                fact.value.to_owned(),
                fact.note.to_owned(),
            ]
        })
        .collect();
    table(
        &["platform limit or price (as of writing)", "value", "note"],
        &rows,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_year_holds_its_plays_and_its_share_of_the_catalogue() {
        let inputs = Inputs {
            day_plays: 15.0,
            polls_per_hour: 1.0,
            awake_hours: 16.0,
            bytes_per_play: 25.0,
            catalogue_bytes_per_track: 200.0,
            catalogue_tracks_per_user_year: 5_000.0,
            ..Inputs::default()
        };
        // 240 plays a day: 87,600 a year of 25 bytes, and 5,000 tracks of 200.
        assert!((inputs.bytes_per_user_year() - 3_190_000.0).abs() < 1e-3);
        assert!((inputs.user_years(PAID_D1_DATABASE_BYTES) - 1e10 / 3.19e6).abs() < 1e-6);
        let tracks = inputs.catalogue_tracks_within(PAID_D1_DATABASE_BYTES, 3_000.0);
        assert!((tracks - (1e10 / 3_000.0 - 2_190_000.0) / 200.0).abs() < 1e-6);
        assert_eq!(inputs.catalogue_tracks_within(1e6, 3_000.0), 0.0);
        // The database after a year holds the same bytes per user.
        let after = usage(&inputs, 100.0).bytes_after_year;
        assert!((after - 100.0 * 3_190_000.0).abs() < 1e-3);
    }
}
