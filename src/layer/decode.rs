//! Undoes the response's `Content-Encoding` (gzip, deflate, brotli, zstd) under the
//! decoded-size cap. Left out of the stack for backends that decode themselves (fetch).

use http::header::CONTENT_ENCODING;
use http::{Method, StatusCode};

use super::{Middleware, Next};
use crate::body::ResponseBody;
use crate::error::Result;
use crate::request::Request;
use crate::runtime::BoxFuture;
use crate::streaming::StreamingResponse;

pub(super) struct Decode;

impl Middleware for Decode {
    fn handle<'a>(
        &'a self,
        request: Request,
        next: Next<'a>,
    ) -> BoxFuture<'a, Result<StreamingResponse>> {
        let config = next.config(&request);
        let max_decoded = *config.max_decoded_size();
        let head_request = request.method == Method::HEAD;
        let sending = next.run(request);
        Box::pin(async move {
            let mut response = sending.await?;
            // These have no body, whatever their `Content-Encoding` says of the one they
            // describe.
            let bodiless = head_request
                || matches!(
                    response.status(),
                    StatusCode::NO_CONTENT | StatusCode::NOT_MODIFIED
                );
            if bodiless || !response.head.headers.contains_key(CONTENT_ENCODING) {
                return Ok(response);
            }
            let body = std::mem::replace(&mut response.body, ResponseBody::empty());
            // The head's headers change too (the codings' are taken off): not `map_body`.
            let decoded = crate::decode::decode(&mut response.head.headers, body, max_decoded);
            response.body = decoded.naming_errors(response.head.url.clone());
            Ok(response)
        })
    }
}
