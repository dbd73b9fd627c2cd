//! The proxy environment variables, read by default as curl reads them: `http_proxy` and
//! the others (lowercase first), `NO_PROXY`, `HTTP_PROXY` ignored in a CGI process
//! (`REQUEST_METHOD` set: httpoxy, CVE-2016-5385), none of it with `trust_env(false)` or
//! `no_proxy()`. Each case runs in a child process of this binary with its own variables;
//! the parent reads the proxy's log (tinyproxy, by `testserver::ExternalProxy`).
#![cfg(native)]

#[path = "shared/child.rs"]
mod child;

use httplib::Client;
use httplib_testserver::{ExternalProxy, TestServer};

/// Set in the child: the test server's http base URL.
const CHILD_BASE: &str = "HTTPLIB_TEST_PROXY_BASE";

const PROXY_VARIABLES: [&str; 9] = [
    "http_proxy",
    "HTTP_PROXY",
    "https_proxy",
    "HTTPS_PROXY",
    "all_proxy",
    "ALL_PROXY",
    "no_proxy",
    "NO_PROXY",
    "REQUEST_METHOD",
];

/// The child's side: the base URL to request, when this process is a child.
fn child() -> Option<String> {
    std::env::var(CHILD_BASE).ok()
}

/// Runs `name` in a child with `env` as its only proxy variables; returns the proxy's log.
fn run(name: &str, server: &TestServer, proxy: &ExternalProxy, env: &[(&str, String)]) -> String {
    let mut env: Vec<(&str, std::ffi::OsString)> =
        env.iter().map(|(k, v)| (*k, v.into())).collect();
    env.push((CHILD_BASE, server.http_url("").into()));
    child::run_in_child(name, &PROXY_VARIABLES, &env);
    // The proxy writes its log as it goes: a moment for the last line.
    std::thread::sleep(std::time::Duration::from_millis(200));
    proxy.log()
}

fn get(base: &str, client: &Client, case: &str) {
    let r = client
        .get(format!("{base}/echo?case={case}"))
        .send_blocking()
        .unwrap();
    assert!(r.is_success(), "{case}");
}

#[test]
fn http_proxy_is_read_by_default_and_turned_off_on_request() {
    if let Some(base) = child() {
        get(&base, &Client::new(), "env");
        get(
            &base,
            &Client::builder().no_proxy().build().unwrap(),
            "noproxy",
        );
        get(
            &base,
            &Client::builder().trust_env(false).build().unwrap(),
            "notrust",
        );
        return;
    }
    let (server, proxy) = (TestServer::start(), ExternalProxy::tinyproxy(None).unwrap());
    let log = run(
        "http_proxy_is_read_by_default_and_turned_off_on_request",
        &server,
        &proxy,
        &[("http_proxy", proxy.url())],
    );
    assert!(log.contains("case=env"), "{log}");
    assert!(
        !log.contains("case=noproxy") && !log.contains("case=notrust"),
        "{log}"
    );
}

#[test]
fn no_proxy_and_cgi_processes_go_direct() {
    if let Some(base) = child() {
        get(&base, &Client::new(), "direct");
        return;
    }
    let (server, proxy) = (TestServer::start(), ExternalProxy::tinyproxy(None).unwrap());
    for env in [
        vec![
            ("HTTP_PROXY", proxy.url()),
            ("NO_PROXY", "127.0.0.1".into()),
        ],
        // httpoxy: a CGI request's `Proxy:` header would arrive as HTTP_PROXY.
        vec![
            ("HTTP_PROXY", proxy.url()),
            ("REQUEST_METHOD", "GET".into()),
        ],
    ] {
        let log = run(
            "no_proxy_and_cgi_processes_go_direct",
            &server,
            &proxy,
            &env,
        );
        assert!(!log.contains("case=direct"), "{env:?}: {log}");
    }
}

#[test]
fn the_lowercase_variable_wins_as_in_curl() {
    if let Some(base) = child() {
        get(&base, &Client::new(), "lowercase");
        return;
    }
    let (server, proxy) = (TestServer::start(), ExternalProxy::tinyproxy(None).unwrap());
    let log = run(
        "the_lowercase_variable_wins_as_in_curl",
        &server,
        &proxy,
        &[
            ("HTTP_PROXY", "http://127.0.0.1:9".into()),
            ("http_proxy", proxy.url()),
        ],
    );
    assert!(log.contains("case=lowercase"), "{log}");
}

#[test]
#[cfg(feature = "rustls")]
fn an_https_proxy_from_the_environment_is_trusted_through_ssl_cert_file() {
    if let Some(base) = child() {
        get(&base, &Client::new(), "tls-to-proxy");
        return;
    }
    let server = TestServer::start();
    let proxy = ExternalProxy::squid_https(None).expect("squid runs (ci.sh installs it)");
    // The proxy's CA, trusted as the OS store would trust it: through SSL_CERT_FILE.
    let ca = std::env::temp_dir().join(format!("httplib-proxy-ca-{}.pem", std::process::id()));
    std::fs::write(&ca, proxy.ca_pem().expect("an HTTPS proxy")).unwrap();
    let log = run(
        "an_https_proxy_from_the_environment_is_trusted_through_ssl_cert_file",
        &server,
        &proxy,
        &[
            ("ALL_PROXY", proxy.url()),
            ("SSL_CERT_FILE", ca.display().to_string()),
        ],
    );
    let _ = std::fs::remove_file(&ca);
    assert!(log.contains("case=tls-to-proxy"), "{log}");
}
