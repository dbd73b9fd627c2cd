//! HTTP/2 fault injection, frame by frame (cleartext, prior knowledge): GOAWAY and
//! RST_STREAM mid-stream, refused streams, SETTINGS/PING floods, a flow-control window that
//! never opens, a CONTINUATION flood. Each case ends in a typed error (or the right
//! response) within its timeout, the request reached the server no more often than allowed,
//! and the same one-slot client then completes a normal request.
#![cfg(native)]

mod common;
mod faults_common;

use std::time::{Duration, Instant};

use faults_common::{CEILING, assert_fails, assert_still_works, fault_builder};
use httplib::{Client, ErrorKind, Method};
use httplib_testserver::{FaultServer, H2Fault};

fn h2_client() -> Client {
    fault_builder()
        .http2_prior_knowledge()
        .build()
        .expect("the client builds")
}

/// Working through 20,000 frames takes a debug build a while on a loaded machine: the
/// floods are given more time than the other faults (what they test is that the response
/// arrives at all, not how soon).
const FLOOD_CEILING: Duration = Duration::from_secs(8);

fn flood_client() -> Client {
    fault_builder()
        .http2_prior_knowledge()
        .timeout(Duration::from_secs(5))
        .build()
        .expect("the client builds")
}

/// The one-slot client completes the next request to the same origin, which the fault
/// server now answers normally: the faulted stream or connection left no slot behind.
///
/// (A request to another origin is the stronger check, but today an open HTTP/2
/// connection is never evicted for another origin: see the D6 cases at the end.)
async fn assert_recovers(client: &Client, server: &FaultServer) {
    let started = Instant::now();
    let r = client
        .get(server.url("/"))
        .await
        .unwrap_or_else(|e| panic!("the request after the fault failed: {e}"));
    assert_eq!(
        (r.http_version(), r.text().unwrap().as_str()),
        ("HTTP/2", "ok")
    );
    assert!(started.elapsed() < CEILING);
}

#[tokio::test]
async fn the_frame_server_answers_a_well_formed_exchange() {
    let server = FaultServer::h2(H2Fault::None);
    let client = h2_client();
    let r = client.get(server.url("/")).await.unwrap();
    assert_eq!(
        (r.http_version(), r.text().unwrap().as_str()),
        ("HTTP/2", "ok")
    );
    let r = client.post(server.url("/")).content("body").await.unwrap();
    assert_eq!(r.text().unwrap(), "ok");
    assert_eq!(server.requests_seen(), 2);
    assert_eq!(server.connections_accepted(), 1);
}

#[tokio::test]
async fn a_goaway_mid_stream_is_a_read_error_and_a_new_connection_follows() {
    let server = FaultServer::h2_times(H2Fault::GoawayMidStream, 1);
    let client = h2_client();
    let started = Instant::now();
    assert_fails(client.get(server.url("/")).await, ErrorKind::Read, started);
    assert_eq!(server.requests_seen(), 1);
    assert_recovers(&client, &server).await;
    assert_eq!(server.connections_accepted(), 2);
}

#[tokio::test]
async fn a_rst_stream_mid_body_is_a_protocol_error() {
    // httplib files every HTTP/2 reset under Protocol (src/backend/native/error.rs).
    let server = FaultServer::h2_times(H2Fault::ResetMidBody, 1);
    let client = h2_client();
    let started = Instant::now();
    let mut r = client.stream(Method::GET, server.url("/")).await.unwrap();
    assert_eq!(r.status_code(), 200);
    let err = loop {
        match r.chunk().await {
            Ok(Some(_)) => continue,
            Ok(None) => panic!("a reset body must not end cleanly"),
            Err(e) => break e,
        }
    };
    assert_eq!(err.kind(), ErrorKind::Protocol, "{err}");
    assert!(started.elapsed() < CEILING);
    drop(r);
    assert_recovers(&client, &server).await;
    assert_eq!(
        server.connections_accepted(),
        1,
        "a stream reset keeps the connection"
    );
}

#[tokio::test]
async fn a_refused_post_is_an_error_or_sent_once_more() {
    // REFUSED_STREAM says the server did not process the request (RFC 9113 section 8.7):
    // one retry is safe even for a POST. The server refuses only the first request.
    let server = FaultServer::h2_times(H2Fault::RefusedStream, 1);
    let client = h2_client();
    let started = Instant::now();
    let result = client.post(server.url("/")).content("once").await;
    assert!(started.elapsed() < CEILING);
    match result {
        Ok(r) => {
            assert_eq!(r.text().unwrap(), "ok");
            assert_eq!(server.requests_seen(), 2, "retried once");
        }
        Err(e) => {
            assert_eq!(e.kind(), ErrorKind::Protocol, "{e}");
            assert_eq!(server.requests_seen(), 1, "not retried");
        }
    }
    assert_recovers(&client, &server).await;
}

#[tokio::test]
async fn a_stream_refused_every_time_is_given_up_after_one_retry_at_most() {
    let server = FaultServer::h2(H2Fault::RefusedStream);
    let client = h2_client();
    let started = Instant::now();
    let result = client.get(server.url("/")).await;
    assert_fails(result, ErrorKind::Protocol, started);
    assert!(server.requests_seen() <= 2, "{}", server.requests_seen());
}

#[tokio::test]
async fn under_a_retry_policy_refused_streams_are_resent_by_the_policy_alone() {
    // The backend's own resend and the policy's must not stack: with a policy in force,
    // every attempt is the policy's, so 1 + 2 attempts reach the server, not 2 x 3.
    let server = FaultServer::h2(H2Fault::RefusedStream);
    let client = fault_builder()
        .http2_prior_knowledge()
        .retry(httplib::Retry::new(2).backoff(Duration::ZERO, Duration::ZERO))
        .build()
        .expect("the client builds");
    let started = Instant::now();
    let err = client.get(server.url("/")).await.unwrap_err();
    assert!(err.is_unprocessed(), "{err}");
    assert_fails(Err::<(), _>(err), ErrorKind::Protocol, started);
    assert_eq!(server.requests_seen(), 3);

    // A refused stream is unprocessed: retried even for a POST the policy names.
    let server = FaultServer::h2_times(H2Fault::RefusedStream, 1);
    let client = fault_builder()
        .http2_prior_knowledge()
        .retry(httplib::Retry::new(1).methods([Method::POST]))
        .build()
        .expect("the client builds");
    let r = client.post(server.url("/")).content("once").await.unwrap();
    assert_eq!(
        (r.text().unwrap().as_str(), server.requests_seen()),
        ("ok", 2)
    );
}

#[tokio::test]
async fn a_post_reset_after_it_arrived_is_not_sent_again() {
    let server = FaultServer::h2_times(H2Fault::ResetAfterRequest, 1);
    let client = h2_client();
    let started = Instant::now();
    let result = client.post(server.url("/")).content("once").await;
    assert_fails(result, ErrorKind::Protocol, started);
    assert_eq!(server.requests_seen(), 1);
    assert_recovers(&client, &server).await;
}

/// The response comes through `flood`, within [`FLOOD_CEILING`], and the client goes on.
async fn assert_flood_is_survived(flood: H2Fault) {
    let server = FaultServer::h2_times(flood, 1);
    let client = flood_client();
    let started = Instant::now();
    let r = client.get(server.url("/")).await.unwrap();
    assert_eq!(r.text().unwrap(), "ok");
    assert!(started.elapsed() < FLOOD_CEILING, "{:?}", started.elapsed());
    assert_recovers(&client, &server).await;
}

#[tokio::test]
async fn a_settings_flood_is_acknowledged_and_the_response_read() {
    assert_flood_is_survived(H2Fault::SettingsFlood(20_000)).await;
}

#[tokio::test]
async fn a_ping_flood_is_answered_and_the_response_read() {
    assert_flood_is_survived(H2Fault::PingFlood(20_000)).await;
}

#[tokio::test]
async fn a_window_that_never_opens_is_a_write_timeout() {
    let server = FaultServer::h2_times(H2Fault::ZeroWindow, 1);
    let client = h2_client();
    let started = Instant::now();
    let result = client
        .post(server.url("/"))
        .content(vec![0u8; 1024 * 1024])
        .await;
    assert_fails(result, ErrorKind::WriteTimeout, started);
    assert_eq!(server.requests_seen(), 1);
    // A GET needs no window: it goes over the same connection.
    assert_recovers(&client, &server).await;
    assert_eq!(server.connections_accepted(), 1);
}

#[tokio::test]
async fn a_continuation_flood_is_a_protocol_error() {
    let server = FaultServer::h2_times(H2Fault::ContinuationFlood, 1);
    let client = h2_client();
    let started = Instant::now();
    assert_fails(
        client.get(server.url("/")).await,
        ErrorKind::Protocol,
        started,
    );
    assert_recovers(&client, &server).await;
}

// --- D6: an HTTP/2 connection of one origin holds its slot against every other -------

#[tokio::test]
async fn a_connection_gone_away_frees_its_slot_for_another_origin() {
    let server = FaultServer::h2(H2Fault::GoawayMidStream);
    let client = h2_client();
    let started = Instant::now();
    assert_fails(client.get(server.url("/")).await, ErrorKind::Read, started);
    assert_still_works(&client).await;
}

#[tokio::test]
async fn an_idle_connection_frees_its_slot_for_another_origin() {
    let server = FaultServer::h2(H2Fault::None);
    let client = h2_client();
    assert_eq!(
        client.get(server.url("/")).await.unwrap().text().unwrap(),
        "ok"
    );
    assert_still_works(&client).await;
}

// --- D7: keep-alive PINGs that go unanswered ----------------------------------------

/// A server that stops answering PINGs (gone behind a NAT, as keep-alive sees it): with
/// `http2_keep_alive`, the idle connection is closed once a PING goes unanswered, and the
/// next request opens a new one; without it, the silent connection is reused.
#[tokio::test]
async fn unanswered_keep_alive_pings_close_the_connection() {
    let interval = Duration::from_millis(150);
    let server = FaultServer::h2(H2Fault::UnansweredPings);
    let client = fault_builder()
        .http2_prior_knowledge()
        .http2_keep_alive(interval)
        .build()
        .unwrap();
    let first = client.get(server.url("/")).await.unwrap();
    assert_eq!(first.text().unwrap(), "ok");
    // A PING after one interval, its answer given up on after another: long past by now.
    tokio::time::sleep(6 * interval).await;
    let second = client.get(server.url("/")).await.unwrap();
    assert_eq!(second.text().unwrap(), "ok");
    assert_eq!(
        server.connections_accepted(),
        2,
        "a new connection after the PING"
    );

    let server = FaultServer::h2(H2Fault::UnansweredPings);
    let silent = h2_client();
    silent.get(server.url("/")).await.unwrap();
    tokio::time::sleep(6 * interval).await;
    silent.get(server.url("/")).await.unwrap();
    assert_eq!(server.connections_accepted(), 1, "no PING, no close");
}
