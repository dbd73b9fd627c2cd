//! The one error type of the crate, the same on every target.

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

use http::StatusCode;
use url::Url;

use crate::response::Response;

/// A boxed error from a lower layer (I/O, TLS, hyper, JS), kept as [`Error`]'s source.
///
/// # Examples
/// ```
/// use httplib::{BoxError, Error, ErrorKind};
///
/// let cause: BoxError = "the peer hung up".into();
/// let err = Error::new(ErrorKind::Read, "the body was cut short").with_source(cause);
/// assert_eq!(std::error::Error::source(&err).unwrap().to_string(), "the peer hung up");
/// ```
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A specialized `Result` whose error is [`Error`].
///
/// # Examples
/// ```
/// # use httplib::backend::mock::{MockBackend, MockResponse};
/// # let mock = MockBackend::new();
/// # mock.on(httplib::Method::GET, "/title", MockResponse::new(200).text("Hello"));
/// # let builder = httplib::Client::builder().base_url("http://api.test");
/// # let client = builder.backend(mock.clone()).build()?;
/// fn title(client: &httplib::Client) -> httplib::Result<String> {
///     client.get("/title").send_blocking()?.text()
/// }
/// assert_eq!(title(&client)?, "Hello");
/// # Ok::<(), httplib::Error>(())
/// ```
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong, coarse enough to match on and the same on every target.
///
/// The transport-side kinds (everything but [`Status`](ErrorKind::Status),
/// [`InvalidUrl`](ErrorKind::InvalidUrl), [`Builder`](ErrorKind::Builder),
/// [`Io`](ErrorKind::Io) and [`Cancelled`](ErrorKind::Cancelled)) make
/// [`Error::is_request`] true: they are httpx's `RequestError`.
///
/// # Examples
/// ```
/// use httplib::ErrorKind;
/// # use httplib::backend::mock::{MockBackend, MockResponse};
/// # let mock = MockBackend::new();
/// # mock.on(httplib::Method::GET, "/down", MockResponse::new(200).error(ErrorKind::Connect));
/// # let builder = httplib::Client::builder().base_url("http://api.test");
/// # let client = builder.backend(mock.clone()).build()?;
///
/// let err = client.get("/down").send_blocking().unwrap_err();
/// let advice = match err.kind() {
///     ErrorKind::Connect | ErrorKind::ConnectTimeout => "is the server up?",
///     ErrorKind::Status => "see err.status()",
///     _ => "something else",
/// };
/// assert_eq!(advice, "is the server up?");
/// # Ok::<(), httplib::Error>(())
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// Establishing the connection (TCP and TLS handshake) took longer than the connect timeout.
    ConnectTimeout,
    /// The server sent nothing for longer than the read timeout (while waiting for the
    /// response head, or between two chunks of the body).
    ReadTimeout,
    /// Sending the request body stalled for longer than the write timeout.
    WriteTimeout,
    /// No connection became free in the pool within the pool timeout.
    PoolTimeout,
    /// The whole request (connecting, redirects, retries and reading the body to its
    /// end) took longer than [`Timeout::total`](crate::Timeout::total).
    TotalTimeout,
    /// The connection could not be established (refused, unreachable, TLS failure).
    Connect,
    /// Reading the response failed (connection reset or closed mid-body, length mismatch).
    Read,
    /// Sending the request failed.
    Write,
    /// The peer broke the HTTP protocol (garbage instead of a response, invalid frames).
    Protocol,
    /// A proxy refused or failed the request.
    Proxy,
    /// The URL's scheme is not `http` or `https`.
    UnsupportedProtocol,
    /// More redirects than the client's limit.
    TooManyRedirects,
    /// The client's [`redirect_policy`](crate::ClientBuilder::redirect_policy) refused a
    /// redirect ([`Attempt::error`](crate::redirect::Attempt::error)).
    Redirect,
    /// The server redirected, and the platform hides where to (a browser's `fetch` with
    /// redirects not followed returns an opaque redirect with no status or `Location`).
    OpaqueRedirect,
    /// The body could not be decoded (bad compression, invalid JSON, over the size cap).
    Decode,
    /// The URL is malformed, or contains characters that may not be sent.
    InvalidUrl,
    /// [`Response::raise_for_status`] found a 4xx or 5xx status.
    Status,
    /// The request or client could not be built (invalid header, body serialization,
    /// use of a closed client, a blocking call inside an async runtime).
    Builder,
    /// Writing a streamed body to its destination (`copy_to`) or reading a file to upload
    /// failed: a local I/O error, not a transport one.
    Io,
    /// The caller cancelled the request before it ended: in the JS API, its `AbortSignal`
    /// fired (the request, or the body being read, is aborted). Not a transport failure:
    /// nothing went wrong on the way.
    Cancelled,
}

impl ErrorKind {
    fn describe(self) -> &'static str {
        match self {
            ErrorKind::ConnectTimeout => "connect timed out",
            ErrorKind::ReadTimeout => "read timed out",
            ErrorKind::WriteTimeout => "write timed out",
            ErrorKind::PoolTimeout => "timed out waiting for a pooled connection",
            ErrorKind::TotalTimeout => "the request's total deadline passed",
            ErrorKind::Connect => "connection failed",
            ErrorKind::Read => "reading the response failed",
            ErrorKind::Write => "sending the request failed",
            ErrorKind::Protocol => "HTTP protocol error",
            ErrorKind::Proxy => "proxy error",
            ErrorKind::UnsupportedProtocol => "unsupported protocol",
            ErrorKind::TooManyRedirects => "too many redirects",
            ErrorKind::Redirect => "the redirect policy refused a redirect",
            ErrorKind::OpaqueRedirect => "redirected, and the browser hides where to",
            ErrorKind::Decode => "decoding the response body failed",
            ErrorKind::InvalidUrl => "invalid URL",
            ErrorKind::Status => "HTTP status error",
            ErrorKind::Builder => "invalid request",
            ErrorKind::Io => "local I/O error",
            ErrorKind::Cancelled => "the request was cancelled",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

/// An error from httplib: one pointer wide, `Send + Sync`, with a [`kind`](Error::kind),
/// the URL it concerns and, for status errors, the [`Response`].
///
/// # Examples
/// ```
/// use httplib::ErrorKind;
///
/// let err = httplib::Client::new().get("http://exa mple.com/").build().unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::InvalidUrl);
/// assert!(!err.is_request());
/// ```
pub struct Error {
    inner: Box<Inner>,
}

struct Inner {
    kind: ErrorKind,
    message: Cow<'static, str>,
    url: Option<Url>,
    source: Option<BoxError>,
    response: Option<Response>,
    /// The server cannot have acted on the request: safe to send it again.
    unprocessed: bool,
}

impl Error {
    /// An error of `kind` that says `message`. Public so that custom
    /// [`Backend`](crate::backend::Backend)s can report failures in the crate's terms.
    ///
    /// # Examples
    /// ```
    /// use httplib::{Error, ErrorKind};
    ///
    /// let err = Error::new(ErrorKind::Connect, "no route to the device");
    /// assert!(err.is_connect());
    /// assert_eq!(err.to_string(), "connection failed: no route to the device");
    /// ```
    pub fn new(kind: ErrorKind, message: impl Into<Cow<'static, str>>) -> Error {
        Error {
            inner: Box::new(Inner {
                kind,
                message: message.into(),
                url: None,
                source: None,
                response: None,
                unprocessed: false,
            }),
        }
    }

    /// Keeps `source` as the cause of this error.
    ///
    /// # Examples
    /// ```
    /// use httplib::{Error, ErrorKind};
    ///
    /// let io = std::io::Error::other("disk full");
    /// let err = Error::new(ErrorKind::Io, "saving the body failed").with_source(io);
    /// assert_eq!(std::error::Error::source(&err).unwrap().to_string(), "disk full");
    /// assert_eq!(err.to_string(), "local I/O error: saving the body failed: disk full");
    /// ```
    #[must_use]
    pub fn with_source(mut self, source: impl Into<BoxError>) -> Error {
        self.inner.source = Some(source.into());
        self
    }

    /// Records the URL the error concerns, unless one is recorded already.
    ///
    /// # Examples
    /// ```
    /// use httplib::{Error, ErrorKind, Url};
    ///
    /// let first: Url = "https://a.test/".parse().unwrap();
    /// let err = Error::new(ErrorKind::Read, "reset")
    ///     .with_url(&first)
    ///     .with_url(&"https://b.test/".parse().unwrap()); // ignored: the first one stays
    /// assert_eq!(err.url(), Some(&first));
    /// ```
    #[must_use]
    pub fn with_url(mut self, url: &Url) -> Error {
        if self.inner.url.is_none() {
            // Errors are printed and logged: a password in the URL never is.
            self.inner.url = Some(crate::credentials::redacted(url).into_owned());
        }
        self
    }

    /// Marks a failure after which the server cannot have acted on the request, so that
    /// sending it again is safe whatever its method: it never left (the connection closed
    /// first), the server refused the HTTP/2 stream unprocessed, or a reused idle
    /// connection turned out dead before any of the response (for an idempotent request).
    /// For custom [`Backend`](crate::backend::Backend)s: the retry layer sends such a
    /// request again when a [`Retry`](crate::Retry) policy allows one more attempt.
    ///
    /// # Examples
    /// ```
    /// use httplib::{Error, ErrorKind};
    ///
    /// let err = Error::new(ErrorKind::Read, "connection closed before the response").unprocessed();
    /// assert!(err.is_unprocessed());
    /// assert!(!Error::new(ErrorKind::Read, "reset mid-body").is_unprocessed());
    /// ```
    #[must_use]
    pub fn unprocessed(mut self) -> Error {
        self.inner.unprocessed = true;
        self
    }

    /// True for a failure marked [`unprocessed`](Error::unprocessed): the server cannot
    /// have acted on the request.
    ///
    /// # Examples
    /// See [`unprocessed`](Error::unprocessed).
    pub fn is_unprocessed(&self) -> bool {
        self.inner.unprocessed
    }

    /// A copy of an error that is only available by reference (inside another error's
    /// chain): same kind, message and URL, with the source kept as text.
    #[cfg(native)]
    pub(crate) fn detach(&self) -> Error {
        let mut copy = Error::new(self.inner.kind, self.inner.message.clone());
        copy.inner.url = self.inner.url.clone();
        if let Some(source) = &self.inner.source {
            copy.inner.source = Some(source.to_string().into());
        }
        copy
    }

    pub(crate) fn timeout(kind: ErrorKind, after: Duration) -> Error {
        Error::new(kind, format!("no progress within {after:?}"))
    }

    pub(crate) fn builder(message: impl Into<Cow<'static, str>>) -> Error {
        Error::new(ErrorKind::Builder, message)
    }

    pub(crate) fn decode(message: impl Into<Cow<'static, str>>) -> Error {
        Error::new(ErrorKind::Decode, message)
    }

    pub(crate) fn from_status(response: Response) -> Error {
        let status = response.status();
        let mut err = Error::new(
            ErrorKind::Status,
            format!(
                "{} {}",
                status.as_u16(),
                status.canonical_reason().unwrap_or("")
            ),
        )
        .with_url(response.url());
        err.inner.response = Some(response);
        err
    }

    /// What went wrong.
    ///
    /// # Examples
    /// ```
    /// use httplib::ErrorKind;
    ///
    /// let err = httplib::get("ftp://files.example.com/").build().unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::UnsupportedProtocol);
    /// ```
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// The URL of the request that failed, when known.
    ///
    /// # Examples
    /// ```
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # let mock = MockBackend::new();
    /// # mock.on(httplib::Method::GET, "/down",
    /// #     MockResponse::new(200).error(httplib::ErrorKind::Connect));
    /// # let builder = httplib::Client::builder().base_url("http://api.test");
    /// # let client = builder.backend(mock.clone()).build()?;
    /// let err = client.get("/down").send_blocking().unwrap_err();
    /// assert_eq!(err.url().map(|u| u.as_str()), Some("http://api.test/down"));
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn url(&self) -> Option<&Url> {
        self.inner.url.as_ref()
    }

    /// The response that [`Response::raise_for_status`] refused.
    ///
    /// # Examples
    /// ```
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # let mock = MockBackend::new();
    /// # mock.on(httplib::Method::GET, "/missing", MockResponse::new(404).text("no such item"));
    /// # let builder = httplib::Client::builder().base_url("http://api.test");
    /// # let client = builder.backend(mock.clone()).build()?;
    /// let err = client.get("/missing").send_blocking()?.raise_for_status().unwrap_err();
    /// assert_eq!(err.response().unwrap().text()?, "no such item");
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn response(&self) -> Option<&Response> {
        self.inner.response.as_ref()
    }

    /// Takes the response that [`Response::raise_for_status`] refused.
    ///
    /// # Examples
    /// ```
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # let mock = MockBackend::new();
    /// # mock.on(httplib::Method::GET, "/missing", MockResponse::new(404).text("no such item"));
    /// # let builder = httplib::Client::builder().base_url("http://api.test");
    /// # let client = builder.backend(mock.clone()).build()?;
    /// let err = client.get("/missing").send_blocking()?.raise_for_status().unwrap_err();
    /// let r = err.into_response().unwrap();
    /// assert_eq!((r.status_code(), r.text()?), (404, "no such item".to_string()));
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn into_response(self) -> Option<Response> {
        self.inner.response
    }

    /// The status of the refused response, for [`ErrorKind::Status`] errors.
    ///
    /// # Examples
    /// ```
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # let mock = MockBackend::new();
    /// # mock.on(httplib::Method::GET, "/busy", MockResponse::new(503));
    /// # let builder = httplib::Client::builder().base_url("http://api.test");
    /// # let client = builder.backend(mock.clone()).build()?;
    /// let err = client.get("/busy").send_blocking()?.raise_for_status().unwrap_err();
    /// assert_eq!(err.status(), Some(httplib::StatusCode::SERVICE_UNAVAILABLE));
    /// assert_eq!(httplib::get("bad url").build().unwrap_err().status(), None);
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn status(&self) -> Option<StatusCode> {
        self.inner
            .response
            .as_ref()
            .map(|response| response.status())
    }

    /// True for every transport-side failure: httpx's `RequestError` (timeouts, connect,
    /// read, write, protocol, proxy, unsupported protocol, too many redirects, decode).
    /// False for the caller's own mistakes and decisions: status errors, invalid URLs and
    /// requests, local I/O, cancellation.
    ///
    /// # Examples
    /// ```
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # let mock = MockBackend::new();
    /// # mock.on(httplib::Method::GET, "/down",
    /// #     MockResponse::new(200).error(httplib::ErrorKind::Connect));
    /// # mock.on(httplib::Method::GET, "/missing", MockResponse::new(404));
    /// # let builder = httplib::Client::builder().base_url("http://api.test");
    /// # let client = builder.backend(mock.clone()).build()?;
    /// assert!(client.get("/down").send_blocking().unwrap_err().is_request());
    /// let status_error = client.get("/missing").send_blocking()?.raise_for_status().unwrap_err();
    /// assert!(!status_error.is_request());
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn is_request(&self) -> bool {
        !matches!(
            self.kind(),
            ErrorKind::Status
                | ErrorKind::InvalidUrl
                | ErrorKind::Builder
                | ErrorKind::Io
                | ErrorKind::Cancelled
        )
    }

    /// True for errors from [`Response::raise_for_status`].
    ///
    /// # Examples
    /// ```
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # let mock = MockBackend::new();
    /// # mock.on(httplib::Method::GET, "/missing", MockResponse::new(404));
    /// # let builder = httplib::Client::builder().base_url("http://api.test");
    /// # let client = builder.backend(mock.clone()).build()?;
    /// let err = client.get("/missing").send_blocking()?.raise_for_status().unwrap_err();
    /// assert!(err.is_status());
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn is_status(&self) -> bool {
        self.kind() == ErrorKind::Status
    }

    /// True for any of the timeouts: the four of [`Timeout`](crate::Timeout) and the total
    /// deadline.
    ///
    /// # Examples
    /// ```
    /// use httplib::ErrorKind;
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # let mock = MockBackend::new();
    /// # mock.on(httplib::Method::GET, "/busy",
    /// #     MockResponse::new(200).error(ErrorKind::PoolTimeout));
    /// # let builder = httplib::Client::builder().base_url("http://api.test");
    /// # let client = builder.backend(mock.clone()).build()?;
    ///
    /// let err = client.get("/busy").send_blocking().unwrap_err();
    /// assert!(err.is_timeout());
    /// assert_eq!(err.kind(), ErrorKind::PoolTimeout); // which of the four
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn is_timeout(&self) -> bool {
        matches!(
            self.kind(),
            ErrorKind::ConnectTimeout
                | ErrorKind::ReadTimeout
                | ErrorKind::WriteTimeout
                | ErrorKind::PoolTimeout
                | ErrorKind::TotalTimeout
        )
    }

    /// True when the connection could not be established (including its timeout).
    ///
    /// # Examples
    /// ```
    /// use httplib::ErrorKind;
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # let mock = MockBackend::new();
    /// # mock.on(httplib::Method::GET, "/slow-start",
    /// #     MockResponse::new(200).error(ErrorKind::ConnectTimeout));
    /// # let builder = httplib::Client::builder().base_url("http://api.test");
    /// # let client = builder.backend(mock.clone()).build()?;
    ///
    /// let err = client.get("/slow-start").send_blocking().unwrap_err();
    /// assert!(err.is_connect() && err.is_timeout());
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn is_connect(&self) -> bool {
        matches!(self.kind(), ErrorKind::Connect | ErrorKind::ConnectTimeout)
    }

    /// True when the redirect limit was exceeded, or (in a browser) a redirect that was not
    /// followed could not be shown.
    ///
    /// # Examples
    /// ```
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # let mock = MockBackend::new();
    /// # mock.handle(|_| Some(MockResponse::new(302).header("Location", "/loop")));
    /// # let builder = httplib::Client::builder().base_url("http://api.test");
    /// # let client = builder.backend(mock.clone()).build()?;
    /// let err = client.get("/loop").follow_redirects(true).send_blocking().unwrap_err();
    /// assert!(err.is_redirect());
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn is_redirect(&self) -> bool {
        matches!(
            self.kind(),
            ErrorKind::TooManyRedirects | ErrorKind::OpaqueRedirect | ErrorKind::Redirect
        )
    }

    /// True when the body could not be decoded.
    ///
    /// # Examples
    /// ```
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # let mock = MockBackend::new();
    /// # mock.on(httplib::Method::GET, "/page", MockResponse::new(200).text("<html>"));
    /// # let builder = httplib::Client::builder().base_url("http://api.test");
    /// # let client = builder.backend(mock.clone()).build()?;
    /// let r = client.get("/page").send_blocking()?;
    /// assert!(r.json::<serde_json::Value>().unwrap_err().is_decode());
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn is_decode(&self) -> bool {
        self.kind() == ErrorKind::Decode
    }

    /// True when the request or client could not be built.
    ///
    /// # Examples
    /// ```
    /// let request = httplib::get("https://example.com/").header("X-Bad", "a\r\nb");
    /// let err = request.build().unwrap_err();
    /// assert!(err.is_builder());
    /// ```
    pub fn is_builder(&self) -> bool {
        matches!(self.kind(), ErrorKind::Builder | ErrorKind::InvalidUrl)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("httplib::Error");
        d.field("kind", &self.inner.kind);
        d.field("message", &self.inner.message);
        if let Some(url) = &self.inner.url {
            d.field("url", &url.as_str());
        }
        if let Some(source) = &self.inner.source {
            d.field("source", source);
        }
        d.finish()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.inner.kind)?;
        if !self.inner.message.is_empty() {
            write!(f, ": {}", self.inner.message)?;
        }
        if let Some(url) = &self.inner.url {
            write!(f, " ({url})")?;
        }
        // The source's message belongs in the one line users print; the chain stays
        // available through `source()` as well.
        if let Some(source) = &self.inner.source {
            write!(f, ": {source}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner
            .source
            .as_ref()
            .map(|s| &**s as &(dyn std::error::Error + 'static))
    }
}

impl From<Error> for std::io::Error {
    fn from(err: Error) -> std::io::Error {
        let kind = match err.kind() {
            ErrorKind::ConnectTimeout
            | ErrorKind::ReadTimeout
            | ErrorKind::WriteTimeout
            | ErrorKind::PoolTimeout => std::io::ErrorKind::TimedOut,
            _ => std::io::ErrorKind::Other,
        };
        std::io::Error::new(kind, err)
    }
}

/// Recovers an [`Error`] that travelled through an `io::Error` (as body streams do when
/// they pass through `AsyncRead` adapters), or wraps a plain I/O error as `kind`.
#[cfg(not(js))]
#[cfg_attr(
    not(any(
        feature = "gzip",
        feature = "deflate",
        feature = "brotli",
        feature = "zstd"
    )),
    allow(dead_code)
)]
pub(crate) fn from_io(err: std::io::Error, kind: ErrorKind) -> Error {
    if err.get_ref().is_some_and(|inner| inner.is::<Error>()) {
        if let Some(inner) = err.into_inner()
            && let Ok(ours) = inner.downcast::<Error>()
        {
            return *ours;
        }
        return Error::new(kind, "I/O error");
    }
    Error::new(kind, err.to_string()).with_source(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_is_one_pointer_and_thread_safe() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Error>();
        assert_eq!(std::mem::size_of::<Error>(), std::mem::size_of::<usize>());
    }

    #[cfg(native)]
    #[test]
    fn an_error_survives_a_trip_through_io_error() {
        let original = Error::new(ErrorKind::ReadTimeout, "x");
        let io: std::io::Error = original.into();
        assert_eq!(io.kind(), std::io::ErrorKind::TimedOut);
        assert_eq!(from_io(io, ErrorKind::Read).kind(), ErrorKind::ReadTimeout);
        let plain = std::io::Error::other("reset");
        assert_eq!(from_io(plain, ErrorKind::Read).kind(), ErrorKind::Read);
    }

    #[test]
    fn display_names_kind_message_url_and_source() {
        let url = Url::parse("http://127.0.0.1:1/x").unwrap();
        let err = Error::new(ErrorKind::Connect, "tcp connect")
            .with_url(&url)
            .with_source(std::io::Error::other("refused"));
        assert_eq!(
            err.to_string(),
            "connection failed: tcp connect (http://127.0.0.1:1/x): refused"
        );
    }

    #[test]
    fn cancelled_is_the_callers_doing_not_a_transport_failure() {
        let err = Error::new(ErrorKind::Cancelled, "its AbortSignal fired");
        assert!(!err.is_request() && !err.is_timeout());
        assert_eq!(
            err.to_string(),
            "the request was cancelled: its AbortSignal fired"
        );
    }
}
