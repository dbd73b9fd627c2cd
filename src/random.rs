//! Random tokens for Digest's client nonce and multipart boundaries, from the platform's
//! secure source (the OS natively, `crypto.getRandomValues` on wasm32); and cheap numbers
//! for retry jitter, which need to be spread out but not secret.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

#[cfg(any(feature = "digest", feature = "multipart"))]
use crate::error::{Error, ErrorKind, Result};

/// `bytes` random bytes as lower-case hex.
///
/// # Errors
/// The platform's secure source failed. There is no fallback: a predictable client nonce
/// weakens Digest, and a predictable boundary lets a part's content end the form early.
#[cfg(any(feature = "digest", feature = "multipart"))]
pub(crate) fn hex(bytes: usize) -> Result<String> {
    hex_from(bytes, getrandom::getrandom)
}

#[cfg(any(feature = "digest", feature = "multipart"))]
fn hex_from(
    bytes: usize,
    fill: impl FnOnce(&mut [u8]) -> std::result::Result<(), getrandom::Error>,
) -> Result<String> {
    let mut buf = vec![0u8; bytes];
    fill(&mut buf).map_err(|e| {
        Error::new(
            ErrorKind::Io,
            format!("the platform's secure random source failed: {e}"),
        )
    })?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

/// A random number for retry jitter: splitmix64 over a counter seeded once from the
/// secure source. Lock-free, and distinct for every call across threads.
pub(crate) fn jitter() -> u64 {
    static COUNTER: OnceLock<AtomicU64> = OnceLock::new();
    let counter = COUNTER.get_or_init(|| AtomicU64::new(jitter_seed(getrandom::getrandom)));
    mix(counter.fetch_add(GOLDEN_GAMMA, Ordering::Relaxed))
}

/// Splitmix64's increment, 2⁶⁴ divided by the golden ratio.
const GOLDEN_GAMMA: u64 = 0x9e37_79b9_7f4a_7c15;

fn jitter_seed(fill: impl FnOnce(&mut [u8]) -> std::result::Result<(), getrandom::Error>) -> u64 {
    let mut seed = [0u8; 8];
    match fill(&mut seed) {
        Ok(()) => u64::from_le_bytes(seed),
        // Unlike a nonce, jitter guards nothing: a fixed seed still spreads one client's
        // retries evenly, it only stops spreading clients that share it. Better than
        // failing a request over it.
        Err(_) => GOLDEN_GAMMA,
    }
}

/// Splitmix64's output function: every bit of `z` affects every bit of the result.
fn mix(z: u64) -> u64 {
    let z = z.wrapping_add(GOLDEN_GAMMA);
    let z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    let z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jitter_is_spread_out() {
        let values: Vec<u64> = (0..1000).map(|_| jitter()).collect();
        let mut unique = values.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), values.len());
        // Roughly half above the middle, as uniform numbers would be.
        let high = values.iter().filter(|&&v| v > u64::MAX / 2).count();
        assert!((350..=650).contains(&high), "{high}");
    }

    #[test]
    fn jitter_survives_a_failing_source() {
        let seed = jitter_seed(|_| Err(getrandom::Error::UNSUPPORTED));
        assert_eq!(seed, GOLDEN_GAMMA);
        assert_ne!(mix(seed), mix(seed.wrapping_add(GOLDEN_GAMMA)));
        let ones = |buf: &mut [u8]| {
            buf.fill(1);
            Ok(())
        };
        assert_eq!(jitter_seed(ones), 0x0101_0101_0101_0101);
    }

    #[cfg(any(feature = "digest", feature = "multipart"))]
    #[test]
    fn tokens_are_random_hex() {
        let (a, b) = (hex(16).unwrap(), hex(16).unwrap());
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }

    #[cfg(any(feature = "digest", feature = "multipart"))]
    #[test]
    fn a_failing_source_is_an_error_not_a_weaker_token() {
        let err = hex_from(16, |_| Err(getrandom::Error::UNSUPPORTED)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Io);
        assert!(err.to_string().contains("secure random source"), "{err}");
    }
}
