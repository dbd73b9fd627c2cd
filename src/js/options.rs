//! The wrapper's normalized options, read into the crate's builders.
//!
//! The wrapper (`npm/src/httplib.mjs`) maps what users may write through its one table of
//! options (objects, `URLSearchParams`, `Headers`, Blobs, numbers of seconds) into these
//! plain shapes: headers and params as flat `[name, value, ...]` arrays, bodies as strings
//! or `Uint8Array`s, timeouts as `{connect, read, write, pool, total}` in seconds (`null`:
//! no limit), retries as `{limit, methods, statuses, backoffLimit}`. A client's options and
//! a request's have one shape, [`Options`]; the ones both take are set by one function,
//! [`shared`], on either builder.

use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use http::Method;
use http::header::CONTENT_TYPE;
use js_sys::{Array, Function, Uint8Array};
use wasm_bindgen::prelude::*;

use super::hooks::HooksConfig;
use super::registry::Held;
use super::scope::{Direction, Scope};
use crate::backend::FetchCredentials;
use crate::error::{Error, ErrorKind, Result};
use crate::multipart::{Form, Part};
use crate::{Auth, Client, ClientBuilder, DigestAuth, Limits, RequestBuilder, Retry, Timeout};

#[wasm_bindgen]
extern "C" {
    /// A client's or a request's options, normalized by the wrapper (each one is
    /// undefined where it was not given or does not apply).
    pub type Options;

    // A client's own.
    #[wasm_bindgen(method, getter, js_name = baseUrl)]
    fn base_url(this: &Options) -> Option<String>;
    #[wasm_bindgen(method, getter, js_name = allowAbsoluteUrls)]
    fn allow_absolute_urls(this: &Options) -> Option<bool>;
    /// Header names, as strings.
    #[wasm_bindgen(method, getter, js_name = sensitiveHeaders)]
    fn sensitive_headers(this: &Options) -> Option<Array>;
    #[wasm_bindgen(method, getter)]
    fn cookies(this: &Options) -> Option<bool>;
    #[wasm_bindgen(method, getter)]
    fn credentials(this: &Options) -> Option<String>;
    #[wasm_bindgen(method, getter)]
    fn limits(this: &Options) -> Option<LimitsConfig>;
    #[wasm_bindgen(method, getter)]
    pub(super) fn hooks(this: &Options) -> Option<HooksConfig>;

    // Both a client's and a request's (a request's replaces its client's).
    #[wasm_bindgen(method, getter)]
    fn headers(this: &Options) -> Option<Array>;
    #[wasm_bindgen(method, getter)]
    fn auth(this: &Options) -> Option<AuthConfig>;
    #[wasm_bindgen(method, getter)]
    fn timeout(this: &Options) -> Option<TimeoutConfig>;
    #[wasm_bindgen(method, getter)]
    fn retry(this: &Options) -> Option<RetryConfig>;
    #[wasm_bindgen(method, getter, js_name = followRedirects)]
    fn follow_redirects(this: &Options) -> Option<bool>;
    #[wasm_bindgen(method, getter, js_name = maxRedirects)]
    fn max_redirects(this: &Options) -> Option<f64>;

    // A request's own.
    #[wasm_bindgen(method, getter)]
    fn params(this: &Options) -> Option<Array>;
    /// Already serialized by JS's `JSON.stringify`.
    #[wasm_bindgen(method, getter)]
    fn json(this: &Options) -> Option<String>;
    #[wasm_bindgen(method, getter)]
    fn form(this: &Options) -> Option<Array>;
    #[wasm_bindgen(method, getter)]
    fn multipart(this: &Options) -> Option<Array>;
    /// A string, a `Uint8Array` or a `ReadableStream`.
    #[wasm_bindgen(method, getter)]
    fn content(this: &Options) -> JsValue;
    #[wasm_bindgen(method, getter)]
    pub(super) fn signal(this: &Options) -> Option<Signal>;
    /// `({bytes, total}) => void`.
    #[wasm_bindgen(method, getter, js_name = onUploadProgress)]
    pub(super) fn on_upload_progress(this: &Options) -> Option<Function>;
    /// `({bytes, total}) => void`.
    #[wasm_bindgen(method, getter, js_name = onDownloadProgress)]
    pub(super) fn on_download_progress(this: &Options) -> Option<Function>;

    /// `{connect, read, write, pool, total}`, each seconds or `null` for no limit.
    pub type TimeoutConfig;
    #[wasm_bindgen(method, getter)]
    fn connect(this: &TimeoutConfig) -> Option<f64>;
    #[wasm_bindgen(method, getter)]
    fn read(this: &TimeoutConfig) -> Option<f64>;
    #[wasm_bindgen(method, getter)]
    fn write(this: &TimeoutConfig) -> Option<f64>;
    #[wasm_bindgen(method, getter)]
    fn pool(this: &TimeoutConfig) -> Option<f64>;
    #[wasm_bindgen(method, getter)]
    fn total(this: &TimeoutConfig) -> Option<f64>;

    /// `{limit, methods?, statuses?, backoffLimit?}`: methods as strings, statuses as
    /// numbers, the backoff's cap in seconds.
    pub type RetryConfig;
    #[wasm_bindgen(method, getter)]
    fn limit(this: &RetryConfig) -> f64;
    #[wasm_bindgen(method, getter)]
    fn methods(this: &RetryConfig) -> Option<Array>;
    #[wasm_bindgen(method, getter)]
    fn statuses(this: &RetryConfig) -> Option<Array>;
    #[wasm_bindgen(method, getter, js_name = backoffLimit)]
    fn backoff_limit(this: &RetryConfig) -> Option<f64>;

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

    /// `{maxConnections, maxKeepaliveConnections, keepaliveExpiry}`: `maxConnections` caps
    /// the requests in flight; the others are accepted, and not applied on this platform
    /// (the browser or Node owns the connections).
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
    pub(super) fn aborted(this: &Signal) -> bool;
    #[wasm_bindgen(method, getter)]
    pub(super) fn reason(this: &Signal) -> JsValue;
    #[wasm_bindgen(method, js_name = addEventListener)]
    pub(super) fn add_event_listener(this: &Signal, kind: &str, listener: &Function);
    #[wasm_bindgen(method, js_name = removeEventListener)]
    pub(super) fn remove_event_listener(this: &Signal, kind: &str, listener: &Function);
}

/// The builders of a client and of a request: the options both take are set the same way
/// on either (see [`shared`]).
trait Shared: Sized {
    fn set_header(self, name: String, value: String) -> Self;
    fn set_auth(self, auth: Auth) -> Self;
    fn set_timeout(self, timeout: Timeout) -> Self;
    fn set_retry(self, retry: Retry) -> Self;
    fn set_follow_redirects(self, follow: bool) -> Self;
    fn set_max_redirects(self, max: usize) -> Self;
}

macro_rules! shared_builder {
    ($builder:ty) => {
        impl Shared for $builder {
            fn set_header(self, name: String, value: String) -> Self {
                self.header(name, value)
            }
            fn set_auth(self, auth: Auth) -> Self {
                self.auth(auth)
            }
            fn set_timeout(self, timeout: Timeout) -> Self {
                self.timeout(timeout)
            }
            fn set_retry(self, retry: Retry) -> Self {
                self.retry(retry)
            }
            fn set_follow_redirects(self, follow: bool) -> Self {
                self.follow_redirects(follow)
            }
            fn set_max_redirects(self, max: usize) -> Self {
                self.max_redirects(max)
            }
        }
    };
}

shared_builder!(ClientBuilder);
shared_builder!(RequestBuilder);

/// `builder` with the options a client and a request both take, from `o`.
fn shared<B: Shared>(mut b: B, o: &Options) -> Result<B> {
    if let Some(headers) = o.headers() {
        for (name, value) in pairs(&headers)? {
            b = b.set_header(name, value);
        }
    }
    if let Some(auth) = o.auth() {
        b = b.set_auth(auth_of(&auth)?);
    }
    if let Some(timeout) = o.timeout() {
        b = b.set_timeout(timeout_of(&timeout)?);
    }
    if let Some(retry) = o.retry() {
        b = b.set_retry(retry_of(&retry)?);
    }
    if let Some(follow) = o.follow_redirects() {
        b = b.set_follow_redirects(follow);
    }
    if let Some(max) = o.max_redirects() {
        b = b.set_max_redirects(count(max, "maxRedirects")?);
    }
    Ok(b)
}

/// A client built from `o`.
pub(super) fn client(o: &Options) -> Result<Client> {
    let mut builder = Client::builder();
    if let Some(base) = o.base_url() {
        builder = builder.base_url(base);
    }
    if let Some(allow) = o.allow_absolute_urls() {
        builder = builder.allow_absolute_urls(allow);
    }
    if let Some(names) = o.sensitive_headers() {
        for name in names.iter() {
            let name = name
                .as_string()
                .ok_or_else(|| Error::builder("sensitiveHeaders must be header names"))?;
            builder = builder.sensitive_header(name);
        }
    }
    builder = shared(builder, o)?;
    if let Some(cookies) = o.cookies() {
        builder = builder.cookie_store(cookies);
    }
    if let Some(credentials) = o.credentials() {
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
    if let Some(limits) = o.limits() {
        builder = builder.limits(limits_of(&limits)?);
    }
    if let Some(hooks) = o.hooks() {
        builder = super::hooks::install(builder, &hooks);
    }
    builder.build()
}

/// `b` with the request's options `o` applied; the first invalid one is the error. The
/// progress callbacks report through `scope` (which has them, when `o` does).
pub(super) fn request(
    mut b: RequestBuilder,
    o: &Options,
    scope: Option<&Rc<Scope>>,
) -> Result<RequestBuilder> {
    if let Some(params) = o.params() {
        b = b.query(&pairs(&params)?);
    }
    b = shared(b, o)?;
    if let Some(json) = o.json() {
        // Serialized by JS's JSON; the front-end's `json()` would add the same header.
        let has_content_type = o.headers().is_some_and(|flat| {
            (0..flat.length()).step_by(2).any(|i| {
                flat.get(i)
                    .as_string()
                    .is_some_and(|name| name.eq_ignore_ascii_case(CONTENT_TYPE.as_str()))
            })
        });
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
    if let Some(scope) = scope {
        b = progress(b, scope);
    }
    Ok(b)
}

/// `b` reporting its progress to the scope's callbacks. The crate's callbacks are `Send +
/// Sync` and JS functions are neither: the callbacks carry a key to the scope, which stays
/// on this side (see [`registry`](super::registry)).
fn progress(mut b: RequestBuilder, scope: &Rc<Scope>) -> RequestBuilder {
    let (upload, download) = (
        scope.reports(Direction::Upload),
        scope.reports(Direction::Download),
    );
    if !upload && !download {
        return b;
    }
    let held = Arc::new(Held::new(scope.clone()));
    if upload {
        let held = held.clone();
        b = b.on_upload_progress(move |p| {
            if let Some(scope) = held.get() {
                scope.progress(Direction::Upload, p);
            }
        });
    }
    if download {
        b = b.on_download_progress(move |p| {
            if let Some(scope) = held.get() {
                scope.progress(Direction::Download, p);
            }
        });
    }
    b
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
                    "{what} must be a number of seconds >= 0, or null, not {}",
                    js_number(secs)
                ))
            })
        })
        .transpose()
}

fn timeout_of(t: &TimeoutConfig) -> Result<Timeout> {
    Ok(Timeout::none()
        .connect(seconds(t.connect(), "the connect timeout")?)
        .read(seconds(t.read(), "the read timeout")?)
        .write(seconds(t.write(), "the write timeout")?)
        .pool(seconds(t.pool(), "the pool timeout")?)
        .total(seconds(t.total(), "the total timeout")?))
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

/// A `Retry` from `{limit, methods, statuses, backoffLimit}`.
fn retry_of(r: &RetryConfig) -> Result<Retry> {
    let limit = count(r.limit(), "retry.limit")?;
    let mut retry = Retry::new(u32::try_from(limit).unwrap_or(u32::MAX));
    if let Some(methods) = r.methods() {
        let methods = methods
            .iter()
            .map(|m| match m.as_string() {
                Some(name) => super::parse_method(&name),
                None => Err(Error::builder("retry.methods must be method names")),
            })
            .collect::<Result<Vec<Method>>>()?;
        retry = retry.methods(methods);
    }
    if let Some(statuses) = r.statuses() {
        let statuses = statuses
            .iter()
            .map(|s| match s.as_f64() {
                Some(n) if (100.0..=999.0).contains(&n) && n.fract() == 0.0 => Ok(n as u16),
                _ => Err(Error::builder(
                    "retry.statuses must be status codes, from 100 to 999",
                )),
            })
            .collect::<Result<Vec<u16>>>()?;
        retry = retry.statuses(statuses);
    }
    if let Some(max) = seconds(r.backoff_limit(), "retry.backoffLimit")? {
        retry = retry.backoff(crate::retry::DEFAULT_BASE, max);
    }
    Ok(retry)
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
        limits = limits.keepalive_expiry(seconds(expiry, "limits.keepaliveExpiry")?);
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
