//! Users spread over several D1 databases ("shards"), through `App::handle` against one
//! SQLite twin per shard: where logins put new users, that everything of a user stays in
//! their shard, what a cookie naming a shard may reach, deleting an account across the
//! directory and the shard, health per shard, notifications and archive jobs per shard.

use futures::executor::block_on;
use serde_json::{json, Value};

use super::{App, WebRequest, WebResponse};
use crate::config::ConfigError;
use crate::engine::archive::{ArchiveOutcome, Archiver, MessageDecision};
use crate::engine::job::{ArchiveJob, JobUser};
use crate::engine::schedule::PollingPolicy;
use crate::engine::slot::SlotKind;
use crate::engine::sweep::SweepConfig;
use crate::notify::delivery::{delivery_key, sent_mark, Deliverer, DeliveryOutcome};
use crate::notify::NotifyMessage;
use crate::ports::{Database, DatabaseError, Method, Row, Statement};
use crate::shards::{ShardIndex, Shards};
use crate::testing::web::{
    cookie_value, get, header, json_of, post, query_param, request, set_cookies, RequestBuilder,
    WebWorld,
};
use crate::testing::{MemoryKv, MemoryQueue, ScriptedHttp, SilentLog, SqliteDatabase};
use crate::time::{UnixMillis, MINUTE_MS, SECOND_MS};

const NOW: UnixMillis = 1_800_000_000_000;
/// Saturday 1 June 2019, 12:00 UTC: when the imported listens happened.
const LONG_AGO: UnixMillis = 1_559_390_400_000;

/// A web world of several shards with the admin routes open to `admin-secret`; users come
/// in by logging in.
struct World {
    web: WebWorld,
}

impl World {
    fn new(shards: usize) -> Self {
        let mut web = WebWorld::with_shards(shards);
        web.cron_secret = Some("admin-secret");
        Self { web }
    }

    /// The database of shard `index`.
    fn db(&self, index: ShardIndex) -> &SqliteDatabase {
        match index {
            0 => &self.web.db,
            k => &self.web.more_shards[k as usize - 1],
        }
    }

    fn shard_count(&self) -> ShardIndex {
        self.web.shards().len() as ShardIndex
    }

    /// Handles `request` at [`NOW`], new users spread by `weights` (every shard 1 when
    /// `None`), Spotify answering from `http`.
    fn send_weighted(
        &self,
        weights: Option<&[u32]>,
        http: &ScriptedHttp,
        request: &WebRequest,
    ) -> WebResponse {
        let mut app = self.web.app(http);
        if let Some(weights) = weights {
            app.shards = app.shards.with_weights(weights);
        }
        block_on(app.handle(request, NOW, || NOW))
    }

    fn plain(&self, request: WebRequest) -> WebResponse {
        self.web.send(&request, NOW)
    }

    /// Starts a login and returns (state, login cookie).
    fn start_login(&self) -> (String, String) {
        let response = self.plain(get("/login", None));
        assert_eq!(response.status, 302);
        let location = header(&response, "Location").expect("location");
        let state = query_param(location, "state").expect("state");
        (
            state,
            cookie_value(&response, "stm_login").expect("login cookie"),
        )
    }

    /// The callback of a login whose `/me` answers `me`, new users spread by `weights`.
    fn callback(&self, weights: Option<&[u32]>, me: Value) -> WebResponse {
        let (state, login_cookie) = self.start_login();
        self.send_weighted(
            weights,
            &spotify_answers(me),
            &get(
                &format!("/callback?code=c&state={state}"),
                Some(&format!("stm_login={login_cookie}")),
            ),
        )
    }

    /// A whole successful login of `name` (Spotify id `name`, account `acc-<name>`);
    /// returns the session cookie's value.
    fn login(&self, name: &str) -> String {
        self.login_weighted(None, name)
    }

    fn login_weighted(&self, weights: Option<&[u32]>, name: &str) -> String {
        let response = self.callback(weights, profile(name));
        assert_eq!(response.status, 302, "{}", response.body);
        cookie_value(&response, "stm_session").expect("session cookie")
    }

    /// The ids in `table`'s `column` of shard `index`, sorted, each once.
    fn ids(&self, index: ShardIndex, table: &str, column: &str) -> Vec<String> {
        self.db(index)
            .sql(
                &format!("SELECT DISTINCT {column} AS id FROM {table} ORDER BY 1"),
                vec![],
            )
            .into_iter()
            .map(|row| row["id"].as_str().expect("a text id").to_owned())
            .collect()
    }

    /// The shards whose `users` hold `user_id`.
    fn shards_holding(&self, user_id: &str) -> Vec<ShardIndex> {
        (0..self.shard_count())
            .filter(|index| {
                self.ids(*index, "users", "id")
                    .contains(&user_id.to_owned())
            })
            .collect()
    }

    /// The directory: (user id, shard) of every row of `user_shards`.
    fn directory(&self) -> Vec<(String, i64)> {
        self.web
            .db
            .sql(
                "SELECT user_id, shard FROM user_shards ORDER BY user_id",
                vec![],
            )
            .into_iter()
            .map(|row| {
                (
                    row["user_id"].as_str().expect("user id").to_owned(),
                    row["shard"].as_i64().expect("shard"),
                )
            })
            .collect()
    }

    /// The directory's users per shard: (shard, users).
    fn shard_users(&self) -> Vec<(i64, i64)> {
        self.web
            .db
            .sql(
                "SELECT shard, users FROM shard_users ORDER BY shard",
                vec![],
            )
            .into_iter()
            .map(|row| {
                (
                    row["shard"].as_i64().expect("shard"),
                    row["users"].as_i64().expect("users"),
                )
            })
            .collect()
    }

    fn count(&self, index: ShardIndex, sql: &str, params: Vec<Value>) -> i64 {
        self.db(index).sql(sql, params)[0]["n"]
            .as_i64()
            .expect("a count")
    }

    /// The user's plays in shard `index`: the `played_at` of each, oldest first.
    fn plays_in(&self, index: ShardIndex, user_id: &str) -> Vec<i64> {
        self.db(index)
            .sql(
                "SELECT p.played_at FROM play_events p JOIN users u ON u.key = p.user_key
                  WHERE u.id = ?1 ORDER BY p.played_at",
                vec![json!(user_id)],
            )
            .into_iter()
            .map(|row| row["played_at"].as_i64().expect("played_at"))
            .collect()
    }

    /// The archiver the queue's consumer runs, over every shard of this world, Spotify
    /// answering from `http`.
    fn archiver<'a>(
        &'a self,
        http: &'a ScriptedHttp,
    ) -> Archiver<'a, SqliteDatabase, MemoryKv, ScriptedHttp> {
        Archiver {
            shards: self.web.shards(),
            kv: &self.web.kv,
            http,
            endpoints: &self.web.endpoints,
            credentials: &self.web.credentials,
            cipher: &self.web.cipher,
            policy: PollingPolicy::default(),
            log: &SilentLog,
        }
    }

    /// Runs `job` as the consumer would at `now`, Spotify answering with `pages` (one
    /// recently-played page per user of the job).
    fn archive(&self, job: &ArchiveJob, pages: Vec<Value>, now: UnixMillis) -> Vec<ArchiveOutcome> {
        let http = ScriptedHttp::new(
            pages
                .iter()
                .map(|page| Ok(ScriptedHttp::ok(&page.to_string())))
                .collect(),
        );
        let report = block_on(self.archiver(&http).archive_job(job, now));
        assert_eq!(report.decision, MessageDecision::Ack, "{report:?}");
        report
            .outcomes
            .into_iter()
            .map(|(_, outcome)| outcome)
            .collect()
    }

    fn admin(&self, method: Method, path: &str, body: &str) -> WebResponse {
        self.plain(
            request(method, path, None)
                .with_header("Authorization", "Bearer admin-secret")
                .with_body(body),
        )
    }
}

/// `/me` of `name`: Spotify id `name`, account `acc-<name>`.
fn profile(name: &str) -> Value {
    json!({"id": name, "account_id": format!("acc-{name}"), "display_name": name, "email": null})
}

/// Spotify's answers to a login: the token grant, then `/me`.
fn spotify_answers(me: Value) -> ScriptedHttp {
    ScriptedHttp::new(vec![
        Ok(ScriptedHttp::ok(
            r#"{"access_token":"AT-secret-access","token_type":"Bearer","expires_in":3600,"refresh_token":"RT-secret-refresh","scope":"user-read-recently-played"}"#,
        )),
        Ok(ScriptedHttp::ok(&me.to_string())),
    ])
}

fn session(cookie: &str) -> String {
    format!("stm_session={cookie}")
}

/// A recently-played page of `count` plays of `tag`'s tracks, one a minute, the newest
/// at `newest`.
fn page(tag: &str, count: usize, newest: UnixMillis) -> Value {
    let items: Vec<Value> = (0..count)
        .map(|n| {
            let id = format!("{tag}{n}");
            json!({"played_at": crate::time::to_rfc3339(newest - n as i64 * MINUTE_MS), "context": null,
                   "track": {"id": id, "uri": format!("spotify:track:{id}"), "name": format!("Track {id}"),
                             "duration_ms": 200_000, "is_local": false, "explicit": false,
                             "artists": [{"id": format!("ar-{tag}"), "name": tag, "uri": null}],
                             "album": {"id": format!("al-{tag}"), "name": "Album", "images": []}}})
        })
        .collect();
    json!({"items": items, "next": null, "cursors": null, "limit": 50})
}

/// An extended streaming history record of a track, as Spotify's export has it.
fn extended(at: UnixMillis, id: &str) -> Value {
    let ts = chrono::TimeZone::timestamp_millis_opt(&chrono::Utc, at)
        .single()
        .expect("time")
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    json!({
        "ts": ts, "platform": "linux", "ms_played": 200_000, "conn_country": "SE",
        "ip_addr": "192.0.2.7", "master_metadata_track_name": format!("Imported {id}"),
        "master_metadata_album_artist_name": "Band", "master_metadata_album_album_name": "Album",
        "spotify_track_uri": format!("spotify:track:{id}"), "episode_name": null,
        "episode_show_name": null, "spotify_episode_uri": null, "audiobook_title": null,
        "audiobook_uri": null, "audiobook_chapter_uri": null, "audiobook_chapter_title": null,
        "reason_start": "trackdone", "reason_end": "trackdone", "shuffle": false, "skipped": false,
        "offline": false, "offline_timestamp": 0, "incognito_mode": false
    })
}

// ---------------------------------------------------------------------------------------
// Where logins put users

#[test]
fn new_users_are_spread_one_a_shard_and_a_shard_two_cookie_names_its_shard() {
    let world = World::new(3);
    let ada = world.login("ada");
    let bob = world.login("bob");
    let cyd = world.login("cyd");
    for (user, shard) in [("acc-ada", 0), ("acc-bob", 1), ("acc-cyd", 2)] {
        assert_eq!(world.shards_holding(user), [shard], "{user}");
        // Only the directory files users; the shards' own tables stay empty.
        if shard > 0 {
            assert!(world.ids(shard, "user_shards", "user_id").is_empty());
        }
    }
    assert_eq!(
        world.directory(),
        [
            ("acc-ada".to_owned(), 0),
            ("acc-bob".to_owned(), 1),
            ("acc-cyd".to_owned(), 2)
        ]
    );
    assert_eq!(world.shard_users(), [(0, 1), (1, 1), (2, 1)]);

    // Shard 0's cookie is the bare token, as before shards; the others name their shard.
    assert!(!ada.contains('.'), "{ada}");
    assert!(bob.starts_with("1.") && bob.len() > 2, "{bob}");
    assert!(cyd.starts_with("2.") && cyd.len() > 2, "{cyd}");
    let token = cyd.strip_prefix("2.").expect("a shard-2 cookie");
    let stored = world
        .db(2)
        .sql("SELECT id_hash, user_id FROM sessions", vec![]);
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert_eq!(
        (&stored[0]["id_hash"], &stored[0]["user_id"]),
        (&json!(crate::crypto::sha256_hex(token)), &json!("acc-cyd")),
        "the session is the token's hash, in the user's shard"
    );
    for (cookie, user) in [(&ada, "acc-ada"), (&bob, "acc-bob"), (&cyd, "acc-cyd")] {
        let status = world.plain(get("/api/status", Some(&session(cookie))));
        assert_eq!(status.status, 200, "{user}: {}", status.body);
        assert_eq!(json_of(&status)["id"], user);
    }
    // Each login's backfill names the user's shard.
    let jobs: Vec<(ShardIndex, String)> = world
        .web
        .queue
        .messages()
        .into_iter()
        .map(|job| (job.shard, job.users[0].user_id.clone()))
        .collect();
    assert_eq!(
        jobs,
        [
            (0, "acc-ada".to_owned()),
            (1, "acc-bob".to_owned()),
            (2, "acc-cyd".to_owned())
        ]
    );
}

#[test]
fn logging_in_again_keeps_the_shard_and_adds_no_user() {
    let world = World::new(3);
    world.login("ada");
    world.login("bob");
    world.login("cyd");
    for _ in 0..2 {
        let again = world.login("cyd");
        assert!(again.starts_with("2."), "{again}");
        let again = world.login("ada");
        assert!(!again.contains('.'), "{again}");
    }
    assert_eq!(world.shards_holding("acc-cyd"), [2]);
    assert_eq!(world.shards_holding("acc-ada"), [0]);
    let users: i64 = (0..3)
        .map(|shard| world.count(shard, "SELECT count(*) AS n FROM users", vec![]))
        .sum();
    assert_eq!(users, 3);
    assert_eq!(world.shard_users(), [(0, 1), (1, 1), (2, 1)]);
    assert_eq!(world.directory().len(), 3);
    // Every login opened a session, each in the user's own shard.
    assert_eq!(world.ids(2, "sessions", "user_id"), ["acc-cyd"]);
    assert_eq!(
        world.count(2, "SELECT count(*) AS n FROM sessions", vec![]),
        3
    );
}

#[test]
fn a_user_filed_under_the_old_spotify_id_stays_one_user_in_its_shard() {
    let world = World::new(3);
    world.login("ada");
    // Filed before Spotify sent an account id: the Spotify id is the user's id.
    let first = world.callback(
        None,
        json!({"id": "dan-spotify", "display_name": "Dan", "email": null}),
    );
    assert_eq!(first.status, 302, "{}", first.body);
    assert_eq!(world.shards_holding("dan-spotify"), [1]);

    let again = world.callback(
        None,
        json!({"id": "dan-spotify", "account_id": "acc-dan", "display_name": "Dan L.", "email": null}),
    );
    assert_eq!(again.status, 302, "{}", again.body);
    let cookie = cookie_value(&again, "stm_session").expect("session cookie");
    assert!(cookie.starts_with("1."), "{cookie}");
    assert!(world.shards_holding("acc-dan").is_empty());
    assert_eq!(world.shards_holding("dan-spotify"), [1]);
    assert_eq!(
        world.directory(),
        [("acc-ada".to_owned(), 0), ("dan-spotify".to_owned(), 1)]
    );
    assert_eq!(world.shard_users(), [(0, 1), (1, 1)]);
    let status = json_of(&world.plain(get("/api/status", Some(&session(&cookie)))));
    assert_eq!(status["id"], "dan-spotify");
}

#[test]
fn a_shard_of_weight_zero_takes_no_new_users() {
    let world = World::new(3);
    let weights: &[u32] = &[1, 0, 1];
    for name in ["ada", "bob", "cyd", "dan"] {
        world.login_weighted(Some(weights), name);
    }
    assert_eq!(world.shards_holding("acc-ada"), [0]);
    assert_eq!(world.shards_holding("acc-bob"), [2]);
    assert_eq!(world.shards_holding("acc-cyd"), [0]);
    assert_eq!(world.shards_holding("acc-dan"), [2]);
    assert!(world.ids(1, "users", "id").is_empty());
    assert_eq!(world.shard_users(), [(0, 2), (2, 2)]);
}

#[test]
fn with_every_weight_zero_a_new_account_is_refused_and_a_known_one_still_logs_in() {
    let world = World::new(3);
    world.login("ada");
    world.login("bob");
    let closed: &[u32] = &[0, 0, 0];

    let refused = world.callback(Some(closed), profile("eve"));
    assert_eq!(refused.status, 503);
    assert!(
        refused.body.contains("Not taking new users"),
        "{}",
        refused.body
    );
    assert!(cookie_value(&refused, "stm_session").is_none());
    let users: i64 = (0..3)
        .map(|shard| world.count(shard, "SELECT count(*) AS n FROM users", vec![]))
        .sum();
    assert_eq!(users, 2);
    assert!(world.shards_holding("acc-eve").is_empty());
    assert_eq!(world.directory().len(), 2, "{:?}", world.directory());

    let bob = world.login_weighted(Some(closed), "bob");
    assert!(bob.starts_with("1."), "{bob}");
    assert_eq!(
        world.plain(get("/api/status", Some(&session(&bob)))).status,
        200
    );
    assert_eq!(world.shard_users(), [(0, 1), (1, 1)]);
}

// ---------------------------------------------------------------------------------------
// Everything of a user is in their shard

/// Three users, one a shard, each archived twice (the second page full and newer than
/// the first: a gap), with an import of two listens and a notification channel that
/// was tested. User `k` (ada, bob, cyd) has `k + 1` polled plays first.
struct Populated {
    world: World,
    cookies: Vec<String>,
}

const USERS: [&str; 3] = ["acc-ada", "acc-bob", "acc-cyd"];

impl Populated {
    fn new() -> Self {
        let world = World::new(3);
        let cookies: Vec<String> = ["ada", "bob", "cyd"]
            .iter()
            .map(|name| world.login(name))
            .collect();
        // The logins' backfills, as the queue delivers them.
        let backfills = world.web.queue.take();
        assert_eq!(backfills.len(), 3);
        for (index, job) in backfills.iter().enumerate() {
            assert_eq!(job.shard as usize, index);
            let outcomes = world.archive(
                job,
                vec![page(&format!("first-{index}-"), index + 1, NOW - HOUR)],
                NOW,
            );
            assert!(
                matches!(outcomes[..], [ArchiveOutcome::Archived { gap: None, .. }]),
                "{outcomes:?}"
            );
        }
        // "Archive now" of each user, later: fifty plays all newer than the first ones.
        let later = NOW + 10 * MINUTE_MS;
        for cookie in &cookies {
            let response = world.web.send(
                &post("/api/archive", Some(&session(cookie)), "")
                    .with_content_type("application/json"),
                later,
            );
            assert_eq!(response.status, 202, "{}", response.body);
        }
        for (index, job) in world.web.queue.take().iter().enumerate() {
            assert_eq!(job.shard as usize, index, "the job names the user's shard");
            let outcomes = world.archive(
                job,
                vec![page(&format!("second-{index}-"), 50, later)],
                later,
            );
            assert!(
                matches!(
                    outcomes[..],
                    [ArchiveOutcome::Archived { gap: Some(_), .. }]
                ),
                "{outcomes:?}"
            );
        }
        // An import of two old listens each.
        for (index, cookie) in cookies.iter().enumerate() {
            let created = world.plain(post("/api/imports", Some(&session(cookie)), ""));
            assert_eq!(created.status, 201, "{}", created.body);
            let id = json_of(&created)["id"].as_i64().expect("an import id");
            let records = [
                extended(LONG_AGO, &format!("imp{index}a")),
                extended(LONG_AGO + 5 * MINUTE_MS, &format!("imp{index}b")),
            ];
            let chunk = world.plain(post(
                &format!("/api/imports/{id}/chunks"),
                Some(&session(cookie)),
                &json!({"file": "Streaming_History_Audio_2019_0.json", "offset": 0, "records": records})
                    .to_string(),
            ));
            assert_eq!(chunk.status, 200, "{}", chunk.body);
            let finish = world.plain(post(
                &format!("/api/imports/{id}/finish"),
                Some(&session(cookie)),
                "",
            ));
            assert_eq!(finish.status, 200, "{}", finish.body);
            assert_eq!(json_of(&finish)["import"]["imported"], 2, "{}", finish.body);
        }
        // A channel each, tested.
        for (index, cookie) in cookies.iter().enumerate() {
            let added = world.plain(post(
                "/api/notifications/channels",
                Some(&session(cookie)),
                &json!({"kind": "ntfy", "url": format!("https://ntfy.sh/alerts-{index}")})
                    .to_string(),
            ));
            assert_eq!(added.status, 201, "{}", added.body);
            let channel = json_of(&added)["channel"]["id"]
                .as_i64()
                .expect("a channel id");
            let test = world.plain(post(
                &format!("/api/notifications/channels/{channel}/test"),
                Some(&session(cookie)),
                "",
            ));
            assert_eq!(test.status, 202, "{}", test.body);
        }
        Self { world, cookies }
    }
}

const HOUR: i64 = 60 * MINUTE_MS;

#[test]
fn everything_of_a_user_is_in_their_shard_and_nowhere_else() {
    let Populated { world, .. } = Populated::new();
    for (shard, user) in USERS.iter().enumerate() {
        let shard = shard as ShardIndex;
        let only = vec![(*user).to_owned()];
        for (table, column) in [
            ("users", "id"),
            ("sessions", "user_id"),
            ("data_gaps", "user_id"),
            ("imports", "user_id"),
            ("notification_channels", "user_id"),
            ("notification_outbox", "user_id"),
        ] {
            assert_eq!(
                world.ids(shard, table, column),
                only,
                "shard {shard}'s {table}"
            );
        }
        // The plays: the first page's, fifty more, and the two imported; every play of
        // the shard is this user's (user keys count from 1 in every shard).
        let plays = world.plays_in(shard, user);
        assert_eq!(plays.len(), shard as usize + 1 + 50 + 2, "{user}");
        assert_eq!(
            world.count(shard, "SELECT count(*) AS n FROM play_events", vec![]),
            plays.len() as i64
        );
        // The catalogue rows their plays join are there too.
        let orphans = world.count(
            shard,
            "SELECT count(*) AS n FROM play_events p
              WHERE NOT EXISTS (SELECT 1 FROM tracks t WHERE t.key = p.track_key)",
            vec![],
        );
        assert_eq!(orphans, 0, "shard {shard}");
        let tracks = world.ids(shard, "tracks", "id");
        let theirs = format!("first-{shard}-0");
        assert!(tracks.contains(&theirs), "{tracks:?}");
        for other in (0..3).filter(|other| *other != shard) {
            assert!(
                !tracks.contains(&format!("first-{other}-0")),
                "shard {shard} holds shard {other}'s track"
            );
        }
    }
}

#[test]
fn export_plays_and_stats_answer_from_the_users_shard() {
    let Populated { world, cookies } = Populated::new();
    for (shard, (user, cookie)) in USERS.iter().zip(&cookies).enumerate() {
        let shard = shard as ShardIndex;
        let archived = world.plays_in(shard, user);

        let mut export = world.plain(get("/api/export?format=json", Some(&session(cookie))));
        assert_eq!(export.status, 200, "{}", export.body);
        let text = world.web.drain(&mut export).concat();
        let document: Value = serde_json::from_str(&text).expect("one JSON document");
        assert_eq!(document["user_id"], *user);
        let mut exported: Vec<i64> = document["plays"]
            .as_array()
            .expect("plays")
            .iter()
            .map(|play| play["played_at"].as_i64().expect("played_at"))
            .collect();
        exported.sort_unstable();
        assert_eq!(exported, archived, "{user}'s export");

        let plays = json_of(&world.plain(get("/api/plays?limit=100", Some(&session(cookie)))));
        let mut listed: Vec<i64> = plays["plays"]
            .as_array()
            .expect("plays")
            .iter()
            .map(|play| play["played_at"].as_i64().expect("played_at"))
            .collect();
        listed.sort_unstable();
        assert_eq!(listed, archived, "{user}'s plays");

        let stats = world.plain(get(
            "/api/stats?from=2019-01-01&to=2027-12-31",
            Some(&session(cookie)),
        ));
        assert_eq!(stats.status, 200, "{}", stats.body);
        assert_eq!(
            json_of(&stats)["totals"]["plays"],
            archived.len(),
            "{user}'s stats"
        );

        let gaps = json_of(&world.plain(get("/api/gaps", Some(&session(cookie)))));
        assert_eq!(gaps["gaps"].as_array().map(Vec::len), Some(1), "{gaps}");
    }
}

// ---------------------------------------------------------------------------------------
// Cookies that name a shard

#[test]
fn a_cookie_naming_another_or_no_shard_is_not_logged_in() {
    let world = World::new(3);
    world.login("ada");
    let bob = world.login("bob");
    let cyd = world.login("cyd");
    let token = cyd.strip_prefix("2.").expect("a shard-2 cookie");
    let bob_token = bob.strip_prefix("1.").expect("a shard-1 cookie");
    let refused = [
        // Not bound.
        format!("3.{token}"),
        format!("63.{token}"),
        format!("4294967295.{token}"),
        format!("4294967296.{token}"),
        format!("99999999999999999999999.{token}"),
        // Another shard than the session's.
        format!("1.{token}"),
        format!("0.{token}"),
        token.to_owned(),
        format!("2.{bob_token}"),
        // Not a shard number as a session cookie writes it.
        format!("02.{token}"),
        format!("+2.{token}"),
        format!("-1.{token}"),
        format!("2 .{token}"),
        format!(".{token}"),
        "01.x".to_owned(),
        "-1.x".to_owned(),
        "x.y".to_owned(),
        "2.".to_owned(),
        ".".to_owned(),
        format!("2.{token}.{token}"),
    ];
    for cookie in &refused {
        let status = world.plain(get("/api/status", Some(&session(cookie))));
        assert_eq!(status.status, 401, "{cookie:?}: {}", status.body);
        let page = world.plain(get("/", Some(&session(cookie))));
        assert_eq!(page.status, 200, "{cookie:?}");
        assert!(
            !page.body.contains("acc-cyd") && !page.body.contains("acc-bob"),
            "{cookie:?} shows a user"
        );
    }
    // The real cookies still work.
    for cookie in [&bob, &cyd] {
        assert_eq!(
            world
                .plain(get("/api/status", Some(&session(cookie))))
                .status,
            200
        );
    }
}

#[test]
fn a_session_cookie_reads_back_as_it_was_written_and_only_so() {
    use crate::shards::{read_sharded_token, sharded_token};
    for shard in [0, 1, 2, 10, 63, ShardIndex::MAX] {
        let value = sharded_token(shard, "tok_en-1");
        assert_eq!(
            read_sharded_token(&value),
            Some((shard, "tok_en-1")),
            "{value}"
        );
    }
    for value in [
        "+2.t",
        "02.t",
        "00.t",
        "-1.t",
        "x.y",
        ".t",
        "2 .t",
        "4294967296.t",
    ] {
        assert_eq!(read_sharded_token(value), None, "{value}");
    }
}

#[test]
fn logging_out_with_a_cookie_of_no_bound_shard_clears_it_and_ends_no_other_session() {
    let world = World::new(3);
    world.login("ada");
    world.login("bob");
    let cyd = world.login("cyd");
    let token = cyd.strip_prefix("2.").expect("a shard-2 cookie");
    for cookie in [
        format!("1.{token}"),
        format!("9.{token}"),
        format!("01.{token}"),
        "-1.x".to_owned(),
        "x.y".to_owned(),
    ] {
        let response = world
            .plain(request(Method::Post, "/logout", Some(&session(&cookie))).with_our_origin());
        assert_eq!(response.status, 303, "{cookie}: {}", response.body);
        assert!(
            set_cookies(&response)
                .iter()
                .any(|set| set.starts_with("stm_session=;")),
            "{cookie}: {:?}",
            set_cookies(&response)
        );
    }
    // None of them ended cyd's session, though each of the first three carried its token.
    assert_eq!(
        world.plain(get("/api/status", Some(&session(&cyd)))).status,
        200
    );
    let logout =
        world.plain(request(Method::Post, "/logout", Some(&session(&cyd))).with_our_origin());
    assert_eq!(logout.status, 303);
    assert_eq!(
        world.plain(get("/api/status", Some(&session(&cyd)))).status,
        401
    );
    assert_eq!(
        world.count(2, "SELECT count(*) AS n FROM sessions", vec![]),
        0
    );
}

// ---------------------------------------------------------------------------------------
// Deleting an account

/// The rows `user_id` has in shard `index`, table by table.
fn rows_of(world: &World, index: ShardIndex, user_id: &str) -> Vec<(&'static str, i64)> {
    let by_id = |table: &'static str, column: &str| {
        (
            table,
            world.count(
                index,
                &format!("SELECT count(*) AS n FROM {table} WHERE {column} = ?1"),
                vec![json!(user_id)],
            ),
        )
    };
    vec![
        by_id("users", "id"),
        by_id("sessions", "user_id"),
        by_id("data_gaps", "user_id"),
        by_id("imports", "user_id"),
        by_id("notification_channels", "user_id"),
        by_id("notification_outbox", "user_id"),
        ("play_events", world.plays_in(index, user_id).len() as i64),
    ]
}

#[test]
fn deleting_a_shard_one_account_empties_its_shard_and_its_directory_row_only() {
    let Populated { world, cookies } = Populated::new();
    assert!(rows_of(&world, 1, "acc-bob").iter().all(|(_, n)| *n > 0));
    let before: Vec<_> = [(0, "acc-ada"), (2, "acc-cyd")]
        .iter()
        .map(|(shard, user)| rows_of(&world, *shard, user))
        .collect();

    let response = world.plain(
        request(Method::Delete, "/api/account", Some(&session(&cookies[1]))).with_our_origin(),
    );
    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(json_of(&response)["deleted"]["user"], "acc-bob");
    assert!(
        rows_of(&world, 1, "acc-bob").iter().all(|(_, n)| *n == 0),
        "{:?}",
        rows_of(&world, 1, "acc-bob")
    );
    assert_eq!(
        world.count(1, "SELECT count(*) AS n FROM play_events", vec![]),
        0
    );
    assert_eq!(
        world.directory(),
        [("acc-ada".to_owned(), 0), ("acc-cyd".to_owned(), 2)]
    );
    assert_eq!(world.shard_users(), [(0, 1), (1, 0), (2, 1)]);
    // The others are as they were.
    let after: Vec<_> = [(0, "acc-ada"), (2, "acc-cyd")]
        .iter()
        .map(|(shard, user)| rows_of(&world, *shard, user))
        .collect();
    assert_eq!(after, before);
    for cookie in [&cookies[0], &cookies[2]] {
        assert_eq!(
            world
                .plain(get("/api/status", Some(&session(cookie))))
                .status,
            200
        );
    }
    assert_eq!(
        world
            .plain(get("/api/status", Some(&session(&cookies[1]))))
            .status,
        401
    );
}

#[test]
fn a_delete_its_shard_fails_puts_the_directory_row_back_and_can_be_asked_again() {
    let world = World::new(3);
    world.login("ada");
    let bob = world.login("bob");
    world.login("cyd");
    let filed_before = world.web.db.sql(
        "SELECT user_id, spotify_id, shard, created_at FROM user_shards WHERE user_id = 'acc-bob'",
        vec![],
    );
    assert_eq!(filed_before.len(), 1);

    world.db(1).fail_batches(true);
    let response = world
        .plain(request(Method::Delete, "/api/account", Some(&session(&bob))).with_our_origin());
    assert_eq!(response.status, 503, "{}", response.body);
    assert_eq!(world.shards_holding("acc-bob"), [1], "nothing was deleted");
    let filed_after = world.web.db.sql(
        "SELECT user_id, spotify_id, shard, created_at FROM user_shards WHERE user_id = 'acc-bob'",
        vec![],
    );
    assert_eq!(
        filed_after, filed_before,
        "the directory row is back as it was"
    );
    assert_eq!(world.shard_users(), [(0, 1), (1, 1), (2, 1)]);
    world.db(1).fail_batches(false);

    // Still signed in; and a new login finds bob in shard 1 even with shard 1 closed to
    // new users: the directory still knows him.
    assert_eq!(
        world.plain(get("/api/status", Some(&session(&bob)))).status,
        200
    );
    let again = world.login_weighted(Some(&[1, 0, 1]), "bob");
    assert!(again.starts_with("1."), "{again}");
    assert_eq!(world.shards_holding("acc-bob"), [1]);

    let retried = world
        .plain(request(Method::Delete, "/api/account", Some(&session(&again))).with_our_origin());
    assert_eq!(retried.status, 200, "{}", retried.body);
    assert!(world.shards_holding("acc-bob").is_empty());
    assert_eq!(world.shard_users(), [(0, 1), (1, 0), (2, 1)]);
}

// ---------------------------------------------------------------------------------------
// Health and the operators' routes

/// A shard's database that can be taken down: while `down`, every read and write fails.
struct Switchable<'a> {
    db: &'a SqliteDatabase,
    down: bool,
}

impl Database for Switchable<'_> {
    async fn query(&self, statement: Statement) -> Result<Vec<Row>, DatabaseError> {
        if self.down {
            return Err(DatabaseError {
                message: "D1_ERROR: shard unavailable".into(),
            });
        }
        self.db.query(statement).await
    }

    async fn batch(&self, statements: Vec<Statement>) -> Result<Vec<Vec<Row>>, DatabaseError> {
        if self.down {
            return Err(DatabaseError {
                message: "D1_ERROR: shard unavailable".into(),
            });
        }
        self.db.batch(statements).await
    }
}

/// The App of `web` over `databases` (shard 0 first).
fn app_over<'a, D: Database>(
    web: &'a WebWorld,
    databases: Vec<&'a D>,
    http: &'a ScriptedHttp,
) -> App<'a, (D, MemoryKv, ScriptedHttp, MemoryQueue)> {
    App::<(_, _, _, _)> {
        shards: Shards::new(databases).expect("a directory"),
        kv: &web.kv,
        http,
        queue: &web.queue,
        endpoints: &web.endpoints,
        credentials: Ok::<_, ConfigError>(&web.credentials),
        cipher: Ok::<_, ConfigError>(&web.cipher),
        cron_secret: web.cron_secret,
        sweep: SweepConfig::default(),
        policy: PollingPolicy::default(),
        notify: &web.notify,
        forward: web.forward.clone(),
        zones: &crate::testing::zones::TzdbZones,
        log: &web.log,
    }
}

#[test]
fn health_names_the_shard_that_fails_and_tells_the_operator() {
    let world = World::new(3);
    let ada = world.login("ada");
    let healthy = world.plain(get("/api/health", None));
    assert_eq!(healthy.status, 200, "{}", healthy.body);
    let shards = json_of(&healthy)["shards"].clone();
    assert_eq!(
        shards,
        json!([
            {"shard": 0, "binding": "ARCHIVE_DB", "status": "ok", "error": null},
            {"shard": 1, "binding": "ARCHIVE_DB_1", "status": "ok", "error": null},
            {"shard": 2, "binding": "ARCHIVE_DB_2", "status": "ok", "error": null},
        ])
    );

    let databases = [
        Switchable {
            db: &world.web.db,
            down: false,
        },
        Switchable {
            db: world.db(1),
            down: false,
        },
        Switchable {
            db: world.db(2),
            down: true,
        },
    ];
    let http = ScriptedHttp::new(vec![]);
    let app = app_over(&world.web, databases.iter().collect(), &http);
    let response = block_on(app.handle(&get("/api/health", None), NOW, || NOW));
    assert_eq!(response.status, 503, "{}", response.body);
    let health = json_of(&response);
    assert_eq!(health["ok"], false);
    assert_eq!(health["bindings"]["database"], "error");
    let statuses: Vec<&Value> = health["shards"]
        .as_array()
        .expect("shards")
        .iter()
        .map(|shard| &shard["status"])
        .collect();
    assert_eq!(statuses, [&json!("ok"), &json!("ok"), &json!("error")]);
    assert_eq!(health["shards"][2]["binding"], "ARCHIVE_DB_2");
    assert!(
        health["shards"][2]["error"]
            .as_str()
            .is_some_and(|error| error.contains("shard unavailable")),
        "{health}"
    );
    // The alert is raised in the directory's outbox (shard 0 answers) and relayed.
    let alerts = world.web.db.sql(
        "SELECT id, event, data FROM notification_outbox WHERE user_id = ''",
        vec![],
    );
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert_eq!(alerts[0]["event"], "binding_unhealthy");
    let data: Value =
        serde_json::from_str(alerts[0]["data"].as_str().expect("data")).expect("JSON data");
    assert_eq!(data["binding"], "ARCHIVE_DB_2");
    for shard in [1, 2] {
        assert_eq!(
            world.count(
                shard,
                "SELECT count(*) AS n FROM notification_outbox",
                vec![]
            ),
            0
        );
    }
    assert_eq!(
        world.web.queue.take_notifications(),
        [NotifyMessage::Delivery(
            alerts[0]["id"].as_i64().expect("an id")
        )]
    );
    // Users of the other shards keep working.
    let status = block_on(app.handle(&get("/api/status", Some(&session(&ada))), NOW, || NOW));
    assert_eq!(status.status, 200);
}

#[test]
fn admin_shards_lists_each_shard_with_its_users_and_weight() {
    let world = World::new(3);
    for name in ["ada", "bob", "cyd", "dan"] {
        world.login(name);
    }
    assert_eq!(world.plain(get("/api/admin/shards", None)).status, 401);
    let http = ScriptedHttp::new(vec![]);
    let mut app = world.web.app(&http);
    app.shards = app.shards.with_weights(&[1, 2, 0]);
    let response = block_on(app.handle(
        &get("/api/admin/shards", None).with_header("Authorization", "Bearer admin-secret"),
        NOW,
        || NOW,
    ));
    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(
        json_of(&response)["shards"],
        json!([
            {"shard": 0, "binding": "ARCHIVE_DB", "weight": 1, "users": 2, "status": "ok", "error": null},
            {"shard": 1, "binding": "ARCHIVE_DB_1", "weight": 2, "users": 1, "status": "ok", "error": null},
            {"shard": 2, "binding": "ARCHIVE_DB_2", "weight": 0, "users": 1, "status": "ok", "error": null},
        ])
    );
}

#[test]
fn admin_archive_queues_the_users_shard_and_a_job_of_no_bound_shard_is_refused() {
    let world = World::new(3);
    for name in ["ada", "bob", "cyd"] {
        world.login(name);
    }
    world.web.queue.take();
    let queued = world.admin(Method::Post, "/api/admin/archive/acc-cyd", "");
    assert_eq!(queued.status, 202, "{}", queued.body);
    let jobs = world.web.queue.take();
    assert_eq!(jobs.len(), 1);
    assert_eq!(
        (jobs[0].shard, jobs[0].users[0].user_id.as_str()),
        (2, "acc-cyd")
    );
    assert!(jobs[0].users[0].manual);
    assert_eq!(
        world
            .admin(Method::Post, "/api/admin/archive/acc-nobody", "")
            .status,
        404
    );

    let job = |shard: ShardIndex| {
        serde_json::to_string(&ArchiveJob {
            shard,
            users: vec![JobUser::new("acc-cyd", SlotKind::Manual, NOW)],
            enqueued_at: NOW,
        })
        .expect("json")
    };
    let refused = world.admin(Method::Post, "/api/admin/jobs", &job(9));
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert_eq!(json_of(&refused)["error"]["code"], "unknown_shard");
    assert!(world.web.queue.take().is_empty(), "nothing queued");
    let accepted = world.admin(Method::Post, "/api/admin/jobs", &job(2));
    assert_eq!(accepted.status, 202, "{}", accepted.body);
    assert_eq!(world.web.queue.take()[0].shard, 2);
}

#[test]
fn admin_archive_reads_its_user_id_as_a_path_segment_where_plus_is_no_space() {
    // '+' means a space only in a query string or a form body, never in a path.
    let world = World::new(1);
    for name in ["a+b", "c d"] {
        world.login(name);
    }
    world.web.queue.take();
    for (path, user_id) in [
        ("/api/admin/archive/acc-a+b", "acc-a+b"),
        ("/api/admin/archive/acc-a%2Bb", "acc-a+b"),
        ("/api/admin/archive/acc-c%20d", "acc-c d"),
    ] {
        let queued = world.admin(Method::Post, path, "");
        assert_eq!(queued.status, 202, "{path}: {}", queued.body);
        assert_eq!(json_of(&queued)["queued"], user_id, "{path}");
        assert_eq!(
            world.web.queue.take()[0].users[0].user_id,
            user_id,
            "{path}"
        );
    }
    // And "acc-c+d" is not "acc-c d".
    let unknown = world.admin(Method::Post, "/api/admin/archive/acc-c+d", "");
    assert_eq!(unknown.status, 404, "{}", unknown.body);
}

// ---------------------------------------------------------------------------------------
// Notifications and archive jobs per shard

#[test]
fn a_shard_two_delivery_is_sent_from_its_shard_under_its_own_key() {
    let world = World::new(3);
    let ada = world.login("ada");
    world.login("bob");
    let cyd = world.login("cyd");
    let test_channel = |cookie: &str, url: &str| {
        let added = world.plain(post(
            "/api/notifications/channels",
            Some(&session(cookie)),
            &json!({"kind": "ntfy", "url": url}).to_string(),
        ));
        assert_eq!(added.status, 201, "{}", added.body);
        let channel = json_of(&added)["channel"]["id"].as_i64().expect("an id");
        let test = world.plain(post(
            &format!("/api/notifications/channels/{channel}/test"),
            Some(&session(cookie)),
            "",
        ));
        assert_eq!(test.status, 202, "{}", test.body);
        world.web.queue.take_notifications()
    };
    let cyd_messages = test_channel(&cyd, "https://ntfy.sh/cyd-alerts");
    let outbox = world
        .db(2)
        .sql("SELECT id FROM notification_outbox", vec![]);
    assert_eq!(outbox.len(), 1, "{outbox:?}");
    let id = outbox[0]["id"].as_i64().expect("an id");
    assert_eq!(
        cyd_messages,
        [NotifyMessage::ShardDelivery { shard: 2, id }]
    );
    let ada_messages = test_channel(&ada, "https://ntfy.sh/ada-alerts");
    // Outbox ids count from 1 in every shard: the same id, another delivery.
    assert_eq!(ada_messages, [NotifyMessage::Delivery(id)]);

    let http = ScriptedHttp::new(vec![Ok(ScriptedHttp::ok("{}")), Ok(ScriptedHttp::ok("{}"))]);
    let deliverer = Deliverer {
        shards: world.web.shards(),
        kv: &world.web.kv,
        http: &http,
        cipher: &world.web.cipher,
        config: &world.web.notify,
        log: &SilentLog,
    };
    for message in cyd_messages.iter().chain(&ada_messages) {
        assert_eq!(
            block_on(deliverer.deliver(message, NOW)),
            DeliveryOutcome::Delivered,
            "{message:?}"
        );
    }
    let sent = http.requests();
    assert_eq!(sent.len(), 2);
    assert!(sent[0].url.contains("cyd-alerts"), "{}", sent[0].url);
    assert_eq!(sent[0].header("Idempotency-Key"), Some("stm-2-1"));
    assert_eq!(
        sent[0].header("Idempotency-Key"),
        Some(delivery_key(2, id).as_str())
    );
    assert!(sent[1].url.contains("ada-alerts"), "{}", sent[1].url);
    assert_eq!(sent[1].header("Idempotency-Key"), Some("stm-1"));
    assert_ne!(delivery_key(0, id), delivery_key(2, id));
    // Each shard's row is settled in its own shard, each marked sent under its own key.
    for shard in [0, 2] {
        let delivered = world.count(
            shard,
            "SELECT count(*) AS n FROM notification_outbox WHERE delivered_at IS NOT NULL",
            vec![],
        );
        assert_eq!(delivered, 1, "shard {shard}");
    }
    let keys = world.web.kv.keys();
    assert!(keys.contains(&sent_mark(2, id)), "{keys:?}");
    assert!(keys.contains(&sent_mark(0, id)), "{keys:?}");
    assert_ne!(sent_mark(0, id), sent_mark(2, id));
}

#[test]
fn a_delivery_the_queue_missed_is_relayed_by_the_sweep_naming_its_shard() {
    let world = World::new(3);
    world.login("ada");
    world.login("bob");
    let cyd = world.login("cyd");
    world.web.queue.take();
    world.web.queue.fail.set(true);
    let added = world.plain(post(
        "/api/notifications/channels",
        Some(&session(&cyd)),
        &json!({"kind": "ntfy", "url": "https://ntfy.sh/cyd-alerts"}).to_string(),
    ));
    let channel = json_of(&added)["channel"]["id"].as_i64().expect("an id");
    let test = world.plain(post(
        &format!("/api/notifications/channels/{channel}/test"),
        Some(&session(&cyd)),
        "",
    ));
    assert_eq!(json_of(&test)["test"]["queued"], false, "{}", test.body);
    world.web.queue.fail.set(false);

    let summary = block_on(crate::engine::sweep::run_sweep(
        &world.web.shards(),
        &world.web.queue,
        &SweepConfig::default(),
        "cron",
        NOW + 16 * MINUTE_MS,
        || NOW + 16 * MINUTE_MS,
    ));
    let id = world
        .db(2)
        .sql("SELECT id FROM notification_outbox", vec![])[0]["id"]
        .as_i64()
        .expect("an id");
    assert_eq!(
        world.web.queue.take_notifications(),
        [NotifyMessage::ShardDelivery { shard: 2, id }]
    );
    assert_eq!(summary.notifications_relayed, 1);
    assert_eq!(summary.shards[2].notifications_relayed, 1);
}

#[test]
fn a_quota_rest_heard_in_one_shard_rests_every_shard() {
    let world = World::new(3);
    for name in ["ada", "bob", "cyd"] {
        world.login(name);
    }
    let backfills = world.web.queue.take();
    let mut quota = ScriptedHttp::status(
        429,
        r#"{"error":{"status":429,"message":"quota","reason":"QUOTA_EXCEEDED"}}"#,
    );
    quota.headers.push(("Retry-After".into(), "3600".into()));
    let http = ScriptedHttp::new(vec![Ok(quota)]);
    // cyd, in shard 2, hears Spotify's 429 QUOTA_EXCEEDED.
    let report = block_on(world.archiver(&http).archive_job(&backfills[2], NOW));
    let until = match &report.outcomes[..] {
        [(_, ArchiveOutcome::AppResting { until })] => *until,
        _ => panic!("not resting: {report:?}"),
    };
    assert!(until > NOW, "{until}");

    // The directory holds the app's rest: health shows it, and the operator is told
    // once, from shard 0.
    let health = json_of(&world.plain(get("/api/health", None)));
    assert_eq!(health["spotify"]["app_resting_until"], until, "{health}");
    let operator_rows = |shard: ShardIndex| {
        world.count(
            shard,
            "SELECT count(*) AS n FROM notification_outbox WHERE user_id = '' AND event = 'app_quota_rest'",
            vec![],
        )
    };
    assert_eq!(
        (operator_rows(0), operator_rows(1), operator_rows(2)),
        (1, 0, 0)
    );

    // Nobody is polled in any shard: no sweep claims anyone due...
    for shard in 0..3 {
        world
            .db(shard)
            .sql("UPDATE users SET next_due_at = ?1", vec![json!(NOW)]);
    }
    let summary = block_on(crate::engine::sweep::run_sweep(
        &world.web.shards(),
        &world.web.queue,
        &SweepConfig::default(),
        "cron",
        NOW + MINUTE_MS,
        || NOW + MINUTE_MS,
    ));
    assert_eq!(
        summary
            .shards
            .iter()
            .map(|part| part.users_due)
            .collect::<Vec<_>>(),
        [0, 0, 0],
        "{summary:?}"
    );
    // ...and a job already queued for a user of another shard does not ask Spotify.
    let quiet = ScriptedHttp::new(vec![]);
    for job in &backfills[..2] {
        let report = block_on(world.archiver(&quiet).archive_job(job, NOW + MINUTE_MS));
        assert!(
            matches!(
                &report.outcomes[..],
                [(_, ArchiveOutcome::AppResting { .. })]
            ),
            "shard {}: {report:?}",
            job.shard
        );
    }
    assert!(quiet.requests().is_empty());
}

#[test]
fn an_archive_job_of_an_unbound_shard_is_retried_and_writes_nothing() {
    let world = World::new(3);
    for name in ["ada", "bob", "cyd"] {
        world.login(name);
    }
    world.web.queue.take();
    let snapshot = |world: &World| -> Vec<Vec<Row>> {
        (0..3)
            .map(|shard| {
                world.db(shard).sql(
                    "SELECT id, next_due_at, last_polled_at, cursor_after, consecutive_failures,
                            (SELECT count(*) FROM play_events) AS plays
                       FROM users ORDER BY id",
                    vec![],
                )
            })
            .collect()
    };
    let before = snapshot(&world);
    let kv_before = world.web.kv.keys();
    let job = ArchiveJob {
        shard: 5,
        users: vec![JobUser::new("acc-cyd", SlotKind::Manual, NOW + SECOND_MS)],
        enqueued_at: NOW + SECOND_MS,
    };
    let http = ScriptedHttp::new(vec![Ok(ScriptedHttp::ok(&page("t", 3, NOW).to_string()))]);
    let report = block_on(world.archiver(&http).archive_job(&job, NOW + SECOND_MS));
    assert!(
        matches!(
            &report.outcomes[..],
            [(user, ArchiveOutcome::Unrecorded { error })]
                if user == "acc-cyd" && error.contains("shard 5")
        ),
        "{report:?}"
    );
    assert!(
        matches!(report.decision, MessageDecision::Retry { .. }),
        "{report:?}"
    );
    assert!(http.requests().is_empty(), "Spotify was not asked");
    assert_eq!(snapshot(&world), before);
    assert_eq!(world.web.kv.keys(), kv_before, "no slot marked done");
    assert!(world.web.queue.take_notifications().is_empty());
}
