//! The JSON API: health, the session user's gaps, and the operators'
//! manual triggers behind the cron secret.

use futures::future::join_all;
use serde_json::json;
use subtle::ConstantTimeEq;

use super::auth::reader;
use super::error::HttpError;
use super::{App, Bindings, WebRequest, WebResponse};
use crate::crypto::sha256_hex;
use crate::engine::job::{ArchiveJob, JobUser};
use crate::engine::slot::SlotKind;
use crate::engine::sweep::run_sweep;
use crate::notify::event::EventKind;
use crate::notify::{alert_operator, NotifyMessage};
use crate::ports::{Database, JobQueue, KeyValueStore, LogLine};
use crate::shards::{binding_name, ShardIndex, Shards, DIRECTORY};
use crate::store::notifications::OperatorAlert;
use crate::store::Store;
use crate::time::{UnixMillis, HOUR_MS, MINUTE_MS};

/// What the service can say about itself, and only what it checked: D1 answers a read,
/// KV answers a read. The queue's producer cannot be probed without sending a job, so it
/// is listed as not probed (the last sweep's `enqueued` shows it worked then).
pub async fn health<P: Bindings>(
    app: &App<'_, P>,
    now: UnixMillis,
) -> Result<WebResponse, HttpError> {
    let store = Store::new(app.shards.directory());
    let last_sweep = store.last_sweep().await;
    let app_rest = store.app_rest().await;
    let kv = app.kv.get("health_probe").await;
    // Every shard past the directory answers a read of its own (concurrently: each is its
    // own database); the directory's reads above are its probe.
    let probes = probe_shards(&app.shards, true).await;
    let directory_error = last_sweep
        .as_ref()
        .err()
        .or(app_rest.as_ref().err())
        .map(ToString::to_string);
    let database_ok = directory_error.is_none();
    let shards_ok = probes.iter().all(|probe| probe.error.is_none());
    let healthy = database_ok && shards_ok && kv.is_ok();
    let sweep_stale = last_sweep
        .as_ref()
        .ok()
        .and_then(Option::as_ref)
        .is_some_and(|sweep| now - sweep.started_at > SWEEP_STALE_AFTER_MS);
    let mut findings = Vec::new();
    if sweep_stale {
        if let Ok(Some(sweep)) = &last_sweep {
            findings.push(OperatorAlert {
                key: format!("sweep_stale:{}", sweep.started_at),
                event: EventKind::SweepStale.as_str().to_owned(),
                data: json!({ "last_sweep_at": sweep.started_at }),
            });
        }
    }
    if let Err(error) = &kv {
        findings.push(binding_alert("idempotency_kv", &error.to_string(), now));
    }
    if let Some(error) = &directory_error {
        findings.push(binding_alert("database", error, now));
    }
    for probe in &probes {
        if let Some(error) = &probe.error {
            findings.push(binding_alert(&probe.binding, error, now));
        }
    }
    tell_the_operator(app, findings, database_ok, now).await;
    let resting_until = app_rest
        .ok()
        .flatten()
        .filter(|rest| rest.until > now)
        .map(|rest| rest.until);
    let body = json!({
        "ok": healthy,
        "now": now,
        "bindings": {
            "database": if database_ok && shards_ok { "ok" } else { "error" },
            "idempotency_kv": if kv.is_ok() { "ok" } else { "error" },
        },
        "not_probed": ["archive_queue", "notify_queue"],
        "configured": {
            "spotify_client": app.credentials.is_ok(),
            "token_encryption_key": app.cipher.is_ok(),
            "cron_secret": app.cron_secret.is_some(),
            "public_url": app.notify.public_url.is_some(),
            // true, false, or what is wrong with the operator's channel's settings.
            "operator_alerts": match &app.notify.operator {
                Ok(operator) => json!(operator.is_some()),
                Err(error) => json!(error.to_string()),
            },
        },
        "spotify": {
            "accounts_url": app.endpoints.accounts_url,
            "api_url": app.endpoints.api_url,
            // Spotify rests the whole app (429 QUOTA_EXCEEDED): nobody is polled until then.
            "app_resting_until": resting_until,
        },
        // Each D1 database: shard 0 (the directory) by the reads above, the others by a
        // read of their own. A failing shard fails health; the others keep working.
        "shards": app.shards.iter().map(|(shard, _)| {
            let probe = probes.iter().find(|probe| probe.shard == shard);
            let error = match (shard, probe) {
                (DIRECTORY, _) => directory_error.clone(),
                (_, Some(probe)) => probe.error.clone(),
                (_, None) => None,
            };
            json!({
                "shard": shard,
                "binding": binding_name(shard),
                "status": if error.is_none() { "ok" } else { "error" },
                "error": error,
            })
        }).collect::<Vec<_>>(),
        "last_sweep": last_sweep.ok().flatten(),
        // No sweep for 15 minutes: nobody is archived (the operator is told).
        "sweep_stale": sweep_stale,
    });
    Ok(WebResponse::json(if healthy { 200 } else { 503 }, &body))
}

/// The sweep runs every 5 minutes; three missed in a row is an outage.
pub const SWEEP_STALE_AFTER_MS: i64 = 15 * MINUTE_MS;

/// A failing binding, raised at most once an hour.
fn binding_alert(binding: &str, error: &str, now: UnixMillis) -> OperatorAlert {
    OperatorAlert {
        key: format!("binding_unhealthy:{binding}:{}", now.div_euclid(HOUR_MS)),
        event: EventKind::BindingUnhealthy.as_str().to_owned(),
        data: json!({ "binding": binding, "error": error }),
    }
}

/// Raises what the health check found into the outbox and relays it; when the database
/// is what failed, the alert goes to the queue as it is, once an hour per key as far as
/// the KV remembers. Best effort: the health answer says the same to whoever asked.
async fn tell_the_operator<P: Bindings>(
    app: &App<'_, P>,
    findings: Vec<OperatorAlert>,
    database_ok: bool,
    now: UnixMillis,
) {
    if findings.is_empty() {
        return;
    }
    if database_ok {
        // What is not raised now is raised by the next health check; what is not relayed,
        // the sweep relays.
        if let Err(error) = alert_operator(app.shards.directory(), app.queue, &findings, now).await
        {
            app.log.write(
                LogLine::error("operator_alert_not_raised").field("cause", error.to_string()),
            );
        }
        return;
    }
    for alert in findings {
        // The mark is written before the send: health is public, and a flood of calls
        // must not become a flood of alerts. Without KV, an isolate sends one an hour.
        let sent_key = format!("operator_alert_{}", sha256_hex(alert.key.as_bytes()));
        let may_send = match app.kv.get(&sent_key).await {
            Ok(Some(_)) => false,
            Ok(None) => {
                app.kv.put(&sent_key, "sent", 3_600).await.is_ok() || isolate_may_alert(now)
            }
            // Not logged: the health answer names the KV's failure already, and health
            // is public (a log line per call would be a flood).
            Err(_) => isolate_may_alert(now),
        };
        if may_send {
            let sent = app
                .queue
                .send_notifications(vec![NotifyMessage::OperatorAlert(alert)])
                .await;
            if let Err(error) = sent {
                app.log.write(
                    LogLine::error("operator_alert_not_sent").field("cause", error.to_string()),
                );
            }
        }
    }
}

std::thread_local! {
    /// When this isolate last sent an alert it could not mark in KV.
    static LAST_UNMARKED_ALERT: std::cell::Cell<Option<UnixMillis>> = const { std::cell::Cell::new(None) };
}

/// One unmarked alert an hour per isolate, at most.
fn isolate_may_alert(now: UnixMillis) -> bool {
    LAST_UNMARKED_ALERT.with(|last| {
        let allowed = last.get().is_none_or(|at| now - at >= HOUR_MS);
        if allowed {
            last.set(Some(now));
        }
        allowed
    })
}

pub async fn gaps<P: Bindings>(
    app: &App<'_, P>,
    request: &WebRequest,
    now: UnixMillis,
) -> Result<WebResponse, HttpError> {
    let user = reader(&app.shards, request, now).await?;
    let gaps = Store::new(user.db).gaps(&user.id, 500).await?;
    Ok(WebResponse::json(200, &json!({ "gaps": gaps })))
}

/// `Authorization: Bearer <CRON_SECRET>`, compared in constant time; with no secret set
/// the admin routes refuse everything.
fn admin_only(app_secret: Option<&str>, request: &WebRequest) -> Result<(), HttpError> {
    let Some(secret) = app_secret.filter(|secret| !secret.is_empty()) else {
        return Err(HttpError::new(
            403,
            "admin_disabled",
            "Admin routes are disabled until CRON_SECRET is set.",
        ));
    };
    let presented = request
        .header("Authorization")
        .and_then(|value| value.strip_prefix("Bearer "))
        .unwrap_or("");
    // The length is not secret (it is fixed per deployment); the contents are.
    if bool::from(presented.as_bytes().ct_eq(secret.as_bytes())) {
        Ok(())
    } else {
        Err(HttpError::new(
            401,
            "unauthorized",
            "A valid admin bearer token is required.",
        ))
    }
}

pub async fn admin_sweep<P: Bindings>(
    app: &App<'_, P>,
    request: &WebRequest,
    now: UnixMillis,
    clock: impl Fn() -> UnixMillis,
) -> Result<WebResponse, HttpError> {
    admin_only(app.cron_secret, request)?;
    let summary = run_sweep(&app.shards, app.queue, &app.sweep, "admin", now, clock).await;
    let body = json!({
        "users_due": summary.users_due,
        "skipped_cooldown": summary.skipped_cooldown,
        "notifications_relayed": summary.notifications_relayed,
        "forwards_relayed": summary.forwards_relayed,
        "enqueued": summary.enqueued,
        "messages": summary.messages,
        "duration_ms": summary.duration_ms,
        "error": summary.error,
        "shards": summary.shards,
    });
    Ok(WebResponse::json(
        if summary.error.is_none() { 200 } else { 503 },
        &body,
    ))
}

pub async fn admin_archive<P: Bindings>(
    app: &App<'_, P>,
    request: &WebRequest,
    user_id: &str,
    now: UnixMillis,
) -> Result<WebResponse, HttpError> {
    admin_only(app.cron_secret, request)?;
    let user_id = super::routes::decode_segment(user_id);
    // The directory says where the user lives; their shard, whether they still do.
    let shard = Store::new(app.shards.directory())
        .user_shard(&user_id)
        .await?
        .ok_or_else(unknown_user)?;
    let db = app.shards.get(shard).map_err(|_| unbound_shard(shard))?;
    if Store::new(db).archive_user(&user_id).await?.is_none() {
        return Err(unknown_user());
    }
    // Its own slot: it runs whatever the hourly key, the due time or the cooldown say.
    let job = JobUser::new(&user_id, SlotKind::Manual, now);
    let slot = job.slot.clone();
    match app
        .queue
        .send_batch(vec![ArchiveJob {
            shard,
            users: vec![job],
            enqueued_at: now,
        }])
        .await
    {
        Ok(()) => Ok(WebResponse::json(
            202,
            &json!({ "queued": user_id, "slot": slot }),
        )),
        Err(error) => Err(HttpError::queue_unavailable(
            "The archive could not be queued; try again soon.",
            error,
        )),
    }
}

fn unknown_user() -> HttpError {
    HttpError::new(404, "unknown_user", "No user has that id.")
}

/// Sends an archive job exactly as given: how an operator replays a message from the
/// dead-letter queue, and how tests deliver the same message twice.
pub async fn admin_enqueue<P: Bindings>(
    app: &App<'_, P>,
    request: &WebRequest,
) -> Result<WebResponse, HttpError> {
    admin_only(app.cron_secret, request)?;
    let job: ArchiveJob = serde_json::from_str(&request.body).map_err(|error| {
        HttpError::new(
            400,
            "invalid_job",
            "The body must be an archive job as the queue carries it.",
        )
        .with_cause(error)
    })?;
    if job.users.is_empty() || job.users.len() > 100 {
        return Err(HttpError::new(
            400,
            "invalid_job",
            "A job names between 1 and 100 users.",
        ));
    }
    if app.shards.get(job.shard).is_err() {
        return Err(unbound_shard(job.shard));
    }
    let users = job.users.len();
    app.queue.send_batch(vec![job]).await.map_err(|error| {
        HttpError::queue_unavailable("The job could not be queued; try again soon.", error)
    })?;
    Ok(WebResponse::json(202, &json!({ "queued_users": users })))
}

/// The newest dead letters: jobs that failed every retry, with their bodies for replay.
pub async fn admin_dead_letters<P: Bindings>(
    app: &App<'_, P>,
    request: &WebRequest,
) -> Result<WebResponse, HttpError> {
    admin_only(app.cron_secret, request)?;
    let letters = Store::new(app.shards.directory())
        .recent_dead_letters(100)
        .await?;
    Ok(WebResponse::json(200, &json!({ "dead_letters": letters })))
}

/// A shard a request names that this deployment does not bind.
fn unbound_shard(shard: ShardIndex) -> HttpError {
    HttpError::new(
        400,
        "unknown_shard",
        format!(
            "Shard {shard} is not bound ({} is missing).",
            binding_name(shard)
        ),
    )
}

/// One shard's answer to a read.
struct ShardProbe {
    shard: ShardIndex,
    binding: String,
    error: Option<String>,
}

/// Reads each shard once, concurrently (the directory too unless `skip_directory`).
async fn probe_shards<D: Database>(
    shards: &Shards<'_, D>,
    skip_directory: bool,
) -> Vec<ShardProbe> {
    join_all(
        shards
            .iter()
            .filter(|(shard, _)| !(skip_directory && *shard == DIRECTORY))
            .map(|(shard, db)| async move {
                ShardProbe {
                    shard,
                    binding: binding_name(shard),
                    error: Store::new(db)
                        .probe()
                        .await
                        .err()
                        .map(|error| error.to_string()),
                }
            }),
    )
    .await
}

/// `GET /api/admin/shards`: each shard's binding, weight for new users, users filed under
/// it by the directory, and whether it answers a read. (Its size: `wrangler d1 info`.)
pub async fn admin_shards<P: Bindings>(
    app: &App<'_, P>,
    request: &WebRequest,
) -> Result<WebResponse, HttpError> {
    admin_only(app.cron_secret, request)?;
    let counts = Store::new(app.shards.directory())
        .shard_user_counts()
        .await?;
    let probes = probe_shards(&app.shards, false).await;
    let shards: Vec<_> = probes
        .into_iter()
        .map(|probe| {
            let users = counts
                .iter()
                .find(|entry| entry.shard == probe.shard)
                .map_or(0, |entry| entry.users);
            json!({
                "shard": probe.shard,
                "binding": probe.binding,
                "weight": app.shards.weight(probe.shard),
                "users": users,
                "status": if probe.error.is_none() { "ok" } else { "error" },
                "error": probe.error,
            })
        })
        .collect();
    Ok(WebResponse::json(200, &json!({ "shards": shards })))
}
