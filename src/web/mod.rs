//! The Worker's HTTP surface as plain data in, plain data out.
//!
//! The edge turns a `worker::Request` into a [`WebRequest`] and a [`WebResponse`] back into
//! a `worker::Response`; everything between (routing, login, sessions, the JSON API and
//! the pages) lives here, generic over the ports, and is tested natively.

pub mod account;
pub mod api;
pub mod auth;
pub mod body;
pub mod cookies;
pub mod error;
pub mod history;
pub mod import_page;
pub mod imports;
pub mod notifications;
pub mod pages;

#[cfg(test)]
mod flow_tests;
#[cfg(test)]
mod shard_tests;

use serde::Serialize;

use crate::config::ConfigError;
use crate::crypto::TokenCipher;
use crate::notify::delivery::NotifyConfig;
use crate::ports::{Database, HttpClient, JobQueue, KeyValueStore, Log, Method, TimeZones};
use crate::schedule::PollingPolicy;
use crate::shards::Shards;
use crate::spotify::client::ClientCredentials;
use crate::spotify::SpotifyEndpoints;
use crate::sweep::SweepConfig;
use crate::time::UnixMillis;
use error::HttpError;

/// A request as the core sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebRequest {
    pub method: Method,
    /// `scheme://host[:port]`, as the browser reached us.
    pub origin: String,
    pub path: String,
    /// The raw query string, without `?`.
    pub query: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl WebRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// Whether a page's form (no script) sent it: such a request is answered with a
    /// redirect back to the dashboard rather than JSON.
    pub fn is_form(&self) -> bool {
        self.header("Content-Type")
            .is_some_and(|kind| kind.starts_with("application/x-www-form-urlencoded"))
    }

    /// Whether the browser reached us over HTTPS: cookies get the `__Host-` prefix and
    /// responses `Strict-Transport-Security`.
    pub fn is_https(&self) -> bool {
        self.origin.starts_with("https://")
    }

    /// Whether we are served on loopback over plain HTTP (local development), where
    /// browsers drop `Secure` cookies.
    pub fn is_loopback_http(&self) -> bool {
        let Some(host) = self.origin.strip_prefix("http://") else {
            return false;
        };
        let host = host.rsplit_once(':').map_or(host, |(host, port)| {
            if port.chars().all(|c| c.is_ascii_digit()) {
                host
            } else {
                ""
            }
        });
        matches!(host, "127.0.0.1" | "[::1]" | "localhost")
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// A body streamed instead of `body`: an export, read page by page (see
    /// `history::export::ExportPlan::next_chunk`).
    pub stream: Option<crate::history::export::ExportPlan>,
}

/// Security headers for every HTML page: nothing from elsewhere, no framing, no sniffing.
const HTML_SECURITY_HEADERS: &[(&str, &str)] = &[
    (
        "Content-Security-Policy",
        "default-src 'none'; img-src 'self' https://i.scdn.co https://*.spotifycdn.com; style-src 'self' 'unsafe-inline'; \
         script-src 'self'; connect-src 'self'; form-action 'self' http: https:; base-uri 'none'; frame-ancestors 'none'",
    ),
    ("X-Content-Type-Options", "nosniff"),
    // Not `no-referrer`: under it a browser sends `Origin: null` with a plain form's POST,
    // and the same-origin check (our CSRF defence) refuses the page's own forms. With
    // `same-origin` our own requests carry our origin and no other site sees a referrer.
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
    ("Cache-Control", "no-store"),
];

impl WebResponse {
    pub fn html(status: u16, body: String) -> Self {
        let mut headers = vec![(
            "Content-Type".to_owned(),
            "text/html; charset=utf-8".to_owned(),
        )];
        headers.extend(
            HTML_SECURITY_HEADERS
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        Self {
            status,
            headers,
            body,
            stream: None,
        }
    }

    pub fn json<T: Serialize>(status: u16, value: &T) -> Self {
        Self {
            status,
            headers: vec![
                ("Content-Type".to_owned(), "application/json".to_owned()),
                ("Cache-Control".to_owned(), "no-store".to_owned()),
                ("X-Content-Type-Options".to_owned(), "nosniff".to_owned()),
            ],
            body: serde_json::to_string(value).unwrap_or_else(|_| "{}".to_owned()),
            stream: None,
        }
    }

    pub fn redirect(location: &str) -> Self {
        let mut response = Self::html(302, String::new());
        response
            .headers
            .push(("Location".to_owned(), location.to_owned()));
        response
    }

    /// `303 See Other` to the dashboard, after a form's change.
    pub fn back_to_dashboard() -> Self {
        let mut response = Self::redirect("/");
        response.status = 303;
        response
    }

    pub fn with_header(mut self, name: &str, value: String) -> Self {
        self.headers.push((name.to_owned(), value));
        self
    }
}

/// `Strict-Transport-Security` of every answer over HTTPS.
const STS_POLICY: &str = "max-age=31536000";

/// What the handlers reach: the ports, the settings, and what failed to configure.
pub struct App<'a, D, K, H, Q> {
    /// The D1 databases: shard 0 is also the directory (see [`crate::shards`]).
    pub shards: Shards<'a, D>,
    pub kv: &'a K,
    pub http: &'a H,
    pub queue: &'a Q,
    pub endpoints: &'a SpotifyEndpoints,
    /// `Err` names the missing secret; login answers a clear page instead of failing.
    pub credentials: Result<&'a ClientCredentials, ConfigError>,
    pub cipher: Result<&'a TokenCipher, ConfigError>,
    pub cron_secret: Option<&'a str>,
    pub sweep: SweepConfig,
    pub policy: PollingPolicy,
    pub notify: &'a NotifyConfig,
    /// The time zone rules: the runtime's `Intl` on the edge.
    pub zones: &'a dyn TimeZones,
    /// Where the causes of failures go: the console on the edge.
    pub log: &'a dyn Log,
}

impl<D: Database, K: KeyValueStore, H: HttpClient, Q: JobQueue> App<'_, D, K, H, Q> {
    /// Answers a request. `clock` reads the time again where a duration is measured.
    pub async fn handle(
        &self,
        request: &WebRequest,
        now: UnixMillis,
        clock: impl Fn() -> UnixMillis,
    ) -> WebResponse {
        let response = match self.route(request, now, clock).await {
            Ok(response) => response,
            Err(error) => {
                // The one place an error's cause is logged: handlers only pass it up.
                if let Some(line) = error.log_line(&request.path) {
                    self.log.write(line);
                }
                error.to_response()
            }
        };
        if request.is_https() {
            // Browsers that once saw us over HTTPS never try plain HTTP again (a year).
            return response.with_header("Strict-Transport-Security", STS_POLICY.to_owned());
        }
        response
    }

    async fn route(
        &self,
        request: &WebRequest,
        now: UnixMillis,
        clock: impl Fn() -> UnixMillis,
    ) -> Result<WebResponse, HttpError> {
        let path = request.path.trim_end_matches('/');
        let segments: Vec<&str> = path
            .split('/')
            .filter(|segment| !segment.is_empty())
            .collect();
        match (request.method, segments.as_slice()) {
            (Method::Get, []) => auth::home(self, request, now).await,
            (Method::Get, ["login"]) => Ok(auth::login(self, request, now).await),
            (Method::Get, ["callback"]) => Ok(auth::callback(self, request, now).await),
            (Method::Post, ["logout"]) => auth::logout(self, request).await,
            (Method::Post, ["logout", "everywhere"]) => {
                auth::logout_everywhere(self, request, now).await
            }
            (Method::Get, ["api", "health"]) => api::health(self, now).await,
            (Method::Get, ["api", "status"]) => history::status(self, request, now).await,
            (Method::Get, ["api", "plays"]) => history::plays(self, request, now).await,
            (Method::Get, ["api", "stats"]) => history::stats(self, request, now).await,
            (Method::Get, ["api", "export"]) => history::export(self, request, now).await,
            (Method::Post, ["api", "archive"]) => history::archive_now(self, request, now).await,
            (Method::Post, ["api", "settings"]) => history::settings(self, request, now).await,
            (Method::Get, ["assets", "app.js"]) => Ok(history::app_js()),
            (Method::Get, ["api", "gaps"]) => api::gaps(self, request, now).await,
            (Method::Get, ["import"]) => import_page::page(self, request, now).await,
            (Method::Get, ["assets", "import.js"]) => Ok(import_page::script()),
            (_, ["api", "imports", rest @ ..]) => imports::route(self, request, rest, now).await,
            (_, ["api", "notifications", rest @ ..]) => {
                notifications::route(self, request, rest, now).await
            }
            (_, ["import"]) => Err(HttpError::new(
                405,
                "method_not_allowed",
                "This page takes GET.",
            )),
            (Method::Post, ["api", "account", "pause"]) => {
                account::set_paused(self, request, true, now).await
            }
            (Method::Post, ["api", "account", "resume"]) => {
                account::set_paused(self, request, false, now).await
            }
            // DELETE for the API; POST for the dashboard's form, which cannot send DELETE.
            (Method::Delete, ["api", "account"]) | (Method::Post, ["api", "account", "delete"]) => {
                account::delete(self, request, now).await
            }
            (Method::Post, ["api", "admin", "sweep"]) => {
                api::admin_sweep(self, request, now, clock).await
            }
            (Method::Post, ["api", "admin", "jobs"]) => api::admin_enqueue(self, request).await,
            (Method::Get, ["api", "admin", "dead-letters"]) => {
                api::admin_dead_letters(self, request).await
            }
            (Method::Get, ["api", "admin", "shards"]) => api::admin_shards(self, request).await,
            (Method::Post, ["api", "admin", "archive", user_id]) => {
                api::admin_archive(self, request, user_id, now).await
            }
            (_, ["login" | "callback" | "logout"])
            | (_, ["logout", "everywhere"])
            | (_, [])
            | (_, ["api", "health" | "status" | "plays" | "gaps" | "account"])
            | (_, ["api", "stats" | "export" | "archive" | "settings"])
            | (_, ["api", "account", "pause" | "resume" | "delete"])
            // Only the admin routes that exist: any other path under it is a 404.
            | (_, ["api", "admin", "sweep" | "jobs" | "dead-letters" | "shards"])
            | (_, ["api", "admin", "archive", _]) => Err(HttpError::method_not_allowed()),
            _ if path.starts_with("/api") => Err(HttpError::no_such_route()),
            _ => Ok(WebResponse::html(
                404,
                pages::message_page("Not found", "There is nothing at this address.", None),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(origin: &str) -> WebRequest {
        WebRequest {
            method: Method::Get,
            origin: origin.into(),
            path: "/".into(),
            query: String::new(),
            headers: vec![],
            body: String::new(),
        }
    }

    #[test]
    fn loopback_http_is_recognised() {
        assert!(request("http://127.0.0.1:8787").is_loopback_http());
        assert!(request("http://[::1]:8787").is_loopback_http());
        assert!(!request("https://127.0.0.1:8787").is_loopback_http());
        assert!(!request("http://example.com").is_loopback_http());
        assert!(!request("http://127.0.0.1.evil.com").is_loopback_http());
    }

    #[test]
    fn html_responses_carry_the_security_headers() {
        let response = WebResponse::html(200, String::new());
        for name in [
            "Content-Security-Policy",
            "X-Content-Type-Options",
            "Referrer-Policy",
            "X-Frame-Options",
        ] {
            assert!(
                response.headers.iter().any(|(key, _)| key == name),
                "{name}"
            );
        }
    }
}
