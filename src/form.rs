//! URL query strings and `application/x-www-form-urlencoded` bodies, both ways.

/// Percent-encodes everything but RFC 3986's unreserved characters.
pub fn encode_component(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                encoded.push(char::from(byte));
            }
            _ => encoded.push_str(&format!("%{byte:02X}")),
        }
    }
    encoded
}

/// `key=value&…`, each side percent-encoded.
pub fn encode_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    pairs
        .into_iter()
        .map(|(key, value)| format!("{}={}", encode_component(key), encode_component(value)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Decodes `%XX` and `+`; an invalid escape is kept as it stands, an invalid UTF-8
/// result is replaced, so that reading input never fails.
pub fn decode_component(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'+' => decoded.push(b' '),
            b'%' if index + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[index + 1..index + 3]).ok();
                match hex.and_then(|hex| u8::from_str_radix(hex, 16).ok()) {
                    Some(byte) => {
                        decoded.push(byte);
                        index += 2;
                    }
                    None => decoded.push(b'%'),
                }
            }
            byte => decoded.push(byte),
        }
        index += 1;
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

/// The pairs of a query string or form body, in order, decoded.
pub fn decode_pairs(text: &str) -> Vec<(String, String)> {
    text.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode_component(key), decode_component(value))
        })
        .collect()
}

/// The first value of `name` among decoded pairs.
pub fn find<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_reserved_characters() {
        assert_eq!(encode_component("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
        assert_eq!(
            encode_pairs([("grant_type", "refresh_token"), ("x", "1 2")]),
            "grant_type=refresh_token&x=1%202"
        );
    }

    #[test]
    fn decodes_what_it_encodes() {
        let text = "http://127.0.0.1:8787/callback?x=1 & é";
        assert_eq!(decode_component(&encode_component(text)), text);
    }

    #[test]
    fn decodes_plus_as_space_and_keeps_broken_escapes() {
        assert_eq!(decode_component("a+b%2"), "a b%2");
        assert_eq!(decode_component("%zz%41"), "%zzA");
        assert_eq!(decode_component("%"), "%");
    }

    #[test]
    fn reads_pairs_in_order() {
        let pairs = decode_pairs("code=abc&state=x%2Fy&flag&&code=second");
        assert_eq!(find(&pairs, "code"), Some("abc"));
        assert_eq!(find(&pairs, "state"), Some("x/y"));
        assert_eq!(find(&pairs, "flag"), Some(""));
        assert_eq!(find(&pairs, "missing"), None);
    }
}
