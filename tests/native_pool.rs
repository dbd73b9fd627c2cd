//! Pooled connections the server closed: detected when it closed them in the open, and
//! retried once on a fresh connection when a reused one fails before any response byte
//! (idempotent requests only).
#![cfg(native)]

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

/// D6: HTTP/2 connections of other origins carrying no stream are closed to make room,
/// like idle HTTP/1.1 ones. Before, after `max_connections` HTTP/2 origins every new one
/// waited for `PoolTimeout`.
#[tokio::test]
async fn idle_http2_connections_of_other_origins_make_room() {
    let server = common::server();
    let client = common::builder()
        .http2(true)
        .limits(httplib::Limits::default().max_connections(2))
        .timeout(httplib::Timeout::new(Duration::from_secs(5)).pool(Duration::from_secs(1)))
        .build()
        .unwrap();
    let ports = [
        server.https_addr().port(),
        server.https_h2_limited_addr().port(),
    ];
    let origins: Vec<String> = ports
        .iter()
        .flat_map(|port| {
            [
                format!("https://localhost:{port}/echo"),
                format!("https://127.0.0.1:{port}/echo"),
            ]
        })
        .collect();
    // Twice round: the first origins' connections were closed for the later ones.
    for url in origins.iter().chain(&origins) {
        let r = client
            .get(url)
            .await
            .unwrap_or_else(|e| panic!("{url}: {e}"));
        assert_eq!(r.http_version(), "HTTP/2", "{url}");
    }
}

/// D4: a server that answers before it has read the upload (a 413) gets its answer back,
/// and its connection, still busy with the rest of the body, is not reused.
#[tokio::test]
async fn an_early_response_is_returned_and_its_connection_not_reused() {
    // Dropped at the end of the test (before the server): lets the first script return.
    let (release, released) = std::sync::mpsc::channel::<()>();
    let released = std::sync::Mutex::new(released);
    let server = RawServer::start(move |index, mut stream| {
        if index == 0 {
            // Reads the head only and answers without reading the body.
            let mut head = Vec::new();
            let mut byte = [0];
            while !head.ends_with(b"\r\n\r\n") {
                match std::io::Read::read(&mut stream, &mut byte) {
                    Ok(1) => head.push(byte[0]),
                    _ => return,
                }
            }
            let _ = stream
                .write_all(b"HTTP/1.1 413 Payload Too Large\r\nContent-Length: 4\r\n\r\nbig!");
            // Kept open and unread: only the client can end this connection.
            if let Ok(released) = released.lock() {
                let _ = released.recv_timeout(Duration::from_secs(10));
            }
            return;
        }
        while let Ok(Some(_)) = read_request(&mut stream) {
            let _ = stream.write_all(FRESH);
        }
    });
    let _release = release;
    let client = client();
    let r = client
        .post(server.url("/upload"))
        .content(vec![0u8; 32 * 1024 * 1024])
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    assert_eq!(r.text().unwrap(), "big!");
    let next = tokio::time::timeout(Duration::from_secs(3), client.get(server.url("/")))
        .await
        .expect("the next request does not wait for the unsent body")
        .unwrap();
    assert_eq!(next.text().unwrap(), "fresh");
    assert_eq!(
        server.connections_accepted(),
        2,
        "a new connection, not the busy one"
    );
}

/// A keep-alive server answering every request `200 ok`.
fn keep_alive_ok() -> RawServer {
    RawServer::start(|_, mut stream| {
        while let Ok(Some(_)) = read_request(&mut stream) {
            if stream
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                .is_err()
            {
                return;
            }
        }
    })
}

/// A streamed body of known length (a multipart form, a `Body::from_stream` with its
/// length) is sent whole once its last byte is handed over: its connection is reused like
/// any other (the fix for early responses briefly closed them all).
#[tokio::test]
async fn uploads_of_every_kind_reuse_their_connection() {
    let server = keep_alive_ok();
    let client = client();
    let stream = || {
        httplib::Body::from_stream(
            futures_util::stream::iter([Ok::<_, std::io::Error>(bytes::Bytes::from("hello"))]),
            Some(5),
        )
    };
    let chunked = || {
        httplib::Body::from_stream(
            futures_util::stream::iter([Ok::<_, std::io::Error>(bytes::Bytes::from("hello"))]),
            None,
        )
    };
    for _ in 0..2 {
        let r = client.post(server.url("/")).content("bytes").await.unwrap();
        assert_eq!(r.text().unwrap(), "ok");
        let r = client
            .post(server.url("/"))
            .content(stream())
            .await
            .unwrap();
        assert_eq!(r.text().unwrap(), "ok");
        let r = client
            .post(server.url("/"))
            .content(chunked())
            .await
            .unwrap();
        assert_eq!(r.text().unwrap(), "ok");
        let form = httplib::multipart::Form::new().text("a", "b");
        let r = client.post(server.url("/")).multipart(form).await.unwrap();
        assert_eq!(r.text().unwrap(), "ok");
    }
    assert_eq!(server.connections_accepted(), 1);
}
