//! The year in review's JSON (`GET /api/review?year=2026`, or `?from=&to=`, both days
//! included) and the functions the review page calls for the same figures.
//!
//! A review costs the session's read (as every route), the user's settings (their zone)
//! and one batch of [`crate::store::review::REVIEW_STATEMENTS`] (6) statements: three D1
//! round trips in all.

use super::auth::{not_logged_in, reader, SignedIn};
use super::error::HttpError;
use super::{App, Bindings, WebRequest, WebResponse};
use crate::history::review::{self, ReviewPeriod, ReviewRange, YearReview, REVIEW_TOP};
use crate::history::zone::{offset_segments, Zone};
use crate::history::{request_zone, ParamError, ZoneSource};
use crate::ports::Database;
use crate::store::review::ReviewSpan;
use crate::store::{Store, StoreError};
use crate::time::UnixMillis;

/// The review of `range` for `user_id`, read from `db` (the user's shard) in one round
/// trip. `now` only tells whether the range has ended.
pub async fn review_for<D: Database>(
    db: &D,
    user_id: &str,
    range: &ReviewRange,
    now: UnixMillis,
) -> Result<YearReview, StoreError> {
    let previous = range.previous();
    let segments = offset_segments(&range.zone, range.from, range.to);
    let previous_segments = previous
        .as_ref()
        .map(|previous| offset_segments(&previous.zone, previous.from, previous.to))
        .unwrap_or_default();
    let span = ReviewSpan {
        from: range.from,
        to: range.to,
        segments: &segments,
    };
    // Without a range before (1970), an empty one: its statement reads nothing.
    let before = previous.as_ref().map_or(
        ReviewSpan {
            from: range.from,
            to: range.from,
            segments: &[],
        },
        |previous| ReviewSpan {
            from: previous.from,
            to: previous.to,
            segments: &previous_segments,
        },
    );
    let rows = Store::new(db)
        .review(user_id, span, before, REVIEW_TOP)
        .await?;
    Ok(review::build(
        range,
        previous.as_ref(),
        &rows,
        REVIEW_TOP,
        now,
    ))
}

/// The zone of `user`'s reviews: the request's `tz`, else their saved zone, else UTC.
async fn review_zone<P: Bindings>(
    app: &App<'_, P>,
    request: &WebRequest,
    user: &SignedIn<'_, P::Database>,
) -> Result<(Zone, ZoneSource), HttpError> {
    let settings = Store::new(user.db)
        .history_settings(&user.id)
        .await?
        .ok_or_else(not_logged_in)?;
    Ok(request_zone(
        &request.query_pairs(),
        settings.time_zone.as_deref(),
        app.zones,
    )?)
}

/// The signed-in `user`'s review of `period`, in the zone of the request's `tz`, else
/// their saved one, else UTC: what the review page calls with the period of its path.
/// Reads the settings, then [`review_for`].
pub async fn review_of_user<P: Bindings>(
    app: &App<'_, P>,
    request: &WebRequest,
    user: &SignedIn<'_, P::Database>,
    period: ReviewPeriod,
    now: UnixMillis,
) -> Result<YearReview, HttpError> {
    let (zone, zone_source) = review_zone(app, request, user).await?;
    let range = ReviewRange::new(period, zone, zone_source).map_err(ParamError::from)?;
    Ok(review_for(user.db, &user.id, &range, now).await?)
}

/// `GET /api/review?year=2026` or `?from=YYYY-MM-DD&to=YYYY-MM-DD` (and `tz`). The session
/// comes first: without one, a 401 whatever the parameters.
pub async fn review<P: Bindings>(
    app: &App<'_, P>,
    request: &WebRequest,
    now: UnixMillis,
) -> Result<WebResponse, HttpError> {
    let user = reader(&app.shards, request, now).await?;
    let period = ReviewPeriod::parse(&request.query_pairs()).map_err(ParamError::from)?;
    let review = review_of_user(app, request, &user, period, now).await?;
    Ok(WebResponse::json(200, &review))
}
