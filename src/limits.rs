//! Timeouts and connection-pool limits: plain values, set on a client and overridable per
//! request.

use std::time::Duration;

/// The default for each of the four timeouts: 5 seconds, as in httpx.
///
/// # Examples
/// ```
/// use httplib::{DEFAULT_TIMEOUT, Timeout};
///
/// let t = Timeout::default();
/// assert_eq!([t.connect, t.read, t.write, t.pool], [Some(DEFAULT_TIMEOUT); 4]);
/// assert_eq!(DEFAULT_TIMEOUT.as_secs(), 5);
/// ```
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// The four timeouts of a request, each reported as its own [`ErrorKind`](crate::ErrorKind).
///
/// `None` means no limit. The default is [`DEFAULT_TIMEOUT`] (5 s) for each.
///
/// - `connect`: establishing a connection (TCP and TLS handshake).
/// - `read`: waiting for the response head, and for each chunk of the body after the
///   previous one.
/// - `write`: sending the request body (each chunk after the previous one).
/// - `pool`: waiting for a free connection when the pool is full.
///
/// # Platform
/// In the browser and Node (wasm32), connecting, sending and waiting cannot be told apart
/// from inside `fetch`: the wait for the response head is bounded by the largest of
/// `connect`, `write` and `read` (so `Timeout::new(1 s)` fails a stalled server after 1 s,
/// as natively), counted from the start or the upload's last progress, and reported as
/// [`ReadTimeout`](crate::ErrorKind::ReadTimeout); with no `read` limit the wait is
/// unbounded. `read` also bounds each wait between body chunks, as natively.
///
/// # Examples
/// ```
/// use std::time::Duration;
/// use httplib::Timeout;
///
/// // httpx.Timeout(10.0, connect=5.0)
/// let t = Timeout::new(Duration::from_secs(10)).connect(Duration::from_secs(5));
/// assert_eq!(t.read, Some(Duration::from_secs(10)));
/// assert_eq!(t.connect, Some(Duration::from_secs(5)));
/// assert_eq!(Timeout::none().read, None);
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeout {
    /// Limit on establishing a connection.
    pub connect: Option<Duration>,
    /// Limit on each wait for response data.
    pub read: Option<Duration>,
    /// Limit on each wait to send request data.
    pub write: Option<Duration>,
    /// Limit on waiting for a pooled connection.
    pub pool: Option<Duration>,
    /// Limit on the whole request, from the first connect to the last body byte, across
    /// redirects, auth resends and retries: [`TotalTimeout`](crate::ErrorKind::TotalTimeout).
    /// None by default.
    pub total: Option<Duration>,
}

impl Timeout {
    /// The same limit for all four.
    ///
    /// # Examples
    /// ```
    /// use std::time::Duration;
    /// use httplib::Timeout;
    ///
    /// let t = Timeout::new(Duration::from_secs(10));
    /// assert_eq!(t.connect, Some(Duration::from_secs(10)));
    /// assert_eq!(t.pool, Some(Duration::from_secs(10)));
    /// assert_eq!(Timeout::new(None), Timeout::none());
    /// ```
    pub fn new(all: impl Into<Option<Duration>>) -> Timeout {
        let all = all.into();
        Timeout {
            connect: all,
            read: all,
            write: all,
            pool: all,
            total: None,
        }
    }

    /// No limit at all: a request may wait forever.
    ///
    /// # Examples
    /// ```
    /// let t = httplib::Timeout::none();
    /// assert_eq!([t.connect, t.read, t.write, t.pool], [None; 4]);
    /// ```
    pub fn none() -> Timeout {
        Timeout::new(None)
    }

    /// Sets the connect timeout.
    ///
    /// # Examples
    /// ```
    /// use std::time::Duration;
    ///
    /// let t = httplib::Timeout::none().connect(Duration::from_secs(3));
    /// assert_eq!((t.connect, t.read), (Some(Duration::from_secs(3)), None));
    /// ```
    #[must_use]
    pub fn connect(mut self, limit: impl Into<Option<Duration>>) -> Timeout {
        self.connect = limit.into();
        self
    }

    /// Sets the total deadline: the most the whole request may take, from the first
    /// connect to the last byte of the body, redirects and retries included (httpx has no
    /// such limit; ky's `timeout` and curl's `--max-time` are this one). Past it, the
    /// request (or the body being read) fails with
    /// [`TotalTimeout`](crate::ErrorKind::TotalTimeout).
    ///
    /// `Timeout::new` and `Timeout::none` leave it unset.
    ///
    /// # Examples
    /// ```
    /// use std::time::Duration;
    /// use httplib::{ErrorKind, Timeout};
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # let mock = MockBackend::new();
    /// # mock.on(httplib::Method::GET, "/slow",
    /// #     MockResponse::new(200).delay(Duration::from_millis(300)));
    ///
    /// let t = Timeout::new(Duration::from_secs(5)).total(Duration::from_millis(50));
    /// assert_eq!((t.read, t.total), (Some(Duration::from_secs(5)), Some(Duration::from_millis(50))));
    /// let client = httplib::Client::builder().timeout(t)
    /// #   .backend(mock)
    ///     .build()?;
    /// # #[cfg(not(target_arch = "wasm32"))]
    /// # {
    /// let err = client.get("http://api.test/slow").send_blocking().unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::TotalTimeout);
    /// assert!(err.is_timeout());
    /// # }
    /// # Ok::<(), httplib::Error>(())
    /// ```
    #[must_use]
    pub fn total(mut self, limit: impl Into<Option<Duration>>) -> Timeout {
        self.total = limit.into();
        self
    }

    /// Sets the read timeout.
    ///
    /// # Examples
    /// ```
    /// use std::time::Duration;
    /// use httplib::Timeout;
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # let mock = MockBackend::new();
    /// # mock.on(httplib::Method::GET, "/slow",
    /// #     MockResponse::new(200).delay(Duration::from_millis(500)));
    ///
    /// let client = httplib::Client::builder()
    ///     .timeout(Timeout::default().read(Duration::from_millis(50)))
    /// #   .backend(mock)
    ///     .build()?;
    /// let err = client.get("http://api.test/slow").send_blocking().unwrap_err();
    /// assert_eq!(err.kind(), httplib::ErrorKind::ReadTimeout);
    /// # Ok::<(), httplib::Error>(())
    /// ```
    #[must_use]
    pub fn read(mut self, limit: impl Into<Option<Duration>>) -> Timeout {
        self.read = limit.into();
        self
    }

    /// Sets the write timeout.
    ///
    /// # Examples
    /// ```
    /// let t = httplib::Timeout::default().write(None); // a slow upload may take its time
    /// assert_eq!(t.write, None);
    /// assert_eq!(t.read, Some(httplib::DEFAULT_TIMEOUT));
    /// ```
    #[must_use]
    pub fn write(mut self, limit: impl Into<Option<Duration>>) -> Timeout {
        self.write = limit.into();
        self
    }

    /// Sets the pool timeout.
    ///
    /// # Examples
    /// ```
    /// use std::time::Duration;
    ///
    /// let t = httplib::Timeout::default().pool(Duration::from_secs(30));
    /// assert_eq!(t.pool, Some(Duration::from_secs(30)));
    /// ```
    #[must_use]
    pub fn pool(mut self, limit: impl Into<Option<Duration>>) -> Timeout {
        self.pool = limit.into();
        self
    }
}

impl Default for Timeout {
    fn default() -> Timeout {
        Timeout::new(DEFAULT_TIMEOUT)
    }
}

impl From<Duration> for Timeout {
    fn from(all: Duration) -> Timeout {
        Timeout::new(all)
    }
}

/// Limits of the connection pool, with httpx's defaults and meaning.
///
/// - `max_connections` (default 100): connections open at once, in use or idle, across
///   all hosts. A request that needs a new connection when this many are in use waits,
///   up to the pool timeout.
/// - `max_keepalive_connections` (default 20): idle connections kept for reuse; more are
///   closed when they become idle.
/// - `keepalive_expiry` (default 5 s): an idle connection older than this is closed
///   instead of reused.
/// - `http2_max_streams` (default 100): concurrent requests sent on one HTTP/2
///   connection before another connection to the same origin is opened.
///
/// # Platform
/// On wasm32 the browser or Node owns the connections: `max_connections` caps the
/// client's requests in flight instead (each from its start to the end of its body, or
/// until the body is dropped or handed to JS), and a request over the cap waits its turn
/// for at most the pool timeout. The other limits are not applied.
///
/// # Examples
/// ```
/// use httplib::Limits;
///
/// let limits = Limits::default().max_connections(100).max_keepalive_connections(20);
/// assert_eq!(limits.max_connections, Some(100));
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Connections open at once across all hosts; `None` for no limit.
    pub max_connections: Option<usize>,
    /// Idle connections kept for reuse; `None` for no limit.
    pub max_keepalive_connections: Option<usize>,
    /// How long an idle connection may be reused; `None` to keep it until the server closes it.
    pub keepalive_expiry: Option<Duration>,
    /// Concurrent requests per HTTP/2 connection before another one is opened.
    pub http2_max_streams: usize,
}

impl Limits {
    /// Sets `max_connections`.
    ///
    /// # Examples
    /// ```
    /// let limits = httplib::Limits::default().max_connections(10);
    /// assert_eq!(limits.max_connections, Some(10));
    /// assert_eq!(limits.max_connections(None).max_connections, None); // no limit
    /// ```
    #[must_use]
    pub fn max_connections(mut self, limit: impl Into<Option<usize>>) -> Limits {
        self.max_connections = limit.into();
        self
    }

    /// Sets `max_keepalive_connections`.
    ///
    /// # Examples
    /// ```
    /// let limits = httplib::Limits::default().max_keepalive_connections(0); // never reuse
    /// assert_eq!(limits.max_keepalive_connections, Some(0));
    /// ```
    #[must_use]
    pub fn max_keepalive_connections(mut self, limit: impl Into<Option<usize>>) -> Limits {
        self.max_keepalive_connections = limit.into();
        self
    }

    /// Sets `keepalive_expiry`.
    ///
    /// # Examples
    /// ```
    /// use std::time::Duration;
    ///
    /// let limits = httplib::Limits::default().keepalive_expiry(Duration::from_secs(60));
    /// assert_eq!(limits.keepalive_expiry, Some(Duration::from_secs(60)));
    /// ```
    #[must_use]
    pub fn keepalive_expiry(mut self, expiry: impl Into<Option<Duration>>) -> Limits {
        self.keepalive_expiry = expiry.into();
        self
    }

    /// Sets `http2_max_streams` (at least 1).
    ///
    /// # Examples
    /// ```
    /// let limits = httplib::Limits::default().http2_max_streams(10);
    /// assert_eq!(limits.http2_max_streams, 10);
    /// assert_eq!(limits.http2_max_streams(0).http2_max_streams, 1);
    /// ```
    #[must_use]
    pub fn http2_max_streams(mut self, streams: usize) -> Limits {
        self.http2_max_streams = streams.max(1);
        self
    }
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_connections: Some(100),
            max_keepalive_connections: Some(20),
            keepalive_expiry: Some(Duration::from_secs(5)),
            http2_max_streams: 100,
        }
    }
}
