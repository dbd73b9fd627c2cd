//! Bodies through the host's streams: the request body written to the `outgoing-body`'s
//! output stream, the response body read from the `incoming-body`'s input stream, each
//! waiting on the stream's pollable when the host is not ready.

use std::cell::Cell;
use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt;
use wasip2::http::types::{IncomingBody, IncomingResponse, OutgoingBody};
use wasip2::io::streams::{InputStream, OutputStream, StreamError};
use wstd::runtime::AsyncPollable;

use super::error;
use crate::backend::in_flight::Slot;
use crate::body::{Body, BodyParts, ResponseBody};
use crate::error::{Error, ErrorKind, Result};
use crate::runtime::Instant;

/// Reads of up to this much: what the host hands over in one go.
const READ_CHUNK: u64 = 64 * 1024;

/// Writes `body` to the host and finishes it (a length that does not match the declared
/// `Content-Length` fails there).
pub(super) async fn upload(body: Body, outgoing: OutgoingBody) -> Result<()> {
    {
        let stream = outgoing
            .write()
            .map_err(|()| Error::new(ErrorKind::Write, "the host gave no request body stream"))?;
        let writer = Writer {
            ready: AsyncPollable::new(stream.subscribe()),
            stream,
        };
        match body.into_parts() {
            BodyParts::Bytes(bytes) => writer.write_all(&bytes).await?,
            BodyParts::Stream(mut chunks) => {
                while let Some(chunk) = chunks.next().await {
                    let chunk = chunk.map_err(|e| {
                        Error::new(ErrorKind::Write, "reading the request body failed")
                            .with_source(e)
                    })?;
                    writer.write_all(&chunk).await?;
                }
            }
        }
        writer.flush().await?;
        // The stream (and its pollable) go before the body is finished: they are its
        // children.
    }
    OutgoingBody::finish(outgoing, None).map_err(|code| error::from_code(code, ErrorKind::Write))
}

/// The host's output stream, with its readiness. Fields drop in order: the pollable before
/// the stream it belongs to.
struct Writer {
    ready: AsyncPollable,
    stream: OutputStream,
}

impl Writer {
    async fn write_all(&self, mut data: &[u8]) -> Result<()> {
        while !data.is_empty() {
            let room = self.stream.check_write().map_err(write_failed)?;
            if room == 0 {
                self.ready.wait_for().await;
                continue;
            }
            let n = data.len().min(usize::try_from(room).unwrap_or(usize::MAX));
            self.stream.write(&data[..n]).map_err(write_failed)?;
            data = &data[n..];
        }
        Ok(())
    }

    /// Flushes, and waits until the host has taken everything.
    async fn flush(&self) -> Result<()> {
        self.stream.flush().map_err(write_failed)?;
        while self.stream.check_write().map_err(write_failed)? == 0 {
            self.ready.wait_for().await;
        }
        Ok(())
    }
}

fn write_failed(e: StreamError) -> Error {
    stream_error(
        e,
        ErrorKind::Write,
        "the host closed the request body stream",
    )
}

/// A stream's failure as `kind`, with the host's description. (`wasi:http`'s
/// `http-error-code` would classify it further, but jco's preview2-shim 0.26 throws from it
/// for a stream cut short, which aborts the component; the front-end's timers already tell
/// a read timeout from a read error.)
fn stream_error(e: StreamError, kind: ErrorKind, closed: &'static str) -> Error {
    match e {
        StreamError::LastOperationFailed(e) => Error::new(
            kind,
            format!("the WASI host's stream failed: {}", e.to_debug_string()),
        ),
        StreamError::Closed => Error::new(kind, closed),
    }
}

/// The response's body as a stream of chunks, read as the caller asks for them; `slot`, the
/// request's turn under `max_connections`, is given back when the body ends or is dropped.
pub(super) fn download(
    response: IncomingResponse,
    read_limit: Option<Duration>,
    slot: Option<Slot>,
) -> Result<ResponseBody> {
    let body = response
        .consume()
        .map_err(|()| Error::new(ErrorKind::Read, "the host gave no response body"))?;
    let stream = body
        .stream()
        .map_err(|()| Error::new(ErrorKind::Read, "the host gave no response body stream"))?;
    let reader = Reader {
        read_limit,
        last_progress: Cell::new(Instant::now()),
        ready: AsyncPollable::new(stream.subscribe()),
        stream,
        _body: body,
        _response: response,
        _slot: slot,
    };
    let chunks = futures_util::stream::unfold(Some(reader), |reader| async move {
        let reader = reader?;
        match reader.next().await {
            Some(Ok(chunk)) => Some((Ok(chunk), Some(reader))),
            // After an error, the end.
            Some(Err(e)) => Some((Err(e), None)),
            None => None,
        }
    });
    Ok(ResponseBody::from_stream(chunks))
}

/// The host's input stream, with its readiness and the resources it belongs to, dropped
/// in this order (children first).
struct Reader {
    /// The read timeout the host was given as `between-bytes-timeout`, and when the last
    /// chunk came: a stream the host fails once that long has passed is its timeout (jco's
    /// host blocks in a read, so the front-end's own timer cannot fire first there).
    read_limit: Option<Duration>,
    last_progress: Cell<Instant>,
    ready: AsyncPollable,
    stream: InputStream,
    _body: IncomingBody,
    _response: IncomingResponse,
    _slot: Option<Slot>,
}

impl Reader {
    /// The next chunk; `None` at the end of the body.
    async fn next(&self) -> Option<Result<Bytes>> {
        loop {
            match self.stream.read(READ_CHUNK) {
                Ok(bytes) if bytes.is_empty() => self.ready.wait_for().await,
                Ok(bytes) => {
                    self.last_progress.set(Instant::now());
                    return Some(Ok(Bytes::from(bytes)));
                }
                Err(StreamError::Closed) => return None,
                Err(e) => {
                    // The host's timer starts when the bytes reach it, a little before they
                    // reach us: nine tenths of the limit since our last chunk is its timeout.
                    let stalled = self
                        .read_limit
                        .filter(|&limit| self.last_progress.get().elapsed() >= limit.mul_f32(0.9));
                    return Some(Err(match stalled {
                        Some(limit) => Error::timeout(ErrorKind::ReadTimeout, limit),
                        None => stream_error(e, ErrorKind::Read, "the response body stream closed"),
                    }));
                }
            }
        }
    }
}
