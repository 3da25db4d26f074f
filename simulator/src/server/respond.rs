//! Building responses in Spotify's shapes.

use axum::http::header::{CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use serde_json::{json, Value};

use crate::faults::Effect;

/// A JSON response. With `malformed` the body is cut in half: a proxy or a flaky network
/// delivering a truncated 200 is exactly what clients must survive.
pub fn json(status: StatusCode, body: &Value, malformed: bool) -> Response {
    let mut text = body.to_string();
    if malformed {
        let mut cut = text.len() / 2;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
    }
    let mut response = (status, text).into_response();
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
}

/// `{"error":{"status":…,"message":…}}`, the Web API's error body.
pub fn web_api_error(status: StatusCode, message: &str) -> Response {
    json(
        status,
        &json!({ "error": { "status": status.as_u16(), "message": message } }),
        false,
    )
}

/// The response for a fault that replaces the answer; `None` for one that only alters it.
pub fn fault(effect: Effect) -> Option<Response> {
    match effect {
        Effect::RateLimited { retry_after_secs } => {
            let mut response =
                web_api_error(StatusCode::TOO_MANY_REQUESTS, "API rate limit exceeded");
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(retry_after_secs));
            Some(response)
        }
        Effect::QuotaExceeded { retry_after_secs } => {
            let status = StatusCode::TOO_MANY_REQUESTS;
            let body = json!({ "error": { "status": status.as_u16(),
                "message": "The app has exceeded its quota", "reason": "QUOTA_EXCEEDED" } });
            let mut response = json(status, &body, false);
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(retry_after_secs));
            Some(response)
        }
        Effect::ServerError { status } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let message = if status == StatusCode::SERVICE_UNAVAILABLE {
                "Service unavailable"
            } else {
                "Server error."
            };
            Some(web_api_error(status, message))
        }
        Effect::Malformed => None,
    }
}

/// What a request held by a hang gets when the simulator stops underneath it.
pub fn shutting_down() -> Response {
    web_api_error(
        StatusCode::SERVICE_UNAVAILABLE,
        "The simulator is shutting down",
    )
}

/// A body a test scripted, sent as given: as JSON when it parses as JSON, else as text.
pub fn scripted_body(status: StatusCode, body: String) -> Response {
    let content_type = if serde_json::from_str::<Value>(&body).is_ok() {
        "application/json; charset=utf-8"
    } else {
        "text/plain; charset=utf-8"
    };
    let mut response = (status, body).into_response();
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

pub fn html(status: StatusCode, page: String) -> Response {
    (status, Html(page)).into_response()
}

/// A 302 to `location`, as Spotify redirects back to the app (not axum's 303/307).
pub fn found(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(location) => {
            let mut response = StatusCode::FOUND.into_response();
            response
                .headers_mut()
                .insert(axum::http::header::LOCATION, location);
            response
        }
        // Only reachable with control characters in a redirect_uri that passed validation.
        Err(_) => web_api_error(StatusCode::BAD_REQUEST, "Invalid redirect URI"),
    }
}
