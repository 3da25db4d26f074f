//! The web handler: a request in, the app's answer out; the routes of a part this build
//! does not hold are passed on to the Worker that does.

use serde_json::json;
use worker::{event, Context, Env, Request, Response};

use super::bindings::{
    bind_shards, ConsoleLog, EnvSettings, Kv, Queues, WorkerFetch, D1, IDEMPOTENCY_KV,
};
use super::{cipher, log, log_error, notify_and_forward_config, now, shards, zones};
use crate::config::{self, Settings};
use crate::history::export::ExportPlan;
use crate::ports::{Log, Method};
use crate::web::body::{read_capped, BodyError};
use crate::web::error::HttpError;
use crate::web::routes::{Part, RequestUrl, Route};
use crate::web::{App, WebRequest, WebResponse};

/// The answer that the service's own configuration refuses (its cause is logged apart).
fn misconfigured(message: &str) -> worker::Result<Response> {
    into_response(HttpError::misconfigured(message).to_response())
}

#[event(fetch)]
async fn fetch(mut request: Request, env: Env, _ctx: Context) -> worker::Result<Response> {
    let started = now();
    let path = request_path(&request);
    let Some(method) = known_method(&request) else {
        return into_response(crate::web::refuse_unknown_method(&path));
    };
    // A route of another part goes to its Worker before anything of it is read here.
    if let Some(part) = Route::at(&path)
        .map(Route::part)
        .filter(|part| !part.is_built())
    {
        return pass_on(request, &env, part).await;
    }
    let web_request = match read_request(&mut request, method).await {
        Ok(web_request) => web_request,
        Err(error) => {
            if let Some(line) = error.log_line(&path) {
                ConsoleLog.write(line);
            }
            return into_response(error.to_response());
        }
    };
    let settings = EnvSettings(&env);
    let (databases, kv, queue) = match (
        bind_shards(&env),
        env.kv(IDEMPOTENCY_KV),
        Queues::bind(&env),
    ) {
        (Ok(databases), Ok(kv), Ok(queue)) => (databases, Kv(kv), queue),
        (databases, _, _) => {
            log_error(
                "binding_missing",
                json!({ "path": web_request.path, "error": databases.err() }),
            );
            return misconfigured("The service is missing a binding.");
        }
    };
    let shards = match shards(&databases, &settings) {
        Ok(shards) => shards,
        Err(error) => {
            log_error("config_invalid", json!({ "error": error }));
            return misconfigured("The service is misconfigured.");
        }
    };
    let endpoints = config::endpoints(&settings);
    let credentials = config::credentials(&settings);
    let cipher = cipher(&settings);
    let cron_secret = settings
        .get("CRON_SECRET")
        .filter(|secret| !secret.is_empty());
    let (sweep, policy, (notify, forward)) = match (
        config::sweep_config(&settings),
        config::polling_policy(&settings),
        notify_and_forward_config(&settings),
    ) {
        (Ok(sweep), Ok(policy), Ok(notify_and_forward)) => (sweep, policy, notify_and_forward),
        (Err(error), _, _) | (_, Err(error), _) | (_, _, Err(error)) => {
            log_error("config_invalid", json!({ "error": error.to_string() }));
            return misconfigured("The service is misconfigured.");
        }
    };
    let app = App::<(_, _, _, _)> {
        shards,
        kv: &kv,
        http: &WorkerFetch,
        queue: &queue,
        endpoints: &endpoints,
        credentials: credentials.as_ref().map_err(|error| *error),
        cipher: cipher.as_ref().map_err(|error| *error),
        cron_secret: cron_secret.as_deref(),
        sweep,
        policy,
        notify: &notify,
        forward,
        zones: &zones::IntlZones,
        log: &ConsoleLog,
    };
    let mut response = app.handle(&web_request, started, now).await;
    log(
        "request",
        json!({ "method": web_request.method.as_str(), "path": web_request.path,
                "status": response.status, "ms": now() - started }),
    );
    if let Some(plan) = response.stream.take() {
        drop(app);
        // The export reads its user's shard, page by page, after this handler returns.
        let Some(db) = databases.into_iter().nth(plan.shard as usize) else {
            return misconfigured("The service is missing a binding.");
        };
        return into_streamed_response(response, plan, db);
    }
    into_response(response)
}

/// Passes a request for a route of another part on to that part's Worker as it came: the
/// URL the browser reached (its origin, which the part's same-origin checks compare),
/// the headers with the session's cookie, the body unread.
async fn pass_on(request: Request, env: &Env, part: Part) -> worker::Result<Response> {
    let worker = match env.service(part.binding()) {
        Ok(worker) => worker,
        Err(error) => {
            log_error(
                "binding_missing",
                json!({ "binding": part.binding(), "error": error.to_string() }),
            );
            return misconfigured("The service is missing a binding.");
        }
    };
    match worker.fetch_request(request).await {
        Ok(response) => Ok(response),
        Err(error) => {
            log_error(
                "part_unreachable",
                json!({ "binding": part.binding(), "error": error.to_string() }),
            );
            let refusal = HttpError::new(
                502,
                "part_unreachable",
                "This part of the service did not answer. Try again in a moment.",
            );
            into_response(refusal.to_response())
        }
    }
}

/// The largest request body we read: login and admin forms are tiny.
const MAX_BODY_BYTES: usize = 64 * 1024;

/// The method as sent: `worker::Method` reads any method it does not know (PROPFIND,
/// MKCOL, …) as GET. `None`: none the Worker takes.
fn known_method(request: &Request) -> Option<Method> {
    match request.inner().method().to_ascii_uppercase().as_str() {
        "GET" | "HEAD" => Some(Method::Get),
        "POST" => Some(Method::Post),
        "DELETE" => Some(Method::Delete),
        _ => None,
    }
}

/// The request's path, for the answers given before the request is read (a wrong method,
/// an unreadable body); `/` if the runtime's URL could not be cut, which it always can.
fn request_path(request: &Request) -> String {
    let url = request.inner().url();
    RequestUrl::split(&url)
        .map_or("/", |url| url.path)
        .to_owned()
}

async fn read_request(request: &mut Request, method: Method) -> Result<WebRequest, HttpError> {
    let url_text = request.inner().url();
    let url = RequestUrl::split(&url_text).ok_or_else(|| {
        HttpError::new(400, "bad_request", "The URL is not valid.")
            // Not the URL itself: a query may carry a login's code, a user name a
            // password.
            .with_cause("the runtime's URL has no scheme or carries a user name")
    })?;
    // The import's chunks are larger (crate::web::imports::MAX_CHUNK_BYTES).
    let max_body = crate::web::imports::body_limit(url.path).unwrap_or(MAX_BODY_BYTES);
    let declared = request
        .headers()
        .get("Content-Length")
        .ok()
        .flatten()
        .and_then(|length| length.parse::<usize>().ok());
    if declared.is_some_and(|length| length > max_body) {
        return Err(BodyError::TooLarge.into());
    }
    // Read piece by piece with the cap: a chunked body has no Content-Length to check
    // first, and must not be held whole before it is refused.
    let body = if method != Method::Get && request.inner().body().is_some() {
        let pieces = request
            .stream()
            .map_err(|error| HttpError::from(BodyError::Unreadable).with_cause(error))?;
        read_capped(pieces, max_body).await?
    } else {
        String::new()
    };
    Ok(WebRequest {
        method,
        origin: url.origin.to_owned(),
        path: url.path.to_owned(),
        query: url.query.to_owned(),
        headers: request.headers().entries().collect(),
        body,
    })
}

fn into_response(response: WebResponse) -> worker::Result<Response> {
    let headers = worker::Headers::new();
    for (name, value) in &response.headers {
        headers.append(name, value)?;
    }
    Ok(Response::ok(response.body)?
        .with_status(response.status)
        .with_headers(headers))
}

/// An export, streamed: the core reads one D1 page per chunk, when the client wants more.
fn into_streamed_response(
    response: WebResponse,
    plan: ExportPlan,
    db: D1,
) -> worker::Result<Response> {
    let headers = worker::Headers::new();
    for (name, value) in &response.headers {
        headers.append(name, value)?;
    }
    let chunks = futures::stream::unfold(Some((plan, db)), |state| async move {
        let (mut plan, db) = state?;
        match plan.next_chunk(&db).await {
            Ok(Some(chunk)) => Some((Ok(chunk.into_bytes()), Some((plan, db)))),
            Ok(None) => None,
            Err(error) => {
                log_error(
                    "export_failed",
                    json!({ "user": plan.user_id, "rows": plan.rows_written(), "error": error.to_string() }),
                );
                let failure = worker::Error::RustError("the export could not be read".into());
                Some((Err(failure), None))
            }
        }
    });
    Ok(Response::from_stream(chunks)?
        .with_status(response.status)
        .with_headers(headers))
}
