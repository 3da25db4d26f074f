//! The import's routes: the page reads the export in the browser and sends its records
//! here in chunks, each small enough for one short request.
//!
//! - `POST /api/imports` starts an import: `201 {"id": 7}`;
//! - `POST /api/imports/{id}/chunks` takes `{"file": name, "offset": index of the first
//!   record, "records": [...]}` (at most 1,000 records, 512 KiB), judges each record,
//!   writes the chunk in one D1 batch and answers the chunk's outcome and the report;
//! - `POST /api/imports/{id}/finish` closes it and answers the report;
//! - `GET /api/imports/{id}` answers the report.
//!
//! Every route needs the session; the writes also need a request from our own pages (the
//! Origin header). An import is its user's alone: anyone else gets 404.

use serde::Serialize;
use serde_json::json;

use super::auth::{reader, writer, SignedIn};
use super::error::HttpError;
use super::routes::Route;
use super::{App, Bindings, WebRequest, WebResponse};
use crate::ids::owner_key;
use crate::import::plan::{plan_chunk, read_chunk, RecordError, MAX_STORED_ERRORS};
use crate::ports::{Database, LogLine};
use crate::store::imports::{ImportErrorView, ImportReport, ImportUsage};
use crate::store::Store;
use crate::time::{to_rfc3339, UnixMillis, DAY_MS, SECOND_MS};

/// Imports a user may start in a day: a whole export is one import, resent as a few.
pub const MAX_IMPORTS_PER_DAY: i64 = 10;
/// Records a user's imports may read in a day: the extended history of a decade of heavy
/// listening (about 60,000 streams a year) fits with room to spare.
pub const MAX_RECORDS_PER_DAY: i64 = 1_000_000;

/// 429 for a spent quota: what the limit is, and when to come back.
fn quota_exceeded(
    what: &str,
    limit: i64,
    used: i64,
    oldest: Option<UnixMillis>,
    now: UnixMillis,
) -> HttpError {
    let available_at = oldest
        .map_or(now + DAY_MS, |oldest| oldest + DAY_MS)
        .max(now + SECOND_MS);
    let retry_after = (available_at - now).div_euclid(SECOND_MS).max(1);
    let message = format!(
        "You may import at most {limit} {what} a day; try again at {}.",
        to_rfc3339(available_at)
    );
    HttpError::new(429, "import_quota_exceeded", message)
        .with_field("limit", limit)
        .with_field("used", used)
        .with_field("per", "day")
        .with_field("retry_after_seconds", retry_after)
        .with_field("available_at", available_at)
        .with_header("Retry-After", retry_after.to_string())
}

async fn usage<D: Database>(
    db: &D,
    user_id: &str,
    now: UnixMillis,
) -> Result<ImportUsage, HttpError> {
    Ok(Store::new(db).import_usage(user_id, now - DAY_MS).await?)
}

/// The largest chunk body we read. The page sends at most 250 records and 128 KiB.
pub const MAX_CHUNK_BYTES: usize = 512 * 1024;

/// The body limit the edge applies to `path` when it is larger than its default: the
/// import's chunks, as the route table reads the path.
pub fn body_limit(path: &str) -> Option<usize> {
    matches!(Route::at(path), Some(Route::ImportChunks(_))).then_some(MAX_CHUNK_BYTES)
}

/// The report as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportView {
    pub id: i64,
    pub created_at: UnixMillis,
    pub updated_at: UnixMillis,
    pub finished_at: Option<UnixMillis>,
    pub chunks: i64,
    pub records_read: i64,
    /// New plays written.
    pub imported: i64,
    /// Listens the archive already had from another source (a poll, the other export).
    pub merged: i64,
    pub skipped: Skipped,
    /// Malformed records, all of them; `error_list` holds the first 100.
    pub errors: i64,
    pub gaps_filled: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_list: Option<Vec<ImportErrorView>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// Exactly this record was archived already (a re-import, overlapping files).
    pub already_archived: i64,
    pub under_30s: i64,
    pub incognito: i64,
    pub unidentified: i64,
}

impl ReportView {
    pub fn new(report: ImportReport, errors: Option<Vec<ImportErrorView>>) -> Self {
        Self {
            id: report.id,
            created_at: report.created_at,
            updated_at: report.updated_at,
            finished_at: report.finished_at,
            chunks: report.chunks,
            records_read: report.records_read,
            imported: report.imported,
            merged: report.merged,
            skipped: Skipped {
                already_archived: report.skipped_duplicate,
                under_30s: report.skipped_short,
                incognito: report.skipped_incognito,
                unidentified: report.skipped_unidentified,
            },
            errors: report.errors,
            gaps_filled: report.gaps_filled,
            error_list: errors,
        }
    }
}

fn not_found() -> HttpError {
    HttpError::new(404, "import_not_found", "There is no such import of yours.")
}

/// The import the path names; a path that names none is an import that is not yours.
fn import_id(text: &str) -> Result<i64, HttpError> {
    text.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(not_found)
}

/// Relays the outbox of the user's shard, where `import_finished` waits: it goes out now
/// when the queue takes it; otherwise the next sweep relays it (so a failure is logged,
/// not answered).
async fn relay_now<P: Bindings>(
    app: &App<'_, P>,
    user: &SignedIn<'_, P::Database>,
    now: UnixMillis,
) {
    if let Err(error) = crate::notify::relay(user.shard, user.db, app.queue, now).await {
        app.log.write(
            LogLine::warn("relay_deferred")
                .field("shard", user.shard)
                .field("cause", error.to_string()),
        );
    }
}

pub(super) async fn create<P: Bindings>(
    app: &App<'_, P>,
    request: &WebRequest,
    now: UnixMillis,
) -> Result<WebResponse, HttpError> {
    let user = writer(&app.shards, request, now).await?;
    let used = usage(user.db, &user.id, now).await?;
    if used.imports >= MAX_IMPORTS_PER_DAY {
        return Err(quota_exceeded(
            "imports",
            MAX_IMPORTS_PER_DAY,
            used.imports,
            used.oldest_created,
            now,
        ));
    }
    let id = Store::new(user.db).create_import(&user.id, now).await?;
    Ok(WebResponse::json(201, &json!({ "id": id })))
}

pub(super) async fn chunk<P: Bindings>(
    app: &App<'_, P>,
    request: &WebRequest,
    id: &str,
    now: UnixMillis,
) -> Result<WebResponse, HttpError> {
    let SignedIn {
        id: user_id, db, ..
    } = writer(&app.shards, request, now).await?;
    let import_id = import_id(id)?;
    let store = Store::new(db);
    let before = match store.import(&user_id, import_id).await? {
        Some(report) if report.finished_at.is_some() => {
            return Err(HttpError::new(
                409,
                "import_finished",
                "This import is finished; start a new one to send more.",
            ))
        }
        Some(report) => report,
        None => return Err(not_found()),
    };
    if request.body.len() > MAX_CHUNK_BYTES {
        return Err(HttpError::new(
            413,
            "chunk_too_large",
            "A chunk may hold at most 512 KiB; send fewer records at a time.",
        ));
    }
    let chunk = read_chunk(&request.body)?;
    let used = usage(db, &user_id, now).await?;
    let records = i64::try_from(chunk.records.len()).unwrap_or(i64::MAX);
    if used.records.saturating_add(records) > MAX_RECORDS_PER_DAY {
        return Err(quota_exceeded(
            "records",
            MAX_RECORDS_PER_DAY,
            used.records,
            used.oldest_updated,
            now,
        ));
    }
    let plan = plan_chunk(&chunk, &owner_key(&user_id), now);
    let write = store
        .write_import_chunk(&user_id, import_id, &plan, now)
        .await?;
    let Some(report) = write.report else {
        // Deleted between the check and the write.
        return Err(not_found());
    };
    // What this chunk added to the report (the page sends one chunk at a time).
    let errors: Vec<&RecordError> = plan.errors.iter().take(MAX_STORED_ERRORS).collect();
    Ok(WebResponse::json(
        200,
        &json!({
            "chunk": {
                "file": plan.file,
                "offset": plan.first_index,
                "records": plan.tally.read,
                "resent": write.resent,
                "imported": report.imported - before.imported,
                "merged": report.merged - before.merged,
                "errors": errors,
            },
            "import": ReportView::new(report, None),
        }),
    ))
}

pub(super) async fn finish<P: Bindings>(
    app: &App<'_, P>,
    request: &WebRequest,
    id: &str,
    now: UnixMillis,
) -> Result<WebResponse, HttpError> {
    let user = writer(&app.shards, request, now).await?;
    let import_id = import_id(id)?;
    let finished = Store::new(user.db)
        .finish_import(&user.id, import_id, now)
        .await?;
    report_answer(app, &user, finished, now).await
}

pub(super) async fn report<P: Bindings>(
    app: &App<'_, P>,
    request: &WebRequest,
    id: &str,
    now: UnixMillis,
) -> Result<WebResponse, HttpError> {
    let user = reader(&app.shards, request, now).await?;
    let import_id = import_id(id)?;
    let found = Store::new(user.db)
        .import_with_errors(&user.id, import_id)
        .await?;
    report_answer(app, &user, found, now).await
}

/// The answer of `finish` and of the report: the import with its error list, after the
/// outbox is relayed (`import_finished` waits there).
async fn report_answer<P: Bindings>(
    app: &App<'_, P>,
    user: &SignedIn<'_, P::Database>,
    found: Option<(ImportReport, Vec<ImportErrorView>)>,
    now: UnixMillis,
) -> Result<WebResponse, HttpError> {
    let (report, errors) = found.ok_or_else(not_found)?;
    relay_now(app, user, now).await;
    Ok(WebResponse::json(
        200,
        &json!({ "import": ReportView::new(report, Some(errors)) }),
    ))
}

#[cfg(test)]
mod flow_tests;

#[cfg(test)]
mod scrobble_flow_tests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_chunk_routes_get_the_larger_body_limit() {
        assert_eq!(body_limit("/api/imports/7/chunks"), Some(MAX_CHUNK_BYTES));
        assert_eq!(body_limit("/api/imports/7/chunks/"), Some(MAX_CHUNK_BYTES));
        assert_eq!(body_limit("/api/imports/7/finish"), None);
        assert_eq!(body_limit("/api/imports"), None);
        assert_eq!(body_limit("/api/account/chunks"), None);
    }
}
