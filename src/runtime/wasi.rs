//! The WASI side of [`crate::runtime`]: timers on `wasi:clocks/monotonic-clock`, waited for
//! on wstd's reactor. There is no I/O runtime to start: the component's caller drives
//! every future with `wstd::runtime::block_on` (or `#[wstd::main]`), inside which the
//! reactor polls the host's pollables, the timers' and the HTTP streams' alike.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use wasip2::clocks::monotonic_clock;
use wstd::runtime::{AsyncPollable, WaitFor};

use super::Instant;

/// A timer that fires at a deadline.
pub(crate) struct Timer {
    wait: WaitFor,
}

impl Timer {
    /// A timer for `deadline`. Like every wait on WASI it needs wstd's reactor: it must be
    /// made inside `block_on`.
    pub(crate) fn at(deadline: Instant) -> Self {
        let wait = deadline.saturating_duration_since(Instant::now());
        let nanos = u64::try_from(wait.as_nanos()).unwrap_or(u64::MAX);
        let pollable = monotonic_clock::subscribe_duration(nanos);
        Timer {
            wait: AsyncPollable::new(pollable).wait_for(),
        }
    }

    pub(crate) fn reset(&mut self, deadline: Instant) {
        *self = Timer::at(deadline);
    }

    pub(crate) fn poll_elapsed(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        Pin::new(&mut self.wait).poll(cx)
    }
}
