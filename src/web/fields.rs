//! The fields of a change, from a page's form or the API's JSON object, and the refusal
//! each gets: a page for a form (the page is what the person sees), the error for the API.

use serde_json::{Map, Value};

use super::error::HttpError;
use super::pages::message_page;
use super::{WebRequest, WebResponse};

/// A refusal, as a page for a form, with a link back to the part of the dashboard
/// (`back`: its address) the form was in; as the error for the API.
pub fn refuse(
    request: &WebRequest,
    refusal: HttpError,
    back: &str,
) -> Result<WebResponse, HttpError> {
    if request.is_form() {
        return Ok(WebResponse::html(
            refusal.status,
            message_page(
                "Not saved",
                &refusal.message,
                Some((back, "Back to your archive")),
            ),
        ));
    }
    Err(refusal)
}

/// The fields of a form or a JSON object, as JSON values (a form's are all text).
pub fn fields(request: &WebRequest) -> Option<Map<String, Value>> {
    if request.is_form() {
        return Some(
            request
                .form_pairs()
                .into_iter()
                .map(|(key, value)| (key, Value::String(value)))
                .collect(),
        );
    }
    match serde_json::from_str::<Value>(&request.body) {
        Ok(Value::Object(fields)) => Some(fields),
        _ => None,
    }
}

pub fn text_field<'a>(fields: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    fields.get(name).and_then(Value::as_str)
}
