//! Checking Standard Webhooks signatures (<https://www.standardwebhooks.com>), as a receiver
//! of the Worker's generic webhooks does.
//!
//! A secret is `whsec_` followed by the base64 of the key bytes. A delivery carries
//! `webhook-id`, `webhook-timestamp` (Unix seconds) and `webhook-signature`, a space-separated
//! list of `v1,<base64 signature>`; each signature is
//! `base64(HMAC-SHA256(key, "{id}.{timestamp}.{raw body}"))`.

use std::fmt;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The prefix of a signing secret.
pub const SECRET_PREFIX: &str = "whsec_";

/// How far a delivery's timestamp may be from now, either way, before it is refused (the
/// spec's replay window).
pub const TIMESTAMP_TOLERANCE_SECS: i64 = 5 * 60;

/// A signing secret: its text as configured and the key bytes it stands for.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret {
    text: String,
    key: Vec<u8>,
}

impl Secret {
    /// Parses `whsec_<base64 of the key>`; the key must not be empty.
    pub fn parse(text: &str) -> Result<Self, SecretError> {
        let encoded = text
            .strip_prefix(SECRET_PREFIX)
            .ok_or(SecretError::NoPrefix)?;
        let key = STANDARD
            .decode(encoded)
            .map_err(|_| SecretError::NotBase64)?;
        if key.is_empty() {
            return Err(SecretError::Empty);
        }
        Ok(Self {
            text: text.to_owned(),
            key,
        })
    }

    /// The secret as configured, `whsec_…`.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn key(&self) -> &[u8] {
        &self.key
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("Secret(whsec_…)")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretError {
    NoPrefix,
    NotBase64,
    Empty,
}

impl fmt::Display for SecretError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(match self {
            Self::NoPrefix => "secret must start with 'whsec_'",
            Self::NotBase64 => "secret must be 'whsec_' followed by standard base64",
            Self::Empty => "secret must not be an empty key",
        })
    }
}

impl std::error::Error for SecretError {}

/// The signature headers of one delivery, each `None` when absent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SignatureHeaders<'a> {
    pub id: Option<&'a str>,
    pub timestamp: Option<&'a str>,
    pub signature: Option<&'a str>,
}

/// What the check of a delivery's signature found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// One of the listed `v1` signatures is right and the timestamp is recent.
    Valid,
    /// The headers are there, but no signature matches or the timestamp is out of the window.
    Invalid,
    /// At least one of the three headers is absent.
    Missing,
    /// The sink has no secret, so nothing was checked.
    NotChecked,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Valid => "valid",
            Self::Invalid => "invalid",
            Self::Missing => "missing",
            Self::NotChecked => "not_checked",
        }
    }
}

/// The MAC over `{id}.{timestamp}.{body}`, ready to be finalized or compared.
fn mac(key: &[u8], id: &str, timestamp: &str, body: &[u8]) -> HmacSha256 {
    // HMAC takes keys of any length; `new_from_slice` cannot fail for it.
    let mut mac = HmacSha256::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The base64 signature a sender with `key` puts after `v1,`.
pub fn signature(key: &[u8], id: &str, timestamp: &str, body: &[u8]) -> String {
    STANDARD.encode(mac(key, id, timestamp, body).finalize().into_bytes())
}

/// Checks a delivery against `secret` (none: [`Verdict::NotChecked`]) at `now_secs`.
/// Signatures are compared in constant time; entries other than `v1,…` are ignored.
pub fn verify(
    secret: Option<&Secret>,
    headers: SignatureHeaders<'_>,
    body: &[u8],
    now_secs: i64,
) -> Verdict {
    let Some(secret) = secret else {
        return Verdict::NotChecked;
    };
    let (Some(id), Some(timestamp), Some(signatures)) =
        (headers.id, headers.timestamp, headers.signature)
    else {
        return Verdict::Missing;
    };
    let recent = timestamp
        .trim()
        .parse::<i64>()
        .is_ok_and(|sent| sent.abs_diff(now_secs) <= TIMESTAMP_TOLERANCE_SECS.unsigned_abs());
    if !recent {
        return Verdict::Invalid;
    }
    let expected = mac(secret.key(), id, timestamp, body);
    let matches = signatures
        .split_ascii_whitespace()
        .filter_map(|entry| entry.strip_prefix("v1,"))
        .filter_map(|encoded| STANDARD.decode(encoded).ok())
        // `verify_slice` compares in constant time.
        .any(|candidate| expected.clone().verify_slice(&candidate).is_ok());
    if matches {
        Verdict::Valid
    } else {
        Verdict::Invalid
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The example of the Standard Webhooks reference libraries; the signature was recomputed
    // independently with Python's `hmac` and `hashlib`, and agrees with theirs.
    const SPEC_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const SPEC_ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const SPEC_TIMESTAMP: &str = "1614265330";
    const SPEC_BODY: &[u8] = br#"{"test": 2432232314}"#;
    const SPEC_SIGNATURE: &str = "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
    const SPEC_NOW_SECS: i64 = 1_614_265_330;

    fn secret() -> Secret {
        Secret::parse(SPEC_SECRET).expect("a valid secret")
    }

    fn headers(signature: &str) -> SignatureHeaders<'_> {
        SignatureHeaders {
            id: Some(SPEC_ID),
            timestamp: Some(SPEC_TIMESTAMP),
            signature: Some(signature),
        }
    }

    #[test]
    fn the_signature_matches_a_known_answer() {
        assert_eq!(secret().key().len(), 24);
        assert_eq!(
            signature(secret().key(), SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY),
            SPEC_SIGNATURE
        );
    }

    #[test]
    fn a_known_good_delivery_is_valid() {
        let header = format!("v1,{SPEC_SIGNATURE}");
        assert_eq!(
            verify(Some(&secret()), headers(&header), SPEC_BODY, SPEC_NOW_SECS),
            Verdict::Valid
        );
    }

    #[test]
    fn any_listed_v1_signature_may_match() {
        let header = format!("v1a,{SPEC_SIGNATURE} v1,bm90IGl0 v1,{SPEC_SIGNATURE}");
        assert_eq!(
            verify(Some(&secret()), headers(&header), SPEC_BODY, SPEC_NOW_SECS),
            Verdict::Valid
        );
    }

    #[test]
    fn a_signature_under_another_version_does_not_count() {
        let header = format!("v2,{SPEC_SIGNATURE}");
        assert_eq!(
            verify(Some(&secret()), headers(&header), SPEC_BODY, SPEC_NOW_SECS),
            Verdict::Invalid
        );
    }

    #[test]
    fn a_tampered_body_id_or_key_is_invalid() {
        let header = format!("v1,{SPEC_SIGNATURE}");
        let tampered = br#"{"test": 2432232315}"#;
        assert_eq!(
            verify(Some(&secret()), headers(&header), tampered, SPEC_NOW_SECS),
            Verdict::Invalid
        );
        let other_id = SignatureHeaders {
            id: Some("msg_other"),
            ..headers(&header)
        };
        assert_eq!(
            verify(Some(&secret()), other_id, SPEC_BODY, SPEC_NOW_SECS),
            Verdict::Invalid
        );
        let other_key = Secret::parse("whsec_c29tZSBvdGhlciBrZXk=").expect("a valid secret");
        assert_eq!(
            verify(Some(&other_key), headers(&header), SPEC_BODY, SPEC_NOW_SECS),
            Verdict::Invalid
        );
    }

    #[test]
    fn garbage_signatures_are_invalid() {
        for header in ["", "v1,", "v1,!!!", "nonsense", "v1,g0hM9SsE"] {
            assert_eq!(
                verify(Some(&secret()), headers(header), SPEC_BODY, SPEC_NOW_SECS),
                Verdict::Invalid,
                "{header:?}"
            );
        }
    }

    #[test]
    fn the_timestamp_must_be_within_five_minutes_either_way() {
        let header = format!("v1,{SPEC_SIGNATURE}");
        let check = |now_secs| verify(Some(&secret()), headers(&header), SPEC_BODY, now_secs);
        assert_eq!(check(SPEC_NOW_SECS + 300), Verdict::Valid);
        assert_eq!(check(SPEC_NOW_SECS - 300), Verdict::Valid);
        assert_eq!(check(SPEC_NOW_SECS + 301), Verdict::Invalid);
        assert_eq!(check(SPEC_NOW_SECS - 301), Verdict::Invalid);
        let not_a_number = SignatureHeaders {
            timestamp: Some("yesterday"),
            ..headers(&header)
        };
        assert_eq!(
            verify(Some(&secret()), not_a_number, SPEC_BODY, SPEC_NOW_SECS),
            Verdict::Invalid
        );
    }

    #[test]
    fn absent_headers_are_missing_and_no_secret_is_not_checked() {
        let header = format!("v1,{SPEC_SIGNATURE}");
        assert_eq!(
            verify(
                Some(&secret()),
                SignatureHeaders::default(),
                SPEC_BODY,
                SPEC_NOW_SECS
            ),
            Verdict::Missing
        );
        let no_id = SignatureHeaders {
            id: None,
            ..headers(&header)
        };
        assert_eq!(
            verify(Some(&secret()), no_id, SPEC_BODY, SPEC_NOW_SECS),
            Verdict::Missing
        );
        assert_eq!(
            verify(None, headers(&header), SPEC_BODY, SPEC_NOW_SECS),
            Verdict::NotChecked
        );
    }

    #[test]
    fn secrets_need_the_prefix_and_a_base64_key() {
        assert_eq!(
            Secret::parse("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
            Err(SecretError::NoPrefix)
        );
        assert_eq!(
            Secret::parse("whsec_not base64!"),
            Err(SecretError::NotBase64)
        );
        assert_eq!(Secret::parse("whsec_"), Err(SecretError::Empty));
        assert_eq!(secret().as_str(), SPEC_SECRET);
        assert_eq!(format!("{:?}", secret()), "Secret(whsec_…)");
    }
}
