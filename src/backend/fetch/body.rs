//! A fetch response body as a Rust byte stream, read from its `ReadableStream` only once
//! the caller asks for the first chunk.

use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_core::Stream;
use futures_util::StreamExt;
use http::Version;
use wasm_bindgen::JsCast;

use super::js::{AbortOnDrop, describe, resource_version};
use crate::error::{Error, ErrorKind, Result};

pub(super) struct FetchBody {
    state: State,
    /// Aborts the download if the body is dropped before its end.
    abort: AbortOnDrop,
    url: String,
    /// Filled at the end of the body, when resource timing has recorded the download.
    version: Arc<OnceLock<Version>>,
}

enum State {
    Unread(web_sys::ReadableStream),
    Reading(wasm_streams::readable::IntoStream<'static>),
    Done,
}

impl FetchBody {
    pub(super) fn new(
        stream: web_sys::ReadableStream,
        abort: AbortOnDrop,
        url: String,
        version: Arc<OnceLock<Version>>,
    ) -> FetchBody {
        FetchBody {
            state: State::Unread(stream),
            abort,
            url,
            version,
        }
    }
}

impl Stream for FetchBody {
    type Item = Result<Bytes>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Bytes>>> {
        let this = self.get_mut();
        loop {
            match &mut this.state {
                State::Unread(_) => {
                    let State::Unread(raw) = std::mem::replace(&mut this.state, State::Done) else {
                        unreachable!("matched above");
                    };
                    let stream = wasm_streams::ReadableStream::from_raw(raw).into_stream();
                    this.state = State::Reading(stream);
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
                            this.state = State::Done;
                            let (message, _) = describe(&e);
                            Poll::Ready(Some(Err(Error::new(
                                ErrorKind::Read,
                                format!("reading the body failed: {message}"),
                            ))))
                        }
                        Poll::Ready(None) => {
                            this.state = State::Done;
                            this.abort.disarm();
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
