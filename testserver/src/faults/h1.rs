//! HTTP/1.1 fault scripts: what a misbehaving server does on one connection, step by step.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::raw::{read_request, read_request_head};

/// Longest a [`Step::Pause`] or [`Step::CloseAfterDraining`] may last, so no script keeps a
/// test (or the server's drop) waiting.
const LONGEST_WAIT: Duration = Duration::from_secs(5);

/// One step of a fault script ([`FaultServer::h1`](super::FaultServer::h1)).
///
/// A script stops at the first step whose read or write fails (the client left), and the
/// connection closes (FIN) when the script ends, unless it ended with [`Step::Reset`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Step {
    /// Read one request, head and body, and count it.
    ReadRequest,
    /// Read one request head, count it, and leave its body unread (an early response).
    ReadHead,
    /// Read once, whatever has arrived (e.g. a TLS ClientHello), without parsing it.
    ReadSome,
    /// Write these bytes.
    Write(Vec<u8>),
    /// Write these bytes this many times (a flood).
    Repeat(Vec<u8>, usize),
    /// Write these bytes one at a time, this long apart (a head that trickles in).
    Trickle(Vec<u8>, Duration),
    /// Do nothing for this long (at most 5 s).
    Pause(Duration),
    /// Close with a TCP reset (`SO_LINGER` 0) instead of a FIN, and end the script.
    Reset,
    /// Close the write side (FIN), then discard what the client still sends until it closes
    /// or this long (at most 5 s) has passed: how a server that answered early lets the
    /// client read its answer.
    CloseAfterDraining(Duration),
}

impl Step {
    /// [`Step::Write`] of anything byte-like.
    pub fn write(bytes: impl AsRef<[u8]>) -> Step {
        Step::Write(bytes.as_ref().to_vec())
    }
}

/// What a script runs on: a TCP stream, or a TLS stream over one.
pub(crate) trait Conn: Read + Write {
    /// The TCP socket underneath, for resets and half-closes.
    fn tcp(&self) -> &TcpStream;
}

impl Conn for TcpStream {
    fn tcp(&self) -> &TcpStream {
        self
    }
}

impl Conn for rustls::StreamOwned<rustls::ServerConnection, TcpStream> {
    fn tcp(&self) -> &TcpStream {
        &self.sock
    }
}

/// Runs `steps` on `conn`, counting the requests it reads in `requests`.
pub(crate) fn run<C: Conn>(conn: &mut C, steps: &[Step], requests: &AtomicUsize) {
    for step in steps {
        if run_step(conn, step, requests).is_err() {
            return;
        }
    }
}

fn run_step<C: Conn>(conn: &mut C, step: &Step, requests: &AtomicUsize) -> io::Result<()> {
    match step {
        Step::ReadRequest => count(read_request(conn)?.is_some(), requests),
        Step::ReadHead => count(read_request_head(conn)?.is_some(), requests),
        Step::ReadSome => {
            let mut buf = [0u8; 16 * 1024];
            match conn.read(&mut buf)? {
                0 => Err(io::ErrorKind::UnexpectedEof.into()),
                _ => Ok(()),
            }
        }
        Step::Write(bytes) => {
            conn.write_all(bytes)?;
            conn.flush()
        }
        Step::Repeat(bytes, times) => {
            for _ in 0..*times {
                conn.write_all(bytes)?;
            }
            conn.flush()
        }
        Step::Trickle(bytes, interval) => {
            for byte in bytes {
                conn.write_all(std::slice::from_ref(byte))?;
                conn.flush()?;
                std::thread::sleep(*interval);
            }
            Ok(())
        }
        Step::Pause(pause) => {
            std::thread::sleep((*pause).min(LONGEST_WAIT));
            Ok(())
        }
        Step::Reset => {
            socket2::SockRef::from(conn.tcp()).set_linger(Some(Duration::ZERO))?;
            // The caller's drop of the socket now sends RST; stop the script here.
            Err(io::ErrorKind::ConnectionReset.into())
        }
        Step::CloseAfterDraining(limit) => {
            conn.flush()?;
            conn.tcp().shutdown(Shutdown::Write)?;
            drain(conn.tcp(), (*limit).min(LONGEST_WAIT))
        }
    }
}

fn count(read: bool, requests: &AtomicUsize) -> io::Result<()> {
    if !read {
        return Err(io::ErrorKind::UnexpectedEof.into());
    }
    requests.fetch_add(1, Ordering::SeqCst);
    Ok(())
}

/// Reads and discards until EOF, an error, or `limit`.
fn drain(mut tcp: &TcpStream, limit: Duration) -> io::Result<()> {
    let deadline = Instant::now() + limit;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(());
        }
        tcp.set_read_timeout(Some(left))?;
        match tcp.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(_) => continue,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
}
