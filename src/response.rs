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
        pub fn status_code(&self) -> u16 {
            self.head.status.as_u16()
        }

        /// The status.
        pub fn status(&self) -> http::StatusCode {
            self.head.status
        }

        /// The HTTP version the response came over, or `None` where the platform does not
        /// tell (see the README's table: fetch in Node and in most browsers).
        pub fn version(&self) -> Option<http::Version> {
            self.head.version()
        }

        /// The HTTP version as httpx spells it: `"HTTP/1.1"`, `"HTTP/2"`, or `"unknown"`
        /// where the platform does not tell.
        pub fn http_version(&self) -> &'static str {
            crate::response::version_name(self.head.version())
        }

        /// The response headers. When the body was decompressed, `Content-Encoding` and
        /// `Content-Length` are removed, since they no longer describe the body you read.
        pub fn headers(&self) -> &http::HeaderMap {
            &self.head.headers
        }

        /// The URL of the response: the last one, after redirects.
        pub fn url(&self) -> &url::Url {
            &self.head.url
        }

        /// The redirect responses followed to get here, oldest first.
        pub fn history(&self) -> &[crate::Response] {
            &self.history
        }

        /// True for 2xx.
        pub fn is_success(&self) -> bool {
            self.head.status.is_success()
        }

        /// True for 3xx statuses that carry a `Location` to follow (301, 302, 303, 307, 308).
        pub fn is_redirect(&self) -> bool {
            crate::redirect::is_redirect(self.head.status, &self.head.headers)
        }

        /// True for 4xx.
        pub fn is_client_error(&self) -> bool {
            self.head.status.is_client_error()
        }

        /// True for 5xx.
        pub fn is_server_error(&self) -> bool {
            self.head.status.is_server_error()
        }

        /// True for 4xx and 5xx.
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
    pub fn bytes(&self) -> &Bytes {
        &self.body
    }

    /// The body as text, decoded with the charset of its `Content-Type` (UTF-8 when none).
    ///
    /// # Errors
    /// [`ErrorKind::Decode`](crate::ErrorKind::Decode) when the body is not valid in that
    /// charset, rather than silently replacing what it cannot read; use
    /// [`text_lossy`](Self::text_lossy) to replace instead.
    pub fn text(&self) -> Result<String> {
        text::decode(&self.body, &self.head.headers, false).map_err(|e| e.with_url(self.url()))
    }

    /// The body as text, with invalid sequences replaced by U+FFFD.
    pub fn text_lossy(&self) -> String {
        text::decode(&self.body, &self.head.headers, true).unwrap_or_default()
    }

    /// The body parsed as JSON.
    ///
    /// # Errors
    /// [`ErrorKind::Decode`](crate::ErrorKind::Decode), saying where the JSON is wrong.
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
