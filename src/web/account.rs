//! The account's life, by its owner: pause, resume, delete. Each needs the session and a
//! request from our own pages (the Origin header), and answers JSON, or a redirect back
//! to the dashboard when a page's form sent it.

use serde_json::json;

use super::auth::{clear_session_cookie, writer};
use super::error::HttpError;
use super::{App, Bindings, WebRequest, WebResponse};
use crate::ports::{KeyValueStore, LogLine};
use crate::store::Store;
use crate::time::UnixMillis;

fn done(request: &WebRequest, body: serde_json::Value) -> WebResponse {
    if request.is_form() {
        return WebResponse::back_to_dashboard();
    }
    WebResponse::json(200, &body)
}

/// Pauses (`paused`) or resumes the user's polling; resuming polls them again at once.
pub async fn set_paused<P: Bindings>(
    app: &App<'_, P>,
    request: &WebRequest,
    paused: bool,
    now: UnixMillis,
) -> Result<WebResponse, HttpError> {
    let user = writer(&app.shards, request, now).await?;
    let store = Store::new(user.db);
    if paused {
        store.pause(&user.id, now).await?;
    } else {
        store.resume(&user.id, now).await?;
    }
    Ok(done(request, json!({ "paused": paused })))
}

/// Deletes the user, their plays, gaps, sessions and idempotency keys, and empties the
/// catalogue rows their imports made; Spotify's rows, shared with others, stay. Answers
/// what was deleted.
pub async fn delete<P: Bindings>(
    app: &App<'_, P>,
    request: &WebRequest,
    now: UnixMillis,
) -> Result<WebResponse, HttpError> {
    let user = writer(&app.shards, request, now).await?;
    let user_id = user.id.as_str();
    // The directory's record goes first: were the rows deleted first and the record
    // then kept by a failure, the session would be gone with the rows, and nobody could
    // ask again for the Spotify id the record holds to go. If the rows' deletion fails,
    // the record is put back and the user, still signed in, can ask again.
    let directory = Store::new(app.shards.directory());
    let forgotten = directory.forget_user(user_id).await?;
    let deleted = match Store::new(user.db).delete_account(user_id).await {
        Ok(deleted) => deleted,
        Err(error) => {
            if let Some(entry) = forgotten {
                let restored = directory
                    .file_user(
                        &entry.user_id,
                        &entry.spotify_id,
                        user.shard,
                        entry.created_at,
                    )
                    .await;
                if let Err(restore_error) = restored {
                    // The user's rows stay but the directory no longer finds them: their
                    // next login files them anew (in the shard with the most room).
                    app.log.write(
                        LogLine::error("directory_record_lost")
                            .field("user", user_id)
                            .field("shard", user.shard)
                            .field("cause", restore_error.to_string()),
                    );
                }
            }
            return Err(error.into());
        }
    };
    // Keys live a day at most; deleting them is tidiness, not safety, so a KV hiccup
    // does not undo the deletion (it is logged, and the keys expire on their own).
    let mut keys_deleted = 0;
    match app
        .kv
        .keys_with_prefix(&format!("archive_{user_id}_"))
        .await
    {
        Ok(keys) => {
            for key in keys {
                match app.kv.delete(&key).await {
                    Ok(()) => keys_deleted += 1,
                    Err(error) => app.log.write(
                        LogLine::warn("idempotency_key_not_deleted")
                            .field("key", key)
                            .field("cause", error.to_string()),
                    ),
                }
            }
        }
        Err(error) => app.log.write(
            LogLine::warn("idempotency_keys_not_listed")
                .field("user", user_id)
                .field("cause", error.to_string()),
        ),
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
    Ok(done(request, body).with_header("Set-Cookie", clear_session_cookie(request)))
}
