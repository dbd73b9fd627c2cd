//! Values kept on the JS side of the wasm boundary for the crate's `Send + Sync` callbacks
//! (progress callbacks must be both, so that a client and its requests are, on every
//! target). A JS value is neither: it lives here, in this thread's registry, and the
//! callback carries only a [`Held`] key to it. The key is `Send + Sync` (it is a number),
//! so no `unsafe impl` is needed; and dropping it drops the entry, so an entry lives
//! exactly as long as the callbacks that use it: the request's, and its body's.
//!
//! wasm32 without the `atomics` feature has one thread, so the thread the key is dropped
//! on is the thread that registered it (were it another, the entry would only leak).

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::marker::PhantomData;
use std::rc::Rc;

use wasm_bindgen::prelude::*;

thread_local! {
    static HELD: RefCell<BTreeMap<u64, Rc<dyn Any>>> = const { RefCell::new(BTreeMap::new()) };
    static NEXT: Cell<u64> = const { Cell::new(0) };
}

/// The key to a value in the registry: `Send + Sync` whatever `T` is; the value is
/// removed when the key is dropped.
pub(super) struct Held<T> {
    key: u64,
    kind: PhantomData<fn() -> T>,
}

impl<T: 'static> Held<T> {
    /// Registers `value`.
    pub(super) fn new(value: Rc<T>) -> Held<T> {
        let key = NEXT.with(|next| {
            let key = next.get();
            next.set(key + 1);
            key
        });
        HELD.with(|held| held.borrow_mut().insert(key, value));
        Held {
            key,
            kind: PhantomData,
        }
    }

    /// The value (cloned out, so that no borrow of the registry is held while it is used).
    pub(super) fn get(&self) -> Option<Rc<T>> {
        let value = HELD.with(|held| held.borrow().get(&self.key).cloned())?;
        value.downcast().ok()
    }
}

impl<T> Drop for Held<T> {
    fn drop(&mut self) {
        // Dropped outside the borrow: dropping the value may call into JS, and so back here.
        let value = HELD.with(|held| held.borrow_mut().remove(&self.key));
        drop(value);
    }
}

/// How many values the registry holds: 0 once no request is in flight and no streamed
/// body is left unread (the package's tests check that nothing leaks).
#[wasm_bindgen(js_name = liveCallbacks)]
pub fn live_callbacks() -> usize {
    HELD.with(|held| held.borrow().len())
}
