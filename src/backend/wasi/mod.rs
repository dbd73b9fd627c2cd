//! The WASI backend: the host's `wasi:http/outgoing-handler`, for wasm32-wasip2 components
//! (wasmtime, jco in Node, Spin, wasmCloud...).
//!
//! The host owns connections, their reuse, TLS and its roots, and proxies: the request goes
//! out with its method, scheme, authority, path and headers, the body streamed to the
//! host's output stream; the response comes back as soon as its head is in, the body read
//! chunk by chunk from the host's input stream. Every wait is on a host pollable through
//! wstd's reactor (`runtime/wasi.rs`). Timeouts go to the host as its request options
//! (`request_options` says which), and the wait for the head is also bounded here, by the
//! fetch rule (`head_limit`), for hosts that ignore them.
//! The host does not say which HTTP version it spoke: responses say "unknown".

mod body;
mod error;

use std::sync::Arc;

use http::header::{CONTENT_LENGTH, HOST};
use wasip2::http::outgoing_handler;
use wasip2::http::types::{Fields, Method, OutgoingRequest, RequestOptions, Scheme};
use wstd::runtime::AsyncPollable;

use super::in_flight::{InFlight, Slot};
use super::{Backend, SendOptions, TransportOptions, VersionUnknown, head_limit};
use crate::body::{Body, ResponseBody};
use crate::error::{Error, ErrorKind, Result};
use crate::limits::Timeout;
use crate::runtime::BoxFuture;

pub(crate) fn new(options: &TransportOptions) -> Result<Arc<dyn Backend>> {
    Ok(Arc::new(WasiBackend {
        in_flight: InFlight::new(options.limits.max_connections),
    }))
}

struct WasiBackend {
    /// `max_connections` as a cap on requests in flight (the host owns connections).
    in_flight: Option<Arc<InFlight>>,
}

impl Backend for WasiBackend {
    fn send(
        &self,
        request: http::Request<Body>,
        options: SendOptions,
    ) -> BoxFuture<'_, Result<http::Response<ResponseBody>>> {
        Box::pin(async move {
            let slot = InFlight::turn(self.in_flight.as_ref(), options.timeout.pool).await?;
            send(request, options, slot).await
        })
    }
}

async fn send(
    request: http::Request<Body>,
    options: SendOptions,
    slot: Option<Slot>,
) -> Result<http::Response<ResponseBody>> {
    let (parts, body) = request.into_parts();
    let outgoing = outgoing_request(&parts, body.content_length())?;
    let upload = outgoing
        .body()
        .map_err(|()| Error::new(ErrorKind::Write, "the host gave no request body stream"))?;
    let pending = outgoing_handler::handle(outgoing, request_options(&options.timeout))
        .map_err(|code| error::from_code(code, ErrorKind::Connect))?;
    let head = async {
        AsyncPollable::new(pending.subscribe()).wait_for().await;
        match pending.get() {
            Some(Ok(Ok(response))) => Ok(response),
            Some(Ok(Err(code))) => Err(error::from_code(code, ErrorKind::Connect)),
            // Ready by the pollable, and asked once: neither can happen.
            Some(Err(())) | None => Err(Error::new(
                ErrorKind::Protocol,
                "the host's response future was not ready",
            )),
        }
    };
    // The body goes up while the head is awaited: a server may answer before reading it
    // all, and a failed upload fails the request.
    let exchange = futures_util::future::try_join(body::upload(body, upload), head);
    let ((), response) = crate::timeouts::within(
        exchange,
        head_limit(&options.timeout),
        ErrorKind::ReadTimeout,
    )
    .await?;

    let status = http::StatusCode::from_u16(response.status()).map_err(|e| {
        Error::new(ErrorKind::Protocol, "the host returned an invalid status").with_source(e)
    })?;
    let mut headers = http::HeaderMap::new();
    for (name, value) in response.headers().entries() {
        let name = http::HeaderName::from_bytes(name.as_bytes());
        let value = http::HeaderValue::from_bytes(&value);
        match (name, value) {
            (Ok(name), Ok(value)) => {
                headers.append(name, value);
            }
            _ => {
                return Err(Error::new(
                    ErrorKind::Protocol,
                    "the host returned a header that is not valid HTTP",
                ));
            }
        }
    }
    let mut out = http::Response::new(body::download(response, options.timeout.read, slot)?);
    *out.status_mut() = status;
    *out.headers_mut() = headers;
    out.extensions_mut().insert(VersionUnknown::default());
    Ok(out)
}

/// The request's head as the host takes it. `Host` becomes the authority (the host writes
/// the header itself, and refuses it among the fields).
fn outgoing_request(parts: &http::request::Parts, len: Option<u64>) -> Result<OutgoingRequest> {
    let fields = Fields::new();
    let mut authority = parts.uri.authority().map(|a| a.as_str().to_owned());
    for (name, value) in &parts.headers {
        if name == HOST {
            authority = value.to_str().ok().map(str::to_owned).or(authority);
            continue;
        }
        append(&fields, name.as_str(), value.as_bytes())?;
    }
    if let Some(len) = len.filter(|&len| len > 0)
        && !parts.headers.contains_key(CONTENT_LENGTH)
    {
        // A body of known length goes out with it rather than chunked.
        append(&fields, CONTENT_LENGTH.as_str(), len.to_string().as_bytes())?;
    }
    let request = OutgoingRequest::new(fields);
    let refused =
        |what: &str| Error::builder(format!("the WASI host refuses the request's {what}"));
    request
        .set_method(&method(&parts.method))
        .map_err(|()| refused("method"))?;
    let scheme = match parts.uri.scheme_str() {
        Some("http") => Scheme::Http,
        Some("https") => Scheme::Https,
        Some(other) => Scheme::Other(other.to_owned()),
        None => return Err(Error::builder("the request URL has no scheme")),
    };
    request
        .set_scheme(Some(&scheme))
        .map_err(|()| refused("scheme"))?;
    request
        .set_authority(authority.as_deref())
        .map_err(|()| refused("authority"))?;
    let path = parts.uri.path_and_query().map(|p| p.as_str());
    request
        .set_path_with_query(path)
        .map_err(|()| refused("path"))?;
    Ok(request)
}

/// Adds a request header; a header the host refuses is a typed error naming it (hosts
/// refuse the hop-by-hop ones, `Connection`, `Transfer-Encoding`...: they own the
/// connection).
fn append(fields: &Fields, name: &str, value: &[u8]) -> Result<()> {
    fields.append(name, value).map_err(|e| {
        Error::builder(format!(
            "the WASI host refuses the request header {name:?} ({e:?})"
        ))
    })
}

fn method(method: &http::Method) -> Method {
    match *method {
        http::Method::GET => Method::Get,
        http::Method::HEAD => Method::Head,
        http::Method::POST => Method::Post,
        http::Method::PUT => Method::Put,
        http::Method::DELETE => Method::Delete,
        http::Method::CONNECT => Method::Connect,
        http::Method::OPTIONS => Method::Options,
        http::Method::TRACE => Method::Trace,
        http::Method::PATCH => Method::Patch,
        _ => Method::Other(method.as_str().to_owned()),
    }
}

/// The request's timeouts as the host's request options: read as `first-byte-timeout` (up
/// to the head) and `between-bytes-timeout` (the body), connect as `connect-timeout` when
/// it is shorter than the wait for the head. (With one limit for every phase, the common
/// case, the head's wait alone decides, as on fetch: jco's host applies `connect-timeout`
/// as Node's idle timeout up to the head, and would report a silent server as a
/// connection timeout.) A host that supports none of them still has the limit on the
/// head's wait here and the front-end's between body chunks.
fn request_options(timeout: &Timeout) -> Option<RequestOptions> {
    let nanos = |d: std::time::Duration| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
    let connect = timeout
        .connect
        .filter(|&connect| head_limit(timeout).is_none_or(|head| connect < head));
    if connect.is_none() && timeout.read.is_none() {
        return None;
    }
    let options = RequestOptions::new();
    // An option the host does not support is left to the limits above.
    if let Some(connect) = connect {
        let _ = options.set_connect_timeout(Some(nanos(connect)));
    }
    if let Some(read) = timeout.read {
        let _ = options.set_first_byte_timeout(Some(nanos(read)));
        let _ = options.set_between_bytes_timeout(Some(nanos(read)));
    }
    Some(options)
}
