//! What a native build does with and without the cargo features that carry protocols:
//! `rustls` (TLS), `http2` and `socks`. Each test is compiled for every build and checks
//! what that build promises: with the feature the protocol works, without it asking for it
//! is a typed error that names the feature, never a panic or a silent downgrade. ci.sh runs
//! this file with the default features and with `--no-default-features`.
#![cfg(native)]

mod common;

use common::{builder, server};
use httplib::{ErrorKind, Proxy};

#[tokio::test]
async fn https_needs_the_rustls_feature() {
    let result = builder()
        .build()
        .unwrap()
        .get(server().https_url("/echo"))
        .await;
    if cfg!(feature = "rustls") {
        assert!(result.unwrap().is_success());
    } else {
        let err = result.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnsupportedProtocol, "{err}");
        assert!(err.to_string().contains("`rustls`"), "{err}");
    }
    // Cleartext HTTP works in every build.
    let r = builder()
        .build()
        .unwrap()
        .get(server().http_url("/echo"))
        .await
        .unwrap();
    assert!(r.is_success());
    assert_eq!(r.http_version(), "HTTP/1.1");
}

#[test]
fn https_proxies_need_the_rustls_feature() {
    let proxy = Proxy::all("https://127.0.0.1:3129");
    if cfg!(feature = "rustls") {
        assert!(proxy.is_ok());
    } else {
        let err = proxy.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Builder, "{err}");
        assert!(err.to_string().contains("`rustls`"), "{err}");
    }
}

#[tokio::test]
async fn http2_needs_the_http2_feature() {
    let by_alpn = builder().http2(true).build();
    let prior_knowledge = builder().http2_prior_knowledge().build();
    if cfg!(feature = "http2") {
        let client = prior_knowledge.unwrap();
        let r = client.get(server().http_url("/echo")).await.unwrap();
        assert_eq!(r.http_version(), "HTTP/2");
        assert!(by_alpn.is_ok());
    } else {
        for built in [by_alpn, prior_knowledge] {
            let err = built.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Builder, "{err}");
            assert!(err.to_string().contains("`http2`"), "{err}");
        }
    }
}

#[test]
fn socks_proxies_need_the_socks_feature() {
    for url in ["socks5://127.0.0.1:1080", "socks5h://127.0.0.1:1080"] {
        let proxy = Proxy::all(url);
        if cfg!(feature = "socks") {
            assert!(proxy.is_ok(), "{url}");
        } else {
            let err = proxy.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Builder, "{url}: {err}");
            assert!(err.to_string().contains("`socks`"), "{url}: {err}");
        }
    }
}
