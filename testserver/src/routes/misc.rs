//! `/close`, `/response-headers`, `/http-version` and `/upload-sink`.

use http::header::{CONNECTION, CONTENT_TYPE, HeaderName, HeaderValue};
use http::{Request, Response, StatusCode, Version};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use serde_json::json;

use super::error::{RouteError, RouteResult};
use super::request::{pairs_to_json, query_pairs, version_name};
use crate::body::{self, Body};

/// `/close`: 200 with `Connection: close`; hyper then closes the HTTP/1.x connection.
/// HTTP/2 has no `Connection` header, so there it is a plain 200.
pub(super) fn close<B>(req: &Request<B>) -> Response<Body> {
    let mut response = body::json(StatusCode::OK, &json!({ "close": true }));
    if req.version() < Version::HTTP_2 {
        response
            .headers_mut()
            .insert(CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

/// `/response-headers?Name=Value&...`: those headers (repeats appended) and a JSON echo.
/// A `Content-Type` among them replaces the JSON one.
pub(super) fn response_headers<B>(req: &Request<B>) -> RouteResult {
    let pairs = query_pairs(req);
    let mut headers = Vec::new();
    for (name, value) in &pairs {
        let Ok(name) = HeaderName::from_bytes(name.as_bytes()) else {
            return Err(RouteError::bad(format!("invalid header name {name:?}")));
        };
        let Ok(value) = HeaderValue::from_str(value) else {
            return Err(RouteError::bad(format!("invalid value for header {name}")));
        };
        headers.push((name, value));
    }
    let mut response = body::json(StatusCode::OK, &pairs_to_json(pairs));
    if headers.iter().any(|(name, _)| name == CONTENT_TYPE) {
        response.headers_mut().remove(CONTENT_TYPE);
    }
    for (name, value) in headers {
        response.headers_mut().append(name, value);
    }
    Ok(response)
}

/// `/http-version`: `HTTP/1.1` or `HTTP/2` as text.
pub(super) fn http_version<B>(req: &Request<B>) -> Response<Body> {
    body::with_type(
        StatusCode::OK,
        "text/plain; charset=utf-8",
        version_name(req.version()),
    )
}

/// `/upload-sink`: reads and discards the body, answers `{"received": N}`.
pub(super) async fn upload_sink(req: Request<Incoming>) -> RouteResult {
    let mut body = req.into_body();
    let mut received: u64 = 0;
    while let Some(frame) = body.frame().await {
        if let Ok(data) = frame?.into_data() {
            received += data.len() as u64;
        }
    }
    Ok(body::json(StatusCode::OK, &json!({ "received": received })))
}
