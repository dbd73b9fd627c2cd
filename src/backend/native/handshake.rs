//! Turning a connected socket into an HTTP connection with hyper's low-level
//! `client::conn`: HTTP/1.1 here, HTTP/2 in [`http2`](super::http2); each run as a task.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;
use std::time::Duration;

use hyper::client::conn::http1;
use hyper_util::rt::TokioIo;

use super::connect::{Connected, connect};
use super::coop::CoopRead;
use super::pool::{Connector, Http1Conn, Key};
use crate::error::{Error, ErrorKind, Result};

/// A new connection, ready to send requests.
pub(crate) enum Handshaken {
    Http1(Http1Conn),
    #[cfg_attr(
        not(feature = "http2"),
        expect(dead_code, reason = "made by http2.rs, with the feature")
    )]
    Http2 {
        sender: super::http2::Sender,
        /// The server's SETTINGS_MAX_CONCURRENT_STREAMS, updated as it changes.
        server_max_streams: Arc<AtomicUsize>,
        remote: Option<SocketAddr>,
    },
}

/// Connects to `key`'s origin and runs the HTTP handshake the connection settled on.
pub(crate) async fn open(
    key: &Key,
    connector: &Connector,
    connect_timeout: Option<Duration>,
) -> Result<Handshaken> {
    let Connected { io, http2, remote } = connect(key, connector, connect_timeout).await?;
    crate::trace::event!(host = %key.host, reused = false, version = if http2 { "HTTP/2" } else { "HTTP/1.1" }, remote = ?remote, "connection opened");
    // Reads charged by size: hyper may loop over a read (a flood of 1xx) without yielding.
    let io = CoopRead::new(io);
    #[cfg(feature = "http2")]
    if http2 {
        return crate::timeouts::within(
            super::http2::handshake(io, remote, connector.http2_keep_alive),
            connect_timeout,
            ErrorKind::ConnectTimeout,
        )
        .await;
    }
    // Without the feature nothing offers HTTP/2 (see `http2.rs`).
    #[cfg(not(feature = "http2"))]
    debug_assert!(!http2, "an HTTP/2 connection in a build without HTTP/2");
    let (sender, conn) = http1::Builder::new()
        .handshake(TokioIo::new(io))
        .await
        .map_err(handshake_failed)?;
    let task = tokio::spawn(async move {
        // Errors of the connection reach the request that was using it.
        let _ = conn.await;
    });
    Ok(Handshaken::Http1(Http1Conn::new(
        sender,
        task.abort_handle(),
        remote,
    )))
}

pub(crate) fn handshake_failed(e: hyper::Error) -> Error {
    Error::new(ErrorKind::Connect, "the HTTP handshake failed").with_source(e)
}
