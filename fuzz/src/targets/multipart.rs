//! Multipart forms: field names, file names and values from the input, encoded by
//! `multipart::Form`, then parsed back by a strict RFC 7578 reader written here.
//!
//! The input is a list of parts of three lines each: the name, the file name (`-` for
//! none) and the value, with `\n`, `\r`, `\\` and `\xNN` escapes. Invariants: the request
//! builds and is sent; its `Content-Type` names the form's boundary; `Content-Length`, if
//! sent, is the body's length; the body parses back into the same parts in order, each with
//! its name and file name as the HTML standard escapes them (`"` CR LF as %22 %0D %0A) and
//! its value byte for byte, and ends with the closing delimiter.

use bytes::Bytes;
use httplib::backend::mock::{MockBackend, MockResponse};
use httplib::multipart::{Form, Part};

use super::{Outcome, Target, Violation, block_on, mock_client};
use crate::checks::Checks;

/// The fuzz target of multipart forms.
pub struct MultipartTarget;

struct Field {
    name: String,
    file_name: Option<String>,
    value: Vec<u8>,
}

fn unescape(line: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(line.len());
    let mut i = 0;
    while i < line.len() {
        match (line[i], line.get(i + 1)) {
            (b'\\', Some(b'n')) => (out.push(b'\n'), i += 2).1,
            (b'\\', Some(b'r')) => (out.push(b'\r'), i += 2).1,
            (b'\\', Some(b'\\')) => (out.push(b'\\'), i += 2).1,
            (b'\\', Some(b'x')) => {
                let hex = line
                    .get(i + 2..i + 4)
                    .and_then(|h| std::str::from_utf8(h).ok());
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => (out.push(b), i += 4).1,
                    None => (out.push(b'\\'), i += 1).1,
                }
            }
            (b, _) => (out.push(b), i += 1).1,
        }
    }
    out
}

fn fields_of(input: &[u8]) -> Vec<Field> {
    let lines: Vec<&[u8]> = input.split(|&b| b == b'\n').collect();
    lines
        .chunks(3)
        .take(12)
        .map(|part| {
            let text = |i: usize| {
                String::from_utf8_lossy(&unescape(part.get(i).copied().unwrap_or_default()))
                    .into_owned()
            };
            let file_name = match part.get(1).copied() {
                Some([b'-']) | None => None,
                Some(_) => Some(text(1)),
            };
            Field {
                name: text(0),
                file_name,
                value: unescape(part.get(2).copied().unwrap_or_default()),
            }
        })
        .collect()
}

/// The HTML standard's escaping of names in `multipart/form-data`.
fn html_escape(s: &str) -> String {
    s.replace('"', "%22")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// One part as read back: its Content-Disposition parameters and data.
#[derive(Debug, PartialEq)]
struct ReadPart {
    name: String,
    file_name: Option<String>,
    data: Vec<u8>,
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Reads a `multipart/form-data` body strictly: every part starts at `--boundary CRLF`,
/// headers end at `CRLF CRLF`, data runs to `CRLF --boundary`, the body ends with
/// `--boundary-- CRLF`.
fn read_form(body: &[u8], boundary: &str) -> Result<Vec<ReadPart>, String> {
    let open = format!("--{boundary}");
    let delimiter = format!("\r\n--{boundary}");
    let mut rest = body
        .strip_prefix(open.as_bytes())
        .ok_or("no opening delimiter")?;
    let mut parts = Vec::new();
    loop {
        if rest == b"--\r\n" {
            return Ok(parts);
        }
        rest = rest
            .strip_prefix(b"\r\n")
            .ok_or("no CRLF after a delimiter")?;
        let head_end = find(rest, b"\r\n\r\n").ok_or("a part's head does not end")?;
        let head =
            std::str::from_utf8(&rest[..head_end]).map_err(|_| "a head that is not UTF-8")?;
        let after_head = &rest[head_end + 4..];
        let data_end =
            find(after_head, delimiter.as_bytes()).ok_or("a part's data does not end")?;
        let mut disposition = None;
        for line in head.split("\r\n") {
            let (name, value) = line.split_once(": ").ok_or("a header line without `: `")?;
            if name.eq_ignore_ascii_case("content-disposition") {
                disposition = Some(value);
            }
        }
        let disposition = disposition.ok_or("a part without Content-Disposition")?;
        let params = disposition
            .strip_prefix("form-data; ")
            .ok_or("not form-data")?;
        let (name, params) = quoted_param(params, "name")?;
        let file_name = match params.strip_prefix("; ") {
            Some(p) => Some(quoted_param(p, "filename")?.0),
            None if params.is_empty() => None,
            None => return Err(format!("something after the name: {params:?}")),
        };
        parts.push(ReadPart {
            name,
            file_name,
            data: after_head[..data_end].to_vec(),
        });
        rest = &after_head[data_end + delimiter.len()..];
    }
}

/// `key="value"` at the start of `s` (no escapes inside, as the HTML standard writes
/// them); returns the value and what follows.
fn quoted_param<'a>(s: &'a str, key: &str) -> Result<(String, &'a str), String> {
    let s = s
        .strip_prefix(key)
        .and_then(|s| s.strip_prefix("=\""))
        .ok_or(format!("no {key}=\""))?;
    let end = s.find('"').ok_or(format!("{key} is not closed"))?;
    Ok((s[..end].to_owned(), &s[end + 1..]))
}

impl Target for MultipartTarget {
    fn name(&self) -> &'static str {
        "multipart"
    }

    fn tokens(&self) -> &'static [&'static [u8]] {
        &[
            b"\\r\\n",
            b"\\n",
            b"\"",
            b"\\\"",
            b"\\",
            b"%22",
            b"%0D%0A",
            b"--",
            b"--httplib-",
            b"\r\n--",
            b"; filename=\"x\"",
            b"Content-Type: ",
            b"\\x00",
            b"\\xff",
            b"\xc3\xa9",
            b"\n-\n",
            b"\n",
            b"a.png",
            b"..\\..\\etc\\passwd",
            b"=?utf-8?B?",
            b"name=",
        ]
    }

    fn run(&self, input: &[u8], _checks: &Checks) -> Outcome {
        let fields = fields_of(input);
        let mut form = Form::new();
        let boundary = form.boundary().to_owned();
        for f in &fields {
            let mut part = match std::str::from_utf8(&f.value) {
                Ok(text) if f.file_name.is_none() => Part::text(text.to_owned()),
                _ => Part::bytes(Bytes::from(f.value.clone())),
            };
            if let Some(file_name) = &f.file_name {
                part = part.file_name(file_name.clone());
            }
            form = form.part(f.name.clone(), part);
        }
        let mock = MockBackend::new();
        mock.handle(|_| Some(MockResponse::new(200)));
        let client = mock_client(&mock)?;
        block_on(client.post("http://api.test/upload").multipart(form))
            .map_err(|e| Violation::new(format!("sending a form failed: {e}")))?;
        let sent = mock
            .requests()
            .pop()
            .ok_or_else(|| Violation::new("no request was sent"))?;
        let content_type = String::from_utf8_lossy(
            sent.headers
                .get("content-type")
                .map(|v| v.as_bytes())
                .unwrap_or_default(),
        )
        .into_owned();
        if content_type != format!("multipart/form-data; boundary={boundary}") {
            return Err(Violation::new(format!(
                "the Content-Type does not name the boundary: {content_type:?}"
            )));
        }
        if let Some(length) = sent.headers.get("content-length")
            && length.as_bytes() != sent.body.len().to_string().as_bytes()
        {
            return Err(Violation::new(format!(
                "Content-Length {length:?} for a body of {} bytes",
                sent.body.len()
            )));
        }
        let read = read_form(&sent.body, &boundary).map_err(|why| {
            Violation::new(format!(
                "the encoded form does not parse back: {why}\nbody {:?}",
                String::from_utf8_lossy(&sent.body)
            ))
        })?;
        let want: Vec<ReadPart> = fields
            .iter()
            .map(|f| ReadPart {
                name: html_escape(&f.name),
                file_name: f.file_name.as_deref().map(html_escape),
                data: f.value.clone(),
            })
            .collect();
        if read != want {
            return Err(Violation::new(format!(
                "the form read back is not the form sent\nread {read:?}\nwant {:?}",
                want.iter()
                    .map(|p| (&p.name, &p.file_name, String::from_utf8_lossy(&p.data)))
                    .collect::<Vec<_>>()
            )));
        }
        Ok(format!(
            "{}-{}",
            fields.len().min(4),
            fields
                .iter()
                .filter(|f| f.file_name.is_some())
                .count()
                .min(2)
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reader_refuses_broken_forms() {
        let good = b"--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--B--\r\n";
        let parts = read_form(good, "B").unwrap();
        assert_eq!(
            parts,
            [ReadPart {
                name: "a".into(),
                file_name: None,
                data: b"1".to_vec()
            }]
        );
        for bad in [
            &b"--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--B--"[..],
            b"--B\r\nContent-Disposition: form-data; name=\"a\r\n\r\n1\r\n--B--\r\n",
            b"--B\r\nContent-Disposition: form-data; name=\"a\"; x\r\n\r\n1\r\n--B--\r\n",
            b"--C\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--B--\r\n",
        ] {
            assert!(
                read_form(bad, "B").is_err(),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}
