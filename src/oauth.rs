//! Spotify's authorization code flow with PKCE (S256), as the Worker drives it.
//!
//! `/login` makes a one-time `state` and a code verifier, seals both into the browser's
//! login cookie for ten minutes, and redirects to Spotify; `/callback` reads what Spotify
//! sent back and opens the cookie.

use subtle::ConstantTimeEq;

use crate::crypto::{random_token, sha256_base64url, CryptoError, TokenCipher};
use crate::time::{UnixMillis, MINUTE_MS};

/// What we ask Spotify for: the plays, and the email to tell the user who they are.
pub const SCOPES: &str = "user-read-recently-played user-read-email";

/// How long a login may take between `/login` and `/callback`.
pub const LOGIN_TTL_MS: i64 = 10 * MINUTE_MS;

/// What the login cookie's seal is bound to (the cipher's associated data), so that no
/// other sealed value of ours, such as a user's token, can stand in for a login.
const LOGIN_SEAL_CONTEXT: &str = "oauth-login";

/// A started login: the state travels through Spotify, the verifier stays with us: in the
/// browser's login cookie, sealed, so that an anonymous `/login` writes nothing anywhere.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PendingLogin {
    pub state: String,
    pub code_verifier: String,
    pub expires_at: UnixMillis,
}

impl PendingLogin {
    pub fn start(now: UnixMillis) -> Result<Self, CryptoError> {
        Ok(Self {
            state: random_token(32)?,
            // 48 bytes make 64 characters, inside RFC 7636's 43..=128.
            code_verifier: random_token(48)?,
            expires_at: now + LOGIN_TTL_MS,
        })
    }

    /// The login as its cookie's value: sealed, so the browser can neither read the
    /// verifier nor forge a login.
    pub fn seal(&self, cipher: &TokenCipher) -> Result<String, CryptoError> {
        let text = serde_json::to_string(self).map_err(|_| CryptoError::UnknownFormat)?;
        cipher.seal(&text, LOGIN_SEAL_CONTEXT)
    }

    /// The login a cookie carries, if it is one we sealed.
    pub fn open(sealed: &str, cipher: &TokenCipher) -> Result<Self, CryptoError> {
        let text = cipher.open(sealed, LOGIN_SEAL_CONTEXT)?;
        serde_json::from_str(&text).map_err(|_| CryptoError::UnknownFormat)
    }

    /// Whether the callback's `state` is this login's, before it expired.
    pub fn accepts(&self, state: &str, now: UnixMillis) -> bool {
        self.expires_at > now && bool::from(self.state.as_bytes().ct_eq(state.as_bytes()))
    }

    /// The URL of Spotify's consent page for this login.
    pub fn authorize_url(&self, accounts_url: &str, client_id: &str, redirect_uri: &str) -> String {
        let challenge = sha256_base64url(&self.code_verifier);
        let query = form_urlencoded::Serializer::new(String::new())
            .extend_pairs([
                ("client_id", client_id),
                ("response_type", "code"),
                ("redirect_uri", redirect_uri),
                ("state", self.state.as_str()),
                ("scope", SCOPES),
                ("code_challenge_method", "S256"),
                ("code_challenge", challenge.as_str()),
            ])
            .finish();
        format!("{}/authorize?{query}", accounts_url.trim_end_matches('/'))
    }
}

/// What Spotify's redirect to `/callback` says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallbackOutcome {
    Approved {
        code: String,
        state: String,
    },
    /// The user pressed Cancel (`error=access_denied`) or Spotify sent another error.
    Refused {
        error: String,
        state: Option<String>,
    },
    /// Neither a code nor an error with a state: not a redirect from Spotify.
    Invalid,
}

pub fn read_callback(query: &str) -> CallbackOutcome {
    // The first value of each name counts.
    let (mut code, mut state, mut error) = (None, None, None);
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        let slot = match &*name {
            "code" => &mut code,
            "state" => &mut state,
            "error" => &mut error,
            _ => continue,
        };
        slot.get_or_insert_with(|| value.into_owned());
    }
    let state = state.filter(|state| !state.is_empty());
    if let Some(error) = error {
        return CallbackOutcome::Refused { error, state };
    }
    match (code.filter(|code| !code.is_empty()), state) {
        (Some(code), Some(state)) => CallbackOutcome::Approved { code, state },
        _ => CallbackOutcome::Invalid,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::pairs::first as find;

    #[test]
    fn the_authorize_url_carries_a_s256_challenge_of_the_verifier() {
        let login = PendingLogin::start(0).expect("random");
        let url = login.authorize_url("http://sim/", "client", "http://127.0.0.1:8787/callback");
        let (base, query) = url.split_once('?').expect("query");
        assert_eq!(base, "http://sim/authorize");
        // Spaces as `+`, as `application/x-www-form-urlencoded` writes them.
        assert!(
            query.contains("&scope=user-read-recently-played+user-read-email&"),
            "{query}"
        );
        assert!(
            query.contains("&redirect_uri=http%3A%2F%2F127.0.0.1%3A8787%2Fcallback&"),
            "{query}"
        );
        let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        assert_eq!(
            find(&pairs, "redirect_uri"),
            Some("http://127.0.0.1:8787/callback")
        );
        assert_eq!(find(&pairs, "scope"), Some(SCOPES));
        assert_eq!(find(&pairs, "state"), Some(login.state.as_str()));
        assert_eq!(find(&pairs, "code_challenge_method"), Some("S256"));
        assert_eq!(
            find(&pairs, "code_challenge"),
            Some(sha256_base64url(&login.code_verifier).as_str())
        );
        assert!((43..=128).contains(&login.code_verifier.len()));
    }

    fn cipher() -> TokenCipher {
        TokenCipher::new(crate::testing::web::CIPHER_KEY, None).expect("key")
    }

    #[test]
    fn a_sealed_login_opens_to_itself_and_accepts_only_its_state_in_time() {
        let login = PendingLogin::start(1_000).expect("random");
        let sealed = login.seal(&cipher()).expect("seal");
        assert!(
            !sealed.contains(&login.code_verifier),
            "the verifier is not readable"
        );
        let opened = PendingLogin::open(&sealed, &cipher()).expect("open");
        assert_eq!(opened, login);
        assert!(opened.accepts(&login.state, 1_000));
        assert!(!opened.accepts("another-state", 1_000));
        assert!(!opened.accepts(&login.state, login.expires_at));
    }

    #[test]
    fn a_token_sealed_for_a_user_is_no_login() {
        let token = cipher().seal("{}", "oauth-login-not").expect("seal");
        assert!(PendingLogin::open(&token, &cipher()).is_err());
        assert!(PendingLogin::open("v1.x.tampered", &cipher()).is_err());
    }

    #[test]
    fn each_login_has_its_own_state_and_verifier() {
        let (first, second) = (
            PendingLogin::start(0).expect("random"),
            PendingLogin::start(0).expect("random"),
        );
        assert_ne!(first.state, second.state);
        assert_ne!(first.code_verifier, second.code_verifier);
        assert_eq!(first.expires_at, LOGIN_TTL_MS);
    }

    #[test]
    fn reads_an_approval() {
        assert_eq!(
            read_callback("code=AQD&state=s1"),
            CallbackOutcome::Approved {
                code: "AQD".into(),
                state: "s1".into()
            }
        );
    }

    #[test]
    fn reads_a_denial() {
        assert_eq!(
            read_callback("error=access_denied&state=s1"),
            CallbackOutcome::Refused {
                error: "access_denied".into(),
                state: Some("s1".into())
            }
        );
    }

    #[test]
    fn the_first_value_of_a_name_counts_and_plus_is_a_space() {
        assert_eq!(
            read_callback("code=A+B%2B&state=s1&code=other&state=s2"),
            CallbackOutcome::Approved {
                code: "A B+".into(),
                state: "s1".into()
            }
        );
        assert_eq!(
            read_callback("error=&state="),
            CallbackOutcome::Refused {
                error: String::new(),
                state: None
            }
        );
    }

    #[test]
    fn a_code_without_state_is_invalid() {
        assert_eq!(read_callback("code=AQD"), CallbackOutcome::Invalid);
        assert_eq!(read_callback(""), CallbackOutcome::Invalid);
    }
}
