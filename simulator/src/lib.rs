//! A deterministic simulator of Spotify's accounts service and Web API, for tests.
//!
//! The library part models simulated users' listening ([`ListeningStream`]) and the
//! recently-played endpoint's paging ([`recently_played::page`]) so that native tests can
//! drive the same model without HTTP; [`server`] serves it all, plus an admin API, over HTTP.
//! [`sinks`] receive the Worker's notifications so that tests can read them back, and
//! [`listenbrainz`] and [`lastfm`] receive the plays it forwards to those services.
//! Nothing is random: every id, play and token follows from a seed.

pub mod catalogue;
#[cfg(feature = "server")]
pub mod cli;
pub mod clock;
pub mod faults;
pub mod lastfm;
pub mod listenbrainz;
pub mod oauth;
pub mod params;
pub mod recently_played;
pub mod rng;
#[cfg(feature = "server")]
pub mod server;
pub mod sinks;
pub mod standard_webhooks;
pub mod stream;
pub mod timefmt;
pub mod users;

pub use catalogue::{Album, Artist, Catalogue, Image, Track};
pub use clock::{Clock, ManualClock, SystemClock};
#[cfg(feature = "server")]
pub use server::{ServerConfig, Simulator};
pub use stream::{make_plays, make_plays_from, ListeningProfile, ListeningStream, Play};
pub use users::UserProfile;
