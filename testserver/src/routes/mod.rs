//! Request dispatch: CORS and `X-Connection-Id` around every route, then one file per
//! endpoint family.

mod auth;
mod bytes;
mod compression;
mod cookies;
mod digest;
mod echo;
mod error;
mod flaky;
mod misbehave;
mod misc;
mod redirect;
mod request;
mod status;
mod text;
mod zeros;

use std::sync::Arc;

use http::header::HeaderValue;
use http::{Request, Response, StatusCode};
use hyper::body::Incoming;
use serde_json::json;

use self::error::RouteResult;
use crate::body::{self, Body, BoxError};
use crate::cors::Cors;
use crate::state::ConnCtx;

/// The hyper service: every request of every listener comes through here. `Err` makes
/// hyper drop the connection (or reset the HTTP/2 stream) without a response.
pub(crate) async fn handle(
    req: Request<Incoming>,
    ctx: Arc<ConnCtx>,
) -> Result<Response<Body>, BoxError> {
    let cors = Cors::from_request(req.headers());
    let mut response = if cors.is_preflight(req.method()) {
        cors.preflight()
    } else {
        match route(req, &ctx).await {
            Ok(response) => response,
            Err(error) => error.into_response()?,
        }
    };
    cors.apply(&mut response);
    response
        .headers_mut()
        .insert("x-connection-id", HeaderValue::from(ctx.id));
    Ok(response)
}

async fn route(req: Request<Incoming>, ctx: &ConnCtx) -> RouteResult {
    let path = req.uri().path().to_owned();
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match segments.as_slice() {
        ["echo"] | ["anything", ..] => echo::echo(req, ctx).await,
        ["delay", secs] => echo::delay(req, ctx, secs).await,
        ["status", code] => status::status(code),
        ["flaky", key, failures] => flaky::flaky(&req, key, failures),
        ["redirect", n] => redirect::relative(n),
        ["absolute-redirect", n] => redirect::absolute(&req, ctx, n),
        ["redirect-to"] => redirect::to(&req),
        ["redirect-loop"] => redirect::to_itself(),
        ["cookies"] => Ok(cookies::list(&req)),
        ["cookies", "set"] => cookies::set_from_query(&req),
        ["cookies", "set", name, value] => cookies::set_one(name, value),
        ["cookies", "delete"] => cookies::delete(&req),
        ["basic-auth", user, passwd] => auth::basic(&req, user, passwd),
        ["bearer"] => Ok(auth::bearer(&req)),
        ["digest-auth", qop, user, passwd] => digest::digest(&req, ctx, qop, user, passwd, None),
        ["digest-auth", qop, user, passwd, algorithm] => {
            digest::digest(&req, ctx, qop, user, passwd, Some(algorithm))
        }
        ["bytes", n] => bytes::fixed(n),
        ["stream-bytes", n] => bytes::streamed(&req, n),
        ["drip"] => bytes::drip(&req),
        ["lines", n] => text::lines(n),
        ["encoding", charset] => Ok(text::encoding(charset)),
        [encoding @ ("gzip" | "deflate" | "brotli" | "zstd")] => compression::json(&req, encoding),
        ["compressed", encoding, n] => compression::zeros(encoding, n),
        ["drop-mid-body", n] => misbehave::drop_mid_body(n),
        ["hang"] => misbehave::hang().await,
        ["hang-body"] => Ok(misbehave::hang_body()),
        ["close"] => Ok(misc::close(&req)),
        ["response-headers"] => misc::response_headers(&req),
        ["http-version"] => Ok(misc::http_version(&req)),
        ["upload-sink"] => misc::upload_sink(req).await,
        _ => Ok(not_found(&path)),
    }
}

fn not_found(path: &str) -> Response<Body> {
    body::json(
        StatusCode::NOT_FOUND,
        &json!({ "error": "not found", "path": path }),
    )
}
