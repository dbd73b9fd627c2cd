use std::time::{Duration, Instant};

use http::Version;
use httplib_testserver::TestServer;

use crate::client::{connect, connect_https, connect_tls};

const H2: &[u8] = b"h2";
const H1: &[u8] = b"http/1.1";

#[tokio::test]
async fn https_negotiates_h2_by_alpn() {
    let server = TestServer::start();
    let (client, alpn) = connect_https(server.https_addr(), server.ca_pem(), &[H2, H1]).await;
    assert_eq!(alpn.as_deref(), Some(H2));
    let reply = client.get(&server.https_url("/http-version")).await;
    assert_eq!(reply.version, Version::HTTP_2);
    assert_eq!(reply.text(), "HTTP/2");
    let echo = client.get(&server.https_url("/echo")).await.json();
    assert_eq!(echo["http_version"], "HTTP/2");
    assert_eq!(echo["url"], server.https_url("/echo"));
}

#[tokio::test]
async fn https_serves_http1_when_the_client_offers_only_that() {
    let server = TestServer::start();
    let (client, alpn) = connect_https(server.https_addr(), server.ca_pem(), &[H1]).await;
    assert_eq!(alpn.as_deref(), Some(H1));
    assert_eq!(
        client.get(&server.https_url("/http-version")).await.text(),
        "HTTP/1.1"
    );
}

#[tokio::test]
async fn https_h1_offers_only_http1() {
    let server = TestServer::start();
    let (client, alpn) = connect_https(server.https_h1_addr(), server.ca_pem(), &[H2, H1]).await;
    assert_eq!(alpn.as_deref(), Some(H1));
    let reply = client.get(&server.https_h1_url("/http-version")).await;
    assert_eq!(reply.version, Version::HTTP_11);
    assert_eq!(reply.text(), "HTTP/1.1");
    // A client that insists on h2 gets no common protocol.
    let refused = connect_tls(server.https_h1_addr(), server.ca_pem(), &[H2]).await;
    assert!(refused.is_err(), "ALPN h2 alone must fail on https_h1");
}

#[tokio::test]
async fn https_h1_does_not_speak_h2_even_without_alpn() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let server = TestServer::start();
    let mut tls = connect_tls(server.https_h1_addr(), server.ca_pem(), &[])
        .await
        .expect("handshake without ALPN");
    tls.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
        .await
        .unwrap();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), tls.read_to_end(&mut answer)).await;
    assert!(read.is_ok(), "the server closes the connection");
    // An HTTP/2 server would answer the preface with a SETTINGS frame (type 4).
    assert!(
        answer.is_empty() || answer.starts_with(b"HTTP/1.1 "),
        "{answer:?}"
    );
}

#[tokio::test]
async fn the_certificate_is_signed_by_the_ca_for_localhost() {
    let server = TestServer::start();
    assert!(server.ca_pem().starts_with("-----BEGIN CERTIFICATE-----"));
    assert!(!server.ca_der().is_empty());
    for addr in [
        server.https_addr(),
        server.https_h1_addr(),
        server.https_h2_limited_addr(),
    ] {
        connect_tls(addr, server.ca_pem(), &[H1])
            .await
            .expect("trusted");
    }
    // Another server's CA must not be trusted.
    let other = TestServer::start();
    assert!(
        connect_tls(server.https_addr(), other.ca_pem(), &[H1])
            .await
            .is_err()
    );
}

#[tokio::test]
async fn http_port_speaks_h2c_by_prior_knowledge_and_http1() {
    let server = TestServer::start();
    let h2c = connect(server.http_addr(), true).await;
    let reply = h2c.get(&server.http_url("/http-version")).await;
    assert_eq!(reply.version, Version::HTTP_2);
    assert_eq!(reply.text(), "HTTP/2");
    let h1 = connect(server.http_addr(), false).await;
    assert_eq!(
        h1.get(&server.http_url("/http-version")).await.text(),
        "HTTP/1.1"
    );
}

#[tokio::test]
async fn connection_ids_follow_tcp_connections() {
    let server = TestServer::start();
    assert_eq!(server.connections_accepted(), 0);
    let first = connect(server.http_addr(), false).await;
    let a = first.get(&server.http_url("/echo")).await.connection_id();
    let b = first.get(&server.http_url("/echo")).await.connection_id();
    assert_eq!(a, b, "keep-alive reuses the connection");
    let second = connect(server.http_addr(), false).await;
    let c = second.get(&server.http_url("/echo")).await.connection_id();
    assert_ne!(a, c);
    assert_eq!(server.connections_accepted(), 2);

    // HTTP/2 multiplexes concurrent requests on one connection.
    let (h2, _) = connect_https(server.https_addr(), server.ca_pem(), &[H2]).await;
    let url = server.https_url("/delay/0.2");
    let (x, y) = tokio::join!(h2.get(&url), h2.get(&url));
    assert_eq!(x.connection_id(), y.connection_id());
    assert_eq!(server.connections_accepted(), 3);
}

/// The server's first SETTINGS frame on a fresh h2 connection, as (id, value) pairs.
async fn server_settings(addr: std::net::SocketAddr, ca_pem: &str) -> Vec<(u16, u32)> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut tls = connect_tls(addr, ca_pem, &[H2]).await.expect("TLS");
    tls.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
        .await
        .unwrap();
    tls.write_all(&[0, 0, 0, 4, 0, 0, 0, 0, 0]).await.unwrap(); // empty SETTINGS
    let mut header = [0u8; 9];
    tls.read_exact(&mut header).await.unwrap();
    assert_eq!(
        (header[3], header[4]),
        (4, 0),
        "a SETTINGS frame, not an ACK"
    );
    let len = u32::from_be_bytes([0, header[0], header[1], header[2]]) as usize;
    let mut payload = vec![0u8; len];
    tls.read_exact(&mut payload).await.unwrap();
    payload
        .chunks(6)
        .map(|s| {
            (
                u16::from_be_bytes([s[0], s[1]]),
                u32::from_be_bytes([s[2], s[3], s[4], s[5]]),
            )
        })
        .collect()
}

const MAX_CONCURRENT_STREAMS: u16 = 3;

#[tokio::test]
async fn https_h2_limited_announces_and_enforces_two_concurrent_streams() {
    let server = TestServer::start();
    let limited = server_settings(server.https_h2_limited_addr(), server.ca_pem()).await;
    assert!(
        limited.contains(&(MAX_CONCURRENT_STREAMS, 2)),
        "{limited:?}"
    );
    let open = server_settings(server.https_addr(), server.ca_pem()).await;
    assert!(
        open.iter()
            .all(|&(id, value)| id != MAX_CONCURRENT_STREAMS || value > 2),
        "{open:?}"
    );

    // Three 0.4 s requests on one connection, two streams at a time: two rounds.
    let (client, alpn) =
        connect_https(server.https_h2_limited_addr(), server.ca_pem(), &[H2]).await;
    assert_eq!(alpn.as_deref(), Some(H2));
    // One request first, so the server's SETTINGS have arrived before the burst.
    client
        .get(&server.https_h2_limited_url("/status/204"))
        .await;
    let url = server.https_h2_limited_url("/delay/0.4");
    let started = Instant::now();
    let (a, b, c) = tokio::join!(client.get(&url), client.get(&url), client.get(&url));
    let elapsed = started.elapsed();
    for reply in [a, b, c] {
        assert_eq!(reply.status, 200);
    }
    assert!(elapsed >= Duration::from_millis(800), "took {elapsed:?}");
}

#[tokio::test]
async fn dropping_the_server_closes_its_ports() {
    let server = TestServer::start();
    let addr = server.http_addr();
    let client = connect(addr, false).await;
    assert_eq!(
        client.get(&server.http_url("/status/204")).await.status,
        204
    );
    let started = Instant::now();
    drop(server);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "drop took {:?}",
        started.elapsed()
    );
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}
