//! [`RawServer`]: a scripted TCP server for peers that misbehave below HTTP (bad framing,
//! early close, garbage), and [`read_request`] to read an HTTP/1.1 request in scripts.

use std::collections::HashMap;
use std::io::{self, Read};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

/// Longest request head [`read_request`] accepts.
const MAX_HEAD: usize = 64 * 1024;

/// How long dropping a [`RawServer`] waits for scripts to return once their sockets are shut.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(2);

/// One HTTP/1.x request as read by [`read_request`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawRequest {
    /// The method as sent, e.g. `GET`.
    pub method: String,
    /// The request target as sent, e.g. `/path?query`.
    pub path: String,
    /// The protocol as sent, e.g. `HTTP/1.1`.
    pub version: String,
    /// Header fields in order, names as sent.
    pub headers: Vec<(String, String)>,
    /// The body (Content-Length or chunked; empty when neither).
    pub body: Vec<u8>,
}

impl RawRequest {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Reads one HTTP/1.1 request head and its body (Content-Length or chunked) from `stream`.
///
/// Reads byte by byte up to the end of the head, so nothing after the request is consumed
/// and the next call reads the next request of a keep-alive connection. Returns `None` on
/// EOF before the first byte; a malformed head is an `InvalidData` error.
pub fn read_request<S: Read>(stream: &mut S) -> io::Result<Option<RawRequest>> {
    let Some(mut request) = read_request_head(stream)? else {
        return Ok(None);
    };
    let chunked = request
        .header("transfer-encoding")
        .is_some_and(|te| te.to_ascii_lowercase().contains("chunked"));
    if chunked {
        request.body = read_chunked(stream)?;
    } else if let Some(length) = request.header("content-length") {
        let length: usize = length
            .parse()
            .map_err(|_| invalid("malformed Content-Length"))?;
        let mut body = vec![0; length];
        stream.read_exact(&mut body)?;
        request.body = body;
    }
    Ok(Some(request))
}

/// Reads one HTTP/1.1 request head from `stream` and leaves its body unread (`body` is
/// empty): for servers that answer before the upload is over.
///
/// Returns `None` on EOF before the first byte; a malformed head is an `InvalidData` error.
pub fn read_request_head<S: Read>(stream: &mut S) -> io::Result<Option<RawRequest>> {
    let mut head = Vec::new();
    loop {
        let Some(byte) = read_byte(stream)? else {
            if head.is_empty() {
                return Ok(None);
            }
            return Err(io::ErrorKind::UnexpectedEof.into());
        };
        head.push(byte);
        // Empty lines before a request line are to be ignored (RFC 9112 section 2.2).
        if head == b"\r\n" || head == b"\n" {
            head.clear();
        }
        if head.ends_with(b"\r\n\r\n") || head.ends_with(b"\n\n") {
            break;
        }
        if head.len() > MAX_HEAD {
            return Err(invalid("request head too long"));
        }
    }
    let text = String::from_utf8_lossy(&head);
    let mut lines = text.lines();
    let request_line = lines.next().unwrap_or("");
    let mut words = request_line.split_whitespace();
    let (Some(method), Some(path), Some(version)) = (words.next(), words.next(), words.next())
    else {
        return Err(invalid("malformed request line"));
    };
    let mut headers = Vec::new();
    for line in lines.filter(|l| !l.is_empty()) {
        let Some((name, value)) = line.split_once(':') else {
            return Err(invalid("malformed header line"));
        };
        headers.push((name.trim().to_owned(), value.trim().to_owned()));
    }
    Ok(Some(RawRequest {
        method: method.to_owned(),
        path: path.to_owned(),
        version: version.to_owned(),
        headers,
        body: Vec::new(),
    }))
}

fn read_byte<S: Read>(stream: &mut S) -> io::Result<Option<u8>> {
    let mut byte = [0u8; 1];
    loop {
        match stream.read(&mut byte) {
            Ok(0) => return Ok(None),
            Ok(_) => return Ok(Some(byte[0])),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
}

/// One CRLF- (or LF-) terminated line, without its terminator.
fn read_line<S: Read>(stream: &mut S) -> io::Result<String> {
    let mut line = Vec::new();
    loop {
        match read_byte(stream)? {
            None => return Err(io::ErrorKind::UnexpectedEof.into()),
            Some(b'\n') => break,
            Some(byte) => line.push(byte),
        }
        if line.len() > MAX_HEAD {
            return Err(invalid("line too long"));
        }
    }
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    String::from_utf8(line).map_err(|_| invalid("line is not UTF-8"))
}

fn read_chunked<S: Read>(stream: &mut S) -> io::Result<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let line = read_line(stream)?;
        let size = line.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size, 16).map_err(|_| invalid("malformed chunk size"))?;
        if size == 0 {
            // Trailers, up to the empty line.
            while !read_line(stream)?.is_empty() {}
            return Ok(body);
        }
        let start = body.len();
        body.resize(start + size, 0);
        stream.read_exact(&mut body[start..])?;
        if !read_line(stream)?.is_empty() {
            return Err(invalid("chunk not followed by CRLF"));
        }
    }
}

fn invalid(message: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message.to_owned())
}

/// Connections whose scripts are still running, so dropping the server can shut them.
#[derive(Default)]
struct Registry {
    streams: Mutex<HashMap<usize, TcpStream>>,
    idle: Condvar,
}

impl Registry {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<usize, TcpStream>> {
        // A panicking script poisons nothing we rely on: the map stays consistent.
        self.streams.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Removes a connection from the registry when its script ends, even by panicking:
/// dropping the registry's clone is what lets the socket close.
struct ScriptGuard {
    registry: Arc<Registry>,
    index: usize,
}

impl Drop for ScriptGuard {
    fn drop(&mut self) {
        let mut streams = self.registry.lock();
        streams.remove(&self.index);
        self.registry.idle.notify_all();
    }
}

/// A scripted raw TCP server on `127.0.0.1`: one std thread per accepted connection runs
/// `script(connection_index, stream)` (indexes count from 0).
///
/// Dropping it stops accepting, shuts down the sockets of scripts still running (their
/// reads and writes fail) and waits briefly for them to return.
pub struct RawServer {
    addr: SocketAddr,
    accepted: Arc<AtomicUsize>,
    stopping: Arc<AtomicBool>,
    registry: Arc<Registry>,
    acceptor: Option<JoinHandle<()>>,
}

impl RawServer {
    /// Binds an ephemeral port on `127.0.0.1` and starts accepting.
    ///
    /// # Panics
    ///
    /// When no loopback socket can be bound: a test cannot go on without it.
    pub fn start<F>(script: F) -> RawServer
    where
        F: Fn(usize, TcpStream) + Send + Sync + 'static,
    {
        let listener = match TcpListener::bind((Ipv4Addr::LOCALHOST, 0)) {
            Ok(listener) => listener,
            Err(e) => panic!("RawServer failed to bind 127.0.0.1: {e}"),
        };
        let addr = match listener.local_addr() {
            Ok(addr) => addr,
            Err(e) => panic!("RawServer has no local address: {e}"),
        };
        let accepted = Arc::new(AtomicUsize::new(0));
        let stopping = Arc::new(AtomicBool::new(false));
        let registry = Arc::new(Registry::default());
        let script = Arc::new(script);

        let acceptor = {
            let accepted = accepted.clone();
            let stopping = stopping.clone();
            let registry = registry.clone();
            std::thread::Builder::new()
                .name("raw-server-accept".into())
                .spawn(move || {
                    for stream in listener.incoming() {
                        if stopping.load(Ordering::SeqCst) {
                            break;
                        }
                        let Ok(stream) = stream else { continue };
                        let index = accepted.fetch_add(1, Ordering::SeqCst);
                        let Ok(clone) = stream.try_clone() else {
                            continue;
                        };
                        registry.lock().insert(index, clone);
                        let guard = ScriptGuard {
                            registry: registry.clone(),
                            index,
                        };
                        let script = script.clone();
                        let spawned = std::thread::Builder::new()
                            .name(format!("raw-server-conn-{index}"))
                            .spawn(move || {
                                let _guard = guard;
                                script(index, stream);
                            });
                        // Out of threads: the guard was dropped with the closure, closing it.
                        drop(spawned);
                    }
                })
        };
        let acceptor = match acceptor {
            Ok(handle) => handle,
            Err(e) => panic!("RawServer failed to spawn its accept thread: {e}"),
        };
        RawServer {
            addr,
            accepted,
            stopping,
            registry,
            acceptor: Some(acceptor),
        }
    }

    /// The listening address (`127.0.0.1:PORT`).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// TCP connections accepted so far.
    pub fn connections_accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }
}

impl Drop for RawServer {
    fn drop(&mut self) {
        self.stopping.store(true, Ordering::SeqCst);
        // Wake the blocking accept with a connection of our own; it sees `stopping` and ends.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
        let mut streams = self.registry.lock();
        for stream in streams.values() {
            let _ = stream.shutdown(std::net::Shutdown::Both);
        }
        let deadline = std::time::Instant::now() + DRAIN_TIMEOUT;
        while !streams.is_empty() {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                break;
            }
            streams = match self.registry.idle.wait_timeout(streams, left) {
                Ok((guard, _)) => guard,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
    }
}

impl std::fmt::Debug for RawServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawServer")
            .field("addr", &self.addr)
            .field("connections_accepted", &self.connections_accepted())
            .finish_non_exhaustive()
    }
}
