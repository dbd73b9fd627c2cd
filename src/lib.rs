//! # httplib
//!
//! An HTTP client with one API for native code (hyper, h2, tokio, rustls), the browser or
//! Node (wasm32-unknown-unknown, through `fetch`) and WASI components (wasm32-wasip2,
//! through the host's `wasi:http`); async everywhere, blocking natively; HTTP/2,
//! streaming, connection pooling. It follows httpx's defaults: redirects are not followed
//! unless asked, every request has a 5 s timeout, raw bodies go through `content`, and
//! [`Response::raise_for_status`] gives an error apart from transport errors.
//!
//! ## One-off requests
//! ```no_run
//! # async fn run() -> httplib::Result<()> {
//! let r = httplib::get("https://api.example.com/items")
//!     .query(&[("q", "test"), ("page", "2")])
//!     .header("User-Agent", "my-app/1.0")
//!     .await?;
//! println!("{} {}", r.status_code(), r.text()?);
//! httplib::post("https://api.example.com/items").json(&serde_json::json!({"name": "ada"})).await?;
//! # Ok(()) }
//! ```
//! Natively the same builders finish with [`send_blocking`](struct.RequestBuilder.html#method.send_blocking)
//! for code without an async runtime.
//!
//! ## A reusable client
//! A [`Client`] pools connections and carries a base URL, default headers, auth, cookies,
//! timeouts and [`Limits`]: see [`ClientBuilder`].
//!
//! ## Bodies and auth
//! [`json`](RequestBuilder::json), [`form`](RequestBuilder::form),
//! [`multipart`](RequestBuilder::multipart) (files streamed from disk),
//! [`content`](RequestBuilder::content) for raw bytes; [`auth`](RequestBuilder::auth) with
//! `("user", "passwd")` (Basic), [`DigestAuth`], or [`bearer_auth`](RequestBuilder::bearer_auth).
//!
//! ## Streaming
//! [`Client::stream`] returns a [`StreamingResponse`] once the head has arrived; read the
//! body with [`chunk`](StreamingResponse::chunk), [`bytes_stream`](StreamingResponse::bytes_stream),
//! [`lines`](StreamingResponse::lines), or natively [`iter_bytes`](struct.StreamingResponse.html#method.iter_bytes).
//!
//! ## Fan-out
//! A [`RequestBuilder`] is a future, so `join_all(urls.iter().map(|u| client.get(u)))` runs
//! them all at once; [`Client::fan_out`] adds a concurrency cap and yields them as they
//! complete.
//!
//! ## Middleware, hooks, retries, deadline, progress
//! [`ClientBuilder::middleware`] wraps every request in a [`Middleware`];
//! [`ClientBuilder::on_request`] and [`ClientBuilder::on_response`] see every request sent;
//! [`Retry`] policies resend failures ([`ClientBuilder::retry`], [`RequestBuilder::retry`]);
//! [`Timeout::total`] bounds the whole request; [`RequestBuilder::on_upload_progress`] and
//! [`RequestBuilder::on_download_progress`] report [`Progress`].
//!
//! ## Connecting
//! Natively names are resolved by the system (or [`ClientBuilder::resolve`] overrides, or a
//! [`dns::Resolve`] of your own) and the addresses raced by Happy Eyeballs (RFC 8305);
//! [`ClientBuilder::local_address`], [`ClientBuilder::unix_socket`],
//! [`ClientBuilder::tcp_keepalive`] and [`ClientBuilder::http2_keep_alive`] tune the sockets.
//! On wasm32 the platform connects, and these settings are accepted and not applied.
//!
//! ## Errors
//! One [`Error`] type with an [`ErrorKind`]; [`Error::is_request`] covers every transport
//! failure, [`Error::is_status`] the errors of `raise_for_status`.
//!
//! ## Testing code that uses httplib
//! [`backend::mock::MockBackend`] answers from a script and records requests, on every target.
//!
//! ## Cargo features
//! - `json` (default): `RequestBuilder::json` and `Response::json` (serde_json).
//! - `cookies` (default): the cookie jar (`Client::cookie_jar`, `ClientBuilder::cookie_store`).
//! - `gzip`, `deflate`, `brotli`, `zstd` (default): those `Content-Encoding`s decoded
//!   natively, and offered in `Accept-Encoding`; a coding compiled out is handed over as it
//!   came, its `Content-Encoding` kept.
//! - `socks`: SOCKS5 proxies (`socks5://`, `socks5h://`) for [`Proxy`].
//! - `charset` (default): `text()` decodes the charset the response declares (else UTF-8 only).
//! - `digest` (default): HTTP Digest auth, [`DigestAuth`] and `Auth::Digest` (md-5, sha2).
//! - `multipart` (default): multipart forms, [`multipart`] and
//!   [`RequestBuilder::multipart`] (mime_guess for file parts' content types).
//! - `rustls` (default): TLS natively (`https://` URLs and proxies). Without it the native
//!   backend speaks cleartext HTTP only: an `https://` URL is an
//!   [`UnsupportedProtocol`](ErrorKind::UnsupportedProtocol) error.
//! - `ring` (default) or `aws-lc-rs`: the rustls crypto provider (`aws-lc-rs` needs a C
//!   compiler, and wins when both are on); with `rustls` and neither, the process-wide
//!   default provider. wasm32 compiles none of them: the platform owns TLS.
//! - `http2` (default): HTTP/2 natively, by ALPN or prior knowledge; without it
//!   `http2(true)` and `http2_prior_knowledge()` are [`Builder`](ErrorKind::Builder) errors.
//! - `js-api` (wasm32): the JavaScript exports of the npm package (turns on `cookies`,
//!   `digest` and `multipart`).
//! - `tracing`: each logical request is a `tracing` span `request` (target `httplib`) with
//!   its method, URL (no userinfo, query values as `***`), status, version and attempts,
//!   and events for redirects, retries, Digest resends and the native backend's
//!   connections (DNS, each TCP attempt, TLS and ALPN, pool reuse, closes). Header values
//!   are never recorded. Off by default: without it, no tracing code is compiled in.

#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod auth;
pub mod backend;
mod body;
mod client;
mod config;
#[cfg(feature = "cookies")]
mod cookies;
mod credentials;
mod decode;
pub mod dns;
mod error;
mod fanout;
mod head;
mod into_url;
#[cfg(all(js, feature = "js-api"))]
mod js;
mod layer;
mod limits;
#[cfg(feature = "multipart")]
pub mod multipart;
mod progress;
mod proxy;
mod random;
pub mod redirect;
mod request;
mod response;
// The retry layer (src/layer/retry.rs) calls the crate-private half; until it lands, only
// the tests do.
mod retry;
mod runtime;
mod streaming;
mod text;
mod timeouts;
mod tls;
mod trace;

pub use auth::Auth;
#[cfg(feature = "digest")]
pub use auth::DigestAuth;
pub use body::{Body, BodyParts, BodyStream, ResponseBody};
pub use client::{Client, ClientBuilder, DEFAULT_MAX_DECODED_SIZE, DEFAULT_MAX_REDIRECTS};
#[cfg(feature = "cookies")]
pub use cookies::CookieJar;
pub use error::{BoxError, Error, ErrorKind, Result};
pub use fanout::FanOut;
pub use head::ResponseHead;
pub use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Version, header};
pub use into_url::IntoUrl;
pub use layer::{Middleware, Next};
pub use limits::{DEFAULT_TIMEOUT, Limits, Timeout};
pub use progress::Progress;
pub use proxy::Proxy;
pub use request::{
    Buffered, Request, RequestBuilder, ResponseFuture, Streamed, StreamingResponseFuture,
};
pub use response::Response;
pub use retry::Retry;
pub use runtime::{BoxFuture, BoxStream, MaybeSend, MaybeSync};
pub use streaming::StreamingResponse;
pub use text::DEFAULT_MAX_LINE_LENGTH;
pub use tls::{Certificate, Identity, TlsVersion};
pub use url::Url;

/// The rustls this crate is built with, natively: for [`ClientBuilder::tls_config`], whose
/// configuration must come from this very version.
#[cfg(all(native, feature = "rustls"))]
pub use rustls;

use std::future::IntoFuture;

/// Starts a one-off request with `method` on a new [`Client`] (no cookies or connections
/// are shared with other calls). Reach for a `Client` for anything repeated.
///
/// # Examples
/// ```
/// use httplib::Method;
///
/// let request = httplib::request(Method::OPTIONS, "https://api.example.com/items").build()?;
/// assert_eq!(request.method(), Method::OPTIONS);
/// assert_eq!(request.url().path(), "/items");
/// # Ok::<(), httplib::Error>(())
/// ```
pub fn request(method: Method, url: impl IntoUrl) -> RequestBuilder {
    Client::new().request(method, url)
}

/// Starts a one-off GET request: `httplib::get(url).await`.
///
/// # Examples
/// ```no_run
/// # async fn run() -> httplib::Result<()> {
/// let r = httplib::get("https://api.example.com/items").await?;
/// assert!(r.is_success());
/// # Ok(()) }
/// ```
pub fn get(url: impl IntoUrl) -> RequestBuilder {
    request(Method::GET, url)
}

/// Starts a one-off POST request: `httplib::post(url).json(&d).await`.
///
/// # Examples
/// ```
/// let request = httplib::post("https://api.example.com/items")
///     .json(&serde_json::json!({"name": "ada"}))
///     .build()?; // `.await?` or `.send_blocking()?` sends it instead
/// assert_eq!(request.method(), httplib::Method::POST);
/// assert_eq!(request.headers()["content-type"], "application/json");
/// assert_eq!(request.body().unwrap().as_bytes(), Some(&br#"{"name":"ada"}"#[..]));
/// # Ok::<(), httplib::Error>(())
/// ```
pub fn post(url: impl IntoUrl) -> RequestBuilder {
    request(Method::POST, url)
}

/// Starts a one-off PUT request.
///
/// # Examples
/// ```
/// let request = httplib::put("https://api.example.com/items/1").content("new text").build()?;
/// assert_eq!(request.method(), httplib::Method::PUT);
/// assert_eq!(request.body().unwrap().content_length(), Some(8));
/// # Ok::<(), httplib::Error>(())
/// ```
pub fn put(url: impl IntoUrl) -> RequestBuilder {
    request(Method::PUT, url)
}

/// Starts a one-off PATCH request.
///
/// # Examples
/// ```
/// let request = httplib::patch("https://api.example.com/items/1")
///     .form(&[("name", "ada")])
///     .build()?;
/// assert_eq!(request.method(), httplib::Method::PATCH);
/// assert_eq!(request.headers()["content-type"], "application/x-www-form-urlencoded");
/// # Ok::<(), httplib::Error>(())
/// ```
pub fn patch(url: impl IntoUrl) -> RequestBuilder {
    request(Method::PATCH, url)
}

/// Starts a one-off DELETE request.
///
/// # Examples
/// ```
/// let request = httplib::delete("https://api.example.com/items/1").build()?;
/// assert_eq!(request.method(), httplib::Method::DELETE);
/// assert!(request.body().is_none());
/// # Ok::<(), httplib::Error>(())
/// ```
pub fn delete(url: impl IntoUrl) -> RequestBuilder {
    request(Method::DELETE, url)
}

/// Starts a one-off HEAD request.
///
/// # Examples
/// ```
/// let request = httplib::head("https://api.example.com/big.iso").build()?;
/// assert_eq!(request.method(), httplib::Method::HEAD);
/// # Ok::<(), httplib::Error>(())
/// ```
pub fn head(url: impl IntoUrl) -> RequestBuilder {
    request(Method::HEAD, url)
}

/// Runs many futures concurrently, yielding `(index, output)` as each completes; see
/// [`FanOut`].
/// Any futures will do, not only requests; requests built from one client share its pool
/// whichever `fan_out` runs them ([`Client::fan_out`] is the same, for the seed's spelling).
///
/// # Examples
/// ```
/// # futures_executor::block_on(async {
/// let squares = (1..=4).map(|i| async move { i * i });
/// let results = httplib::fan_out(squares).concurrency(2).gather().await;
/// assert_eq!(results, [1, 4, 9, 16]);
/// # });
/// ```
pub fn fan_out<I>(requests: I) -> FanOut<<I::Item as IntoFuture>::IntoFuture>
where
    I: IntoIterator,
    I::Item: IntoFuture,
{
    FanOut::new(requests)
}
