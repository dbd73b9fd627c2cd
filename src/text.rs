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
#[cfg(js)]
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

/// The longest line [`lines`](crate::StreamingResponse::lines) hands out by default:
/// 1 MiB. A longer one is a [`Decode`](crate::ErrorKind::Decode) error, so a server that
/// never sends a line ending cannot make the client buffer its whole body. Change it with
/// [`StreamingResponse::max_line_length`](crate::StreamingResponse::max_line_length).
///
/// # Examples
/// ```
/// assert_eq!(httplib::DEFAULT_MAX_LINE_LENGTH, 1 << 20);
/// ```
pub const DEFAULT_MAX_LINE_LENGTH: usize = 1 << 20;

/// Splits a body arriving in chunks into lines ending in `\n`, `\r\n` or `\r`, as httpx's
/// `iter_lines` does. Lines are cut at ASCII bytes only, so a multi-byte character split
/// across two chunks is joined again before it is decoded. Each byte is looked at once,
/// however the body is chunked; a line longer than `max` is an error.
#[derive(Debug)]
pub(crate) struct LineSplitter {
    pending: BytesMut,
    /// How much of `pending` is known to hold no line ending.
    scanned: usize,
    /// The previous chunk ended in `\r`: a `\n` at the start of the next one belongs to it.
    after_cr: bool,
    max: usize,
}

impl LineSplitter {
    pub(crate) fn new(max: usize) -> LineSplitter {
        LineSplitter {
            pending: BytesMut::new(),
            scanned: 0,
            after_cr: false,
            max,
        }
    }

    /// Adds a chunk and appends the lines it completes to `lines`, without their endings.
    ///
    /// # Errors
    /// A line, complete or not, longer than the maximum; the lines before it are in `lines`.
    pub(crate) fn push(&mut self, mut chunk: Bytes, lines: &mut impl Extend<Bytes>) -> Result<()> {
        if chunk.is_empty() {
            return Ok(());
        }
        if self.after_cr && chunk.first() == Some(&b'\n') {
            chunk.advance(1);
        }
        self.after_cr = false;
        self.pending.extend_from_slice(&chunk);
        while let Some(found) = self.pending[self.scanned..]
            .iter()
            .position(|&b| b == b'\n' || b == b'\r')
        {
            let end = self.scanned + found;
            self.scanned = 0;
            self.check(end)?;
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
            lines.extend(Some(line));
        }
        self.scanned = self.pending.len();
        self.check(self.pending.len())
    }

    /// The last line, if the body did not end with a line ending.
    pub(crate) fn finish(&mut self) -> Option<Bytes> {
        self.scanned = 0;
        (!self.pending.is_empty()).then(|| self.pending.split().freeze())
    }

    fn check(&self, line_len: usize) -> Result<()> {
        if line_len <= self.max {
            return Ok(());
        }
        Err(Error::decode(format!(
            "a line of the body is longer than {} bytes (max_line_length)",
            self.max
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn split(chunks: &[&str]) -> Vec<String> {
        let mut splitter = LineSplitter::new(DEFAULT_MAX_LINE_LENGTH);
        let mut out: Vec<String> = Vec::new();
        for c in chunks {
            let mut lines = Vec::new();
            splitter
                .push(Bytes::copy_from_slice(c.as_bytes()), &mut lines)
                .unwrap();
            for line in lines {
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
    fn a_line_longer_than_the_maximum_is_an_error_complete_or_not() {
        let mut splitter = LineSplitter::new(8);
        let mut lines = Vec::new();
        splitter
            .push(Bytes::from("12345678\nab"), &mut lines)
            .unwrap();
        assert_eq!(lines, ["12345678"]);
        splitter.push(Bytes::from("cdefgh"), &mut lines).unwrap();
        let err = splitter.push(Bytes::from("i"), &mut lines).unwrap_err();
        assert!(err.is_decode());
        let mut splitter = LineSplitter::new(8);
        let mut lines = Vec::new();
        let err = splitter
            .push(Bytes::from("ok\n123456789\n"), &mut lines)
            .unwrap_err();
        assert!(err.is_decode());
        assert_eq!(lines, ["ok"], "the lines before the long one are kept");
    }

    #[test]
    fn each_byte_is_scanned_once_however_the_body_is_chunked() {
        // A long line arriving a byte at a time: everything but the new byte is known to
        // hold no line ending, so each push looks at one byte (the splitter used to rescan
        // all it held, quadratic in the line's length).
        let mut splitter = LineSplitter::new(usize::MAX);
        let mut lines = Vec::new();
        for held in 1..=(64 << 10) {
            splitter.push(Bytes::from_static(b"x"), &mut lines).unwrap();
            assert_eq!((splitter.scanned, splitter.pending.len()), (held, held));
        }
        assert!(lines.is_empty());
        splitter
            .push(Bytes::from_static(b"\r\n"), &mut lines)
            .unwrap();
        assert_eq!(lines[0].len(), 64 << 10);
        assert_eq!(splitter.scanned, 0);
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
