//! The clients under test, each behind the same small interface: a worker that makes small
//! GETs, a streamed download, and "build a client, make its first HTTPS request".
//!
//! Every async client runs on a current-thread tokio runtime (the same for all), so what is
//! measured is the client's own work, not thread hand-offs that the benchmark chose.

use std::future::Future;
use std::io::Read;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::client::conn::{http1, http2};
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpStream;

pub type Res<T> = Result<T, String>;

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// The endpoints and the CA the server's certificate is signed by.
#[derive(Clone, Debug)]
pub struct Target {
    /// `http://127.0.0.1:PORT` (HTTP/1.1).
    pub h1: String,
    /// `https://127.0.0.1:PORT` (TLS, ALPN h2 and http/1.1).
    pub tls: String,
    /// `http://127.0.0.1:PORT` (HTTP/2 by prior knowledge).
    pub h2c: String,
    /// The CA certificate, PEM.
    pub ca_pem: Vec<u8>,
    /// S7's origins: the same HTTP/1.1 server on several ports (`http://127.0.0.1:PORT`).
    pub h1_origins: Vec<String>,
    /// S7's origins over HTTPS (ALPN h2), one port each.
    pub tls_origins: Vec<String>,
}

/// Which listener and protocol a scenario uses.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Proto {
    /// Plain HTTP/1.1.
    H1,
    /// HTTPS, HTTP/2 negotiated by ALPN.
    H2Tls,
    /// Cleartext HTTP/2, prior knowledge.
    H2c,
}

impl Target {
    pub fn base(&self, proto: Proto) -> &str {
        match proto {
            Proto::H1 => &self.h1,
            Proto::H2Tls => &self.tls,
            Proto::H2c => &self.h2c,
        }
    }

    /// The origins S7 spreads its requests over.
    pub fn origins(&self, proto: Proto) -> &[String] {
        match proto {
            Proto::H1 => &self.h1_origins,
            _ => &self.tls_origins,
        }
    }
}

/// One concurrent caller of an async client.
pub trait Worker: Send + 'static {
    /// A small GET, the body read whole the client's usual way; returns the body length.
    fn small(&mut self) -> impl Future<Output = Res<u64>> + Send;
    /// A streamed GET of `path`, chunk by chunk, never whole in memory; returns the length.
    fn stream(&mut self, path: &'static str) -> impl Future<Output = Res<u64>> + Send;
}

// ---------------------------------------------------------------------------------------
// httplib

#[derive(Clone)]
pub struct Httplib {
    client: httplib::Client,
    small: String,
    base: String,
}

/// Layers configured on an httplib client and doing nothing, to measure what they cost.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Layers {
    None,
    /// One no-op middleware.
    Middleware,
    /// `Retry::new(2)`.
    Retry,
    /// Both.
    Both,
}

impl Layers {
    /// `BENCH_HTTPLIB_LAYERS` (`middleware`, `retry` or `both`), for bench/profile.sh.
    pub fn from_env() -> Layers {
        match std::env::var("BENCH_HTTPLIB_LAYERS").as_deref() {
            Ok("middleware") => Layers::Middleware,
            Ok("retry") => Layers::Retry,
            Ok("both") => Layers::Both,
            _ => Layers::None,
        }
    }
}

/// An httplib client for `proto` with these pool limits and layers.
pub fn httplib_client(
    t: &Target,
    proto: Proto,
    limits: httplib::Limits,
    layers: Layers,
) -> Res<httplib::Client> {
    let mut b = httplib::Client::builder()
        .limits(limits)
        .add_root_certificate(httplib::Certificate::from_pem(&t.ca_pem).map_err(err)?);
    b = match proto {
        Proto::H1 => b,
        Proto::H2Tls => b.http2(true),
        Proto::H2c => b.http2_prior_knowledge(),
    };
    if matches!(layers, Layers::Middleware | Layers::Both) {
        b = b.middleware(NoOp);
    }
    if matches!(layers, Layers::Retry | Layers::Both) {
        b = b.retry(httplib::Retry::new(2));
    }
    b.build().map_err(err)
}

/// A middleware that passes every request on untouched, written as users write one (an
/// `async` block around `next.run`).
struct NoOp;

impl httplib::Middleware for NoOp {
    fn handle<'a>(
        &'a self,
        request: httplib::Request,
        next: httplib::Next<'a>,
    ) -> httplib::BoxFuture<'a, httplib::Result<httplib::StreamingResponse>> {
        Box::pin(async move { next.run(request).await })
    }
}

pub fn httplib_workers(t: &Target, proto: Proto, n: usize, layers: Layers) -> Res<Vec<Httplib>> {
    let idle = n.max(20);
    let limits = httplib::Limits::default()
        .max_connections(idle.max(100))
        .max_keepalive_connections(idle);
    let client = httplib_client(t, proto, limits, layers)?;
    let base = t.base(proto);
    Ok((0..n).map(|_| Httplib::on(&client, base)).collect())
}

/// S7's `n` workers, spread round-robin over `proto`'s origins, sharing one client with no
/// cap on connections and room to keep every one of them (reqwest's defaults).
pub fn httplib_spread(t: &Target, proto: Proto, n: usize) -> Res<Vec<Httplib>> {
    let limits = httplib::Limits::default()
        .max_connections(None)
        .max_keepalive_connections(n);
    let client = httplib_client(t, proto, limits, Layers::None)?;
    let origins = t.origins(proto);
    Ok((0..n)
        .map(|i| Httplib::on(&client, &origins[i % origins.len()]))
        .collect())
}

impl Worker for Httplib {
    async fn small(&mut self) -> Res<u64> {
        let r = self.client.get(&self.small).await.map_err(err)?;
        Ok(r.bytes().len() as u64)
    }

    async fn stream(&mut self, path: &'static str) -> Res<u64> {
        let url = format!("{}{path}", self.base);
        let mut r = self
            .client
            .stream(httplib::Method::GET, &url)
            .await
            .map_err(err)?;
        let mut n = 0;
        while let Some(chunk) = r.chunk().await.map_err(err)? {
            n += chunk.len() as u64;
        }
        Ok(n)
    }
}

impl Httplib {
    fn on(client: &httplib::Client, base: &str) -> Httplib {
        Httplib {
            client: client.clone(),
            small: format!("{base}/small"),
            base: base.to_owned(),
        }
    }

    /// The HTTP version of a small GET, awaited on the caller's runtime (a blocking call
    /// here would open the connection on httplib's background runtime instead, and every
    /// later request of the async measurement would cross to that thread and back).
    pub async fn version(&self) -> Res<String> {
        let r = self.client.get(&self.small).await.map_err(err)?;
        Ok(r.http_version().to_owned())
    }

    /// As [`version`](Self::version), for the blocking measurements.
    pub fn version_blocking(&self) -> Res<String> {
        let r = self.client.get(&self.small).send_blocking().map_err(err)?;
        Ok(r.http_version().to_owned())
    }

    pub fn small_blocking(&self) -> Res<u64> {
        let r = self.client.get(&self.small).send_blocking().map_err(err)?;
        Ok(r.bytes().len() as u64)
    }

    pub fn stream_blocking(&self, path: &str) -> Res<u64> {
        let url = format!("{}{path}", self.base);
        let r = self
            .client
            .stream(httplib::Method::GET, &url)
            .stream_blocking()
            .map_err(err)?;
        let mut n = 0;
        for chunk in r.iter_bytes(0) {
            n += chunk.map_err(err)?.len() as u64;
        }
        Ok(n)
    }
}

pub async fn httplib_first(t: &Target) -> Res<u64> {
    let client = httplib::Client::builder()
        .http2(true)
        .add_root_certificate(httplib::Certificate::from_pem(&t.ca_pem).map_err(err)?)
        .build()
        .map_err(err)?;
    let r = client.get(format!("{}/small", t.tls)).await.map_err(err)?;
    Ok(r.bytes().len() as u64)
}

pub fn httplib_first_blocking(t: &Target) -> Res<u64> {
    let client = httplib::Client::builder()
        .http2(true)
        .add_root_certificate(httplib::Certificate::from_pem(&t.ca_pem).map_err(err)?)
        .build()
        .map_err(err)?;
    let r = client
        .get(format!("{}/small", t.tls))
        .send_blocking()
        .map_err(err)?;
    Ok(r.bytes().len() as u64)
}

// ---------------------------------------------------------------------------------------
// reqwest

#[derive(Clone)]
pub struct Reqwest {
    client: reqwest::Client,
    small: String,
    base: String,
}

/// reqwest 0.13 with `rustls-no-provider`: the crypto provider is ring, as for every other
/// client here, installed as the process default.
pub fn install_ring() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

fn reqwest_builder(t: &Target) -> Res<reqwest::ClientBuilder> {
    install_ring();
    Ok(reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(&t.ca_pem).map_err(err)?))
}

fn reqwest_client(t: &Target, proto: Proto) -> Res<reqwest::Client> {
    let mut b = reqwest_builder(t)?;
    b = match proto {
        Proto::H1 => b.http1_only(),
        Proto::H2Tls => b,
        Proto::H2c => b.http2_prior_knowledge(),
    };
    b.build().map_err(err)
}

pub fn reqwest_workers(t: &Target, proto: Proto, n: usize) -> Res<Vec<Reqwest>> {
    let client = reqwest_client(t, proto)?;
    let base = t.base(proto);
    Ok((0..n).map(|_| Reqwest::on(&client, base)).collect())
}

/// S7's `n` workers, spread round-robin over `proto`'s origins, sharing one client.
pub fn reqwest_spread(t: &Target, proto: Proto, n: usize) -> Res<Vec<Reqwest>> {
    let client = reqwest_client(t, proto)?;
    let origins = t.origins(proto);
    Ok((0..n)
        .map(|i| Reqwest::on(&client, &origins[i % origins.len()]))
        .collect())
}

impl Worker for Reqwest {
    async fn small(&mut self) -> Res<u64> {
        let r = self.client.get(&self.small).send().await.map_err(err)?;
        Ok(r.bytes().await.map_err(err)?.len() as u64)
    }

    async fn stream(&mut self, path: &'static str) -> Res<u64> {
        let url = format!("{}{path}", self.base);
        let mut r = self.client.get(&url).send().await.map_err(err)?;
        let mut n = 0;
        while let Some(chunk) = r.chunk().await.map_err(err)? {
            n += chunk.len() as u64;
        }
        Ok(n)
    }
}

impl Reqwest {
    fn on(client: &reqwest::Client, base: &str) -> Reqwest {
        Reqwest {
            client: client.clone(),
            small: format!("{base}/small"),
            base: base.to_owned(),
        }
    }

    pub async fn version(&self) -> Res<String> {
        let r = self.client.get(&self.small).send().await.map_err(err)?;
        Ok(format!("{:?}", r.version()))
    }
}

pub async fn reqwest_first(t: &Target) -> Res<u64> {
    let client = reqwest_builder(t)?.build().map_err(err)?;
    let r = client
        .get(format!("{}/small", t.tls))
        .send()
        .await
        .map_err(err)?;
    Ok(r.bytes().await.map_err(err)?.len() as u64)
}

// ---------------------------------------------------------------------------------------
// ureq (blocking, HTTP/1.1)

pub fn ureq_agent(t: &Target) -> Res<ureq::Agent> {
    let ca = ureq::tls::Certificate::from_pem(&t.ca_pem).map_err(err)?;
    let tls = ureq::tls::TlsConfig::builder()
        .root_certs(ureq::tls::RootCerts::new_with_certs(&[ca]))
        .build();
    Ok(ureq::Agent::config_builder()
        .tls_config(tls)
        .build()
        .new_agent())
}

pub fn ureq_small(agent: &ureq::Agent, url: &str) -> Res<u64> {
    let mut r = agent.get(url).call().map_err(err)?;
    Ok(r.body_mut().read_to_vec().map_err(err)?.len() as u64)
}

pub fn ureq_stream(agent: &ureq::Agent, url: &str) -> Res<u64> {
    let r = agent.get(url).call().map_err(err)?;
    let mut reader = r.into_body().into_reader();
    let mut buf = vec![0u8; 64 * 1024];
    let mut n = 0;
    loop {
        let got = reader.read(&mut buf).map_err(err)?;
        if got == 0 {
            return Ok(n);
        }
        n += got as u64;
    }
}

pub fn ureq_first(t: &Target) -> Res<u64> {
    let agent = ureq_agent(t)?;
    ureq_small(&agent, &format!("{}/small", t.tls))
}

// ---------------------------------------------------------------------------------------
// raw hyper `client::conn`, no pool: the upper bound for a client built on hyper

type HyperBody = Empty<Bytes>;

pub enum Hyper {
    H1 {
        sender: http1::SendRequest<HyperBody>,
        host: http::HeaderValue,
    },
    H2 {
        sender: http2::SendRequest<HyperBody>,
        base: String,
    },
}

fn host_port(base: &str) -> Res<(String, u16)> {
    let uri: http::Uri = base.parse().map_err(err)?;
    let host = uri.host().ok_or("no host")?.to_owned();
    let port = uri
        .port_u16()
        .unwrap_or(if uri.scheme_str() == Some("https") {
            443
        } else {
            80
        });
    Ok((host, port))
}

async fn tcp(base: &str) -> Res<TcpStream> {
    let (host, port) = host_port(base)?;
    let s = TcpStream::connect((host.as_str(), port))
        .await
        .map_err(err)?;
    s.set_nodelay(true).map_err(err)?;
    Ok(s)
}

fn hyper_tls_config(t: &Target) -> Res<Arc<rustls::ClientConfig>> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_pki_types::CertificateDer::pem_slice_iter(&t.ca_pem) {
        roots.add(cert.map_err(err)?).map_err(err)?;
    }
    let mut config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(err)?
    .with_root_certificates(roots)
    .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec()];
    Ok(Arc::new(config))
}

use rustls_pki_types::pem::PemObject;

async fn hyper_h2(t: &Target, proto: Proto, tls: Option<Arc<rustls::ClientConfig>>) -> Res<Hyper> {
    let base = t.base(proto).to_owned();
    let stream = tcp(&base).await?;
    let builder = http2::Builder::new(TokioExecutor::new());
    let sender = if proto == Proto::H2Tls {
        let config = match tls {
            Some(c) => c,
            None => hyper_tls_config(t)?,
        };
        let (host, _) = host_port(&base)?;
        let name = rustls_pki_types::ServerName::try_from(host).map_err(err)?;
        let tls = tokio_rustls::TlsConnector::from(config)
            .connect(name, stream)
            .await
            .map_err(err)?;
        let (sender, conn) = builder.handshake(TokioIo::new(tls)).await.map_err(err)?;
        tokio::spawn(conn);
        sender
    } else {
        let (sender, conn) = builder.handshake(TokioIo::new(stream)).await.map_err(err)?;
        tokio::spawn(conn);
        sender
    };
    Ok(Hyper::H2 { sender, base })
}

/// `n` workers: HTTP/1.1 gets a connection each; HTTP/2 shares one connection.
pub async fn hyper_workers(t: &Target, proto: Proto, n: usize) -> Res<Vec<Hyper>> {
    match proto {
        Proto::H1 => {
            let (host, port) = host_port(&t.h1)?;
            let host = http::HeaderValue::from_str(&format!("{host}:{port}")).map_err(err)?;
            let mut workers = Vec::new();
            for _ in 0..n {
                let (sender, conn) = http1::handshake(TokioIo::new(tcp(&t.h1).await?))
                    .await
                    .map_err(err)?;
                tokio::spawn(conn);
                workers.push(Hyper::H1 {
                    sender,
                    host: host.clone(),
                });
            }
            Ok(workers)
        }
        _ => {
            let first = hyper_h2(t, proto, None).await?;
            let Hyper::H2 { sender, base } = first else {
                unreachable!()
            };
            Ok((0..n)
                .map(|_| Hyper::H2 {
                    sender: sender.clone(),
                    base: base.clone(),
                })
                .collect())
        }
    }
}

impl Hyper {
    /// Another handle on the same HTTP/2 connection.
    pub fn clone_h2(&self) -> Hyper {
        match self {
            Hyper::H2 { sender, base } => Hyper::H2 {
                sender: sender.clone(),
                base: base.clone(),
            },
            Hyper::H1 { .. } => panic!("an HTTP/1.1 connection cannot be shared"),
        }
    }

    async fn response(&mut self, path: &str) -> Res<hyper::Response<hyper::body::Incoming>> {
        match self {
            Hyper::H1 { sender, host } => {
                let req = http::Request::get(path)
                    .header(http::header::HOST, host.clone())
                    .body(Empty::new())
                    .map_err(err)?;
                sender.ready().await.map_err(err)?;
                sender.send_request(req).await.map_err(err)
            }
            Hyper::H2 { sender, base } => {
                let req = http::Request::get(format!("{base}{path}"))
                    .body(Empty::new())
                    .map_err(err)?;
                sender.ready().await.map_err(err)?;
                sender.send_request(req).await.map_err(err)
            }
        }
    }
}

impl Worker for Hyper {
    async fn small(&mut self) -> Res<u64> {
        let r = self.response("/small").await?;
        let body = r.into_body().collect().await.map_err(err)?.to_bytes();
        Ok(body.len() as u64)
    }

    async fn stream(&mut self, path: &'static str) -> Res<u64> {
        let mut body = self.response(path).await?.into_body();
        let mut n = 0;
        while let Some(frame) = body.frame().await {
            if let Ok(data) = frame.map_err(err)?.into_data() {
                n += data.len() as u64;
            }
        }
        Ok(n)
    }
}

pub async fn hyper_first(t: &Target) -> Res<u64> {
    let mut w = hyper_h2(t, Proto::H2Tls, None).await?;
    w.small().await
}

/// Waits a little so that connection tasks finish their shutdown before the next phase.
pub async fn settle() {
    tokio::time::sleep(Duration::from_millis(20)).await;
}
