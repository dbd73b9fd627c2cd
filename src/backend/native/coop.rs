//! Charging tokio's cooperative budget by the size of what the connection reads.
//!
//! tokio makes a task yield after 128 socket operations in one poll, whatever their size.
//! That bounds the work of a poll only if each read is cheap, and a read is not when hyper
//! loops over it: hyper skips each `1xx` response it finds in its buffer and reads again
//! without returning, so a server that floods `100 Continue` keeps hyper's task in one poll
//! for the whole flood (80 reads of 508 KB, 40 MB parsed, 6-8 s in a debug build). The
//! worker is starved: the read timeout, the other tasks, the timers all wait for it.
//! Charging one unit per [`BYTES_PER_UNIT`] makes a poll end after about 1 MiB instead, and
//! tokio's yield on an empty budget lets the timers run before the task goes on.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// How many bytes read cost one unit of the task's budget (tokio gives 128 per poll).
const BYTES_PER_UNIT: usize = 4096;

/// A socket whose reads cost the task's budget by their size.
pub(crate) struct CoopRead<T> {
    inner: T,
    /// Units owed for the last read, paid before the next one: a read that already filled
    /// the buffer cannot be turned into `Pending`.
    owed: usize,
}

impl<T> CoopRead<T> {
    pub(crate) fn new(inner: T) -> CoopRead<T> {
        CoopRead { inner, owed: 0 }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for CoopRead<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        while this.owed > 0 {
            // Pending with the budget spent: tokio wakes the task once the runtime's timers
            // and sockets have been polled.
            ready!(tokio::task::coop::poll_proceed(cx)).made_progress();
            this.owed -= 1;
        }
        let before = buf.filled().len();
        let poll = Pin::new(&mut this.inner).poll_read(cx, buf);
        // The inner socket has charged one unit already.
        this.owed = (buf.filled().len() - before) / BYTES_PER_UNIT;
        poll
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for CoopRead<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A source that always has `chunk` bytes ready, as a socket under a flood does.
    struct Endless {
        chunk: usize,
    }

    impl AsyncRead for Endless {
        fn poll_read(
            self: Pin<&mut Self>,
            _: &mut Context<'_>,
            buf: &mut ReadBuf<'_>,
        ) -> Poll<io::Result<()>> {
            let n = self.chunk.min(buf.remaining());
            buf.put_slice(&vec![b'x'; n]);
            Poll::Ready(Ok(()))
        }
    }

    /// Bytes read from `source` in one poll of a tokio task, reading until it is pending
    /// (at most `limit` bytes).
    fn bytes_in_one_poll(source: impl AsyncRead + Unpin + Send + 'static, limit: usize) -> usize {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a runtime");
        runtime.block_on(async move {
            let mut source = Box::pin(source);
            let mut storage = vec![0u8; 512 * 1024];
            let mut total = 0;
            std::future::poll_fn(|cx| {
                while total < limit {
                    let mut buf = ReadBuf::new(&mut storage);
                    if source.as_mut().poll_read(cx, &mut buf).is_pending() {
                        break;
                    }
                    total += buf.filled().len();
                }
                Poll::Ready(total)
            })
            .await
        })
    }

    #[test]
    fn large_ready_reads_end_the_poll_after_about_a_megabyte() {
        let limit = 64 * 1024 * 1024;
        // Without the charge, the endless source is read until the limit in one poll.
        assert_eq!(
            bytes_in_one_poll(Endless { chunk: 512 * 1024 }, limit),
            limit
        );
        let read = bytes_in_one_poll(CoopRead::new(Endless { chunk: 512 * 1024 }), limit);
        assert!(read <= 2 * 512 * 1024, "{read} bytes in one poll");
        assert!(read > 0);
    }

    #[test]
    fn small_reads_cost_what_tokio_charges_already() {
        // Reads under one unit are free: no yield before tokio's own budget would make one.
        let read = bytes_in_one_poll(CoopRead::new(Endless { chunk: 1024 }), 64 * 1024);
        assert_eq!(read, 64 * 1024);
    }
}
