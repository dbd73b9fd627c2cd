//! TLS faults: certificates a client must refuse, ALPN it cannot agree on, and a server
//! stuck on TLS 1.2.
//!
//! Each [`FaultServer::tls`](super::FaultServer::tls) generates its own CA
//! ([`FaultServer::ca_pem`](super::FaultServer::ca_pem)): a client that trusts it sees
//! exactly one thing wrong, the fault's.

use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;

use rcgen::{
    BasicConstraints, CertificateParams, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::{ServerConfig, ServerConnection, StreamOwned};

use super::h1::{self, Step};
use crate::tls::{ALPN_H2, ALPN_HTTP11, LEAF_NAMES, name};

/// What is wrong with a [`FaultServer::tls`](super::FaultServer::tls) server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TlsFault {
    /// A leaf signed by the CA, for `wrong-host.test` only.
    WrongHost,
    /// A leaf signed by the CA for the right names, valid only during 2020.
    Expired,
    /// A self-signed leaf for the right names, not from the CA.
    SelfSigned,
    /// A good certificate; ALPN offers only `h2`.
    OnlyH2,
    /// A good certificate; ALPN offers only `http/1.1`.
    OnlyHttp11,
    /// A good certificate; no ALPN at all (the server negotiates nothing).
    NoAlpn,
    /// A good certificate and ALPN `http/1.1`, but only TLS 1.2 (no TLS 1.3).
    OnlyTls12,
}

/// A CA and the server configuration presenting the fault's certificate.
pub(crate) struct TlsSetup {
    pub(crate) ca_pem: String,
    pub(crate) config: Arc<ServerConfig>,
}

impl TlsSetup {
    pub(crate) fn new(fault: TlsFault) -> Result<TlsSetup, Box<dyn std::error::Error>> {
        let ca_key = KeyPair::generate()?;
        let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
        ca_params.distinguished_name = name("httplib fault CA");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca_cert = ca_params.self_signed(&ca_key)?;
        let issuer = Issuer::new(ca_params, ca_key);

        let names: Vec<String> = match fault {
            TlsFault::WrongHost => vec!["wrong-host.test".to_owned()],
            _ => LEAF_NAMES.iter().map(|n| n.to_string()).collect(),
        };
        let leaf_key = KeyPair::generate()?;
        let mut leaf = CertificateParams::new(names)?;
        leaf.distinguished_name = name("httplib fault leaf");
        leaf.is_ca = IsCa::ExplicitNoCa;
        leaf.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        if fault == TlsFault::Expired {
            leaf.not_before = rcgen::date_time_ymd(2020, 1, 1);
            leaf.not_after = rcgen::date_time_ymd(2020, 12, 31);
        }
        let leaf_cert = if fault == TlsFault::SelfSigned {
            leaf.self_signed(&leaf_key)?
        } else {
            leaf.use_authority_key_identifier_extension = true;
            leaf.signed_by(&leaf_key, &issuer)?
        };

        let alpn: &[&[u8]] = match fault {
            TlsFault::OnlyH2 => &[ALPN_H2],
            TlsFault::NoAlpn => &[],
            _ => &[ALPN_HTTP11],
        };
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
        let chain = vec![CertificateDer::from(leaf_cert.der().to_vec())];
        let versions: &[&rustls::SupportedProtocolVersion] = match fault {
            TlsFault::OnlyTls12 => &[&rustls::version::TLS12],
            _ => rustls::DEFAULT_VERSIONS,
        };
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_protocol_versions(versions)?
            .with_no_client_auth()
            .with_single_cert(chain, key)?;
        config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
        Ok(TlsSetup {
            ca_pem: ca_cert.pem(),
            config: Arc::new(config),
        })
    }
}

/// Runs the TLS handshake on `tcp`, then `steps` over TLS. A handshake the client aborts
/// (as it must, for most faults) ends the connection.
pub(crate) fn serve(
    tcp: TcpStream,
    config: Arc<ServerConfig>,
    steps: &[Step],
    requests: &AtomicUsize,
) {
    let Ok(connection) = ServerConnection::new(config) else {
        return;
    };
    let mut tls = StreamOwned::new(connection, tcp);
    while tls.conn.is_handshaking() {
        if tls.conn.complete_io(&mut tls.sock).is_err() {
            return;
        }
    }
    h1::run(&mut tls, steps, requests);
}
