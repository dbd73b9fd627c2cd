//! Cancellation by count of polls: drops a future right after its n-th pending poll.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Resolves to `Some(output)` if `inner` finishes within `polls` polls, else to `None`
/// right after the last of them, dropping `inner` where it stands.
pub struct PollLimit<F> {
    inner: Option<Pin<Box<F>>>,
    polls_left: u32,
}

impl<F: Future> PollLimit<F> {
    pub fn new(inner: F, polls: u32) -> PollLimit<F> {
        PollLimit {
            inner: Some(Box::pin(inner)),
            polls_left: polls,
        }
    }
}

impl<F: Future> Future for PollLimit<F> {
    type Output = Option<F::Output>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let Some(inner) = self.inner.as_mut() else {
            return Poll::Ready(None);
        };
        if let Poll::Ready(output) = inner.as_mut().poll(cx) {
            self.inner = None;
            return Poll::Ready(Some(output));
        }
        self.polls_left = self.polls_left.saturating_sub(1);
        if self.polls_left == 0 {
            // Dropped here, in the middle of whatever it was waiting for.
            self.inner = None;
            return Poll::Ready(None);
        }
        Poll::Pending
    }
}
