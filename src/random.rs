//! Random tokens for Digest's client nonce and multipart boundaries, from the platform's
//! secure source (the OS natively, `crypto.getRandomValues` on wasm32).

/// `bytes` random bytes as lower-case hex.
pub(crate) fn hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    if getrandom::getrandom(&mut buf).is_err() {
        // No secure source: these tokens need uniqueness more than secrecy, so fall back to
        // the process's randomly keyed hasher rather than failing the request.
        use std::hash::{BuildHasher, Hasher};
        let state = std::collections::hash_map::RandomState::new();
        for (i, chunk) in buf.chunks_mut(8).enumerate() {
            let mut h = state.build_hasher();
            h.write_usize(i);
            let n = h.finish().to_le_bytes();
            chunk.copy_from_slice(&n[..chunk.len()]);
        }
    }
    buf.iter().map(|b| format!("{b:02x}")).collect()
}
