//! Multipart forms (`multipart/form-data`, RFC 7578): httpx's `files=`.
//!
//! Files are streamed from disk as the body is sent, never read whole into memory, and the
//! body's length is known up front from the files' sizes, so it is sent with a
//! `Content-Length` rather than chunked. A form made only of text, bytes and files can be
//! sent again (for a 307/308 redirect or a Digest challenge): each send reads the files anew.

use std::fmt;

use bytes::Bytes;
use futures_util::StreamExt;
use http::HeaderMap;

use crate::body::{Body, BodyParts, BodyStream};
use crate::error::Error;

/// A multipart form.
///
/// # Examples
/// ```no_run
/// # async fn run() -> httplib::Result<()> {
/// use httplib::multipart::{Form, Part};
///
/// let form = Form::new()
///     .text("title", "holiday")
///     .file("photo", "a.png")?                                  // streamed from disk
///     .part("notes", Part::bytes(b"raw".to_vec()).file_name("notes.txt"));
/// httplib::post("https://example.com/upload").multipart(form).await?;
/// # Ok(()) }
/// ```
pub struct Form {
    boundary: String,
    /// Why no boundary could be made: the request that sends the form fails with it.
    failed: Option<Error>,
    parts: Vec<(String, Part)>,
}

/// One field of a [`Form`]: text, bytes, a file, or a stream.
///
/// # Examples
/// ```
/// use httplib::multipart::{Form, Part};
/// # use httplib::backend::mock::MockBackend;
/// # let mock = MockBackend::new();
/// let client = httplib::Client::builder().backend(mock.clone()).build()?;
///
/// let part = Part::bytes(&br#"{"k": 1}"#[..]).file_name("data.json"); // sent as a file
/// let form = Form::new().part("upload", part);
/// client.post("http://api.test/upload").multipart(form).send_blocking()?;
/// let sent = String::from_utf8_lossy(&mock.requests()[0].body).into_owned();
/// assert!(sent.contains("filename=\"data.json\"\r\nContent-Type: application/json\r\n"));
/// # Ok::<(), httplib::Error>(())
/// ```
pub struct Part {
    data: Data,
    file_name: Option<String>,
    mime: Option<String>,
    headers: HeaderMap,
}

enum Data {
    Bytes(Bytes),
    #[cfg(native)]
    File {
        path: std::path::PathBuf,
        len: u64,
    },
    Stream(Body),
}

impl Form {
    /// An empty form with a random boundary. Should the platform's secure random source
    /// fail, the boundary is empty and the request the form is given to fails with an
    /// [`Io`](crate::ErrorKind::Io) error (never a guessable boundary).
    ///
    /// # Examples
    /// ```
    /// use httplib::multipart::Form;
    ///
    /// let (a, b) = (Form::new(), Form::new());
    /// assert_ne!(a.boundary(), b.boundary()); // random, so it cannot occur in a part by chance
    /// ```
    pub fn new() -> Form {
        let (boundary, failed) = match crate::random::hex(16) {
            Ok(token) => (format!("httplib-{token}"), None),
            Err(e) => (String::new(), Some(e)),
        };
        Form {
            boundary,
            failed,
            parts: Vec::new(),
        }
    }

    /// The boundary between parts.
    ///
    /// # Examples
    /// ```
    /// use httplib::multipart::Form;
    /// # use httplib::backend::mock::MockBackend;
    /// # let mock = MockBackend::new();
    /// let client = httplib::Client::builder().backend(mock.clone()).build()?;
    ///
    /// let form = Form::new().text("a", "1");
    /// let end = format!("--{}--\r\n", form.boundary());
    /// client.post("http://api.test/upload").multipart(form).send_blocking()?;
    /// let sent = String::from_utf8_lossy(&mock.requests()[0].body).into_owned();
    /// assert!(sent.ends_with(&end));
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn boundary(&self) -> &str {
        &self.boundary
    }

    /// Adds a text field.
    ///
    /// # Examples
    /// ```
    /// use httplib::multipart::Form;
    /// # use httplib::backend::mock::MockBackend;
    /// # let mock = MockBackend::new();
    /// let client = httplib::Client::builder().backend(mock.clone()).build()?;
    ///
    /// let form = Form::new().text("title", "holiday");
    /// client.post("http://api.test/upload").multipart(form).send_blocking()?;
    /// let sent = String::from_utf8_lossy(&mock.requests()[0].body).into_owned();
    /// assert!(sent.contains("Content-Disposition: form-data; name=\"title\"\r\n\r\nholiday\r\n"));
    /// # Ok::<(), httplib::Error>(())
    /// ```
    #[must_use]
    pub fn text(self, name: impl Into<String>, value: impl Into<String>) -> Form {
        self.part(name, Part::text(value))
    }

    /// Adds a part.
    ///
    /// # Examples
    /// ```
    /// use httplib::multipart::{Form, Part};
    /// # use httplib::backend::mock::MockBackend;
    /// # let mock = MockBackend::new();
    /// let client = httplib::Client::builder().backend(mock.clone()).build()?;
    ///
    /// let form = Form::new().part("notes", Part::text("# Notes").mime("text/markdown"));
    /// client.post("http://api.test/upload").multipart(form).send_blocking()?;
    /// let sent = String::from_utf8_lossy(&mock.requests()[0].body).into_owned();
    /// assert!(sent.contains("name=\"notes\"\r\nContent-Type: text/markdown\r\n\r\n# Notes"));
    /// # Ok::<(), httplib::Error>(())
    /// ```
    #[must_use]
    pub fn part(mut self, name: impl Into<String>, part: Part) -> Form {
        self.parts.push((name.into(), part));
        self
    }

    /// Adds a file from disk, named after the file, with a `Content-Type` guessed from its
    /// extension (feature `mime-guess`, on by default; without it `application/octet-stream`).
    /// The file is opened and read when the request is sent.
    ///
    /// # Errors
    /// [`ErrorKind::Io`](crate::ErrorKind::Io) when the file cannot be read now.
    ///
    /// # Platform
    /// Native only; on wasm32 use [`Part::bytes`] or [`Part::stream`].
    ///
    /// # Examples
    /// ```
    /// use httplib::multipart::Form;
    /// # use httplib::backend::mock::MockBackend;
    /// # let mock = MockBackend::new();
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("photo.png");
    /// # std::fs::write(&path, b"\x89PNG\r\n\x1a\n")?;
    /// let client = httplib::Client::builder().backend(mock.clone()).build()?;
    ///
    /// let form = Form::new().file("photo", &path)?; // `path` names a `photo.png` on disk
    /// client.post("http://api.test/upload").multipart(form).send_blocking()?;
    /// let sent = String::from_utf8_lossy(&mock.requests()[0].body).into_owned();
    /// assert!(sent.contains("filename=\"photo.png\"\r\nContent-Type: image/png\r\n"));
    ///
    /// let missing = Form::new().file("photo", "/no/such/file.png").unwrap_err();
    /// assert_eq!(missing.kind(), httplib::ErrorKind::Io);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[cfg(native)]
    pub fn file(
        self,
        name: impl Into<String>,
        path: impl AsRef<std::path::Path>,
    ) -> crate::Result<Form> {
        Ok(self.part(name, Part::file(path)?))
    }

    /// The error that keeps this form from being sent, if any.
    pub(crate) fn take_failure(&mut self) -> Option<Error> {
        self.failed.take()
    }

    /// The `Content-Type` header of the form, with its boundary.
    pub(crate) fn content_type(&self) -> String {
        format!("multipart/form-data; boundary={}", self.boundary)
    }

    /// The form as a request body.
    pub(crate) fn into_body(self) -> Body {
        let mut segments = Vec::with_capacity(self.parts.len() * 3 + 1);
        for (name, part) in self.parts {
            segments.push(Segment::Fixed(Fixed::Bytes(
                part.head(&self.boundary, &name),
            )));
            segments.push(match part.data {
                Data::Bytes(bytes) => Segment::Fixed(Fixed::Bytes(bytes)),
                #[cfg(native)]
                Data::File { path, len } => Segment::Fixed(Fixed::File { path, len }),
                Data::Stream(body) => Segment::Stream(body),
            });
            segments.push(Segment::Fixed(Fixed::Bytes(Bytes::from_static(b"\r\n"))));
        }
        let end = Bytes::from(format!("--{}--\r\n", self.boundary));
        segments.push(Segment::Fixed(Fixed::Bytes(end)));

        let len = segments
            .iter()
            .map(Segment::len)
            .try_fold(0u64, |total, len| Some(total + len?));
        let fixed: Option<Vec<Fixed>> = segments
            .iter()
            .map(|s| match s {
                Segment::Fixed(f) => Some(f.clone()),
                Segment::Stream(_) => None,
            })
            .collect();
        match fixed {
            // Every piece can be produced again: the form can be replayed.
            Some(fixed) => {
                let fixed: std::sync::Arc<[Fixed]> = fixed.into();
                Body::from_factory(
                    move || {
                        let streams: Vec<BodyStream> = fixed.iter().map(Fixed::open).collect();
                        Box::pin(futures_util::stream::iter(streams).flatten())
                    },
                    len,
                )
            }
            None => {
                let streams: Vec<BodyStream> =
                    segments.into_iter().map(Segment::into_stream).collect();
                Body::from_stream(futures_util::stream::iter(streams).flatten(), len)
            }
        }
    }
}

impl Default for Form {
    fn default() -> Form {
        Form::new()
    }
}

impl fmt::Debug for Form {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Form")
            .field("boundary", &self.boundary)
            .field(
                "parts",
                &self.parts.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl Part {
    fn new(data: Data) -> Part {
        Part {
            data,
            file_name: None,
            mime: None,
            headers: HeaderMap::new(),
        }
    }

    /// A text value.
    ///
    /// # Examples
    /// ```
    /// use httplib::multipart::{Form, Part};
    /// # use httplib::backend::mock::MockBackend;
    /// # let mock = MockBackend::new();
    /// let client = httplib::Client::builder().backend(mock.clone()).build()?;
    ///
    /// let form = Form::new().part("comment", Part::text("looks good"));
    /// client.post("http://api.test/upload").multipart(form).send_blocking()?;
    /// let sent = String::from_utf8_lossy(&mock.requests()[0].body).into_owned();
    /// assert!(sent.contains("name=\"comment\"\r\n\r\nlooks good\r\n"));
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn text(value: impl Into<String>) -> Part {
        Part::new(Data::Bytes(Bytes::from(value.into())))
    }

    /// Bytes; give a [`file_name`](Part::file_name) to send them as a file.
    ///
    /// # Examples
    /// ```
    /// use httplib::multipart::{Form, Part};
    /// # use httplib::backend::mock::MockBackend;
    /// # let mock = MockBackend::new();
    /// let client = httplib::Client::builder().backend(mock.clone()).build()?;
    ///
    /// let part = Part::bytes(vec![0xde, 0xad, 0xbe, 0xef]).file_name("blob.bin");
    /// let form = Form::new().part("blob", part);
    /// client.post("http://api.test/upload").multipart(form).send_blocking()?;
    /// let sent = &mock.requests()[0].body;
    /// assert!(sent.windows(4).any(|w| w == [0xde, 0xad, 0xbe, 0xef]));
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn bytes(value: impl Into<Bytes>) -> Part {
        Part::new(Data::Bytes(value.into()))
    }

    /// A body streamed as the part's content (sent once: a form with a one-shot stream
    /// cannot be replayed).
    ///
    /// # Examples
    /// ```
    /// use httplib::Body;
    /// use httplib::multipart::{Form, Part};
    /// # use httplib::backend::mock::MockBackend;
    /// # let mock = MockBackend::new();
    /// let client = httplib::Client::builder().backend(mock.clone()).build()?;
    ///
    /// let lines = ["line 1\n", "line 2\n"];
    /// let chunks = lines.map(|s| Ok::<_, std::io::Error>(bytes::Bytes::from(s)));
    /// let part = Part::stream(Body::from_stream(futures_util::stream::iter(chunks), None));
    /// let form = Form::new().part("log", part.file_name("app.log"));
    /// client.post("http://api.test/upload").multipart(form).send_blocking()?;
    /// let sent = String::from_utf8_lossy(&mock.requests()[0].body).into_owned();
    /// assert!(sent.contains("\r\n\r\nline 1\nline 2\n\r\n"));
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn stream(body: impl Into<Body>) -> Part {
        Part::new(Data::Stream(body.into()))
    }

    /// A file from disk, named after it, with a `Content-Type` guessed from its extension
    /// (feature `mime-guess`; without it `application/octet-stream`).
    ///
    /// # Errors
    /// [`ErrorKind::Io`](crate::ErrorKind::Io) when the file's metadata cannot be read.
    ///
    /// # Platform
    /// Native only.
    ///
    /// # Examples
    /// ```
    /// use httplib::multipart::{Form, Part};
    /// # use httplib::backend::mock::MockBackend;
    /// # let mock = MockBackend::new();
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("photo.png");
    /// # std::fs::write(&path, b"\x89PNG\r\n\x1a\n")?;
    /// let client = httplib::Client::builder().backend(mock.clone()).build()?;
    ///
    /// let part = Part::file(&path)?.file_name("avatar.png"); // `path` names a `photo.png` on disk
    /// let form = Form::new().part("avatar", part);
    /// client.post("http://api.test/upload").multipart(form).send_blocking()?;
    /// let sent = String::from_utf8_lossy(&mock.requests()[0].body).into_owned();
    /// assert!(sent.contains("filename=\"avatar.png\"\r\nContent-Type: image/png\r\n"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[cfg(native)]
    pub fn file(path: impl AsRef<std::path::Path>) -> crate::Result<Part> {
        let path = path.as_ref();
        let meta = std::fs::metadata(path).map_err(|e| {
            crate::Error::new(
                crate::ErrorKind::Io,
                format!("cannot read the file to upload: {}", path.display()),
            )
            .with_source(e)
        })?;
        let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        let mut part = Part::new(Data::File {
            path: path.to_owned(),
            len: meta.len(),
        });
        part.file_name = file_name;
        Ok(part)
    }

    /// Sets the file name sent with the part.
    ///
    /// # Examples
    /// ```
    /// use httplib::multipart::{Form, Part};
    /// # use httplib::backend::mock::MockBackend;
    /// # let mock = MockBackend::new();
    /// let client = httplib::Client::builder().backend(mock.clone()).build()?;
    ///
    /// let part = Part::bytes(&b"a,b\n1,2\n"[..]).file_name("report.csv");
    /// let form = Form::new().part("report", part);
    /// client.post("http://api.test/upload").multipart(form).send_blocking()?;
    /// let sent = String::from_utf8_lossy(&mock.requests()[0].body).into_owned();
    /// assert!(sent.contains(r#"name="report"; filename="report.csv""#));
    /// assert!(sent.contains("Content-Type: text/csv\r\n"));
    /// # Ok::<(), httplib::Error>(())
    /// ```
    #[must_use]
    pub fn file_name(mut self, name: impl Into<String>) -> Part {
        self.file_name = Some(name.into());
        self
    }

    /// Sets the part's `Content-Type` (by default guessed from the file name for files, with
    /// the `mime-guess` feature, else `application/octet-stream`; absent for text).
    ///
    /// # Examples
    /// ```
    /// use httplib::multipart::{Form, Part};
    /// # use httplib::backend::mock::MockBackend;
    /// # let mock = MockBackend::new();
    /// let client = httplib::Client::builder().backend(mock.clone()).build()?;
    ///
    /// let part = Part::bytes(&b"{}"[..]).file_name("data.txt").mime("application/json");
    /// let form = Form::new().part("data", part);
    /// client.post("http://api.test/upload").multipart(form).send_blocking()?;
    /// let sent = String::from_utf8_lossy(&mock.requests()[0].body).into_owned();
    /// assert!(sent.contains("Content-Type: application/json\r\n")); // not the guessed text/plain
    /// # Ok::<(), httplib::Error>(())
    /// ```
    #[must_use]
    pub fn mime(mut self, mime: impl Into<String>) -> Part {
        self.mime = Some(mime.into());
        self
    }

    /// Adds headers to the part.
    ///
    /// # Examples
    /// ```
    /// use httplib::multipart::{Form, Part};
    /// use httplib::{HeaderMap, HeaderValue};
    /// # use httplib::backend::mock::MockBackend;
    /// # let mock = MockBackend::new();
    /// let client = httplib::Client::builder().backend(mock.clone()).build()?;
    ///
    /// let mut headers = HeaderMap::new();
    /// headers.insert("x-checksum", HeaderValue::from_static("abc123"));
    /// let form = Form::new().part("file", Part::text("data").headers(headers));
    /// client.post("http://api.test/upload").multipart(form).send_blocking()?;
    /// let sent = String::from_utf8_lossy(&mock.requests()[0].body).into_owned();
    /// assert!(sent.contains("x-checksum: abc123\r\n"));
    /// # Ok::<(), httplib::Error>(())
    /// ```
    #[must_use]
    pub fn headers(mut self, headers: HeaderMap) -> Part {
        self.headers.extend(headers);
        self
    }

    /// The part's boundary line and headers.
    fn head(&self, boundary: &str, name: &str) -> Bytes {
        let mut head = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{}\"",
            escape(name)
        );
        if let Some(file_name) = &self.file_name {
            head.push_str(&format!("; filename=\"{}\"", escape(file_name)));
        }
        head.push_str("\r\n");
        let guessed = self.file_name.as_deref().map(guess_mime);
        if let Some(mime) = self.mime.clone().or(guessed) {
            head.push_str(&format!("Content-Type: {}\r\n", escape(&mime)));
        }
        let mut head = head.into_bytes();
        for (name, value) in &self.headers {
            head.extend_from_slice(name.as_str().as_bytes());
            head.extend_from_slice(b": ");
            head.extend_from_slice(value.as_bytes());
            head.extend_from_slice(b"\r\n");
        }
        head.extend_from_slice(b"\r\n");
        Bytes::from(head)
    }
}

impl fmt::Debug for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Part")
            .field("file_name", &self.file_name)
            .field("mime", &self.mime)
            .finish_non_exhaustive()
    }
}

/// Escapes a name as browsers do in `Content-Disposition` (WHATWG's form encoding), so a
/// quote or line break cannot end the header or the field early.
fn escape(s: &str) -> String {
    s.replace('"', "%22")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A piece of the encoded form.
enum Segment {
    Fixed(Fixed),
    Stream(Body),
}

/// A piece that can be produced again for a replay.
#[derive(Clone)]
enum Fixed {
    Bytes(Bytes),
    #[cfg(native)]
    File {
        path: std::path::PathBuf,
        len: u64,
    },
}

impl Segment {
    fn len(&self) -> Option<u64> {
        match self {
            Segment::Fixed(Fixed::Bytes(b)) => Some(b.len() as u64),
            #[cfg(native)]
            Segment::Fixed(Fixed::File { len, .. }) => Some(*len),
            Segment::Stream(body) => body.content_length(),
        }
    }

    fn into_stream(self) -> BodyStream {
        match self {
            Segment::Fixed(fixed) => fixed.open(),
            Segment::Stream(body) => match body.into_parts() {
                BodyParts::Bytes(bytes) => bytes_stream(bytes),
                BodyParts::Stream(stream) => stream,
            },
        }
    }
}

impl Fixed {
    fn open(&self) -> BodyStream {
        match self {
            Fixed::Bytes(b) => bytes_stream(b.clone()),
            #[cfg(native)]
            Fixed::File { path, len } => file_stream(path.clone(), *len),
        }
    }
}

fn bytes_stream(bytes: Bytes) -> BodyStream {
    Box::pin(futures_util::stream::once(std::future::ready(Ok(bytes))))
}

/// Reads `path` in chunks, failing if it no longer has the `len` bytes announced in the
/// `Content-Length`.
#[cfg(native)]
fn file_stream(path: std::path::PathBuf, len: u64) -> BodyStream {
    use crate::error::BoxError;
    use tokio_util::io::ReaderStream;

    const CHUNK: usize = 64 * 1024;
    enum State {
        Unopened(std::path::PathBuf),
        Open(ReaderStream<tokio::fs::File>, std::path::PathBuf, u64),
    }
    let io_error = |path: &std::path::Path, e: std::io::Error| -> BoxError {
        Box::new(
            crate::Error::new(
                crate::ErrorKind::Io,
                format!("reading the file to upload failed: {}", path.display()),
            )
            .with_source(e),
        )
    };
    Box::pin(futures_util::stream::try_unfold(
        State::Unopened(path),
        move |state| async move {
            let (mut chunks, path, sent) = match state {
                State::Unopened(path) => match tokio::fs::File::open(&path).await {
                    Ok(file) => (ReaderStream::with_capacity(file, CHUNK), path, 0),
                    Err(e) => return Err(io_error(&path, e)),
                },
                State::Open(chunks, path, sent) => (chunks, path, sent),
            };
            match chunks.next().await {
                Some(Ok(chunk)) => {
                    let sent = sent + chunk.len() as u64;
                    if sent > len {
                        return Err(changed(len));
                    }
                    Ok(Some((chunk, State::Open(chunks, path, sent))))
                }
                Some(Err(e)) => Err(io_error(&path, e)),
                None if sent != len => Err(changed(len)),
                None => Ok(None),
            }
        },
    ))
}

#[cfg(native)]
fn changed(len: u64) -> crate::error::BoxError {
    Box::new(crate::Error::new(
        crate::ErrorKind::Io,
        format!("the file to upload changed size while it was sent (expected {len} bytes)"),
    ))
}

/// The content type of a file part named `file_name` when none is given: guessed from its
/// extension with the `mime-guess` feature, else `application/octet-stream` (what a
/// browser's `FormData` sends for a Blob without a type).
fn guess_mime(file_name: &str) -> String {
    #[cfg(feature = "mime-guess")]
    let mime = mime_guess::from_path(file_name).first_or_octet_stream();
    #[cfg(not(feature = "mime-guess"))]
    let mime = {
        let _ = file_name;
        mime::APPLICATION_OCTET_STREAM
    };
    mime.essence_str().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::TryStreamExt;

    fn collect(body: Body) -> Vec<u8> {
        let stream = match body.into_parts() {
            BodyParts::Bytes(b) => return b.to_vec(),
            BodyParts::Stream(s) => s,
        };
        let chunks: Vec<Bytes> = futures_executor::block_on(stream.try_collect()).unwrap();
        chunks.concat()
    }

    #[test]
    fn a_form_encodes_text_and_named_bytes_with_a_known_length() {
        let form = Form::new()
            .text("a", "1")
            .part("we\"ird\r\n", Part::bytes(&b"xyz"[..]).file_name("n.json"));
        let boundary = form.boundary().to_owned();
        let body = form.into_body();
        let len = body.content_length().unwrap();
        let again = body.try_clone().expect("bytes-only forms replay");
        let bytes = collect(body);
        assert_eq!(bytes.len() as u64, len);
        let expected = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"we%22ird%0D%0A\"; filename=\"n.json\"\r\n\
             Content-Type: application/json\r\n\r\nxyz\r\n--{boundary}--\r\n"
        );
        assert_eq!(String::from_utf8(bytes).unwrap(), expected);
        assert_eq!(collect(again).len() as u64, len);
    }

    #[cfg(native)]
    #[test]
    fn a_missing_file_is_an_io_error_at_once() {
        let err = Form::new().file("f", "/nonexistent/file.bin").unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::Io);
    }
}
