//! HTTP Digest authentication (RFC 7616, and RFC 2617's MD5): parse the server's
//! challenge, answer it with `qop=auth`, and reuse it for later requests to the same origin.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use http::header::WWW_AUTHENTICATE;
use http::{HeaderMap, HeaderValue, Method};
use md5::Md5;
use sha2::{Digest, Sha256};
use url::{Origin, Url};

/// Digest credentials: httpx's `DigestAuth("u", "p")`.
///
/// The first request goes out without credentials; the server's 401 challenge is answered
/// by sending the request again (its body too, when it can be replayed). The challenge is
/// then remembered, so later requests to the same origin answer it up front with an
/// increasing nonce count. Supports MD5, MD5-sess, SHA-256 and SHA-256-sess with
/// `qop=auth` (or no qop, RFC 2069).
///
/// # Examples
/// ```no_run
/// # async fn run() -> httplib::Result<()> {
/// let r = httplib::get("https://example.com/protected")
///     .auth(httplib::DigestAuth::new("user", "passwd"))
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct DigestAuth {
    username: String,
    password: String,
    last: Arc<Mutex<Option<Known>>>,
}

/// A challenge already answered, kept for the next requests to the same origin.
struct Known {
    origin: Origin,
    challenge: Challenge,
    nonce_count: u32,
}

#[derive(Clone, Debug, PartialEq)]
struct Challenge {
    realm: String,
    nonce: String,
    opaque: Option<String>,
    algorithm: Algorithm,
    /// `Some("auth")` when the server offers qop=auth; `None` for RFC 2069 servers.
    qop: Option<&'static str>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Algorithm {
    Md5,
    Md5Sess,
    Sha256,
    Sha256Sess,
}

impl Algorithm {
    fn parse(name: &str) -> Option<Algorithm> {
        match name.to_ascii_uppercase().as_str() {
            "MD5" => Some(Algorithm::Md5),
            "MD5-SESS" => Some(Algorithm::Md5Sess),
            "SHA-256" => Some(Algorithm::Sha256),
            "SHA-256-SESS" => Some(Algorithm::Sha256Sess),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Algorithm::Md5 => "MD5",
            Algorithm::Md5Sess => "MD5-sess",
            Algorithm::Sha256 => "SHA-256",
            Algorithm::Sha256Sess => "SHA-256-sess",
        }
    }

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

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

impl DigestAuth {
    /// Digest credentials for `username` and `password`.
    ///
    /// # Examples
    /// The first request is challenged; the answer goes out with the same request sent again:
    /// ```
    /// use httplib::DigestAuth;
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # let mock = MockBackend::new();
    /// # mock.handle(|r| Some(match r.headers.get("authorization") {
    /// #     None => MockResponse::new(401).header("WWW-Authenticate",
    /// #         r#"Digest realm="api", nonce="abc", qop="auth", algorithm=SHA-256"#),
    /// #     Some(_) => MockResponse::new(200),
    /// # }));
    /// let client = httplib::Client::builder().backend(mock.clone()).build()?;
    ///
    /// let auth = DigestAuth::new("user", "passwd");
    /// let r = client.get("http://api.test/private").auth(auth).send_blocking()?;
    /// assert!(r.is_success());
    /// let answer = mock.requests()[1].headers["authorization"].to_str().unwrap().to_owned();
    /// assert!(answer.starts_with(r#"Digest username="user", realm="api""#));
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn new(username: impl Into<String>, password: impl Into<String>) -> DigestAuth {
        DigestAuth {
            username: username.into(),
            password: password.into(),
            last: Arc::new(Mutex::new(None)),
        }
    }

    /// The header for a request to an origin whose challenge is known already.
    pub(crate) fn header(&self, method: &Method, url: &Url) -> Option<HeaderValue> {
        let mut last = self.last.lock().unwrap_or_else(PoisonError::into_inner);
        let known = last.as_mut().filter(|k| k.origin == url.origin())?;
        known.nonce_count = known.nonce_count.wrapping_add(1);
        let (challenge, nc) = (known.challenge.clone(), known.nonce_count);
        drop(last);
        // Without a client nonce nothing is sent ahead: the server's challenge then fails
        // the request in `respond`, with the reason.
        let cnonce = crate::random::hex(16).ok()?;
        self.answer(&challenge, nc, &cnonce, method, url)
    }

    /// The header answering the Digest challenge of a 401, if it has one we support.
    ///
    /// # Errors
    /// No client nonce could be made (the platform's random source failed).
    pub(crate) fn respond(
        &self,
        method: &Method,
        url: &Url,
        response_headers: &HeaderMap,
    ) -> crate::Result<Option<HeaderValue>> {
        let Some(challenge) = response_headers
            .get_all(WWW_AUTHENTICATE)
            .iter()
            // obs-text (bytes above 0x7f) in one challenge must not hide the others.
            .find_map(|v| Challenge::parse(&String::from_utf8_lossy(v.as_bytes())))
        else {
            return Ok(None);
        };
        let cnonce = crate::random::hex(16)?;
        *self.last.lock().unwrap_or_else(PoisonError::into_inner) = Some(Known {
            origin: url.origin(),
            challenge: challenge.clone(),
            nonce_count: 1,
        });
        Ok(self.answer(&challenge, 1, &cnonce, method, url))
    }

    fn answer(
        &self,
        c: &Challenge,
        nonce_count: u32,
        cnonce: &str,
        method: &Method,
        url: &Url,
    ) -> Option<HeaderValue> {
        let uri = match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_owned(),
        };
        let nc = format!("{nonce_count:08x}");
        let alg = c.algorithm;
        let mut ha1 = alg.hash(&format!("{}:{}:{}", self.username, c.realm, self.password));
        if alg.is_session() {
            ha1 = alg.hash(&format!("{ha1}:{}:{cnonce}", c.nonce));
        }
        let ha2 = alg.hash(&format!("{method}:{uri}"));
        let response = match c.qop {
            Some(qop) => alg.hash(&format!("{ha1}:{}:{nc}:{cnonce}:{qop}:{ha2}", c.nonce)),
            None => alg.hash(&format!("{ha1}:{}:{ha2}", c.nonce)),
        };
        let mut header = format!(
            "Digest username=\"{}\", realm=\"{}\", nonce=\"{}\", uri=\"{}\", response=\"{response}\", algorithm={}",
            quote(&self.username),
            quote(&c.realm),
            quote(&c.nonce),
            quote(&uri),
            alg.name(),
        );
        if let Some(opaque) = &c.opaque {
            header.push_str(&format!(", opaque=\"{}\"", quote(opaque)));
        }
        if let Some(qop) = c.qop {
            header.push_str(&format!(", qop={qop}, nc={nc}, cnonce=\"{cnonce}\""));
        }
        super::sensitive(header)
    }
}

/// Escapes a quoted-string's content.
fn quote(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

impl Challenge {
    /// The first Digest challenge httplib supports in one `WWW-Authenticate` value, which
    /// may also hold challenges of other schemes.
    fn parse(header: &str) -> Option<Challenge> {
        digest_challenges(header)
            .iter()
            .find_map(|params| Challenge::from_params(params))
    }

    /// The challenge these auth-params describe, if httplib supports it (its algorithm,
    /// and `qop=auth` when a qop is asked).
    fn from_params(params: &[(String, String)]) -> Option<Challenge> {
        let get = |name: &str| {
            params
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
        };
        let algorithm = match get("algorithm") {
            Some(name) => Algorithm::parse(name)?,
            None => Algorithm::Md5,
        };
        let qop = match get("qop") {
            None => None,
            Some(offered) => {
                offered
                    .split(',')
                    .map(str::trim)
                    .find(|q| q.eq_ignore_ascii_case("auth"))?;
                Some("auth")
            }
        };
        // A session algorithm hashes the client nonce into HA1, and without a qop the
        // answer has no `cnonce` to tell the server which (RFC 7616 requires a qop).
        if algorithm.is_session() && qop.is_none() {
            return None;
        }
        Some(Challenge {
            realm: get("realm")?.to_owned(),
            nonce: get("nonce")?.to_owned(),
            opaque: get("opaque").map(str::to_owned),
            algorithm,
            qop,
        })
    }
}

/// The auth-params of every `Digest` challenge in one `WWW-Authenticate` value, in order
/// (RFC 7235's `challenge = auth-scheme [ 1*SP ( token68 / #auth-param ) ]`, several per
/// header, of any schemes): a server may offer SHA-256 and MD5 side by side, and one we
/// cannot answer must not hide one we can.
fn digest_challenges(header: &str) -> Vec<Vec<(String, String)>> {
    let mut challenges = Vec::new();
    let mut rest = header;
    loop {
        rest = rest.trim_start_matches([' ', '\t', ',']);
        if rest.is_empty() {
            return challenges;
        }
        // A scheme is a token: it ends at whitespace, or at a comma when what came is no
        // scheme at all (stray parameters before the first challenge).
        let scheme_end = rest.find([' ', '\t', ',']).unwrap_or(rest.len());
        let (scheme, after) = rest.split_at(scheme_end);
        let (params, next) = auth_params(after);
        if scheme.eq_ignore_ascii_case("digest") {
            challenges.push(params);
        }
        rest = next;
    }
}

/// Parses `name=value` pairs up to the start of the next challenge; returns them and the rest.
fn auth_params(mut s: &str) -> (Vec<(String, String)>, &str) {
    let mut params = Vec::new();
    loop {
        let trimmed = s.trim_start_matches([' ', '\t', ',']);
        let name_end = trimmed
            .find(|c: char| c == '=' || c == ',' || c.is_ascii_whitespace())
            .unwrap_or(trimmed.len());
        let (name, after_name) = trimmed.split_at(name_end);
        let after_ws = after_name.trim_start_matches([' ', '\t']);
        let Some(value_part) = after_ws.strip_prefix('=') else {
            // A token not followed by `=` starts the next challenge (or ends the header).
            return (params, trimmed);
        };
        let value_part = value_part.trim_start_matches([' ', '\t']);
        let (value, rest) = if let Some(quoted) = value_part.strip_prefix('"') {
            let mut value = String::new();
            let mut chars = quoted.char_indices();
            let mut end = quoted.len();
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => {
                        if let Some((_, escaped)) = chars.next() {
                            value.push(escaped);
                        }
                    }
                    '"' => {
                        end = i + 1;
                        break;
                    }
                    c => value.push(c),
                }
            }
            (value, &quoted[end..])
        } else {
            let end = value_part.find(',').unwrap_or(value_part.len());
            (value_part[..end].trim().to_owned(), &value_part[end..])
        };
        params.push((name.to_owned(), value));
        s = rest;
    }
}

impl fmt::Debug for DigestAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DigestAuth({:?}, ***)", self.username)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7616 section 3.9.1: the same request answered with MD5 and SHA-256.
    #[test]
    fn rfc7616_examples() {
        let auth = DigestAuth::new("Mufasa", "Circle of Life");
        let url = Url::parse("http://www.example.org/dir/index.html").unwrap();
        for (algorithm, expected) in [
            (Algorithm::Md5, "8ca523f5e9506fed4657c9700eebdbec"),
            (
                Algorithm::Sha256,
                "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",
            ),
        ] {
            let challenge = Challenge {
                realm: "http-auth@example.org".into(),
                nonce: "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v".into(),
                opaque: Some("FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS".into()),
                algorithm,
                qop: Some("auth"),
            };
            let header = auth
                .answer(
                    &challenge,
                    1,
                    "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
                    &Method::GET,
                    &url,
                )
                .unwrap();
            let header = header.to_str().unwrap();
            assert!(
                header.contains(&format!("response=\"{expected}\"")),
                "{header}"
            );
            assert!(header.contains("nc=00000001"));
            assert!(header.contains("uri=\"/dir/index.html\""));
        }
    }

    #[test]
    fn challenges_are_found_among_others_with_quoted_commas() {
        let header = r#"Basic realm="a, b", Digest realm="test\"realm", qop="auth,auth-int", nonce="abc", algorithm=SHA-256-sess, opaque="o""#;
        let c = Challenge::parse(header).unwrap();
        assert_eq!(c.realm, "test\"realm");
        assert_eq!(c.nonce, "abc");
        assert_eq!(c.qop, Some("auth"));
        assert_eq!(c.algorithm, Algorithm::Sha256Sess);
        assert_eq!(c.opaque.as_deref(), Some("o"));
        let plain = Challenge::parse(r#"Digest realm="r", nonce="n""#).unwrap();
        assert_eq!((plain.algorithm, plain.qop), (Algorithm::Md5, None));
    }

    #[test]
    fn unsupported_challenges_are_not_answered() {
        assert!(Challenge::parse(r#"Basic realm="x""#).is_none());
        assert!(
            Challenge::parse(r#"Digest realm="r", nonce="n", algorithm=SHA-512-256"#).is_none()
        );
        assert!(Challenge::parse(r#"Digest realm="r", nonce="n", qop="auth-int""#).is_none());
        assert!(Challenge::parse(r#"Digest realm="r""#).is_none());
        assert!(
            Challenge::parse(r#"Digest realm="r", nonce="n", algorithm=MD5-sess"#).is_none(),
            "a session algorithm needs a qop to carry the client nonce"
        );
        assert!(Challenge::parse("Digest").is_none());
        assert!(Challenge::parse("").is_none());
    }

    #[test]
    fn an_unsupported_challenge_does_not_hide_a_supported_one() {
        let header = r#"Digest realm="r", nonce="n1", algorithm=SHA-512-256, Digest realm="r", nonce="n2", qop="auth-int", Digest realm="r", nonce="n3", algorithm=SHA-256"#;
        let c = Challenge::parse(header).unwrap();
        assert_eq!((c.nonce.as_str(), c.algorithm), ("n3", Algorithm::Sha256));
        let mut headers = HeaderMap::new();
        headers.append(
            WWW_AUTHENTICATE,
            HeaderValue::from_static(r#"Digest realm="r", nonce="x", algorithm=SHA-512-256"#),
        );
        headers.append(
            WWW_AUTHENTICATE,
            HeaderValue::from_static(r#"Basic realm="b", Digest realm="r", nonce="y""#),
        );
        let auth = DigestAuth::new("u", "p");
        let url = Url::parse("http://a.test/x").unwrap();
        let answer = auth.respond(&Method::GET, &url, &headers).unwrap().unwrap();
        assert!(answer.to_str().unwrap().contains("nonce=\"y\""));
    }

    #[test]
    fn a_known_challenge_is_reused_for_the_same_origin_only() {
        let auth = DigestAuth::new("u", "p");
        let url = Url::parse("http://a.test/x").unwrap();
        assert!(auth.header(&Method::GET, &url).is_none());
        let mut headers = HeaderMap::new();
        headers.insert(
            WWW_AUTHENTICATE,
            HeaderValue::from_static(r#"Digest realm="r", nonce="n", qop="auth""#),
        );
        assert!(
            auth.respond(&Method::GET, &url, &headers)
                .unwrap()
                .is_some()
        );
        let next = auth.header(&Method::GET, &url).unwrap();
        assert!(next.to_str().unwrap().contains("nc=00000002"));
        assert!(next.is_sensitive());
        let other = Url::parse("http://b.test/x").unwrap();
        assert!(auth.header(&Method::GET, &other).is_none());
    }
}
