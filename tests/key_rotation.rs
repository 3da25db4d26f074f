//! Rotating TOKEN_ENCRYPTION_KEY (docs/operations.md): with the old key as
//! TOKEN_ENCRYPTION_KEY_PREVIOUS, the next refresh of every user seals both tokens under
//! the new key, also a refresh token Spotify did not rotate, so that the previous key can
//! be retired without logging anyone out.

use serde_json::json;
use support::{World, TOKEN_KEY};
use time_machine::crypto::TokenCipher;
use time_machine::engine::archive::ArchiveOutcome;
use time_machine::time::HOUR_MS;

const NEW_KEY: &str = "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=";

fn key_id(sealed: &str) -> &str {
    sealed.split('.').nth(1).expect("v1.<key id>.<sealed>")
}

#[test]
fn a_rotation_reseals_every_token_at_the_next_refresh_and_the_old_key_can_go() {
    let mut world = World::new();
    world.create_listener(
        "ada",
        json!({ "plays_per_hour": 0.0, "history_hours": 0.0 }),
    );
    let user = world.connect("ada").user_id;
    world.inject("ada", 3, world.now() - 1_000, 60_000);
    assert!(matches!(
        world.archive(&user),
        ArchiveOutcome::Archived { .. }
    ));
    let row = world.user_row(&user);
    let old_id = key_id(row["refresh_token_enc"].as_str().expect("sealed")).to_owned();

    // The operator rotates: the new key, the old one as previous.
    world.cipher = TokenCipher::new(NEW_KEY, Some(TOKEN_KEY)).expect("keys");
    let new_id = key_id(&world.cipher.seal("x", "u").expect("seal")).to_owned();
    assert_ne!(old_id, new_id);
    // Within the access token's hour nothing needs refreshing: both still open.
    world.advance(10 * 60_000);
    assert!(matches!(
        world.archive(&user),
        ArchiveOutcome::Archived { .. }
    ));
    // The next refresh (the simulator does not rotate refresh tokens here) reseals both.
    world.advance(HOUR_MS);
    world.inject("ada", 2, world.now() - 1_000, 30_000);
    assert!(matches!(
        world.archive(&user),
        ArchiveOutcome::Archived { .. }
    ));
    let row = world.user_row(&user);
    for column in ["access_token_enc", "refresh_token_enc"] {
        let sealed = row[column].as_str().expect("sealed");
        assert_eq!(
            key_id(sealed),
            new_id,
            "{column} is still under the old key"
        );
    }
    let refresh = world.stored_refresh_token(&user);
    assert!(
        world.refresh_works(&refresh),
        "the resealed token is the same token"
    );

    // The previous key is retired: archiving goes on.
    world.cipher = TokenCipher::new(NEW_KEY, None).expect("key");
    world.advance(2 * HOUR_MS);
    world.inject("ada", 1, world.now() - 1_000, 30_000);
    let outcome = world.archive(&user);
    assert!(
        matches!(
            outcome,
            ArchiveOutcome::Archived {
                plays_inserted: 1,
                ..
            }
        ),
        "{outcome:?}"
    );
    assert_eq!(world.archived(&user).len(), 6);
}
