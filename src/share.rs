//! Public links: what a user shares (a range's recap, or their latest plays), for how
//! long, and the token that opens it.
//!
//! Pure rules, the clock passed in. The link's token is 128 random bits (base64url) from
//! the platform's CSPRNG, shown to its maker once; only its SHA-256 is stored, so the
//! database cannot hand out live links. The URL carries the user's shard the way a session
//! cookie does (see [`crate::shards::sharded_token`]), so a visitor without a
//! session is answered from one read in that shard.

use serde_json::{Map, Value};

use crate::crypto::{random_token, sha256_hex, CryptoError};
use crate::history::review::MAX_REVIEW_DAYS;
use crate::shards::ShardIndex;
use crate::shards::{read_sharded_token, sharded_token};
use crate::time::{parse_date, Date, UnixMillis, DAY_MS};

/// Links a user may have live (neither revoked nor expired) at once.
pub const MAX_LIVE_LINKS_PER_USER: usize = 20;
/// Random bytes of a token: 128 bits.
pub const TOKEN_BYTES: usize = 16;
/// The latest plays a `recent` link shows.
pub const RECENT_PLAYS: usize = 50;
/// The earliest year a recap may cover.
const FIRST_YEAR: i32 = 2000;

/// What a link shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShareKind {
    /// A range's figures (a year, or local dates).
    Recap,
    /// The user's latest plays, live.
    Recent,
}

impl ShareKind {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "recap" => Some(Self::Recap),
            "recent" => Some(Self::Recent),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Recap => "recap",
            Self::Recent => "recent",
        }
    }
}

/// The local days a recap covers, both inclusive; `year` when it is a whole year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShareRange {
    pub year: Option<i32>,
    pub first_day: Date,
    pub last_day: Date,
}

impl ShareRange {
    /// A whole local year.
    pub fn year(year: i32) -> Option<Self> {
        Some(Self {
            year: Some(year),
            first_day: Date::from_ymd_opt(year, 1, 1)?,
            last_day: Date::from_ymd_opt(year, 12, 31)?,
        })
    }

    /// The day after the last: the range's exclusive end, as `/api/stats` takes it.
    pub fn end_day(self) -> Option<Date> {
        self.last_day.succ_opt()
    }

    /// How the dashboard and the page name the range.
    pub fn label(self) -> String {
        match self.year {
            Some(year) => year.to_string(),
            None => format!("{} to {}", self.first_day, self.last_day),
        }
    }
}

/// How long a new link lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    Never,
    Days(i64),
}

impl Expiry {
    /// `never`, `1d`, `7d` or `30d`: the choices the dashboard offers.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "never" => Some(Self::Never),
            "1d" => Some(Self::Days(1)),
            "7d" => Some(Self::Days(7)),
            "30d" => Some(Self::Days(30)),
            _ => None,
        }
    }

    /// When a link made at `now` stops working.
    pub fn expires_at(self, now: UnixMillis) -> Option<UnixMillis> {
        match self {
            Self::Never => None,
            Self::Days(days) => Some(now.saturating_add(days * DAY_MS)),
        }
    }
}

/// A link as its maker asked for it, checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewShare {
    pub kind: ShareKind,
    /// `Some` exactly for a recap.
    pub range: Option<ShareRange>,
    pub show_name: bool,
    pub expiry: Expiry,
}

/// Why a request for a link was refused: a stable code and words for the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShareRefusal {
    pub code: &'static str,
    pub message: &'static str,
}

const fn refusal(code: &'static str, message: &'static str) -> ShareRefusal {
    ShareRefusal { code, message }
}

/// A field's text: a JSON string or number, or a form's text; empty counts as absent
/// (a form sends its empty inputs).
fn text(fields: &Map<String, Value>, name: &str) -> Result<Option<String>, ()> {
    match fields.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) if text.trim().is_empty() => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.trim().to_owned())),
        Some(Value::Number(number)) => Ok(Some(number.to_string())),
        Some(_) => Err(()),
    }
}

/// Reads a new link from a form or a JSON object. `today` is the maker's local date (a
/// recap may not start after it). A `recent` link ignores the range fields (a form sends
/// them whatever the kind); a recap takes `year`, or `from` and `to` (local dates, both
/// inclusive), not both. A form's checkbox `show_name` is `on` when ticked.
pub fn read_new_share(fields: &Map<String, Value>, today: Date) -> Result<NewShare, ShareRefusal> {
    let invalid_kind = refusal("invalid_kind", "kind must be recap or recent.");
    let kind = text(fields, "kind")
        .map_err(|()| invalid_kind.clone())?
        .and_then(|kind| ShareKind::parse(&kind))
        .ok_or(invalid_kind)?;
    let show_name = match fields.get("show_name") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(flag)) => *flag,
        Some(Value::String(text)) if matches!(text.as_str(), "on" | "true" | "1") => true,
        Some(Value::String(text)) if matches!(text.as_str(), "" | "false" | "0") => false,
        Some(_) => {
            return Err(refusal(
                "invalid_show_name",
                "show_name must be true or false.",
            ))
        }
    };
    let invalid_expiry = refusal("invalid_expiry", "expires must be never, 1d, 7d or 30d.");
    let expiry = match text(fields, "expires").map_err(|()| invalid_expiry.clone())? {
        None => Expiry::Never,
        Some(choice) => Expiry::parse(&choice).ok_or(invalid_expiry)?,
    };
    let range = match kind {
        ShareKind::Recent => None,
        ShareKind::Recap => Some(read_range(fields, today)?),
    };
    Ok(NewShare {
        kind,
        range,
        show_name,
        expiry,
    })
}

fn read_range(fields: &Map<String, Value>, today: Date) -> Result<ShareRange, ShareRefusal> {
    let invalid = |message| refusal("invalid_range", message);
    let read = |name| text(fields, name).map_err(|()| invalid("year, from and to are text."));
    let (year, from, to) = (read("year")?, read("from")?, read("to")?);
    let range = match (year, from, to) {
        (Some(year), None, None) => year
            .parse::<i32>()
            .ok()
            .filter(|year| (FIRST_YEAR..=today.year()).contains(year))
            .and_then(ShareRange::year)
            .ok_or_else(|| invalid("year must be a year from 2000 to this one."))?,
        (None, Some(from), Some(to)) => {
            let day = |text: &str| {
                parse_date(text).ok_or_else(|| invalid("from and to must be dates (YYYY-MM-DD)."))
            };
            let (first_day, last_day) = (day(&from)?, day(&to)?);
            if first_day > last_day {
                return Err(invalid("from must not come after to."));
            }
            // As the owner's review: a link shows nothing its owner could not open.
            if last_day.days() - first_day.days() + 1 > MAX_REVIEW_DAYS {
                return Err(invalid("A recap covers at most 1,096 days (three years)."));
            }
            ShareRange {
                year: None,
                first_day,
                last_day,
            }
        }
        (None, None, None) => return Err(invalid("A recap needs a year, or from and to dates.")),
        _ => return Err(invalid("Give a year, or from and to dates, not both.")),
    };
    if range.first_day.year() < FIRST_YEAR || range.first_day > today {
        return Err(invalid("A recap starts between 2000 and today."));
    }
    Ok(range)
}

/// A new link's token: what goes in the URL (with the shard), and the hash to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShareToken {
    /// `/s/{url_token}`: shown to the maker once, never stored.
    pub url_token: String,
    /// SHA-256 (hex) of the random part: what `share_links.token_hash` holds.
    pub hash: String,
}

impl ShareToken {
    /// 128 fresh random bits for a link in `shard`.
    pub fn generate(shard: ShardIndex) -> Result<Self, CryptoError> {
        let secret = random_token(TOKEN_BYTES)?;
        Ok(Self {
            url_token: sharded_token(shard, &secret),
            hash: sha256_hex(&secret),
        })
    }
}

/// The shard and stored hash a link's URL token names, if it is one we could have made
/// (a shard number as [`sharded_token`] writes it, base64url of 16 bytes).
pub fn read_url_token(url_token: &str) -> Option<(ShardIndex, String)> {
    let (shard, secret) = read_sharded_token(url_token)?;
    let well_formed = secret.len() == 22
        && secret
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_');
    well_formed.then(|| (shard, sha256_hex(secret)))
}

/// A link's state as its maker's list shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkState {
    Live,
    Expired,
    Revoked,
}

impl LinkState {
    pub fn of(
        revoked_at: Option<UnixMillis>,
        expires_at: Option<UnixMillis>,
        now: UnixMillis,
    ) -> Self {
        match (revoked_at, expires_at) {
            (Some(_), _) => Self::Revoked,
            (None, Some(expires_at)) if expires_at <= now => Self::Expired,
            _ => Self::Live,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Live => "live",
            Self::Expired => "expired",
            Self::Revoked => "revoked",
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn today() -> Date {
        Date::from_ymd_opt(2026, 12, 1).expect("a date")
    }

    fn read(value: Value) -> Result<NewShare, ShareRefusal> {
        match value {
            Value::Object(fields) => read_new_share(&fields, today()),
            _ => panic!("an object"),
        }
    }

    #[test]
    fn a_recap_of_a_year_or_of_dates_is_read() {
        let year = read(json!({"kind": "recap", "year": 2025, "expires": "7d"})).expect("ok");
        assert_eq!(year.range, ShareRange::year(2025));
        assert_eq!(year.expiry, Expiry::Days(7));
        assert!(!year.show_name);
        let dates = read(
            json!({"kind": "recap", "from": "2026-03-01", "to": "2026-03-31",
            "show_name": "on", "year": ""}),
        )
        .expect("ok");
        let range = dates.range.expect("a range");
        assert_eq!(
            (range.year, range.label()),
            (None, "2026-03-01 to 2026-03-31".to_owned())
        );
        assert_eq!(
            range.end_day().map(|day| day.to_string()),
            Some("2026-04-01".to_owned())
        );
        assert!(dates.show_name);
    }

    #[test]
    fn a_recent_link_ignores_the_range_fields() {
        let recent =
            read(json!({"kind": "recent", "year": "1900", "expires": "never"})).expect("ok");
        assert_eq!(
            (recent.kind, recent.range, recent.expiry),
            (ShareKind::Recent, None, Expiry::Never)
        );
    }

    #[test]
    fn bad_requests_are_refused_with_stable_codes() {
        for (body, code) in [
            (json!({}), "invalid_kind"),
            (json!({"kind": "everything"}), "invalid_kind"),
            (
                json!({"kind": "recent", "expires": "forever"}),
                "invalid_expiry",
            ),
            (
                json!({"kind": "recent", "show_name": "maybe"}),
                "invalid_show_name",
            ),
            (json!({"kind": "recap"}), "invalid_range"),
            (json!({"kind": "recap", "year": 1999}), "invalid_range"),
            (json!({"kind": "recap", "year": 2027}), "invalid_range"),
            (
                json!({"kind": "recap", "year": 2025, "from": "2025-01-01", "to": "2025-02-01"}),
                "invalid_range",
            ),
            (
                json!({"kind": "recap", "from": "2026-03-31", "to": "2026-03-01"}),
                "invalid_range",
            ),
            (
                json!({"kind": "recap", "from": "2026-03-01"}),
                "invalid_range",
            ),
            (
                json!({"kind": "recap", "from": "2026-13-01", "to": "2026-13-02"}),
                "invalid_range",
            ),
            (
                json!({"kind": "recap", "from": "2026-12-02", "to": "2026-12-03"}),
                "invalid_range",
            ),
            (json!({"kind": "recap", "year": [2025]}), "invalid_range"),
        ] {
            assert_eq!(
                read(body.clone()).map_err(|refusal| refusal.code),
                Err(code),
                "{body}"
            );
        }
    }

    #[test]
    fn a_token_has_128_bits_and_its_hash_is_what_the_url_names() {
        let token = ShareToken::generate(0).expect("random");
        assert_eq!(token.url_token.len(), 22);
        assert_eq!(
            read_url_token(&token.url_token),
            Some((0, token.hash.clone()))
        );
        let far = ShareToken::generate(3).expect("random");
        assert!(far.url_token.starts_with("3."));
        assert_eq!(read_url_token(&far.url_token), Some((3, far.hash)));
        assert_ne!(
            token.url_token,
            ShareToken::generate(0).expect("random").url_token
        );
        for garbled in [
            "",
            "short",
            "+3.AAAAAAAAAAAAAAAAAAAAAA",
            "AAAAAAAAAAAAAAAAAAAA%2",
            "AAAAAAAAAAAAAAAAAAAAAAA",
        ] {
            assert_eq!(read_url_token(garbled), None, "{garbled}");
        }
    }

    #[test]
    fn expiry_and_state_follow_the_clock() {
        assert_eq!(Expiry::Days(1).expires_at(5), Some(5 + DAY_MS));
        assert_eq!(Expiry::Never.expires_at(5), None);
        assert_eq!(LinkState::of(None, Some(10), 10), LinkState::Expired);
        assert_eq!(LinkState::of(None, Some(10), 9), LinkState::Live);
        assert_eq!(LinkState::of(Some(1), None, 9), LinkState::Revoked);
    }
}
