//! A [`StreamingResponse`] for JS: the head at once, then the body one way only: handed
//! over as the platform's own `ReadableStream`, or read through the front-end chunk by
//! chunk or line by line (with its read timeout and error kinds), or read whole.
//! The request's signal and progress callbacks go on with a body read through the
//! front-end (see `scope`): an abort drops the body, and a read in progress rejects.

use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;

use js_sys::{Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use super::convert::{error_value, head_object, response_object};
use super::scope::{Scope, guarded};
use crate::StreamingResponse;
use crate::error::Error;
use crate::head::ResponseHead;
use crate::streaming::RawLines;

enum Body {
    /// Not read yet, or being read chunk by chunk.
    Unread(Box<StreamingResponse>),
    /// Being read line by line.
    Lines(Box<RawLines>),
    /// A read is in progress (it puts the state back when done).
    Busy,
    /// Read to the end, failed, closed, or handed to JS.
    Done,
}

/// A streaming response: the wrapper's `StreamingResponse` holds one.
#[wasm_bindgen]
pub struct RawStream {
    head: ResponseHead,
    head_object: JsValue,
    body: Rc<RefCell<Body>>,
    /// The request's, when it has one: its signal and callbacks go on with the body.
    scope: Option<Rc<Scope>>,
}

impl RawStream {
    pub(super) fn new(response: StreamingResponse, scope: Option<Rc<Scope>>) -> RawStream {
        let head = response.head().clone();
        let head_object = head_object(&response);
        let body = Rc::new(RefCell::new(Body::Unread(Box::new(response))));
        if let Some(scope) = &scope {
            // Ended early (the signal) while nothing reads it: the body goes at once,
            // which aborts its download. A read in progress is dropped by `guarded`.
            let unread = Rc::downgrade(&body);
            scope.on_fail(Box::new(move || {
                if let Some(body) = unread.upgrade() {
                    let idle = matches!(&*body.borrow(), Body::Unread(_) | Body::Lines(_));
                    if idle {
                        drop(body.replace(Body::Done));
                    }
                }
            }));
        }
        RawStream {
            head,
            head_object,
            body,
            scope,
        }
    }

    /// Runs `read` of the body under the request's scope; when it is over (the body read
    /// to its end, failed, closed, or the request ended early), so is the scope.
    fn reading<F>(&self, read: impl FnOnce(Rc<RefCell<Body>>) -> F) -> Promise
    where
        F: Future<Output = Result<JsValue, JsValue>> + 'static,
    {
        let body = self.body.clone();
        let scope = self.scope.clone();
        let work = read(body.clone());
        future_to_promise(async move {
            let out = guarded(scope.clone(), work).await;
            if let Some(scope) = &scope {
                if scope.failed() {
                    // Every read of it is over: `guarded` dropped this one (and the
                    // response it held), or never started it.
                    drop(body.replace(Body::Done));
                }
                if matches!(&*body.borrow(), Body::Done) {
                    scope.finish();
                }
            }
            out
        })
    }

    fn finish(&self) {
        if let Some(scope) = &self.scope {
            scope.finish();
        }
    }
}

/// Puts `state` back after a read, unless the stream was closed meanwhile (then `state`
/// is dropped, which aborts what is left of the download).
fn put_back(body: &RefCell<Body>, state: Body) {
    let busy = matches!(*body.borrow(), Body::Busy);
    if busy {
        body.replace(state);
    }
    // Otherwise `state` is dropped here, with no borrow held (aborting may call into JS).
}

fn already_read() -> JsValue {
    error_value(&Error::builder(
        "the body of this response is being read or was read already",
    ))
}

#[wasm_bindgen]
impl RawStream {
    /// Status, headers, URL, version, redirect flag and status error, as for a response.
    pub fn head(&self) -> JsValue {
        self.head_object.clone()
    }

    /// The HTTP version as known now: in a browser it may be learned at the end of the body.
    #[wasm_bindgen(js_name = httpVersion)]
    pub fn http_version(&self) -> String {
        crate::response::version_name(self.head.version()).to_owned()
    }

    /// The body as the platform's own `ReadableStream`, untouched when nothing has read it.
    #[wasm_bindgen(js_name = readableStream)]
    pub fn readable_stream(&self) -> std::result::Result<web_sys::ReadableStream, JsValue> {
        match self.body.replace(Body::Done) {
            Body::Unread(response) => {
                // Now JS's: the signal and the callbacks no longer apply to it.
                self.finish();
                Ok(response.into_readable_stream())
            }
            other => {
                self.body.replace(other);
                Err(already_read())
            }
        }
    }

    /// The next chunk of the body (a `Uint8Array`), or `undefined` at its end.
    #[wasm_bindgen(js_name = nextChunk)]
    pub fn next_chunk(&self) -> Promise {
        self.reading(|body| async move {
            let mut response = match body.replace(Body::Busy) {
                Body::Unread(response) => response,
                Body::Done => {
                    body.replace(Body::Done);
                    return Ok(JsValue::UNDEFINED);
                }
                other => {
                    body.replace(other);
                    return Err(already_read());
                }
            };
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    put_back(&body, Body::Unread(response));
                    Ok(Uint8Array::from(&chunk[..]).into())
                }
                Ok(None) => {
                    put_back(&body, Body::Done);
                    Ok(JsValue::UNDEFINED)
                }
                Err(e) => {
                    put_back(&body, Body::Done);
                    Err(error_value(&e))
                }
            }
        })
    }

    /// The next line of the body as bytes (a `Uint8Array`, without its line ending), or
    /// `undefined` at its end; the wrapper decodes it in the body's charset.
    #[wasm_bindgen(js_name = nextLine)]
    pub fn next_line(&self) -> Promise {
        self.reading(|body| async move {
            let mut lines = match body.replace(Body::Busy) {
                Body::Unread(response) => Box::new(response.raw_lines()),
                Body::Lines(lines) => lines,
                Body::Done => {
                    body.replace(Body::Done);
                    return Ok(JsValue::UNDEFINED);
                }
                Body::Busy => {
                    body.replace(Body::Busy);
                    return Err(already_read());
                }
            };
            match lines.next().await {
                Some(Ok(line)) => {
                    put_back(&body, Body::Lines(lines));
                    Ok(Uint8Array::from(&line[..]).into())
                }
                None => {
                    put_back(&body, Body::Done);
                    Ok(JsValue::UNDEFINED)
                }
                Some(Err(e)) => {
                    put_back(&body, Body::Done);
                    Err(error_value(&e))
                }
            }
        })
    }

    /// Reads the rest of the body: resolves to a response object.
    #[wasm_bindgen(js_name = read)]
    pub fn read_all(&self) -> Promise {
        self.reading(|body| async move {
            match body.replace(Body::Busy) {
                Body::Unread(response) => {
                    let result = response.read().await;
                    put_back(&body, Body::Done);
                    result
                        .map(|r| response_object(&r))
                        .map_err(|e| error_value(&e))
                }
                other => {
                    body.replace(other);
                    Err(already_read())
                }
            }
        })
    }

    /// Stops reading: an unfinished download is aborted.
    pub fn close(&self) {
        // A read in progress sees this and drops the response when it returns.
        self.body.replace(Body::Done);
        self.finish();
    }
}
