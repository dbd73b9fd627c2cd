//! What differs between targets in how futures run: `Send` and `Sync` bounds, timers, the
//! clock, and (natively) which tokio runtime drives the I/O.
//!
//! Everything above this module is written once; the few lines that must differ between
//! native and wasm32 live here and in `backend/`.

use std::future::Future;
use std::pin::Pin;

cfg_if::cfg_if! {
    // wasm32 hosts (JS and WASI 0.2) run one thread: no `Send` bounds there.
    if #[cfg(not(native))] {
        /// `Send` natively, nothing on wasm32, where JS values are neither `Send` nor `Sync`.
        ///
        /// # Examples
        /// A helper that boxes futures on every target:
        /// ```
        /// use std::future::Future;
        /// use httplib::{BoxFuture, MaybeSend};
        ///
        /// fn boxed<'a, T>(future: impl Future<Output = T> + MaybeSend + 'a) -> BoxFuture<'a, T> {
        ///     Box::pin(future)
        /// }
        /// assert_eq!(futures_executor::block_on(boxed(async { 40 + 2 })), 42);
        /// ```
        pub trait MaybeSend {}
        impl<T: ?Sized> MaybeSend for T {}

        /// `Sync` natively, nothing on wasm32: for what a `Send + Sync` client shares between
        /// requests, such as a progress callback, which on wasm32 may hold JS values.
        ///
        /// # Examples
        /// A callback that every target accepts:
        /// ```
        /// use std::sync::Arc;
        /// use httplib::{MaybeSend, MaybeSync};
        ///
        /// fn shared(f: impl Fn(u64) + MaybeSend + MaybeSync + 'static) -> Arc<dyn Fn(u64)> {
        ///     Arc::new(f)
        /// }
        /// let report = shared(|bytes| assert_eq!(bytes, 42));
        /// report(42);
        /// ```
        pub trait MaybeSync {}
        impl<T: ?Sized> MaybeSync for T {}

        /// A boxed future: `Send` natively, not on wasm32.
        ///
        /// # Examples
        /// ```
        /// let future: httplib::BoxFuture<'static, u32> = Box::pin(async { 7 });
        /// assert_eq!(futures_executor::block_on(future), 7);
        /// ```
        pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

        /// A boxed stream: `Send` natively, not on wasm32.
        ///
        /// # Examples
        /// ```
        /// use futures_util::StreamExt;
        ///
        /// let stream: httplib::BoxStream<'static, u32> =
        ///     Box::pin(futures_util::stream::iter([1, 2, 3]));
        /// assert_eq!(futures_executor::block_on(stream.collect::<Vec<_>>()), [1, 2, 3]);
        /// ```
        pub type BoxStream<'a, T> = Pin<Box<dyn futures_core::Stream<Item = T> + 'a>>;

        #[cfg(js)]
        pub(crate) use web_time::Instant;
        #[cfg(wasi)]
        pub(crate) use std::time::Instant;
    } else {
        /// `Send` natively, nothing on wasm32, where JS values are neither `Send` nor `Sync`.
        ///
        /// # Examples
        /// A helper that boxes futures on every target:
        /// ```
        /// use std::future::Future;
        /// use httplib::{BoxFuture, MaybeSend};
        ///
        /// fn boxed<'a, T>(future: impl Future<Output = T> + MaybeSend + 'a) -> BoxFuture<'a, T> {
        ///     Box::pin(future)
        /// }
        /// assert_eq!(futures_executor::block_on(boxed(async { 40 + 2 })), 42);
        /// ```
        pub trait MaybeSend: Send {}
        impl<T: ?Sized + Send> MaybeSend for T {}

        /// `Sync` natively, nothing on wasm32: for what a `Send + Sync` client shares between
        /// requests, such as a progress callback, which on wasm32 may hold JS values.
        ///
        /// # Examples
        /// A callback that every target accepts:
        /// ```
        /// use std::sync::Arc;
        /// use httplib::{MaybeSend, MaybeSync};
        ///
        /// fn shared(f: impl Fn(u64) + MaybeSend + MaybeSync + 'static) -> Arc<dyn Fn(u64)> {
        ///     Arc::new(f)
        /// }
        /// let report = shared(|bytes| assert_eq!(bytes, 42));
        /// report(42);
        /// ```
        pub trait MaybeSync: Sync {}
        impl<T: ?Sized + Sync> MaybeSync for T {}

        /// A boxed future: `Send` natively, not on wasm32.
        ///
        /// # Examples
        /// ```
        /// let future: httplib::BoxFuture<'static, u32> = Box::pin(async { 7 });
        /// assert_eq!(futures_executor::block_on(future), 7);
        /// ```
        pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

        /// A boxed stream: `Send` natively, not on wasm32.
        ///
        /// # Examples
        /// ```
        /// use futures_util::StreamExt;
        ///
        /// let stream: httplib::BoxStream<'static, u32> =
        ///     Box::pin(futures_util::stream::iter([1, 2, 3]));
        /// assert_eq!(futures_executor::block_on(stream.collect::<Vec<_>>()), [1, 2, 3]);
        /// ```
        pub type BoxStream<'a, T> = Pin<Box<dyn futures_core::Stream<Item = T> + Send + 'a>>;

        pub(crate) use std::time::Instant;
    }
}

cfg_if::cfg_if! {
    if #[cfg(js)] {
        mod js;
        pub(crate) use js::Timer;
    } else if #[cfg(wasi)] {
        mod wasi;
        pub(crate) use wasi::Timer;
    } else {
        mod native;
        pub(crate) use native::{
            Timer, block_on, block_on_here, in_io_context, on_background, own_runtime_thread,
        };
    }
}

/// On wasm32 (JS hosts and WASI) every future already runs where timers and the platform's
/// HTTP work: there is no I/O runtime to enter.
#[cfg(not(native))]
pub(crate) async fn in_io_context<F, T>(fut: F) -> Result<T, crate::error::Error>
where
    F: Future<Output = Result<T, crate::error::Error>>,
{
    fut.await
}

/// The wall clock, on any target (std's `SystemTime::now` panics on wasm32-unknown-unknown;
/// on WASI it is `wasi:clocks/wall-clock`).
pub(crate) fn system_now() -> std::time::SystemTime {
    cfg_if::cfg_if! {
        if #[cfg(js)] {
            // web-time's clock is Date.now(); std's type is what httpdate and callers use.
            let since_epoch = web_time::SystemTime::now()
                .duration_since(web_time::UNIX_EPOCH)
                .unwrap_or_default();
            std::time::UNIX_EPOCH + since_epoch
        } else {
            std::time::SystemTime::now()
        }
    }
}

/// Waits for `duration`, on any target.
pub(crate) async fn sleep(duration: std::time::Duration) {
    // A wait past the end of the clock is a wait forever, not a panic.
    let Some(deadline) = Instant::now().checked_add(duration) else {
        return std::future::pending().await;
    };
    let mut timer = Timer::at(deadline);
    std::future::poll_fn(|cx| timer.poll_elapsed(cx)).await;
}
