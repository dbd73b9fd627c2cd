use std::collections::HashMap;

use base64::Engine;
use httplib_testserver::TestServer;
use md5::Md5;
use sha2::{Digest, Sha256};

use crate::client::{Reply, Sender, connect, request};

#[tokio::test]
async fn basic_auth_checks_credentials() {
    let server = TestServer::start();
    let client = connect(server.http_addr(), false).await;
    let url = server.http_url("/basic-auth/al%20ice/p%3Ass");
    let reply = client.get(&url).await;
    assert_eq!(reply.status, 401);
    assert_eq!(
        reply.header("www-authenticate"),
        Some("Basic realm=\"test\"")
    );

    for (credentials, status) in [("al ice:p:ss", 200), ("al ice:wrong", 401)] {
        let mut req = request("GET", &url, "");
        let encoded = base64::engine::general_purpose::STANDARD.encode(credentials);
        req.headers_mut()
            .insert("authorization", format!("Basic {encoded}").parse().unwrap());
        let reply = client.send(req).await;
        assert_eq!(reply.status, status, "{credentials}");
        if status == 200 {
            assert_eq!(
                reply.json(),
                serde_json::json!({ "authenticated": true, "user": "al ice" })
            );
        }
    }
}

#[tokio::test]
async fn bearer_needs_a_token() {
    let server = TestServer::start();
    let client = connect(server.http_addr(), false).await;
    let reply = client.get(&server.http_url("/bearer")).await;
    assert_eq!(reply.status, 401);
    assert_eq!(reply.header("www-authenticate"), Some("Bearer"));
    let mut req = request("GET", &server.http_url("/bearer"), "");
    req.headers_mut()
        .insert("authorization", "Bearer abc.def".parse().unwrap());
    let reply = client.send(req).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["token"], "abc.def");
}

/// The client side of RFC 7616, written independently of the server's code.
fn hash(algorithm: &str, data: &str) -> String {
    let bytes: Vec<u8> = if algorithm.starts_with("SHA-256") {
        Sha256::digest(data.as_bytes()).to_vec()
    } else {
        Md5::digest(data.as_bytes()).to_vec()
    };
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn parse_challenge(header: &str) -> HashMap<String, String> {
    let params = header.strip_prefix("Digest ").expect("Digest challenge");
    params
        .split(", ")
        .map(|pair| {
            let (k, v) = pair.split_once('=').expect("k=v");
            (k.to_owned(), v.trim_matches('"').to_owned())
        })
        .collect()
}

struct Attempt<'a> {
    user: &'a str,
    passwd: &'a str,
    uri: &'a str,
    tamper_nonce: bool,
    drop_opaque: bool,
}

fn authorization(challenge: &HashMap<String, String>, method: &str, a: &Attempt) -> String {
    let algorithm = &challenge["algorithm"];
    let realm = &challenge["realm"];
    let mut nonce = challenge["nonce"].clone();
    if a.tamper_nonce {
        nonce.replace_range(0..1, if nonce.starts_with('0') { "1" } else { "0" });
    }
    let (cnonce, nc) = ("0a4f113b", "00000001");
    let mut ha1 = hash(algorithm, &format!("{}:{realm}:{}", a.user, a.passwd));
    if algorithm.ends_with("-sess") {
        ha1 = hash(algorithm, &format!("{ha1}:{nonce}:{cnonce}"));
    }
    let ha2 = hash(algorithm, &format!("{method}:{}", a.uri));
    let response = hash(
        algorithm,
        &format!("{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}"),
    );
    let mut header = format!(
        "Digest username=\"{}\", realm=\"{realm}\", nonce=\"{nonce}\", uri=\"{}\", \
         algorithm={algorithm}, qop=auth, nc={nc}, cnonce=\"{cnonce}\", response=\"{response}\"",
        a.user, a.uri
    );
    if !a.drop_opaque {
        header.push_str(&format!(", opaque=\"{}\"", challenge["opaque"]));
    }
    header
}

/// Gets a challenge from `path`, answers it as `attempt` says, returns the second reply.
async fn digest_round(
    client: &Sender,
    server: &TestServer,
    path: &str,
    attempt: Attempt<'_>,
) -> Reply {
    let first = client.get(&server.http_url(path)).await;
    assert_eq!(first.status, 401);
    let challenge = parse_challenge(first.header("www-authenticate").expect("challenge"));
    assert_eq!(challenge["realm"], "test@httplib");
    assert_eq!(challenge["qop"], "auth");
    let mut req = request("GET", &server.http_url(path), "");
    req.headers_mut().insert(
        "authorization",
        authorization(&challenge, "GET", &attempt).parse().unwrap(),
    );
    client.send(req).await
}

fn honest<'a>(uri: &'a str) -> Attempt<'a> {
    Attempt {
        user: "user",
        passwd: "pa ss",
        uri,
        tamper_nonce: false,
        drop_opaque: false,
    }
}

#[tokio::test]
async fn digest_auth_accepts_correct_responses_for_every_algorithm() {
    let server = TestServer::start();
    let client = connect(server.http_addr(), false).await;
    for (suffix, algorithm) in [
        ("", "MD5"),
        ("/MD5", "MD5"),
        ("/MD5-sess", "MD5-sess"),
        ("/SHA-256", "SHA-256"),
        ("/SHA-256-sess", "SHA-256-sess"),
    ] {
        let path = format!("/digest-auth/auth/user/pa%20ss{suffix}?q=1");
        let first = client.get(&server.http_url(&path)).await;
        let challenge = parse_challenge(first.header("www-authenticate").unwrap());
        assert_eq!(challenge["algorithm"], algorithm);
        let reply = digest_round(&client, &server, &path, honest(&path)).await;
        assert_eq!(reply.status, 200, "{algorithm}: {}", reply.text());
        assert_eq!(
            reply.json(),
            serde_json::json!({ "authenticated": true, "user": "user" })
        );
    }
}

#[tokio::test]
async fn digest_auth_rejects_wrong_responses() {
    let server = TestServer::start();
    let client = connect(server.http_addr(), false).await;
    for path in [
        "/digest-auth/auth/user/pa%20ss",
        "/digest-auth/auth/user/pa%20ss/SHA-256",
    ] {
        let failures = [
            Attempt {
                passwd: "wrong",
                ..honest(path)
            },
            Attempt {
                user: "other",
                ..honest(path)
            },
            Attempt {
                uri: "/digest-auth/auth/user/other",
                ..honest(path)
            },
            Attempt {
                tamper_nonce: true,
                ..honest(path)
            },
            Attempt {
                drop_opaque: true,
                ..honest(path)
            },
        ];
        for (i, attempt) in failures.into_iter().enumerate() {
            let reply = digest_round(&client, &server, path, attempt).await;
            assert_eq!(reply.status, 401, "{path} failure #{i}");
            let fresh = reply.header("www-authenticate").expect("fresh challenge");
            assert!(fresh.starts_with("Digest realm=\"test@httplib\", qop=\"auth\""));
        }
    }
    let reply = client
        .get(&server.http_url("/digest-auth/auth/user/pw/SHA-512"))
        .await;
    assert_eq!(reply.status, 400);
    let reply = client
        .get(&server.http_url("/digest-auth/auth-int/user/pw"))
        .await;
    assert_eq!(reply.status, 400);
}
