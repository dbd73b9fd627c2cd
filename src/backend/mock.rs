//! An in-memory backend with scripted responses that records every request: for testing
//! code that uses httplib without a network, on every target.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use futures_util::TryStreamExt;
use http::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use http::{Method, StatusCode};
use url::Url;

use super::{Backend, SendOptions};
use crate::body::{Body, BodyParts, ResponseBody};
use crate::error::{Error, ErrorKind, Result};
use crate::runtime::BoxFuture;

type Handler = Arc<dyn Fn(&RecordedRequest) -> Option<MockResponse> + Send + Sync>;

/// A backend that answers from a script and records what it was sent.
///
/// Rules are tried in the order they were added; the first that answers wins. A request
/// no rule answers gets a 404 whose body says so. Clones share rules and records, so keep
/// one clone to inspect after giving another to [`ClientBuilder::backend`](crate::ClientBuilder::backend).
///
/// # Examples
/// ```
/// use httplib::backend::mock::{MockBackend, MockResponse};
/// use httplib::Method;
///
/// let mock = MockBackend::new();
/// mock.on(Method::GET, "/items", MockResponse::new(200).json(&serde_json::json!([1, 2])));
/// let client = httplib::Client::builder()
///     .base_url("http://api.test")
///     .backend(mock.clone())
///     .build()
///     .unwrap();
/// # #[cfg(not(target_arch = "wasm32"))] {
/// let r = client.get("/items").send_blocking().unwrap();
/// assert_eq!(r.json::<Vec<i32>>().unwrap(), [1, 2]);
/// assert_eq!(mock.requests()[0].url.as_str(), "http://api.test/items");
/// # }
/// ```
#[derive(Clone, Default)]
pub struct MockBackend {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    rules: Mutex<Vec<Handler>>,
    requests: Mutex<Vec<RecordedRequest>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl MockBackend {
    /// A backend with no rules yet.
    ///
    /// # Examples
    /// ```
    /// use httplib::backend::mock::MockBackend;
    ///
    /// let mock = MockBackend::new();
    /// let client = httplib::Client::builder().backend(mock.clone()).build()?;
    /// let r = client.get("http://api.test/anything").send_blocking()?;
    /// assert_eq!(r.status_code(), 404); // no rule answers yet
    /// assert_eq!(r.text()?, "no mock rule answers GET http://api.test/anything");
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn new() -> MockBackend {
        MockBackend::default()
    }

    /// Answers every `method` request whose URL path is `path` with `response`.
    ///
    /// # Examples
    /// ```
    /// use httplib::backend::mock::{MockBackend, MockResponse};
    /// use httplib::Method;
    ///
    /// let mock = MockBackend::new();
    /// mock.on(Method::GET, "/items", MockResponse::new(200).json(&[1, 2]))
    ///     .on(Method::POST, "/items", MockResponse::new(201));
    /// let client = httplib::Client::builder().backend(mock.clone()).build()?;
    /// assert_eq!(client.post("http://api.test/items").send_blocking()?.status_code(), 201);
    /// // The query is not part of the match:
    /// assert_eq!(client.get("http://api.test/items?page=2").send_blocking()?.status_code(), 200);
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn on(&self, method: Method, path: &str, response: MockResponse) -> &MockBackend {
        let path = path.to_owned();
        self.handle(move |r| (r.method == method && r.url.path() == path).then(|| response.clone()))
    }

    /// Like [`on`](MockBackend::on), for the first matching request only: later ones pass
    /// to the next rule. Scripts a sequence (a failure, then a success).
    ///
    /// ```
    /// use httplib::backend::mock::{MockBackend, MockResponse};
    /// use httplib::Method;
    ///
    /// let mock = MockBackend::new();
    /// mock.once(Method::GET, "/flaky", MockResponse::new(503))
    ///     .on(Method::GET, "/flaky", MockResponse::new(200));
    /// let client = httplib::Client::builder().backend(mock.clone()).build()?;
    /// assert_eq!(client.get("http://api.test/flaky").send_blocking()?.status_code(), 503);
    /// assert_eq!(client.get("http://api.test/flaky").send_blocking()?.status_code(), 200);
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn once(&self, method: Method, path: &str, response: MockResponse) -> &MockBackend {
        let path = path.to_owned();
        let used = std::sync::atomic::AtomicBool::new(false);
        self.handle(move |r| {
            let matches = r.method == method && r.url.path() == path;
            (matches && !used.swap(true, std::sync::atomic::Ordering::SeqCst))
                .then(|| response.clone())
        })
    }

    /// Answers with whatever `rule` returns; `None` passes the request to the next rule.
    ///
    /// # Examples
    /// ```
    /// use httplib::backend::mock::{MockBackend, MockResponse};
    /// use httplib::Method;
    ///
    /// let mock = MockBackend::new();
    /// mock.handle(|r| {
    ///     let id = r.url.path().strip_prefix("/users/")?;
    ///     Some(MockResponse::new(200).text(format!("user {id}")))
    /// });
    /// let client = httplib::Client::builder().backend(mock.clone()).build()?;
    /// assert_eq!(client.get("http://api.test/users/7").send_blocking()?.text()?, "user 7");
    /// assert_eq!(client.get("http://api.test/other").send_blocking()?.status_code(), 404);
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn handle<F>(&self, rule: F) -> &MockBackend
    where
        F: Fn(&RecordedRequest) -> Option<MockResponse> + Send + Sync + 'static,
    {
        lock(&self.inner.rules).push(Arc::new(rule));
        self
    }

    /// Every request received so far, oldest first.
    ///
    /// # Examples
    /// ```
    /// use httplib::backend::mock::{MockBackend, MockResponse};
    /// use httplib::Method;
    ///
    /// let mock = MockBackend::new();
    /// let client = httplib::Client::builder().backend(mock.clone()).build()?;
    /// let item = serde_json::json!({"name": "ada"});
    /// client.post("http://api.test/items").json(&item).send_blocking()?;
    /// let sent = &mock.requests()[0];
    /// assert_eq!(sent.method, Method::POST);
    /// assert_eq!(sent.headers["content-type"], "application/json");
    /// assert_eq!(sent.body, r#"{"name":"ada"}"#);
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.inner.requests).clone()
    }

    fn answer(&self, request: &RecordedRequest) -> MockResponse {
        let rules: Vec<Handler> = lock(&self.inner.rules).clone();
        rules
            .iter()
            .find_map(|rule| rule(request))
            .unwrap_or_else(|| {
                MockResponse::new(404).text(format!(
                    "no mock rule answers {} {}",
                    request.method, request.url
                ))
            })
    }
}

impl fmt::Debug for MockBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockBackend")
            .field("rules", &lock(&self.inner.rules).len())
            .field("requests", &lock(&self.inner.requests).len())
            .finish()
    }
}

impl Backend for MockBackend {
    fn send(
        &self,
        request: http::Request<Body>,
        options: SendOptions,
    ) -> BoxFuture<'_, Result<http::Response<ResponseBody>>> {
        Box::pin(async move {
            let (parts, body) = request.into_parts();
            let body = match body.into_parts() {
                BodyParts::Bytes(bytes) => bytes,
                BodyParts::Stream(stream) => {
                    let chunks: Vec<Bytes> = stream.try_collect().await.map_err(|e| {
                        Error::new(ErrorKind::Write, "reading the request body failed")
                            .with_source(e)
                    })?;
                    Bytes::from(chunks.concat())
                }
            };
            let url = Url::parse(&parts.uri.to_string())
                .map_err(|e| Error::new(ErrorKind::InvalidUrl, "bad URI").with_source(e))?;
            let recorded = RecordedRequest {
                method: parts.method,
                url,
                headers: parts.headers,
                body,
            };
            let answer = self.answer(&recorded);
            lock(&self.inner.requests).push(recorded);

            if let Some(delay) = answer.delay {
                let wait = crate::timeouts::within(
                    async {
                        crate::runtime::sleep(delay).await;
                        Ok(())
                    },
                    options.timeout.read,
                    ErrorKind::ReadTimeout,
                );
                wait.await?;
            }
            if let Some(mistake) = answer.mistake {
                return Err(Error::builder(format!(
                    "the mock response is invalid: {mistake}"
                )));
            }
            if let Some(kind) = answer.error {
                return Err(Error::new(kind, "scripted failure (MockResponse::error)"));
            }
            let mut response = http::Response::new(ResponseBody::from_stream(
                futures_util::stream::iter(answer.chunks.into_iter().map(Ok)),
            ));
            *response.status_mut() = answer.status;
            *response.headers_mut() = answer.headers;
            Ok(response)
        })
    }
}

/// A request as the [`MockBackend`] received it: final headers, absolute URL, whole body.
///
/// # Examples
/// A rule that echoes what it was sent:
/// ```
/// use httplib::backend::mock::{MockBackend, MockResponse, RecordedRequest};
///
/// let mock = MockBackend::new();
/// mock.handle(|r: &RecordedRequest| Some(MockResponse::new(200).body(r.body.clone())));
/// let client = httplib::Client::builder().backend(mock.clone()).build()?;
/// let r = client.put("http://api.test/echo").content("echo me").send_blocking()?;
/// assert_eq!(r.text()?, "echo me");
/// # Ok::<(), httplib::Error>(())
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct RecordedRequest {
    /// The method.
    pub method: Method,
    /// The absolute URL.
    pub url: Url,
    /// The headers as sent, defaults, cookies and auth included.
    pub headers: HeaderMap,
    /// The body.
    pub body: Bytes,
}

/// A scripted response.
///
/// # Examples
/// ```
/// use httplib::backend::mock::{MockBackend, MockResponse};
/// use httplib::Method;
///
/// let mock = MockBackend::new();
/// mock.on(Method::GET, "/", MockResponse::new(200).header("X-Request-Id", "42").text("hello"));
/// let client = httplib::Client::builder().backend(mock.clone()).build()?;
/// let r = client.get("http://api.test/").send_blocking()?;
/// assert_eq!(r.headers()["x-request-id"], "42");
/// assert_eq!(r.text()?, "hello");
/// # Ok::<(), httplib::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct MockResponse {
    status: StatusCode,
    headers: HeaderMap,
    chunks: Vec<Bytes>,
    delay: Option<Duration>,
    error: Option<ErrorKind>,
    /// A mistake in the script (an invalid status or header, a value that would not
    /// serialize), reported by the request that gets this response.
    mistake: Option<String>,
}

impl MockResponse {
    /// A response with this status and no body. An invalid status fails the request that
    /// gets it with a [`Builder`](ErrorKind::Builder) error naming it.
    ///
    /// # Examples
    /// ```
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # use httplib::Method;
    /// # let mock = MockBackend::new();
    /// mock.on(Method::GET, "/teapot", MockResponse::new(418))
    ///     .on(Method::GET, "/bad", MockResponse::new(1000));
    /// # let client = httplib::Client::builder().backend(mock.clone()).build()?;
    /// assert_eq!(client.get("http://api.test/teapot").send_blocking()?.status_code(), 418);
    /// let err = client.get("http://api.test/bad").send_blocking().unwrap_err();
    /// assert!(err.to_string().contains("1000"));
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn new(status: u16) -> MockResponse {
        let (status, mistake) = match StatusCode::from_u16(status) {
            Ok(status) => (status, None),
            Err(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                Some(format!("{status} is not a valid status")),
            ),
        };
        MockResponse {
            status,
            headers: HeaderMap::new(),
            chunks: Vec::new(),
            delay: None,
            error: None,
            mistake,
        }
    }

    fn mistake(mut self, mistake: String) -> MockResponse {
        self.mistake.get_or_insert(mistake);
        self
    }

    /// Adds a header. An invalid name or value fails the request that gets this response
    /// with a [`Builder`](ErrorKind::Builder) error naming it.
    ///
    /// # Examples
    /// ```
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # use httplib::Method;
    /// # let mock = MockBackend::new();
    /// mock.on(Method::GET, "/login", MockResponse::new(200)
    ///     .header("Set-Cookie", "a=1")
    ///     .header("Set-Cookie", "b=2"));
    /// # let client = httplib::Client::builder().backend(mock.clone()).build()?;
    /// let r = client.get("http://api.test/login").send_blocking()?;
    /// assert_eq!(r.headers().get_all("set-cookie").iter().count(), 2);
    /// # Ok::<(), httplib::Error>(())
    /// ```
    #[must_use]
    pub fn header(mut self, name: &str, value: &str) -> MockResponse {
        match (HeaderName::try_from(name), HeaderValue::try_from(value)) {
            (Ok(name), Ok(value)) => {
                self.headers.append(name, value);
                self
            }
            _ => self.mistake(format!("the header {name:?}: {value:?} is invalid")),
        }
    }

    /// Sets the body.
    ///
    /// # Examples
    /// ```
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # use httplib::Method;
    /// # let mock = MockBackend::new();
    /// mock.on(Method::GET, "/bytes", MockResponse::new(200).body(vec![0u8, 1, 2]));
    /// # let client = httplib::Client::builder().backend(mock.clone()).build()?;
    /// assert_eq!(client.get("http://api.test/bytes").send_blocking()?.bytes()[..], [0, 1, 2]);
    /// # Ok::<(), httplib::Error>(())
    /// ```
    #[must_use]
    pub fn body(mut self, body: impl Into<Bytes>) -> MockResponse {
        self.chunks = vec![body.into()];
        self
    }

    /// Sets the body, sent as these separate chunks.
    ///
    /// # Examples
    /// ```
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # use httplib::Method;
    /// # let mock = MockBackend::new();
    /// use bytes::Bytes;
    ///
    /// let chunks = [Bytes::from("ab"), Bytes::from("c")];
    /// mock.on(Method::GET, "/slow", MockResponse::new(200).chunks(chunks));
    /// # let client = httplib::Client::builder().backend(mock.clone()).build()?;
    /// let r = client.get("http://api.test/slow").stream_blocking()?;
    /// let chunks: Vec<Bytes> = r.iter_bytes(0).collect::<Result<_, _>>()?; // as they arrive
    /// assert_eq!(chunks, ["ab", "c"]);
    /// # Ok::<(), httplib::Error>(())
    /// ```
    #[must_use]
    pub fn chunks<I: IntoIterator<Item = Bytes>>(mut self, chunks: I) -> MockResponse {
        self.chunks = chunks.into_iter().collect();
        self
    }

    /// Sets a text body with `Content-Type: text/plain; charset=utf-8`.
    ///
    /// # Examples
    /// ```
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # use httplib::Method;
    /// # let mock = MockBackend::new();
    /// mock.on(Method::GET, "/hello", MockResponse::new(200).text("héllo"));
    /// # let client = httplib::Client::builder().backend(mock.clone()).build()?;
    /// let r = client.get("http://api.test/hello").send_blocking()?;
    /// assert_eq!(r.headers()["content-type"], "text/plain; charset=utf-8");
    /// assert_eq!(r.text()?, "héllo");
    /// # Ok::<(), httplib::Error>(())
    /// ```
    #[must_use]
    pub fn text(self, text: impl Into<String>) -> MockResponse {
        self.content_type("text/plain; charset=utf-8")
            .body(Bytes::from(text.into()))
    }

    #[cfg(feature = "json")]
    /// Sets a JSON body with `Content-Type: application/json`.
    ///
    /// A value that fails to serialize fails the request that gets this response with a
    /// [`Builder`](ErrorKind::Builder) error.
    ///
    /// # Examples
    /// ```
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # use httplib::Method;
    /// # let mock = MockBackend::new();
    /// mock.on(Method::GET, "/user", MockResponse::new(200).json(&serde_json::json!({"id": 7})));
    /// # let client = httplib::Client::builder().backend(mock.clone()).build()?;
    /// let r = client.get("http://api.test/user").send_blocking()?;
    /// assert_eq!(r.headers()["content-type"], "application/json");
    /// assert_eq!(r.json::<serde_json::Value>()?["id"], 7);
    /// # Ok::<(), httplib::Error>(())
    /// ```
    #[must_use]
    pub fn json<T: serde::Serialize + ?Sized>(self, value: &T) -> MockResponse {
        match serde_json::to_vec(value) {
            Ok(body) => self.content_type("application/json").body(body),
            Err(e) => self.mistake(format!("the JSON body does not serialize: {e}")),
        }
    }

    /// Waits this long before answering (subject to the request's read timeout).
    ///
    /// # Examples
    /// ```
    /// use std::time::Duration;
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # use httplib::Method;
    /// # let mock = MockBackend::new();
    ///
    /// mock.on(Method::GET, "/slow", MockResponse::new(200).delay(Duration::from_millis(100)));
    /// # let client = httplib::Client::builder().backend(mock.clone()).build()?;
    /// assert!(client.get("http://api.test/slow").send_blocking()?.is_success()); // within 5 s
    /// let hurried = client.get("http://api.test/slow").timeout(Duration::from_millis(10));
    /// assert!(hurried.send_blocking().unwrap_err().is_timeout());
    /// # Ok::<(), httplib::Error>(())
    /// ```
    #[must_use]
    pub fn delay(mut self, delay: Duration) -> MockResponse {
        self.delay = Some(delay);
        self
    }

    /// Fails the request with an error of this kind instead of answering.
    ///
    /// # Examples
    /// ```
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # use httplib::Method;
    /// # let mock = MockBackend::new();
    /// use httplib::ErrorKind;
    ///
    /// mock.on(Method::GET, "/down", MockResponse::new(200).error(ErrorKind::Connect));
    /// # let client = httplib::Client::builder().backend(mock.clone()).build()?;
    /// let err = client.get("http://api.test/down").send_blocking().unwrap_err();
    /// assert!(err.is_connect() && err.is_request());
    /// # Ok::<(), httplib::Error>(())
    /// ```
    #[must_use]
    pub fn error(mut self, kind: ErrorKind) -> MockResponse {
        self.error = Some(kind);
        self
    }

    fn content_type(mut self, value: &'static str) -> MockResponse {
        self.headers
            .insert(CONTENT_TYPE, HeaderValue::from_static(value));
        self
    }
}
