//! `Request`, and the `RequestBuilder` that every call of the API goes through.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use http::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use http::{Extensions, Method};
use serde::Serialize;
use url::Url;

use crate::auth::Auth;
use crate::body::Body;
use crate::client::Client;
use crate::config::Overlay;
use crate::error::{Error, ErrorKind, Result};
use crate::limits::Timeout;
use crate::progress::ProgressFn;
use crate::response::Response;
use crate::runtime::{BoxFuture, in_io_context};
use crate::streaming::StreamingResponse;

/// Safe to send twice: RFC 9110 9.2.2's idempotent methods, sorted.
pub(crate) const IDEMPOTENT: [Method; 6] = [
    Method::DELETE,
    Method::GET,
    Method::HEAD,
    Method::OPTIONS,
    Method::PUT,
    Method::TRACE,
];

/// A request ready to send: method, absolute URL, headers, body and per-request options.
///
/// Usually built through [`RequestBuilder::build`]; send it with [`Client::send`].
///
/// # Examples
/// ```
/// let client = httplib::Client::new();
/// let request = client.post("http://127.0.0.1:1/items").content("x").build().unwrap();
/// assert_eq!(request.method(), httplib::Method::POST);
/// assert_eq!(request.url().path(), "/items");
/// ```
pub struct Request {
    pub(crate) method: Method,
    pub(crate) url: Url,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Option<Body>,
    /// The options this request sets over its client's; boxed and absent when none.
    pub(crate) config: Option<Box<Overlay>>,
    pub(crate) extensions: Extensions,
    /// Set by the retry layer on the requests whose resends it decides (the backend then
    /// resends nothing itself). A field, not an extension: an extension allocates.
    pub(crate) retry_governed: bool,
}

impl Request {
    /// A request with no headers and no body.
    ///
    /// # Examples
    /// ```
    /// use httplib::{Method, Request};
    ///
    /// let request = Request::new(Method::GET, "https://example.com/items".parse().unwrap());
    /// assert!(request.headers().is_empty());
    /// assert!(request.body().is_none());
    /// ```
    pub fn new(method: Method, url: Url) -> Request {
        Request {
            method,
            url,
            headers: HeaderMap::new(),
            body: None,
            config: None,
            extensions: Extensions::new(),
            retry_governed: false,
        }
    }

    /// The method.
    ///
    /// # Examples
    /// ```
    /// let request = httplib::post("https://example.com/items").build()?;
    /// assert_eq!(request.method(), httplib::Method::POST);
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The method, to change it.
    ///
    /// # Examples
    /// ```
    /// let mut request = httplib::get("https://example.com/items").build()?;
    /// *request.method_mut() = httplib::Method::HEAD;
    /// assert_eq!(request.method(), httplib::Method::HEAD);
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn method_mut(&mut self) -> &mut Method {
        &mut self.method
    }

    /// The absolute URL.
    ///
    /// # Examples
    /// ```
    /// let client = httplib::Client::builder().base_url("https://example.com/v1").build()?;
    /// let request = client.get("/items?page=2").build()?;
    /// assert_eq!(request.url().as_str(), "https://example.com/v1/items?page=2");
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The URL, to change it.
    ///
    /// # Examples
    /// ```
    /// let mut request = httplib::get("https://example.com/items").build()?;
    /// request.url_mut().set_path("/archive");
    /// assert_eq!(request.url().as_str(), "https://example.com/archive");
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn url_mut(&mut self) -> &mut Url {
        &mut self.url
    }

    /// The request's own headers (the client's defaults are added when it is sent).
    ///
    /// # Examples
    /// ```
    /// let request = httplib::get("https://example.com/").header("Accept", "text/html").build()?;
    /// assert_eq!(request.headers()["accept"], "text/html");
    /// assert!(request.headers().get("user-agent").is_none()); // a client default, added later
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The headers, to change them.
    ///
    /// # Examples
    /// ```
    /// use httplib::{HeaderValue, header};
    ///
    /// let mut request = httplib::get("https://example.com/").build()?;
    /// request.headers_mut().insert(header::ACCEPT, HeaderValue::from_static("text/html"));
    /// assert_eq!(request.headers()["accept"], "text/html");
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn headers_mut(&mut self) -> &mut HeaderMap {
        &mut self.headers
    }

    /// The body, if any.
    ///
    /// # Examples
    /// ```
    /// let request = httplib::post("https://example.com/notes").content("hello").build()?;
    /// assert_eq!(request.body().and_then(|b| b.as_bytes()), Some(&b"hello"[..]));
    /// assert!(httplib::get("https://example.com/").build()?.body().is_none());
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn body(&self) -> Option<&Body> {
        self.body.as_ref()
    }

    /// The body, to change it.
    ///
    /// # Examples
    /// ```
    /// let mut request = httplib::post("https://example.com/notes").content("draft").build()?;
    /// *request.body_mut() = Some(httplib::Body::from("final text"));
    /// assert_eq!(request.body().unwrap().content_length(), Some(10));
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn body_mut(&mut self) -> &mut Option<Body> {
        &mut self.body
    }

    /// The timeout set on this request, overriding the client's.
    ///
    /// # Examples
    /// ```
    /// use std::time::Duration;
    ///
    /// let request = httplib::get("https://example.com/")
    ///     .timeout(Duration::from_secs(30))
    ///     .build()?;
    /// assert_eq!(request.timeout().unwrap().read, Some(Duration::from_secs(30)));
    /// assert!(httplib::get("https://example.com/").build()?.timeout().is_none());
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn timeout(&self) -> Option<&Timeout> {
        self.config.as_ref().and_then(|c| c.timeout.as_ref())
    }
}

impl Request {
    /// Values a [`Middleware`](crate::Middleware) attaches to the request for the layers
    /// below it (any `Clone + Send + Sync` value, looked up by type). They follow the
    /// request through redirects and retries, and are never sent.
    ///
    /// # Examples
    /// ```
    /// let mut request = httplib::get("https://example.com/").build()?;
    /// request.extensions_mut().insert(7u8);
    /// assert_eq!(request.extensions().get::<u8>(), Some(&7));
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn extensions(&self) -> &Extensions {
        &self.extensions
    }

    /// The extensions, to change. See [`extensions`](Self::extensions).
    ///
    /// # Examples
    /// See [`extensions`](Self::extensions).
    pub fn extensions_mut(&mut self) -> &mut Extensions {
        &mut self.extensions
    }

    /// A copy of the request, to send again; `None` when its body is a one-shot stream
    /// that cannot be read twice.
    ///
    /// # Examples
    /// ```
    /// let request = httplib::post("https://example.com/items").json(&[1, 2]).build()?;
    /// let again = request.try_clone().expect("a body in memory can be copied");
    /// assert_eq!(again.body().unwrap().as_bytes(), Some(&b"[1,2]"[..]));
    ///
    /// let stream = futures_util::stream::iter([Ok::<_, std::io::Error>(bytes::Bytes::from("x"))]);
    /// let one_shot = httplib::post("https://example.com/up")
    ///     .content(httplib::Body::from_stream(stream, None))
    ///     .build()?;
    /// assert!(one_shot.try_clone().is_none());
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn try_clone(&self) -> Option<Request> {
        let body = match &self.body {
            None => None,
            Some(body) => Some(body.try_clone()?),
        };
        Some(Request {
            method: self.method.clone(),
            url: self.url.clone(),
            headers: self.headers.clone(),
            body,
            config: self.config.clone(),
            extensions: self.extensions.clone(),
            retry_governed: self.retry_governed,
        })
    }

    /// The options this request sets, created empty on first use.
    pub(crate) fn overlay(&mut self) -> &mut Overlay {
        self.config.get_or_insert_with(Box::default)
    }
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("url", &crate::credentials::redacted(&self.url).as_str())
            .field("headers", &self.headers)
            .field("body", &self.body)
            .finish()
    }
}

/// Marks a [`RequestBuilder`] whose `.await` reads the whole body into a [`Response`].
///
/// # Examples
/// ```
/// use httplib::{Buffered, RequestBuilder, Response};
/// # use httplib::backend::mock::{MockBackend, MockResponse};
/// # let mock = MockBackend::new();
/// # mock.on(httplib::Method::GET, "/items", MockResponse::new(200).text("all of it"));
/// # let builder = httplib::Client::builder().base_url("http://api.test");
/// # let client = builder.backend(mock.clone()).build()?;
/// # futures_executor::block_on(async {
/// let builder: RequestBuilder<Buffered> = client.get("/items"); // the default mode
/// let r: Response = builder.await?;
/// assert_eq!(r.text()?, "all of it"); // read already: no `.await`
/// # Ok::<(), httplib::Error>(())
/// # })?;
/// # Ok::<(), httplib::Error>(())
/// ```
#[derive(Debug)]
pub struct Buffered;

/// Marks a [`RequestBuilder`] whose `.await` gives a [`StreamingResponse`] as soon as the
/// head has arrived.
///
/// # Examples
/// ```
/// use httplib::{RequestBuilder, Streamed, StreamingResponse};
/// # use httplib::backend::mock::{MockBackend, MockResponse};
/// # let mock = MockBackend::new();
/// # mock.on(httplib::Method::GET, "/items", MockResponse::new(200).text("all of it"));
/// # let builder = httplib::Client::builder().base_url("http://api.test");
/// # let client = builder.backend(mock.clone()).build()?;
/// # futures_executor::block_on(async {
/// let builder: RequestBuilder<Streamed> = client.get("/items").stream();
/// let r: StreamingResponse = builder.await?;
/// assert!(r.is_success()); // the body is still to be read
/// assert_eq!(r.read().await?.text()?, "all of it");
/// # Ok::<(), httplib::Error>(())
/// # })?;
/// # Ok::<(), httplib::Error>(())
/// ```
#[derive(Debug)]
pub struct Streamed;

/// Builds a request and sends it: `.await` it (async, every target) or call
/// [`send_blocking`](#method.send_blocking) (native).
///
/// Methods chain by value; the first error (a bad header, a body that fails to serialize)
/// is kept and returned when the request is sent.
///
/// # Examples
/// ```no_run
/// # async fn run() -> httplib::Result<()> {
/// let r = httplib::get("https://api.example.com/items")
///     .query(&[("q", "test"), ("page", "2")])
///     .header("User-Agent", "my-app/1.0")
///     .await?;
/// println!("{} {}", r.status_code(), r.text()?);
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until it is awaited or sent"]
pub struct RequestBuilder<M = Buffered> {
    client: Client,
    request: Result<Request>,
    /// The request in flight, once the builder has been polled as a future.
    sending: Option<Sending>,
    mode: PhantomData<fn() -> M>,
}

/// A started request, kept by the builder that is being polled as a future.
enum Sending {
    Buffered(ResponseFuture),
    Streamed(StreamingResponseFuture),
}

impl RequestBuilder<Buffered> {
    pub(crate) fn new(client: Client, request: Result<Request>) -> Self {
        RequestBuilder {
            client,
            request,
            sending: None,
            mode: PhantomData,
        }
    }
}

impl<M> RequestBuilder<M> {
    fn map(mut self, f: impl FnOnce(&mut Request) -> Result<()>) -> Self {
        if let Ok(request) = &mut self.request
            && let Err(e) = f(request)
        {
            self.request = Err(e);
        }
        self
    }

    /// Adds a header (appending to any of the same name already set on this request; a
    /// client default of the same name is replaced). Values with CR, LF or NUL are refused.
    ///
    /// # Examples
    /// ```
    /// let request = httplib::get("https://example.com/")
    ///     .header("X-Tag", "a")
    ///     .header("X-Tag", "b")
    ///     .build()?;
    /// assert_eq!(request.headers().get_all("x-tag").iter().count(), 2);
    ///
    /// let request = httplib::get("https://example.com/").header("X-Bad", "a\r\nb");
    /// let err = request.build().unwrap_err();
    /// assert!(err.is_builder());
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn header<K, V>(self, name: K, value: V) -> Self
    where
        K: TryInto<HeaderName>,
        K::Error: Into<http::Error>,
        V: TryInto<HeaderValue>,
        V::Error: Into<http::Error>,
    {
        self.map(|r| {
            let name = name.try_into().map_err(|e| invalid_header(e.into()))?;
            let mut value = value.try_into().map_err(|e| invalid_header(e.into()))?;
            crate::credentials::mark(&name, &mut value);
            r.headers.append(name, value);
            Ok(())
        })
    }

    /// Adds every header of `headers`.
    ///
    /// # Examples
    /// ```
    /// use httplib::{HeaderMap, HeaderValue, header};
    ///
    /// let mut headers = HeaderMap::new();
    /// headers.insert(header::ACCEPT, HeaderValue::from_static("application/json"));
    /// headers.insert(header::ACCEPT_LANGUAGE, HeaderValue::from_static("en"));
    /// let request = httplib::get("https://example.com/").headers(headers).build()?;
    /// assert_eq!(request.headers().len(), 2);
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn headers(self, headers: HeaderMap) -> Self {
        self.map(|r| {
            for (name, value) in &headers {
                let mut value = value.clone();
                crate::credentials::mark(name, &mut value);
                r.headers.append(name, value);
            }
            Ok(())
        })
    }

    /// Appends query parameters from anything `Serialize` as a urlencoded sequence of pairs
    /// or a struct/map: `&[("q", "test")]`, a `HashMap`, a `#[derive(Serialize)]` struct.
    ///
    /// # Examples
    /// ```
    /// let request = httplib::get("https://example.com/search?lang=en")
    ///     .query(&[("q", "rust http"), ("page", "2")])
    ///     .build()?;
    /// assert_eq!(request.url().query(), Some("lang=en&q=rust+http&page=2"));
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn query<T: Serialize + ?Sized>(self, params: &T) -> Self {
        self.map(|r| {
            let encoded = serde_urlencoded::to_string(params)
                .map_err(|e| Error::builder("query parameters cannot be encoded").with_source(e))?;
            if !encoded.is_empty() {
                let query = match r.url.query() {
                    Some(existing) if !existing.is_empty() => format!("{existing}&{encoded}"),
                    _ => encoded,
                };
                r.url.set_query(Some(&query));
            }
            Ok(())
        })
    }

    #[cfg(feature = "json")]
    /// Sends `value` as JSON, with `Content-Type: application/json` unless one is set.
    ///
    /// # Examples
    /// ```
    /// #[derive(serde::Serialize)]
    /// struct NewItem<'a> {
    ///     name: &'a str,
    /// }
    ///
    /// let request = httplib::post("https://example.com/items")
    ///     .json(&NewItem { name: "ada" })
    ///     .build()?;
    /// assert_eq!(request.headers()["content-type"], "application/json");
    /// assert_eq!(request.body().unwrap().as_bytes(), Some(&br#"{"name":"ada"}"#[..]));
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn json<T: Serialize + ?Sized>(self, value: &T) -> Self {
        self.map(|r| {
            let bytes = serde_json::to_vec(value)
                .map_err(|e| Error::builder("the JSON body cannot be serialized").with_source(e))?;
            set_body(r, bytes.into(), "application/json");
            Ok(())
        })
    }

    /// Sends a urlencoded form (httpx's `data=`), with
    /// `Content-Type: application/x-www-form-urlencoded` unless one is set.
    ///
    /// # Examples
    /// ```
    /// let request = httplib::post("https://example.com/login")
    ///     .form(&[("user", "ada lovelace"), ("lang", "en")])
    ///     .build()?;
    /// assert_eq!(request.headers()["content-type"], "application/x-www-form-urlencoded");
    /// assert_eq!(request.body().unwrap().as_bytes(), Some(&b"user=ada+lovelace&lang=en"[..]));
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn form<T: Serialize + ?Sized>(self, fields: &T) -> Self {
        self.map(|r| {
            let encoded = serde_urlencoded::to_string(fields)
                .map_err(|e| Error::builder("the form cannot be encoded").with_source(e))?;
            set_body(r, encoded.into(), "application/x-www-form-urlencoded");
            Ok(())
        })
    }

    /// Sends a multipart form (httpx's `files=`); files in it are streamed, not read into
    /// memory. With the `multipart` feature (on by default).
    ///
    /// # Examples
    /// ```
    /// use httplib::multipart::Form;
    ///
    /// let form = Form::new().text("title", "holiday");
    /// let content_type = format!("multipart/form-data; boundary={}", form.boundary());
    /// let request = httplib::post("https://example.com/upload").multipart(form).build()?;
    /// assert_eq!(request.headers()["content-type"], content_type);
    /// # Ok::<(), httplib::Error>(())
    /// ```
    #[cfg(feature = "multipart")]
    pub fn multipart(self, mut form: crate::multipart::Form) -> Self {
        self.map(|r| {
            if let Some(failed) = form.take_failure() {
                return Err(failed);
            }
            let content_type = form.content_type();
            r.body = Some(form.into_body());
            r.headers.insert(
                CONTENT_TYPE,
                HeaderValue::try_from(content_type).map_err(|e| invalid_header(e.into()))?,
            );
            Ok(())
        })
    }

    /// Sends raw bytes or text as they are (httpx's `content=`): never form-encoded, and
    /// no `Content-Type` is added.
    ///
    /// # Examples
    /// ```
    /// let request = httplib::post("https://example.com/raw")
    ///     .content(b"\x00\x01raw".to_vec())
    ///     .build()?;
    /// assert_eq!(request.body().unwrap().content_length(), Some(5));
    /// assert!(request.headers().get("content-type").is_none());
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn content(self, body: impl Into<Body>) -> Self {
        self.map(|r| {
            r.body = Some(body.into());
            Ok(())
        })
    }

    /// Authenticates this request: `("user", "passwd")` for Basic, a
    /// [`DigestAuth`](crate::DigestAuth), or an [`Auth`]. Replaces the client's auth.
    ///
    /// # Examples
    /// ```
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # let mock = MockBackend::new();
    /// let client = httplib::Client::builder().backend(mock.clone()).build()?;
    /// client.get("http://api.test/me").auth(("user", "passwd")).send_blocking()?;
    /// let sent = &mock.requests()[0].headers["authorization"];
    /// assert_eq!(sent, "Basic dXNlcjpwYXNzd2Q=");
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn auth(self, auth: impl Into<Auth>) -> Self {
        let auth = auth.into();
        self.map(|r| {
            r.overlay().auth = Some(Some(auth));
            Ok(())
        })
    }

    /// Basic auth; the header is marked sensitive.
    ///
    /// # Examples
    /// ```
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # let mock = MockBackend::new();
    /// let client = httplib::Client::builder().backend(mock.clone()).build()?;
    /// client.get("http://api.test/me").basic_auth("user", Some("passwd")).send_blocking()?;
    /// let sent = &mock.requests()[0].headers["authorization"];
    /// assert_eq!(sent, "Basic dXNlcjpwYXNzd2Q=");
    /// assert!(sent.is_sensitive());
    /// // Without a password:
    /// client.get("http://api.test/me").basic_auth("user", None).send_blocking()?;
    /// assert_eq!(mock.requests()[1].headers["authorization"], "Basic dXNlcjo=");
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn basic_auth(self, username: impl Into<String>, password: Option<&str>) -> Self {
        self.auth(Auth::basic(username, password.unwrap_or_default()))
    }

    /// Bearer token auth; the header is marked sensitive.
    ///
    /// # Examples
    /// ```
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # let mock = MockBackend::new();
    /// let client = httplib::Client::builder().backend(mock.clone()).build()?;
    /// client.get("http://api.test/me").bearer_auth("TOKEN").send_blocking()?;
    /// let sent = &mock.requests()[0].headers["authorization"];
    /// assert_eq!(sent, "Bearer TOKEN");
    /// assert!(sent.is_sensitive());
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn bearer_auth(self, token: impl Into<String>) -> Self {
        self.auth(Auth::bearer(token))
    }

    /// Overrides the client's timeouts for this request (a `Duration` sets all four).
    ///
    /// # Examples
    /// ```
    /// use std::time::Duration;
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # let mock = MockBackend::new();
    /// # mock.on(httplib::Method::GET, "/slow",
    /// #     MockResponse::new(200).delay(Duration::from_millis(500)));
    /// # let builder = httplib::Client::builder().base_url("http://api.test");
    /// # let client = builder.backend(mock.clone()).build()?;
    ///
    /// let hurried = client.get("/slow").timeout(Duration::from_millis(50));
    /// let err = hurried.send_blocking().unwrap_err();
    /// assert!(err.is_timeout());
    /// # Ok::<(), httplib::Error>(())
    /// ```
    ///
    /// # Platform
    /// On wasm32 `fetch` cannot tell connecting, writing and waiting apart: see [`Timeout`].
    pub fn timeout(self, timeout: impl Into<Timeout>) -> Self {
        let timeout = timeout.into();
        self.map(|r| {
            r.overlay().timeout = Some(timeout);
            Ok(())
        })
    }

    /// Follows redirects for this request (off by default, as in httpx).
    ///
    /// # Examples
    /// ```
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # let mock = MockBackend::new();
    /// # mock.on(httplib::Method::GET, "/old", MockResponse::new(302).header("Location", "/new"));
    /// # mock.on(httplib::Method::GET, "/new", MockResponse::new(200));
    /// # let builder = httplib::Client::builder().base_url("http://api.test");
    /// # let client = builder.backend(mock.clone()).build()?;
    /// let r = client.get("/old").send_blocking()?;
    /// assert!(r.is_redirect()); // returned as it is
    /// let r = client.get("/old").follow_redirects(true).send_blocking()?;
    /// assert_eq!(r.url().path(), "/new");
    /// # Ok::<(), httplib::Error>(())
    /// ```
    ///
    /// # Platform
    /// In a browser the browser follows redirects itself, and one not followed is an
    /// [`OpaqueRedirect`](ErrorKind::OpaqueRedirect) error: see
    /// [`ClientBuilder::follow_redirects`](crate::ClientBuilder::follow_redirects).
    pub fn follow_redirects(self, follow: bool) -> Self {
        self.map(|r| {
            r.overlay().follow_redirects = Some(follow);
            Ok(())
        })
    }

    /// Sends this request again on failure under `retry`, instead of the client's policy;
    /// [`Retry::none()`](crate::Retry::none) turns retries off for it. A `POST` is only
    /// retried when the policy's [`methods`](crate::Retry::methods) include it.
    ///
    /// # Examples
    /// ```
    /// use std::time::Duration;
    /// use httplib::{Method, Retry};
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # let mock = MockBackend::new();
    /// # mock.once(Method::POST, "/jobs", MockResponse::new(502));
    /// # mock.on(Method::POST, "/jobs", MockResponse::new(201));
    /// # let client = httplib::Client::builder().backend(mock.clone()).build()?;
    /// let fast = Retry::new(2).methods([Method::POST]).backoff(Duration::ZERO, Duration::ZERO);
    /// # #[cfg(not(target_arch = "wasm32"))]
    /// # {
    /// let r = client.post("http://api.test/jobs").json(&1).retry(fast).send_blocking()?;
    /// assert_eq!(r.status_code(), 201); // a 502 first, then sent again
    /// # }
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn retry(self, retry: crate::Retry) -> Self {
        self.map(|r| {
            r.overlay().retry = Some(retry);
            Ok(())
        })
    }

    /// Calls `on_progress` as the request body is sent: `{bytes: 0, total}` first, then
    /// after each chunk the backend takes, `total` being the body's length when known.
    /// A body sent again (a 307 redirect, a Digest challenge, a retry) counts from 0 again.
    /// Nothing is buffered to count.
    ///
    /// # Platform
    /// A browser's `fetch` reads a streamed body whole before sending it: there, progress
    /// reaches the total before the upload starts.
    ///
    /// # Examples
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # let mock = MockBackend::new();
    /// # let client = httplib::Client::builder().backend(mock).build()?;
    /// let seen = Arc::new(Mutex::new(Vec::new()));
    /// let log = seen.clone();
    /// let request = client
    ///     .post("http://api.test/upload")
    ///     .content(vec![7u8; 200_000])
    ///     .on_upload_progress(move |p| log.lock().unwrap().push((p.bytes, p.total)));
    /// # #[cfg(not(target_arch = "wasm32"))]
    /// # {
    /// request.send_blocking()?;
    /// let seen = seen.lock().unwrap();
    /// assert_eq!(seen.first(), Some(&(0, Some(200_000))));
    /// assert_eq!(seen.last(), Some(&(200_000, Some(200_000))));
    /// # }
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn on_upload_progress(
        self,
        on_progress: impl Fn(crate::Progress) + Send + Sync + 'static,
    ) -> Self {
        let on_progress = ProgressFn::new(on_progress);
        self.map(|r| {
            r.overlay().on_upload_progress = Some(Some(on_progress));
            Ok(())
        })
    }

    /// Calls `on_progress` as the response body is read: `{bytes: 0, total}` when
    /// reading starts, then after each chunk, `total` being the `Content-Length` when
    /// the body arrives as announced (not for a body the client decompresses).
    ///
    /// # Examples
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # let mock = MockBackend::new();
    /// # mock.on(httplib::Method::GET, "/big", MockResponse::new(200)
    /// #     .header("Content-Length", "6").chunks([bytes::Bytes::from("abc"), bytes::Bytes::from("def")]));
    /// # let client = httplib::Client::builder().backend(mock).build()?;
    /// let seen = Arc::new(Mutex::new(Vec::new()));
    /// let log = seen.clone();
    /// let request = client
    ///     .get("http://api.test/big")
    ///     .on_download_progress(move |p| log.lock().unwrap().push(p.bytes));
    /// # #[cfg(not(target_arch = "wasm32"))]
    /// # {
    /// assert_eq!(request.send_blocking()?.text()?, "abcdef");
    /// assert_eq!(*seen.lock().unwrap(), [0, 3, 6]);
    /// # }
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn on_download_progress(
        self,
        on_progress: impl Fn(crate::Progress) + Send + Sync + 'static,
    ) -> Self {
        let on_progress = ProgressFn::new(on_progress);
        self.map(|r| {
            r.overlay().on_download_progress = Some(Some(on_progress));
            Ok(())
        })
    }

    /// The most redirects to follow before failing with
    /// [`TooManyRedirects`](ErrorKind::TooManyRedirects) (default 20).
    ///
    /// # Examples
    /// ```
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # let mock = MockBackend::new();
    /// # mock.handle(|_| Some(MockResponse::new(302).header("Location", "/again")));
    /// # let builder = httplib::Client::builder().base_url("http://api.test");
    /// # let client = builder.backend(mock.clone()).build()?;
    /// let request = client.get("/again").follow_redirects(true).max_redirects(1);
    /// let err = request.send_blocking().unwrap_err();
    /// assert_eq!(err.kind(), httplib::ErrorKind::TooManyRedirects);
    /// # Ok::<(), httplib::Error>(())
    /// ```
    ///
    /// # Platform
    /// In a browser, which follows redirects itself, its own cap of 20 applies instead.
    pub fn max_redirects(self, max: usize) -> Self {
        self.map(|r| {
            r.overlay().max_redirects = Some(max);
            Ok(())
        })
    }

    /// The request as built, without sending it.
    ///
    /// # Errors
    /// The first error met while building (invalid URL or header, body serialization).
    ///
    /// # Examples
    /// ```
    /// let request = httplib::get("https://example.com/items").query(&[("page", "2")]).build()?;
    /// assert_eq!(request.url().as_str(), "https://example.com/items?page=2");
    ///
    /// let err = httplib::get("https://example.com/").header("X", "a\nb").build().unwrap_err();
    /// assert!(err.is_builder());
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn build(self) -> Result<Request> {
        self.request
    }

    /// Makes `.await` give a [`StreamingResponse`] as soon as the head has arrived, with the
    /// body left to read.
    ///
    /// # Examples
    /// ```
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # let mock = MockBackend::new();
    /// # mock.on(httplib::Method::GET, "/big", MockResponse::new(200)
    /// #     .chunks([bytes::Bytes::from("part 1, "), bytes::Bytes::from("part 2")]));
    /// # let builder = httplib::Client::builder().base_url("http://api.test");
    /// # let client = builder.backend(mock.clone()).build()?;
    /// # futures_executor::block_on(async {
    /// let mut r = client.get("/big").stream().await?;
    /// let mut received = Vec::new();
    /// while let Some(chunk) = r.chunk().await? {
    ///     received.extend_from_slice(&chunk);
    /// }
    /// assert_eq!(received, b"part 1, part 2");
    /// # Ok::<(), httplib::Error>(())
    /// # })?;
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn stream(self) -> RequestBuilder<Streamed> {
        RequestBuilder {
            client: self.client,
            request: self.request,
            sending: None,
            mode: PhantomData,
        }
    }

    /// The URL of the request being built, unless building it failed already (for the JS
    /// API's errors that arise outside the request: a cancellation, a hook that threw).
    #[cfg(all(js, feature = "js-api"))]
    pub(crate) fn url(&self) -> Option<&Url> {
        self.request.as_ref().ok().map(|r| &r.url)
    }

    /// The request, taken out to be sent by the builder polled as a future.
    fn take_request(&mut self) -> Result<Request> {
        std::mem::replace(
            &mut self.request,
            Err(Error::builder("the request was already sent")),
        )
    }
}

fn send_buffered(client: Client, request: Result<Request>) -> ResponseFuture {
    Box::pin(in_io_context(async move {
        client.run(request?).await?.read().await
    }))
}

fn send_streamed(client: Client, request: Result<Request>) -> StreamingResponseFuture {
    Box::pin(in_io_context(async move { client.run(request?).await }))
}

#[cfg(native)]
impl<M> RequestBuilder<M> {
    /// Sends the request and reads the whole body, blocking the calling thread.
    ///
    /// # Errors
    /// As `.await`; and an [`ErrorKind::Builder`] error when called inside an async runtime.
    ///
    /// # Platform
    /// Native only: there is no blocking in the browser or Node.
    ///
    /// # Examples
    /// ```
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # let mock = MockBackend::new();
    /// # mock.on(httplib::Method::GET, "/items", MockResponse::new(200).json(&[1, 2]));
    /// # let builder = httplib::Client::builder().base_url("http://api.test");
    /// # let client = builder.backend(mock.clone()).build()?;
    /// let r = client.get("/items").send_blocking()?;
    /// assert_eq!(r.json::<Vec<u32>>()?, [1, 2]);
    ///
    /// // Inside a current-thread runtime it would stall the thread: refused instead.
    /// let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    /// let err = runtime.block_on(async { client.get("/items").send_blocking() }).unwrap_err();
    /// assert!(err.is_builder());
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn send_blocking(self) -> Result<Response> {
        // The whole body is read before this returns, so the request can run on this
        // thread's own runtime, with the sockets it opens (see `block_on_here`).
        crate::runtime::block_on_here(send_buffered(self.client, self.request))?
    }

    /// Sends the request and returns once the head has arrived, blocking the calling thread;
    /// read the body with [`StreamingResponse::iter_bytes`] and the other blocking readers.
    ///
    /// # Errors
    /// As [`send_blocking`](Self::send_blocking).
    ///
    /// # Platform
    /// Native only.
    ///
    /// # Examples
    /// ```
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # let mock = MockBackend::new();
    /// # mock.on(httplib::Method::GET, "/log",
    /// #     MockResponse::new(200).text("line one\nline two\n"));
    /// # let builder = httplib::Client::builder().base_url("http://api.test");
    /// # let client = builder.backend(mock.clone()).build()?;
    /// let r = client.get("/log").stream_blocking()?;
    /// assert!(r.is_success()); // the head has arrived; the body is still to be read
    /// let lines: Vec<String> = r.iter_lines().collect::<Result<_, _>>()?;
    /// assert_eq!(lines, ["line one", "line two"]);
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn stream_blocking(self) -> Result<StreamingResponse> {
        crate::runtime::block_on(send_streamed(self.client, self.request))?
    }
}

/// A boxed future of a whole response: a [`RequestBuilder`] boxed, to keep futures of
/// different kinds in one collection.
///
/// It is `Send` natively, so it can be stored or spawned like any other future.
///
/// # Examples
/// ```
/// # use httplib::backend::mock::{MockBackend, MockResponse};
/// # let mock = MockBackend::new();
/// # mock.handle(|_| Some(MockResponse::new(200)));
/// # let builder = httplib::Client::builder().base_url("http://api.test");
/// # let client = builder.backend(mock.clone()).build()?;
///
/// let pending: Vec<httplib::ResponseFuture> =
///     ["/a", "/b"].iter().map(|p| Box::pin(client.get(*p)) as httplib::ResponseFuture).collect();
/// let responses = futures_executor::block_on(futures_util::future::join_all(pending));
/// assert!(responses.iter().all(|r| r.as_ref().is_ok_and(|r| r.is_success())));
/// # Ok::<(), httplib::Error>(())
/// ```
pub type ResponseFuture = BoxFuture<'static, Result<Response>>;

/// A boxed future of a streaming response: what [`Client::execute`] returns, and a
/// streaming [`RequestBuilder`] boxed.
///
/// # Examples
/// ```
/// # use httplib::backend::mock::{MockBackend, MockResponse};
/// # let mock = MockBackend::new();
/// # mock.on(httplib::Method::GET, "/big", MockResponse::new(200).text("data"));
/// # let builder = httplib::Client::builder().base_url("http://api.test");
/// # let client = builder.backend(mock.clone()).build()?;
///
/// let request = client.get("/big").build()?;
/// let pending: httplib::StreamingResponseFuture = client.execute(request);
/// let r = futures_executor::block_on(pending)?;
/// assert_eq!(r.read_blocking()?.text()?, "data");
/// # Ok::<(), httplib::Error>(())
/// ```
pub type StreamingResponseFuture = BoxFuture<'static, Result<StreamingResponse>>;

/// A builder is itself the future of its response: it sends the request when first
/// polled, so `join_all(urls.iter().map(|u| client.get(u)))` runs them all at once. (It is
/// also `IntoFuture`, as every future is, so `.await` on it works as before.)
///
/// # Examples
/// ```
/// # use httplib::backend::mock::{MockBackend, MockResponse};
/// # let mock = MockBackend::new();
/// # mock.handle(|r| Some(MockResponse::new(200).text(r.url.path())));
/// # let builder = httplib::Client::builder().base_url("http://api.test");
/// # let client = builder.backend(mock.clone()).build()?;
/// # futures_executor::block_on(async {
/// let urls = ["/a", "/b"];
/// let rs = futures_util::future::join_all(urls.iter().map(|u| client.get(*u))).await;
/// assert_eq!(rs[1].as_ref().unwrap().text()?, "/b");
/// # Ok::<(), httplib::Error>(())
/// # })?;
/// # Ok::<(), httplib::Error>(())
/// ```
impl Future for RequestBuilder<Buffered> {
    type Output = Result<Response>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<Response>> {
        let this = &mut *self;
        if let Some(Sending::Buffered(sending)) = &mut this.sending {
            return sending.as_mut().poll(cx);
        }
        let mut sending = send_buffered(this.client.clone(), this.take_request());
        let poll = sending.as_mut().poll(cx);
        this.sending = Some(Sending::Buffered(sending));
        poll
    }
}

/// As for a buffered builder: sends the request when first polled.
///
/// # Examples
/// ```
/// # use httplib::backend::mock::{MockBackend, MockResponse};
/// # let mock = MockBackend::new();
/// # mock.handle(|r| Some(MockResponse::new(200).text(r.url.path())));
/// # let builder = httplib::Client::builder().base_url("http://api.test");
/// # let client = builder.backend(mock.clone()).build()?;
/// # futures_executor::block_on(async {
/// let streams = futures_util::future::join_all(["/a", "/b"].map(|u| client.get(u).stream())).await;
/// assert!(streams.iter().all(|r| r.as_ref().is_ok_and(|r| r.is_success())));
/// # Ok::<(), httplib::Error>(())
/// # })?;
/// # Ok::<(), httplib::Error>(())
/// ```
impl Future for RequestBuilder<Streamed> {
    type Output = Result<StreamingResponse>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<StreamingResponse>> {
        let this = &mut *self;
        if let Some(Sending::Streamed(sending)) = &mut this.sending {
            return sending.as_mut().poll(cx);
        }
        let mut sending = send_streamed(this.client.clone(), this.take_request());
        let poll = sending.as_mut().poll(cx);
        this.sending = Some(Sending::Streamed(sending));
        poll
    }
}

impl<M> fmt::Debug for RequestBuilder<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestBuilder")
            .field("request", &self.request)
            .finish()
    }
}

fn set_body(r: &mut Request, body: Body, content_type: &'static str) {
    r.body = Some(body);
    if !r.headers.contains_key(CONTENT_TYPE) {
        r.headers
            .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    }
}

fn invalid_header(e: http::Error) -> Error {
    Error::new(
        ErrorKind::Builder,
        "invalid header name or value (CR, LF and other control characters are refused)",
    )
    .with_source(e)
}
