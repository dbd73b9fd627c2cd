//! The wasm32 side of [`crate::runtime`]: timers on the platform's `setTimeout` (taken from
//! the global scope, so they work in browsers, workers and Node), and no I/O runtime to
//! manage: the JS event loop drives everything.
//!
//! Every request has a timer (the read timeout of its body) that almost never fires: it is
//! made, then dropped when the response is in. So the timers share one JS timeout, set for
//! the earliest deadline, instead of one `setTimeout` (and one wasm-bindgen closure) each:
//! making or dropping a timer is a table update, and JS is called only when the earliest
//! deadline moves earlier, or when no timer is left (the JS timeout is then cleared, so that
//! an idle Node process can exit).

use std::cell::RefCell;
use std::task::{Context, Poll, Waker};

use js_sys::Function;
use wasm_bindgen::prelude::*;
use web_time::Instant;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &Function, millis: i32) -> JsValue;

    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(handle: &JsValue);
}

/// A timer that fires at a deadline.
pub(crate) struct Timer {
    id: usize,
}

struct Entry {
    deadline: Instant,
    fired: bool,
    waker: Option<Waker>,
}

#[derive(Default)]
struct Timers {
    /// The timers, by id; `None` for a free id.
    entries: Vec<Option<Entry>>,
    free: Vec<usize>,
    /// The JS timeout set, and the deadline it is set for.
    armed: Option<(JsValue, Instant)>,
    /// What the JS timeout calls, made once.
    callback: Option<Closure<dyn FnMut()>>,
}

thread_local! {
    static TIMERS: RefCell<Timers> = RefCell::default();
}

impl Timers {
    /// Sets the JS timeout for `deadline` unless one is set for it or earlier already.
    fn arm(&mut self, deadline: Instant) {
        if let Some((handle, at)) = &self.armed {
            if *at <= deadline {
                return;
            }
            clear_timeout(handle);
        }
        let callback = self.callback.get_or_insert_with(|| Closure::new(fire));
        let handle = set_timeout(callback.as_ref().unchecked_ref(), millis_until(deadline));
        self.armed = Some((handle, deadline));
    }

    fn disarm(&mut self) {
        if let Some((handle, _)) = self.armed.take() {
            clear_timeout(&handle);
        }
    }
}

/// The JS timeout: wakes the timers of the earliest deadline once it has passed, and sets
/// the timeout again for the next one. Timers whose deadlines have all passed (the timeout
/// came late) are woken one deadline per timeout, earliest first, as separate `setTimeout`s
/// would be: what one wakes runs before the next is woken.
fn fire() {
    let woken = TIMERS.with(|timers| {
        let mut timers = timers.borrow_mut();
        timers.armed = None;
        let earliest = |timers: &Timers| {
            timers
                .entries
                .iter()
                .flatten()
                .filter(|e| !e.fired)
                .map(|e| e.deadline)
                .min()
        };
        let Some(first) = earliest(&timers) else {
            return Vec::new();
        };
        let mut woken = Vec::new();
        if first <= Instant::now() {
            for entry in timers.entries.iter_mut().flatten() {
                if !entry.fired && entry.deadline == first {
                    entry.fired = true;
                    woken.extend(entry.waker.take());
                }
            }
        }
        if let Some(next) = earliest(&timers) {
            timers.arm(next);
        }
        woken
    });
    for waker in woken {
        waker.wake();
    }
}

impl Timer {
    pub(crate) fn at(deadline: Instant) -> Self {
        TIMERS.with(|timers| {
            let mut timers = timers.borrow_mut();
            let entry = Some(Entry {
                deadline,
                fired: false,
                waker: None,
            });
            let id = match timers.free.pop() {
                Some(id) => {
                    timers.entries[id] = entry;
                    id
                }
                None => {
                    timers.entries.push(entry);
                    timers.entries.len() - 1
                }
            };
            timers.arm(deadline);
            Timer { id }
        })
    }

    pub(crate) fn reset(&mut self, deadline: Instant) {
        TIMERS.with(|timers| {
            let mut timers = timers.borrow_mut();
            if let Some(entry) = timers.entries[self.id].as_mut() {
                entry.deadline = deadline;
                entry.fired = false;
            }
            timers.arm(deadline);
        });
    }

    pub(crate) fn poll_elapsed(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        TIMERS.with(|timers| {
            let mut timers = timers.borrow_mut();
            match timers.entries[self.id].as_mut() {
                Some(entry) if entry.fired => Poll::Ready(()),
                Some(entry) => {
                    match &entry.waker {
                        Some(waker) if waker.will_wake(cx.waker()) => {}
                        _ => entry.waker = Some(cx.waker().clone()),
                    }
                    Poll::Pending
                }
                None => Poll::Ready(()),
            }
        })
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        TIMERS.with(|timers| {
            let mut timers = timers.borrow_mut();
            timers.entries[self.id] = None;
            timers.free.push(self.id);
            if timers.free.len() == timers.entries.len() {
                // Nothing left to time: a pending JS timeout would keep Node running.
                timers.disarm();
            }
        });
    }
}

/// Whole milliseconds to `deadline`, rounded up so the timer never fires before it.
fn millis_until(deadline: Instant) -> i32 {
    let wait = deadline.saturating_duration_since(Instant::now());
    let millis = wait.as_micros().div_ceil(1000);
    i32::try_from(millis).unwrap_or(i32::MAX)
}
