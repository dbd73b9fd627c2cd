//! The wasm32 backend: the platform's `fetch`, taken from the global scope so that one
//! build works in browsers, web workers and Node.
//!
//! Timeouts use an `AbortController`: one limit for reaching the response head (fetch
//! cannot tell connecting from waiting), and the front-end's read timeout between body
//! chunks, whose expiry drops the body and so aborts the download. Dropping a request
//! future aborts its fetch the same way.
//!
//! Node's fetch returns redirects as they are (`redirect: "manual"`) and shows `Set-Cookie`,
//! so the front-end's redirect policy and cookie jar work there as natively. A browser
//! hides both: there the browser follows redirects when asked to, and owns cookies.

mod body;
mod js;

use std::sync::Arc;

use bytes::Bytes;
use futures_util::TryStreamExt;
use http::StatusCode;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, RequestInit, RequestRedirect, ResponseType};

use self::js::{AbortOnDrop, describe, fetch, is_node};
use super::{Backend, FetchCredentials, FinalUrl, SendOptions, TransportOptions, VersionUnknown};
use crate::body::{Body, BodyParts, ResponseBody};
use crate::config::Timeout;
use crate::error::{Error, ErrorKind, Result};
use crate::runtime::BoxFuture;
use crate::timeouts::within;

pub(crate) fn new(options: &TransportOptions) -> Result<Arc<dyn Backend>> {
    Ok(Arc::new(FetchBackend {
        credentials: options.fetch_credentials,
    }))
}

struct FetchBackend {
    credentials: FetchCredentials,
}

impl Backend for FetchBackend {
    fn send(
        &self,
        request: http::Request<Body>,
        options: SendOptions,
    ) -> BoxFuture<'_, Result<http::Response<ResponseBody>>> {
        Box::pin(send(request, options, self.credentials))
    }

    fn decodes_content(&self) -> bool {
        true
    }
}

/// The limit on reaching the response head: fetch runs connect, write and read as one.
fn head_limit(timeout: &Timeout) -> Option<std::time::Duration> {
    let read = timeout.read?;
    Some(read + timeout.connect.unwrap_or_default() + timeout.write.unwrap_or_default())
}

async fn send(
    request: http::Request<Body>,
    options: SendOptions,
    credentials: FetchCredentials,
) -> Result<http::Response<ResponseBody>> {
    let (parts, body) = request.into_parts();
    let url = parts.uri.to_string();
    let node = is_node();

    let init = RequestInit::new();
    init.set_method(parts.method.as_str());
    init.set_headers(&js::headers(&parts.headers)?.into());
    if let Some(body) = request_body(body).await? {
        init.set_body(&js_sys::Uint8Array::from(&body[..]));
    }
    // Node shows redirects as they are; a browser only as an opaque response, so there the
    // browser follows when the caller wants redirects followed.
    let manual = node || !options.follow_redirects;
    init.set_redirect(if manual {
        RequestRedirect::Manual
    } else {
        RequestRedirect::Follow
    });
    if !node {
        init.set_credentials(match credentials {
            FetchCredentials::Omit => web_sys::RequestCredentials::Omit,
            FetchCredentials::SameOrigin => web_sys::RequestCredentials::SameOrigin,
            FetchCredentials::Include => web_sys::RequestCredentials::Include,
        });
    }
    let controller = AbortController::new().map_err(|e| js_failure("AbortController", &e))?;
    init.set_signal(Some(&controller.signal()));
    // Aborts the fetch if this future is dropped (cancelled, or timed out) before the head.
    let mut abort = AbortOnDrop::new(controller);

    let pending = JsFuture::from(fetch(&url, &init));
    let head = within(
        async { pending.await.map_err(|e| fetch_failed(&e, &url)) },
        head_limit(&options.timeout),
        ErrorKind::ReadTimeout,
    )
    .await?;
    let response: web_sys::Response = head
        .dyn_into()
        .map_err(|e| js_failure("fetch returned something else than a Response", &e))?;

    if response.type_() == ResponseType::Opaqueredirect {
        return Err(Error::new(
            ErrorKind::OpaqueRedirect,
            "the server redirected; a browser does not show redirects that are not followed \
             (turn on follow_redirects to let the browser follow it)",
        ));
    }
    let status = StatusCode::from_u16(response.status()).map_err(|e| {
        Error::new(ErrorKind::Protocol, "fetch returned an invalid status").with_source(e)
    })?;
    let headers = js::response_headers(&response)?;
    let final_url = response.url();
    let version = VersionUnknown::default();
    if let Some(known) = js::resource_version(&final_url) {
        let _ = version.0.set(known);
    }

    let body = match response.body() {
        Some(stream) => body::response_body(
            stream,
            abort.hand_over(),
            final_url.clone(),
            version.0.clone(),
        ),
        None => {
            abort.disarm();
            ResponseBody::from(Bytes::new())
        }
    };
    let mut out = http::Response::new(body);
    *out.status_mut() = status;
    *out.headers_mut() = headers;
    out.extensions_mut().insert(version);
    if response.redirected()
        && let Ok(url) = url::Url::parse(&final_url)
    {
        out.extensions_mut().insert(FinalUrl(url));
    }
    Ok(out)
}

/// The request body as bytes to hand to fetch (browsers only stream uploads over HTTP/2,
/// so a streamed body is read first; `None` for no body).
async fn request_body(body: Body) -> Result<Option<Bytes>> {
    if body.is_empty() {
        return Ok(None);
    }
    let bytes = match body.into_parts() {
        BodyParts::Bytes(bytes) => bytes,
        BodyParts::Stream(stream) => {
            let chunks: Vec<Bytes> = stream.try_collect().await.map_err(|e| {
                Error::new(ErrorKind::Write, "reading the request body failed").with_source(e)
            })?;
            Bytes::from(chunks.concat())
        }
    };
    Ok(Some(bytes))
}

/// A failed fetch, classified as far as the platform tells: Node gives the cause's code,
/// browsers only "Failed to fetch".
fn fetch_failed(error: &wasm_bindgen::JsValue, url: &str) -> Error {
    let (message, code) = describe(error);
    let kind = match code.as_deref() {
        Some("UND_ERR_SOCKET" | "ECONNRESET" | "UND_ERR_CLOSED") => ErrorKind::Read,
        Some(code) if code.starts_with("HPE_") => ErrorKind::Protocol,
        Some("UND_ERR_HEADERS_TIMEOUT" | "UND_ERR_BODY_TIMEOUT") => ErrorKind::ReadTimeout,
        _ => ErrorKind::Connect,
    };
    let detail = match code {
        Some(code) => format!("fetch of {url} failed: {message} ({code})"),
        None => format!("fetch of {url} failed: {message}"),
    };
    Error::new(kind, detail)
}

fn js_failure(what: &str, error: &wasm_bindgen::JsValue) -> Error {
    let (message, _) = describe(error);
    Error::new(ErrorKind::Builder, format!("{what}: {message}"))
}
