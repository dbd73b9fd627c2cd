//! One JS request's own state: what its callbacks need (the client's hooks, the progress
//! callbacks, the per-request object the hooks share between hops) and how it ends early.
//!
//! A request ends early when its `AbortSignal` fires, or when one of its JS callbacks
//! throws: the crate's hooks and progress callbacks cannot fail, so the callback records
//! the failure here ([`Scope::fail`]) and [`guarded`], which runs the request (and each
//! read of a streamed body), drops the work at once (aborting the fetch, the wait before a
//! retry, the body read) and rejects with the recorded error. A hook that runs after the
//! failure does nothing, and a request about to be sent is refused
//! ([`Refused`](crate::layer::Refused)), so that nothing more goes out.
//!
//! The hooks are the client's (`ClientBuilder::on_request`, ...), so they cannot capture
//! a request's scope: they find it through [`current`], the scope of the request whose
//! future is being polled (set by [`guarded`]; hooks run synchronously inside that poll).

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::{Rc, Weak};
use std::task::{Context, Poll, Waker};

use js_sys::{Function, Object, Reflect};
use url::Url;
use wasm_bindgen::prelude::*;

use super::convert::error_value;
use super::hooks::HooksConfig;
use super::options::{Options, Signal};
use crate::Progress;
use crate::error::{Error, ErrorKind};

#[wasm_bindgen(inline_js = r#"
export function progress(callback, bytes, total) {
  callback({ bytes, total });
}
"#)]
extern "C" {
    /// Calls a progress callback with `{bytes, total}` (`total` undefined when unknown).
    #[wasm_bindgen(catch)]
    fn progress(callback: &Function, bytes: f64, total: Option<f64>) -> Result<(), JsValue>;
}

thread_local! {
    static CURRENT: RefCell<Option<Rc<Scope>>> = const { RefCell::new(None) };
}

/// The scope of the request being polled, if it has one.
pub(super) fn current() -> Option<Rc<Scope>> {
    CURRENT.with(|current| current.borrow().clone())
}

/// Upload or download.
#[derive(Clone, Copy)]
pub(super) enum Direction {
    Upload,
    Download,
}

/// A signal, and the listener a scope added to it.
type Listening = (Signal, Closure<dyn FnMut()>);

pub(super) struct Scope {
    /// For the errors made here.
    url: Option<Url>,
    /// The error the request rejects with, once it has ended early.
    failure: RefCell<Option<JsValue>>,
    /// The tasks running the request, or reads of its body, to wake when it ends early.
    wakers: RefCell<Vec<Waker>>,
    hooks: Option<HooksConfig>,
    /// What the hooks keep between calls for this request (the request of the hop in flight).
    context: JsValue,
    upload: Option<Function>,
    download: Option<Function>,
    /// The signal and the listener this scope added to it, until removed.
    signal: RefCell<Option<Listening>>,
    /// Drops what the request left unread (a streamed body), when it ends early.
    on_fail: RefCell<Option<Box<dyn FnOnce()>>>,
}

impl Scope {
    /// The scope of a request to `url` with `options`, sent by a client with `hooks`;
    /// `None` when it needs none (no hooks, signal or progress callback). An error when
    /// the signal has fired already: the request is then not sent at all.
    pub(super) fn new(
        url: Option<Url>,
        hooks: Option<&HooksConfig>,
        options: Option<&Options>,
    ) -> Result<Option<Rc<Scope>>, JsValue> {
        let signal = options.and_then(Options::signal);
        let upload = options.and_then(Options::on_upload_progress);
        let download = options.and_then(Options::on_download_progress);
        if hooks.is_none() && signal.is_none() && upload.is_none() && download.is_none() {
            return Ok(None);
        }
        if let Some(signal) = &signal
            && signal.aborted()
        {
            return Err(cancelled(url.as_ref(), signal.reason()));
        }
        let scope = Rc::new_cyclic(|weak: &Weak<Scope>| {
            let weak = weak.clone();
            let signal = signal.map(|signal| {
                // A weak reference: the scope owns the listener, not the other way round.
                let listener = Closure::<dyn FnMut()>::new(move || {
                    if let Some(scope) = weak.upgrade() {
                        scope.cancel();
                    }
                });
                signal.add_event_listener("abort", listener.as_ref().unchecked_ref());
                (signal, listener)
            });
            Scope {
                url,
                failure: RefCell::new(None),
                wakers: RefCell::new(Vec::new()),
                context: match hooks {
                    Some(_) => Object::new().into(),
                    None => JsValue::UNDEFINED,
                },
                hooks: hooks.cloned(),
                upload,
                download,
                signal: RefCell::new(signal),
                on_fail: RefCell::new(None),
            }
        });
        Ok(Some(scope))
    }

    pub(super) fn hooks(&self) -> Option<&HooksConfig> {
        self.hooks.as_ref()
    }

    pub(super) fn context(&self) -> &JsValue {
        &self.context
    }

    pub(super) fn reports(&self, direction: Direction) -> bool {
        self.callback(direction).is_some()
    }

    fn callback(&self, direction: Direction) -> Option<&Function> {
        match direction {
            Direction::Upload => self.upload.as_ref(),
            Direction::Download => self.download.as_ref(),
        }
    }

    /// Hands `p` to the progress callback; one that throws ends the request.
    pub(super) fn progress(&self, direction: Direction, p: Progress) {
        let Some(callback) = self.callback(direction) else {
            return;
        };
        if self.failed() {
            return;
        }
        let total = p.total.map(|total| total as f64);
        if let Err(thrown) = progress(callback, p.bytes as f64, total) {
            let name = match direction {
                Direction::Upload => "onUploadProgress callback",
                Direction::Download => "onDownloadProgress callback",
            };
            self.threw(name, thrown);
        }
    }

    pub(super) fn failed(&self) -> bool {
        self.failure.borrow().is_some()
    }

    fn failure(&self) -> Option<JsValue> {
        self.failure.borrow().clone()
    }

    /// Ends the request with `error`, unless it has ended already.
    pub(super) fn fail(&self, error: JsValue) {
        if self.failed() {
            return;
        }
        self.failure.replace(Some(error));
        let wakers = self.wakers.take();
        for waker in wakers {
            waker.wake();
        }
        let drop_unread = self.on_fail.borrow_mut().take();
        if let Some(drop_unread) = drop_unread {
            drop_unread();
        }
    }

    /// `what` threw `thrown`: the request fails with kind `Builder`, `thrown` as its cause.
    pub(super) fn threw(&self, what: &str, thrown: JsValue) {
        let (message, _) = crate::backend::describe_js_error(&thrown);
        let mut e = Error::builder(format!("the {what} threw: {message}"));
        if let Some(url) = &self.url {
            e = e.with_url(url);
        }
        self.fail(with_cause(error_value(&e), &thrown));
    }

    fn cancel(&self) {
        let reason = match &*self.signal.borrow() {
            Some((signal, _)) => signal.reason(),
            None => return,
        };
        self.fail(cancelled(self.url.as_ref(), reason));
    }

    /// Sets what to drop when the request ends early while nothing is reading it.
    pub(super) fn on_fail(&self, drop_unread: Box<dyn FnOnce()>) {
        self.on_fail.replace(Some(drop_unread));
    }

    /// The request is over (its response read, or its streamed body ended): the signal no
    /// longer concerns it.
    pub(super) fn finish(&self) {
        let signal = self.signal.borrow_mut().take();
        if let Some((signal, listener)) = signal {
            signal.remove_event_listener("abort", listener.as_ref().unchecked_ref());
        }
        self.on_fail.replace(None);
    }
}

impl Drop for Scope {
    fn drop(&mut self) {
        self.finish();
    }
}

/// The error of a request whose signal fired: kind `Cancelled`, the signal's reason as its
/// cause.
fn cancelled(url: Option<&Url>, reason: JsValue) -> JsValue {
    let (message, _) = crate::backend::describe_js_error(&reason);
    let mut e = Error::new(
        ErrorKind::Cancelled,
        format!("its AbortSignal fired: {message}"),
    );
    if let Some(url) = url {
        e = e.with_url(url);
    }
    with_cause(error_value(&e), &reason)
}

/// `error` (an error object for the wrapper) with `cause`, which the wrapper gives its
/// `HttplibError`.
fn with_cause(error: JsValue, cause: &JsValue) -> JsValue {
    // Setting a property on a fresh plain object cannot fail.
    let _ = Reflect::set(&error, &JsValue::from_str("cause"), cause);
    error
}

/// Runs `work` (a request, or a read of its streamed body) under `scope`: as the request's
/// [`current`] scope, and only until the request ends early (then `work` is dropped, which
/// aborts what it was doing, and the result is the scope's error).
pub(super) async fn guarded<F>(scope: Option<Rc<Scope>>, work: F) -> Result<JsValue, JsValue>
where
    F: Future<Output = Result<JsValue, JsValue>>,
{
    match scope {
        None => work.await,
        Some(scope) => {
            Guarded {
                scope,
                work: Some(Box::pin(work)),
                waker: None,
            }
            .await
        }
    }
}

struct Guarded<F> {
    scope: Rc<Scope>,
    work: Option<Pin<Box<F>>>,
    /// Its task's waker, as registered with the scope.
    waker: Option<Waker>,
}

impl<F> Guarded<F> {
    /// Stops waiting on the scope: done, or dropped (the scope may outlive it, with a
    /// streamed body, and must not keep the task alive).
    fn forget(&mut self) {
        if let Some(waker) = self.waker.take() {
            self.scope
                .wakers
                .borrow_mut()
                .retain(|other| !other.will_wake(&waker));
        }
    }

    fn end(&mut self, out: Result<JsValue, JsValue>) -> Poll<Result<JsValue, JsValue>> {
        self.work = None;
        self.forget();
        Poll::Ready(out)
    }
}

impl<F> Drop for Guarded<F> {
    fn drop(&mut self) {
        self.forget();
    }
}

impl<F: Future<Output = Result<JsValue, JsValue>>> Future for Guarded<F> {
    type Output = Result<JsValue, JsValue>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        if let Some(error) = this.scope.failure() {
            return this.end(Err(error));
        }
        if this.work.is_none() {
            return Poll::Pending; // polled after it finished: cannot happen through `.await`
        }
        if !this.waker.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
            this.forget();
            this.scope.wakers.borrow_mut().push(cx.waker().clone());
            this.waker = Some(cx.waker().clone());
        }
        let Some(work) = this.work.as_mut() else {
            return Poll::Pending;
        };
        let previous = CURRENT.with(|current| current.replace(Some(this.scope.clone())));
        let poll = work.as_mut().poll(cx);
        CURRENT.with(|current| current.replace(previous));
        // A callback that ran during that poll may have ended the request.
        if let Some(error) = this.scope.failure() {
            return this.end(Err(error));
        }
        match poll {
            Poll::Ready(out) => this.end(out),
            Poll::Pending => Poll::Pending,
        }
    }
}
