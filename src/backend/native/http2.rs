//! HTTP/2 connections (the `http2` feature): hyper's handshake, complete once the server's
//! first SETTINGS are applied, with this crate's window, reset and keep-alive settings.
//! Without the feature, [`Sender`] is a type with no values: no connection is HTTP/2 (ALPN
//! offers HTTP/1.1 only, and the settings that ask for HTTP/2 are builder errors), and the
//! pool's HTTP/2 paths are never taken.

#[cfg(feature = "http2")]
pub(crate) use with_h2::handshake;

/// The sending half of an HTTP/2 connection.
#[cfg(feature = "http2")]
pub(crate) type Sender = hyper::client::conn::http2::SendRequest<super::body::Outgoing>;

#[cfg(not(feature = "http2"))]
pub(crate) use without_h2::Sender;

#[cfg(not(feature = "http2"))]
mod without_h2 {
    use hyper::body::Incoming;
    use hyper::client::conn::TrySendError;

    use super::super::body::Outgoing;

    /// No HTTP/2 connection exists in this build: a sender cannot be made.
    #[derive(Clone)]
    pub(crate) enum Sender {}

    impl Sender {
        pub(crate) fn is_closed(&self) -> bool {
            match *self {}
        }

        pub(crate) fn try_send_request(
            &mut self,
            _: http::Request<Outgoing>,
        ) -> std::future::Ready<
            Result<http::Response<Incoming>, TrySendError<http::Request<Outgoing>>>,
        > {
            match *self {}
        }
    }
}

#[cfg(feature = "http2")]
mod with_h2 {
    use std::future::Future;
    use std::io;
    use std::net::SocketAddr;
    use std::pin::Pin;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::task::{Context, Poll};
    use std::time::Duration;

    use futures_util::task::AtomicWaker;
    use hyper::client::conn::http2;
    use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
    use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

    use super::super::connect::Io;
    use super::super::coop::CoopRead;
    use super::super::handshake::{Handshaken, handshake_failed};
    use crate::error::{Error, ErrorKind, Result};

    /// The HTTP/2 receive window of each stream.
    const H2_STREAM_WINDOW: u32 = 2 * 1024 * 1024;
    /// The HTTP/2 receive window of the whole connection.
    const H2_CONNECTION_WINDOW: u32 = 5 * 1024 * 1024;
    /// How many streams the client reset (cancelled) HTTP/2 remembers, so as to ignore the
    /// server's frames still on their way for them.
    const H2_REMEMBERED_RESETS: usize = 1024;

    /// The HTTP/2 handshake, complete only once the server's first SETTINGS frame has been
    /// applied: until then its stream limit is unknown, and a burst of requests would all be
    /// put on this one connection (and refused or queued by the server) instead of spreading
    /// over as many connections as the limit calls for.
    ///
    /// With `keep_alive`, a PING goes out after that long without a frame from the server, idle
    /// or not, and the connection closes when its answer takes as long again: a connection
    /// dropped by a NAT or a dead peer is noticed, and the pool opens a new one.
    pub(crate) async fn handshake(
        io: CoopRead<Io>,
        remote: Option<SocketAddr>,
        keep_alive: Option<Duration>,
    ) -> Result<Handshaken> {
        let signal = Arc::new(SettingsSignal::default());
        let io = FirstFrame::new(io, signal.clone());
        let mut builder = http2::Builder::new(TokioExecutor::new());
        if let Some(interval) = keep_alive {
            builder
                .timer(TokioTimer::new())
                .keep_alive_interval(interval)
                .keep_alive_timeout(interval)
                .keep_alive_while_idle(true);
        }
        let (sender, mut conn) = builder
            // Fixed windows, large enough that a download is never held back by the 64 KiB
            // protocol default: 2 MiB per stream, 5 MiB for the connection (hyper's defaults,
            // set here so they stay). hyper's adaptive window, used before, starts from 64 KiB
            // and grows with the measured bandwidth-delay product, which on a fast, short path
            // (loopback, a LAN) stays small: it halved HTTP/2 download throughput (bench S4, S5).
            .initial_stream_window_size(H2_STREAM_WINDOW)
            .initial_connection_window_size(H2_CONNECTION_WINDOW)
            // A cancelled request resets its stream, and the server's frames already on their
            // way for it are ignored while h2 remembers the reset (h2's default: 50 streams for
            // 1 s). A stream forgotten sooner makes h2 answer each late frame with a reset of
            // its own, counted as the server's protocol error, and at 1024 of those over the
            // connection's life h2 closes it, failing every request on it: a long-lived client
            // that cancels requests reaches that. So: remember more, and no lifetime cap (it
            // guards servers against abusive clients; a client can close a connection itself).
            .max_concurrent_reset_streams(H2_REMEMBERED_RESETS)
            .max_local_error_reset_streams(None)
            .handshake(TokioIo::new(io))
            .await
            .map_err(handshake_failed)?;

        let server_max_streams = Arc::new(AtomicUsize::new(conn.current_max_send_streams()));
        let published = server_max_streams.clone();
        let (settings_applied, applied) = tokio::sync::oneshot::channel::<()>();
        let mut settings_applied = Some(settings_applied);
        tokio::spawn(std::future::poll_fn(move |cx| {
            if settings_applied.is_some() {
                signal.task.register(cx.waker());
            }
            let poll = Pin::new(&mut conn).poll(cx);
            published.store(conn.current_max_send_streams(), Ordering::Relaxed);
            if signal.applied.load(Ordering::Acquire)
                && let Some(tx) = settings_applied.take()
            {
                let _ = tx.send(());
            }
            poll.map(|_| ())
        }));
        applied.await.map_err(|_| {
            Error::new(
                ErrorKind::Connect,
                "the HTTP/2 connection closed before the server sent its settings",
            )
        })?;
        Ok(Handshaken::Http2 {
            sender,
            server_max_streams,
            remote,
        })
    }

    /// Tells the connection's task when the server's first SETTINGS have been applied.
    #[derive(Default)]
    struct SettingsSignal {
        applied: AtomicBool,
        /// The task that reads the stream limit and completes the handshake.
        task: AtomicWaker,
    }

    /// Passes a socket through, following the first HTTP/2 frame the server sends (its
    /// SETTINGS, by RFC 9113 section 3.4). h2 applies each frame it has read before it reads
    /// again, so the first read after that frame is complete means the settings are applied.
    struct FirstFrame {
        io: CoopRead<Io>,
        watch: FrameWatch,
        signal: Option<Arc<SettingsSignal>>,
    }

    impl FirstFrame {
        fn new(io: CoopRead<Io>, signal: Arc<SettingsSignal>) -> FirstFrame {
            FirstFrame {
                io,
                watch: FrameWatch::default(),
                signal: Some(signal),
            }
        }
    }

    /// Follows the bytes of the first frame until it is complete.
    #[derive(Default)]
    struct FrameWatch {
        header: [u8; 9],
        header_len: usize,
        /// Payload bytes of the first frame still to come, once its header is complete.
        payload_left: Option<usize>,
    }

    impl FrameWatch {
        fn complete(&self) -> bool {
            self.payload_left == Some(0)
        }

        fn observe(&mut self, mut bytes: &[u8]) {
            while !bytes.is_empty() && !self.complete() {
                match self.payload_left {
                    None => {
                        let take = (9 - self.header_len).min(bytes.len());
                        self.header[self.header_len..self.header_len + take]
                            .copy_from_slice(&bytes[..take]);
                        self.header_len += take;
                        bytes = &bytes[take..];
                        if self.header_len == 9 {
                            let [a, b, c, ..] = self.header;
                            self.payload_left =
                                Some(usize::from_be_bytes([0, 0, 0, 0, 0, a, b, c]));
                        }
                    }
                    Some(left) => {
                        let take = left.min(bytes.len());
                        bytes = &bytes[take..];
                        self.payload_left = Some(left - take);
                    }
                }
            }
        }
    }

    impl AsyncRead for FirstFrame {
        fn poll_read(
            self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            buf: &mut ReadBuf<'_>,
        ) -> Poll<io::Result<()>> {
            let this = self.get_mut();
            if let Some(signal) = &this.signal {
                if this.watch.complete() {
                    signal.applied.store(true, Ordering::Release);
                    signal.task.wake();
                    this.signal = None;
                } else {
                    let before = buf.filled().len();
                    let poll = Pin::new(&mut this.io).poll_read(cx, buf);
                    this.watch.observe(&buf.filled()[before..]);
                    return poll;
                }
            }
            Pin::new(&mut this.io).poll_read(cx, buf)
        }
    }

    impl AsyncWrite for FirstFrame {
        fn poll_write(
            self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            buf: &[u8],
        ) -> Poll<io::Result<usize>> {
            Pin::new(&mut self.get_mut().io).poll_write(cx, buf)
        }

        fn poll_write_vectored(
            self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            bufs: &[io::IoSlice<'_>],
        ) -> Poll<io::Result<usize>> {
            Pin::new(&mut self.get_mut().io).poll_write_vectored(cx, bufs)
        }

        fn is_write_vectored(&self) -> bool {
            self.io.is_write_vectored()
        }

        fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
            Pin::new(&mut self.get_mut().io).poll_flush(cx)
        }

        fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
            Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn the_first_frame_is_seen_whole_across_reads() {
            let mut watch = FrameWatch::default();
            // A SETTINGS frame with a 12-byte payload, arriving in pieces.
            watch.observe(&[0, 0, 12, 4, 0]);
            watch.observe(&[0, 0, 0, 0, 1, 2, 3]);
            assert!(!watch.complete());
            watch.observe(&[0; 8]);
            assert!(!watch.complete(), "one payload byte is missing");
            watch.observe(&[0; 20]);
            assert!(watch.complete());
        }
    }
}
