//! The archival engine: how a user's plays get from Spotify into the archive.
//!
//! The cron's [`sweep`] picks the users whose [`schedule`] says a poll is due and sends
//! each a [`job`]; the queue consumer takes a job's [`slot`] (so a redelivery does the
//! work once) and [`archive`]s: it polls recently-played, plans the rows to write
//! ([`write_plan`]), records the [`gaps`] it could not see, and trips the [`breaker`]
//! when Spotify keeps failing.

pub mod archive;
pub mod breaker;
pub mod gaps;
pub mod job;
pub mod schedule;
pub mod slot;
pub mod sweep;
pub mod write_plan;
