//! HTTP/2: ALPN negotiation, multiplexing over one connection, the stream limit, the
//! fallback to HTTP/1.1, and h2c by prior knowledge.
#![cfg(native)]

mod common;

use std::collections::HashSet;

use common::{builder, connection_id, json, server};
use httplib::Version;

fn http2_client() -> httplib::Client {
    builder().http2(true).build().unwrap()
}

#[tokio::test]
async fn http2_is_negotiated_by_alpn() {
    let r = http2_client()
        .get(server().https_url("/echo"))
        .await
        .unwrap();
    assert_eq!(r.version(), Some(Version::HTTP_2));
    assert_eq!(r.http_version(), "HTTP/2");
    assert_eq!(json(&r)["http_version"], "HTTP/2");
    let h1 = common::client()
        .get(server().https_url("/echo"))
        .await
        .unwrap();
    assert_eq!(h1.http_version(), "HTTP/1.1", "HTTP/2 is off by default");
}

#[tokio::test]
async fn concurrent_requests_multiplex_over_one_connection() {
    let client = http2_client();
    let rs = client
        .fan_out((0..50).map(|_| client.get(server().https_url("/delay/0.1"))))
        .gather()
        .await;
    let ids: HashSet<u64> = rs
        .iter()
        .map(|r| connection_id(r.as_ref().unwrap()))
        .collect();
    assert_eq!(
        ids.len(),
        1,
        "50 concurrent requests over {} connections",
        ids.len()
    );
    assert!(
        rs.iter()
            .all(|r| r.as_ref().unwrap().http_version() == "HTTP/2")
    );
}

#[tokio::test]
async fn a_new_connection_opens_only_when_the_stream_limit_is_reached() {
    // This listener allows 2 concurrent streams per connection.
    let client = http2_client();
    let rs = client
        .fan_out((0..6).map(|_| client.get(server().https_h2_limited_url("/delay/0.3"))))
        .gather()
        .await;
    let ids: HashSet<u64> = rs
        .iter()
        .map(|r| connection_id(r.as_ref().unwrap()))
        .collect();
    assert_eq!(ids.len(), 3, "6 streams at 2 per connection");
    // Our own cap works the same way.
    let capped = builder()
        .http2(true)
        .limits(httplib::Limits::default().http2_max_streams(5))
        .build()
        .unwrap();
    let rs = capped
        .fan_out((0..10).map(|_| capped.get(server().https_url("/delay/0.3"))))
        .gather()
        .await;
    let ids: HashSet<u64> = rs
        .iter()
        .map(|r| connection_id(r.as_ref().unwrap()))
        .collect();
    assert_eq!(ids.len(), 2);
}

#[tokio::test]
async fn without_h2_on_offer_it_falls_back_to_http1() {
    let client = http2_client();
    let r = client.get(server().https_h1_url("/echo")).await.unwrap();
    assert_eq!(r.http_version(), "HTTP/1.1");
    let rs = client
        .fan_out((0..4).map(|_| client.get(server().https_h1_url("/delay/0.1"))))
        .gather()
        .await;
    assert!(
        rs.iter()
            .all(|r| r.as_ref().unwrap().http_version() == "HTTP/1.1")
    );
    // Plain http with http2(true) stays HTTP/1.1: h2c needs prior knowledge.
    let r = client.get(server().http_url("/echo")).await.unwrap();
    assert_eq!(r.http_version(), "HTTP/1.1");
}

#[tokio::test]
async fn h2c_by_prior_knowledge() {
    let client = builder().http2_prior_knowledge().build().unwrap();
    let r = client
        .post(server().http_url("/echo"))
        .json(&[1, 2])
        .await
        .unwrap();
    assert_eq!(r.version(), Some(Version::HTTP_2));
    assert_eq!(json(&r)["json"], serde_json::json!([1, 2]));
}

#[test]
fn http2_works_from_the_blocking_api() {
    let client = http2_client();
    let r = client
        .get(server().https_url("/echo"))
        .send_blocking()
        .unwrap();
    assert_eq!(r.http_version(), "HTTP/2");
}

/// Cancelled streams whose data is still arriving: h2 remembers only so many reset
/// streams, answers late frames of forgotten ones with resets of its own, and used to
/// close the whole connection (GOAWAY `too_many_internal_resets`, failing every request
/// on it) once it had sent 1024 of them, as a long-lived client that cancels requests
/// does (the soak found it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_many_streams_does_not_make_the_connection_close_itself() {
    let client = http2_client();
    let url = server().https_url("/stream-bytes/4000000?chunk_size=16384");
    for _ in 0..40 {
        let streams = (0..60).map(|_| async {
            let mut r = client.stream(httplib::Method::GET, &url).await.unwrap();
            r.chunk().await.unwrap();
            // Dropped here, with most of its body still coming.
        });
        futures_util::future::join_all(streams).await;
    }
    let r = client.get(server().https_url("/echo")).await.unwrap();
    assert_eq!(r.http_version(), "HTTP/2");
}
