//! Cookies: reading the `Cookie` header and writing `Set-Cookie` the safe way.

/// The session cookie: a random id whose hash is the `sessions` row's key.
pub const SESSION_COOKIE: &str = "stm_session";
/// Binds a login under way to the browser that started it.
pub const LOGIN_COOKIE: &str = "stm_login";

/// The name a cookie has on this request's site: over HTTPS it carries the `__Host-`
/// prefix, with which a browser keeps it only if it is `Secure`, on `Path=/` and bound to
/// this very host (no subdomain can set or shadow it). Loopback development over plain
/// HTTP cannot use the prefix.
pub fn cookie_name(base: &str, https: bool) -> String {
    if https {
        format!("__Host-{base}")
    } else {
        base.to_owned()
    }
}

/// The value of cookie `name` in a `Cookie` header.
pub fn read_cookie<'a>(header: Option<&'a str>, name: &str) -> Option<&'a str> {
    header?
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim_matches('"'))
        .filter(|value| !value.is_empty())
}

/// `Set-Cookie` for an HttpOnly, SameSite=Lax cookie on `path`; `Secure` unless we are
/// on loopback over plain HTTP (local development). `max_age` 0 deletes it.
pub fn set_cookie(
    name: &str,
    value: &str,
    path: &str,
    max_age_seconds: i64,
    secure: bool,
) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{name}={value}; Path={path}; Max-Age={max_age_seconds}; HttpOnly; SameSite=Lax{secure}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_one_cookie_among_many() {
        let header = Some("a=1; stm_session=abc; other=x");
        assert_eq!(read_cookie(header, "stm_session"), Some("abc"));
        assert_eq!(read_cookie(header, "missing"), None);
        assert_eq!(read_cookie(None, "a"), None);
        assert_eq!(read_cookie(Some("stm_session="), "stm_session"), None);
    }

    #[test]
    fn cookies_over_https_carry_the_host_prefix() {
        assert_eq!(cookie_name(SESSION_COOKIE, true), "__Host-stm_session");
        assert_eq!(cookie_name(LOGIN_COOKIE, false), "stm_login");
        let header = Some("stm_session=plain; __Host-stm_session=prefixed");
        assert_eq!(
            read_cookie(header, &cookie_name(SESSION_COOKIE, true)),
            Some("prefixed")
        );
    }

    #[test]
    fn writes_http_only_lax_cookies_secure_unless_told_otherwise() {
        assert_eq!(
            set_cookie("s", "v", "/", 60, true),
            "s=v; Path=/; Max-Age=60; HttpOnly; SameSite=Lax; Secure"
        );
        assert!(!set_cookie("s", "v", "/", 60, false).contains("Secure"));
    }
}
