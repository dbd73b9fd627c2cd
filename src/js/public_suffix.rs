//! The public suffix list, from JS: the package's main wasm leaves the list out (it would
//! more than double the `.wasm`), so the cookie jar refuses only top-level domains unless
//! the package's entry point registers a check. Node's does (npm/psl, a wasm of its own
//! loaded the first time a cookie names a `Domain`); browsers keep cookies in their own
//! jar and register none.

use std::cell::RefCell;

use js_sys::Function;
use wasm_bindgen::prelude::*;

thread_local! {
    static CHECK: RefCell<Option<Function>> = const { RefCell::new(None) };
}

/// Registers `check`, `(domain) => boolean`, as the cookie jar's test of whether a cookie's
/// `Domain` (lowercase, without a trailing dot) is a public suffix.
#[wasm_bindgen(js_name = setPublicSuffixCheck)]
pub fn set_public_suffix_check(check: Function) {
    CHECK.with(|slot| *slot.borrow_mut() = Some(check));
}

/// The registered check's answer for `domain`; `None` when no check is registered, or when
/// it throws or answers something other than a boolean.
pub(crate) fn ask(domain: &str) -> Option<bool> {
    // Cloned out of the slot, so that a check which registers another does not find it
    // borrowed.
    let check = CHECK.with(|slot| slot.borrow().clone())?;
    check
        .call1(&JsValue::UNDEFINED, &JsValue::from_str(domain))
        .ok()?
        .as_bool()
}
