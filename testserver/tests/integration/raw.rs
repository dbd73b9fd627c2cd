use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::mpsc;
use std::time::Duration;

use httplib_testserver::{RawRequest, RawServer, read_request};

/// A script that records each request and answers with a fixed response, keep-alive.
fn recording_server() -> (RawServer, mpsc::Receiver<(usize, RawRequest)>) {
    let (tx, rx) = mpsc::channel();
    let tx = std::sync::Mutex::new(tx);
    let server = RawServer::start(move |index, mut stream| {
        while let Ok(Some(request)) = read_request(&mut stream) {
            let _ = tx.lock().unwrap().send((index, request));
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        }
    });
    (server, rx)
}

fn read_answer(stream: &mut TcpStream) -> Vec<u8> {
    let mut buf = [0u8; 40];
    stream.read_exact(&mut buf).unwrap();
    buf.to_vec()
}

#[test]
fn raw_server_runs_the_script_and_read_request_parses() {
    let (server, requests) = recording_server();
    assert!(server.url("/x").starts_with("http://127.0.0.1:"));
    let mut stream = TcpStream::connect(server.addr()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    stream
        .write_all(b"POST /up?q=1 HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nX-A: b\r\n\r\nhello")
        .unwrap();
    assert_eq!(
        read_answer(&mut stream),
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
    );
    stream
        .write_all(b"PUT /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\n\r\n")
        .unwrap();
    read_answer(&mut stream);

    let (index, first) = requests.recv_timeout(Duration::from_secs(5)).unwrap();
    assert_eq!(index, 0);
    assert_eq!(first.method, "POST");
    assert_eq!(first.path, "/up?q=1");
    assert_eq!(first.version, "HTTP/1.1");
    assert_eq!(first.header("x-a"), Some("b"));
    assert_eq!(first.headers[0], ("Host".to_owned(), "h".to_owned()));
    assert_eq!(first.body, b"hello");
    let (_, second) = requests.recv_timeout(Duration::from_secs(5)).unwrap();
    assert_eq!(second.method, "PUT");
    assert_eq!(second.body, b"abcde");

    let mut other = TcpStream::connect(server.addr()).unwrap();
    other.write_all(b"GET / HTTP/1.1\r\n\r\n").unwrap();
    let (index, _) = requests.recv_timeout(Duration::from_secs(5)).unwrap();
    assert_eq!(index, 1);
    assert_eq!(server.connections_accepted(), 2);
}

#[test]
fn read_request_reports_eof_and_garbage() {
    let (tx, rx) = mpsc::channel();
    let tx = std::sync::Mutex::new(tx);
    let server = RawServer::start(move |_, mut stream| {
        let result = read_request(&mut stream).map_err(|e| e.kind());
        let _ = tx.lock().unwrap().send(result.map(|r| r.is_some()));
    });
    drop(TcpStream::connect(server.addr()).unwrap());
    assert_eq!(rx.recv_timeout(Duration::from_secs(5)).unwrap(), Ok(false));
    let mut garbage = TcpStream::connect(server.addr()).unwrap();
    garbage.write_all(b"nonsense\r\n\r\n").unwrap();
    assert_eq!(
        rx.recv_timeout(Duration::from_secs(5)).unwrap(),
        Err(std::io::ErrorKind::InvalidData)
    );
}

#[test]
fn dropping_the_raw_server_stops_blocked_scripts() {
    let server = RawServer::start(|_, mut stream| {
        // Blocks until the server shuts the socket down.
        let mut buf = [0u8; 1];
        let _ = stream.read(&mut buf);
    });
    let _client = TcpStream::connect(server.addr()).unwrap();
    while server.connections_accepted() == 0 {
        std::thread::sleep(Duration::from_millis(5));
    }
    let started = std::time::Instant::now();
    let addr = server.addr();
    drop(server);
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert!(TcpStream::connect(addr).is_err());
}
