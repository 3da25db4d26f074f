//! Faults a test can switch on: rate limiting, server errors, hangs, malformed bodies and
//! revoked refresh tokens, for one user or for everyone, on one endpoint or all of them.
//!
//! A fault fires on a matching request, optionally only with some probability (rolled on a
//! seeded generator, so a run is reproducible) and only a limited number of `times`.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::rng::SplitMix64;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    RateLimit,
    /// A 429 of the app's whole quota: its body says `"reason": "QUOTA_EXCEEDED"`.
    QuotaExceeded,
    ServerError,
    Hang,
    RevokeRefreshToken,
    MalformedBody,
    /// Not kept as a fault: installing it expires the current access tokens at once.
    ExpireAccessToken,
}

/// The endpoints faults can be aimed at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Endpoint {
    RecentlyPlayed,
    Me,
    Token,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndpointFilter {
    RecentlyPlayed,
    Me,
    Token,
    #[default]
    Any,
}

impl EndpointFilter {
    fn matches(self, endpoint: Endpoint) -> bool {
        matches!(
            (self, endpoint),
            (Self::Any, _)
                | (Self::RecentlyPlayed, Endpoint::RecentlyPlayed)
                | (Self::Me, Endpoint::Me)
                | (Self::Token, Endpoint::Token)
        )
    }
}

/// A fault as the admin API describes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultSpec {
    pub kind: FaultKind,
    #[serde(default)]
    pub endpoint: EndpointFilter,
    /// How many times it fires before it is gone; forever (until cleared) when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_secs: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// How long a hang holds the request before answering normally; never answers when
    /// absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hang_secs: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum FaultSpecError {
    Status(u16),
    Probability(f64),
    ZeroTimes,
}

impl fmt::Display for FaultSpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Status(status) => write!(f, "status must be 500 or 503, not {status}"),
            Self::Probability(p) => write!(f, "probability must be within 0.0..=1.0, not {p}"),
            Self::ZeroTimes => f.write_str("times must be at least 1"),
        }
    }
}

impl std::error::Error for FaultSpecError {}

/// Seconds announced in `Retry-After` when the spec gives none.
pub const DEFAULT_RETRY_AFTER_SECS: u64 = 1;

impl FaultSpec {
    pub fn new(kind: FaultKind) -> Self {
        Self {
            kind,
            endpoint: EndpointFilter::Any,
            times: None,
            retry_after_secs: None,
            status: None,
            hang_secs: None,
            probability: None,
        }
    }

    pub fn validate(&self) -> Result<(), FaultSpecError> {
        if let Some(status) = self.status.filter(|status| ![500, 503].contains(status)) {
            return Err(FaultSpecError::Status(status));
        }
        if let Some(p) = self.probability.filter(|p| !(0.0..=1.0).contains(p)) {
            return Err(FaultSpecError::Probability(p));
        }
        if self.times == Some(0) {
            return Err(FaultSpecError::ZeroTimes);
        }
        Ok(())
    }
}

/// Who a fault applies to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    Everyone,
    User(String),
}

impl Scope {
    fn covers(&self, user_id: Option<&str>) -> bool {
        match self {
            Self::Everyone => true,
            Self::User(id) => user_id == Some(id.as_str()),
        }
    }
}

/// What a firing fault does to a response instead of (or besides) answering normally.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    RateLimited {
        retry_after_secs: u64,
    },
    QuotaExceeded {
        retry_after_secs: u64,
    },
    ServerError {
        status: u16,
    },
    /// Answer normally, then cut the body short.
    Malformed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hang {
    For(Duration),
    Forever,
}

/// The faults that fired for one request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Verdict {
    /// Held before anything else happens.
    pub hang: Option<Hang>,
    pub effect: Option<Effect>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Fault {
    pub id: u64,
    pub scope: Scope,
    #[serde(flatten)]
    pub spec: FaultSpec,
    /// Fires left; `None` for a fault that lasts until cleared.
    pub remaining: Option<u32>,
    /// For revocations: refresh tokens from authorizations up to this number are revoked.
    #[serde(skip)]
    revokes_up_to: u64,
    #[serde(skip)]
    dice: SplitMix64,
}

impl Fault {
    /// Rolls the dice and, if the fault fires, uses up one of its times.
    fn fire(&mut self) -> bool {
        if self.remaining == Some(0) {
            return false;
        }
        if let Some(p) = self.spec.probability {
            if !self.dice.chance(p) {
                return false;
            }
        }
        if let Some(remaining) = self.remaining.as_mut() {
            *remaining -= 1;
        }
        true
    }
}

/// Every installed fault, in installation order.
#[derive(Debug, Clone)]
pub struct FaultBook {
    seed: u64,
    next_id: u64,
    faults: Vec<Fault>,
}

impl FaultBook {
    pub fn new(seed: u64) -> Self {
        Self {
            seed,
            next_id: 1,
            faults: Vec::new(),
        }
    }

    /// Installs a fault. `latest_authorization` scopes a revocation to refresh tokens that
    /// exist now: authorizing again afterwards yields a token that works.
    pub fn install(&mut self, scope: Scope, spec: FaultSpec, latest_authorization: u64) -> &Fault {
        let id = self.next_id;
        self.next_id += 1;
        self.faults.push(Fault {
            id,
            scope,
            remaining: spec.times,
            dice: SplitMix64::derived(self.seed, &format!("fault:{id}")),
            spec,
            revokes_up_to: latest_authorization,
        });
        &self.faults[self.faults.len() - 1]
    }

    pub fn list(&self) -> &[Fault] {
        &self.faults
    }

    /// Removes the faults aimed at one user (faults for everyone stay). Returns how many.
    pub fn clear_user(&mut self, user_id: &str) -> usize {
        let before = self.faults.len();
        self.faults
            .retain(|fault| fault.scope != Scope::User(user_id.to_owned()));
        before - self.faults.len()
    }

    /// Removes every fault. Returns how many.
    pub fn clear_all(&mut self) -> usize {
        std::mem::take(&mut self.faults).len()
    }

    /// Decides what happens to a request for `endpoint` made for `user_id` (`None` when the
    /// request could not be tied to a user). The first firing hang sets the delay; the first
    /// firing effect decides the answer, and faults after it are not rolled.
    pub fn on_request(&mut self, user_id: Option<&str>, endpoint: Endpoint) -> Verdict {
        let mut verdict = Verdict::default();
        for fault in &mut self.faults {
            if !fault.scope.covers(user_id) || !fault.spec.endpoint.matches(endpoint) {
                continue;
            }
            let effect = match fault.spec.kind {
                FaultKind::Hang if verdict.hang.is_none() => None,
                FaultKind::RateLimit => Some(Effect::RateLimited {
                    retry_after_secs: fault
                        .spec
                        .retry_after_secs
                        .unwrap_or(DEFAULT_RETRY_AFTER_SECS),
                }),
                FaultKind::QuotaExceeded => Some(Effect::QuotaExceeded {
                    retry_after_secs: fault
                        .spec
                        .retry_after_secs
                        .unwrap_or(DEFAULT_RETRY_AFTER_SECS),
                }),
                FaultKind::ServerError => Some(Effect::ServerError {
                    status: fault.spec.status.unwrap_or(500),
                }),
                FaultKind::MalformedBody => Some(Effect::Malformed),
                FaultKind::Hang | FaultKind::RevokeRefreshToken | FaultKind::ExpireAccessToken => {
                    continue
                }
            };
            if !fault.fire() {
                continue;
            }
            match effect {
                None => {
                    verdict.hang = Some(match fault.spec.hang_secs {
                        Some(secs) => Hang::For(Duration::from_secs(secs)),
                        None => Hang::Forever,
                    });
                }
                Some(effect) => {
                    verdict.effect = Some(effect);
                    break;
                }
            }
        }
        self.drop_spent();
        verdict
    }

    /// Whether a refresh with a token from `authorization` for `user_id` is refused as revoked.
    pub fn revokes_refresh_token(&mut self, user_id: &str, authorization: u64) -> bool {
        let revoked = self.faults.iter_mut().any(|fault| {
            fault.spec.kind == FaultKind::RevokeRefreshToken
                && fault.scope.covers(Some(user_id))
                && fault.spec.endpoint.matches(Endpoint::Token)
                && authorization <= fault.revokes_up_to
                && fault.fire()
        });
        self.drop_spent();
        revoked
    }

    fn drop_spent(&mut self) {
        self.faults.retain(|fault| fault.remaining != Some(0));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(kind: FaultKind) -> FaultSpec {
        FaultSpec::new(kind)
    }

    #[test]
    fn a_rate_limit_for_one_user_spares_the_others() {
        let mut book = FaultBook::new(1);
        let limit = FaultSpec {
            retry_after_secs: Some(30),
            ..spec(FaultKind::RateLimit)
        };
        book.install(Scope::User("a".into()), limit, 0);
        assert_eq!(
            book.on_request(Some("a"), Endpoint::Me).effect,
            Some(Effect::RateLimited {
                retry_after_secs: 30
            })
        );
        assert_eq!(book.on_request(Some("b"), Endpoint::Me), Verdict::default());
        assert_eq!(book.on_request(None, Endpoint::Token), Verdict::default());
    }

    #[test]
    fn a_fault_for_everyone_hits_unidentified_requests_too() {
        let mut book = FaultBook::new(1);
        book.install(Scope::Everyone, spec(FaultKind::ServerError), 0);
        assert_eq!(
            book.on_request(None, Endpoint::Token).effect,
            Some(Effect::ServerError { status: 500 })
        );
    }

    #[test]
    fn a_fault_aimed_at_one_endpoint_leaves_the_others_alone() {
        let mut book = FaultBook::new(1);
        let on_me = FaultSpec {
            endpoint: EndpointFilter::Me,
            ..spec(FaultKind::MalformedBody)
        };
        book.install(Scope::Everyone, on_me, 0);
        assert_eq!(
            book.on_request(Some("a"), Endpoint::RecentlyPlayed),
            Verdict::default()
        );
        assert_eq!(
            book.on_request(Some("a"), Endpoint::Me).effect,
            Some(Effect::Malformed)
        );
    }

    #[test]
    fn a_fault_with_times_is_gone_once_used_up() {
        let mut book = FaultBook::new(1);
        let twice = FaultSpec {
            times: Some(2),
            status: Some(503),
            ..spec(FaultKind::ServerError)
        };
        book.install(Scope::Everyone, twice, 0);
        let effects: Vec<_> = (0..3)
            .map(|_| book.on_request(Some("a"), Endpoint::Me).effect)
            .collect();
        let unavailable = Some(Effect::ServerError { status: 503 });
        assert_eq!(effects, vec![unavailable, unavailable, None]);
        assert!(book.list().is_empty());
    }

    #[test]
    fn a_probable_fault_fires_about_that_often_and_reproducibly() {
        let count = |seed| {
            let mut book = FaultBook::new(seed);
            let sometimes = FaultSpec {
                probability: Some(0.25),
                ..spec(FaultKind::RateLimit)
            };
            book.install(Scope::Everyone, sometimes, 0);
            (0..1000)
                .filter(|_| book.on_request(Some("a"), Endpoint::Me).effect.is_some())
                .count()
        };
        let fired = count(7);
        assert!((200..300).contains(&fired), "fired {fired} of 1000");
        assert_eq!(count(7), fired);
    }

    #[test]
    fn a_hang_delays_and_leaves_the_answer_to_other_faults() {
        let mut book = FaultBook::new(1);
        let hang = FaultSpec {
            hang_secs: Some(2),
            ..spec(FaultKind::Hang)
        };
        book.install(Scope::Everyone, hang, 0);
        assert_eq!(
            book.on_request(Some("a"), Endpoint::Me),
            Verdict {
                hang: Some(Hang::For(Duration::from_secs(2))),
                effect: None
            }
        );
        book.clear_all();
        book.install(Scope::Everyone, spec(FaultKind::Hang), 0);
        assert_eq!(
            book.on_request(Some("a"), Endpoint::Me).hang,
            Some(Hang::Forever)
        );
    }

    #[test]
    fn a_revocation_spares_tokens_from_later_authorizations() {
        let mut book = FaultBook::new(1);
        book.install(
            Scope::User("a".into()),
            spec(FaultKind::RevokeRefreshToken),
            3,
        );
        assert!(book.revokes_refresh_token("a", 3));
        assert!(!book.revokes_refresh_token("a", 4));
        assert!(!book.revokes_refresh_token("b", 1));
        assert_eq!(
            book.on_request(Some("a"), Endpoint::Token),
            Verdict::default()
        );
    }

    #[test]
    fn clearing_a_user_keeps_faults_for_everyone() {
        let mut book = FaultBook::new(1);
        book.install(Scope::User("a".into()), spec(FaultKind::RateLimit), 0);
        book.install(Scope::Everyone, spec(FaultKind::ServerError), 0);
        assert_eq!(book.clear_user("a"), 1);
        assert_eq!(
            book.on_request(Some("a"), Endpoint::Me).effect,
            Some(Effect::ServerError { status: 500 })
        );
        assert_eq!(book.clear_all(), 1);
    }

    #[test]
    fn specs_are_validated() {
        let bad_status = FaultSpec {
            status: Some(404),
            ..spec(FaultKind::ServerError)
        };
        assert_eq!(bad_status.validate(), Err(FaultSpecError::Status(404)));
        let bad_probability = FaultSpec {
            probability: Some(1.5),
            ..spec(FaultKind::RateLimit)
        };
        assert_eq!(
            bad_probability.validate(),
            Err(FaultSpecError::Probability(1.5))
        );
        let parsed: Result<FaultSpec, _> = serde_json::from_str(
            r#"{"kind":"rate_limit","endpoint":"recently_played","retry_after_secs":5}"#,
        );
        assert_eq!(
            parsed.ok().map(|s| (s.kind, s.endpoint)),
            Some((FaultKind::RateLimit, EndpointFilter::RecentlyPlayed))
        );
    }
}
