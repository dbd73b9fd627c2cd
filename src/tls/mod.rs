//! What a client trusts and shows in TLS: extra root certificates, a client certificate
//! ([`Identity`]), the lowest protocol version ([`TlsVersion`]), and natively the crypto
//! provider chosen by cargo feature.

mod certificate;
mod identity;
#[cfg(not(target_arch = "wasm32"))]
mod provider;
mod version;

pub use certificate::Certificate;
pub use identity::Identity;
#[cfg(not(target_arch = "wasm32"))]
pub(crate) use provider::provider;
pub use version::TlsVersion;
