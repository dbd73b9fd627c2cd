use std::io::Read;
use std::time::{Duration, Instant};

use http_body_util::BodyExt;
use httplib_testserver::TestServer;

use crate::client::{connect, request};
use crate::pattern;

#[tokio::test]
async fn bytes_has_content_length_and_the_pattern() {
    let server = TestServer::start();
    let client = connect(server.http_addr(), false).await;
    let reply = client.get(&server.http_url("/bytes/100000")).await;
    assert_eq!(reply.header("content-length"), Some("100000"));
    assert_eq!(reply.body, pattern(0, 100_000));
    let reply = client.get(&server.http_url("/bytes/0")).await;
    assert_eq!(reply.header("content-length"), Some("0"));
    assert!(reply.body.is_empty());
    assert_eq!(client.get(&server.http_url("/bytes/-1")).await.status, 400);
}

#[tokio::test]
async fn stream_bytes_sends_64_mib_chunked() {
    const SIZE: u64 = 64 * 1024 * 1024;
    let server = TestServer::start();
    let client = connect(server.http_addr(), false).await;
    let url = server.http_url(&format!("/stream-bytes/{SIZE}?chunk_size=65536"));
    let response = client
        .start(request("GET", &url, ""))
        .await
        .expect("response");
    assert_eq!(response.status(), 200);
    assert!(response.headers().get("content-length").is_none());
    assert_eq!(
        response
            .headers()
            .get("transfer-encoding")
            .map(|v| v.as_bytes()),
        Some(&b"chunked"[..])
    );
    let mut body = response.into_body();
    let mut received: u64 = 0;
    while let Some(frame) = body.frame().await {
        let Ok(data) = frame.expect("frame").into_data() else {
            continue;
        };
        // Check a sample of each chunk rather than every byte: debug builds are slow.
        for i in (0..data.len())
            .step_by(997)
            .chain([data.len().saturating_sub(1)])
        {
            if i < data.len() {
                assert_eq!(data[i], ((received + i as u64) % 251) as u8);
            }
        }
        received += data.len() as u64;
    }
    assert_eq!(received, SIZE);
}

#[tokio::test]
async fn stream_bytes_uses_the_asked_chunk_size() {
    let server = TestServer::start();
    let client = connect(server.http_addr(), true).await;
    let url = server.http_url("/stream-bytes/1000?chunk_size=300");
    let response = client
        .start(request("GET", &url, ""))
        .await
        .expect("response");
    let mut body = response.into_body();
    let mut sizes = Vec::new();
    let mut all = Vec::new();
    while let Some(frame) = body.frame().await {
        if let Ok(data) = frame.expect("frame").into_data() {
            sizes.push(data.len());
            all.extend_from_slice(&data);
        }
    }
    assert_eq!(all, pattern(0, 1000));
    assert!(sizes.iter().all(|s| *s <= 300), "{sizes:?}");
    assert_eq!(
        client
            .get(&server.http_url("/stream-bytes/10?chunk_size=0"))
            .await
            .status,
        400
    );
}

#[tokio::test]
async fn drip_paces_its_chunks() {
    let server = TestServer::start();
    let client = connect(server.http_addr(), false).await;
    let started = Instant::now();
    let reply = client
        .get(&server.http_url("/drip?chunks=3&interval_ms=100&chunk_size=5"))
        .await;
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(reply.header("content-length"), Some("15"));
    assert_eq!(reply.body, pattern(0, 15));
}

#[tokio::test]
async fn lines_split_lines_and_characters_across_chunks() {
    let server = TestServer::start();
    let client = connect(server.http_addr(), false).await;
    let response = client
        .start(request("GET", &server.http_url("/lines/5"), ""))
        .await
        .expect("response");
    assert_eq!(
        response.headers()["content-type"],
        "text/plain; charset=utf-8"
    );
    let mut body = response.into_body();
    let mut chunks = Vec::new();
    while let Some(frame) = body.frame().await {
        if let Ok(data) = frame.expect("frame").into_data() {
            chunks.push(data);
        }
    }
    let text: Vec<u8> = chunks.concat();
    assert_eq!(
        String::from_utf8(text).unwrap(),
        "line 0\nline 1 café\r\nline 2\nline 3\r\nline 4\n"
    );
    assert!(chunks.iter().all(|c| c.len() <= 7));
    assert!(
        chunks.iter().any(|c| c.last() == Some(&0xc3)),
        "é is split across chunks"
    );
}

#[tokio::test]
async fn encoding_declares_the_charset() {
    let server = TestServer::start();
    let client = connect(server.http_addr(), false).await;
    let utf8 = client.get(&server.http_url("/encoding/utf8")).await;
    assert_eq!(
        utf8.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(&utf8.body[..], "café".as_bytes());
    let latin1 = client.get(&server.http_url("/encoding/latin1")).await;
    assert_eq!(
        latin1.header("content-type"),
        Some("text/plain; charset=iso-8859-1")
    );
    assert_eq!(&latin1.body[..], b"caf\xe9");
}

fn decode(encoding: &str, data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    match encoding {
        "gzip" => flate2::read::GzDecoder::new(data).read_to_end(&mut out),
        "deflate" => flate2::read::ZlibDecoder::new(data).read_to_end(&mut out),
        "br" => brotli::Decompressor::new(data, 4096).read_to_end(&mut out),
        "zstd" => zstd::stream::read::Decoder::new(data).and_then(|mut d| d.read_to_end(&mut out)),
        other => panic!("unknown encoding {other}"),
    }
    .unwrap_or_else(|e| panic!("{encoding} does not decode: {e}"));
    out
}

#[tokio::test]
async fn compressed_json_endpoints_decode() {
    let server = TestServer::start();
    let client = connect(server.http_addr(), false).await;
    for (path, encoding) in [
        ("/gzip", "gzip"),
        ("/deflate", "deflate"),
        ("/brotli", "br"),
        ("/zstd", "zstd"),
    ] {
        let reply = client.get(&server.http_url(path)).await;
        assert_eq!(reply.header("content-encoding"), Some(encoding), "{path}");
        let json: serde_json::Value =
            serde_json::from_slice(&decode(encoding, &reply.body)).expect("JSON");
        assert_eq!(json["ok"], true);
        assert_eq!(json["encoding"], &path[1..]);
        assert_eq!(json["content_encoding"], encoding);
    }
}

#[tokio::test]
async fn compressed_zeros_are_tiny_bombs() {
    const SIZE: usize = 20 * 1024 * 1024 + 3;
    let server = TestServer::start();
    let client = connect(server.http_addr(), false).await;
    for encoding in ["gzip", "deflate", "br", "zstd"] {
        let reply = client
            .get(&server.http_url(&format!("/compressed/{encoding}/{SIZE}")))
            .await;
        assert_eq!(reply.header("content-encoding"), Some(encoding));
        assert!(
            reply.body.len() < SIZE / 500,
            "{encoding}: {} bytes",
            reply.body.len()
        );
        let decoded = decode(encoding, &reply.body);
        assert_eq!(decoded.len(), SIZE, "{encoding}");
        assert!(decoded.iter().all(|b| *b == 0));
    }
    let reply = client.get(&server.http_url("/compressed/lzma/10")).await;
    assert_eq!(reply.status, 400);
}

#[tokio::test]
async fn drop_mid_body_truncates_then_fails() {
    let server = TestServer::start();
    let client = connect(server.http_addr(), false).await;
    let response = client
        .start(request("GET", &server.http_url("/drop-mid-body/1000"), ""))
        .await
        .expect("head arrives");
    assert_eq!(response.headers()["content-length"], "1000");
    let mut body = response.into_body();
    let mut received = Vec::new();
    let error = loop {
        match body.frame().await {
            Some(Ok(frame)) => received.extend_from_slice(&frame.into_data().unwrap_or_default()),
            Some(Err(e)) => break e,
            None => panic!("body ended cleanly after {} bytes", received.len()),
        }
    };
    assert_eq!(received, pattern(0, 500), "then {error}");
}

#[tokio::test]
async fn hang_and_hang_body_never_finish() {
    let server = TestServer::start();
    let client = connect(server.http_addr(), false).await;
    let hang = client.start(request("GET", &server.http_url("/hang"), ""));
    assert!(
        tokio::time::timeout(Duration::from_millis(300), hang)
            .await
            .is_err()
    );

    let client = connect(server.http_addr(), false).await;
    let response = client
        .start(request("GET", &server.http_url("/hang-body"), ""))
        .await
        .expect("head arrives");
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-length"], "10");
    let body = response.into_body().collect();
    assert!(
        tokio::time::timeout(Duration::from_millis(300), body)
            .await
            .is_err()
    );
}

#[tokio::test]
async fn upload_sink_counts_a_big_upload_over_h2() {
    let server = TestServer::start();
    let (client, _) =
        crate::client::connect_https(server.https_addr(), server.ca_pem(), &[b"h2"]).await;
    let body = vec![7u8; 16 * 1024 * 1024];
    let reply = client
        .send(request("PUT", &server.https_url("/upload-sink"), body))
        .await;
    assert_eq!(
        reply.json(),
        serde_json::json!({ "received": 16 * 1024 * 1024 })
    );
}
