//! A request cancelled (its future dropped) at any await point gives its pool slot back:
//! with `max_connections(1)`, a normal request right after each cancellation must get the
//! one slot within the pool timeout. Where the server can tell, it also checks that the
//! cancelled request's socket was closed rather than left to a background task.
#![cfg(native)]

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::Duration;

use common::{builder, server};
use httplib::{Client, Limits, Timeout};
use httplib_testserver::{RawServer, read_request};
use tokio::sync::mpsc;

/// Longer than any cancellation point below should take to reach; far shorter than a hang.
const POOL_TIMEOUT: Duration = Duration::from_secs(1);
/// An upload far larger than loopback socket buffers hold, so it cannot finish on its own
/// while the server does not read.
const BIG_UPLOAD: usize = 32 * 1024 * 1024;

fn one_connection_client() -> Client {
    builder()
        .limits(Limits::default().max_connections(1))
        .timeout(Timeout::new(Duration::from_secs(5)).pool(POOL_TIMEOUT))
        .build()
        .unwrap()
}

/// Keeps the scripts of a server stalled until it is dropped (or for at most 10 s).
#[derive(Clone, Default)]
struct Stall(Arc<(Mutex<bool>, Condvar)>);

impl Stall {
    fn wait(&self) {
        let (open, changed) = &*self.0;
        let guard = open.lock().unwrap_or_else(PoisonError::into_inner);
        let _ = changed
            .wait_timeout_while(guard, Duration::from_secs(10), |open| !*open)
            .unwrap_or_else(PoisonError::into_inner);
    }

    fn release(&self) {
        let (open, changed) = &*self.0;
        *open.lock().unwrap_or_else(PoisonError::into_inner) = true;
        changed.notify_all();
    }
}

/// A server script's signal to the test: the client reached the point to cancel at.
fn signal() -> (
    Arc<Mutex<mpsc::UnboundedSender<usize>>>,
    mpsc::UnboundedReceiver<usize>,
) {
    let (tx, rx) = mpsc::unbounded_channel();
    (Arc::new(Mutex::new(tx)), rx)
}

fn send(tx: &Mutex<mpsc::UnboundedSender<usize>>, value: usize) {
    let _ = tx
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .send(value);
}

/// Reads a request head (up to the blank line), leaving any body unread.
fn read_head(stream: &mut TcpStream) -> bool {
    let mut head = Vec::new();
    let mut byte = [0];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 64 * 1024 {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return false,
        }
    }
    true
}

/// Reads until the client closes the connection; the bytes read, or `None` if it stays
/// open for 3 s.
fn bytes_until_closed(stream: &mut TcpStream) -> Option<usize> {
    stream.set_read_timeout(Some(Duration::from_secs(3))).ok()?;
    let mut total = 0;
    let mut buf = vec![0; 64 * 1024];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return Some(total),
            Ok(n) => total += n,
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return Some(total),
            Err(_) => return None,
        }
    }
}

/// The request that must go through after each cancellation: it needs the one slot.
async fn a_request_still_completes(client: &Client) {
    let r = client
        .get(server().http_url("/echo"))
        .await
        .unwrap_or_else(|e| panic!("the slot of the cancelled request leaked: {e}"));
    assert_eq!(r.status(), 200);
}

/// Runs `request` until the server signals that the client reached the point to cancel
/// at, then drops it there.
async fn cancel_when_signalled<F: std::future::IntoFuture>(
    request: F,
    reached: &mut mpsc::UnboundedReceiver<usize>,
) where
    F::Output: std::fmt::Debug,
{
    let request = request.into_future();
    tokio::select! {
        out = request => panic!("the request ended before the point to cancel at: {out:?}"),
        got = tokio::time::timeout(Duration::from_secs(5), reached.recv()) => {
            got.expect("the client reaches the server");
        }
    }
}

/// A listener whose accept queue is full: the kernel drops further SYNs, so a connect to
/// it stays in progress (the closest to a slow TCP connect loopback allows).
fn full_listener() -> (tokio::net::TcpListener, Vec<TcpStream>, SocketAddr) {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(0).unwrap();
    let addr = listener.local_addr().unwrap();
    let mut fillers = Vec::new();
    for _ in 0..16 {
        match TcpStream::connect_timeout(&addr, Duration::from_millis(200)) {
            Ok(stream) => fillers.push(stream),
            Err(_) => return (listener, fillers, addr),
        }
    }
    panic!("the accept queue never filled");
}

#[tokio::test]
async fn cancelled_while_connecting() {
    let (_listener, _fillers, addr) = full_listener();
    let client = one_connection_client();
    // No server can say when the client is in connect(): the connect stays in progress for
    // over a second (SYN retransmission), so 300 ms in it is still connecting.
    let cancelled = tokio::time::timeout(
        Duration::from_millis(300),
        client.get(format!("http://{addr}/")),
    )
    .await;
    assert!(
        cancelled.is_err(),
        "the connect did not hang: {cancelled:?}"
    );
    a_request_still_completes(&client).await;
}

#[tokio::test]
async fn cancelled_during_the_tls_handshake() {
    let stall = Stall::default();
    let (tx, mut reached) = signal();
    let server = {
        let stall = stall.clone();
        RawServer::start(move |_, _stream| {
            // The ClientHello is never answered.
            send(&tx, 0);
            stall.wait();
        })
    };
    let client = one_connection_client();
    let url = format!("https://127.0.0.1:{}/", server.addr().port());
    cancel_when_signalled(client.get(url), &mut reached).await;
    a_request_still_completes(&client).await;
    stall.release();
}

#[tokio::test]
async fn cancelled_while_queued_for_a_slot() {
    let stall = Stall::default();
    let (tx, mut reached) = signal();
    let raw = {
        let stall = stall.clone();
        RawServer::start(move |index, mut stream| {
            if read_request(&mut stream).ok().flatten().is_some() {
                send(&tx, index);
                stall.wait();
            }
        })
    };
    let client = one_connection_client();
    // The first request holds the only connection, waiting for a head that never comes.
    let first = tokio::spawn({
        let client = client.clone();
        let url = raw.url("/");
        async move { client.get(url).await.map(|_| ()) }
    });
    tokio::time::timeout(Duration::from_secs(5), reached.recv())
        .await
        .unwrap();
    // The second waits for a slot; it is cancelled before the pool timeout.
    let queued =
        tokio::time::timeout(POOL_TIMEOUT / 3, client.get(server().http_url("/echo"))).await;
    assert!(
        queued.is_err(),
        "the second request did not wait: {queued:?}"
    );
    first.abort();
    assert!(first.await.unwrap_err().is_cancelled());
    a_request_still_completes(&client).await;
    stall.release();
}

/// httpcore#1093: a server answers early (413) while the upload is still going out and
/// stops reading. Before the fix the connection went back to the pool with the body
/// unsent; the next request waited for it with no limit, and cancelling that wait leaked
/// the slot: every later request failed with `PoolTimeout`.
#[tokio::test]
async fn cancelled_while_waiting_for_a_pooled_connection() {
    let stall = Stall::default();
    let raw = {
        let stall = stall.clone();
        RawServer::start(move |index, mut stream| {
            if index == 0 {
                if read_head(&mut stream) {
                    let _ = stream
                        .write_all(b"HTTP/1.1 413 Payload Too Large\r\nContent-Length: 0\r\n\r\n");
                    stall.wait();
                }
                return;
            }
            while let Ok(Some(_)) = read_request(&mut stream) {
                let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            }
        })
    };
    let client = one_connection_client();
    let early = client
        .post(raw.url("/upload"))
        .content(vec![b'x'; BIG_UPLOAD])
        .await
        .unwrap();
    assert_eq!(early.status(), 413);
    // Where the pooled connection would be waited for: cancelled there if it is.
    let _ = tokio::time::timeout(POOL_TIMEOUT / 3, client.get(raw.url("/next"))).await;
    a_request_still_completes(&client).await;
    stall.release();
}

#[tokio::test]
async fn cancelled_while_sending_the_body() {
    let stall = Stall::default();
    let (tx, mut reached) = signal();
    let raw = {
        let stall = stall.clone();
        RawServer::start(move |_, mut stream| {
            if read_head(&mut stream) {
                send(&tx, 0);
                // Not reading: the upload stalls. Then, once the test cancelled it, what
                // is left of it arrives before the client closes the socket.
                stall.wait();
                let read = bytes_until_closed(&mut stream);
                send(&tx, read.unwrap_or(usize::MAX));
            }
        })
    };
    let client = one_connection_client();
    let upload = client
        .post(raw.url("/upload"))
        .content(vec![b'x'; BIG_UPLOAD]);
    cancel_when_signalled(upload, &mut reached).await;
    a_request_still_completes(&client).await;
    stall.release();
    let read = tokio::time::timeout(Duration::from_secs(5), reached.recv())
        .await
        .unwrap()
        .unwrap();
    assert!(
        read < BIG_UPLOAD,
        "the cancelled upload went on in the background ({read} bytes; usize::MAX: never closed)"
    );
}

/// A script that signals at `point` and stalls, then reports whether the client closed the
/// connection.
fn stalls_then_reports(
    stall: &Stall,
    tx: Arc<Mutex<mpsc::UnboundedSender<usize>>>,
    answer: &'static [u8],
) -> RawServer {
    let stall = stall.clone();
    RawServer::start(move |_, mut stream| {
        if read_request(&mut stream).ok().flatten().is_none() {
            return;
        }
        let _ = stream.write_all(answer);
        send(&tx, 0);
        stall.wait();
        send(&tx, usize::from(bytes_until_closed(&mut stream).is_some()));
    })
}

#[tokio::test]
async fn cancelled_while_reading_the_head() {
    let stall = Stall::default();
    let (tx, mut reached) = signal();
    let raw = stalls_then_reports(&stall, tx, b"");
    let client = one_connection_client();
    cancel_when_signalled(client.get(raw.url("/")), &mut reached).await;
    a_request_still_completes(&client).await;
    stall.release();
    let closed = tokio::time::timeout(Duration::from_secs(5), reached.recv()).await;
    assert_eq!(closed.unwrap(), Some(1), "the connection was left open");
}

#[tokio::test]
async fn cancelled_while_reading_the_body() {
    let stall = Stall::default();
    let (tx, mut reached) = signal();
    let raw = stalls_then_reports(
        &stall,
        tx,
        b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc",
    );
    let client = one_connection_client();
    cancel_when_signalled(client.get(raw.url("/")), &mut reached).await;
    a_request_still_completes(&client).await;
    stall.release();
    let closed = tokio::time::timeout(Duration::from_secs(5), reached.recv()).await;
    assert_eq!(closed.unwrap(), Some(1), "the connection was left open");
}

/// D12: `close()` while a connection is being opened used to count it out twice (a
/// subtraction overflow, a panic in debug builds) when the opening ended.
#[tokio::test]
async fn closing_the_client_while_a_connection_opens() {
    let stall = Stall::default();
    let (tx, mut reached) = signal();
    let raw = {
        let stall = stall.clone();
        RawServer::start(move |_, _stream| {
            send(&tx, 0);
            // The TLS handshake hangs until the test lets the socket close.
            stall.wait();
        })
    };
    let client = one_connection_client();
    let opening = tokio::spawn({
        let client = client.clone();
        let url = format!("https://127.0.0.1:{}/", raw.addr().port());
        async move { client.get(url).await.map(|_| ()) }
    });
    tokio::time::timeout(Duration::from_secs(5), reached.recv())
        .await
        .unwrap();
    client.close();
    // The handshake now fails; the pool learns of it after close().
    stall.release();
    let ended = tokio::time::timeout(Duration::from_secs(5), opening)
        .await
        .expect("the request ends")
        .expect("the request ends without a panic");
    let err = ended.unwrap_err();
    assert!(err.is_builder(), "unexpected error: {err}");
    assert!(err.to_string().contains("closed"), "{err}");
    let later = client.get(server().http_url("/echo")).await.unwrap_err();
    assert!(later.is_builder(), "{later}");
}
