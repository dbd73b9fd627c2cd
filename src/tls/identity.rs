//! [`Identity`]: a client certificate chain and its private key, for servers that ask
//! the client to prove who it is (mutual TLS).

use std::fmt;
use std::sync::Arc;

use rustls_pki_types::pem::{self, PemObject};
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use crate::error::{Error, Result};

/// A client certificate chain and its private key, shown to servers that ask for one.
///
/// # Platform
/// Used by the native backend. On wasm32 it is accepted and ignored: browsers choose
/// client certificates themselves (from the user's store), and Node's `fetch` has no
/// way to be given one.
///
/// # Examples
/// ```
/// # let pem = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/shared/keys/identity.pem")).unwrap();
/// // let pem = std::fs::read("client.pem")?; // the certificate (chain), then the key
/// let identity = httplib::Identity::from_pem(&pem)?;
/// let client = httplib::Client::builder().identity(identity).build()?;
/// # drop(client);
/// # Ok::<(), httplib::Error>(())
/// ```
#[derive(Clone)]
pub struct Identity {
    pub(crate) chain: Vec<CertificateDer<'static>>,
    #[cfg_attr(
        any(not(native), not(feature = "rustls")),
        expect(
            dead_code,
            reason = "the platform owns TLS on wasm32, and without `rustls` there is none: accepted and ignored"
        )
    )]
    pub(crate) key: Arc<PrivateKeyDer<'static>>,
}

impl Identity {
    /// An identity from one PEM document holding the certificate chain (the client's own
    /// certificate first, then any intermediates) and its private key, in PKCS#8
    /// (`PRIVATE KEY`), PKCS#1 (`RSA PRIVATE KEY`) or SEC1 (`EC PRIVATE KEY`) form, in any
    /// order. Other sections are skipped. A certificate and a key kept in two files can be
    /// joined: `[cert_pem, key_pem].concat()`.
    ///
    /// # Errors
    /// [`ErrorKind::Builder`](crate::ErrorKind::Builder) when the PEM cannot be read, holds
    /// no certificate or no private key, or (natively) when the key is not the one the
    /// first certificate was issued for, or is of a kind the crypto provider cannot sign
    /// with.
    ///
    /// # Examples
    /// ```
    /// use httplib::Identity;
    /// # let pem = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/shared/keys/identity.pem")).unwrap();
    /// # let text = String::from_utf8(pem.clone()).unwrap();
    /// # let (cert_pem, key_pem) = text.split_at(text.find("-----BEGIN EC").unwrap());
    ///
    /// // let pem = std::fs::read("client.pem")?;
    /// assert!(Identity::from_pem(&pem).is_ok());
    /// assert!(Identity::from_pem([cert_pem, key_pem].concat().as_bytes()).is_ok());
    ///
    /// let no_key = Identity::from_pem(cert_pem.as_bytes()).unwrap_err();
    /// assert!(no_key.is_builder() && no_key.to_string().contains("no private key"));
    /// let no_cert = Identity::from_pem(key_pem.as_bytes()).unwrap_err();
    /// assert!(no_cert.is_builder() && no_cert.to_string().contains("no certificate"));
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn from_pem(pem: &[u8]) -> Result<Identity> {
        let chain = CertificateDer::pem_slice_iter(pem)
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| Error::builder("the identity's PEM cannot be read").with_source(e))?;
        if chain.is_empty() {
            return Err(Error::builder(
                "the identity's PEM holds no certificate (BEGIN CERTIFICATE)",
            ));
        }
        let key = PrivateKeyDer::from_pem_slice(pem).map_err(|e| match e {
            pem::Error::NoItemsFound => Error::builder(
                "the identity's PEM holds no private key (PKCS#8, RSA or EC PRIVATE KEY)",
            ),
            e => Error::builder("the identity's private key cannot be read").with_source(e),
        })?;
        let identity = Identity {
            chain,
            key: Arc::new(key),
        };
        #[cfg(all(native, feature = "rustls"))]
        identity.check()?;
        Ok(identity)
    }

    /// Checks that the crypto provider can sign with the key and that the key is the
    /// first certificate's (rustls would otherwise find out only in a handshake).
    #[cfg(all(native, feature = "rustls"))]
    fn check(&self) -> Result<()> {
        use rustls::{Error as TlsError, InconsistentKeys};

        // With no provider yet (none chosen by feature, none installed), building the
        // client reports it.
        let Ok(provider) = crate::tls::provider() else {
            return Ok(());
        };
        rustls::sign::CertifiedKey::from_der(self.chain.clone(), self.key.clone_key(), &provider)
            .map(drop)
            .map_err(|e| {
                let message = match e {
                    TlsError::InconsistentKeys(InconsistentKeys::KeyMismatch) => {
                        "the identity's private key does not match its (first) certificate"
                    }
                    TlsError::InvalidCertificate(_) => {
                        "the identity's certificate is not a valid X.509 certificate"
                    }
                    _ => "the identity's private key cannot be used",
                };
                Error::builder(message).with_source(e)
            })
    }
}

impl fmt::Debug for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the key.
        write!(f, "Identity({} certificates)", self.chain.len())
    }
}

// What `from_pem` checks through rustls: natively, with a crypto provider chosen by feature.
#[cfg(all(test, native, any(feature = "ring", feature = "aws-lc-rs")))]
mod tests {
    use super::*;
    use crate::ErrorKind;

    const EC_SEC1: &str = include_str!("../../tests/shared/keys/ec_sec1.pem");
    const EC_PKCS8: &str = include_str!("../../tests/shared/keys/ec_pkcs8.pem");
    const RSA_PKCS1: &str = include_str!("../../tests/shared/keys/rsa_pkcs1.pem");
    const RSA_PKCS8: &str = include_str!("../../tests/shared/keys/rsa_pkcs8.pem");

    /// A self-signed certificate for the key in `pkcs8`, as PEM.
    fn cert_for(pkcs8: &str) -> String {
        let key = rcgen::KeyPair::from_pem(pkcs8).unwrap();
        rcgen::CertificateParams::new(vec!["client.test".to_owned()])
            .unwrap()
            .self_signed(&key)
            .unwrap()
            .pem()
    }

    fn error(pem: &str) -> crate::Error {
        let err = Identity::from_pem(pem.as_bytes()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Builder, "{err}");
        err
    }

    #[test]
    fn every_key_form_is_read() {
        for (pkcs8, key) in [
            (EC_PKCS8, EC_PKCS8),
            (EC_PKCS8, EC_SEC1),
            (RSA_PKCS8, RSA_PKCS8),
            (RSA_PKCS8, RSA_PKCS1),
        ] {
            let cert = cert_for(pkcs8);
            // Either order, with stray text around.
            for pem in [
                format!("{cert}{key}"),
                format!("junk\n{key}\n{cert}trailer"),
            ] {
                let identity = Identity::from_pem(pem.as_bytes())
                    .unwrap_or_else(|e| panic!("{e}: {}", &key[..35]));
                assert_eq!(identity.chain.len(), 1);
            }
        }
    }

    #[test]
    fn a_chain_keeps_its_order() {
        let leaf = cert_for(EC_PKCS8);
        let other = cert_for(RSA_PKCS8);
        let identity = Identity::from_pem(format!("{leaf}{other}{EC_SEC1}").as_bytes()).unwrap();
        assert_eq!(identity.chain.len(), 2);
        assert_eq!(format!("{identity:?}"), "Identity(2 certificates)");
        // The key must match the first certificate, not any of them.
        let err = error(&format!("{other}{leaf}{EC_SEC1}"));
        assert!(err.to_string().contains("does not match"), "{err}");
    }

    #[test]
    fn a_missing_certificate_or_key_is_named() {
        let err = error(EC_SEC1);
        assert!(err.to_string().contains("no certificate"), "{err}");
        let err = error(&cert_for(EC_PKCS8));
        assert!(err.to_string().contains("no private key"), "{err}");
        let err = error("nothing at all");
        assert!(err.to_string().contains("no certificate"), "{err}");
    }

    #[test]
    fn a_key_of_another_certificate_is_refused() {
        let err = error(&format!("{}{RSA_PKCS1}", cert_for(EC_PKCS8)));
        assert!(err.to_string().contains("does not match"), "{err}");
        let err = error(&format!("{}{EC_SEC1}", cert_for(RSA_PKCS8)));
        assert!(err.to_string().contains("does not match"), "{err}");
    }

    #[test]
    fn broken_pem_is_a_builder_error() {
        let err = error("-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n");
        assert!(err.to_string().contains("cannot be read"), "{err}");
        // Base64 that is no certificate.
        let junk =
            format!("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n{EC_SEC1}");
        let err = error(&junk);
        assert!(err.to_string().contains("not a valid"), "{err}");
    }
}
