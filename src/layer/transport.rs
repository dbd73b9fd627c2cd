//! The innermost step: hands one request to the backend and turns what comes back into a
//! [`StreamingResponse`], with the read timeout between body chunks and errors that name
//! the URL.

use futures_util::StreamExt;

use crate::backend::{FinalUrl, RemoteAddr, SendOptions, VersionUnknown};
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
    Box::pin(async move {
        let Request {
            method,
            url,
            headers,
            body,
            config,
            extensions,
        } = request;
        let config = client.config.effective(config.as_deref());
        let timeout = *config.timeout();
        let options = SendOptions {
            timeout,
            follow_redirects: *config.follow_redirects(),
            // The retry layer marks the requests whose resends it decides itself.
            may_resend: extensions.get::<super::retry::Governed>().is_none(),
        };
        // The fragment is for the client alone and is never sent.
        let target = &url[..url::Position::AfterQuery];
        let uri: http::Uri = match target.parse() {
            Ok(uri) => uri,
            Err(e) => {
                return Err(Error::new(
                    ErrorKind::InvalidUrl,
                    "the URL is not a valid request target",
                )
                .with_source(e)
                .with_url(&url));
            }
        };
        let mut outgoing = http::Request::new(body.unwrap_or_default());
        *outgoing.method_mut() = method;
        *outgoing.uri_mut() = uri;
        *outgoing.headers_mut() = headers;
        *outgoing.extensions_mut() = extensions;
        let sent = Instant::now();
        let response = client
            .backend
            .send(outgoing, options)
            .await
            .map_err(|e| e.with_url(&url))?;
        let elapsed = sent.elapsed();

        let (mut parts, body) = response.into_parts();
        let version = match parts.extensions.remove::<VersionUnknown>() {
            Some(VersionUnknown(later)) => VersionInfo::Later(later),
            None => VersionInfo::Known(parts.version),
        };
        let remote_addr = parts
            .extensions
            .remove::<RemoteAddr>()
            .map(|RemoteAddr(addr)| addr);
        let url = match parts.extensions.remove::<FinalUrl>() {
            Some(FinalUrl(url)) => url,
            None => url,
        };
        let body = crate::timeouts::read_timeout(body, timeout.read);
        let error_url = url.clone();
        let body =
            body.wrap(|body| body.map(move |chunk| chunk.map_err(|e| e.with_url(&error_url))));
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
