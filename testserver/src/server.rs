//! [`TestServer`]: every listener on a background thread with its own tokio runtime.

use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::sync::oneshot;

use crate::listeners::{self, ListenerSpec, Shared};
use crate::state::AppState;
use crate::tls::{ALPN_H2, ALPN_HTTP11, Certs};

/// How long shutdown waits for the runtime's tasks before abandoning them.
const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(1);

/// Ports to listen on; `0` (the default) picks an ephemeral port.
///
/// Start from `TestServerOptions::default()` and set fields: more may be added.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct TestServerOptions {
    /// Cleartext listener: HTTP/1.1 and h2c by prior knowledge.
    pub http_port: u16,
    /// TLS listener offering `h2` and `http/1.1`.
    pub https_port: u16,
    /// TLS listener offering only `http/1.1`.
    pub https_h1_port: u16,
    /// TLS listener whose HTTP/2 `SETTINGS_MAX_CONCURRENT_STREAMS` is 2.
    pub https_h2_limited_port: u16,
    /// Also listen on a Unix domain socket at this path (cleartext, like `http`); the
    /// file is removed when the server stops. Unix only: elsewhere starting fails.
    pub unix_socket: Option<PathBuf>,
}

/// The Unix listener, or on systems without Unix sockets a type with no value.
#[cfg(unix)]
type UnixSocket = std::os::unix::net::UnixListener;
#[cfg(not(unix))]
type UnixSocket = std::convert::Infallible;

/// The httpbin-like test server (see the crate docs for its endpoints).
///
/// Listens on `127.0.0.1` (the TLS listeners also on `[::1]` when possible, since their URLs
/// say `localhost`). Dropping it stops the listeners, aborts open connections and joins the
/// runtime thread.
pub struct TestServer {
    http: SocketAddr,
    https: SocketAddr,
    https_h1: SocketAddr,
    https_h2_limited: SocketAddr,
    unix_socket: Option<PathBuf>,
    ca_pem: String,
    ca_der: Vec<u8>,
    accepted: Arc<AtomicUsize>,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl TestServer {
    /// Starts every listener on `127.0.0.1` with ephemeral ports, on a background thread with
    /// its own tokio runtime, so it works from `#[tokio::test]`, plain `#[test]` and examples.
    ///
    /// # Panics
    ///
    /// When the server cannot start (no loopback socket can be bound): a test cannot go on
    /// without it. Use [`TestServer::start_with`] to handle that error instead.
    pub fn start() -> TestServer {
        match TestServer::start_with(TestServerOptions::default()) {
            Ok(server) => server,
            Err(e) => panic!("httplib-testserver failed to start: {e}"),
        }
    }

    /// Starts the server with ephemeral ports and, besides, a listener on the Unix domain
    /// socket `path` (see [`TestServerOptions::unix_socket`]).
    ///
    /// # Errors
    /// A socket that cannot be bound (`path` exists already, say).
    pub fn start_with_uds(path: impl AsRef<Path>) -> io::Result<TestServer> {
        TestServer::start_with(TestServerOptions {
            unix_socket: Some(path.as_ref().to_path_buf()),
            ..TestServerOptions::default()
        })
    }

    /// Starts the server on the ports of `options`.
    pub fn start_with(options: TestServerOptions) -> io::Result<TestServer> {
        let unix = bind_unix(options.unix_socket.as_deref())?;
        let certs = Certs::generate().map_err(io::Error::other)?;
        let tls = |alpn: &[&[u8]]| certs.acceptor(alpn).map_err(io::Error::other);
        let specs = [
            (
                options.http_port,
                ListenerSpec {
                    scheme: "http",
                    tls: None,
                    http1_only: false,
                    max_concurrent_streams: None,
                },
            ),
            (
                options.https_port,
                ListenerSpec {
                    scheme: "https",
                    tls: Some(tls(&[ALPN_H2, ALPN_HTTP11])?),
                    http1_only: false,
                    max_concurrent_streams: None,
                },
            ),
            (
                options.https_h1_port,
                ListenerSpec {
                    scheme: "https",
                    tls: Some(tls(&[ALPN_HTTP11])?),
                    http1_only: true,
                    max_concurrent_streams: None,
                },
            ),
            (
                options.https_h2_limited_port,
                ListenerSpec {
                    scheme: "https",
                    tls: Some(tls(&[ALPN_H2, ALPN_HTTP11])?),
                    http1_only: false,
                    max_concurrent_streams: Some(2),
                },
            ),
        ];

        // Bind here, on the caller's thread, so a bind error is returned rather than lost in
        // the runtime thread; connections made before the accept loops run wait in the backlog.
        let mut bound = Vec::new();
        let mut addrs = Vec::new();
        for (port, spec) in specs {
            let with_ipv6 = spec.tls.is_some();
            let sockets = listeners::bind(port, with_ipv6)?;
            addrs.push(sockets[0].local_addr()?);
            for socket in &sockets {
                socket.set_nonblocking(true)?;
            }
            bound.push((sockets, Arc::new(spec)));
        }

        let accepted = Arc::new(AtomicUsize::new(0));
        let shared = Arc::new(Shared {
            accepted: accepted.clone(),
            app: Arc::new(AppState::new()),
        });
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("httplib-testserver")
            .enable_all()
            .build()?;
        let (shutdown, stopped) = oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("httplib-testserver".into())
            .spawn(move || run(runtime, bound, unix, shared, stopped))?;

        Ok(TestServer {
            http: addrs[0],
            https: addrs[1],
            https_h1: addrs[2],
            https_h2_limited: addrs[3],
            unix_socket: options.unix_socket,
            ca_pem: certs.ca_pem,
            ca_der: certs.ca_der,
            accepted,
            shutdown: Some(shutdown),
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:PORT{path}`: HTTP/1.1, and HTTP/2 by prior knowledge (h2c), on one port.
    pub fn http_url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.http.port())
    }

    /// `https://localhost:PORT{path}`: TLS with ALPN `h2` and `http/1.1`.
    pub fn https_url(&self, path: &str) -> String {
        format!("https://localhost:{}{path}", self.https.port())
    }

    /// `https://localhost:PORT{path}`: TLS with ALPN `http/1.1` only (HTTP/1.1 fallback tests).
    pub fn https_h1_url(&self, path: &str) -> String {
        format!("https://localhost:{}{path}", self.https_h1.port())
    }

    /// `https://localhost:PORT{path}`: TLS, HTTP/2 with `SETTINGS_MAX_CONCURRENT_STREAMS` 2.
    pub fn https_h2_limited_url(&self, path: &str) -> String {
        format!("https://localhost:{}{path}", self.https_h2_limited.port())
    }

    /// Address of the cleartext listener.
    pub fn http_addr(&self) -> SocketAddr {
        self.http
    }

    /// Address (IPv4) of the TLS listener offering `h2` and `http/1.1`.
    pub fn https_addr(&self) -> SocketAddr {
        self.https
    }

    /// Address (IPv4) of the TLS listener offering only `http/1.1`.
    pub fn https_h1_addr(&self) -> SocketAddr {
        self.https_h1
    }

    /// Address (IPv4) of the TLS listener limited to 2 concurrent HTTP/2 streams.
    pub fn https_h2_limited_addr(&self) -> SocketAddr {
        self.https_h2_limited
    }

    /// The path of the Unix domain socket listener, if the server has one.
    pub fn unix_socket(&self) -> Option<&Path> {
        self.unix_socket.as_deref()
    }

    /// PEM of the CA that signed the server certificate (valid for `localhost`, `127.0.0.1`
    /// and `::1`).
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// Tells scripts where the server is: writes the CA's PEM to `ca_file`, then the JSON
    /// line of the listeners' URLs (`{"http", "https", "https_h1", "https_h2_limited",
    /// "ca_file"}`) to `port_file`, each through a temporary file and a rename so that a
    /// script polling for them never reads one half written. Returns the line.
    ///
    /// # Errors
    /// A file that cannot be written, named in the error.
    pub fn publish(&self, port_file: Option<&Path>, ca_file: Option<&Path>) -> io::Result<String> {
        if let Some(path) = ca_file {
            write_atomically(path, self.ca_pem())?;
        }
        let info = serde_json::json!({
            "http": self.http_url(""),
            "https": self.https_url(""),
            "https_h1": self.https_h1_url(""),
            "https_h2_limited": self.https_h2_limited_url(""),
            "ca_file": ca_file.map(|p| p.display().to_string()),
        });
        let line = format!("{info}\n");
        if let Some(path) = port_file {
            write_atomically(path, &line)?;
        }
        Ok(line)
    }

    /// DER of the CA that signed the server certificate.
    pub fn ca_der(&self) -> &[u8] {
        &self.ca_der
    }

    /// TCP connections accepted across all listeners so far.
    pub fn connections_accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        if let Some(path) = &self.unix_socket {
            let _ = std::fs::remove_file(path);
        }
    }
}

impl std::fmt::Debug for TestServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestServer")
            .field("http", &self.http)
            .field("https", &self.https)
            .field("https_h1", &self.https_h1)
            .field("https_h2_limited", &self.https_h2_limited)
            .finish_non_exhaustive()
    }
}

/// The runtime thread: spawns the accept loops, waits for the stop signal, then drops every
/// task (open connections included) within [`SHUTDOWN_TIMEOUT`].
fn run(
    runtime: tokio::runtime::Runtime,
    bound: Vec<(Vec<std::net::TcpListener>, Arc<ListenerSpec>)>,
    unix: Option<UnixSocket>,
    shared: Arc<Shared>,
    stopped: oneshot::Receiver<()>,
) {
    runtime.block_on(async {
        #[cfg(unix)]
        if let Some(socket) = unix
            && let Ok(listener) = tokio::net::UnixListener::from_std(socket)
        {
            tokio::spawn(listeners::serve_unix(listener, shared.clone()));
        }
        #[cfg(not(unix))]
        let _ = unix;
        for (sockets, spec) in bound {
            for socket in sockets {
                // Cannot fail inside a runtime with IO enabled; skip the socket if it does.
                let Ok(listener) = tokio::net::TcpListener::from_std(socket) else {
                    continue;
                };
                tokio::spawn(listeners::serve(listener, spec.clone(), shared.clone()));
            }
        }
        // A dropped sender (the TestServer leaked past a panic) also means stop.
        let _ = stopped.await;
    });
    runtime.shutdown_timeout(SHUTDOWN_TIMEOUT);
}

/// Writes `contents` to `path` through a temporary file and a rename.
fn write_atomically(path: &Path, contents: &str) -> io::Result<()> {
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".tmp");
    std::fs::write(&temporary, contents)
        .and_then(|()| std::fs::rename(&temporary, path))
        .map_err(|e| io::Error::new(e.kind(), format!("cannot write {}: {e}", path.display())))
}

/// Binds the Unix listener of `path`, if one is asked for.
fn bind_unix(path: Option<&Path>) -> io::Result<Option<UnixSocket>> {
    let Some(path) = path else {
        return Ok(None);
    };
    #[cfg(unix)]
    {
        let socket = std::os::unix::net::UnixListener::bind(path)?;
        socket.set_nonblocking(true)?;
        Ok(Some(socket))
    }
    #[cfg(not(unix))]
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        format!("no Unix domain sockets here for {}", path.display()),
    ))
}
