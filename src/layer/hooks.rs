//! httpx's event hooks: `on_request` and `on_response` run for every request actually
//! sent (each redirect hop, each auth resend and retry), innermost, so that they see the
//! request as it goes out (cookies and `Authorization` included) and the response as it
//! came in. Left out of the stack when a client has none. `on_retry` runs in the retry
//! layer (see `retry.rs`), before each wait.

use std::fmt;
use std::sync::Arc;

use super::{Middleware, Next};
use crate::error::{Error, Result};
use crate::request::Request;
use crate::runtime::BoxFuture;
use crate::streaming::StreamingResponse;

type OnRequest = Arc<dyn Fn(&mut Request) + Send + Sync>;
type OnResponse = Arc<dyn Fn(&StreamingResponse) + Send + Sync>;
type OnRetry = Arc<dyn Fn(&Request, Result<&StreamingResponse, &Error>, u32) + Send + Sync>;

/// A client's hooks, in the order they were added.
#[derive(Clone, Default)]
pub(crate) struct Hooks {
    pub(crate) on_request: Vec<OnRequest>,
    pub(crate) on_response: Vec<OnResponse>,
    pub(crate) on_retry: Vec<OnRetry>,
}

impl Hooks {
    /// Whether the hooks layer has work to do (`on_retry` is the retry layer's).
    pub(crate) fn needs_layer(&self) -> bool {
        !self.on_request.is_empty() || !self.on_response.is_empty()
    }

    /// Tells the `on_retry` hooks that `request` is about to be sent again, for the
    /// `retry`th time, after `outcome`.
    pub(crate) fn retrying(
        &self,
        request: &Request,
        outcome: Result<&StreamingResponse, &Error>,
        retry: u32,
    ) {
        for hook in &self.on_retry {
            hook(request, outcome, retry);
        }
    }
}

impl fmt::Debug for Hooks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Hooks")
            .field("on_request", &self.on_request.len())
            .field("on_response", &self.on_response.len())
            .field("on_retry", &self.on_retry.len())
            .finish()
    }
}

/// Put on a request by an `on_request` hook that must not let it go: the JS API's, when
/// a JS hook threw (a Rust hook cannot fail). The request then fails here, unsent; the JS
/// API rejects with what was thrown.
#[cfg(all(js, feature = "js-api"))]
#[derive(Clone, Copy, Debug)]
pub(crate) struct Refused;

pub(super) struct RunHooks;

impl Middleware for RunHooks {
    fn handle<'a>(
        &'a self,
        mut request: Request,
        next: Next<'a>,
    ) -> BoxFuture<'a, Result<StreamingResponse>> {
        let hooks = &next.client().hooks;
        for hook in &hooks.on_request {
            hook(&mut request);
        }
        #[cfg(all(js, feature = "js-api"))]
        if request.extensions.remove::<Refused>().is_some() {
            let url = request.url.clone();
            return Box::pin(async move {
                Err(Error::builder("a hook refused the request").with_url(&url))
            });
        }
        if hooks.on_response.is_empty() {
            return next.run(request);
        }
        let sending = next.run(request);
        Box::pin(async move {
            let response = sending.await?;
            for hook in &hooks.on_response {
                hook(&response);
            }
            Ok(response)
        })
    }
}
