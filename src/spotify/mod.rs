//! Spotify as the product meets it: the wire format of the few endpoints we use
//! (recently-played, `/me`, authorize and token) and a client over [`crate::ports::HttpClient`].

pub mod client;
pub mod error;
pub mod profile;
pub mod recently_played;
pub mod retry_after;
pub mod token;

pub use client::{SpotifyClient, SpotifyEndpoints};
pub use error::SpotifyError;
