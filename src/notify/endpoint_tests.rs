use proptest::prelude::*;

use super::*;

fn parsed(text: &str) -> Endpoint {
    Endpoint::parse(text).unwrap_or_else(|error| panic!("{text} was refused: {error:?}"))
}

fn refused(text: &str) -> EndpointError {
    match Endpoint::parse(text) {
        Err(error) => error,
        Ok(endpoint) => panic!("{text} was read as {endpoint:?}"),
    }
}

#[test]
fn a_webhook_url_reads_as_written() {
    let endpoint = parsed("https://hooks.example.com/in/abc?x=1&y=2");
    assert!(endpoint.https);
    assert_eq!(endpoint.host, Host::Domain("hooks.example.com".into()));
    assert_eq!(endpoint.port, None);
    assert_eq!(endpoint.path, "/in/abc");
    assert_eq!(endpoint.query.as_deref(), Some("x=1&y=2"));
    assert_eq!(
        endpoint.to_string(),
        "https://hooks.example.com/in/abc?x=1&y=2"
    );
}

#[test]
fn it_is_normalised_as_a_browser_would() {
    for (written, normalised) in [
        (
            "HTTPS://Hooks.EXAMPLE.com/In",
            "https://hooks.example.com/In",
        ),
        ("https://example.com", "https://example.com/"),
        ("https://example.com?a", "https://example.com/?a"),
        ("https://example.com:443/x", "https://example.com/x"),
        ("http://127.0.0.1:80/x", "http://127.0.0.1/x"),
        ("http://127.0.0.1:9000/x", "http://127.0.0.1:9000/x"),
        (
            "https://example.com/in/bücher",
            "https://example.com/in/b%C3%BCcher",
        ),
        (
            "https://example.com/?q=it's",
            "https://example.com/?q=it%27s",
        ),
        (
            "https://example.com/a b<{`}>?c d<{`}>|^",
            "https://example.com/a%20b%3C%7B%60%7D%3E?c%20d%3C{`}%3E|^",
        ),
        (
            "https://XN--bcher-kva.example/x",
            "https://xn--bcher-kva.example/x",
        ),
        (
            "https://[2606:4700:0::1111]/x",
            "https://[2606:4700::1111]/x",
        ),
        ("https://example.com./x", "https://example.com./x"),
    ] {
        assert_eq!(parsed(written).to_string(), normalised, "{written}");
    }
    assert_eq!(
        parsed("https://example.com:8443/a?b").origin(),
        "https://example.com:8443"
    );
}

#[test]
fn what_a_lenient_reader_would_rewrite_is_refused() {
    for url in [
        "https://127.1/x",
        "https://2130706433/x",
        "https://0x7f.0.0.1/x",
        "https://017.0.0.1/x",
        "https://example.0x10/x",
        "https://ex%41mple.com/x",
        "https://example.com/a/../b",
        "https://example.com/a/%2E%2e/b",
        "https://example.com/./b",
        "https:\\\\example.com\\x",
        "https://example.com/a\\b",
        "https://exa\tmple.com/x",
        "https://example.com:/x",
        "https://example.com:+443/x",
        "https://example.com:65536/x",
        "https://[::1/x",
        "https://[::1]x/",
        "https://[fe80::1%25eth0]/x",
        "https:///x",
        "https://exa mple.com/",
        "https://a..b/x",
        "https://xn--/x",
        "https://xn--a/x",
        "https://xn--abc-/x",
        "https://xn--localhost-/x",
        "https://xn--127-.xn--0-.xn--0-.xn--1-/x",
        "https://XN--bcher-kv!/x",
        "not a url",
        "://example.com",
        "1https://example.com",
    ] {
        assert_eq!(refused(url), EndpointError::Malformed, "{url}");
    }
}

#[test]
fn each_refusal_says_what_is_wrong() {
    assert_eq!(refused("ftp://example.com/x"), EndpointError::Scheme);
    assert_eq!(
        refused("https://u:p@example.com/x"),
        EndpointError::Credentials
    );
    assert_eq!(
        refused("https://u@example.com/x"),
        EndpointError::Credentials
    );
    assert_eq!(
        refused("https://example.com/x#top"),
        EndpointError::Fragment
    );
    assert_eq!(refused("https://example.com/x#"), EndpointError::Fragment);
    assert_eq!(
        refused("https://bücher.example/x"),
        EndpointError::InternationalHost
    );
}

#[test]
fn addresses_are_read_as_addresses() {
    assert_eq!(
        parsed("https://10.0.0.8/x").host,
        Host::Ipv4(Ipv4Addr::new(10, 0, 0, 8))
    );
    assert_eq!(
        parsed("https://[::127.0.0.1]/x").host,
        Host::Ipv6("::127.0.0.1".parse().expect("address"))
    );
    assert_eq!(
        parsed("https://1.2.3.4.example/x").host,
        Host::Domain("1.2.3.4.example".into())
    );
}

// The oracle: whatever this reader accepts, the WHATWG reader (the `url` crate, a
// dev-dependency) reads to the same host and port and serialises to the same text.
fn agrees_with_whatwg(text: &str) -> Result<bool, String> {
    let Ok(endpoint) = Endpoint::parse(text) else {
        return Ok(false);
    };
    let whatwg = url::Url::parse(text)
        .map_err(|error| format!("{text}: accepted here, refused by url: {error}"))?;
    let host = match whatwg.host() {
        Some(url::Host::Ipv4(ip)) => Host::Ipv4(ip),
        Some(url::Host::Ipv6(ip)) => Host::Ipv6(ip),
        Some(url::Host::Domain(name)) => Host::Domain(name.to_owned()),
        None => return Err(format!("{text}: no host to url")),
    };
    let same = endpoint.to_string() == whatwg.as_str()
        && endpoint.origin() == whatwg.origin().ascii_serialization()
        && endpoint.host == host
        && endpoint.port == whatwg.port()
        && whatwg.username().is_empty()
        && whatwg.password().is_none()
        && whatwg.fragment().is_none();
    if same {
        Ok(true)
    } else {
        Err(format!("{text}: read as {endpoint:?}, url says {whatwg}"))
    }
}

#[test]
fn every_combination_it_accepts_a_browser_reads_the_same() {
    let mut accepted = 0;
    for scheme in ["https://", "HTTP://", "ftp://", "https:"] {
        for host in [
            "example.com",
            "EXAMPLE.com.",
            "x_y.a-b.example",
            "127.0.0.1",
            "0.1.2.3",
            "127.1",
            "0x7f.1",
            "2130706433",
            "[::1]",
            "[2606:4700:0::1111]",
            "[::ffff:10.0.0.1]",
            "[::127.0.0.1]",
            "[1:0:0:2:0:0:0:3]",
            "[0:0:1::]",
            "[1:0:0:2:0:0:3:4]",
            "",
            "xn--bcher-kva.example",
            "XN--Bcher-KVA.example",
            "xn--a.example",
            "xn--abc-.example",
            "u@example.com",
            "exa%41mple.com",
        ] {
            for port in ["", ":443", ":80", ":8080", ":", ":0", ":65535"] {
                for path in [
                    "",
                    "/",
                    "/a/b",
                    "/in/bücher",
                    "/a/../b",
                    "/%2e/",
                    "/a%20b",
                    "//x",
                    "/a b\"<>`{}|^'",
                ] {
                    for query in ["", "?", "?a=1&b='c'", "?é", "#x", "?a b\"<>`{}|^'"] {
                        let text = [scheme, host, port, path, query].concat();
                        accepted += usize::from(
                            agrees_with_whatwg(&text).unwrap_or_else(|e| panic!("{e}")),
                        );
                    }
                }
            }
        }
    }
    assert!(
        accepted > 1_000,
        "only {accepted} combinations were accepted"
    );
}

fn scheme() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "https://", "http://", "HTTPS://", "ftp://", "https:/", "https:",
    ])
}

fn host() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "example.com",
        "EXAMPLE.com",
        "a-b.example",
        "x_y.example",
        "127.0.0.1",
        "10.0.0.8",
        "127.1",
        "0x7f.1",
        "2130706433",
        "[::1]",
        "[2606:4700::1111]",
        "[::ffff:10.0.0.1]",
        "xn--bcher-kva.example",
        "xn--",
        "xn--a",
        "xn--127-",
        "u:p@example.com",
        "",
    ])
}

fn piece() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "example.com",
        "127.0.0.1",
        "[::1]",
        "xn--",
        "xn--bcher-kva",
        ":443",
        ":80",
        ":8080",
        ":",
        ":99999",
        "@",
        "u:p@",
        "/",
        "/a",
        "/in/abc",
        "/..",
        "/.",
        "/%2e",
        "/%41",
        "?",
        "?a=1",
        "&b='c'",
        "#",
        "#x",
        "ü",
        "é",
        " ",
        "\\",
        "\t",
        ".",
        "..",
        "-",
        "%",
        "%zz",
        "^",
        "{",
        "\"",
        "|",
        "<",
        "`",
    ])
}

proptest! {
    // A scheme and a host first, so that a good share of the cases are URLs at all.
    #[test]
    fn what_it_accepts_of_any_jumble_a_browser_reads_the_same(
        scheme in scheme(),
        host in host(),
        rest in prop::collection::vec(piece(), 0..6)
    ) {
        let text = [scheme, host].concat() + &rest.concat();
        agrees_with_whatwg(&text).map_err(TestCaseError::fail)?;
    }
}
