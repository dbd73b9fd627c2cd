//! Streaming 256 MiB through `chunk()` keeps the process's peak RSS growth under 16 MiB.
//! A test binary of its own, so no other test's allocations share the measurement.
#![cfg(native)]

mod common;

use std::fs;

use httplib::Method;

const SIZE: u64 = 256 * 1024 * 1024;
const LIMIT: u64 = 16 * 1024 * 1024;

/// A field of /proc/self/status, in bytes.
fn status_bytes(field: &str) -> u64 {
    let status = fs::read_to_string("/proc/self/status").expect("Linux /proc");
    let line = status
        .lines()
        .find(|l| l.starts_with(field))
        .unwrap_or_else(|| panic!("{field} in /proc/self/status"));
    let kb: u64 = line
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .expect("a number of kB");
    kb * 1024
}

#[tokio::test]
async fn streaming_256_mib_keeps_peak_rss_growth_under_16_mib() {
    let server = common::server();
    let client = common::client();
    // Warm up: the server, the runtime and the connection exist before the measurement.
    client
        .get(server.http_url("/stream-bytes/1048576"))
        .await
        .unwrap();

    // Reset the peak (VmHWM) to the current RSS, then measure from there.
    fs::write("/proc/self/clear_refs", "5").expect("resetting the RSS peak");
    let baseline = status_bytes("VmRSS:");
    let mut r = client
        .stream(
            Method::GET,
            server.http_url(&format!("/stream-bytes/{SIZE}?chunk_size=65536")),
        )
        .await
        .unwrap();
    let mut total = 0u64;
    while let Some(chunk) = r.chunk().await.unwrap() {
        total += chunk.len() as u64;
    }
    let peak = status_bytes("VmHWM:");
    assert_eq!(total, SIZE);
    let growth = peak.saturating_sub(baseline);
    println!(
        "peak RSS growth while streaming 256 MiB: {} KiB",
        growth / 1024
    );
    assert!(growth < LIMIT, "peak RSS grew by {} KiB", growth / 1024);
}
