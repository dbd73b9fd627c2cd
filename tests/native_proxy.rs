//! Proxies against real ones on loopback: Debian's tinyproxy (HTTP forward and `CONNECT`,
//! with and without Basic auth) and squid as an HTTPS proxy (TLS to the proxy itself),
//! started by `testserver::ExternalProxy` (ci.sh installs them); each test proves from the
//! proxy's own log that the request went through it.
#![cfg(native)]

mod common;

use common::{builder, json, proxied, server};
use httplib::{Certificate, Client, ErrorKind, Proxy};
use httplib_testserver::ExternalProxy;

/// Fails, showing the log, unless `proxy` logs `needle` within 5 s.
fn assert_logged(proxy: &ExternalProxy, needle: &str) {
    assert!(
        proxy.logged(needle),
        "{needle:?} not logged:\n{}",
        proxy.log()
    );
}

/// Through a proxy whose credentials `client` has: `http_url` is reached and its origin
/// sees no `Proxy-Authorization`, and an `https://` URL is reached too.
async fn through_with_credentials(client: &Client, http_url: &str) {
    let r = client.get(http_url).await.unwrap();
    assert!(r.is_success());
    assert!(
        json(&r)["headers"].get("proxy-authorization").is_none(),
        "the origin never sees them"
    );
    let r = client.get(server().https_url("/echo")).await.unwrap();
    assert!(r.is_success());
}

/// `host:port` of `url`, as a `CONNECT` line names it.
fn authority(url: &str) -> String {
    let url = url::Url::parse(url).unwrap();
    format!("{}:{}", url.host_str().unwrap(), url.port().unwrap())
}

fn tinyproxy(credentials: Option<(&str, &str)>) -> ExternalProxy {
    ExternalProxy::tinyproxy(credentials).expect("tinyproxy runs (ci.sh installs it)")
}

#[tokio::test]
async fn http_requests_go_to_the_proxy_in_absolute_form() {
    let proxy = tinyproxy(None);
    let client = builder()
        .proxy(Proxy::http(&proxy.url()).unwrap())
        .build()
        .unwrap();
    let url = server().http_url("/echo?via=proxy");
    let r = client.get(&url).await.unwrap();
    assert!(r.is_success());
    assert_eq!(json(&r)["args"]["via"], "proxy");
    assert_logged(&proxy, &format!("): GET {url} HTTP/1.1"));
    // A Proxy::http is not for https:// requests: those go direct.
    let r = client.get(server().https_url("/echo")).await.unwrap();
    assert!(r.is_success());
    // (tinyproxy logs each request line after "): ", and "CONNECT" is also its log level.)
    assert!(!proxy.log().contains("): CONNECT"), "{}", proxy.log());
}

#[tokio::test]
async fn https_requests_go_through_a_connect_tunnel() {
    let proxy = tinyproxy(None);
    let client = builder()
        .proxy(Proxy::all(&proxy.url()).unwrap())
        .http2(true)
        .build()
        .unwrap();
    let url = server().https_url("/echo");
    let r = client.get(&url).await.unwrap();
    assert!(r.is_success());
    // The TLS, and ALPN, are with the origin inside the tunnel.
    assert_eq!(r.http_version(), "HTTP/2");
    // (tinyproxy logs each request line after "): ".)
    assert_logged(&proxy, &format!("): CONNECT {} ", authority(&url)));
}

#[tokio::test]
async fn proxy_credentials_go_to_the_proxy_only() {
    let proxy = tinyproxy(Some(("alice", "s3cret")));
    let with = proxied(&proxy.url_with_credentials());
    through_with_credentials(&with, &server().http_url("/echo")).await;

    // Without them: the proxy's 407, as a Proxy error, for both kinds of request.
    let without = proxied(&proxy.url());
    let err = without.get(server().http_url("/echo")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Proxy, "{err}");
    assert!(err.to_string().contains("407"), "{err}");
    let err = without.get(server().https_url("/echo")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Proxy, "{err}");
    assert!(err.to_string().contains("407"), "{err}");
    // The password shows nowhere.
    let proxy_debug = format!("{:?}", Proxy::all(&proxy.url_with_credentials()).unwrap());
    assert!(!proxy_debug.contains("s3cret"), "{proxy_debug}");
    assert!(!err.to_string().contains("s3cret"));
}

#[tokio::test]
async fn no_proxy_lists_and_a_dead_proxy() {
    let proxy = tinyproxy(None);
    let client = builder()
        .proxy(Proxy::all(&proxy.url()).unwrap().no_proxy("127.0.0.1"))
        .build()
        .unwrap();
    assert!(
        client
            .get(server().http_url("/echo"))
            .await
            .unwrap()
            .is_success()
    );
    assert!(!proxy.log().contains("): GET"), "{}", proxy.log());

    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = dead.local_addr().unwrap().port();
    drop(dead);
    let client = proxied(&format!("http://127.0.0.1:{port}"));
    let err = client.get(server().http_url("/echo")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Proxy, "{err}");
    assert!(err.to_string().contains("cannot reach the proxy"), "{err}");
}

#[test]
fn unsupported_proxy_schemes_are_refused_when_built() {
    for url in ["socks5://127.0.0.1:1080", "ftp://127.0.0.1:21", "nonsense"] {
        let err = Proxy::all(url).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Builder, "{url}: {err}");
    }
}

// ---- HTTPS proxies (squid's https_port) ----------------------------------------------

fn squid(credentials: Option<(&str, &str)>) -> ExternalProxy {
    ExternalProxy::squid_https(credentials).expect("squid runs (ci.sh installs it)")
}

/// A client trusting the test server's CA and the proxy's, every request through it.
fn through_squid(proxy: &ExternalProxy, url: &str) -> Client {
    let ca = Certificate::from_pem(proxy.ca_pem().expect("an HTTPS proxy").as_bytes()).unwrap();
    builder()
        .add_root_certificate(ca)
        .proxy(Proxy::all(url).unwrap())
        .http2(true)
        .build()
        .unwrap()
}

// Multi-threaded: the connection's task closes the tunnel while the test waits for the log.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_https_proxy_forwards_http_and_tunnels_https_inside_its_tls() {
    let proxy = squid(None);
    let client = through_squid(&proxy, &proxy.url());
    let url = server().http_url("/echo?via=squid");
    let r = client.get(&url).await.unwrap();
    assert!(r.is_success());
    assert_eq!(json(&r)["args"]["via"], "squid");
    // (squid logs a request when it ends: a tunnel when it closes.)
    assert_logged(&proxy, &format!(" GET {url} "));

    let url = server().https_url("/echo");
    let r = client.get(&url).await.unwrap();
    assert!(r.is_success());
    // TLS in TLS: ALPN inside the tunnel is with the origin, which speaks HTTP/2.
    assert_eq!(r.http_version(), "HTTP/2");
    drop(client);
    assert_logged(&proxy, &format!(" CONNECT {} ", authority(&url)));
}

#[tokio::test]
async fn an_https_proxy_gets_the_credentials_inside_its_tls() {
    let proxy = squid(Some(("alice", "s3cret")));
    let with = through_squid(&proxy, &proxy.url_with_credentials());
    let url = server().http_url("/echo?who=alice");
    through_with_credentials(&with, &url).await;
    // squid's access log names the user each request came with.
    assert_logged(&proxy, &format!(" GET {url} alice "));

    let without = through_squid(&proxy, &proxy.url());
    for url in [server().http_url("/echo"), server().https_url("/echo")] {
        let err = without.get(&url).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Proxy, "{url}: {err}");
        assert!(err.to_string().contains("407"), "{url}: {err}");
    }
}

#[tokio::test]
async fn an_https_proxy_with_an_untrusted_certificate_is_a_proxy_error() {
    let proxy = squid(None);
    // The test server's CA only: not the one that signed the proxy's certificate.
    let client = proxied(&proxy.url());
    let err = client.get(server().http_url("/echo")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Proxy, "{err}");
    let text = err.to_string();
    assert!(
        text.contains("TLS failed with the proxy 127.0.0.1"),
        "{text}"
    );
    assert!(text.contains("invalid peer certificate"), "{text}");
    assert!(!proxy.log().contains(" GET "), "{}", proxy.log());
}
