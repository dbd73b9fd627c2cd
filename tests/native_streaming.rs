//! Native-only streaming: copy to a file, the blocking twins, the cap on the decoded size,
//! and bounds on hostile bodies. What holds on every target (status before body, chunks,
//! lines, decoding) is in the conformance suite.
#![cfg(native)]

mod common;

use std::io::Read;

use common::{builder, client, server};
use futures_util::StreamExt;
use httplib::{ErrorKind, Method};

fn pattern(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i % 251) as u8).collect()
}

#[tokio::test]
async fn copy_to_saves_the_stream_to_disk() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.bin");
    let mut file = tokio::fs::File::create(&path).await.unwrap();
    let mut r = client()
        .stream(Method::GET, server().http_url("/stream-bytes/1000000"))
        .await
        .unwrap();
    assert_eq!(r.copy_to(&mut file).await.unwrap(), 1_000_000);
    assert_eq!(std::fs::read(&path).unwrap(), pattern(1_000_000));
}

#[test]
fn the_blocking_twins_stream_too() {
    let client = client();
    let r = client
        .get(server().http_url("/stream-bytes/100000?chunk_size=3000"))
        .stream_blocking()
        .unwrap();
    assert_eq!(r.status_code(), 200);
    let chunks: Vec<_> = r.iter_bytes(8192).map(Result::unwrap).collect();
    assert!(chunks[..chunks.len() - 1].iter().all(|c| c.len() == 8192));
    assert_eq!(chunks.concat(), pattern(100_000));

    let r = client
        .get(server().http_url("/lines/5"))
        .stream_blocking()
        .unwrap();
    let lines: Vec<String> = r.iter_lines().map(Result::unwrap).collect();
    assert_eq!(lines.len(), 5);
    assert_eq!(lines[4], "line 4");

    let mut file = tempfile::tempfile().unwrap();
    let mut r = client
        .get(server().http_url("/bytes/5000"))
        .stream_blocking()
        .unwrap();
    assert_eq!(r.copy_to_blocking(&mut file).unwrap(), 5000);
    let mut saved = Vec::new();
    std::io::Seek::rewind(&mut file).unwrap();
    file.read_to_end(&mut saved).unwrap();
    assert_eq!(saved, pattern(5000));
}

#[tokio::test]
async fn decoded_size_is_capped() {
    let client = builder().max_decoded_size(1_000_000).build().unwrap();
    for encoding in ["gzip", "br", "zstd", "deflate"] {
        let ok = client
            .get(server().http_url(&format!("/compressed/{encoding}/500000")))
            .await
            .unwrap();
        assert_eq!(ok.bytes().len(), 500_000, "{encoding}");
        let err = client
            .get(server().http_url(&format!("/compressed/{encoding}/50000000")))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Decode, "{encoding}");
        assert!(err.to_string().contains("limit"), "{err}");
    }
}

/// D1: one response header used to overflow the stack (3000 nested decoders) and abort the
/// whole process; a chain longer than five codings is now a decode error.
#[tokio::test]
async fn a_long_content_encoding_chain_is_a_decode_error_not_an_abort() {
    let chain = vec!["gzip"; 3000].join(",");
    let url = server().http_url(&format!("/response-headers?Content-Encoding={chain}"));
    let err = client().get(url).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert!(err.to_string().contains("content codings"), "{err}");
    let mut r = client()
        .stream(
            httplib::Method::GET,
            server().http_url("/response-headers?Content-Encoding=br,gzip,gzip,gzip,gzip,gzip"),
        )
        .await
        .unwrap();
    assert_eq!(r.chunk().await.unwrap_err().kind(), ErrorKind::Decode);
}

/// D8: a body with no line ending used to be buffered whole by `lines()` (and rescanned on
/// every chunk); past 1 MiB it is now a decode error.
#[tokio::test]
async fn a_body_without_line_endings_is_not_buffered_whole_by_lines() {
    let url = server().http_url("/compressed/gzip/3000000");
    let r = client().stream(httplib::Method::GET, url).await.unwrap();
    let mut lines = Box::pin(r.lines());
    let err = lines.next().await.unwrap().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert!(err.to_string().contains("max_line_length"), "{err}");
    assert!(lines.next().await.is_none());
}
