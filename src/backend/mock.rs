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
    pub fn new() -> MockBackend {
        MockBackend::default()
    }

    /// Answers every `method` request whose URL path is `path` with `response`.
    pub fn on(&self, method: Method, path: &str, response: MockResponse) -> &MockBackend {
        let path = path.to_owned();
        self.handle(move |r| (r.method == method && r.url.path() == path).then(|| response.clone()))
    }

    /// Answers with whatever `rule` returns; `None` passes the request to the next rule.
    pub fn handle<F>(&self, rule: F) -> &MockBackend
    where
        F: Fn(&RecordedRequest) -> Option<MockResponse> + Send + Sync + 'static,
    {
        lock(&self.inner.rules).push(Arc::new(rule));
        self
    }

    /// Every request received so far, oldest first.
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
#[derive(Clone, Debug)]
pub struct MockResponse {
    status: StatusCode,
    headers: HeaderMap,
    chunks: Vec<Bytes>,
    delay: Option<Duration>,
    error: Option<ErrorKind>,
}

impl MockResponse {
    /// A response with this status and no body. An invalid status becomes 500.
    pub fn new(status: u16) -> MockResponse {
        MockResponse {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            headers: HeaderMap::new(),
            chunks: Vec::new(),
            delay: None,
            error: None,
        }
    }

    /// Adds a header (ignored if the name or value is invalid).
    #[must_use]
    pub fn header(mut self, name: &str, value: &str) -> MockResponse {
        if let (Ok(name), Ok(value)) = (HeaderName::try_from(name), HeaderValue::try_from(value)) {
            self.headers.append(name, value);
        }
        self
    }

    /// Sets the body.
    #[must_use]
    pub fn body(mut self, body: impl Into<Bytes>) -> MockResponse {
        self.chunks = vec![body.into()];
        self
    }

    /// Sets the body, sent as these separate chunks.
    #[must_use]
    pub fn chunks<I: IntoIterator<Item = Bytes>>(mut self, chunks: I) -> MockResponse {
        self.chunks = chunks.into_iter().collect();
        self
    }

    /// Sets a text body with `Content-Type: text/plain; charset=utf-8`.
    #[must_use]
    pub fn text(self, text: impl Into<String>) -> MockResponse {
        self.content_type("text/plain; charset=utf-8")
            .body(Bytes::from(text.into()))
    }

    /// Sets a JSON body with `Content-Type: application/json`.
    #[must_use]
    pub fn json<T: serde::Serialize + ?Sized>(self, value: &T) -> MockResponse {
        let body = serde_json::to_vec(value).unwrap_or_default();
        self.content_type("application/json").body(body)
    }

    /// Waits this long before answering (subject to the request's read timeout).
    #[must_use]
    pub fn delay(mut self, delay: Duration) -> MockResponse {
        self.delay = Some(delay);
        self
    }

    /// Fails the request with an error of this kind instead of answering.
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
