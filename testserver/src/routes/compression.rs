//! `/gzip`, `/deflate`, `/brotli`, `/zstd` (compressed JSON) and `/compressed/{encoding}/{n}`
//! (n zero bytes compressed: a tiny body that decodes huge, for decompression-bomb tests).

use std::io::{self, Write};

use http::header::{CONTENT_ENCODING, HeaderValue};
use http::{Request, Response, StatusCode};
use serde_json::json;

use super::error::{RouteError, RouteResult};
use super::request::{headers_json, parse_number, version_name};
use super::zeros;
use crate::body::{self, Body, BoxError};

/// Largest decoded size `/compressed` produces: 16 GiB, a 16 MiB gzip body.
const MAX_ZEROS: u64 = 16 * 1024 * 1024 * 1024;

/// A content coding the server can produce.
#[derive(Clone, Copy)]
enum Coding {
    Gzip,
    /// HTTP's "deflate" is the zlib format (RFC 9110 section 8.4.1.2), not raw deflate.
    Deflate,
    Brotli,
    Zstd,
}

impl Coding {
    fn from_name(name: &str) -> Option<Coding> {
        match name {
            "gzip" => Some(Coding::Gzip),
            "deflate" => Some(Coding::Deflate),
            "br" | "brotli" => Some(Coding::Brotli),
            "zstd" => Some(Coding::Zstd),
            _ => None,
        }
    }

    /// The `Content-Encoding` token.
    fn token(self) -> &'static str {
        match self {
            Coding::Gzip => "gzip",
            Coding::Deflate => "deflate",
            Coding::Brotli => "br",
            Coding::Zstd => "zstd",
        }
    }

    /// Compresses what `feed` writes.
    fn compress(self, feed: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> io::Result<Vec<u8>> {
        match self {
            Coding::Gzip => {
                let mut encoder =
                    flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
                feed(&mut encoder)?;
                encoder.finish()
            }
            Coding::Deflate => {
                let mut encoder =
                    flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
                feed(&mut encoder)?;
                encoder.finish()
            }
            Coding::Brotli => {
                // Quality 5 and a 4 MiB window: fast, and still a tiny body for zeros.
                let mut encoder = brotli::CompressorWriter::new(Vec::new(), 64 * 1024, 5, 22);
                feed(&mut encoder)?;
                Ok(encoder.into_inner())
            }
            Coding::Zstd => {
                let mut encoder = zstd::stream::write::Encoder::new(Vec::new(), 3)?;
                feed(&mut encoder)?;
                encoder.finish()
            }
        }
    }
}

/// `/gzip`, `/deflate`, `/brotli`, `/zstd`: JSON about the request, compressed.
pub(super) fn json<B>(req: &Request<B>, endpoint: &str) -> RouteResult {
    let coding = Coding::from_name(endpoint)
        .ok_or_else(|| RouteError::bad(format!("unknown encoding {endpoint:?}")))?;
    let value = json!({
        "encoding": endpoint,
        "content_encoding": coding.token(),
        "ok": true,
        "method": req.method().as_str(),
        "http_version": version_name(req.version()),
        "headers": headers_json(req.headers()),
    });
    let plain = serde_json::to_vec_pretty(&value).unwrap_or_default();
    // Compressing into memory does not fail; if it ever does, drop the connection.
    let compressed = coding
        .compress(|w| w.write_all(&plain))
        .map_err(BoxError::from)?;
    Ok(encoded(coding, "application/json", compressed))
}

/// `/compressed/{encoding}/{n}`: n zero bytes, compressed with `encoding`.
pub(super) fn zeros(encoding: &str, n: &str) -> RouteResult {
    let coding = Coding::from_name(encoding).ok_or_else(|| {
        RouteError::bad(format!(
            "unknown encoding {encoding:?}: gzip, deflate, br, zstd"
        ))
    })?;
    let n: u64 = parse_number(n, "byte count")?;
    if n > MAX_ZEROS {
        return Err(RouteError::bad(format!("at most {MAX_ZEROS} bytes")));
    }
    let data = match coding {
        Coding::Gzip => zeros::gzip(n),
        Coding::Deflate => zeros::zlib(n),
        Coding::Brotli => Ok(zeros::brotli(n)),
        Coding::Zstd => Ok(zeros::zstd(n)),
    };
    // Deflating 1 MiB into memory does not fail; if it ever does, drop the connection.
    let data = data.map_err(BoxError::from)?;
    Ok(encoded(coding, "application/octet-stream", data))
}

fn encoded(coding: Coding, content_type: &'static str, data: Vec<u8>) -> Response<Body> {
    let mut response = body::with_type(StatusCode::OK, content_type, data);
    response
        .headers_mut()
        .insert(CONTENT_ENCODING, HeaderValue::from_static(coding.token()));
    response
}
