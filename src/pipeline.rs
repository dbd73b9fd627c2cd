//! The front-end's request pipeline, shared by every backend: default headers, cookies,
//! auth (with Digest's challenge and response), the redirect loop, and the body's decoding
//! and read timeout. A backend only carries each hop to the network and back.

use std::time::Duration;

use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;
use http::header::{AUTHORIZATION, COOKIE, HeaderMap, HeaderValue};
use http::{Method, StatusCode};
use url::Url;

use crate::auth::Auth;
use crate::backend::{FinalUrl, SendOptions, VersionUnknown};
use crate::body::{Body, ResponseBody};
use crate::client::ClientInner;
use crate::config::Timeout;
use crate::error::{Error, ErrorKind, Result};
use crate::redirect::{self, Hop, Next};
use crate::request::Request;
use crate::response::{Head, Response, VersionInfo};
use crate::streaming::StreamingResponse;

/// Sends `request` through the client's pipeline; returns once the final response's head
/// has arrived.
pub(crate) async fn execute(client: &ClientInner, request: Request) -> Result<StreamingResponse> {
    if client.closed.load(std::sync::atomic::Ordering::Acquire) {
        return Err(Error::builder("the client was closed; build a new one").with_url(&request.url));
    }
    let Request {
        method,
        mut url,
        headers,
        body,
        options,
    } = request;
    client.check_origin(&url)?;
    let url_auth = crate::credentials::take_from_url(&mut url);
    let timeout = options.timeout.unwrap_or(client.timeout);
    let follow = options.follow_redirects.unwrap_or(client.follow_redirects);
    let max_redirects = options.max_redirects.unwrap_or(client.max_redirects);
    let auth = options
        .auth
        .as_ref()
        .or(url_auth.as_ref())
        .or(client.auth.as_ref());
    // Digest answers a 401 by sending the same request again; redirects send a next one.
    let keep = follow || auth.is_some_and(Auth::answers_challenges);
    // Only needed to keep credentials to their origin: not computed without any.
    let origin = auth.is_some().then(|| url.origin());

    let mut hop = Hop {
        method,
        url,
        headers: with_defaults(&client.headers, headers),
        body,
    };
    let mut history = Vec::new();
    loop {
        // Credentials go to the origin they were given for, never to a redirect's target.
        let auth = auth.filter(|_| origin.as_ref() == Some(&hop.url.origin()));
        let had_body = hop.body.is_some();
        let options = SendOptions {
            timeout,
            follow_redirects: follow,
        };
        let response = send_hop(client, &mut hop, auth, options, keep).await?;
        let status = response.status();
        if !follow || !redirect::is_redirect(status, response.headers()) {
            return Ok(finish(client, response, hop, history, timeout));
        }
        if history.len() >= max_redirects {
            return Err(Error::new(
                ErrorKind::TooManyRedirects,
                format!("more than {max_redirects} redirects"),
            )
            .with_url(&hop.url));
        }
        let replay = hop.body.take();
        let next = redirect::next(
            &hop,
            replay,
            had_body,
            status,
            response.headers(),
            &client.sensitive_headers,
        )
        .map_err(|e| e.with_url(&hop.url))?;
        if let Next::Follow(next) = &next {
            client.check_origin(&next.url)?;
        }
        match next {
            Next::Stop => return Ok(finish(client, response, hop, history, timeout)),
            Next::Follow(next) => {
                let previous = std::mem::replace(&mut hop, *next);
                let previous = finish(client, response, previous, Vec::new(), timeout);
                history.push(redirect_in_history(previous, &timeout).await);
            }
        }
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

/// Sends one hop, answering a Digest challenge once if there is one. Leaves in `hop` what
/// a next hop needs: the headers when `keep`, and a copy of the body when it can be sent again.
async fn send_hop(
    client: &ClientInner,
    hop: &mut Hop,
    auth: Option<&Auth>,
    options: SendOptions,
    keep: bool,
) -> Result<http::Response<ResponseBody>> {
    let body = hop.body.take();
    let mut replay = if keep {
        body.as_ref().and_then(Body::try_clone)
    } else {
        None
    };
    let cannot_replay = body.is_some() && replay.is_none();
    let user_authorization = hop.headers.contains_key(AUTHORIZATION);
    let mut headers = if keep {
        hop.headers.clone()
    } else {
        std::mem::take(&mut hop.headers)
    };
    if let Some(jar) = &client.cookies
        && let Some(cookies) = jar.header_for(&hop.url)
    {
        add_cookies(&mut headers, cookies);
    }
    if let Some(auth) = auth
        && !user_authorization
        && let Some(value) = auth.header(&hop.method, &hop.url)
    {
        headers.insert(AUTHORIZATION, value);
    }

    let answer_challenge = keep && !cannot_replay && !user_authorization;
    let retry_headers = answer_challenge.then(|| headers.clone());
    let mut response = send(client, &hop.method, &hop.url, headers, body, options).await?;
    store_cookies(client, &response, &hop.url);

    if response.status() == StatusCode::UNAUTHORIZED {
        let answer = match auth.zip(retry_headers) {
            Some((auth, headers)) => auth
                .respond(&hop.method, &hop.url, response.headers())
                .map_err(|e| e.with_url(&hop.url))?
                .map(|value| (value, headers)),
            None => None,
        };
        if let Some((value, mut headers)) = answer {
            drain(response.into_body(), 0, options.timeout.read).await;
            headers.insert(AUTHORIZATION, value);
            let body = replay.as_ref().and_then(Body::try_clone);
            response = send(client, &hop.method, &hop.url, headers, body, options).await?;
            store_cookies(client, &response, &hop.url);
        }
    }
    hop.body = replay.take();
    Ok(response)
}

/// Hands one request to the backend.
async fn send(
    client: &ClientInner,
    method: &Method,
    url: &Url,
    headers: HeaderMap,
    body: Option<Body>,
    options: SendOptions,
) -> Result<http::Response<ResponseBody>> {
    // The fragment is for the client alone and is never sent.
    let target = &url[..url::Position::AfterQuery];
    let uri: http::Uri = target.parse().map_err(|e| {
        Error::new(
            ErrorKind::InvalidUrl,
            "the URL is not a valid request target",
        )
        .with_source(e)
        .with_url(url)
    })?;
    let mut request = http::Request::new(body.unwrap_or_default());
    *request.method_mut() = method.clone();
    *request.uri_mut() = uri;
    *request.headers_mut() = headers;
    client
        .backend
        .send(request, options)
        .await
        .map_err(|e| e.with_url(url))
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

fn store_cookies(client: &ClientInner, response: &http::Response<ResponseBody>, url: &Url) {
    if let Some(jar) = &client.cookies {
        jar.store_from(response.headers(), url);
    }
}

/// How much of a redirect's body `history()` keeps: enough for a diagnostic page, bounded
/// whatever the server sends.
const REDIRECT_BODY_KEPT: usize = 16 * 1024;

/// The most of a body the client reads only to reuse its connection.
const MAX_DRAIN: usize = 64 * 1024;

/// The longest the client waits for such a body, whatever the read timeout: a slow body
/// costs its connection and at most this much of the request's time.
const MAX_DRAIN_TIME: Duration = Duration::from_secs(1);

/// A followed redirect as `history()` shows it: its head and at most the first
/// [`REDIRECT_BODY_KEPT`] bytes of its body.
async fn redirect_in_history(redirect: StreamingResponse, timeout: &Timeout) -> Response {
    let StreamingResponse {
        head,
        history,
        body,
        ..
    } = redirect;
    let body = drain(body, REDIRECT_BODY_KEPT, timeout.read).await;
    Response {
        head,
        body,
        history,
    }
}

/// Reads what is left of a body the caller does not get to read (a redirect's, a Digest
/// challenge's) so that its connection can be reused, keeping its first `keep` bytes.
/// Reads at most [`MAX_DRAIN`] bytes, for at most the read timeout and
/// [`MAX_DRAIN_TIME`]: a larger or slower body is dropped, which closes its connection
/// (only its stream on HTTP/2). A failing body ends the drain with what it gave: it was
/// informational.
async fn drain(mut body: ResponseBody, keep: usize, read_timeout: Option<Duration>) -> Bytes {
    let limit = read_timeout.map_or(MAX_DRAIN_TIME, |read| read.min(MAX_DRAIN_TIME));
    let mut kept = BytesMut::new();
    let reading = async {
        let mut drained = 0;
        while let Some(Ok(chunk)) = body.next().await {
            let room = keep.saturating_sub(kept.len());
            kept.extend_from_slice(&chunk[..room.min(chunk.len())]);
            drained += chunk.len();
            if drained > MAX_DRAIN {
                break;
            }
        }
        Ok(())
    };
    let _ = crate::timeouts::within(reading, Some(limit), ErrorKind::ReadTimeout).await;
    kept.freeze()
}

/// The streaming response the caller gets for the request `hop`: decoded, with the read
/// timeout between chunks, and with errors that name the URL.
fn finish(
    client: &ClientInner,
    response: http::Response<ResponseBody>,
    hop: Hop,
    history: Vec<Response>,
    timeout: Timeout,
) -> StreamingResponse {
    // These have no body, whatever their `Content-Encoding` says of the one they describe.
    let bodiless = hop.method == Method::HEAD
        || matches!(
            response.status(),
            StatusCode::NO_CONTENT | StatusCode::NOT_MODIFIED
        );
    let url = hop.url;
    let (mut parts, body) = response.into_parts();
    let version = match parts.extensions.remove::<VersionUnknown>() {
        Some(VersionUnknown(later)) => VersionInfo::Later(later),
        None => VersionInfo::Known(parts.version),
    };
    let url = match parts.extensions.remove::<FinalUrl>() {
        Some(FinalUrl(url)) => url,
        None => url,
    };
    let body = crate::timeouts::read_timeout(body, timeout.read);
    let body = if client.backend.decodes_content() || bodiless {
        body
    } else {
        crate::decode::decode(&mut parts.headers, body, client.max_decoded_size)
    };
    let error_url = url.clone();
    let body = body.wrap(|body| body.map(move |chunk| chunk.map_err(|e| e.with_url(&error_url))));
    StreamingResponse {
        head: Head {
            status: parts.status,
            version,
            headers: parts.headers,
            url,
        },
        history,
        body,
        max_line_length: crate::text::DEFAULT_MAX_LINE_LENGTH,
    }
}
