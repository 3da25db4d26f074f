//! Public links through the whole web surface, natively: a link's life (made, seen
//! logged out, listed without its token, revoked, 404), expiry, other users, the cap,
//! refusals, and what a public page may never show.

use serde_json::{json, Value};

use super::WebResponse;
use crate::crypto::sha256_hex;
use crate::ports::Method;
use crate::testing::web::{get, header, json_of, post, request, RequestBuilder, WebWorld};
use crate::testing::SqliteDatabase;
use crate::time::{DAY_MS, MINUTE_MS};

/// 2027-01-15T08:00:00Z.
pub(super) const NOW: i64 = 1_800_000_000_000;
/// Ada's id: the public page must never show it.
const ADA: &str = "u-7f3k9q";
const ADA_EMAIL: &str = "ada.private@example.com";
const ADA_NAME: &str = "Ada Lovelace";

/// Ada, signed in, with a name, an email, Berlin as her zone, and three plays of two
/// tracks (the newest at 2027-01-14T23:30Z: half past midnight the next day in Berlin).
pub(super) fn world_with_ada() -> (WebWorld, String) {
    let world = WebWorld::new();
    let cookie = world.sign_in(ADA, NOW);
    seed(&world.db, ADA);
    (world, cookie)
}

fn seed(db: &SqliteDatabase, user: &str) {
    db.sql(
        "UPDATE users SET display_name = ?2, email = ?3, time_zone = 'Europe/Berlin' WHERE id = ?1",
        vec![json!(user), json!(ADA_NAME), json!(ADA_EMAIL)],
    );
    db.sql(
        "INSERT INTO albums (id, name) VALUES ('al1', 'Analytical Engine')",
        vec![],
    );
    db.sql(
        "INSERT INTO tracks (id, name, duration_ms, album_key)
         SELECT 'spotifytrack1', 'Bernoulli Numbers', 240000, key FROM albums WHERE id = 'al1'
         UNION ALL SELECT 'spotifytrack2', 'Note G', 180000, key FROM albums WHERE id = 'al1'
        ",
        vec![],
    );
    db.sql(
        "INSERT INTO artists (id, name) VALUES ('artist1', 'The Engines')",
        vec![],
    );
    db.sql(
        "INSERT INTO track_artists (track_key, artist_key, position)
         SELECT t.key, a.key, 0 FROM tracks t, artists a",
        vec![],
    );
    let newest = NOW - 8 * 60 * MINUTE_MS - 30 * MINUTE_MS;
    for (track, at) in [
        ("spotifytrack1", newest),
        ("spotifytrack2", newest - 10 * MINUTE_MS),
        ("spotifytrack1", newest - 40 * DAY_MS),
    ] {
        db.sql(
            "INSERT INTO play_events (user_key, track_key, played_at)
             SELECT u.key, t.key, ?3 FROM users u, tracks t WHERE u.id = ?1 AND t.id = ?2",
            vec![json!(user), json!(track), json!(at)],
        );
    }
}

fn create(world: &WebWorld, cookie: &str, body: Value, now: i64) -> WebResponse {
    world.send(
        &post("/api/shares/new", Some(cookie), &body.to_string())
            .with_content_type("application/json"),
        now,
    )
}

/// A link made through the API: its path (`/s/…`) and id.
fn made(world: &WebWorld, cookie: &str, body: Value) -> (String, i64) {
    let response = create(world, cookie, body, NOW);
    assert_eq!(response.status, 201, "{}", response.body);
    let answer = json_of(&response);
    let url = answer["url"].as_str().expect("a url");
    let path = url
        .strip_prefix("http://127.0.0.1:8787")
        .expect("our origin")
        .to_owned();
    (path, answer["share"]["id"].as_i64().expect("an id"))
}

fn token_of(path: &str) -> &str {
    path.strip_prefix("/s/").expect("a link path")
}

fn view(world: &WebWorld, path: &str, now: i64) -> WebResponse {
    world.send(&get(path, None), now)
}

fn revoke(world: &WebWorld, cookie: &str, id: i64) -> WebResponse {
    world.send(
        &post(&format!("/api/shares/{id}/revoke"), Some(cookie), ""),
        NOW,
    )
}

fn list(world: &WebWorld, cookie: &str, now: i64) -> Value {
    let response = world.send(&get("/api/shares", Some(cookie)), now);
    assert_eq!(response.status, 200, "{}", response.body);
    json_of(&response)
}

/// What no public page may ever contain, whatever the link shows.
fn assert_private(response: &WebResponse, path: &str) {
    let token = token_of(path);
    for secret in [
        ADA,
        ADA_EMAIL,
        token,
        &sha256_hex(token),
        "c-u-7f3k9q",
        "stm_session",
        "spotifytrack1",
        "artist1",
    ] {
        assert!(
            !response.body.contains(secret),
            "the page shows {secret}: {}",
            response.body
        );
    }
    assert!(
        response
            .headers
            .iter()
            .all(|(_, value)| !value.contains(token)),
        "a header carries the token: {:?}",
        response.headers
    );
    assert_eq!(header(response, "Set-Cookie"), None);
}

fn assert_public_headers(response: &WebResponse) {
    assert_eq!(header(response, "X-Robots-Tag"), Some("noindex, nofollow"));
    assert_eq!(header(response, "Referrer-Policy"), Some("no-referrer"));
    assert_eq!(header(response, "Cache-Control"), Some("private, no-store"));
    assert!(header(response, "Content-Security-Policy")
        .is_some_and(|csp| csp.contains("default-src 'none'")));
    assert!(response
        .body
        .contains("<meta name=\"robots\" content=\"noindex, nofollow\">"));
}

#[test]
fn a_recent_link_is_seen_logged_out_listed_without_its_token_and_dies_when_revoked() {
    let (world, cookie) = world_with_ada();
    let (path, id) = made(
        &world,
        &cookie,
        json!({"kind": "recent", "expires": "never"}),
    );
    assert!(token_of(&path).len() >= 22, "128 bits at least: {path}");

    let page = view(&world, &path, NOW);
    assert_eq!(page.status, 200, "{}", page.body);
    assert_public_headers(&page);
    assert_private(&page, &path);
    assert!(!page.body.contains(ADA_NAME), "the name was not chosen");
    assert!(page.body.contains("Recently played"));
    assert!(page
        .body
        .contains("does not show what is playing right now"));
    // Newest first, at Berlin's wall clock (UTC+1 in January).
    let newest = page
        .body
        .find("2027-01-15 00:30")
        .expect("the newest play, local");
    let older = page.body.find("2027-01-15 00:20").expect("the one before");
    assert!(newest < older, "newest first");
    assert!(page.body.contains("Bernoulli Numbers"));
    assert!(page.body.contains("The Engines"));
    assert!(page.body.contains("Analytical Engine"));

    let listed = list(&world, &cookie, NOW);
    let text = listed.to_string();
    assert!(!text.contains(token_of(&path)) && !text.contains(&sha256_hex(token_of(&path))));
    assert_eq!(listed["shares"][0]["id"], id);
    assert_eq!(listed["shares"][0]["kind"], "recent");
    assert_eq!(listed["shares"][0]["state"], "live");
    let dashboard = world.send(&get("/", Some(&cookie)), NOW);
    assert!(dashboard
        .body
        .contains(&format!("id=\"revoke-share-{id}\"")));
    assert!(!dashboard.body.contains(token_of(&path)));

    let revoked = revoke(&world, &cookie, id);
    assert_eq!(revoked.status, 200, "{}", revoked.body);
    let gone = view(&world, &path, NOW);
    let unknown = view(&world, "/s/AAAAAAAAAAAAAAAAAAAAAA", NOW);
    assert_eq!((gone.status, unknown.status), (404, 404));
    assert_eq!(gone.body, unknown.body, "revoked and unknown look the same");
    assert_public_headers(&gone);
    assert_eq!(list(&world, &cookie, NOW)["shares"][0]["state"], "revoked");
    // Revoking again changes nothing and is not an error.
    assert_eq!(revoke(&world, &cookie, id).status, 200);
    assert_eq!(view(&world, &path, NOW).status, 404);
}

#[test]
fn a_recap_made_by_the_form_shows_its_url_once_and_the_name_only_when_chosen() {
    let (world, cookie) = world_with_ada();
    let form = post(
        "/api/shares/new",
        Some(&cookie),
        "kind=recap&year=2027&from=&to=&expires=30d&show_name=on",
    )
    .with_content_type("application/x-www-form-urlencoded");
    let created = world.send(&form, NOW);
    assert_eq!(created.status, 201, "{}", created.body);
    let start = created.body.find("/s/").expect("the link on the page");
    let path: String = created.body[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '-' | '_'))
        .collect();

    let page = view(&world, &path, NOW);
    assert_eq!(page.status, 200, "{}", page.body);
    assert_public_headers(&page);
    assert_private(&page, &path);
    assert!(page.body.contains(ADA_NAME), "{}", page.body);
    assert!(page.body.contains("in music"));
    // 2027 in Berlin holds the two plays of 15 January (local); the one 40 days older
    // is in 2026.
    assert!(
        page.body
            .contains("<span id=\"total-plays\" class=\"big\">2</span>"),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("<span id=\"total-minutes\" class=\"big\">7</span>"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Note G") && page.body.contains("The Engines"));

    let listed = list(&world, &cookie, NOW);
    let link = &listed["shares"][0];
    assert_eq!(
        (
            &link["kind"],
            &link["range_year"],
            &link["show_name"],
            &link["range_from"],
            &link["range_to"]
        ),
        (
            &json!("recap"),
            &json!(2027),
            &json!(1),
            &json!("2027-01-01"),
            &json!("2027-12-31")
        )
    );
    assert_eq!(link["expires_at"], NOW + 30 * DAY_MS);

    // Dates rather than a year, without the name.
    let (dates, _) = made(
        &world,
        &cookie,
        json!({"kind": "recap", "from": "2026-12-01", "to": "2026-12-31", "show_name": false}),
    );
    let page = view(&world, &dates, NOW);
    assert_eq!(page.status, 200);
    assert_private(&page, &dates);
    assert!(!page.body.contains(ADA_NAME));
    assert!(page.body.contains("2026-12-01 to 2026-12-31"));
    assert!(
        page.body
            .contains("<span id=\"total-plays\" class=\"big\">1</span>"),
        "{}",
        page.body
    );
    // The card is drawn into the page, never fetched by the link's own address.
    assert!(page
        .body
        .contains("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1200\""));
    assert!(page.body.contains("href=\"data:image/svg+xml;base64,"));
}

#[test]
fn an_expired_link_is_a_404_and_listed_as_expired() {
    let (world, cookie) = world_with_ada();
    let (path, _) = made(&world, &cookie, json!({"kind": "recent", "expires": "1d"}));
    assert_eq!(view(&world, &path, NOW + DAY_MS - 1).status, 200);
    let expired = view(&world, &path, NOW + DAY_MS);
    assert_eq!(expired.status, 404);
    assert_public_headers(&expired);
    assert_eq!(
        list(&world, &cookie, NOW + DAY_MS)["shares"][0]["state"],
        "expired"
    );
}

#[test]
fn another_user_can_neither_see_nor_revoke_a_link() {
    let (world, ada) = world_with_ada();
    let bob = world.sign_in("bob", NOW);
    let (path, id) = made(&world, &ada, json!({"kind": "recent"}));
    assert_eq!(list(&world, &bob, NOW)["shares"], json!([]));
    let refused = revoke(&world, &bob, id);
    assert_eq!(
        (refused.status, json_of(&refused)["error"]["code"].clone()),
        (404, json!("not_found"))
    );
    assert_eq!(
        view(&world, &path, NOW).status,
        200,
        "still Ada's, still live"
    );
    for id in ["0", "-1", "x", "99"] {
        let response = world.send(
            &post(&format!("/api/shares/{id}/revoke"), Some(&ada), ""),
            NOW,
        );
        assert_eq!(response.status, 404, "{id}");
    }
}

#[test]
fn unknown_and_garbled_tokens_get_the_same_404() {
    let (world, cookie) = world_with_ada();
    let (path, _) = made(&world, &cookie, json!({"kind": "recent"}));
    let reference = view(&world, "/s/AAAAAAAAAAAAAAAAAAAAAA", NOW);
    let token = token_of(&path);
    let mut altered = token.to_owned();
    let last = if altered.ends_with('A') { "B" } else { "A" };
    altered.replace_range(altered.len() - 1.., last);
    for probe in [
        altered,
        format!("{token}x"),
        format!("9.{token}"),
        format!("1.{token}"),
        "short".to_owned(),
        "%00".to_owned(),
    ] {
        let response = view(&world, &format!("/s/{probe}"), NOW);
        assert_eq!(response.status, 404, "{probe}");
        assert_eq!(response.body, reference.body, "{probe}");
        assert_public_headers(&response);
    }
    assert_eq!(view(&world, "/s", NOW).status, 404);
}

#[test]
fn a_user_has_at_most_twenty_live_links() {
    let (world, cookie) = world_with_ada();
    let ids: Vec<i64> = (0..20)
        .map(|_| made(&world, &cookie, json!({"kind": "recent"})).1)
        .collect();
    let refused = create(&world, &cookie, json!({"kind": "recent"}), NOW);
    assert_eq!(refused.status, 409);
    assert_eq!(json_of(&refused)["error"]["code"], "too_many_shares");
    // Revoked links do not count: two revoked, two more fit.
    assert_eq!(revoke(&world, &cookie, ids[0]).status, 200);
    assert_eq!(revoke(&world, &cookie, ids[1]).status, 200);
    made(&world, &cookie, json!({"kind": "recent"}));
    made(&world, &cookie, json!({"kind": "recent", "expires": "1d"}));
    // Nor do expired ones.
    assert_eq!(
        create(&world, &cookie, json!({"kind": "recent"}), NOW).status,
        409
    );
    let later = create(&world, &cookie, json!({"kind": "recent"}), NOW + 2 * DAY_MS);
    assert_eq!(later.status, 201, "{}", later.body);
}

#[test]
fn bad_requests_are_refused_with_stable_codes_and_nothing_is_stored() {
    let (world, cookie) = world_with_ada();
    for (body, code) in [
        (json!({"kind": "all"}), "invalid_kind"),
        (json!({"kind": "recap"}), "invalid_range"),
        (json!({"kind": "recap", "year": 2028}), "invalid_range"),
        (
            json!({"kind": "recap", "from": "2026-05-01", "to": "2026-04-01"}),
            "invalid_range",
        ),
        // Longer than a review may be (1,096 days): nothing the owner could not open.
        (
            json!({"kind": "recap", "from": "2006-01-01", "to": "2025-12-31"}),
            "invalid_range",
        ),
        (json!({"kind": "recent", "expires": "1y"}), "invalid_expiry"),
        (
            json!({"kind": "recent", "show_name": 3}),
            "invalid_show_name",
        ),
        (json!(["recent"]), "invalid_body"),
    ] {
        let response = create(&world, &cookie, body.clone(), NOW);
        assert_eq!(
            (response.status, json_of(&response)["error"]["code"].clone()),
            (400, json!(code)),
            "{body}"
        );
    }
    // A form's refusal is a page that leads back to the section.
    let form = post("/api/shares/new", Some(&cookie), "kind=recap&year=1990")
        .with_content_type("application/x-www-form-urlencoded");
    let refused = world.send(&form, NOW);
    assert_eq!(refused.status, 400);
    assert!(refused.body.contains("#sharing-h"), "{}", refused.body);
    let foreign = request(Method::Post, "/api/shares/new", Some(&cookie))
        .with_header("Origin", "https://evil.example")
        .with_body(&json!({"kind": "recent"}).to_string());
    assert_eq!(world.send(&foreign, NOW).status, 403);
    assert_eq!(world.send(&get("/api/shares", None), NOW).status, 401);
    let logged_out = post(
        "/api/shares/new",
        None,
        &json!({"kind": "recent"}).to_string(),
    );
    assert_eq!(world.send(&logged_out, NOW).status, 401);
    let stored = world
        .db
        .sql("SELECT count(*) AS n FROM share_links", vec![]);
    assert_eq!(stored[0]["n"], 0);
    // One method a path: the list is GET, making one is POST.
    assert_eq!(
        world
            .send(&post("/api/shares", Some(&cookie), ""), NOW)
            .status,
        405
    );
    assert_eq!(
        world
            .send(&get("/api/shares/new", Some(&cookie)), NOW)
            .status,
        405
    );
}

#[test]
fn the_token_is_stored_only_as_its_hash() {
    let (world, cookie) = world_with_ada();
    let (path, _) = made(&world, &cookie, json!({"kind": "recent"}));
    let rows = world.db.sql("SELECT * FROM share_links", vec![]);
    let stored = json!(rows).to_string();
    assert!(!stored.contains(token_of(&path)));
    assert_eq!(rows[0]["token_hash"], sha256_hex(token_of(&path)));
}

#[test]
fn deleting_the_account_deletes_its_links() {
    let (world, cookie) = world_with_ada();
    let (path, _) = made(&world, &cookie, json!({"kind": "recent"}));
    let delete = request(Method::Delete, "/api/account", Some(&cookie)).with_our_origin();
    assert_eq!(world.send(&delete, NOW).status, 200);
    let left = world
        .db
        .sql("SELECT count(*) AS n FROM share_links", vec![]);
    assert_eq!(left[0]["n"], 0);
    assert_eq!(view(&world, &path, NOW).status, 404);
}

#[test]
fn a_link_of_a_user_in_another_shard_names_that_shard_and_is_read_there() {
    let world = WebWorld::with_shards(2);
    let far = &world.more_shards[0];
    far.sql(
        "INSERT INTO users (id, spotify_id, display_name, authorized_at, created_at, updated_at, next_due_at)
         VALUES (?1, ?1, ?1, ?2, ?2, ?2, ?2)",
        vec![json!(ADA), json!(NOW - DAY_MS)],
    );
    far.sql(
        "INSERT INTO sessions (id_hash, user_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
        vec![
            json!(sha256_hex("c-far")),
            json!(ADA),
            json!(NOW - DAY_MS),
            json!(NOW + DAY_MS),
        ],
    );
    seed(far, ADA);
    let cookie = "stm_session=1.c-far";
    let (path, _) = made(&world, cookie, json!({"kind": "recent", "show_name": true}));
    assert!(token_of(&path).starts_with("1."), "{path}");
    let page = view(&world, &path, NOW);
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Note G") && page.body.contains(ADA_NAME));
    assert_private(&page, &path);
    let directory = world
        .db
        .sql("SELECT count(*) AS n FROM share_links", vec![]);
    assert_eq!(
        directory[0]["n"], 0,
        "the directory holds nothing of a link"
    );
    // The same secret under shard 0's name opens nothing.
    let elsewhere = format!("/s/{}", token_of(&path).trim_start_matches("1."));
    assert_eq!(view(&world, &elsewhere, NOW).status, 404);
}

#[test]
fn a_recap_page_is_kept_for_a_while_but_a_revocation_ends_it_at_once() {
    let (world, cookie) = world_with_ada();
    let (path, id) = made(&world, &cookie, json!({"kind": "recap", "year": 2027}));
    let plays = |page: &WebResponse| {
        page.body
            .contains("<span id=\"total-plays\" class=\"big\">2</span>")
    };
    assert!(plays(&view(&world, &path, NOW)));
    // A play archived meanwhile: the kept page (six hours, the year runs) does not read
    // the review again.
    world.db.sql(
        "INSERT INTO play_events (user_key, track_key, played_at)
         SELECT u.key, t.key, ?2 FROM users u, tracks t WHERE u.id = ?1 AND t.id = 'spotifytrack2'",
        vec![json!(ADA), json!(NOW - MINUTE_MS)],
    );
    assert!(
        plays(&view(&world, &path, NOW + MINUTE_MS)),
        "the kept page"
    );
    // The link is read on every view: revoked, the kept page is never shown again.
    assert_eq!(revoke(&world, &cookie, id).status, 200);
    assert_eq!(view(&world, &path, NOW + 2 * MINUTE_MS).status, 404);
}
