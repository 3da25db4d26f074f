//! The accounts service's token endpoint: grants and errors.

use serde::Deserialize;

use super::error::SpotifyError;

/// A successful token response.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct TokenGrant {
    pub access_token: String,
    /// Seconds the access token lives (3600 in practice).
    pub expires_in: u64,
    /// Present on an authorization-code grant; on a refresh only when Spotify rotates it.
    #[serde(default)]
    pub refresh_token: Option<String>,
    #[serde(default)]
    pub scope: Option<String>,
}

#[derive(Deserialize)]
struct TokenErrorBody {
    error: String,
}

/// Reads a token endpoint answer.
pub fn parse_token_response(status: u16, body: &str) -> Result<TokenGrant, SpotifyError> {
    if (200..300).contains(&status) {
        let grant: TokenGrant = serde_json::from_str(body)
            .map_err(|error| SpotifyError::Malformed(format!("token response: {error}")))?;
        if grant.access_token.is_empty() {
            return Err(SpotifyError::Malformed(
                "token response: empty access_token".into(),
            ));
        }
        return Ok(grant);
    }
    // The error body names the cause; its description is free text we do not show.
    let error = serde_json::from_str::<TokenErrorBody>(body)
        .map(|body| body.error)
        .ok();
    Err(match (status, error.as_deref()) {
        (_, Some("invalid_grant")) => SpotifyError::InvalidGrant,
        (_, Some("invalid_client")) | (401, _) => SpotifyError::InvalidClient,
        (429, _) => SpotifyError::RateLimited {
            retry_after_seconds: None,
        },
        (500..=599, _) => SpotifyError::Server { status },
        _ => SpotifyError::Unexpected { status },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refresh_without_a_new_refresh_token_keeps_none() {
        let grant = parse_token_response(
            200,
            r#"{"access_token":"A","token_type":"Bearer","scope":"user-read-recently-played","expires_in":3600}"#,
        )
        .expect("grant");
        assert_eq!(grant.expires_in, 3600);
        assert_eq!(grant.refresh_token, None);
    }

    #[test]
    fn a_rotated_refresh_token_is_read() {
        let grant = parse_token_response(
            200,
            r#"{"access_token":"A","token_type":"Bearer","expires_in":3600,"refresh_token":"R2"}"#,
        )
        .expect("grant");
        assert_eq!(grant.refresh_token.as_deref(), Some("R2"));
    }

    #[test]
    fn a_revoked_refresh_token_is_invalid_grant() {
        for description in ["Refresh token revoked", "Invalid refresh token"] {
            let body =
                format!(r#"{{"error":"invalid_grant","error_description":"{description}"}}"#);
            assert_eq!(
                parse_token_response(400, &body),
                Err(SpotifyError::InvalidGrant)
            );
        }
    }

    #[test]
    fn other_errors_are_told_apart() {
        assert_eq!(
            parse_token_response(400, r#"{"error":"invalid_client"}"#),
            Err(SpotifyError::InvalidClient)
        );
        assert_eq!(
            parse_token_response(503, "<html>"),
            Err(SpotifyError::Server { status: 503 })
        );
        assert_eq!(
            parse_token_response(400, "{}"),
            Err(SpotifyError::Unexpected { status: 400 })
        );
    }

    #[test]
    fn a_malformed_success_is_malformed() {
        assert!(matches!(
            parse_token_response(200, r#"{"access_tok"#),
            Err(SpotifyError::Malformed(_))
        ));
        assert!(matches!(
            parse_token_response(200, r#"{"access_token":"","expires_in":3600}"#),
            Err(SpotifyError::Malformed(_))
        ));
    }
}
