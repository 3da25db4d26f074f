//! Simulated Spotify accounts: who they are, as `GET /v1/me` shows them, and how they listen.

use serde_json::{json, Value};

use crate::rng::{derive_seed, SplitMix64};
use crate::stream::ListeningProfile;

#[derive(Debug, Clone, PartialEq)]
pub struct UserProfile {
    /// The Spotify user id, e.g. `sim-user-1`.
    pub id: String,
    /// The stable account identifier Spotify recommends for linking accounts; distinct from
    /// `id`.
    pub account_id: String,
    pub display_name: String,
    /// Absent for some accounts (and for development-mode apps), so clients must cope.
    pub email: Option<String>,
    pub country: String,
    pub product: String,
    pub followers: u32,
    /// Overrides the simulator-wide refresh-token rotation setting for this user.
    pub rotate_refresh_tokens: Option<bool>,
    pub listening: ListeningProfile,
    /// When the user's listening stream begins, in Unix ms.
    pub stream_start_ms: i64,
}

const DISPLAY_NAMES: &[&str] = &[
    "Alex Rivera",
    "Sam Okoro",
    "Kim Berg",
    "Robin Castell",
    "Jo Tanaka",
    "Lee Novak",
];
const COUNTRIES: &[&str] = &["SE", "DE", "US", "GB", "BR", "JP"];

impl UserProfile {
    /// The body of `GET /v1/me` for this user.
    pub fn me(&self, base_url: &str) -> Value {
        let mut me = json!({
            "id": self.id,
            "display_name": self.display_name,
            "country": self.country,
            "product": self.product,
            "images": [],
            "uri": format!("spotify:user:{}", self.id),
            "account_id": self.account_id,
            "type": "user",
            "href": format!("{base_url}/v1/users/{}", self.id),
            "external_urls": { "spotify": format!("https://open.spotify.com/user/{}", self.id) },
            "followers": { "href": null, "total": self.followers },
            "explicit_content": { "filter_enabled": false, "filter_locked": false },
        });
        if let (Some(email), Some(fields)) = (&self.email, me.as_object_mut()) {
            fields.insert("email".to_owned(), json!(email));
        }
        me
    }
}

/// A stable 22-character account id for a user id under a seed.
pub fn account_id(seed: u64, user_id: &str) -> String {
    SplitMix64::derived(seed, &format!("account:{user_id}")).base62(22)
}

/// The listening seed of a user id under the simulator's seed.
pub fn listening_seed(seed: u64, user_id: &str) -> u64 {
    derive_seed(seed, &format!("user:{user_id}"))
}

/// The users a simulator starts with: `sim-user-1` … `sim-user-N`. The third has no email.
pub fn default_users(
    count: usize,
    seed: u64,
    plays_per_hour: f64,
    stream_start_ms: i64,
) -> Vec<UserProfile> {
    (0..count)
        .map(|index| {
            let id = format!("sim-user-{}", index + 1);
            let name = DISPLAY_NAMES[index % DISPLAY_NAMES.len()];
            let display_name = if index < DISPLAY_NAMES.len() {
                name.to_owned()
            } else {
                format!("{name} {}", index + 1)
            };
            UserProfile {
                account_id: account_id(seed, &id),
                email: (index != 2).then(|| format!("{id}@example.com")),
                country: COUNTRIES[index % COUNTRIES.len()].to_owned(),
                product: if index % 4 == 3 { "free" } else { "premium" }.to_owned(),
                followers: (index as u32 * 7) % 50,
                rotate_refresh_tokens: None,
                listening: ListeningProfile {
                    seed: listening_seed(seed, &id),
                    plays_per_hour,
                    catalogue_seed: seed,
                    ..ListeningProfile::default()
                },
                stream_start_ms,
                display_name,
                id,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_users_are_numbered_and_the_third_has_no_email() {
        let users = default_users(3, 42, 20.0, 0);
        let ids: Vec<&str> = users.iter().map(|u| u.id.as_str()).collect();
        assert_eq!(ids, ["sim-user-1", "sim-user-2", "sim-user-3"]);
        assert!(users[0].email.is_some());
        assert_eq!(users[2].email, None);
        assert!(users
            .iter()
            .all(|u| u.account_id != u.id && u.account_id.len() == 22));
        assert_ne!(users[0].listening.seed, users[1].listening.seed);
    }

    #[test]
    fn me_omits_a_missing_email() {
        let users = default_users(3, 42, 20.0, 0);
        let me = users[2].me("http://sim.test");
        assert!(me.get("email").is_none());
        assert_eq!(me["uri"], "spotify:user:sim-user-3");
        assert_eq!(me["type"], "user");
        assert_eq!(
            users[0].me("http://sim.test")["email"],
            "sim-user-1@example.com"
        );
    }

    #[test]
    fn ids_are_stable_for_a_seed() {
        assert_eq!(account_id(42, "sim-user-1"), account_id(42, "sim-user-1"));
        assert_ne!(account_id(42, "sim-user-1"), account_id(43, "sim-user-1"));
    }
}
