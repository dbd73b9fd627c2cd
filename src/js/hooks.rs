//! The client's JS hooks, run by the crate's own hooks (`ClientBuilder::on_request`,
//! `on_response`, `on_retry`), so that they see what the Rust hooks see: every request
//! actually sent (each redirect hop, each retry) and every response received.
//!
//! The wrapper composes each list of JS hooks into one function (`request`, `response`,
//! `retry` of [`HooksConfig`]); this side only converts values and calls it. What a hook
//! throws ends the request (see [`Scope`](super::scope::Scope)).

use http::header::{HeaderMap, HeaderName, HeaderValue};
use wasm_bindgen::prelude::*;

use super::convert::{error_value, head_object};
use super::scope::{Scope, current};
use crate::error::{Error, Result};
use crate::layer::Refused;
use crate::{ClientBuilder, Request, Response, StreamingResponse};

#[wasm_bindgen]
extern "C" {
    /// The client's hooks, composed by the wrapper; each is undefined when no JS hook
    /// needs it.
    #[derive(Clone)]
    pub type HooksConfig;
    #[wasm_bindgen(method, getter, js_name = request)]
    fn has_request(this: &HooksConfig) -> JsValue;
    #[wasm_bindgen(method, getter, js_name = response)]
    fn has_response(this: &HooksConfig) -> JsValue;
    #[wasm_bindgen(method, getter, js_name = retry)]
    fn has_retry(this: &HooksConfig) -> JsValue;

    /// Runs the `beforeRequest` hooks on a request about to be sent; its headers' lines
    /// when the hooks changed them. Keeps the request in `context` for `response`.
    #[wasm_bindgen(method, catch)]
    fn request(
        this: &HooksConfig,
        context: &JsValue,
        method: &str,
        url: &str,
        headers: &str,
    ) -> std::result::Result<Option<String>, JsValue>;

    /// Runs the `afterResponse` hooks on the head of a response just received.
    #[wasm_bindgen(method, catch)]
    fn response(
        this: &HooksConfig,
        context: &JsValue,
        head: &JsValue,
        elapsed: f64,
    ) -> std::result::Result<(), JsValue>;

    /// Runs the `beforeRetry` hooks: the request about to be sent again, the error of the
    /// attempt that failed (a `Status` error for a retried status), the retry's number.
    #[wasm_bindgen(method, catch)]
    fn retry(
        this: &HooksConfig,
        method: &str,
        url: &str,
        headers: &str,
        error: &JsValue,
        count: u32,
    ) -> std::result::Result<(), JsValue>;
}

/// `builder` with the Rust hooks that run the JS ones in `hooks`.
pub(super) fn install(mut builder: ClientBuilder, hooks: &HooksConfig) -> ClientBuilder {
    if !hooks.has_request().is_undefined() {
        builder = builder.on_request(before_request);
    }
    if !hooks.has_response().is_undefined() {
        builder = builder.on_response(after_response);
    }
    if !hooks.has_retry().is_undefined() {
        builder = builder.on_retry(before_retry);
    }
    builder
}

/// The scope of the request being sent, with its client's hooks, unless it has ended.
fn live() -> Option<(std::rc::Rc<Scope>, HooksConfig)> {
    let scope = current()?;
    let hooks = scope.hooks()?.clone();
    Some((scope, hooks))
}

fn before_request(request: &mut Request) {
    let Some((scope, hooks)) = live() else {
        return;
    };
    if !scope.failed() {
        let lines = header_lines(request.headers());
        let url = request.url().as_str().to_owned();
        let method = request.method().as_str().to_owned();
        match hooks.request(scope.context(), &method, &url, &lines) {
            Ok(None) => {}
            Ok(Some(changed)) => match parse_lines(&changed) {
                Ok(headers) => *request.headers_mut() = headers,
                Err(e) => scope.fail(error_value(&e.with_url(request.url()))),
            },
            Err(thrown) => scope.threw("beforeRequest hook", thrown),
        }
    }
    // Once the request has ended early, nothing more of it goes out.
    if scope.failed() {
        request.extensions_mut().insert(Refused);
    }
}

fn after_response(response: &StreamingResponse) {
    let Some((scope, hooks)) = live() else {
        return;
    };
    if scope.failed() {
        return;
    }
    let elapsed = response.elapsed().as_secs_f64() * 1000.0;
    if let Err(thrown) = hooks.response(scope.context(), &head_object(response), elapsed) {
        scope.threw("afterResponse hook", thrown);
    }
}

fn before_retry(request: &Request, outcome: Result<&StreamingResponse, &Error>, count: u32) {
    let Some((scope, hooks)) = live() else {
        return;
    };
    if scope.failed() {
        return;
    }
    let error = match outcome {
        // The status, as `raiseForStatus` would report it (the body is not read).
        Ok(response) => error_value(&Error::from_status(Response::new(
            response.head().clone(),
            bytes::Bytes::new(),
        ))),
        Err(e) => error_value(e),
    };
    let lines = header_lines(request.headers());
    let method = request.method().as_str();
    if let Err(thrown) = hooks.retry(method, request.url().as_str(), &lines, &error, count) {
        scope.threw("beforeRetry hook", thrown);
    }
}

/// `name\nvalue\nname\nvalue...`, as the wrapper reads headers.
fn header_lines(headers: &HeaderMap) -> String {
    let mut out = String::new();
    crate::text::push_header_lines(&mut out, headers);
    // Each line is pushed with the newline before it.
    if out.starts_with('\n') {
        out.remove(0);
    }
    out
}

/// Headers from `name\nvalue\n...` (what a `beforeRequest` hook left).
fn parse_lines(lines: &str) -> Result<HeaderMap> {
    let invalid = || Error::builder("a beforeRequest hook set an invalid header");
    let mut headers = HeaderMap::new();
    let mut fields = lines.split('\n');
    while let (Some(name), Some(value)) = (fields.next(), fields.next()) {
        let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| invalid())?;
        let value = HeaderValue::from_str(value).map_err(|_| invalid())?;
        headers.append(name, value);
    }
    Ok(headers)
}
