//! Native-only bodies and auth against the real test server: multipart files streamed from
//! disk, and a Digest challenge whose body stalls. What holds on every target (json, form,
//! content, streamed bodies, Basic, Bearer, Digest) is in the conformance suite.
#![cfg(native)]

mod common;

use std::io::Write;

use common::{echoed_header, http, json};
use httplib::DigestAuth;
use httplib::multipart::{Form, Part};
use serde_json::json;
use sha2::{Digest, Sha256};

#[tokio::test]
async fn multipart_uploads_stream_files_from_disk() {
    // A 20 MiB file: sent with a Content-Length, read in chunks, checked by hash.
    let mut file = tempfile::Builder::new().suffix(".png").tempfile().unwrap();
    let data: Vec<u8> = (0..20 * 1024 * 1024u32).map(|i| (i % 253) as u8).collect();
    file.write_all(&data).unwrap();
    file.flush().unwrap();
    let expected = hex(&Sha256::digest(&data));
    let name = file
        .path()
        .file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();

    let form = Form::new()
        .text("title", "holiday")
        .file("file", file.path())
        .unwrap()
        .part("notes", Part::bytes(&b"hello"[..]).file_name("notes.txt"));
    let r = httplib::post(http("/echo")).multipart(form).await.unwrap();
    let body = json(&r);
    assert_eq!(body["fields"], json!({"title": "holiday"}));
    assert_eq!(body["files"]["file"]["filename"], name.as_str());
    assert_eq!(body["files"]["file"]["content_type"], "image/png");
    assert_eq!(body["files"]["file"]["size"], data.len());
    assert_eq!(body["files"]["file"]["sha256"], expected.as_str());
    assert_eq!(body["files"]["notes"]["size"], 5);
    assert!(
        echoed_header(&body, "content-length").is_some(),
        "no chunked encoding"
    );
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// D5: the body of a Digest challenge was drained with no timeout, so a server that sent
/// the 401's head and stalled its body held the request forever. Now the drain is bounded
/// (at most a second) and the challenge is answered on a new connection.
#[tokio::test]
async fn a_stalled_digest_challenge_body_does_not_hang() {
    use std::io::Read;
    let server = httplib_testserver::RawServer::start(|_, mut stream| {
        let Ok(Some(request)) = httplib_testserver::read_request(&mut stream) else {
            return;
        };
        if request.header("authorization").is_none() {
            let _ = stream.write_all(
                b"HTTP/1.1 401 Unauthorized\r\n\
                  WWW-Authenticate: Digest realm=\"r\", nonce=\"abc\", qop=\"auth\"\r\n\
                  Content-Length: 1000\r\n\r\nunauth",
            );
            let _ = stream.read(&mut [0u8; 1]);
        } else {
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nin");
        }
    });
    let client = common::builder()
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let r = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        client.get(server.url("/")).auth(DigestAuth::new("u", "p")),
    )
    .await
    .expect("the challenge is answered, not waited on forever")
    .unwrap();
    assert_eq!(r.text().unwrap(), "in");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}
