//! The redirect loop: follows 3xx responses (when the request or client says so) up to
//! `max_redirects`, keeping each followed response in `history()`. Which response is a
//! redirect and what request follows it is [`crate::redirect`]'s pure policy.
//!
//! Every target is checked against the client's base URL
//! ([`allow_absolute_urls`](crate::ClientBuilder::allow_absolute_urls)), and a hop that
//! leaves the origin loses the credentials: its credential headers, and the auth of the
//! requests after it.

use super::drain::drain;
use super::{Middleware, Next};
use crate::error::{Error, ErrorKind, Result};
use crate::redirect::{self, Hop};
use crate::request::Request;
use crate::response::Response;
use crate::runtime::BoxFuture;
use crate::streaming::StreamingResponse;

/// How much of a redirect's body `history()` keeps: enough for a diagnostic page, bounded
/// whatever the server sends.
const REDIRECT_BODY_KEPT: usize = 16 * 1024;

pub(super) struct Redirects;

impl Middleware for Redirects {
    fn handle<'a>(
        &'a self,
        request: Request,
        next: Next<'a>,
    ) -> BoxFuture<'a, Result<StreamingResponse>> {
        let client = next.client();
        let config = next.config(&request);
        if !*config.follow_redirects() {
            return next.run(request);
        }
        let max_redirects = *config.max_redirects();
        let read_timeout = config.timeout().read;
        let policy = config.redirect_policy().clone();
        Box::pin(async move {
            let mut request = request;
            let mut history = Vec::new();
            // The URLs requested so far, kept only for a policy to see.
            let mut requested = Vec::new();
            loop {
                // What the request after a redirect is made from.
                let previous = Hop {
                    method: request.method.clone(),
                    url: request.url.clone(),
                    headers: request.headers.clone(),
                    body: None,
                };
                let had_body = request.body.is_some();
                let replay = request.body.as_ref().and_then(|body| body.try_clone());
                let overlay = request.config.clone();
                let extensions = request.extensions.clone();
                let retry_governed = request.retry_governed;
                let mut response = next.run(request).await?;
                let status = response.status();
                if !redirect::is_redirect(status, response.headers()) {
                    response.head.history = history;
                    return Ok(response);
                }
                if history.len() >= max_redirects {
                    return Err(Error::new(
                        ErrorKind::TooManyRedirects,
                        format!("more than {max_redirects} redirects"),
                    )
                    .with_url(&previous.url));
                }
                let follow = redirect::next(
                    &previous,
                    replay,
                    had_body,
                    status,
                    response.headers(),
                    &client.sensitive_headers,
                )
                .map_err(|e| e.with_url(&previous.url))?;
                let redirect::Next::Follow { hop, left_origin } = follow else {
                    response.head.history = history;
                    return Ok(response);
                };
                if let Some(policy) = &policy {
                    requested.push(previous.url.clone());
                    let attempt = redirect::Attempt {
                        status,
                        next: &hop.url,
                        previous: &requested,
                    };
                    match policy.decide(&attempt).0 {
                        redirect::Decision::Follow => {}
                        redirect::Decision::Stop => {
                            response.head.history = history;
                            return Ok(response);
                        }
                        redirect::Decision::Error(message) => {
                            return Err(
                                Error::new(ErrorKind::Redirect, message).with_url(&previous.url)
                            );
                        }
                    }
                }
                client.check_origin(&hop.url)?;
                crate::trace::event!(from = %crate::trace::url(&previous.url), to = %crate::trace::url(&hop.url), status = status.as_u16(), "following a redirect");
                let Hop {
                    method,
                    url,
                    headers,
                    body,
                } = *hop;
                let mut config = overlay;
                if left_origin {
                    // Credentials go to the origin they were given for, never further.
                    config.get_or_insert_with(Box::default).auth = Some(None);
                }
                history.push(in_history(response, read_timeout).await);
                request = Request {
                    method,
                    url,
                    headers,
                    body,
                    config,
                    extensions,
                    retry_governed,
                };
            }
        })
    }
}

/// A followed redirect as `history()` shows it: its head and at most the first
/// [`REDIRECT_BODY_KEPT`] bytes of its body.
async fn in_history(
    redirect: StreamingResponse,
    read_timeout: Option<std::time::Duration>,
) -> Response {
    let StreamingResponse { head, body, .. } = redirect;
    let body = drain(body, REDIRECT_BODY_KEPT, read_timeout).await;
    Response { head, body }
}
