//! The rustls crypto provider, chosen by cargo feature: `ring` (the default) or
//! `aws-lc-rs` (which wins when both are on, since it can only have been asked for), or
//! with neither the process-wide default.

use std::sync::{Arc, OnceLock};

use rustls::crypto::CryptoProvider;

use crate::error::{Error, Result};

cfg_if::cfg_if! {
    if #[cfg(feature = "aws-lc-rs")] {
        fn chosen() -> Option<CryptoProvider> {
            Some(rustls::crypto::aws_lc_rs::default_provider())
        }
    } else if #[cfg(feature = "ring")] {
        fn chosen() -> Option<CryptoProvider> {
            Some(rustls::crypto::ring::default_provider())
        }
    } else {
        /// Neither feature: the process-wide default, looked up when a client is built.
        fn chosen() -> Option<CryptoProvider> {
            None
        }
    }
}

/// The provider every configuration of this process uses, made once: the feature's, or
/// without `ring` and `aws-lc-rs` the one installed as the process default.
///
/// # Errors
/// [`Builder`](crate::ErrorKind::Builder): no feature chose a provider and none is
/// installed.
pub(crate) fn provider() -> Result<Arc<CryptoProvider>> {
    static PROVIDER: OnceLock<Option<Arc<CryptoProvider>>> = OnceLock::new();
    if let Some(chosen) = PROVIDER.get_or_init(|| chosen().map(Arc::new)) {
        return Ok(chosen.clone());
    }
    CryptoProvider::get_default().cloned().ok_or_else(|| {
        Error::builder(
            "no rustls crypto provider: enable httplib's `ring` or `aws-lc-rs` feature, \
             or install one with rustls::crypto::CryptoProvider::install_default",
        )
    })
}

#[cfg(test)]
mod tests {
    use rustls::NamedGroup;

    #[test]
    #[cfg(not(any(feature = "ring", feature = "aws-lc-rs")))]
    fn without_a_provider_feature_and_none_installed_building_says_what_to_do() {
        let err = super::provider().unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::Builder);
        assert!(err.to_string().contains("install_default"), "{err}");
        let err = crate::Client::builder().build().unwrap_err();
        assert!(err.to_string().contains("`ring` or `aws-lc-rs`"), "{err}");
    }

    #[test]
    #[cfg(any(feature = "ring", feature = "aws-lc-rs"))]
    fn the_feature_chooses_the_provider() {
        // aws-lc-rs offers the post-quantum hybrid X25519MLKEM768; ring does not.
        let hybrid = super::provider()
            .unwrap()
            .kx_groups
            .iter()
            .any(|group| group.name() == NamedGroup::X25519MLKEM768);
        assert_eq!(hybrid, cfg!(feature = "aws-lc-rs"));
    }
}
