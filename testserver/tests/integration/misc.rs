use std::io::{Read, Write};
use std::net::TcpStream;

use httplib_testserver::TestServer;
use serde_json::json;

use crate::client::{connect, request};

#[tokio::test]
async fn status_answers_the_code_asked() {
    let server = TestServer::start();
    let client = connect(server.http_addr(), false).await;
    for code in [200u16, 204, 302, 404, 418, 500, 599] {
        let reply = client
            .get(&server.http_url(&format!("/status/{code}")))
            .await;
        assert_eq!(reply.status.as_u16(), code);
        assert!(reply.body.is_empty());
    }
    let reply = client.get(&server.http_url("/status/401")).await;
    assert_eq!(
        reply.header("www-authenticate"),
        Some("Basic realm=\"test\"")
    );
    for bad in ["100", "199", "600", "abc", "99999999999"] {
        let reply = client
            .get(&server.http_url(&format!("/status/{bad}")))
            .await;
        assert_eq!(reply.status, 400, "{bad}");
    }
}

#[tokio::test]
async fn unknown_paths_are_json_404s() {
    let server = TestServer::start();
    let client = connect(server.http_addr(), false).await;
    let reply = client.get(&server.http_url("/nope")).await;
    assert_eq!(reply.status, 404);
    assert_eq!(reply.json()["path"], "/nope");
}

#[tokio::test]
async fn redirects() {
    let server = TestServer::start();
    let client = connect(server.http_addr(), false).await;
    let location = |path: &'static str| {
        let client = client.clone();
        let url = server.http_url(path);
        async move {
            let reply = client.get(&url).await;
            (
                reply.status.as_u16(),
                reply.header("location").unwrap_or("").to_owned(),
            )
        }
    };
    assert_eq!(location("/redirect/2").await, (302, "/redirect/1".into()));
    assert_eq!(location("/redirect/0").await, (302, "/echo".into()));
    assert_eq!(
        location("/absolute-redirect/2").await,
        (302, server.http_url("/absolute-redirect/1"))
    );
    assert_eq!(
        location("/absolute-redirect/0").await,
        (302, server.http_url("/echo"))
    );
    assert_eq!(
        location("/redirect-loop").await,
        (302, "/redirect-loop".into())
    );
    assert_eq!(
        location("/redirect-to?url=http%3A%2F%2Fexample.com%2Fx&status_code=307").await,
        (307, "http://example.com/x".into())
    );
    assert_eq!(location("/redirect-to?url=/a").await, (302, "/a".into()));
    assert_eq!(location("/redirect-to").await.0, 400);
    assert_eq!(location("/redirect-to?url=/a&status_code=200").await.0, 400);
    assert_eq!(location("/redirect/x").await.0, 400);

    let reply = client
        .get(&server.http_url("/redirect-to?url=/cookies&set_cookie=a%3Db&set_cookie=c%3Dd"))
        .await;
    let cookies: Vec<_> = reply.headers.get_all("set-cookie").iter().collect();
    assert_eq!(cookies, ["a=b", "c=d"]);
}

#[tokio::test]
async fn cookies_set_list_and_delete() {
    let server = TestServer::start();
    let client = connect(server.http_addr(), false).await;
    let reply = client.get(&server.http_url("/cookies/set?a=1&b=two")).await;
    assert_eq!(reply.status, 200);
    let set: Vec<_> = reply.headers.get_all("set-cookie").iter().collect();
    assert_eq!(set, ["a=1; Path=/", "b=two; Path=/"]);
    assert_eq!(reply.json(), json!({ "cookies": { "a": "1", "b": "two" } }));

    let reply = client.get(&server.http_url("/cookies/set/n/v%20w")).await;
    assert_eq!(reply.status, 400, "a space is not a cookie-octet");

    let mut req = request("GET", &server.http_url("/cookies"), "");
    req.headers_mut()
        .insert("cookie", "a=1; b=two".parse().unwrap());
    assert_eq!(
        client.send(req).await.json(),
        json!({ "cookies": { "a": "1", "b": "two" } })
    );

    let mut req = request("GET", &server.http_url("/cookies/delete?a"), "");
    req.headers_mut()
        .insert("cookie", "a=1; b=two".parse().unwrap());
    let reply = client.send(req).await;
    let header = reply.header("set-cookie").expect("expiring cookie");
    assert!(header.starts_with("a=; Max-Age=0"), "{header}");
    assert_eq!(reply.json(), json!({ "cookies": { "b": "two" } }));
}

#[tokio::test]
async fn response_headers_adds_what_is_asked() {
    let server = TestServer::start();
    let client = connect(server.http_addr(), false).await;
    let reply = client
        .get(&server.http_url(
            "/response-headers?X-One=1&Set-Cookie=a%3D1&Set-Cookie=b%3D2&Content-Type=text%2Fplain",
        ))
        .await;
    assert_eq!(reply.header("x-one"), Some("1"));
    assert_eq!(reply.header("content-type"), Some("text/plain"));
    let cookies: Vec<_> = reply.headers.get_all("set-cookie").iter().collect();
    assert_eq!(cookies, ["a=1", "b=2"]);
    let exposed = reply.header("access-control-expose-headers").unwrap();
    assert!(
        exposed.contains("x-one") && !exposed.contains("set-cookie"),
        "{exposed}"
    );
    assert_eq!(reply.json()["Set-Cookie"], json!(["a=1", "b=2"]));
    let bad = client
        .get(&server.http_url("/response-headers?Bad%20Name=1"))
        .await;
    assert_eq!(bad.status, 400);
}

#[test]
fn close_closes_the_connection_after_the_response() {
    let server = TestServer::start();
    let mut tcp = TcpStream::connect(server.http_addr()).unwrap();
    tcp.set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .unwrap();
    tcp.write_all(b"GET /close HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let mut answer = String::new();
    // read_to_string returns only once the server has closed the connection.
    tcp.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
    assert!(
        answer
            .to_ascii_lowercase()
            .contains("\r\nconnection: close\r\n"),
        "{answer}"
    );
}

#[tokio::test]
async fn cors_preflight_and_headers() {
    let server = TestServer::start();
    let client = connect(server.http_addr(), false).await;
    let mut req = request("OPTIONS", &server.http_url("/basic-auth/u/p"), "");
    let headers = req.headers_mut();
    headers.insert("origin", "http://localhost:8000".parse().unwrap());
    headers.insert("access-control-request-method", "PURGE".parse().unwrap());
    headers.insert(
        "access-control-request-headers",
        "authorization,x-custom".parse().unwrap(),
    );
    let reply = client.send(req).await;
    assert_eq!(reply.status, 204);
    assert_eq!(
        reply.header("access-control-allow-origin"),
        Some("http://localhost:8000")
    );
    assert_eq!(
        reply.header("access-control-allow-credentials"),
        Some("true")
    );
    assert_eq!(
        reply.header("access-control-allow-headers"),
        Some("authorization,x-custom")
    );
    let methods = reply.header("access-control-allow-methods").unwrap();
    for method in ["GET", "POST", "PUT", "PATCH", "DELETE", "PURGE"] {
        assert!(methods.contains(method), "{methods}");
    }
    assert!(reply.header("x-connection-id").is_some());

    let reply = client.get(&server.http_url("/status/401")).await;
    assert_eq!(reply.header("access-control-allow-origin"), Some("*"));
    assert_eq!(reply.header("access-control-allow-headers"), Some("*"));
    let exposed = reply.header("access-control-expose-headers").unwrap();
    for name in [
        "*",
        "location",
        "www-authenticate",
        "content-encoding",
        "content-length",
        "x-connection-id",
    ] {
        assert!(
            exposed.split(", ").any(|n| n == name),
            "{name} in {exposed}"
        );
    }
}
