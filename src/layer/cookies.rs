//! The cookie jar on every request sent: its cookies into the request, the response's
//! `Set-Cookie` back into it. Below auth, so that a Digest resend carries the cookies the
//! challenge set.

use http::header::{COOKIE, HeaderMap, HeaderValue};

use super::{Middleware, Next};
use crate::error::Result;
use crate::request::Request;
use crate::runtime::BoxFuture;
use crate::streaming::StreamingResponse;

pub(super) struct Cookies;

impl Middleware for Cookies {
    fn handle<'a>(
        &'a self,
        mut request: Request,
        next: Next<'a>,
    ) -> BoxFuture<'a, Result<StreamingResponse>> {
        let Some(jar) = next.client().cookies.as_ref() else {
            return next.run(request);
        };
        if let Some(cookies) = jar.header_for(&request.url) {
            add_cookies(&mut request.headers, cookies);
        }
        // Sent now, so that the boxed future below holds the response's future only, not
        // the request (moving a request into each layer's future is what layers cost).
        let sending = next.run(request);
        Box::pin(async move {
            let response = sending.await?;
            jar.store_from(response.headers(), response.url());
            Ok(response)
        })
    }
}

fn add_cookies(headers: &mut HeaderMap, cookies: HeaderValue) {
    // A Cookie header the caller set stays; the jar's cookies join it in one header.
    let joined = match headers.get(COOKIE) {
        Some(own) => {
            let mut joined = own.as_bytes().to_vec();
            joined.extend_from_slice(b"; ");
            joined.extend_from_slice(cookies.as_bytes());
            HeaderValue::from_bytes(&joined).unwrap_or(cookies)
        }
        None => cookies,
    };
    headers.insert(COOKIE, joined);
}
