//! `Response`: a response whose body has been read, so reading it needs no `.await`.

use std::fmt;
use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use http::{HeaderMap, StatusCode, Version};
use serde::de::DeserializeOwned;
use url::Url;

use crate::error::{Error, Result};
use crate::text;

/// The head of a response: what is known before the body.
#[derive(Clone, Debug)]
pub(crate) struct Head {
    pub(crate) status: StatusCode,
    pub(crate) version: VersionInfo,
    pub(crate) headers: HeaderMap,
    pub(crate) url: Url,
}

/// The HTTP version of a response, as far as the platform tells it.
#[derive(Clone, Debug)]
pub(crate) enum VersionInfo {
    Known(Version),
    /// Unknown with the head; a backend may learn it once the body has been read (browsers
    /// record it in resource timing at the end of a download), or never (Node).
    Later(Arc<OnceLock<Version>>),
}

impl Head {
    pub(crate) fn version(&self) -> Option<Version> {
        match &self.version {
            VersionInfo::Known(version) => Some(*version),
            VersionInfo::Later(cell) => cell.get().copied(),
        }
    }
}

/// The accessors of a response head, shared by [`Response`] and
/// [`StreamingResponse`](crate::StreamingResponse).
macro_rules! head_accessors {
    () => {
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
            self.head.status.as_u16()
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
            self.head.status
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
            self.head.version()
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
            crate::response::version_name(self.head.version())
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
            &self.head.headers
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
            &self.head.url
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
            self.head.status.is_success()
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
            crate::redirect::is_redirect(self.head.status, &self.head.headers)
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
            self.head.status.is_client_error()
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
            self.head.status.is_server_error()
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
    };
}
pub(crate) use head_accessors;

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
    pub(crate) head: Head,
    pub(crate) body: Bytes,
    pub(crate) history: Vec<Response>,
}

impl Response {
    head_accessors!();

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
