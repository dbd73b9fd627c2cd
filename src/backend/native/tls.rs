//! The rustls client configuration: webpki roots by default, extra roots, or (explicitly)
//! no verification; ALPN offering h2 when HTTP/2 is on.

use std::sync::{Arc, OnceLock};

use rustls::ClientConfig;
use rustls::RootCertStore;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

use crate::backend::TransportOptions;
use crate::error::{Error, Result};

/// Which protocols a connection offers by ALPN.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Alpn {
    Http1,
    Http2OrHttp1,
    Http2,
}

impl Alpn {
    fn protocols(self) -> Vec<Vec<u8>> {
        match self {
            Alpn::Http1 => vec![b"http/1.1".to_vec()],
            Alpn::Http2OrHttp1 => vec![b"h2".to_vec(), b"http/1.1".to_vec()],
            Alpn::Http2 => vec![b"h2".to_vec()],
        }
    }
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The webpki roots, parsed once per process: the cost httpx users pay per client.
fn webpki_roots() -> &'static RootCertStore {
    static ROOTS: OnceLock<RootCertStore> = OnceLock::new();
    ROOTS.get_or_init(|| RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    })
}

/// The client configuration for `options`. A default configuration is built once per
/// process and shared, so creating a client does not reload the root store.
pub(crate) fn config(options: &TransportOptions) -> Result<Arc<ClientConfig>> {
    let alpn = if options.http2_prior_knowledge {
        Alpn::Http2
    } else if options.http2 {
        Alpn::Http2OrHttp1
    } else {
        Alpn::Http1
    };
    let is_default = options.root_certificates.is_empty()
        && options.built_in_roots
        && !options.accept_invalid_certs;
    if is_default {
        static SHARED: [OnceLock<Arc<ClientConfig>>; 3] =
            [OnceLock::new(), OnceLock::new(), OnceLock::new()];
        let slot = &SHARED[alpn as usize];
        if let Some(config) = slot.get() {
            return Ok(config.clone());
        }
        let config = build(options, alpn)?;
        return Ok(slot.get_or_init(|| config).clone());
    }
    build(options, alpn)
}

fn build(options: &TransportOptions, alpn: Alpn) -> Result<Arc<ClientConfig>> {
    let builder = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::builder("TLS setup failed").with_source(e))?;
    let mut config = if options.accept_invalid_certs {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(NoVerification(
                provider().signature_verification_algorithms,
            )))
            .with_no_client_auth()
    } else {
        let mut roots = if options.built_in_roots {
            webpki_roots().clone()
        } else {
            RootCertStore::empty()
        };
        for cert in &options.root_certificates {
            roots
                .add(cert.der.clone())
                .map_err(|e| Error::builder("invalid root certificate").with_source(e))?;
        }
        builder.with_root_certificates(roots).with_no_client_auth()
    };
    config.alpn_protocols = alpn.protocols();
    Ok(Arc::new(config))
}

/// Accepts any certificate for any name, still checking that the handshake is signed by
/// the key of the certificate presented. Only with `danger_accept_invalid_certs(true)`.
#[derive(Debug)]
struct NoVerification(WebPkiSupportedAlgorithms);

impl ServerCertVerifier for NoVerification {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_schemes()
    }
}
