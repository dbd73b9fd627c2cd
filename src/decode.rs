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

/// What the client offers in `Accept-Encoding` when it decodes bodies itself: the codings
/// compiled in (cargo features `gzip`, `deflate`, `brotli`, `zstd`); `None` with none.
pub(crate) fn accept_encoding() -> Option<&'static str> {
    const OFFERED: [(bool, &str); 4] = [
        (cfg!(feature = "gzip"), "gzip"),
        (cfg!(feature = "deflate"), "deflate"),
        (cfg!(feature = "brotli"), "br"),
        (cfg!(feature = "zstd"), "zstd"),
    ];
    static VALUE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let value = VALUE.get_or_init(|| {
        let names: Vec<&str> = OFFERED
            .iter()
            .filter(|(on, _)| *on)
            .map(|(_, name)| *name)
            .collect();
        names.join(", ")
    });
    (!value.is_empty()).then_some(value.as_str())
}

/// The codings compiled in. One whose feature is off is unknown: its body is handed over as
/// it came, `Content-Encoding` included.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Coding {
    #[cfg(feature = "gzip")]
    Gzip,
    #[cfg(feature = "deflate")]
    Deflate,
    #[cfg(feature = "brotli")]
    Brotli,
    #[cfg(feature = "zstd")]
    Zstd,
}

impl Coding {
    fn parse(name: &str) -> Option<Option<Coding>> {
        match name.trim().to_ascii_lowercase().as_str() {
            #[cfg(feature = "gzip")]
            "gzip" | "x-gzip" => Some(Some(Coding::Gzip)),
            #[cfg(feature = "deflate")]
            "deflate" => Some(Some(Coding::Deflate)),
            #[cfg(feature = "brotli")]
            "br" => Some(Some(Coding::Brotli)),
            #[cfg(feature = "zstd")]
            "zstd" => Some(Some(Coding::Zstd)),
            "identity" | "" => Some(None),
            _ => None,
        }
    }
}

/// The most codings one response may stack, `identity` not counted: what urllib3 and undici
/// allow. Each coding is one more decoder wrapped around the body, so an unbounded chain
/// (`gzip, gzip, ...` thousands of times) would exhaust the stack as the body is polled.
pub(crate) const MAX_CODINGS: usize = 5;

/// Wraps `body` in the decoders its `Content-Encoding` names (last applied, first undone),
/// and removes the headers that described the encoded body. Several `Content-Encoding`
/// lines are one list, in order. Unknown codings leave the body as it came, headers
/// included, for the caller to handle; more than [`MAX_CODINGS`] make the body a `Decode`
/// error.
pub(crate) fn decode(
    headers: &mut HeaderMap,
    body: ResponseBody,
    max_decoded: Option<u64>,
) -> ResponseBody {
    let mut lines = headers.get_all(CONTENT_ENCODING).iter().peekable();
    if lines.peek().is_none() {
        return body;
    }
    let mut codings = Vec::new();
    for line in lines {
        let Ok(line) = line.to_str() else {
            return body;
        };
        for name in line.split(',') {
            match Coding::parse(name) {
                Some(Some(coding)) => codings.push(coding),
                Some(None) => {}
                None => return body,
            }
            if codings.len() > MAX_CODINGS {
                return failed(Error::decode(format!(
                    "the response stacks more than {MAX_CODINGS} content codings"
                )));
            }
        }
    }
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

/// A body that fails at its first read.
fn failed(error: Error) -> ResponseBody {
    ResponseBody::from_stream(futures_util::stream::once(std::future::ready(Err(error))))
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

#[cfg(not(js))]
// With no coding compiled in, there is nothing to decode with.
#[cfg_attr(
    not(any(
        feature = "gzip",
        feature = "deflate",
        feature = "brotli",
        feature = "zstd"
    )),
    allow(dead_code, unused_variables)
)]
mod codec {
    #[cfg(feature = "brotli")]
    use async_compression::tokio::bufread::BrotliDecoder;
    #[cfg(feature = "gzip")]
    use async_compression::tokio::bufread::GzipDecoder;
    #[cfg(feature = "deflate")]
    use async_compression::tokio::bufread::ZlibDecoder;
    #[cfg(feature = "zstd")]
    use async_compression::tokio::bufread::ZstdDecoder;
    use futures_util::TryStreamExt;
    use tokio::io::AsyncRead;
    use tokio_util::io::{ReaderStream, StreamReader};

    use super::Coding;
    use crate::body::ResponseBody;
    use crate::error::{ErrorKind, from_io};
    use crate::runtime::MaybeSend;

    /// Decoded chunks of up to this size: large enough for few wake-ups per megabyte.
    const DECODED_CHUNK: usize = 64 * 1024;

    pub(super) fn decoder(coding: Coding, body: ResponseBody) -> ResponseBody {
        let reader = StreamReader::new(body.map_err(std::io::Error::from));
        match coding {
            #[cfg(feature = "gzip")]
            Coding::Gzip => {
                let mut decoder = GzipDecoder::new(reader);
                // Concatenated gzip members are one body (as `gzip -d` reads them).
                decoder.multiple_members(true);
                stream(decoder)
            }
            #[cfg(feature = "deflate")]
            Coding::Deflate => stream(ZlibDecoder::new(reader)),
            #[cfg(feature = "brotli")]
            Coding::Brotli => stream(BrotliDecoder::new(reader)),
            #[cfg(feature = "zstd")]
            Coding::Zstd => stream(ZstdDecoder::new(reader)),
        }
    }

    fn stream<R: AsyncRead + MaybeSend + 'static>(decoder: R) -> ResponseBody {
        // Errors of the network body come back out as they were; the decoder's own are
        // decode errors.
        ResponseBody::from_stream(
            ReaderStream::with_capacity(decoder, DECODED_CHUNK)
                .map_err(|e| from_io(e, ErrorKind::Decode)),
        )
    }
}

#[cfg(js)]
mod codec {
    use super::Coding;
    use crate::body::ResponseBody;
    use crate::error::Error;

    /// On wasm32 the fetch backend's platform decodes; a custom backend handing over an
    /// encoded body gets an error instead of undecoded bytes.
    pub(super) fn decoder(coding: Coding, _body: ResponseBody) -> ResponseBody {
        super::failed(Error::decode(format!(
            "{coding:?} bodies are decoded by the platform on wasm32, not by httplib"
        )))
    }
}

#[cfg(all(
    test,
    native,
    feature = "gzip",
    feature = "deflate",
    feature = "brotli",
    feature = "zstd"
))]
mod tests {
    use super::*;
    use http::HeaderValue;
    use tokio::io::AsyncReadExt;

    fn gzip(data: &[u8]) -> Vec<u8> {
        futures_executor::block_on(async {
            let mut out = Vec::new();
            async_compression::tokio::bufread::GzipEncoder::new(data)
                .read_to_end(&mut out)
                .await
                .unwrap();
            out
        })
    }

    fn read(body: ResponseBody) -> Result<Vec<u8>> {
        futures_executor::block_on(async {
            let mut body = body;
            let mut out = Vec::new();
            while let Some(chunk) = body.next().await {
                out.extend_from_slice(&chunk?);
            }
            Ok(out)
        })
    }

    fn decoded(lines: &[&str], data: Vec<u8>) -> (HeaderMap, Result<Vec<u8>>) {
        let mut headers = HeaderMap::new();
        for line in lines {
            headers.append(CONTENT_ENCODING, HeaderValue::from_str(line).unwrap());
        }
        let body = decode(&mut headers, ResponseBody::from(Bytes::from(data)), None);
        (headers, read(body))
    }

    #[test]
    fn a_chain_of_up_to_five_codings_is_undone() {
        let mut data = b"hello".to_vec();
        for _ in 0..MAX_CODINGS {
            data = gzip(&data);
        }
        let chain = ["gzip"; MAX_CODINGS].join(", ");
        let (headers, body) = decoded(&[&chain, "identity"], data);
        assert_eq!(body.unwrap(), b"hello");
        assert!(!headers.contains_key(CONTENT_ENCODING));
    }

    #[test]
    fn longer_chains_are_a_decode_error_not_a_stack_overflow() {
        for n in [MAX_CODINGS + 1, 3000, 100_000] {
            let chain = vec!["gzip"; n].join(",");
            let (_, body) = decoded(&[&chain], b"not even gzip".to_vec());
            let err = body.unwrap_err();
            assert_eq!(err.kind(), crate::ErrorKind::Decode, "{n} codings");
            assert!(err.to_string().contains("more than 5"), "{err}");
        }
    }

    #[test]
    fn several_header_lines_are_one_list() {
        let (headers, body) = decoded(&["gzip", "gzip"], gzip(&gzip(b"twice")));
        assert_eq!(body.unwrap(), b"twice");
        assert!(!headers.contains_key(CONTENT_ENCODING));
        // Six codings spread over lines count together.
        let (_, body) = decoded(&["gzip, gzip", "gzip, gzip", "gzip, gzip"], Vec::new());
        assert_eq!(body.unwrap_err().kind(), crate::ErrorKind::Decode);
    }

    #[test]
    fn an_unknown_coding_on_any_line_leaves_the_body_and_headers_alone() {
        let (headers, body) = decoded(&["gzip", "x-custom"], b"raw".to_vec());
        assert_eq!(body.unwrap(), b"raw");
        assert_eq!(headers.get_all(CONTENT_ENCODING).iter().count(), 2);
    }
}
