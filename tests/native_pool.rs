//! Pooled connections the server closed: detected when it closed them in the open, and
//! retried once on a fresh connection when a reused one fails before any response byte
//! (idempotent requests only).
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::io::Write;
use std::net::Shutdown;
use std::time::Duration;

use common::client;
use httplib::ErrorKind;
use httplib_testserver::{RawServer, read_request};

const OK: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst";
const FRESH: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfresh";

/// Connection 0 answers one request, then takes the next and closes without a word, as a
/// server does when it times out an idle connection just as a request arrives.
fn closes_on_second_request() -> RawServer {
    RawServer::start(|index, mut stream| {
        if index == 0 {
            if read_request(&mut stream).ok().flatten().is_some() {
                let _ = stream.write_all(OK);
            }
            let _ = read_request(&mut stream);
            return;
        }
        while let Ok(Some(_)) = read_request(&mut stream) {
            let _ = stream.write_all(FRESH);
        }
    })
}

#[tokio::test]
async fn an_idempotent_request_is_retried_once_on_a_fresh_connection() {
    let server = closes_on_second_request();
    let client = client();
    assert_eq!(
        client.get(server.url("/")).await.unwrap().text().unwrap(),
        "first"
    );
    let r = client.get(server.url("/")).await.unwrap();
    assert_eq!(r.text().unwrap(), "fresh");
    assert_eq!(server.connections_accepted(), 2);
    let put = client.put(server.url("/")).content("x").await.unwrap();
    assert_eq!(put.text().unwrap(), "fresh");
}

#[tokio::test]
async fn a_post_is_not_retried() {
    let server = closes_on_second_request();
    let client = client();
    client.get(server.url("/")).await.unwrap();
    let err = client
        .post(server.url("/"))
        .content("once")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Read);
    assert_eq!(server.connections_accepted(), 1, "no second attempt");
}

#[tokio::test]
async fn a_connection_the_server_closed_while_idle_is_not_used() {
    let server = RawServer::start(|index, mut stream| {
        if read_request(&mut stream).ok().flatten().is_some() {
            let _ = stream.write_all(if index == 0 { OK } else { FRESH });
        }
        // Closed in the open right after the response: the client sees the FIN.
        let _ = stream.shutdown(Shutdown::Both);
    });
    let client = client();
    client.get(server.url("/")).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    // Even a POST goes through: the closed connection is noticed before it is used.
    let r = client.post(server.url("/")).content("x").await.unwrap();
    assert_eq!(r.text().unwrap(), "fresh");
}
