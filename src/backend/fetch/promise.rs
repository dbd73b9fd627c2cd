//! Awaiting JS promises with less per-promise work than `JsFuture`.
//!
//! A `JsFuture` makes two wasm-bindgen closures for every promise (each a JS function, a
//! FinalizationRegistry entry and a boxed Rust closure, all freed again when it settles).
//! The fetch backend awaits a promise for every response head and every body chunk, so
//! here one closure, made once, receives every settlement: the JS side attaches plain JS
//! callbacks that call it with a slot number, and the future waits on its slot.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use js_sys::Promise;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(inline_js = r#"
let settle;
export function init(callback) {
  settle = callback;
}
export function watch(promise, slot) {
  promise.then((value) => settle(slot, true, value), (error) => settle(slot, false, error));
}
"#)]
extern "C" {
    /// Sets the function `watch` calls.
    fn init(callback: &Settle);

    /// Calls `settle(slot, fulfilled, value)` when `promise` settles.
    fn watch(promise: &Promise, slot: u32);
}

enum Slot {
    Free,
    /// Waiting, with the waker of the last poll.
    Pending(Option<Waker>),
    Settled(Result<JsValue, JsValue>),
    /// The future was dropped first: the slot is freed when the promise settles.
    Abandoned,
}

#[derive(Default)]
struct Slots {
    slots: Vec<Slot>,
    free: Vec<u32>,
}

impl Slots {
    fn take_slot(&mut self) -> u32 {
        match self.free.pop() {
            Some(slot) => {
                self.slots[slot as usize] = Slot::Pending(None);
                slot
            }
            None => {
                self.slots.push(Slot::Pending(None));
                (self.slots.len() - 1) as u32
            }
        }
    }

    fn release(&mut self, slot: u32) {
        self.slots[slot as usize] = Slot::Free;
        self.free.push(slot);
    }
}

/// What JS calls when a watched promise settles: slot, fulfilled, value.
type Settle = Closure<dyn FnMut(u32, bool, JsValue)>;

thread_local! {
    static SLOTS: RefCell<Slots> = RefCell::default();
    /// The one closure every settlement goes through, made on first use.
    static SETTLE: RefCell<Option<Settle>> = const { RefCell::new(None) };
}

fn settle(slot: u32, fulfilled: bool, value: JsValue) {
    let waker = SLOTS.with(|slots| {
        let mut slots = slots.borrow_mut();
        match std::mem::replace(&mut slots.slots[slot as usize], Slot::Free) {
            Slot::Pending(waker) => {
                let result = if fulfilled { Ok(value) } else { Err(value) };
                slots.slots[slot as usize] = Slot::Settled(result);
                waker
            }
            // Abandoned (or, impossibly, settled twice): nobody waits.
            _ => {
                slots.release(slot);
                None
            }
        }
    });
    if let Some(waker) = waker {
        waker.wake();
    }
}

/// A promise awaited: resolves to `Ok` with its value or `Err` with its rejection.
pub(super) struct PromiseFuture {
    slot: Option<u32>,
}

impl PromiseFuture {
    pub(super) fn new(promise: &Promise) -> PromiseFuture {
        let slot = SLOTS.with(|slots| slots.borrow_mut().take_slot());
        SETTLE.with(|settle_fn| {
            let mut settle_fn = settle_fn.borrow_mut();
            if settle_fn.is_none() {
                let callback = Closure::new(settle);
                init(&callback);
                *settle_fn = Some(callback);
            }
        });
        watch(promise, slot);
        PromiseFuture { slot: Some(slot) }
    }
}

impl Future for PromiseFuture {
    type Output = Result<JsValue, JsValue>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let Some(slot) = self.slot else {
            return Poll::Pending;
        };
        let ready = SLOTS.with(|slots| {
            let mut slots = slots.borrow_mut();
            match std::mem::replace(&mut slots.slots[slot as usize], Slot::Free) {
                Slot::Settled(result) => {
                    slots.release(slot);
                    Some(result)
                }
                Slot::Pending(waker) => {
                    let waker = match waker {
                        Some(w) if w.will_wake(cx.waker()) => w,
                        _ => cx.waker().clone(),
                    };
                    slots.slots[slot as usize] = Slot::Pending(Some(waker));
                    None
                }
                other => {
                    slots.slots[slot as usize] = other;
                    None
                }
            }
        });
        match ready {
            Some(result) => {
                self.slot = None;
                Poll::Ready(result)
            }
            None => Poll::Pending,
        }
    }
}

impl Drop for PromiseFuture {
    fn drop(&mut self) {
        if let Some(slot) = self.slot.take() {
            SLOTS.with(|slots| {
                let mut slots = slots.borrow_mut();
                match slots.slots[slot as usize] {
                    Slot::Settled(_) => slots.release(slot),
                    _ => slots.slots[slot as usize] = Slot::Abandoned,
                }
            });
        }
    }
}
