//! A channel's URL, read strictly: `http(s)://host[:port]/path[?query]` and nothing else.
//!
//! This is the SSRF guard's reader ([`super::target`] judges the host it yields), so it
//! refuses what a lenient reader would rewrite. A WHATWG parser turns `https://127.1/`,
//! `https://2130706433/` and `https://0x7f.0.0.1/` into 127.0.0.1, resolves `/a/../b`,
//! reads `\` as `/`, decodes `%41` in a host and drops tabs and newlines; each is a way
//! to make a URL say one thing to a reviewer and another to the request. Webhook, ntfy
//! and Discord URLs never need any of it, so here each is an error. The WHATWG parser is
//! kept as the tests' oracle (`endpoint_tests.rs`): whatever this accepts, it reads the
//! same way and serialises to the same text.
//!
//! A hand-written reader because a general one is 15 KB of the Worker's gzipped bundle
//! for the one URL form we take.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

/// Why a URL was not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndpointError {
    /// Not a URL of the form above.
    Malformed,
    /// A scheme other than `http` or `https`.
    Scheme,
    /// A user name or password before the host.
    Credentials,
    /// A `#fragment`.
    Fragment,
    /// A host outside ASCII: an international name, which must be given in Punycode.
    InternationalHost,
}

/// Where a request goes: an IP address or a DNS name (lowercase, as written otherwise).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Host {
    Ipv4(Ipv4Addr),
    Ipv6(Ipv6Addr),
    Domain(String),
}

/// A channel's URL, read and normalised: scheme and host in lowercase, the scheme's
/// default port dropped, an empty path written `/`, characters outside ASCII in the path
/// and query percent-encoded (UTF-8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub https: bool,
    pub host: Host,
    pub port: Option<u16>,
    pub path: String,
    pub query: Option<String>,
}

impl Endpoint {
    pub fn parse(text: &str) -> Result<Self, EndpointError> {
        // As a WHATWG reader does: leading and trailing C0 controls and spaces go.
        let text = text.trim_matches(|c: char| c <= ' ');
        let (scheme, rest) = text.split_once("://").ok_or(EndpointError::Malformed)?;
        let mut scheme_chars = scheme.chars();
        let scheme_is_well_formed = scheme_chars.next().is_some_and(|c| c.is_ascii_alphabetic())
            && scheme_chars.all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
        if !scheme_is_well_formed {
            return Err(EndpointError::Malformed);
        }
        let https = match scheme.to_ascii_lowercase().as_str() {
            "https" => true,
            "http" => false,
            _ => return Err(EndpointError::Scheme),
        };
        // A WHATWG reader drops tabs and newlines anywhere and reads `\\` as `/`.
        if text.chars().any(|c| c.is_ascii_control() || c == '\\') {
            return Err(EndpointError::Malformed);
        }
        let (rest, fragment) = match rest.split_once('#') {
            Some((rest, _)) => (rest, true),
            None => (rest, false),
        };
        let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, rest) = rest.split_at(authority_end);
        if authority.contains('@') {
            return Err(EndpointError::Credentials);
        }
        let (host, port) = host_and_port(authority)?;
        let (path, query) = match rest.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (rest, None),
        };
        if path.split('/').any(is_dot_segment) {
            return Err(EndpointError::Malformed);
        }
        if fragment {
            return Err(EndpointError::Fragment);
        }
        let default_port = if https { 443 } else { 80 };
        Ok(Self {
            https,
            host,
            port: port.filter(|&port| port != default_port),
            path: if path.is_empty() {
                "/".to_owned()
            } else {
                normalise(path, false)
            },
            query: query.map(|query| normalise(query, true)),
        })
    }

    /// `scheme://host[:port]`, as browsers write an origin.
    pub fn origin(&self) -> String {
        let scheme = if self.https { "https" } else { "http" };
        let host = match &self.host {
            Host::Ipv4(ip) => ip.to_string(),
            Host::Ipv6(ip) => format!("[{}]", whatwg_ipv6(ip)),
            Host::Domain(name) => name.clone(),
        };
        match self.port {
            Some(port) => format!("{scheme}://{host}:{port}"),
            None => format!("{scheme}://{host}"),
        }
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.origin(), self.path)?;
        match &self.query {
            Some(query) => write!(f, "?{query}"),
            None => Ok(()),
        }
    }
}

/// An IPv6 address as WHATWG serialises it: Rust's `Display` writes an IPv4-mapped
/// address with a dotted tail (`::ffff:10.0.0.1`), WHATWG always in hex pieces, with the
/// first longest run of two or more zero pieces written `::`.
fn whatwg_ipv6(ip: &Ipv6Addr) -> String {
    let pieces = ip.segments();
    let mut longest: Option<(usize, usize)> = None;
    let mut start = 0;
    while start < pieces.len() {
        let run = pieces[start..]
            .iter()
            .take_while(|&&piece| piece == 0)
            .count();
        if run >= 2 && longest.is_none_or(|(_, length)| run > length) {
            longest = Some((start, run));
        }
        start += run.max(1);
    }
    let hex = |pieces: &[u16]| {
        pieces
            .iter()
            .map(|piece| format!("{piece:x}"))
            .collect::<Vec<_>>()
            .join(":")
    };
    match longest {
        Some((start, length)) => {
            format!(
                "{}::{}",
                hex(&pieces[..start]),
                hex(&pieces[start + length..])
            )
        }
        None => hex(&pieces),
    }
}

fn host_and_port(authority: &str) -> Result<(Host, Option<u16>), EndpointError> {
    let (host, port) = if let Some(bracketed) = authority.strip_prefix('[') {
        let (address, after) = bracketed.split_once(']').ok_or(EndpointError::Malformed)?;
        let address = address.parse().map_err(|_| EndpointError::Malformed)?;
        let port = match after {
            "" => None,
            _ => Some(after.strip_prefix(':').ok_or(EndpointError::Malformed)?),
        };
        (Host::Ipv6(address), port)
    } else {
        let (name, port) = match authority.rsplit_once(':') {
            Some((name, port)) => (name, Some(port)),
            None => (authority, None),
        };
        (domain_or_ipv4(name)?, port)
    };
    let port = port
        .map(|digits| {
            // `u16::from_str` also takes a leading `+`.
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(EndpointError::Malformed);
            }
            digits.parse::<u16>().map_err(|_| EndpointError::Malformed)
        })
        .transpose()?;
    Ok((host, port))
}

/// A name of letters, digits, `-` and `_` in dot-separated labels (one trailing dot
/// allowed), or a dotted-quad IPv4 address. A name whose last label is a number is an
/// address to a WHATWG reader (`127.1`, `0x7f.1`), so unless it is the plain four-part
/// form it is refused rather than read as one.
fn domain_or_ipv4(name: &str) -> Result<Host, EndpointError> {
    if !name.is_ascii() {
        return Err(EndpointError::InternationalHost);
    }
    let labels: Vec<&str> = name.strip_suffix('.').unwrap_or(name).split('.').collect();
    let well_formed = name.len() <= 254
        && labels.iter().all(|label| {
            (1..=63).contains(&label.len())
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        });
    if !well_formed || !labels.iter().all(|label| is_whole_a_label(label)) {
        return Err(EndpointError::Malformed);
    }
    let last = labels.last().copied().unwrap_or_default();
    let numeric = last.bytes().all(|b| b.is_ascii_digit())
        || last
            .get(..2)
            .is_some_and(|prefix| prefix.eq_ignore_ascii_case("0x"));
    if numeric {
        return name
            .parse::<Ipv4Addr>()
            .map(Host::Ipv4)
            .map_err(|_| EndpointError::Malformed);
    }
    Ok(Host::Domain(name.to_ascii_lowercase()))
}

/// A label in `xn--` form must be Punycode of a name outside ASCII without control
/// characters; anything else with that prefix is refused (a WHATWG reader refuses it
/// too, or reads it as a different name). Other labels pass.
fn is_whole_a_label(label: &str) -> bool {
    let Some(encoded) = label
        .get(..4)
        .filter(|prefix| prefix.eq_ignore_ascii_case("xn--"))
        .and(label.get(4..))
    else {
        return true;
    };
    super::punycode::decode(&encoded.to_ascii_lowercase()).is_some_and(|name| {
        name.iter().any(|c| !c.is_ascii()) && !name.iter().any(|c| c.is_control())
    })
}

/// `.` and `..`, also percent-encoded, which a WHATWG reader resolves away.
fn is_dot_segment(segment: &str) -> bool {
    let decoded = segment.to_ascii_lowercase().replace("%2e", ".");
    decoded == "." || decoded == ".."
}

/// A path or query as a WHATWG reader serialises it: characters outside ASCII
/// percent-encoded as UTF-8, and the ASCII characters of its percent-encode sets (for a
/// path: space, `"`, `<`, `>`, `` ` ``, `{`, `}`; for the query of an `http(s)` URL:
/// space, `"`, `<`, `>`, `'`). `#` and `?` never reach here.
fn normalise(text: &str, query: bool) -> String {
    let mut encoded = String::with_capacity(text.len());
    for c in text.chars() {
        let escaped = match c {
            ' ' | '"' | '<' | '>' => true,
            '`' | '{' | '}' => !query,
            '\'' => query,
            c => !c.is_ascii(),
        };
        if escaped {
            let mut bytes = [0; 4];
            for byte in c.encode_utf8(&mut bytes).bytes() {
                encoded.push_str(&format!("%{byte:02X}"));
            }
        } else {
            encoded.push(c);
        }
    }
    encoded
}

#[cfg(test)]
#[path = "endpoint_tests.rs"]
mod tests;
