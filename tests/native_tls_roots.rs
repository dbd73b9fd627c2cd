//! Which roots a client trusts, as the environment says: `SSL_CERT_FILE` and
//! `SSL_CERT_DIR` with `trust_env` on (the default), the operating system's store with it
//! off. The variables are process-wide and read once per process, so each case runs in a
//! child process of this test binary, given its own environment: nothing here sets a
//! variable in this process, and no other test file can race these.
#![cfg(native)]

#[path = "shared/child.rs"]
mod child;

use std::ffi::OsString;

use httplib::{Certificate, Client, ErrorKind};
use httplib_testserver::TestServer;

/// Set in the child: the test server's https URL to request.
const CHILD_URL: &str = "HTTPLIB_TEST_ROOTS_URL";
/// Set in the child: the test server's CA, as PEM.
const CHILD_CA: &str = "HTTPLIB_TEST_ROOTS_CA";

/// The child's side: the URL to request and the CA, when this process is a child.
fn child() -> Option<(String, String)> {
    Some((
        std::env::var(CHILD_URL).ok()?,
        std::env::var(CHILD_CA).ok()?,
    ))
}

/// Runs the test `name` of this binary in a child process, with the test server's URL
/// and CA and `env` as its only TLS variables; the child's failure is this test's.
fn run_in_child(name: &str, server: &TestServer, env: &[(&str, OsString)]) {
    let mut env = env.to_vec();
    env.push((CHILD_URL, server.https_url("/echo").into()));
    env.push((CHILD_CA, server.ca_pem().into()));
    child::run_in_child(name, &["SSL_CERT_FILE", "SSL_CERT_DIR"], &env);
}

/// A test-server CA file in a fresh directory (kept while the guard lives).
fn ca_file(server: &TestServer) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("test-ca.pem");
    std::fs::write(&path, server.ca_pem()).unwrap();
    (dir, path)
}

/// Asserts the default client trusts the test server.
fn assert_trusted_by_default(url: &str) {
    assert!(Client::new().get(url).send_blocking().unwrap().is_success());
}

/// Asserts a client given the test server's CA as an added root trusts it.
fn assert_trusted_once_added(ca: &str, url: &str) {
    let ca = Certificate::from_pem(ca.as_bytes()).unwrap();
    let added = Client::builder().add_root_certificate(ca).build().unwrap();
    assert!(added.get(url).send_blocking().unwrap().is_success());
}

/// Asserts `client` does not trust the test server: a Connect error from the handshake.
fn assert_untrusted(client: &Client, url: &str) {
    let err = client.get(url).send_blocking().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Connect, "{err}");
    assert!(err.to_string().contains("UnknownIssuer"), "{err}");
}

#[test]
fn ssl_cert_file_names_the_roots_while_trust_env_is_on() {
    if let Some((url, _)) = child() {
        // The default client trusts the file's CA...
        assert_trusted_by_default(&url);
        // ...and with trust_env(false) the operating system's store, which lacks it.
        let no_env = Client::builder().trust_env(false).build().unwrap();
        assert_untrusted(&no_env, &url);
        // The file's roots are built-in roots: turning those off turns it off.
        let none = Client::builder()
            .tls_built_in_root_certs(false)
            .build()
            .unwrap();
        assert_untrusted(&none, &url);
        return;
    }
    let server = TestServer::start();
    let (_dir, file) = ca_file(&server);
    run_in_child(
        "ssl_cert_file_names_the_roots_while_trust_env_is_on",
        &server,
        &[("SSL_CERT_FILE", file.into())],
    );
}

#[test]
fn ssl_cert_dir_lists_directories_as_path_does() {
    if let Some((url, _)) = child() {
        assert_trusted_by_default(&url);
        assert_untrusted(&Client::builder().trust_env(false).build().unwrap(), &url);
        return;
    }
    let server = TestServer::start();
    let (dir, _) = ca_file(&server);
    // A missing directory first: skipped.
    let dirs =
        std::env::join_paths([std::path::Path::new("/nonexistent/certs"), dir.path()]).unwrap();
    run_in_child(
        "ssl_cert_dir_lists_directories_as_path_does",
        &server,
        &[("SSL_CERT_DIR", dirs)],
    );
}

#[test]
fn without_the_variables_the_system_store_is_trusted_and_added_roots_join_it() {
    if let Some((url, ca)) = child() {
        // The system's store does not hold the test server's CA.
        assert_untrusted(&Client::new(), &url);
        assert_untrusted(&Client::builder().trust_env(false).build().unwrap(), &url);
        assert_trusted_once_added(&ca, &url);
        return;
    }
    let server = TestServer::start();
    run_in_child(
        "without_the_variables_the_system_store_is_trusted_and_added_roots_join_it",
        &server,
        &[],
    );
}

#[test]
fn a_variable_naming_no_certificate_leaves_the_system_store() {
    if let Some((url, ca)) = child() {
        // A client still builds (no panic in Client::new), trusting the system's store.
        assert_untrusted(&Client::new(), &url);
        assert_trusted_once_added(&ca, &url);
        return;
    }
    let server = TestServer::start();
    run_in_child(
        "a_variable_naming_no_certificate_leaves_the_system_store",
        &server,
        &[("SSL_CERT_FILE", "/nonexistent/ca.pem".into())],
    );
}
