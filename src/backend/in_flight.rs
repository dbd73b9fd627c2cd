//! [`Limits::max_connections`](crate::Limits::max_connections) where the platform owns the
//! sockets (fetch, a WASI host): the client caps what it does own, its requests in flight,
//! each from its start until its body is read to the end, fails, is handed to JS or is
//! dropped (natively, the time a request holds a connection). A request over the cap waits
//! its turn, first come first served, for at most the pool timeout, as natively.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Poll, Waker};
use std::time::Duration;

use crate::error::{Error, ErrorKind, Result};
use crate::runtime::Instant;
use crate::timeouts::Deadline;

/// The requests in flight through one client, and those waiting for a turn.
pub(super) struct InFlight {
    limit: usize,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    running: usize,
    /// Waiting requests by ticket, oldest first, with the waker of each.
    waiting: VecDeque<(u64, Waker)>,
    next_ticket: u64,
}

/// One request's turn: given back when dropped.
pub(super) struct Slot {
    owner: Arc<InFlight>,
}

impl InFlight {
    /// A cap of `limit` requests in flight (`None`: no cap, and no bookkeeping).
    pub(super) fn new(limit: Option<usize>) -> Option<Arc<InFlight>> {
        Some(Arc::new(InFlight {
            limit: limit?,
            state: Mutex::default(),
        }))
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // Nothing panics while holding the lock; a poisoned one is still consistent.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A turn under `cap`, if the client has one (`None`: no cap, nothing to wait for).
    pub(super) async fn turn(
        cap: Option<&Arc<InFlight>>,
        timeout: Option<Duration>,
    ) -> Result<Option<Slot>> {
        match cap {
            Some(cap) => cap.acquire(timeout).await.map(Some),
            None => Ok(None),
        }
    }

    /// Waits for a turn, for at most `timeout` (`None`: as long as it takes).
    async fn acquire(self: &Arc<Self>, timeout: Option<Duration>) -> Result<Slot> {
        let started = Instant::now();
        let ticket = {
            let mut state = self.state();
            state.next_ticket += 1;
            state.next_ticket
        };
        let mut queued = Queued {
            owner: self,
            ticket,
            in_queue: false,
        };
        let mut timer = Deadline::default();
        std::future::poll_fn(|cx| {
            if queued.try_take(cx) {
                return Poll::Ready(Ok(Slot {
                    owner: self.clone(),
                }));
            }
            let Some((limit, deadline)) =
                timeout.and_then(|limit| Some((limit, started.checked_add(limit)?)))
            else {
                return Poll::Pending;
            };
            timer.poll_at(cx, deadline).map(|()| {
                Err(Error::new(
                    ErrorKind::PoolTimeout,
                    format!(
                        "no request in flight finished within {limit:?} (max_connections {}: \
                         on fetch, a cap on requests in flight)",
                        self.limit
                    ),
                ))
            })
        })
        .await
    }

    /// Wakes the oldest waiting request when a turn is free.
    fn wake_next(state: &State, limit: usize) {
        if state.running < limit
            && let Some((_, waker)) = state.waiting.front()
        {
            waker.wake_by_ref();
        }
    }
}

/// A request waiting for its turn; leaves the queue when dropped (taken, timed out or
/// cancelled), handing a wake-up it may have had to the next one.
struct Queued<'a> {
    owner: &'a Arc<InFlight>,
    ticket: u64,
    /// In `waiting`: the queue is searched only then (a burst of requests over the cap
    /// would otherwise scan it once per request).
    in_queue: bool,
}

impl Queued<'_> {
    /// Takes a turn if one is free and nobody older waits; else queues (or refreshes) the
    /// waker of `cx`.
    fn try_take(&mut self, cx: &mut std::task::Context<'_>) -> bool {
        let limit = self.owner.limit;
        let mut state = self.owner.state();
        // Woken, a waiting request is usually first in line: found at once.
        let position = if self.in_queue {
            state.waiting.iter().position(|(t, _)| *t == self.ticket)
        } else {
            None
        };
        let first = position.map_or(state.waiting.is_empty(), |at| at == 0);
        if first && state.running < limit {
            if position.is_some() {
                state.waiting.pop_front();
                self.in_queue = false;
            }
            state.running += 1;
            // Room for more: the next in line need not wait for a slot to be given back.
            InFlight::wake_next(&state, limit);
            return true;
        }
        match position {
            Some(at) => state.waiting[at].1.clone_from(cx.waker()),
            None => {
                state.waiting.push_back((self.ticket, cx.waker().clone()));
                self.in_queue = true;
            }
        }
        false
    }
}

impl Drop for Queued<'_> {
    fn drop(&mut self) {
        if !self.in_queue {
            return;
        }
        let mut state = self.owner.state();
        if let Some(at) = state.waiting.iter().position(|(t, _)| *t == self.ticket) {
            state.waiting.remove(at);
            InFlight::wake_next(&state, self.owner.limit);
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut state = self.owner.state();
        state.running -= 1;
        InFlight::wake_next(&state, self.owner.limit);
    }
}
