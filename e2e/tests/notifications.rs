//! Notifications end to end: the Worker in wrangler's local runtime tells users (and the
//! operator) what happened, through the simulator's notification sinks. Every event is
//! raised by the change that causes it, relayed to the queue `stm-notify`, delivered by
//! its consumer and received by a sink EXACTLY ONCE; webhooks are signed per Standard
//! Webhooks and the sink checks the signature with the secret the channel's creation
//! answered (`signature == "valid"`).
//!
//! Time cannot be fast-forwarded in the runtime, so where months or hours would pass the
//! tests move the user's clock in D1 (`authorized_at`, `failing_since`, a sweep's
//! `started_at`) and then make the next step happen (a manual archive, a health check).
//! "Exactly once" is proved after a later, observable point: the next archive's outcome
//! (its batch is the one that would raise the event again, so its outbox row would be
//! visible as soon as the poll is), and at the end of each test every delivery of the
//! outbox settled, each delivered one received exactly once with a 2xx.
//!
//! Each test has its own stack (20 to 60 s to start, by the machine), so events that share
//! a user's life share a test: six stacks in all.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use e2e::webdriver::{Browser as Chromium, By};
use e2e::{assert_success, now_ms, sql_text, Browser, Reply, Stack, ARCHIVE_DEADLINE};
use serde_json::{json, Value};

const SECOND_MS: i64 = 1_000;
const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 86_400_000;
/// Spotify ends a refresh token this long after the login.
const TOKEN_LIFETIME_MS: i64 = 182 * DAY_MS;
/// One delivery: relayed right after the write, the notification queue batches for 1 s.
const DELIVERY: Duration = Duration::from_secs(30);
/// Six attempts with the e2e stack's backoff (1, 2, 4, 8, 16 s apart) and the queue's lag.
const SIX_ATTEMPTS: Duration = Duration::from_secs(120);
/// A page in Chromium.
const PAGE: Duration = Duration::from_secs(30);
const TEST_MESSAGE: &str = "This is a test from Spotify Time Machine: this channel works.";

// ---------------------------------------------------------------------------------------
// Helpers

/// Text shown as it is in a timeout's "last observation" (not as an escaped string).
struct Seen(String);

impl fmt::Debug for Seen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A connected user: logged in over HTTP, backfilled.
struct User<'s> {
    browser: Browser<'s>,
    sim_user: &'static str,
    id: String,
    status: Value,
}

impl User<'_> {
    /// A manual archive ("Archive now" as the operator's route queues it), waited for
    /// until the user's `last_polled_at` moves; the status after it.
    #[track_caller]
    fn archive(&mut self, stack: &Stack) -> Value {
        stack.archive_now(&self.id);
        self.status = self.browser.wait_for_poll(&self.status, ARCHIVE_DEADLINE);
        self.status.clone()
    }
}

/// Creates `sim_user` (who plays only what is injected) with `history` plays, logs them
/// in and waits for the backfill.
#[track_caller]
fn connect<'s>(stack: &'s Stack, sim_user: &'static str, history: usize) -> User<'s> {
    stack.create_user(sim_user, 0.0, 0.0);
    stack.inject(sim_user, history, 60_000);
    let browser = stack.login(sim_user);
    let id = browser.user_id();
    let status = browser.wait_for_poll(&json!({}), ARCHIVE_DEADLINE);
    assert_success(&status);
    User {
        browser,
        sim_user,
        id,
        status,
    }
}

/// A request of the user's own page script: the session cookie, the site's Origin, JSON.
#[track_caller]
fn api(
    stack: &Stack,
    browser: &Browser<'_>,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> Reply {
    let mut headers = vec![("Origin", stack.worker_url.clone())];
    if let Some(session) = browser.cookie("stm_session") {
        headers.push(("Cookie", format!("stm_session={session}")));
    }
    stack.http(
        method,
        &format!("{}{path}", stack.worker_url),
        &headers,
        body.map(|body| ("application/json", body.to_string())),
    )
}

/// `GET /api/notifications`.
#[track_caller]
fn overview(stack: &Stack, browser: &Browser<'_>) -> Value {
    let reply = browser.get("/api/notifications");
    if reply.status != 200 {
        stack.fail(&format!(
            "GET /api/notifications: {} {}",
            reply.status, reply.body
        ));
    }
    reply.json()
}

/// The user's deliveries (the outbox as the API lists it, newest first).
#[track_caller]
fn deliveries(stack: &Stack, browser: &Browser<'_>) -> Vec<Value> {
    overview(stack, browser)["recent"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// The deliveries of `event` the user's outbox holds.
#[track_caller]
fn raised(stack: &Stack, browser: &Browser<'_>, event: &str) -> Vec<Value> {
    deliveries(stack, browser)
        .into_iter()
        .filter(|delivery| delivery["event"] == event)
        .collect()
}

/// The user's channel `id` as the API shows it.
#[track_caller]
fn channel(stack: &Stack, browser: &Browser<'_>, id: i64) -> Value {
    let overview = overview(stack, browser);
    overview["channels"]
        .as_array()
        .and_then(|channels| channels.iter().find(|channel| channel["id"] == id))
        .cloned()
        .unwrap_or_else(|| stack.fail(&format!("no channel {id}: {overview}")))
}

/// Adds a channel through the API; the answer (201).
#[track_caller]
fn add_channel(stack: &Stack, browser: &Browser<'_>, body: Value) -> Value {
    let reply = api(
        stack,
        browser,
        "POST",
        "/api/notifications/channels",
        Some(body.clone()),
    );
    if reply.status != 201 {
        stack.fail(&format!(
            "adding the channel {body}: {} {}",
            reply.status, reply.body
        ));
    }
    let added = reply.json();
    assert_eq!(added["channel"]["enabled"], 1, "{added}");
    assert!(added["channel"]["id"].as_i64().is_some(), "{added}");
    added
}

/// Adds a webhook channel to the sink `sink` and gives the sink the signing secret the
/// Worker answered (once); the channel's id.
#[track_caller]
fn webhook_to(stack: &Stack, browser: &Browser<'_>, sink: &str) -> i64 {
    webhook_with(stack, browser, sink, json!({}))
}

/// [`webhook_to`], the sink scripted with `script` (`responses`, `default_status`).
#[track_caller]
fn webhook_with(stack: &Stack, browser: &Browser<'_>, sink: &str, script: Value) -> i64 {
    let added = add_channel(
        stack,
        browser,
        json!({ "kind": "webhook", "url": stack.sink_url(sink) }),
    );
    let secret = added["signing_secret"]
        .as_str()
        .filter(|secret| secret.starts_with("whsec_"))
        .unwrap_or_else(|| stack.fail(&format!("no whsec_ signing secret: {added}")));
    let mut config = script;
    config["secret"] = json!(secret);
    stack.configure_sink(sink, config);
    added["channel"]["id"].as_i64().expect("checked")
}

/// `POST /api/notifications/channels/{id}/test`: 202, queued at once.
#[track_caller]
fn send_test(stack: &Stack, browser: &Browser<'_>, channel: i64) {
    let reply = api(
        stack,
        browser,
        "POST",
        &format!("/api/notifications/channels/{channel}/test"),
        None,
    );
    if reply.status != 202 {
        stack.fail(&format!(
            "test of channel {channel}: {} {}",
            reply.status, reply.body
        ));
    }
    assert_eq!(
        reply.json(),
        json!({ "test": { "channel": channel, "queued": true } }),
        "the test goes to the queue at once"
    );
}

const USER_ROW: &str = "SELECT authorized_at, token_expires_at, failing_since, needs_reauth, \
                        is_active, consecutive_failures FROM users WHERE id = ";

/// Sets columns of the user's row in D1; the row after it.
#[track_caller]
fn patch_user(stack: &Stack, user_id: &str, set: &str) -> Value {
    let id = sql_text(user_id);
    let rows = stack.d1(&format!(
        "UPDATE users SET {set} WHERE id = {id}; {USER_ROW}{id}"
    ));
    assert_eq!(rows.len(), 1, "patching {user_id}: {rows:?}");
    rows[0].clone()
}

/// The user's row in D1 (the columns notifications read).
#[track_caller]
fn user_row(stack: &Stack, user_id: &str) -> Value {
    let rows = stack.d1(&format!("{USER_ROW}{}", sql_text(user_id)));
    assert_eq!(rows.len(), 1, "{user_id}: {rows:?}");
    rows[0].clone()
}

/// A delivery's `type` (webhooks) or, for other channels, its title header.
fn kind_of(delivery: &Value) -> String {
    delivery["json"]["type"]
        .as_str()
        .or_else(|| delivery["headers"]["title"].as_str())
        .unwrap_or("?")
        .to_owned()
}

/// What a sink received, one line each, for failure messages.
fn show(received: &[Value]) -> String {
    let lines: Vec<String> = received
        .iter()
        .map(|delivery| {
            format!(
                "  at {} {} {} -> {} signature {} key {} type {} data {}",
                delivery["at"],
                delivery["method"],
                delivery["path"],
                delivery["status"],
                delivery["signature"],
                delivery["headers"]["idempotency-key"],
                kind_of(delivery),
                delivery["json"]["data"],
            )
        })
        .collect();
    format!("{} received:\n{}", received.len(), lines.join("\n"))
}

/// What the notification consumer logged, one line each: its info lines, then its
/// errors (`operator_alert_unsent`, `notifications_unrelayed`).
fn consumer_log(stack: &Stack) -> String {
    stack
        .worker_events()
        .iter()
        .chain(&stack.worker_errors())
        .filter(|event| {
            event["event"].as_str().is_some_and(|name| {
                name.starts_with("notification") || name.starts_with("operator")
            })
        })
        .map(|event| format!("  {event}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn of_type<'a>(received: &'a [Value], event: &str) -> Vec<&'a Value> {
    received
        .iter()
        .filter(|delivery| kind_of(delivery) == event)
        .collect()
}

/// Waits until the sink has received `count` deliveries of `event` answered with a 2xx;
/// everything it received.
#[track_caller]
fn wait_for(stack: &Stack, sink: &str, event: &str, count: usize) -> Vec<Value> {
    stack.wait_until(
        DELIVERY,
        &format!("the sink {sink} has received {count} delivered {event}"),
        || {
            let received = stack.sink(sink);
            let delivered = of_type(&received, event)
                .into_iter()
                .filter(|delivery| delivery["status"].as_u64().is_some_and(|s| s < 300))
                .count();
            if delivered >= count {
                Ok(received)
            } else {
                Err(Seen(format!(
                    "sink {sink}: {}\nconsumer log:\n{}",
                    show(&received),
                    consumer_log(stack)
                )))
            }
        },
    )
}

/// The only delivery of `event` in what a sink received; fails when there are more.
#[track_caller]
fn only(received: &[Value], event: &str) -> Value {
    let found = of_type(received, event);
    assert_eq!(found.len(), 1, "exactly one {event}: {}", show(received));
    found[0].clone()
}

/// A webhook delivery as Standard Webhooks has it: POSTed JSON, signed with the channel's
/// secret, its `webhook-id` the idempotency key and the body's `id`, about `user_id`
/// (or the operator's: no user), with the links of this stack's Worker.
#[track_caller]
fn assert_webhook(stack: &Stack, delivery: &Value, user_id: Option<&str>) {
    let headers = &delivery["headers"];
    let body = &delivery["json"];
    assert_eq!(delivery["method"], "POST", "{delivery:#}");
    assert_eq!(delivery["signature"], "valid", "{delivery:#}");
    assert_eq!(headers["content-type"], "application/json", "{delivery:#}");
    let id = body["id"].as_str().unwrap_or_default();
    assert!(id.starts_with("stm-"), "{delivery:#}");
    assert_eq!(headers["webhook-id"], id, "{delivery:#}");
    assert_eq!(headers["idempotency-key"], id, "{delivery:#}");
    let timestamp: i64 = headers["webhook-timestamp"]
        .as_str()
        .and_then(|text| text.parse().ok())
        .unwrap_or_else(|| panic!("no webhook-timestamp: {delivery:#}"));
    let at = delivery["at"].as_i64().expect("the sink's at");
    assert!(
        (at / SECOND_MS - timestamp).abs() <= 60,
        "the timestamp is the attempt's: {delivery:#}"
    );
    for field in ["type", "created_at", "title", "message"] {
        assert!(
            body[field].as_str().is_some_and(|text| !text.is_empty()),
            "{field}: {delivery:#}"
        );
    }
    match user_id {
        Some(user_id) => assert_eq!(body["user"]["id"], user_id, "{delivery:#}"),
        None => assert!(body["user"].is_null(), "an operator's alert: {delivery:#}"),
    }
    assert_eq!(
        body["links"]["dashboard"],
        format!("{}/", stack.worker_url),
        "{delivery:#}"
    );
}

/// Waits until every delivery in the user's outbox is settled, then checks that each
/// delivered one reached the sinks exactly once with a 2xx (and nothing else did), and
/// that every answered request of the user's webhooks was signed.
#[track_caller]
fn assert_each_delivered_once(stack: &Stack, browser: &Browser<'_>, sinks: &[&str]) {
    let outbox = stack.wait_until(DELIVERY, "every delivery of the user is settled", || {
        let outbox = deliveries(stack, browser);
        if outbox
            .iter()
            .all(|delivery| !delivery["delivered_at"].is_null() || !delivery["failed_at"].is_null())
        {
            Ok(outbox)
        } else {
            Err(outbox)
        }
    });
    let received: Vec<Value> = sinks.iter().flat_map(|sink| stack.sink(sink)).collect();
    let mut answered: BTreeMap<String, usize> = BTreeMap::new();
    for delivery in &received {
        if delivery["status"]
            .as_u64()
            .is_some_and(|status| status < 300)
        {
            let key = delivery["headers"]["idempotency-key"]
                .as_str()
                .unwrap_or("none")
                .to_owned();
            *answered.entry(key).or_default() += 1;
        }
        assert!(
            matches!(
                delivery["signature"].as_str(),
                Some("valid" | "not_checked")
            ),
            "an unsigned or badly signed delivery: {delivery:#}"
        );
    }
    let expected: BTreeMap<String, usize> = outbox
        .iter()
        .filter(|delivery| !delivery["delivered_at"].is_null())
        .map(|delivery| (format!("stm-{}", delivery["id"]), 1))
        .collect();
    assert_eq!(
        answered,
        expected,
        "each delivered row of the outbox reached the sinks once\noutbox: {outbox:#?}\n{}",
        show(&received)
    );
}

/// A delivery's `data`, whose numbers must be integers (instants in ms, counts, days), as
/// the README documents them and as the message's words read them: `14.0` (a REAL the
/// database made of a bound parameter) is not `14`, and a message reading it says
/// "an unknown time" or "0 days".
#[track_caller]
fn data(delivery: &Value) -> Value {
    fn fractional(value: &Value, path: &str, found: &mut Vec<String>) {
        match value {
            Value::Number(number) if number.as_i64().is_none() && number.as_u64().is_none() => {
                found.push(format!("{path} = {number}"));
            }
            Value::Object(fields) => {
                for (name, field) in fields {
                    fractional(field, &format!("{path}.{name}"), found);
                }
            }
            Value::Array(items) => {
                for (index, item) in items.iter().enumerate() {
                    fractional(item, &format!("{path}[{index}]"), found);
                }
            }
            _ => {}
        }
    }
    let data = delivery["json"]["data"].clone();
    let mut found = Vec::new();
    fractional(&data, "data", &mut found);
    assert!(
        found.is_empty(),
        "the event's data holds numbers that are not integers ({}): {delivery:#}",
        found.join(", ")
    );
    data
}

/// An instant as the messages write it: `YYYY-MM-DD HH:MM UTC`.
fn minutes_utc(ms: i64) -> String {
    format!("{} UTC", rfc3339_seconds(ms)[..16].replace('T', " "))
}

/// Unix ms as the export's `ts` (UTC, to the second).
fn rfc3339_seconds(ms: i64) -> String {
    let seconds = ms.div_euclid(SECOND_MS);
    let (days, rest) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    // Howard Hinnant's days-to-civil.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3_600,
        rest % 3_600 / 60,
        rest % 60
    )
}

fn count(outcomes: &[String], label: &str) -> usize {
    outcomes.iter().filter(|outcome| *outcome == label).count()
}

/// Waits until the consumer has logged one more `label` outcome for the user than
/// `before`.
#[track_caller]
fn wait_for_outcome(stack: &Stack, user_id: &str, label: &str, before: usize) {
    stack.wait_until(
        ARCHIVE_DEADLINE,
        &format!("the consumer logs another {label} for {user_id}"),
        || {
            let outcomes = stack.archive_outcomes(user_id);
            if count(&outcomes, label) > before {
                Ok(())
            } else {
                Err(outcomes)
            }
        },
    );
}

// ---------------------------------------------------------------------------------------
// The refresh token's life

/// An expiry warning of stage `stage_days` for the login at `authorized_at`, raised with
/// `days` and a half days left: `days_left` is a whole number of days (rounded down or
/// up, as the Worker chooses) and the title says that number.
#[track_caller]
fn assert_warning(warning: &Value, authorized_at: i64, stage_days: i64, days: i64) {
    let data = data(warning);
    let days_left = data["days_left"].as_i64().unwrap_or(-1);
    assert!(
        days_left == days || days_left == days + 1,
        "{days} and a half days left: {warning:#}"
    );
    assert_eq!(
        data,
        json!({ "days_left": days_left, "expires_at": authorized_at + TOKEN_LIFETIME_MS,
                "stage_days": stage_days }),
        "{warning:#}"
    );
    assert_eq!(
        warning["json"]["title"],
        format!("Spotify's permission ends in {days_left} days"),
        "{warning:#}"
    );
}

/// One user's token nears its six months: the 14-day warning once (a second archive
/// still 10 days out raises nothing), the 3-day warning once, then Spotify refuses the
/// expired token: `refresh_token_expired` once, linking to the login, and neither a
/// skipped nor a forced second attempt tells again. Another user, logged in recently,
/// is revoked: `needs_login` once; after logging in again, a new revocation is a new
/// authorization and is told again.
#[test]
fn a_user_hears_of_the_expiry_then_of_the_revoked_login_once_each() {
    let stack = Stack::start();
    let mut ada = connect(&stack, "ada", 3);
    let mut bo = connect(&stack, "bo", 3);
    webhook_to(&stack, &ada.browser, "ada-hooks");
    webhook_to(&stack, &bo.browser, "bo-hooks");
    let login_link = format!("{}/login", stack.worker_url);

    // Ten and a half days left: the 14-day warning.
    let authorized_at = now_ms() - TOKEN_LIFETIME_MS + 10 * DAY_MS + 12 * HOUR_MS;
    patch_user(&stack, &ada.id, &format!("authorized_at = {authorized_at}"));
    assert_success(&ada.archive(&stack));
    let received = wait_for(&stack, "ada-hooks", "refresh_token_expiring", 1);
    let warning = only(&received, "refresh_token_expiring");
    assert_webhook(&stack, &warning, Some(&ada.id));
    let body = &warning["json"];
    assert_warning(&warning, authorized_at, 14, 10);
    let ends = minutes_utc(authorized_at + TOKEN_LIFETIME_MS);
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|message| message.contains(&format!("yours ends on {ends}."))),
        "the message says when: {warning:#}"
    );
    assert_eq!(body["links"]["login"], login_link.as_str(), "{warning:#}");
    assert_eq!(body["user"]["display_name"], "E2E ada", "{warning:#}");

    // Archived again, still ten days out: the warning is not raised again.
    assert_success(&ada.archive(&stack));
    let rows = raised(&stack, &ada.browser, "refresh_token_expiring");
    assert_eq!(rows.len(), 1, "one 14-day warning: {rows:#?}");

    // Two and a half days left: the 3-day warning, once.
    let authorized_at = now_ms() - TOKEN_LIFETIME_MS + 2 * DAY_MS + 12 * HOUR_MS;
    patch_user(&stack, &ada.id, &format!("authorized_at = {authorized_at}"));
    assert_success(&ada.archive(&stack));
    let received = wait_for(&stack, "ada-hooks", "refresh_token_expiring", 2);
    let last = received.last().cloned().expect("received");
    assert_webhook(&stack, &last, Some(&ada.id));
    assert_warning(&last, authorized_at, 3, 2);
    assert_success(&ada.archive(&stack));
    let rows = raised(&stack, &ada.browser, "refresh_token_expiring");
    assert_eq!(rows.len(), 2, "one warning per stage: {rows:#?}");

    // Past the six months Spotify refuses the refresh: refresh_token_expired.
    let authorized_at = now_ms() - TOKEN_LIFETIME_MS - DAY_MS;
    patch_user(
        &stack,
        &ada.id,
        &format!("authorized_at = {authorized_at}, token_expires_at = 0"),
    );
    stack.fault(ada.sim_user, json!({ "kind": "revoke_refresh_token" }));
    let status = ada.archive(&stack);
    assert_eq!(status["needs_reauth"], 1, "{status}");
    let received = wait_for(&stack, "ada-hooks", "refresh_token_expired", 1);
    let expired = only(&received, "refresh_token_expired");
    assert_webhook(&stack, &expired, Some(&ada.id));
    assert_eq!(
        data(&expired),
        json!({ "authorized_at": authorized_at,
                "refresh_token_expires_at": authorized_at + TOKEN_LIFETIME_MS }),
        "{expired:#}"
    );
    assert_eq!(
        expired["json"]["links"]["login"],
        login_link.as_str(),
        "{expired:#}"
    );
    assert_eq!(
        expired["json"]["title"], "Spotify's permission expired: log in again",
        "{expired:#}"
    );
    assert!(
        of_type(&received, "needs_login").is_empty(),
        "an expired token is not a revoked one: {}",
        show(&received)
    );

    // Another attempt: skipped without a word (the user must log in)...
    let skipped = count(&stack.archive_outcomes(&ada.id), "skipped");
    stack.archive_now(&ada.id);
    wait_for_outcome(&stack, &ada.id, "skipped", skipped);
    // ... and even one forced past that mark refuses the same authorization again,
    // which is the same occurrence: nothing new is raised.
    patch_user(
        &stack,
        &ada.id,
        "needs_reauth = 0, is_active = 1, token_expires_at = 0",
    );
    let refused = count(&stack.archive_outcomes(&ada.id), "needs_reauth");
    let status = ada.archive(&stack);
    assert_eq!(status["needs_reauth"], 1, "{status}");
    // The outcome's log line may reach wrangler's output after the status is written.
    wait_for_outcome(&stack, &ada.id, "needs_reauth", refused);
    assert_eq!(
        count(&stack.archive_outcomes(&ada.id), "needs_reauth"),
        refused + 1,
        "the forced attempt was refused again, once"
    );
    let rows = raised(&stack, &ada.browser, "refresh_token_expired");
    assert_eq!(rows.len(), 1, "told once per authorization: {rows:#?}");
    assert!(raised(&stack, &ada.browser, "needs_login").is_empty());

    // Bo logged in minutes ago and revokes the access: needs_login.
    stack.fault(bo.sim_user, json!({ "kind": "revoke_refresh_token" }));
    stack.fault(bo.sim_user, json!({ "kind": "expire_access_token" }));
    let first_authorization = bo.status["authorized_at"].clone();
    let status = bo.archive(&stack);
    assert_eq!(status["needs_reauth"], 1, "{status}");
    let received = wait_for(&stack, "bo-hooks", "needs_login", 1);
    let needs_login = only(&received, "needs_login");
    assert_webhook(&stack, &needs_login, Some(&bo.id));
    assert_eq!(
        data(&needs_login)["authorized_at"],
        first_authorization,
        "{needs_login:#}"
    );
    assert_eq!(
        needs_login["json"]["links"]["login"],
        login_link.as_str(),
        "{needs_login:#}"
    );
    assert_eq!(
        needs_login["json"]["title"], "Archiving stopped: log in again",
        "{needs_login:#}"
    );

    // Bo logs in again (a new authorization), and Spotify revokes that one too: told
    // again, about the new authorization.
    bo.browser.login(bo.sim_user);
    let again = bo.browser.status();
    assert_eq!(again["needs_reauth"], 0, "{again}");
    assert_ne!(again["authorized_at"], first_authorization, "{again}");
    stack.fault(bo.sim_user, json!({ "kind": "revoke_refresh_token" }));
    stack.fault(bo.sim_user, json!({ "kind": "expire_access_token" }));
    // (Whichever archive refreshes first, this one or a backfill the login may have
    // queued, is refused.)
    stack.archive_now(&bo.id);
    stack.wait_until(ARCHIVE_DEADLINE, "bo needs to log in again", || {
        let status = bo.browser.status();
        if status["needs_reauth"] == 1 {
            Ok(())
        } else {
            Err(status)
        }
    });
    let received = wait_for(&stack, "bo-hooks", "needs_login", 2);
    let second = received.last().cloned().expect("received");
    assert_webhook(&stack, &second, Some(&bo.id));
    assert_eq!(
        data(&second)["authorized_at"],
        again["authorized_at"],
        "{}",
        show(&received)
    );
    assert_ne!(
        second["headers"]["webhook-id"], needs_login["headers"]["webhook-id"],
        "a new delivery, not a repeat"
    );

    assert_each_delivered_once(&stack, &ada.browser, &["ada-hooks"]);
    assert_each_delivered_once(&stack, &bo.browser, &["bo-hooks"]);
    let ada_kinds: Vec<String> = stack.sink("ada-hooks").iter().map(kind_of).collect();
    assert_eq!(
        ada_kinds,
        [
            "refresh_token_expiring",
            "refresh_token_expiring",
            "refresh_token_expired"
        ],
        "{}",
        show(&stack.sink("ada-hooks"))
    );
    assert_eq!(
        stack.sink("bo-hooks").len(),
        2,
        "{}",
        show(&stack.sink("bo-hooks"))
    );
}

// ---------------------------------------------------------------------------------------
// Failing, gaps, imports

/// One user's life: a burst beyond Spotify's window is a gap, told (the user asked for
/// gaps) with the span D1 recorded; importing the export's plays of that span fills it,
/// and the finished import is told once with its report, however often it is finished or
/// read. Then Spotify fails: the first failure is below the 1-hour threshold and says
/// nothing; once the streak is 2 hours old the next failure raises `archiving_failing`
/// once, and more failures add nothing. A success ends the streak; a new streak past the
/// threshold is told again.
#[test]
fn failures_past_the_threshold_a_gap_and_a_finished_import_are_each_told_once() {
    let stack = Stack::start();
    let mut cy = connect(&stack, "cy", 5);
    webhook_to(&stack, &cy.browser, "cy-hooks");
    let saved = api(
        &stack,
        &cy.browser,
        "POST",
        "/api/notifications/settings",
        Some(json!({ "failing_after_hours": 1, "notify_gaps": true })),
    );
    assert_eq!(saved.status, 200, "{}", saved.body);
    let settings = overview(&stack, &cy.browser)["settings"].clone();
    assert_eq!(
        settings,
        json!({ "failing_after_hours": 1, "notify_gaps": true, "daily_limit": 10 })
    );

    // 60 plays since the last poll: the 10 oldest are out of Spotify's window of 50.
    stack.inject(cy.sim_user, 60, 10_000);
    assert_success(&cy.archive(&stack));
    let gaps = stack.d1(&format!(
        "SELECT gap_from, gap_to, reason FROM data_gaps WHERE user_id = {}",
        sql_text(&cy.id)
    ));
    assert_eq!(gaps.len(), 1, "{gaps:?}");
    let gap = &gaps[0];
    assert_eq!(gap["reason"], "window_overflow", "{gap}");
    let received = wait_for(&stack, "cy-hooks", "gap_recorded", 1);
    let told = only(&received, "gap_recorded");
    assert_webhook(&stack, &told, Some(&cy.id));
    assert_eq!(
        data(&told),
        json!({ "from": gap["gap_from"], "to": gap["gap_to"], "reason": "window_overflow" }),
        "the event's span is the recorded gap's: {told:#}"
    );
    let span = format!(
        "between {} and {} (window_overflow)",
        minutes_utc(gap["gap_from"].as_i64().unwrap_or_default()),
        minutes_utc(gap["gap_to"].as_i64().unwrap_or_default())
    );
    assert!(
        told["json"]["message"]
            .as_str()
            .is_some_and(|message| message.contains(&span)),
        "the message says {span:?}: {told:#}"
    );
    assert_eq!(told["json"]["links"]["login"], Value::Null, "{told:#}");

    // The export holds the plays of the gap (and its two ends): importing them fills it.
    let (gap_from, gap_to) = (
        gap["gap_from"].as_i64().expect("gap_from"),
        gap["gap_to"].as_i64().expect("gap_to"),
    );
    let mut records: Vec<Value> = stack
        .truth(cy.sim_user)
        .iter()
        .filter(|play| (gap_from..=gap_to).contains(&play.played_at))
        .map(|play| {
            json!({ "ts": rfc3339_seconds(play.played_at), "ms_played": 180_000,
                    "spotify_track_uri": play.track_uri,
                    "master_metadata_track_name": "A track", "master_metadata_album_artist_name": "E2E" })
        })
        .collect();
    assert_eq!(records.len(), 12, "the gap's 10 plays and its two ends");
    records.push(
        json!({ "ts": rfc3339_seconds(gap_from - HOUR_MS), "ms_played": 5_000,
                         "spotify_track_uri": "spotify:track:4uLU6hMCjMI75M1A2tKUQC" }),
    );
    records.push(json!({ "ts": "not a time", "ms_played": 200_000 }));
    let import = api(&stack, &cy.browser, "POST", "/api/imports", Some(json!({})));
    assert_eq!(import.status, 201, "{}", import.body);
    let import_id = import.json()["id"].as_i64().expect("an import id");
    let chunk = api(
        &stack,
        &cy.browser,
        "POST",
        &format!("/api/imports/{import_id}/chunks"),
        Some(
            json!({ "file": "Streaming_History_Audio_2026.json", "offset": 0, "records": records }),
        ),
    );
    assert_eq!(chunk.status, 200, "{}", chunk.body);
    let finish_path = format!("/api/imports/{import_id}/finish");
    let finished = api(&stack, &cy.browser, "POST", &finish_path, None);
    assert_eq!(finished.status, 200, "{}", finished.body);
    let report = finished.json()["import"].clone();
    assert_eq!(
        report["gaps_filled"], 1,
        "the import covers the gap: {report}"
    );
    assert_eq!(report["records_read"], 14, "{report}");
    assert_eq!(report["errors"], 1, "{report}");
    assert_eq!(report["skipped"]["under_30s"], 1, "{report}");
    let plays = ["imported", "merged"]
        .iter()
        .map(|field| report[field].as_i64().unwrap_or_default())
        .sum::<i64>()
        + report["skipped"]["already_archived"]
            .as_i64()
            .unwrap_or_default();
    assert_eq!(
        plays, 12,
        "every play of the export is new, merged or archived: {report}"
    );
    assert!(
        report["imported"].as_i64().unwrap_or_default() > 0,
        "{report}"
    );
    let received = wait_for(&stack, "cy-hooks", "import_finished", 1);
    let told = only(&received, "import_finished");
    assert_webhook(&stack, &told, Some(&cy.id));
    let skipped = &report["skipped"];
    let skipped_total: i64 = ["already_archived", "under_30s", "incognito", "unidentified"]
        .iter()
        .map(|field| skipped[field].as_i64().unwrap_or_default())
        .sum();
    assert_eq!(
        data(&told),
        json!({ "import_id": import_id, "records_read": report["records_read"],
                "imported": report["imported"], "merged": report["merged"],
                "skipped": skipped_total, "errors": report["errors"],
                "gaps_filled": report["gaps_filled"], "finished_at": report["finished_at"] }),
        "the event carries the report: {report}"
    );
    let message = told["json"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains(&format!("{} records read", report["records_read"])),
        "{message}"
    );
    // Finished again and read (both relay what is due): the same import, not told again.
    let again = api(&stack, &cy.browser, "POST", &finish_path, None);
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(again.json()["import"]["finished_at"], report["finished_at"]);
    let read = cy.browser.get(&format!("/api/imports/{import_id}"));
    assert_eq!(read.status, 200, "{}", read.body);
    let rows = raised(&stack, &cy.browser, "import_finished");
    assert_eq!(rows.len(), 1, "{rows:#?}");

    // Spotify fails. The first failure starts the streak, below the threshold: nothing.
    stack.fault(
        cy.sim_user,
        json!({ "kind": "server_error", "status": 503, "endpoint": "recently_played" }),
    );
    let status = cy.archive(&stack);
    assert_eq!(status["consecutive_failures"], 1, "{status}");
    let row = user_row(&stack, &cy.id);
    assert_eq!(
        row["failing_since"], status["last_failure_at"],
        "the streak starts at its first failure"
    );
    assert!(raised(&stack, &cy.browser, "archiving_failing").is_empty());

    // The streak is two hours old at the next failure: told once.
    let failing_since = now_ms() - 2 * HOUR_MS;
    patch_user(&stack, &cy.id, &format!("failing_since = {failing_since}"));
    let status = cy.archive(&stack);
    assert_eq!(status["consecutive_failures"], 2, "{status}");
    let received = wait_for(&stack, "cy-hooks", "archiving_failing", 1);
    let failing = only(&received, "archiving_failing");
    assert_webhook(&stack, &failing, Some(&cy.id));
    assert_eq!(
        data(&failing),
        json!({ "failing_since": failing_since, "failures": 2, "last_failure_type": "NETWORK",
                "next_attempt_at": status["cooldown_until"] }),
        "{failing:#}"
    );
    let message = failing["json"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("failed for 2 hours"), "{message}");
    // More failures in the same streak: nothing more.
    for failures in [3, 4] {
        let status = cy.archive(&stack);
        assert_eq!(status["consecutive_failures"], failures, "{status}");
    }
    let rows = raised(&stack, &cy.browser, "archiving_failing");
    assert_eq!(rows.len(), 1, "once per streak: {rows:#?}");

    // A success ends the streak; a new one past the threshold is a new occurrence.
    stack.clear_faults(cy.sim_user);
    assert_success(&cy.archive(&stack));
    let row = user_row(&stack, &cy.id);
    assert!(
        row["failing_since"].is_null(),
        "a success clears the streak: {row}"
    );
    stack.fault(
        cy.sim_user,
        json!({ "kind": "server_error", "status": 500, "endpoint": "recently_played" }),
    );
    cy.archive(&stack);
    let second_streak = now_ms() - 3 * HOUR_MS;
    patch_user(&stack, &cy.id, &format!("failing_since = {second_streak}"));
    cy.archive(&stack);
    let received = wait_for(&stack, "cy-hooks", "archiving_failing", 2);
    let last = received.last().cloned().expect("received");
    assert_eq!(
        data(&last)["failing_since"],
        second_streak,
        "{}",
        show(&received)
    );

    assert_each_delivered_once(&stack, &cy.browser, &["cy-hooks"]);
    let kinds: Vec<String> = stack.sink("cy-hooks").iter().map(kind_of).collect();
    assert_eq!(
        kinds,
        [
            "gap_recorded",
            "import_finished",
            "archiving_failing",
            "archiving_failing"
        ],
        "{}",
        show(&stack.sink("cy-hooks"))
    );
}

// ---------------------------------------------------------------------------------------
// Delivery

/// The gaps between successive requests a sink received, in ms.
fn gaps_between(received: &[Value]) -> Vec<i64> {
    received
        .windows(2)
        .map(|pair| pair[1]["at"].as_i64().unwrap_or(0) - pair[0]["at"].as_i64().unwrap_or(0))
        .collect()
}

/// Every request a sink received is the same delivery: one `webhook-id` and
/// `Idempotency-Key`, each signed.
#[track_caller]
fn assert_one_delivery_retried(received: &[Value]) -> String {
    let ids: Vec<&Value> = received
        .iter()
        .map(|d| &d["headers"]["webhook-id"])
        .collect();
    let keys: Vec<&Value> = received
        .iter()
        .map(|d| &d["headers"]["idempotency-key"])
        .collect();
    assert!(
        ids.iter().all(|id| *id == ids[0]) && ids == keys && ids[0].is_string(),
        "every retry carries the same ids: {}",
        show(received)
    );
    assert!(
        received.iter().all(|d| d["signature"] == "valid"),
        "{}",
        show(received)
    );
    ids[0].as_str().expect("checked").to_owned()
}

/// Tests raised on four channels whose receivers answer differently: three 500s then a
/// 200 (delivered on the 4th attempt, backing off 1, 2, 4 s), a 429 with Retry-After: 2
/// (waited out), a 404 (the channel disabled at once) and 500 forever (6 attempts, then
/// the channel disabled and the delivery dead-lettered). A disabled channel hears no
/// events; a test that gets through enables it again; the daily limit holds.
#[test]
fn deliveries_are_retried_with_backoff_and_retry_after_then_disable_the_channel() {
    let stack = Stack::start();
    let dee = connect(&stack, "dee", 2);
    let browser = &dee.browser;
    let flaky = webhook_with(
        &stack,
        browser,
        "flaky",
        json!({ "responses": [{ "status": 500 }, { "status": 500 }, { "status": 500 }] }),
    );
    let down = webhook_with(&stack, browser, "down", json!({ "default_status": 500 }));
    let busy = webhook_with(
        &stack,
        browser,
        "busy",
        json!({ "responses": [{ "status": 429, "retry_after": "2" }] }),
    );
    let gone = webhook_with(&stack, browser, "gone", json!({ "default_status": 404 }));
    for channel in [flaky, down, busy, gone] {
        send_test(&stack, browser, channel);
    }

    // 500, 500, 500, 200: one delivery, four attempts, the backoff doubling from 1 s.
    let received = wait_for(&stack, "flaky", "test", 1);
    let statuses: Vec<&Value> = received.iter().map(|d| &d["status"]).collect();
    assert_eq!(statuses, [500, 500, 500, 200], "{}", show(&received));
    let id = assert_one_delivery_retried(&received);
    let waits = gaps_between(&received);
    for (wait, backoff) in waits.iter().zip([1_000, 2_000, 4_000]) {
        assert!(
            *wait >= backoff,
            "attempts {waits:?} ms apart, the backoff is 1, 2, 4 s: {}",
            show(&received)
        );
    }
    let outbox_id = id.trim_start_matches("stm-");
    let row = stack.d1(&format!(
        "SELECT attempts, delivered_at IS NOT NULL AS delivered, failed_at, relay_at, last_error \
           FROM notification_outbox WHERE id = {outbox_id}"
    ));
    assert_eq!(
        row,
        vec![
            json!({ "attempts": 4, "delivered": 1, "failed_at": null, "relay_at": null, "last_error": null })
        ],
        "the outbox row of {id}"
    );
    assert_eq!(channel(&stack, browser, flaky)["enabled"], 1);

    // 429 with Retry-After: 2, then 200: the second attempt waited the 2 seconds.
    let received = wait_for(&stack, "busy", "test", 1);
    let statuses: Vec<&Value> = received.iter().map(|d| &d["status"]).collect();
    assert_eq!(statuses, [429, 200], "{}", show(&received));
    assert_one_delivery_retried(&received);
    let waited = gaps_between(&received)[0];
    eprintln!("notifications: the retry after a 429 with Retry-After: 2 came {waited} ms later");
    assert!(
        waited >= 2_000,
        "Retry-After: 2 honoured: {}",
        show(&received)
    );

    // 404: the receiver will never take it; the channel is disabled at once.
    let disabled = stack.wait_until(DELIVERY, "the 404 disables the channel", || {
        let channel = channel(&stack, browser, gone);
        if channel["enabled"] == 0 {
            Ok(channel)
        } else {
            Err(channel)
        }
    });
    assert!(
        disabled["disabled_reason"]
            .as_str()
            .is_some_and(|reason| reason.contains("HTTP 404")),
        "{disabled}"
    );
    let received = stack.sink("gone");
    assert_eq!(
        received.len(),
        1,
        "no retry after a 404: {}",
        show(&received)
    );

    // 500 forever: six attempts, then failed, the channel disabled, a dead letter.
    let disabled = stack.wait_until(SIX_ATTEMPTS, "six 500s disable the channel", || {
        let channel = channel(&stack, browser, down);
        if channel["enabled"] == 0 {
            Ok(channel)
        } else {
            Err(Seen(format!(
                "{channel}\n{}\nconsumer log:\n{}",
                show(&stack.sink("down")),
                consumer_log(&stack)
            )))
        }
    });
    let reason = disabled["disabled_reason"].as_str().unwrap_or_default();
    assert!(reason.contains("6 attempts failed"), "{disabled}");
    assert!(!disabled["disabled_at"].is_null(), "{disabled}");
    let received = stack.sink("down");
    assert_eq!(received.len(), 6, "six attempts: {}", show(&received));
    assert!(
        received.iter().all(|d| d["status"] == 500),
        "{}",
        show(&received)
    );
    let id = assert_one_delivery_retried(&received);
    let waits = gaps_between(&received);
    for (wait, backoff) in waits.iter().zip([1_000, 2_000, 4_000, 8_000, 16_000]) {
        assert!(
            *wait >= backoff,
            "attempts {waits:?} ms apart: {}",
            show(&received)
        );
    }
    let letters = stack.admin_get("/api/admin/dead-letters");
    assert_eq!(letters.status, 200, "{}", letters.body);
    let letters = letters.json()["dead_letters"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let message_id = format!("notification-{}", id.trim_start_matches("stm-"));
    let letter = letters
        .iter()
        .find(|letter| letter["message_id"] == message_id.as_str())
        .unwrap_or_else(|| stack.fail(&format!("no dead letter {message_id}: {letters:#?}")));
    let body: Value =
        serde_json::from_str(letter["body"].as_str().unwrap_or("null")).expect("a JSON body");
    assert_eq!(body["channel"], down, "{letter}");
    assert_eq!(body["event"], "test", "{letter}");
    assert_eq!(body["attempts"], 6, "{letter}");
    assert_eq!(
        letters.len(),
        1,
        "only the exhausted delivery: {letters:#?}"
    );

    // An event now reaches the enabled channels only: the import's end goes to the two
    // working receivers, not to the disabled ones.
    let import = api(&stack, browser, "POST", "/api/imports", Some(json!({})));
    assert_eq!(import.status, 201, "{}", import.body);
    let import_id = import.json()["id"].as_i64().expect("id");
    let finished = api(
        &stack,
        browser,
        "POST",
        &format!("/api/imports/{import_id}/finish"),
        None,
    );
    assert_eq!(finished.status, 200, "{}", finished.body);
    wait_for(&stack, "flaky", "import_finished", 1);
    wait_for(&stack, "busy", "import_finished", 1);
    let rows = raised(&stack, browser, "import_finished");
    let channels: Vec<&Value> = rows.iter().map(|row| &row["channel_id"]).collect();
    assert_eq!(rows.len(), 2, "only the enabled channels: {rows:#?}");
    assert!(
        !channels.contains(&&json!(down)) && !channels.contains(&&json!(gone)),
        "{rows:#?}"
    );

    // The receiver is back: a test still goes to the disabled channel and enables it.
    stack.configure_sink("down", json!({ "default_status": 200 }));
    send_test(&stack, browser, down);
    let received = wait_for(&stack, "down", "test", 1);
    assert_eq!(received.len(), 7, "{}", show(&received));
    assert_ne!(received[6]["headers"]["webhook-id"], id, "a new delivery");
    let enabled = stack.wait_until(DELIVERY, "the test enables the channel", || {
        let channel = channel(&stack, browser, down);
        if channel["enabled"] == 1 {
            Ok(channel)
        } else {
            Err(channel)
        }
    });
    assert!(enabled["disabled_reason"].is_null(), "{enabled}");
    assert!(!enabled["last_delivered_at"].is_null(), "{enabled}");

    // The daily limit counts events (tests included): at the limit a test is refused.
    let today = stack.d1(&format!(
        "SELECT count(DISTINCT event_key) AS n FROM notification_outbox WHERE user_id = {}",
        sql_text(&dee.id)
    ))[0]["n"]
        .as_i64()
        .expect("a count");
    assert_eq!(today, 6, "four tests, the import, the second test");
    let saved = api(
        &stack,
        browser,
        "POST",
        "/api/notifications/settings",
        Some(json!({ "daily_limit": today })),
    );
    assert_eq!(saved.status, 200, "{}", saved.body);
    let refused = api(
        &stack,
        browser,
        "POST",
        &format!("/api/notifications/channels/{flaky}/test"),
        None,
    );
    assert_eq!(refused.status, 429, "{}", refused.body);
    assert_eq!(refused.json()["error"]["code"], "daily_limit_reached");

    assert_each_delivered_once(&stack, browser, &["flaky", "down", "busy", "gone"]);
    assert_eq!(stack.sink("gone").len(), 1, "{}", show(&stack.sink("gone")));
}

// ---------------------------------------------------------------------------------------
// Channels

/// Bad URLs are refused with a 400 that says why and store nothing; writes need the
/// session and the site's Origin; another user cannot touch a channel; a channel's URL,
/// ntfy token and signing secret are never shown back (only the hint), nor stored in the
/// clear; settings out of range are refused; channels are deleted by either route; ten
/// at most.
#[test]
fn bad_channel_urls_are_refused_and_no_url_or_secret_is_ever_shown_back() {
    let stack = Stack::start();
    let eve = connect(&stack, "eve", 2);
    let browser = &eve.browser;

    // Who may write.
    let anonymous = stack.browser();
    let reply = anonymous.get("/api/notifications");
    assert_eq!(reply.status, 401, "{}", reply.body);
    let body = json!({ "kind": "webhook", "url": stack.sink_url("eve") });
    let reply = api(
        &stack,
        &anonymous,
        "POST",
        "/api/notifications/channels",
        Some(body.clone()),
    );
    assert_eq!(
        (reply.status, reply.json()["error"]["code"].clone()),
        (401, json!("not_logged_in"))
    );
    let reply = stack.http(
        "POST",
        &format!("{}/api/notifications/channels", stack.worker_url),
        &[(
            "Cookie",
            format!(
                "stm_session={}",
                browser.cookie("stm_session").expect("a session")
            ),
        )],
        Some(("application/json", body.to_string())),
    );
    assert_eq!(
        (reply.status, reply.json()["error"]["code"].clone()),
        (403, json!("forbidden_origin")),
        "a write without the site's Origin"
    );

    let loopback_root = format!("{}/", stack.sim_url);
    let cases: Vec<(Value, &str)> = vec![
        (
            json!({ "kind": "webhook", "url": "ftp://example.com/x" }),
            "https://",
        ),
        (
            json!({ "kind": "webhook", "url": "http://example.com/x" }),
            "https://",
        ),
        (
            json!({ "kind": "webhook", "url": "https://10.0.0.1/x" }),
            "private network",
        ),
        (
            json!({ "kind": "webhook", "url": "https://192.168.1.20/hook" }),
            "private network",
        ),
        (
            json!({ "kind": "webhook", "url": "https://169.254.169.254/latest/meta-data" }),
            "private network",
        ),
        (
            json!({ "kind": "webhook", "url": "https://[fd00::1]/x" }),
            "private network",
        ),
        (
            json!({ "kind": "webhook", "url": "https://printer.local/x" }),
            "private network",
        ),
        (
            json!({ "kind": "discord", "url": "https://example.com/api/webhooks/1/abc" }),
            "Discord",
        ),
        (
            json!({ "kind": "discord", "url": "https://discord.com/channels/1/2" }),
            "Discord",
        ),
        (
            json!({ "kind": "webhook", "url": "" }),
            "Give the channel's URL",
        ),
        (json!({ "kind": "webhook" }), "Give the channel's URL"),
        (
            json!({ "kind": "webhook", "url": "   " }),
            "Give the channel's URL",
        ),
        (
            json!({ "kind": "email", "url": "https://example.com/x" }),
            "kind must be",
        ),
        (json!({ "url": "https://example.com/x" }), "kind must be"),
        (
            json!({ "kind": "ntfy", "url": "https://ntfy.example.com/" }),
            "topic",
        ),
        (json!({ "kind": "ntfy", "url": loopback_root }), "topic"),
        (
            json!({ "kind": "webhook", "url": "https://user:pw@example.com/x" }),
            "user name or password",
        ),
        (
            json!({ "kind": "webhook", "url": "https://example.com/x#part" }),
            "fragment",
        ),
        (
            json!({ "kind": "webhook", "url": "not a url" }),
            "not a valid absolute URL",
        ),
        (
            json!({ "kind": "webhook", "url": "https://example.com/x", "token": "abc" }),
            "Only an ntfy channel",
        ),
        (
            json!({ "kind": "ntfy", "url": "https://ntfy.example.com/t", "token": "has space" }),
            "printable ASCII",
        ),
        (
            json!({ "kind": "webhook", "url": format!("https://example.com/{}", "a".repeat(2_100)) }),
            "too long",
        ),
        (json!([1, 2]), "Send a JSON object"),
    ];
    let mut failures = Vec::new();
    for (body, says) in &cases {
        let reply = api(
            &stack,
            browser,
            "POST",
            "/api/notifications/channels",
            Some(body.clone()),
        );
        let answer: Value = serde_json::from_str(&reply.body).unwrap_or(Value::Null);
        let message = answer["error"]["message"].as_str().unwrap_or_default();
        if reply.status != 400
            || answer["error"]["code"] != "invalid_channel"
            || !message.contains(says)
        {
            failures.push(format!(
                "{body} -> {} {} (expected 400 invalid_channel saying {says:?})",
                reply.status, reply.body
            ));
        }
    }
    assert!(failures.is_empty(), "refusals:\n{}", failures.join("\n"));
    // The dashboard's form gets a page that says why.
    let form = browser.post(
        "/api/notifications/channels",
        "kind=webhook&url=ftp%3A%2F%2Fexample.com%2Fx",
    );
    assert_eq!(form.status, 400, "{}", form.body);
    assert!(
        form.body.contains("Not saved") && form.body.contains("https://"),
        "{}",
        form.body
    );
    let listed = overview(&stack, browser);
    assert_eq!(
        listed["channels"],
        json!([]),
        "nothing refused was stored: {listed}"
    );

    // Settings out of range.
    for (body, says) in [
        (json!({ "failing_after_hours": 0 }), "between 1 and 168"),
        (json!({ "failing_after_hours": 169 }), "between 1 and 168"),
        (json!({ "failing_after_hours": 1.5 }), "whole number"),
        (json!({ "daily_limit": 0 }), "between 1 and 100"),
        (json!({ "daily_limit": 101 }), "between 1 and 100"),
        (json!({ "notify_gaps": "yes" }), "true or false"),
    ] {
        let reply = api(
            &stack,
            browser,
            "POST",
            "/api/notifications/settings",
            Some(body.clone()),
        );
        let answer = reply.json();
        assert_eq!(reply.status, 400, "{body}: {}", reply.body);
        assert_eq!(
            answer["error"]["code"], "invalid_settings",
            "{body}: {answer}"
        );
        assert!(
            answer["error"]["message"]
                .as_str()
                .is_some_and(|message| message.contains(says)),
            "{body}: {answer}"
        );
    }
    assert_eq!(
        overview(&stack, browser)["settings"],
        json!({ "failing_after_hours": 6, "notify_gaps": false, "daily_limit": 10 }),
        "the defaults stand"
    );

    // Three good channels, with a secret path, a token and a signing secret.
    let hook_sink = "eve-hook-5ecret-path";
    let hook_url = stack.sink_url(hook_sink);
    let webhook = add_channel(
        &stack,
        browser,
        json!({ "kind": "webhook", "url": hook_url }),
    );
    let secret = webhook["signing_secret"]
        .as_str()
        .expect("a signing secret")
        .to_owned();
    stack.configure_sink(hook_sink, json!({ "secret": secret }));
    let ntfy_url = format!("{}/eve-topic-x7q", stack.sink_url("eve-ntfy"));
    let token = "tk_e2e_d0-not-show-me";
    let ntfy = add_channel(
        &stack,
        browser,
        json!({ "kind": "ntfy", "url": ntfy_url, "token": token }),
    );
    assert!(ntfy.get("signing_secret").is_none(), "{ntfy}");
    let discord_url = stack.sink_url("eve-discord-9zk");
    let discord = add_channel(
        &stack,
        browser,
        json!({ "kind": "discord", "url": discord_url }),
    );
    assert_eq!(
        webhook["channel"]["target_hint"],
        format!("{}/…path", stack.sim_url),
        "the origin and the last four characters: {webhook}"
    );
    assert_eq!(
        ntfy["channel"]["target_hint"],
        format!("{}/…-x7q", stack.sim_url),
        "{ntfy}"
    );

    // The webhook's secret works: its test arrives signed.
    let hook_id = webhook["channel"]["id"].as_i64().expect("id");
    send_test(&stack, browser, hook_id);
    let received = wait_for(&stack, hook_sink, "test", 1);
    let test = only(&received, "test");
    assert_webhook(&stack, &test, Some(&eve.id));
    assert_eq!(test["json"]["message"], TEST_MESSAGE, "{test:#}");
    assert_eq!(data(&test), json!({ "channel": "webhook" }), "{test:#}");

    let listed = browser.get("/api/notifications");
    let page = browser.get("/");
    let stored = stack.d1("SELECT target_enc FROM notification_channels");
    let stored = serde_json::to_string(&stored).expect("json");
    for secret_part in [
        hook_url.as_str(),
        hook_sink,
        ntfy_url.as_str(),
        "eve-topic",
        token,
        discord_url.as_str(),
        "eve-discord",
        secret.as_str(),
        secret.trim_start_matches("whsec_"),
    ] {
        assert!(
            !listed.body.contains(secret_part),
            "the API shows {secret_part:?}: {}",
            listed.body
        );
        assert!(
            !page.body.contains(secret_part),
            "the dashboard shows {secret_part:?}"
        );
        assert!(
            !stored.contains(secret_part),
            "D1 holds {secret_part:?} in the clear"
        );
    }
    let channels = listed.json()["channels"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(channels.len(), 3, "{channels:#?}");
    for listed in &channels {
        assert!(
            listed["target_hint"]
                .as_str()
                .is_some_and(|hint| hint.contains("/…")),
            "{listed}"
        );
        assert_eq!(listed["enabled"], 1, "{listed}");
    }

    // Another user can neither test nor delete eve's channel.
    let fay = connect(&stack, "fay", 1);
    for (method, path) in [
        (
            "POST",
            format!("/api/notifications/channels/{hook_id}/test"),
        ),
        (
            "POST",
            format!("/api/notifications/channels/{hook_id}/delete"),
        ),
        ("DELETE", format!("/api/notifications/channels/{hook_id}")),
    ] {
        let reply = api(&stack, &fay.browser, method, &path, None);
        assert_eq!(
            reply.status, 404,
            "{method} {path} by another user: {}",
            reply.body
        );
    }
    assert_eq!(overview(&stack, &fay.browser)["channels"], json!([]));

    // Deleting: DELETE and POST …/delete; a second time is a 404.
    let ntfy_id = ntfy["channel"]["id"].as_i64().expect("id");
    let discord_id = discord["channel"]["id"].as_i64().expect("id");
    let deleted = api(
        &stack,
        browser,
        "DELETE",
        &format!("/api/notifications/channels/{ntfy_id}"),
        None,
    );
    assert_eq!(
        (deleted.status, deleted.json()),
        (200, json!({ "deleted": ntfy_id }))
    );
    let deleted = api(
        &stack,
        browser,
        "POST",
        &format!("/api/notifications/channels/{discord_id}/delete"),
        None,
    );
    assert_eq!(
        (deleted.status, deleted.json()),
        (200, json!({ "deleted": discord_id }))
    );
    let again = api(
        &stack,
        browser,
        "DELETE",
        &format!("/api/notifications/channels/{ntfy_id}"),
        None,
    );
    assert_eq!(again.status, 404, "{}", again.body);
    let ids: Vec<Value> = overview(&stack, browser)["channels"]
        .as_array()
        .map(|channels| {
            channels
                .iter()
                .map(|channel| channel["id"].clone())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(ids, vec![json!(hook_id)]);

    // Ten channels at most.
    for n in 1..10 {
        add_channel(
            &stack,
            browser,
            json!({ "kind": "webhook", "url": stack.sink_url(&format!("eve-{n}")) }),
        );
    }
    let eleventh = api(
        &stack,
        browser,
        "POST",
        "/api/notifications/channels",
        Some(json!({ "kind": "webhook", "url": stack.sink_url("eve-11") })),
    );
    assert_eq!(eleventh.status, 409, "{}", eleventh.body);
    assert_eq!(eleventh.json()["error"]["code"], "too_many_channels");

    assert_each_delivered_once(&stack, browser, &[hook_sink]);
}

// ---------------------------------------------------------------------------------------
// A person in a browser

fn screenshots() -> PathBuf {
    e2e::workspace_root().join("target").join("e2e-screenshots")
}

/// A person adds an ntfy channel with a token on the dashboard, goes back and presses
/// "Send a test": the topic receives the test as ntfy wants it (text, Title, Priority,
/// Tags, Click and the bearer token), and the dashboard then shows the channel working.
/// A Discord channel (added through the API) receives Discord's JSON.
#[test]
fn a_person_adds_an_ntfy_channel_in_a_browser_and_it_receives_the_test() {
    let stack = Stack::start();
    stack.create_user("gil", 0.0, 0.0);
    stack.inject("gil", 3, 60_000);
    let chrome = Chromium::start(&stack.dir().join("downloads"));
    stack.connect_in_browser(&chrome, "gil");

    let topic = format!("{}/alerts", stack.sink_url("gil-ntfy"));
    let token = "tk_gil_e2e_3x4mple";
    chrome.wait_for(By::Css("#add-channel"), PAGE);
    chrome.select_value("#channel-kind", "ntfy");
    chrome.execute(
        "document.querySelector('#channel-url').value = arguments[0];\
         document.querySelector('#channel-token').value = arguments[1];",
        json!([topic, token]),
    );
    let add = chrome.wait_for(By::Css("#add-channel-button"), PAGE);
    chrome.click(&add);
    chrome.wait_until("the Worker says the channel is added", PAGE, |chrome| {
        chrome.text_of_page().contains("Channel added")
    });
    let page = chrome.text_of_page();
    assert!(page.contains("The ntfy channel"), "{page}");
    assert!(
        !page.contains(token) && !page.contains(&topic),
        "the page shows the target: {page}"
    );
    chrome.screenshot(&screenshots().join("notifications-channel-added.png"));
    let back = chrome.wait_for(By::Css("main a.button"), PAGE);
    chrome.click(&back);
    chrome.wait_for(By::Css("#channels"), PAGE);
    let button = chrome
        .execute(
            "const b = document.querySelector('[id^=\"test-channel-\"]'); return b ? b.id : null",
            json!([]),
        )
        .as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| panic!("no test button: {}", chrome.text_of_page()));
    let channel_id = button.trim_start_matches("test-channel-").to_owned();
    let test = chrome.wait_for(By::Css(&format!("#{button}")), PAGE);
    chrome.click(&test);
    chrome.wait_for(By::Css("#channels"), PAGE);

    let received = wait_for(&stack, "gil-ntfy", "Test notification", 1);
    let delivery = only(&received, "Test notification");
    let headers = &delivery["headers"];
    assert_eq!(delivery["method"], "POST", "{delivery:#}");
    assert_eq!(delivery["path"], "/sinks/gil-ntfy/alerts", "{delivery:#}");
    assert_eq!(delivery["body"], TEST_MESSAGE, "{delivery:#}");
    assert_eq!(
        headers["authorization"],
        format!("Bearer {token}"),
        "{delivery:#}"
    );
    assert_eq!(headers["priority"], "default", "{delivery:#}");
    assert_eq!(headers["tags"], "headphones", "{delivery:#}");
    assert_eq!(
        headers["click"],
        format!("{}/", stack.worker_url),
        "{delivery:#}"
    );
    assert!(
        headers["content-type"]
            .as_str()
            .is_some_and(|kind| kind.starts_with("text/plain")),
        "{delivery:#}"
    );
    assert!(
        headers["idempotency-key"]
            .as_str()
            .is_some_and(|key| key.starts_with("stm-")),
        "{delivery:#}"
    );
    assert!(
        headers.get("webhook-signature").is_none(),
        "ntfy is not signed: {delivery:#}"
    );

    // The dashboard shows the channel working.
    chrome.wait_until("the dashboard shows the channel working", PAGE, |chrome| {
        chrome.goto(&stack.worker_url);
        chrome.wait_for(By::Css("#channels"), PAGE);
        chrome
            .execute(
                "const e = document.querySelector(arguments[0]); return e ? e.textContent : ''",
                json!([format!("#channel-{channel_id}")]),
            )
            .as_str()
            .is_some_and(|text| text.contains("working, last delivery"))
    });
    let page = chrome.text_of_page();
    assert!(
        page.contains("test: delivered"),
        "the recent deliveries: {page}"
    );
    chrome.screenshot(&screenshots().join("notifications-dashboard.png"));

    // A Discord channel on the same account, through the API.
    let api_session = stack.login("gil");
    let discord = add_channel(
        &stack,
        &api_session,
        json!({ "kind": "discord", "url": stack.sink_url("gil-discord") }),
    );
    send_test(
        &stack,
        &api_session,
        discord["channel"]["id"].as_i64().expect("id"),
    );
    let received = stack.wait_until(DELIVERY, "the Discord sink receives the test", || {
        let received = stack.sink("gil-discord");
        if received.iter().any(|d| d["status"] == 200) {
            Ok(received)
        } else {
            Err(Seen(show(&received)))
        }
    });
    assert_eq!(received.len(), 1, "{}", show(&received));
    let delivery = &received[0];
    assert_eq!(
        delivery["json"],
        json!({
            "username": "Spotify Time Machine",
            "content": format!("**Test notification**\n{TEST_MESSAGE}\n{}/", stack.worker_url),
            "allowed_mentions": { "parse": [] },
        }),
        "{delivery:#}"
    );
    assert_eq!(
        delivery["headers"]["content-type"], "application/json",
        "{delivery:#}"
    );
    assert_each_delivered_once(&stack, &api_session, &["gil-ntfy", "gil-discord"]);
}

// ---------------------------------------------------------------------------------------
// The operator

/// The operator's sink, signed with the stack's operator secret, hears each of its
/// events once: archive jobs that reached the dead-letter queue, Spotify resting the
/// whole app (two users hit the quota in one message: one alert; a later archive while
/// resting: none), and a sweep 20 minutes old seen by two health checks.
#[test]
fn the_operator_hears_of_dead_letters_the_quota_rest_and_a_stale_sweep_once_each() {
    let stack = Stack::start();
    let operator = e2e::OPERATOR_SINK;
    stack.configure_sink(operator, json!({ "secret": stack.operator_secret() }));
    let dl = connect(&stack, "dl", 2);
    let q1 = connect(&stack, "q1", 2);
    let q2 = connect(&stack, "q2", 2);

    // A job Spotify rate-limits on every delivery: five retries, then the DLQ.
    stack.fault(
        dl.sim_user,
        json!({ "kind": "rate_limit", "endpoint": "recently_played", "retry_after_secs": 1 }),
    );
    stack.enqueue_job(&json!({
        "users": [{ "user_id": dl.id, "slot": format!("archive_{}_e2e_dead", dl.id), "manual": true }],
        "enqueued_at": now_ms(),
    }));
    let letter = stack.wait_until(
        Duration::from_secs(150),
        "the job reaches the dead letters",
        || {
            let reply = stack.admin_get("/api/admin/dead-letters");
            match reply.json()["dead_letters"]
                .as_array()
                .and_then(|letters| letters.first())
            {
                Some(letter) => Ok(letter.clone()),
                None => Err(stack.archive_outcomes(&dl.id)),
            }
        },
    );
    let received = wait_for(&stack, operator, "dead_letters", 1);
    let alert = only(&received, "dead_letters");
    assert_webhook(&stack, &alert, None);
    assert_eq!(
        data(&alert),
        json!({ "queue": "stm-archive-dlq", "messages": 1, "first_message_id": letter["message_id"] }),
        "{alert:#}"
    );
    assert_eq!(alert["json"]["links"]["login"], Value::Null, "{alert:#}");
    stack.clear_faults(dl.sim_user);

    // The app's quota is spent: both users of one message hear 429 QUOTA_EXCEEDED.
    for user in [&q1, &q2] {
        stack.fault(
            user.sim_user,
            json!({ "kind": "quota_exceeded", "endpoint": "recently_played", "retry_after_secs": 120, "times": 1 }),
        );
    }
    let resting_before =
        [&q1, &q2].map(|user| count(&stack.archive_outcomes(&user.id), "app_resting"));
    let before = now_ms();
    let users: Vec<Value> = [&q1, &q2]
        .iter()
        .map(|user| json!({ "user_id": user.id, "slot": format!("archive_{}_e2e_quota", user.id), "manual": true }))
        .collect();
    stack.enqueue_job(&json!({ "users": users, "enqueued_at": before }));
    for (user, before) in [&q1, &q2].iter().zip(resting_before) {
        wait_for_outcome(&stack, &user.id, "app_resting", before);
    }
    let after = now_ms();
    let received = wait_for(&stack, operator, "app_quota_rest", 1);
    let alert = only(&received, "app_quota_rest");
    assert_webhook(&stack, &alert, None);
    let until = data(&alert)["until"].as_i64().unwrap_or_default();
    assert!(
        (before + 120 * SECOND_MS..=after + 120 * SECOND_MS).contains(&until),
        "resting for Retry-After (120 s) from the 429: {alert:#}"
    );
    let health = stack
        .http(
            "GET",
            &format!("{}/api/health", stack.worker_url),
            &[],
            None,
        )
        .json();
    assert_eq!(health["spotify"]["app_resting_until"], until, "{health}");
    // A later archive while the app rests polls nobody and raises nothing.
    let calls = stack.stats(q1.sim_user).recently_played_calls;
    let resting = count(&stack.archive_outcomes(&q1.id), "app_resting");
    stack.archive_now(&q1.id);
    wait_for_outcome(&stack, &q1.id, "app_resting", resting);
    assert_eq!(
        stack.stats(q1.sim_user).recently_played_calls,
        calls,
        "nobody polled"
    );

    // The last sweep started 20 minutes ago: two health checks, one alert.
    let summary = stack.sweep();
    assert!(summary["error"].is_null(), "{summary}");
    let stale_at = now_ms() - 20 * 60_000;
    let rows = stack.d1(&format!(
        "UPDATE sweeps SET started_at = {stale_at} WHERE id = (SELECT max(id) FROM sweeps); \
         SELECT started_at FROM sweeps ORDER BY started_at DESC LIMIT 1"
    ));
    assert_eq!(rows, vec![json!({ "started_at": stale_at })]);
    for _ in 0..2 {
        let reply = stack.http(
            "GET",
            &format!("{}/api/health", stack.worker_url),
            &[],
            None,
        );
        assert_eq!(reply.json()["sweep_stale"], true, "{}", reply.body);
    }
    let received = wait_for(&stack, operator, "sweep_stale", 1);
    let alert = only(&received, "sweep_stale");
    assert_webhook(&stack, &alert, None);
    assert_eq!(
        data(&alert),
        json!({ "last_sweep_at": stale_at }),
        "{alert:#}"
    );
    let message = alert["json"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("(20 minutes)"), "{message}");

    // Everything the operator was told, settled and received once.
    let outbox = stack.wait_until(DELIVERY, "the operator's deliveries are settled", || {
        let rows = stack.d1(
            "SELECT id, event, attempts, delivered_at IS NOT NULL AS delivered, relay_at \
               FROM notification_outbox WHERE channel_id = 0 ORDER BY id",
        );
        if rows.iter().all(|row| row["relay_at"].is_null()) {
            Ok(rows)
        } else {
            Err(rows)
        }
    });
    let received = stack.sink(operator);
    let kinds: Vec<String> = received.iter().map(kind_of).collect();
    assert_eq!(
        kinds,
        ["dead_letters", "app_quota_rest", "sweep_stale"],
        "{}",
        show(&received)
    );
    let keys: Vec<String> = received
        .iter()
        .map(|d| {
            d["headers"]["idempotency-key"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    let rows: Vec<String> = outbox
        .iter()
        .map(|row| format!("stm-{}", row["id"]))
        .collect();
    assert_eq!(keys, rows, "one request per outbox row: {outbox:#?}");
    assert!(
        outbox
            .iter()
            .all(|row| row["delivered"] == 1 && row["attempts"] == 1),
        "{outbox:#?}"
    );
}
