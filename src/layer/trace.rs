//! The outermost layer with the `tracing` feature: each logical request is one `request`
//! span (target `httplib`, level `DEBUG`), entered whenever the request's future or its
//! body is polled, so every event below (redirects, retries, Digest resends, the native
//! backend's connections) falls inside it.
//!
//! Fields: `method`, `url` (without userinfo, query values or fragment: see
//! [`crate::trace::url`]); once known, `status` and `version` of the final response,
//! `attempts` (under a retry policy), or the `error` kind. No header is ever recorded.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_core::Stream;
use tracing::Instrument;
use tracing::field::Empty;

use super::{Middleware, Next};
use crate::body::ResponseBody;
use crate::error::{Error, Result};
use crate::request::Request;
use crate::runtime::BoxFuture;
use crate::streaming::StreamingResponse;
use crate::trace::RequestSpan;

pub(super) struct Trace;

impl Middleware for Trace {
    fn handle<'a>(
        &'a self,
        mut request: Request,
        next: Next<'a>,
    ) -> BoxFuture<'a, Result<StreamingResponse>> {
        let span = tracing::debug_span!(
            target: "httplib",
            "request",
            method = %request.method,
            url = %crate::trace::url(&request.url),
            status = Empty,
            version = Empty,
            attempts = Empty,
            error = Empty,
        );
        if !span.is_disabled() {
            request.extensions.insert(RequestSpan(span.clone()));
        }
        // The layers below start work before their first poll: that too is in the span.
        let sent = span.in_scope(|| next.run(request));
        let outer = span.clone();
        Box::pin(
            async move {
                let mut response = match sent.await {
                    Ok(response) => response,
                    Err(error) => {
                        outer.record("error", tracing::field::debug(error.kind()));
                        return Err(error);
                    }
                };
                outer.record("status", response.status().as_u16());
                if response.head.version().is_some() {
                    outer.record("version", response.head.http_version());
                }
                response.map_body(|body| body.wrap(|body| InSpan { body, span: outer }));
                Ok(response)
            }
            .instrument(span),
        )
    }
}

/// A response body read inside the request's span: the events of its end (the connection
/// going back to the pool, or closed) belong to the request.
struct InSpan {
    body: ResponseBody,
    span: tracing::Span,
}

impl Stream for InSpan {
    type Item = std::result::Result<Bytes, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        let _entered = this.span.enter();
        Pin::new(&mut this.body).poll_next(cx)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.body.size_hint()
    }
}
