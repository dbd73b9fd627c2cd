//! Redirects against the real test server: off by default, the cap, history, every status,
//! relative and absolute and cross-origin targets, and what is dropped on the way.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{builder, echoed_header, json, server};
use httplib::ErrorKind;

fn following() -> httplib::Client {
    builder().follow_redirects(true).build().unwrap()
}

#[tokio::test]
async fn redirects_need_to_be_asked_for() {
    let r = httplib::get(server().http_url("/redirect/2"))
        .await
        .unwrap();
    assert_eq!(r.status_code(), 302);
    assert!(r.is_redirect());
    assert_eq!(r.headers()["location"], "/redirect/1");

    let r = httplib::get(server().http_url("/redirect/2"))
        .follow_redirects(true)
        .await
        .unwrap();
    assert_eq!(r.status_code(), 200);
    assert_eq!(r.url().path(), "/echo");
    let hops: Vec<&str> = r.history().iter().map(|h| h.url().path()).collect();
    assert_eq!(hops, ["/redirect/2", "/redirect/1", "/redirect/0"]);
}

#[tokio::test]
async fn absolute_redirects_and_every_status_are_followed() {
    let client = following();
    let r = client
        .get(server().http_url("/absolute-redirect/3"))
        .await
        .unwrap();
    assert_eq!(r.history().len(), 4);
    assert_eq!(r.url().path(), "/echo");
    for (status, method) in [
        (301, "GET"),
        (302, "GET"),
        (303, "GET"),
        (307, "POST"),
        (308, "POST"),
    ] {
        let url = server().http_url(&format!("/redirect-to?url=/echo&status_code={status}"));
        let r = client.post(&url).json(&[1]).await.unwrap();
        let body = json(&r);
        assert_eq!(body["method"], method, "{status}");
        assert_eq!(
            body["json"] == serde_json::json!([1]),
            method == "POST",
            "{status}"
        );
    }
}

#[tokio::test]
async fn loops_end_in_too_many_redirects() {
    let err = following()
        .get(server().http_url("/redirect-loop"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TooManyRedirects);
    let err = following()
        .get(server().http_url("/redirect/5"))
        .max_redirects(2)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TooManyRedirects);
}

#[tokio::test]
async fn credentials_stay_with_their_origin() {
    let client = following();
    // Same origin: kept.
    let same = server().http_url("/redirect-to?url=/echo");
    let r = client
        .get(&same)
        .auth(("u", "p"))
        .header("Cookie", "c=1")
        .await
        .unwrap();
    let body = json(&r);
    assert!(echoed_header(&body, "authorization").is_some());
    assert!(echoed_header(&body, "cookie").is_some());
    // Another origin (the https listener is another port, and localhost another host): dropped.
    let target = server().https_url("/echo");
    let away = server().http_url(&format!("/redirect-to?url={}", urlencode(&target)));
    let r = client
        .get(&away)
        .auth(("u", "p"))
        .header("Cookie", "c=1")
        .header("Proxy-Authorization", "Basic eA==")
        .await
        .unwrap();
    assert_eq!(r.url().scheme(), "https");
    let body = json(&r);
    for name in ["authorization", "cookie", "proxy-authorization"] {
        assert_eq!(echoed_header(&body, name), None, "{name} crossed origins");
    }
    // https to http on the same host is a downgrade: dropped too.
    let down = server().https_url(&format!(
        "/redirect-to?url={}",
        urlencode(&server().http_url("/echo").replace("127.0.0.1", "localhost"))
    ));
    let r = client.get(&down).bearer_auth("T").await.unwrap();
    assert_eq!(r.url().scheme(), "http");
    assert_eq!(echoed_header(&json(&r), "authorization"), None);
}

#[tokio::test]
async fn cookies_set_on_a_redirect_are_kept_and_sent_on() {
    let client = following();
    let r = client
        .get(server().http_url("/redirect-to?url=/cookies&set_cookie=hop=1"))
        .await
        .unwrap();
    assert_eq!(json(&r)["cookies"]["hop"], "1");
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

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
