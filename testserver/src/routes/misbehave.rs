//! Responses that go wrong on purpose: truncated, never sent, or never finished.
//!
//! None of them holds a task forever: the waits end after [`HANG_LIMIT`] with an error,
//! which makes hyper drop the connection (HTTP/1.1) or reset the stream (HTTP/2).

use std::time::Duration;

use http::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderValue};
use http::{Response, StatusCode};

use super::bytes::pattern_chunk;
use super::error::{RouteError, RouteResult};
use super::request::parse_number;
use crate::body::{self, Body, BoxError};

/// How long `/hang` and `/hang-body` keep the client waiting at most.
const HANG_LIMIT: Duration = Duration::from_secs(60);

/// Pause between the last bytes of `/drop-mid-body` and the abort, so hyper flushes them
/// before it tears the connection down.
const FLUSH_PAUSE: Duration = Duration::from_millis(100);

const DROP_CHUNK: u64 = 64 * 1024;

/// `/drop-mid-body/{n}`: announces n bytes, sends n/2, then aborts the connection.
pub(super) fn drop_mid_body(n: &str) -> RouteResult {
    let n: u64 = parse_number(n, "byte count")?;
    let half = n / 2;
    let stream = futures_util::stream::unfold(Some(0u64), move |state| async move {
        let sent = state?;
        if sent < half {
            let len = DROP_CHUNK.min(half - sent);
            let chunk = pattern_chunk(sent, len as usize);
            return Some((Ok(chunk), Some(sent + len)));
        }
        tokio::time::sleep(FLUSH_PAUSE).await;
        let error: BoxError = format!("dropped after {half} of {n} bytes").into();
        Some((Err(error), None))
    });
    let mut response = Response::new(body::from_stream(stream));
    let headers = response.headers_mut();
    headers.insert(CONTENT_LENGTH, HeaderValue::from(n));
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    Ok(response)
}

/// `/hang`: never answers; gives up (dropping the connection) after [`HANG_LIMIT`].
pub(super) async fn hang() -> RouteResult {
    tokio::time::sleep(HANG_LIMIT).await;
    Err(RouteError::Abort(
        "/hang gave up waiting for the client to leave".into(),
    ))
}

/// `/hang-body`: 200 with Content-Length 10, then no body until [`HANG_LIMIT`] aborts it.
pub(super) fn hang_body() -> Response<Body> {
    let stream = futures_util::stream::once(async {
        tokio::time::sleep(HANG_LIMIT).await;
        Err::<bytes::Bytes, BoxError>("/hang-body gave up waiting for the client to leave".into())
    });
    let mut response = Response::new(body::from_stream(stream));
    *response.status_mut() = StatusCode::OK;
    response
        .headers_mut()
        .insert(CONTENT_LENGTH, HeaderValue::from_static("10"));
    response
}
