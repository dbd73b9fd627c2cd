//! Native-only timeouts (connect and write, each its own kind) and failures of misbehaving
//! servers and certificates: every one a typed error, never a panic or a hang. What holds
//! on every target (read timeouts, refused connections, status errors, URL kinds) is in the
//! conformance suite.
#![cfg(native)]

mod common;

use std::io::{Read, Write};
use std::time::Duration;

use common::{builder, client, server};
use httplib::{ErrorKind, Timeout};
use httplib_testserver::{RawServer, read_request};

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
