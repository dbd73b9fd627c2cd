//! TLS settings against real servers: a client certificate shown to nginx with
//! `ssl_verify_client on`, the version floor against a server stuck on TLS 1.2, and a
//! rustls configuration of the caller's own. The TLS settings are a client's: its pool
//! shares no connection with another client's.
#![cfg(native)]

mod common;

use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{builder, server};
use httplib::{Certificate, Client, ErrorKind, Identity, TlsVersion, rustls};
use httplib_testserver::{FaultServer, Step, TlsFault};
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};

const OK: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

const EC_SEC1: &str = include_str!("shared/keys/ec_sec1.pem");
const EC_PKCS8: &str = include_str!("shared/keys/ec_pkcs8.pem");
const RSA_PKCS1: &str = include_str!("shared/keys/rsa_pkcs1.pem");
const RSA_PKCS8: &str = include_str!("shared/keys/rsa_pkcs8.pem");

// ---- the version floor -------------------------------------------------------------

/// A server that speaks only TLS 1.2 and answers `200 ok`, and a builder trusting it.
fn tls12_server() -> (FaultServer, httplib::ClientBuilder) {
    let server = FaultServer::tls(
        TlsFault::OnlyTls12,
        vec![Step::ReadRequest, Step::write(OK)],
    );
    let ca = Certificate::from_pem(server.ca_pem().expect("a CA").as_bytes()).unwrap();
    let builder = Client::builder()
        .timeout(Duration::from_secs(3))
        .add_root_certificate(ca);
    (server, builder)
}

#[tokio::test]
async fn a_tls_1_2_server_is_reached_by_default_and_with_a_1_2_floor() {
    let (server, builder) = tls12_server();
    let client = builder.build().unwrap();
    assert_eq!(
        client.get(server.url("/")).await.unwrap().text().unwrap(),
        "ok"
    );
    let (server, builder) = tls12_server();
    let client = builder
        .tls_min_version(TlsVersion::TLS_1_2)
        .build()
        .unwrap();
    assert_eq!(
        client.get(server.url("/")).await.unwrap().text().unwrap(),
        "ok"
    );
}

#[tokio::test]
async fn a_tls_1_3_floor_refuses_a_tls_1_2_server_with_a_connect_error() {
    let (server, builder) = tls12_server();
    let client = builder
        .tls_min_version(TlsVersion::TLS_1_3)
        .build()
        .unwrap();
    let err = client.get(server.url("/")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Connect, "{err}");
    let text = err.to_string();
    assert!(
        text.contains("TLS handshake") && text.contains("ProtocolVersion"),
        "{text}"
    );
    assert_eq!(server.requests_seen(), 0);
}

#[tokio::test]
async fn a_tls_1_3_floor_reaches_a_tls_1_3_server() {
    let client = builder()
        .tls_min_version(TlsVersion::TLS_1_3)
        .build()
        .unwrap();
    let r = client.get(server().https_url("/echo")).await.unwrap();
    assert!(r.is_success());
}

// ---- a configuration of the caller's own --------------------------------------------

/// A rustls configuration trusting only `roots` (DER), with `alpn`.
fn own_config(roots: &[&[u8]], alpn: &[&[u8]]) -> rustls::ClientConfig {
    let mut store = rustls::RootCertStore::empty();
    for der in roots {
        store
            .add(rustls::pki_types::CertificateDer::from(der.to_vec()))
            .unwrap();
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(store)
        .with_no_client_auth();
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    config
}

#[tokio::test]
async fn tls_config_is_used_as_it_is() {
    let url = server().https_url("/echo");
    let ca = server().ca_der();
    // Its roots, though the builder turned the built-in ones off and added none.
    let client = Client::builder()
        .tls_built_in_root_certs(false)
        .tls_config(own_config(&[ca], &[]))
        .build()
        .unwrap();
    assert!(client.get(&url).await.unwrap().is_success());
    // And only its roots: the builder's own are not added to it.
    let client = builder().tls_config(own_config(&[], &[])).build().unwrap();
    let err = client.get(&url).await.unwrap_err();
    assert!(
        err.is_connect() && err.to_string().contains("UnknownIssuer"),
        "{err}"
    );
}

#[tokio::test]
async fn tls_config_keeps_its_own_alpn_and_gets_httplibs_when_it_has_none() {
    let url = server().https_url("/echo");
    let ca = server().ca_der();
    let version = |client: Client| {
        let url = url.clone();
        async move { client.get(&url).await.unwrap().http_version().to_owned() }
    };
    let built = |alpn: &[&[u8]], http2: bool| {
        Client::builder()
            .tls_config(own_config(&[ca], alpn))
            .http2(http2)
            .build()
            .unwrap()
    };
    // None of its own: httplib offers what `http2` says.
    assert_eq!(version(built(&[], true)).await, "HTTP/2");
    assert_eq!(version(built(&[], false)).await, "HTTP/1.1");
    // Its own win, both ways.
    assert_eq!(version(built(&[b"http/1.1"], true)).await, "HTTP/1.1");
    assert_eq!(version(built(&[b"h2"], false)).await, "HTTP/2");
}

// ---- client certificates against nginx ------------------------------------------------

/// A CA, a server certificate for 127.0.0.1 and client certificates, all made here.
struct Pki {
    ca_pem: String,
    issuer: Issuer<'static, KeyPair>,
    server_pem: String,
    server_key: String,
}

impl Pki {
    fn new(name: &str) -> Pki {
        let ca_key = KeyPair::generate().unwrap();
        let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca.distinguished_name.push(DnType::CommonName, name);
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca_pem = ca.self_signed(&ca_key).unwrap().pem();
        let issuer = Issuer::new(ca, ca_key);

        let server_key = KeyPair::generate().unwrap();
        let mut leaf = CertificateParams::new(vec!["127.0.0.1".to_owned()]).unwrap();
        leaf.distinguished_name
            .push(DnType::CommonName, "127.0.0.1");
        leaf.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        leaf.use_authority_key_identifier_extension = true;
        let server_pem = leaf.signed_by(&server_key, &issuer).unwrap().pem();
        Pki {
            ca_pem,
            issuer,
            server_pem,
            server_key: server_key.serialize_pem(),
        }
    }

    /// A client certificate named `cn` for the key in `pkcs8`, followed by `key` (the
    /// same key in whatever form the case reads): an identity's PEM.
    fn client_pem(&self, cn: &str, pkcs8: &str, key: &str) -> String {
        let key_pair = KeyPair::from_pem(pkcs8).unwrap();
        let mut leaf = CertificateParams::new(Vec::<String>::new()).unwrap();
        leaf.distinguished_name.push(DnType::CommonName, cn);
        leaf.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        leaf.use_authority_key_identifier_extension = true;
        let cert = leaf.signed_by(&key_pair, &self.issuer).unwrap();
        format!("{}{key}", cert.pem())
    }

    fn identity(&self, cn: &str, pkcs8: &str, key: &str) -> Identity {
        Identity::from_pem(self.client_pem(cn, pkcs8, key).as_bytes()).unwrap()
    }
}

/// A private nginx on 127.0.0.1 (its own prefix, config and logs in a temporary
/// directory; one process, no daemon), asking every client for a certificate signed by
/// the CA. Stopped, by its pid, when dropped.
struct Nginx {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

/// nginx's path: on `PATH` or in /usr/sbin (Debian's, not on a user's `PATH`).
fn nginx_binary() -> PathBuf {
    let on_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default();
    on_path
        .into_iter()
        .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/usr/local/sbin")])
        .map(|dir| dir.join("nginx"))
        .find(|path| path.is_file())
        .unwrap_or_else(|| {
            panic!(
                "nginx is not installed: these tests need it (ci.sh installs it; by hand: \
                 apt-get install nginx)"
            )
        })
}

impl Nginx {
    fn start(pki: &Pki) -> Nginx {
        let binary = nginx_binary();
        let dir = tempfile::tempdir().unwrap();
        let path = |name: &str| dir.path().join(name);
        std::fs::write(path("ca.pem"), &pki.ca_pem).unwrap();
        std::fs::write(path("server.pem"), &pki.server_pem).unwrap();
        std::fs::write(path("server.key"), &pki.server_key).unwrap();
        // A port free now; nginx binds it a moment later.
        let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let d = dir.path().display();
        let config = format!(
            "master_process off;
daemon off;
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {d}/body;
    proxy_temp_path {d}/proxy;
    fastcgi_temp_path {d}/fastcgi;
    uwsgi_temp_path {d}/uwsgi;
    scgi_temp_path {d}/scgi;
    server {{
        listen 127.0.0.1:{port} ssl;
        ssl_certificate {d}/server.pem;
        ssl_certificate_key {d}/server.key;
        ssl_client_certificate {d}/ca.pem;
        ssl_verify_client on;
        location / {{
            default_type text/plain;
            return 200 \"$ssl_client_verify $ssl_client_s_dn\";
        }}
    }}
}}
"
        );
        std::fs::write(path("nginx.conf"), config).unwrap();
        let child = Command::new(&binary)
            .arg("-p")
            .arg(dir.path())
            .arg("-c")
            .arg(path("nginx.conf"))
            .arg("-e")
            .arg(path("error.log"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        let mut nginx = Nginx { child, port, dir };
        nginx.wait_until_listening();
        nginx
    }

    fn wait_until_listening(&mut self) {
        let started = Instant::now();
        loop {
            if TcpStream::connect((Ipv4Addr::LOCALHOST, self.port)).is_ok() {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("nginx exited ({status}): {}", self.log());
            }
            if started.elapsed() > Duration::from_secs(10) {
                panic!("nginx did not listen within 10 s: {}", self.log());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("error.log")).unwrap_or_default()
    }

    fn url(&self) -> String {
        format!("https://127.0.0.1:{}/", self.port)
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // The one process this test started (no master and workers), by its pid.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A builder trusting only `pki`'s CA.
fn trusting(pki: &Pki) -> httplib::ClientBuilder {
    Client::builder()
        .tls_built_in_root_certs(false)
        .add_root_certificate(Certificate::from_pem(pki.ca_pem.as_bytes()).unwrap())
}

/// Status and body of a GET to nginx.
async fn get(client: &Client, nginx: &Nginx) -> (u16, String) {
    let r = client.get(nginx.url()).await.unwrap();
    (r.status_code(), r.text().unwrap())
}

fn assert_no_certificate(answer: (u16, String)) {
    assert_eq!(answer.0, 400, "{}", answer.1);
    assert!(
        answer.1.contains("No required SSL certificate was sent"),
        "{}",
        answer.1
    );
}

#[tokio::test]
async fn nginx_asking_for_a_client_certificate_gets_the_identity() {
    let pki = Pki::new("httplib mTLS CA");
    let nginx = Nginx::start(&pki);
    // nginx completes the handshake without one, and answers 400.
    assert_no_certificate(get(&trusting(&pki).build().unwrap(), &nginx).await);

    for (pkcs8, key, form) in [
        (EC_PKCS8, EC_PKCS8, "ec-pkcs8"),
        (EC_PKCS8, EC_SEC1, "ec-sec1"),
        (RSA_PKCS8, RSA_PKCS8, "rsa-pkcs8"),
        (RSA_PKCS8, RSA_PKCS1, "rsa-pkcs1"),
    ] {
        let identity = pki.identity(form, pkcs8, key);
        let client = trusting(&pki).identity(identity).build().unwrap();
        let (status, body) = get(&client, &nginx).await;
        assert_eq!(
            (status, body.as_str()),
            (200, format!("SUCCESS CN={form}").as_str())
        );
    }
}

#[tokio::test]
async fn nginx_refuses_a_client_certificate_of_another_ca() {
    let pki = Pki::new("httplib mTLS CA");
    let stranger = Pki::new("another CA");
    let nginx = Nginx::start(&pki);
    let identity = stranger.identity("stranger", EC_PKCS8, EC_SEC1);
    let client = trusting(&pki).identity(identity).build().unwrap();
    let (status, body) = get(&client, &nginx).await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("SSL certificate error"), "{body}");
}

#[tokio::test]
async fn clients_with_different_tls_settings_share_no_connection() {
    // Pools are per client, and so are TLS settings: interleaved requests to one origin
    // from a client with an identity and one without each keep their own answer.
    let pki = Pki::new("httplib mTLS CA");
    let nginx = Nginx::start(&pki);
    let with = trusting(&pki)
        .identity(pki.identity("with", EC_PKCS8, EC_SEC1))
        .build()
        .unwrap();
    let without = trusting(&pki).build().unwrap();
    for _ in 0..3 {
        assert_eq!(
            get(&with, &nginx).await,
            (200, "SUCCESS CN=with".to_owned())
        );
        assert_no_certificate(get(&without, &nginx).await);
    }
}

#[tokio::test]
async fn an_identity_is_not_shown_to_a_server_that_does_not_ask() {
    let pki = Pki::new("httplib mTLS CA");
    let client = builder()
        .identity(pki.identity("unasked", RSA_PKCS8, RSA_PKCS1))
        .build()
        .unwrap();
    assert!(
        client
            .get(server().https_url("/echo"))
            .await
            .unwrap()
            .is_success()
    );
}

#[test]
fn the_key_vectors_are_where_the_tests_expect_them() {
    // The PEM forms the cases above rely on (tests/shared/keys/README.md).
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/shared/keys");
    for (file, begins) in [
        ("ec_sec1.pem", "-----BEGIN EC PRIVATE KEY-----"),
        ("ec_pkcs8.pem", "-----BEGIN PRIVATE KEY-----"),
        ("rsa_pkcs1.pem", "-----BEGIN RSA PRIVATE KEY-----"),
        ("rsa_pkcs8.pem", "-----BEGIN PRIVATE KEY-----"),
    ] {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        assert!(text.starts_with(begins), "{file}");
    }
}
