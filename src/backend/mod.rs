//! The seam between the front-end and the network: a [`Backend`] carries one request (one
//! hop of a redirect chain, with its final headers and absolute URL) to the network and
//! hands back the response head and a body stream.
//!
//! Everything else (default headers, cookies, auth, redirects, body decoding, the read
//! timeout between body chunks, fan-out) is the front-end's, written once for every
//! backend. Natively the backend is hyper over our own connection pool; on wasm32 it is
//! the platform's `fetch`; in tests it can be a [`mock::MockBackend`].

pub mod mock;

// The fetch backend for wasm32 is the next step (see the README's status).
#[cfg(not(target_arch = "wasm32"))]
mod native;
#[cfg(not(target_arch = "wasm32"))]
use native as platform_backend;

use std::sync::Arc;

use crate::body::{Body, ResponseBody};
use crate::config::{Limits, Timeout};
use crate::error::Result;
use crate::runtime::BoxFuture;
use crate::tls::Certificate;

/// Carries requests to the network and responses back.
///
/// `send` gets a request whose URI is absolute and whose headers are final. It must
/// enforce the parts of `timeout` that only it can see (natively: connect, pool, write, and
/// read up to the response head), each reported as its own
/// [`ErrorKind`](crate::ErrorKind), and return as soon as the head has arrived; the body
/// streams after. Errors of the body stream should be [`Read`](crate::ErrorKind::Read)
/// (or a timeout) errors.
///
/// The returned future is `Send` natively and need not be on wasm32, where JS values are
/// not `Send`; the backend itself is `Send + Sync` everywhere, so [`Client`](crate::Client)
/// is too.
///
/// # Examples
/// A backend that answers every request itself:
/// ```
/// use httplib::backend::Backend;
/// use httplib::{Body, BoxFuture, ResponseBody, Result, Timeout};
///
/// struct Teapot;
///
/// impl Backend for Teapot {
///     fn send(&self, _req: http::Request<Body>, _t: Timeout)
///         -> BoxFuture<'_, Result<http::Response<ResponseBody>>>
///     {
///         Box::pin(async {
///             let mut r = http::Response::new(ResponseBody::from(bytes::Bytes::from("short and stout")));
///             *r.status_mut() = http::StatusCode::IM_A_TEAPOT;
///             Ok(r)
///         })
///     }
/// }
///
/// let client = httplib::Client::builder().backend(Teapot).build().unwrap();
/// # #[cfg(not(target_arch = "wasm32"))]
/// let r = client.get("http://any.test/").send_blocking().unwrap();
/// # #[cfg(not(target_arch = "wasm32"))]
/// assert_eq!(r.status_code(), 418);
/// ```
pub trait Backend: Send + Sync + 'static {
    /// Sends one request and returns the response once its head has arrived.
    fn send(
        &self,
        request: http::Request<Body>,
        timeout: Timeout,
    ) -> BoxFuture<'_, Result<http::Response<ResponseBody>>>;

    /// True when the platform already decodes `Content-Encoding` (as fetch does); the
    /// front-end then neither offers `Accept-Encoding` nor decodes.
    fn decodes_content(&self) -> bool {
        false
    }

    /// Closes idle connections and refuses to open new ones.
    fn close(&self) {}
}

/// Put in a response's extensions by a backend that cannot tell the HTTP version, so that
/// [`Response::version`](crate::Response::version) reports `None` instead of a guess.
#[derive(Clone, Copy, Debug)]
pub struct VersionUnknown;

/// What a [`ClientBuilder`](crate::ClientBuilder) configures of the platform backend.
#[derive(Clone, Debug)]
pub(crate) struct TransportOptions {
    pub(crate) limits: Limits,
    pub(crate) http2: bool,
    pub(crate) http2_prior_knowledge: bool,
    pub(crate) root_certificates: Vec<Certificate>,
    pub(crate) built_in_roots: bool,
    pub(crate) accept_invalid_certs: bool,
}

impl Default for TransportOptions {
    fn default() -> TransportOptions {
        TransportOptions {
            limits: Limits::default(),
            http2: false,
            http2_prior_knowledge: false,
            root_certificates: Vec::new(),
            built_in_roots: true,
            accept_invalid_certs: false,
        }
    }
}

/// The platform's backend: hyper natively, fetch on wasm32.
pub(crate) fn platform(options: &TransportOptions) -> Result<Arc<dyn Backend>> {
    platform_backend::new(options)
}
