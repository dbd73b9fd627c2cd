use httplib_testserver::TestServer;
use serde_json::json;

use crate::client::{connect, request};
use crate::sha256_hex;

#[tokio::test]
async fn echo_describes_method_url_args_headers_and_json_body() {
    let server = TestServer::start();
    let client = connect(server.http_addr(), false).await;
    let url = server.http_url("/echo?a=1&a=2&b=x%20y");
    let body = r#"{"k":[1,2],"s":"é"}"#;
    let mut req = request("POST", &url, body);
    let headers = req.headers_mut();
    headers.insert("content-type", "application/json".parse().unwrap());
    headers.append("x-multi", "one".parse().unwrap());
    headers.append("x-multi", "two".parse().unwrap());
    let reply = client.send(req).await;

    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    let echo = reply.json();
    assert_eq!(echo["method"], "POST");
    assert_eq!(echo["url"], url);
    assert_eq!(echo["path"], "/echo");
    assert_eq!(echo["args"], json!({ "a": ["1", "2"], "b": "x y" }));
    assert_eq!(echo["headers"]["x-multi"], "one, two");
    assert_eq!(echo["headers"]["content-type"], "application/json");
    assert_eq!(echo["body"], body);
    assert_eq!(echo["body_len"], body.len());
    assert_eq!(echo["sha256"], sha256_hex(body.as_bytes()));
    assert_eq!(echo["json"], json!({ "k": [1, 2], "s": "é" }));
    assert_eq!(echo["form"], serde_json::Value::Null);
    assert_eq!(echo["files"], json!({}));
    assert_eq!(echo["http_version"], "HTTP/1.1");
    assert_eq!(echo["connection_id"], reply.connection_id());
}

#[tokio::test]
async fn anything_accepts_any_method_and_sub_path() {
    let server = TestServer::start();
    let client = connect(server.http_addr(), false).await;
    for method in ["GET", "PUT", "DELETE", "PATCH", "OPTIONS", "CUSTOM"] {
        let reply = client
            .send(request(method, &server.http_url("/anything/a/b?x=1"), ""))
            .await;
        assert_eq!(reply.status, 200, "{method}");
        let echo = reply.json();
        assert_eq!(echo["method"], method);
        assert_eq!(echo["path"], "/anything/a/b");
        assert_eq!(echo["args"], json!({ "x": "1" }));
        assert_eq!(echo["body"], "");
    }
}

#[tokio::test]
async fn echo_parses_urlencoded_forms() {
    let server = TestServer::start();
    let client = connect(server.http_addr(), false).await;
    let mut req = request(
        "POST",
        &server.http_url("/echo"),
        "name=J%C3%B6rg&tag=a&tag=b+c",
    );
    req.headers_mut().insert(
        "content-type",
        "application/x-www-form-urlencoded".parse().unwrap(),
    );
    let echo = client.send(req).await.json();
    assert_eq!(echo["form"], json!({ "name": "Jörg", "tag": ["a", "b c"] }));
    assert_eq!(echo["json"], serde_json::Value::Null);
}

#[tokio::test]
async fn echo_describes_multipart_files_and_fields() {
    let server = TestServer::start();
    let client = connect(server.http_addr(), false).await;
    let file: Vec<u8> = (0..100_000u32).map(|i| (i * 7) as u8).collect();
    let mut body = Vec::new();
    body.extend_from_slice(
        b"--XyZ\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nhello world\r\n",
    );
    body.extend_from_slice(
        b"--XyZ\r\nContent-Disposition: form-data; name=\"upload\"; filename=\"data.bin\"\r\n\
          Content-Type: application/octet-stream\r\n\r\n",
    );
    body.extend_from_slice(&file);
    body.extend_from_slice(b"\r\n--XyZ--\r\n");
    let mut req = request("POST", &server.http_url("/echo"), body.clone());
    req.headers_mut().insert(
        "content-type",
        "multipart/form-data; boundary=XyZ".parse().unwrap(),
    );
    let reply = client.send(req).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let echo = reply.json();
    assert_eq!(echo["fields"], json!({ "title": "hello world" }));
    assert_eq!(
        echo["files"]["upload"],
        json!({
            "filename": "data.bin",
            "content_type": "application/octet-stream",
            "size": file.len(),
            "sha256": sha256_hex(&file),
        })
    );
    assert_eq!(echo["body_len"], body.len());
    assert_eq!(echo["sha256"], sha256_hex(&body));
}

#[tokio::test]
async fn malformed_multipart_is_a_400() {
    let server = TestServer::start();
    let client = connect(server.http_addr(), false).await;
    for (content_type, body) in [
        ("multipart/form-data", "whatever"),
        ("multipart/form-data; boundary=B", "--B\r\nno headers end"),
    ] {
        let mut req = request("POST", &server.http_url("/echo"), body);
        req.headers_mut()
            .insert("content-type", content_type.parse().unwrap());
        let reply = client.send(req).await;
        assert_eq!(reply.status, 400, "{content_type}: {}", reply.text());
        assert!(reply.json()["error"].is_string());
    }
}

#[tokio::test]
async fn big_and_binary_bodies_are_hashed_not_kept() {
    let server = TestServer::start();
    let client = connect(server.http_addr(), false).await;

    let big = vec![b'a'; 3 * 1024 * 1024 + 5];
    let echo = client
        .send(request("POST", &server.http_url("/echo"), big.clone()))
        .await
        .json();
    assert_eq!(echo["body_len"], big.len());
    assert_eq!(echo["sha256"], sha256_hex(&big));
    assert_eq!(echo["body"], serde_json::Value::Null);
    assert_eq!(echo["body_base64"], serde_json::Value::Null);

    let binary = vec![0xff, 0xfe, 0x00, 0x80];
    let echo = client
        .send(request("POST", &server.http_url("/echo"), binary))
        .await
        .json();
    assert_eq!(echo["body"], serde_json::Value::Null);
    assert_eq!(echo["body_base64"], "//4AgA==");
    assert_eq!(echo["body_len"], 4);
}

#[tokio::test]
async fn delay_waits_then_echoes() {
    let server = TestServer::start();
    let client = connect(server.http_addr(), false).await;
    let started = std::time::Instant::now();
    let reply = client.get(&server.http_url("/delay/0.3?x=1")).await;
    assert!(started.elapsed() >= std::time::Duration::from_millis(300));
    assert_eq!(reply.json()["args"], json!({ "x": "1" }));
    assert_eq!(client.get(&server.http_url("/delay/-0")).await.status, 200);
    for bad in ["/delay/abc", "/delay/-1", "/delay/NaN", "/delay/inf"] {
        assert_eq!(client.get(&server.http_url(bad)).await.status, 400, "{bad}");
    }
}
