//! Certificates a client may trust besides the built-in roots.

use std::fmt;

use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;

use crate::error::{Error, Result};

/// A root certificate to trust, for servers signed by a private CA.
///
/// # Platform
/// Used by the native backend; in browsers and Node the platform's trust store applies
/// (Node reads extra roots from `NODE_EXTRA_CA_CERTS`).
///
/// # Examples
/// ```
/// let err = httplib::Certificate::from_pem(b"not a certificate").unwrap_err();
/// assert!(err.is_builder());
/// ```
#[derive(Clone)]
pub struct Certificate {
    pub(crate) der: CertificateDer<'static>,
}

impl Certificate {
    /// A certificate in DER form.
    pub fn from_der(der: impl Into<Vec<u8>>) -> Certificate {
        Certificate {
            der: CertificateDer::from(der.into()),
        }
    }

    /// The first certificate of a PEM document.
    ///
    /// # Errors
    /// [`ErrorKind::Builder`](crate::ErrorKind::Builder) when the text holds no PEM certificate.
    pub fn from_pem(pem: &[u8]) -> Result<Certificate> {
        CertificateDer::from_pem_slice(pem)
            .map(|der| Certificate { der })
            .map_err(|e| Error::builder("no PEM certificate found").with_source(e))
    }

    /// Every certificate of a PEM bundle.
    ///
    /// # Errors
    /// As [`from_pem`](Self::from_pem), for a bundle that cannot be read.
    pub fn from_pem_bundle(pem: &[u8]) -> Result<Vec<Certificate>> {
        CertificateDer::pem_slice_iter(pem)
            .map(|der| {
                der.map(|der| Certificate { der })
                    .map_err(|e| Error::builder("invalid PEM certificate").with_source(e))
            })
            .collect()
    }
}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Certificate({} bytes)", self.der.len())
    }
}
