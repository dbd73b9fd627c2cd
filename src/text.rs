//! Decoding bodies to text in the charset their `Content-Type` declares, and splitting a
//! streamed body into lines.

use bytes::{Buf, Bytes, BytesMut};
use http::HeaderMap;
use http::header::CONTENT_TYPE;

use crate::error::{Error, Result};

/// The charset of a response, from its `Content-Type` (UTF-8 when none is declared).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Charset {
    #[cfg(feature = "charset")]
    encoding: &'static encoding_rs::Encoding,
}

/// The charset label `Content-Type` declares, if any.
pub(crate) fn charset_label(headers: &HeaderMap) -> Option<String> {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<mime::Mime>().ok())
        .and_then(|m| m.get_param("charset").map(|c| c.as_str().to_owned()))
}

/// The error for a body that is not valid text in the encoding `name`.
pub(crate) fn invalid_text(name: &str) -> Error {
    Error::decode(format!(
        "the body is not valid {name} text (use text_lossy() to replace what is invalid)"
    ))
}

/// Appends `\nname\nvalue` for each header: the one string in which the wasm build hands
/// headers between Rust and JS (no name or value holds a newline). A value that is not
/// visible ASCII goes as a JS ByteString, one char per byte, as `Headers` holds values.
#[cfg(target_arch = "wasm32")]
pub(crate) fn push_header_lines(out: &mut String, headers: &HeaderMap) {
    for (name, value) in headers {
        out.push('\n');
        out.push_str(name.as_str());
        out.push('\n');
        match value.to_str() {
            Ok(text) => out.push_str(text),
            Err(_) => out.extend(value.as_bytes().iter().map(|&b| char::from(b))),
        }
    }
}

impl Charset {
    pub(crate) fn of(headers: &HeaderMap) -> Charset {
        let label = charset_label(headers);
        #[cfg(feature = "charset")]
        {
            let encoding = label
                .and_then(|l| encoding_rs::Encoding::for_label(l.as_bytes()))
                .unwrap_or(encoding_rs::UTF_8);
            Charset { encoding }
        }
        #[cfg(not(feature = "charset"))]
        {
            let _ = label;
            Charset {}
        }
    }

    /// Decodes `bytes`; invalid sequences are an error unless `lossy`, which replaces them.
    pub(crate) fn decode(self, bytes: &[u8], lossy: bool) -> Result<String> {
        #[cfg(feature = "charset")]
        let (text, had_errors, name) = {
            let (text, had_errors) = self.encoding.decode_with_bom_removal(bytes);
            (text, had_errors, self.encoding.name())
        };
        #[cfg(not(feature = "charset"))]
        let (text, had_errors, name) = {
            let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
            let text = String::from_utf8_lossy(bytes);
            let had_errors = matches!(text, std::borrow::Cow::Owned(_));
            (text, had_errors, "UTF-8")
        };
        if had_errors && !lossy {
            return Err(invalid_text(name));
        }
        Ok(text.into_owned())
    }
}

/// Decodes a whole body as text.
pub(crate) fn decode(bytes: &[u8], headers: &HeaderMap, lossy: bool) -> Result<String> {
    Charset::of(headers).decode(bytes, lossy)
}

/// Splits a body arriving in chunks into lines ending in `\n`, `\r\n` or `\r`, as httpx's
/// `iter_lines` does. Lines are cut at ASCII bytes only, so a multi-byte character split
/// across two chunks is joined again before it is decoded.
#[derive(Default, Debug)]
pub(crate) struct LineSplitter {
    pending: BytesMut,
    /// The previous chunk ended in `\r`: a `\n` at the start of the next one belongs to it.
    after_cr: bool,
}

impl LineSplitter {
    /// Adds a chunk and returns the lines it completes, without their line endings.
    pub(crate) fn push(&mut self, mut chunk: Bytes) -> Vec<Bytes> {
        let mut lines = Vec::new();
        if chunk.is_empty() {
            return lines;
        }
        if self.after_cr && chunk.first() == Some(&b'\n') {
            chunk.advance(1);
        }
        self.after_cr = false;
        self.pending.extend_from_slice(&chunk);
        while let Some(end) = self.pending.iter().position(|&b| b == b'\n' || b == b'\r') {
            let is_cr = self.pending[end] == b'\r';
            let line = self.pending.split_to(end).freeze();
            self.pending.advance(1);
            if is_cr {
                match self.pending.first() {
                    Some(b'\n') => self.pending.advance(1),
                    Some(_) => {}
                    None => self.after_cr = true,
                }
            }
            lines.push(line);
        }
        lines
    }

    /// The last line, if the body did not end with a line ending.
    pub(crate) fn finish(&mut self) -> Option<Bytes> {
        (!self.pending.is_empty()).then(|| self.pending.split().freeze())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn split(chunks: &[&str]) -> Vec<String> {
        let mut splitter = LineSplitter::default();
        let mut out: Vec<String> = Vec::new();
        for c in chunks {
            for line in splitter.push(Bytes::copy_from_slice(c.as_bytes())) {
                out.push(String::from_utf8(line.to_vec()).unwrap());
            }
        }
        if let Some(last) = splitter.finish() {
            out.push(String::from_utf8(last.to_vec()).unwrap());
        }
        out
    }

    #[test]
    fn lines_split_on_every_ending_across_chunks() {
        assert_eq!(split(&["a\nb\r\nc\rd"]), ["a", "b", "c", "d"]);
        assert_eq!(split(&["a\r", "\nb\r", "", "\nc"]), ["a", "b", "c"]);
        assert_eq!(split(&["a\r", "b\n\n"]), ["a", "b", ""]);
        assert_eq!(split(&["ab", "c", "\n"]), ["abc"]);
        assert_eq!(split(&["caf\u{e9}\n"]), ["caf\u{e9}"]);
        assert!(split(&[]).is_empty());
    }

    #[test]
    fn text_follows_the_declared_charset_and_refuses_invalid_bytes() {
        let mut headers = HeaderMap::new();
        assert_eq!(
            decode(b"caf\xc3\xa9", &headers, false).unwrap(),
            "caf\u{e9}"
        );
        assert!(decode(b"caf\xe9", &headers, false).unwrap_err().is_decode());
        assert_eq!(decode(b"caf\xe9", &headers, true).unwrap(), "caf\u{fffd}");
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=iso-8859-1"),
        );
        #[cfg(feature = "charset")]
        assert_eq!(decode(b"caf\xe9", &headers, false).unwrap(), "caf\u{e9}");
    }
}
