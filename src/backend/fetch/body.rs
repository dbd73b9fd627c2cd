//! A fetch response body as a Rust byte stream, read through a reader of its
//! `ReadableStream` only once the caller asks for the first chunk. Until then the
//! `ReadableStream` itself can be taken instead, to hand to JS without reading it through
//! Rust.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_core::Stream;
use http::Version;
use wasm_bindgen::JsValue;

use super::js::{self, AbortOnDrop, Chunk, describe};
use super::promise::PromiseFuture;
use crate::backend::in_flight::Slot;
use crate::body::{RawTaker, ResponseBody};
use crate::error::{Error, ErrorKind, Result};

/// The body of the fetch `Response` `response`.
pub(super) fn response_body(
    response: JsValue,
    abort: AbortOnDrop,
    url: String,
    version: Arc<OnceLock<Version>>,
    slot: Option<Slot>,
) -> ResponseBody {
    let shared = Rc::new(RefCell::new(Shared {
        state: State::Unread(response),
        abort,
        slot,
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
    /// The request's turn in the client's cap on requests in flight, held until the body
    /// is done: read to its end, failed, handed to JS, or dropped.
    slot: Option<Slot>,
}

enum State {
    /// The fetch `Response`, its body not touched yet.
    Unread(JsValue),
    /// A reader of the body, and the read in progress.
    Reading {
        reader: JsValue,
        read: Option<PromiseFuture>,
    },
    /// Read to the end, failed, or handed to JS.
    Done,
}

impl Shared {
    /// The unread stream, now owned by JS: Rust will neither read nor abort it.
    fn take_unread(&mut self) -> Option<web_sys::ReadableStream> {
        if !matches!(self.state, State::Unread(_)) {
            return None;
        }
        let State::Unread(response) = std::mem::replace(&mut self.state, State::Done) else {
            return None;
        };
        self.abort.disarm();
        self.slot = None;
        Some(js::body_stream(&response))
    }
}

impl Stream for FetchBody {
    type Item = Result<Bytes>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Bytes>>> {
        let this = self.get_mut();
        let mut shared = this.shared.borrow_mut();
        loop {
            match &mut shared.state {
                State::Unread(response) => {
                    let reader = js::body_reader(response);
                    shared.state = State::Reading { reader, read: None };
                }
                State::Reading { reader, read } => {
                    // Ok(Some(chunk)), Ok(None) at the end, or the read error.
                    let outcome = match read {
                        Some(pending) => match Pin::new(pending).poll(cx) {
                            Poll::Pending => return Poll::Pending,
                            Poll::Ready(Ok(chunk)) if chunk.is_undefined() => Ok(None),
                            Poll::Ready(Ok(chunk)) => Ok(Some(chunk)),
                            Poll::Ready(Err(e)) => Err(e),
                        },
                        None => match js::read_chunk(reader) {
                            Chunk::Later(promise) => {
                                *read = Some(PromiseFuture::new(&promise));
                                continue;
                            }
                            Chunk::Bytes(chunk) => Ok(Some(chunk)),
                            Chunk::End => Ok(None),
                            Chunk::Failed(e) => Err(e),
                        },
                    };
                    *read = None;
                    return match outcome {
                        Ok(Some(chunk)) => {
                            Poll::Ready(Some(js::chunk_bytes(chunk).ok_or_else(|| {
                                Error::new(ErrorKind::Read, "the body stream gave a non-byte chunk")
                            })))
                        }
                        Ok(None) => {
                            shared.state = State::Done;
                            shared.slot = None;
                            shared.abort.finish();
                            if let Some(version) = js::resource_version(&this.url) {
                                let _ = this.version.set(version);
                            }
                            Poll::Ready(None)
                        }
                        Err(e) => {
                            shared.state = State::Done;
                            shared.slot = None;
                            let (message, _) = describe(&e);
                            Poll::Ready(Some(Err(Error::new(
                                ErrorKind::Read,
                                format!("reading the body failed: {message}"),
                            ))))
                        }
                    };
                }
                State::Done => return Poll::Ready(None),
            }
        }
    }
}
