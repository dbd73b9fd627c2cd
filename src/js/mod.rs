//! The JavaScript face of the npm package: wasm-bindgen exports that turn the options the
//! package's wrapper (`npm/src/httplib.mjs`) has normalized into the crate's builders, and
//! the crate's responses and errors into JS values.
//!
//! No HTTP logic lives here: base URLs, default headers, query strings, bodies, cookies,
//! auth, redirects, retries, timeouts, hooks, progress and text decoding are the
//! front-end's, exactly as for Rust callers: JS callbacks are called from the crate's own
//! hooks and progress callbacks, and a request's `AbortSignal` drops its future (see
//! `scope`). JSON is parsed and serialized by JS's own `JSON` in the wrapper, so
//! serde_json's (de)serializers stay out of the package's wasm.
//!
//! Compiled only for wasm32 with the `js-api` feature (off by default, so that Rust users of
//! the crate on wasm32 get no JS exports in their bindings). These exports are the wrapper's
//! private interface; the public JS API is the wrapper's, documented in `npm/README.md`.

mod convert;
mod hooks;
mod options;
pub(crate) mod public_suffix;
mod registry;
mod scope;
mod stream;

use http::Method;
use js_sys::{Array, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use self::convert::{error_value, response_object};
use self::hooks::HooksConfig;
use self::options::Options;
use self::scope::{Scope, guarded};
use self::stream::RawStream;
use crate::error::{Error, ErrorKind};
use crate::{Client, RequestBuilder};

/// A [`Client`] for JS: the wrapper's `Client` holds one.
#[wasm_bindgen]
pub struct RawClient {
    client: Client,
    /// The JS hooks, which the client's Rust hooks find through each request's scope.
    hooks: Option<HooksConfig>,
}

#[wasm_bindgen]
impl RawClient {
    /// A client configured by the wrapper's normalized options.
    #[wasm_bindgen(constructor)]
    pub fn new(config: &Options) -> Result<RawClient, JsValue> {
        let client = options::client(config).map_err(|e| error_value(&e))?;
        Ok(RawClient {
            client,
            hooks: config.hooks(),
        })
    }

    /// Sends a request; resolves to a response object, or to a [`RawStream`] when `stream`.
    /// `options` is undefined when the call has none.
    pub fn send(&self, method: &str, url: &str, options: Option<Options>, stream: bool) -> Promise {
        match parse_method(method) {
            Ok(method) => send(
                self.client.request(method, url),
                self.hooks.as_ref(),
                options,
                stream,
            ),
            Err(e) => Promise::reject(&error_value(&e)),
        }
    }

    /// The cookies the client would send to `url`, as `[name, value]` pairs (Node; a
    /// browser keeps cookies to itself).
    pub fn cookies(&self, url: &str) -> Result<Array, JsValue> {
        let url = url::Url::parse(url).map_err(|e| {
            error_value(&Error::new(ErrorKind::InvalidUrl, "cannot parse the URL").with_source(e))
        })?;
        let out = Array::new();
        if let Some(jar) = self.client.cookie_jar() {
            for (name, value) in jar.cookies(&url) {
                out.push(&Array::of2(&name.into(), &value.into()));
            }
        }
        Ok(out)
    }

    /// Closes the client: later requests fail.
    pub fn close(&self) {
        self.client.close();
    }
}

/// Sends a one-off request on a new client (`httplib::request`), as the top-level functions do.
#[wasm_bindgen(js_name = sendOnce)]
pub fn send_once(method: &str, url: &str, options: Option<Options>, stream: bool) -> Promise {
    match parse_method(method) {
        Ok(method) => send(crate::request(method, url), None, options, stream),
        Err(e) => Promise::reject(&error_value(&e)),
    }
}

/// The charset label of a `Content-Type` value, as the front-end reads it (`undefined`
/// when none is declared): the wrapper decodes text with the platform's `TextDecoder`
/// (WHATWG's encodings, the same labels and decoders as encoding_rs's), so the package's
/// wasm carries no decoding tables.
#[wasm_bindgen]
pub fn charset(content_type: &str) -> Option<String> {
    let mut headers = http::HeaderMap::new();
    let value = http::HeaderValue::from_str(content_type).ok()?;
    headers.insert(http::header::CONTENT_TYPE, value);
    crate::text::charset_label(&headers)
}

/// The error for a body that is not valid text in the encoding `name` (the canonical
/// WHATWG name, as `text()` names it), with the URL when there is one.
#[wasm_bindgen(js_name = decodeError)]
pub fn decode_error(name: &str, url: Option<String>) -> JsValue {
    let mut e = crate::text::invalid_text(name);
    if let Some(url) = url.as_deref().and_then(|u| url::Url::parse(u).ok()) {
        e = e.with_url(&url);
    }
    error_value(&e)
}

/// The error `Response::json` gives for a body that is not JSON, with `detail` (JS's
/// `SyntaxError` message) as its source: the wrapper parses with JS's `JSON`.
#[wasm_bindgen(js_name = jsonError)]
pub fn json_error(url: &str, detail: String) -> JsValue {
    let mut e = Error::decode("the body is not the JSON expected").with_source(detail);
    if let Ok(url) = url::Url::parse(url) {
        e = e.with_url(&url);
    }
    error_value(&e)
}

pub(super) fn parse_method(method: &str) -> Result<Method, Error> {
    Method::from_bytes(method.as_bytes())
        .map_err(|e| Error::builder(format!("invalid method {method:?}")).with_source(e))
}

/// Applies `options` to `builder`, sends it, and settles the promise with a response object
/// or a [`RawStream`], or rejects it with an error object. The request runs in its
/// [`Scope`] when it has one (a signal, hooks or progress callbacks): until it ends, or
/// until the scope ends it early.
fn send(
    builder: RequestBuilder,
    hooks: Option<&HooksConfig>,
    options: Option<Options>,
    stream: bool,
) -> Promise {
    let scope = match Scope::new(builder.url().cloned(), hooks, options.as_ref()) {
        Ok(scope) => scope,
        // The signal has fired already: nothing is sent.
        Err(cancelled) => return Promise::reject(&cancelled),
    };
    let prepared = match &options {
        Some(options) => options::request(builder, options, scope.as_ref()),
        None => Ok(builder),
    };
    future_to_promise(async move {
        let builder = prepared.map_err(|e| error_value(&e))?;
        let body_scope = scope.clone();
        let work = async move {
            let out: JsValue = if stream {
                RawStream::new(builder.stream().await?, body_scope).into()
            } else {
                response_object(&builder.await?)
            };
            Ok::<JsValue, Error>(out)
        };
        let out = guarded(scope.clone(), async move {
            work.await.map_err(|e| error_value(&e))
        })
        .await;
        // A streamed body still to read keeps the scope; anything else is over.
        if let Some(scope) = &scope
            && (!stream || out.is_err())
        {
            scope.finish();
        }
        out
    })
}
