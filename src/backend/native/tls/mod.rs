//! TLS by rustls (the `rustls` feature): the client configuration (the built-in roots,
//! see [`roots`], and extra ones, or explicitly no verification; a client certificate; the
//! version floor; ALPN offering h2 when HTTP/2 is on; or the user's own configuration), and
//! the handshake, over TCP or inside an HTTPS proxy's TLS.

mod roots;

use std::sync::{Arc, OnceLock};

use rustls::ClientConfig;
use rustls::RootCertStore;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

use crate::backend::TransportOptions;
use crate::error::{Error, ErrorKind, Result};
use crate::tls::TlsVersion;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_rustls::TlsConnector;
pub(crate) use tokio_rustls::client::TlsStream;

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

/// The client configuration for `options`. A configuration with the defaults (no extra
/// roots, no client certificate, no version floor) is built once per process for each
/// ALPN and `trust_env` setting and shared, so creating a client does not reload the
/// root store. A configuration of the user's own ([`tls_config`]) is used as it is, with
/// ALPN filled in only when it has none.
///
/// [`tls_config`]: crate::ClientBuilder::tls_config
pub(crate) fn config(options: &TransportOptions) -> Result<Arc<ClientConfig>> {
    let alpn = if options.http2_prior_knowledge {
        Alpn::Http2
    } else if options.http2 {
        Alpn::Http2OrHttp1
    } else {
        Alpn::Http1
    };
    config_offering(options, alpn)
}

/// The configuration for the TLS to an HTTPS proxy: the same trust and client certificate
/// as [`config`]'s, offering HTTP/1.1 only (a proxy is spoken to in HTTP/1.1).
pub(crate) fn proxy_config(options: &TransportOptions) -> Result<Arc<ClientConfig>> {
    if let Some(own) = &options.tls_config {
        let mut config = ClientConfig::clone(own);
        config.alpn_protocols = Alpn::Http1.protocols();
        return Ok(Arc::new(config));
    }
    config_offering(options, Alpn::Http1)
}

fn config_offering(options: &TransportOptions, alpn: Alpn) -> Result<Arc<ClientConfig>> {
    if let Some(own) = &options.tls_config {
        if !own.alpn_protocols.is_empty() {
            return Ok(own.clone());
        }
        let mut config = ClientConfig::clone(own);
        config.alpn_protocols = alpn.protocols();
        return Ok(Arc::new(config));
    }
    let is_default = options.root_certificates.is_empty()
        && options.built_in_roots
        && !options.accept_invalid_certs
        && options.identity.is_none()
        && !options
            .tls_min_version
            .is_some_and(TlsVersion::excludes_tls12);
    if is_default {
        static SHARED: [OnceLock<Arc<ClientConfig>>; 6] = [const { OnceLock::new() }; 6];
        let slot = &SHARED[alpn as usize * 2 + usize::from(options.trust_env)];
        if let Some(config) = slot.get() {
            return Ok(config.clone());
        }
        let config = build(options, alpn)?;
        return Ok(slot.get_or_init(|| config).clone());
    }
    build(options, alpn)
}

/// A TLS handshake with `host` over `stream` (TCP, or a tunnel through an HTTPS proxy).
pub(crate) async fn handshake<S: AsyncRead + AsyncWrite + Unpin>(
    host: &str,
    port: u16,
    tls: &Arc<ClientConfig>,
    stream: S,
) -> Result<TlsStream<S>> {
    let name = ServerName::try_from(host.to_owned()).map_err(|e| {
        Error::new(
            ErrorKind::Connect,
            format!("{host:?} is not a valid TLS server name"),
        )
        .with_source(e)
    })?;
    let stream = TlsConnector::from(tls.clone())
        .connect(name, stream)
        .await
        .map_err(|e| {
            Error::new(
                ErrorKind::Connect,
                format!("TLS handshake with {host}:{port} failed"),
            )
            .with_source(e)
        })?;
    crate::trace::event!(host = %host, alpn = %String::from_utf8_lossy(stream.get_ref().1.alpn_protocol().unwrap_or(b"none")), "TLS handshake done");
    Ok(stream)
}

/// True when ALPN settled on HTTP/2.
pub(crate) fn negotiated_h2<S>(stream: &TlsStream<S>) -> bool {
    stream.get_ref().1.alpn_protocol() == Some(b"h2")
}

fn build(options: &TransportOptions, alpn: Alpn) -> Result<Arc<ClientConfig>> {
    let provider = crate::tls::provider()?;
    let setup_failed = |e| Error::builder("TLS setup failed").with_source(e);
    let builder = ClientConfig::builder_with_provider(provider.clone());
    let builder = match options.tls_min_version {
        Some(floor) if floor.excludes_tls12() => {
            builder.with_protocol_versions(&[&rustls::version::TLS13])
        }
        _ => builder.with_safe_default_protocol_versions(),
    }
    .map_err(setup_failed)?;
    let builder = if options.accept_invalid_certs {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(NoVerification(
                provider.signature_verification_algorithms,
            )))
    } else {
        builder.with_root_certificates(roots(options)?)
    };
    let mut config = match &options.identity {
        Some(identity) => builder
            .with_client_auth_cert(identity.chain.clone(), identity.key.clone_key())
            .map_err(|e| Error::builder("the client certificate cannot be used").with_source(e))?,
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = alpn.protocols();
    Ok(Arc::new(config))
}

/// The roots a client trusts: the built-in ones (shared, see [`roots::built_in`]) unless
/// turned off, and those added to the builder.
fn roots(options: &TransportOptions) -> Result<Arc<RootCertStore>> {
    let built_in = options
        .built_in_roots
        .then(|| roots::built_in(options.trust_env));
    if options.root_certificates.is_empty() {
        return Ok(built_in.unwrap_or_else(|| Arc::new(RootCertStore::empty())));
    }
    let mut store =
        built_in.map_or_else(RootCertStore::empty, |shared| RootCertStore::clone(&shared));
    for cert in &options.root_certificates {
        store
            .add(cert.der.clone())
            .map_err(|e| Error::builder("invalid root certificate").with_source(e))?;
    }
    Ok(Arc::new(store))
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
