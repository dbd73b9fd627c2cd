//! The native backend: hyper's low-level `client::conn` (HTTP/1.1 and HTTP/2) over our own
//! connection pool, tokio TCP and rustls.
//!
//! Per request it leases a connection, writes the request under the write timeout, waits
//! for the head under the read timeout, and hands back a body that returns the connection
//! to the pool once read. A request that fails on a reused connection before any of the
//! response arrived (the server closed it while it sat idle) is sent once more on a fresh
//! connection, if it is idempotent and its body can be sent again.

mod body;
mod connect;
mod coop;
mod dns;
mod error;
mod handshake;
mod happy_eyeballs;
mod http2;
mod pool;
mod proxy;
mod tcp;
#[cfg(feature = "rustls")]
mod tls;

use std::future::Future;
use std::sync::Arc;
use std::task::Poll;
use std::time::Instant;

use http::header::{HOST, HeaderValue, PROXY_AUTHORIZATION};
use http::{Method, Uri};
use hyper::body::Incoming;

use self::body::{Outgoing, Pooled, WriteProgress};
use self::connect::Dialer;
use self::dns::Resolver;
use self::error::{from_hyper, is_refused_stream};
use self::pool::{Connector, Key, Lease, Pool};
use self::proxy::{Proxies, Route};
use self::tcp::TcpOptions;
use super::{Backend, SendOptions, TransportOptions};
use crate::body::{Body, ResponseBody};
use crate::error::{Error, ErrorKind, Result};
use crate::limits::Timeout;
use crate::runtime::BoxFuture;
use crate::timeouts::Deadline;

pub(crate) fn new(options: &TransportOptions) -> Result<Arc<dyn Backend>> {
    #[cfg(not(unix))]
    if options.unix_socket.is_some() {
        return Err(Error::builder(
            "unix_socket: this platform has no Unix domain sockets",
        ));
    }
    let proxies = Proxies::new(options);
    #[cfg(feature = "rustls")]
    let (tls, proxy_tls) = (
        tls::config(options)?,
        match proxies {
            Some(_) => Some(tls::proxy_config(options)?),
            None => None,
        },
    );
    // A configuration of the user's own may offer h2 with `http2` off: the pool must then
    // expect HTTP/2 connections all the same.
    #[cfg(feature = "rustls")]
    let http2 = options.http2 || tls.alpn_protocols.iter().any(|p| p == b"h2");
    #[cfg(not(feature = "rustls"))]
    let http2 = options.http2;
    #[cfg(not(feature = "http2"))]
    if http2 || options.http2_prior_knowledge {
        return Err(Error::builder(
            "HTTP/2 (`http2`, `http2_prior_knowledge`, or a `tls_config` offering h2) needs httplib's `http2` cargo feature",
        ));
    }
    let connector = Connector {
        dialer: Dialer {
            resolver: Resolver::new(&options.dns),
            tcp: TcpOptions {
                local_address: options.local_address,
                keepalive: options.tcp_keepalive,
            },
            unix_socket: options.unix_socket.clone(),
        },
        #[cfg(feature = "rustls")]
        tls,
        #[cfg(feature = "rustls")]
        proxy_tls,
        http2,
        http2_prior_knowledge: options.http2_prior_knowledge,
        http2_keep_alive: options.http2_keep_alive,
    };
    Ok(Arc::new(NativeBackend {
        pool: Pool::new(options.limits, connector),
        proxies,
    }))
}

struct NativeBackend {
    pool: Pool,
    /// `None` without any proxy rule: a request then costs nothing here.
    proxies: Option<Proxies>,
}

impl Backend for NativeBackend {
    fn send(
        &self,
        request: http::Request<Body>,
        options: SendOptions,
    ) -> BoxFuture<'_, Result<http::Response<ResponseBody>>> {
        Box::pin(self.execute(request, options.timeout, options.may_resend))
    }

    fn close(&self) {
        self.pool.close();
    }
}

/// A failed attempt: the error, whether it may be sent again, and the request if hyper
/// gave it back unsent. Boxed where it is returned: a rare outcome, it should not make the
/// success path's value (moved through every await above it) as large as itself.
struct Failed {
    error: Error,
    retry: Retry,
    unsent: Option<http::Request<Outgoing>>,
}

impl Failed {
    fn new(error: Error, retry: Retry, unsent: Option<http::Request<Outgoing>>) -> Box<Failed> {
        Box::new(Failed {
            error,
            retry,
            unsent,
        })
    }
}

/// Why a failed attempt may be sent again.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Retry {
    /// hyper gave the request back unsent: the connection was closed before it left.
    Unsent,
    /// The server refused the HTTP/2 stream without processing it.
    Refused,
    /// Another failure; retried only when it shows a stale reused connection.
    No,
}

impl NativeBackend {
    async fn execute(
        &self,
        request: http::Request<Body>,
        timeout: Timeout,
        may_resend: bool,
    ) -> Result<http::Response<ResponseBody>> {
        let key = Key::from_uri(request.uri(), self.proxies.as_ref())?;
        let (parts, body) = request.into_parts();
        let (method, uri, headers) = (parts.method, parts.uri, parts.headers);

        let lease = self.pool.acquire(&key, &timeout, false).await?;
        // Keep what a second attempt needs only when one may happen: a reused HTTP/1.1
        // connection the server may have closed, or an HTTP/2 stream it may refuse.
        let stale_possible = lease.reused() && crate::request::IDEMPOTENT.contains(&method);
        let again = (may_resend && (stale_possible || lease.is_http2()))
            .then(|| body.try_clone().map(|body| (body, headers.clone())))
            .flatten();
        let request = build(
            &method,
            &uri,
            headers,
            Outgoing::new(body),
            lease.is_http2(),
            key.forwarded(),
        );
        let Failed {
            error,
            retry,
            unsent,
        } = match send(lease, request, &timeout).await {
            Ok(response) => return through_proxy(&key, response),
            Err(failed) => *failed,
        };
        if !may_resend {
            // The retry layer governs this request: tell it what the failure allows.
            let unprocessed = match retry {
                Retry::Unsent | Retry::Refused => true,
                Retry::No => stale_possible && is_stale_connection(&error),
            };
            return Err(if unprocessed {
                error.unprocessed()
            } else {
                error
            });
        }
        let (headers, outgoing, fresh) = match (retry, unsent, again) {
            (Retry::Unsent, Some(unsent), _) => {
                let (parts, outgoing) = unsent.into_parts();
                (parts.headers, outgoing, true)
            }
            (Retry::Refused, _, Some((body, headers))) => (headers, Outgoing::new(body), false),
            (Retry::No, _, Some((body, headers)))
                if stale_possible && is_stale_connection(&error) =>
            {
                (headers, Outgoing::new(body), true)
            }
            _ => return Err(error),
        };
        crate::trace::event!(fresh, "sending again after a connection failure");
        // Boxed: the rare second attempt keeps its futures out of the first one's, which
        // every request moves.
        Box::pin(self.resend(&key, &method, &uri, (headers, outgoing), &timeout, fresh)).await
    }

    /// The second attempt after a connection failure, with the first one's headers and
    /// body, on a new connection when `fresh`.
    async fn resend(
        &self,
        key: &Key,
        method: &Method,
        uri: &Uri,
        (headers, outgoing): (http::HeaderMap, Outgoing),
        timeout: &Timeout,
        fresh: bool,
    ) -> Result<http::Response<ResponseBody>> {
        let lease = self.pool.acquire(key, timeout, fresh).await?;
        let request = build(
            method,
            uri,
            headers,
            outgoing,
            lease.is_http2(),
            key.forwarded(),
        );
        let response = send(lease, request, timeout)
            .await
            .map_err(|failed| failed.error)?;
        through_proxy(key, response)
    }
}

/// A `407` on a request sent to a forward proxy is the proxy's refusal, not the origin's
/// answer: a [`Proxy`](ErrorKind::Proxy) error.
fn through_proxy(
    key: &Key,
    response: http::Response<ResponseBody>,
) -> Result<http::Response<ResponseBody>> {
    match key.forwarded() {
        Some(route) if response.status() == http::StatusCode::PROXY_AUTHENTICATION_REQUIRED => {
            Err(Error::new(
                ErrorKind::Proxy,
                format!(
                    "the proxy {}:{} refused the request: 407 Proxy Authentication Required",
                    route.host, route.port
                ),
            ))
        }
        _ => Ok(response),
    }
}

/// True for failures that mean the connection died before any of the response arrived.
fn is_stale_connection(e: &Error) -> bool {
    e.kind() == ErrorKind::Read
}

/// The request hyper sends. HTTP/1.1 takes the origin form (`/path?query`) and a `Host`
/// header (hyper's low-level client adds none); HTTP/2 takes the absolute URI, whose
/// authority becomes `:authority`, and no `Host`.
fn build(
    method: &Method,
    uri: &Uri,
    mut headers: http::HeaderMap,
    body: Outgoing,
    http2: bool,
    forward: Option<&Route>,
) -> http::Request<Outgoing> {
    // HTTP/2 carries the authority as `:authority`; HTTP/1.1 (to the origin or to a forward
    // proxy) needs a `Host`.
    if http2 {
        headers.remove(HOST);
    } else if !headers.contains_key(HOST)
        && let Some(host) = uri
            .authority()
            .and_then(|a| HeaderValue::from_str(a.as_str()).ok())
    {
        headers.insert(HOST, host);
    }
    let target = match forward {
        // To a forward proxy: the absolute URI, and the proxy's credentials (which the
        // proxy takes off: they never reach the origin).
        Some(route) => {
            if let Some(value) = &route.authorization {
                headers.insert(PROXY_AUTHORIZATION, value.clone());
            }
            uri.clone()
        }
        None if http2 => uri.clone(),
        None => uri
            .path_and_query()
            .map(|pq| Uri::from(pq.clone()))
            .unwrap_or_else(|| Uri::from_static("/")),
    };
    let mut request = http::Request::new(body);
    *request.method_mut() = method.clone();
    *request.uri_mut() = target;
    *request.headers_mut() = headers;
    request
}

/// Sends `request` on the leased connection and waits for the response head, under the
/// write timeout while the body is being sent and the read timeout after. On success the
/// lease travels with the body; on failure it is dropped, closing the connection. A request
/// hyper did not send comes back with the error.
async fn send(
    mut lease: Lease,
    request: http::Request<Outgoing>,
    timeout: &Timeout,
) -> std::result::Result<http::Response<ResponseBody>, Box<Failed>> {
    let progress = request.body().progress();
    if !lease.is_http2() {
        // An HTTP/1.1 connection is reused only once all of the body went out.
        lease.track_request_body(progress.clone());
    }
    let sent = if let Some(mut sender) = lease.http2() {
        let mut timer = Deadline::default();
        head_timeout(
            sender.try_send_request(request),
            progress,
            timeout,
            &mut timer,
        )
        .await
    } else if let Some((sender, timer)) = lease.http1() {
        head_timeout(sender.try_send_request(request), progress, timeout, timer).await
    } else {
        return Err(Failed::new(
            Error::builder("the leased connection has no sender"),
            Retry::No,
            None,
        ));
    };
    match sent {
        Ok(Ok(response)) => {
            let remote = lease.remote_addr();
            Ok(response.map(|incoming: Incoming| {
                let body = ResponseBody::from_stream(Pooled::new(incoming, lease));
                match remote {
                    Some(addr) => body.with_remote_addr(addr),
                    None => body,
                }
            }))
        }
        Ok(Err(mut failed)) => {
            let unsent = failed.take_message();
            let error = failed.into_error();
            let retry = if unsent.is_some() {
                Retry::Unsent
            } else if is_refused_stream(&error) {
                Retry::Refused
            } else {
                Retry::No
            };
            Err(Failed::new(from_hyper(error), retry, unsent))
        }
        Err(timed_out) => Err(Failed::new(timed_out, Retry::No, None)),
    }
}

/// Runs `fut` (a request being sent) under the write timeout while the request body is
/// being handed over, then under the read timeout until the head arrives, on `timer`.
async fn head_timeout<F: Future>(
    fut: F,
    progress: Option<Arc<WriteProgress>>,
    timeout: &Timeout,
    timer: &mut Deadline,
) -> Result<F::Output> {
    let start = Instant::now();
    let mut fut = std::pin::pin!(fut);
    std::future::poll_fn(|cx| {
        if let Poll::Ready(out) = fut.as_mut().poll(cx) {
            return Poll::Ready(Ok(out));
        }
        // Woken when the body is done, to move on to the read phase.
        let writing = progress.as_ref().is_some_and(|p| {
            !p.done() && {
                p.wake_when_done(cx);
                !p.done()
            }
        });
        let phase = match &progress {
            Some(p) if writing => timeout
                .write
                .map(|limit| (p.last().checked_add(limit), ErrorKind::WriteTimeout, limit)),
            Some(p) => timeout
                .read
                .map(|limit| (p.last().checked_add(limit), ErrorKind::ReadTimeout, limit)),
            None => timeout
                .read
                .map(|limit| (start.checked_add(limit), ErrorKind::ReadTimeout, limit)),
        };
        // No limit, or one past the end of the clock.
        let Some((Some(deadline), kind, limit)) = phase else {
            return Poll::Pending;
        };
        timer
            .poll_at(cx, deadline)
            .map(|()| Err(Error::timeout(kind, limit)))
    })
    .await
}
