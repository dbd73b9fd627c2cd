//! [`TlsVersion`]: the protocol versions a client may be limited to.

use std::fmt;

/// A TLS protocol version, for [`ClientBuilder::tls_min_version`](crate::ClientBuilder::tls_min_version).
///
/// httplib speaks TLS 1.2 and 1.3 (nothing older), so these are the two floors there are.
///
/// # Examples
/// ```
/// use httplib::TlsVersion;
///
/// assert!(TlsVersion::TLS_1_2 < TlsVersion::TLS_1_3);
/// assert_eq!(format!("{:?}", TlsVersion::TLS_1_3), "TLSv1.3");
/// let client = httplib::Client::builder().tls_min_version(TlsVersion::TLS_1_3).build()?;
/// # drop(client);
/// # Ok::<(), httplib::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TlsVersion(Version);

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Version {
    Tls12,
    Tls13,
}

impl TlsVersion {
    /// TLS 1.2 (RFC 5246): the lowest version httplib speaks, and so the default floor.
    ///
    /// # Examples
    /// ```
    /// assert!(httplib::TlsVersion::TLS_1_2 < httplib::TlsVersion::TLS_1_3);
    /// ```
    pub const TLS_1_2: TlsVersion = TlsVersion(Version::Tls12);

    /// TLS 1.3 (RFC 8446).
    ///
    /// # Examples
    /// ```
    /// assert_eq!(format!("{:?}", httplib::TlsVersion::TLS_1_3), "TLSv1.3");
    /// ```
    pub const TLS_1_3: TlsVersion = TlsVersion(Version::Tls13);

    /// True for TLS 1.3 and up: a floor that leaves TLS 1.2 out.
    #[cfg(all(native, feature = "rustls"))]
    pub(crate) fn excludes_tls12(self) -> bool {
        self > TlsVersion::TLS_1_2
    }
}

impl fmt::Debug for TlsVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.0 {
            Version::Tls12 => "TLSv1.2",
            Version::Tls13 => "TLSv1.3",
        })
    }
}
