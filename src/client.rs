//! `Client`, the reusable handle that pools connections, and its `ClientBuilder`.

use std::fmt;
use std::future::IntoFuture;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use http::Method;
use http::header::{ACCEPT, ACCEPT_ENCODING, HeaderMap, HeaderName, HeaderValue, USER_AGENT};
use url::Url;

use crate::auth::Auth;
use crate::backend::{self, Backend, TransportOptions};
use crate::config::{Limits, Timeout};
use crate::cookies::CookieJar;
use crate::error::{Error, ErrorKind, Result};
use crate::fanout::FanOut;
use crate::into_url::{IntoUrl, UrlCache};
use crate::request::{Request, RequestBuilder, Streamed};
use crate::streaming::StreamingResponse;
use crate::tls::Certificate;

/// The `User-Agent` sent unless a request or the client sets one.
const DEFAULT_USER_AGENT: &str = concat!("httplib/", env!("CARGO_PKG_VERSION"));

/// The default cap on redirects followed, as in httpx.
pub const DEFAULT_MAX_REDIRECTS: usize = 20;

/// A reusable HTTP client: pools connections and carries `base_url`, default headers,
/// auth, cookies, timeouts and pool limits across every call.
///
/// One type serves async (`.await`) and blocking (`send_blocking()`) use. It is cheap to
/// clone: clones share the pool and the cookie jar. Dropping the last clone closes its
/// connections; [`close`](Client::close) does so at once.
///
/// # Examples
/// ```no_run
/// # async fn run() -> httplib::Result<()> {
/// use std::time::Duration;
/// use httplib::{Client, Limits, Timeout};
///
/// let client = Client::builder()
///     .base_url("https://api.example.com")
///     .header("Authorization", "Bearer TOKEN")
///     .limits(Limits::default().max_connections(100).max_keepalive_connections(20))
///     .timeout(Timeout::new(Duration::from_secs(10)).connect(Duration::from_secs(5)))
///     .build()?;
/// let items = client.get("/items").await?;
/// client.post("/items").json(&serde_json::json!({"name": "ada"})).await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<ClientInner>,
}

/// What every clone of a client shares.
pub(crate) struct ClientInner {
    pub(crate) backend: Arc<dyn Backend>,
    pub(crate) base_url: Option<Url>,
    pub(crate) headers: HeaderMap,
    pub(crate) timeout: Timeout,
    pub(crate) follow_redirects: bool,
    pub(crate) max_redirects: usize,
    pub(crate) auth: Option<Auth>,
    pub(crate) cookies: Option<CookieJar>,
    pub(crate) max_decoded_size: Option<u64>,
    pub(crate) closed: AtomicBool,
    /// The last URL parsed, for clients that call one URL again and again.
    pub(crate) urls: UrlCache,
}

impl Client {
    /// A client with the defaults: 5 s timeouts, no redirects followed, cookies kept,
    /// httpx's pool limits.
    pub fn new() -> Client {
        Client::builder()
            .build()
            .unwrap_or_else(|e| unreachable!("the default configuration is valid: {e}"))
    }

    /// A builder to configure a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// Starts a request with `method` to `url` (relative URLs join the `base_url`).
    pub fn request(&self, method: Method, url: impl IntoUrl) -> RequestBuilder {
        let request = self
            .inner
            .urls
            .resolve(url, self.inner.base_url.as_ref())
            .map(|url| Request::new(method, url));
        RequestBuilder::new(self.clone(), request)
    }

    /// Starts a GET request.
    pub fn get(&self, url: impl IntoUrl) -> RequestBuilder {
        self.request(Method::GET, url)
    }

    /// Starts a POST request.
    pub fn post(&self, url: impl IntoUrl) -> RequestBuilder {
        self.request(Method::POST, url)
    }

    /// Starts a PUT request.
    pub fn put(&self, url: impl IntoUrl) -> RequestBuilder {
        self.request(Method::PUT, url)
    }

    /// Starts a PATCH request.
    pub fn patch(&self, url: impl IntoUrl) -> RequestBuilder {
        self.request(Method::PATCH, url)
    }

    /// Starts a DELETE request.
    pub fn delete(&self, url: impl IntoUrl) -> RequestBuilder {
        self.request(Method::DELETE, url)
    }

    /// Starts a HEAD request.
    pub fn head(&self, url: impl IntoUrl) -> RequestBuilder {
        self.request(Method::HEAD, url)
    }

    /// Starts a request whose `.await` returns as soon as the head has arrived, with the
    /// body left to stream: httpx's `client.stream(method, url)`.
    ///
    /// # Examples
    /// ```no_run
    /// # async fn run() -> httplib::Result<()> {
    /// let client = httplib::Client::new();
    /// let mut r = client.stream(httplib::Method::GET, "https://example.com/big").await?;
    /// println!("{}", r.status());
    /// while let Some(chunk) = r.chunk().await? {
    ///     println!("{} bytes", chunk.len());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn stream(&self, method: Method, url: impl IntoUrl) -> RequestBuilder<Streamed> {
        self.request(method, url).stream()
    }

    /// Sends a prebuilt [`Request`]: `.await` it, or call `.stream()` first to stream it.
    pub fn send(&self, request: Request) -> RequestBuilder {
        RequestBuilder::new(self.clone(), Ok(request))
    }

    /// Runs many requests concurrently and yields `(index, result)` pairs in completion
    /// order; see [`FanOut`].
    pub fn fan_out<I>(&self, requests: I) -> FanOut<<I::Item as IntoFuture>::IntoFuture>
    where
        I: IntoIterator,
        I::Item: IntoFuture,
    {
        FanOut::new(requests)
    }

    /// The client's cookie jar, unless it was built with `cookie_store(false)`.
    pub fn cookie_jar(&self) -> Option<&CookieJar> {
        self.inner.cookies.as_ref()
    }

    /// Closes pooled connections now; every later request fails with an
    /// [`ErrorKind::Builder`] error. Clones share the closed state.
    pub fn close(&self) {
        self.inner.closed.store(true, Ordering::Release);
        self.inner.backend.close();
    }

    /// True once [`close`](Client::close) was called.
    pub fn is_closed(&self) -> bool {
        self.inner.closed.load(Ordering::Acquire)
    }

    pub(crate) async fn execute(&self, request: Request) -> Result<StreamingResponse> {
        crate::pipeline::execute(&self.inner, request).await
    }
}

impl Default for Client {
    fn default() -> Client {
        Client::new()
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url.as_ref().map(Url::as_str))
            .field("timeout", &self.inner.timeout)
            .field("follow_redirects", &self.inner.follow_redirects)
            .finish_non_exhaustive()
    }
}

/// Configures a [`Client`]. Every setting has httpx's default; errors (an invalid header or
/// base URL) are kept and returned by [`build`](ClientBuilder::build).
///
/// # Examples
/// ```
/// use std::time::Duration;
///
/// let client = httplib::Client::builder()
///     .base_url("https://api.example.com/v1")
///     .timeout(Duration::from_secs(10))
///     .follow_redirects(true)
///     .build()
///     .unwrap();
/// let request = client.get("/items").build().unwrap();
/// assert_eq!(request.url().as_str(), "https://api.example.com/v1/items");
/// ```
#[must_use]
pub struct ClientBuilder {
    base_url: Option<Url>,
    headers: HeaderMap,
    timeout: Timeout,
    follow_redirects: bool,
    max_redirects: usize,
    auth: Option<Auth>,
    cookie_store: bool,
    max_decoded_size: Option<u64>,
    transport: TransportOptions,
    backend: Option<Arc<dyn Backend>>,
    error: Option<Error>,
}

impl ClientBuilder {
    fn new() -> ClientBuilder {
        ClientBuilder {
            base_url: None,
            headers: HeaderMap::new(),
            timeout: Timeout::default(),
            follow_redirects: false,
            max_redirects: DEFAULT_MAX_REDIRECTS,
            auth: None,
            cookie_store: true,
            max_decoded_size: Some(DEFAULT_MAX_DECODED_SIZE),
            transport: TransportOptions::default(),
            backend: None,
            error: None,
        }
    }

    fn fail(mut self, error: Error) -> ClientBuilder {
        self.error.get_or_insert(error);
        self
    }

    /// The URL that relative request URLs are joined to, as a prefix: with
    /// `https://api.example.com/v1`, `client.get("/items")` requests
    /// `https://api.example.com/v1/items`. An absolute request URL is used as it is.
    pub fn base_url(self, base: impl IntoUrl) -> ClientBuilder {
        match base.into_url(None) {
            Ok(url) => ClientBuilder {
                base_url: Some(url),
                ..self
            },
            Err(e) => self.fail(e),
        }
    }

    /// A header sent with every request unless the request sets the same name.
    pub fn header<K, V>(mut self, name: K, value: V) -> ClientBuilder
    where
        K: TryInto<HeaderName>,
        K::Error: Into<http::Error>,
        V: TryInto<HeaderValue>,
        V::Error: Into<http::Error>,
    {
        let name = match name.try_into() {
            Ok(name) => name,
            Err(e) => return self.fail(invalid_default_header(e.into())),
        };
        match value.try_into() {
            Ok(value) => {
                self.headers.append(name, value);
                self
            }
            Err(e) => self.fail(invalid_default_header(e.into())),
        }
    }

    /// Headers sent with every request unless the request sets the same names.
    pub fn headers(mut self, headers: HeaderMap) -> ClientBuilder {
        for (name, value) in &headers {
            self.headers.append(name, value.clone());
        }
        self
    }

    /// The timeouts of every request (default: 5 s each); a `Duration` sets all four.
    pub fn timeout(mut self, timeout: impl Into<Timeout>) -> ClientBuilder {
        self.timeout = timeout.into();
        self
    }

    /// Pool limits (default: [`Limits::default`], httpx's).
    pub fn limits(mut self, limits: Limits) -> ClientBuilder {
        self.transport.limits = limits;
        self
    }

    /// Follows redirects (default: off, as in httpx).
    pub fn follow_redirects(mut self, follow: bool) -> ClientBuilder {
        self.follow_redirects = follow;
        self
    }

    /// The most redirects to follow (default 20).
    pub fn max_redirects(mut self, max: usize) -> ClientBuilder {
        self.max_redirects = max;
        self
    }

    /// Auth for every request to any host: `("user", "passwd")`, a
    /// [`DigestAuth`](crate::DigestAuth), or an [`Auth`].
    pub fn auth(mut self, auth: impl Into<Auth>) -> ClientBuilder {
        self.auth = Some(auth.into());
        self
    }

    /// Keeps cookies from responses and sends them on later requests (default: on).
    ///
    /// # Platform
    /// In browsers the browser owns cookies and this jar sees none; see the README.
    pub fn cookie_store(mut self, enabled: bool) -> ClientBuilder {
        self.cookie_store = enabled;
        self
    }

    /// The largest body a compressed response may decode to (default 1 GiB; `None` for no
    /// cap): protection against decompression bombs. Exceeding it is an
    /// [`ErrorKind::Decode`] error.
    pub fn max_decoded_size(mut self, limit: impl Into<Option<u64>>) -> ClientBuilder {
        self.max_decoded_size = limit.into();
        self
    }

    /// Offers HTTP/2 by ALPN on `https` connections, falling back to HTTP/1.1 when the
    /// server does not take it (default: off, HTTP/1.1 only).
    pub fn http2(mut self, enabled: bool) -> ClientBuilder {
        self.transport.http2 = enabled;
        self
    }

    /// Speaks HTTP/2 on `http` URLs without negotiation (h2c by prior knowledge), and only
    /// HTTP/2 on `https` ones.
    pub fn http2_prior_knowledge(mut self) -> ClientBuilder {
        self.transport.http2 = true;
        self.transport.http2_prior_knowledge = true;
        self
    }

    /// Trusts `certificate` as a root, besides the built-in webpki roots.
    pub fn add_root_certificate(mut self, certificate: Certificate) -> ClientBuilder {
        self.transport.root_certificates.push(certificate);
        self
    }

    /// Trusts only the roots added with [`add_root_certificate`](Self::add_root_certificate),
    /// not the built-in webpki roots.
    pub fn tls_built_in_root_certs(mut self, enabled: bool) -> ClientBuilder {
        self.transport.built_in_roots = enabled;
        self
    }

    /// Turns off certificate and host name verification. Anyone on the path can then read
    /// and change the traffic: for tests against self-signed servers only.
    pub fn danger_accept_invalid_certs(mut self, accept: bool) -> ClientBuilder {
        self.transport.accept_invalid_certs = accept;
        self
    }

    /// Sends requests through `backend` instead of the platform's: a
    /// [`MockBackend`](crate::backend::mock::MockBackend) in tests, or your own.
    pub fn backend(mut self, backend: impl Backend) -> ClientBuilder {
        self.backend = Some(Arc::new(backend));
        self
    }

    /// The client.
    ///
    /// # Errors
    /// The first invalid setting (a header, the base URL, a certificate).
    pub fn build(self) -> Result<Client> {
        if let Some(error) = self.error {
            return Err(error);
        }
        let backend = match self.backend {
            Some(backend) => backend,
            None => backend::platform(&self.transport)?,
        };
        let mut headers = default_headers(backend.decodes_content());
        for name in self.headers.keys() {
            headers.remove(name);
        }
        for (name, value) in &self.headers {
            headers.append(name, value.clone());
        }
        Ok(Client {
            inner: Arc::new(ClientInner {
                backend,
                base_url: self.base_url,
                headers,
                timeout: self.timeout,
                follow_redirects: self.follow_redirects,
                max_redirects: self.max_redirects,
                auth: self.auth,
                cookies: self.cookie_store.then(CookieJar::default),
                max_decoded_size: self.max_decoded_size,
                closed: AtomicBool::new(false),
                urls: UrlCache::default(),
            }),
        })
    }
}

/// The default cap on a decoded (decompressed) body: 1 GiB.
pub const DEFAULT_MAX_DECODED_SIZE: u64 = 1 << 30;

fn default_headers(backend_decodes: bool) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(USER_AGENT, HeaderValue::from_static(DEFAULT_USER_AGENT));
    headers.insert(ACCEPT, HeaderValue::from_static("*/*"));
    if !backend_decodes {
        headers.insert(
            ACCEPT_ENCODING,
            HeaderValue::from_static(crate::decode::ACCEPT_ENCODING),
        );
    }
    headers
}

fn invalid_default_header(e: http::Error) -> Error {
    Error::new(
        ErrorKind::Builder,
        "invalid default header name or value (CR, LF and other control characters are refused)",
    )
    .with_source(e)
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url.as_ref().map(Url::as_str))
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}
