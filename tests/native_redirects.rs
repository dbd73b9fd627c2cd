//! Native-only redirects: a redirect whose body stalls (a raw server). What holds on every
//! target (off by default, the cap, history, every status, credentials and cookies across
//! origins) is in the conformance suite.
#![cfg(native)]

mod common;

use common::builder;

/// A server that answers `/start` with a 302 whose body (1,000 bytes announced) stalls
/// after 10, and `/end` with `end`. Each connection serves one request.
fn redirect_with_a_stalled_body() -> httplib_testserver::RawServer {
    use std::io::{Read, Write};
    httplib_testserver::RawServer::start(|_, mut stream| {
        let Ok(Some(request)) = httplib_testserver::read_request(&mut stream) else {
            return;
        };
        if request.path == "/start" {
            let _ = stream.write_all(
                b"HTTP/1.1 302 Found\r\nLocation: /end\r\nContent-Length: 1000\r\n\r\n0123456789",
            );
            // Holds the connection until the client or the server's end closes it.
            let _ = stream.read(&mut [0u8; 1]);
        } else {
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nend");
        }
    })
}

/// D3/D9: a redirect's body used to be read whole: a stalled one failed the request after
/// the read timeout, a dripping one held it for as long as it dripped. Now it is drained
/// for at most a second and the redirect is followed.
#[tokio::test]
async fn a_stalled_redirect_body_does_not_hold_the_request() {
    let server = redirect_with_a_stalled_body();
    let client = builder()
        .follow_redirects(true)
        .timeout(std::time::Duration::from_secs(3))
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let r = client.get(server.url("/start")).await.unwrap();
    assert_eq!(r.text().unwrap(), "end");
    assert_eq!(
        r.history()[0].bytes(),
        "0123456789",
        "the prefix that came is kept"
    );
    assert!(
        started.elapsed() < std::time::Duration::from_millis(2500),
        "{:?}",
        started.elapsed()
    );
}
