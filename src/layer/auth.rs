//! The `Authorization` of every hop, from the request's auth, else the URL's, else the
//! client's; and Digest's answer to a 401 challenge, which sends the hop again.
//!
//! Credentials only go to the origin they were given for: the redirect layer takes them
//! off a hop that leaves it. An `Authorization` header the caller set wins, and is never
//! answered for.

use http::StatusCode;
use http::header::AUTHORIZATION;

use super::drain::drain;
use super::{Middleware, Next};
use crate::error::Result;
use crate::request::Request;
use crate::runtime::BoxFuture;
use crate::streaming::StreamingResponse;

pub(super) struct Authenticate;

impl Middleware for Authenticate {
    fn handle<'a>(
        &'a self,
        mut request: Request,
        next: Next<'a>,
    ) -> BoxFuture<'a, Result<StreamingResponse>> {
        // Borrowed from the request's options field alone, so that its headers can change.
        let config = next.client().config.effective(request.config.as_deref());
        let Some(auth) = config.auth() else {
            return next.run(request);
        };
        if request.headers.contains_key(AUTHORIZATION) {
            return next.run(request);
        }
        let read_timeout = config.timeout().read;
        if let Some(value) = auth.header(&request.method, &request.url) {
            request.headers.insert(AUTHORIZATION, value);
        }
        if !auth.answers_challenges() {
            return next.run(request);
        }
        // Answering a challenge sends the request again: only when its body can be.
        let replay = match &request.body {
            None => Some(None),
            Some(body) => body.try_clone().map(Some),
        };
        let Some(replay) = replay else {
            return next.run(request);
        };
        let auth = auth.clone();
        Box::pin(async move {
            let again = Request {
                method: request.method.clone(),
                url: request.url.clone(),
                headers: request.headers.clone(),
                body: replay,
                config: request.config.clone(),
                extensions: request.extensions.clone(),
                retry_governed: request.retry_governed,
            };
            let response = next.run(request).await?;
            if response.status() != StatusCode::UNAUTHORIZED {
                return Ok(response);
            }
            let Some(value) = auth
                .respond(&again.method, &again.url, response.headers())
                .map_err(|e| e.with_url(&again.url))?
            else {
                return Ok(response);
            };
            drain(response.body, 0, read_timeout).await;
            let mut again = again;
            again.headers.insert(AUTHORIZATION, value);
            crate::trace::event!(url = %crate::trace::url(&again.url), "answering the Digest challenge");
            next.run(again).await
        })
    }
}
