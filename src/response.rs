//! `Response`: a response whose body has been read, so reading it needs no `.await`.

use std::fmt;
use std::ops::{Deref, DerefMut};

use bytes::Bytes;
use http::Version;
#[cfg(feature = "json")]
use serde::de::DeserializeOwned;

use crate::error::{Error, Result};
use crate::head::ResponseHead;
use crate::text;

pub(crate) fn version_name(version: Option<Version>) -> &'static str {
    match version {
        Some(Version::HTTP_09) => "HTTP/0.9",
        Some(Version::HTTP_10) => "HTTP/1.0",
        Some(Version::HTTP_11) => "HTTP/1.1",
        Some(Version::HTTP_2) => "HTTP/2",
        Some(Version::HTTP_3) => "HTTP/3",
        _ => "unknown",
    }
}

/// A response with its body read: `status_code()`, `json()`, `text()` need no `.await`.
///
/// # Examples
/// ```no_run
/// # async fn run() -> httplib::Result<()> {
/// let r = httplib::get("https://api.example.com/items").await?;
/// if r.is_success() {
///     let items: serde_json::Value = r.json()?;
///     println!("{} {:?} {items}", r.status_code(), r.http_version());
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Response {
    /// Boxed, as a streaming response's: responses move whole through the layers.
    pub(crate) head: Box<ResponseHead>,
    pub(crate) body: Bytes,
}

impl Response {
    /// A response of `head` whose body is `body`: for a middleware, a mock or a test.
    ///
    /// # Examples
    /// ```
    /// use httplib::{Response, ResponseHead, StatusCode};
    ///
    /// let head = ResponseHead::new(StatusCode::OK, "http://api.test/".parse().unwrap());
    /// let r = Response::new(head, bytes::Bytes::from("hello"));
    /// assert_eq!(r.text()?, "hello");
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn new(head: ResponseHead, body: Bytes) -> Response {
        Response {
            head: Box::new(head),
            body,
        }
    }

    /// The head: status, version, headers, URL, history and extensions (also reachable
    /// directly: a `Response` dereferences to its head).
    ///
    /// # Examples
    /// ```
    /// # use httplib::{Response, ResponseHead, StatusCode};
    /// let r = Response::new(ResponseHead::new(StatusCode::OK, "http://api.test/".parse().unwrap()), "".into());
    /// assert_eq!(r.head().status(), r.status());
    /// ```
    pub fn head(&self) -> &ResponseHead {
        &self.head
    }

    /// The body as bytes: httpx's `content`.
    ///
    /// # Examples
    /// ```
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # let mock = MockBackend::new();
    /// # mock.on(httplib::Method::GET, "/logo.png",
    /// #     MockResponse::new(200).body(&b"\x89PNG\r\n"[..]));
    /// # let builder = httplib::Client::builder().base_url("http://api.test");
    /// # let client = builder.backend(mock.clone()).build()?;
    /// let r = client.get("/logo.png").send_blocking()?;
    /// assert!(r.bytes().starts_with(b"\x89PNG"));
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn bytes(&self) -> &Bytes {
        &self.body
    }

    /// The body as text, decoded with the charset of its `Content-Type` (UTF-8 when none).
    ///
    /// # Errors
    /// [`ErrorKind::Decode`](crate::ErrorKind::Decode) when the body is not valid in that
    /// charset, rather than silently replacing what it cannot read; use
    /// [`text_lossy`](Self::text_lossy) to replace instead.
    ///
    /// # Examples
    /// ```
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # let mock = MockBackend::new();
    /// # mock.on(httplib::Method::GET, "/latin1", MockResponse::new(200)
    /// #     .header("Content-Type", "text/plain; charset=iso-8859-1").body(&b"caf\xe9"[..]));
    /// # mock.on(httplib::Method::GET, "/broken", MockResponse::new(200).body(&b"caf\xff"[..]));
    /// # let builder = httplib::Client::builder().base_url("http://api.test");
    /// # let client = builder.backend(mock.clone()).build()?;
    /// // Content-Type: text/plain; charset=iso-8859-1
    /// let r = client.get("/latin1").send_blocking()?;
    /// # #[cfg(feature = "charset")]
    /// assert_eq!(r.text()?, "café");
    ///
    /// let r = client.get("/broken").send_blocking()?; // no charset: UTF-8, which this is not
    /// assert!(r.text().unwrap_err().is_decode());
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn text(&self) -> Result<String> {
        text::decode(&self.body, &self.head.headers, false).map_err(|e| e.with_url(self.url()))
    }

    /// The body as text, with invalid sequences replaced by U+FFFD.
    ///
    /// # Examples
    /// ```
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # let mock = MockBackend::new();
    /// # mock.on(httplib::Method::GET, "/broken", MockResponse::new(200).body(&b"caf\xff"[..]));
    /// # let builder = httplib::Client::builder().base_url("http://api.test");
    /// # let client = builder.backend(mock.clone()).build()?;
    /// let r = client.get("/broken").send_blocking()?;
    /// assert_eq!(r.text_lossy(), "caf\u{FFFD}");
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn text_lossy(&self) -> String {
        text::decode(&self.body, &self.head.headers, true).unwrap_or_default()
    }

    #[cfg(feature = "json")]
    /// The body parsed as JSON.
    ///
    /// # Errors
    /// [`ErrorKind::Decode`](crate::ErrorKind::Decode), saying where the JSON is wrong.
    ///
    /// # Examples
    /// ```
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # let mock = MockBackend::new();
    /// # mock.on(httplib::Method::GET, "/items",
    /// #     MockResponse::new(200).json(&serde_json::json!([{"id": 1, "name": "ada"}])));
    /// # let builder = httplib::Client::builder().base_url("http://api.test");
    /// # let client = builder.backend(mock.clone()).build()?;
    /// #[derive(Debug, serde::Deserialize)]
    /// struct Item {
    ///     id: u32,
    ///     name: String,
    /// }
    ///
    /// let r = client.get("/items").send_blocking()?;
    /// let items: Vec<Item> = r.json()?;
    /// assert_eq!((items[0].id, items[0].name.as_str()), (1, "ada"));
    /// assert!(r.json::<Item>().unwrap_err().is_decode()); // a list, not one item
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn json<T: DeserializeOwned>(&self) -> Result<T> {
        serde_json::from_slice(&self.body).map_err(|e| {
            Error::decode("the body is not the JSON expected")
                .with_source(e)
                .with_url(self.url())
        })
    }

    /// The response if its status is not 4xx or 5xx, otherwise an
    /// [`ErrorKind::Status`](crate::ErrorKind::Status) error that holds it.
    ///
    /// # Errors
    /// The status error, distinct from every transport error (`is_request()` is false).
    ///
    /// # Examples
    /// ```no_run
    /// # async fn run() -> httplib::Result<()> {
    /// match httplib::get("https://example.com/missing").await?.raise_for_status() {
    ///     Ok(r) => println!("{}", r.text()?),
    ///     Err(e) if e.is_status() => println!("status {:?}", e.status()),
    ///     Err(e) => return Err(e),
    /// }
    /// # Ok(()) }
    /// ```
    pub fn raise_for_status(self) -> Result<Response> {
        if self.is_error() {
            Err(Error::from_status(self))
        } else {
            Ok(self)
        }
    }
}

impl Deref for Response {
    type Target = ResponseHead;

    fn deref(&self) -> &ResponseHead {
        &self.head
    }
}

impl DerefMut for Response {
    fn deref_mut(&mut self) -> &mut ResponseHead {
        &mut self.head
    }
}

impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("status", &self.head.status)
            .field("version", &self.head.version())
            .field("url", &self.head.url.as_str())
            .field("headers", &self.head.headers)
            .field("body_len", &self.body.len())
            .finish()
    }
}
