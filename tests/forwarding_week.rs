//! A week of archived plays reaches ListenBrainz and Last.fm exactly once: the native twin
//! of `e2e/tests/forwarding.rs`, on a simulated clock, so that a real week can pass.
//!
//! Two listeners log in through the App's routes and have a few hours archived; then each
//! connects both services as a person does (a ListenBrainz token pasted into the
//! dashboard, Last.fm's approval page). For seven days a cron every five minutes runs the
//! sweep (which also relays the destinations that are due); every archive job it queues is
//! archived at once and followed by a relay, as the edge's queue consumer does; every
//! `Forward` message on the notification queue goes to the `Forwarder`, and a message it
//! asks to retry is delivered again after its delay. The simulator serves Spotify,
//! ListenBrainz and Last.fm alike, and keeps every listen and scrobble it accepts without
//! deduplicating, so a play sent twice shows twice.
//!
//! Meanwhile, at set times, for the first listener: archive jobs and `Forward` messages
//! are delivered twice (at once, and a tick late); ListenBrainz fails for most of a day
//! (503s, then a 429 whose reset asks for 20 hours) and Last.fm for some hours (errors 16
//! and 11); her ListenBrainz token is revoked, forwarding stops, and hours later she pastes
//! a new one; her Last.fm session is ended and she approves the app again. At the end each
//! service holds every play archived after connecting exactly once, compared as a multiset
//! of (timestamp, track), and nothing archived before.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};

use futures::executor::block_on;
use serde_json::{json, Value};
use spotify_simulator::{ListeningProfile, ListeningStream};
use support::{SimulatedSpotify, World, WorldApp, START};
use time_machine::engine::archive::MessageDecision;
use time_machine::engine::job::ArchiveJob;
use time_machine::engine::sweep::{run_sweep, SweepConfig};
use time_machine::forward::lastfm::MIN_DURATION_MS;
use time_machine::forward::sender::{ForwardOutcome, Forwarder};
use time_machine::forward::{relay, ForwardConfig, Service};
use time_machine::notify::delivery::NotifyConfig;
use time_machine::notify::NotifyMessage;
use time_machine::shards::{ShardIndex, Shards};
use time_machine::testing::web::{self, get, json_of, post, RequestBuilder};
use time_machine::testing::{MemoryKv, MemoryQueue, SqliteDatabase};
use time_machine::time::{UnixMillis, DAY_MS, HOUR_MS, MINUTE_MS, SECOND_MS};

const DAYS: i64 = 7;
const CRON_MS: i64 = 5 * MINUTE_MS;
const AWAKE_FROM_MS: i64 = 7 * HOUR_MS;
const AWAKE_MS: i64 = 16 * HOUR_MS;
/// A few quiet hours after the last night's plays: every play is archived and forwarded.
const END: UnixMillis = START + DAYS * DAY_MS + 3 * HOUR_MS;
/// The deliveries one tick may take: a loop of messages that never ends fails the test.
const MOST_DELIVERIES_PER_TICK: usize = 1_000;

/// Day `day` of the week (0 is the first), at `hour` o'clock.
const fn at(day: i64, hour: i64) -> UnixMillis {
    START + day * DAY_MS + hour * HOUR_MS
}

const LOGIN_AT: UnixMillis = at(0, 7) + 30 * MINUTE_MS;
const CONNECT_AT: UnixMillis = at(0, 11);

/// ListenBrainz's outage: five 503s (backing off 1, 2, 4, 8 and 16 minutes), then a 429
/// whose `X-RateLimit-Reset-In` asks for 20 hours.
const LISTENBRAINZ_503S: usize = 5;
const LISTENBRAINZ_RESET_IN_SECONDS: u64 = 20 * 60 * 60;
/// Last.fm's: errors 16 then 11 (both 503s), four each, backing off up to two hours.
const LASTFM_ERRORS: [u32; 8] = [16, 16, 16, 16, 11, 11, 11, 11];

struct Listener {
    sim_id: &'static str,
    plays_per_hour: f64,
    /// Shifts her day, so that the two listeners' plays interleave differently.
    day_offset_ms: i64,
    /// Her names at ListenBrainz and Last.fm.
    listenbrainz_user: &'static str,
    lastfm_user: &'static str,
}

/// Ada meets every adversity; Grace's destinations run undisturbed beside hers.
const ADA: usize = 0;
const LISTENERS: [Listener; 2] = [
    Listener {
        sim_id: "ada",
        plays_per_hour: 30.0,
        day_offset_ms: 0,
        listenbrainz_user: "ada-lb",
        lastfm_user: "ada-fm",
    },
    Listener {
        sim_id: "grace",
        plays_per_hour: 15.0,
        day_offset_ms: 40 * MINUTE_MS,
        listenbrainz_user: "grace-lb",
        lastfm_user: "grace-fm",
    },
];

/// The ListenBrainz token a listener pastes the `generation`th time she connects.
fn listenbrainz_token(listener: &Listener, generation: u32) -> String {
    format!("{}-token-{generation}", listener.sim_id)
}

/// What happens to Ada, and when.
#[derive(Debug, Clone, Copy)]
enum Event {
    ListenBrainzDown,
    /// Halfway through the outage: her plays wait, nothing is dropped.
    ListenBrainzStillDown,
    LastFmDown,
    RevokeListenBrainz,
    /// She pastes a new token.
    ReconnectListenBrainz,
    RevokeLastFm,
    /// She approves the app at Last.fm again.
    ReconnectLastFm,
}

const EVENTS: [(UnixMillis, Event); 7] = [
    (at(2, 9), Event::ListenBrainzDown),
    (at(3, 0), Event::ListenBrainzStillDown),
    (at(3, 13), Event::LastFmDown),
    (at(4, 12), Event::RevokeListenBrainz),
    (at(4, 18), Event::ReconnectListenBrainz),
    (at(5, 12), Event::RevokeLastFm),
    (at(5, 17), Event::ReconnectLastFm),
];

/// How a message is delivered again, as a queue that delivers at least once may.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Redelivery {
    Once,
    /// A second time right after the first.
    AtOnce,
    /// A second time at the next tick.
    Late,
}

/// Archive jobs and `Forward` messages alike: twice at once on the second day, twice
/// with the second a tick late on the fourth (while Last.fm is failing).
fn redelivery(now: UnixMillis) -> Redelivery {
    if (at(1, 10)..at(1, 16)).contains(&now) {
        Redelivery::AtOnce
    } else if (at(3, 10)..at(3, 18)).contains(&now) {
        Redelivery::Late
    } else {
        Redelivery::Once
    }
}

fn awake(listener: &Listener, at: UnixMillis) -> bool {
    let time_of_day = (at - START - listener.day_offset_ms).rem_euclid(DAY_MS);
    (AWAKE_FROM_MS..AWAKE_FROM_MS + AWAKE_MS).contains(&time_of_day)
}

/// Gives the simulator the listener's whole week up front (a play shows only once it has
/// ended), from its listening model with the nights taken out.
fn schedule_week(world: &World, listener: &Listener, seed: u64) {
    world.create_listener(
        listener.sim_id,
        json!({ "plays_per_hour": 0, "history_hours": 0 }),
    );
    let mut stream = ListeningStream::new(
        ListeningProfile {
            seed,
            plays_per_hour: listener.plays_per_hour,
            ..ListeningProfile::default()
        },
        START,
    );
    for play in stream.plays_until(END - 3 * HOUR_MS) {
        if awake(listener, play.played_at_ms) {
            world.inject(listener.sim_id, 1, play.played_at_ms, SECOND_MS);
        }
    }
}

/// One play as a service keys it: (Unix seconds, track name). Compared as multisets:
/// sorted, duplicates kept.
type Keyed = (i64, String);

/// A play in the archive, as forwarding decides about it.
struct ArchivedPlay {
    played_at: UnixMillis,
    track_id: String,
    track_name: String,
    duration_ms: i64,
    /// Polled music: what is forwarded at all (not an import, an episode or audiobook).
    forwardable: bool,
}

impl ArchivedPlay {
    fn keyed(&self) -> Keyed {
        (self.played_at.div_euclid(1_000), self.track_name.clone())
    }
}

fn archived_plays(world: &World, user_id: &str) -> Vec<ArchivedPlay> {
    world
        .db
        .sql(
            "SELECT p.played_at, t.id, t.name, t.duration_ms, p.source = 0 AND p.kind = 0 AS forwardable
               FROM play_events p JOIN tracks t ON t.key = p.track_key
              WHERE p.user_key = (SELECT key FROM users WHERE id = ?1)",
            vec![json!(user_id)],
        )
        .iter()
        .map(|row| ArchivedPlay {
            played_at: row["played_at"].as_i64().expect("played_at"),
            track_id: row["id"].as_str().expect("track id").to_owned(),
            track_name: row["name"].as_str().expect("track name").to_owned(),
            duration_ms: row["duration_ms"].as_i64().expect("duration"),
            forwardable: row["forwardable"] == json!(1),
        })
        .collect()
}

fn play_count(world: &World, user_id: &str) -> i64 {
    world.db.sql(
        "SELECT count(*) AS n FROM play_events WHERE user_key = (SELECT key FROM users WHERE id = ?1)",
        vec![json!(user_id)],
    )[0]["n"]
        .as_i64()
        .expect("a count")
}

/// What ListenBrainz holds for `user`, as it arrived.
fn listenbrainz_holds(world: &World, user: &str) -> Vec<Keyed> {
    let held = world.spotify.admin(
        "GET",
        &format!("/admin/listenbrainz/users/{user}/listens"),
        json!({}),
    );
    sorted(
        held["listens"]
            .as_array()
            .expect("listens")
            .iter()
            .map(|listen| {
                (
                    listen["listened_at"].as_i64().expect("listened_at"),
                    listen["track_metadata"]["track_name"]
                        .as_str()
                        .expect("track_name")
                        .to_owned(),
                )
            }),
    )
}

/// What Last.fm holds for `user`.
fn lastfm_holds(world: &World, user: &str) -> Vec<Keyed> {
    let held = world.spotify.admin(
        "GET",
        &format!("/admin/lastfm/users/{user}/scrobbles"),
        json!({}),
    );
    sorted(
        held["scrobbles"]
            .as_array()
            .expect("scrobbles")
            .iter()
            .map(|scrobble| {
                (
                    scrobble["timestamp"].as_i64().expect("timestamp"),
                    scrobble["track"].as_str().expect("track").to_owned(),
                )
            }),
    )
}

fn sorted(plays: impl Iterator<Item = Keyed>) -> Vec<Keyed> {
    let mut plays: Vec<Keyed> = plays.collect();
    plays.sort();
    plays
}

/// Fails with what differs, not with two lists of thousands.
fn assert_same_multiset(held: &[Keyed], expected: &[Keyed], what: &str) {
    if held == expected {
        return;
    }
    let count = |plays: &[Keyed]| {
        let mut counts: BTreeMap<Keyed, usize> = BTreeMap::new();
        for play in plays {
            *counts.entry(play.clone()).or_default() += 1;
        }
        counts
    };
    let (held, expected) = (count(held), count(expected));
    let differing: Vec<String> = held
        .keys()
        .chain(expected.keys())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .filter(|play| held.get(*play) != expected.get(*play))
        .take(10)
        .map(|play| {
            format!(
                "{play:?}: held {} times, expected {}",
                held.get(play).copied().unwrap_or(0),
                expected.get(play).copied().unwrap_or(0)
            )
        })
        .collect();
    panic!(
        "{what}: the service does not hold each play once:\n{}",
        differing.join("\n")
    );
}

/// What forwarding to one service cost over the week, both listeners together.
#[derive(Debug, Default, Clone, Copy)]
struct Cost {
    attempts: usize,
    /// HTTP requests the Forwarder sent (every one a submission).
    requests: usize,
    accepted_submissions: usize,
    failed_submissions: usize,
    revocations: usize,
    plays_forwarded: usize,
    d1_round_trips: usize,
    d1_statements: usize,
    /// Table rows inserted, changed or deleted (SQLite's `total_changes()`, triggers
    /// included; index entries not counted).
    rows_written: i64,
}

impl Cost {
    fn per_play(&self, count: usize) -> f64 {
        count as f64 / self.plays_forwarded.max(1) as f64
    }
}

/// A destination as the Forwarder meets it: whose, and which service.
#[derive(Debug, Clone, Copy)]
struct Destination {
    listener: usize,
    service: Service,
}

fn service_index(service: Service) -> usize {
    match service {
        Service::ListenBrainz => 0,
        Service::LastFm => 1,
    }
}

/// A listener logged in: her archive's id, her browser's session and what was archived
/// before she connected.
struct User {
    id: String,
    cookie: String,
    archived_before_connecting: BTreeSet<(UnixMillis, String)>,
    /// Archive deliveries that added plays to her archive: only after one can a
    /// submission carry fewer plays than a full batch (it takes all that wait).
    deliveries_with_new_plays: usize,
    /// How many ListenBrainz tokens she has pasted.
    listenbrainz_tokens: u32,
}

/// The week's machinery: the world, the App and queue the edge would have, the messages
/// waiting to be delivered, and the tallies.
struct Week<'w> {
    world: &'w World,
    queue: &'w MemoryQueue,
    app: WorldApp<'w>,
    forward: &'w ForwardConfig,
    users: Vec<User>,
    destinations: HashMap<i64, Destination>,
    /// `Forward` messages by the time they are due (a retry's delay, a late redelivery).
    deliveries: BTreeMap<UnixMillis, VecDeque<(ShardIndex, i64)>>,
    /// Archive jobs a queue delivers again at the next tick.
    late_jobs: Vec<ArchiveJob>,
    /// Destinations the service refused the credential of: nothing may be sent to them
    /// until their user connects again.
    stopped: HashSet<i64>,
    costs: [Cost; 2],
    outcomes: BTreeMap<&'static str, usize>,
}

impl<'w> Week<'w> {
    fn forwarder(&self) -> Forwarder<'_, SqliteDatabase, MemoryKv, SimulatedSpotify, MemoryQueue> {
        Forwarder {
            shards: Shards::single(&self.world.db),
            kv: &self.world.kv,
            http: &self.world.spotify,
            queue: self.queue,
            cipher: &self.world.cipher,
            config: self.forward,
            log: &self.world.log,
        }
    }

    // -----------------------------------------------------------------------------------
    // As the person does, through the App

    fn log_in(&mut self) {
        for listener in &LISTENERS {
            let cookie = self.world.log_in_through_app(&self.app, listener.sim_id);
            // The archive files her under her Spotify account's stable id.
            let id = self.world.db.sql(
                "SELECT id FROM users WHERE spotify_id = ?1",
                vec![json!(listener.sim_id)],
            )[0]["id"]
                .as_str()
                .map(str::to_owned)
                .unwrap_or_else(|| panic!("{} is stored", listener.sim_id));
            self.users.push(User {
                id,
                cookie,
                archived_before_connecting: BTreeSet::new(),
                deliveries_with_new_plays: 0,
                listenbrainz_tokens: 0,
            });
        }
    }

    fn connect_listenbrainz(&mut self, listener: usize) {
        let user = &mut self.users[listener];
        user.listenbrainz_tokens += 1;
        let token = listenbrainz_token(&LISTENERS[listener], user.listenbrainz_tokens);
        // The token she copies from her ListenBrainz settings (a new one replaces the old).
        self.world.spotify.admin(
            "POST",
            "/admin/listenbrainz/users",
            json!({ "user_name": LISTENERS[listener].listenbrainz_user, "token": token }),
        );
        let request = post(
            "/api/forwarding/listenbrainz",
            Some(&self.users[listener].cookie),
            &json!({ "token": token }).to_string(),
        )
        .with_content_type("application/json");
        let response = self.world.send(&self.app, &request);
        assert_eq!(response.status, 201, "{}", response.body);
        self.connected(listener, Service::ListenBrainz);
    }

    /// The dashboard's button, Last.fm's approval page, and back to the App's callback.
    fn connect_lastfm(&mut self, listener: usize) {
        let cookie = self.users[listener].cookie.clone();
        let start = post("/api/forwarding/lastfm", Some(&cookie), "")
            .with_content_type("application/x-www-form-urlencoded");
        let response = self.world.send(&self.app, &start);
        assert_eq!(response.status, 303, "{}", response.body);
        let approval_url = web::header(&response, "Location").expect("to Last.fm");
        let back = block_on(
            self.world
                .spotify
                .approve_lastfm(approval_url, LISTENERS[listener].lastfm_user),
        );
        let path = back
            .strip_prefix(web::ORIGIN)
            .unwrap_or_else(|| panic!("back to the App: {back}"));
        let done = self.world.send(&self.app, &get(path, Some(&cookie)));
        assert_eq!(done.status, 303, "{}", done.body);
        self.connected(listener, Service::LastFm);
    }

    fn connected(&mut self, listener: usize, service: Service) {
        let destination = self.destination(listener, service);
        assert_eq!(destination["revoked_at"], Value::Null);
        let id = self.world.db.sql(
            "SELECT d.id FROM forward_destinations d JOIN users u ON u.key = d.user_key
              WHERE u.id = ?1 AND d.service = ?2",
            vec![json!(self.users[listener].id), json!(service.as_str())],
        )[0]["id"]
            .as_i64()
            .expect("an id");
        self.destinations
            .insert(id, Destination { listener, service });
        self.stopped.remove(&id);
    }

    /// The destination as `GET /api/forwarding` shows it to its user.
    fn destination(&self, listener: usize, service: Service) -> Value {
        let listed = self.world.send(
            &self.app,
            &get("/api/forwarding", Some(&self.users[listener].cookie)),
        );
        assert_eq!(listed.status, 200, "{}", listed.body);
        json_of(&listed)["destinations"]
            .as_array()
            .expect("destinations")
            .iter()
            .find(|destination| destination["service"] == service.as_str())
            .cloned()
            .unwrap_or_else(|| panic!("{} is connected", service.title()))
    }

    // -----------------------------------------------------------------------------------
    // As the simulator's admin does

    fn happen(&mut self, event: Event) {
        let ada = &LISTENERS[ADA];
        let listenbrainz = format!("/admin/listenbrainz/users/{}", ada.listenbrainz_user);
        let lastfm = format!("/admin/lastfm/users/{}", ada.lastfm_user);
        match event {
            Event::ListenBrainzDown => {
                let mut responses = vec![json!({ "status": 503 }); LISTENBRAINZ_503S];
                let wait = LISTENBRAINZ_RESET_IN_SECONDS;
                responses.push(json!({ "status": 429, "reset_in": wait }));
                self.world.spotify.admin(
                    "POST",
                    &format!("{listenbrainz}/responses"),
                    json!({ "responses": responses }),
                );
            }
            Event::ListenBrainzStillDown => {
                let destination = self.destination(ADA, Service::ListenBrainz);
                let waiting = destination["pending"].as_i64().expect("pending");
                assert!(waiting > 0, "her plays wait: {destination}");
                assert_eq!(
                    destination["failures"],
                    json!(LISTENBRAINZ_503S + 1),
                    "{destination}"
                );
                assert!(
                    destination["next_attempt_at"].as_i64().expect("a time")
                        > self.world.now() + HOUR_MS,
                    "it waits as the 429 asked: {destination}"
                );
            }
            Event::LastFmDown => {
                let responses: Vec<Value> = LASTFM_ERRORS
                    .iter()
                    .map(|code| json!({ "error": code }))
                    .collect();
                self.world.spotify.admin(
                    "POST",
                    &format!("{lastfm}/responses"),
                    json!({ "responses": responses }),
                );
            }
            Event::RevokeListenBrainz => {
                self.world
                    .spotify
                    .admin("POST", &format!("{listenbrainz}/revoke"), json!({}));
            }
            Event::RevokeLastFm => {
                self.world
                    .spotify
                    .admin("POST", &format!("{lastfm}/revoke"), json!({}));
            }
            Event::ReconnectListenBrainz => {
                self.assert_stopped(Service::ListenBrainz);
                self.connect_listenbrainz(ADA);
            }
            Event::ReconnectLastFm => {
                self.assert_stopped(Service::LastFm);
                self.connect_lastfm(ADA);
            }
        }
    }

    /// The service refused Ada's credential hours ago: the dashboard says so, her plays
    /// wait, and nothing was sent since (checked as each message is delivered).
    fn assert_stopped(&self, service: Service) {
        let destination = self.destination(ADA, service);
        assert!(
            destination["revoked_at"].is_i64(),
            "{} shows the revocation: {destination}",
            service.title()
        );
        assert!(
            destination["pending"].as_i64().expect("pending") > 0,
            "{destination}"
        );
    }

    // -----------------------------------------------------------------------------------
    // As the edge does

    fn tick(&mut self, now: UnixMillis) {
        self.world.set_time(now);
        let summary = block_on(run_sweep(
            &Shards::single(&self.world.db),
            self.queue,
            &SweepConfig::default(),
            "cron",
            now,
            || now,
        ));
        assert_eq!(summary.error, None);
        let mut jobs = std::mem::take(&mut self.late_jobs);
        jobs.extend(self.queue.take());
        for job in jobs {
            self.archive(&job, now);
            match redelivery(now) {
                Redelivery::Once => {}
                Redelivery::AtOnce => self.archive(&job, now),
                Redelivery::Late => self.late_jobs.push(job),
            }
        }
        self.deliver_forwards(now);
    }

    /// One delivery of an archive job, then the relay the edge runs after every batch.
    fn archive(&mut self, job: &ArchiveJob, now: UnixMillis) {
        let before: Vec<i64> = self
            .users
            .iter()
            .map(|user| play_count(self.world, &user.id))
            .collect();
        let report = self.world.archive_job(job);
        assert_eq!(report.decision, MessageDecision::Ack, "{report:?}");
        for (user, count) in self.users.iter_mut().zip(before) {
            if play_count(self.world, &user.id) > count {
                user.deliveries_with_new_plays += 1;
            }
        }
        block_on(relay(0, &self.world.db, self.queue, now)).expect("relayed");
    }

    /// Delivers every `Forward` message due now, and those they send.
    fn deliver_forwards(&mut self, now: UnixMillis) {
        for _ in 0..MOST_DELIVERIES_PER_TICK {
            for message in self.queue.take_notifications() {
                // The notifications' own messages are not this test's: no channel exists.
                let NotifyMessage::Forward { shard, destination } = message else {
                    panic!("no notification channel exists: {message:?}");
                };
                self.schedule(now, shard, destination);
                match redelivery(now) {
                    Redelivery::Once => {}
                    Redelivery::AtOnce => self.schedule(now, shard, destination),
                    Redelivery::Late => self.schedule(now + MINUTE_MS, shard, destination),
                }
            }
            let Some((shard, id)) = self.next_due(now) else {
                return;
            };
            let outcome = self.attempt(shard, id, now);
            if let MessageDecision::Retry { delay_seconds } = outcome.decision() {
                let delay_ms = i64::try_from(delay_seconds).expect("a delay") * SECOND_MS;
                self.schedule(now + delay_ms, shard, id);
            }
        }
        panic!("more than {MOST_DELIVERIES_PER_TICK} deliveries in one tick");
    }

    fn schedule(&mut self, due: UnixMillis, shard: ShardIndex, id: i64) {
        self.deliveries
            .entry(due)
            .or_default()
            .push_back((shard, id));
    }

    fn next_due(&mut self, now: UnixMillis) -> Option<(ShardIndex, i64)> {
        let mut first = self.deliveries.first_entry()?;
        if *first.key() > now {
            return None;
        }
        let message = first.get_mut().pop_front();
        if first.get().is_empty() {
            first.remove();
        }
        message
    }

    /// One `Forwarder::forward`, with what it cost.
    fn attempt(&mut self, shard: ShardIndex, id: i64, now: UnixMillis) -> ForwardOutcome {
        let destination = *self.destinations.get(&id).expect("a known destination");
        let (requests, round_trips, statements, rows) = self.meters();
        let outcome = block_on(self.forwarder().forward(shard, id, now));
        let (requests_after, round_trips_after, statements_after, rows_after) = self.meters();
        let sent = requests_after - requests;
        assert!(
            !(self.stopped.contains(&id) && sent > 0),
            "{}'s {} was sent to after it refused her credential",
            LISTENERS[destination.listener].sim_id,
            destination.service.title()
        );
        let cost = &mut self.costs[service_index(destination.service)];
        cost.attempts += 1;
        cost.requests += sent;
        cost.d1_round_trips += round_trips_after - round_trips;
        cost.d1_statements += statements_after - statements;
        cost.rows_written += rows_after - rows;
        match &outcome {
            ForwardOutcome::Sent { plays, .. } => {
                cost.plays_forwarded += plays;
                cost.accepted_submissions += sent;
            }
            ForwardOutcome::Retrying { .. } => cost.failed_submissions += sent,
            ForwardOutcome::Revoked { .. } => {
                cost.revocations += 1;
                self.stopped.insert(id);
            }
            ForwardOutcome::NothingToDo => {}
            ForwardOutcome::Refused { .. } | ForwardOutcome::Unrecorded { .. } => {
                panic!("{destination:?}: {outcome:?}")
            }
        }
        *self.outcomes.entry(outcome.label()).or_default() += 1;
        outcome
    }

    /// HTTP requests sent, D1 round trips and statements, table rows written: so far.
    fn meters(&self) -> (usize, usize, usize, i64) {
        let rows = self.world.db.sql("SELECT total_changes() AS n", vec![])[0]["n"]
            .as_i64()
            .expect("a count");
        (
            self.world.spotify.requests(),
            self.world.db.round_trips(),
            self.world.db.statements(),
            rows,
        )
    }
}

/// Per listener and service: the plays it must hold, and the listener's archive.
struct Expected {
    archived: usize,
    before_connecting: usize,
    listenbrainz: Vec<Keyed>,
    lastfm: Vec<Keyed>,
    /// Music plays Last.fm's rules keep out (30 s or shorter).
    too_short: usize,
}

fn expected(world: &World, user: &User) -> Expected {
    let plays = archived_plays(world, &user.id);
    let after_connecting: Vec<&ArchivedPlay> = plays
        .iter()
        .filter(|play| {
            !user
                .archived_before_connecting
                .contains(&(play.played_at, play.track_id.clone()))
        })
        .filter(|play| play.forwardable)
        .collect();
    let scrobbled = |play: &&&ArchivedPlay| play.duration_ms > MIN_DURATION_MS;
    Expected {
        archived: plays.len(),
        before_connecting: user.archived_before_connecting.len(),
        listenbrainz: sorted(after_connecting.iter().map(|play| play.keyed())),
        lastfm: sorted(
            after_connecting
                .iter()
                .filter(scrobbled)
                .map(|play| play.keyed()),
        ),
        too_short: after_connecting
            .iter()
            .filter(|play| !scrobbled(play))
            .count(),
    }
}

#[test]
fn a_week_of_plays_reaches_listenbrainz_and_lastfm_exactly_once() {
    let world = World::new();
    for (index, listener) in LISTENERS.iter().enumerate() {
        schedule_week(&world, listener, 700 + index as u64);
    }
    let queue = MemoryQueue::default();
    let notify = NotifyConfig::default();
    let forward = world.forward_config();
    let mut week = Week {
        world: &world,
        queue: &queue,
        app: world.app(&queue, &notify, forward.clone()),
        forward: &forward,
        users: Vec::new(),
        destinations: HashMap::new(),
        deliveries: BTreeMap::new(),
        late_jobs: Vec::new(),
        stopped: HashSet::new(),
        costs: [Cost::default(); 2],
        outcomes: BTreeMap::new(),
    };

    let mut events = EVENTS.iter().peekable();
    let mut now = START;
    while now <= END {
        world.set_time(now);
        if now == LOGIN_AT {
            week.log_in();
        }
        if now == CONNECT_AT {
            for listener in 0..LISTENERS.len() {
                let user = &mut week.users[listener];
                user.archived_before_connecting = world.archived(&user.id);
                week.connect_listenbrainz(listener);
                week.connect_lastfm(listener);
            }
        }
        while let Some((_, event)) = events.next_if(|(when, _)| *when <= now) {
            week.happen(*event);
        }
        week.tick(now);
        now += CRON_MS;
    }
    assert!(week.deliveries.is_empty() && week.late_jobs.is_empty());

    let mut archived = 0;
    let mut before_connecting = 0;
    let mut eligible = [0; 2];
    for (index, (listener, user)) in LISTENERS.iter().zip(&week.users).enumerate() {
        let expected = expected(&world, user);
        assert!(
            expected.before_connecting >= 20,
            "{}: a few hours archived before connecting",
            listener.sim_id
        );
        // The simulator's catalogue has no track under 31 s: nothing is passed over.
        assert_eq!(expected.too_short, 0);
        archived += expected.archived;
        before_connecting += expected.before_connecting;
        eligible[0] += expected.listenbrainz.len();
        eligible[1] += expected.lastfm.len();
        assert_same_multiset(
            &listenbrainz_holds(&world, listener.listenbrainz_user),
            &expected.listenbrainz,
            &format!("{}'s ListenBrainz", listener.sim_id),
        );
        assert_same_multiset(
            &lastfm_holds(&world, listener.lastfm_user),
            &expected.lastfm,
            &format!("{}'s Last.fm", listener.sim_id),
        );
        for (service, plays) in [
            (Service::ListenBrainz, &expected.listenbrainz),
            (Service::LastFm, &expected.lastfm),
        ] {
            let destination = week.destination(index, service);
            assert_eq!(
                (
                    &destination["pending"],
                    &destination["sent"],
                    &destination["passed_over"],
                    &destination["refused"],
                    &destination["failures"],
                    &destination["revoked_at"],
                ),
                (
                    &json!(0),
                    &json!(plays.len()),
                    &json!(0),
                    &json!(0),
                    &json!(0),
                    &Value::Null
                ),
                "{}'s {}: {destination}",
                listener.sim_id,
                service.title()
            );
        }
    }

    println!("{}", table(&week, archived, before_connecting, eligible));
    for service in Service::ALL {
        let cost = week.costs[service_index(service)];
        assert_eq!(cost.plays_forwarded, eligible[service_index(service)]);
        // Every request the Forwarder sent is accounted for: accepted, one failure per
        // scripted answer, and the one that met the revoked credential.
        let scripted_failures = match service {
            Service::ListenBrainz => LISTENBRAINZ_503S + 1,
            Service::LastFm => LASTFM_ERRORS.len(),
        };
        // And nothing else was submitted: the endpoint saw the Forwarder's requests and,
        // for Last.fm, the session each connect fetched there (`auth.getSession`).
        let (api, connects) = match service {
            Service::ListenBrainz => ("POST /listenbrainz/1/submit-listens", 0),
            Service::LastFm => ("POST /lastfm/2.0/", LISTENERS.len() + 1),
        };
        assert_eq!(world.spotify.requests_to(api), cost.requests + connects);
        assert_eq!(cost.failed_submissions, scripted_failures, "{cost:?}");
        assert_eq!(cost.revocations, 1, "{cost:?}");
        assert_eq!(
            cost.requests,
            cost.accepted_submissions + cost.failed_submissions + cost.revocations,
            "{cost:?}"
        );
        // A submission is full, or takes every play waiting: a partial one needs plays
        // archived since the last, so there are at most as many as archive deliveries
        // that added plays, besides the full ones.
        let deliveries: usize = week
            .users
            .iter()
            .map(|user| user.deliveries_with_new_plays)
            .sum();
        assert!(
            cost.accepted_submissions <= deliveries + cost.plays_forwarded / service.batch_size(),
            "{} submissions for {} archive deliveries with new plays: {cost:?}",
            cost.accepted_submissions,
            deliveries
        );
    }
}

fn table(
    week: &Week<'_>,
    archived: usize,
    before_connecting: usize,
    eligible: [usize; 2],
) -> String {
    let [listenbrainz, lastfm] = week.costs;
    let row = |label: &str, values: [String; 2]| {
        format!("| {label:<44} | {:>12} | {:>12} |\n", values[0], values[1])
    };
    let both = |f: &dyn Fn(&Cost) -> String| [f(&listenbrainz), f(&lastfm)];
    let mut table = format!(
        "\nforwarding a week: {} listeners, {DAYS} days, a cron every {} minutes; {archived} plays archived, \
         {before_connecting} of them before connecting (never forwarded)\n\
         | {:<44} | ListenBrainz |      Last.fm |\n| {} | ------------ | ------------ |\n",
        LISTENERS.len(),
        CRON_MS / MINUTE_MS,
        "",
        "-".repeat(44)
    );
    table.push_str(&row(
        "plays archived after connecting, forwardable",
        eligible.map(|count| count.to_string()),
    ));
    table.push_str(&row(
        "plays forwarded (each held once)",
        both(&|cost| cost.plays_forwarded.to_string()),
    ));
    table.push_str(&row(
        "submissions: accepted / failed / revoked",
        both(&|cost| {
            format!(
                "{} / {} / {}",
                cost.accepted_submissions, cost.failed_submissions, cost.revocations
            )
        }),
    ));
    table.push_str(&row(
        "Forwarder attempts",
        both(&|cost| cost.attempts.to_string()),
    ));
    table.push_str(&row(
        "subrequests per forwarded play",
        both(&|cost| format!("{:.3}", cost.per_play(cost.requests))),
    ));
    table.push_str(&row(
        "D1 round trips per forwarded play",
        both(&|cost| format!("{:.3}", cost.per_play(cost.d1_round_trips))),
    ));
    table.push_str(&row(
        "D1 statements per forwarded play",
        both(&|cost| format!("{:.3}", cost.per_play(cost.d1_statements))),
    ));
    table.push_str(&row(
        "table rows written per forwarded play",
        both(&|cost| {
            format!(
                "{:.3}",
                cost.rows_written as f64 / cost.plays_forwarded.max(1) as f64
            )
        }),
    ));
    table.push_str(&format!(
        "(the Forwarder's attempts only; the archive's trigger also writes an outbox row and a count per play and destination)\noutcomes: {:?}\n",
        week.outcomes
    ));
    table
}
