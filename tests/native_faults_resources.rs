//! File descriptors after a batch of faults: once the client and the fault servers are
//! dropped, the process has as many open as before. Its own binary, so no other test
//! opens or closes files meanwhile.
#![cfg(native)]

mod common;
mod faults_common;

use std::time::{Duration, Instant};

use faults_common::{fault_builder, fault_client, open_fds};
use httplib::{Certificate, Method};
use httplib_testserver::{FaultServer, H2Fault, Step, TlsFault};

/// Descriptors allowed above the start once everything is dropped: none. The wait below
/// only gives the closing sockets' tasks (client and test server runtimes) time to run.
const SLACK: usize = 0;

/// How long the descriptors may take to close after the drops.
const SETTLE: Duration = Duration::from_secs(3);

fn ok() -> Vec<u8> {
    b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".to_vec()
}

/// One round of faults of every family; the results are checked in the other files, here
/// only what stays open afterwards counts.
async fn run_faults() {
    let h1_faults = [
        vec![Step::Reset],
        vec![
            Step::ReadRequest,
            Step::write("HTTP/1.1 200 OK\r\nContent-Le"),
            Step::Reset,
        ],
        vec![
            Step::ReadRequest,
            Step::write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort"),
        ],
        vec![
            Step::ReadRequest,
            Step::write("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nok"),
        ],
    ];
    let client = fault_client();
    for steps in h1_faults {
        let server = FaultServer::h1(steps);
        assert!(client.get(server.url("/")).await.is_err());
        assert!(client.post(server.url("/")).content("x").await.is_err());
    }
    let early = FaultServer::h1(vec![
        Step::ReadHead,
        Step::write(
            "HTTP/1.1 413 Payload Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        ),
    ]);
    let _ = client
        .post(early.url("/"))
        .content(vec![0u8; 4 << 20])
        .await;
    let mut r = client
        .stream(Method::GET, common::http("/drop-mid-body/100000"))
        .await
        .unwrap();
    while let Ok(Some(_)) = r.chunk().await {}
    drop(r);
    let fine = FaultServer::h1(vec![Step::ReadRequest, Step::Write(ok())]);
    client.get(fine.url("/")).await.unwrap();
    drop(client);

    for fault in [TlsFault::WrongHost, TlsFault::Expired, TlsFault::OnlyH2] {
        let server = FaultServer::tls(fault, vec![Step::ReadRequest, Step::Write(ok())]);
        let ca = Certificate::from_pem(server.ca_pem().unwrap().as_bytes()).unwrap();
        let client = fault_builder().add_root_certificate(ca).build().unwrap();
        assert!(client.get(server.url("/")).await.is_err());
    }

    for fault in [
        H2Fault::GoawayMidStream,
        H2Fault::ResetAfterRequest,
        H2Fault::ZeroWindow,
        H2Fault::ContinuationFlood,
        H2Fault::PingFlood(1000),
    ] {
        // A client per fault: one HTTP/2 connection keeps its slot against other origins
        // (D6, native_faults_h2.rs), which is not what this test is about.
        let client = fault_builder().http2_prior_knowledge().build().unwrap();
        let server = FaultServer::h2(fault);
        let _ = client
            .post(server.url("/"))
            .content(vec![0u8; 100_000])
            .await;
    }
}

#[tokio::test]
async fn a_batch_of_faults_leaves_no_file_descriptor_open() {
    // Start what lives for the whole process first: the test server's listeners and
    // runtime, the client's shared TLS configuration, this runtime's driver.
    common::client()
        .get(common::http("/bytes/1"))
        .await
        .unwrap();
    run_faults().await;
    settle(open_fds()).await;
    let start = open_fds();

    // A second round: whatever the first left open, a leak would add again.
    run_faults().await;
    let end = settle(start).await;
    eprintln!("open descriptors: {start} before, {end} after");
    assert!(
        end <= start + SLACK,
        "{start} descriptors open before the faults, {end} after"
    );
}

/// Polls until at most `target` descriptors are open or [`SETTLE`] has passed; returns the
/// last count.
async fn settle(target: usize) -> usize {
    let deadline = Instant::now() + SETTLE;
    loop {
        let open = open_fds();
        if open <= target || Instant::now() >= deadline {
            return open;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
