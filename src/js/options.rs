//! The wrapper's normalized options, read into the crate's builders.
//!
//! The wrapper (`npm/src/httplib.mjs`) has already turned what users may write (objects,
//! `URLSearchParams`, `Headers`, Blobs, numbers of seconds) into these plain shapes:
//! headers and params as flat `[name, value, ...]` arrays, bodies as strings or
//! `Uint8Array`s, timeouts as `{connect, read, write, pool}` in seconds (`null`: no limit).

use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;
use std::time::Duration;

use futures_util::StreamExt;
use futures_util::future::{Either, select};
use http::header::CONTENT_TYPE;
use js_sys::{Array, Function, Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::convert::error_value;
use crate::backend::FetchCredentials;
use crate::error::{Error, ErrorKind, Result};
use crate::multipart::{Form, Part};
use crate::{Auth, Client, DigestAuth, Limits, RequestBuilder, Timeout};

#[wasm_bindgen]
extern "C" {
    /// A client's options, normalized by the wrapper.
    pub type ClientConfig;
    #[wasm_bindgen(method, getter, js_name = baseUrl)]
    fn base_url(this: &ClientConfig) -> Option<String>;
    #[wasm_bindgen(method, getter, js_name = allowAbsoluteUrls)]
    fn allow_absolute_urls(this: &ClientConfig) -> Option<bool>;
    /// Header names, as strings.
    #[wasm_bindgen(method, getter, js_name = sensitiveHeaders)]
    fn sensitive_headers(this: &ClientConfig) -> Option<Array>;
    #[wasm_bindgen(method, getter)]
    fn headers(this: &ClientConfig) -> Option<Array>;
    #[wasm_bindgen(method, getter)]
    fn timeout(this: &ClientConfig) -> Option<TimeoutConfig>;
    #[wasm_bindgen(method, getter, js_name = followRedirects)]
    fn follow_redirects(this: &ClientConfig) -> Option<bool>;
    #[wasm_bindgen(method, getter, js_name = maxRedirects)]
    fn max_redirects(this: &ClientConfig) -> Option<f64>;
    #[wasm_bindgen(method, getter)]
    fn auth(this: &ClientConfig) -> Option<AuthConfig>;
    #[wasm_bindgen(method, getter)]
    fn cookies(this: &ClientConfig) -> Option<bool>;
    #[wasm_bindgen(method, getter)]
    fn credentials(this: &ClientConfig) -> Option<String>;
    #[wasm_bindgen(method, getter)]
    fn limits(this: &ClientConfig) -> Option<LimitsConfig>;

    /// A request's options, normalized by the wrapper.
    pub type RequestOptions;
    #[wasm_bindgen(method, getter)]
    fn params(this: &RequestOptions) -> Option<Array>;
    #[wasm_bindgen(method, getter)]
    fn headers(this: &RequestOptions) -> Option<Array>;
    /// Already serialized by JS's `JSON.stringify`.
    #[wasm_bindgen(method, getter)]
    fn json(this: &RequestOptions) -> Option<String>;
    #[wasm_bindgen(method, getter)]
    fn form(this: &RequestOptions) -> Option<Array>;
    #[wasm_bindgen(method, getter)]
    fn multipart(this: &RequestOptions) -> Option<Array>;
    /// A string or a `Uint8Array`.
    #[wasm_bindgen(method, getter)]
    fn content(this: &RequestOptions) -> JsValue;
    #[wasm_bindgen(method, getter)]
    fn auth(this: &RequestOptions) -> Option<AuthConfig>;
    #[wasm_bindgen(method, getter)]
    fn timeout(this: &RequestOptions) -> Option<TimeoutConfig>;
    #[wasm_bindgen(method, getter, js_name = followRedirects)]
    fn follow_redirects(this: &RequestOptions) -> Option<bool>;
    #[wasm_bindgen(method, getter, js_name = maxRedirects)]
    fn max_redirects(this: &RequestOptions) -> Option<f64>;
    #[wasm_bindgen(method, getter)]
    pub(super) fn signal(this: &RequestOptions) -> Option<Signal>;

    /// `{connect, read, write, pool}`, each seconds or `null` for no limit.
    pub type TimeoutConfig;
    #[wasm_bindgen(method, getter)]
    fn connect(this: &TimeoutConfig) -> Option<f64>;
    #[wasm_bindgen(method, getter)]
    fn read(this: &TimeoutConfig) -> Option<f64>;
    #[wasm_bindgen(method, getter)]
    fn write(this: &TimeoutConfig) -> Option<f64>;
    #[wasm_bindgen(method, getter)]
    fn pool(this: &TimeoutConfig) -> Option<f64>;

    /// `{scheme: "basic" | "digest" | "bearer", username, password, token}`.
    pub type AuthConfig;
    #[wasm_bindgen(method, getter)]
    fn scheme(this: &AuthConfig) -> String;
    #[wasm_bindgen(method, getter)]
    fn username(this: &AuthConfig) -> Option<String>;
    #[wasm_bindgen(method, getter)]
    fn password(this: &AuthConfig) -> Option<String>;
    #[wasm_bindgen(method, getter)]
    fn token(this: &AuthConfig) -> Option<String>;

    /// `{maxConnections, maxKeepaliveConnections, keepaliveExpiry}`: accepted, and not
    /// applied on this platform (the browser or Node owns the connections).
    pub type LimitsConfig;
    #[wasm_bindgen(method, getter, js_name = maxConnections)]
    fn max_connections(this: &LimitsConfig) -> JsValue;
    #[wasm_bindgen(method, getter, js_name = maxKeepaliveConnections)]
    fn max_keepalive_connections(this: &LimitsConfig) -> JsValue;
    #[wasm_bindgen(method, getter, js_name = keepaliveExpiry)]
    fn keepalive_expiry(this: &LimitsConfig) -> JsValue;

    /// One part of a multipart form: `{name, value, filename?, contentType?}`, where value
    /// is a string (a text field) or a `Uint8Array`.
    type PartConfig;
    #[wasm_bindgen(method, getter)]
    fn name(this: &PartConfig) -> String;
    #[wasm_bindgen(method, getter)]
    fn value(this: &PartConfig) -> JsValue;
    #[wasm_bindgen(method, getter)]
    fn filename(this: &PartConfig) -> Option<String>;
    #[wasm_bindgen(method, getter, js_name = contentType)]
    fn content_type(this: &PartConfig) -> Option<String>;

    /// An `AbortSignal`, as far as it is used here.
    pub type Signal;
    #[wasm_bindgen(method, getter)]
    fn aborted(this: &Signal) -> bool;
    #[wasm_bindgen(method, getter)]
    fn reason(this: &Signal) -> JsValue;
    #[wasm_bindgen(method, js_name = addEventListener)]
    fn add_event_listener(this: &Signal, kind: &str, listener: &Function);
    #[wasm_bindgen(method, js_name = removeEventListener)]
    fn remove_event_listener(this: &Signal, kind: &str, listener: &Function);
}

/// A client built from `config`.
pub(super) fn client(config: &ClientConfig) -> Result<Client> {
    let mut builder = Client::builder();
    if let Some(base) = config.base_url() {
        builder = builder.base_url(base);
    }
    if let Some(allow) = config.allow_absolute_urls() {
        builder = builder.allow_absolute_urls(allow);
    }
    if let Some(names) = config.sensitive_headers() {
        for name in names.iter() {
            let name = name
                .as_string()
                .ok_or_else(|| Error::builder("sensitiveHeaders must be header names"))?;
            builder = builder.sensitive_header(name);
        }
    }
    if let Some(headers) = config.headers() {
        for (name, value) in pairs(&headers)? {
            builder = builder.header(name, value);
        }
    }
    if let Some(timeout) = config.timeout() {
        builder = builder.timeout(timeout_of(&timeout)?);
    }
    if let Some(follow) = config.follow_redirects() {
        builder = builder.follow_redirects(follow);
    }
    if let Some(max) = config.max_redirects() {
        builder = builder.max_redirects(count(max, "maxRedirects")?);
    }
    if let Some(auth) = config.auth() {
        builder = builder.auth(auth_of(&auth)?);
    }
    if let Some(cookies) = config.cookies() {
        builder = builder.cookie_store(cookies);
    }
    if let Some(credentials) = config.credentials() {
        builder = builder.fetch_credentials(match credentials.as_str() {
            "omit" => FetchCredentials::Omit,
            "same-origin" => FetchCredentials::SameOrigin,
            "include" => FetchCredentials::Include,
            other => {
                return Err(Error::builder(format!(
                    "credentials must be \"omit\", \"same-origin\" or \"include\", not {other:?}"
                )));
            }
        });
    }
    if let Some(limits) = config.limits() {
        builder = builder.limits(limits_of(&limits)?);
    }
    builder.build()
}

/// `builder` with the request's options applied; the first invalid one is the error.
pub(super) fn request(mut b: RequestBuilder, o: &RequestOptions) -> Result<RequestBuilder> {
    if let Some(params) = o.params() {
        b = b.query(&pairs(&params)?);
    }
    let mut has_content_type = false;
    if let Some(headers) = o.headers() {
        for (name, value) in pairs(&headers)? {
            has_content_type |= name.eq_ignore_ascii_case(CONTENT_TYPE.as_str());
            b = b.header(name, value);
        }
    }
    if let Some(json) = o.json() {
        // Serialized by JS's JSON; the front-end's `json()` would add the same header.
        b = b.content(json);
        if !has_content_type {
            b = b.header(CONTENT_TYPE, "application/json");
        }
    }
    if let Some(form) = o.form() {
        b = b.form(&pairs(&form)?);
    }
    if let Some(parts) = o.multipart() {
        b = b.multipart(form_of(&parts)?);
    }
    let content = o.content();
    if let Some(text) = content.as_string() {
        b = b.content(text);
    } else if let Some(bytes) = content.dyn_ref::<Uint8Array>() {
        b = b.content(bytes.to_vec());
    } else if let Some(stream) = content.dyn_ref::<web_sys::ReadableStream>() {
        b = b.content(stream_body(stream.clone())?);
    } else if !content.is_undefined() && !content.is_null() {
        return Err(Error::builder(
            "content must be a string, a Uint8Array, an ArrayBuffer, a Blob or a ReadableStream",
        ));
    }
    if let Some(auth) = o.auth() {
        b = b.auth(auth_of(&auth)?);
    }
    if let Some(timeout) = o.timeout() {
        b = b.timeout(timeout_of(&timeout)?);
    }
    if let Some(follow) = o.follow_redirects() {
        b = b.follow_redirects(follow);
    }
    if let Some(max) = o.max_redirects() {
        b = b.max_redirects(count(max, "maxRedirects")?);
    }
    Ok(b)
}

/// `[name, value, name, value, ...]` as pairs.
fn pairs(flat: &Array) -> Result<Vec<(String, String)>> {
    let len = flat.length();
    if len % 2 != 0 {
        return Err(Error::builder(
            "a list of names and values has an odd length",
        ));
    }
    (0..len)
        .step_by(2)
        .map(
            |i| match (flat.get(i).as_string(), flat.get(i + 1).as_string()) {
                (Some(name), Some(value)) => Ok((name, value)),
                _ => Err(Error::builder(
                    "header and parameter names and values must be strings",
                )),
            },
        )
        .collect()
}

fn seconds(value: Option<f64>, what: &str) -> Result<Option<Duration>> {
    value
        .map(|secs| {
            Duration::try_from_secs_f64(secs).map_err(|_| {
                Error::builder(format!(
                    "the {what} timeout must be a number of seconds >= 0, or null, not {}",
                    js_number(secs)
                ))
            })
        })
        .transpose()
}

fn timeout_of(t: &TimeoutConfig) -> Result<Timeout> {
    Ok(Timeout::none()
        .connect(seconds(t.connect(), "connect")?)
        .read(seconds(t.read(), "read")?)
        .write(seconds(t.write(), "write")?)
        .pool(seconds(t.pool(), "pool")?))
}

/// A number as JS writes it (`String(n)`): Rust's float formatting (dragon4 and Grisu, some
/// 18 KiB) stays out of the package's wasm.
fn js_number(n: f64) -> String {
    js_sys::Number::from(n)
        .to_string_with_radix(10)
        .map(String::from)
        .unwrap_or_default()
}

fn count(value: f64, what: &str) -> Result<usize> {
    if value >= 0.0 && value.fract() == 0.0 && value <= u32::MAX as f64 {
        Ok(value as usize)
    } else {
        Err(Error::builder(format!(
            "{what} must be a whole number >= 0, not {}",
            js_number(value)
        )))
    }
}

fn auth_of(a: &AuthConfig) -> Result<Auth> {
    let user = || a.username().unwrap_or_default();
    let password = || a.password().unwrap_or_default();
    match a.scheme().as_str() {
        "basic" => Ok(Auth::basic(user(), password())),
        "digest" => Ok(DigestAuth::new(user(), password()).into()),
        "bearer" => Ok(Auth::bearer(a.token().unwrap_or_default())),
        other => Err(Error::builder(format!("unknown auth scheme {other:?}"))),
    }
}

/// `undefined`: the default; `null`: no limit; a number: that limit.
fn limit(value: JsValue, what: &str) -> Result<Option<Option<f64>>> {
    if value.is_undefined() {
        Ok(None)
    } else if value.is_null() {
        Ok(Some(None))
    } else {
        match value.as_f64() {
            Some(n) if n >= 0.0 => Ok(Some(Some(n))),
            _ => Err(Error::builder(format!(
                "limits.{what} must be a number >= 0 or null"
            ))),
        }
    }
}

fn limits_of(l: &LimitsConfig) -> Result<Limits> {
    let mut limits = Limits::default();
    if let Some(max) = limit(l.max_connections(), "maxConnections")? {
        limits = limits.max_connections(max.map(|n| n as usize));
    }
    if let Some(max) = limit(l.max_keepalive_connections(), "maxKeepaliveConnections")? {
        limits = limits.max_keepalive_connections(max.map(|n| n as usize));
    }
    if let Some(expiry) = limit(l.keepalive_expiry(), "keepaliveExpiry")? {
        limits = limits.keepalive_expiry(seconds(expiry, "keepaliveExpiry")?);
    }
    Ok(limits)
}

fn form_of(parts: &Array) -> Result<Form> {
    let mut form = Form::new();
    for part in parts.iter() {
        let part: PartConfig = part.unchecked_into();
        let value = part.value();
        let mut built = if let Some(text) = value.as_string() {
            Part::text(text)
        } else if let Some(bytes) = value.dyn_ref::<Uint8Array>() {
            Part::bytes(bytes.to_vec())
        } else {
            return Err(Error::builder(format!(
                "the multipart field {:?} must be a string, a Uint8Array or a Blob",
                part.name()
            )));
        };
        if let Some(name) = part.filename() {
            built = built.file_name(name);
        }
        if let Some(mime) = part.content_type() {
            built = built.mime(mime);
        }
        form = form.part(part.name(), built);
    }
    Ok(form)
}

/// Runs `work` until it ends or `signal` aborts; an abort drops `work`, which aborts its
/// fetch, and rejects with the signal's reason, as `fetch` does.
pub(super) async fn abortable<F>(work: F, signal: Signal) -> std::result::Result<JsValue, JsValue>
where
    F: Future<Output = Result<JsValue>>,
{
    if signal.aborted() {
        return Err(signal.reason());
    }
    let listener: Rc<RefCell<Option<Function>>> = Rc::default();
    let aborted = {
        let listener = listener.clone();
        let signal: Signal = JsValue::clone(&signal).unchecked_into();
        Promise::new(&mut move |resolve, _reject| {
            signal.add_event_listener("abort", &resolve);
            *listener.borrow_mut() = Some(resolve);
        })
    };
    let outcome = select(Box::pin(work), JsFuture::from(aborted)).await;
    if let Some(listener) = listener.borrow_mut().take() {
        signal.remove_event_listener("abort", &listener);
    }
    match outcome {
        Either::Left((result, _)) => result.map_err(|e| error_value(&e)),
        Either::Right(_) => Err(signal.reason()),
    }
}

/// A `ReadableStream` of `Uint8Array`s as a one-shot streamed body: the fetch backend
/// streams it on to Node's fetch, and reads it first for a browser's.
fn stream_body(stream: web_sys::ReadableStream) -> Result<crate::Body> {
    let chunks = wasm_streams::ReadableStream::from_raw(stream)
        .try_into_stream()
        .map_err(|_| {
            Error::builder(
                "content is a ReadableStream that is locked: something is reading it already",
            )
        })?
        .map(|chunk| {
            let chunk = chunk.map_err(|e| {
                let (message, _) = crate::backend::describe_js_error(&e);
                Error::new(
                    ErrorKind::Write,
                    format!("the content stream failed: {message}"),
                )
            })?;
            chunk
                .dyn_into::<Uint8Array>()
                .map(|array| bytes::Bytes::from(array.to_vec()))
                .map_err(|_| {
                    Error::builder("the content stream gave a chunk that is not a Uint8Array")
                })
        });
    Ok(crate::Body::from_stream(chunks, None))
}
