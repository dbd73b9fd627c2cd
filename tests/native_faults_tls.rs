//! TLS fault injection: a certificate for the wrong host, an expired one, a self-signed
//! one, ALPN the client cannot agree on, and a server that negotiates nothing. The client
//! trusts each fault server's own CA, so the fault is the only thing wrong: each bad
//! certificate is a `Connect` error within the connect timeout, and the same one-slot
//! client then completes a normal request.
#![cfg(native)]

mod common;
mod faults_common;

use std::time::Instant;

use faults_common::{CEILING, assert_fails, assert_still_works, fault_builder};
use httplib::{Certificate, Client, ClientBuilder, ErrorKind};
use httplib_testserver::{FaultServer, Step, TlsFault};

const OK: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

/// A TLS server with `fault` that answers `200 ok` to whoever gets through.
fn tls_server(fault: TlsFault) -> FaultServer {
    FaultServer::tls(fault, vec![Step::ReadRequest, Step::write(OK)])
}

/// The fault client, also trusting `server`'s CA.
fn trusting(server: &FaultServer, builder: ClientBuilder) -> Client {
    let ca = server.ca_pem().expect("a TLS fault server has a CA");
    builder
        .add_root_certificate(Certificate::from_pem(ca.as_bytes()).unwrap())
        .build()
        .unwrap()
}

/// A GET to `fault` must be a `Connect` error from the TLS handshake; the server saw no
/// request.
async fn refused(fault: TlsFault) -> httplib::Error {
    let server = tls_server(fault);
    let client = trusting(&server, fault_builder());
    let started = Instant::now();
    let err = assert_fails(
        client.get(server.url("/")).await,
        ErrorKind::Connect,
        started,
    );
    assert!(
        err.is_connect() && err.to_string().contains("TLS handshake"),
        "{err}"
    );
    assert_eq!(server.requests_seen(), 0);
    assert_still_works(&client).await;
    err
}

#[tokio::test]
async fn the_fault_servers_ca_is_trusted_when_nothing_is_wrong() {
    // The control case: with a good certificate the same setup gets its answer.
    let server = tls_server(TlsFault::OnlyHttp11);
    let client = trusting(&server, fault_builder());
    let r = client.get(server.url("/")).await.unwrap();
    assert_eq!(r.text().unwrap(), "ok");
    assert_eq!(server.requests_seen(), 1);
}

#[tokio::test]
async fn a_certificate_for_another_host_is_a_connect_error() {
    let err = refused(TlsFault::WrongHost).await;
    assert!(err.to_string().contains("not valid for name"), "{err}");
}

#[tokio::test]
async fn an_expired_certificate_is_a_connect_error() {
    let err = refused(TlsFault::Expired).await;
    assert!(err.to_string().contains("expired"), "{err}");
}

#[tokio::test]
async fn a_self_signed_certificate_is_a_connect_error() {
    let err = refused(TlsFault::SelfSigned).await;
    assert!(err.to_string().contains("UnknownIssuer"), "{err}");
}

#[tokio::test]
async fn alpn_h2_only_against_an_http1_client_is_a_connect_error() {
    // The client offers only http/1.1 (HTTP/2 off by default); the server only h2.
    let err = refused(TlsFault::OnlyH2).await;
    assert!(err.to_string().contains("NoApplicationProtocol"), "{err}");
}

#[tokio::test]
async fn alpn_h2_only_is_spoken_by_a_client_that_offers_h2() {
    // The same server with a client that offers h2 gets through the handshake, then finds
    // an HTTP/1.1 script speaking where HTTP/2 was agreed: a typed error, not a hang.
    let server = tls_server(TlsFault::OnlyH2);
    let client = trusting(&server, fault_builder().http2(true));
    let started = Instant::now();
    let err = client.get(server.url("/")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Connect, "{err}");
    assert!(err.to_string().contains("settings"), "{err}");
    assert!(started.elapsed() < CEILING);
    assert_still_works(&client).await;
}

#[tokio::test]
async fn a_server_that_negotiates_no_alpn_is_spoken_to_in_http1() {
    let server = tls_server(TlsFault::NoAlpn);
    let client = trusting(&server, fault_builder().http2(true));
    let started = Instant::now();
    let r = client.get(server.url("/")).await.unwrap();
    assert_eq!(
        (r.http_version(), r.text().unwrap().as_str()),
        ("HTTP/1.1", "ok")
    );
    assert!(started.elapsed() < CEILING);
    assert_still_works(&client).await;
}

#[tokio::test]
async fn accepting_invalid_certificates_gets_past_an_expired_one() {
    // The one documented way around a bad certificate works, and only when asked for.
    let server = tls_server(TlsFault::Expired);
    let client = fault_builder()
        .danger_accept_invalid_certs(true)
        .build()
        .unwrap();
    let r = client.get(server.url("/")).await.unwrap();
    assert_eq!(r.text().unwrap(), "ok");
}
