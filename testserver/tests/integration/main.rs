//! Tests of the test server against its real listeners, with a small hyper-based client.

mod auth;
mod binary;
mod bodies;
mod client;
mod echo;
mod misc;
mod protocols;
mod raw;

use sha2::{Digest, Sha256};

/// Lower-case hex SHA-256 of `data`.
pub fn sha256_hex(data: &[u8]) -> String {
    Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The server's byte pattern: byte `i` is `(i % 251) as u8`.
pub fn pattern(offset: u64, len: usize) -> Vec<u8> {
    (0..len as u64)
        .map(|i| ((offset + i) % 251) as u8)
        .collect()
}

#[test]
fn servers_can_be_shared_between_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<httplib_testserver::TestServer>();
    assert_send_sync::<httplib_testserver::RawServer>();
}
