//! The outermost layer: the request's total deadline ([`Timeout::total`](crate::Timeout::total)),
//! from the first connect to the last byte of the body, across redirects, auth resends
//! and retries. Left out of a request's path (a plain pass-through) when it has none.

use super::{Middleware, Next};
use crate::error::{Error, ErrorKind, Result};
use crate::request::Request;
use crate::runtime::BoxFuture;
use crate::streaming::StreamingResponse;
use crate::timeouts;

pub(super) struct TotalDeadline;

impl Middleware for TotalDeadline {
    fn handle<'a>(
        &'a self,
        request: Request,
        next: Next<'a>,
    ) -> BoxFuture<'a, Result<StreamingResponse>> {
        let config = next.config(&request);
        let Some(total) = config.timeout().total else {
            return next.run(request);
        };
        // A deadline past the end of the clock is none.
        let Some(deadline) = timeouts::after(total) else {
            return next.run(request);
        };
        let url = request.url.clone();
        let sending = next.run(request);
        Box::pin(async move {
            let expired = move || {
                Error::new(
                    ErrorKind::TotalTimeout,
                    format!("not done within {total:?}"),
                )
                .with_url(&url)
            };
            let Some(response) = timeouts::until(sending, deadline).await else {
                return Err(expired());
            };
            let mut response = response?;
            response.map_body(|body| timeouts::until_deadline(body, deadline, expired));
            Ok(response)
        })
    }
}
