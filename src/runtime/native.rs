//! The native side of [`crate::runtime`]: tokio timers, and the runtime that drives I/O when
//! the caller is not inside one.
//!
//! A request awaited inside a tokio runtime runs there, with its connections' tasks spawned
//! on that runtime. A request awaited from any other executor, or sent with
//! `send_blocking()`, runs on one shared background runtime started on first use, so that
//! plain threads and foreign executors work without the caller setting anything up.

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
pub(crate) async fn in_io_context<F, T>(fut: F) -> Result<T, Error>
where
    F: Future<Output = Result<T, Error>> + Send + 'static,
    T: Send + 'static,
{
    if Handle::try_current().is_ok() {
        return fut.await;
    }
    match background()?.spawn(fut).await {
        Ok(result) => result,
        Err(join) => Err(Error::new(
            ErrorKind::Builder,
            format!("the request task did not finish: {join}"),
        )),
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
    let Ok(handle) = Handle::try_current() else {
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
