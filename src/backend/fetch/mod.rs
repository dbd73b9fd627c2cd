//! The wasm32 backend: the platform's `fetch`, taken from the global scope so that one
//! build works in browsers, web workers and Node. In Node the same JS calls go through
//! node:http and node:https instead (`node_http.js`: Node's fetch costs about 1.5 times as
//! much per request), unless `globalThis.fetch` has been replaced, by a mock say.
//!
//! Timeouts use an `AbortController`: one limit for reaching the response head, the largest
//! of connect, write and read (fetch cannot tell connecting from waiting; the limit counts
//! from the upload's last progress), and the front-end's read timeout between body
//! chunks, whose expiry drops the body and so aborts the download. Dropping a request
//! future aborts its fetch the same way.
//!
//! Node shows redirects as they are (node:http, or fetch's `redirect: "manual"`) and
//! `Set-Cookie`, so the front-end's redirect policy and cookie jar work there as natively.
//! A browser hides both: there the browser follows redirects when asked to, and owns
//! cookies.
//!
//! The JS side is a small `inline_js` module (`js.rs`), so that a request costs few
//! crossings between wasm and JS: one to start the fetch, one for the whole head, one per
//! body chunk (often answered at once: reads run a chunk ahead), and promises are awaited
//! through one long-lived closure (`promise.rs`) rather than two new ones each.

mod body;
mod js;
mod promise;

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::rc::Rc;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use bytes::Bytes;
use futures_util::{StreamExt, TryStreamExt};
use http::StatusCode;
use http::header::CONTENT_LENGTH;
use wasm_bindgen::JsValue;

#[cfg(feature = "js-api")]
pub(crate) use self::js::describe as describe_js_error;
use self::js::{Upload, describe, is_node};
use self::promise::PromiseFuture;
use super::in_flight::{InFlight, Slot};
use super::{
    Backend, FetchCredentials, FinalUrl, SendOptions, TransportOptions, VersionUnknown, head_limit,
};
use crate::body::{Body, BodyParts, ResponseBody};
use crate::error::{Error, ErrorKind, Result};
use crate::runtime::{BoxFuture, Instant};
use crate::timeouts::Deadline;

pub(crate) fn new(options: &TransportOptions) -> Result<Arc<dyn Backend>> {
    Ok(Arc::new(FetchBackend {
        credentials: options.fetch_credentials,
        in_flight: InFlight::new(options.limits.max_connections),
    }))
}

struct FetchBackend {
    credentials: FetchCredentials,
    /// `max_connections` as a cap on requests in flight (the platform owns connections).
    in_flight: Option<Arc<InFlight>>,
}

impl Backend for FetchBackend {
    fn send(
        &self,
        request: http::Request<Body>,
        options: SendOptions,
    ) -> BoxFuture<'_, Result<http::Response<ResponseBody>>> {
        Box::pin(async move {
            let slot = InFlight::turn(self.in_flight.as_ref(), options.timeout.pool).await?;
            send(request, options, self.credentials, slot).await
        })
    }

    fn decodes_content(&self) -> bool {
        true
    }
}

/// Runs `fut` (the fetch, up to its head) until `limit` after the upload's last progress
/// (or the start), then fails with a read timeout: the caller drops the fetch, which
/// aborts it.
async fn within_head_limit<F: Future>(
    fut: F,
    limit: Option<Duration>,
    progress: &Cell<Instant>,
) -> Result<F::Output> {
    let mut fut = std::pin::pin!(fut);
    let mut timer = Deadline::default();
    std::future::poll_fn(|cx| {
        if let Poll::Ready(out) = fut.as_mut().poll(cx) {
            return Poll::Ready(Ok(out));
        }
        // No limit, or one past the end of the clock.
        let Some((limit, deadline)) =
            limit.and_then(|limit| Some((limit, progress.get().checked_add(limit)?)))
        else {
            return Poll::Pending;
        };
        timer
            .poll_at(cx, deadline)
            .map(|()| Err(Error::timeout(ErrorKind::ReadTimeout, limit)))
    })
    .await
}

async fn send(
    request: http::Request<Body>,
    options: SendOptions,
    credentials: FetchCredentials,
    slot: Option<Slot>,
) -> Result<http::Response<ResponseBody>> {
    let (mut parts, body) = request.into_parts();
    let url = parts.uri.to_string();
    let node = is_node();
    let failure = UploadFailure::default();
    // When the upload last made progress: the head limit counts from there, so that a long
    // upload that keeps moving is not cut off (as natively, where the write timeout bounds
    // each stall).
    let progress = Rc::new(Cell::new(Instant::now()));
    let body = request_body(body, node, &failure, &progress).await?;
    if let (Upload::Stream { len: Some(len), .. }, None) =
        (&body, parts.headers.get(CONTENT_LENGTH))
    {
        // A stream of known length goes out with it rather than chunked (fetch sets it
        // for bytes itself; Node's fetch checks that the stream gives exactly that much).
        parts.headers.insert(CONTENT_LENGTH, (*len).into());
    }
    // Node shows redirects as they are; a browser only as an opaque response, so there the
    // browser follows when the caller wants redirects followed.
    let manual = node || !options.follow_redirects;
    // fetch's `credentials`, in browsers only: 0 leaves fetch's default.
    let credentials = match credentials {
        _ if node => 0,
        FetchCredentials::Omit => 1,
        FetchCredentials::SameOrigin => 2,
        FetchCredentials::Include => 3,
    };
    let limit = head_limit(&options.timeout);
    // Aborts the fetch if this future is dropped (cancelled, or past the head limit) before
    // the head.
    let js::Started {
        pending,
        mut abort,
        node_http,
    } = js::start_fetch(
        &url,
        parts.method.as_str(),
        &parts.headers,
        body,
        manual,
        credentials,
    )?;
    let response = within_head_limit(PromiseFuture::new(&pending), limit, &progress)
        .await?
        .map_err(|e| failure.take().unwrap_or_else(|| fetch_failed(&e, &url)))?;
    let head = js::response_head(&response)?;
    if head.opaque_redirect {
        return Err(Error::new(
            ErrorKind::OpaqueRedirect,
            "the server redirected; a browser does not show redirects that are not followed \
             (turn on follow_redirects to let the browser follow it)",
        ));
    }
    let status = StatusCode::from_u16(head.status).map_err(|e| {
        Error::new(ErrorKind::Protocol, "fetch returned an invalid status").with_source(e)
    })?;
    let version = VersionUnknown::default();
    let (known, remote_addr) = if node_http {
        js::node_response_facts(&response)
    } else {
        (js::resource_version(&head.url), None)
    };
    if let Some(known) = known {
        let _ = version.0.set(known);
    }

    let body = if head.has_body {
        body::response_body(
            response,
            abort.hand_over(),
            head.url.clone(),
            version.0.clone(),
            slot,
        )
    } else {
        abort.finish();
        ResponseBody::from(Bytes::new())
    };
    let body = match remote_addr {
        Some(addr) => body.with_remote_addr(addr),
        None => body,
    };
    let mut out = http::Response::new(body);
    *out.status_mut() = status;
    *out.headers_mut() = head.headers;
    out.extensions_mut().insert(version);
    if head.redirected
        && let Ok(url) = url::Url::parse(&head.url)
    {
        out.extensions_mut().insert(FinalUrl(url));
    }
    Ok(out)
}

/// Where a streamed upload keeps its own failure: fetch only says that it failed.
type UploadFailure = Rc<RefCell<Option<Error>>>;

/// The request body as fetch takes it. Node streams it as it is read; browsers stream
/// uploads only over HTTP/2, which a page can neither choose nor know before the request
/// (and a stream half sent cannot be sent again), so there a streamed body is read first.
async fn request_body(
    body: Body,
    node: bool,
    failure: &UploadFailure,
    progress: &Rc<Cell<Instant>>,
) -> Result<Upload> {
    if body.is_empty() {
        return Ok(Upload::None);
    }
    let failed = |e| Error::new(ErrorKind::Write, "reading the request body failed").with_source(e);
    let len = body.content_length();
    Ok(match body.into_parts() {
        BodyParts::Bytes(bytes) => Upload::Bytes(bytes),
        BodyParts::Stream(stream) if node => {
            let failure = failure.clone();
            let progress = progress.clone();
            let chunks = stream.map(move |chunk| match chunk {
                Ok(bytes) => {
                    progress.set(Instant::now());
                    Ok(JsValue::from(js_sys::Uint8Array::from(&bytes[..])))
                }
                Err(e) => {
                    let e = failed(e);
                    let message = JsValue::from(js_sys::Error::new(&e.to_string()));
                    *failure.borrow_mut() = Some(e);
                    Err(message)
                }
            });
            Upload::Stream {
                stream: wasm_streams::ReadableStream::from_stream(chunks).into_raw(),
                len,
            }
        }
        BodyParts::Stream(stream) => {
            let chunks: Vec<Bytes> = stream.try_collect().await.map_err(failed)?;
            let bytes = Bytes::from(chunks.concat());
            match len {
                Some(len) if len != bytes.len() as u64 => {
                    return Err(Error::new(
                        ErrorKind::Write,
                        format!(
                            "the request body gave {} bytes, not the {len} it declared",
                            bytes.len()
                        ),
                    ));
                }
                _ => Upload::Bytes(bytes),
            }
        }
    })
}

/// A failed fetch, classified as far as the platform tells: Node gives the cause's code,
/// browsers only "Failed to fetch".
fn fetch_failed(error: &wasm_bindgen::JsValue, url: &str) -> Error {
    let (message, code) = describe(error);
    let kind = match code.as_deref() {
        Some("UND_ERR_SOCKET" | "ECONNRESET" | "UND_ERR_CLOSED") => ErrorKind::Read,
        Some(code) if code.starts_with("HPE_") => ErrorKind::Protocol,
        // A streamed upload that gave more or less than its declared length.
        Some("UND_ERR_REQ_CONTENT_LENGTH_MISMATCH" | "ERR_HTTP_CONTENT_LENGTH_MISMATCH") => {
            ErrorKind::Write
        }
        Some("UND_ERR_HEADERS_TIMEOUT" | "UND_ERR_BODY_TIMEOUT") => ErrorKind::ReadTimeout,
        // node_http.js: more content codings than it decodes (as natively, a Decode error).
        Some("HTTPLIB_TOO_MANY_CODINGS") => ErrorKind::Decode,
        _ => ErrorKind::Connect,
    };
    let detail = match code {
        Some(code) => format!("fetch of {url} failed: {message} ({code})"),
        None => format!("fetch of {url} failed: {message}"),
    };
    Error::new(kind, detail)
}
