//! `GET /v1/me`: who the user is.

use serde::Deserialize;

use super::error::SpotifyError;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Profile {
    /// The Spotify user id.
    pub id: String,
    /// The id Spotify recommends for linking accounts (since 2026); absent before.
    #[serde(default)]
    pub account_id: Option<String>,
    #[serde(default)]
    pub display_name: Option<String>,
    /// Missing without the `user-read-email` scope and possibly for development-mode apps.
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub country: Option<String>,
    #[serde(default)]
    pub product: Option<String>,
}

impl Profile {
    /// The key we file the user under: `account_id` when Spotify gives one, else `id`.
    pub fn stable_id(&self) -> &str {
        match self.account_id.as_deref() {
            Some(account_id) if !account_id.is_empty() => account_id,
            _ => &self.id,
        }
    }
}

pub fn parse_profile(body: &str) -> Result<Profile, SpotifyError> {
    let profile: Profile = serde_json::from_str(body)
        .map_err(|error| SpotifyError::Malformed(format!("profile: {error}")))?;
    if profile.id.is_empty() {
        return Err(SpotifyError::Malformed("profile: empty id".into()));
    }
    Ok(profile)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_account_id_is_preferred_when_present() {
        let profile =
            parse_profile(r#"{"id":"u","account_id":"acc","display_name":"U","images":[]}"#)
                .expect("profile");
        assert_eq!(profile.stable_id(), "acc");
    }

    #[test]
    fn the_user_id_is_used_without_an_account_id() {
        let profile = parse_profile(r#"{"id":"u","display_name":null}"#).expect("profile");
        assert_eq!(profile.stable_id(), "u");
        assert_eq!(profile.email, None);
    }

    #[test]
    fn a_profile_without_an_id_is_malformed() {
        assert!(parse_profile(r#"{"display_name":"U"}"#).is_err());
        assert!(parse_profile(r#"{"id":""}"#).is_err());
    }
}
