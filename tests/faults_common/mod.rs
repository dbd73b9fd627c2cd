//! Helpers of the fault suites (native_faults_*.rs): a client that makes leaks visible,
//! the checks every fault case ends with, and an open-file counter.
#![allow(dead_code)]

use std::time::{Duration, Instant};

use httplib::{Client, ErrorKind, Limits, Timeout};

use crate::common::{builder, server};

/// Every timeout of a fault client: short, so a hang shows as a typed error at once.
pub const QUICK: Duration = Duration::from_millis(500);

/// How long any one fault may take before the case fails: the quick timeouts above, with
/// room for a loaded machine (2 cores shared with other builds).
pub const CEILING: Duration = Duration::from_secs(3);

/// A client with one connection slot and quick timeouts: a fault that leaked its slot makes
/// the next request a `PoolTimeout` within [`QUICK`].
pub fn fault_client() -> Client {
    fault_builder().build().expect("the client builds")
}

/// [`fault_client`]'s builder, for cases that need more settings.
pub fn fault_builder() -> httplib::ClientBuilder {
    builder()
        .timeout(Timeout::new(QUICK))
        .limits(Limits::default().max_connections(1))
}

/// Asserts `result` failed with `kind`, within [`CEILING`] of `started`.
#[track_caller]
pub fn assert_fails<T: std::fmt::Debug>(
    result: httplib::Result<T>,
    kind: ErrorKind,
    started: Instant,
) -> httplib::Error {
    let elapsed = started.elapsed();
    let err = result.expect_err("the fault must be an error");
    assert_eq!(err.kind(), kind, "{err}");
    assert!(elapsed < CEILING, "took {elapsed:?}: {err}");
    err
}

/// Asserts the same client still completes a normal request against the test server: the
/// fault left no connection slot behind.
pub async fn assert_still_works(client: &Client) {
    let r = client
        .get(server().http_url("/bytes/64"))
        .await
        .unwrap_or_else(|e| panic!("a normal request after the fault failed: {e}"));
    assert_eq!(r.status_code(), 200);
    assert_eq!(r.bytes().len(), 64);
}

/// Open file descriptors of this process (`/proc/self/fd`, Linux).
pub fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd")
        .map(|dir| dir.count())
        .expect("/proc/self/fd is readable")
}
