//! Spotify Time Machine: a Cloudflare Worker that keeps a complete archive of each
//! user's Spotify listening history.
//!
//! The crate has two halves. Everything outside [`edge`] is the pure core: it knows
//! nothing of the Workers runtime, takes the clock as an argument and reaches storage and
//! HTTP only through the small traits in [`ports`], so it is tested natively with
//! `cargo test` against in-memory twins ([`testing`]). The [`edge`] module, compiled for
//! wasm32 only, binds those traits to D1, KV, Queues and `fetch` and wires the handlers.

// A panic in a handler is a request lost, and outside input has typed errors: the
// Worker's code neither unwraps nor expects (clippy.toml allows both in its tests; the
// native twins in `testing` allow them where they say so).
#![deny(clippy::unwrap_used, clippy::expect_used)]
// A part's build (one `part-*` feature: see `web::routes::Part`) never reaches the other
// parts' handlers; the linker drops them, and the lint would only list them. The whole
// build, which every test and clippy run use, keeps the lint.
#![cfg_attr(
    not(all(
        feature = "part-front",
        feature = "part-review",
        feature = "part-history",
        feature = "part-background"
    )),
    allow(dead_code)
)]

pub mod account;
pub mod catalogue;
pub mod config;
pub mod crypto;
pub mod engine;
pub mod forward;
pub mod history;
pub mod ids;
pub mod import;
pub mod notify;
pub mod oauth;
pub mod pairs;
pub mod ports;
pub mod shards;
pub mod share;
pub mod spotify;
pub mod store;
pub mod time;
pub mod web;

#[cfg(target_arch = "wasm32")]
pub mod edge;

// The native twins, behind the `testing` feature (which the package's own tests enable
// through their dev-dependency on it: see Cargo.toml).
#[cfg(all(feature = "testing", not(target_arch = "wasm32")))]
pub mod testing;
