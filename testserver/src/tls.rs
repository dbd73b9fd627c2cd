//! Certificates generated at start (a CA and a leaf it signs) and the TLS acceptors.
//!
//! rustls (webpki) rejects a self-signed CA certificate used directly as the server's leaf,
//! so clients trust the CA ([`Certs::ca_pem`]) and the server presents a separate leaf.

use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose,
};
use rustls::ServerConfig;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::TlsAcceptor;

/// The names the leaf certificate is valid for: what `https_url` and friends use, plus the
/// loopback addresses for clients that connect by IP.
pub(crate) const LEAF_NAMES: [&str; 3] = ["localhost", "127.0.0.1", "::1"];

/// ALPN protocol id of HTTP/2.
pub(crate) const ALPN_H2: &[u8] = b"h2";
/// ALPN protocol id of HTTP/1.1.
pub(crate) const ALPN_HTTP11: &[u8] = b"http/1.1";

/// A freshly generated CA and the leaf certificate (with its key) that it signed.
pub(crate) struct Certs {
    pub(crate) ca_pem: String,
    pub(crate) ca_der: Vec<u8>,
    leaf_der: CertificateDer<'static>,
    leaf_key: Vec<u8>,
    /// The leaf and its key as PEM, for servers that are not ours (squid).
    pub(crate) leaf_pem: String,
    pub(crate) leaf_key_pem: String,
}

impl Certs {
    /// Generates the CA and the leaf (ECDSA P-256 keys, rcgen's default validity).
    pub(crate) fn generate() -> Result<Certs, rcgen::Error> {
        let ca_key = KeyPair::generate()?;
        let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
        ca_params.distinguished_name = name("httplib test CA");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let ca_cert = ca_params.self_signed(&ca_key)?;
        let issuer = Issuer::new(ca_params, ca_key);

        let leaf_key = KeyPair::generate()?;
        let names: Vec<String> = LEAF_NAMES.iter().map(|n| n.to_string()).collect();
        let mut leaf_params = CertificateParams::new(names)?;
        leaf_params.distinguished_name = name("localhost");
        leaf_params.is_ca = IsCa::ExplicitNoCa;
        leaf_params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        leaf_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        leaf_params.use_authority_key_identifier_extension = true;
        let leaf_cert = leaf_params.signed_by(&leaf_key, &issuer)?;

        Ok(Certs {
            ca_pem: ca_cert.pem(),
            ca_der: ca_cert.der().to_vec(),
            leaf_der: leaf_cert.der().clone(),
            leaf_key: leaf_key.serialize_der(),
            leaf_pem: leaf_cert.pem(),
            leaf_key_pem: leaf_key.serialize_pem(),
        })
    }

    /// A TLS acceptor presenting the leaf and offering `alpn` (in preference order).
    pub(crate) fn acceptor(&self, alpn: &[&[u8]]) -> Result<TlsAcceptor, rustls::Error> {
        // An explicit provider, so nothing depends on a process-wide default being installed.
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.leaf_key.clone()));
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(vec![self.leaf_der.clone()], key)?;
        config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
        Ok(TlsAcceptor::from(Arc::new(config)))
    }
}

pub(crate) fn name(common_name: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, common_name);
    dn
}
