//! State the routes see: per server ([`AppState`]) and per connection ([`ConnCtx`]).

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Connection ids are unique in the whole process, so two servers of one test binary never
/// hand out the same `X-Connection-Id`.
static NEXT_CONNECTION_ID: AtomicU64 = AtomicU64::new(1);

/// The next process-wide connection id.
pub(crate) fn next_connection_id() -> u64 {
    NEXT_CONNECTION_ID.fetch_add(1, Ordering::Relaxed)
}

/// Secrets shared by every connection of one server.
pub(crate) struct AppState {
    /// Key that authenticates the digest nonces this server issued (see `routes::digest`).
    pub(crate) nonce_key: [u8; 32],
    /// The digest `opaque` value, constant for the server's lifetime.
    pub(crate) opaque: String,
}

impl AppState {
    pub(crate) fn new() -> AppState {
        let mut nonce_key = [0u8; 32];
        let mut opaque = [0u8; 16];
        fill_random(&mut nonce_key);
        fill_random(&mut opaque);
        AppState {
            nonce_key,
            opaque: hex(&opaque),
        }
    }
}

/// What a request knows about the connection it came on.
pub(crate) struct ConnCtx {
    pub(crate) id: u64,
    /// `"http"` or `"https"`: used to rebuild absolute URLs.
    pub(crate) scheme: &'static str,
    /// The listener's own address (`IP:port`, or a Unix socket's path): the authority of
    /// absolute URLs when a request names none.
    pub(crate) local_addr: String,
    /// The client's address; `None` over a Unix socket.
    pub(crate) remote_addr: Option<SocketAddr>,
    pub(crate) app: Arc<AppState>,
}

/// Fills `buf` from the OS random source.
pub(crate) fn fill_random(buf: &mut [u8]) {
    // getrandom fails only on a system without a random source; a test server must still
    // start there, and its nonces need not resist attackers, so derive bytes from the clock.
    if getrandom::getrandom(buf).is_err() {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        for (i, b) in buf.iter_mut().enumerate() {
            *b = (seed >> ((i % 16) * 8)) as u8 ^ i as u8;
        }
    }
}

/// Lower-case hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0xf)] as char);
    }
    out
}
