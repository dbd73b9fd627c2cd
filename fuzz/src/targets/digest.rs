//! Digest challenges: `WWW-Authenticate` values of a 401 answered by `DigestAuth`.
//!
//! The input's lines are the 401's `WWW-Authenticate` header lines; the mock answers 200
//! once a request carries `Authorization`. Invariants: the request succeeds with at most
//! two requests sent; an answer is one well-formed `Digest` header for our user and URI
//! whose `response` is right for the parameters it names (so quoting round-trips); and a
//! challenge that is answered when sent alone is answered next to others too (D14).

use std::collections::HashMap;

use httplib::backend::mock::{MockBackend, MockResponse, RecordedRequest};
use httplib::{DigestAuth, StatusCode};
use md5::Md5;
use sha2::{Digest, Sha256};

use super::{Outcome, Target, Violation, block_on, header_lines, mock_client, with_headers};
use crate::checks::{Checks, Defect};

/// The fuzz target of Digest challenges.
pub struct DigestTarget;

const USER: &str = "Mufasa";
const PASSWORD: &str = "Circle \"of\" Life\\";
const URL: &str = "http://api.test/dir/index.html?q=1";
const URI: &str = "/dir/index.html?q=1";

/// What one 401 with `challenges` led to: the final status and the requests sent.
fn exchange(challenges: &[String]) -> Result<(StatusCode, Vec<RecordedRequest>), Violation> {
    let mock = MockBackend::new();
    let lines = challenges.to_vec();
    mock.handle(move |r| {
        Some(match r.headers.get("authorization") {
            None => with_headers(MockResponse::new(401), "WWW-Authenticate", &lines),
            Some(_) => MockResponse::new(200),
        })
    });
    let client = mock_client(&mock)?;
    let response = block_on(client.get(URL).auth(DigestAuth::new(USER, PASSWORD)))
        .map_err(|e| Violation::new(format!("a Digest exchange failed: {e}\n{challenges:?}")))?;
    Ok((response.status(), mock.requests()))
}

/// The parameters of a `Digest k=v, k="v"` header (RFC 7235 quoted-string unescaping).
fn parse_answer(header: &str) -> Option<HashMap<String, String>> {
    let mut rest = header.strip_prefix("Digest ")?;
    let mut params = HashMap::new();
    loop {
        rest = rest.trim_start_matches([' ', ',']);
        if rest.is_empty() {
            return Some(params);
        }
        let eq = rest.find('=')?;
        let name = rest[..eq].trim().to_owned();
        rest = &rest[eq + 1..];
        let value = if let Some(quoted) = rest.strip_prefix('"') {
            let mut value = String::new();
            let mut chars = quoted.char_indices();
            let mut end = None;
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => value.push(chars.next()?.1),
                    '"' => {
                        end = Some(i + 1);
                        break;
                    }
                    c => value.push(c),
                }
            }
            rest = &quoted[end?..];
            value
        } else {
            let end = rest.find(',').unwrap_or(rest.len());
            let value = rest[..end].trim().to_owned();
            rest = &rest[end..];
            value
        };
        if params.insert(name, value).is_some() {
            return None; // a parameter twice
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Checks `header`, the answer to a challenge, against RFC 7616's computation.
fn check_answer(header: &str) -> Result<(), Violation> {
    let bad = |why: &str| Violation::new(format!("a wrong Digest answer: {why}\n{header}"));
    let p = parse_answer(header).ok_or_else(|| bad("it does not parse"))?;
    let get = |k: &str| {
        p.get(k)
            .map(String::as_str)
            .ok_or_else(|| bad(&format!("no {k}")))
    };
    if get("username")? != USER {
        return Err(bad("the username does not round-trip"));
    }
    if get("uri")? != URI {
        return Err(bad("the uri is not the request's"));
    }
    let algorithm = get("algorithm")?;
    let hash = |data: &str| match algorithm {
        "MD5" | "MD5-sess" => Ok(hex(&Md5::digest(data.as_bytes()))),
        "SHA-256" | "SHA-256-sess" => Ok(hex(&Sha256::digest(data.as_bytes()))),
        _ => Err(bad("an unknown algorithm")),
    };
    let (realm, nonce) = (get("realm")?, get("nonce")?);
    let mut ha1 = hash(&format!("{USER}:{realm}:{PASSWORD}"))?;
    if algorithm.ends_with("-sess") {
        let cnonce = p.get("cnonce").ok_or_else(|| {
            Violation::of(
                Defect::DigestSess,
                format!("a -sess answer without the cnonce its HA1 needs\n{header}"),
            )
        })?;
        ha1 = hash(&format!("{ha1}:{nonce}:{cnonce}"))?;
    }
    let ha2 = hash(&format!("GET:{URI}"))?;
    let expected = match p.get("qop") {
        Some(qop) => {
            if qop != "auth" || get("nc")? != "00000001" {
                return Err(bad("qop or nc"));
            }
            hash(&format!(
                "{ha1}:{nonce}:00000001:{}:{qop}:{ha2}",
                get("cnonce")?
            ))?
        }
        None => hash(&format!("{ha1}:{nonce}:{ha2}"))?,
    };
    if get("response")? != expected {
        return Err(bad("the response hash is not the one its parameters give"));
    }
    Ok(())
}

/// The `Digest` challenges of `line`, each as text of its own, when `line` is a
/// well-formed list of challenges (RFC 9110 section 11.2: `challenge = auth-scheme [ 1*SP
/// #auth-param ]`, `auth-param = token BWS "=" BWS ( token / quoted-string )`). A
/// malformed line gives none: how a parser recovers from garbage is its own choice, and
/// D14 only claims that a well-formed unsupported challenge hides no supported one.
fn digest_starts(line: &str) -> Vec<String> {
    strict_challenges(line).unwrap_or_default()
}

fn is_tchar(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)
}

/// `s` without its leading token, or `None` when it does not start with one.
fn after_token(s: &str) -> Option<(&str, &str)> {
    let end = s.find(|c: char| !is_tchar(c)).unwrap_or(s.len());
    (end > 0).then(|| s.split_at(end))
}

/// `s` without its leading quoted-string, or `None` when it does not start with one.
fn after_quoted(s: &str) -> Option<&str> {
    let mut chars = s.strip_prefix('"')?.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => {
                chars.next()?;
            }
            '"' => return Some(&s[i + 2..]),
            _ => {}
        }
    }
    None
}

fn strict_challenges(line: &str) -> Option<Vec<String>> {
    let ows = |s: &str| s.trim_start_matches([' ', '\t']).len();
    let mut found = Vec::new();
    let mut rest = line.trim_start_matches([' ', '\t', ',']);
    while !rest.is_empty() {
        let start = line.len() - rest.len();
        let (scheme, mut after) = after_token(rest)?;
        // The auth-params, up to a token not followed by `=` (the next challenge).
        loop {
            let list = after.trim_start_matches([' ', '\t', ',']);
            let Some((_, past_name)) = after_token(list) else {
                after = list;
                break;
            };
            let value = past_name.trim_start_matches([' ', '\t']);
            let Some(value) = value.strip_prefix('=') else {
                after = list;
                break;
            };
            let value = &value[value.len() - ows(value)..];
            after = match after_quoted(value) {
                Some(past) => past,
                None => after_token(value)?.1,
            };
            let next = after.trim_start_matches([' ', '\t']);
            if !(next.is_empty() || next.starts_with(',')) {
                return None;
            }
        }
        if scheme.eq_ignore_ascii_case("digest") {
            let end = line.len() - after.len();
            found.push(
                line[start..end]
                    .trim_end_matches([' ', '\t', ','])
                    .to_owned(),
            );
        }
        rest = after;
    }
    Some(found)
}

impl Target for DigestTarget {
    fn name(&self) -> &'static str {
        "digest"
    }

    fn tokens(&self) -> &'static [&'static [u8]] {
        &[
            b"Digest ",
            b"Basic ",
            b"realm=",
            b"nonce=",
            b"opaque=",
            b"qop=",
            b"\"auth\"",
            b"\"auth-int\"",
            b"auth,auth-int",
            b"algorithm=",
            b"MD5",
            b"MD5-sess",
            b"SHA-256",
            b"SHA-256-sess",
            b"SHA-512-256",
            b"stale=true",
            b"userhash=true",
            b",",
            b", ",
            b"\"",
            b"\\",
            b"\\\"",
            b"=",
            b"\n",
            b"charset=UTF-8",
            b"domain=\"/\"",
        ]
    }

    fn max_len(&self) -> usize {
        1024
    }

    fn run(&self, input: &[u8], _checks: &Checks) -> Outcome {
        let text = String::from_utf8_lossy(input);
        let challenges = header_lines(&text, 8);
        let (status, requests) = exchange(&challenges)?;
        match (status.as_u16(), requests.len()) {
            (200, 2) => {
                let answer = requests[1]
                    .headers
                    .get("authorization")
                    .ok_or_else(|| Violation::new("answered without an Authorization header"))?;
                // A realm in UTF-8 is sent as it came: read the header as UTF-8, not ASCII.
                check_answer(&String::from_utf8_lossy(answer.as_bytes()))?;
                Ok("answered".to_owned())
            }
            (401, 1) => {
                // Not answered: no challenge alone may be answerable (D14).
                for line in &challenges {
                    for alone in digest_starts(line) {
                        let (status, _) = exchange(std::slice::from_ref(&alone))?;
                        if status == StatusCode::OK {
                            return Err(Violation::of(
                                Defect::D14,
                                format!(
                                    "a supported Digest challenge was hidden by the others\nalone {alone:?}\nall {challenges:?}"
                                ),
                            ));
                        }
                    }
                }
                Ok(format!("unanswered-{}", challenges.len().min(3)))
            }
            (status, n) => Err(Violation::new(format!(
                "a Digest exchange ended in {status} after {n} requests\n{challenges:?}"
            ))),
        }
    }
}

#[cfg(test)]
mod strict_tests {
    use super::*;

    #[test]
    fn well_formed_lists_give_each_digest_challenge() {
        let line = r#"Basic realm="a, b", Digest realm="r", nonce="n1", algorithm=SHA-512, Digest realm="r", nonce="n2""#;
        assert_eq!(
            digest_starts(line),
            [
                r#"Digest realm="r", nonce="n1", algorithm=SHA-512"#,
                r#"Digest realm="r", nonce="n2""#
            ]
        );
    }

    #[test]
    fn malformed_lists_make_no_claim() {
        for line in [
            r#"Basic real"="xm, Digest realm="y""#,
            r#"nonce="n",Digest realm="r""#,
            r#"Digest realm="unterminated"#,
            r#"Digest realm=a b, Digest realm="r""#,
        ] {
            assert!(digest_starts(line).is_empty(), "{line}");
        }
    }
}
