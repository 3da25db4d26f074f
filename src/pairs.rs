//! Name-value pairs as requests and answers carry them (a query string, a form body, a
//! list of headers): the first value of a name, the one rule every reader of them follows.

/// The first value of `name`, compared exactly (query and form names are case-sensitive).
pub fn first<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

/// The first header `name`, compared without regard to case, as HTTP's names are.
pub fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, value)| value.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect()
    }

    #[test]
    fn the_first_value_of_a_name_is_taken() {
        let query = pairs(&[("limit", "5"), ("Limit", "6"), ("limit", "7")]);
        assert_eq!(first(&query, "limit"), Some("5"));
        assert_eq!(first(&query, "Limit"), Some("6"));
        assert_eq!(first(&query, "tz"), None);
    }

    #[test]
    fn a_header_name_is_read_in_any_case() {
        let headers = pairs(&[
            ("content-type", "text/html"),
            ("Content-Type", "text/plain"),
        ]);
        assert_eq!(header(&headers, "Content-Type"), Some("text/html"));
        assert_eq!(header(&headers, "Retry-After"), None);
    }
}
