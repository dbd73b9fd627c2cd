//! A root certificate a client may trust besides the built-in roots.

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
    ///
    /// # Examples
    /// ```
    /// use httplib::{Certificate, Client};
    /// # let server = httplib_testserver::TestServer::start();
    /// # let der = server.ca_der().to_vec();
    ///
    /// // let der = std::fs::read("private-ca.der")?;
    /// let ca = Certificate::from_der(der);
    /// assert!(Client::builder().add_root_certificate(ca).build().is_ok());
    ///
    /// // DER is checked when the client is built:
    /// let junk = Certificate::from_der(b"not DER".to_vec());
    /// assert!(Client::builder().add_root_certificate(junk).build().unwrap_err().is_builder());
    /// ```
    pub fn from_der(der: impl Into<Vec<u8>>) -> Certificate {
        Certificate {
            der: CertificateDer::from(der.into()),
        }
    }

    /// The first certificate of a PEM document.
    ///
    /// # Errors
    /// [`ErrorKind::Builder`](crate::ErrorKind::Builder) when the text holds no PEM certificate.
    ///
    /// # Examples
    /// ```
    /// use httplib::{Certificate, Client};
    /// # let server = httplib_testserver::TestServer::start();
    /// # let pem = server.ca_pem().as_bytes().to_vec();
    ///
    /// // let pem = std::fs::read("private-ca.pem")?;
    /// let ca = Certificate::from_pem(&pem)?;
    /// let client = Client::builder().add_root_certificate(ca).build()?;
    /// # drop(client);
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn from_pem(pem: &[u8]) -> Result<Certificate> {
        CertificateDer::from_pem_slice(pem)
            .map(|der| Certificate { der })
            .map_err(|e| Error::builder("no PEM certificate found").with_source(e))
    }

    /// Every certificate of a PEM bundle.
    ///
    /// # Errors
    /// As [`from_pem`](Self::from_pem): a bundle that cannot be read, or that holds no
    /// certificate at all.
    ///
    /// # Examples
    /// ```
    /// use httplib::{Certificate, Client};
    /// # let server = httplib_testserver::TestServer::start();
    /// # let bundle = format!("{0}{0}", server.ca_pem()).into_bytes();
    ///
    /// // let bundle = std::fs::read("ca-bundle.pem")?;
    /// let roots = Certificate::from_pem_bundle(&bundle)?;
    /// assert_eq!(roots.len(), 2);
    /// assert!(Certificate::from_pem_bundle(b"no certificate here").is_err());
    /// let client = roots
    ///     .into_iter()
    ///     .fold(Client::builder(), |builder, root| builder.add_root_certificate(root))
    ///     .build()?;
    /// # drop(client);
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn from_pem_bundle(pem: &[u8]) -> Result<Vec<Certificate>> {
        let certificates = CertificateDer::pem_slice_iter(pem)
            .map(|der| {
                der.map(|der| Certificate { der })
                    .map_err(|e| Error::builder("invalid PEM certificate").with_source(e))
            })
            .collect::<Result<Vec<_>>>()?;
        if certificates.is_empty() {
            return Err(Error::builder("no PEM certificate found in the bundle"));
        }
        Ok(certificates)
    }
}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Certificate({} bytes)", self.der.len())
    }
}
