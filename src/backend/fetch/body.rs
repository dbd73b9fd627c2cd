//! A fetch response body as a Rust byte stream, read from its `ReadableStream` only once
//! the caller asks for the first chunk. Until then the `ReadableStream` itself can be
//! taken instead, to hand to JS without reading it through Rust.

use std::cell::RefCell;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_core::Stream;
use futures_util::StreamExt;
use http::Version;
use wasm_bindgen::JsCast;

use super::js::{AbortOnDrop, describe, resource_version};
use crate::body::{RawTaker, ResponseBody};
use crate::error::{Error, ErrorKind, Result};

/// The body of a fetch response.
pub(super) fn response_body(
    stream: web_sys::ReadableStream,
    abort: AbortOnDrop,
    url: String,
    version: Arc<OnceLock<Version>>,
) -> ResponseBody {
    let shared = Rc::new(RefCell::new(Shared {
        state: State::Unread(stream),
        abort,
    }));
    let taker = shared.clone();
    let raw: RawTaker = Box::new(move || taker.borrow_mut().take_unread());
    ResponseBody::from_stream(FetchBody {
        shared,
        url,
        version,
    })
    .with_raw(raw)
}

struct FetchBody {
    shared: Rc<RefCell<Shared>>,
    url: String,
    /// Filled at the end of the body, when resource timing has recorded the download.
    version: Arc<OnceLock<Version>>,
}

struct Shared {
    state: State,
    /// Aborts the download if the body is dropped before its end.
    abort: AbortOnDrop,
}

enum State {
    Unread(web_sys::ReadableStream),
    Reading(wasm_streams::readable::IntoStream<'static>),
    /// Read to the end, failed, or handed to JS.
    Done,
}

impl Shared {
    /// The unread stream, now owned by JS: Rust will neither read nor abort it.
    fn take_unread(&mut self) -> Option<web_sys::ReadableStream> {
        if !matches!(self.state, State::Unread(_)) {
            return None;
        }
        let State::Unread(raw) = std::mem::replace(&mut self.state, State::Done) else {
            return None;
        };
        self.abort.disarm();
        Some(raw)
    }
}

impl Stream for FetchBody {
    type Item = Result<Bytes>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Bytes>>> {
        let this = self.get_mut();
        let mut shared = this.shared.borrow_mut();
        loop {
            match &mut shared.state {
                State::Unread(_) => {
                    if let State::Unread(raw) = std::mem::replace(&mut shared.state, State::Done) {
                        let stream = wasm_streams::ReadableStream::from_raw(raw).into_stream();
                        shared.state = State::Reading(stream);
                    }
                }
                State::Reading(stream) => {
                    return match stream.poll_next_unpin(cx) {
                        Poll::Pending => Poll::Pending,
                        Poll::Ready(Some(Ok(chunk))) => {
                            let bytes = chunk
                                .dyn_into::<js_sys::Uint8Array>()
                                .map(|array| Bytes::from(array.to_vec()))
                                .map_err(|_| {
                                    Error::new(
                                        ErrorKind::Read,
                                        "the body stream gave a non-byte chunk",
                                    )
                                });
                            Poll::Ready(Some(bytes))
                        }
                        Poll::Ready(Some(Err(e))) => {
                            shared.state = State::Done;
                            let (message, _) = describe(&e);
                            Poll::Ready(Some(Err(Error::new(
                                ErrorKind::Read,
                                format!("reading the body failed: {message}"),
                            ))))
                        }
                        Poll::Ready(None) => {
                            shared.state = State::Done;
                            shared.abort.disarm();
                            if let Some(version) = resource_version(&this.url) {
                                let _ = this.version.set(version);
                            }
                            Poll::Ready(None)
                        }
                    };
                }
                State::Done => return Poll::Ready(None),
            }
        }
    }
}
