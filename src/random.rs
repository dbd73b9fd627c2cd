//! Random tokens for Digest's client nonce and multipart boundaries, from the platform's
//! secure source (the OS natively, `crypto.getRandomValues` on wasm32).

use crate::error::{Error, ErrorKind, Result};

/// `bytes` random bytes as lower-case hex.
///
/// # Errors
/// The platform's secure source failed. There is no fallback: a predictable client nonce
/// weakens Digest, and a predictable boundary lets a part's content end the form early.
pub(crate) fn hex(bytes: usize) -> Result<String> {
    hex_from(bytes, getrandom::getrandom)
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_hex() {
        let (a, b) = (hex(16).unwrap(), hex(16).unwrap());
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }

    #[test]
    fn a_failing_source_is_an_error_not_a_weaker_token() {
        let err = hex_from(16, |_| Err(getrandom::Error::UNSUPPORTED)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Io);
        assert!(err.to_string().contains("secure random source"), "{err}");
    }
}
