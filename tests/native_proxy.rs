//! Proxies against real ones on loopback: Debian's tinyproxy (HTTP forward and `CONNECT`,
//! with and without Basic auth), started by `testserver::ExternalProxy` (ci.sh installs it);
//! each test proves from the proxy's own log that the request went through it.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{builder, json, proxied, server};
use httplib::{ErrorKind, Proxy};
use httplib_testserver::ExternalProxy;

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
    assert!(
        proxy.logged(&format!("): GET {url} HTTP/1.1")),
        "{}",
        proxy.log()
    );
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
    let authority = url::Url::parse(&url).unwrap();
    let connect = format!(
        "): CONNECT {}:{}",
        authority.host_str().unwrap(),
        authority.port().unwrap()
    );
    assert!(proxy.logged(&connect), "{}", proxy.log());
}

#[tokio::test]
async fn proxy_credentials_go_to_the_proxy_only() {
    let proxy = tinyproxy(Some(("alice", "s3cret")));
    let with = proxied(&proxy.url_with_credentials());
    let r = with.get(server().http_url("/echo")).await.unwrap();
    assert!(r.is_success());
    assert!(
        json(&r)["headers"].get("proxy-authorization").is_none(),
        "the origin never sees them"
    );
    assert!(
        with.get(server().https_url("/echo"))
            .await
            .unwrap()
            .is_success()
    );

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
    for url in [
        "socks5://127.0.0.1:1080",
        "https://127.0.0.1:3128",
        "nonsense",
    ] {
        let err = Proxy::all(url).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Builder, "{url}: {err}");
    }
}
