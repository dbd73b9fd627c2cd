//! The front-end as a stack of layers, each one concern in its own file, all built on the
//! public [`Middleware`] trait: a layer gets the request and the [`Next`] layer, and may
//! change the request, answer it itself, call `next` (once, several times, or not at all)
//! and change what comes back. The platform backend is the innermost `Next`.
//!
//! [`stack`] is the one place that states the order.

mod auth;
#[cfg(feature = "cookies")]
mod cookies;
mod deadline;
mod decode;
mod defaults;
mod drain;
mod hooks;
mod progress;
mod redirect;
mod retry;
#[cfg(feature = "tracing")]
mod trace;
mod transport;

pub(crate) use hooks::Hooks;
#[cfg(all(js, feature = "js-api"))]
pub(crate) use hooks::Refused;

use std::fmt;
use std::sync::Arc;

use crate::client::ClientInner;
use crate::config::Effective;
use crate::error::Result;
use crate::request::Request;
use crate::runtime::BoxFuture;
use crate::streaming::StreamingResponse;

/// A step every request of a client goes through: logging, caching, signing, metrics,
/// a mock... Added with [`ClientBuilder::middleware`](crate::ClientBuilder::middleware);
/// the first added is the outermost.
///
/// A middleware wraps the whole logical request: redirects, auth challenges and retries
/// run inside it, so it is called once per request the caller makes, with the request as
/// the caller built it (default headers added, credentials taken out of the URL). It may
/// change the request, return its own response without calling `next`, or inspect and
/// replace the response or the error that `next` returns. `Next` is `Copy`: calling it
/// again sends the request again.
///
/// The returned future is `Send` natively and need not be on wasm32 (see
/// [`BoxFuture`](crate::BoxFuture)).
///
/// # Panics
/// A panic in a middleware is not caught: it unwinds through the caller's `.await` (or
/// `send_blocking`) as any panic in the caller's own code would. The client stays usable:
/// the request's connection is dropped with it, and other requests are not affected.
///
/// # Examples
/// A middleware that adds a header and counts the responses by status:
/// ```
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use httplib::{BoxFuture, Middleware, Next, Request, Result, StreamingResponse};
/// # use httplib::backend::mock::{MockBackend, MockResponse};
///
/// struct Tagged(Arc<AtomicUsize>);
///
/// impl Middleware for Tagged {
///     fn handle<'a>(&'a self, mut request: Request, next: Next<'a>)
///         -> BoxFuture<'a, Result<StreamingResponse>>
///     {
///         request.headers_mut().insert("x-tag", "7".parse().unwrap());
///         Box::pin(async move {
///             let response = next.run(request).await?;
///             if response.is_success() {
///                 self.0.fetch_add(1, Ordering::Relaxed);
///             }
///             Ok(response)
///         })
///     }
/// }
///
/// # let mock = MockBackend::new();
/// # mock.on(httplib::Method::GET, "/ping", MockResponse::new(200));
/// let ok = Arc::new(AtomicUsize::new(0));
/// let client = httplib::Client::builder()
///     .middleware(Tagged(ok.clone()))
/// #   .backend(mock.clone())
///     .build()?;
/// # #[cfg(not(target_arch = "wasm32"))]
/// client.get("http://api.test/ping").send_blocking()?;
/// # #[cfg(not(target_arch = "wasm32"))]
/// assert_eq!(ok.load(Ordering::Relaxed), 1);
/// # #[cfg(not(target_arch = "wasm32"))]
/// assert_eq!(mock.requests()[0].headers["x-tag"], "7");
/// # Ok::<(), httplib::Error>(())
/// ```
pub trait Middleware: Send + Sync + 'static {
    /// Handles `request`, usually by calling `next.run(request)` and returning what it
    /// returns, changed or not.
    ///
    /// # Examples
    /// A middleware that answers `/health` itself and passes everything else on:
    /// ```
    /// use httplib::{BoxFuture, Middleware, Next, Request, Result, StreamingResponse};
    /// use httplib::{ResponseBody, ResponseHead};
    ///
    /// struct Health;
    ///
    /// impl Middleware for Health {
    ///     fn handle<'a>(&'a self, request: Request, next: Next<'a>)
    ///         -> BoxFuture<'a, Result<StreamingResponse>>
    ///     {
    ///         if request.url().path() != "/health" {
    ///             return next.run(request);
    ///         }
    ///         let head = ResponseHead::new(http::StatusCode::OK, request.url().clone());
    ///         let body = ResponseBody::from(bytes::Bytes::from("up"));
    ///         Box::pin(async move { Ok(StreamingResponse::new(head, body)) })
    ///     }
    /// }
    ///
    /// let client = httplib::Client::builder().middleware(Health).build()?;
    /// # #[cfg(not(target_arch = "wasm32"))]
    /// assert_eq!(client.get("http://unreachable.test/health").send_blocking()?.text()?, "up");
    /// # Ok::<(), httplib::Error>(())
    /// ```
    fn handle<'a>(
        &'a self,
        request: Request,
        next: Next<'a>,
    ) -> BoxFuture<'a, Result<StreamingResponse>>;
}

/// The rest of the stack below a [`Middleware`]: the layers after it and, at the end, the
/// backend. Cheap to copy; each [`run`](Next::run) sends the request it is given.
///
/// # Examples
/// See [`Middleware`].
#[derive(Clone, Copy)]
pub struct Next<'a> {
    client: &'a ClientInner,
    rest: &'a [Arc<dyn Middleware>],
}

impl<'a> Next<'a> {
    /// The whole stack of `client`, from its outermost layer.
    pub(crate) fn start(client: &'a ClientInner) -> Next<'a> {
        Next {
            client,
            rest: &client.stack,
        }
    }

    /// Passes `request` to the next layer (the backend after the last), returning once
    /// the response head has arrived.
    ///
    /// # Examples
    /// See [`Middleware`].
    pub fn run(self, request: Request) -> BoxFuture<'a, Result<StreamingResponse>> {
        match self.rest.split_first() {
            Some((layer, rest)) => layer.handle(
                request,
                Next {
                    client: self.client,
                    rest,
                },
            ),
            None => transport::send(self.client, request),
        }
    }

    /// The client this request is sent by: its configuration, jar and backend.
    pub(crate) fn client(&self) -> &'a ClientInner {
        self.client
    }

    /// The options in force for `request`: its own, else the client's.
    pub(crate) fn config<'r>(&self, request: &'r Request) -> Effective<'r>
    where
        'a: 'r,
    {
        self.client.config.effective(request.config.as_deref())
    }
}

impl fmt::Debug for Next<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Next")
            .field("layers", &self.rest.len())
            .finish()
    }
}

/// The layers every request goes through, outermost first: the one place that states
/// their order. Layers a client cannot need (cookies without a jar, decoding on a backend
/// that decodes itself) are left out, so that they cost nothing.
///
/// 1. the total deadline, over everything below and the body;
/// 2. download progress, of the body the caller reads;
/// 3. defaults: the closed check, credentials out of the URL, default headers (so that a
///    user's middleware sees the request as it will be sent);
/// 4. the user's middleware, in the order added;
/// 5. retries: the whole redirect chain again, under the request's `Retry` policy (the
///    `on_retry` hooks before each wait);
/// 6. redirects: the loop over hops, each hop's target checked against the base URL;
/// 7. auth: the `Authorization` of each hop, and Digest's answer to a challenge;
/// 8. cookies: the jar's cookies into each request sent, `Set-Cookie` back into the jar;
/// 9. decoding of `Content-Encoding`;
/// 10. the hooks (`on_request`, `on_response`), on every request sent;
/// 11. upload progress, of every request sent;
/// 12. the backend (`transport`): read timeout between body chunks, errors that name the URL.
pub(crate) fn stack(
    user: Vec<Arc<dyn Middleware>>,
    cookies: bool,
    backend_decodes: bool,
    hooks: bool,
) -> Box<[Arc<dyn Middleware>]> {
    let mut stack: Vec<Arc<dyn Middleware>> = Vec::with_capacity(user.len() + 11);
    #[cfg(feature = "tracing")]
    stack.push(Arc::new(trace::Trace));
    stack.push(Arc::new(deadline::TotalDeadline));
    stack.push(Arc::new(progress::Download));
    stack.push(Arc::new(defaults::Defaults));
    stack.extend(user);
    stack.push(Arc::new(retry::Retries));
    stack.push(Arc::new(redirect::Redirects));
    stack.push(Arc::new(auth::Authenticate));
    #[cfg(feature = "cookies")]
    if cookies {
        stack.push(Arc::new(cookies::Cookies));
    }
    #[cfg(not(feature = "cookies"))]
    let _ = cookies; // no jar compiled in
    if !backend_decodes {
        stack.push(Arc::new(decode::Decode));
    }
    if hooks {
        stack.push(Arc::new(hooks::RunHooks));
    }
    stack.push(Arc::new(progress::Upload));
    stack.into_boxed_slice()
}
