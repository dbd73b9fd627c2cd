//! HTTP/1.1 fault injection: a server that resets, truncates, breaks the framing, floods
//! the head or answers before the upload is over. Each case ends in a typed error (or the
//! right response) within its timeout, and the same one-slot client then completes a
//! normal request: no slot leaked, no request sent twice unless idempotent.
#![cfg(native)]

mod common;
mod faults_common;

use std::time::{Duration, Instant};

use faults_common::{QUICK, assert_fails, assert_still_works, fault_client};
use httplib::{ErrorKind, Method};
use httplib_testserver::{FaultServer, Step};

const OK: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

/// A server that reads the request, then writes `response` and closes.
fn answers(response: impl AsRef<[u8]>) -> FaultServer {
    FaultServer::h1(vec![Step::ReadRequest, Step::write(response)])
}

/// GET against a server that answers `response`: must fail with `kind`; then the usual
/// checks. The GET reached the server once (a fresh connection is never retried).
async fn get_fails(response: impl AsRef<[u8]>, kind: ErrorKind) -> httplib::Error {
    let server = answers(response);
    let client = fault_client();
    let started = Instant::now();
    let err = assert_fails(client.get(server.url("/")).await, kind, started);
    assert_eq!(server.requests_seen(), 1);
    assert_still_works(&client).await;
    err
}

/// GET against a server that answers `response`: must succeed with `body`.
async fn get_reads(response: impl AsRef<[u8]>, body: &str) -> httplib::Response {
    let server = answers(response);
    let client = fault_client();
    let started = Instant::now();
    let r = client.get(server.url("/")).await.expect("a valid response");
    assert!(started.elapsed() < faults_common::CEILING);
    assert_eq!(r.text().unwrap(), body);
    assert_still_works(&client).await;
    r
}

// --- resets at every phase -------------------------------------------------------------

#[tokio::test]
async fn a_reset_right_after_accept_is_a_connect_read_or_write_error() {
    let server = FaultServer::h1(vec![Step::Reset]);
    let client = fault_client();
    let started = Instant::now();
    let err = client.get(server.url("/")).await.unwrap_err();
    // The RST races the client: it meets the end of the connect (the socket is already
    // reset when its options are set), the write or the read.
    assert!(
        matches!(
            err.kind(),
            ErrorKind::Connect | ErrorKind::Read | ErrorKind::Write
        ),
        "{err}"
    );
    assert!(started.elapsed() < faults_common::CEILING);
    assert!(server.requests_seen() == 0);
    assert_still_works(&client).await;
}

#[tokio::test]
async fn a_reset_during_the_tls_handshake_is_a_connect_error() {
    let server = FaultServer::h1(vec![Step::ReadSome, Step::Reset]);
    let client = fault_client();
    let url = format!("https://localhost:{}/", server.addr().port());
    let started = Instant::now();
    assert_fails(client.get(&url).await, ErrorKind::Connect, started);
    assert_still_works(&client).await;
}

#[tokio::test]
async fn a_reset_during_the_head_is_a_read_error() {
    let server = FaultServer::h1(vec![
        Step::ReadRequest,
        Step::write("HTTP/1.1 200 OK\r\nContent-Le"),
        Step::Pause(Duration::from_millis(50)),
        Step::Reset,
    ]);
    let client = fault_client();
    let started = Instant::now();
    assert_fails(client.get(server.url("/")).await, ErrorKind::Read, started);
    assert_eq!(server.requests_seen(), 1);
    assert_still_works(&client).await;
}

#[tokio::test]
async fn a_post_reset_during_the_head_is_not_sent_again() {
    let server = FaultServer::h1(vec![
        Step::ReadRequest,
        Step::write("HTTP/1.1 200 OK\r\n"),
        Step::Reset,
    ]);
    let client = fault_client();
    let started = Instant::now();
    let result = client.post(server.url("/")).content("once").await;
    assert_fails(result, ErrorKind::Read, started);
    assert_eq!(server.requests_seen(), 1);
    assert_eq!(server.connections_accepted(), 1);
    assert_still_works(&client).await;
}

#[tokio::test]
async fn a_reset_mid_body_is_a_read_error_after_the_head() {
    let mut response = b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n".to_vec();
    response.extend([b'x'; 500]);
    let server = FaultServer::h1(vec![
        Step::ReadRequest,
        Step::Write(response),
        Step::Pause(Duration::from_millis(50)),
        Step::Reset,
    ]);
    let client = fault_client();
    let started = Instant::now();
    let mut r = client.stream(Method::GET, server.url("/")).await.unwrap();
    assert_eq!(r.status_code(), 200);
    let mut received = 0;
    let err = loop {
        match r.chunk().await {
            Ok(Some(chunk)) => received += chunk.len(),
            Ok(None) => panic!("a truncated body must not end cleanly"),
            Err(e) => break e,
        }
    };
    assert_eq!(err.kind(), ErrorKind::Read, "{err}");
    assert!(received <= 500);
    assert!(started.elapsed() < faults_common::CEILING);
    drop(r);
    assert_still_works(&client).await;
}

#[tokio::test]
async fn a_reset_after_the_body_leaves_the_response_whole_and_the_pool_usable() {
    let server = FaultServer::h1_per_connection(|index| match index {
        0 => vec![
            Step::ReadRequest,
            Step::write(OK),
            Step::Pause(Duration::from_millis(50)),
            Step::Reset,
        ],
        _ => vec![Step::ReadRequest, Step::write(OK)],
    });
    let client = fault_client();
    let r = client.get(server.url("/")).await.unwrap();
    assert_eq!(r.text().unwrap(), "ok");
    tokio::time::sleep(Duration::from_millis(100)).await;
    // The reset connection is noticed dead (or the GET retried once on a fresh one).
    let r = client.get(server.url("/")).await.unwrap();
    assert_eq!(r.text().unwrap(), "ok");
    assert_eq!(server.connections_accepted(), 2);
    assert!(server.requests_seen() <= 3, "{}", server.requests_seen());
    assert_still_works(&client).await;
}

// --- truncated bodies ----------------------------------------------------------------

#[tokio::test]
async fn a_body_short_of_its_content_length_is_a_read_error() {
    let err = get_fails(
        "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort",
        ErrorKind::Read,
    )
    .await;
    assert!(err.to_string().contains("closed"), "{err}");
}

#[tokio::test]
async fn a_chunked_body_without_its_last_chunk_is_a_read_error() {
    get_fails(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",
        ErrorKind::Read,
    )
    .await;
}

#[tokio::test]
async fn a_chunked_body_with_a_bad_size_line_is_a_read_error() {
    get_fails(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
        ErrorKind::Read,
    )
    .await;
}

// --- malformed framing ---------------------------------------------------------------

#[tokio::test]
async fn a_bad_status_line_is_a_protocol_error() {
    get_fails(
        "HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n",
        ErrorKind::Protocol,
    )
    .await;
}

#[tokio::test]
async fn a_header_without_a_colon_is_a_protocol_error() {
    get_fails(
        "HTTP/1.1 200 OK\r\nNoColonHere\r\nContent-Length: 0\r\n\r\n",
        ErrorKind::Protocol,
    )
    .await;
}

#[tokio::test]
async fn an_obs_folded_header_is_a_protocol_error() {
    get_fails(
        "HTTP/1.1 200 OK\r\nX-Folded: a\r\n b\r\nContent-Length: 0\r\n\r\n",
        ErrorKind::Protocol,
    )
    .await;
}

#[tokio::test]
async fn content_length_and_transfer_encoding_together_read_as_chunked() {
    // RFC 9112 section 6.3: Transfer-Encoding overrides Content-Length.
    get_reads(
        "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n\
         5\r\nhello\r\n0\r\n\r\n",
        "hello",
    )
    .await;
}

#[tokio::test]
async fn two_different_content_lengths_are_a_protocol_error() {
    get_fails(
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok",
        ErrorKind::Protocol,
    )
    .await;
}

#[tokio::test]
async fn a_negative_content_length_is_a_protocol_error() {
    get_fails(
        "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\nok",
        ErrorKind::Protocol,
    )
    .await;
}

#[tokio::test]
async fn a_content_length_beyond_u64_is_a_protocol_error() {
    get_fails(
        "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\nok",
        ErrorKind::Protocol,
    )
    .await;
}

#[tokio::test]
async fn a_non_numeric_content_length_is_a_protocol_error() {
    get_fails(
        "HTTP/1.1 200 OK\r\nContent-Length: two\r\n\r\nok",
        ErrorKind::Protocol,
    )
    .await;
}

#[tokio::test]
async fn a_chunk_extension_with_a_control_byte_is_skipped_and_the_framing_kept() {
    // RFC 9112 section 7.1.1: a client ignores chunk extensions; what matters is that the
    // invalid one neither reaches the body nor shifts the framing.
    get_reads(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=\x01\"\r\nhello\r\n0\r\n\r\n",
        "hello",
    )
    .await;
}

#[tokio::test]
async fn endless_chunk_extensions_are_a_read_error() {
    // 1 byte of data per chunk, 8 KiB of extension each: the client must cap what it
    // skips, not read on as long as the server writes.
    let chunk = format!("1;{}\r\nx\r\n", "e".repeat(8 * 1024));
    let server = FaultServer::h1(vec![
        Step::ReadRequest,
        Step::write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"),
        Step::Repeat(chunk.into_bytes(), 1024),
    ]);
    let client = fault_client();
    let started = Instant::now();
    assert_fails(client.get(server.url("/")).await, ErrorKind::Read, started);
    assert_still_works(&client).await;
}

#[tokio::test]
async fn bare_lf_line_endings_are_read() {
    // RFC 9112 section 2.2: a recipient may take a bare LF as a line terminator.
    get_reads("HTTP/1.1 200 OK\nContent-Length: 2\n\nok", "ok").await;
}

#[tokio::test]
async fn a_nul_in_a_header_is_a_protocol_error() {
    get_fails(
        "HTTP/1.1 200 OK\r\nX-Nul: a\0b\r\nContent-Length: 0\r\n\r\n",
        ErrorKind::Protocol,
    )
    .await;
}

#[tokio::test]
async fn many_informational_responses_are_skipped() {
    let server = FaultServer::h1(vec![
        Step::ReadRequest,
        Step::Repeat(b"HTTP/1.1 100 Continue\r\n\r\n".to_vec(), 10_000),
        Step::write(OK),
    ]);
    let client = fault_client();
    let started = Instant::now();
    let r = client.get(server.url("/")).await.unwrap();
    assert_eq!((r.status_code(), r.text().unwrap().as_str()), (200, "ok"));
    assert!(started.elapsed() < faults_common::CEILING);
    assert_still_works(&client).await;
}

/// A server that answers `100 Continue` 1.6 million times (40 MB): bytes keep arriving, but
/// no final head ever does. Only the read timeout can end the request.
fn informational_flood() -> FaultServer {
    FaultServer::h1(vec![
        Step::ReadRequest,
        Step::Repeat(b"HTTP/1.1 100 Continue\r\n\r\n".to_vec(), 1_600_000),
    ])
}

#[tokio::test]
async fn an_endless_informational_flood_ends_by_the_read_timeout() {
    // hyper skips each 1xx in its buffer and reads again without returning: unless its
    // reads are charged by size, one poll of the connection parses the whole 40 MB flood
    // (6-8 s), and the read timeout cannot fire until it is over.
    let server = informational_flood();
    let client = fault_client();
    let started = Instant::now();
    let err = assert_fails(
        client.get(server.url("/")).await,
        ErrorKind::ReadTimeout,
        started,
    );
    let elapsed = started.elapsed();
    assert!(elapsed < QUICK * 3, "took {elapsed:?}: {err}");
    assert_still_works(&client).await;
}

// --- floods and heads that never end ---------------------------------------------------

#[tokio::test]
async fn ten_thousand_headers_are_a_protocol_error() {
    let mut head = b"HTTP/1.1 200 OK\r\n".to_vec();
    for i in 0..10_000 {
        head.extend(format!("X-Flood-{i}: v\r\n").bytes());
    }
    head.extend(b"Content-Length: 0\r\n\r\n");
    get_fails(head, ErrorKind::Protocol).await;
}

#[tokio::test]
async fn one_enormous_header_is_a_protocol_error() {
    let mut head = b"HTTP/1.1 200 OK\r\nX-Huge: ".to_vec();
    head.extend(std::iter::repeat_n(b'a', 4 * 1024 * 1024));
    head.extend(b"\r\nContent-Length: 0\r\n\r\n");
    get_fails(head, ErrorKind::Protocol).await;
}

#[tokio::test]
async fn a_head_that_trickles_and_never_ends_is_a_read_timeout() {
    // One byte every 10 ms for 3 s: each read is quick, the head never completes.
    let mut head = b"HTTP/1.1 200 OK\r\nX-Slow: ".to_vec();
    head.extend([b'a'; 300]);
    let server = FaultServer::h1(vec![
        Step::ReadRequest,
        Step::Trickle(head, Duration::from_millis(10)),
    ]);
    let client = fault_client();
    let started = Instant::now();
    assert_fails(
        client.get(server.url("/")).await,
        ErrorKind::ReadTimeout,
        started,
    );
    assert!(started.elapsed() < QUICK * 3);
    assert_still_works(&client).await;
}

// --- an early response while the upload is going out ----------------------------------

const TOO_LARGE: &[u8] =
    b"HTTP/1.1 413 Payload Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
const UPLOAD: usize = 10 * 1024 * 1024;

/// Uploads 10 MiB to a server that answers 413 after the head, then ends as `then` says:
/// the 413 comes back (or a clear write error), in time, the request was seen once, and
/// the client goes on.
async fn assert_early_413_is_handled(then: Step) {
    let server = FaultServer::h1(vec![Step::ReadHead, Step::write(TOO_LARGE), then]);
    let client = fault_client();
    let started = Instant::now();
    let result = client
        .post(server.url("/"))
        .content(vec![0u8; UPLOAD])
        .await;
    let elapsed = started.elapsed();
    match &result {
        Ok(r) => assert_eq!(r.status_code(), 413),
        Err(e) => assert_eq!(e.kind(), ErrorKind::Write, "{e}"),
    }
    assert!(elapsed < faults_common::CEILING, "{elapsed:?}");
    assert_eq!(server.requests_seen(), 1);
    assert_still_works(&client).await;
}

#[tokio::test]
async fn an_early_413_is_returned_while_the_upload_goes_out() {
    // The server closes its side and discards the rest.
    assert_early_413_is_handled(Step::CloseAfterDraining(Duration::from_secs(3))).await;
}

#[tokio::test]
async fn an_early_413_then_a_close_is_the_413_or_a_write_error() {
    // The server closes with the upload unread: its kernel resets the connection.
    assert_early_413_is_handled(Step::Pause(Duration::from_millis(20))).await;
}

#[tokio::test]
async fn an_early_413_on_a_kept_alive_connection_does_not_strand_the_next_request() {
    // Connection 0 answers 413 without `Connection: close` and stops reading: the upload
    // can never finish there, so that connection must not serve the next request.
    let server = FaultServer::h1_per_connection(|index| match index {
        0 => vec![
            Step::ReadHead,
            Step::write(b"HTTP/1.1 413 Payload Too Large\r\nContent-Length: 0\r\n\r\n"),
            Step::Pause(Duration::from_secs(4)),
        ],
        _ => vec![Step::ReadRequest, Step::write(OK)],
    });
    let client = fault_client();
    let started = Instant::now();
    let result = client
        .post(server.url("/"))
        .content(vec![0u8; UPLOAD])
        .await;
    match &result {
        Ok(r) => assert_eq!(r.status_code(), 413),
        Err(e) => assert_eq!(e.kind(), ErrorKind::Write, "{e}"),
    }
    let r = client.get(server.url("/")).await.unwrap();
    assert_eq!(r.text().unwrap(), "ok");
    // Today it takes the 4 s of the server's pause: no client timeout ends the wait.
    assert!(started.elapsed() < QUICK * 3, "{:?}", started.elapsed());
    assert_still_works(&client).await;
}

// --- a decompression bomb in stream mode -------------------------------------------------

/// Resident memory of this process, from `/proc/self/status` (Linux).
fn resident_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    let kib: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kib * 1024
}

#[tokio::test]
async fn a_gzip_bomb_read_in_stream_mode_is_a_decode_error_in_bounded_memory() {
    // 2 GiB of zeros in 2 MiB of gzip; the client stops at its 8 MiB decode cap.
    const CAP: u64 = 8 * 1024 * 1024;
    let client = faults_common::fault_builder()
        .max_decoded_size(CAP)
        .build()
        .unwrap();
    let before = resident_bytes();
    let started = Instant::now();
    let url = common::http("/compressed/gzip/2147483648");
    let mut r = client.stream(Method::GET, url).await.unwrap();
    assert_eq!(r.status_code(), 200);
    let mut decoded = 0u64;
    let err = loop {
        match r.chunk().await {
            Ok(Some(chunk)) => decoded += chunk.len() as u64,
            Ok(None) => panic!("the bomb must not decode to its end"),
            Err(e) => break e,
        }
        assert!(decoded <= CAP, "{decoded} bytes passed the cap");
    };
    assert_eq!(err.kind(), ErrorKind::Decode, "{err}");
    assert!(started.elapsed() < faults_common::CEILING);
    // Other tests of this binary run alongside (10 MiB uploads), hence the wide margin; a
    // decoder that buffered the bomb would add 2 GiB.
    let grown = resident_bytes().saturating_sub(before);
    assert!(grown < 128 * 1024 * 1024, "RSS grew {grown} bytes");
    drop(r);
    assert_still_works(&client).await;
}
