//! `Request`, and the `RequestBuilder` that every call of the API goes through.

use std::fmt;
use std::future::IntoFuture;
use std::marker::PhantomData;

use http::Method;
use http::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use serde::Serialize;
use url::Url;

use crate::auth::Auth;
use crate::body::Body;
use crate::client::Client;
use crate::config::Timeout;
use crate::error::{Error, ErrorKind, Result};
use crate::response::Response;
use crate::runtime::{BoxFuture, in_io_context};
use crate::streaming::StreamingResponse;

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
    pub(crate) options: RequestOptions,
}

/// What a request may override of its client's settings.
#[derive(Clone, Default, Debug)]
pub(crate) struct RequestOptions {
    pub(crate) timeout: Option<Timeout>,
    pub(crate) follow_redirects: Option<bool>,
    pub(crate) max_redirects: Option<usize>,
    pub(crate) auth: Option<Auth>,
}

impl Request {
    /// A request with no headers and no body.
    pub fn new(method: Method, url: Url) -> Request {
        Request {
            method,
            url,
            headers: HeaderMap::new(),
            body: None,
            options: RequestOptions::default(),
        }
    }

    /// The method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The method, to change it.
    pub fn method_mut(&mut self) -> &mut Method {
        &mut self.method
    }

    /// The absolute URL.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The URL, to change it.
    pub fn url_mut(&mut self) -> &mut Url {
        &mut self.url
    }

    /// The request's own headers (the client's defaults are added when it is sent).
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The headers, to change them.
    pub fn headers_mut(&mut self) -> &mut HeaderMap {
        &mut self.headers
    }

    /// The body, if any.
    pub fn body(&self) -> Option<&Body> {
        self.body.as_ref()
    }

    /// The body, to change it.
    pub fn body_mut(&mut self) -> &mut Option<Body> {
        &mut self.body
    }

    /// The timeout set on this request, overriding the client's.
    pub fn timeout(&self) -> Option<&Timeout> {
        self.options.timeout.as_ref()
    }
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("url", &self.url.as_str())
            .field("headers", &self.headers)
            .field("body", &self.body)
            .finish()
    }
}

/// Marks a [`RequestBuilder`] whose `.await` reads the whole body into a [`Response`].
#[derive(Debug)]
pub struct Buffered;

/// Marks a [`RequestBuilder`] whose `.await` gives a [`StreamingResponse`] as soon as the
/// head has arrived.
#[derive(Debug)]
pub struct Streamed;

/// Builds a request and sends it: `.await` it (async, every target) or call
/// [`send_blocking`](RequestBuilder::send_blocking) (native).
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
    mode: PhantomData<fn() -> M>,
}

impl RequestBuilder<Buffered> {
    pub(crate) fn new(client: Client, request: Result<Request>) -> Self {
        RequestBuilder {
            client,
            request,
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
    pub fn header<K, V>(self, name: K, value: V) -> Self
    where
        K: TryInto<HeaderName>,
        K::Error: Into<http::Error>,
        V: TryInto<HeaderValue>,
        V::Error: Into<http::Error>,
    {
        self.map(|r| {
            let name = name.try_into().map_err(|e| invalid_header(e.into()))?;
            let value = value.try_into().map_err(|e| invalid_header(e.into()))?;
            r.headers.append(name, value);
            Ok(())
        })
    }

    /// Adds every header of `headers`.
    pub fn headers(self, headers: HeaderMap) -> Self {
        self.map(|r| {
            for (name, value) in &headers {
                r.headers.append(name, value.clone());
            }
            Ok(())
        })
    }

    /// Appends query parameters from anything `Serialize` as a urlencoded sequence of pairs
    /// or a struct/map: `&[("q", "test")]`, a `HashMap`, a `#[derive(Serialize)]` struct.
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

    /// Sends `value` as JSON, with `Content-Type: application/json` unless one is set.
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
    pub fn form<T: Serialize + ?Sized>(self, fields: &T) -> Self {
        self.map(|r| {
            let encoded = serde_urlencoded::to_string(fields)
                .map_err(|e| Error::builder("the form cannot be encoded").with_source(e))?;
            set_body(r, encoded.into(), "application/x-www-form-urlencoded");
            Ok(())
        })
    }

    /// Sends a multipart form (httpx's `files=`); files in it are streamed, not read into memory.
    pub fn multipart(self, form: crate::multipart::Form) -> Self {
        self.map(|r| {
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
    pub fn content(self, body: impl Into<Body>) -> Self {
        self.map(|r| {
            r.body = Some(body.into());
            Ok(())
        })
    }

    /// Authenticates this request: `("user", "passwd")` for Basic, a
    /// [`DigestAuth`](crate::DigestAuth), or an [`Auth`]. Replaces the client's auth.
    pub fn auth(self, auth: impl Into<Auth>) -> Self {
        let auth = auth.into();
        self.map(|r| {
            r.options.auth = Some(auth);
            Ok(())
        })
    }

    /// Basic auth; the header is marked sensitive.
    pub fn basic_auth(
        self,
        username: impl Into<String>,
        password: Option<impl Into<String>>,
    ) -> Self {
        self.auth(Auth::basic(
            username,
            password.map(Into::into).unwrap_or_default(),
        ))
    }

    /// Bearer token auth; the header is marked sensitive.
    pub fn bearer_auth(self, token: impl Into<String>) -> Self {
        self.auth(Auth::bearer(token))
    }

    /// Overrides the client's timeouts for this request (a `Duration` sets all four).
    pub fn timeout(self, timeout: impl Into<Timeout>) -> Self {
        let timeout = timeout.into();
        self.map(|r| {
            r.options.timeout = Some(timeout);
            Ok(())
        })
    }

    /// Follows redirects for this request (off by default, as in httpx).
    pub fn follow_redirects(self, follow: bool) -> Self {
        self.map(|r| {
            r.options.follow_redirects = Some(follow);
            Ok(())
        })
    }

    /// The most redirects to follow before failing with
    /// [`TooManyRedirects`](ErrorKind::TooManyRedirects) (default 20).
    pub fn max_redirects(self, max: usize) -> Self {
        self.map(|r| {
            r.options.max_redirects = Some(max);
            Ok(())
        })
    }

    /// The request as built, without sending it.
    ///
    /// # Errors
    /// The first error met while building (invalid URL or header, body serialization).
    pub fn build(self) -> Result<Request> {
        self.request
    }

    /// Makes `.await` give a [`StreamingResponse`] as soon as the head has arrived, with the
    /// body left to read.
    pub fn stream(self) -> RequestBuilder<Streamed> {
        RequestBuilder {
            client: self.client,
            request: self.request,
            mode: PhantomData,
        }
    }

    fn send_buffered(self) -> BoxFuture<'static, Result<Response>> {
        let RequestBuilder {
            client, request, ..
        } = self;
        Box::pin(in_io_context(async move {
            client.execute(request?).await?.read().await
        }))
    }

    fn send_streamed(self) -> BoxFuture<'static, Result<StreamingResponse>> {
        let RequestBuilder {
            client, request, ..
        } = self;
        Box::pin(in_io_context(async move { client.execute(request?).await }))
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl<M> RequestBuilder<M> {
    /// Sends the request and reads the whole body, blocking the calling thread.
    ///
    /// # Errors
    /// As `.await`; and an [`ErrorKind::Builder`] error when called inside an async runtime.
    ///
    /// # Platform
    /// Native only: there is no blocking in the browser or Node.
    pub fn send_blocking(self) -> Result<Response> {
        // The whole body is read before this returns, so the request can run on this
        // thread's own runtime, with the sockets it opens (see `block_on_here`).
        crate::runtime::block_on_here(self.send_buffered())?
    }

    /// Sends the request and returns once the head has arrived, blocking the calling thread;
    /// read the body with [`StreamingResponse::iter_bytes`] and the other blocking readers.
    ///
    /// # Errors
    /// As [`send_blocking`](Self::send_blocking).
    ///
    /// # Platform
    /// Native only.
    pub fn stream_blocking(self) -> Result<StreamingResponse> {
        crate::runtime::block_on(self.send_streamed())?
    }
}

/// The future of a [`RequestBuilder`] that reads the whole body.
pub type ResponseFuture = BoxFuture<'static, Result<Response>>;

/// The future of a streaming [`RequestBuilder`].
pub type StreamingResponseFuture = BoxFuture<'static, Result<StreamingResponse>>;

impl IntoFuture for RequestBuilder<Buffered> {
    type Output = Result<Response>;
    type IntoFuture = ResponseFuture;

    fn into_future(self) -> ResponseFuture {
        self.send_buffered()
    }
}

impl IntoFuture for RequestBuilder<Streamed> {
    type Output = Result<StreamingResponse>;
    type IntoFuture = StreamingResponseFuture;

    fn into_future(self) -> StreamingResponseFuture {
        self.send_streamed()
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
