//! `Client`, the reusable handle that pools connections, and its `ClientBuilder`.

use std::fmt;
use std::future::IntoFuture;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use http::Method;
use http::header::{ACCEPT, ACCEPT_ENCODING, HeaderMap, HeaderName, HeaderValue, USER_AGENT};
use url::Url;

use crate::auth::Auth;
use crate::backend::{self, Backend, TransportOptions};
use crate::config::Config;
#[cfg(feature = "cookies")]
use crate::cookies::CookieJar;
use crate::error::{Error, ErrorKind, Result};
use crate::fanout::FanOut;
use crate::into_url::{IntoUrl, UrlCache};
use crate::layer::{Hooks, Middleware, Next};
use crate::limits::{Limits, Timeout};
use crate::request::{Request, RequestBuilder, Streamed};
use crate::retry::{Retry, RetryBudget};
use crate::runtime::BoxFuture;
use crate::streaming::StreamingResponse;
use crate::tls::{Certificate, Identity, TlsVersion};

/// The `User-Agent` sent unless a request or the client sets one.
const DEFAULT_USER_AGENT: &str = concat!("httplib/", env!("CARGO_PKG_VERSION"));

/// The default cap on redirects followed, as in httpx.
///
/// # Examples
/// A redirect loop gives up after this many redirects:
/// ```
/// # use httplib::backend::mock::{MockBackend, MockResponse};
/// # let mock = MockBackend::new();
/// # mock.handle(|_| Some(MockResponse::new(302).header("Location", "/loop")));
/// let client = httplib::Client::builder()
///     .follow_redirects(true)
///     .backend(mock.clone())
///     .build()?;
/// let err = client.get("http://api.test/loop").send_blocking().unwrap_err();
/// assert_eq!(err.kind(), httplib::ErrorKind::TooManyRedirects);
/// assert_eq!(mock.requests().len(), httplib::DEFAULT_MAX_REDIRECTS + 1);
/// # Ok::<(), httplib::Error>(())
/// ```
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
    /// False: with a `base_url`, no request may leave its origin.
    pub(crate) allow_absolute_urls: bool,
    pub(crate) headers: HeaderMap,
    /// Headers dropped, besides the credential headers, when a redirect leaves the origin.
    pub(crate) sensitive_headers: Vec<HeaderName>,
    /// The options of every request, unless it sets its own.
    pub(crate) config: Config,
    #[cfg(feature = "cookies")]
    pub(crate) cookies: Option<CookieJar>,
    pub(crate) closed: AtomicBool,
    /// The layers every request goes through, outermost first (see `layer::stack`).
    pub(crate) stack: Box<[Arc<dyn Middleware>]>,
    /// The allowance of retries shared by every request of this client.
    pub(crate) retry_budget: RetryBudget,
    /// `on_request`, `on_response` and `on_retry`.
    pub(crate) hooks: Hooks,
    /// The last URL parsed, for clients that call one URL again and again.
    pub(crate) urls: UrlCache,
}

impl ClientInner {
    /// Refuses `url` when this client may not leave its base URL's origin
    /// ([`ClientBuilder::allow_absolute_urls`]) and `url` does. Checked when a request is
    /// built, and again for every request sent (a prebuilt `Request`, a changed URL, a
    /// redirect's target).
    pub(crate) fn check_origin(&self, url: &Url) -> Result<()> {
        match &self.base_url {
            Some(base) if !self.allow_absolute_urls => crate::into_url::check_stays_on(url, base),
            _ => Ok(()),
        }
    }
}

impl Client {
    /// A client with the defaults: 5 s timeouts, no redirects followed, cookies kept,
    /// httpx's pool limits.
    ///
    /// # Examples
    /// ```
    /// let client = httplib::Client::new();
    /// assert!(client.cookie_jar().is_some()); // cookies are kept by default
    /// assert!(!client.is_closed());
    /// ```
    pub fn new() -> Client {
        Client::builder()
            .build()
            .unwrap_or_else(|e| unreachable!("the default configuration is valid: {e}"))
    }

    /// A builder to configure a client.
    ///
    /// # Examples
    /// ```
    /// let client = httplib::Client::builder().base_url("https://api.example.com").build()?;
    /// let request = client.get("/items").build()?;
    /// assert_eq!(request.url().as_str(), "https://api.example.com/items");
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// Starts a request with `method` to `url` (relative URLs join the `base_url`).
    ///
    /// # Examples
    /// ```
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # let mock = MockBackend::new();
    /// # mock.on(httplib::Method::OPTIONS, "/items",
    /// #     MockResponse::new(204).header("Allow", "GET, POST"));
    /// # let builder = httplib::Client::builder().base_url("http://api.test");
    /// # let client = builder.backend(mock.clone()).build()?;
    /// let r = client.request(httplib::Method::OPTIONS, "/items").send_blocking()?;
    /// assert_eq!(r.headers()["allow"], "GET, POST");
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn request(&self, method: Method, url: impl IntoUrl) -> RequestBuilder {
        let request = self
            .inner
            .urls
            .resolve(url, self.inner.base_url.as_ref())
            .and_then(|url| self.inner.check_origin(&url).map(|()| url))
            .map(|url| Request::new(method, url));
        RequestBuilder::new(self.clone(), request)
    }

    /// Starts a GET request.
    ///
    /// # Examples
    /// ```
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # let mock = MockBackend::new();
    /// # mock.on(httplib::Method::GET, "/items", MockResponse::new(200).json(&[1, 2]));
    /// # let builder = httplib::Client::builder().base_url("http://api.test");
    /// # let client = builder.backend(mock.clone()).build()?;
    /// let items: Vec<u32> = client.get("/items").send_blocking()?.json()?;
    /// assert_eq!(items, [1, 2]);
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn get(&self, url: impl IntoUrl) -> RequestBuilder {
        self.request(Method::GET, url)
    }

    /// Starts a POST request.
    ///
    /// # Examples
    /// ```
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # let mock = MockBackend::new();
    /// # mock.on(httplib::Method::POST, "/items", MockResponse::new(201));
    /// # let builder = httplib::Client::builder().base_url("http://api.test");
    /// # let client = builder.backend(mock.clone()).build()?;
    /// let r = client.post("/items").json(&serde_json::json!({"name": "ada"})).send_blocking()?;
    /// assert_eq!(r.status(), httplib::StatusCode::CREATED);
    /// # assert_eq!(mock.requests()[0].body, r#"{"name":"ada"}"#);
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn post(&self, url: impl IntoUrl) -> RequestBuilder {
        self.request(Method::POST, url)
    }

    /// Starts a PUT request.
    ///
    /// # Examples
    /// ```
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # let mock = MockBackend::new();
    /// # mock.on(httplib::Method::PUT, "/items/1", MockResponse::new(200));
    /// # let builder = httplib::Client::builder().base_url("http://api.test");
    /// # let client = builder.backend(mock.clone()).build()?;
    /// let r = client.put("/items/1").json(&serde_json::json!({"name": "ada"})).send_blocking()?;
    /// assert!(r.is_success());
    /// # assert_eq!(mock.requests()[0].method, httplib::Method::PUT);
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn put(&self, url: impl IntoUrl) -> RequestBuilder {
        self.request(Method::PUT, url)
    }

    /// Starts a PATCH request.
    ///
    /// # Examples
    /// ```
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # let mock = MockBackend::new();
    /// # mock.on(httplib::Method::PATCH, "/items/1", MockResponse::new(200));
    /// # let builder = httplib::Client::builder().base_url("http://api.test");
    /// # let client = builder.backend(mock.clone()).build()?;
    /// let r = client.patch("/items/1").json(&serde_json::json!({"done": true})).send_blocking()?;
    /// assert!(r.is_success());
    /// # assert_eq!(mock.requests()[0].method, httplib::Method::PATCH);
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn patch(&self, url: impl IntoUrl) -> RequestBuilder {
        self.request(Method::PATCH, url)
    }

    /// Starts a DELETE request.
    ///
    /// # Examples
    /// ```
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # let mock = MockBackend::new();
    /// # mock.on(httplib::Method::DELETE, "/items/1", MockResponse::new(204));
    /// # let builder = httplib::Client::builder().base_url("http://api.test");
    /// # let client = builder.backend(mock.clone()).build()?;
    /// let r = client.delete("/items/1").send_blocking()?;
    /// assert_eq!(r.status(), httplib::StatusCode::NO_CONTENT);
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn delete(&self, url: impl IntoUrl) -> RequestBuilder {
        self.request(Method::DELETE, url)
    }

    /// Starts a HEAD request.
    ///
    /// # Examples
    /// ```
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # let mock = MockBackend::new();
    /// # mock.on(httplib::Method::HEAD, "/big.iso",
    /// #     MockResponse::new(200).header("Content-Length", "4700000000"));
    /// # let builder = httplib::Client::builder().base_url("http://api.test");
    /// # let client = builder.backend(mock.clone()).build()?;
    /// let r = client.head("/big.iso").send_blocking()?;
    /// assert_eq!(r.headers()["content-length"], "4700000000");
    /// assert!(r.bytes().is_empty()); // a HEAD response has no body
    /// # Ok::<(), httplib::Error>(())
    /// ```
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
    ///
    /// # Examples
    /// ```
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # let mock = MockBackend::new();
    /// # mock.on(httplib::Method::GET, "/items", MockResponse::new(200));
    /// # let builder = httplib::Client::builder().base_url("http://api.test");
    /// # let client = builder.backend(mock.clone()).build()?;
    /// let mut request = client.get("/items").build()?;
    /// request.headers_mut().insert("x-trace-id", httplib::HeaderValue::from_static("42"));
    /// let r = client.send(request).send_blocking()?;
    /// assert!(r.is_success());
    /// # assert_eq!(mock.requests()[0].headers["x-trace-id"], "42");
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn send(&self, request: Request) -> RequestBuilder {
        RequestBuilder::new(self.clone(), Ok(request))
    }

    /// Sends a prebuilt `request` and returns the response once its head has arrived, its
    /// body left to read: reqwest's `Client::execute`. The same as
    /// `client.send(request).stream().await`.
    ///
    /// # Errors
    /// As for any request: connection, timeout, protocol and redirect errors.
    ///
    /// # Examples
    /// ```
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # let mock = MockBackend::new();
    /// # mock.on(httplib::Method::GET, "/items", MockResponse::new(200).text("[]"));
    /// # let client = httplib::Client::builder().backend(mock.clone()).build()?;
    /// # futures_executor::block_on(async {
    /// let request = client.get("http://api.test/items").build()?;
    /// let r = client.execute(request).await?;
    /// assert_eq!(r.read().await?.text()?, "[]");
    /// # Ok::<(), httplib::Error>(())
    /// # })?;
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn execute(&self, request: Request) -> crate::request::StreamingResponseFuture {
        let client = self.clone();
        Box::pin(crate::runtime::in_io_context(async move {
            client.run(request).await
        }))
    }

    /// Runs many requests concurrently and yields `(index, result)` pairs in completion
    /// order; see [`FanOut`].
    ///
    /// # Examples
    /// ```
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # let mock = MockBackend::new();
    /// # mock.handle(|r| Some(MockResponse::new(200).text(r.url.path())));
    /// # let builder = httplib::Client::builder().base_url("http://api.test");
    /// # let client = builder.backend(mock.clone()).build()?;
    /// # futures_executor::block_on(async {
    /// let paths = ["/a", "/b", "/c"];
    /// let responses = client.fan_out(paths.map(|p| client.get(p))).concurrency(2).gather().await;
    /// let bodies: Vec<String> =
    ///     responses.into_iter().map(|r| r?.text()).collect::<Result<_, _>>()?;
    /// assert_eq!(bodies, paths);
    /// # Ok::<(), httplib::Error>(())
    /// # })?;
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn fan_out<I>(&self, requests: I) -> FanOut<<I::Item as IntoFuture>::IntoFuture>
    where
        I: IntoIterator,
        I::Item: IntoFuture,
    {
        FanOut::new(requests)
    }

    #[cfg(feature = "cookies")]
    /// The client's cookie jar, unless it was built with `cookie_store(false)`.
    ///
    /// # Examples
    /// ```
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # let mock = MockBackend::new();
    /// # mock.on(httplib::Method::GET, "/login",
    /// #     MockResponse::new(200).header("Set-Cookie", "session=abc; Path=/"));
    /// # let builder = httplib::Client::builder().base_url("http://api.test");
    /// # let client = builder.backend(mock.clone()).build()?;
    /// client.get("/login").send_blocking()?;
    /// let jar = client.cookie_jar().expect("cookies are kept by default");
    /// let url = "http://api.test/".parse().unwrap();
    /// assert_eq!(jar.cookies(&url), [("session".to_string(), "abc".to_string())]);
    /// # Ok::<(), httplib::Error>(())
    /// ```
    ///
    /// # Platform
    /// In browsers the browser owns cookies, and this jar sees none of them.
    pub fn cookie_jar(&self) -> Option<&CookieJar> {
        self.inner.cookies.as_ref()
    }

    /// Closes pooled connections now; every later request fails with an
    /// [`ErrorKind::Builder`] error. Clones share the closed state.
    ///
    /// # Examples
    /// ```
    /// let client = httplib::Client::new();
    /// let clone = client.clone();
    /// client.close();
    /// let err = clone.get("https://example.com/").send_blocking().unwrap_err();
    /// assert!(err.is_builder()); // refused before anything is sent
    /// ```
    pub fn close(&self) {
        self.inner.closed.store(true, Ordering::Release);
        self.inner.backend.close();
    }

    /// True once [`close`](Client::close) was called.
    ///
    /// # Examples
    /// ```
    /// let client = httplib::Client::new();
    /// assert!(!client.is_closed());
    /// client.close();
    /// assert!(client.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.inner.closed.load(Ordering::Acquire)
    }

    /// Sends `request` through the client's layers; the future returned runs on whatever
    /// executor polls it.
    pub(crate) fn run(&self, request: Request) -> BoxFuture<'_, Result<StreamingResponse>> {
        Next::start(&self.inner).run(request)
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
            .field("base_url", &self.inner.base_url.as_ref().map(shown_url))
            .field("timeout", &self.inner.config.timeout)
            .field("follow_redirects", &self.inner.config.follow_redirects)
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
    allow_absolute_urls: bool,
    headers: HeaderMap,
    sensitive_headers: Vec<HeaderName>,
    config: Config,
    middleware: Vec<Arc<dyn Middleware>>,
    hooks: Hooks,
    cookie_store: bool,
    transport: TransportOptions,
    backend: Option<Arc<dyn Backend>>,
    error: Option<Error>,
}

impl ClientBuilder {
    fn new() -> ClientBuilder {
        ClientBuilder {
            base_url: None,
            allow_absolute_urls: true,
            headers: HeaderMap::new(),
            sensitive_headers: Vec::new(),
            config: Config::default(),
            middleware: Vec::new(),
            hooks: Hooks::default(),
            cookie_store: true,
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
    ///
    /// # Examples
    /// ```
    /// let client = httplib::Client::builder().base_url("https://api.example.com/v1").build()?;
    /// let request = client.get("/items").build()?;
    /// assert_eq!(request.url().as_str(), "https://api.example.com/v1/items");
    /// let request = client.get("https://other.test/x").build()?;
    /// assert_eq!(request.url().as_str(), "https://other.test/x");
    /// # Ok::<(), httplib::Error>(())
    /// ```
    ///
    /// An invalid base URL is reported by [`build`](ClientBuilder::build):
    /// ```
    /// assert!(httplib::Client::builder().base_url("not a URL").build().is_err());
    /// ```
    pub fn base_url(self, base: impl IntoUrl) -> ClientBuilder {
        match base.into_url(None) {
            Ok(url) => ClientBuilder {
                base_url: Some(url),
                ..self
            },
            Err(e) => self.fail(e),
        }
    }

    /// Whether request URLs may name another origin than the `base_url` (default: true, as
    /// in httpx). With `false`, an absolute URL to another scheme, host or port is an
    /// [`InvalidUrl`](ErrorKind::InvalidUrl) error, so a client built for one API never
    /// sends its default headers or credentials anywhere else, whatever URL text reaches it
    /// (axios CVE-2025-27152). Relative URLs always stay under the base URL: inputs that
    /// only look relative (`/\\evil.test/`, ` //evil.test/`) are refused either way.
    /// Without a `base_url` this has no effect.
    ///
    /// # Examples
    /// ```
    /// let client = httplib::Client::builder()
    ///     .base_url("https://api.example.com/v1")
    ///     .allow_absolute_urls(false)
    ///     .build()?;
    /// assert!(client.get("/items").build().is_ok());
    /// assert!(client.get("https://api.example.com/v2/items").build().is_ok()); // same origin
    /// let err = client.get("https://evil.test/steal").build().unwrap_err();
    /// assert_eq!(err.kind(), httplib::ErrorKind::InvalidUrl);
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn allow_absolute_urls(mut self, allow: bool) -> ClientBuilder {
        self.allow_absolute_urls = allow;
        self
    }

    /// Declares `name` sensitive: like `Authorization`, `Cookie` and
    /// `Proxy-Authorization` (and any value marked with
    /// [`HeaderValue::set_sensitive`]), it is dropped when a redirect leaves the origin
    /// of the request (another scheme, host or port, or https to http). An invalid name is
    /// reported by [`build`](ClientBuilder::build).
    ///
    /// # Examples
    /// ```
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # let mock = MockBackend::new();
    /// # mock.on(httplib::Method::GET, "/start",
    /// #     MockResponse::new(302).header("Location", "http://other.test/land"));
    /// # mock.on(httplib::Method::GET, "/land", MockResponse::new(200));
    /// let client = httplib::Client::builder()
    ///     .header("X-Api-Key", "secret")
    ///     .sensitive_header("x-api-key")
    ///     .follow_redirects(true)
    /// #   .backend(mock.clone())
    ///     .build()?;
    /// client.get("http://api.test/start").send_blocking()?;
    /// let sent = mock.requests();
    /// assert_eq!(sent[0].headers["x-api-key"], "secret");
    /// assert!(sent[1].headers.get("x-api-key").is_none()); // not sent to other.test
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn sensitive_header<K>(mut self, name: K) -> ClientBuilder
    where
        K: TryInto<HeaderName>,
        K::Error: Into<http::Error>,
    {
        match name.try_into() {
            Ok(name) => {
                self.sensitive_headers.push(name);
                self
            }
            Err(e) => self.fail(
                Error::new(ErrorKind::Builder, "invalid sensitive header name")
                    .with_source(e.into()),
            ),
        }
    }

    /// A header sent with every request unless the request sets the same name.
    ///
    /// # Examples
    /// ```
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # let mock = MockBackend::new();
    /// let client = httplib::Client::builder()
    ///     .header("X-Api-Key", "secret")
    ///     .backend(mock.clone()) // records what is sent
    ///     .build()?;
    /// client.get("http://api.test/items").send_blocking()?;
    /// assert_eq!(mock.requests()[0].headers["x-api-key"], "secret");
    /// # Ok::<(), httplib::Error>(())
    /// ```
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
            Ok(mut value) => {
                crate::credentials::mark(&name, &mut value);
                self.headers.append(name, value);
                self
            }
            Err(e) => self.fail(invalid_default_header(e.into())),
        }
    }

    /// Headers sent with every request unless the request sets the same names.
    ///
    /// # Examples
    /// ```
    /// use httplib::{HeaderMap, HeaderValue, header};
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # let mock = MockBackend::new();
    ///
    /// let mut headers = HeaderMap::new();
    /// headers.insert(header::ACCEPT, HeaderValue::from_static("application/json"));
    /// let client = httplib::Client::builder().headers(headers).backend(mock.clone()).build()?;
    /// client.get("http://api.test/items").send_blocking()?;
    /// assert_eq!(mock.requests()[0].headers["accept"], "application/json"); // not the default */*
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn headers(mut self, headers: HeaderMap) -> ClientBuilder {
        for (name, value) in &headers {
            let mut value = value.clone();
            crate::credentials::mark(name, &mut value);
            self.headers.append(name, value);
        }
        self
    }

    /// The timeouts of every request (default: 5 s each); a `Duration` sets all four.
    ///
    /// # Examples
    /// ```
    /// use std::time::Duration;
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # let mock = MockBackend::new();
    /// # mock.on(httplib::Method::GET, "/slow",
    /// #     MockResponse::new(200).delay(Duration::from_millis(500)));
    ///
    /// let client = httplib::Client::builder()
    ///     .timeout(Duration::from_millis(50)) // or a `Timeout` with a limit for each
    /// #   .backend(mock)
    ///     .build()?;
    /// let err = client.get("http://api.test/slow").send_blocking().unwrap_err();
    /// assert_eq!(err.kind(), httplib::ErrorKind::ReadTimeout);
    /// # Ok::<(), httplib::Error>(())
    /// ```
    ///
    /// # Platform
    /// On wasm32 `fetch` cannot tell connecting, writing and waiting apart: see [`Timeout`].
    pub fn timeout(mut self, timeout: impl Into<Timeout>) -> ClientBuilder {
        self.config.timeout = timeout.into();
        self
    }

    /// Pool limits (default: [`Limits::default`], httpx's).
    ///
    /// # Examples
    /// ```
    /// use httplib::Limits;
    ///
    /// let client = httplib::Client::builder()
    ///     .limits(Limits::default().max_connections(10).max_keepalive_connections(2))
    ///     .build()?;
    /// # drop(client);
    /// # Ok::<(), httplib::Error>(())
    /// ```
    ///
    /// # Platform
    /// On wasm32 the browser or Node owns the connections: `max_connections` caps the
    /// client's requests in flight instead (each from its start to the end of its body, or
    /// until the body is dropped or handed to JS), and a request over the cap waits its turn
    /// for at most the pool timeout. The other limits are not applied.
    pub fn limits(mut self, limits: Limits) -> ClientBuilder {
        self.transport.limits = limits;
        self
    }

    /// Follows redirects (default: off, as in httpx).
    ///
    /// # Examples
    /// ```
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # let mock = MockBackend::new();
    /// # mock.on(httplib::Method::GET, "/old", MockResponse::new(301).header("Location", "/new"));
    /// # mock.on(httplib::Method::GET, "/new", MockResponse::new(200));
    /// let client = httplib::Client::builder()
    ///     .follow_redirects(true)
    /// #   .backend(mock)
    ///     .build()?;
    /// let r = client.get("http://api.test/old").send_blocking()?;
    /// assert_eq!(r.url().path(), "/new");
    /// assert_eq!(r.history()[0].status_code(), 301);
    /// # Ok::<(), httplib::Error>(())
    /// ```
    ///
    /// # Platform
    /// In a browser the browser follows redirects itself (with its own cap of 20, and no
    /// [`history`](crate::ResponseHead::history)); a redirect not followed is an
    /// [`OpaqueRedirect`](ErrorKind::OpaqueRedirect) error there.
    pub fn follow_redirects(mut self, follow: bool) -> ClientBuilder {
        self.config.follow_redirects = follow;
        self
    }

    /// The most redirects to follow (default 20).
    ///
    /// # Examples
    /// ```
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # let mock = MockBackend::new();
    /// # mock.handle(|_| Some(MockResponse::new(302).header("Location", "/again")));
    /// let client = httplib::Client::builder()
    ///     .follow_redirects(true)
    ///     .max_redirects(3)
    ///     .backend(mock.clone())
    ///     .build()?;
    /// let err = client.get("http://api.test/again").send_blocking().unwrap_err();
    /// assert_eq!(err.kind(), httplib::ErrorKind::TooManyRedirects);
    /// assert_eq!(mock.requests().len(), 4); // the request and 3 redirects followed
    /// # Ok::<(), httplib::Error>(())
    /// ```
    ///
    /// # Platform
    /// In a browser, which follows redirects itself, its own cap of 20 applies instead.
    pub fn max_redirects(mut self, max: usize) -> ClientBuilder {
        self.config.max_redirects = max;
        self
    }

    /// Auth for every request to any host: `("user", "passwd")`, a
    /// [`DigestAuth`](crate::DigestAuth), or an [`Auth`].
    ///
    /// # Examples
    /// ```
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # let mock = MockBackend::new();
    /// let client = httplib::Client::builder()
    ///     .auth(("user", "passwd"))
    ///     .backend(mock.clone())
    ///     .build()?;
    /// client.get("http://api.test/me").send_blocking()?;
    /// assert_eq!(mock.requests()[0].headers["authorization"], "Basic dXNlcjpwYXNzd2Q=");
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn auth(mut self, auth: impl Into<Auth>) -> ClientBuilder {
        self.config.auth = Some(auth.into());
        self
    }

    #[cfg(feature = "cookies")]
    /// Keeps cookies from responses and sends them on later requests (default: on).
    ///
    /// # Platform
    /// In browsers the browser owns cookies and this jar sees none; see the README.
    ///
    /// # Examples
    /// ```
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # let mock = MockBackend::new();
    /// # mock.on(httplib::Method::GET, "/login",
    /// #     MockResponse::new(200).header("Set-Cookie", "session=abc"));
    /// let client = httplib::Client::builder().backend(mock.clone()).build()?;
    /// client.get("http://api.test/login").send_blocking()?;
    /// client.get("http://api.test/me").send_blocking()?;
    /// assert_eq!(mock.requests()[1].headers["cookie"], "session=abc");
    ///
    /// let without = httplib::Client::builder().cookie_store(false).build()?;
    /// assert!(without.cookie_jar().is_none());
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn cookie_store(mut self, enabled: bool) -> ClientBuilder {
        self.cookie_store = enabled;
        self
    }

    /// The largest body a compressed response may decode to (default 1 GiB; `None` for no
    /// cap): protection against decompression bombs. Exceeding it is an
    /// [`ErrorKind::Decode`] error.
    ///
    /// # Examples
    /// ```
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # let mock = MockBackend::new();
    /// # // 10 000 bytes of `a`, zlib-compressed to 34 bytes
    /// # let small_bomb: &[u8] = &[120, 218, 237, 193, 1, 13, 0, 0, 0, 194, 160, 172, 239, 95,
    /// #     194, 28,
    /// #     110, 64, 1, 0, 0, 0, 0, 0, 0, 0, 0, 192, 191, 1, 159, 187, 205, 227];
    /// # mock.on(httplib::Method::GET, "/bomb", MockResponse::new(200)
    /// #     .header("Content-Encoding", "deflate").body(small_bomb));
    /// let client = httplib::Client::builder()
    ///     .max_decoded_size(1024)
    /// #   .backend(mock)
    ///     .build()?;
    /// // 34 bytes on the wire that inflate to 10 000
    /// let err = client.get("http://api.test/bomb").send_blocking().unwrap_err();
    /// assert!(err.is_decode());
    /// # Ok::<(), httplib::Error>(())
    /// ```
    ///
    /// # Platform
    /// On wasm32 `fetch` decodes bodies itself, and this cap does not apply.
    pub fn max_decoded_size(mut self, limit: impl Into<Option<u64>>) -> ClientBuilder {
        self.config.max_decoded_size = limit.into();
        self
    }

    /// Offers HTTP/2 by ALPN on `https` connections, falling back to HTTP/1.1 when the
    /// server does not take it (default: off, HTTP/1.1 only).
    ///
    /// # Examples
    /// ```
    /// # let server = httplib_testserver::TestServer::start();
    /// # let url = server.https_url("/echo");
    /// # let ca = httplib::Certificate::from_pem(server.ca_pem().as_bytes())?;
    /// let client = httplib::Client::builder()
    ///     .http2(true)
    /// #   .add_root_certificate(ca)
    ///     .build()?;
    /// let r = client.get(&url).send_blocking()?; // an https:// URL
    /// assert_eq!(r.version(), Some(httplib::Version::HTTP_2));
    /// # Ok::<(), httplib::Error>(())
    /// ```
    ///
    /// # Platform
    /// Natively it needs the `http2` cargo feature (a default): without it,
    /// [`build`](Self::build) is a [`Builder`](crate::ErrorKind::Builder) error naming it.
    /// On wasm32 the browser or Node negotiates the version itself and this setting has no
    /// effect.
    pub fn http2(mut self, enabled: bool) -> ClientBuilder {
        self.transport.http2 = enabled;
        self
    }

    /// Speaks HTTP/2 on `http` URLs without negotiation (h2c by prior knowledge), and only
    /// HTTP/2 on `https` ones.
    ///
    /// # Examples
    /// ```
    /// # let server = httplib_testserver::TestServer::start();
    /// # let url = server.http_url("/echo");
    /// let client = httplib::Client::builder().http2_prior_knowledge().build()?;
    /// let r = client.get(&url).send_blocking()?; // an http:// URL
    /// assert_eq!(r.http_version(), "HTTP/2");
    /// # Ok::<(), httplib::Error>(())
    /// ```
    ///
    /// # Platform
    /// Natively it needs the `http2` cargo feature (a default): without it,
    /// [`build`](Self::build) is a [`Builder`](crate::ErrorKind::Builder) error naming it.
    /// On wasm32 the browser or Node negotiates the version itself and this setting has no
    /// effect.
    pub fn http2_prior_knowledge(mut self) -> ClientBuilder {
        self.transport.http2 = true;
        self.transport.http2_prior_knowledge = true;
        self
    }

    /// Who sends cookies and HTTP auth in a browser's `fetch` (default: same-origin only).
    ///
    /// # Platform
    /// Browsers only: there the browser owns cookies; elsewhere this has no effect.
    ///
    /// # Examples
    /// ```
    /// use httplib::backend::FetchCredentials;
    ///
    /// let client = httplib::Client::builder()
    ///     .fetch_credentials(FetchCredentials::Include)
    ///     .build()?;
    /// # drop(client);
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn fetch_credentials(
        mut self,
        credentials: crate::backend::FetchCredentials,
    ) -> ClientBuilder {
        self.transport.fetch_credentials = credentials;
        self
    }

    /// Trusts `certificate` as a root, besides the built-in roots (the operating system's;
    /// see [`tls_built_in_root_certs`](Self::tls_built_in_root_certs)).
    ///
    /// # Examples
    /// ```
    /// # let server = httplib_testserver::TestServer::start();
    /// # let url = server.https_url("/echo");
    /// # let pem = server.ca_pem().as_bytes().to_vec();
    /// // let pem = std::fs::read("private-ca.pem")?;
    /// let ca = httplib::Certificate::from_pem(&pem)?;
    /// let client = httplib::Client::builder().add_root_certificate(ca).build()?;
    /// assert!(client.get(&url).send_blocking()?.is_success());
    /// # Ok::<(), httplib::Error>(())
    /// ```
    ///
    /// # Platform
    /// Native only: in browsers and Node the platform's trust store applies (Node reads extra
    /// roots from `NODE_EXTRA_CA_CERTS`).
    pub fn add_root_certificate(mut self, certificate: Certificate) -> ClientBuilder {
        self.transport.root_certificates.push(certificate);
        self
    }

    /// Whether to trust the built-in roots (default: on), besides those added with
    /// [`add_root_certificate`](Self::add_root_certificate); off, only the added ones.
    ///
    /// The built-in roots are the operating system's store (on Linux the distribution's
    /// certificate directories, such as `/etc/ssl/certs`; macOS's keychain; Windows' store),
    /// or with [`trust_env`](Self::trust_env) on and `SSL_CERT_FILE` or `SSL_CERT_DIR` set,
    /// the certificates of those files instead, as OpenSSL reads them (`SSL_CERT_DIR` may
    /// list several directories, separated as in `PATH`). Where that yields no
    /// certificate, webpki's roots (Mozilla's list, compiled in) are used. Each store is
    /// read once per process, when the first client needing it is built, and shared by
    /// every client after; the variables are read then too.
    ///
    /// # Examples
    /// ```
    /// # let server = httplib_testserver::TestServer::start();
    /// # let url = server.https_url("/echo");
    /// # let ca = httplib::Certificate::from_pem(server.ca_pem().as_bytes())?;
    /// let nothing_trusted = httplib::Client::builder().tls_built_in_root_certs(false).build()?;
    /// assert!(nothing_trusted.get(&url).send_blocking().unwrap_err().is_connect());
    ///
    /// let only_ours = httplib::Client::builder()
    ///     .tls_built_in_root_certs(false)
    ///     .add_root_certificate(ca)
    ///     .build()?;
    /// assert!(only_ours.get(&url).send_blocking()?.is_success());
    /// # Ok::<(), httplib::Error>(())
    /// ```
    ///
    /// # Platform
    /// Native only: in browsers and Node the platform's trust store applies.
    pub fn tls_built_in_root_certs(mut self, enabled: bool) -> ClientBuilder {
        self.transport.built_in_roots = enabled;
        self
    }

    /// Turns off certificate and host name verification. Anyone on the path can then read
    /// and change the traffic: for tests against self-signed servers only.
    ///
    /// # Examples
    /// ```
    /// # let server = httplib_testserver::TestServer::start();
    /// # let url = server.https_url("/echo"); // signed by a CA no one trusts
    /// let strict = httplib::Client::new();
    /// assert!(strict.get(&url).send_blocking().unwrap_err().is_connect());
    ///
    /// let lax = httplib::Client::builder().danger_accept_invalid_certs(true).build()?;
    /// assert!(lax.get(&url).send_blocking()?.is_success());
    /// # Ok::<(), httplib::Error>(())
    /// ```
    ///
    /// # Platform
    /// Native only: browsers and Node always verify certificates.
    pub fn danger_accept_invalid_certs(mut self, accept: bool) -> ClientBuilder {
        self.transport.accept_invalid_certs = accept;
        self
    }

    /// Connects to `addr` for every request to `host` instead of resolving the name (as
    /// curl's `--resolve`); the URL, the `Host` header and the TLS server name stay `host`.
    /// A port in the URL wins; otherwise `addr`'s port is used, and port 0 stands for the
    /// scheme's (80 or 443), as in reqwest. Pinning the same host again replaces its
    /// addresses. See [`dns`](crate::dns) for the whole order of resolution.
    ///
    /// # Examples
    /// ```
    /// # let server = httplib_testserver::TestServer::start();
    /// # let addr = server.http_addr();
    /// let client = httplib::Client::builder()
    ///     .resolve("api.example.com", addr) // "127.0.0.1:8080".parse()?
    ///     .build()?;
    /// let r = client.get("http://api.example.com/echo").send_blocking()?;
    /// assert_eq!(r.remote_addr(), Some(addr));
    /// assert_eq!(r.json::<serde_json::Value>()?["headers"]["host"], "api.example.com");
    /// # Ok::<(), httplib::Error>(())
    /// ```
    ///
    /// # Platform
    /// On wasm32 the platform resolves names: the setting is accepted and has no effect.
    pub fn resolve(self, host: &str, addr: SocketAddr) -> ClientBuilder {
        self.resolve_to_addrs(host, &[addr])
    }

    /// Like [`resolve`](Self::resolve), with several addresses, tried as any resolved
    /// addresses are: interleaved by family, by Happy Eyeballs.
    ///
    /// # Examples
    /// ```
    /// # let server = httplib_testserver::TestServer::start();
    /// # let live = server.http_addr();
    /// # let dead = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?; // closed again
    /// let client = httplib::Client::builder()
    ///     .resolve_to_addrs("api.example.com", &[dead, live])
    ///     .build()?;
    /// let r = client.get("http://api.example.com/echo").send_blocking()?;
    /// assert_eq!(r.remote_addr(), Some(live)); // the refused address was passed over
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Platform
    /// On wasm32 the platform resolves names: the setting is accepted and has no effect.
    pub fn resolve_to_addrs(mut self, host: &str, addrs: &[SocketAddr]) -> ClientBuilder {
        self.transport.dns.pin(host, addrs);
        self
    }

    /// Resolves host names with `resolver` instead of the system resolver (names pinned by
    /// [`resolve`](Self::resolve) excepted). See [`Resolve`](crate::dns::Resolve) for an
    /// example.
    ///
    /// # Examples
    /// ```
    /// use httplib::dns::{Name, Resolve, Resolving};
    ///
    /// struct Nowhere;
    ///
    /// impl Resolve for Nowhere {
    ///     fn resolve(&self, name: Name) -> Resolving {
    ///         Box::pin(async move { Err(format!("{name}: resolving is switched off").into()) })
    ///     }
    /// }
    ///
    /// let client = httplib::Client::builder().dns_resolver(Nowhere).build()?;
    /// # #[cfg(not(target_arch = "wasm32"))]
    /// # {
    /// let err = client.get("http://api.example.com/").send_blocking().unwrap_err();
    /// assert!(err.is_connect());
    /// # }
    /// # Ok::<(), httplib::Error>(())
    /// ```
    ///
    /// # Platform
    /// On wasm32 the platform resolves names: the resolver is accepted and never called.
    pub fn dns_resolver(mut self, resolver: impl crate::dns::Resolve) -> ClientBuilder {
        self.transport.dns.resolver = Some(Arc::new(resolver));
        self
    }

    /// Connects from `address` (bound before connecting; the port is the system's choice),
    /// for hosts with several interfaces or addresses. Only addresses of its family are
    /// tried: from an IPv4 address, a host's IPv6 addresses are skipped. `None` (the
    /// default) lets the system choose.
    ///
    /// # Examples
    /// ```
    /// use std::net::{IpAddr, Ipv4Addr};
    /// # let server = httplib_testserver::TestServer::start();
    /// # let url = server.http_url("/echo");
    ///
    /// let client = httplib::Client::builder()
    ///     .local_address(IpAddr::V4(Ipv4Addr::LOCALHOST))
    ///     .build()?;
    /// let r = client.get(&url).send_blocking()?;
    /// let seen: serde_json::Value = r.json()?;
    /// assert!(seen["remote_addr"].as_str().unwrap().starts_with("127.0.0.1:"));
    /// # Ok::<(), httplib::Error>(())
    /// ```
    ///
    /// # Platform
    /// On wasm32 the platform owns sockets: the setting is accepted and has no effect.
    pub fn local_address(mut self, address: impl Into<Option<IpAddr>>) -> ClientBuilder {
        self.transport.local_address = address.into();
        self
    }

    /// Sends every request over the Unix domain socket at `path`, whatever the URL's host
    /// (as httpx's `uds=`, curl's `--unix-socket`): for local daemons such as Docker's. The
    /// URL's authority is still the `Host` header. Cleartext only: an `https` URL is an
    /// [`UnsupportedProtocol`](crate::ErrorKind::UnsupportedProtocol) error. HTTP/1.1, or
    /// HTTP/2 with [`http2_prior_knowledge`](Self::http2_prior_knowledge).
    ///
    /// # Errors
    /// On a native target without Unix domain sockets (Windows),
    /// [`build`](Self::build) fails with a builder error.
    ///
    /// # Examples
    /// ```
    /// # #[cfg(unix)]
    /// # {
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("app.sock");
    /// # let server = httplib_testserver::TestServer::start_with_uds(&path)?;
    /// let client = httplib::Client::builder().unix_socket(&path).build()?; // "/run/app.sock"
    /// let r = client.get("http://app.local/echo").send_blocking()?;
    /// assert_eq!(r.json::<serde_json::Value>()?["headers"]["host"], "app.local");
    /// assert_eq!(r.remote_addr(), None); // no IP address on the other end
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Platform
    /// On wasm32 the platform owns sockets: the setting is accepted and has no effect
    /// (requests go to the URL's host).
    pub fn unix_socket(mut self, path: impl AsRef<std::path::Path>) -> ClientBuilder {
        self.transport.unix_socket = Some(path.as_ref().to_path_buf());
        self
    }

    /// Turns TCP keepalive on (`SO_KEEPALIVE`), the first probe after `idle` without
    /// traffic (whole seconds on most systems: at least 1 s), so that a peer gone without
    /// a word is noticed by the system. `None` (the default, as in httpx) leaves it off.
    ///
    /// # Errors
    /// A zero duration: [`build`](Self::build) fails with a builder error.
    ///
    /// # Examples
    /// ```
    /// use std::time::Duration;
    ///
    /// let client = httplib::Client::builder()
    ///     .tcp_keepalive(Duration::from_secs(60))
    ///     .build()?;
    /// # drop(client);
    /// assert!(httplib::Client::builder().tcp_keepalive(Duration::ZERO).build().is_err());
    /// # Ok::<(), httplib::Error>(())
    /// ```
    ///
    /// # Platform
    /// On wasm32 the platform owns sockets: the setting is accepted and has no effect.
    pub fn tcp_keepalive(mut self, idle: impl Into<Option<Duration>>) -> ClientBuilder {
        let idle = idle.into();
        if idle == Some(Duration::ZERO) {
            return self.fail(Error::builder(
                "tcp_keepalive: the idle time must not be zero",
            ));
        }
        self.transport.tcp_keepalive = idle;
        self
    }

    /// Sends an HTTP/2 PING after `interval` without a frame from the server, idle or not,
    /// and closes the connection if the answer takes longer than `interval` again: an
    /// HTTP/2 connection dropped by a NAT or a dead peer is noticed and replaced before a
    /// request is lost on it. `None` (the default) sends no PING.
    ///
    /// # Errors
    /// A zero interval: [`build`](Self::build) fails with a builder error.
    ///
    /// # Examples
    /// ```
    /// use std::time::Duration;
    /// # let server = httplib_testserver::TestServer::start();
    /// # let url = server.http_url("/echo");
    ///
    /// let client = httplib::Client::builder()
    ///     .http2_prior_knowledge()
    ///     .http2_keep_alive(Duration::from_secs(30))
    ///     .build()?;
    /// assert_eq!(client.get(&url).send_blocking()?.http_version(), "HTTP/2");
    /// # Ok::<(), httplib::Error>(())
    /// ```
    ///
    /// # Platform
    /// On wasm32 the browser or Node keeps its own connections: the setting is accepted and
    /// has no effect.
    pub fn http2_keep_alive(mut self, interval: impl Into<Option<Duration>>) -> ClientBuilder {
        let interval = interval.into();
        if interval == Some(Duration::ZERO) {
            return self.fail(Error::builder(
                "http2_keep_alive: the interval must not be zero",
            ));
        }
        self.transport.http2_keep_alive = interval;
        self
    }

    /// Sends the requests `proxy` is for through it (see [`Proxy`](crate::Proxy)); several
    /// may be added, the first that matches a request wins. Set, the environment's proxy
    /// variables still apply to what no added proxy takes, unless
    /// [`no_proxy`](Self::no_proxy) or [`trust_env(false)`](Self::trust_env).
    ///
    /// # Examples
    /// ```
    /// let client = httplib::Client::builder()
    ///     .proxy(httplib::Proxy::https("http://127.0.0.1:3128")?)
    ///     .build()?;
    /// # drop(client);
    /// # Ok::<(), httplib::Error>(())
    /// ```
    ///
    /// # Platform
    /// On wasm32 the browser or Node chooses proxies itself: accepted and has no effect.
    pub fn proxy(mut self, proxy: crate::Proxy) -> ClientBuilder {
        self.transport.proxies.push(proxy);
        self
    }

    /// No proxy at all: not the added ones, not the environment's (`HTTP_PROXY` and the
    /// like).
    ///
    /// # Examples
    /// ```
    /// let direct = httplib::Client::builder().no_proxy().build()?;
    /// # drop(direct);
    /// # Ok::<(), httplib::Error>(())
    /// ```
    ///
    /// # Platform
    /// On wasm32 the browser or Node chooses proxies itself: accepted and has no effect.
    pub fn no_proxy(mut self) -> ClientBuilder {
        self.transport.no_proxy = true;
        self
    }

    /// Whether to read settings from the environment (default: on): the TLS roots of
    /// `SSL_CERT_FILE` and `SSL_CERT_DIR` (see
    /// [`tls_built_in_root_certs`](Self::tls_built_in_root_certs)), and the proxy
    /// variables (`http_proxy`, `HTTPS_PROXY`, `NO_PROXY` and the like: see
    /// [`Proxy`](crate::Proxy)).
    /// Off, the client uses only what its code says: the operating system's roots,
    /// whatever the variables are. (On macOS and Windows the system's store is read
    /// through rustls-native-certs, which reads the variables itself: there a client with
    /// `trust_env(false)` and a variable set gets webpki's roots.)
    ///
    /// # Examples
    /// ```
    /// // The same roots wherever the program runs, whatever SSL_CERT_FILE says.
    /// let client = httplib::Client::builder().trust_env(false).build()?;
    /// # drop(client);
    /// # Ok::<(), httplib::Error>(())
    /// ```
    ///
    /// # Platform
    /// Native only: on wasm32 it is accepted and ignored, since browsers and Node apply
    /// their own trust store (Node reads `NODE_EXTRA_CA_CERTS`) and proxy settings.
    pub fn trust_env(mut self, enabled: bool) -> ClientBuilder {
        self.transport.trust_env = enabled;
        self
    }

    /// Shows `identity` (a certificate chain and its key) to servers that ask for a
    /// client certificate (mutual TLS); servers that do not ask never see it.
    ///
    /// # Examples
    /// ```
    /// # let pem = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/shared/keys/identity.pem")).unwrap();
    /// // let pem = std::fs::read("client.pem")?; // certificate chain and private key
    /// let identity = httplib::Identity::from_pem(&pem)?;
    /// let client = httplib::Client::builder().identity(identity).build()?;
    /// # drop(client);
    /// # Ok::<(), httplib::Error>(())
    /// ```
    ///
    /// # Platform
    /// Native only: on wasm32 it is accepted and ignored, since browsers choose client
    /// certificates themselves and Node's `fetch` takes none.
    pub fn identity(mut self, identity: Identity) -> ClientBuilder {
        self.transport.identity = Some(identity);
        self
    }

    /// The lowest TLS version to speak (default: [`TlsVersion::TLS_1_2`]). A server that
    /// cannot speak it fails the handshake: a [`Connect`](crate::ErrorKind::Connect) error
    /// naming the reason (`ProtocolVersion`).
    ///
    /// # Examples
    /// ```
    /// # let server = httplib_testserver::TestServer::start();
    /// # let url = server.https_url("/echo");
    /// # let ca = httplib::Certificate::from_pem(server.ca_pem().as_bytes())?;
    /// let client = httplib::Client::builder()
    ///     .tls_min_version(httplib::TlsVersion::TLS_1_3)
    /// #   .add_root_certificate(ca)
    ///     .build()?;
    /// assert!(client.get(&url).send_blocking()?.is_success()); // a server with TLS 1.3
    /// # Ok::<(), httplib::Error>(())
    /// ```
    ///
    /// # Platform
    /// Native only: on wasm32 it is accepted and ignored, since the browser or Node
    /// negotiates TLS itself.
    pub fn tls_min_version(mut self, version: TlsVersion) -> ClientBuilder {
        self.transport.tls_min_version = Some(version);
        self
    }

    /// Uses `config`, a rustls client configuration of the caller's own, for every TLS
    /// connection: an escape hatch for what the other settings do not cover (a custom
    /// certificate verifier, certificate pinning, session resumption, key logging, a
    /// crypto provider of its own).
    ///
    /// It is used as it is: [`add_root_certificate`](Self::add_root_certificate),
    /// [`tls_built_in_root_certs`](Self::tls_built_in_root_certs),
    /// [`trust_env`](Self::trust_env)'s roots, [`identity`](Self::identity),
    /// [`tls_min_version`](Self::tls_min_version) and
    /// [`danger_accept_invalid_certs`](Self::danger_accept_invalid_certs) no longer apply.
    /// Only ALPN is httplib's when the configuration offers none (`alpn_protocols`
    /// empty): then it offers what [`http2`](Self::http2) and
    /// [`http2_prior_knowledge`](Self::http2_prior_knowledge) say. A configuration with
    /// protocols of its own keeps them, and a connection speaks HTTP/2 whenever the server
    /// chose `h2`. The configuration must come from the rustls httplib is built with
    /// ([`httplib::rustls`](crate::rustls)).
    ///
    /// # Examples
    /// ```
    /// use std::sync::Arc;
    /// use httplib::rustls;
    /// # let server = httplib_testserver::TestServer::start();
    /// # let url = server.https_url("/echo");
    /// # let ca_der = server.ca_der().to_vec();
    ///
    /// let mut roots = rustls::RootCertStore::empty();
    /// roots.add(rustls::pki_types::CertificateDer::from(ca_der)).unwrap();
    /// let provider = Arc::new(rustls::crypto::ring::default_provider());
    /// let config = rustls::ClientConfig::builder_with_provider(provider)
    ///     .with_safe_default_protocol_versions()
    ///     .unwrap()
    ///     .with_root_certificates(roots)
    ///     .with_no_client_auth();
    ///
    /// let client = httplib::Client::builder().tls_config(config).http2(true).build()?;
    /// let r = client.get(&url).send_blocking()?;
    /// assert_eq!(r.http_version(), "HTTP/2"); // ALPN was left to httplib
    /// # Ok::<(), httplib::Error>(())
    /// ```
    ///
    /// # Platform
    /// Native only, with the `rustls` feature (a default); not compiled for wasm32, where
    /// there is no rustls: the browser or Node owns TLS there.
    #[cfg(all(native, feature = "rustls"))]
    pub fn tls_config(mut self, config: impl Into<Arc<rustls::ClientConfig>>) -> ClientBuilder {
        self.transport.tls_config = Some(config.into());
        self
    }

    /// Sends failed requests again under `retry` (off by default): see [`Retry`] for
    /// what is retried and how long it waits. A request's own
    /// [`retry`](crate::RequestBuilder::retry) replaces it.
    ///
    /// # Examples
    /// ```
    /// use std::time::Duration;
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # let mock = MockBackend::new();
    /// # mock.once(httplib::Method::GET, "/flaky", MockResponse::new(503).header("Retry-After", "0"));
    /// # mock.on(httplib::Method::GET, "/flaky", MockResponse::new(200).text("ok"));
    /// let client = httplib::Client::builder()
    ///     .retry(httplib::Retry::new(3).backoff(Duration::from_millis(1), Duration::from_millis(10)))
    /// #   .backend(mock.clone())
    ///     .build()?;
    /// # #[cfg(not(target_arch = "wasm32"))]
    /// # {
    /// let r = client.get("http://api.test/flaky").send_blocking()?; // 503, then 200
    /// assert_eq!(r.text()?, "ok");
    /// # assert_eq!(mock.requests().len(), 2);
    /// # }
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn retry(mut self, retry: Retry) -> ClientBuilder {
        self.config.retry = retry;
        self
    }

    /// Decides, redirect by redirect, whether to follow (see
    /// [`redirect::Attempt`](crate::redirect::Attempt)): [`follow`](crate::redirect::Attempt::follow),
    /// [`stop`](crate::redirect::Attempt::stop) (the redirect response is returned) or
    /// [`error`](crate::redirect::Attempt::error). Setting a policy turns following on;
    /// [`max_redirects`](ClientBuilder::max_redirects) still caps the chain, and
    /// credentials are still dropped when a redirect leaves the origin.
    ///
    /// # Examples
    /// See [`redirect::Attempt`](crate::redirect::Attempt); a policy that never leaves https:
    /// ```
    /// let client = httplib::Client::builder()
    ///     .redirect_policy(|attempt| match attempt.url().scheme() {
    ///         "https" => attempt.follow(),
    ///         _ => attempt.error("refusing a redirect to plain http"),
    ///     })
    ///     .build()?;
    /// # drop(client);
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn redirect_policy(
        mut self,
        policy: impl Fn(&crate::redirect::Attempt<'_>) -> crate::redirect::Action
        + Send
        + Sync
        + 'static,
    ) -> ClientBuilder {
        self.config.follow_redirects = true;
        self.config.redirect_policy = Some(crate::redirect::Policy::new(policy));
        self
    }

    /// Calls `hook` with every request the client sends, as it goes to the backend: each
    /// redirect hop, auth resend and retry, with its final headers (cookies and
    /// `Authorization` included). httpx's `event_hooks={"request": [...]}`; it may change
    /// the request (add a header, say).
    ///
    /// # Examples
    /// ```
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # let mock = MockBackend::new();
    /// # mock.on(httplib::Method::GET, "/old", MockResponse::new(301).header("Location", "/new"));
    /// # mock.on(httplib::Method::GET, "/new", MockResponse::new(200));
    /// let client = httplib::Client::builder()
    ///     .follow_redirects(true)
    ///     .on_request(|request| println!("--> {} {}", request.method(), request.url()))
    ///     .on_request(|request| {
    ///         request.headers_mut().insert("x-hop", "1".parse().unwrap());
    ///     })
    /// #   .backend(mock.clone())
    ///     .build()?;
    /// # #[cfg(not(target_arch = "wasm32"))]
    /// # {
    /// client.get("http://api.test/old").send_blocking()?;
    /// assert!(mock.requests().iter().all(|r| r.headers["x-hop"] == "1")); // both hops
    /// # }
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn on_request(
        mut self,
        hook: impl Fn(&mut Request) + Send + Sync + 'static,
    ) -> ClientBuilder {
        self.hooks.on_request.push(Arc::new(hook));
        self
    }

    /// Calls `hook` with every response the client receives, as soon as its head has
    /// arrived (the body not read yet): each redirect, auth challenge and retried
    /// response included. httpx's `event_hooks={"response": [...]}`.
    ///
    /// # Examples
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # let mock = MockBackend::new();
    /// # mock.on(httplib::Method::GET, "/old", MockResponse::new(301).header("Location", "/new"));
    /// # mock.on(httplib::Method::GET, "/new", MockResponse::new(200));
    /// let seen = Arc::new(Mutex::new(Vec::new()));
    /// let log = seen.clone();
    /// let client = httplib::Client::builder()
    ///     .follow_redirects(true)
    ///     .on_response(move |response| log.lock().unwrap().push(response.status_code()))
    /// #   .backend(mock.clone())
    ///     .build()?;
    /// # #[cfg(not(target_arch = "wasm32"))]
    /// # {
    /// client.get("http://api.test/old").send_blocking()?;
    /// assert_eq!(*seen.lock().unwrap(), [301, 200]);
    /// # }
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn on_response(
        mut self,
        hook: impl Fn(&StreamingResponse) + Send + Sync + 'static,
    ) -> ClientBuilder {
        self.hooks.on_response.push(Arc::new(hook));
        self
    }

    /// Calls `hook` each time the [`retry`](Self::retry) policy sends a request again,
    /// before the wait: with the request about to be resent (as the retry layer replays
    /// it: the caller's request, before redirects), the outcome of the attempt that failed
    /// (a response whose status is retried, its body not read, or the error), and the
    /// retry's number (1 for the first). ky's `beforeRetry`. Not called when the policy
    /// gives up: the last outcome is then returned as it came.
    ///
    /// # Examples
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// use std::time::Duration;
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # let mock = MockBackend::new();
    /// # mock.once(httplib::Method::GET, "/flaky", MockResponse::new(503));
    /// # mock.once(httplib::Method::GET, "/flaky", MockResponse::new(200).error(httplib::ErrorKind::Connect));
    /// # mock.on(httplib::Method::GET, "/flaky", MockResponse::new(200));
    /// let seen = Arc::new(Mutex::new(Vec::new()));
    /// let log = seen.clone();
    /// let client = httplib::Client::builder()
    ///     .retry(httplib::Retry::new(3).backoff(Duration::ZERO, Duration::ZERO))
    ///     .on_retry(move |request, outcome, n| {
    ///         let what = match outcome {
    ///             Ok(response) => response.status_code().to_string(),
    ///             Err(error) => format!("{:?}", error.kind()),
    ///         };
    ///         log.lock().unwrap().push(format!("retry {n} of {} after {what}", request.url().path()));
    ///     })
    /// #   .backend(mock.clone())
    ///     .build()?;
    /// # #[cfg(not(target_arch = "wasm32"))]
    /// # {
    /// client.get("http://api.test/flaky").send_blocking()?; // 503, a connect error, then 200
    /// assert_eq!(*seen.lock().unwrap(), ["retry 1 of /flaky after 503", "retry 2 of /flaky after Connect"]);
    /// # }
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn on_retry(
        mut self,
        hook: impl Fn(&Request, Result<&StreamingResponse, &Error>, u32) + Send + Sync + 'static,
    ) -> ClientBuilder {
        self.hooks.on_retry.push(Arc::new(hook));
        self
    }

    /// Adds a [`Middleware`] that every request of this client goes through. The first
    /// added is the outermost: it sees the request first and the response last. It wraps
    /// the whole logical request (redirects, auth challenges run inside it).
    ///
    /// # Examples
    /// See [`Middleware`] for one written out; a middleware that stamps every request:
    /// ```
    /// use httplib::{BoxFuture, Middleware, Next, Request, Result, StreamingResponse};
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    ///
    /// struct Stamp;
    ///
    /// impl Middleware for Stamp {
    ///     fn handle<'a>(&'a self, mut request: Request, next: Next<'a>)
    ///         -> BoxFuture<'a, Result<StreamingResponse>>
    ///     {
    ///         request.headers_mut().insert("x-client", "httplib".parse().unwrap());
    ///         next.run(request)
    ///     }
    /// }
    ///
    /// # let mock = MockBackend::new();
    /// # mock.on(httplib::Method::GET, "/", MockResponse::new(200));
    /// let client = httplib::Client::builder().middleware(Stamp)
    /// #   .backend(mock.clone())
    ///     .build()?;
    /// # #[cfg(not(target_arch = "wasm32"))]
    /// # client.get("http://api.test/").send_blocking()?;
    /// # #[cfg(not(target_arch = "wasm32"))]
    /// # assert_eq!(mock.requests()[0].headers["x-client"], "httplib");
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn middleware(mut self, middleware: impl Middleware) -> ClientBuilder {
        self.middleware.push(Arc::new(middleware));
        self
    }

    /// Sends requests through `backend` instead of the platform's: a
    /// [`MockBackend`](crate::backend::mock::MockBackend) in tests, or your own.
    ///
    /// # Examples
    /// ```
    /// use httplib::backend::mock::{MockBackend, MockResponse};
    ///
    /// let mock = MockBackend::new();
    /// mock.on(httplib::Method::GET, "/ping", MockResponse::new(200).text("pong"));
    /// let client = httplib::Client::builder().backend(mock.clone()).build()?;
    /// assert_eq!(client.get("http://api.test/ping").send_blocking()?.text()?, "pong");
    /// assert_eq!(mock.requests().len(), 1);
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn backend(mut self, backend: impl Backend) -> ClientBuilder {
        self.backend = Some(Arc::new(backend));
        self
    }

    /// The client.
    ///
    /// # Errors
    /// The first invalid setting (a header, the base URL, a certificate).
    ///
    /// # Examples
    /// ```
    /// let client = httplib::Client::builder().header("X-Ok", "yes").build();
    /// assert!(client.is_ok());
    ///
    /// let err = httplib::Client::builder().header("X-Bad", "a\r\nb").build().unwrap_err();
    /// assert!(err.is_builder());
    /// ```
    pub fn build(self) -> Result<Client> {
        if let Some(error) = self.error {
            return Err(error);
        }
        let backend = match self.backend {
            Some(backend) => backend,
            None => backend::platform(&self.transport)?,
        };
        let decodes = backend.decodes_content();
        let mut headers = default_headers(decodes);
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
                allow_absolute_urls: self.allow_absolute_urls,
                headers,
                sensitive_headers: self.sensitive_headers,
                config: self.config,
                #[cfg(feature = "cookies")]
                cookies: self.cookie_store.then(CookieJar::default),
                closed: AtomicBool::new(false),
                stack: crate::layer::stack(
                    self.middleware,
                    cfg!(feature = "cookies") && self.cookie_store,
                    decodes,
                    self.hooks.needs_layer(),
                ),
                retry_budget: RetryBudget::default(),
                hooks: self.hooks,
                urls: UrlCache::default(),
            }),
        })
    }
}

/// The default cap on a decoded (decompressed) body: 1 GiB.
///
/// # Examples
/// ```
/// assert_eq!(httplib::DEFAULT_MAX_DECODED_SIZE, 1 << 30);
///
/// // Raise it for large downloads from servers you trust (or lift it with `None`):
/// let client = httplib::Client::builder()
///     .max_decoded_size(4 * httplib::DEFAULT_MAX_DECODED_SIZE)
///     .build()?;
/// # drop(client);
/// # Ok::<(), httplib::Error>(())
/// ```
pub const DEFAULT_MAX_DECODED_SIZE: u64 = 1 << 30;

fn default_headers(backend_decodes: bool) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(USER_AGENT, HeaderValue::from_static(DEFAULT_USER_AGENT));
    headers.insert(ACCEPT, HeaderValue::from_static("*/*"));
    if !backend_decodes && let Some(offered) = crate::decode::accept_encoding() {
        headers.insert(ACCEPT_ENCODING, HeaderValue::from_static(offered));
    }
    headers
}

/// A URL as `Debug` shows it: without its password.
fn shown_url(url: &Url) -> String {
    crate::credentials::redacted(url).as_str().to_owned()
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
            .field("base_url", &self.base_url.as_ref().map(shown_url))
            .field("timeout", &self.config.timeout)
            .field("middleware", &self.middleware.len())
            .finish_non_exhaustive()
    }
}
