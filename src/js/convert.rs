//! The crate's responses and errors as plain JS objects, which the wrapper turns into its
//! `Response` and error classes.

use http::HeaderMap;
use js_sys::{Array, Object, Uint8Array};
use wasm_bindgen::JsValue;

use super::set;
use crate::error::{Error, ErrorKind};
use crate::{Response, StreamingResponse};

/// The name of an [`ErrorKind`], as JS sees it in `err.kind`: the Rust variant's name.
pub(super) fn kind_name(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::ConnectTimeout => "ConnectTimeout",
        ErrorKind::ReadTimeout => "ReadTimeout",
        ErrorKind::WriteTimeout => "WriteTimeout",
        ErrorKind::PoolTimeout => "PoolTimeout",
        ErrorKind::Connect => "Connect",
        ErrorKind::Read => "Read",
        ErrorKind::Write => "Write",
        ErrorKind::Protocol => "Protocol",
        ErrorKind::Proxy => "Proxy",
        ErrorKind::UnsupportedProtocol => "UnsupportedProtocol",
        ErrorKind::TooManyRedirects => "TooManyRedirects",
        ErrorKind::OpaqueRedirect => "OpaqueRedirect",
        ErrorKind::Decode => "Decode",
        ErrorKind::InvalidUrl => "InvalidUrl",
        ErrorKind::Status => "Status",
        ErrorKind::Builder => "Builder",
        ErrorKind::Io => "Io",
    }
}

/// `{kind, message, isRequest, url?, response?}`: the message is the error's `Display`.
pub(super) fn error_value(e: &Error) -> JsValue {
    let out = Object::new();
    set(&out, "kind", kind_name(e.kind()));
    set(&out, "message", e.to_string());
    set(&out, "isRequest", e.is_request());
    if let Some(url) = e.url() {
        set(&out, "url", url.as_str());
    }
    if let Some(response) = e.response() {
        set(&out, "response", response_object(response));
    }
    out.into()
}

/// Headers as a flat array `[name, value, name, value, ...]` (one crossing per string, no
/// array per pair). Values that are not UTF-8 pass as JS ByteStrings, one char per byte, as
/// `Headers` holds them.
fn headers_array(headers: &HeaderMap) -> Array {
    let out = Array::new();
    for (name, value) in headers {
        out.push(&name.as_str().into());
        let value = match value.to_str() {
            Ok(text) => text.to_owned(),
            Err(_) => value.as_bytes().iter().map(|&b| char::from(b)).collect(),
        };
        out.push(&value.into());
    }
    out
}

/// What a response and a streaming response share: status, version, URL, headers, the
/// redirect flag, the status error's message, and the redirects followed.
macro_rules! head_object {
    ($r:expr, $status_error:expr) => {{
        let r = $r;
        let out = Object::new();
        set(&out, "status", r.status_code());
        set(&out, "reason", r.status().canonical_reason().unwrap_or(""));
        set(&out, "httpVersion", r.http_version());
        set(&out, "url", r.url().as_str());
        set(&out, "headers", headers_array(r.headers()));
        set(&out, "isRedirect", r.is_redirect());
        if let Some(message) = $status_error {
            set(&out, "statusError", message);
        }
        let history: Array = r.history().iter().map(response_object).collect();
        set(&out, "history", history);
        out
    }};
}

/// A response with its body: the head's fields and `body` (a `Uint8Array`).
pub(super) fn response_object(r: &Response) -> Object {
    let status_error = r
        .is_error()
        .then(|| r.clone().raise_for_status().err().map(|e| e.to_string()))
        .flatten();
    let out = head_object!(r, status_error);
    set(&out, "body", Uint8Array::from(&r.bytes()[..]));
    out
}

/// The head of a streaming response.
pub(super) fn head_object(r: &StreamingResponse) -> Object {
    let status_error = r.is_error().then(|| {
        Error::from_status(Response {
            head: r.head.clone(),
            body: bytes::Bytes::new(),
            history: r.history.clone(),
        })
        .to_string()
    });
    head_object!(r, status_error)
}
