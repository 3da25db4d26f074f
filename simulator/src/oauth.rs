//! The accounts service's rules: which authorization requests are acceptable, and how codes
//! become tokens and tokens are refreshed, with the error bodies Spotify answers.
//!
//! Pure state and logic; the HTTP layer (`server::accounts`) only translates.

use std::collections::HashMap;
use std::fmt;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use serde::Serialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::params::Params;
use crate::rng::SplitMix64;

/// Authorization codes are good for ten minutes, and once.
pub const AUTHORIZATION_CODE_TTL_MS: i64 = 10 * 60 * 1000;

const INVALID_CODE: &str = "Invalid authorization code";
const INVALID_REFRESH_TOKEN: &str = "Invalid refresh token";
const REVOKED_REFRESH_TOKEN: &str = "Refresh token revoked";

/// The one registered app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientCredentials {
    pub client_id: String,
    pub client_secret: String,
}

// ---------------------------------------------------------------------------------------
// Redirect URIs

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedirectUriError {
    Missing,
    /// Plain http to anything but a loopback IP, `localhost` included (refused by Spotify
    /// since November 2025).
    Insecure,
    Malformed,
}

/// Accepts `https://…` and `http://127.0.0.1[:port]/…` or `http://[::1][:port]/…`.
pub fn check_redirect_uri(uri: &str) -> Result<(), RedirectUriError> {
    let (scheme, rest) = uri.split_once("://").ok_or(RedirectUriError::Malformed)?;
    if uri.contains('#') {
        return Err(RedirectUriError::Malformed);
    }
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    if authority.is_empty() || authority.contains('@') {
        return Err(RedirectUriError::Malformed);
    }
    if scheme.eq_ignore_ascii_case("https") {
        return Ok(());
    }
    if !scheme.eq_ignore_ascii_case("http") {
        return Err(RedirectUriError::Insecure);
    }
    let (host, port) = match authority.strip_prefix('[') {
        Some(bracketed) => {
            let (host, after) = bracketed
                .split_once(']')
                .ok_or(RedirectUriError::Malformed)?;
            (host, after.strip_prefix(':'))
        }
        None => match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        },
    };
    if port.is_some_and(|port| port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit())) {
        return Err(RedirectUriError::Malformed);
    }
    match host {
        "127.0.0.1" | "::1" => Ok(()),
        _ => Err(RedirectUriError::Insecure),
    }
}

// ---------------------------------------------------------------------------------------
// The authorization request (`GET /authorize`, re-checked at `POST /authorize/decision`)

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationRequest {
    pub client_id: String,
    pub redirect_uri: String,
    pub state: Option<String>,
    pub scope: String,
    /// The S256 challenge, when the app uses PKCE.
    pub code_challenge: Option<String>,
}

/// Why `/authorize` shows an error page instead of the consent dialog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthorizeError {
    InvalidClient,
    UnsupportedResponseType,
    RedirectUri(RedirectUriError),
    UnsupportedChallengeMethod,
    MissingCodeChallenge,
}

impl fmt::Display for AuthorizeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::InvalidClient => "INVALID_CLIENT: Invalid client",
            Self::UnsupportedResponseType => {
                "unsupported_response_type: response_type must be code"
            }
            Self::RedirectUri(RedirectUriError::Insecure) => {
                "INVALID_CLIENT: Insecure redirect URI"
            }
            Self::RedirectUri(_) => "INVALID_CLIENT: Invalid redirect URI",
            Self::UnsupportedChallengeMethod => {
                "INVALID_REQUEST: code_challenge_method must be S256"
            }
            Self::MissingCodeChallenge => "INVALID_REQUEST: code_challenge required",
        })
    }
}

impl std::error::Error for AuthorizeError {}

impl AuthorizationRequest {
    pub fn from_params(
        params: &Params,
        client: &ClientCredentials,
    ) -> Result<Self, AuthorizeError> {
        let client_id = params
            .get("client_id")
            .ok_or(AuthorizeError::InvalidClient)?;
        if client_id != client.client_id {
            return Err(AuthorizeError::InvalidClient);
        }
        if params.get("response_type") != Some("code") {
            return Err(AuthorizeError::UnsupportedResponseType);
        }
        let redirect_uri = params
            .get("redirect_uri")
            .ok_or(AuthorizeError::RedirectUri(RedirectUriError::Missing))?;
        check_redirect_uri(redirect_uri).map_err(AuthorizeError::RedirectUri)?;
        let code_challenge = match (
            params.get("code_challenge_method"),
            params.get("code_challenge"),
        ) {
            (None, None) => None,
            (Some("S256"), Some(challenge)) => Some(challenge.to_owned()),
            (Some("S256"), None) => return Err(AuthorizeError::MissingCodeChallenge),
            _ => return Err(AuthorizeError::UnsupportedChallengeMethod),
        };
        Ok(Self {
            client_id: client_id.to_owned(),
            redirect_uri: redirect_uri.to_owned(),
            state: params.get("state").map(str::to_owned),
            scope: params.get("scope").unwrap_or_default().to_owned(),
            code_challenge,
        })
    }
}

/// The PKCE S256 transform: `BASE64URL-NOPAD(SHA256(verifier))`.
pub fn pkce_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

// ---------------------------------------------------------------------------------------
// The token request (`POST /api/token`)

/// How the client identified itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientAuth {
    /// `Authorization: Basic base64(id:secret)`.
    Basic {
        client_id: String,
        client_secret: String,
    },
    /// `client_id` (and perhaps `client_secret`) in the form.
    Body {
        client_id: String,
        client_secret: Option<String>,
    },
    Missing,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Grant {
    AuthorizationCode {
        code: String,
        redirect_uri: Option<String>,
        code_verifier: Option<String>,
    },
    RefreshToken {
        refresh_token: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRequest {
    pub client: ClientAuth,
    pub grant: Grant,
}

/// An error of the token endpoint, with Spotify's status and body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenError {
    /// Bad or missing client credentials: 401 when they came in an `Authorization` header
    /// (as RFC 6749 asks), 400 otherwise.
    InvalidClient {
        from_header: bool,
    },
    InvalidGrant(&'static str),
    InvalidRequest(&'static str),
    UnsupportedGrantType,
}

impl TokenError {
    pub fn status(&self) -> u16 {
        match self {
            Self::InvalidClient { from_header: true } => 401,
            _ => 400,
        }
    }

    pub fn body(&self) -> Value {
        match self {
            Self::InvalidClient { .. } => {
                json!({ "error": "invalid_client", "error_description": "Invalid client" })
            }
            Self::InvalidGrant(description) => {
                json!({ "error": "invalid_grant", "error_description": description })
            }
            Self::InvalidRequest(description) => {
                json!({ "error": "invalid_request", "error_description": description })
            }
            Self::UnsupportedGrantType => json!({ "error": "unsupported_grant_type" }),
        }
    }
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.status(), self.body())
    }
}

impl std::error::Error for TokenError {}

impl TokenRequest {
    /// Reads the `Authorization` header (if any) and the form body.
    pub fn parse(authorization: Option<&str>, form: &Params) -> Result<Self, TokenError> {
        let client = match authorization {
            Some(header) => {
                parse_basic(header).ok_or(TokenError::InvalidClient { from_header: true })?
            }
            None => match form.get("client_id") {
                Some(client_id) => ClientAuth::Body {
                    client_id: client_id.to_owned(),
                    client_secret: form.get("client_secret").map(str::to_owned),
                },
                None => ClientAuth::Missing,
            },
        };
        let grant = match form.get("grant_type") {
            Some("authorization_code") => Grant::AuthorizationCode {
                code: form
                    .get("code")
                    .ok_or(TokenError::InvalidRequest("code must be supplied"))?
                    .to_owned(),
                redirect_uri: form.get("redirect_uri").map(str::to_owned),
                code_verifier: form.get("code_verifier").map(str::to_owned),
            },
            Some("refresh_token") => Grant::RefreshToken {
                refresh_token: form
                    .get("refresh_token")
                    .ok_or(TokenError::InvalidRequest("refresh_token must be supplied"))?
                    .to_owned(),
            },
            _ => return Err(TokenError::UnsupportedGrantType),
        };
        Ok(Self { client, grant })
    }
}

fn parse_basic(header: &str) -> Option<ClientAuth> {
    let (scheme, encoded) = header.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (client_id, client_secret) = decoded.split_once(':')?;
    Some(ClientAuth::Basic {
        client_id: client_id.to_owned(),
        client_secret: client_secret.to_owned(),
    })
}

/// The body of a successful token response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: &'static str,
    pub scope: String,
    pub expires_in: u64,
    /// Always present for a code exchange; on refresh only when the token was rotated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
}

/// Whose token a token request is about, found before acting on it (for faults and stats).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    pub user_id: String,
    /// For a refresh: the number of the authorization that issued the token.
    pub authorization: Option<u64>,
}

/// Per-request decisions made outside the store: rotation is a user setting, revocation a
/// fault.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GrantPolicy {
    pub rotate_refresh_token: bool,
    pub refresh_token_revoked: bool,
}

// ---------------------------------------------------------------------------------------
// Access tokens on the Web API

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessToken {
    pub user_id: String,
    pub scope: String,
    pub expires_at_ms: i64,
}

impl AccessToken {
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scope
            .split_whitespace()
            .any(|granted| granted == scope)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessTokenError {
    /// Missing, malformed or never issued.
    Invalid,
    Expired,
}

impl AccessTokenError {
    pub fn message(&self) -> &'static str {
        match self {
            Self::Invalid => "Invalid access token",
            Self::Expired => "The access token expired",
        }
    }
}

// ---------------------------------------------------------------------------------------
// The store

#[derive(Debug, Clone)]
struct AuthorizationCode {
    redirect_uri: String,
    user_id: String,
    scope: String,
    code_challenge: Option<String>,
    expires_at_ms: i64,
}

#[derive(Debug, Clone)]
struct RefreshToken {
    user_id: String,
    scope: String,
    /// Issued to a PKCE client that never showed a secret; it may refresh without one.
    public_client: bool,
    /// The authorization it descends from; rotation keeps it.
    authorization: u64,
}

/// Whether a request's client authentication proved the secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ClientProof {
    Secret,
    IdOnly,
}

/// Codes and tokens of the simulated accounts service.
#[derive(Debug, Clone)]
pub struct OAuthStore {
    client: ClientCredentials,
    access_token_ttl_secs: u64,
    rng: SplitMix64,
    codes: HashMap<String, AuthorizationCode>,
    access_tokens: HashMap<String, AccessToken>,
    refresh_tokens: HashMap<String, RefreshToken>,
    authorizations: u64,
}

impl OAuthStore {
    pub fn new(client: ClientCredentials, access_token_ttl_secs: u64, seed: u64) -> Self {
        Self {
            client,
            access_token_ttl_secs,
            rng: SplitMix64::derived(seed, "oauth"),
            codes: HashMap::new(),
            access_tokens: HashMap::new(),
            refresh_tokens: HashMap::new(),
            authorizations: 0,
        }
    }

    pub fn client(&self) -> &ClientCredentials {
        &self.client
    }

    /// The number of the latest authorization; every later one is larger.
    pub fn latest_authorization(&self) -> u64 {
        self.authorizations
    }

    /// Records the user's approval and returns the one-time code for the redirect.
    pub fn issue_code(
        &mut self,
        request: &AuthorizationRequest,
        user_id: &str,
        now_ms: i64,
    ) -> String {
        let code = format!("AQ{}", self.rng.base62(86));
        self.codes.insert(
            code.clone(),
            AuthorizationCode {
                redirect_uri: request.redirect_uri.clone(),
                user_id: user_id.to_owned(),
                scope: request.scope.clone(),
                code_challenge: request.code_challenge.clone(),
                expires_at_ms: now_ms + AUTHORIZATION_CODE_TTL_MS,
            },
        );
        code
    }

    /// The user a grant concerns, if its code or refresh token is known.
    pub fn subject(&self, grant: &Grant) -> Option<Subject> {
        match grant {
            Grant::AuthorizationCode { code, .. } => self.codes.get(code).map(|code| Subject {
                user_id: code.user_id.clone(),
                authorization: None,
            }),
            Grant::RefreshToken { refresh_token } => {
                self.refresh_tokens.get(refresh_token).map(|token| Subject {
                    user_id: token.user_id.clone(),
                    authorization: Some(token.authorization),
                })
            }
        }
    }

    /// Carries out a token request.
    pub fn grant(
        &mut self,
        request: &TokenRequest,
        policy: GrantPolicy,
        now_ms: i64,
    ) -> Result<TokenResponse, TokenError> {
        let proof = self.authenticate_client(&request.client)?;
        match &request.grant {
            Grant::AuthorizationCode {
                code,
                redirect_uri,
                code_verifier,
            } => self.exchange_code(
                proof,
                code,
                redirect_uri.as_deref(),
                code_verifier.as_deref(),
                now_ms,
            ),
            Grant::RefreshToken { refresh_token } => {
                self.refresh(proof, refresh_token, policy, now_ms)
            }
        }
    }

    fn authenticate_client(&self, auth: &ClientAuth) -> Result<ClientProof, TokenError> {
        let known_id = |id: &str| id == self.client.client_id;
        let right_secret = |secret: &str| secret == self.client.client_secret;
        match auth {
            ClientAuth::Basic {
                client_id,
                client_secret,
            } if known_id(client_id) && right_secret(client_secret) => Ok(ClientProof::Secret),
            ClientAuth::Basic { .. } => Err(TokenError::InvalidClient { from_header: true }),
            ClientAuth::Body {
                client_id,
                client_secret: Some(secret),
            } if known_id(client_id) && right_secret(secret) => Ok(ClientProof::Secret),
            ClientAuth::Body {
                client_id,
                client_secret: None,
            } if known_id(client_id) => Ok(ClientProof::IdOnly),
            ClientAuth::Body { .. } | ClientAuth::Missing => {
                Err(TokenError::InvalidClient { from_header: false })
            }
        }
    }

    fn exchange_code(
        &mut self,
        proof: ClientProof,
        code: &str,
        redirect_uri: Option<&str>,
        code_verifier: Option<&str>,
        now_ms: i64,
    ) -> Result<TokenResponse, TokenError> {
        let issued = self
            .codes
            .get(code)
            .ok_or(TokenError::InvalidGrant(INVALID_CODE))?;
        if now_ms >= issued.expires_at_ms {
            self.codes.remove(code);
            return Err(TokenError::InvalidGrant("Authorization code expired"));
        }
        if redirect_uri != Some(issued.redirect_uri.as_str()) {
            return Err(TokenError::InvalidGrant("Invalid redirect URI"));
        }
        match (&issued.code_challenge, proof) {
            (Some(challenge), _) => {
                let verifier =
                    code_verifier.ok_or(TokenError::InvalidRequest("code_verifier required"))?;
                if pkce_challenge(verifier) != *challenge {
                    return Err(TokenError::InvalidGrant("code_verifier was incorrect"));
                }
            }
            // Without PKCE only the secret proves the caller is the app.
            (None, ClientProof::IdOnly) => {
                return Err(TokenError::InvalidClient { from_header: false })
            }
            (None, ClientProof::Secret) => {}
        }
        // Checks passed: the code is spent, whatever happens to the response.
        let Some(issued) = self.codes.remove(code) else {
            return Err(TokenError::InvalidGrant(INVALID_CODE));
        };
        self.authorizations += 1;
        let refresh_token = self.new_refresh_token(RefreshToken {
            user_id: issued.user_id.clone(),
            scope: issued.scope.clone(),
            public_client: proof == ClientProof::IdOnly,
            authorization: self.authorizations,
        });
        Ok(TokenResponse {
            access_token: self.new_access_token(&issued.user_id, &issued.scope, now_ms),
            token_type: "Bearer",
            scope: issued.scope,
            expires_in: self.access_token_ttl_secs,
            refresh_token: Some(refresh_token),
        })
    }

    fn refresh(
        &mut self,
        proof: ClientProof,
        refresh_token: &str,
        policy: GrantPolicy,
        now_ms: i64,
    ) -> Result<TokenResponse, TokenError> {
        let token = self
            .refresh_tokens
            .get(refresh_token)
            .cloned()
            .ok_or(TokenError::InvalidGrant(INVALID_REFRESH_TOKEN))?;
        if proof == ClientProof::IdOnly && !token.public_client {
            return Err(TokenError::InvalidClient { from_header: false });
        }
        if policy.refresh_token_revoked {
            return Err(TokenError::InvalidGrant(REVOKED_REFRESH_TOKEN));
        }
        let access_token = self.new_access_token(&token.user_id, &token.scope, now_ms);
        let rotated = policy.rotate_refresh_token.then(|| {
            // The old token dies the moment its successor is handed out.
            self.refresh_tokens.remove(refresh_token);
            self.new_refresh_token(token.clone())
        });
        Ok(TokenResponse {
            access_token,
            token_type: "Bearer",
            scope: token.scope,
            expires_in: self.access_token_ttl_secs,
            refresh_token: rotated,
        })
    }

    fn new_access_token(&mut self, user_id: &str, scope: &str, now_ms: i64) -> String {
        let token = format!("BQ{}", self.rng.base62(118));
        let ttl_ms =
            i64::try_from(self.access_token_ttl_secs.saturating_mul(1000)).unwrap_or(i64::MAX);
        self.access_tokens.insert(
            token.clone(),
            AccessToken {
                user_id: user_id.to_owned(),
                scope: scope.to_owned(),
                expires_at_ms: now_ms.saturating_add(ttl_ms),
            },
        );
        token
    }

    fn new_refresh_token(&mut self, token: RefreshToken) -> String {
        let value = format!("AQ{}", self.rng.base62(129));
        self.refresh_tokens.insert(value.clone(), token);
        value
    }

    /// The token behind a `Bearer` credential, if it is known and still valid.
    pub fn authenticate(
        &self,
        access_token: &str,
        now_ms: i64,
    ) -> Result<&AccessToken, AccessTokenError> {
        let token = self
            .access_tokens
            .get(access_token)
            .ok_or(AccessTokenError::Invalid)?;
        if now_ms >= token.expires_at_ms {
            return Err(AccessTokenError::Expired);
        }
        Ok(token)
    }

    /// The user an access token was issued to, expired or not.
    pub fn owner(&self, access_token: &str) -> Option<&str> {
        self.access_tokens
            .get(access_token)
            .map(|token| token.user_id.as_str())
    }

    /// Makes every live access token of `user_id` (of everyone with `None`) expire now.
    /// Returns how many were cut short.
    pub fn expire_access_tokens(&mut self, user_id: Option<&str>, now_ms: i64) -> usize {
        let mut expired = 0;
        for token in self.access_tokens.values_mut() {
            if user_id.is_none_or(|user| user == token.user_id) && token.expires_at_ms > now_ms {
                token.expires_at_ms = now_ms;
                expired += 1;
            }
        }
        expired
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_795_871_112_345;
    const REDIRECT: &str = "http://127.0.0.1:8787/callback";
    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

    fn client() -> ClientCredentials {
        ClientCredentials {
            client_id: "app".to_owned(),
            client_secret: "secret".to_owned(),
        }
    }

    fn store() -> OAuthStore {
        OAuthStore::new(client(), 3600, 1)
    }

    fn authorization(challenge: Option<&str>) -> AuthorizationRequest {
        AuthorizationRequest {
            client_id: "app".to_owned(),
            redirect_uri: REDIRECT.to_owned(),
            state: Some("s".to_owned()),
            scope: "user-read-recently-played".to_owned(),
            code_challenge: challenge.map(str::to_owned),
        }
    }

    fn with_secret() -> ClientAuth {
        ClientAuth::Body {
            client_id: "app".to_owned(),
            client_secret: Some("secret".to_owned()),
        }
    }

    fn id_only() -> ClientAuth {
        ClientAuth::Body {
            client_id: "app".to_owned(),
            client_secret: None,
        }
    }

    fn exchange(code: &str, client: ClientAuth, verifier: Option<&str>) -> TokenRequest {
        TokenRequest {
            client,
            grant: Grant::AuthorizationCode {
                code: code.to_owned(),
                redirect_uri: Some(REDIRECT.to_owned()),
                code_verifier: verifier.map(str::to_owned),
            },
        }
    }

    fn refresh(token: &str, client: ClientAuth) -> TokenRequest {
        TokenRequest {
            client,
            grant: Grant::RefreshToken {
                refresh_token: token.to_owned(),
            },
        }
    }

    #[test]
    fn redirect_uris_must_be_https_or_a_loopback_ip() {
        assert_eq!(check_redirect_uri("https://app.example/cb"), Ok(()));
        assert_eq!(check_redirect_uri("http://127.0.0.1:8787/cb"), Ok(()));
        assert_eq!(check_redirect_uri("http://127.0.0.1/cb"), Ok(()));
        assert_eq!(check_redirect_uri("http://[::1]:8787/cb"), Ok(()));
        assert_eq!(
            check_redirect_uri("http://localhost:8787/cb"),
            Err(RedirectUriError::Insecure)
        );
        assert_eq!(
            check_redirect_uri("http://app.example/cb"),
            Err(RedirectUriError::Insecure)
        );
        assert_eq!(
            check_redirect_uri("ftp://app.example/cb"),
            Err(RedirectUriError::Insecure)
        );
        assert_eq!(
            check_redirect_uri("not a url"),
            Err(RedirectUriError::Malformed)
        );
        assert_eq!(
            check_redirect_uri("http://127.0.0.1:x/cb"),
            Err(RedirectUriError::Malformed)
        );
    }

    #[test]
    fn pkce_challenge_matches_the_rfc_7636_example() {
        assert_eq!(
            pkce_challenge(VERIFIER),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn authorization_requests_need_the_known_client_and_response_type_code() {
        let params = |extra: &str| {
            Params::parse(
                format!("client_id=app&response_type=code&redirect_uri={REDIRECT}{extra}")
                    .as_bytes(),
            )
        };
        let request = AuthorizationRequest::from_params(&params("&state=xyz&scope=a+b"), &client());
        assert_eq!(
            request.map(|r| (r.state, r.scope)),
            Ok((Some("xyz".to_owned()), "a b".to_owned()))
        );

        let unknown = Params::parse(b"client_id=other&response_type=code&redirect_uri=https://a/b");
        assert_eq!(
            AuthorizationRequest::from_params(&unknown, &client()),
            Err(AuthorizeError::InvalidClient)
        );
        let token_flow =
            Params::parse(b"client_id=app&response_type=token&redirect_uri=https://a/b");
        assert_eq!(
            AuthorizationRequest::from_params(&token_flow, &client()),
            Err(AuthorizeError::UnsupportedResponseType)
        );
        assert_eq!(
            AuthorizationRequest::from_params(
                &params("&code_challenge_method=plain&code_challenge=x"),
                &client()
            ),
            Err(AuthorizeError::UnsupportedChallengeMethod)
        );
        assert_eq!(
            AuthorizationRequest::from_params(&params("&code_challenge_method=S256"), &client()),
            Err(AuthorizeError::MissingCodeChallenge)
        );
    }

    #[test]
    fn a_localhost_redirect_is_refused_as_insecure() {
        let params = Params::parse(
            b"client_id=app&response_type=code&redirect_uri=http://localhost:8787/cb",
        );
        let error = AuthorizationRequest::from_params(&params, &client());
        assert_eq!(
            error,
            Err(AuthorizeError::RedirectUri(RedirectUriError::Insecure))
        );
        assert!(error
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
            .contains("Insecure redirect URI"));
    }

    #[test]
    fn a_code_is_exchanged_once_for_tokens() {
        let mut store = store();
        let code = store.issue_code(&authorization(None), "u1", NOW);
        let tokens = store.grant(
            &exchange(&code, with_secret(), None),
            GrantPolicy::default(),
            NOW,
        );
        let tokens = tokens.expect("first exchange succeeds");
        assert_eq!(tokens.token_type, "Bearer");
        assert_eq!(tokens.expires_in, 3600);
        assert!(tokens.refresh_token.is_some());
        assert_eq!(
            store
                .authenticate(&tokens.access_token, NOW)
                .map(|t| t.user_id.as_str()),
            Ok("u1")
        );

        let replay = store.grant(
            &exchange(&code, with_secret(), None),
            GrantPolicy::default(),
            NOW,
        );
        assert_eq!(
            replay,
            Err(TokenError::InvalidGrant("Invalid authorization code"))
        );
    }

    #[test]
    fn a_code_expires_after_ten_minutes() {
        let mut store = store();
        let code = store.issue_code(&authorization(None), "u1", NOW);
        let late = store.grant(
            &exchange(&code, with_secret(), None),
            GrantPolicy::default(),
            NOW + AUTHORIZATION_CODE_TTL_MS,
        );
        assert_eq!(
            late,
            Err(TokenError::InvalidGrant("Authorization code expired"))
        );
    }

    #[test]
    fn the_redirect_uri_must_match_the_authorization() {
        let mut store = store();
        let code = store.issue_code(&authorization(None), "u1", NOW);
        let mut request = exchange(&code, with_secret(), None);
        request.grant = Grant::AuthorizationCode {
            code: code.clone(),
            redirect_uri: Some("http://127.0.0.1:9999/callback".to_owned()),
            code_verifier: None,
        };
        assert_eq!(
            store.grant(&request, GrantPolicy::default(), NOW),
            Err(TokenError::InvalidGrant("Invalid redirect URI"))
        );
    }

    #[test]
    fn pkce_accepts_the_right_verifier_without_a_secret() {
        let mut store = store();
        let code = store.issue_code(&authorization(Some(&pkce_challenge(VERIFIER))), "u1", NOW);
        let tokens = store.grant(
            &exchange(&code, id_only(), Some(VERIFIER)),
            GrantPolicy::default(),
            NOW,
        );
        assert!(tokens.is_ok());
    }

    #[test]
    fn pkce_refuses_a_wrong_or_missing_verifier() {
        let mut store = store();
        let code = store.issue_code(&authorization(Some(&pkce_challenge(VERIFIER))), "u1", NOW);
        assert_eq!(
            store.grant(
                &exchange(&code, id_only(), Some("not-the-verifier")),
                GrantPolicy::default(),
                NOW
            ),
            Err(TokenError::InvalidGrant("code_verifier was incorrect"))
        );
        assert_eq!(
            store.grant(
                &exchange(&code, id_only(), None),
                GrantPolicy::default(),
                NOW
            ),
            Err(TokenError::InvalidRequest("code_verifier required"))
        );
    }

    #[test]
    fn without_pkce_the_secret_is_required() {
        let mut store = store();
        let code = store.issue_code(&authorization(None), "u1", NOW);
        assert_eq!(
            store.grant(
                &exchange(&code, id_only(), None),
                GrantPolicy::default(),
                NOW
            ),
            Err(TokenError::InvalidClient { from_header: false })
        );
    }

    #[test]
    fn wrong_client_credentials_are_invalid_client() {
        let mut store = store();
        let code = store.issue_code(&authorization(None), "u1", NOW);
        let wrong_basic = ClientAuth::Basic {
            client_id: "app".to_owned(),
            client_secret: "nope".to_owned(),
        };
        let error = store.grant(
            &exchange(&code, wrong_basic, None),
            GrantPolicy::default(),
            NOW,
        );
        assert_eq!(error, Err(TokenError::InvalidClient { from_header: true }));
        assert_eq!(
            TokenError::InvalidClient { from_header: true }.status(),
            401
        );
        let missing = store.grant(
            &exchange(&code, ClientAuth::Missing, None),
            GrantPolicy::default(),
            NOW,
        );
        assert_eq!(missing.map_err(|e| e.status()), Err(400));
    }

    #[test]
    fn basic_and_body_client_authentication_are_equivalent() {
        let header = format!("Basic {}", STANDARD.encode("app:secret"));
        let form = Params::parse(b"grant_type=refresh_token&refresh_token=r");
        let basic = TokenRequest::parse(Some(&header), &form).map(|r| r.client);
        assert_eq!(
            basic,
            Ok(ClientAuth::Basic {
                client_id: "app".to_owned(),
                client_secret: "secret".to_owned()
            })
        );
        let body = Params::parse(
            b"grant_type=refresh_token&refresh_token=r&client_id=app&client_secret=secret",
        );
        assert_eq!(
            TokenRequest::parse(None, &body).map(|r| r.client),
            Ok(with_secret())
        );
        assert_eq!(
            TokenRequest::parse(Some("Basic !!!"), &form),
            Err(TokenError::InvalidClient { from_header: true })
        );
    }

    #[test]
    fn an_unknown_grant_type_is_unsupported() {
        let form = Params::parse(b"grant_type=password");
        assert_eq!(
            TokenRequest::parse(None, &form),
            Err(TokenError::UnsupportedGrantType)
        );
        assert_eq!(
            TokenError::UnsupportedGrantType.body(),
            json!({ "error": "unsupported_grant_type" })
        );
    }

    fn refresh_token_for(store: &mut OAuthStore) -> String {
        let code = store.issue_code(&authorization(None), "u1", NOW);
        let tokens = store.grant(
            &exchange(&code, with_secret(), None),
            GrantPolicy::default(),
            NOW,
        );
        tokens
            .ok()
            .and_then(|t| t.refresh_token)
            .unwrap_or_default()
    }

    #[test]
    fn refreshing_without_rotation_keeps_the_token() {
        let mut store = store();
        let token = refresh_token_for(&mut store);
        let first = store.grant(&refresh(&token, with_secret()), GrantPolicy::default(), NOW);
        assert_eq!(first.as_ref().map(|t| t.refresh_token.clone()), Ok(None));
        assert!(store
            .grant(&refresh(&token, with_secret()), GrantPolicy::default(), NOW)
            .is_ok());
    }

    #[test]
    fn rotation_hands_out_a_new_token_and_kills_the_old_one() {
        let mut store = store();
        let old = refresh_token_for(&mut store);
        let rotate = GrantPolicy {
            rotate_refresh_token: true,
            ..GrantPolicy::default()
        };
        let new = store
            .grant(&refresh(&old, with_secret()), rotate, NOW)
            .ok()
            .and_then(|t| t.refresh_token);
        let new = new.expect("a rotated token");
        assert_ne!(new, old);
        assert_eq!(
            store.grant(&refresh(&old, with_secret()), rotate, NOW),
            Err(TokenError::InvalidGrant("Invalid refresh token"))
        );
        assert!(store
            .grant(&refresh(&new, with_secret()), rotate, NOW)
            .is_ok());
    }

    #[test]
    fn a_revoked_refresh_token_is_invalid_grant() {
        let mut store = store();
        let token = refresh_token_for(&mut store);
        let revoked = GrantPolicy {
            refresh_token_revoked: true,
            ..GrantPolicy::default()
        };
        assert_eq!(
            store.grant(&refresh(&token, with_secret()), revoked, NOW),
            Err(TokenError::InvalidGrant("Refresh token revoked"))
        );
    }

    #[test]
    fn a_public_client_refreshes_without_a_secret_but_a_confidential_one_cannot() {
        let mut store = store();
        let code = store.issue_code(&authorization(Some(&pkce_challenge(VERIFIER))), "u1", NOW);
        let public = store.grant(
            &exchange(&code, id_only(), Some(VERIFIER)),
            GrantPolicy::default(),
            NOW,
        );
        let public = public
            .ok()
            .and_then(|t| t.refresh_token)
            .unwrap_or_default();
        assert!(store
            .grant(&refresh(&public, id_only()), GrantPolicy::default(), NOW)
            .is_ok());

        let confidential = refresh_token_for(&mut store);
        assert_eq!(
            store.grant(
                &refresh(&confidential, id_only()),
                GrantPolicy::default(),
                NOW
            ),
            Err(TokenError::InvalidClient { from_header: false })
        );
    }

    #[test]
    fn access_tokens_expire_after_their_ttl_or_when_cut_short() {
        let mut store = store();
        let code = store.issue_code(&authorization(None), "u1", NOW);
        let tokens = store.grant(
            &exchange(&code, with_secret(), None),
            GrantPolicy::default(),
            NOW,
        );
        let access = tokens.map(|t| t.access_token).unwrap_or_default();
        assert!(store.authenticate(&access, NOW + 3_599_999).is_ok());
        assert_eq!(
            store.authenticate(&access, NOW + 3_600_000),
            Err(AccessTokenError::Expired)
        );
        assert_eq!(
            store.authenticate("never-issued", NOW),
            Err(AccessTokenError::Invalid)
        );

        assert_eq!(store.expire_access_tokens(Some("u1"), NOW + 10), 1);
        assert_eq!(
            store.authenticate(&access, NOW + 10),
            Err(AccessTokenError::Expired)
        );
    }
}
