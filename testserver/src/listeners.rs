//! Binding the listening sockets and serving the connections they accept.

use std::io;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;

use crate::routes;
use crate::state::{AppState, ConnCtx, next_connection_id};
use crate::tls::{ALPN_H2, ALPN_HTTP11};

/// A client that connects and never finishes the TLS handshake must not hold a task forever.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// HTTP/2 receive windows bigger than the 64 KiB default, so big uploads are not throttled
/// by window updates on loopback.
const H2_STREAM_WINDOW: u32 = 4 * 1024 * 1024;
const H2_CONNECTION_WINDOW: u32 = 8 * 1024 * 1024;

/// How one listener speaks.
pub(crate) struct ListenerSpec {
    /// `"http"` or `"https"`, for absolute URLs built by routes.
    pub(crate) scheme: &'static str,
    /// `None` for cleartext.
    pub(crate) tls: Option<TlsAcceptor>,
    /// Serve HTTP/1.1 only, even to a client that ignores ALPN and sends the h2 preface.
    pub(crate) http1_only: bool,
    /// HTTP/2 `SETTINGS_MAX_CONCURRENT_STREAMS`; `None` keeps hyper's default.
    pub(crate) max_concurrent_streams: Option<u32>,
}

/// What all listeners of one server share.
pub(crate) struct Shared {
    pub(crate) accepted: Arc<AtomicUsize>,
    pub(crate) app: Arc<AppState>,
}

/// Which protocol a connection is served with.
enum Protocol {
    /// Sniff the first bytes: the HTTP/2 preface means h2 (h2c by prior knowledge on cleartext).
    Auto,
    Http1,
    Http2,
}

/// Binds `127.0.0.1:port` and, when `with_ipv6`, `[::1]` on the same port.
///
/// The HTTPS URLs say `localhost`, which some resolvers (Node's among them) answer with `::1`
/// first; listening there too spares clients a refused connection. IPv6 is best effort: with
/// an ephemeral port a clash on `::1` retries with another port, and no IPv6 loopback at all
/// leaves the IPv4 listener alone.
pub(crate) fn bind(port: u16, with_ipv6: bool) -> io::Result<Vec<std::net::TcpListener>> {
    const ATTEMPTS: usize = 20;
    for _ in 0..ATTEMPTS {
        let v4 = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, port))?;
        if !with_ipv6 {
            return Ok(vec![v4]);
        }
        let bound = v4.local_addr()?.port();
        match std::net::TcpListener::bind((Ipv6Addr::LOCALHOST, bound)) {
            Ok(v6) => return Ok(vec![v4, v6]),
            Err(e) if e.kind() == io::ErrorKind::AddrInUse && port == 0 => continue,
            Err(_) => return Ok(vec![v4]),
        }
    }
    Ok(vec![std::net::TcpListener::bind((
        Ipv4Addr::LOCALHOST,
        port,
    ))?])
}

/// Accepts connections forever, each served on its own task.
pub(crate) async fn serve(listener: TcpListener, spec: Arc<ListenerSpec>, shared: Arc<Shared>) {
    loop {
        let (tcp, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(_) => {
                // Transient (e.g. out of file descriptors): retry rather than stop listening.
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        shared.accepted.fetch_add(1, Ordering::SeqCst);
        let Ok(local_addr) = tcp.local_addr() else {
            continue;
        };
        let ctx = Arc::new(ConnCtx {
            id: next_connection_id(),
            scheme: spec.scheme,
            local_addr: local_addr.to_string(),
            remote_addr: Some(peer),
            app: shared.app.clone(),
        });
        // Small responses (drip, lines) should leave at once, not wait for Nagle.
        let _ = tcp.set_nodelay(true);
        tokio::spawn(serve_connection(tcp, spec.clone(), ctx));
    }
}

async fn serve_connection(tcp: TcpStream, spec: Arc<ListenerSpec>, ctx: Arc<ConnCtx>) {
    let Some(acceptor) = &spec.tls else {
        return serve_http(tcp, Protocol::Auto, &spec, ctx).await;
    };
    let Ok(Ok(tls)) = tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await else {
        return;
    };
    let protocol = if spec.http1_only {
        Protocol::Http1
    } else {
        match tls.get_ref().1.alpn_protocol() {
            Some(ALPN_H2) => Protocol::Http2,
            Some(ALPN_HTTP11) => Protocol::Http1,
            _ => Protocol::Auto,
        }
    };
    serve_http(tls, protocol, &spec, ctx).await
}

async fn serve_http<I>(io: I, protocol: Protocol, spec: &ListenerSpec, ctx: Arc<ConnCtx>)
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder.http1().timer(TokioTimer::new());
    let mut http2 = builder.http2();
    http2
        .timer(TokioTimer::new())
        .initial_stream_window_size(H2_STREAM_WINDOW)
        .initial_connection_window_size(H2_CONNECTION_WINDOW);
    if let Some(max) = spec.max_concurrent_streams {
        http2.max_concurrent_streams(max);
    }
    let builder = match protocol {
        Protocol::Auto => builder,
        Protocol::Http1 => builder.http1_only(),
        Protocol::Http2 => builder.http2_only(),
    };
    let service = service_fn(move |req| routes::handle(req, ctx.clone()));
    // Errors here are the client's doing (reset, garbage, timeout): nothing to report.
    let _ = builder.serve_connection(TokioIo::new(io), service).await;
}

/// Accepts connections on a Unix domain socket forever: cleartext, HTTP/1.1 or h2c by
/// prior knowledge, as the `http` listener.
#[cfg(unix)]
pub(crate) async fn serve_unix(listener: tokio::net::UnixListener, shared: Arc<Shared>) {
    let spec = Arc::new(ListenerSpec {
        scheme: "http",
        tls: None,
        http1_only: false,
        max_concurrent_streams: None,
    });
    let local_addr = listener
        .local_addr()
        .ok()
        .and_then(|a| a.as_pathname().map(|p| p.display().to_string()))
        .unwrap_or_else(|| "unix-socket".to_owned());
    loop {
        let Ok((stream, _peer)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        shared.accepted.fetch_add(1, Ordering::SeqCst);
        let ctx = Arc::new(ConnCtx {
            id: next_connection_id(),
            scheme: spec.scheme,
            local_addr: local_addr.clone(),
            remote_addr: None,
            app: shared.app.clone(),
        });
        let spec = spec.clone();
        tokio::spawn(async move { serve_http(stream, Protocol::Auto, &spec, ctx).await });
    }
}
