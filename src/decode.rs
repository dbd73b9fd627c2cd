//! Decoding compressed response bodies (`Content-Encoding`: gzip, deflate, br, zstd), with a
//! cap on the decoded size against decompression bombs.
//!
//! Backends whose platform decodes bodies itself (fetch) skip this step.

use bytes::Bytes;
use futures_util::StreamExt;
use http::HeaderMap;
use http::header::{CONTENT_ENCODING, CONTENT_LENGTH};

use crate::body::ResponseBody;
use crate::error::{Error, Result};

/// What the client offers in `Accept-Encoding` when it decodes bodies itself.
pub(crate) const ACCEPT_ENCODING: &str = "gzip, deflate, br, zstd";

#[derive(Clone, Copy, Debug, PartialEq)]
enum Coding {
    Gzip,
    Deflate,
    Brotli,
    Zstd,
}

impl Coding {
    fn parse(name: &str) -> Option<Option<Coding>> {
        match name.trim().to_ascii_lowercase().as_str() {
            "gzip" | "x-gzip" => Some(Some(Coding::Gzip)),
            "deflate" => Some(Some(Coding::Deflate)),
            "br" => Some(Some(Coding::Brotli)),
            "zstd" => Some(Some(Coding::Zstd)),
            "identity" | "" => Some(None),
            _ => None,
        }
    }
}

/// Wraps `body` in the decoders its `Content-Encoding` names (last applied, first undone),
/// and removes the headers that described the encoded body. Unknown codings leave the body
/// as it came, headers included, for the caller to handle.
pub(crate) fn decode(
    headers: &mut HeaderMap,
    body: ResponseBody,
    max_decoded: Option<u64>,
) -> ResponseBody {
    let Some(value) = headers.get(CONTENT_ENCODING) else {
        return body;
    };
    let Ok(value) = value.to_str() else {
        return body;
    };
    let Some(codings) = value
        .split(',')
        .map(Coding::parse)
        .collect::<Option<Vec<Option<Coding>>>>()
    else {
        return body;
    };
    let codings: Vec<Coding> = codings.into_iter().flatten().collect();
    headers.remove(CONTENT_ENCODING);
    if codings.is_empty() {
        return body;
    }
    headers.remove(CONTENT_LENGTH);
    let decoded = codings
        .into_iter()
        .rev()
        .fold(body, |body, coding| codec::decoder(coding, body));
    match max_decoded {
        Some(limit) => capped(decoded, limit),
        None => decoded,
    }
}

/// Fails the body with a decode error once it has produced more than `limit` bytes.
fn capped(body: ResponseBody, limit: u64) -> ResponseBody {
    let mut seen: u64 = 0;
    let mut failed = false;
    ResponseBody::from_stream(body.map(move |chunk| -> Result<Bytes> {
        if failed {
            return Err(Error::decode("the body was already refused"));
        }
        let chunk = chunk?;
        seen += chunk.len() as u64;
        if seen > limit {
            failed = true;
            return Err(Error::decode(format!(
                "the decompressed body exceeds the limit of {limit} bytes (max_decoded_size)"
            )));
        }
        Ok(chunk)
    }))
}

#[cfg(not(target_arch = "wasm32"))]
mod codec {
    use async_compression::tokio::bufread::{BrotliDecoder, GzipDecoder, ZlibDecoder, ZstdDecoder};
    use futures_util::TryStreamExt;
    use tokio::io::AsyncRead;
    use tokio_util::io::{ReaderStream, StreamReader};

    use super::Coding;
    use crate::body::ResponseBody;
    use crate::error::{ErrorKind, from_io};

    /// Decoded chunks of up to this size: large enough for few wake-ups per megabyte.
    const DECODED_CHUNK: usize = 64 * 1024;

    pub(super) fn decoder(coding: Coding, body: ResponseBody) -> ResponseBody {
        let reader = StreamReader::new(body.map_err(std::io::Error::from));
        match coding {
            Coding::Gzip => {
                let mut decoder = GzipDecoder::new(reader);
                // Concatenated gzip members are one body (as `gzip -d` reads them).
                decoder.multiple_members(true);
                stream(decoder)
            }
            Coding::Deflate => stream(ZlibDecoder::new(reader)),
            Coding::Brotli => stream(BrotliDecoder::new(reader)),
            Coding::Zstd => stream(ZstdDecoder::new(reader)),
        }
    }

    fn stream<R: AsyncRead + Send + 'static>(decoder: R) -> ResponseBody {
        // Errors of the network body come back out as they were; the decoder's own are
        // decode errors.
        ResponseBody::from_stream(
            ReaderStream::with_capacity(decoder, DECODED_CHUNK)
                .map_err(|e| from_io(e, ErrorKind::Decode)),
        )
    }
}

#[cfg(target_arch = "wasm32")]
mod codec {
    use super::Coding;
    use crate::body::ResponseBody;
    use crate::error::Error;

    /// On wasm32 the fetch backend's platform decodes; a custom backend handing over an
    /// encoded body gets an error instead of undecoded bytes.
    pub(super) fn decoder(coding: Coding, _body: ResponseBody) -> ResponseBody {
        let err = Error::decode(format!(
            "{coding:?} bodies are decoded by the platform on wasm32, not by httplib"
        ));
        ResponseBody::from_stream(futures_util::stream::once(std::future::ready(Err(err))))
    }
}
