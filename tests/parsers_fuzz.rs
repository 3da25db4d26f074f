//! Every parser of outside input, fed arbitrary and near-valid input: none may panic, and
//! what they accept keeps its invariants. CI runs the default number of cases; a long run:
//! `PROPTEST_CASES=200000 cargo test -p spotify-time-machine --release --test parsers_fuzz`.

use proptest::prelude::*;
use serde_json::json;

use time_machine::form::{decode_component, decode_pairs, encode_component};
use time_machine::oauth::read_callback;
use time_machine::spotify::profile::parse_profile;
use time_machine::spotify::recently_played::parse_recently_played;
use time_machine::spotify::retry_after::parse_retry_after;
use time_machine::spotify::token::parse_token_response;
use time_machine::time::parse_rfc3339;
use time_machine::web::cookies::read_cookie;

/// JSON values of any shape, a few levels deep.
fn any_json() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(serde_json::Value::Null, serde_json::Value::Number)),
        ".{0,12}".prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::from),
            prop::collection::btree_map("[a-z_]{1,12}", inner, 0..6)
                .prop_map(|map| serde_json::Value::Object(map.into_iter().collect())),
        ]
    })
}

/// A recently-played item whose fields are each sometimes right, sometimes anything.
fn near_valid_item() -> impl Strategy<Value = serde_json::Value> {
    let played_at = prop_oneof![
        Just(json!("2026-11-28T13:05:12.345Z")),
        Just(json!("2026-11-28T13:05:12Z")),
        any_json(),
    ];
    let id = prop_oneof![Just(json!("4uLU6hMCjMI75M1A2tKUQC")), Just(json!(null)), any_json()];
    let uri = prop_oneof![Just(json!("spotify:local:A:B:C:100")), Just(json!("spotify:track:x")), any_json()];
    (played_at, id, uri, any_json(), any::<bool>()).prop_map(|(played_at, id, uri, noise, is_local)| {
        json!({
            "played_at": played_at,
            "context": noise,
            "track": {"id": id, "uri": uri, "name": "n", "is_local": is_local, "duration_ms": 1000,
                      "artists": [{"id": null, "name": "a"}], "album": {"id": null, "name": "b", "images": noise}}
        })
    })
}

proptest! {
    #[test]
    fn recently_played_never_panics_on_any_text(body in ".{0,400}") {
        let _ = parse_recently_played(&body);
    }

    #[test]
    fn recently_played_never_panics_on_any_json(value in any_json()) {
        let _ = parse_recently_played(&value.to_string());
    }

    #[test]
    fn recently_played_keeps_only_items_with_an_id_and_a_time(items in prop::collection::vec(near_valid_item(), 0..60)) {
        let body = json!({ "items": items }).to_string();
        let page = parse_recently_played(&body).expect("an items array is a page");
        prop_assert_eq!(page.returned, items.len());
        prop_assert_eq!(page.items.len() + page.unreadable, page.returned);
        for item in &page.items {
            prop_assert!(!item.track.id.is_empty());
            prop_assert!(!item.track.uri.is_empty());
            prop_assert!(item.track.duration_ms >= 0);
        }
    }

    #[test]
    fn token_responses_never_panic(status in 100u16..600, body in ".{0,200}") {
        let _ = parse_token_response(status, &body);
    }

    #[test]
    fn token_responses_of_any_json_never_panic(status in 100u16..600, value in any_json()) {
        let _ = parse_token_response(status, &value.to_string());
    }

    #[test]
    fn profiles_never_panic(value in any_json()) {
        if let Ok(profile) = parse_profile(&value.to_string()) {
            prop_assert!(!profile.stable_id().is_empty());
        }
    }

    #[test]
    fn retry_after_never_panics_and_reads_any_whole_seconds(text in ".{0,40}", seconds in any::<u64>(), now in any::<i64>()) {
        let _ = parse_retry_after(&text, now);
        prop_assert_eq!(parse_retry_after(&seconds.to_string(), now), Some(seconds));
    }

    #[test]
    fn instants_never_panic(text in ".{0,40}") {
        let _ = parse_rfc3339(&text);
    }

    #[test]
    fn cookies_never_panic(header in ".{0,200}", name in "[a-z_]{1,12}") {
        let _ = read_cookie(Some(&header), &name);
    }

    #[test]
    fn query_strings_never_panic(query in ".{0,300}") {
        let _ = decode_pairs(&query);
        let _ = read_callback(&query);
    }

    #[test]
    fn percent_encoding_round_trips(text in ".{0,100}") {
        prop_assert_eq!(decode_component(&encode_component(&text)), text);
    }
}
