//! Enforcing timeouts in a way every backend can share: a limit on a future, and a read
//! timeout between the chunks of a body.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures_core::Stream;

use crate::body::ResponseBody;
use crate::error::{Error, ErrorKind, Result};
use crate::runtime::{Instant, Timer};

/// Runs `fut`, failing with a `kind` timeout error if it takes longer than `limit`.
pub(crate) async fn within<F, T>(fut: F, limit: Option<Duration>, kind: ErrorKind) -> Result<T>
where
    F: Future<Output = Result<T>>,
{
    let Some(limit) = limit else {
        return fut.await;
    };
    let mut fut = std::pin::pin!(fut);
    let mut timer = Timer::at(Instant::now() + limit);
    std::future::poll_fn(|cx| {
        if let Poll::Ready(out) = fut.as_mut().poll(cx) {
            return Poll::Ready(out);
        }
        match timer.poll_elapsed(cx) {
            Poll::Ready(()) => Poll::Ready(Err(Error::timeout(kind, limit))),
            Poll::Pending => Poll::Pending,
        }
    })
    .await
}

/// Fails `body` with a read timeout when no chunk arrives for `limit` after the previous
/// one (or after the head).
///
/// One timer serves the whole body, and it is not moved on every chunk: each chunk only
/// records the time, and when the timer fires early it is moved to the real deadline. So
/// a fast body costs one clock read per chunk, not a timer update.
pub(crate) fn read_timeout(body: ResponseBody, limit: Option<Duration>) -> ResponseBody {
    match limit {
        None => body,
        Some(limit) => ResponseBody::from_stream(ReadTimeout {
            body,
            limit,
            last_progress: Instant::now(),
            timer: None,
            done: false,
        }),
    }
}

struct ReadTimeout {
    body: ResponseBody,
    limit: Duration,
    last_progress: Instant,
    timer: Option<Timer>,
    done: bool,
}

impl Stream for ReadTimeout {
    type Item = Result<Bytes>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.done {
            return Poll::Ready(None);
        }
        if let Poll::Ready(item) = Pin::new(&mut this.body).poll_next(cx) {
            this.last_progress = Instant::now();
            this.done = item.is_none();
            return Poll::Ready(item);
        }
        loop {
            let deadline = this.last_progress + this.limit;
            let timer = this.timer.get_or_insert_with(|| Timer::at(deadline));
            if timer.poll_elapsed(cx).is_pending() {
                return Poll::Pending;
            }
            if Instant::now() >= deadline {
                this.done = true;
                return Poll::Ready(Some(Err(Error::timeout(
                    ErrorKind::ReadTimeout,
                    this.limit,
                ))));
            }
            // The timer was set for an older deadline: progress was made since.
            timer.reset(deadline);
        }
    }
}
