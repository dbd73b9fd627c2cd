//! A minimal HTTP client for the tests: hyper's low-level connections, one per `Sender`,
//! over TCP or tokio-rustls trusting the server's CA. Deliberately not the httplib crate.

use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http::{HeaderMap, Request, Response, StatusCode, Version};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::client::conn::{http1, http2};
use hyper_util::rt::{TokioExecutor, TokioIo};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use serde_json::Value;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

/// A fully read response.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub version: Version,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", String::from_utf8_lossy(&self.body)))
    }

    pub fn text(&self) -> &str {
        std::str::from_utf8(&self.body).expect("UTF-8 body")
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(name)
            .map(|v| v.to_str().expect("ASCII header"))
    }

    pub fn connection_id(&self) -> u64 {
        self.header("x-connection-id")
            .expect("X-Connection-Id")
            .parse()
            .expect("numeric id")
    }
}

/// One connection, HTTP/1.1 or HTTP/2.
#[derive(Clone)]
pub enum Sender {
    H1(Arc<tokio::sync::Mutex<http1::SendRequest<Full<Bytes>>>>),
    H2(http2::SendRequest<Full<Bytes>>),
}

impl Sender {
    /// Starts `protocol` over `io`.
    pub async fn handshake<IO>(io: IO, http2: bool) -> Sender
    where
        IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        if http2 {
            let (sender, conn) = http2::handshake(TokioExecutor::new(), TokioIo::new(io))
                .await
                .expect("h2 handshake");
            tokio::spawn(conn);
            Sender::H2(sender)
        } else {
            let (sender, conn) = http1::handshake(TokioIo::new(io))
                .await
                .expect("h1 handshake");
            tokio::spawn(conn);
            Sender::H1(Arc::new(tokio::sync::Mutex::new(sender)))
        }
    }

    /// Sends `req` (absolute URI) and returns the response with its body unread.
    pub async fn start(&self, mut req: Request<Full<Bytes>>) -> hyper::Result<Response<Incoming>> {
        match self {
            Sender::H1(sender) => {
                // HTTP/1.1 wants origin-form and a Host header.
                let uri = req.uri().clone();
                let authority = uri.authority().expect("absolute URI").as_str().to_owned();
                *req.uri_mut() = uri
                    .path_and_query()
                    .expect("path")
                    .as_str()
                    .parse()
                    .expect("uri");
                req.headers_mut()
                    .insert(http::header::HOST, authority.parse().expect("host"));
                let mut sender = sender.lock().await;
                sender.ready().await?;
                sender.send_request(req).await
            }
            Sender::H2(sender) => {
                let mut sender = sender.clone();
                sender.ready().await?;
                sender.send_request(req).await
            }
        }
    }

    /// Sends `req` and reads the whole response.
    pub async fn send(&self, req: Request<Full<Bytes>>) -> Reply {
        let response = self.start(req).await.expect("response");
        let (parts, body) = response.into_parts();
        let body = body.collect().await.expect("body").to_bytes();
        Reply {
            status: parts.status,
            version: parts.version,
            headers: parts.headers,
            body,
        }
    }

    /// GET `url`.
    pub async fn get(&self, url: &str) -> Reply {
        self.send(request("GET", url, Vec::new())).await
    }
}

/// A request with an absolute `url` and `body`.
pub fn request(method: &str, url: &str, body: impl Into<Bytes>) -> Request<Full<Bytes>> {
    Request::builder()
        .method(method)
        .uri(url)
        .body(Full::new(body.into()))
        .expect("valid request")
}

/// A cleartext connection: HTTP/1.1, or h2c by prior knowledge.
pub async fn connect(addr: SocketAddr, http2: bool) -> Sender {
    let tcp = TcpStream::connect(addr).await.expect("connect");
    Sender::handshake(tcp, http2).await
}

/// A TLS connection to `addr` as `localhost`, trusting only `ca_pem`, offering `alpn`.
pub async fn connect_tls(
    addr: SocketAddr,
    ca_pem: &str,
    alpn: &[&[u8]],
) -> std::io::Result<TlsStream<TcpStream>> {
    let mut roots = rustls::RootCertStore::empty();
    let ca = CertificateDer::from_pem_slice(ca_pem.as_bytes()).expect("CA PEM");
    roots.add(ca).expect("CA accepted");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    let tcp = TcpStream::connect(addr).await?;
    let name = ServerName::try_from("localhost").expect("server name");
    TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await
}

/// A TLS connection speaking whatever ALPN negotiated; also returns that protocol.
pub async fn connect_https(
    addr: SocketAddr,
    ca_pem: &str,
    alpn: &[&[u8]],
) -> (Sender, Option<Vec<u8>>) {
    let tls = connect_tls(addr, ca_pem, alpn)
        .await
        .expect("TLS handshake");
    let negotiated = tls.get_ref().1.alpn_protocol().map(<[u8]>::to_vec);
    let http2 = negotiated.as_deref() == Some(b"h2");
    (Sender::handshake(tls, http2).await, negotiated)
}
