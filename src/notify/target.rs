//! Where a channel delivers: its kind and its URL, checked before anything is stored.
//!
//! A channel's URL is a credential (a Discord webhook URL or an ntfy topic lets anyone
//! post to it), so it is sealed at rest like the Spotify tokens and pages show only a
//! hint of it. The Worker posts to it on the user's behalf, so it must be a public HTTPS
//! address: plain HTTP and loopback only when the deployment allows it (local
//! development and the end-to-end suite), and never an address inside a private network.

use std::net::{Ipv4Addr, Ipv6Addr};

use super::endpoint::{Endpoint, EndpointError, Host};
use serde::{Deserialize, Serialize};

/// The kinds of channel, as stored in `notification_channels.kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChannelKind {
    /// JSON, signed per Standard Webhooks with the channel's secret.
    Webhook,
    /// An ntfy topic URL (ntfy.sh or self-hosted), with an optional access token.
    Ntfy,
    /// A Discord channel's webhook URL.
    Discord,
}

impl ChannelKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Webhook => "webhook",
            Self::Ntfy => "ntfy",
            Self::Discord => "discord",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "webhook" => Some(Self::Webhook),
            "ntfy" => Some(Self::Ntfy),
            "discord" => Some(Self::Discord),
            _ => None,
        }
    }
}

/// What a channel needs to deliver, sealed as one JSON text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelTarget {
    pub url: String,
    /// ntfy's access token (sent as a bearer token).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// The webhook's signing secret, `whsec_` and base64 of the key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

/// Why a channel's URL or token was refused; the text is for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetError(pub &'static str);

impl std::fmt::Display for TargetError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for TargetError {}

/// The longest URL we keep: webhook URLs are far shorter.
pub const MAX_URL_LEN: usize = 2_048;
/// The longest ntfy token we keep.
pub const MAX_TOKEN_LEN: usize = 256;

/// Whether the deployment may post to loopback over plain HTTP (development only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct UrlPolicy {
    pub allow_loopback: bool,
}

/// Checks a channel's URL (and ntfy token) for `kind`; answers it normalised.
pub fn validate(
    kind: ChannelKind,
    url: &str,
    token: Option<&str>,
    policy: UrlPolicy,
) -> Result<ChannelTarget, TargetError> {
    let url = url.trim();
    if url.is_empty() {
        return Err(TargetError("Give the channel's URL."));
    }
    if url.len() > MAX_URL_LEN {
        return Err(TargetError(
            "The URL is too long (2,048 characters at most).",
        ));
    }
    let parsed = Endpoint::parse(url).map_err(|error| {
        TargetError(match error {
            EndpointError::Malformed => "The URL is not a valid absolute URL.",
            EndpointError::Scheme => "The URL must start with https://.",
            EndpointError::Credentials => {
                "The URL must not carry a user name or password; ntfy takes a token instead."
            }
            EndpointError::Fragment => "The URL must not have a #fragment.",
            // The Worker carries no Unicode tables for IDNA (Cargo.toml, idna_adapter).
            EndpointError::InternationalHost => {
                "Write the URL's host in its xn-- form (Punycode): international names are not taken."
            }
        })
    })?;
    let host = &parsed.host;
    let loopback = is_loopback(host);
    match (parsed.https, loopback) {
        (true, false) => {}
        (_, true) if policy.allow_loopback => {}
        (_, true) => {
            return Err(TargetError(
                "Loopback addresses are allowed only in development.",
            ))
        }
        (false, false) => return Err(TargetError("The URL must start with https://.")),
    }
    // Loopback was judged above; `::1` would read as 0.0.0.1 ("this network") below.
    if !loopback && is_private(host) {
        return Err(TargetError(
            "The URL points into a private network; use a public address.",
        ));
    }
    if kind == ChannelKind::Discord && !loopback && !is_discord_webhook(&parsed) {
        return Err(TargetError(
            "A Discord channel takes the webhook URL Discord gives: https://discord.com/api/webhooks/….",
        ));
    }
    if kind == ChannelKind::Ntfy && parsed.path.trim_matches('/').is_empty() {
        return Err(TargetError(
            "An ntfy channel takes the topic's URL, such as https://ntfy.sh/your-topic.",
        ));
    }
    let token = match (kind, token.map(str::trim).filter(|token| !token.is_empty())) {
        (ChannelKind::Ntfy, Some(token)) => {
            if token.len() > MAX_TOKEN_LEN || !token.chars().all(|c| c.is_ascii_graphic()) {
                return Err(TargetError(
                    "The ntfy token must be printable ASCII without spaces, 256 characters at most.",
                ));
            }
            Some(token.to_owned())
        }
        (ChannelKind::Ntfy, None) => None,
        (_, Some(_)) => return Err(TargetError("Only an ntfy channel takes a token.")),
        (_, None) => None,
    };
    Ok(ChannelTarget {
        url: parsed.to_string(),
        token,
        secret: None,
    })
}

fn is_loopback(host: &Host) -> bool {
    match host {
        Host::Ipv4(ip) => ip.is_loopback(),
        Host::Ipv6(ip) => ip.is_loopback() || ip.to_ipv4().is_some_and(|v4| v4.is_loopback()),
        Host::Domain(name) => name.trim_end_matches('.').eq_ignore_ascii_case("localhost"),
    }
}

/// An address no public service has: private ranges, link-local (cloud metadata lives
/// there), the unspecified address, multicast and reserved ranges, and IPv6 forms that
/// carry such an IPv4 address. Loopback is judged separately. Names are judged as
/// written: a Worker cannot resolve them, and the platform's egress does not reach
/// private ranges whatever a name resolves to.
fn is_private(host: &Host) -> bool {
    fn v4(ip: &Ipv4Addr) -> bool {
        let [a, b, ..] = ip.octets();
        ip.is_private() || ip.is_link_local() || ip.is_broadcast() || ip.is_multicast()
            || a == 0 // 0.0.0.0/8, "this network"
            || a >= 240 // reserved
            || (a == 100 && (b & 0xC0) == 64) // 100.64.0.0/10, carrier-grade NAT
            || (a == 198 && (b & 0xFE) == 18) // 198.18.0.0/15, benchmarking
    }
    fn embedded(high: u16, low: u16) -> Ipv4Addr {
        Ipv4Addr::from((u32::from(high) << 16) | u32::from(low))
    }
    fn v4_or_loopback(ip: Ipv4Addr) -> bool {
        v4(&ip) || ip.is_loopback()
    }
    fn v6(ip: &Ipv6Addr) -> bool {
        let segments = ip.segments();
        let first = segments[0];
        ip.is_unspecified()
            || ip.is_multicast()
            || (first & 0xFE00) == 0xFC00 // unique local
            || (first & 0xFFC0) == 0xFE80 // link-local
            || (first & 0xFFC0) == 0xFEC0 // site-local
            // IPv4-mapped and IPv4-compatible forms.
            || ip.to_ipv4().is_some_and(v4_or_loopback)
            // IPv4-translated (::ffff:0:a.b.c.d), NAT64 (64:ff9b::/96) and 6to4
            // (2002::/16) carry an IPv4 address too.
            || (segments[..6] == [0, 0, 0, 0, 0xffff, 0]
                && v4_or_loopback(embedded(segments[6], segments[7])))
            || (segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0]
                && v4_or_loopback(embedded(segments[6], segments[7])))
            || (first == 0x2002 && v4_or_loopback(embedded(segments[1], segments[2])))
            // Where an IPv4 address is carried in a way not read here, or nothing
            // public is: local-use NAT64 (64:ff9b:1::/48), Teredo (2001::/32) and
            // discard-only (100::/64).
            || segments[..3] == [0x64, 0xff9b, 1]
            || segments[..2] == [0x2001, 0]
            || segments[..4] == [0x100, 0, 0, 0]
    }
    match host {
        Host::Ipv4(ip) => v4(ip),
        Host::Ipv6(ip) => v6(ip),
        Host::Domain(name) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            name.ends_with(".local") || name.ends_with(".internal") || name.ends_with(".localhost")
        }
    }
}

fn is_discord_webhook(url: &Endpoint) -> bool {
    let Host::Domain(host) = &url.host else {
        return false;
    };
    let hosts = [
        "discord.com",
        "discordapp.com",
        "ptb.discord.com",
        "canary.discord.com",
    ];
    url.https && hosts.contains(&host.as_str()) && url.path.starts_with("/api/webhooks/")
}

/// What pages show of a URL: the scheme and host, and a few last characters of the path
/// (four at most, half of it at most), enough to tell two channels apart and never
/// enough to post to one.
pub fn hint(url: &str) -> String {
    let Ok(parsed) = Endpoint::parse(url) else {
        return "…".to_owned();
    };
    let origin = parsed.origin();
    let path: Vec<char> = parsed.path.trim_matches('/').chars().collect();
    let keep = (path.len() / 2).min(4);
    let tail: String = path[path.len() - keep..].iter().collect();
    format!("{origin}/…{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const PUBLIC: UrlPolicy = UrlPolicy {
        allow_loopback: false,
    };
    const DEVELOPMENT: UrlPolicy = UrlPolicy {
        allow_loopback: true,
    };

    fn refused(kind: ChannelKind, url: &str, policy: UrlPolicy) -> &'static str {
        match validate(kind, url, None, policy) {
            Err(TargetError(message)) => message,
            Ok(target) => panic!("{url} was accepted as {target:?}"),
        }
    }

    #[test]
    fn a_public_https_url_is_accepted_as_it_is() {
        let target = validate(
            ChannelKind::Webhook,
            " https://hooks.example.com/in/abc ",
            None,
            PUBLIC,
        )
        .expect("valid");
        assert_eq!(target.url, "https://hooks.example.com/in/abc");
    }

    #[test]
    fn plain_http_and_loopback_are_refused_outside_development() {
        assert!(
            refused(ChannelKind::Webhook, "http://hooks.example.com/x", PUBLIC).contains("https")
        );
        assert!(
            refused(ChannelKind::Webhook, "http://127.0.0.1:9000/x", PUBLIC)
                .contains("development")
        );
        for loopback in [
            "https://localhost/x",
            "https://localhost./x",
            "https://[::127.0.0.1]/x",
        ] {
            assert!(
                refused(ChannelKind::Webhook, loopback, PUBLIC).contains("development"),
                "{loopback}"
            );
        }
        assert!(validate(
            ChannelKind::Webhook,
            "https://[2606:4700::1111]/x",
            None,
            PUBLIC
        )
        .is_ok());
        assert!(validate(
            ChannelKind::Webhook,
            "http://127.0.0.1:9000/sinks/a",
            None,
            DEVELOPMENT
        )
        .is_ok());
        assert!(
            refused(ChannelKind::Webhook, "http://example.com/x", DEVELOPMENT).contains("https")
        );
    }

    #[test]
    fn loopback_in_every_spelling_is_taken_in_development() {
        for url in [
            "http://127.0.0.1:9000/x",
            "http://[::1]:9000/x",
            "http://[::ffff:127.0.0.1]:9000/x",
            "http://localhost:9000/x",
        ] {
            assert!(
                validate(ChannelKind::Webhook, url, None, DEVELOPMENT).is_ok(),
                "{url}"
            );
            assert!(
                refused(ChannelKind::Webhook, url, PUBLIC).contains("development"),
                "{url}"
            );
        }
    }

    #[test]
    fn an_international_host_is_taken_in_punycode_only() {
        // The Worker carries no Unicode tables for IDNA (Cargo.toml, idna_adapter): a
        // host must be ASCII, and the refusal says how to write one.
        let message = refused(ChannelKind::Webhook, "https://bücher.example/hook", PUBLIC);
        assert!(message.contains("xn--"), "{message}");
        for url in [
            "https://xn--bcher-kva.example/hook",
            "https://hooks.example.com/in/bücher",
        ] {
            assert!(
                validate(ChannelKind::Webhook, url, None, PUBLIC).is_ok(),
                "{url}"
            );
        }
    }

    #[test]
    fn private_networks_and_odd_urls_are_refused() {
        for url in [
            "https://10.0.0.8/hook",
            "https://192.168.1.2/hook",
            "https://169.254.169.254/latest",
            "https://[fd00::1]/hook",
            "https://[::ffff:10.0.0.1]/hook",
            "https://0.0.0.0/hook",
            "https://0.1.2.3/hook",
            "https://224.0.0.1/hook",
            "https://240.0.0.1/hook",
            "https://198.18.0.1/hook",
            "https://[::10.0.0.1]/hook",
            "https://[64:ff9b::a9fe:a9fe]/hook",
            "https://[2002:a9fe:a9fe::]/hook",
            "https://[fec0::1]/hook",
            "https://[ff02::1]/hook",
            "https://printer.local/hook",
            "https://printer.local./hook",
            // IPv4-translated (::ffff:0:0/96), local-use NAT64 (64:ff9b:1::/48), Teredo
            // (2001::/32) and discard-only (100::/64).
            "https://[::ffff:0:a00:1]/hook",
            "https://[64:ff9b:1::a00:1]/hook",
            "https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/hook",
            "https://[100::1]/hook",
        ] {
            assert!(
                refused(ChannelKind::Webhook, url, PUBLIC).contains("private"),
                "{url}"
            );
        }
        assert!(refused(ChannelKind::Webhook, "ftp://example.com/x", PUBLIC).contains("https"));
        assert!(refused(ChannelKind::Webhook, "not a url", PUBLIC).contains("valid"));
        assert!(
            refused(ChannelKind::Webhook, "https://u:p@example.com/x", PUBLIC).contains("password")
        );
        assert_eq!(
            refused(ChannelKind::Webhook, "", PUBLIC),
            "Give the channel's URL."
        );
    }

    #[test]
    fn discord_takes_only_discord_webhook_urls() {
        assert!(validate(
            ChannelKind::Discord,
            "https://discord.com/api/webhooks/123/abc",
            None,
            PUBLIC
        )
        .is_ok());
        assert!(refused(
            ChannelKind::Discord,
            "https://example.com/api/webhooks/1/a",
            PUBLIC
        )
        .contains("Discord"));
    }

    #[test]
    fn ntfy_needs_a_topic_and_only_ntfy_takes_a_token() {
        assert!(refused(ChannelKind::Ntfy, "https://ntfy.sh/", PUBLIC).contains("topic"));
        let target = validate(
            ChannelKind::Ntfy,
            "https://ntfy.sh/alerts",
            Some("tk_abc"),
            PUBLIC,
        )
        .expect("valid");
        assert_eq!(target.token.as_deref(), Some("tk_abc"));
        assert!(validate(
            ChannelKind::Ntfy,
            "https://ntfy.sh/a",
            Some("has space"),
            PUBLIC
        )
        .is_err());
        assert!(validate(
            ChannelKind::Webhook,
            "https://example.com/a",
            Some("tk"),
            PUBLIC
        )
        .is_err());
    }

    #[test]
    fn the_hint_never_shows_the_whole_url() {
        let url = "https://discord.com/api/webhooks/123456/SECRETtokenXYZ9";
        assert_eq!(hint(url), "https://discord.com/…XYZ9");
        assert!(!hint(url).contains("SECRET"));
        assert_eq!(hint("https://ntfy.sh/a"), "https://ntfy.sh/…");
        assert_eq!(hint("https://ntfy.sh/abcdef"), "https://ntfy.sh/…def");
    }
}
