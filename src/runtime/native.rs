//! The native side of [`crate::runtime`]: tokio timers, and the runtime that drives I/O when
//! the caller is not inside one.
//!
//! A request awaited inside a tokio runtime runs there, with its connections' tasks spawned
//! on that runtime. A request awaited from any other executor, or streamed with
//! `stream_blocking()`, runs on one shared background runtime started on first use, so that
//! plain threads and foreign executors work without the caller setting anything up.
//! `send_blocking()` from a plain thread runs on that thread's own current-thread runtime
//! (see [`block_on_here`]).

use std::future::Future;
use std::pin::Pin;
use std::sync::OnceLock;
use std::task::{Context, Poll};
use std::time::Instant;

use tokio::runtime::{Handle, Runtime, RuntimeFlavor};

use crate::error::{Error, ErrorKind};

/// A timer that can be moved to a new deadline without allocating again.
pub(crate) struct Timer {
    sleep: Pin<Box<tokio::time::Sleep>>,
}

impl Timer {
    /// A timer that fires at `deadline`, on the current tokio runtime or else the
    /// background one.
    pub(crate) fn at(deadline: Instant) -> Self {
        // A body read from another executor than the one that sent the request is timed on
        // the background runtime.
        let _background = match Handle::try_current() {
            Ok(_) => None,
            Err(_) => background().ok().map(Runtime::enter),
        };
        let sleep = tokio::time::sleep_until(deadline.into());
        Timer {
            sleep: Box::pin(sleep),
        }
    }

    /// Moves the timer to a new deadline.
    pub(crate) fn reset(&mut self, deadline: Instant) {
        self.sleep.as_mut().reset(deadline.into());
    }

    /// Ready once the deadline has passed.
    pub(crate) fn poll_elapsed(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        self.sleep.as_mut().poll(cx)
    }
}

/// The shared runtime for callers outside tokio: one worker thread is enough to drive the
/// sockets of blocking callers, whose own threads run the request logic. Started on first
/// use; if the OS refuses the thread, every call that needs it gets that error.
fn background() -> Result<&'static Runtime, Error> {
    static BACKGROUND: OnceLock<Result<Runtime, String>> = OnceLock::new();
    BACKGROUND
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .thread_name("httplib-io")
                .enable_all()
                .build()
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| {
            Error::new(
                ErrorKind::Builder,
                format!("httplib cannot start its I/O runtime thread: {e}"),
            )
        })
}

/// Runs `fut` where tokio's timers and sockets work: inline when the caller is already
/// inside a tokio runtime, otherwise as a task of the background runtime.
///
/// A hand-written future rather than an `async fn`: an `async fn` keeps its argument and
/// the future it awaits in separate slots, which doubled the request future to 8 KiB, all of
/// it copied when boxed. Here the request future is boxed once and never moved again.
pub(crate) fn in_io_context<F, T>(fut: F) -> impl Future<Output = Result<T, Error>> + Send
where
    F: Future<Output = Result<T, Error>> + Send + 'static,
    T: Send + 'static,
{
    InIoContext {
        fut: Some(Box::pin(fut)),
        join: None,
        checked: false,
    }
}

struct InIoContext<F: Future> {
    fut: Option<Pin<Box<F>>>,
    join: Option<tokio::task::JoinHandle<F::Output>>,
    /// Whether the first poll has decided between inline and the background runtime.
    checked: bool,
}

impl<F, T> Future for InIoContext<F>
where
    F: Future<Output = Result<T, Error>> + Send + 'static,
    T: Send + 'static,
{
    type Output = Result<T, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<T, Error>> {
        let this = self.get_mut();
        if !this.checked {
            this.checked = true;
            if Handle::try_current().is_err()
                && let Some(fut) = this.fut.take()
            {
                match background() {
                    Ok(runtime) => this.join = Some(runtime.spawn(fut)),
                    Err(e) => return Poll::Ready(Err(e)),
                }
            }
        }
        if let Some(join) = &mut this.join {
            return Pin::new(join).poll(cx).map(|joined| match joined {
                Ok(result) => result,
                Err(join) => Err(Error::new(
                    ErrorKind::Builder,
                    format!("the request task did not finish: {join}"),
                )),
            });
        }
        match &mut this.fut {
            Some(fut) => fut.as_mut().poll(cx),
            None => Poll::Ready(Err(Error::builder(
                "the request was polled after it finished",
            ))),
        }
    }
}

/// Blocks the calling thread on `fut`.
///
/// Outside any runtime, the request runs on this thread with the background runtime
/// driving its sockets. Inside a multi-threaded tokio runtime (a task, `spawn_blocking`),
/// it runs in `block_in_place`, which hands the worker's other tasks to another thread
/// first. Inside a current-thread runtime blocking would stall the only thread that drives
/// the I/O, so it refuses with an error instead of hanging.
pub(crate) fn block_on<F: Future>(fut: F) -> Result<F::Output, Error> {
    block_on_in(fut, false)
}

/// As [`block_on`], except that outside any runtime `fut` runs on this thread's own
/// current-thread runtime, which drives the sockets of the connections it opens too: no
/// hand-off to the background thread and back for each request and each read.
///
/// Only for a future that leaves nothing behind that needs those connections after it
/// returns (`send_blocking`, whose body is read whole before it returns): a connection
/// opened here only progresses while this thread is in a blocking call, so the pool lends
/// it to no other thread (see [`own_runtime_thread`]), and a streamed body must not escape.
pub(crate) fn block_on_here<F: Future>(fut: F) -> Result<F::Output, Error> {
    block_on_in(fut, true)
}

fn block_on_in<F: Future>(fut: F, here: bool) -> Result<F::Output, Error> {
    let Ok(handle) = Handle::try_current() else {
        if here {
            // `fut` comes back if this thread's runtime is gone (the thread is exiting).
            let fut = match local::block_on(fut) {
                Ok(out) => return Ok(out),
                Err(fut) => fut,
            };
            return Ok(background()?.block_on(fut));
        }
        return Ok(background()?.block_on(fut));
    };
    match handle.runtime_flavor() {
        RuntimeFlavor::MultiThread => Ok(tokio::task::block_in_place(move || handle.block_on(fut))),
        _ => Err(Error::new(
            ErrorKind::Builder,
            "a blocking call (send_blocking, stream_blocking, iter_bytes, ...) was made inside \
             a current-thread async runtime, which it would stall; use `.await` there instead",
        )),
    }
}

/// While this thread runs a [`block_on_here`] call: a number that identifies the thread
/// (and so its runtime). Connections opened then belong to this thread alone.
pub(crate) fn own_runtime_thread() -> Option<u64> {
    local::current()
}

/// Runs `fut` as a task of the background runtime (whose connections any thread can use)
/// and waits for it.
pub(crate) async fn on_background<F, T>(fut: F) -> Result<T, Error>
where
    F: Future<Output = Result<T, Error>> + Send + 'static,
    T: Send + 'static,
{
    // The request's span (the `tracing` feature) follows the work to that runtime.
    let fut = crate::trace::in_current_span(fut);
    match background()?.spawn(fut).await {
        Ok(result) => result,
        Err(join) => Err(Error::new(
            ErrorKind::Builder,
            format!("the connection task did not finish: {join}"),
        )),
    }
}

/// Each thread's own current-thread runtime, for [`block_on_here`].
mod local {
    use std::cell::{Cell, OnceCell};
    use std::future::Future;
    use std::sync::atomic::{AtomicU64, Ordering};

    use tokio::runtime::Runtime;

    thread_local! {
        static RUNTIME: OnceCell<Option<Runtime>> = const { OnceCell::new() };
        /// This thread's number, given on first use (0: none yet).
        static ID: Cell<u64> = const { Cell::new(0) };
        static INSIDE: Cell<bool> = const { Cell::new(false) };
    }

    fn id() -> u64 {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        ID.with(|id| {
            if id.get() == 0 {
                id.set(NEXT.fetch_add(1, Ordering::Relaxed));
            }
            id.get()
        })
    }

    pub(super) fn current() -> Option<u64> {
        match INSIDE.try_with(Cell::get) {
            Ok(true) => ID.try_with(Cell::get).ok(),
            _ => None,
        }
    }

    /// Runs `fut` on this thread's runtime; gives it back when there is none (the thread's
    /// locals are being destroyed, or the runtime could not be built).
    pub(super) fn block_on<F: Future>(fut: F) -> Result<F::Output, F> {
        let mut fut = Some(fut);
        let ran = RUNTIME.try_with(|cell| {
            let runtime = cell.get_or_init(|| {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .ok()
            });
            let runtime = runtime.as_ref()?;
            let fut = fut.take()?;
            id();
            INSIDE.with(|inside| inside.set(true));
            let _reset = Reset;
            Some(runtime.block_on(fut))
        });
        match (ran, fut) {
            (Ok(Some(out)), _) => Ok(out),
            (_, Some(fut)) => Err(fut),
            (_, None) => unreachable!("a future taken is run"),
        }
    }

    /// Marks the thread as out of its runtime again, even if the future panicked.
    struct Reset;

    impl Drop for Reset {
        fn drop(&mut self) {
            let _ = INSIDE.try_with(|inside| inside.set(false));
        }
    }
}
