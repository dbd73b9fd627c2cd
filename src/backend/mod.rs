//! The seam between the front-end and the network: a [`Backend`] carries one request (one
//! hop of a redirect chain, with its final headers and absolute URL) to the network and
//! hands back the response head and a body stream.
//!
//! Everything else (default headers, cookies, auth, redirects, body decoding, the read
//! timeout between body chunks, fan-out) is the front-end's, written once for every
//! backend. Natively the backend is hyper over our own connection pool; on JS hosts
//! (wasm32-unknown-unknown) it is the platform's `fetch`; in a WASI component
//! (wasm32-wasip2) the host's `wasi:http`; in tests it can be a [`mock::MockBackend`].

pub mod mock;

// Where the platform owns the sockets, `max_connections` caps requests in flight.
#[cfg(not(native))]
mod in_flight;

cfg_if::cfg_if! {
    if #[cfg(js)] {
        mod fetch;
        use fetch as platform_backend;
        #[cfg(feature = "js-api")]
        pub(crate) use fetch::describe_js_error;
    } else if #[cfg(wasi)] {
        mod wasi;
        use wasi as platform_backend;
    } else {
        mod native;
        use native as platform_backend;
    }
}

use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::body::{Body, ResponseBody};
use crate::dns::DnsOptions;
use crate::error::Result;
use crate::limits::{Limits, Timeout};
use crate::runtime::BoxFuture;
use crate::tls::{Certificate, Identity, TlsVersion};

/// Carries requests to the network and responses back.
///
/// `send` gets a request whose URI is absolute and whose headers are final. It must
/// enforce the parts of `options.timeout` that only it can see (natively: connect, pool,
/// write, and read up to the response head), each reported as its own
/// [`ErrorKind`](crate::ErrorKind), and return as soon as the head has arrived; the body
/// streams after. Errors of the body stream should be [`Read`](crate::ErrorKind::Read)
/// (or a timeout) errors. Redirects are the front-end's to follow: a backend returns a 3xx
/// as it is, unless it cannot see it (a browser) and `options.follow_redirects` is set.
///
/// The returned future is `Send` natively and need not be on wasm32, which runs one thread
/// (and where JS values are not `Send`); the backend itself is `Send + Sync` everywhere, so
/// [`Client`](crate::Client) is too.
///
/// # Examples
/// A backend that answers every request itself:
/// ```
/// use httplib::backend::Backend;
/// use httplib::backend::SendOptions;
/// use httplib::{Body, BoxFuture, ResponseBody, Result};
///
/// struct Teapot;
///
/// impl Backend for Teapot {
///     fn send(&self, _req: http::Request<Body>, _options: SendOptions)
///         -> BoxFuture<'_, Result<http::Response<ResponseBody>>>
///     {
///         Box::pin(async {
///             let mut r = http::Response::new(ResponseBody::from(bytes::Bytes::from("short and stout")));
///             *r.status_mut() = http::StatusCode::IM_A_TEAPOT;
///             Ok(r)
///         })
///     }
/// }
///
/// let client = httplib::Client::builder().backend(Teapot).build().unwrap();
/// # #[cfg(not(target_arch = "wasm32"))]
/// let r = client.get("http://any.test/").send_blocking().unwrap();
/// # #[cfg(not(target_arch = "wasm32"))]
/// assert_eq!(r.status_code(), 418);
/// ```
pub trait Backend: Send + Sync + 'static {
    /// Sends one request and returns the response once its head has arrived.
    ///
    /// # Errors
    /// Failures in the crate's terms ([`Error::new`](crate::Error::new)): each timeout its own
    /// kind, [`Connect`](crate::ErrorKind::Connect), [`Write`](crate::ErrorKind::Write),
    /// [`Protocol`](crate::ErrorKind::Protocol) and so on.
    ///
    /// # Examples
    /// Calling a backend directly, as the front-end does:
    /// ```
    /// use httplib::backend::mock::{MockBackend, MockResponse};
    /// use httplib::backend::{Backend, SendOptions};
    ///
    /// let mock = MockBackend::new();
    /// mock.on(httplib::Method::GET, "/ping", MockResponse::new(200).text("pong"));
    /// let request = http::Request::get("http://api.test/ping")
    ///     .body(httplib::Body::empty())
    ///     .unwrap();
    /// let options = SendOptions::new(httplib::Timeout::default());
    /// let response = futures_executor::block_on(mock.send(request, options))?;
    /// assert_eq!(response.status(), 200);
    /// # Ok::<(), httplib::Error>(())
    /// ```
    fn send(
        &self,
        request: http::Request<Body>,
        options: SendOptions,
    ) -> BoxFuture<'_, Result<http::Response<ResponseBody>>>;

    /// True when the platform already decodes `Content-Encoding` (as fetch does); the
    /// front-end then neither offers `Accept-Encoding` nor decodes.
    ///
    /// # Examples
    /// ```
    /// use httplib::backend::{Backend, mock::MockBackend};
    ///
    /// // The mock hands bodies over as they are: the front-end decodes gzip and the rest.
    /// assert!(!MockBackend::new().decodes_content());
    /// ```
    fn decodes_content(&self) -> bool {
        false
    }

    /// Closes idle connections and refuses to open new ones.
    ///
    /// It is called by [`Client::close`](crate::Client::close).
    ///
    /// # Examples
    /// ```
    /// use std::sync::Arc;
    /// use std::sync::atomic::{AtomicBool, Ordering};
    /// use httplib::backend::{Backend, SendOptions};
    /// use httplib::{Body, BoxFuture, Error, ErrorKind, ResponseBody, Result};
    ///
    /// struct Offline(Arc<AtomicBool>);
    ///
    /// impl Backend for Offline {
    ///     fn send(&self, _: http::Request<Body>, _: SendOptions)
    ///         -> BoxFuture<'_, Result<http::Response<ResponseBody>>>
    ///     {
    ///         Box::pin(async { Err(Error::new(ErrorKind::Connect, "offline")) })
    ///     }
    ///
    ///     fn close(&self) {
    ///         self.0.store(true, Ordering::SeqCst);
    ///     }
    /// }
    ///
    /// let closed = Arc::new(AtomicBool::new(false));
    /// let client = httplib::Client::builder().backend(Offline(closed.clone())).build()?;
    /// client.close();
    /// assert!(closed.load(Ordering::SeqCst));
    /// # Ok::<(), httplib::Error>(())
    /// ```
    fn close(&self) {}
}

/// What a backend is told of a request's settings besides the request itself.
///
/// # Examples
/// A backend gets the request's timeouts and bounds its own waits by them:
/// ```
/// use std::time::Duration;
/// use httplib::backend::mock::{MockBackend, MockResponse};
/// use httplib::backend::{Backend, SendOptions};
///
/// let mock = MockBackend::new();
/// let slow = MockResponse::new(200).delay(Duration::from_millis(500));
/// mock.on(httplib::Method::GET, "/slow", slow);
/// let request = http::Request::get("http://api.test/slow").body(httplib::Body::empty()).unwrap();
/// let options = SendOptions::new(httplib::Timeout::new(Duration::from_millis(50)));
/// let err = futures_executor::block_on(mock.send(request, options)).unwrap_err();
/// assert_eq!(err.kind(), httplib::ErrorKind::ReadTimeout);
/// ```
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct SendOptions {
    /// The request's timeouts.
    pub timeout: Timeout,
    /// Whether the caller follows redirects: a backend that cannot see them (fetch in a
    /// browser) lets the platform follow instead.
    pub follow_redirects: bool,
    /// Whether the backend may send the request again by itself after a failure the
    /// server cannot have acted on (a stale pooled connection, a refused HTTP/2 stream).
    /// True unless a [`Retry`](crate::Retry) policy governs the request: then the backend
    /// returns such a failure marked [`unprocessed`](crate::Error::unprocessed) and the
    /// front-end's retry layer decides, so that retries never stack.
    pub may_resend: bool,
}

impl SendOptions {
    /// Options with these timeouts, redirects not followed, resends allowed.
    ///
    /// # Examples
    /// ```
    /// use std::time::Duration;
    /// use httplib::backend::SendOptions;
    ///
    /// let mut options = SendOptions::new(httplib::Timeout::new(Duration::from_secs(1)));
    /// assert_eq!(options.timeout.read, Some(Duration::from_secs(1)));
    /// assert!(!options.follow_redirects);
    /// options.follow_redirects = true;
    /// ```
    pub fn new(timeout: Timeout) -> SendOptions {
        SendOptions {
            timeout,
            follow_redirects: false,
            may_resend: true,
        }
    }
}

/// Put in a response's extensions by a backend that cannot tell the HTTP version, so that
/// [`Response::version`](crate::ResponseHead::version) reports `None` instead of a guess.
/// When the version may become known once the body has been read (browsers record it
/// in resource timing at the end of a download), the backend fills the cell then.
///
/// # Examples
/// ```
/// use httplib::backend::{Backend, SendOptions, VersionUnknown};
/// use httplib::{Body, BoxFuture, ResponseBody, Result};
///
/// struct Opaque;
///
/// impl Backend for Opaque {
///     fn send(&self, _: http::Request<Body>, _: SendOptions)
///         -> BoxFuture<'_, Result<http::Response<ResponseBody>>>
///     {
///         let mut response = http::Response::new(ResponseBody::empty());
///         response.extensions_mut().insert(VersionUnknown::default());
///         Box::pin(async { Ok(response) })
///     }
/// }
///
/// let client = httplib::Client::builder().backend(Opaque).build()?;
/// let r = client.get("http://any.test/").send_blocking()?;
/// assert_eq!((r.version(), r.http_version()), (None, "unknown"));
/// # Ok::<(), httplib::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct VersionUnknown(pub std::sync::Arc<std::sync::OnceLock<http::Version>>);

/// Put in a response's extensions by a backend whose platform followed redirects itself:
/// the URL the final response came from.
///
/// # Examples
/// ```
/// use httplib::backend::{Backend, FinalUrl, SendOptions};
/// use httplib::{Body, BoxFuture, ResponseBody, Result};
///
/// struct FollowsItself;
///
/// impl Backend for FollowsItself {
///     fn send(&self, _: http::Request<Body>, _: SendOptions)
///         -> BoxFuture<'_, Result<http::Response<ResponseBody>>>
///     {
///         let mut response = http::Response::new(ResponseBody::empty());
///         response.extensions_mut().insert(FinalUrl("http://any.test/moved".parse().unwrap()));
///         Box::pin(async { Ok(response) })
///     }
/// }
///
/// let client = httplib::Client::builder().backend(FollowsItself).build()?;
/// let r = client.get("http://any.test/old").send_blocking()?;
/// assert_eq!(r.url().path(), "/moved");
/// # Ok::<(), httplib::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct FinalUrl(pub url::Url);

/// Who sends cookies and HTTP auth in a browser's `fetch` (its `credentials` mode).
///
/// # Platform
/// Browsers only: there the browser owns cookies, and httplib's cookie jar sees none.
/// Natively and in Node, httplib's own jar is used and this setting has no effect.
///
/// # Examples
/// ```
/// use httplib::backend::FetchCredentials;
///
/// assert_eq!(FetchCredentials::default(), FetchCredentials::SameOrigin);
/// let client = httplib::Client::builder()
///     .fetch_credentials(FetchCredentials::Include)
///     .build()?;
/// # drop(client);
/// # Ok::<(), httplib::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum FetchCredentials {
    /// Never send or store cookies.
    Omit,
    /// Cookies for same-origin requests only (fetch's default).
    #[default]
    SameOrigin,
    /// Cookies for cross-origin requests too (the server must allow credentials by CORS).
    Include,
}

/// What a [`ClientBuilder`](crate::ClientBuilder) configures of the platform backend.
#[derive(Clone, Debug)]
pub(crate) struct TransportOptions {
    pub(crate) limits: Limits,
    pub(crate) http2: bool,
    pub(crate) http2_prior_knowledge: bool,
    pub(crate) root_certificates: Vec<Certificate>,
    pub(crate) built_in_roots: bool,
    pub(crate) accept_invalid_certs: bool,
    /// Read `SSL_CERT_FILE` / `SSL_CERT_DIR` and the proxy variables:
    /// [`ClientBuilder::trust_env`](crate::ClientBuilder::trust_env).
    pub(crate) trust_env: bool,
    pub(crate) identity: Option<Identity>,
    pub(crate) tls_min_version: Option<TlsVersion>,
    /// A rustls configuration of the user's own, used as it is.
    #[cfg(all(native, feature = "rustls"))]
    pub(crate) tls_config: Option<Arc<rustls::ClientConfig>>,
    pub(crate) fetch_credentials: FetchCredentials,
    // How connections are opened: native only (on wasm32 the platform owns sockets).
    pub(crate) dns: DnsOptions,
    pub(crate) local_address: Option<IpAddr>,
    pub(crate) unix_socket: Option<PathBuf>,
    pub(crate) tcp_keepalive: Option<Duration>,
    pub(crate) http2_keep_alive: Option<Duration>,
    /// The client's proxies, in the order added.
    pub(crate) proxies: Vec<crate::proxy::Proxy>,
    /// No proxy at all, the environment's included.
    pub(crate) no_proxy: bool,
}

impl Default for TransportOptions {
    fn default() -> TransportOptions {
        TransportOptions {
            limits: Limits::default(),
            http2: false,
            http2_prior_knowledge: false,
            root_certificates: Vec::new(),
            built_in_roots: true,
            accept_invalid_certs: false,
            trust_env: true,
            identity: None,
            tls_min_version: None,
            #[cfg(all(native, feature = "rustls"))]
            tls_config: None,
            fetch_credentials: FetchCredentials::default(),
            dns: DnsOptions::default(),
            local_address: None,
            proxies: Vec::new(),
            no_proxy: false,
            unix_socket: None,
            tcp_keepalive: None,
            http2_keep_alive: None,
        }
    }
}

/// The limit on reaching the response head for a platform that connects, sends and waits
/// as one step (fetch, `wasi:http`): the largest of the limits of those phases, so that a
/// stalled server fails after the read limit (with httpx's one-number timeouts), not after
/// their sum. No read limit leaves the wait unbounded, as natively, where only the read
/// limit bounds it.
#[cfg(not(native))]
pub(crate) fn head_limit(timeout: &Timeout) -> Option<Duration> {
    [timeout.connect, timeout.write]
        .into_iter()
        .flatten()
        .fold(timeout.read?, Duration::max)
        .into()
}

/// The platform's backend: hyper natively, fetch on JS hosts, `wasi:http` on WASI.
pub(crate) fn platform(options: &TransportOptions) -> Result<Arc<dyn Backend>> {
    platform_backend::new(options)
}
