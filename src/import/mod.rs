//! Importing Spotify's own data exports: the years before the archive began.
//!
//! The page reads the export's files (or its zip) in the browser and sends the records in
//! chunks; each chunk is judged here, record by record, and written in one D1 batch. All
//! of it is pure: no `worker` types, no Spotify calls (everything comes from the export's
//! own names and URIs).
//!
//! - [`record`]: the two formats, recognised by their fields, read tolerantly;
//! - [`rules`]: what counts as a play, how skips are marked, when an exported record and
//!   a polled play (or the other export) are one listen;
//! - [`plan`]: one chunk's write plan.

pub mod plan;
pub mod record;
pub mod rules;
