//! [`FaultServer`]: a [`RawServer`] running a fault on every connection, counting the
//! requests it reads.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::h1::{self, Step};
use super::h2::{self, H2Fault};
use super::tls::{self, TlsFault, TlsSetup};
use crate::raw::RawServer;

/// A misbehaving server on `127.0.0.1`: HTTP/1.1 scripts ([`FaultServer::h1`]), the same
/// over TLS with a bad certificate or ALPN ([`FaultServer::tls`]), or HTTP/2 frames
/// ([`FaultServer::h2`]).
///
/// Dropping it drops its [`RawServer`]: open connections are shut and their threads joined
/// briefly.
pub struct FaultServer {
    raw: RawServer,
    requests: Arc<AtomicUsize>,
    scheme: &'static str,
    host: String,
    ca_pem: Option<String>,
}

impl FaultServer {
    /// Runs `steps` on every connection.
    ///
    /// # Panics
    ///
    /// When no loopback socket can be bound (see [`RawServer::start`]).
    pub fn h1(steps: Vec<Step>) -> FaultServer {
        FaultServer::h1_per_connection(move |_| steps.clone())
    }

    /// Runs `script(connection_index)` on each connection (indexes count from 0): e.g. a
    /// fault on the first connection only, and a normal answer on the next.
    ///
    /// # Panics
    ///
    /// When no loopback socket can be bound (see [`RawServer::start`]).
    pub fn h1_per_connection<F>(script: F) -> FaultServer
    where
        F: Fn(usize) -> Vec<Step> + Send + Sync + 'static,
    {
        let requests = Arc::new(AtomicUsize::new(0));
        let counted = requests.clone();
        let raw = RawServer::start(move |index, mut stream| {
            h1::run(&mut stream, &script(index), &counted);
        });
        FaultServer::new(raw, requests, "http", None)
    }

    /// A TLS server with `fault`; a client that gets through the handshake meets `steps`.
    /// Its URLs say `localhost`; trust [`FaultServer::ca_pem`] to see only the fault.
    ///
    /// # Panics
    ///
    /// When the certificates cannot be generated or no loopback socket can be bound.
    pub fn tls(fault: TlsFault, steps: Vec<Step>) -> FaultServer {
        let setup = match TlsSetup::new(fault) {
            Ok(setup) => setup,
            Err(e) => panic!("FaultServer failed to set up TLS: {e}"),
        };
        let requests = Arc::new(AtomicUsize::new(0));
        let counted = requests.clone();
        let config = setup.config;
        let raw = RawServer::start(move |_, stream| {
            tls::serve(stream, config.clone(), &steps, &counted);
        });
        FaultServer::new(raw, requests, "https", Some(setup.ca_pem))
    }

    /// A cleartext HTTP/2 server (prior knowledge) with `fault`; every HEADERS frame the
    /// client sends counts as a request.
    ///
    /// # Panics
    ///
    /// When no loopback socket can be bound (see [`RawServer::start`]).
    pub fn h2(fault: H2Fault) -> FaultServer {
        FaultServer::start_h2(fault, None)
    }

    /// Like [`FaultServer::h2`], but only the first `times` requests the server sees meet
    /// `fault`; later ones are answered `200` `ok`, so the client can show it recovered on
    /// the same origin.
    ///
    /// # Panics
    ///
    /// When no loopback socket can be bound (see [`RawServer::start`]).
    pub fn h2_times(fault: H2Fault, times: usize) -> FaultServer {
        FaultServer::start_h2(fault, Some(times))
    }

    fn start_h2(fault: H2Fault, faulty: Option<usize>) -> FaultServer {
        let requests = Arc::new(AtomicUsize::new(0));
        let counted = requests.clone();
        let raw = RawServer::start(move |_, stream| h2::serve(stream, fault, faulty, &counted));
        FaultServer::new(raw, requests, "http", None)
    }

    fn new(
        raw: RawServer,
        requests: Arc<AtomicUsize>,
        scheme: &'static str,
        ca_pem: Option<String>,
    ) -> FaultServer {
        let host = match scheme {
            "https" => format!("localhost:{}", raw.addr().port()),
            _ => raw.addr().to_string(),
        };
        FaultServer {
            raw,
            requests,
            scheme,
            host,
            ca_pem,
        }
    }

    /// `http://127.0.0.1:PORT{path}`, or `https://localhost:PORT{path}` for TLS.
    pub fn url(&self, path: &str) -> String {
        format!("{}://{}{path}", self.scheme, self.host)
    }

    /// The listening address (`127.0.0.1:PORT`).
    pub fn addr(&self) -> SocketAddr {
        self.raw.addr()
    }

    /// Requests read so far (heads, for HTTP/1.1; HEADERS frames, for HTTP/2).
    pub fn requests_seen(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }

    /// TCP connections accepted so far.
    pub fn connections_accepted(&self) -> usize {
        self.raw.connections_accepted()
    }

    /// PEM of the CA of a [`FaultServer::tls`] server (`None` for the others).
    pub fn ca_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }
}

impl std::fmt::Debug for FaultServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FaultServer")
            .field("url", &self.url(""))
            .field("requests_seen", &self.requests_seen())
            .finish_non_exhaustive()
    }
}
