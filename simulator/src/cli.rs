//! The command line: `spotify-simulator [--port N] [--users N] …`.

use std::fmt;
use std::str::FromStr;

use crate::listenbrainz::Account;
use crate::server::ServerConfig;

pub const USAGE: &str = "\
Usage: spotify-simulator [OPTIONS]

Options:
  --port N                     port on 127.0.0.1 to listen on; 0 picks a free one [default: 0]
  --users N                    simulated users sim-user-1..N [default: 3]
  --seed N                     seed of every generated thing [default: 42]
  --plays-per-hour X           average listening rate of the default users [default: 20]
  --history-hours X            listening history the users have at start [default: 2]
  --client-id ID               the registered app's client id [default: sim-client-id]
  --client-secret SECRET       the registered app's secret [default: sim-client-secret]
  --access-token-ttl-secs N    lifetime of access tokens [default: 3600]
  --rotate-refresh-tokens      hand out a new refresh token on every refresh
  --listenbrainz-user NAME:TOKEN
                               a ListenBrainz user with that token from the start; repeatable
  --lastfm-api-key KEY         the API key of the app registered with the simulated Last.fm
                               [default: sim-lastfm-key]
  --lastfm-shared-secret S     its shared secret, which signs API calls [default: sim-lastfm-secret]
  --quiet                      do not log requests to stderr
  -h, --help                   print this help
";

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct Cli {
    pub port: u16,
    /// Everything but `base_url`, which is known only once the port is bound.
    pub config: ServerConfig,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CliError {
    HelpRequested,
    UnknownFlag(String),
    MissingValue(String),
    InvalidValue { flag: String, value: String },
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::HelpRequested => f.write_str(USAGE),
            Self::UnknownFlag(flag) => write!(f, "unknown option '{flag}'\n\n{USAGE}"),
            Self::MissingValue(flag) => write!(f, "option '{flag}' needs a value"),
            Self::InvalidValue { flag, value } => write!(f, "invalid value '{value}' for '{flag}'"),
        }
    }
}

impl std::error::Error for CliError {}

/// Parses the arguments after the program name. Values may follow as the next argument or
/// after `=` (`--port 8080`, `--port=8080`).
pub fn parse<I: IntoIterator<Item = String>>(args: I) -> Result<Cli, CliError> {
    let mut cli = Cli {
        port: 0,
        config: ServerConfig::default(),
    };
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => {
                (flag.to_owned(), Some(value.to_owned()))
            }
            _ => (arg, None),
        };
        let mut value = || match inline.clone() {
            Some(value) => Ok(value),
            None => args
                .next()
                .ok_or_else(|| CliError::MissingValue(flag.clone())),
        };
        let config = &mut cli.config;
        match flag.as_str() {
            "-h" | "--help" => return Err(CliError::HelpRequested),
            "--rotate-refresh-tokens" => config.rotate_refresh_tokens = true,
            "--quiet" => config.log_requests = false,
            "--port" => cli.port = number(&flag, &value()?)?,
            "--users" => config.users = number(&flag, &value()?)?,
            "--seed" => config.seed = number(&flag, &value()?)?,
            "--plays-per-hour" => config.plays_per_hour = non_negative(&flag, &value()?)?,
            "--history-hours" => config.history_hours = non_negative(&flag, &value()?)?,
            "--client-id" => config.client.client_id = value()?,
            "--client-secret" => config.client.client_secret = value()?,
            "--access-token-ttl-secs" => config.access_token_ttl_secs = number(&flag, &value()?)?,
            "--listenbrainz-user" => {
                let text = value()?;
                let account = Account::parse(&text)
                    .filter(|account| {
                        config.listenbrainz_users.iter().all(|other| {
                            other.token != account.token || other.user_name == account.user_name
                        })
                    })
                    .ok_or_else(|| invalid(&flag, &text))?;
                config
                    .listenbrainz_users
                    .retain(|other| other.user_name != account.user_name);
                config.listenbrainz_users.push(account);
            }
            "--lastfm-api-key" => config.lastfm.api_key = value()?,
            "--lastfm-shared-secret" => config.lastfm.shared_secret = value()?,
            _ => return Err(CliError::UnknownFlag(flag)),
        }
    }
    Ok(cli)
}

fn number<T: FromStr>(flag: &str, value: &str) -> Result<T, CliError> {
    value.parse().map_err(|_| invalid(flag, value))
}

fn non_negative(flag: &str, value: &str) -> Result<f64, CliError> {
    let parsed: f64 = number(flag, value)?;
    if parsed.is_finite() && parsed >= 0.0 {
        Ok(parsed)
    } else {
        Err(invalid(flag, value))
    }
}

fn invalid(flag: &str, value: &str) -> CliError {
    CliError::InvalidValue {
        flag: flag.to_owned(),
        value: value.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &str) -> Vec<String> {
        line.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn no_arguments_give_the_documented_defaults() {
        let cli = parse(Vec::new()).expect("defaults parse");
        assert_eq!(cli.port, 0);
        assert_eq!(cli.config.users, 3);
        assert_eq!(cli.config.seed, 42);
        assert_eq!(cli.config.plays_per_hour, 20.0);
        assert_eq!(cli.config.history_hours, 2.0);
        assert_eq!(cli.config.client.client_id, "sim-client-id");
        assert_eq!(cli.config.client.client_secret, "sim-client-secret");
        assert_eq!(cli.config.access_token_ttl_secs, 3600);
        assert!(!cli.config.rotate_refresh_tokens);
        assert_eq!(cli.config.lastfm.api_key, "sim-lastfm-key");
        assert_eq!(cli.config.lastfm.shared_secret, "sim-lastfm-secret");
        assert!(cli.config.listenbrainz_users.is_empty());
    }

    #[test]
    fn every_flag_is_read() {
        let cli = parse(args(
            "--port 8080 --users=5 --seed 7 --plays-per-hour 0 --history-hours 0.5 \
             --client-id id --client-secret s --access-token-ttl-secs 60 --rotate-refresh-tokens --quiet \
             --lastfm-api-key lk --lastfm-shared-secret=ls \
             --listenbrainz-user alice:tok-a --listenbrainz-user=bob:tok-b",
        ))
        .expect("flags parse");
        assert_eq!(cli.port, 8080);
        assert_eq!(cli.config.users, 5);
        assert_eq!(cli.config.seed, 7);
        assert_eq!(cli.config.plays_per_hour, 0.0);
        assert_eq!(cli.config.history_hours, 0.5);
        assert_eq!(cli.config.client.client_id, "id");
        assert_eq!(cli.config.client.client_secret, "s");
        assert_eq!(cli.config.access_token_ttl_secs, 60);
        assert!(cli.config.rotate_refresh_tokens);
        assert!(!cli.config.log_requests);
        assert_eq!(cli.config.lastfm.api_key, "lk");
        assert_eq!(cli.config.lastfm.shared_secret, "ls");
        let accounts: Vec<(&str, &str)> = cli
            .config
            .listenbrainz_users
            .iter()
            .map(|account| (account.user_name.as_str(), account.token.as_str()))
            .collect();
        assert_eq!(accounts, [("alice", "tok-a"), ("bob", "tok-b")]);
    }

    #[test]
    fn bad_input_is_reported() {
        assert_eq!(
            parse(args("--bogus")),
            Err(CliError::UnknownFlag("--bogus".to_owned()))
        );
        assert_eq!(
            parse(args("--port")),
            Err(CliError::MissingValue("--port".to_owned()))
        );
        assert!(matches!(
            parse(args("--port 70000")),
            Err(CliError::InvalidValue { .. })
        ));
        assert!(matches!(
            parse(args("--plays-per-hour -1")),
            Err(CliError::InvalidValue { .. })
        ));
        assert!(matches!(
            parse(args("--plays-per-hour NaN")),
            Err(CliError::InvalidValue { .. })
        ));
        for accounts in [
            "--listenbrainz-user alice",
            "--listenbrainz-user alice:tok --listenbrainz-user bob:tok",
        ] {
            assert!(
                matches!(parse(args(accounts)), Err(CliError::InvalidValue { .. })),
                "{accounts}"
            );
        }
        assert_eq!(parse(args("--help")), Err(CliError::HelpRequested));
    }
}
