//! httpx's event hooks: `on_request` and `on_response` run for every request actually
//! sent (each redirect hop, each auth resend and retry), innermost, so that they see the
//! request as it goes out (cookies and `Authorization` included) and the response as it
//! came in. Left out of the stack when a client has none.

use std::fmt;
use std::sync::Arc;

use super::{Middleware, Next};
use crate::error::Result;
use crate::request::Request;
use crate::runtime::BoxFuture;
use crate::streaming::StreamingResponse;

type OnRequest = Arc<dyn Fn(&mut Request) + Send + Sync>;
type OnResponse = Arc<dyn Fn(&StreamingResponse) + Send + Sync>;

/// A client's hooks, in the order they were added.
#[derive(Clone, Default)]
pub(crate) struct Hooks {
    pub(crate) on_request: Vec<OnRequest>,
    pub(crate) on_response: Vec<OnResponse>,
}

impl Hooks {
    pub(crate) fn is_empty(&self) -> bool {
        self.on_request.is_empty() && self.on_response.is_empty()
    }
}

impl fmt::Debug for Hooks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Hooks")
            .field("on_request", &self.on_request.len())
            .field("on_response", &self.on_response.len())
            .finish()
    }
}

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
