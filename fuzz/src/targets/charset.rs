//! Charset labels: a `Content-Type` whose `charset=` (or whole value) is fuzzed, and a body,
//! read with `text()`.
//!
//! The input's first line is the charset label, or the whole `Content-Type` when it holds
//! a `/`; the rest is the body. Invariants: `text()` is the text or a `Decode` error;
//! `text_lossy()` equals `text()` when that succeeds; an ASCII body in an ASCII-compatible
//! charset reads as itself; a UTF-8 body without a charset reads as itself, BOM dropped.

use httplib::ErrorKind;
use httplib::backend::mock::{MockBackend, MockResponse};

use super::{Outcome, Target, Violation, block_on, class_of, expect_kind, mock_client};
use crate::checks::Checks;

/// The fuzz target of charset labels.
pub struct CharsetTarget;

/// Whether any reading of `label` names an encoding that is not ASCII-compatible (UTF-16,
/// ISO-2022-JP, replacement), where ASCII bytes need not read as themselves.
fn maybe_not_ascii_compatible(content_type: &str) -> bool {
    let lower = content_type.to_ascii_lowercase();
    let Some(at) = lower.find("charset") else {
        return false;
    };
    // Every token after `charset` is a candidate: the label's parsing is not ours to copy.
    lower[at..]
        .split(|c: char| !(c.is_ascii_alphanumeric() || "-_.:".contains(c)))
        .filter(|t| !t.is_empty())
        .any(|t| {
            encoding_rs::Encoding::for_label(t.as_bytes())
                .is_some_and(|e| !e.is_ascii_compatible() || e == encoding_rs::REPLACEMENT)
        })
}

impl Target for CharsetTarget {
    fn name(&self) -> &'static str {
        "charset"
    }

    fn tokens(&self) -> &'static [&'static [u8]] {
        &[
            b"charset=",
            b"; charset=",
            b"utf-8",
            b"UTF-8",
            b"utf8",
            b"latin1",
            b"iso-8859-1",
            b"windows-1252",
            b"shift_jis",
            b"euc-jp",
            b"iso-2022-jp",
            b"gb18030",
            b"big5",
            b"utf-16",
            b"utf-16le",
            b"utf-16be",
            b"iso-2022-kr",
            b"x-user-defined",
            b"koi8-r",
            b"\"",
            b"'",
            b";",
            b" ",
            b"text/html",
            b"application/json",
            b"\xef\xbb\xbf",
            b"\xfe\xff",
            b"\xff\xfe",
            b"\x1b$B",
            b"\xc3",
            b"\x80",
            b"\n",
        ]
    }

    fn run(&self, input: &[u8], _checks: &Checks) -> Outcome {
        let split = input
            .iter()
            .position(|&b| b == b'\n')
            .unwrap_or(input.len());
        let first = String::from_utf8_lossy(&input[..split]);
        let first = first.trim_end_matches('\r');
        let body = input.get(split + 1..).unwrap_or_default().to_vec();
        let content_type = if first.contains('/') {
            first.to_owned()
        } else {
            format!("text/plain; charset={first}")
        };
        if httplib::HeaderValue::from_str(&content_type).is_err() {
            return Ok("no-header".to_owned());
        }

        let mock = MockBackend::new();
        mock.handle({
            let (content_type, body) = (content_type.clone(), body.clone());
            move |_| {
                Some(
                    MockResponse::new(200)
                        .header("Content-Type", &content_type)
                        .body(body.clone()),
                )
            }
        });
        let client = mock_client(&mock)?;
        let response = block_on(client.get("http://api.test/text"))
            .map_err(|e| Violation::new(format!("the response failed: {e}")))?;
        if response.bytes()[..] != body[..] {
            return Err(Violation::new(
                "the body changed on its way through the client",
            ));
        }
        let lossy = response.text_lossy();
        match response.text() {
            Ok(text) => {
                if text != lossy {
                    return Err(Violation::new(format!(
                        "text() and text_lossy() differ on a valid body\n{content_type:?}\n{text:?}\n{lossy:?}"
                    )));
                }
                let ascii = body
                    .iter()
                    .all(|&b| (0x20..0x7f).contains(&b) || b"\t\n\r".contains(&b))
                    && !body.contains(&b'~');
                if ascii
                    && !maybe_not_ascii_compatible(&content_type)
                    && text.as_bytes() != &body[..]
                {
                    return Err(Violation::new(format!(
                        "an ASCII body did not read as itself\n{content_type:?}\n{text:?}"
                    )));
                }
                Ok("text".to_owned())
            }
            Err(e) => {
                expect_kind(&e, &[ErrorKind::Decode], "text()")?;
                let utf8_label = !content_type.to_ascii_lowercase().contains("charset")
                    || first.trim().eq_ignore_ascii_case("utf-8");
                let bom_free = body.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&body);
                if utf8_label && std::str::from_utf8(bom_free).is_ok() {
                    return Err(Violation::new(format!(
                        "a valid UTF-8 body with charset {first:?} was refused: {e}"
                    )));
                }
                Ok(class_of(&e))
            }
        }
    }
}
