//! The archive end to end through the core: the twins for D1 and KV, and the Spotify
//! simulator's real routes and wire format behind the HTTP client, on a manual clock.

use std::collections::BTreeSet;

use futures::executor::block_on;
use serde_json::json;
use support::{int, World};
use time_machine::engine::archive::{decide, ArchiveOutcome, MessageDecision, REFRESH_BUFFER_MS};
use time_machine::engine::breaker::FailureKind;
use time_machine::engine::gaps::{Gap, GapReason};
use time_machine::engine::job::ArchiveJob;
use time_machine::time::{HOUR_MS, MINUTE_MS, SECOND_MS};

/// A listener whose only plays are the ones a test injects.
fn silent() -> serde_json::Value {
    json!({ "plays_per_hour": 0, "history_hours": 0 })
}

fn archived_ok(outcome: &ArchiveOutcome) -> bool {
    matches!(outcome, ArchiveOutcome::Archived { .. })
}

// ---------------------------------------------------------------------------------------
// Completeness

#[test]
fn a_first_archive_backfills_the_newest_fifty_plays() {
    let world = World::new();
    world.create_listener(
        "alice",
        json!({ "plays_per_hour": 20, "history_hours": 24 }),
    );
    let alice = world.connect("alice");
    let truth = world.truth("alice");
    assert!(truth.len() > 100, "a day of history: {}", truth.len());

    let outcome = world.archive(&alice.user_id);

    let newest_fifty: BTreeSet<_> = truth.iter().rev().take(50).cloned().collect();
    assert_eq!(
        outcome,
        ArchiveOutcome::Archived {
            plays_seen: 50,
            plays_inserted: 50,
            gap: None,
            spotify_calls: 1
        }
    );
    assert_eq!(world.archived(&alice.user_id), newest_fifty);
    let newest = truth.iter().next_back().map(|(played_at, _)| *played_at);
    assert_eq!(int(&world.user_row(&alice.user_id), "cursor_after"), newest);
}

#[test]
fn successive_archives_at_varied_rates_end_with_exactly_the_truth() {
    let world = World::new();
    // Under an hour of history each, so the first archive reaches back to the first play.
    let rates = [("slow", 6), ("steady", 22), ("busy", 38)];
    for (index, (name, rate)) in rates.iter().enumerate() {
        world.create_listener(
            name,
            json!({ "plays_per_hour": rate, "history_hours": 1, "seed": index + 10 }),
        );
    }
    let users: Vec<_> = rates.iter().map(|(name, _)| world.connect(name)).collect();
    // Irregular intervals, none long enough for 50 plays of the busiest listener.
    let intervals_min = [
        0, 3, 17, 60, 41, 9, 55, 30, 60, 1, 25, 48, 60, 12, 36, 5, 60,
    ];
    for (step, minutes) in intervals_min.iter().enumerate() {
        world.advance(minutes * MINUTE_MS);
        if step % 4 == 2 {
            // A burst of skips on top of the slow listener's stream.
            world.inject("slow", 20, world.now() - SECOND_MS, 35 * SECOND_MS);
        }
        for user in &users {
            let outcome = world.archive(&user.user_id);
            assert!(
                archived_ok(&outcome),
                "{} at step {step}: {outcome:?}",
                user.sim_id
            );
        }
    }
    for user in &users {
        let truth = world.truth(&user.sim_id);
        assert!(truth.len() > 40, "{}: {} plays", user.sim_id, truth.len());
        assert_eq!(
            world.archived(&user.user_id),
            truth,
            "{} archive differs from the truth",
            user.sim_id
        );
        assert!(world.gaps(&user.user_id).is_empty(), "{}", user.sim_id);
    }
}

#[test]
fn a_play_that_appears_late_with_an_older_time_is_still_archived() {
    let world = World::new();
    world.create_listener("lat", silent());
    world.inject("lat", 5, world.now() - MINUTE_MS, 3 * MINUTE_MS);
    let lat = world.connect("lat");
    assert!(archived_ok(&world.archive(&lat.user_id)));
    let cursor = int(&world.user_row(&lat.user_id), "cursor_after").expect("a cursor");

    // Spotify shows a play that ended before the cursor only now, after newer ones.
    world.advance(20 * MINUTE_MS);
    world.inject("lat", 1, cursor - 2 * MINUTE_MS, MINUTE_MS);
    world.inject("lat", 2, world.now() - SECOND_MS, MINUTE_MS);
    let outcome = world.archive(&lat.user_id);

    assert!(
        matches!(
            outcome,
            ArchiveOutcome::Archived {
                plays_inserted: 3,
                gap: None,
                ..
            }
        ),
        "{outcome:?}"
    );
    assert_eq!(world.archived(&lat.user_id), world.truth("lat"));
}

#[test]
fn a_burst_of_sixty_plays_between_two_archives_records_one_gap() {
    let world = World::new();
    world.create_listener("bo", silent());
    world.inject("bo", 5, world.now() - MINUTE_MS, 3 * MINUTE_MS);
    let bo = world.connect("bo");
    assert!(archived_ok(&world.archive(&bo.user_id)));
    let cursor = int(&world.user_row(&bo.user_id), "cursor_after").expect("a cursor");

    world.advance(50 * MINUTE_MS);
    let burst = world.inject("bo", 60, world.now() - SECOND_MS, 30 * SECOND_MS);
    let oldest_on_page = burst[10];
    let outcome = world.archive(&bo.user_id);

    assert_eq!(
        outcome,
        ArchiveOutcome::Archived {
            plays_seen: 50,
            plays_inserted: 50,
            gap: Some(Gap {
                from: cursor,
                to: oldest_on_page,
                reason: GapReason::WindowOverflow
            }),
            spotify_calls: 1
        }
    );
    let gap = (cursor, oldest_on_page, "window_overflow".to_owned());
    assert_eq!(world.gaps(&bo.user_id), std::slice::from_ref(&gap));
    // The ten oldest of the burst scrolled out of reach; everything else is kept.
    let archived = world.archived(&bo.user_id);
    let truth = world.truth("bo");
    let lost: BTreeSet<_> = truth.difference(&archived).map(|(at, _)| *at).collect();
    assert_eq!(lost, burst[..10].iter().copied().collect());

    world.advance(10 * MINUTE_MS);
    assert!(archived_ok(&world.archive(&bo.user_id)));
    assert_eq!(
        world.gaps(&bo.user_id),
        [gap],
        "the next archive adds no gap"
    );
}

#[test]
fn a_listener_silent_since_login_who_overflows_the_window_gets_a_gap() {
    let world = World::new();
    world.create_listener("ari", silent());
    let ari = world.connect("ari");
    assert!(archived_ok(&world.archive(&ari.user_id)));
    let watched_since = world.now();
    assert_eq!(
        int(&world.user_row(&ari.user_id), "cursor_after"),
        None,
        "no play yet"
    );

    // The first plays ever come faster than the window holds.
    world.advance(40 * MINUTE_MS);
    let burst = world.inject("ari", 60, world.now() - SECOND_MS, 30 * SECOND_MS);
    let outcome = world.archive(&ari.user_id);

    assert!(
        matches!(
            outcome,
            ArchiveOutcome::Archived {
                plays_inserted: 50,
                gap: Some(Gap {
                    reason: GapReason::WindowOverflow,
                    ..
                }),
                ..
            }
        ),
        "{outcome:?}"
    );
    assert_eq!(
        world.gaps(&ari.user_id),
        [(watched_since, burst[10], "window_overflow".to_owned())],
        "the lost plays are recorded, from the last poll that saw none"
    );
}

// ---------------------------------------------------------------------------------------
// Idempotency

#[test]
fn the_same_job_delivered_twice_writes_once_and_calls_spotify_once() {
    let world = World::new();
    world.create_listener("cy", json!({ "plays_per_hour": 20, "history_hours": 2 }));
    let cy = world.connect("cy");
    let job = ArchiveJob {
        shard: 0,
        users: vec![world.scheduled_job(&cy.user_id)],
        enqueued_at: world.now(),
    };

    let first = world.archive_job(&job);
    assert!(archived_ok(&first.outcomes[0].1));
    let after_first = (world.archived(&cy.user_id), world.stats("cy"));

    // New plays exist, so a second Spotify call would have found something to write.
    world.advance(2 * MINUTE_MS);
    world.inject("cy", 3, world.now() - SECOND_MS, 31 * SECOND_MS);
    let second = world.archive_job(&job);

    assert_eq!(second.outcomes[0].1, ArchiveOutcome::AlreadyArchived);
    assert_eq!(second.decision, MessageDecision::Ack);
    assert_eq!(
        (world.archived(&cy.user_id), world.stats("cy")),
        after_first
    );
}

#[test]
fn a_slot_that_cannot_be_marked_is_logged_and_the_plays_are_archived_all_the_same() {
    let world = World::new();
    world.create_listener("cy", json!({ "plays_per_hour": 20, "history_hours": 2 }));
    let cy = world.connect("cy");
    world.kv.refuse_writes(true);

    let report = world.archive_job(&ArchiveJob {
        shard: 0,
        users: vec![world.scheduled_job(&cy.user_id)],
        enqueued_at: world.now(),
    });

    assert!(archived_ok(&report.outcomes[0].1), "{report:?}");
    assert_eq!(report.decision, MessageDecision::Ack);
    let lines = world.log.events("slot_unmarked");
    assert_eq!(lines.len(), 1, "{:?}", world.log.lines());
    assert_eq!(lines[0]["level"], "warn");
    assert_eq!(lines[0]["user"], cy.user_id.as_str());
    assert!(lines[0]["error"]
        .as_str()
        .is_some_and(|error| error.contains("limit")));
}

#[test]
fn the_same_job_twice_in_one_batch_calls_spotify_once() {
    let world = World::new();
    world.create_listener("ed", json!({ "plays_per_hour": 20, "history_hours": 2 }));
    let ed = world.connect("ed");
    let job = ArchiveJob {
        shard: 0,
        users: vec![world.scheduled_job(&ed.user_id)],
        enqueued_at: world.now(),
    };
    let calls_before = world.stats("ed").recently_played;

    // Both copies run at once: neither could see the other's KV key in time.
    let reports = futures::executor::block_on(
        world
            .archiver()
            .archive_batch(&[job.clone(), job], world.now()),
    );

    assert!(archived_ok(&reports[0].outcomes[0].1));
    assert_eq!(reports[1].outcomes[0].1, ArchiveOutcome::AlreadyArchived);
    assert!(reports
        .iter()
        .all(|report| report.decision == MessageDecision::Ack));
    assert_eq!(world.stats("ed").recently_played, calls_before + 1);
}

#[test]
fn a_redelivery_after_the_slot_is_lost_is_recognised_by_the_users_state() {
    let world = World::new();
    world.create_listener("di", json!({ "plays_per_hour": 20, "history_hours": 2 }));
    let di = world.connect("di");
    let job = ArchiveJob {
        shard: 0,
        users: vec![world.scheduled_job(&di.user_id)],
        enqueued_at: world.now(),
    };
    world.archive_job(&job);
    let plays = world.archived(&di.user_id);
    let calls = world.stats("di").recently_played;

    // KV lost the slot: the user's last success, after the job was made, still says
    // the scheduled poll ran.
    world.kv.clear();
    let again = world.archive_job(&job);
    assert_eq!(again.outcomes[0].1, ArchiveOutcome::AlreadyArchived);
    assert_eq!(world.stats("di").recently_played, calls);

    // A manual job runs whatever the state: at worst one call, never a row.
    let manual = ArchiveJob {
        shard: 0,
        users: vec![time_machine::engine::job::JobUser::new(
            &di.user_id,
            time_machine::engine::slot::SlotKind::Manual,
            world.now(),
        )],
        enqueued_at: world.now(),
    };
    world.archive_job(&manual);
    world.kv.clear();
    let repeated = world.archive_job(&manual);
    assert!(
        matches!(
            repeated.outcomes[0].1,
            ArchiveOutcome::Archived {
                plays_inserted: 0,
                ..
            }
        ),
        "{:?}",
        repeated.outcomes
    );
    assert_eq!(world.archived(&di.user_id), plays);
    assert_eq!(world.stats("di").recently_played, calls + 2);
}

// ---------------------------------------------------------------------------------------
// Tokens

#[test]
fn the_access_token_is_refreshed_only_within_five_minutes_of_its_expiry() {
    let world = World::new();
    world.create_listener("ed", json!({ "plays_per_hour": 20, "history_hours": 1 }));
    let ed = world.connect("ed");
    let expires_at = int(&world.user_row(&ed.user_id), "token_expires_at").expect("expiry");
    assert_eq!(expires_at, world.now() + HOUR_MS);

    world.set_time(expires_at - REFRESH_BUFFER_MS - SECOND_MS);
    assert!(archived_ok(&world.archive(&ed.user_id)));
    assert_eq!(world.stats("ed").token, 1, "only the login's code exchange");

    world.set_time(expires_at - REFRESH_BUFFER_MS);
    let outcome = world.archive(&ed.user_id);
    assert!(
        matches!(
            outcome,
            ArchiveOutcome::Archived {
                spotify_calls: 2,
                ..
            }
        ),
        "{outcome:?}"
    );
    assert_eq!(world.stats("ed").token, 2);
    assert_eq!(
        int(&world.user_row(&ed.user_id), "token_expires_at"),
        Some(world.now() + HOUR_MS),
        "the fresh access token is stored with the archive"
    );

    world.advance(20 * MINUTE_MS);
    assert!(archived_ok(&world.archive(&ed.user_id)));
    assert_eq!(world.stats("ed").token, 2, "the stored token is used again");
}

#[test]
fn a_rotated_refresh_token_is_stored_and_the_next_refresh_uses_it() {
    let world = World::new();
    world.create_listener(
        "fay",
        json!({ "plays_per_hour": 20, "history_hours": 1, "rotate_refresh_tokens": true }),
    );
    let fay = world.connect("fay");
    let original = world.stored_refresh_token(&fay.user_id);

    world.advance(HOUR_MS - MINUTE_MS);
    assert!(archived_ok(&world.archive(&fay.user_id)));
    let rotated = world.stored_refresh_token(&fay.user_id);
    assert_ne!(rotated, original);
    assert!(!world.refresh_works(&original), "the old token died");

    world.advance(HOUR_MS);
    let outcome = world.archive(&fay.user_id);
    assert!(
        matches!(
            outcome,
            ArchiveOutcome::Archived {
                spotify_calls: 2,
                ..
            }
        ),
        "the second refresh, with the stored token, works: {outcome:?}"
    );
    assert_ne!(world.stored_refresh_token(&fay.user_id), rotated);
}

#[test]
fn a_rotated_refresh_token_is_kept_even_when_the_archive_then_fails() {
    let world = World::new();
    world.create_listener(
        "gus",
        json!({ "plays_per_hour": 0, "history_hours": 0, "rotate_refresh_tokens": true }),
    );
    world.inject("gus", 5, world.now() - MINUTE_MS, 4 * MINUTE_MS);
    let gus = world.connect("gus");
    let original = world.stored_refresh_token(&gus.user_id);

    // The refresh succeeds and rotates; the recently-played call after it fails.
    world.advance(HOUR_MS - MINUTE_MS);
    world.fault(
        "gus",
        json!({ "kind": "server_error", "endpoint": "recently_played", "times": 1 }),
    );
    let outcome = world.archive(&gus.user_id);
    assert!(
        matches!(
            outcome,
            ArchiveOutcome::Failed {
                kind: FailureKind::Network,
                ..
            }
        ),
        "{outcome:?}"
    );
    assert_ne!(
        world.stored_refresh_token(&gus.user_id),
        original,
        "stored before the call that failed"
    );

    // An hour later the access token needs refreshing again: with the rotated token.
    world.advance(HOUR_MS);
    world.inject("gus", 5, world.now() - MINUTE_MS, 4 * MINUTE_MS);
    let outcome = world.archive(&gus.user_id);
    assert!(archived_ok(&outcome), "{outcome:?}");
    assert_eq!(world.archived(&gus.user_id), world.truth("gus"));
}

#[test]
fn an_expired_access_token_gets_one_refresh_and_one_retry() {
    let world = World::new();
    world.create_listener("hal", json!({ "plays_per_hour": 20, "history_hours": 1 }));
    let hal = world.connect("hal");
    let before = world.stats("hal");
    world.advance(10 * MINUTE_MS);
    world.fault("hal", json!({ "kind": "expire_access_token" }));

    let outcome = world.archive(&hal.user_id);

    assert!(
        matches!(
            outcome,
            ArchiveOutcome::Archived {
                spotify_calls: 3,
                ..
            }
        ),
        "401, refresh, retry: {outcome:?}"
    );
    let after = world.stats("hal");
    assert_eq!(after.recently_played - before.recently_played, 2);
    assert_eq!(after.token - before.token, 1);
    assert_eq!(world.archived(&hal.user_id), world.truth("hal"));
    assert_eq!(
        int(&world.user_row(&hal.user_id), "token_expires_at"),
        Some(world.now() + HOUR_MS)
    );
}

#[test]
fn a_revoked_refresh_token_stops_polling_until_a_new_login() {
    let world = World::new();
    world.create_listener("ida", json!({ "plays_per_hour": 20, "history_hours": 1 }));
    let ida = world.connect("ida");
    assert!(archived_ok(&world.archive(&ida.user_id)));
    let tokens = |world: &World| {
        let row = world.user_row(&ida.user_id);
        (
            row["access_token_enc"].clone(),
            row["refresh_token_enc"].clone(),
        )
    };
    let tokens_before = tokens(&world);

    world.advance(HOUR_MS);
    world.fault("ida", json!({ "kind": "revoke_refresh_token" }));
    world.fault("ida", json!({ "kind": "expire_access_token" }));
    assert_eq!(world.archive(&ida.user_id), ArchiveOutcome::NeedsReauth);

    let row = world.user_row(&ida.user_id);
    assert_eq!(
        (int(&row, "needs_reauth"), int(&row, "is_active")),
        (Some(1), Some(0))
    );
    assert_eq!(tokens(&world), tokens_before, "the tokens are kept");
    let far = world.now() + 7 * 24 * HOUR_MS;
    let (claimed, _) =
        block_on(world.store().claim_due_users(far, far + HOUR_MS, 100)).expect("claim");
    assert!(claimed.is_empty(), "not swept: {claimed:?}");
    assert_eq!(world.archive(&ida.user_id), ArchiveOutcome::Skipped);

    // A new login (the simulator grants a working refresh token) brings the user back.
    world.advance(3 * HOUR_MS);
    let (profile, fresh) = world.authorize("ida");
    let is_new = block_on(
        world
            .store()
            .upsert_user_on_login(&profile, &fresh, world.now()),
    )
    .expect("login stored");
    assert!(!is_new);
    let now = world.now();
    let (claimed, _) = block_on(
        world
            .store()
            .claim_due_users(now, now + 10 * MINUTE_MS, 100),
    )
    .expect("claim");
    assert_eq!(
        claimed
            .iter()
            .map(|due| due.id.as_str())
            .collect::<Vec<_>>(),
        [ida.user_id.as_str()],
        "due at once"
    );
    assert!(archived_ok(&world.archive(&ida.user_id)));
}

// ---------------------------------------------------------------------------------------
// Failures and the breaker

#[test]
fn a_rate_limit_rests_the_user_for_retry_after_without_counting_a_failure() {
    let world = World::new();
    world.create_listener("jo", json!({ "plays_per_hour": 20, "history_hours": 1 }));
    let jo = world.connect("jo");
    // One earlier failure, to see that the rate limit leaves the count alone.
    world.fault(
        "jo",
        json!({ "kind": "server_error", "endpoint": "recently_played", "times": 1 }),
    );
    world.archive(&jo.user_id);
    assert_eq!(
        int(&world.user_row(&jo.user_id), "consecutive_failures"),
        Some(1)
    );
    world.advance(10 * MINUTE_MS);

    world.fault(
        "jo",
        json!({ "kind": "rate_limit", "endpoint": "recently_played",
                "retry_after_secs": 7200, "times": 1 }),
    );
    let job = ArchiveJob {
        shard: 0,
        users: vec![world.scheduled_job(&jo.user_id)],
        enqueued_at: world.now(),
    };
    let report = world.archive_job(&job);

    let now = world.now();
    assert_eq!(
        report.outcomes[0].1,
        ArchiveOutcome::RateLimited {
            retry_after_seconds: 7200
        }
    );
    assert_eq!(
        report.decision,
        MessageDecision::Retry {
            delay_seconds: 7200
        }
    );
    let row = world.user_row(&jo.user_id);
    assert_eq!(row["last_failure_type"], json!("RATE_LIMITED"));
    assert_eq!(int(&row, "cooldown_until"), Some(now + 2 * HOUR_MS));
    assert_eq!(int(&row, "consecutive_failures"), Some(1));

    let almost = now + 2 * HOUR_MS - 1;
    let (claimed, cooling) =
        block_on(world.store().claim_due_users(almost, almost + HOUR_MS, 100)).expect("claim");
    assert_eq!((claimed.len(), cooling), (0, 1));
    let then = now + 2 * HOUR_MS;
    let (claimed, _) =
        block_on(world.store().claim_due_users(then, then + HOUR_MS, 100)).expect("claim");
    assert_eq!(claimed.len(), 1);
}

#[test]
fn a_redelivered_message_respects_each_users_breaker() {
    let world = World::new();
    for sim in ["fay", "rex", "hal"] {
        world.create_listener(sim, json!({ "plays_per_hour": 20, "history_hours": 1 }));
    }
    let (failing, limited, healthy) = (
        world.connect("fay"),
        world.connect("rex"),
        world.connect("hal"),
    );
    world.fault(
        "fay",
        json!({ "kind": "server_error", "status": 503, "endpoint": "recently_played", "times": 10 }),
    );
    world.fault(
        "rex",
        json!({ "kind": "rate_limit", "endpoint": "recently_played", "retry_after_secs": 60, "times": 1 }),
    );
    let job = ArchiveJob {
        shard: 0,
        users: [&failing, &limited, &healthy]
            .iter()
            .map(|user| world.scheduled_job(&user.user_id))
            .collect(),
        enqueued_at: world.now(),
    };

    let first = world.archive_job(&job);
    let labels = |report: &time_machine::engine::archive::JobReport| {
        report
            .outcomes
            .iter()
            .map(|(_, outcome)| outcome.label())
            .collect::<Vec<_>>()
    };
    assert_eq!(labels(&first), ["failed", "rate_limited", "archived"]);
    assert_eq!(first.decision, MessageDecision::Retry { delay_seconds: 60 });
    let failed_row = world.user_row(&failing.user_id);
    let calls_before = (
        world.stats("fay").recently_played,
        world.stats("hal").recently_played,
    );

    // The queue redelivers the message after Spotify's wait; the healthy user's slot is
    // lost too (a KV outage), so only the user state can stop a second poll of them.
    world.advance(60 * SECOND_MS);
    world.kv.clear();
    let second = world.archive_job(&job);

    assert_eq!(
        labels(&second),
        ["cooling_down", "archived", "already_archived"]
    );
    assert_eq!(second.decision, MessageDecision::Ack);
    let failed_after = world.user_row(&failing.user_id);
    assert_eq!(
        (
            int(&failed_after, "consecutive_failures"),
            int(&failed_after, "cooldown_until")
        ),
        (
            int(&failed_row, "consecutive_failures"),
            int(&failed_row, "cooldown_until")
        ),
        "the failing user's backoff does not escalate on a redelivery"
    );
    assert_eq!(
        (
            world.stats("fay").recently_played,
            world.stats("hal").recently_played
        ),
        calls_before,
        "neither the resting nor the archived user is polled again"
    );
    assert_eq!(world.archived(&limited.user_id), world.truth("rex"));

    // A manual archive runs whatever the breaker says.
    let manual = ArchiveJob {
        shard: 0,
        users: vec![time_machine::engine::job::JobUser::new(
            &failing.user_id,
            time_machine::engine::slot::SlotKind::Manual,
            world.now(),
        )],
        enqueued_at: world.now(),
    };
    assert_eq!(labels(&world.archive_job(&manual)), ["failed"]);
}

#[test]
fn the_apps_quota_rests_every_user_once_and_leaves_their_own_state_alone() {
    let world = World::new();
    for sim in ["qa", "qb"] {
        world.create_listener(sim, json!({ "plays_per_hour": 20, "history_hours": 1 }));
    }
    let (qa, qb) = (world.connect("qa"), world.connect("qb"));
    world.fault(
        "qa",
        json!({ "kind": "quota_exceeded", "endpoint": "recently_played", "retry_after_secs": 3600, "times": 1 }),
    );
    let outcome = world.archive(&qa.user_id);
    let now = world.now();
    assert_eq!(
        outcome,
        ArchiveOutcome::AppResting {
            until: now + HOUR_MS
        }
    );
    let row = world.user_row(&qa.user_id);
    assert_eq!(
        (
            int(&row, "consecutive_failures"),
            int(&row, "cooldown_until"),
            row["last_failure_type"].clone()
        ),
        (Some(0), None, json!(null)),
        "the quota is not the user's failure"
    );
    let rests = world.db.sql("SELECT until FROM app_rests", vec![]);
    assert_eq!(rests.len(), 1);
    assert_eq!(int(&rests[0], "until"), Some(now + HOUR_MS));

    // Nobody is polled during the rest: not by the sweep, not by a manual archive.
    world.advance(10 * MINUTE_MS);
    world.db.sql("UPDATE users SET next_due_at = 0", vec![]);
    let at = world.now();
    let (claimed, _) =
        block_on(world.store().claim_due_users(at, at + MINUTE_MS, 100)).expect("claim");
    assert!(claimed.is_empty(), "{claimed:?}");
    let calls = world.stats("qb").recently_played;
    let manual = ArchiveJob {
        shard: 0,
        users: vec![time_machine::engine::job::JobUser::new(
            &qb.user_id,
            time_machine::engine::slot::SlotKind::Manual,
            at,
        )],
        enqueued_at: at,
    };
    let report = world.archive_job(&manual);
    assert_eq!(
        report.outcomes[0].1,
        ArchiveOutcome::AppResting {
            until: now + HOUR_MS
        }
    );
    assert_eq!(report.decision, MessageDecision::Ack);
    assert_eq!(
        world.stats("qb").recently_played,
        calls,
        "no call during the rest"
    );

    // When it is over, everyone is due again.
    world.set_time(now + HOUR_MS);
    let at = world.now();
    let (claimed, _) =
        block_on(world.store().claim_due_users(at, at + MINUTE_MS, 100)).expect("claim");
    assert_eq!(claimed.len(), 2);
    assert!(archived_ok(&world.archive(&qa.user_id)));
    assert_eq!(world.archived(&qa.user_id), world.truth("qa"));
}

#[test]
fn server_errors_back_off_ten_then_twenty_minutes_and_a_success_resets() {
    let world = World::new();
    world.create_listener("kai", json!({ "plays_per_hour": 20, "history_hours": 1 }));
    let kai = world.connect("kai");
    world.fault(
        "kai",
        json!({ "kind": "server_error", "status": 500, "endpoint": "recently_played", "times": 2 }),
    );
    let failure = |world: &World| {
        let row = world.user_row(&kai.user_id);
        (
            row["last_failure_type"].clone(),
            int(&row, "consecutive_failures"),
            int(&row, "cooldown_until"),
        )
    };

    let first = world.archive(&kai.user_id);
    let now = world.now();
    assert_eq!(
        first,
        ArchiveOutcome::Failed {
            kind: FailureKind::Network,
            cooldown_until: now + 10 * MINUTE_MS,
            error: "Spotify server error 500".to_owned()
        }
    );
    assert_eq!(
        failure(&world),
        (json!("NETWORK"), Some(1), Some(now + 10 * MINUTE_MS))
    );

    world.advance(10 * MINUTE_MS);
    let second = world.archive(&kai.user_id);
    let now = world.now();
    assert!(
        matches!(second, ArchiveOutcome::Failed { cooldown_until, .. } if cooldown_until == now + 20 * MINUTE_MS),
        "{second:?}"
    );
    assert_eq!(
        failure(&world),
        (json!("NETWORK"), Some(2), Some(now + 20 * MINUTE_MS))
    );

    world.advance(20 * MINUTE_MS);
    assert!(archived_ok(&world.archive(&kai.user_id)));
    let row = world.user_row(&kai.user_id);
    assert_eq!(
        (
            int(&row, "consecutive_failures"),
            int(&row, "cooldown_until")
        ),
        (Some(0), None)
    );
    assert_eq!(world.archived(&kai.user_id), world.truth("kai"));
}

#[test]
fn a_failed_write_keeps_the_cursor_and_loses_nothing_once_d1_recovers() {
    let world = World::new();
    world.create_listener("lu", json!({ "plays_per_hour": 20, "history_hours": 1 }));
    let lu = world.connect("lu");
    assert!(archived_ok(&world.archive(&lu.user_id)));
    let cursor = int(&world.user_row(&lu.user_id), "cursor_after");
    let archived = world.archived(&lu.user_id);

    world.advance(30 * MINUTE_MS);
    world.inject("lu", 5, world.now() - SECOND_MS, 40 * SECOND_MS);
    world.db.fail_batches(true);
    let job = world.scheduled_job(&lu.user_id);
    let outcome = block_on(
        world
            .archiver()
            .archive_user(0, &job, world.now(), world.now()),
    );

    // The failure's record is a batch too (with the event it may raise), so the outage
    // leaves it unrecorded: the message is retried, as for any write D1 refuses.
    assert!(
        matches!(outcome, ArchiveOutcome::Unrecorded { .. }),
        "{outcome:?}"
    );
    assert_eq!(
        decide(std::slice::from_ref(&outcome)),
        MessageDecision::Retry { delay_seconds: 60 }
    );
    assert_eq!(int(&world.user_row(&lu.user_id), "cursor_after"), cursor);
    assert_eq!(world.archived(&lu.user_id), archived);
    assert!(
        !world.kv.keys().contains(&job.slot),
        "no slot: a redelivery must run again"
    );

    world.db.fail_batches(false);
    world.advance(20 * MINUTE_MS);
    assert!(archived_ok(&world.archive(&lu.user_id)));
    assert_eq!(world.archived(&lu.user_id), world.truth("lu"));
}

// ---------------------------------------------------------------------------------------
// Cost

/// What one archive cost, from the twins' counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Cost {
    round_trips: usize,
    statements: usize,
    kv_ops: usize,
    spotify_calls: usize,
}

fn measured_archive(world: &World, user_id: &str) -> (ArchiveOutcome, Cost) {
    world.db.reset_counts();
    world.kv.reset_counts();
    let calls_before = world.spotify.requests();
    let outcome = world.archive(user_id);
    let cost = Cost {
        round_trips: world.db.round_trips(),
        statements: world.db.statements(),
        kv_ops: world.kv.operations(),
        spotify_calls: world.spotify.requests() - calls_before,
    };
    (outcome, cost)
}

#[test]
fn an_archive_costs_two_round_trips_and_one_call_whatever_the_page_holds() {
    let world = World::new();
    world.create_listener("max", silent());
    world.create_listener(
        "nia",
        json!({ "plays_per_hour": 0, "history_hours": 0, "rotate_refresh_tokens": true }),
    );
    world.inject("max", 3, world.now() - MINUTE_MS, MINUTE_MS);
    world.inject("nia", 3, world.now() - MINUTE_MS, MINUTE_MS);
    let max = world.connect("max");
    let nia = world.connect("nia");
    assert!(archived_ok(&world.archive(&max.user_id)));
    assert!(archived_ok(&world.archive(&nia.user_id)));

    let mut table = Vec::new();
    for new_plays in [0, 1, 50] {
        world.advance(10 * MINUTE_MS);
        if new_plays > 0 {
            world.inject("max", new_plays, world.now() - SECOND_MS, 31 * SECOND_MS);
        }
        let (outcome, cost) = measured_archive(&world, &max.user_id);
        assert!(archived_ok(&outcome), "{outcome:?}");
        table.push((format!("valid token, {new_plays} new plays"), cost));
    }
    // Both access tokens are now inside the five-minute buffer.
    world.set_time(support::START + HOUR_MS - MINUTE_MS);
    let (outcome, refresh) = measured_archive(&world, &max.user_id);
    assert!(archived_ok(&outcome), "{outcome:?}");
    table.push(("refresh, no rotation".to_owned(), refresh));
    let (outcome, rotation) = measured_archive(&world, &nia.user_id);
    assert!(archived_ok(&outcome), "{outcome:?}");
    table.push(("refresh with rotation".to_owned(), rotation));

    println!();
    println!("| archive of one user            | D1 round trips | D1 statements | KV ops | Spotify calls |");
    println!("| ------------------------------ | -------------- | ------------- | ------ | ------------- |");
    for (case, cost) in &table {
        println!(
            "| {case:<30} | {:>14} | {:>13} | {:>6} | {:>13} |",
            cost.round_trips, cost.statements, cost.kv_ops, cost.spotify_calls
        );
    }

    let valid = Cost {
        round_trips: 2,
        statements: 1 + 8,
        kv_ops: 2,
        spotify_calls: 1,
    };
    for (case, cost) in &table[..3] {
        assert_eq!(*cost, valid, "{case}");
    }
    assert_eq!(
        table[3].1,
        Cost {
            spotify_calls: 2,
            ..valid
        }
    );
    assert_eq!(
        table[4].1,
        Cost {
            round_trips: 3,
            statements: 1 + 1 + 8,
            kv_ops: 2,
            spotify_calls: 2
        },
        "the rotated token is stored on its own, first"
    );
}
