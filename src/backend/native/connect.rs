//! Opening a connection: TCP (with `TCP_NODELAY`), then TLS by rustls for `https`, reading
//! which protocol ALPN settled on.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use rustls::ClientConfig;
use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

use super::pool::Key;
use crate::error::{Error, ErrorKind, Result};
use crate::timeouts::within;

/// A connected socket, plain or TLS.
pub(crate) enum Io {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

/// A connection ready for HTTP: its socket, and whether to speak HTTP/2 on it.
pub(crate) struct Connected {
    pub(crate) io: Io,
    pub(crate) http2: bool,
    /// The server's address, as the socket tells it.
    pub(crate) remote: Option<SocketAddr>,
}

/// Connects to `key`'s origin within `timeout` (TCP and TLS handshake together).
pub(crate) async fn connect(
    key: &Key,
    tls: &Arc<ClientConfig>,
    prior_knowledge: bool,
    timeout: Option<Duration>,
) -> Result<Connected> {
    within(
        open(key, tls, prior_knowledge),
        timeout,
        ErrorKind::ConnectTimeout,
    )
    .await
}

async fn open(key: &Key, tls: &Arc<ClientConfig>, prior_knowledge: bool) -> Result<Connected> {
    let tcp = tcp(key).await?;
    let remote = tcp.peer_addr().ok();
    if !key.https {
        return Ok(Connected {
            io: Io::Plain(tcp),
            http2: prior_knowledge,
            remote,
        });
    }
    let name = ServerName::try_from(key.host.to_string()).map_err(|e| {
        Error::new(
            ErrorKind::Connect,
            format!("{:?} is not a valid TLS server name", key.host),
        )
        .with_source(e)
    })?;
    let stream = TlsConnector::from(tls.clone())
        .connect(name, tcp)
        .await
        .map_err(|e| {
            Error::new(
                ErrorKind::Connect,
                format!("TLS handshake with {}:{} failed", key.host, key.port),
            )
            .with_source(e)
        })?;
    let http2 = stream.get_ref().1.alpn_protocol() == Some(b"h2");
    crate::trace::event!(host = %key.host, alpn = %String::from_utf8_lossy(stream.get_ref().1.alpn_protocol().unwrap_or(b"none")), "TLS handshake done");
    Ok(Connected {
        io: Io::Tls(Box::new(stream)),
        http2,
        remote,
    })
}

async fn tcp(key: &Key) -> Result<TcpStream> {
    let addrs = tokio::net::lookup_host((&*key.host, key.port))
        .await
        .map_err(|e| {
            Error::new(ErrorKind::Connect, format!("cannot resolve {:?}", key.host)).with_source(e)
        })?;
    crate::trace::event!(host = %key.host, port = key.port, "DNS resolved");
    let mut last_error = None;
    for addr in addrs {
        match TcpStream::connect(addr).await {
            Ok(stream) => {
                // Requests are written whole; waiting to coalesce them only adds latency.
                stream.set_nodelay(true).map_err(|e| {
                    Error::new(ErrorKind::Connect, "cannot set TCP_NODELAY").with_source(e)
                })?;
                crate::trace::event!(address = %addr, "TCP connected");
                return Ok(stream);
            }
            Err(e) => last_error = Some((addr, e)),
        }
    }
    Err(match last_error {
        Some((addr, e)) => {
            Error::new(ErrorKind::Connect, format!("TCP connect to {addr} failed")).with_source(e)
        }
        None => Error::new(
            ErrorKind::Connect,
            format!("{:?} resolved to no address", key.host),
        ),
    })
}

impl AsyncRead for Io {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Io::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Io::Tls(s) => Pin::new(s).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Io {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Io::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Io::Tls(s) => Pin::new(s).poll_write(cx, buf),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Io::Plain(s) => Pin::new(s).poll_write_vectored(cx, bufs),
            Io::Tls(s) => Pin::new(s).poll_write_vectored(cx, bufs),
        }
    }

    fn is_write_vectored(&self) -> bool {
        match self {
            Io::Plain(s) => s.is_write_vectored(),
            Io::Tls(s) => s.is_write_vectored(),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Io::Plain(s) => Pin::new(s).poll_flush(cx),
            Io::Tls(s) => Pin::new(s).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Io::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Io::Tls(s) => Pin::new(s).poll_shutdown(cx),
        }
    }
}
