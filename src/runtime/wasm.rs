//! The wasm32 side of [`crate::runtime`]: timers on the platform's `setTimeout` (taken from
//! the global scope, so they work in browsers, workers and Node), and no I/O runtime to
//! manage: the JS event loop drives everything.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use gloo_timers::future::TimeoutFuture;
use web_time::Instant;

use crate::error::Error;

/// A timer that fires at a deadline; moving it schedules a new `setTimeout` (the old one
/// is cleared when dropped).
pub(crate) struct Timer {
    timeout: TimeoutFuture,
}

impl Timer {
    pub(crate) fn at(deadline: Instant) -> Self {
        Timer {
            timeout: TimeoutFuture::new(millis_until(deadline)),
        }
    }

    pub(crate) fn reset(&mut self, deadline: Instant) {
        *self = Timer::at(deadline);
    }

    pub(crate) fn poll_elapsed(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        Pin::new(&mut self.timeout).poll(cx)
    }
}

/// Whole milliseconds to `deadline`, rounded up so the timer never fires before it.
fn millis_until(deadline: Instant) -> u32 {
    let wait = deadline.saturating_duration_since(Instant::now());
    let millis = wait.as_micros().div_ceil(1000);
    u32::try_from(millis)
        .unwrap_or(u32::MAX)
        .min(i32::MAX as u32)
}

/// On wasm32 every future already runs where timers and `fetch` work.
pub(crate) async fn in_io_context<F, T>(fut: F) -> Result<T, Error>
where
    F: Future<Output = Result<T, Error>>,
{
    fut.await
}
