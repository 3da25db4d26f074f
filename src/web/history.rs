//! The history API beyond plays and gaps: stats, exports, "Archive now", the user's
//! settings, and the dashboard's script. Session-bound; errors are JSON with a stable
//! code.

use serde::Serialize;
use serde_json::{json, Value};

use super::auth::{not_logged_in, reader, writer, SignedIn};
use super::error::HttpError;
use super::{App, Bindings, WebRequest, WebResponse};
use crate::account::{AccountStatus, Connection};
use crate::engine::job::{ArchiveJob, JobUser};
use crate::engine::slot::SlotKind;
use crate::history::export::ExportPlan;
use crate::history::zone::{offset_segments, parse_zone, zone_name};
use crate::history::{
    stats, unknown_zone, ArchiveRequestState, ExportQuery, StatsQuery, ARCHIVE_REQUEST_INTERVAL_MS,
};
use crate::pairs::first;
use crate::ports::{Database, JobQueue, LogLine};
use crate::shards::Shards;
use crate::store::accounts::UserStatus;
use crate::store::history::{ArchiveClaim, HistorySettings};
use crate::store::Store;
use crate::time::{to_rfc3339, UnixMillis, SECOND_MS};

/// The dashboard's one script, served from the Worker (`script-src 'self'`).
pub const APP_JS: &str = super::assets::script!(include_bytes!("assets/app.js"));

/// The session's user with their history settings, or the refusal to send.
async fn user_with_settings<'a, D: Database>(
    shards: &Shards<'a, D>,
    request: &WebRequest,
    now: UnixMillis,
) -> Result<(SignedIn<'a, D>, HistorySettings), HttpError> {
    let user = reader(shards, request, now).await?;
    match Store::new(user.db).history_settings(&user.id).await? {
        Some(settings) => Ok((user, settings)),
        None => Err(not_logged_in()),
    }
}

/// `GET /api/status`: the account's state, the last "Archive now", and the time zone.
#[derive(Debug, Serialize)]
pub struct StatusView<'a> {
    #[serde(flatten)]
    pub account: AccountStatus<'a>,
    #[serde(flatten)]
    pub archive: ArchiveRequestState,
    /// The user's default zone for stats (`UTC` when none is saved).
    pub time_zone: String,
    /// Whether `time_zone` was saved by the user.
    pub time_zone_saved: bool,
}

impl<'a> StatusView<'a> {
    pub fn new(status: &'a UserStatus, settings: &HistorySettings, now: UnixMillis) -> Self {
        let account = AccountStatus::new(status, now);
        let active = matches!(
            account.connection,
            Connection::Active | Connection::CoolingDown
        );
        let saved = settings.time_zone.as_deref().and_then(zone_name);
        Self {
            archive: ArchiveRequestState::new(
                settings.archive_requested_at,
                status.last_success_at,
                status.last_failure_at,
                active,
                now,
            ),
            account,
            time_zone: saved.unwrap_or("UTC").to_owned(),
            time_zone_saved: saved.is_some(),
        }
    }
}

pub async fn status<P: Bindings>(
    app: &App<'_, P>,
    request: &WebRequest,
    now: UnixMillis,
) -> Result<WebResponse, HttpError> {
    let user = reader(&app.shards, request, now).await?;
    match Store::new(user.db).status_with_settings(&user.id).await? {
        Some((status, settings)) => Ok(WebResponse::json(
            200,
            &StatusView::new(&status, &settings, now),
        )),
        None => Err(not_logged_in()),
    }
}

/// Pages of plays hold at most this many.
pub const MAX_PAGE: usize = 200;

/// `GET /api/plays?before=&before_id=&limit=`: newest first, by keyset.
pub async fn plays<P: Bindings>(
    app: &App<'_, P>,
    request: &WebRequest,
    now: UnixMillis,
) -> Result<WebResponse, HttpError> {
    let user = reader(&app.shards, request, now).await?;
    let pairs = request.query_pairs();
    let positive = |name: &str| -> Result<Option<i64>, ()> {
        match first(&pairs, name).map(str::parse::<i64>) {
            None => Ok(None),
            Some(Ok(value)) if value > 0 => Ok(Some(value)),
            Some(_) => Err(()),
        }
    };
    let before = positive("before").map_err(|()| {
        HttpError::new(
            400,
            "invalid_before",
            "`before` must be a positive Unix time in milliseconds.",
        )
    })?;
    let before_id = positive("before_id").map_err(|()| {
        HttpError::new(
            400,
            "invalid_before_id",
            "`before_id` must be a play id from `next_before_id`.",
        )
    })?;
    if before.is_none() && before_id.is_some() {
        return Err(HttpError::new(
            400,
            "invalid_before_id",
            "`before_id` goes with `before`.",
        ));
    }
    let limit = match first(&pairs, "limit").map(str::parse::<usize>) {
        None => 50,
        Some(Ok(limit)) if (1..=MAX_PAGE).contains(&limit) => limit,
        Some(_) => {
            return Err(HttpError::new(
                400,
                "invalid_limit",
                "`limit` must be between 1 and 200.",
            ))
        }
    };
    let key = before.map(|played_at| crate::store::history::PlayKey {
        played_at,
        id: before_id,
    });
    let plays = Store::new(user.db).plays_page(&user.id, key, limit).await?;
    // Keyset pagination: the next page starts after the last play of this one.
    let last = (plays.len() == limit).then(|| plays.last()).flatten();
    let body = json!({
        "plays": plays,
        "next_before": last.map(|play| play.played_at),
        "next_before_id": last.map(|play| play.id),
    });
    Ok(WebResponse::json(200, &body))
}

/// `GET /api/stats?from=&to=&tz=&limit=`.
pub async fn stats<P: Bindings>(
    app: &App<'_, P>,
    request: &WebRequest,
    now: UnixMillis,
) -> Result<WebResponse, HttpError> {
    let (user, settings) = user_with_settings(&app.shards, request, now).await?;
    let pairs = request.query_pairs();
    let query = StatsQuery::parse(&pairs, settings.time_zone.as_deref(), app.zones, now)?;
    let segments = offset_segments(&query.zone, query.from, query.to);
    let rows = Store::new(user.db)
        .stats(&user.id, query.from, query.to, &segments, query.top)
        .await?;
    Ok(WebResponse::json(200, &stats::build(&query, &rows)))
}

/// `GET /api/export?format=csv|json|jsonl&from=&to=`: the archive (or the range),
/// streamed. The response carries the plan; the edge pulls its chunks.
pub async fn export<P: Bindings>(
    app: &App<'_, P>,
    request: &WebRequest,
    now: UnixMillis,
) -> Result<WebResponse, HttpError> {
    let (user, settings) = user_with_settings(&app.shards, request, now).await?;
    let query = ExportQuery::parse(
        &request.query_pairs(),
        settings.time_zone.as_deref(),
        app.zones,
    )?;
    let plan = ExportPlan::new(
        &user.id,
        user.shard,
        query.format,
        query.from,
        query.to,
        now,
    );
    Ok(WebResponse::stream(plan))
}

/// `POST /api/archive`: an archive of the user's newest plays, now, through the queue;
/// once in five minutes.
pub async fn archive_now<P: Bindings>(
    app: &App<'_, P>,
    request: &WebRequest,
    now: UnixMillis,
) -> Result<WebResponse, HttpError> {
    let SignedIn {
        id: user_id,
        shard,
        db,
    } = writer(&app.shards, request, now).await?;
    let store = Store::new(db);
    let claim = store
        .claim_archive_request(&user_id, now, ARCHIVE_REQUEST_INTERVAL_MS)
        .await?;
    let previous = match claim {
        ArchiveClaim::Claimed { previous } => previous,
        ArchiveClaim::TooSoon { requested_at } => {
            if request.is_form() {
                return Ok(WebResponse::back_to_dashboard());
            }
            return Err(too_soon(requested_at, now));
        }
        ArchiveClaim::Paused => {
            return Err(HttpError::new(
                409,
                "archiving_paused",
                "Archiving is paused: resume it first.",
            ))
        }
        ArchiveClaim::NeedsReauth => {
            return Err(HttpError::new(
                409,
                "needs_reauth",
                "Spotify no longer accepts our access: log in again (Repair connection) first.",
            ))
        }
        ArchiveClaim::UnknownUser => return Err(not_logged_in()),
    };
    let job = JobUser::new(&user_id, SlotKind::Manual, now);
    let sent = app
        .queue
        .send_batch(vec![ArchiveJob {
            shard,
            users: vec![job],
            enqueued_at: now,
        }])
        .await;
    if let Err(error) = sent {
        // Nothing is on its way: the user may ask again at once. Were the claim not
        // given back, they would wait the interval out; the queue's failure is the
        // answer's cause, this one is logged here.
        if let Err(restore_error) = store.restore_archive_request(&user_id, now, previous).await {
            app.log.write(
                LogLine::warn("archive_request_not_restored")
                    .field("user", user_id.as_str())
                    .field("cause", restore_error.to_string()),
            );
        }
        return Err(HttpError::queue_unavailable(
            "The archive could not be queued; try again soon.",
            error,
        ));
    }
    if request.is_form() {
        return Ok(WebResponse::back_to_dashboard());
    }
    let available_at = now + ARCHIVE_REQUEST_INTERVAL_MS;
    Ok(WebResponse::json(
        202,
        &json!({
            "queued": true,
            "requested_at": now,
            "archive_pending": true,
            "archive_available_at": available_at,
            "message": "Your newest plays are being archived; this usually takes less than a minute. /api/status shows archive_pending until it is done.",
        }),
    ))
}

fn too_soon(requested_at: UnixMillis, now: UnixMillis) -> HttpError {
    let available_at = requested_at + ARCHIVE_REQUEST_INTERVAL_MS;
    let seconds = ((available_at - now).max(0) + SECOND_MS - 1) / SECOND_MS;
    let seconds = seconds.max(1);
    HttpError::new(
        429,
        "archive_rate_limited",
        format!(
            "You can ask for an archive once every 5 minutes; try again at {}.",
            to_rfc3339(available_at)
        ),
    )
    .with_field("retry_after_seconds", seconds)
    .with_field("archive_available_at", available_at)
    .with_header("Retry-After", seconds.to_string())
}

/// `POST /api/settings`: `{"time_zone": "Europe/Berlin"}` (or `null` for UTC), or the
/// same as a form field.
pub async fn settings<P: Bindings>(
    app: &App<'_, P>,
    request: &WebRequest,
    now: UnixMillis,
) -> Result<WebResponse, HttpError> {
    let user = writer(&app.shards, request, now).await?;
    let requested: Option<String> = if request.is_form() {
        let pairs = request.form_pairs();
        match first(&pairs, "time_zone") {
            None => return Err(invalid_settings()),
            Some(name) => Some(name.trim().to_owned()).filter(|name| !name.is_empty()),
        }
    } else {
        match serde_json::from_str::<Value>(&request.body) {
            Ok(Value::Object(fields)) => match fields.get("time_zone") {
                Some(Value::String(name)) => Some(name.clone()),
                Some(Value::Null) => None,
                _ => return Err(invalid_settings()),
            },
            _ => return Err(invalid_settings()),
        }
    };
    let zone = match requested.as_deref() {
        None => None,
        Some(name) => Some(parse_zone(name, app.zones).ok_or_else(|| unknown_zone(name))?),
    };
    let name = zone.map(|zone| zone.name());
    Store::new(user.db)
        .save_time_zone(&user.id, name, now)
        .await?;
    if request.is_form() {
        return Ok(WebResponse::back_to_dashboard());
    }
    Ok(WebResponse::json(
        200,
        &json!({ "time_zone": name.unwrap_or("UTC"), "time_zone_saved": name.is_some() }),
    ))
}

fn invalid_settings() -> HttpError {
    HttpError::new(
        400,
        "invalid_body",
        "Send {\"time_zone\": \"Europe/Berlin\"} (or null for UTC).",
    )
}

/// `GET /assets/app.js`.
pub fn app_js() -> WebResponse {
    WebResponse {
        status: 200,
        headers: vec![
            (
                "Content-Type".to_owned(),
                "text/javascript; charset=utf-8".to_owned(),
            ),
            ("Cache-Control".to_owned(), "no-cache".to_owned()),
            ("X-Content-Type-Options".to_owned(), "nosniff".to_owned()),
        ],
        body: APP_JS.to_owned(),
        stream: None,
    }
}

impl WebResponse {
    /// A streamed export: the plan's headers, and a body the edge produces chunk by chunk.
    pub fn stream(plan: ExportPlan) -> Self {
        Self {
            status: 200,
            headers: plan.headers(),
            body: String::new(),
            stream: Some(plan),
        }
    }
}
