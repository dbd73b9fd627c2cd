//! The built-in roots: the operating system's store, or the files `SSL_CERT_FILE` and
//! `SSL_CERT_DIR` name when the client trusts the environment, with webpki's roots where
//! neither yields a certificate. Each store is read once per process, when the first
//! client that needs it is built, and shared by every client after: reading and parsing
//! a system store costs milliseconds, too much to pay per client.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use rustls::RootCertStore;
use rustls::pki_types::{CertificateDer, TrustAnchor};

/// Where a client's built-in roots came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Source {
    /// The files `SSL_CERT_FILE` / `SSL_CERT_DIR` name.
    Environment,
    /// The operating system's store.
    System,
    /// The webpki roots compiled in (Mozilla's list).
    Webpki,
}

/// The built-in roots of a client, shared: from the environment when `trust_env` and a
/// variable is set (and names certificates), else the system's, else webpki's.
pub(crate) fn built_in(trust_env: bool) -> Arc<RootCertStore> {
    static WITH_ENV: OnceLock<Arc<RootCertStore>> = OnceLock::new();
    static WITHOUT_ENV: OnceLock<Arc<RootCertStore>> = OnceLock::new();
    let without = || {
        WITHOUT_ENV
            .get_or_init(|| choose(None, system_certificates, webpki_roots::TLS_SERVER_ROOTS).0)
            .clone()
    };
    if !trust_env {
        return without();
    }
    WITH_ENV
        .get_or_init(|| match environment_certificates() {
            // The same store as without the environment: shared, not read twice.
            None => without(),
            found => choose(found, system_certificates, webpki_roots::TLS_SERVER_ROOTS).0,
        })
        .clone()
}

/// The first source that yields a usable certificate: the environment's (`Some` when a
/// variable is set), the system's (read only when needed), webpki's. Certificates that do
/// not parse are skipped, as OpenSSL skips them.
fn choose(
    environment: Option<Vec<CertificateDer<'static>>>,
    system: impl FnOnce() -> Vec<CertificateDer<'static>>,
    webpki: &[TrustAnchor<'static>],
) -> (Arc<RootCertStore>, Source) {
    let usable = |certificates: Vec<CertificateDer<'static>>, source: Source| {
        let mut store = RootCertStore::empty();
        store.add_parsable_certificates(certificates);
        (!store.is_empty()).then(|| {
            crate::trace::event!(roots = store.len(), source = ?source, "TLS roots loaded");
            (Arc::new(store), source)
        })
    };
    if let Some(found) = usable(environment.unwrap_or_default(), Source::Environment) {
        return found;
    }
    if let Some(found) = usable(system(), Source::System) {
        return found;
    }
    crate::trace::event!(source = ?Source::Webpki, "TLS roots: none from the system, webpki's");
    let store = RootCertStore {
        roots: webpki.to_vec(),
    };
    (Arc::new(store), Source::Webpki)
}

/// The certificates of `SSL_CERT_FILE` and `SSL_CERT_DIR` (directories separated as in
/// `PATH`), or `None` when neither is set. Unreadable files are skipped.
fn environment_certificates() -> Option<Vec<CertificateDer<'static>>> {
    let file = std::env::var_os("SSL_CERT_FILE").filter(|v| !v.is_empty());
    let dirs = std::env::var_os("SSL_CERT_DIR").filter(|v| !v.is_empty());
    if file.is_none() && dirs.is_none() {
        return None;
    }
    let dirs: Vec<PathBuf> = dirs
        .map(|d| std::env::split_paths(&d).collect())
        .unwrap_or_default();
    Some(from_paths(file.as_deref().map(Path::new), &dirs))
}

fn from_paths(file: Option<&Path>, dirs: &[PathBuf]) -> Vec<CertificateDer<'static>> {
    let mut certificates = Vec::new();
    if let Some(file) = file {
        certificates.extend(rustls_native_certs::load_certs_from_paths(Some(file), None).certs);
    }
    for dir in dirs.iter().filter(|d| !d.as_os_str().is_empty()) {
        certificates.extend(rustls_native_certs::load_certs_from_paths(None, Some(dir)).certs);
    }
    certificates
}

/// The operating system's store, whatever `SSL_CERT_FILE` and `SSL_CERT_DIR` say: on
/// Linux and the BSDs the distribution's bundle file, or its certificate directories where
/// it has none (or `SSL_CERT_FILE` hides which it is).
fn system_certificates() -> Vec<CertificateDer<'static>> {
    cfg_if::cfg_if! {
        if #[cfg(all(unix, not(target_os = "macos")))] {
            let env_file = std::env::var_os("SSL_CERT_FILE").is_some_and(|f| Path::new(&f).exists());
            distribution_store(env_file)
        } else {
            // macOS's keychain and Windows' store are read through rustls-native-certs,
            // which reads the SSL_CERT_* variables first: with one set, this store cannot
            // be had, and the caller falls back to webpki's roots.
            let set = |name| std::env::var_os(name).is_some_and(|v| !v.is_empty());
            if set("SSL_CERT_FILE") || set("SSL_CERT_DIR") {
                Vec::new()
            } else {
                rustls_native_certs::load_native_certs().certs
            }
        }
    }
}

/// The distribution's bundle (/etc/ssl/certs/ca-certificates.crt and its kin, by
/// openssl-probe's list), as curl and OpenSSL's CAfile read it: the trust set the
/// distribution's tools write, in one file, read in a quarter of the time of the directory
/// file by file (1.2 ms against 4 on Debian). openssl-probe looks at `SSL_CERT_FILE` first,
/// so with that set (`env_file`) the bundle cannot be told, and the directories are read
/// (/etc/ssl/certs and the like, each file once however many links point at it).
#[cfg(all(unix, not(target_os = "macos")))]
fn distribution_store(env_file: bool) -> Vec<CertificateDer<'static>> {
    if !env_file && let Some(bundle) = openssl_probe::probe().cert_file {
        let certificates = from_paths(Some(&bundle), &[]);
        if !certificates.is_empty() {
            return certificates;
        }
    }
    let dirs: Vec<PathBuf> = openssl_probe::candidate_cert_dirs()
        .map(Path::to_path_buf)
        .collect();
    from_paths(None, &dirs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustls::pki_types::pem::PemObject;

    /// A fresh CA certificate, as PEM and DER.
    fn a_ca() -> (String, CertificateDer<'static>) {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let pem = params.self_signed(&key).unwrap().pem();
        let der = CertificateDer::from_pem_slice(pem.as_bytes()).unwrap();
        (pem, der)
    }

    fn source_and_len(
        environment: Option<Vec<CertificateDer<'static>>>,
        system: Vec<CertificateDer<'static>>,
    ) -> (Source, usize) {
        let (store, source) = choose(environment, || system, webpki_roots::TLS_SERVER_ROOTS);
        (source, store.len())
    }

    #[test]
    fn the_environment_wins_then_the_system_then_webpki() {
        let ca = || a_ca().1;
        assert_eq!(
            source_and_len(Some(vec![ca()]), vec![ca(), ca()]),
            (Source::Environment, 1)
        );
        assert_eq!(source_and_len(None, vec![ca(), ca()]), (Source::System, 2));
        assert_eq!(
            source_and_len(None, Vec::new()),
            (Source::Webpki, webpki_roots::TLS_SERVER_ROOTS.len())
        );
    }

    #[test]
    fn a_source_with_nothing_usable_is_passed_over() {
        let junk = CertificateDer::from(b"not DER".to_vec());
        // A variable naming nothing readable: the system's store.
        assert_eq!(
            source_and_len(Some(Vec::new()), vec![a_ca().1]).0,
            Source::System
        );
        assert_eq!(
            source_and_len(Some(vec![junk.clone()]), vec![junk]).0,
            Source::Webpki
        );
    }

    #[test]
    fn files_and_directories_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let (pem, der) = a_ca();
        let file = dir.path().join("ca.pem");
        std::fs::write(&file, &pem).unwrap();
        std::fs::write(dir.path().join("notes.txt"), "no certificate here").unwrap();
        assert_eq!(from_paths(Some(&file), &[]), vec![der.clone()]);
        assert_eq!(from_paths(None, &[dir.path().to_path_buf()]), vec![der]);
        assert!(from_paths(Some(&dir.path().join("missing.pem")), &[]).is_empty());
    }

    #[cfg(all(unix, not(target_os = "macos")))]
    #[test]
    fn the_system_store_is_read_where_the_distribution_keeps_one() {
        // Debian's ca-certificates (on CI's machines); elsewhere, nothing to check.
        let bundle = Path::new("/etc/ssl/certs/ca-certificates.crt");
        if bundle.exists() {
            let from_bundle = distribution_store(false);
            assert!(from_bundle.len() > 50, "{} certificates", from_bundle.len());
            // The bundle, not the directory (which also holds, say, ssl-cert's snakeoil).
            assert_eq!(from_bundle, from_paths(Some(bundle), &[]));
            assert_eq!(source_and_len(None, from_bundle.clone()).0, Source::System);
            // With SSL_CERT_FILE set, the directory: every certificate of the bundle too.
            let from_directory = distribution_store(true);
            assert!(from_bundle.iter().all(|c| from_directory.contains(c)));
        }
    }

    #[test]
    fn the_system_store_is_not_read_when_the_environment_names_roots() {
        let (_, source) = choose(
            Some(vec![a_ca().1]),
            || panic!("read the system store"),
            webpki_roots::TLS_SERVER_ROOTS,
        );
        assert_eq!(source, Source::Environment);
    }
}
