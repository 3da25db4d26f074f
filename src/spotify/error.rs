//! Every way a call to Spotify can fail, and what each means for the user's archive.

use std::fmt;

use crate::engine::breaker::FailureKind;
use crate::ports::TransportError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpotifyError {
    /// The refresh token (or authorization code) was refused: revoked, expired after six
    /// months, or already used. Only a new login helps.
    InvalidGrant,
    /// Our client id or secret was refused.
    InvalidClient,
    /// 401 from the Web API: the access token is expired or unknown.
    Unauthorized,
    /// 403: the user is not on a development-mode app's allowlist, or lacks a scope.
    Forbidden,
    /// 429; the seconds from `Retry-After`, when readable.
    RateLimited { retry_after_seconds: Option<u64> },
    /// 429 whose body says `"reason": "QUOTA_EXCEEDED"`: the app's whole quota is spent,
    /// and every user must wait, not just this one.
    QuotaExceeded { retry_after_seconds: Option<u64> },
    /// A 5xx.
    Server { status: u16 },
    /// No HTTP answer.
    Transport(TransportError),
    /// A 2xx whose body is not what the API documents.
    Malformed(String),
    /// Any other status.
    Unexpected { status: u16 },
}

impl SpotifyError {
    /// The failure recorded on the user. `InvalidGrant` is classified as `Auth`, but the
    /// archive treats it apart: the user needs to log in again.
    pub fn failure_kind(&self) -> FailureKind {
        match self {
            Self::InvalidGrant | Self::InvalidClient | Self::Unauthorized | Self::Forbidden => {
                FailureKind::Auth
            }
            Self::RateLimited { .. } | Self::QuotaExceeded { .. } => FailureKind::RateLimited,
            Self::Server { .. } | Self::Transport(_) => FailureKind::Network,
            Self::Malformed(_) | Self::Unexpected { .. } => FailureKind::Unknown,
        }
    }
}

impl fmt::Display for SpotifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidGrant => write!(f, "Spotify refused the refresh token (invalid_grant)"),
            Self::InvalidClient => write!(f, "Spotify refused the client credentials"),
            Self::Unauthorized => write!(f, "Spotify refused the access token (401)"),
            Self::Forbidden => write!(f, "Spotify refused access (403)"),
            Self::RateLimited {
                retry_after_seconds: Some(seconds),
            } => {
                write!(f, "Spotify rate limit, retry after {seconds} s")
            }
            Self::RateLimited {
                retry_after_seconds: None,
            } => write!(f, "Spotify rate limit"),
            Self::QuotaExceeded {
                retry_after_seconds,
            } => write!(
                f,
                "Spotify app quota exceeded, retry after {} s",
                retry_after_seconds.map_or_else(|| "?".to_owned(), |s| s.to_string())
            ),
            Self::Server { status } => write!(f, "Spotify server error {status}"),
            Self::Transport(error) => write!(f, "Spotify unreachable: {error}"),
            Self::Malformed(what) => write!(f, "unreadable Spotify response: {what}"),
            Self::Unexpected { status } => write!(f, "unexpected Spotify status {status}"),
        }
    }
}

impl std::error::Error for SpotifyError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_are_classified_by_what_fixes_them() {
        assert_eq!(SpotifyError::InvalidGrant.failure_kind(), FailureKind::Auth);
        assert_eq!(SpotifyError::Forbidden.failure_kind(), FailureKind::Auth);
        assert_eq!(
            SpotifyError::RateLimited {
                retry_after_seconds: Some(3)
            }
            .failure_kind(),
            FailureKind::RateLimited
        );
        assert_eq!(
            SpotifyError::Server { status: 503 }.failure_kind(),
            FailureKind::Network
        );
        assert_eq!(
            SpotifyError::Transport(TransportError::Timeout).failure_kind(),
            FailureKind::Network
        );
        assert_eq!(
            SpotifyError::Malformed("x".into()).failure_kind(),
            FailureKind::Unknown
        );
        assert_eq!(
            SpotifyError::Unexpected { status: 418 }.failure_kind(),
            FailureKind::Unknown
        );
    }
}
