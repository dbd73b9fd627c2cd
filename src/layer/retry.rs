//! Sends a failed request again under the request's (or client's) [`Retry`] policy: a
//! transient status, a failure to connect, or a failure the server cannot have acted on
//! ([`Error::is_unprocessed`](crate::Error::is_unprocessed)). Waits with the policy's
//! backoff (or the server's `Retry-After`) between attempts, draws on the client's retry
//! budget, and returns the last response or error as it came. The `on_retry` hooks hear of
//! each retry before its wait.
//!
//! With a policy in force, the backend does not resend on its own (`SendOptions::may_resend`
//! is false): every resend is decided here, so retries never stack. Without one (the
//! default), or for a request the policy does not cover (its method, a one-shot body), the
//! backend keeps its single connection-level resend.

use std::borrow::Cow;

use http::header::RETRY_AFTER;

use super::drain::drain;
use super::{Middleware, Next};
use crate::error::Result;
use crate::request::Request;
use crate::retry::RetryState;
use crate::runtime::BoxFuture;
use crate::streaming::StreamingResponse;

pub(super) struct Retries;

impl Middleware for Retries {
    fn handle<'a>(
        &'a self,
        mut request: Request,
        next: Next<'a>,
    ) -> BoxFuture<'a, Result<StreamingResponse>> {
        let client = next.client();
        let config = next.config(&request);
        let policy = config.retry();
        if policy.is_none() || !policy.allows_method(&request.method) {
            return next.run(request);
        }
        let read_timeout = config.timeout().read;
        // The client's policy is borrowed for the request's life; a request's own, copied.
        let policy = match request.config.as_ref().and_then(|own| own.retry.as_ref()) {
            Some(own) => Cow::Owned(own.clone()),
            None => Cow::Borrowed(&client.config.retry),
        };
        request.retry_governed = true;
        // A one-shot body cannot be sent twice: the request goes once, as it is.
        let Some(copy) = request.try_clone() else {
            request.retry_governed = false;
            return next.run(request);
        };
        Box::pin(async move {
            client.retry_budget.deposit(&policy);
            let mut state = RetryState::default();
            let mut request = request;
            loop {
                crate::trace::record!(request, attempts = state.retries() + 1);
                let outcome = next.run(request).await;
                let retry_after = match &outcome {
                    Ok(response) if policy.retries_status(response.status()) => {
                        response.headers().get(RETRY_AFTER).cloned()
                    }
                    Err(error) if error.is_unprocessed() || policy.retries_error(error) => None,
                    _ => return outcome,
                };
                let Some(delay) = state.next(&policy, &client.retry_budget, retry_after.as_ref())
                else {
                    return outcome;
                };
                crate::trace::event!(attempt = state.retries() + 1, reason = %crate::trace::retry_reason(&outcome), delay_ms = delay.as_millis() as u64, "retrying");
                client
                    .hooks
                    .retrying(&copy, outcome.as_ref(), state.retries());
                // The attempt is over: its body is read off (within bounds) so that the
                // connection can serve the next one.
                if let Ok(response) = outcome {
                    drain(response.body, 0, read_timeout).await;
                }
                crate::runtime::sleep(delay).await;
                request = match copy.try_clone() {
                    Some(again) => again,
                    // Cannot happen (the copy's body was cloned once already); stop cleanly.
                    None => return next.run(copy).await,
                };
            }
        })
    }
}
