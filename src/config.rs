//! The Worker's settings, read from vars and secrets at the edge and checked here.

use crate::engine::schedule::PollingPolicy;
use crate::engine::sweep::SweepConfig;
use crate::forward::lastfm::{self, LastFmApp};
use crate::forward::listenbrainz;
use crate::forward::ForwardConfig;
use crate::notify::delivery::{NotifyConfig, OperatorChannel};
use crate::notify::message::SECRET_PREFIX;
use crate::notify::target::{self, ChannelKind, UrlPolicy};
use crate::spotify::client::ClientCredentials;
use crate::spotify::SpotifyEndpoints;
use crate::time::MINUTE_MS;

pub const DEFAULT_ACCOUNTS_URL: &str = "https://accounts.spotify.com";
pub const DEFAULT_API_URL: &str = "https://api.spotify.com";

/// A setting that is missing or unreadable. Names the setting, never its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigError {
    Missing(&'static str),
    Invalid(&'static str),
    /// A setting refused with the reason the operator needs to mend it (a URL's).
    Refused(&'static str, &'static str),
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Missing(name) => write!(f, "{name} is not set"),
            Self::Invalid(name) => write!(f, "{name} is not valid"),
            Self::Refused(name, reason) => write!(f, "{name} is not valid: {reason}"),
        }
    }
}

impl std::error::Error for ConfigError {}

/// Reads one setting by name (a var or a secret).
pub trait Settings {
    fn get(&self, name: &str) -> Option<String>;
}

fn number<T: std::str::FromStr>(
    settings: &impl Settings,
    name: &'static str,
    default: T,
) -> Result<T, ConfigError> {
    match settings.get(name).filter(|value| !value.trim().is_empty()) {
        Some(value) => value.trim().parse().map_err(|_| ConfigError::Invalid(name)),
        None => Ok(default),
    }
}

pub fn endpoints(settings: &impl Settings) -> SpotifyEndpoints {
    let read = |name: &str, default: &str| {
        settings
            .get(name)
            .filter(|value| !value.trim().is_empty())
            .unwrap_or_else(|| default.to_owned())
            .trim_end_matches('/')
            .to_owned()
    };
    SpotifyEndpoints {
        accounts_url: read("SPOTIFY_ACCOUNTS_URL", DEFAULT_ACCOUNTS_URL),
        api_url: read("SPOTIFY_API_URL", DEFAULT_API_URL),
    }
}

pub fn credentials(settings: &impl Settings) -> Result<ClientCredentials, ConfigError> {
    let required = |name: &'static str| {
        settings
            .get(name)
            .filter(|value| !value.is_empty())
            .ok_or(ConfigError::Missing(name))
    };
    Ok(ClientCredentials {
        client_id: required("SPOTIFY_CLIENT_ID")?,
        client_secret: required("SPOTIFY_CLIENT_SECRET")?,
    })
}

pub fn sweep_config(settings: &impl Settings) -> Result<SweepConfig, ConfigError> {
    let defaults = SweepConfig::default();
    let users_per_message = number(settings, "USERS_PER_MESSAGE", defaults.users_per_message)?;
    if !(1..=100).contains(&users_per_message) {
        return Err(ConfigError::Invalid("USERS_PER_MESSAGE"));
    }
    Ok(SweepConfig {
        users_per_message,
        max_users: number(settings, "SWEEP_MAX_USERS", defaults.max_users)?,
        lease_ms: defaults.lease_ms,
    })
}

/// `SHARD_WEIGHTS`: how new users spread over the `shards` bound, one whole number per
/// shard in order (`1,1,2`: shard 2 takes twice the others' new users; `0` takes none, for
/// a shard that is full). Unset: every shard 1. A list of another length is an error, so
/// that adding a shard without its weight is caught, not guessed.
pub fn shard_weights(settings: &impl Settings, shards: usize) -> Result<Vec<u32>, ConfigError> {
    const NAME: &str = "SHARD_WEIGHTS";
    let Some(value) = settings.get(NAME).filter(|value| !value.trim().is_empty()) else {
        return Ok(vec![1; shards]);
    };
    let weights = value
        .split(',')
        .map(|weight| weight.trim().parse::<u32>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| ConfigError::Invalid(NAME))?;
    if weights.len() != shards {
        return Err(ConfigError::Invalid(NAME));
    }
    Ok(weights)
}

pub fn polling_policy(settings: &impl Settings) -> Result<PollingPolicy, ConfigError> {
    let defaults = PollingPolicy::default();
    let min_minutes: i64 = number(
        settings,
        "MIN_POLL_INTERVAL_MINUTES",
        defaults.min_interval_ms / MINUTE_MS,
    )?;
    if !(5..=60).contains(&min_minutes) {
        return Err(ConfigError::Invalid("MIN_POLL_INTERVAL_MINUTES"));
    }
    Ok(PollingPolicy {
        min_interval_ms: min_minutes * MINUTE_MS,
        ..defaults
    })
}

fn text(settings: &impl Settings, name: &str) -> Option<String> {
    settings
        .get(name)
        .map(|value| value.trim().to_owned())
        .filter(|value| !value.is_empty())
}

/// Notifications: links (`PUBLIC_URL`), the retry backoff's base, whether channels may
/// point at loopback (development), and the operator's channel.
pub fn notify_config(settings: &impl Settings) -> Result<NotifyConfig, ConfigError> {
    let defaults = NotifyConfig::default();
    let public_url = match text(settings, "PUBLIC_URL") {
        Some(url) if url.starts_with("https://") || url.starts_with("http://") => {
            Some(url.trim_end_matches('/').to_owned())
        }
        Some(_) => return Err(ConfigError::Invalid("PUBLIC_URL")),
        None => None,
    };
    let retry_base_seconds = number(
        settings,
        "NOTIFY_RETRY_BASE_SECONDS",
        defaults.retry_base_seconds,
    )?;
    if !(1..=3_600).contains(&retry_base_seconds) {
        return Err(ConfigError::Invalid("NOTIFY_RETRY_BASE_SECONDS"));
    }
    let max_attempts = number(settings, "NOTIFY_MAX_ATTEMPTS", defaults.max_attempts)?;
    if !(1..=20).contains(&max_attempts) {
        return Err(ConfigError::Invalid("NOTIFY_MAX_ATTEMPTS"));
    }
    let url_policy = UrlPolicy {
        allow_loopback: matches!(
            text(settings, "ALLOW_LOOPBACK_NOTIFICATIONS").as_deref(),
            Some("true" | "1")
        ),
    };
    Ok(NotifyConfig {
        public_url,
        retry_base_seconds,
        max_attempts,
        url_policy,
        operator: operator_channel(settings, url_policy),
    })
}

/// Forwarding: where ListenBrainz and Last.fm are (the simulator's in development), the
/// operator's Last.fm account, and, from the notifications' settings already read
/// (`notify`), the retry backoff's base and whether this is development.
pub fn forward_config(
    settings: &impl Settings,
    notify: &NotifyConfig,
) -> Result<ForwardConfig, ConfigError> {
    // Credentials travel to these: HTTPS, but plain HTTP where
    // `ALLOW_LOOPBACK_NOTIFICATIONS` says this is development (the simulator's).
    let plain_http = notify.url_policy.allow_loopback;
    let url = |name: &'static str, default: &str| match text(settings, name) {
        Some(url) if url.starts_with("https://") || (plain_http && url.starts_with("http://")) => {
            Ok(url.trim_end_matches('/').to_owned())
        }
        Some(_) => Err(ConfigError::Invalid(name)),
        None => Ok(default.to_owned()),
    };
    let listenbrainz_url = url("LISTENBRAINZ_API_URL", listenbrainz::DEFAULT_API_URL)?;
    let lastfm = match (
        text(settings, "LASTFM_API_KEY"),
        text(settings, "LASTFM_SHARED_SECRET"),
    ) {
        (None, None) => None,
        (Some(api_key), Some(shared_secret)) => Some(LastFmApp {
            api_key,
            shared_secret,
            api_url: url("LASTFM_API_URL", lastfm::DEFAULT_API_URL)?,
            auth_url: url("LASTFM_AUTH_URL", lastfm::DEFAULT_AUTH_URL)?,
        }),
        (Some(_), None) => return Err(ConfigError::Missing("LASTFM_SHARED_SECRET")),
        (None, Some(_)) => return Err(ConfigError::Missing("LASTFM_API_KEY")),
    };
    Ok(ForwardConfig {
        listenbrainz_url,
        lastfm,
        retry_base_seconds: notify.retry_base_seconds,
    })
}

/// The operator's channel, if one is set: `OPERATOR_ALERT_URL` with its kind and secret.
fn operator_channel(
    settings: &impl Settings,
    url_policy: UrlPolicy,
) -> Result<Option<OperatorChannel>, ConfigError> {
    let Some(url) = text(settings, "OPERATOR_ALERT_URL") else {
        return Ok(None);
    };
    let kind = match text(settings, "OPERATOR_ALERT_KIND") {
        None => ChannelKind::Webhook,
        Some(kind) => {
            ChannelKind::parse(&kind).ok_or(ConfigError::Invalid("OPERATOR_ALERT_KIND"))?
        }
    };
    let secret = text(settings, "OPERATOR_ALERT_SECRET");
    let token = (kind == ChannelKind::Ntfy)
        .then_some(secret.as_deref())
        .flatten();
    let mut target = target::validate(kind, &url, token, url_policy)
        .map_err(|refusal| ConfigError::Refused("OPERATOR_ALERT_URL", refusal.0))?;
    if kind == ChannelKind::Webhook {
        let secret = secret.ok_or(ConfigError::Missing("OPERATOR_ALERT_SECRET"))?;
        if !secret.starts_with(SECRET_PREFIX) {
            return Err(ConfigError::Invalid("OPERATOR_ALERT_SECRET"));
        }
        target.secret = Some(secret);
    }
    Ok(Some(OperatorChannel { kind, target }))
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::collections::HashMap;

    struct Map(HashMap<&'static str, &'static str>);

    impl Settings for Map {
        fn get(&self, name: &str) -> Option<String> {
            self.0.get(name).map(|value| (*value).to_owned())
        }
    }

    #[test]
    fn shard_weights_are_one_each_unless_listed_one_per_shard() {
        let unset = Map(HashMap::new());
        assert_eq!(shard_weights(&unset, 3), Ok(vec![1, 1, 1]));
        let listed = Map(HashMap::from([("SHARD_WEIGHTS", " 1, 2 ,0")]));
        assert_eq!(shard_weights(&listed, 3), Ok(vec![1, 2, 0]));
        // A shard bound without its weight, or a weight that is not a whole number.
        assert_eq!(
            shard_weights(&listed, 4),
            Err(ConfigError::Invalid("SHARD_WEIGHTS"))
        );
        let bad = Map(HashMap::from([("SHARD_WEIGHTS", "1,-1")]));
        assert_eq!(
            shard_weights(&bad, 2),
            Err(ConfigError::Invalid("SHARD_WEIGHTS"))
        );
    }
    #[test]
    fn endpoints_default_to_spotify_and_lose_a_trailing_slash() {
        let none = Map(HashMap::new());
        assert_eq!(
            endpoints(&none).accounts_url,
            "https://accounts.spotify.com"
        );
        let sim = Map(HashMap::from([(
            "SPOTIFY_API_URL",
            "http://127.0.0.1:9000/",
        )]));
        assert_eq!(endpoints(&sim).api_url, "http://127.0.0.1:9000");
    }

    #[test]
    fn missing_credentials_name_the_setting() {
        let only_id = Map(HashMap::from([("SPOTIFY_CLIENT_ID", "id")]));
        assert_eq!(
            credentials(&only_id),
            Err(ConfigError::Missing("SPOTIFY_CLIENT_SECRET"))
        );
    }

    #[test]
    fn notifications_need_nothing_and_check_what_they_get() {
        let none = notify_config(&Map(HashMap::new())).expect("defaults");
        assert_eq!(none.operator, Ok(None));
        assert_eq!(none.public_url, None);
        assert!(!none.url_policy.allow_loopback);

        let operator = Map(HashMap::from([
            ("PUBLIC_URL", "https://tm.example.com/"),
            ("OPERATOR_ALERT_URL", "https://hooks.example.com/ops"),
            ("OPERATOR_ALERT_SECRET", "whsec_c2VjcmV0"),
        ]));
        let config = notify_config(&operator).expect("valid");
        assert_eq!(config.public_url.as_deref(), Some("https://tm.example.com"));
        let channel = config
            .operator
            .expect("valid")
            .expect("an operator channel");
        assert_eq!(channel.kind, ChannelKind::Webhook);
        assert_eq!(channel.target.secret.as_deref(), Some("whsec_c2VjcmV0"));

        // A wrong operator setting keeps the rest working: the alerts say what is wrong.
        let unsigned = Map(HashMap::from([(
            "OPERATOR_ALERT_URL",
            "https://hooks.example.com/ops",
        )]));
        assert_eq!(
            notify_config(&unsigned).map(|config| config.operator),
            Ok(Err(ConfigError::Missing("OPERATOR_ALERT_SECRET")))
        );
        let plain_http = Map(HashMap::from([
            ("OPERATOR_ALERT_URL", "http://hooks.example.com/ops"),
            ("OPERATOR_ALERT_KIND", "ntfy"),
        ]));
        assert_eq!(
            notify_config(&plain_http).map(|config| config.operator),
            Ok(Err(ConfigError::Refused(
                "OPERATOR_ALERT_URL",
                "The URL must start with https://."
            )))
        );
        // An international host is refused with how to write it (the Worker carries no
        // IDNA tables), and the rest of the settings still work.
        let international = Map(HashMap::from([
            ("OPERATOR_ALERT_URL", "https://bücher.example/ops"),
            ("OPERATOR_ALERT_SECRET", "whsec_c2VjcmV0"),
        ]));
        let refused = notify_config(&international)
            .expect("the rest is valid")
            .operator
            .expect_err("refused");
        assert!(refused.to_string().contains("xn--"), "{refused}");
        let base = Map(HashMap::from([("NOTIFY_RETRY_BASE_SECONDS", "0")]));
        assert_eq!(
            notify_config(&base),
            Err(ConfigError::Invalid("NOTIFY_RETRY_BASE_SECONDS"))
        );
    }

    #[test]
    fn numbers_are_checked() {
        let bad = Map(HashMap::from([("USERS_PER_MESSAGE", "0")]));
        assert_eq!(
            sweep_config(&bad),
            Err(ConfigError::Invalid("USERS_PER_MESSAGE"))
        );
        let text = Map(HashMap::from([("SWEEP_MAX_USERS", "many")]));
        assert_eq!(
            sweep_config(&text),
            Err(ConfigError::Invalid("SWEEP_MAX_USERS"))
        );
        let ok = Map(HashMap::from([
            ("USERS_PER_MESSAGE", "5"),
            ("MIN_POLL_INTERVAL_MINUTES", "10"),
        ]));
        assert_eq!(
            sweep_config(&ok).map(|config| config.users_per_message),
            Ok(5)
        );
        assert_eq!(
            polling_policy(&ok).map(|policy| policy.min_interval_ms),
            Ok(10 * MINUTE_MS)
        );
    }

    /// The forwarding settings as the edge reads them: after the notifications'.
    fn forward(settings: &Map) -> Result<ForwardConfig, ConfigError> {
        forward_config(settings, &notify_config(settings)?)
    }

    #[test]
    fn the_services_are_the_real_ones_unless_set_and_https_outside_development() {
        let unset = Map(HashMap::new());
        assert_eq!(
            forward(&unset).map(|config| config.listenbrainz_url),
            Ok("https://api.listenbrainz.org".to_owned())
        );
        let sim = Map(HashMap::from([
            (
                "LISTENBRAINZ_API_URL",
                "http://127.0.0.1:9000/listenbrainz/",
            ),
            ("NOTIFY_RETRY_BASE_SECONDS", "5"),
            ("ALLOW_LOOPBACK_NOTIFICATIONS", "true"),
        ]));
        assert_eq!(
            forward(&sim),
            Ok(ForwardConfig {
                listenbrainz_url: "http://127.0.0.1:9000/listenbrainz".to_owned(),
                lastfm: None,
                retry_base_seconds: 5,
            })
        );
        let lastfm = Map(HashMap::from([
            ("LASTFM_API_KEY", "k"),
            ("LASTFM_SHARED_SECRET", "s"),
            ("LASTFM_API_URL", "http://127.0.0.1:9000/lastfm/"),
            ("ALLOW_LOOPBACK_NOTIFICATIONS", "true"),
        ]));
        assert_eq!(
            forward(&lastfm).map(|config| config.lastfm),
            Ok(Some(LastFmApp {
                api_key: "k".into(),
                shared_secret: "s".into(),
                api_url: "http://127.0.0.1:9000/lastfm".into(),
                auth_url: "https://www.last.fm".into(),
            }))
        );
        let half = Map(HashMap::from([("LASTFM_API_KEY", "k")]));
        assert_eq!(
            forward(&half),
            Err(ConfigError::Missing("LASTFM_SHARED_SECRET"))
        );
        // Tokens never travel in the clear outside development.
        for bad in ["ftp://x", "http://api.listenbrainz.example"] {
            let bad = Map(HashMap::from([("LISTENBRAINZ_API_URL", bad)]));
            assert_eq!(
                forward(&bad),
                Err(ConfigError::Invalid("LISTENBRAINZ_API_URL"))
            );
        }
    }
}
