//! The decode chain: a `Content-Encoding` header (a list, possibly over several lines) and
//! a body, raw or really encoded with the codings the header names.
//!
//! The input's first line is the header, `|` separating header lines; the rest is the
//! data. Each input runs twice. Raw: the data as the body; the response is the body or a
//! `Decode` error, and a header naming only `identity` (or a coding we do not know) leaves
//! the body as it came. Encoded, when every coding is known: the data encoded in header
//! order; the body read back is the data. With D1 enforced, the codings of every header
//! line are one list and a chain longer than 5 is a `Decode` error; until then the encoded
//! check uses one header line, and the generator skips headers of more than 9 codings (the
//! stack overflow D1 fixes aborts the process: it cannot be caught).

use std::io::Write;

use httplib::backend::mock::{MockBackend, MockResponse};
use httplib::{Client, ErrorKind};

use super::{Outcome, Target, Violation, block_on, class_of, expect_kind, with_headers};
use crate::checks::{Checks, Defect};

/// The fuzz target of the decode chain.
pub struct DecodeTarget;

/// The longest chain the fix of D1 accepts (after dropping `identity`), as urllib3 does.
pub const MAX_CHAIN: usize = 5;
/// Below this many codings the unfixed chain cannot overflow the stack.
const SAFE_UNFIXED: usize = 9;
/// With D1 fixed, chains up to this long are tried (the fix must refuse them early).
const SAFE_FIXED: usize = 4096;
const MAX_DECODED: u64 = 4 << 20;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Coding {
    Gzip,
    Deflate,
    Brotli,
    Zstd,
}

/// How httplib reads a list item: `Some(None)` for identity or empty, `None` for unknown.
fn coding(item: &str) -> Option<Option<Coding>> {
    match item.trim().to_ascii_lowercase().as_str() {
        "gzip" | "x-gzip" => Some(Some(Coding::Gzip)),
        "deflate" => Some(Some(Coding::Deflate)),
        "br" => Some(Some(Coding::Brotli)),
        "zstd" => Some(Some(Coding::Zstd)),
        "identity" | "" => Some(None),
        _ => None,
    }
}

fn encode(coding: Coding, data: &[u8], level: u8) -> Result<Vec<u8>, Violation> {
    let failed = |e: std::io::Error| Violation::new(format!("encoding the test body failed: {e}"));
    let level = u32::from(level % 6) + 1;
    match coding {
        Coding::Gzip => {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(level));
            e.write_all(data).map_err(failed)?;
            e.finish().map_err(failed)
        }
        Coding::Deflate => {
            let mut e =
                flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(level));
            e.write_all(data).map_err(failed)?;
            e.finish().map_err(failed)
        }
        Coding::Brotli => {
            let mut out = Vec::new();
            {
                let mut e = brotli::CompressorWriter::new(&mut out, 4096, level, 20);
                e.write_all(data).map_err(failed)?;
            }
            Ok(out)
        }
        Coding::Zstd => zstd::stream::encode_all(data, level as i32).map_err(failed),
    }
}

/// The body of a response with these `Content-Encoding` lines, or the error's kind.
fn fetch(
    lines: &[String],
    body: Vec<u8>,
) -> Result<Result<(Vec<u8>, bool), httplib::Error>, Violation> {
    let mock = MockBackend::new();
    let response = with_headers(MockResponse::new(200), "Content-Encoding", lines).body(body);
    mock.handle(move |_| Some(response.clone()));
    let client = Client::builder()
        .backend(mock.clone())
        .max_decoded_size(MAX_DECODED)
        .build()
        .map_err(|e| Violation::new(format!("building a client failed: {e}")))?;
    Ok(block_on(client.get("http://api.test/data")).map(|r| {
        let kept = r.headers().contains_key("content-encoding");
        (r.bytes().to_vec(), kept)
    }))
}

impl Target for DecodeTarget {
    fn name(&self) -> &'static str {
        "decode"
    }

    fn tokens(&self) -> &'static [&'static [u8]] {
        &[
            b"gzip",
            b"x-gzip",
            b"deflate",
            b"br",
            b"zstd",
            b"identity",
            b"GZIP",
            b",",
            b", ",
            b" ",
            b"|",
            b"compress",
            b"gzip, gzip",
            b"\x1f\x8b\x08\x00",
            b"\x78\x9c",
            b"\x28\xb5\x2f\xfd",
            b"\0\0\0\0",
            b"\xff\xff\xff\xff",
        ]
    }

    fn run(&self, input: &[u8], checks: &Checks) -> Outcome {
        let split = input
            .iter()
            .position(|&b| b == b'\n')
            .unwrap_or(input.len());
        let header = String::from_utf8_lossy(&input[..split]).into_owned();
        let data = input.get(split + 1..).unwrap_or_default().to_vec();
        let lines: Vec<String> = header
            .split('|')
            .filter(|l| httplib::HeaderValue::from_str(l).is_ok())
            .map(str::to_owned)
            .take(8)
            .collect();
        let items: Vec<&str> = lines.iter().flat_map(|l| l.split(',')).collect();
        let fixed = checks.enforces(Defect::D1);
        if items.len() > if fixed { SAFE_FIXED } else { SAFE_UNFIXED } {
            return Ok("skipped: a chain that may overflow the stack".to_owned());
        }
        let readable = lines
            .iter()
            .all(|l| l.bytes().all(|b| (0x20..0x7f).contains(&b) || b == b'\t'));
        let parsed: Option<Vec<Option<Coding>>> = items.iter().map(|i| coding(i)).collect();
        let known: Option<Vec<Coding>> = parsed.map(|p| p.into_iter().flatten().collect());

        // Raw.
        let mut class = match fetch(&lines, data.clone())? {
            Ok((body, kept)) => {
                let untouched = !readable || known.as_ref().is_none_or(Vec::is_empty);
                if untouched && body != data {
                    return Err(Violation::new(format!(
                        "a body whose Content-Encoding names no known coding changed\n{lines:?}"
                    )));
                }
                if known.is_none() && readable && !kept {
                    let message = format!(
                        "the Content-Encoding of a body left encoded was removed\n{lines:?}"
                    );
                    return Err(if lines.len() > 1 {
                        Violation::of(
                            Defect::D1,
                            format!("{message}\n(several Content-Encoding lines)"),
                        )
                    } else {
                        Violation::new(message)
                    });
                }
                "raw-ok".to_owned()
            }
            Err(e) => {
                expect_kind(
                    &e,
                    &[ErrorKind::Decode, ErrorKind::Read],
                    "a raw encoded body",
                )?;
                format!("raw-{}", class_of(&e))
            }
        };

        // Encoded.
        let Some(chain) = known.filter(|c| !c.is_empty() && readable) else {
            return Ok(class);
        };
        let first_line: Option<Vec<Coding>> = lines.first().and_then(|l| {
            l.split(',')
                .map(coding)
                .collect::<Option<Vec<_>>>()
                .map(|c| c.into_iter().flatten().collect())
        });
        let level = data.first().copied().unwrap_or(0);
        let mut body = data.clone();
        for &c in &chain {
            body = encode(c, &body, level)?;
        }
        let context = || format!("Content-Encoding {lines:?}, {} bytes of data", data.len());
        // Until D1 is fixed only the first of several header lines is decoded.
        let one_line_only = lines.len() > 1 && first_line.as_ref() != Some(&chain);
        let classify = |message: String| {
            if one_line_only {
                Violation::of(
                    Defect::D1,
                    format!("{message}\n(only the first Content-Encoding line was decoded)"),
                )
            } else {
                Violation::new(message)
            }
        };
        match fetch(&lines, body)? {
            Ok(_) if fixed && chain.len() > MAX_CHAIN => {
                return Err(Violation::of(
                    Defect::D1,
                    format!(
                        "a chain of {} codings was decoded, over the cap of {MAX_CHAIN}\n{}",
                        chain.len(),
                        context()
                    ),
                ));
            }
            Ok((decoded, _)) if decoded == data => class.push_str("|enc-ok"),
            Ok((decoded, _)) => {
                return Err(classify(format!(
                    "a validly encoded body did not decode to its data ({} bytes back)\n{}",
                    decoded.len(),
                    context()
                )));
            }
            Err(e) if chain.len() > MAX_CHAIN => {
                expect_kind(&e, &[ErrorKind::Decode], "a chain over the cap")?;
                class.push_str("|enc-capped");
            }
            Err(e) => {
                return Err(classify(format!(
                    "a validly encoded body failed to decode: {e}\n{}",
                    context()
                )));
            }
        }
        Ok(class)
    }
}
