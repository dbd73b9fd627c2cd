//! The rustls crypto provider, chosen by cargo feature: `ring` (the default) or
//! `aws-lc-rs` (which wins when both are on, since it can only have been asked for).

use std::sync::{Arc, OnceLock};

use rustls::crypto::CryptoProvider;

cfg_if::cfg_if! {
    if #[cfg(feature = "aws-lc-rs")] {
        fn chosen() -> CryptoProvider {
            rustls::crypto::aws_lc_rs::default_provider()
        }
    } else if #[cfg(feature = "ring")] {
        fn chosen() -> CryptoProvider {
            rustls::crypto::ring::default_provider()
        }
    } else {
        compile_error!(
            "httplib needs a rustls crypto provider natively: enable the `ring` (default) or `aws-lc-rs` feature"
        );
        fn chosen() -> CryptoProvider {
            unreachable!()
        }
    }
}

/// The provider every configuration of this process uses, made once.
pub(crate) fn provider() -> Arc<CryptoProvider> {
    static PROVIDER: OnceLock<Arc<CryptoProvider>> = OnceLock::new();
    PROVIDER.get_or_init(|| Arc::new(chosen())).clone()
}

#[cfg(test)]
mod tests {
    use rustls::NamedGroup;

    #[test]
    fn the_feature_chooses_the_provider() {
        // aws-lc-rs offers the post-quantum hybrid X25519MLKEM768; ring does not.
        let hybrid = super::provider()
            .kx_groups
            .iter()
            .any(|group| group.name() == NamedGroup::X25519MLKEM768);
        assert_eq!(hybrid, cfg!(feature = "aws-lc-rs"));
    }
}
