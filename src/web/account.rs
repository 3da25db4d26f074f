//! The account's life, by its owner: pause, resume, delete. Each needs the session and a
//! request from our own pages (the Origin header), and answers JSON, or a redirect back
//! to the dashboard when a page's form sent it.

use serde_json::json;

use super::auth::{clear_session_cookie, writer, SignedIn};
use super::{App, WebRequest, WebResponse};
use crate::ports::{Database, HttpClient, JobQueue, KeyValueStore};
use crate::store::Store;
use crate::time::UnixMillis;

fn done(request: &WebRequest, body: serde_json::Value) -> WebResponse {
    if request.is_form() {
        return WebResponse::back_to_dashboard();
    }
    WebResponse::json(200, &body)
}

fn unavailable() -> WebResponse {
    WebResponse::error(
        503,
        "storage_unavailable",
        "The change could not be saved; try again soon.",
    )
}

/// Pauses (`paused`) or resumes the user's polling; resuming polls them again at once.
pub async fn set_paused<D: Database, K: KeyValueStore, H: HttpClient, Q: JobQueue>(
    app: &App<'_, D, K, H, Q>,
    request: &WebRequest,
    paused: bool,
    now: UnixMillis,
) -> WebResponse {
    let SignedIn {
        id: user_id, db, ..
    } = match writer(&app.shards, request, now).await {
        Ok(user) => user,
        Err(refusal) => return refusal,
    };
    let store = Store::new(db);
    let saved = if paused {
        store.pause(&user_id, now).await
    } else {
        store.resume(&user_id, now).await
    };
    match saved {
        Ok(()) => done(request, json!({ "paused": paused })),
        Err(_) => unavailable(),
    }
}

/// Deletes the user, their plays, gaps, sessions and idempotency keys, and empties the
/// catalogue rows their imports made; Spotify's rows, shared with others, stay. Answers
/// what was deleted.
pub async fn delete<D: Database, K: KeyValueStore, H: HttpClient, Q: JobQueue>(
    app: &App<'_, D, K, H, Q>,
    request: &WebRequest,
    now: UnixMillis,
) -> WebResponse {
    let SignedIn {
        id: user_id,
        shard,
        db,
    } = match writer(&app.shards, request, now).await {
        Ok(user) => user,
        Err(refusal) => return refusal,
    };
    // The directory's record goes first: were the rows deleted first and the record
    // then kept by a failure, the session would be gone with the rows, and nobody could
    // ask again for the Spotify id the record holds to go. If the rows' deletion fails,
    // the record is put back and the user, still signed in, can ask again.
    let directory = Store::new(app.shards.directory());
    let forgotten = match directory.forget_user(&user_id).await {
        Ok(forgotten) => forgotten,
        Err(_) => return unavailable(),
    };
    let deleted = match Store::new(db).delete_account(&user_id).await {
        Ok(deleted) => deleted,
        Err(_) => {
            if let Some(entry) = forgotten {
                let _ = directory
                    .file_user(&entry.user_id, &entry.spotify_id, shard, entry.created_at)
                    .await;
            }
            return unavailable();
        }
    };
    // Keys live a day at most; deleting them is tidiness, not safety, so a KV hiccup
    // does not undo the deletion.
    let mut keys_deleted = 0;
    if let Ok(keys) = app
        .kv
        .keys_with_prefix(&format!("archive_{user_id}_"))
        .await
    {
        for key in keys {
            if app.kv.delete(&key).await.is_ok() {
                keys_deleted += 1;
            }
        }
    }
    let body = json!({
        "deleted": {
            "user": user_id,
            "plays": deleted.plays,
            "gaps": deleted.gaps,
            "sessions": deleted.sessions,
            "idempotency_keys": keys_deleted,
        }
    });
    done(request, body).with_header("Set-Cookie", clear_session_cookie(request))
}
