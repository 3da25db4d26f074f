//! The Worker's HTTP surface as plain data in, plain data out.
//!
//! The edge turns a `worker::Request` into a [`WebRequest`] and a [`WebResponse`] back into
//! a `worker::Response`; everything between (routing, login, sessions, the JSON API and
//! the pages) lives here, generic over the ports, and is tested natively. The handlers of
//! a part of the deployment (see [`routes::Part`]) are reached only in its build.

pub mod account;
pub mod api;
pub(crate) mod assets;
pub mod auth;
pub mod body;
pub mod cookies;
pub mod error;
pub mod fields;
pub mod forwarding;
pub mod history;
pub mod import_page;
pub mod imports;
pub mod notifications;
pub mod pages;
pub mod review;
pub mod review_card;
pub mod review_page;
pub mod routes;
pub mod share_page;
pub mod shares;

#[cfg(test)]
mod flow_tests;
#[cfg(test)]
mod shard_tests;
#[cfg(test)]
mod share_tests;

use serde::Serialize;

use crate::config::ConfigError;
use crate::crypto::TokenCipher;
use crate::engine::schedule::PollingPolicy;
use crate::engine::sweep::SweepConfig;
use crate::forward::ForwardConfig;
use crate::notify::delivery::NotifyConfig;
use crate::ports::{Database, HttpClient, JobQueue, KeyValueStore, Log, Method, TimeZones};
use crate::shards::Shards;
use crate::spotify::client::ClientCredentials;
use crate::spotify::SpotifyEndpoints;
use crate::time::UnixMillis;
use error::HttpError;
use routes::Route;

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
        crate::pairs::header(&self.headers, name)
    }

    /// The query string's `name=value` pairs, decoded, in order.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        form_urlencoded::parse(self.query.as_bytes())
            .into_owned()
            .collect()
    }

    /// A form body's `name=value` pairs, decoded, in order.
    pub fn form_pairs(&self) -> Vec<(String, String)> {
        form_urlencoded::parse(self.body.as_bytes())
            .into_owned()
            .collect()
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

/// The answer at a path with no route: JSON under `/api`, a page elsewhere.
fn not_found(path: &str) -> Result<WebResponse, HttpError> {
    if path.starts_with("/api") {
        return Err(HttpError::no_such_route());
    }
    Ok(WebResponse::html(
        404,
        pages::message_page("Not found", "There is nothing at this address.", None),
    ))
}

/// The answer to a method the Worker does not know at all (`PUT`, `PROPFIND`, …), from
/// the same table as a known wrong one: a 405 naming the route's method, or the 404 of a
/// path with no route.
pub fn refuse_unknown_method(path: &str) -> WebResponse {
    let refusal = match Route::at(path) {
        Some(route) => Err(HttpError::method_not_allowed(route.method())),
        None => not_found(path),
    };
    refusal.unwrap_or_else(|error| error.to_response())
}

/// `Strict-Transport-Security` of every answer over HTTPS.
const STS_POLICY: &str = "max-age=31536000";

/// The four bindings the handlers reach, named once: [`App`] is generic over one
/// `P: Bindings` rather than over four parameters that every handler would list again.
/// Any `(database, kv, http, queue)` of the ports' types is one.
pub trait Bindings {
    type Database: Database;
    type KeyValue: KeyValueStore;
    type Http: HttpClient;
    type Queue: JobQueue;
}

impl<D: Database, K: KeyValueStore, H: HttpClient, Q: JobQueue> Bindings for (D, K, H, Q) {
    type Database = D;
    type KeyValue = K;
    type Http = H;
    type Queue = Q;
}

/// What the handlers reach: the ports, the settings, and what failed to configure.
/// Built as `App::<(_, _, _, _)> { … }`: the tuple's types are read off the fields.
pub struct App<'a, P: Bindings> {
    /// The D1 databases: shard 0 is also the directory (see [`crate::shards`]).
    pub shards: Shards<'a, P::Database>,
    pub kv: &'a P::KeyValue,
    pub http: &'a P::Http,
    pub queue: &'a P::Queue,
    pub endpoints: &'a SpotifyEndpoints,
    /// `Err` names the missing secret; login answers a clear page instead of failing.
    pub credentials: Result<&'a ClientCredentials, ConfigError>,
    pub cipher: Result<&'a TokenCipher, ConfigError>,
    pub cron_secret: Option<&'a str>,
    pub sweep: SweepConfig,
    pub policy: PollingPolicy,
    pub notify: &'a NotifyConfig,
    /// Where the forwarding services are.
    pub forward: ForwardConfig,
    /// The time zone rules: the runtime's `Intl` on the edge.
    pub zones: &'a dyn TimeZones,
    /// Where the causes of failures go: the console on the edge.
    pub log: &'a dyn Log,
}

impl<P: Bindings> App<'_, P> {
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

    // Without every part, a build's routes of the others fall to the last arm.
    #[cfg_attr(
        not(all(
            feature = "part-front",
            feature = "part-review",
            feature = "part-history"
        )),
        allow(unused_variables)
    )]
    async fn route(
        &self,
        request: &WebRequest,
        now: UnixMillis,
        clock: impl Fn() -> UnixMillis,
    ) -> Result<WebResponse, HttpError> {
        let Some(route) = Route::at(&request.path) else {
            return not_found(&request.path);
        };
        if request.method != route.method() {
            return Err(HttpError::method_not_allowed(route.method()));
        }
        match route {
            #[cfg(feature = "part-front")]
            Route::Home => auth::home(self, request, now).await,
            #[cfg(feature = "part-front")]
            Route::Login => Ok(auth::login(self, request, now).await),
            #[cfg(feature = "part-front")]
            Route::Callback => Ok(auth::callback(self, request, now).await),
            #[cfg(feature = "part-front")]
            Route::Logout => auth::logout(self, request).await,
            #[cfg(feature = "part-front")]
            Route::LogoutEverywhere => auth::logout_everywhere(self, request, now).await,
            #[cfg(feature = "part-front")]
            Route::AppScript => Ok(history::app_js()),
            #[cfg(feature = "part-history")]
            Route::ImportPage => import_page::page(self, request, now).await,
            #[cfg(feature = "part-history")]
            Route::ImportScript => Ok(import_page::script()),
            #[cfg(feature = "part-front")]
            Route::Health => api::health(self, now).await,
            #[cfg(feature = "part-history")]
            Route::Status => history::status(self, request, now).await,
            #[cfg(feature = "part-history")]
            Route::Plays => history::plays(self, request, now).await,
            #[cfg(feature = "part-history")]
            Route::Stats => history::stats(self, request, now).await,
            #[cfg(feature = "part-review")]
            Route::Review => review::review(self, request, now).await,
            #[cfg(feature = "part-history")]
            Route::Export => history::export(self, request, now).await,
            #[cfg(feature = "part-history")]
            Route::ArchiveNow => history::archive_now(self, request, now).await,
            #[cfg(feature = "part-history")]
            Route::Settings => history::settings(self, request, now).await,
            #[cfg(feature = "part-history")]
            Route::Gaps => api::gaps(self, request, now).await,
            #[cfg(feature = "part-history")]
            Route::Pause => account::set_paused(self, request, true, now).await,
            #[cfg(feature = "part-history")]
            Route::Resume => account::set_paused(self, request, false, now).await,
            #[cfg(feature = "part-history")]
            Route::DeleteAccount | Route::DeleteAccountForm => {
                account::delete(self, request, now).await
            }
            #[cfg(feature = "part-history")]
            Route::Imports => imports::create(self, request, now).await,
            #[cfg(feature = "part-history")]
            Route::ImportReport(id) => imports::report(self, request, id, now).await,
            #[cfg(feature = "part-history")]
            Route::ImportChunks(id) => imports::chunk(self, request, id, now).await,
            #[cfg(feature = "part-history")]
            Route::ImportFinish(id) => imports::finish(self, request, id, now).await,
            #[cfg(feature = "part-history")]
            Route::Notifications => notifications::overview(self, request, now).await,
            #[cfg(feature = "part-history")]
            Route::NotificationSettings => notifications::save_settings(self, request, now).await,
            #[cfg(feature = "part-history")]
            Route::Channels => notifications::add_channel(self, request, now).await,
            #[cfg(feature = "part-history")]
            Route::DeleteChannel(id) | Route::DeleteChannelForm(id) => {
                notifications::delete_channel(self, request, id, now).await
            }
            #[cfg(feature = "part-history")]
            Route::ChannelTest(id) => notifications::test_channel(self, request, id, now).await,
            #[cfg(feature = "part-review")]
            Route::Forwarding => forwarding::overview(self, request, now).await,
            #[cfg(feature = "part-review")]
            Route::ForwardingConnect(service) => {
                forwarding::connect(self, request, service, now).await
            }
            #[cfg(feature = "part-review")]
            Route::ForwardingPause(service) => {
                forwarding::switch(self, request, service, false, now).await
            }
            #[cfg(feature = "part-review")]
            Route::ForwardingResume(service) => {
                forwarding::switch(self, request, service, true, now).await
            }
            #[cfg(feature = "part-review")]
            Route::ForwardingDisconnect(service) => {
                forwarding::disconnect(self, request, service, now).await
            }
            #[cfg(feature = "part-review")]
            Route::LastFmCallback => forwarding::lastfm_callback(self, request, now).await,
            #[cfg(feature = "part-review")]
            Route::Shares => shares::list(self, request, now).await,
            #[cfg(feature = "part-review")]
            Route::ShareCreate => shares::create(self, request, now).await,
            #[cfg(feature = "part-review")]
            Route::ShareRevoke(id) => shares::revoke(self, request, id, now).await,
            #[cfg(feature = "part-review")]
            Route::SharePage(token) => Ok(share_page::page(self, token, now).await),
            #[cfg(feature = "part-review")]
            Route::ReviewPage(year) => review_page::page(self, request, year, now).await,
            #[cfg(feature = "part-review")]
            Route::ReviewCard(year) => review_page::card(self, request, year, now).await,
            #[cfg(feature = "part-front")]
            Route::AdminSweep => api::admin_sweep(self, request, now, clock).await,
            #[cfg(feature = "part-front")]
            Route::AdminJobs => api::admin_enqueue(self, request).await,
            #[cfg(feature = "part-front")]
            Route::AdminDeadLetters => api::admin_dead_letters(self, request).await,
            #[cfg(feature = "part-front")]
            Route::AdminShards => api::admin_shards(self, request).await,
            #[cfg(feature = "part-front")]
            Route::AdminArchive(user_id) => api::admin_archive(self, request, user_id, now).await,
            // Only a build without every part gets here, and the edge passes such a route
            // on to its part before it reads the request: reaching this is a deployment
            // whose front has no binding to the part.
            #[cfg(not(all(
                feature = "part-front",
                feature = "part-review",
                feature = "part-history"
            )))]
            _ => Err(HttpError::part_not_built(route.part())),
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
