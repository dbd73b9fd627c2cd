//! Request and response bodies as the front-end and the backends exchange them.

use std::fmt;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_core::Stream;

use crate::error::{BoxError, Error};
use crate::runtime::{BoxStream, MaybeSend, MaybeSync};

/// A stream of body chunks, `Send` natively.
///
/// # Examples
/// ```
/// use futures_util::TryStreamExt;
/// use httplib::BodyStream;
///
/// let stream: BodyStream = Box::pin(futures_util::stream::iter([
///     Ok::<_, httplib::BoxError>(bytes::Bytes::from("one ")),
///     Ok(bytes::Bytes::from("two")),
/// ]));
/// let chunks: Vec<bytes::Bytes> = futures_executor::block_on(stream.try_collect()).unwrap();
/// assert_eq!(chunks.concat(), b"one two");
/// ```
pub type BodyStream = BoxStream<'static, Result<Bytes, BoxError>>;

/// Makes a replayable body's stream afresh: `Send + Sync` natively, like the client; on
/// wasm32 it may hold JS values (a progress callback).
trait Factory: Fn() -> BodyStream + MaybeSend + MaybeSync {}
impl<F: Fn() -> BodyStream + MaybeSend + MaybeSync + ?Sized> Factory for F {}

type StreamFactory = Arc<dyn Factory>;

/// The body of a request: nothing, bytes in memory, or a stream.
///
/// A body in memory, or one built by a factory (as multipart forms with files are), can be
/// sent again: for a 307/308 redirect, a Digest auth challenge, or a retry on a stale
/// connection. A one-shot stream cannot; the README lists what happens then.
///
/// # Examples
/// ```
/// use httplib::Body;
///
/// let body = Body::from("raw text");
/// assert_eq!(body.content_length(), Some(8));
/// assert!(body.try_clone().is_some());
/// ```
pub struct Body {
    kind: Kind,
}

enum Kind {
    Empty,
    Bytes(Bytes),
    Stream {
        stream: BodyStream,
        len: Option<u64>,
    },
    Replayable {
        factory: StreamFactory,
        len: Option<u64>,
    },
}

impl Body {
    /// An empty body.
    ///
    /// # Examples
    /// ```
    /// let body = httplib::Body::empty();
    /// assert!(body.is_empty());
    /// assert_eq!(body.as_bytes(), Some(&b""[..]));
    /// ```
    pub fn empty() -> Body {
        Body { kind: Kind::Empty }
    }

    /// A body read from `stream`, sent once. `len`, when known, becomes the
    /// `Content-Length`; otherwise HTTP/1.1 sends it chunked.
    ///
    /// # Examples
    /// ```
    /// use httplib::Body;
    /// # use httplib::backend::mock::MockBackend;
    /// # let mock = MockBackend::new();
    /// # let client = httplib::Client::builder().backend(mock.clone()).build()?;
    ///
    /// let lines = ["log line 1\n", "log line 2\n"];
    /// let chunks = lines.map(|s| Ok::<_, std::io::Error>(bytes::Bytes::from(s)));
    /// let body = Body::from_stream(futures_util::stream::iter(chunks), None);
    /// assert!(body.try_clone().is_none()); // one-shot: it cannot be sent again
    /// client.post("http://api.test/logs").content(body).send_blocking()?;
    /// assert_eq!(mock.requests()[0].body, "log line 1\nlog line 2\n");
    /// # Ok::<(), httplib::Error>(())
    /// ```
    ///
    /// # Platform
    /// On wasm32 in Node the `fetch` backend streams it too (chunked, or with
    /// `Content-Length` when `len` is given); in browsers, which stream uploads only over
    /// HTTP/2, it reads the whole stream into memory before sending it.
    pub fn from_stream<S, E>(stream: S, len: Option<u64>) -> Body
    where
        S: Stream<Item = Result<Bytes, E>> + MaybeSend + 'static,
        E: Into<BoxError> + 'static,
    {
        use futures_util::TryStreamExt;
        Body {
            kind: Kind::Stream {
                stream: Box::pin(stream.map_err(Into::into)),
                len,
            },
        }
    }

    /// A body that `factory` produces afresh each time it is sent, so it can be replayed.
    ///
    /// # Examples
    /// ```
    /// use httplib::{Body, BodyStream};
    ///
    /// let body = Body::from_factory(
    ///     || -> BodyStream {
    ///         Box::pin(futures_util::stream::iter([Ok(bytes::Bytes::from("again"))]))
    ///     },
    ///     Some(5),
    /// );
    /// assert!(body.try_clone().is_some()); // can be replayed: each send calls the factory
    /// assert_eq!(body.content_length(), Some(5));
    /// ```
    pub fn from_factory<F>(factory: F, len: Option<u64>) -> Body
    where
        F: Fn() -> BodyStream + Send + Sync + 'static,
    {
        Body {
            kind: Kind::Replayable {
                factory: Arc::new(factory),
                len,
            },
        }
    }

    /// This body seen through `wrap` (progress tracking), with the same length and as
    /// replayable as before: `wrap` runs on each fresh stream of a replayable body, and a
    /// body in memory becomes a replayable stream that hands `wrap` its bytes each time.
    pub(crate) fn wrap<F>(self, wrap: F) -> Body
    where
        F: Fn(BodyParts) -> BodyStream + MaybeSend + MaybeSync + 'static,
    {
        let bytes = match self.kind {
            Kind::Empty => Bytes::new(),
            Kind::Bytes(bytes) => bytes,
            Kind::Stream { stream, len } => {
                let stream = wrap(BodyParts::Stream(stream));
                return Body {
                    kind: Kind::Stream { stream, len },
                };
            }
            Kind::Replayable { factory, len } => {
                let factory: StreamFactory = Arc::new(move || wrap(BodyParts::Stream(factory())));
                return Body {
                    kind: Kind::Replayable { factory, len },
                };
            }
        };
        let len = Some(bytes.len() as u64);
        let factory: StreamFactory = Arc::new(move || wrap(BodyParts::Bytes(bytes.clone())));
        Body {
            kind: Kind::Replayable { factory, len },
        }
    }

    /// The body's length in bytes, when known before sending.
    ///
    /// # Examples
    /// ```
    /// use httplib::Body;
    ///
    /// assert_eq!(Body::from("12345").content_length(), Some(5));
    /// let unknown = futures_util::stream::empty::<Result<bytes::Bytes, httplib::BoxError>>();
    /// assert_eq!(Body::from_stream(unknown, None).content_length(), None);
    /// ```
    pub fn content_length(&self) -> Option<u64> {
        match &self.kind {
            Kind::Empty => Some(0),
            Kind::Bytes(b) => Some(b.len() as u64),
            Kind::Stream { len, .. } | Kind::Replayable { len, .. } => *len,
        }
    }

    /// True for a body known to be empty.
    ///
    /// # Examples
    /// ```
    /// use httplib::Body;
    ///
    /// assert!(Body::empty().is_empty());
    /// assert!(Body::from("").is_empty());
    /// assert!(!Body::from("x").is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.content_length() == Some(0)
    }

    /// The bytes of a body held in memory.
    ///
    /// # Examples
    /// ```
    /// use httplib::Body;
    ///
    /// assert_eq!(Body::from("abc").as_bytes(), Some(&b"abc"[..]));
    /// let stream = futures_util::stream::empty::<Result<bytes::Bytes, httplib::BoxError>>();
    /// assert_eq!(Body::from_stream(stream, None).as_bytes(), None);
    /// ```
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match &self.kind {
            Kind::Empty => Some(&[]),
            Kind::Bytes(b) => Some(b),
            _ => None,
        }
    }

    /// A copy that can be sent again, or `None` for a one-shot stream.
    ///
    /// # Examples
    /// ```
    /// use httplib::Body;
    ///
    /// assert!(Body::from("in memory").try_clone().is_some());
    /// let stream = futures_util::stream::empty::<Result<bytes::Bytes, httplib::BoxError>>();
    /// assert!(Body::from_stream(stream, None).try_clone().is_none());
    /// ```
    pub fn try_clone(&self) -> Option<Body> {
        let kind = match &self.kind {
            Kind::Empty => Kind::Empty,
            Kind::Bytes(b) => Kind::Bytes(b.clone()),
            Kind::Stream { .. } => return None,
            Kind::Replayable { factory, len } => Kind::Replayable {
                factory: factory.clone(),
                len: *len,
            },
        };
        Some(Body { kind })
    }

    /// The body as bytes in memory ([`BodyParts::Bytes`]), or as a stream to read
    /// ([`BodyParts::Stream`]); a replayable body gives a fresh stream from its factory.
    ///
    /// # Examples
    /// ```
    /// use httplib::{Body, BodyParts};
    ///
    /// match Body::from("abc").into_parts() {
    ///     BodyParts::Bytes(bytes) => assert_eq!(bytes, "abc"),
    ///     BodyParts::Stream(_) => unreachable!("a body in memory comes back as bytes"),
    /// }
    /// ```
    pub fn into_parts(self) -> BodyParts {
        match self.kind {
            Kind::Empty => BodyParts::Bytes(Bytes::new()),
            Kind::Bytes(b) => BodyParts::Bytes(b),
            Kind::Stream { stream, .. } => BodyParts::Stream(stream),
            Kind::Replayable { factory, .. } => BodyParts::Stream(factory()),
        }
    }
}

/// A [`Body`] taken apart by a backend: bytes to send at once, or a stream to pull.
///
/// # Examples
/// A backend reading a whole request body, however it was given:
/// ```
/// use futures_util::TryStreamExt;
/// use httplib::{Body, BodyParts};
///
/// let chunks = [Ok::<_, std::io::Error>(bytes::Bytes::from("streamed"))];
/// let body = Body::from_stream(futures_util::stream::iter(chunks), None);
/// let bytes = match body.into_parts() {
///     BodyParts::Bytes(bytes) => bytes.to_vec(),
///     BodyParts::Stream(stream) => {
///         let chunks: Vec<bytes::Bytes> =
///             futures_executor::block_on(stream.try_collect()).unwrap();
///         chunks.concat()
///     }
/// };
/// assert_eq!(bytes, b"streamed");
/// ```
pub enum BodyParts {
    /// The whole body, in memory.
    Bytes(Bytes),
    /// The body as a stream of chunks.
    Stream(BodyStream),
}

impl Default for Body {
    fn default() -> Body {
        Body::empty()
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Empty => f.write_str("Body(empty)"),
            Kind::Bytes(b) => write!(f, "Body({} bytes)", b.len()),
            Kind::Stream { len, .. } => write!(f, "Body(stream, length {len:?})"),
            Kind::Replayable { len, .. } => write!(f, "Body(replayable stream, length {len:?})"),
        }
    }
}

impl From<Bytes> for Body {
    fn from(b: Bytes) -> Body {
        if b.is_empty() {
            return Body::empty();
        }
        Body {
            kind: Kind::Bytes(b),
        }
    }
}

impl From<Vec<u8>> for Body {
    fn from(v: Vec<u8>) -> Body {
        Bytes::from(v).into()
    }
}

impl From<String> for Body {
    fn from(s: String) -> Body {
        Bytes::from(s).into()
    }
}

impl From<&'static str> for Body {
    fn from(s: &'static str) -> Body {
        Bytes::from_static(s.as_bytes()).into()
    }
}

impl From<&'static [u8]> for Body {
    fn from(s: &'static [u8]) -> Body {
        Bytes::from_static(s).into()
    }
}

/// The body of a response as a backend hands it over: a stream of chunks whose errors are
/// already in the crate's terms.
///
/// # Examples
/// ```
/// use futures_util::TryStreamExt;
/// use httplib::ResponseBody;
///
/// let body = ResponseBody::from(bytes::Bytes::from("hello"));
/// let chunks: Vec<bytes::Bytes> = futures_executor::block_on(body.try_collect())?;
/// assert_eq!(chunks, ["hello"]);
/// # Ok::<(), httplib::Error>(())
/// ```
pub struct ResponseBody {
    stream: BoxStream<'static, Result<Bytes, Error>>,
    /// The server the body comes from, when the backend knows it: a field, not a response
    /// extension, because an extension allocates a map for every response.
    remote_addr: Option<SocketAddr>,
    /// The platform's own stream, for handing to JS untouched while nothing has read it.
    #[cfg(js)]
    raw: Option<RawTaker>,
}

/// Takes a fetch body's `ReadableStream` away from the Rust stream that would read it.
#[cfg(js)]
pub(crate) type RawTaker = Box<dyn FnOnce() -> Option<web_sys::ReadableStream>>;

impl ResponseBody {
    /// A body read from `stream`.
    ///
    /// # Examples
    /// ```
    /// use futures_util::TryStreamExt;
    /// use httplib::ResponseBody;
    ///
    /// let chunks = ["a", "b"].map(|s| Ok(bytes::Bytes::from(s)));
    /// let body = ResponseBody::from_stream(futures_util::stream::iter(chunks));
    /// let all: Vec<bytes::Bytes> = futures_executor::block_on(body.try_collect())?;
    /// assert_eq!(all, ["a", "b"]);
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn from_stream<S>(stream: S) -> ResponseBody
    where
        S: Stream<Item = Result<Bytes, Error>> + MaybeSend + 'static,
    {
        ResponseBody {
            stream: Box::pin(stream),
            remote_addr: None,
            #[cfg(js)]
            raw: None,
        }
    }

    /// A body whose platform stream can be taken by `raw` while still unread.
    #[cfg(js)]
    pub(crate) fn with_raw(mut self, raw: RawTaker) -> ResponseBody {
        self.raw = Some(raw);
        self
    }

    /// The platform's `ReadableStream`, if this body is one nothing has read yet; the Rust
    /// stream then ends empty.
    #[cfg(js)]
    pub(crate) fn take_raw(&mut self) -> Option<web_sys::ReadableStream> {
        self.raw.take().and_then(|take| take())
    }

    /// This body seen through `wrap` (a timeout, an error mapping), keeping the platform
    /// stream reachable.
    pub(crate) fn wrap<S>(self, wrap: impl FnOnce(ResponseBody) -> S) -> ResponseBody
    where
        S: Stream<Item = Result<Bytes, Error>> + MaybeSend + 'static,
    {
        #[cfg(js)]
        {
            let mut this = self;
            let raw = this.raw.take();
            let remote_addr = this.remote_addr;
            let mut wrapped = ResponseBody::from_stream(wrap(this));
            wrapped.raw = raw;
            wrapped.remote_addr = remote_addr;
            wrapped
        }
        #[cfg(not(js))]
        {
            let remote_addr = self.remote_addr;
            let mut wrapped = ResponseBody::from_stream(wrap(self));
            wrapped.remote_addr = remote_addr;
            wrapped
        }
    }

    /// The same body, its errors naming `url` (the response's: a URL that redirects and
    /// decoding did not change).
    pub(crate) fn naming_errors(self, url: url::Url) -> ResponseBody {
        use futures_util::StreamExt;
        self.wrap(|body| body.map(move |chunk| chunk.map_err(|e| e.with_url(&url))))
    }

    /// Tells the address of the server this body comes from: for a custom
    /// [`Backend`](crate::backend::Backend), so that
    /// [`ResponseHead::remote_addr`](crate::ResponseHead::remote_addr) reports it.
    ///
    /// # Examples
    /// ```
    /// use httplib::backend::{Backend, SendOptions};
    /// use httplib::{Body, BoxFuture, ResponseBody, Result};
    ///
    /// struct Local;
    ///
    /// impl Backend for Local {
    ///     fn send(&self, _: http::Request<Body>, _: SendOptions)
    ///         -> BoxFuture<'_, Result<http::Response<ResponseBody>>>
    ///     {
    ///         let body = ResponseBody::empty().with_remote_addr("127.0.0.1:8080".parse().unwrap());
    ///         Box::pin(async { Ok(http::Response::new(body)) })
    ///     }
    /// }
    ///
    /// let client = httplib::Client::builder().backend(Local).build()?;
    /// # #[cfg(not(target_arch = "wasm32"))]
    /// # {
    /// let r = client.get("http://any.test/").send_blocking()?;
    /// assert_eq!(r.remote_addr(), Some("127.0.0.1:8080".parse().unwrap()));
    /// # }
    /// # Ok::<(), httplib::Error>(())
    /// ```
    #[must_use]
    pub fn with_remote_addr(mut self, addr: SocketAddr) -> ResponseBody {
        self.remote_addr = Some(addr);
        self
    }

    /// The address of the server this body comes from, if the backend told it.
    ///
    /// # Examples
    /// ```
    /// let body = httplib::ResponseBody::empty();
    /// assert_eq!(body.remote_addr(), None);
    /// ```
    pub fn remote_addr(&self) -> Option<SocketAddr> {
        self.remote_addr
    }

    /// An empty body.
    ///
    /// # Examples
    /// ```
    /// use futures_util::StreamExt;
    ///
    /// let mut body = httplib::ResponseBody::empty(); // for a 204, say
    /// assert!(futures_executor::block_on(body.next()).is_none());
    /// ```
    pub fn empty() -> ResponseBody {
        ResponseBody::from_stream(futures_util::stream::empty())
    }
}

impl From<Bytes> for ResponseBody {
    fn from(bytes: Bytes) -> ResponseBody {
        if bytes.is_empty() {
            return ResponseBody::empty();
        }
        ResponseBody::from_stream(futures_util::stream::once(std::future::ready(Ok(bytes))))
    }
}

impl Stream for ResponseBody {
    type Item = Result<Bytes, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.stream.as_mut().poll_next(cx)
    }
}

impl fmt::Debug for ResponseBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ResponseBody")
    }
}
