//! The proxy step of a connection: which proxy a request goes through (the client's
//! [`Proxy`]s, then the environment's, as curl reads it: hyper-util's matcher), and the
//! `CONNECT` tunnel to an `https://` origin (over TCP to an `http://` proxy, over TLS to an
//! `https://` one). An `http://` origin is not tunnelled: its
//! requests go to the proxy in absolute form with `Proxy-Authorization` (see `build` in
//! `mod.rs`).

use std::fmt;
use std::sync::Arc;

use http::HeaderValue;
use hyper_util::client::proxy::matcher::Matcher;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::pool::Key;
use crate::backend::TransportOptions;
use crate::error::{Error, ErrorKind, Result};
use crate::proxy::{Proxy, Scope};

/// The most of a `CONNECT` answer read before giving up on it.
const MAX_CONNECT_RESPONSE: usize = 16 * 1024;

/// A client's proxy rules, in order: the ones its code added, then the environment's.
pub(crate) struct Proxies {
    matchers: Vec<Matcher>,
}

/// The proxy one request goes through: part of its connection's pool key.
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct Route {
    pub(crate) kind: Kind,
    pub(crate) host: Arc<str>,
    pub(crate) port: u16,
    /// `Proxy-Authorization`, from the proxy URL's credentials.
    pub(crate) authorization: Option<HeaderValue>,
    /// The same credentials as they are, for SOCKS5's username/password auth.
    pub(crate) credentials: Option<(String, String)>,
}

/// What a proxy speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Kind {
    Http,
    /// HTTP inside TLS to the proxy itself (`https://`).
    #[cfg(feature = "rustls")]
    Https,
    /// SOCKS5; `remote_dns` (`socks5h://`): the origin's name goes to the proxy.
    #[cfg(feature = "socks")]
    Socks5 {
        remote_dns: bool,
    },
}

impl Kind {
    /// True for the HTTP proxies (`http://`, `https://`): they take `http://` requests in
    /// absolute form and open `CONNECT` tunnels.
    pub(crate) fn speaks_http(self) -> bool {
        match self {
            Kind::Http => true,
            #[cfg(feature = "rustls")]
            Kind::Https => true,
            #[cfg(feature = "socks")]
            Kind::Socks5 { .. } => false,
        }
    }

    fn default_port(self) -> u16 {
        match self {
            Kind::Http => 80,
            #[cfg(feature = "rustls")]
            Kind::Https => 443,
            #[cfg(feature = "socks")]
            Kind::Socks5 { .. } => 1080,
        }
    }
}

impl fmt::Debug for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The credentials stay out.
        write!(f, "Route({}:{})", self.host, self.port)
    }
}

impl Proxies {
    /// The client's rules; `None` when it has none, so that a request costs nothing.
    pub(crate) fn new(options: &TransportOptions) -> Option<Proxies> {
        if options.no_proxy {
            return None;
        }
        let mut matchers: Vec<Matcher> = options.proxies.iter().map(matcher).collect();
        if options.trust_env
            && let Some(from_env) = env_matcher()
        {
            matchers.push(from_env);
        }
        (!matchers.is_empty()).then_some(Proxies { matchers })
    }

    /// The proxy for a request to `uri`, if any.
    ///
    /// # Errors
    /// The environment names a proxy of a scheme not supported (SOCKS without the `socks`
    /// feature, or none of the proxy schemes).
    pub(crate) fn route(&self, uri: &http::Uri) -> Result<Option<Route>> {
        let Some(intercept) = self.matchers.iter().find_map(|m| m.intercept(uri)) else {
            return Ok(None);
        };
        let proxy = intercept.uri();
        let kind = match proxy.scheme_str() {
            Some("http") => Kind::Http,
            #[cfg(feature = "rustls")]
            Some("https") => Kind::Https,
            #[cfg(feature = "socks")]
            Some("socks5") => Kind::Socks5 { remote_dns: false },
            #[cfg(feature = "socks")]
            Some("socks5h") => Kind::Socks5 { remote_dns: true },
            other => {
                return Err(Error::new(
                    ErrorKind::Proxy,
                    format!(
                        "proxies of the scheme {:?} are not supported (http://, https:// with the `rustls` feature, socks5:// with the `socks` feature)",
                        other.unwrap_or_default()
                    ),
                ));
            }
        };
        let host = proxy
            .host()
            .ok_or_else(|| Error::new(ErrorKind::Proxy, "the proxy URL has no host"))?;
        let mut authorization = intercept.basic_auth().cloned();
        if let Some(value) = &mut authorization {
            value.set_sensitive(true);
        }
        Ok(Some(Route {
            kind,
            host: host.trim_start_matches('[').trim_end_matches(']').into(),
            port: proxy.port_u16().unwrap_or(kind.default_port()),
            authorization: authorization.filter(|_| kind.speaks_http()),
            credentials: intercept
                .raw_auth()
                .map(|(user, password)| (user.to_owned(), password.to_owned())),
        }))
    }
}

/// The environment's proxies, as curl reads them: the lowercase variable first, then the
/// uppercase one; `HTTP_PROXY` not at all in a CGI process (`REQUEST_METHOD` set: there
/// it may come from the request's `Proxy:` header, httpoxy, CVE-2016-5385). `None` when
/// no proxy variable is set, so that a client in a clean environment keeps no matcher.
fn env_matcher() -> Option<Matcher> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let first = |lower: &str, upper: &str| var(lower).or_else(|| var(upper));
    let cgi = std::env::var_os("REQUEST_METHOD").is_some();
    let http = var("http_proxy").or_else(|| (!cgi).then(|| var("HTTP_PROXY")).flatten());
    let https = first("https_proxy", "HTTPS_PROXY");
    let all = first("all_proxy", "ALL_PROXY");
    if http.is_none() && https.is_none() && all.is_none() {
        return None;
    }
    let mut builder = Matcher::builder();
    if let Some(all) = all {
        builder = builder.all(all);
    }
    if let Some(http) = http {
        builder = builder.http(http);
    }
    if let Some(https) = https {
        builder = builder.https(https);
    }
    if let Some(no) = first("no_proxy", "NO_PROXY") {
        builder = builder.no(no);
    }
    Some(builder.build())
}

fn matcher(proxy: &Proxy) -> Matcher {
    let url = proxy.url.as_str();
    let builder = Matcher::builder();
    let builder = match proxy.scope {
        Scope::Http => builder.http(url),
        Scope::Https => builder.https(url),
        Scope::All => builder.all(url),
    };
    match &proxy.no_proxy {
        Some(list) => builder.no(list.as_str()).build(),
        None => builder.build(),
    }
}

/// Opens a tunnel to `key`'s origin through the proxy `tcp` is connected to.
///
/// # Errors
/// [`Proxy`](ErrorKind::Proxy): the proxy refused (its status in the message), closed the
/// connection, or answered something other than HTTP.
pub(crate) async fn tunnel(
    tcp: &mut (impl AsyncRead + AsyncWrite + Unpin),
    key: &Key,
    route: &Route,
) -> Result<()> {
    let authority = if key.host.contains(':') {
        format!("[{}]:{}", key.host, key.port)
    } else {
        format!("{}:{}", key.host, key.port)
    };
    let mut request = format!("CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n");
    if let Some(value) = &route.authorization
        && let Ok(value) = value.to_str()
    {
        request.push_str("Proxy-Authorization: ");
        request.push_str(value);
        request.push_str("\r\n");
    }
    request.push_str("\r\n");
    let refused = |what: String| Error::new(ErrorKind::Proxy, what);
    tcp.write_all(request.as_bytes()).await.map_err(|e| {
        refused(format!(
            "sending CONNECT to the proxy {}:{} failed",
            route.host, route.port
        ))
        .with_source(e)
    })?;
    let mut answer = Vec::with_capacity(512);
    let mut chunk = [0u8; 512];
    loop {
        let n = tcp.read(&mut chunk).await.map_err(|e| {
            refused(format!("the proxy {}:{} failed", route.host, route.port)).with_source(e)
        })?;
        if n == 0 {
            return Err(refused(format!(
                "the proxy {}:{} closed the connection before answering CONNECT",
                route.host, route.port
            )));
        }
        answer.extend_from_slice(&chunk[..n]);
        let mut headers = [httparse::EMPTY_HEADER; 32];
        let mut response = httparse::Response::new(&mut headers);
        match response.parse(&answer) {
            Ok(httparse::Status::Complete(end)) => {
                let code = response.code.unwrap_or(0);
                if !(200..300).contains(&code) {
                    return Err(refused(format!(
                        "the proxy {}:{} refused CONNECT to {authority}: {code} {}",
                        route.host,
                        route.port,
                        response.reason.unwrap_or("")
                    )));
                }
                if end != answer.len() {
                    // Bytes of the tunnel before the client spoke: no proxy does that.
                    return Err(refused(format!(
                        "the proxy {}:{} sent data before the tunnel opened",
                        route.host, route.port
                    )));
                }
                crate::trace::event!(proxy = %format!("{}:{}", route.host, route.port), "CONNECT tunnel open");
                return Ok(());
            }
            Ok(httparse::Status::Partial) if answer.len() < MAX_CONNECT_RESPONSE => {}
            Ok(httparse::Status::Partial) => {
                return Err(refused(format!(
                    "the proxy {}:{} sent a CONNECT answer over {MAX_CONNECT_RESPONSE} bytes",
                    route.host, route.port
                )));
            }
            Err(e) => {
                return Err(refused(format!(
                    "the proxy {}:{} answered CONNECT with something other than HTTP",
                    route.host, route.port
                ))
                .with_source(e));
            }
        }
    }
}

/// Opens a SOCKS5 connection to `key`'s origin through the proxy `tcp` is connected to:
/// to `origin` (an address resolved here) or, with `remote_dns`, to the name itself.
///
/// # Errors
/// [`Proxy`](ErrorKind::Proxy): the proxy refused (its reply in the message) or broke the
/// protocol.
#[cfg(feature = "socks")]
pub(crate) async fn socks5(
    tcp: tokio::net::TcpStream,
    key: &Key,
    route: &Route,
    origin: Option<std::net::SocketAddr>,
) -> Result<tokio::net::TcpStream> {
    use tokio_socks::tcp::Socks5Stream;
    let target: tokio_socks::TargetAddr<'_> = match origin {
        Some(addr) => tokio_socks::TargetAddr::Ip(addr),
        None => tokio_socks::TargetAddr::Domain(key.host.as_ref().into(), key.port),
    };
    let connected = match &route.credentials {
        Some((user, password)) => {
            Socks5Stream::connect_with_password_and_socket(tcp, target, user, password).await
        }
        None => Socks5Stream::connect_with_socket(tcp, target).await,
    };
    let stream = connected.map_err(|e| {
        Error::new(
            ErrorKind::Proxy,
            format!(
                "the SOCKS5 proxy {}:{} refused the connection to {}:{}: {e}",
                route.host, route.port, key.host, key.port
            ),
        )
    })?;
    crate::trace::event!(proxy = %format!("{}:{}", route.host, route.port), "SOCKS5 connected");
    Ok(stream.into_inner())
}
