//! The innermost step: hands one request to the backend and turns what comes back into a
//! [`StreamingResponse`], with the read timeout between body chunks and errors that name
//! the URL.

use crate::backend::{FinalUrl, SendOptions, VersionUnknown};
use crate::client::ClientInner;
use crate::error::{Error, ErrorKind, Result};
use crate::head::{ResponseHead, VersionInfo};
use crate::request::Request;
use crate::runtime::{BoxFuture, Instant};
use crate::streaming::StreamingResponse;

pub(super) fn send(
    client: &ClientInner,
    request: Request,
) -> BoxFuture<'_, Result<StreamingResponse>> {
    let Request {
        method,
        url,
        headers,
        body,
        config,
        extensions,
        retry_governed,
    } = request;
    let config = client.config.effective(config.as_deref());
    let read_timeout = config.timeout().read;
    let options = SendOptions {
        timeout: *config.timeout(),
        follow_redirects: *config.follow_redirects(),
        // The retry layer marks the requests whose resends it decides itself.
        may_resend: !retry_governed,
    };
    // The fragment is for the client alone and is never sent.
    let uri: http::Uri = match url[..url::Position::AfterQuery].parse() {
        Ok(uri) => uri,
        Err(e) => {
            let error = Error::new(
                ErrorKind::InvalidUrl,
                "the URL is not a valid request target",
            )
            .with_source(e)
            .with_url(&url);
            return Box::pin(async { Err(error) });
        }
    };
    let mut outgoing = http::Request::new(body.unwrap_or_default());
    *outgoing.method_mut() = method;
    *outgoing.uri_mut() = uri;
    *outgoing.headers_mut() = headers;
    *outgoing.extensions_mut() = extensions;
    let sent = Instant::now();
    // Handed over now, so that the future below holds the backend's future and the URL,
    // not the request.
    let sending = client.backend.send(outgoing, options);
    Box::pin(async move {
        let response = sending.await.map_err(|e| e.with_url(&url))?;
        let elapsed = sent.elapsed();
        let (mut parts, body) = response.into_parts();
        let version = match parts.extensions.remove::<VersionUnknown>() {
            Some(VersionUnknown(later)) => VersionInfo::Later(later),
            None => VersionInfo::Known(parts.version),
        };
        let remote_addr = body.remote_addr();
        let url = match parts.extensions.remove::<FinalUrl>() {
            Some(FinalUrl(url)) => url,
            None => url,
        };
        let body = crate::timeouts::read_timeout(body, read_timeout, url.clone());
        let head = ResponseHead {
            status: parts.status,
            version,
            headers: parts.headers,
            url,
            history: Vec::new(),
            extensions: parts.extensions,
            elapsed,
            remote_addr,
        };
        Ok(StreamingResponse::new(head, body))
    })
}
