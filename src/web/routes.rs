//! The one route table: every address the Worker answers and the method each takes.
//!
//! The router parses a path into a [`Route`] and dispatches on it; a request whose method
//! is not its route's is answered from the same table (405, `Allow` naming the method),
//! so a route cannot be added without its 405, nor a 405 kept for a route that went.

use crate::ports::Method;

/// A path the Worker answers, with the parts of it that are parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route<'p> {
    Home,
    Login,
    Callback,
    Logout,
    LogoutEverywhere,
    AppScript,
    ImportPage,
    ImportScript,
    Health,
    Status,
    Plays,
    Stats,
    /// `GET /api/review`: the year in review's figures.
    Review,
    /// `GET /year?from=&to=`, `GET /year/{year}`: the year-in-review page.
    ReviewPage(Option<&'p str>),
    /// `GET /year/card.svg?from=&to=`, `GET /year/{year}/card.svg`: its card.
    ReviewCard(Option<&'p str>),
    Export,
    ArchiveNow,
    Settings,
    Gaps,
    Pause,
    Resume,
    /// `DELETE /api/account`: the API's way to delete an account.
    DeleteAccount,
    /// `POST /api/account/delete`: the dashboard's, since a form cannot send DELETE.
    DeleteAccountForm,
    Imports,
    ImportReport(&'p str),
    ImportChunks(&'p str),
    ImportFinish(&'p str),
    Notifications,
    NotificationSettings,
    Channels,
    /// `DELETE /api/notifications/channels/{id}`; the form's twin is [`Route::DeleteChannelForm`].
    DeleteChannel(&'p str),
    DeleteChannelForm(&'p str),
    ChannelTest(&'p str),
    Forwarding,
    /// `POST /api/forwarding/{service}`: connects it with a token.
    ForwardingConnect(&'p str),
    ForwardingPause(&'p str),
    ForwardingResume(&'p str),
    ForwardingDisconnect(&'p str),
    /// `GET /forwarding/lastfm/callback`: where Last.fm sends the user back.
    LastFmCallback,
    /// `GET /api/shares`: the user's public links.
    Shares,
    /// `POST /api/shares/new`: makes one (`/api/shares` itself is the list's GET).
    ShareCreate,
    ShareRevoke(&'p str),
    /// `GET /s/{token}`: a public link's page, for anyone holding it.
    SharePage(&'p str),
    AdminSweep,
    AdminJobs,
    AdminDeadLetters,
    AdminShards,
    AdminArchive(&'p str),
}

impl<'p> Route<'p> {
    /// The route at a request's path (a trailing or doubled `/` changes nothing), if any.
    pub fn at(path: &'p str) -> Option<Self> {
        let segments: Vec<&'p str> = path
            .split('/')
            .filter(|segment| !segment.is_empty())
            .collect();
        Self::parse(&segments)
    }

    /// The route of a path's segments (empty segments already dropped), if any.
    pub fn parse(segments: &[&'p str]) -> Option<Self> {
        use Route::*;
        Some(match segments {
            [] => Home,
            ["login"] => Login,
            ["callback"] => Callback,
            ["logout"] => Logout,
            ["logout", "everywhere"] => LogoutEverywhere,
            ["assets", "app.js"] => AppScript,
            ["import"] => ImportPage,
            ["assets", "import.js"] => ImportScript,
            ["api", "health"] => Health,
            ["api", "status"] => Status,
            ["api", "plays"] => Plays,
            ["api", "stats"] => Stats,
            ["api", "review"] => Review,
            ["year"] => ReviewPage(None),
            ["year", "card.svg"] => ReviewCard(None),
            ["year", year] => ReviewPage(Some(year)),
            ["year", year, "card.svg"] => ReviewCard(Some(year)),
            ["api", "export"] => Export,
            ["api", "archive"] => ArchiveNow,
            ["api", "settings"] => Settings,
            ["api", "gaps"] => Gaps,
            ["api", "account"] => DeleteAccount,
            ["api", "account", "pause"] => Pause,
            ["api", "account", "resume"] => Resume,
            ["api", "account", "delete"] => DeleteAccountForm,
            ["api", "imports"] => Imports,
            ["api", "imports", id] => ImportReport(id),
            ["api", "imports", id, "chunks"] => ImportChunks(id),
            ["api", "imports", id, "finish"] => ImportFinish(id),
            ["api", "notifications"] => Notifications,
            ["api", "notifications", "settings"] => NotificationSettings,
            ["api", "notifications", "channels"] => Channels,
            ["api", "notifications", "channels", id] => DeleteChannel(id),
            ["api", "notifications", "channels", id, "delete"] => DeleteChannelForm(id),
            ["api", "notifications", "channels", id, "test"] => ChannelTest(id),
            ["api", "forwarding"] => Forwarding,
            ["forwarding", "lastfm", "callback"] => LastFmCallback,
            ["api", "forwarding", service] => ForwardingConnect(service),
            ["api", "forwarding", service, "pause"] => ForwardingPause(service),
            ["api", "forwarding", service, "resume"] => ForwardingResume(service),
            ["api", "forwarding", service, "delete"] => ForwardingDisconnect(service),
            ["api", "shares"] => Shares,
            ["api", "shares", "new"] => ShareCreate,
            ["api", "shares", id, "revoke"] => ShareRevoke(id),
            ["s", token] => SharePage(token),
            ["api", "admin", "sweep"] => AdminSweep,
            ["api", "admin", "jobs"] => AdminJobs,
            ["api", "admin", "dead-letters"] => AdminDeadLetters,
            ["api", "admin", "shards"] => AdminShards,
            ["api", "admin", "archive", user_id] => AdminArchive(user_id),
            _ => return None,
        })
    }

    /// The method the route takes (a `HEAD` arrives as `GET`).
    pub fn method(self) -> Method {
        use Route::*;
        match self {
            Home | Login | Callback | AppScript | ImportPage | ImportScript | Health | Status
            | Plays | Stats | Review | Export | Gaps | ImportReport(_) | Notifications
            | Forwarding | LastFmCallback | Shares | SharePage(_) | ReviewPage(_)
            | ReviewCard(_) | AdminDeadLetters | AdminShards => Method::Get,
            DeleteAccount | DeleteChannel(_) => Method::Delete,
            Logout
            | LogoutEverywhere
            | ArchiveNow
            | Settings
            | Pause
            | Resume
            | DeleteAccountForm
            | Imports
            | ImportChunks(_)
            | ImportFinish(_)
            | NotificationSettings
            | Channels
            | DeleteChannelForm(_)
            | ChannelTest(_)
            | ForwardingConnect(_)
            | ForwardingPause(_)
            | ForwardingResume(_)
            | ForwardingDisconnect(_)
            | ShareCreate
            | ShareRevoke(_)
            | AdminSweep
            | AdminJobs
            | AdminArchive(_) => Method::Post,
        }
    }
}

/// The Worker of a deployment that answers a route. The web surface is split in three,
/// each built on its own (the Cargo features `part-front`, `part-review`, `part-history`),
/// so that no Worker ships, nor compiles on a cold start, all of the code. The front takes
/// every request and passes the other parts' routes on to them through service bindings;
/// docs/operations.md ("The Workers") says how they are deployed and what each weighs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// Sign-in, the dashboard and its script, health, the admin API (and the cron's sweep).
    Front,
    /// The year in review, its public links, and forwarding to other services.
    Review,
    /// The history API, imports of Spotify's exports, and the notification settings.
    History,
}

impl Part {
    /// The service binding through which the front reaches the part.
    pub fn binding(self) -> &'static str {
        match self {
            Part::Front => "FRONT_WORKER",
            Part::Review => "REVIEW_WORKER",
            Part::History => "HISTORY_WORKER",
        }
    }

    /// Whether this build holds the part's handlers.
    pub fn is_built(self) -> bool {
        match self {
            Part::Front => cfg!(feature = "part-front"),
            Part::Review => cfg!(feature = "part-review"),
            Part::History => cfg!(feature = "part-history"),
        }
    }
}

impl Route<'_> {
    /// The part that answers the route.
    pub fn part(self) -> Part {
        use Route::*;
        match self {
            Home | Login | Callback | Logout | LogoutEverywhere | AppScript | Health
            | AdminSweep | AdminJobs | AdminDeadLetters | AdminShards | AdminArchive(_) => {
                Part::Front
            }
            Review
            | ReviewPage(_)
            | ReviewCard(_)
            | Shares
            | ShareCreate
            | ShareRevoke(_)
            | SharePage(_)
            | Forwarding
            | ForwardingConnect(_)
            | ForwardingPause(_)
            | ForwardingResume(_)
            | ForwardingDisconnect(_)
            | LastFmCallback => Part::Review,
            Status | Plays | Stats | Export | ArchiveNow | Settings | Gaps | Pause | Resume
            | DeleteAccount | DeleteAccountForm | ImportPage | ImportScript | Imports
            | ImportReport(_) | ImportChunks(_) | ImportFinish(_) | Notifications
            | NotificationSettings | Channels | DeleteChannel(_) | DeleteChannelForm(_)
            | ChannelTest(_) => Part::History,
        }
    }
}

/// A path segment a route carries, percent-decoded. Unlike a query string or a form body,
/// a path has no `+` for a space: `+` is itself, a space is `%20`.
pub fn decode_segment(segment: &str) -> String {
    percent_encoding::percent_decode_str(segment)
        .decode_utf8_lossy()
        .into_owned()
}

/// The parts of a request's URL the app reads, cut from the text the runtime hands over.
/// The runtime has already parsed and normalised it (`scheme://host[:port]/path[?query]`,
/// scheme and host in lowercase, the default port dropped), so cutting it is all there is
/// to do: a URL parser here would parse it a second time, at 15 KB of the bundle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestUrl<'u> {
    /// `scheme://host[:port]`.
    pub origin: &'u str,
    /// Never empty: `/` at least.
    pub path: &'u str,
    /// Without its `?`; empty when there is none.
    pub query: &'u str,
}

impl<'u> RequestUrl<'u> {
    pub fn split(url: &'u str) -> Option<Self> {
        let authority_start = url.find("://")? + 3;
        let url = url.split_once('#').map_or(url, |(url, _)| url);
        let path_start = url[authority_start..]
            .find(['/', '?'])
            .map_or(url.len(), |at| authority_start + at);
        let (origin, rest) = url.split_at(path_start);
        // A request line has no user name or password, so the runtime's URL has none
        // either; if one ever came, the origin would not be the site's.
        if origin[authority_start..].contains('@') {
            return None;
        }
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        Some(Self {
            origin,
            path: if path.is_empty() { "/" } else { path },
            query,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_url_is_cut_into_origin_path_and_query() {
        for (url, origin, path, query) in [
            (
                "https://tm.example/api/plays?limit=5&a=b",
                "https://tm.example",
                "/api/plays",
                "limit=5&a=b",
            ),
            ("http://127.0.0.1:8787/", "http://127.0.0.1:8787", "/", ""),
            ("http://127.0.0.1:8787", "http://127.0.0.1:8787", "/", ""),
            (
                "http://127.0.0.1:8787?x=1",
                "http://127.0.0.1:8787",
                "/",
                "x=1",
            ),
            (
                "https://tm.example/a?b?c#d?e",
                "https://tm.example",
                "/a",
                "b?c",
            ),
            ("https://tm.example/a#frag", "https://tm.example", "/a", ""),
            (
                "https://[::1]:8787/x%20y",
                "https://[::1]:8787",
                "/x%20y",
                "",
            ),
        ] {
            assert_eq!(
                RequestUrl::split(url),
                Some(RequestUrl {
                    origin,
                    path,
                    query
                }),
                "{url}"
            );
        }
        assert_eq!(RequestUrl::split("/no/scheme"), None);
        assert_eq!(RequestUrl::split("https://u:p@tm.example/"), None);
    }

    #[test]
    fn the_cut_agrees_with_a_url_parser_on_what_the_runtime_hands_over() {
        for url in [
            "https://tm.example/api/plays?limit=5",
            "http://127.0.0.1:8787/import",
            "https://tm.example/api/imports/abc%2Fdef/chunks?n=1",
            "https://tm.example/?",
            "https://tm.example/a/b/",
            "https://[2606:4700::1111]:8443/a%23b%3Fc?d=%23&e=f#g",
            "http://xn--bcher-kva.example/%F0%9F%8E%B5?q=a+b&r=%20",
            "https://tm.example/a;b,c@d/e?f@g",
            "https://tm.example?",
        ] {
            let parsed = url::Url::parse(url).expect("a URL");
            let cut = RequestUrl::split(url).expect("cut");
            assert_eq!(cut.origin, parsed.origin().ascii_serialization(), "{url}");
            assert_eq!(cut.path, parsed.path(), "{url}");
            assert_eq!(cut.query, parsed.query().unwrap_or_default(), "{url}");
        }
    }

    #[test]
    fn a_segment_decodes_percent_escapes_but_keeps_plus() {
        assert_eq!(decode_segment("a+b"), "a+b");
        assert_eq!(decode_segment("a%20b"), "a b");
        assert_eq!(decode_segment("a%2Bb+c%20d"), "a+b+c d");
        assert_eq!(decode_segment("%F0%9F%8E%B5%zz%"), "\u{1f3b5}%zz%");
    }

    fn segments(path: &str) -> Vec<&str> {
        path.split('/').filter(|part| !part.is_empty()).collect()
    }

    #[test]
    fn every_route_parses_and_takes_one_method() {
        let table = [
            ("/", Route::Home, Method::Get),
            ("/logout/everywhere", Route::LogoutEverywhere, Method::Post),
            ("/api/review", Route::Review, Method::Get),
            ("/year", Route::ReviewPage(None), Method::Get),
            ("/year/2026", Route::ReviewPage(Some("2026")), Method::Get),
            ("/year/card.svg", Route::ReviewCard(None), Method::Get),
            (
                "/year/2026/card.svg",
                Route::ReviewCard(Some("2026")),
                Method::Get,
            ),
            ("/api/account", Route::DeleteAccount, Method::Delete),
            (
                "/api/account/delete",
                Route::DeleteAccountForm,
                Method::Post,
            ),
            ("/api/imports/7", Route::ImportReport("7"), Method::Get),
            (
                "/api/imports/7/chunks",
                Route::ImportChunks("7"),
                Method::Post,
            ),
            (
                "/api/notifications/channels/3",
                Route::DeleteChannel("3"),
                Method::Delete,
            ),
            (
                "/api/notifications/channels/3/test",
                Route::ChannelTest("3"),
                Method::Post,
            ),
            (
                "/api/admin/archive/u1",
                Route::AdminArchive("u1"),
                Method::Post,
            ),
            ("/api/shares", Route::Shares, Method::Get),
            ("/api/shares/new", Route::ShareCreate, Method::Post),
            (
                "/api/shares/4/revoke",
                Route::ShareRevoke("4"),
                Method::Post,
            ),
            ("/s/AbC_-1", Route::SharePage("AbC_-1"), Method::Get),
        ];
        for (path, route, method) in table {
            assert_eq!(Route::parse(&segments(path)), Some(route), "{path}");
            assert_eq!(route.method(), method, "{path}");
        }
    }

    #[test]
    fn paths_outside_the_table_have_no_route() {
        for path in [
            "/api",
            "/api/admin",
            "/api/admin/other",
            "/api/admin/archive/u1/more",
            "/api/imports/7/other",
            "/api/notifications/channels/3/other",
            "/assets/other.js",
            "/login/more",
            "/s",
            "/s/a/b",
            "/api/shares/4",
        ] {
            assert_eq!(Route::parse(&segments(path)), None, "{path}");
        }
    }
}
