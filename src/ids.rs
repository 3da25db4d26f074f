//! Stable ids for what Spotify gives none: local files carry `null` track, album and
//! artist ids. We derive an id from what identifies them (the `spotify:local:` URI, the
//! names), so the same local file maps to the same row on every poll and every import.

/// FNV-1a, 64-bit: tiny, stable across versions and platforms, and enough to tell apart
/// the local files of one archive. Not for anything secret.
fn fnv1a64(text: &str) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    text.bytes().fold(OFFSET, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(PRIME)
    })
}

pub fn local_track_id(uri: &str) -> String {
    format!("local:{:016x}", fnv1a64(uri))
}

pub fn local_artist_id(name: &str) -> String {
    format!("local-artist:{:016x}", fnv1a64(name))
}

pub fn local_album_id(artist_names: &str, album_name: &str) -> String {
    // The separator cannot appear in either name's hash input by accident.
    format!(
        "local-album:{:016x}",
        fnv1a64(&format!("{artist_names}\u{1f}{album_name}"))
    )
}

/// A track, episode or chapter an export names without an id (account data gives only
/// names): the kind's prefix and the names identify it.
pub fn named_item_id(prefix: &str, artist: &str, name: &str) -> String {
    format!(
        "{prefix}:{:016x}",
        fnv1a64(&format!("{artist}\u{1f}{name}"))
    )
}

/// An album an export names: exports carry no album ids.
pub fn named_album_id(artist: &str, album: &str) -> String {
    format!(
        "import-album:{:016x}",
        fnv1a64(&format!("{artist}\u{1f}{album}"))
    )
}

/// What joins a private catalogue id to its owner's key. No Spotify id, local id or id
/// derived from names contains it.
const OWNER_SEPARATOR: char = '~';

/// A user's key in the ids of the catalogue rows their imports create: a prefix of the
/// SHA-256 of their id (short, and saying nothing of the user).
pub fn owner_key(user_id: &str) -> String {
    crate::crypto::sha256_hex(user_id)[..16].to_owned()
}

/// The id of a user's own catalogue row for `id`: what an import creates, so that
/// nothing an export says reaches another user.
pub fn private_id(id: &str, owner_key: &str) -> String {
    format!("{id}{OWNER_SEPARATOR}{owner_key}")
}

/// The id a row is shown under: a private row shows the id its export gave.
pub fn public_id(id: &str) -> &str {
    id.split_once(OWNER_SEPARATOR)
        .map_or(id, |(public, _)| public)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_private_id_is_shown_as_the_id_it_was_made_of() {
        let key = owner_key("acc-1");
        assert_eq!(key.len(), 16);
        assert_ne!(key, owner_key("acc-2"));
        let id = private_id("4uLU6hMCjMI75M1A2tKUQC", &key);
        assert_ne!(id, "4uLU6hMCjMI75M1A2tKUQC");
        assert_eq!(public_id(&id), "4uLU6hMCjMI75M1A2tKUQC");
        assert_eq!(public_id("local:00ff"), "local:00ff");
    }

    #[test]
    fn the_same_local_file_always_gets_the_same_id() {
        let uri = "spotify:local:Artist:Album:Title:215";
        let id = local_track_id(uri);
        assert_eq!(id, local_track_id(uri));
        assert!(
            id.starts_with("local:") && id.len() == "local:".len() + 16,
            "{id}"
        );
    }

    #[test]
    fn different_local_files_get_different_ids() {
        assert_ne!(
            local_track_id("spotify:local:A:B:One:100"),
            local_track_id("spotify:local:A:B:Two:100")
        );
        assert_ne!(local_album_id("A", "B"), local_album_id("AB", ""));
    }

    #[test]
    fn named_ids_are_stable_and_tell_names_apart() {
        assert_eq!(
            named_item_id("import", "Artist", "Song"),
            named_item_id("import", "Artist", "Song")
        );
        assert_ne!(
            named_item_id("import", "Artist", "Song"),
            named_item_id("import", "ArtistSong", "")
        );
        assert!(named_album_id("A", "B").starts_with("import-album:"));
    }

    #[test]
    fn fnv_matches_its_published_test_vector() {
        assert_eq!(fnv1a64(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64("a"), 0xaf63_dc4c_8601_ec8c);
    }
}
