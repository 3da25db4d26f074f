//! Secrets at rest and random values.
//!
//! Spotify tokens are sealed with AES-256-GCM under `TOKEN_ENCRYPTION_KEY`: a fresh
//! random nonce for every seal, and the user id as associated data, so a token copied
//! onto another user's row does not open. A sealed value names the key that sealed it,
//! so the key can be rotated: the old key stays readable as
//! `TOKEN_ENCRYPTION_KEY_PREVIOUS` while every row is sealed again under the new one.

use std::fmt;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use sha2::{Digest, Sha256};

const NONCE_LEN: usize = 12;
const FORMAT: &str = "v1";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CryptoError {
    /// The key secret is not 32 bytes in base64 (or 64 hex digits).
    InvalidKey,
    /// The platform's random source failed.
    Random,
    /// The sealed text is not ours or names a key we do not hold.
    UnknownFormat,
    /// Authentication failed: the wrong key, the wrong user, or tampering.
    Unsealing,
}

impl fmt::Display for CryptoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::InvalidKey => "the token encryption key must be 32 bytes, base64 or hex",
            Self::Random => "no random bytes available",
            Self::UnknownFormat => "sealed value of an unknown format or key",
            Self::Unsealing => "sealed value failed authentication",
        })
    }
}

impl std::error::Error for CryptoError {}

struct SealingKey {
    id: String,
    cipher: Aes256Gcm,
}

impl SealingKey {
    fn from_secret(secret: &str) -> Result<Self, CryptoError> {
        let secret = secret.trim();
        let bytes = match STANDARD.decode(secret) {
            Ok(bytes) if bytes.len() == 32 => bytes,
            _ => decode_hex(secret)
                .filter(|bytes| bytes.len() == 32)
                .ok_or(CryptoError::InvalidKey)?,
        };
        let cipher = Aes256Gcm::new_from_slice(&bytes).map_err(|_| CryptoError::InvalidKey)?;
        // The id names the key without revealing it: a hash prefix of the key itself.
        let id = sha256_hex(&bytes)[..8].to_owned();
        Ok(Self { id, cipher })
    }
}

/// Seals and opens Spotify tokens for storage.
pub struct TokenCipher {
    current: SealingKey,
    previous: Option<SealingKey>,
}

impl TokenCipher {
    pub fn new(current_secret: &str, previous_secret: Option<&str>) -> Result<Self, CryptoError> {
        Ok(Self {
            current: SealingKey::from_secret(current_secret)?,
            previous: previous_secret
                .filter(|secret| !secret.trim().is_empty())
                .map(SealingKey::from_secret)
                .transpose()?,
        })
    }

    /// `v1.<key id>.<base64(nonce ‖ ciphertext)>`.
    pub fn seal(&self, plaintext: &str, user_id: &str) -> Result<String, CryptoError> {
        let mut nonce = [0_u8; NONCE_LEN];
        getrandom::getrandom(&mut nonce).map_err(|_| CryptoError::Random)?;
        let payload = Payload {
            msg: plaintext.as_bytes(),
            aad: user_id.as_bytes(),
        };
        let ciphertext = self
            .current
            .cipher
            .encrypt(Nonce::from_slice(&nonce), payload)
            .map_err(|_| CryptoError::Unsealing)?;
        let mut sealed = nonce.to_vec();
        sealed.extend_from_slice(&ciphertext);
        Ok(format!(
            "{FORMAT}.{}.{}",
            self.current.id,
            STANDARD.encode(sealed)
        ))
    }

    pub fn open(&self, sealed: &str, user_id: &str) -> Result<String, CryptoError> {
        let mut parts = sealed.splitn(3, '.');
        let (Some(FORMAT), Some(key_id), Some(body)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(CryptoError::UnknownFormat);
        };
        let key = [Some(&self.current), self.previous.as_ref()]
            .into_iter()
            .flatten()
            .find(|key| key.id == key_id)
            .ok_or(CryptoError::UnknownFormat)?;
        let bytes = STANDARD
            .decode(body)
            .map_err(|_| CryptoError::UnknownFormat)?;
        if bytes.len() <= NONCE_LEN {
            return Err(CryptoError::UnknownFormat);
        }
        let (nonce, ciphertext) = bytes.split_at(NONCE_LEN);
        let plaintext = key
            .cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: user_id.as_bytes(),
                },
            )
            .map_err(|_| CryptoError::Unsealing)?;
        String::from_utf8(plaintext).map_err(|_| CryptoError::Unsealing)
    }

    /// Whether `sealed` was sealed under an older key and should be sealed again.
    pub fn is_stale(&self, sealed: &str) -> bool {
        sealed
            .split('.')
            .nth(1)
            .is_some_and(|key_id| key_id != self.current.id)
    }
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|index| {
            text.get(index..index + 2)
                .and_then(|pair| u8::from_str_radix(pair, 16).ok())
        })
        .collect()
}

/// Lower-case hex SHA-256: how session ids and OAuth states are stored, so that a copy
/// of the database does not hand out live sessions.
pub fn sha256_hex(bytes: impl AsRef<[u8]>) -> String {
    Sha256::digest(bytes.as_ref())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// SHA-256, base64url without padding: PKCE's S256 code challenge.
pub fn sha256_base64url(text: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(text.as_bytes()))
}

/// `bytes` random bytes as base64url without padding (URL and cookie safe).
pub fn random_token(bytes: usize) -> Result<String, CryptoError> {
    Ok(URL_SAFE_NO_PAD.encode(random_bytes(bytes)?))
}

/// `count` bytes from the platform's random source.
pub fn random_bytes(count: usize) -> Result<Vec<u8>, CryptoError> {
    let mut buffer = vec![0_u8; count];
    getrandom::getrandom(&mut buffer).map_err(|_| CryptoError::Random)?;
    Ok(buffer)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="; // 32 bytes
    const OTHER_KEY: &str = "6162636465666768696a6b6c6d6e6f707172737475767778797a303132333435"; // hex

    #[test]
    fn a_sealed_token_opens_for_its_user_only() {
        let cipher = TokenCipher::new(KEY, None).expect("key");
        let sealed = cipher.seal("BQD-access-token", "user-1").expect("seal");
        assert!(!sealed.contains("BQD"));
        assert_eq!(
            cipher.open(&sealed, "user-1").as_deref(),
            Ok("BQD-access-token")
        );
        assert_eq!(cipher.open(&sealed, "user-2"), Err(CryptoError::Unsealing));
    }

    #[test]
    fn every_seal_uses_a_fresh_nonce() {
        let cipher = TokenCipher::new(KEY, None).expect("key");
        assert_ne!(
            cipher.seal("t", "u").expect("seal"),
            cipher.seal("t", "u").expect("seal")
        );
    }

    #[test]
    fn a_tampered_value_does_not_open() {
        let cipher = TokenCipher::new(KEY, None).expect("key");
        let sealed = cipher.seal("token", "u").expect("seal");
        let mut bytes = sealed.into_bytes();
        let last = bytes.len() - 3;
        bytes[last] = if bytes[last] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(bytes).expect("ascii");
        assert!(cipher.open(&tampered, "u").is_err());
        assert_eq!(
            cipher.open("plaintext", "u"),
            Err(CryptoError::UnknownFormat)
        );
    }

    #[test]
    fn after_rotation_old_values_open_and_are_stale() {
        let old = TokenCipher::new(KEY, None).expect("key");
        let sealed = old.seal("token", "u").expect("seal");
        let rotated = TokenCipher::new(OTHER_KEY, Some(KEY)).expect("keys");
        assert_eq!(rotated.open(&sealed, "u").as_deref(), Ok("token"));
        assert!(rotated.is_stale(&sealed));
        assert!(!rotated.is_stale(&rotated.seal("token", "u").expect("seal")));
        let without_previous = TokenCipher::new(OTHER_KEY, None).expect("key");
        assert_eq!(
            without_previous.open(&sealed, "u"),
            Err(CryptoError::UnknownFormat)
        );
    }

    #[test]
    fn a_short_key_is_refused() {
        assert_eq!(
            TokenCipher::new("c2hvcnQ=", None).err(),
            Some(CryptoError::InvalidKey)
        );
        assert_eq!(
            TokenCipher::new("", None).err(),
            Some(CryptoError::InvalidKey)
        );
    }

    #[test]
    fn pkce_challenge_matches_rfc_7636_example() {
        assert_eq!(
            sha256_base64url("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn random_tokens_are_url_safe_and_distinct() {
        let token = random_token(32).expect("random");
        assert_eq!(token.len(), 43);
        assert!(token
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        assert_ne!(token, random_token(32).expect("random"));
    }

    /// What the comparisons of secrets (`admin_only`, `PendingLogin::accepts`) rely on:
    /// subtle's slice `ct_eq` is equal only for the same contents of the same length (the
    /// length is not secret, so a different one may answer early).
    #[test]
    fn secrets_compare_by_contents_and_length() {
        use subtle::ConstantTimeEq;
        let eq = |left: &[u8], right: &[u8]| -> bool { left.ct_eq(right).into() };
        assert!(eq(b"secret", b"secret"));
        assert!(!eq(b"secret", b"secreT"));
        assert!(!eq(b"secret", b"secret2"));
        assert!(!eq(b"secret2", b"secret"));
        assert!(!eq(b"", b"secret"));
        assert!(eq(b"", b""));
    }
}
