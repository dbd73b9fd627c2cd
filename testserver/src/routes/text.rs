//! `/lines/{n}` and `/encoding/{charset}`: text bodies for decoders and line readers.

use bytes::Bytes;
use http::header::{CONTENT_TYPE, HeaderValue};
use http::{Response, StatusCode};

use super::error::{RouteError, RouteResult};
use super::request::parse_number;
use crate::body::{self, Body, BoxError};

/// Chunk size of `/lines`: small, so lines and characters straddle chunk boundaries.
const LINE_CHUNK: usize = 7;

/// Most lines `/lines` sends (each is a handful of 7-byte chunks).
const MAX_LINES: u64 = 100_000;

/// `/lines/{n}`: lines `line {i}` for i in 0..n, ending in `\n` (even i) or `\r\n` (odd i).
/// Line 1 (line 0 when n is 1) reads `line 1 café`, its `é` split across two chunks.
pub(super) fn lines(n: &str) -> RouteResult {
    let n: u64 = parse_number(n, "line count")?;
    if n > MAX_LINES {
        return Err(RouteError::bad(format!("at most {MAX_LINES} lines")));
    }
    let accented_line = if n >= 2 { 1 } else { 0 };
    let mut text = Vec::new();
    let mut accent_at = None;
    for i in 0..n {
        text.extend_from_slice(format!("line {i}").as_bytes());
        if i == accented_line {
            text.extend_from_slice(b" caf");
            accent_at = Some(text.len());
            text.extend_from_slice("é".as_bytes());
        }
        text.extend_from_slice(if i % 2 == 0 { b"\n" } else { b"\r\n" });
    }
    // The first chunk is shortened so that a boundary falls between the two bytes of `é`.
    let first = accent_at.map_or(LINE_CHUNK, |at| at % LINE_CHUNK + 1);
    let text = Bytes::from(text);
    let mut chunks = Vec::new();
    let mut start = 0;
    let mut len = first;
    while start < text.len() {
        let end = (start + len).min(text.len());
        chunks.push(Ok::<_, BoxError>(text.slice(start..end)));
        start = end;
        len = LINE_CHUNK;
    }
    let mut response = Response::new(body::from_stream(futures_util::stream::iter(chunks)));
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    Ok(response)
}

/// `/encoding/utf8` and `/encoding/latin1`: "café" in that charset, declared.
pub(super) fn encoding(charset: &str) -> Response<Body> {
    match charset {
        "utf8" => body::with_type(
            StatusCode::OK,
            "text/plain; charset=utf-8",
            "café".as_bytes(),
        ),
        "latin1" => body::with_type(
            StatusCode::OK,
            "text/plain; charset=iso-8859-1",
            &b"caf\xe9"[..],
        ),
        _ => body::json(
            StatusCode::NOT_FOUND,
            &serde_json::json!({ "error": "unknown charset", "charset": charset }),
        ),
    }
}
