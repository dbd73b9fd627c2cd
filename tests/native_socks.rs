//! SOCKS5 proxies (feature `socks`) against a real one on loopback: Debian's microsocks,
//! started by `testserver::ExternalProxy` (ci.sh installs it); its log names every
//! connection it makes, which proves the requests went through it.
#![cfg(all(native, feature = "socks"))]

mod common;

use common::{builder, proxied, server};
use httplib::{ErrorKind, Proxy};
use httplib_testserver::ExternalProxy;

fn microsocks(credentials: Option<(&str, &str)>) -> ExternalProxy {
    ExternalProxy::microsocks(credentials).expect("microsocks runs (ci.sh installs it)")
}

#[tokio::test]
async fn socks5_and_socks5h_carry_http_and_https() {
    let proxy = microsocks(None);
    for scheme in ["socks5h", "socks5"] {
        let url = proxy.url().replace("socks5", scheme);
        let client = builder()
            .proxy(Proxy::all(&url).unwrap())
            .http2(true)
            .build()
            .unwrap();
        assert!(
            client
                .get(server().http_url("/echo"))
                .await
                .unwrap()
                .is_success()
        );
        let r = client.get(server().https_url("/echo")).await.unwrap();
        assert!(r.is_success());
        assert_eq!(r.http_version(), "HTTP/2", "TLS and ALPN with the origin");
    }
    let port = url::Url::parse(&server().https_url("/"))
        .unwrap()
        .port()
        .unwrap();
    assert!(
        proxy.logged(&format!("connected to 127.0.0.1:{port}")),
        "{}",
        proxy.log()
    );
}

#[tokio::test]
async fn socks5_username_and_password() {
    let proxy = microsocks(Some(("bob", "pw")));
    let with = proxied(&proxy.url_with_credentials());
    assert!(
        with.get(server().http_url("/echo"))
            .await
            .unwrap()
            .is_success()
    );

    let without = proxied(&proxy.url());
    let err = without.get(server().http_url("/echo")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Proxy, "{err}");
    assert!(err.to_string().contains("SOCKS5"), "{err}");
    let wrong = proxied(&proxy.url().replace("socks5://", "socks5://bob:nope@"));
    let err = wrong.get(server().http_url("/echo")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Proxy, "{err}");
    assert!(!err.to_string().contains("nope"), "{err}");
}
