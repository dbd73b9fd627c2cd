//! Bodies between the front-end's types and hyper's: the request body hyper pulls (which
//! records write progress for the write timeout), and the response body that gives its
//! connection back to the pool when it has been read to the end.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_core::Stream;
use futures_util::task::AtomicWaker;
use http_body::{Body as HttpBody, Frame, SizeHint};
use hyper::body::Incoming;

use super::error::from_hyper;
use super::pool::Lease;
use crate::body::{Body, BodyParts, BodyStream};
use crate::error::{BoxError, Error, Result};

/// In-memory bodies are handed to hyper in slices of this size, so that a server that stops
/// reading stalls the body (and trips the write timeout) instead of hyper buffering it all.
const SLICE: usize = 256 * 1024;

/// When the request body last made progress, and whether it has all been handed over.
pub(crate) struct WriteProgress {
    start: Instant,
    last_nanos: AtomicU64,
    /// Nothing more will be handed over: the body ended or failed.
    done: AtomicBool,
    /// The body ended cleanly: all of it was handed over.
    complete: AtomicBool,
    on_done: AtomicWaker,
}

impl WriteProgress {
    fn new() -> Arc<WriteProgress> {
        Arc::new(WriteProgress {
            start: Instant::now(),
            last_nanos: AtomicU64::new(0),
            done: AtomicBool::new(false),
            complete: AtomicBool::new(false),
            on_done: AtomicWaker::new(),
        })
    }

    fn record(&self) {
        let nanos = u64::try_from(self.start.elapsed().as_nanos()).unwrap_or(u64::MAX);
        self.last_nanos.store(nanos, Ordering::Relaxed);
    }

    /// The time of the last progress.
    pub(crate) fn last(&self) -> Instant {
        self.start + Duration::from_nanos(self.last_nanos.load(Ordering::Relaxed))
    }

    pub(crate) fn done(&self) -> bool {
        self.done.load(Ordering::Acquire)
    }

    /// True when the whole body was handed over to the connection. Until then the
    /// connection is still busy with this request, whatever the response says: a server
    /// may answer early (a 413 while the upload is going out), and such a connection must
    /// not go back to the pool (the next request would wait behind the rest of the body).
    pub(crate) fn complete(&self) -> bool {
        self.complete.load(Ordering::Acquire)
    }

    /// Wakes `cx`'s task when the whole body has been handed over.
    pub(crate) fn wake_when_done(&self, cx: &Context<'_>) {
        self.on_done.register(cx.waker());
    }
}

/// A request body as hyper pulls it.
pub(crate) struct Outgoing {
    kind: Kind,
    len: Option<u64>,
    /// Bytes of a stream handed over so far: a stream of known length has ended once they
    /// reach it (hyper polls it no further).
    sent: u64,
    progress: Option<Arc<WriteProgress>>,
}

enum Kind {
    Bytes(Bytes),
    Stream(BodyStream),
}

impl Outgoing {
    pub(crate) fn new(body: Body) -> Outgoing {
        let len = body.content_length();
        let kind = match body.into_parts() {
            BodyParts::Bytes(bytes) => Kind::Bytes(bytes),
            BodyParts::Stream(stream) => Kind::Stream(stream),
        };
        Outgoing {
            kind,
            len,
            sent: 0,
            progress: (len != Some(0)).then(WriteProgress::new),
        }
    }

    /// The progress this body reports as it is sent; `None` when there is nothing to send.
    pub(crate) fn progress(&self) -> Option<Arc<WriteProgress>> {
        self.progress.clone()
    }

    fn finished(&mut self, complete: bool) {
        if let Some(progress) = self.progress.take() {
            progress.record();
            progress.complete.store(complete, Ordering::Release);
            progress.done.store(true, Ordering::Release);
            progress.on_done.wake();
        }
    }
}

impl HttpBody for Outgoing {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<std::result::Result<Frame<Bytes>, BoxError>>> {
        let this = self.get_mut();
        let next = match &mut this.kind {
            Kind::Bytes(bytes) if bytes.is_empty() => None,
            Kind::Bytes(bytes) => Some(Ok(bytes.split_to(bytes.len().min(SLICE)))),
            Kind::Stream(stream) => match stream.as_mut().poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(next) => next,
            },
        };
        match next {
            Some(Ok(chunk)) => {
                if let Kind::Stream(_) = this.kind {
                    this.sent += chunk.len() as u64;
                }
                if this.is_end_stream() {
                    // hyper asks no further once the body says it has ended.
                    this.finished(true);
                } else if let Some(progress) = &this.progress {
                    progress.record();
                }
                Poll::Ready(Some(Ok(Frame::data(chunk))))
            }
            Some(Err(e)) => {
                this.finished(false);
                Poll::Ready(Some(Err(e)))
            }
            None => {
                this.finished(true);
                Poll::Ready(None)
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.kind {
            Kind::Bytes(bytes) => bytes.is_empty(),
            Kind::Stream(_) => self.len.is_some_and(|len| self.sent >= len),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match (&self.kind, self.len) {
            (Kind::Bytes(bytes), _) => SizeHint::with_exact(bytes.len() as u64),
            (Kind::Stream(_), Some(len)) => SizeHint::with_exact(len),
            (Kind::Stream(_), None) => SizeHint::default(),
        }
    }
}

/// A response body that holds its connection's lease until the body has been read.
pub(crate) struct Pooled {
    incoming: Incoming,
    lease: Option<Lease>,
}

impl Pooled {
    pub(crate) fn new(incoming: Incoming, lease: Lease) -> Pooled {
        let mut pooled = Pooled {
            incoming,
            lease: Some(lease),
        };
        if pooled.incoming.is_end_stream() {
            pooled.release();
        }
        pooled
    }

    /// Gives the connection back for reuse.
    fn release(&mut self) {
        if let Some(mut lease) = self.lease.take() {
            lease.set_reusable();
        }
    }
}

impl Stream for Pooled {
    type Item = Result<Bytes>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Bytes>>> {
        let this = self.get_mut();
        loop {
            match Pin::new(&mut this.incoming).poll_frame(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => {
                    this.release();
                    return Poll::Ready(None);
                }
                Poll::Ready(Some(Err(e))) => {
                    this.lease = None;
                    return Poll::Ready(Some(Err(body_error(e))));
                }
                Poll::Ready(Some(Ok(frame))) => {
                    // Trailers are not exposed; only data frames carry the body.
                    if let Ok(data) = frame.into_data() {
                        if this.incoming.is_end_stream() {
                            this.release();
                        }
                        if !data.is_empty() {
                            return Poll::Ready(Some(Ok(data)));
                        }
                    }
                }
            }
        }
    }
}

fn body_error(e: hyper::Error) -> Error {
    from_hyper(e)
}
