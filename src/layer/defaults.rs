//! The outermost layer: refuses requests on a closed client, turns credentials in the URL
//! into Basic auth, and adds the client's default headers the request does not set itself.

use std::sync::atomic::Ordering;

use http::HeaderMap;

use super::{Middleware, Next};
use crate::error::{Error, Result};
use crate::request::Request;
use crate::runtime::BoxFuture;
use crate::streaming::StreamingResponse;

pub(super) struct Defaults;

impl Middleware for Defaults {
    fn handle<'a>(
        &'a self,
        mut request: Request,
        next: Next<'a>,
    ) -> BoxFuture<'a, Result<StreamingResponse>> {
        let client = next.client();
        if client.closed.load(Ordering::Acquire) {
            let error =
                Error::builder("the client was closed; build a new one").with_url(&request.url);
            return Box::pin(async { Err(error) });
        }
        if let Err(error) = client.check_origin(&request.url) {
            return Box::pin(async { Err(error) });
        }
        // The request's own auth wins over the URL's, which wins over the client's.
        if let Some(auth) = crate::credentials::take_from_url(&mut request.url)
            && request.config.as_ref().is_none_or(|c| c.auth.is_none())
        {
            request.overlay().auth = Some(Some(auth));
        }
        request.headers = with_defaults(&client.headers, std::mem::take(&mut request.headers));
        next.run(request)
    }
}

/// The client's default headers, less those the request sets itself.
fn with_defaults(defaults: &HeaderMap, own: HeaderMap) -> HeaderMap {
    if own.is_empty() {
        return defaults.clone();
    }
    let mut headers = defaults.clone();
    for name in own.keys() {
        headers.remove(name);
    }
    headers.extend(own);
    headers
}
