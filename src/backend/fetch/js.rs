//! The JS side of the fetch backend: the global `fetch`, headers in and out, errors made
//! readable, the HTTP version from resource timing, and aborting.

use std::sync::OnceLock;

use http::Version;
use http::header::{HeaderMap, HeaderName, HeaderValue, SET_COOKIE};
use js_sys::{Array, Function, Reflect};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{AbortController, RequestInit};

use crate::error::{Error, ErrorKind, Result};

#[wasm_bindgen]
extern "C" {
    /// The global `fetch`, whatever the global object is (window, worker, Node).
    #[wasm_bindgen(js_name = fetch)]
    fn global_fetch(input: &str, init: &RequestInit) -> js_sys::Promise;
}

pub(super) fn fetch(url: &str, init: &RequestInit) -> js_sys::Promise {
    global_fetch(url, init)
}

fn get(target: &JsValue, key: &str) -> Option<JsValue> {
    Reflect::get(target, &JsValue::from_str(key))
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

/// True in Node, whose fetch shows redirects and `Set-Cookie` as they are.
pub(super) fn is_node() -> bool {
    static NODE: OnceLock<bool> = OnceLock::new();
    *NODE.get_or_init(|| {
        get(&js_sys::global(), "process")
            .and_then(|p| get(&p, "versions"))
            .and_then(|v| get(&v, "node"))
            .is_some()
    })
}

/// A JS ByteString (one char per byte, as `Headers` holds values) from header bytes.
fn byte_string(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

/// Header bytes from a JS ByteString; `None` if a char is not a byte.
fn from_byte_string(s: &str) -> Option<Vec<u8>> {
    s.chars().map(|c| u8::try_from(u32::from(c)).ok()).collect()
}

/// A `Headers` object holding `headers`.
pub(super) fn headers(headers: &HeaderMap) -> Result<web_sys::Headers> {
    let out = web_sys::Headers::new().map_err(|e| failure("new Headers()", &e))?;
    for (name, value) in headers {
        out.append(name.as_str(), &byte_string(value.as_bytes()))
            .map_err(|e| failure(&format!("the header {name} cannot be sent by fetch"), &e))?;
    }
    Ok(out)
}

/// The headers of a fetch response. `Set-Cookie` comes from `getSetCookie()`, one value
/// each (joined by commas it could not be parsed); browsers never show it.
pub(super) fn response_headers(response: &web_sys::Response) -> Result<HeaderMap> {
    let headers = response.headers();
    let mut out = HeaderMap::new();
    let entries = js_sys::try_iter(&headers)
        .map_err(|e| failure("reading the response headers", &e))?
        .ok_or_else(|| Error::new(ErrorKind::Protocol, "the response headers are not iterable"))?;
    for entry in entries {
        let entry: Array = entry
            .map_err(|e| failure("reading the response headers", &e))?
            .unchecked_into();
        let name = entry.get(0).as_string().unwrap_or_default();
        if name.eq_ignore_ascii_case("set-cookie") {
            continue;
        }
        if let Some(pair) = header(&name, &entry.get(1).as_string().unwrap_or_default()) {
            out.append(pair.0, pair.1);
        }
    }
    let get_set_cookie = get(&headers, "getSetCookie").and_then(|f| f.dyn_into::<Function>().ok());
    if let Some(get_set_cookie) = get_set_cookie
        && let Ok(cookies) = get_set_cookie.call0(&headers)
    {
        for cookie in Array::from(&cookies).iter() {
            if let Some(value) = cookie
                .as_string()
                .and_then(|c| from_byte_string(&c))
                .and_then(|b| HeaderValue::from_bytes(&b).ok())
            {
                out.append(SET_COOKIE, value);
            }
        }
    }
    Ok(out)
}

fn header(name: &str, value: &str) -> Option<(HeaderName, HeaderValue)> {
    let name = HeaderName::from_bytes(name.as_bytes()).ok()?;
    let value = HeaderValue::from_bytes(&from_byte_string(value)?).ok()?;
    Some((name, value))
}

/// The HTTP version of the last fetch of `url`, from resource timing's `nextHopProtocol`.
/// `None` where the platform records none: Node, a full resource timing buffer, or a
/// cross-origin server without `Timing-Allow-Origin`.
pub(super) fn resource_version(url: &str) -> Option<Version> {
    let performance = get(&js_sys::global(), "performance")?;
    let by_name: Function = get(&performance, "getEntriesByName")?.dyn_into().ok()?;
    let entries = by_name
        .call2(
            &performance,
            &JsValue::from_str(url),
            &JsValue::from_str("resource"),
        )
        .ok()?;
    let entries = Array::from(&entries);
    let last = entries.get(entries.length().checked_sub(1)?);
    match get(&last, "nextHopProtocol")?.as_string()?.as_str() {
        "http/1.0" => Some(Version::HTTP_10),
        "http/1.1" => Some(Version::HTTP_11),
        "h2" | "h2c" => Some(Version::HTTP_2),
        "h3" => Some(Version::HTTP_3),
        _ => None,
    }
}

/// A JS error as readable text: its message, and its cause's message and `code` (Node puts
/// the socket error there), never `JsValue(...)` debug output.
pub(super) fn describe(error: &JsValue) -> (String, Option<String>) {
    let message = |v: &JsValue| {
        get(v, "message")
            .and_then(|m| m.as_string())
            .or_else(|| v.as_string())
            .or_else(|| js_sys::JSON::stringify(v).ok().and_then(|s| s.as_string()))
            .unwrap_or_else(|| "unknown error".to_owned())
    };
    let mut text = message(error);
    let mut code = get(error, "code").and_then(|c| c.as_string());
    if let Some(cause) = get(error, "cause") {
        text = format!("{text}: {}", message(&cause));
        code = code.or_else(|| get(&cause, "code").and_then(|c| c.as_string()));
    }
    (text, code)
}

pub(super) fn failure(what: &str, error: &JsValue) -> Error {
    let (message, _) = describe(error);
    Error::new(ErrorKind::Builder, format!("{what}: {message}"))
}

/// Aborts a fetch when dropped, unless disarmed first: dropping a request future or an
/// unfinished body stops the download.
pub(super) struct AbortOnDrop {
    controller: Option<AbortController>,
}

impl AbortOnDrop {
    pub(super) fn new(controller: AbortController) -> AbortOnDrop {
        AbortOnDrop {
            controller: Some(controller),
        }
    }

    /// Passes the duty to abort to a new owner (the body), leaving this one disarmed.
    pub(super) fn hand_over(&mut self) -> AbortOnDrop {
        AbortOnDrop {
            controller: self.controller.take(),
        }
    }

    /// The fetch is complete: nothing to abort any more.
    pub(super) fn disarm(&mut self) {
        self.controller = None;
    }
}

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if let Some(controller) = self.controller.take() {
            controller.abort();
        }
    }
}
