//! Opening a connection, one step after another under one connect budget:
//!
//! 1. resolve the host ([`dns`](super::dns)),
//! 2. TCP, racing the addresses by Happy Eyeballs ([`happy_eyeballs`](super::happy_eyeballs),
//!    each attempt by [`tcp`](super::tcp)), or the client's Unix socket instead,
//! 3. through a proxy, when the request has one ([`proxy`](super::proxy)): TLS with an
//!    HTTPS proxy, then a `CONNECT` tunnel to an `https://` origin (an `http://` one is
//!    sent to the proxy as it is), or SOCKS5,
//! 4. TLS by rustls for `https`, reading which protocol ALPN settled on.

use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::pin::Pin;
#[cfg(feature = "rustls")]
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

#[cfg(feature = "rustls")]
use rustls::ClientConfig;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

#[cfg(feature = "rustls")]
use super::tls::{TlsStream, handshake, negotiated_h2};

use super::dns::Resolver;
use super::happy_eyeballs;
use super::pool::{Connector, Key};
use super::tcp::{self, TcpOptions};
use crate::error::{Error, ErrorKind, Result};

/// A connected socket, plain or TLS.
pub(crate) enum Io {
    Plain(TcpStream),
    /// TLS with the origin, or (for an `http://` origin) with an HTTPS proxy.
    #[cfg(feature = "rustls")]
    Tls(Box<TlsStream<TcpStream>>),
    /// The origin's TLS inside a tunnel through an HTTPS proxy's TLS.
    #[cfg(feature = "rustls")]
    Tunneled(Box<TlsStream<TlsStream<TcpStream>>>),
    #[cfg(unix)]
    Unix(tokio::net::UnixStream),
}

/// A connection ready for HTTP: its socket, and whether to speak HTTP/2 on it.
pub(crate) struct Connected {
    pub(crate) io: Io,
    pub(crate) http2: bool,
    /// The server's address, as the socket tells it (`None` over a Unix socket).
    pub(crate) remote: Option<SocketAddr>,
}

/// Where and how a client opens its sockets.
#[derive(Default)]
pub(crate) struct Dialer {
    pub(crate) resolver: Resolver,
    pub(crate) tcp: TcpOptions,
    /// Every connection goes over this Unix domain socket instead of TCP.
    pub(crate) unix_socket: Option<PathBuf>,
}

/// The connect budget: one deadline for every step, and the limit it stands for.
#[derive(Clone, Copy)]
struct Budget(Option<(Instant, Duration)>);

impl Budget {
    fn new(limit: Option<Duration>) -> Budget {
        Budget(limit.and_then(|limit| Some((crate::timeouts::after(limit)?, limit))))
    }

    /// Runs one step within what is left of the budget.
    async fn run<T>(self, step: impl Future<Output = Result<T>>) -> Result<T> {
        match self.0 {
            None => step.await,
            Some((at, limit)) => crate::timeouts::until(step, at)
                .await
                .unwrap_or_else(|| Err(Error::timeout(ErrorKind::ConnectTimeout, limit))),
        }
    }
}

/// Connects to `key`'s origin within `timeout` (resolving, TCP and the TLS handshake
/// together).
pub(crate) async fn connect(
    key: &Key,
    connector: &Connector,
    timeout: Option<Duration>,
) -> Result<Connected> {
    let budget = Budget::new(timeout);
    let dialer = &connector.dialer;
    #[cfg(unix)]
    if let Some(path) = &dialer.unix_socket {
        return budget
            .run(unix(key, path, connector.http2_prior_knowledge))
            .await;
    }
    let Some(route) = &key.proxy else {
        let addrs = budget.run(dialer.resolver.resolve(key)).await?;
        let (remote, tcp) = tcp_race(key, addrs, dialer.tcp, budget).await?;
        return secure(key, connector, tcp, Some(remote), budget).await;
    };
    // The proxy's own address: resolved and raced as an origin's would be.
    let hop = Key {
        https: false,
        host: route.host.clone(),
        port: route.port,
        proxy: None,
    };
    let unreachable = |e| proxy_failure(route, "cannot reach the proxy", e);
    let addrs = budget
        .run(dialer.resolver.resolve(&hop))
        .await
        .map_err(unreachable)?;
    let (remote, mut tcp) = tcp_race(&hop, addrs, dialer.tcp, budget)
        .await
        .map_err(unreachable)?;
    let tcp = match route.kind {
        super::proxy::Kind::Http => {
            if key.https {
                budget
                    .run(super::proxy::tunnel(&mut tcp, key, route))
                    .await?;
            }
            tcp
        }
        #[cfg(feature = "rustls")]
        super::proxy::Kind::Https => {
            return through_https_proxy(key, connector, route, tcp, remote, budget).await;
        }
        #[cfg(feature = "socks")]
        super::proxy::Kind::Socks5 { remote_dns } => {
            // socks5://: the name is resolved here, as it would be without the proxy.
            let origin = if remote_dns {
                None
            } else {
                let addrs = budget.run(dialer.resolver.resolve(key)).await?;
                Some(*addrs.first().ok_or_else(|| {
                    Error::new(ErrorKind::Connect, format!("{:?} has no address", key.host))
                })?)
            };
            budget
                .run(super::proxy::socks5(tcp, key, route, origin))
                .await?
        }
    };
    secure(key, connector, tcp, Some(remote), budget).await
}

/// Through an HTTPS proxy: TLS with the proxy (HTTP/1.1 by ALPN), then for an `https://`
/// origin a `CONNECT` tunnel inside it and the origin's own TLS inside the tunnel.
#[cfg(feature = "rustls")]
async fn through_https_proxy(
    key: &Key,
    connector: &Connector,
    route: &super::proxy::Route,
    tcp: TcpStream,
    remote: SocketAddr,
    budget: Budget,
) -> Result<Connected> {
    let proxy_tls = connector.proxy_tls.as_ref().unwrap_or(&connector.tls);
    let mut to_proxy = budget
        .run(handshake(&route.host, route.port, proxy_tls, tcp))
        .await
        .map_err(|e| proxy_failure(route, "TLS failed with the proxy", e))?;
    if !key.https {
        return Ok(Connected {
            io: Io::Tls(Box::new(to_proxy)),
            http2: false,
            remote: Some(remote),
        });
    }
    budget
        .run(super::proxy::tunnel(&mut to_proxy, key, route))
        .await?;
    let stream = budget
        .run(handshake(&key.host, key.port, &connector.tls, to_proxy))
        .await?;
    Ok(Connected {
        http2: negotiated_h2(&stream),
        io: Io::Tunneled(Box::new(stream)),
        remote: Some(remote),
    })
}

/// A failure on the way to the proxy, as a [`Proxy`](ErrorKind::Proxy) error saying `what`
/// and naming it (never its credentials); a spent connect budget stays a timeout.
fn proxy_failure(route: &super::proxy::Route, what: &str, e: Error) -> Error {
    if e.kind() == ErrorKind::ConnectTimeout {
        return e;
    }
    Error::new(
        ErrorKind::Proxy,
        format!("{what} {}:{}", route.host, route.port),
    )
    .with_source(e)
}

/// The last step: TLS for `https`, nothing for `http`.
async fn secure(
    key: &Key,
    connector: &Connector,
    tcp: TcpStream,
    remote: Option<SocketAddr>,
    budget: Budget,
) -> Result<Connected> {
    if !key.https {
        return Ok(Connected {
            io: Io::Plain(tcp),
            // Cleartext HTTP/2 is not spoken to a forward proxy.
            http2: connector.http2_prior_knowledge && key.proxy.is_none(),
            remote,
        });
    }
    #[cfg(feature = "rustls")]
    return budget.run(tls(key, &connector.tls, tcp, remote)).await;
    // `Key::from_uri` refuses `https://` without TLS: no connection gets here.
    #[cfg(not(feature = "rustls"))]
    {
        let _ = budget;
        Err(crate::tls::unavailable())
    }
}

/// The TCP step: every usable address raced by Happy Eyeballs.
async fn tcp_race(
    key: &Key,
    addrs: Vec<SocketAddr>,
    options: TcpOptions,
    budget: Budget,
) -> Result<(SocketAddr, TcpStream)> {
    let found = addrs.len();
    let addrs: Vec<SocketAddr> = addrs.into_iter().filter(|a| options.can_reach(a)).collect();
    if addrs.is_empty() {
        return Err(Error::new(
            ErrorKind::Connect,
            format!(
                "none of the {found} addresses of {:?} is of the local address's family ({:?})",
                key.host, options.local_address
            ),
        ));
    }
    let addrs = happy_eyeballs::interleave(addrs);
    let (addr, stream) = happy_eyeballs::race(&addrs, budget.0, |addr| tcp::connect(addr, options))
        .await
        .map_err(|failed| failed.into_error(&format!("{}:{}", key.host, key.port)))?;
    crate::trace::event!(address = %addr, "TCP connected");
    Ok((addr, stream))
}

/// Instead of TCP: the client's Unix domain socket, cleartext only.
#[cfg(unix)]
async fn unix(key: &Key, path: &std::path::Path, prior_knowledge: bool) -> Result<Connected> {
    if key.https {
        return Err(Error::new(
            ErrorKind::UnsupportedProtocol,
            "TLS over a Unix socket is not supported: use an http:// URL",
        ));
    }
    let stream = tokio::net::UnixStream::connect(path).await.map_err(|e| {
        Error::new(
            ErrorKind::Connect,
            format!("cannot connect to the Unix socket {}", path.display()),
        )
        .with_source(e)
    })?;
    crate::trace::event!(path = %path.display(), "Unix socket connected");
    Ok(Connected {
        io: Io::Unix(stream),
        http2: prior_knowledge,
        remote: None,
    })
}

/// The TLS step: the handshake over the TCP connection, and the protocol ALPN chose.
#[cfg(feature = "rustls")]
async fn tls(
    key: &Key,
    tls: &Arc<ClientConfig>,
    tcp: TcpStream,
    remote: Option<SocketAddr>,
) -> Result<Connected> {
    let stream = handshake(&key.host, key.port, tls, tcp).await?;
    Ok(Connected {
        http2: negotiated_h2(&stream),
        io: Io::Tls(Box::new(stream)),
        remote,
    })
}

/// Runs `$body` with `$s` bound to the socket inside an [`Io`], whichever it is.
macro_rules! each_io {
    ($io:expr, $s:ident => $body:expr) => {
        match $io {
            Io::Plain($s) => $body,
            #[cfg(feature = "rustls")]
            Io::Tls($s) => $body,
            #[cfg(feature = "rustls")]
            Io::Tunneled($s) => $body,
            #[cfg(unix)]
            Io::Unix($s) => $body,
        }
    };
}

impl AsyncRead for Io {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        each_io!(self.get_mut(), s => Pin::new(s).poll_read(cx, buf))
    }
}

impl AsyncWrite for Io {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        each_io!(self.get_mut(), s => Pin::new(s).poll_write(cx, buf))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        each_io!(self.get_mut(), s => Pin::new(s).poll_write_vectored(cx, bufs))
    }

    fn is_write_vectored(&self) -> bool {
        each_io!(self, s => s.is_write_vectored())
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        each_io!(self.get_mut(), s => Pin::new(s).poll_flush(cx))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        each_io!(self.get_mut(), s => Pin::new(s).poll_shutdown(cx))
    }
}
