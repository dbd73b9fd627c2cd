//! [`ResponseHead`]: what a response says before its body (status, version, headers, the
//! URL it came from, the redirects followed to it, extensions), shared by
//! [`Response`](crate::Response) and [`StreamingResponse`](crate::StreamingResponse).

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use http::{Extensions, HeaderMap, StatusCode, Version};
use url::Url;

use crate::response::Response;

/// The head of a response: what is known before the body. [`Response`] and
/// [`StreamingResponse`](crate::StreamingResponse) dereference to it, so its accessors
/// (`status_code()`, `headers()`, `url()`...) are theirs.
///
/// Public so that a [`Middleware`](crate::Middleware), a custom backend's caller or a test
/// can build a response: [`ResponseHead::new`], then
/// [`StreamingResponse::new`](crate::StreamingResponse::new) or [`Response::new`].
///
/// # Examples
/// ```
/// use httplib::{Response, ResponseHead, StatusCode};
///
/// let mut head = ResponseHead::new(StatusCode::CREATED, "https://api.test/items/7".parse().unwrap());
/// head.headers_mut().insert("content-type", "application/json".parse().unwrap());
/// let r = Response::new(head, bytes::Bytes::from(r#"{"id":7}"#));
/// assert_eq!(r.status_code(), 201);
/// assert_eq!(r.json::<serde_json::Value>()?["id"], 7);
/// assert_eq!(r.http_version(), "HTTP/1.1");
/// # Ok::<(), httplib::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct ResponseHead {
    pub(crate) status: StatusCode,
    pub(crate) version: VersionInfo,
    pub(crate) headers: HeaderMap,
    pub(crate) url: Url,
    /// The redirects followed to this response, oldest first.
    pub(crate) history: Vec<Response>,
    pub(crate) extensions: Extensions,
    /// From handing the request to the backend to the head's arrival.
    pub(crate) elapsed: Duration,
    pub(crate) remote_addr: Option<SocketAddr>,
}

/// The HTTP version of a response, as far as the platform tells it.
#[derive(Clone, Debug)]
pub(crate) enum VersionInfo {
    Known(Version),
    /// Unknown with the head; a backend may learn it once the body has been read (browsers
    /// record it in resource timing at the end of a download), or never (Node).
    Later(Arc<OnceLock<Version>>),
}

impl ResponseHead {
    /// A head with `status`, from `url`: HTTP/1.1, no headers, no history.
    ///
    /// # Examples
    /// ```
    /// let head = httplib::ResponseHead::new(httplib::StatusCode::OK, "http://api.test/".parse().unwrap());
    /// assert!(head.is_success() && head.headers().is_empty() && head.history().is_empty());
    /// ```
    pub fn new(status: StatusCode, url: Url) -> ResponseHead {
        ResponseHead {
            status,
            version: VersionInfo::Known(Version::HTTP_11),
            headers: HeaderMap::new(),
            url,
            history: Vec::new(),
            extensions: Extensions::new(),
            elapsed: Duration::ZERO,
            remote_addr: None,
        }
    }

    /// The time from sending the request to the arrival of this response's head (httpx's
    /// `elapsed`, without the body): for each response of a redirect chain, its own hop's.
    /// Zero for a response a middleware made.
    ///
    /// # Examples
    /// ```
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # use std::time::Duration;
    /// # let mock = MockBackend::new();
    /// # mock.on(httplib::Method::GET, "/slow", MockResponse::new(200).delay(Duration::from_millis(20)));
    /// # let client = httplib::Client::builder().backend(mock).build()?;
    /// # #[cfg(not(target_arch = "wasm32"))]
    /// # {
    /// let r = client.get("http://api.test/slow").send_blocking()?;
    /// assert!(r.elapsed() >= Duration::from_millis(20));
    /// # }
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn elapsed(&self) -> Duration {
        self.elapsed
    }

    /// The address of the server the response came from, when the platform tells it:
    /// natively, the connection's peer; `None` in browsers and Node, whose `fetch` hides
    /// it, and for a response a middleware made.
    ///
    /// # Examples
    /// ```
    /// let head = httplib::ResponseHead::new(httplib::StatusCode::OK, "http://api.test/".parse().unwrap());
    /// assert_eq!(head.remote_addr(), None);
    /// ```
    pub fn remote_addr(&self) -> Option<SocketAddr> {
        self.remote_addr
    }

    /// The `Content-Length` the response announces, if any: the length of the body as it
    /// is read (a body the client decompresses has none, its length being unknown until
    /// read).
    ///
    /// # Examples
    /// ```
    /// let mut head = httplib::ResponseHead::new(httplib::StatusCode::OK, "http://api.test/".parse().unwrap());
    /// assert_eq!(head.content_length(), None);
    /// head.headers_mut().insert("content-length", "42".parse().unwrap());
    /// assert_eq!(head.content_length(), Some(42));
    /// ```
    pub fn content_length(&self) -> Option<u64> {
        self.headers
            .get(http::header::CONTENT_LENGTH)?
            .to_str()
            .ok()?
            .trim()
            .parse()
            .ok()
    }

    /// The headers, to change.
    ///
    /// # Examples
    /// ```
    /// let mut head = httplib::ResponseHead::new(httplib::StatusCode::OK, "http://api.test/".parse().unwrap());
    /// head.headers_mut().insert("x-cache", "hit".parse().unwrap());
    /// assert_eq!(head.headers()["x-cache"], "hit");
    /// ```
    pub fn headers_mut(&mut self) -> &mut HeaderMap {
        &mut self.headers
    }

    /// Sets the status.
    ///
    /// # Examples
    /// ```
    /// let mut head = httplib::ResponseHead::new(httplib::StatusCode::OK, "http://api.test/".parse().unwrap());
    /// head.set_status(httplib::StatusCode::NOT_FOUND);
    /// assert_eq!(head.status_code(), 404);
    /// ```
    pub fn set_status(&mut self, status: StatusCode) {
        self.status = status;
    }

    /// Sets the HTTP version.
    ///
    /// # Examples
    /// ```
    /// let mut head = httplib::ResponseHead::new(httplib::StatusCode::OK, "http://api.test/".parse().unwrap());
    /// head.set_version(httplib::Version::HTTP_2);
    /// assert_eq!(head.http_version(), "HTTP/2");
    /// ```
    pub fn set_version(&mut self, version: Version) {
        self.version = VersionInfo::Known(version);
    }

    /// What the backend or a middleware attached to the response (any `Clone + Send +
    /// Sync` value, looked up by type).
    ///
    /// # Examples
    /// ```
    /// let mut head = httplib::ResponseHead::new(httplib::StatusCode::OK, "http://api.test/".parse().unwrap());
    /// head.extensions_mut().insert(42u32);
    /// assert_eq!(head.extensions().get::<u32>(), Some(&42));
    /// ```
    pub fn extensions(&self) -> &Extensions {
        &self.extensions
    }

    /// The extensions, to change. See [`extensions`](Self::extensions).
    ///
    /// # Examples
    /// ```
    /// let mut head = httplib::ResponseHead::new(httplib::StatusCode::OK, "http://api.test/".parse().unwrap());
    /// head.extensions_mut().insert("cached");
    /// assert!(head.extensions().get::<&str>().is_some());
    /// ```
    pub fn extensions_mut(&mut self) -> &mut Extensions {
        &mut self.extensions
    }

    fn version_known(&self) -> Option<Version> {
        match &self.version {
            VersionInfo::Known(version) => Some(*version),
            VersionInfo::Later(cell) => cell.get().copied(),
        }
    }
}

impl ResponseHead {
    /// The status code, as a number: httpx's `status_code`.
    ///
    /// # Examples
    /// ```
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # let mock = MockBackend::new();
    /// # mock.on(httplib::Method::GET, "/missing", MockResponse::new(404));
    /// # let builder = httplib::Client::builder().base_url("http://api.test");
    /// # let client = builder.backend(mock.clone()).build()?;
    /// let r = client.get("/missing").send_blocking()?;
    /// assert_eq!(r.status_code(), 404);
    /// let r = client.get("/missing").stream_blocking()?; // the same on a `StreamingResponse`
    /// assert_eq!(r.status_code(), 404);
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn status_code(&self) -> u16 {
        self.status.as_u16()
    }

    /// The status.
    ///
    /// # Examples
    /// ```
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # let mock = MockBackend::new();
    /// # mock.on(httplib::Method::GET, "/items", MockResponse::new(200).json(&[1, 2]));
    /// # let builder = httplib::Client::builder().base_url("http://api.test");
    /// # let client = builder.backend(mock.clone()).build()?;
    /// let r = client.get("/items").send_blocking()?;
    /// assert_eq!(r.status(), httplib::StatusCode::OK);
    /// assert_eq!(r.status().canonical_reason(), Some("OK"));
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn status(&self) -> http::StatusCode {
        self.status
    }

    /// The HTTP version the response came over, or `None` where the platform does not
    /// tell (see the README's table: fetch in Node and in most browsers).
    ///
    /// # Examples
    /// ```
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # let mock = MockBackend::new();
    /// # mock.on(httplib::Method::GET, "/items", MockResponse::new(200).json(&[1, 2]));
    /// # let builder = httplib::Client::builder().base_url("http://api.test");
    /// # let client = builder.backend(mock.clone()).build()?;
    /// let r = client.get("/items").send_blocking()?;
    /// assert_eq!(r.version(), Some(httplib::Version::HTTP_11));
    /// # Ok::<(), httplib::Error>(())
    /// ```
    ///
    /// # Platform
    /// Always `Some` with the native backend. On wasm32 `None` in Node; in a browser, known
    /// once the body has been read (from resource timing), so `None` on a streaming
    /// response before that.
    pub fn version(&self) -> Option<http::Version> {
        self.version_known()
    }

    /// The HTTP version as httpx spells it: `"HTTP/1.1"`, `"HTTP/2"`, or `"unknown"`
    /// where the platform does not tell.
    ///
    /// # Examples
    /// ```
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # let mock = MockBackend::new();
    /// # mock.on(httplib::Method::GET, "/items", MockResponse::new(200).json(&[1, 2]));
    /// # let builder = httplib::Client::builder().base_url("http://api.test");
    /// # let client = builder.backend(mock.clone()).build()?;
    /// let r = client.get("/items").send_blocking()?;
    /// assert_eq!(r.http_version(), "HTTP/1.1");
    /// # Ok::<(), httplib::Error>(())
    /// ```
    ///
    /// # Platform
    /// As [`version`](Self::version): `"unknown"` where that is `None`.
    pub fn http_version(&self) -> &'static str {
        crate::response::version_name(self.version_known())
    }

    /// The response headers. When the body was decompressed, `Content-Encoding` and
    /// `Content-Length` are removed, since they no longer describe the body you read.
    ///
    /// # Examples
    /// ```
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # let mock = MockBackend::new();
    /// # // "hello, world", zlib-compressed
    /// # let deflated: &[u8] = &[120, 218, 203, 72, 205, 201, 201, 215, 81, 40, 207, 47, 202,
    /// #     73, 1, 0, 29, 84, 4, 137];
    /// # mock.on(httplib::Method::GET, "/greeting", MockResponse::new(200)
    /// #     .header("Content-Type", "text/plain")
    /// #     .header("Content-Encoding", "deflate")
    /// #     .body(deflated));
    /// # let builder = httplib::Client::builder().base_url("http://api.test");
    /// # let client = builder.backend(mock.clone()).build()?;
    /// // The server sends it with `Content-Encoding: deflate`:
    /// let r = client.get("/greeting").send_blocking()?;
    /// assert_eq!(r.headers()["content-type"], "text/plain");
    /// assert!(r.headers().get("content-encoding").is_none());
    /// assert_eq!(r.text()?, "hello, world");
    /// # Ok::<(), httplib::Error>(())
    /// ```
    ///
    /// # Platform
    /// On wasm32 the platform decodes bodies itself, and `Content-Encoding` and
    /// `Content-Length` stay as the platform shows them: they may describe the encoded body.
    pub fn headers(&self) -> &http::HeaderMap {
        &self.headers
    }

    /// The URL of the response: the last one, after redirects.
    ///
    /// # Examples
    /// ```
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # let mock = MockBackend::new();
    /// # mock.on(httplib::Method::GET, "/old",
    /// #     MockResponse::new(302).header("Location", "/new"));
    /// # mock.on(httplib::Method::GET, "/new", MockResponse::new(200));
    /// # let builder = httplib::Client::builder().base_url("http://api.test");
    /// # let client = builder.backend(mock.clone()).build()?;
    /// let r = client.get("/old").follow_redirects(true).send_blocking()?;
    /// assert_eq!(r.url().as_str(), "http://api.test/new");
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn url(&self) -> &url::Url {
        &self.url
    }

    /// The redirect responses followed to get here, oldest first.
    ///
    /// # Examples
    /// ```
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # let mock = MockBackend::new();
    /// # mock.on(httplib::Method::GET, "/old",
    /// #     MockResponse::new(302).header("Location", "/new"));
    /// # mock.on(httplib::Method::GET, "/new", MockResponse::new(200));
    /// # let builder = httplib::Client::builder().base_url("http://api.test");
    /// # let client = builder.backend(mock.clone()).build()?;
    /// let r = client.get("/old").follow_redirects(true).send_blocking()?;
    /// assert_eq!(r.history().len(), 1);
    /// assert_eq!(r.history()[0].status_code(), 302);
    /// assert_eq!(r.history()[0].url().path(), "/old");
    /// # Ok::<(), httplib::Error>(())
    /// ```
    ///
    /// # Platform
    /// Empty in a browser, which follows redirects itself without showing them.
    pub fn history(&self) -> &[crate::Response] {
        &self.history
    }

    /// True for 2xx.
    ///
    /// # Examples
    /// ```
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # let mock = MockBackend::new();
    /// # mock.on(httplib::Method::GET, "/items", MockResponse::new(201));
    /// # let builder = httplib::Client::builder().base_url("http://api.test");
    /// # let client = builder.backend(mock.clone()).build()?;
    /// assert!(client.get("/items").send_blocking()?.is_success());
    /// // On a `StreamingResponse`, before the body is read:
    /// assert!(client.get("/items").stream_blocking()?.is_success());
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn is_success(&self) -> bool {
        self.status.is_success()
    }

    /// True for 3xx statuses that carry a `Location` to follow (301, 302, 303, 307, 308).
    ///
    /// # Examples
    /// ```
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # let mock = MockBackend::new();
    /// # mock.on(httplib::Method::GET, "/old",
    /// #     MockResponse::new(302).header("Location", "/new"));
    /// # mock.on(httplib::Method::GET, "/new", MockResponse::new(200));
    /// # mock.on(httplib::Method::GET, "/cached", MockResponse::new(304));
    /// # let builder = httplib::Client::builder().base_url("http://api.test");
    /// # let client = builder.backend(mock.clone()).build()?;
    /// // Not followed: redirects are off by default.
    /// let r = client.get("/old").send_blocking()?;
    /// assert!(r.is_redirect());
    /// let r = client.get("/cached").send_blocking()?; // 304 Not Modified: nowhere to go
    /// assert!(!r.is_redirect());
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn is_redirect(&self) -> bool {
        crate::redirect::is_redirect(self.status, &self.headers)
    }

    /// True for 4xx.
    ///
    /// # Examples
    /// ```
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # let mock = MockBackend::new();
    /// # mock.on(httplib::Method::GET, "/missing", MockResponse::new(404));
    /// # let builder = httplib::Client::builder().base_url("http://api.test");
    /// # let client = builder.backend(mock.clone()).build()?;
    /// let r = client.get("/missing").send_blocking()?;
    /// assert!(r.is_client_error() && !r.is_server_error());
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn is_client_error(&self) -> bool {
        self.status.is_client_error()
    }

    /// True for 5xx.
    ///
    /// # Examples
    /// ```
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # let mock = MockBackend::new();
    /// # mock.on(httplib::Method::GET, "/flaky", MockResponse::new(503));
    /// # let builder = httplib::Client::builder().base_url("http://api.test");
    /// # let client = builder.backend(mock.clone()).build()?;
    /// let r = client.get("/flaky").send_blocking()?;
    /// assert!(r.is_server_error() && !r.is_client_error());
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn is_server_error(&self) -> bool {
        self.status.is_server_error()
    }

    /// True for 4xx and 5xx.
    ///
    /// # Examples
    /// ```
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # let mock = MockBackend::new();
    /// # mock.on(httplib::Method::GET, "/missing", MockResponse::new(404));
    /// # mock.on(httplib::Method::GET, "/flaky", MockResponse::new(503));
    /// # let builder = httplib::Client::builder().base_url("http://api.test");
    /// # let client = builder.backend(mock.clone()).build()?;
    /// assert!(client.get("/missing").send_blocking()?.is_error());
    /// assert!(client.get("/flaky").send_blocking()?.is_error());
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn is_error(&self) -> bool {
        self.is_client_error() || self.is_server_error()
    }
}
