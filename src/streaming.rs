//! `StreamingResponse`: the head of a response, with its body left to read piece by piece.

use std::collections::VecDeque;
use std::fmt;

use bytes::{Bytes, BytesMut};
use futures_core::Stream;
use futures_util::StreamExt;

use crate::body::ResponseBody;
use crate::error::{Error, Result};
use crate::head::ResponseHead;
use crate::response::Response;
use crate::runtime::MaybeSend;
use crate::text::{Charset, LineSplitter};

/// A response whose status and headers have arrived and whose body is still to be read,
/// so that a large body never sits in memory.
///
/// Get one from [`Client::stream`](crate::Client::stream), `.stream().await` on a
/// [`RequestBuilder`](crate::RequestBuilder), or `stream_blocking()`. Read the body once,
/// with any one of: [`chunk`](Self::chunk), [`bytes_stream`](Self::bytes_stream),
/// [`lines`](Self::lines), [`read`](Self::read), or natively [`copy_to`](#method.copy_to)
/// and the blocking twins [`iter_bytes`](#method.iter_bytes),
/// [`iter_lines`](#method.iter_lines), [`copy_to_blocking`](#method.copy_to_blocking),
/// [`read_blocking`](#method.read_blocking).
/// Dropping it unread closes the connection rather than reading what is left.
///
/// # Examples
/// ```no_run
/// # async fn run() -> httplib::Result<()> {
/// let client = httplib::Client::new();
/// let mut r = client.stream(httplib::Method::GET, "https://example.com/big.bin").await?;
/// assert!(r.is_success());
/// let mut total = 0;
/// while let Some(chunk) = r.chunk().await? {
///     total += chunk.len();
/// }
/// # Ok(()) }
/// ```
pub struct StreamingResponse {
    /// Boxed: a response moves through every layer, and a pointer moves cheaply.
    pub(crate) head: Box<ResponseHead>,
    pub(crate) body: ResponseBody,
    /// The longest line [`lines`](Self::lines) accepts.
    pub(crate) max_line_length: usize,
}

impl StreamingResponse {
    /// A streaming response of `head` whose body is `body`: for a middleware, a mock or a
    /// test.
    ///
    /// # Examples
    /// ```
    /// use httplib::{ResponseBody, ResponseHead, StatusCode, StreamingResponse};
    ///
    /// let head = ResponseHead::new(StatusCode::OK, "http://api.test/".parse().unwrap());
    /// let r = StreamingResponse::new(head, ResponseBody::from(bytes::Bytes::from("hi")));
    /// let r = futures_executor::block_on(r.read())?;
    /// assert_eq!(r.text()?, "hi");
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn new(head: ResponseHead, body: ResponseBody) -> StreamingResponse {
        StreamingResponse {
            head: Box::new(head),
            body,
            max_line_length: crate::text::DEFAULT_MAX_LINE_LENGTH,
        }
    }

    /// The head: status, version, headers, URL, history and extensions (also reachable
    /// directly: a `StreamingResponse` dereferences to its head).
    ///
    /// # Examples
    /// ```
    /// # use httplib::{ResponseBody, ResponseHead, StatusCode, StreamingResponse};
    /// let head = ResponseHead::new(StatusCode::OK, "http://api.test/".parse().unwrap());
    /// let mut r = StreamingResponse::new(head, ResponseBody::empty());
    /// r.head_mut().headers_mut().insert("x-seen", "1".parse().unwrap());
    /// assert_eq!(r.head().headers()["x-seen"], "1");
    /// ```
    pub fn head(&self) -> &ResponseHead {
        &self.head
    }

    /// Replaces the body by `f` of it: for a layer that wraps the body (decoding, a
    /// deadline, progress) and keeps the head.
    pub(crate) fn map_body(&mut self, f: impl FnOnce(ResponseBody) -> ResponseBody) {
        let body = std::mem::replace(&mut self.body, ResponseBody::empty());
        self.body = f(body);
    }

    /// The head, to change (a middleware adding a header, say).
    ///
    /// # Examples
    /// See [`head`](Self::head).
    pub fn head_mut(&mut self) -> &mut ResponseHead {
        &mut self.head
    }

    /// Sets the longest line that [`lines`](Self::lines) (and `iter_lines`) accepts
    /// (default [`DEFAULT_MAX_LINE_LENGTH`](crate::DEFAULT_MAX_LINE_LENGTH), 1 MiB); a
    /// longer line is a [`Decode`](crate::ErrorKind::Decode) error, which ends the lines.
    ///
    /// # Examples
    /// ```
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # use futures_util::StreamExt;
    /// # let mock = MockBackend::new();
    /// # mock.on(httplib::Method::GET, "/log", MockResponse::new(200).text("short\nmuch too long\n"));
    /// # let builder = httplib::Client::builder().base_url("http://api.test");
    /// # let client = builder.backend(mock.clone()).build()?;
    /// # futures_executor::block_on(async {
    /// let r = client.get("/log").stream().await?;
    /// let mut lines = Box::pin(r.max_line_length(8).lines());
    /// assert_eq!(lines.next().await.unwrap()?, "short");
    /// assert!(lines.next().await.unwrap().unwrap_err().is_decode());
    /// assert!(lines.next().await.is_none());
    /// # Ok::<(), httplib::Error>(())
    /// # })?;
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn max_line_length(mut self, max: usize) -> StreamingResponse {
        self.max_line_length = max;
        self
    }

    /// The next chunk of the body as it arrives, or `None` at its end.
    ///
    /// # Errors
    /// [`ReadTimeout`](crate::ErrorKind::ReadTimeout) when no chunk comes within the read
    /// timeout; [`Read`](crate::ErrorKind::Read) when the connection fails or the body is
    /// shorter than announced; [`Decode`](crate::ErrorKind::Decode) for bad compression.
    ///
    /// # Examples
    /// ```
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # use bytes::Bytes;
    /// # let mock = MockBackend::new();
    /// # mock.on(httplib::Method::GET, "/greeting",
    /// #     MockResponse::new(200).chunks([Bytes::from("Hello, "), Bytes::from("world")]));
    /// # let builder = httplib::Client::builder().base_url("http://api.test");
    /// # let client = builder.backend(mock.clone()).build()?;
    /// # futures_executor::block_on(async {
    /// let mut r = client.get("/greeting").stream().await?;
    /// assert_eq!(r.chunk().await?.as_deref(), Some(&b"Hello, "[..]));
    /// assert_eq!(r.chunk().await?.as_deref(), Some(&b"world"[..]));
    /// assert_eq!(r.chunk().await?, None);
    /// # Ok::<(), httplib::Error>(())
    /// # })?;
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub async fn chunk(&mut self) -> Result<Option<Bytes>> {
        self.body.next().await.transpose()
    }

    /// The body as a stream of chunks, in the sizes they arrive.
    ///
    /// # Examples
    /// ```
    /// use futures_util::TryStreamExt;
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # use bytes::Bytes;
    /// # let mock = MockBackend::new();
    /// # mock.on(httplib::Method::GET, "/greeting",
    /// #     MockResponse::new(200).chunks([Bytes::from("Hello, "), Bytes::from("world")]));
    /// # let builder = httplib::Client::builder().base_url("http://api.test");
    /// # let client = builder.backend(mock.clone()).build()?;
    /// # futures_executor::block_on(async {
    /// let r = client.get("/greeting").stream().await?;
    /// let chunks: Vec<bytes::Bytes> = r.bytes_stream().try_collect().await?;
    /// assert_eq!(chunks, ["Hello, ", "world"]);
    /// # Ok::<(), httplib::Error>(())
    /// # })?;
    /// # Ok::<(), httplib::Error>(())
    /// ```
    ///
    /// # Errors
    /// Each item fails as [`chunk`](Self::chunk) does.
    ///
    /// # Platform
    /// The stream is `Send` natively; on wasm32, where JS values are not `Send`, it is not.
    pub fn bytes_stream(self) -> impl Stream<Item = Result<Bytes>> + MaybeSend {
        self.body
    }

    /// The body as a stream of text lines (without their endings), decoded in the
    /// response's charset.
    ///
    /// # Errors
    /// Each item fails as [`chunk`](Self::chunk) does, or with
    /// [`Decode`](crate::ErrorKind::Decode) for a line that is not valid text.
    ///
    /// # Examples
    /// ```
    /// use futures_util::TryStreamExt;
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # use bytes::Bytes;
    /// # let mock = MockBackend::new();
    /// # mock.on(httplib::Method::GET, "/log",
    /// #     MockResponse::new(200).chunks([Bytes::from("first\r\nsec"), Bytes::from("ond\n")]));
    /// # let builder = httplib::Client::builder().base_url("http://api.test");
    /// # let client = builder.backend(mock.clone()).build()?;
    /// # futures_executor::block_on(async {
    /// let r = client.get("/log").stream().await?;
    /// let lines: Vec<String> = r.lines().try_collect().await?;
    /// assert_eq!(lines, ["first", "second"]);
    /// # Ok::<(), httplib::Error>(())
    /// # })?;
    /// # Ok::<(), httplib::Error>(())
    /// ```
    ///
    /// # Platform
    /// The stream is `Send` natively; on wasm32, where JS values are not `Send`, it is not.
    pub fn lines(self) -> impl Stream<Item = Result<String>> + MaybeSend {
        let state = Lines::new(&self.head, self.body, self.max_line_length);
        futures_util::stream::unfold(state, |mut state| async move {
            let line = state.next_line().await?;
            Some((line, state))
        })
    }

    /// The body as lines of bytes, for callers that decode them themselves (the JS API
    /// decodes with the platform's `TextDecoder`).
    #[cfg(feature = "js-api")]
    pub(crate) fn raw_lines(self) -> RawLines {
        RawLines::new(self.body, self.max_line_length)
    }

    /// Reads the rest of the body into a [`Response`].
    ///
    /// # Errors
    /// As [`chunk`](Self::chunk).
    ///
    /// # Examples
    /// ```
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # use bytes::Bytes;
    /// # let mock = MockBackend::new();
    /// # mock.on(httplib::Method::GET, "/items", MockResponse::new(200).json(&[1, 2]));
    /// # let builder = httplib::Client::builder().base_url("http://api.test");
    /// # let client = builder.backend(mock.clone()).build()?;
    /// # futures_executor::block_on(async {
    /// let r = client.get("/items").stream().await?;
    /// if r.is_success() {
    ///     let r = r.read().await?; // a `Response`: its body is in memory now
    ///     assert_eq!(r.json::<Vec<u32>>()?, [1, 2]);
    /// }
    /// # Ok::<(), httplib::Error>(())
    /// # })?;
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub async fn read(mut self) -> Result<Response> {
        let first = match self.chunk().await? {
            None => Bytes::new(),
            Some(first) => first,
        };
        // Most bodies come in one chunk: keep it as it is instead of copying it.
        let body = match self.chunk().await? {
            None => first,
            Some(second) => {
                let mut all = BytesMut::with_capacity(first.len() + second.len());
                all.extend_from_slice(&first);
                all.extend_from_slice(&second);
                while let Some(chunk) = self.chunk().await? {
                    all.extend_from_slice(&chunk);
                }
                all.freeze()
            }
        };
        Ok(Response {
            head: self.head,
            body,
        })
    }

    /// The response if its status is not 4xx or 5xx, otherwise a
    /// [`Status`](crate::ErrorKind::Status) error. The error's
    /// [`response()`](Error::response) has the status, headers and URL, but an empty
    /// body: a streamed body is not read to build an error.
    ///
    /// # Errors
    /// The status error.
    ///
    /// # Examples
    /// ```
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # use bytes::Bytes;
    /// # let mock = MockBackend::new();
    /// # mock.on(httplib::Method::GET, "/missing", MockResponse::new(404).text("no such page"));
    /// # let builder = httplib::Client::builder().base_url("http://api.test");
    /// # let client = builder.backend(mock.clone()).build()?;
    /// let err = client.get("/missing").stream_blocking()?.raise_for_status().unwrap_err();
    /// assert_eq!(err.status(), Some(httplib::StatusCode::NOT_FOUND));
    /// assert!(err.response().unwrap().bytes().is_empty()); // the body was not read
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn raise_for_status(self) -> Result<StreamingResponse> {
        if self.is_error() {
            Err(Error::from_status(Response {
                head: self.head,
                body: Bytes::new(),
            }))
        } else {
            Ok(self)
        }
    }
}

/// Reading a streamed body to a file or another writer, natively.
#[cfg(native)]
impl StreamingResponse {
    /// Writes the rest of the body to `writer` (a `tokio::fs::File`, say), returning the
    /// number of bytes written.
    ///
    /// # Errors
    /// As [`chunk`](Self::chunk), and [`Io`](crate::ErrorKind::Io) when `writer` fails.
    ///
    /// # Examples
    /// ```
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # use bytes::Bytes;
    /// # let mock = MockBackend::new();
    /// # mock.on(httplib::Method::GET, "/data",
    /// #     MockResponse::new(200).chunks([Bytes::from("012"), Bytes::from("3456789")]));
    /// # let builder = httplib::Client::builder().base_url("http://api.test");
    /// # let client = builder.backend(mock.clone()).build()?;
    /// # futures_executor::block_on(async {
    /// let mut r = client.get("/data").stream().await?;
    /// let mut out = Vec::new(); // any `tokio::io::AsyncWrite`: a `tokio::fs::File`, say
    /// let written = r.copy_to(&mut out).await?;
    /// assert_eq!(written, 10);
    /// assert_eq!(out, b"0123456789");
    /// # Ok::<(), httplib::Error>(())
    /// # })?;
    /// # Ok::<(), httplib::Error>(())
    /// ```
    ///
    /// # Platform
    /// Native only: there is no file system from wasm32.
    pub async fn copy_to<W>(&mut self, writer: &mut W) -> Result<u64>
    where
        W: tokio::io::AsyncWrite + Unpin + ?Sized,
    {
        use tokio::io::AsyncWriteExt;
        let mut written = 0;
        while let Some(chunk) = self.chunk().await? {
            writer.write_all(&chunk).await.map_err(local_io)?;
            written += chunk.len() as u64;
        }
        writer.flush().await.map_err(local_io)?;
        Ok(written)
    }

    /// The body in chunks of exactly `chunk_size` bytes (the last may be shorter; 0 means
    /// as they arrive), blocking the calling thread for each: httpx's
    /// `iter_bytes(chunk_size=...)`.
    ///
    /// Each item is an error, as for `send_blocking`, when called inside an async runtime.
    ///
    /// # Examples
    /// ```
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # use bytes::Bytes;
    /// # let mock = MockBackend::new();
    /// # mock.on(httplib::Method::GET, "/data",
    /// #     MockResponse::new(200).chunks([Bytes::from("012"), Bytes::from("3456789")]));
    /// # let builder = httplib::Client::builder().base_url("http://api.test");
    /// # let client = builder.backend(mock.clone()).build()?;
    /// let r = client.get("/data").stream_blocking()?; // chunks of 3 and 7 bytes arrive
    /// let chunks: Vec<bytes::Bytes> = r.iter_bytes(4).collect::<Result<_, _>>()?;
    /// assert_eq!(chunks, ["0123", "4567", "89"]);
    /// # Ok::<(), httplib::Error>(())
    /// ```
    ///
    /// # Errors
    /// Each item fails as [`chunk`](Self::chunk) does; after an error the iterator ends.
    ///
    /// # Platform
    /// Native only: there is no blocking in the browser or Node.
    pub fn iter_bytes(self, chunk_size: usize) -> impl Iterator<Item = Result<Bytes>> {
        let mut body = self.body;
        let mut buffer = BytesMut::new();
        let mut done = false;
        std::iter::from_fn(move || {
            loop {
                if chunk_size > 0 && buffer.len() >= chunk_size {
                    return Some(Ok(buffer.split_to(chunk_size).freeze()));
                }
                if done {
                    return (!buffer.is_empty()).then(|| Ok(buffer.split().freeze()));
                }
                match crate::runtime::block_on(body.next()) {
                    Err(e) | Ok(Some(Err(e))) => {
                        done = true;
                        buffer.clear();
                        return Some(Err(e));
                    }
                    Ok(None) => done = true,
                    Ok(Some(Ok(chunk))) if chunk_size == 0 => return Some(Ok(chunk)),
                    Ok(Some(Ok(chunk))) => buffer.extend_from_slice(&chunk),
                }
            }
        })
    }

    /// The body as text lines, blocking the calling thread for each: httpx's `iter_lines()`.
    ///
    /// # Examples
    /// ```
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # use bytes::Bytes;
    /// # let mock = MockBackend::new();
    /// # mock.on(httplib::Method::GET, "/log",
    /// #     MockResponse::new(200).chunks([Bytes::from("first\r\nsec"), Bytes::from("ond\n")]));
    /// # let builder = httplib::Client::builder().base_url("http://api.test");
    /// # let client = builder.backend(mock.clone()).build()?;
    /// let r = client.get("/log").stream_blocking()?;
    /// let lines: Vec<String> = r.iter_lines().collect::<Result<_, _>>()?;
    /// assert_eq!(lines, ["first", "second"]);
    /// # Ok::<(), httplib::Error>(())
    /// ```
    ///
    /// # Errors
    /// Each item fails as in [`lines`](Self::lines); after an error the iterator ends.
    ///
    /// # Platform
    /// Native only: there is no blocking in the browser or Node.
    pub fn iter_lines(self) -> impl Iterator<Item = Result<String>> {
        let mut state = Some(Lines::new(&self.head, self.body, self.max_line_length));
        std::iter::from_fn(move || {
            let lines = state.as_mut()?;
            match crate::runtime::block_on(lines.next_line()) {
                Ok(Some(line)) => Some(line),
                Ok(None) => None,
                Err(e) => {
                    state = None;
                    Some(Err(e))
                }
            }
        })
    }

    /// Writes the rest of the body to `writer`, blocking: the twin of
    /// [`copy_to`](Self::copy_to).
    ///
    /// # Errors
    /// As [`copy_to`](Self::copy_to).
    ///
    /// # Examples
    /// ```
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # use bytes::Bytes;
    /// # let mock = MockBackend::new();
    /// # mock.on(httplib::Method::GET, "/data",
    /// #     MockResponse::new(200).chunks([Bytes::from("012"), Bytes::from("3456789")]));
    /// # let builder = httplib::Client::builder().base_url("http://api.test");
    /// # let client = builder.backend(mock.clone()).build()?;
    /// let mut r = client.get("/data").stream_blocking()?;
    /// let mut out = Vec::new(); // any `std::io::Write`: a `std::fs::File`, say
    /// let written = r.copy_to_blocking(&mut out)?;
    /// assert_eq!((written, out.as_slice()), (10, &b"0123456789"[..]));
    /// # Ok::<(), httplib::Error>(())
    /// ```
    ///
    /// # Platform
    /// Native only.
    pub fn copy_to_blocking<W: std::io::Write + ?Sized>(&mut self, writer: &mut W) -> Result<u64> {
        let mut written = 0;
        while let Some(chunk) = crate::runtime::block_on(self.chunk())?? {
            writer.write_all(&chunk).map_err(local_io)?;
            written += chunk.len() as u64;
        }
        writer.flush().map_err(local_io)?;
        Ok(written)
    }

    /// Reads the rest of the body into a [`Response`], blocking: the twin of
    /// [`read`](Self::read).
    ///
    /// # Errors
    /// As [`chunk`](Self::chunk).
    ///
    /// # Examples
    /// ```
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # use bytes::Bytes;
    /// # let mock = MockBackend::new();
    /// # mock.on(httplib::Method::GET, "/items", MockResponse::new(200).json(&[1, 2]));
    /// # let builder = httplib::Client::builder().base_url("http://api.test");
    /// # let client = builder.backend(mock.clone()).build()?;
    /// let r = client.get("/items").stream_blocking()?;
    /// assert_eq!(r.headers()["content-type"], "application/json");
    /// let r = r.read_blocking()?;
    /// assert_eq!(r.json::<Vec<u32>>()?, [1, 2]);
    /// # Ok::<(), httplib::Error>(())
    /// ```
    ///
    /// # Platform
    /// Native only.
    pub fn read_blocking(self) -> Result<Response> {
        crate::runtime::block_on(self.read())?
    }
}

/// Handing a streamed body to JavaScript, on wasm32.
#[cfg(js)]
impl StreamingResponse {
    /// The body as a JS `ReadableStream` of `Uint8Array` chunks. A fetch body that nothing
    /// has read yet is handed over as the platform gave it, without passing its chunks
    /// through Rust (the read timeout between chunks then no longer applies); any other body
    /// is wrapped.
    ///
    /// # Examples
    /// ```no_run
    /// # async fn run() -> httplib::Result<()> {
    /// let r = httplib::Client::new().get("https://example.com/video.mp4").stream().await?;
    /// let stream: web_sys::ReadableStream = r.into_readable_stream();
    /// assert!(!stream.locked()); // for JS to read, or to hand to `new Response(stream)`
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Platform
    /// wasm32 only.
    pub fn into_readable_stream(mut self) -> web_sys::ReadableStream {
        if let Some(raw) = self.body.take_raw() {
            return raw;
        }
        let chunks = self.body.map(|chunk| match chunk {
            Ok(bytes) => Ok(wasm_bindgen::JsValue::from(js_sys::Uint8Array::from(
                &bytes[..],
            ))),
            Err(e) => Err(wasm_bindgen::JsValue::from(js_sys::Error::new(
                &e.to_string(),
            ))),
        });
        wasm_streams::ReadableStream::from_stream(chunks).into_raw()
    }
}

#[cfg(native)]
fn local_io(e: std::io::Error) -> Error {
    Error::new(crate::ErrorKind::Io, "writing the body failed").with_source(e)
}

impl std::ops::Deref for StreamingResponse {
    type Target = ResponseHead;

    fn deref(&self) -> &ResponseHead {
        &self.head
    }
}

impl std::ops::DerefMut for StreamingResponse {
    fn deref_mut(&mut self) -> &mut ResponseHead {
        &mut self.head
    }
}

impl fmt::Debug for StreamingResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StreamingResponse")
            .field("status", &self.head.status)
            .field("version", &self.head.version())
            .field("url", &self.head.url.as_str())
            .field("headers", &self.head.headers)
            .finish_non_exhaustive()
    }
}

/// A body split into lines (`\n`, `\r\n` or `\r`), each as bytes without its ending.
pub(crate) struct RawLines {
    body: ResponseBody,
    splitter: LineSplitter,
    ready: VecDeque<Bytes>,
    ended: bool,
    /// An error to give once the lines before it are out.
    failed: Option<Error>,
}

impl RawLines {
    fn new(body: ResponseBody, max_line_length: usize) -> RawLines {
        RawLines {
            body,
            splitter: LineSplitter::new(max_line_length),
            ready: VecDeque::new(),
            ended: false,
            failed: None,
        }
    }

    /// The next line, `None` at the end; a read error ends the lines.
    pub(crate) async fn next(&mut self) -> Option<Result<Bytes>> {
        loop {
            if let Some(line) = self.ready.pop_front() {
                return Some(Ok(line));
            }
            if self.ended {
                return self.failed.take().map(Err);
            }
            match self.body.next().await {
                Some(Ok(chunk)) => {
                    if let Err(e) = self.splitter.push(chunk, &mut self.ready) {
                        // The lines before the long one come first, then the error.
                        self.ended = true;
                        self.failed = Some(e);
                    }
                }
                Some(Err(e)) => {
                    self.ended = true;
                    return Some(Err(e));
                }
                None => {
                    self.ended = true;
                    self.ready.extend(self.splitter.finish());
                }
            }
        }
    }
}

/// The state of a body read as lines of text, in the charset of its `Content-Type`.
struct Lines {
    raw: RawLines,
    charset: Charset,
}

impl Lines {
    fn new(head: &ResponseHead, body: ResponseBody, max_line_length: usize) -> Lines {
        Lines {
            raw: RawLines::new(body, max_line_length),
            charset: Charset::of(&head.headers),
        }
    }

    /// The next line, `None` at the end; a read error ends the lines.
    async fn next_line(&mut self) -> Option<Result<String>> {
        let line = self.raw.next().await?;
        Some(line.and_then(|line| self.charset.decode(&line, false)))
    }
}
