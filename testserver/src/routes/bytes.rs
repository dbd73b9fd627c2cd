//! `/bytes/{n}`, `/stream-bytes/{n}` and `/drip`: bodies of the pattern `(i % 251) as u8`,
//! generated lazily so that even 512 MiB never sits in memory.

use std::pin::Pin;
use std::sync::OnceLock;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderValue};
use http::{Request, Response, StatusCode};
use http_body::{Frame, SizeHint};
use http_body_util::BodyExt;

use super::error::{RouteError, RouteResult};
use super::request::{parse_number, query_number};
use crate::body::{self, Body, BoxError};

/// The pattern's period: a prime, so it never lines up with power-of-two chunk sizes.
const PERIOD: usize = 251;

/// Largest chunk a client may ask for.
const MAX_CHUNK: usize = 1024 * 1024;

/// Chunk size of `/bytes` (its framing is Content-Length, so the size is invisible).
const FIXED_CHUNK: usize = 64 * 1024;

/// Longest pause `/drip` makes between chunks.
const MAX_DRIP_INTERVAL_MS: u64 = 30_000;

/// Most chunks `/drip` sends.
const MAX_DRIP_CHUNKS: u64 = 100_000;

/// `PERIOD + MAX_CHUNK` bytes of the pattern: any chunk is a zero-copy slice of it.
fn pattern_table() -> &'static Bytes {
    static TABLE: OnceLock<Bytes> = OnceLock::new();
    TABLE.get_or_init(|| {
        (0..PERIOD + MAX_CHUNK)
            .map(|i| (i % PERIOD) as u8)
            .collect()
    })
}

/// `len` bytes of the pattern starting at absolute offset `offset`.
pub(super) fn pattern_chunk(offset: u64, len: usize) -> Bytes {
    let phase = (offset % PERIOD as u64) as usize;
    pattern_table().slice(phase..phase + len.min(MAX_CHUNK))
}

/// A body of the pattern from `offset` to `end`, in chunks of `chunk` bytes.
pub(super) struct PatternBody {
    offset: u64,
    end: u64,
    chunk: usize,
    /// Report the exact length (hyper then frames it with Content-Length) or not (chunked).
    exact: bool,
}

impl PatternBody {
    pub(super) fn new(len: u64, chunk: usize, exact: bool) -> PatternBody {
        PatternBody {
            offset: 0,
            end: len,
            chunk: chunk.clamp(1, MAX_CHUNK),
            exact,
        }
    }
}

impl http_body::Body for PatternBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let left = self.end - self.offset;
        if left == 0 {
            return Poll::Ready(None);
        }
        let len = (self.chunk as u64).min(left) as usize;
        let chunk = pattern_chunk(self.offset, len);
        self.offset += len as u64;
        Poll::Ready(Some(Ok(Frame::data(chunk))))
    }

    fn is_end_stream(&self) -> bool {
        self.offset == self.end
    }

    fn size_hint(&self) -> SizeHint {
        if self.exact {
            SizeHint::with_exact(self.end - self.offset)
        } else {
            SizeHint::default()
        }
    }
}

/// `/bytes/{n}`: n bytes with Content-Length.
pub(super) fn fixed(n: &str) -> RouteResult {
    let n: u64 = parse_number(n, "byte count")?;
    let mut response = octets(PatternBody::new(n, FIXED_CHUNK, true).boxed_unsync());
    response
        .headers_mut()
        .insert(CONTENT_LENGTH, HeaderValue::from(n));
    Ok(response)
}

/// `/stream-bytes/{n}?chunk_size=C`: n bytes, chunked, C bytes a chunk (default 8192).
pub(super) fn streamed<B>(req: &Request<B>, n: &str) -> RouteResult {
    let n: u64 = parse_number(n, "byte count")?;
    let chunk = chunk_size(req, 8192)?;
    Ok(octets(PatternBody::new(n, chunk, false).boxed_unsync()))
}

/// `/drip?chunks=K&interval_ms=M&chunk_size=C`: K chunks of C bytes, each after M ms
/// (defaults 10, 100, 10), with Content-Length K*C.
pub(super) fn drip<B>(req: &Request<B>) -> RouteResult {
    let chunks: u64 = query_number(req, "chunks", 10)?;
    if chunks > MAX_DRIP_CHUNKS {
        return Err(RouteError::bad(format!(
            "chunks must be at most {MAX_DRIP_CHUNKS}"
        )));
    }
    let interval: u64 = query_number(req, "interval_ms", 100)?;
    let interval = Duration::from_millis(interval.min(MAX_DRIP_INTERVAL_MS));
    let chunk = chunk_size(req, 10)?;
    let stream = futures_util::stream::unfold(0u64, move |sent| async move {
        if sent == chunks {
            return None;
        }
        tokio::time::sleep(interval).await;
        let data = pattern_chunk(sent * chunk as u64, chunk);
        Some((Ok::<_, BoxError>(data), sent + 1))
    });
    let mut response = octets(body::from_stream(stream));
    response
        .headers_mut()
        .insert(CONTENT_LENGTH, HeaderValue::from(chunks * chunk as u64));
    Ok(response)
}

/// The `chunk_size` query parameter: 1 to 1 MiB.
fn chunk_size<B>(req: &Request<B>, default: usize) -> Result<usize, RouteError> {
    match query_number(req, "chunk_size", default)? {
        n @ 1..=MAX_CHUNK => Ok(n),
        n => Err(RouteError::bad(format!(
            "chunk_size must be 1-{MAX_CHUNK}, not {n}"
        ))),
    }
}

fn octets(body: Body) -> Response<Body> {
    let mut response = Response::new(body);
    *response.status_mut() = StatusCode::OK;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    response
}
