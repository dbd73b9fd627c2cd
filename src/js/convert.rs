//! The crate's responses and errors as plain JS objects, which the wrapper turns into its
//! `Response` and error classes.
//!
//! Each object is made by one call into JS with every field as an argument (a small
//! `inline_js` function returning an object literal), not field by field: setting
//! properties from Rust costs a crossing, and a key string, per field.

use http::HeaderMap;
use js_sys::Array;
use wasm_bindgen::prelude::*;

use crate::error::{Error, ErrorKind};
use crate::{Response, ResponseHead, StreamingResponse};

#[wasm_bindgen(inline_js = r#"
// `head` is "httpVersion\nurl\nreason", then "\n" and the headers' lines, if any.
export function response(status, head, isRedirect, statusError, history, body) {
  const a = head.indexOf("\n");
  const b = head.indexOf("\n", a + 1);
  const c = head.indexOf("\n", b + 1);
  return {
    status,
    reason: c < 0 ? head.slice(b + 1) : head.slice(b + 1, c),
    httpVersion: head.slice(0, a),
    url: head.slice(a + 1, b),
    headers: c < 0 ? "" : head.slice(c + 1),
    isRedirect,
    statusError,
    history,
    body: body === undefined ? undefined : body.slice(),
  };
}

export function error(kind, message, isRequest, url, response) {
  return { kind, message, isRequest, url, response };
}
"#)]
extern "C" {
    /// `{status, reason, httpVersion, url, headers, isRedirect, statusError, history, body}`
    /// from `head` (`"httpVersion\nurl\nreason"`, then the header lines: one string to
    /// pass, not five); `body` (copied out of the wasm memory) is undefined for a stream's
    /// head.
    #[wasm_bindgen(js_name = response)]
    fn make_response(
        status: u16,
        head: &str,
        is_redirect: bool,
        status_error: Option<String>,
        history: JsValue,
        body: Option<&[u8]>,
    ) -> JsValue;

    /// `{kind, message, isRequest, url, response}`.
    #[wasm_bindgen(js_name = error)]
    fn make_error(
        kind: &str,
        message: &str,
        is_request: bool,
        url: Option<&str>,
        response: JsValue,
    ) -> JsValue;
}

/// The name of an [`ErrorKind`], as JS sees it in `err.kind`: the Rust variant's name.
pub(super) fn kind_name(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::ConnectTimeout => "ConnectTimeout",
        ErrorKind::ReadTimeout => "ReadTimeout",
        ErrorKind::WriteTimeout => "WriteTimeout",
        ErrorKind::PoolTimeout => "PoolTimeout",
        ErrorKind::TotalTimeout => "TotalTimeout",
        ErrorKind::Connect => "Connect",
        ErrorKind::Read => "Read",
        ErrorKind::Write => "Write",
        ErrorKind::Protocol => "Protocol",
        ErrorKind::Proxy => "Proxy",
        ErrorKind::UnsupportedProtocol => "UnsupportedProtocol",
        ErrorKind::TooManyRedirects => "TooManyRedirects",
        ErrorKind::Redirect => "Redirect",
        ErrorKind::OpaqueRedirect => "OpaqueRedirect",
        ErrorKind::Decode => "Decode",
        ErrorKind::InvalidUrl => "InvalidUrl",
        ErrorKind::Status => "Status",
        ErrorKind::Builder => "Builder",
        ErrorKind::Io => "Io",
        ErrorKind::Cancelled => "Cancelled",
    }
}

/// `{kind, message, isRequest, url?, response?}`: the message is the error's `Display`.
pub(super) fn error_value(e: &Error) -> JsValue {
    let response = match e.response() {
        Some(response) => response_object(response),
        None => JsValue::UNDEFINED,
    };
    make_error(
        kind_name(e.kind()),
        &e.to_string(),
        e.is_request(),
        e.url().map(url::Url::as_str),
        response,
    )
}

/// `httpVersion\nurl\nreason`, then a line for each header name and each value.
fn head_lines(version: &str, url: &str, reason: &str, headers: &HeaderMap) -> String {
    let mut out = String::with_capacity(version.len() + url.len() + 32 * (1 + headers.len()));
    out.push_str(version);
    out.push('\n');
    out.push_str(url);
    out.push('\n');
    out.push_str(reason);
    crate::text::push_header_lines(&mut out, headers);
    out
}

/// What a response and a streaming response share: status, version, URL, headers, the
/// redirect flag, the status error's message, and the redirects followed.
fn head_value(r: &ResponseHead, status_error: Option<String>, body: Option<&[u8]>) -> JsValue {
    let history = if r.history().is_empty() {
        JsValue::UNDEFINED
    } else {
        r.history()
            .iter()
            .map(response_object)
            .collect::<Array>()
            .into()
    };
    let head = head_lines(
        r.http_version(),
        r.url().as_str(),
        r.status().canonical_reason().unwrap_or(""),
        r.headers(),
    );
    make_response(
        r.status_code(),
        &head,
        r.is_redirect(),
        status_error,
        history,
        body,
    )
}

/// A response with its body: the head's fields and `body` (a `Uint8Array`).
pub(super) fn response_object(r: &Response) -> JsValue {
    let status_error = r
        .is_error()
        .then(|| r.clone().raise_for_status().err().map(|e| e.to_string()))
        .flatten();
    head_value(r, status_error, Some(&r.bytes()[..]))
}

/// The head of a streaming response.
pub(super) fn head_object(r: &StreamingResponse) -> JsValue {
    let status_error = r.is_error().then(|| {
        Error::from_status(Response::new(r.head().clone(), bytes::Bytes::new())).to_string()
    });
    head_value(r, status_error, None)
}
