//! The line splitter: `StreamingResponse::lines()` over a body that arrives in chunks.
//!
//! The input is the body; it is sent whole, one byte per chunk (small bodies), and in
//! chunks whose sizes a generator seeded by the input picks. Invariants: the lines are the
//! body split at `\n`, `\r\n` and `\r` (the last one kept when not empty), each decoded as
//! UTF-8 without a BOM, or a `Decode` error for a line that is not UTF-8; and, once D8 is
//! fixed, no line is longer than the 1 MiB cap: a longer one is an error (with D8 on, one
//! input in 32 is made into a line of 1 MiB + 1).

use bytes::Bytes;
use futures_util::StreamExt;
use httplib::backend::mock::{MockBackend, MockResponse};
use httplib::{ErrorKind, Method};

use super::{Outcome, Target, Violation, block_on, expect_kind, mock_client};
use crate::checks::{Checks, Defect};
use crate::rng::{Rng, fnv64};

/// The fuzz target of the line splitter.
pub struct LinesTarget;

/// The longest line `lines()` should give, once D8 is fixed (its documented default).
pub const LINE_CAP: usize = 1 << 20;

/// A line as the documented rules give it: its text, or `None` when it is not UTF-8.
type Expected = Option<String>;

/// The reference: split at `\n`, `\r\n`, `\r`; the last line only if not empty.
pub fn reference_lines(body: &[u8]) -> Vec<Vec<u8>> {
    let mut lines = Vec::new();
    let mut line = Vec::new();
    let mut i = 0;
    while i < body.len() {
        match body[i] {
            b'\n' => lines.push(std::mem::take(&mut line)),
            b'\r' => {
                lines.push(std::mem::take(&mut line));
                if body.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
            }
            b => line.push(b),
        }
        i += 1;
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

fn expected(body: &[u8]) -> Vec<Expected> {
    reference_lines(body)
        .iter()
        .map(|l| {
            // Each line is decoded alone, and UTF-8 decoding drops a leading BOM.
            let l = l.strip_prefix(b"\xef\xbb\xbf").unwrap_or(l);
            String::from_utf8(l.to_vec()).ok()
        })
        .collect()
}

/// The lines `lines()` gives for `chunks`: text, or the error's kind.
fn split(chunks: Vec<Bytes>) -> Result<Vec<Result<String, httplib::Error>>, Violation> {
    let mock = MockBackend::new();
    mock.on(Method::GET, "/log", MockResponse::new(200).chunks(chunks));
    let client = mock_client(&mock)?;
    block_on(async {
        let response = client
            .get("http://api.test/log")
            .stream()
            .await
            .map_err(|e| Violation::new(format!("the streamed response failed: {e}")))?;
        Ok(response.lines().collect::<Vec<_>>().await)
    })
}

fn chunked(body: &[u8], rng: &mut Rng) -> Vec<Bytes> {
    let mut chunks = Vec::new();
    let mut rest = body;
    while !rest.is_empty() {
        // Mostly short chunks, sometimes empty ones, so `\r` | `\n` splits are common.
        let n = match rng.below(8) {
            0 => 0,
            1..=5 => 1 + rng.below(4),
            _ => 1 + rng.below(64),
        }
        .min(rest.len());
        chunks.push(Bytes::copy_from_slice(&rest[..n]));
        rest = &rest[n..];
    }
    chunks
}

fn compare(
    how: &str,
    body: &[u8],
    got: &[Result<String, httplib::Error>],
    want: &[Expected],
) -> Result<(), Violation> {
    let mismatch = || {
        let got: Vec<Result<&str, ErrorKind>> = got
            .iter()
            .map(|l| l.as_deref().map_err(|e| e.kind()))
            .collect();
        Violation::new(format!(
            "lines() split the body differently than the documented rules ({how})\nbody {:?}\ngot {got:?}\nwant {want:?}",
            String::from_utf8_lossy(body)
        ))
    };
    if got.len() != want.len() {
        return Err(mismatch());
    }
    for (g, w) in got.iter().zip(want) {
        match (g, w) {
            (Ok(g), Some(w)) if g == w => {}
            (Err(e), None) => expect_kind(e, &[ErrorKind::Decode], "a line that is not UTF-8")?,
            _ => return Err(mismatch()),
        }
    }
    Ok(())
}

/// D8: a line of `LINE_CAP + 1` bytes must be an error, not a line.
fn check_cap(input: &[u8]) -> Result<(), Violation> {
    let fill: Vec<u8> = input
        .iter()
        .copied()
        .filter(|b| !b"\r\n".contains(b))
        .collect();
    let fill = if fill.is_empty() { b"x".to_vec() } else { fill };
    let line: Vec<u8> = fill.iter().copied().cycle().take(LINE_CAP + 1).collect();
    let chunks: Vec<Bytes> = line.chunks(16 * 1024).map(Bytes::copy_from_slice).collect();
    let got = split(chunks)?;
    if let Some(Ok(long)) = got
        .iter()
        .find(|l| l.as_ref().is_ok_and(|l| l.len() > LINE_CAP))
    {
        return Err(Violation::of(
            Defect::D8,
            format!(
                "lines() gave a line of {} bytes, over the cap of {LINE_CAP}",
                long.len()
            ),
        ));
    }
    if !got.iter().any(Result::is_err) {
        return Err(Violation::of(
            Defect::D8,
            "a line over the cap gave no error",
        ));
    }
    Ok(())
}

impl Target for LinesTarget {
    fn name(&self) -> &'static str {
        "lines"
    }

    fn tokens(&self) -> &'static [&'static [u8]] {
        &[
            b"\n",
            b"\r",
            b"\r\n",
            b"\n\r",
            b"\r\r\n",
            b"\r\n\r\n",
            b"\xef\xbb\xbf",
            b"\xc3\xa9",
            b"\xe2\x82",
            b"\xac",
            b"\xf0\x9f\x98\x80",
            b"\xff",
            b"\0",
            b"data: ",
            b"event: ",
            b"{\"k\": 1}\n",
        ]
    }

    fn run(&self, input: &[u8], checks: &Checks) -> Outcome {
        let want = expected(input);
        let whole = if input.is_empty() {
            Vec::new()
        } else {
            vec![Bytes::copy_from_slice(input)]
        };
        compare("one chunk", input, &split(whole)?, &want)?;
        if input.len() <= 256 {
            let bytes = input.chunks(1).map(Bytes::copy_from_slice).collect();
            compare("one byte per chunk", input, &split(bytes)?, &want)?;
        }
        let mut rng = Rng::new(fnv64(input));
        compare(
            "random chunks",
            input,
            &split(chunked(input, &mut rng))?,
            &want,
        )?;
        // Long lines are slow to make: often when D8 is enforced, rarely (to count it) when not.
        if rng.one_in(if checks.enforces(Defect::D8) {
            32
        } else {
            2048
        }) {
            check_cap(input)?;
        }
        let errors = want.iter().filter(|l| l.is_none()).count();
        Ok(format!("{}-{}", want.len().min(6), errors.min(3)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reference_splits_as_documented() {
        let split = |b: &[u8]| reference_lines(b);
        assert_eq!(split(b"a\nb\r\nc\rd"), [&b"a"[..], b"b", b"c", b"d"]);
        assert_eq!(split(b"a\r\r\nb\n"), [&b"a"[..], b"", b"b"]);
        assert_eq!(split(b"\n"), [&b""[..]]);
        assert!(split(b"").is_empty());
    }
}
