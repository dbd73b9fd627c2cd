//! `/digest-auth/{qop}/{user}/{passwd}[/{algorithm}]`: an RFC 7616 Digest server.
//!
//! Nonces are stateless: 16 random bytes followed by a keyed SHA-256 of them, so the server
//! can tell its own nonces from forged ones without remembering them. Every failure is a
//! 401 with a fresh challenge.

use std::collections::HashMap;

use http::header::{HeaderValue, WWW_AUTHENTICATE};
use http::{Request, Response, StatusCode};
use md5::Md5;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::auth::credentials;
use super::error::{RouteError, RouteResult};
use super::request::{decode_segment, target};
use crate::body::{self, Body};
use crate::state::{AppState, ConnCtx, fill_random, hex};

/// The realm of every challenge.
const REALM: &str = "test@httplib";

/// Length of the random part of a nonce, and of its tag.
const NONCE_PART: usize = 16;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Algorithm {
    Md5,
    Md5Sess,
    Sha256,
    Sha256Sess,
}

impl Algorithm {
    fn parse(name: &str) -> Option<Algorithm> {
        [
            Algorithm::Md5,
            Algorithm::Md5Sess,
            Algorithm::Sha256,
            Algorithm::Sha256Sess,
        ]
        .into_iter()
        .find(|a| a.name().eq_ignore_ascii_case(name))
    }

    fn name(self) -> &'static str {
        match self {
            Algorithm::Md5 => "MD5",
            Algorithm::Md5Sess => "MD5-sess",
            Algorithm::Sha256 => "SHA-256",
            Algorithm::Sha256Sess => "SHA-256-sess",
        }
    }

    /// Lower-case hex digest of `data`.
    fn hash(self, data: &str) -> String {
        match self {
            Algorithm::Md5 | Algorithm::Md5Sess => hex(&Md5::digest(data.as_bytes())),
            Algorithm::Sha256 | Algorithm::Sha256Sess => hex(&Sha256::digest(data.as_bytes())),
        }
    }

    fn is_session(self) -> bool {
        matches!(self, Algorithm::Md5Sess | Algorithm::Sha256Sess)
    }
}

/// The digest endpoint: 200 JSON when the `Authorization: Digest` response is right.
pub(super) fn digest<B>(
    req: &Request<B>,
    ctx: &ConnCtx,
    qop: &str,
    user: &str,
    passwd: &str,
    algorithm: Option<&str>,
) -> RouteResult {
    if qop != "auth" {
        return Err(RouteError::bad(format!(
            "unsupported qop {qop:?}: only \"auth\""
        )));
    }
    let algorithm = Algorithm::parse(algorithm.unwrap_or("MD5")).ok_or_else(|| {
        RouteError::bad("algorithm must be MD5, MD5-sess, SHA-256 or SHA-256-sess")
    })?;
    let (user, passwd) = (decode_segment(user)?, decode_segment(passwd)?);
    let expected = Expected {
        method: req.method().as_str(),
        target: target(req),
        user: &user,
        passwd: &passwd,
        algorithm,
        app: &ctx.app,
    };
    let authorized = credentials(req, "digest")
        .and_then(parse_params)
        .is_some_and(|params| expected.accepts(&params));
    Ok(if authorized {
        body::json(
            StatusCode::OK,
            &json!({ "authenticated": true, "user": user }),
        )
    } else {
        challenge(&ctx.app, algorithm)
    })
}

/// What a correct `Authorization` header must agree with.
struct Expected<'a> {
    method: &'a str,
    target: &'a str,
    user: &'a str,
    passwd: &'a str,
    algorithm: Algorithm,
    app: &'a AppState,
}

impl Expected<'_> {
    fn accepts(&self, params: &HashMap<String, String>) -> bool {
        let get = |key: &str| params.get(key).map(String::as_str);
        let (
            Some(username),
            Some(realm),
            Some(nonce),
            Some(uri),
            Some(response),
            Some(qop),
            Some(nc),
            Some(cnonce),
            Some(opaque),
        ) = (
            get("username"),
            get("realm"),
            get("nonce"),
            get("uri"),
            get("response"),
            get("qop"),
            get("nc"),
            get("cnonce"),
            get("opaque"),
        )
        else {
            return false;
        };
        // Without the parameter the algorithm is MD5 (RFC 7616 section 3.3).
        let algorithm_matches = get("algorithm").map_or(self.algorithm == Algorithm::Md5, |a| {
            a.eq_ignore_ascii_case(self.algorithm.name())
        });
        let nc_valid = nc.len() == 8 && nc.bytes().all(|b| b.is_ascii_hexdigit());
        if username != self.user
            || realm != REALM
            || uri != self.target
            || !qop.eq_ignore_ascii_case("auth")
            || opaque != self.app.opaque
            || !algorithm_matches
            || !nc_valid
            || cnonce.is_empty()
            || !nonce_is_ours(&self.app.nonce_key, nonce)
        {
            return false;
        }
        let alg = self.algorithm;
        let mut ha1 = alg.hash(&format!("{}:{REALM}:{}", self.user, self.passwd));
        if alg.is_session() {
            ha1 = alg.hash(&format!("{ha1}:{nonce}:{cnonce}"));
        }
        let ha2 = alg.hash(&format!("{}:{}", self.method, self.target));
        let wanted = alg.hash(&format!("{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}"));
        response.eq_ignore_ascii_case(&wanted)
    }
}

/// 401 with a fresh challenge.
fn challenge(app: &AppState, algorithm: Algorithm) -> Response<Body> {
    let header = format!(
        "Digest realm=\"{REALM}\", qop=\"auth\", algorithm={}, nonce=\"{}\", opaque=\"{}\"",
        algorithm.name(),
        new_nonce(&app.nonce_key),
        app.opaque,
    );
    let mut response = body::json(StatusCode::UNAUTHORIZED, &json!({ "authenticated": false }));
    if let Ok(value) = HeaderValue::from_str(&header) {
        response.headers_mut().insert(WWW_AUTHENTICATE, value);
    }
    response
}

fn new_nonce(key: &[u8; 32]) -> String {
    let mut random = [0u8; NONCE_PART];
    fill_random(&mut random);
    format!("{}{}", hex(&random), hex(&nonce_tag(key, &random)))
}

fn nonce_is_ours(key: &[u8; 32], nonce: &str) -> bool {
    if nonce.len() != NONCE_PART * 4 || !nonce.is_ascii() {
        return false;
    }
    let (random_hex, tag_hex) = nonce.split_at(NONCE_PART * 2);
    let mut random = [0u8; NONCE_PART];
    for (i, byte) in random.iter_mut().enumerate() {
        match u8::from_str_radix(&random_hex[i * 2..i * 2 + 2], 16) {
            Ok(b) => *byte = b,
            Err(_) => return false,
        }
    }
    hex(&nonce_tag(key, &random)) == tag_hex
}

fn nonce_tag(key: &[u8; 32], random: &[u8]) -> [u8; NONCE_PART] {
    let digest = Sha256::new()
        .chain_update(key)
        .chain_update(random)
        .finalize();
    let mut tag = [0u8; NONCE_PART];
    tag.copy_from_slice(&digest[..NONCE_PART]);
    tag
}

/// Parses the `k=v, k="v"` list after `Digest` (keys lower-cased, quotes and escapes
/// removed); `None` when malformed.
fn parse_params(text: &str) -> Option<HashMap<String, String>> {
    let mut params = HashMap::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.next_if(|c| *c == ',' || c.is_whitespace()).is_some() {}
        if chars.peek().is_none() {
            return Some(params);
        }
        let mut key = String::new();
        while let Some(c) = chars.next_if(|c| *c != '=' && *c != ',') {
            key.push(c);
        }
        if chars.next() != Some('=') {
            return None;
        }
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let mut value = String::new();
        if chars.next_if_eq(&'"').is_some() {
            loop {
                match chars.next()? {
                    '\\' => value.push(chars.next()?),
                    '"' => break,
                    c => value.push(c),
                }
            }
        } else {
            while let Some(c) = chars.next_if(|c| *c != ',') {
                value.push(c);
            }
            value = value.trim().to_owned();
        }
        params.insert(key.trim().to_ascii_lowercase(), value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_quoted_and_bare_params() {
        let params = parse_params(
            r#"username="a\"b", realm="r, s", nc=00000001, qop=auth ,  algorithm=MD5"#,
        )
        .expect("parses");
        assert_eq!(params["username"], "a\"b");
        assert_eq!(params["realm"], "r, s");
        assert_eq!(params["nc"], "00000001");
        assert_eq!(params["qop"], "auth");
        assert_eq!(params["algorithm"], "MD5");
        assert!(parse_params(r#"username="unterminated"#).is_none());
        assert!(parse_params("novalue, x=1").is_none());
    }

    #[test]
    fn nonces_are_authenticated() {
        let key = [7u8; 32];
        let nonce = new_nonce(&key);
        assert!(nonce_is_ours(&key, &nonce));
        assert!(!nonce_is_ours(&[8u8; 32], &nonce));
        assert!(!nonce_is_ours(&key, &nonce[1..]));
        assert!(!nonce_is_ours(&key, "é"));
    }

    #[test]
    fn rfc7616_md5_example() {
        // RFC 7616 section 3.9.1 (MD5 variant).
        let alg = Algorithm::Md5;
        let ha1 = alg.hash("Mufasa:http-auth@example.org:Circle of Life");
        let ha2 = alg.hash("GET:/dir/index.html");
        let response = alg.hash(&format!(
            "{ha1}:7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v:00000001:f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ:auth:{ha2}"
        ));
        assert_eq!(response, "8ca523f5e9506fed4657c9700eebdbec");
    }
}
