//! Timeouts (each its own kind) and failures of misbehaving servers: every one a typed
//! error that says what happened, never a panic or a hang.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use common::{builder, client, server};
use httplib::{ErrorKind, Method, Timeout};
use httplib_testserver::{RawServer, read_request};

fn quick() -> Timeout {
    Timeout::new(Duration::from_millis(300))
}

#[tokio::test]
async fn a_slow_response_is_a_read_timeout_and_a_request_can_allow_more() {
    let client = builder().timeout(quick()).build().unwrap();
    let started = Instant::now();
    let err = client.get(server().http_url("/delay/2")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ReadTimeout);
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(err.url().unwrap().path().starts_with("/delay"));
    let r = client
        .get(server().http_url("/delay/0.5"))
        .timeout(Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(r.status_code(), 200);
}

#[tokio::test]
async fn the_default_timeout_is_five_seconds() {
    assert_eq!(Timeout::default(), Timeout::new(Duration::from_secs(5)));
    let started = Instant::now();
    let err = httplib::get(server().http_url("/hang")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ReadTimeout);
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_secs(5) && waited < Duration::from_secs(7),
        "{waited:?}"
    );
}

#[tokio::test]
async fn a_stalled_body_is_a_read_timeout_between_chunks() {
    let client = builder().timeout(quick()).build().unwrap();
    // Chunks 100 ms apart pass a 300 ms read timeout, though the whole body takes longer.
    let r = client
        .get(server().http_url("/drip?chunks=5&interval_ms=100&chunk_size=10"))
        .await
        .unwrap();
    assert_eq!(r.bytes().len(), 50);
    // A body that stops: the head arrives, then the read timeout.
    let mut r = client
        .stream(Method::GET, server().http_url("/hang-body"))
        .await
        .unwrap();
    assert_eq!(r.status_code(), 200);
    let err = r.chunk().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ReadTimeout);
}

#[tokio::test]
async fn a_tls_handshake_that_never_completes_is_a_connect_timeout() {
    let silent = RawServer::start(|_, mut stream| {
        let mut buf = [0u8; 1024];
        // Read the ClientHello and never answer it.
        let _ = stream.read(&mut buf);
        std::thread::sleep(Duration::from_secs(3));
    });
    let client = builder()
        .timeout(Timeout::default().connect(Duration::from_millis(300)))
        .build()
        .unwrap();
    let url = format!("https://localhost:{}/", silent.addr().port());
    let err = client.get(&url).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConnectTimeout);
    assert!(err.is_connect() && err.is_timeout());
}

#[tokio::test]
async fn a_server_that_stops_reading_is_a_write_timeout() {
    let deaf = RawServer::start(|_, stream| {
        // Accept, never read: the client's writes stall once the socket buffers fill.
        std::thread::sleep(Duration::from_secs(5));
        drop(stream);
    });
    let client = builder()
        .timeout(Timeout::default().write(Duration::from_millis(300)))
        .build()
        .unwrap();
    let body = vec![0u8; 64 * 1024 * 1024];
    let err = client.post(deaf.url("/")).content(body).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::WriteTimeout);
}

#[tokio::test]
async fn a_refused_connection_is_a_connect_error() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let err = httplib::get(format!("http://127.0.0.1:{port}/"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Connect);
    assert!(err.to_string().contains("127.0.0.1"), "{err}");
}

#[tokio::test]
async fn an_untrusted_certificate_is_a_connect_error_unless_verification_is_off() {
    let err = httplib::get(server().https_url("/echo")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Connect);
    assert!(err.to_string().contains("TLS"), "{err}");
    let trusting = httplib::Client::builder()
        .danger_accept_invalid_certs(true)
        .build()
        .unwrap();
    assert_eq!(
        trusting
            .get(server().https_url("/echo"))
            .await
            .unwrap()
            .status_code(),
        200
    );
}

#[tokio::test]
async fn garbage_instead_of_http_is_a_protocol_error() {
    let garbage = RawServer::start(|_, mut stream| {
        let _ = read_request(&mut stream);
        let _ = stream.write_all(b"SSH-2.0-OpenSSH_9.2\r\n\0\0\x7f garbage\r\n\r\n");
    });
    let err = client().get(garbage.url("/")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Protocol);
}

#[tokio::test]
async fn a_body_shorter_than_its_length_is_a_read_error() {
    let err = client()
        .get(server().http_url("/drop-mid-body/100000"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Read);
    let liar = RawServer::start(|_, mut stream| {
        let _ = read_request(&mut stream);
        let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this");
    });
    let err = client().get(liar.url("/")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Read);
    assert!(err.to_string().contains("closed"), "{err}");
}

#[tokio::test]
async fn a_reset_before_the_response_is_a_read_error() {
    let resetting = RawServer::start(|_, stream| {
        let mut stream = stream;
        let _ = read_request(&mut stream);
        // SO_LINGER 0 makes close send RST.
        let sock = socket2::SockRef::from(&stream);
        let _ = sock.set_linger(Some(Duration::ZERO));
    });
    let err = client().get(resetting.url("/")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Read);
}

#[tokio::test]
async fn unsupported_schemes_and_malformed_urls_have_their_kinds() {
    let err = httplib::get("ftp://127.0.0.1/").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnsupportedProtocol);
    assert!(err.is_request());
    let err = httplib::get("http://").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidUrl);
    let err = httplib::get(server().http_url("/echo\r\nX: 1"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidUrl);
}

#[tokio::test]
async fn raise_for_status_is_a_status_error() {
    let r = httplib::get(server().http_url("/status/503"))
        .await
        .unwrap();
    assert!(r.is_server_error() && r.is_error());
    let err = r.raise_for_status().unwrap_err();
    assert!(err.is_status() && !err.is_request());
    assert_eq!(err.status().unwrap().as_u16(), 503);
    let r = httplib::get(server().http_url("/status/201"))
        .await
        .unwrap();
    assert_eq!(r.raise_for_status().unwrap().status_code(), 201);
}
