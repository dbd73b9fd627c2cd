//! Name resolution: the [`Resolve`] trait, for a resolver of your own.
//!
//! By default the native backend asks the system resolver (`getaddrinfo`), on tokio's
//! blocking pool so that a slow lookup never stalls the runtime's threads. Two settings of
//! [`ClientBuilder`](crate::ClientBuilder) change that:
//! [`resolve`](crate::ClientBuilder::resolve) pins one host name to addresses (checked
//! first), and [`dns_resolver`](crate::ClientBuilder::dns_resolver) replaces the resolver for
//! every other name. A host that is an IP address is never resolved.
//!
//! Ports: DNS knows none. A port in the URL always wins; otherwise an address's own port is
//! used, and port 0 stands for the scheme's (80 or 443), as in reqwest.
//!
//! This module does not cache: the pool keeps connections, so names are resolved only when
//! a connection is opened.
//!
//! # Platform
//! On wasm32 the browser or Node resolves names itself. The trait exists there too, so code
//! that configures a client compiles for every target, but a resolver given there is never
//! called.

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;

use crate::error::BoxError;
use crate::runtime::BoxFuture;

/// A host name to resolve: as in the URL, lower-case, without a port.
///
/// # Examples
/// ```
/// use httplib::dns::Name;
///
/// let name = Name::from("api.example.com");
/// assert_eq!(name.as_str(), "api.example.com");
/// assert_eq!(name.to_string(), "api.example.com");
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Name(Arc<str>);

impl Name {
    /// The name as text.
    ///
    /// # Examples
    /// ```
    /// let name = httplib::dns::Name::from("db.internal");
    /// assert!(name.as_str().ends_with(".internal"));
    /// ```
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Name {
    fn from(name: &str) -> Name {
        Name(name.into())
    }
}

impl From<Arc<str>> for Name {
    fn from(name: Arc<str>) -> Name {
        Name(name)
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

/// What [`Resolve::resolve`] returns: a future of the name's addresses, best first (the
/// order Happy Eyeballs starts from), or the reason the name could not be resolved.
///
/// # Examples
/// ```
/// use httplib::dns::Resolving;
///
/// let answer: Resolving = Box::pin(async { Ok(vec!["127.0.0.1:0".parse()?]) });
/// let addrs = futures_executor::block_on(answer).unwrap();
/// assert_eq!(addrs[0].ip().to_string(), "127.0.0.1");
/// ```
pub type Resolving = BoxFuture<'static, Result<Vec<SocketAddr>, BoxError>>;

/// Resolves host names to addresses: a resolver of your own (DNS over HTTPS, a service
/// registry, a cache) for [`ClientBuilder::dns_resolver`](crate::ClientBuilder::dns_resolver).
///
/// Called once per new connection to a host not pinned by
/// [`resolve`](crate::ClientBuilder::resolve). The addresses are tried in the order given,
/// IPv6 and IPv4 interleaved (Happy Eyeballs, RFC 8305). An address with port 0 gets the
/// URL's port (or the scheme's); a port in the URL always wins. An error, or no address,
/// fails the request with [`ErrorKind::Connect`](crate::ErrorKind::Connect), the error kept as
/// its source. The wait counts against the connect timeout.
///
/// # Platform
/// Native only in effect: on wasm32 the platform resolves names and the resolver is never
/// called (see the [module docs](self)).
///
/// # Examples
/// Every name of an internal zone sent to one address (a sidecar proxy, say):
/// ```
/// use std::net::SocketAddr;
/// use httplib::dns::{Name, Resolve, Resolving};
///
/// struct Sidecar(SocketAddr);
///
/// impl Resolve for Sidecar {
///     fn resolve(&self, name: Name) -> Resolving {
///         let addr = self.0;
///         Box::pin(async move {
///             if name.as_str().ends_with(".internal") {
///                 Ok(vec![addr])
///             } else {
///                 Err(format!("{name} is not an internal name").into())
///             }
///         })
///     }
/// }
///
/// # let server = httplib_testserver::TestServer::start();
/// let sidecar = server.http_addr(); // 127.0.0.1:PORT
/// let client = httplib::Client::builder().dns_resolver(Sidecar(sidecar)).build()?;
/// let r = client.get("http://orders.internal/echo").send_blocking()?;
/// assert_eq!(r.remote_addr(), Some(sidecar));
///
/// let err = client.get("http://example.com/").send_blocking().unwrap_err();
/// assert!(err.is_connect());
/// # Ok::<(), httplib::Error>(())
/// ```
pub trait Resolve: Send + Sync + 'static {
    /// The addresses of `name`.
    ///
    /// # Errors
    /// Any error: the request fails with a `Connect` error that keeps it as its source.
    ///
    /// # Examples
    /// Calling a resolver directly:
    /// ```
    /// use httplib::dns::{Name, Resolve, Resolving};
    ///
    /// struct Loopback;
    ///
    /// impl Resolve for Loopback {
    ///     fn resolve(&self, _: Name) -> Resolving {
    ///         Box::pin(async { Ok(vec!["[::1]:0".parse()?, "127.0.0.1:0".parse()?]) })
    ///     }
    /// }
    ///
    /// let addrs = futures_executor::block_on(Loopback.resolve(Name::from("any.test"))).unwrap();
    /// assert_eq!(addrs.len(), 2);
    /// ```
    fn resolve(&self, name: Name) -> Resolving;
}

/// The client's name resolution settings, as the builder collects them.
#[derive(Clone, Default)]
pub(crate) struct DnsOptions {
    /// Pinned host names (lower-case) and their addresses.
    pub(crate) overrides: Vec<(Arc<str>, Arc<[SocketAddr]>)>,
    /// The resolver for every other name; `None`: the system's.
    pub(crate) resolver: Option<Arc<dyn Resolve>>,
}

impl DnsOptions {
    /// Pins `host` to `addrs`, replacing an earlier pin of the same name.
    pub(crate) fn pin(&mut self, host: &str, addrs: &[SocketAddr]) {
        let host: Arc<str> = host.to_ascii_lowercase().into();
        self.overrides.retain(|(pinned, _)| *pinned != host);
        self.overrides.push((host, addrs.into()));
    }
}

impl fmt::Debug for DnsOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DnsOptions")
            .field("overrides", &self.overrides)
            .field("custom_resolver", &self.resolver.is_some())
            .finish()
    }
}
