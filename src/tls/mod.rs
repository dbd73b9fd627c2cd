//! What a client trusts and shows in TLS: extra root certificates, a client certificate
//! ([`Identity`]), the lowest protocol version ([`TlsVersion`]), and natively the crypto
//! provider chosen by cargo feature. These settings apply natively with the `rustls`
//! feature; without it they are accepted and have nothing to apply to (there is no TLS).

mod certificate;
mod identity;
#[cfg(all(native, feature = "rustls"))]
mod provider;
mod version;

pub use certificate::Certificate;
pub use identity::Identity;
#[cfg(all(native, feature = "rustls"))]
pub(crate) use provider::provider;
pub use version::TlsVersion;

/// The error for TLS asked of a native build without the `rustls` feature.
#[cfg(all(native, not(feature = "rustls")))]
pub(crate) fn unavailable() -> crate::Error {
    crate::Error::new(
        crate::ErrorKind::UnsupportedProtocol,
        "https:// needs httplib's `rustls` cargo feature (this build speaks cleartext HTTP only)",
    )
}
