//! Cookie headers: `Set-Cookie` values of a response, then the `Cookie` header of the next
//! requests; and the same values through `CookieJar::add`.
//!
//! Invariants: every `Cookie` header is `name=value` pairs of names the server set; a
//! cookie goes only to the host that set it or, for a `Domain` the setter may use, to that
//! domain and below (so `Domain=other.test` set by a.test never reaches other.test); a
//! cookie set only with `Secure` never goes over http; `CookieJar::add` stores what the
//! response stores and `cookies()` lists what the request sends; no cookie reaches a
//! sibling under a public suffix (D10: github.io, co.uk, test).

use httplib::backend::mock::{MockBackend, MockResponse};
use httplib::{Client, Url};

use super::{Outcome, Target, Violation, block_on, header_lines, mock_client, with_headers};
use crate::checks::{Checks, Defect};
use crate::rng::fnv64;

/// The fuzz target of cookie headers.
pub struct CookieTarget;

/// Where the cookies are set, chosen per input.
const SETTERS: &[&str] = &[
    "http://a.test/app/login",
    "https://shop.a.test/",
    "https://x.github.io/",
    "https://www.example.co.uk/account",
];

/// Where they might be sent.
const PROBES: &[&str] = &[
    "http://a.test/",
    "http://a.test/app/x",
    "https://a.test/app/",
    "https://shop.a.test/cart",
    "http://sub.shop.a.test/",
    "http://other.test/",
    "http://a.test.other.test/",
    "http://evil-a.test/",
    "http://test/",
    "https://x.github.io/",
    "https://y.github.io/",
    "https://github.io/",
    "https://www.example.co.uk/",
    "https://other.co.uk/",
    "https://co.uk/",
];

/// The public suffixes among the probes' hosts (a tiny PSL; `test` has no rule there, so
/// the default `*` rule makes it one).
const PUBLIC_SUFFIXES: &[&str] = &["test", "github.io", "co.uk", "uk", "io"];

/// What a `Set-Cookie` line says, read as plainly as RFC 6265 section 5.2 does.
struct SetCookie {
    name: String,
    secure: bool,
    expiring: bool,
}

fn read_set_cookie(line: &str) -> SetCookie {
    let mut fields = line.split(';');
    let pair = fields.next().unwrap_or_default();
    let name = pair
        .split_once('=')
        .map_or("", |(n, _)| n)
        .trim()
        .to_owned();
    let (mut secure, mut expiring) = (false, false);
    for attribute in fields {
        let key = attribute.split('=').next().unwrap_or_default().trim();
        secure |= key.eq_ignore_ascii_case("secure");
        expiring |= key.eq_ignore_ascii_case("max-age") || key.eq_ignore_ascii_case("expires");
    }
    SetCookie {
        name,
        secure,
        expiring,
    }
}

/// Whether `host` equals `domain` or is below it.
fn under(host: &str, domain: &str) -> bool {
    host == domain || host.ends_with(&format!(".{domain}"))
}

/// Sorted `name=value` pairs of a Cookie header.
fn pairs_of(header: &str) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = header
        .split("; ")
        .map(|p| match p.split_once('=') {
            Some((n, v)) => (n.to_owned(), v.to_owned()),
            None => (String::new(), p.to_owned()),
        })
        .collect();
    pairs.sort();
    pairs
}

/// The Cookie header each probe got, sorted pairs, from a client with this mock.
fn sent(
    client: &Client,
    mock: &MockBackend,
    skip: usize,
) -> Result<Vec<Vec<(String, String)>>, Violation> {
    for probe in PROBES {
        block_on(client.get(*probe))
            .map_err(|e| Violation::new(format!("a probe request failed: {e}")))?;
    }
    mock.requests()[skip..]
        .iter()
        .map(|r| match r.headers.get_all("cookie").iter().count() {
            0 => Ok(Vec::new()),
            1 => Ok(pairs_of(&String::from_utf8_lossy(
                r.headers["cookie"].as_bytes(),
            ))),
            n => Err(Violation::new(format!(
                "{n} Cookie headers in one request to {}",
                r.url
            ))),
        })
        .collect()
}

impl Target for CookieTarget {
    fn name(&self) -> &'static str {
        "cookies"
    }

    fn tokens(&self) -> &'static [&'static [u8]] {
        &[
            b"; ",
            b";",
            b"=",
            b"Domain=",
            b"Domain=.",
            b"domain=other.test",
            b"Domain=a.test",
            b"Domain=test",
            b"Domain=github.io",
            b"Domain=co.uk",
            b"Path=/",
            b"Path=/app",
            b"Secure",
            b"HttpOnly",
            b"SameSite=None",
            b"Max-Age=0",
            b"Max-Age=-1",
            b"Expires=Thu, 01 Jan 1970 00:00:00 GMT",
            b"__Host-",
            b"__Secure-",
            b"\"",
            b",",
            b"\n",
            b"\\",
            b"%3B",
            b"\xc3\xa9",
        ]
    }

    fn max_len(&self) -> usize {
        1024
    }

    fn run(&self, input: &[u8], _checks: &Checks) -> Outcome {
        let text = String::from_utf8_lossy(input);
        let lines = header_lines(&text, 16);
        let setter_text = SETTERS[(fnv64(input) % SETTERS.len() as u64) as usize];
        let setter = Url::parse(setter_text).map_err(|e| Violation::new(e.to_string()))?;
        let setter_host = setter.host_str().unwrap_or_default();
        let read: Vec<SetCookie> = lines.iter().map(|l| read_set_cookie(l)).collect();

        // Through a response.
        let mock = MockBackend::new();
        let set = with_headers(MockResponse::new(200), "Set-Cookie", &lines);
        let setter_url = setter.clone();
        mock.handle(move |r| {
            Some(if r.url == setter_url {
                set.clone()
            } else {
                MockResponse::new(200)
            })
        });
        let client = mock_client(&mock)?;
        block_on(client.get(setter_text))
            .map_err(|e| Violation::new(format!("the Set-Cookie response failed: {e}")))?;
        let via_response = sent(&client, &mock, 1)?;

        let mut public = None;
        for (probe, pairs) in PROBES.iter().zip(&via_response) {
            let url = Url::parse(probe).map_err(|e| Violation::new(e.to_string()))?;
            let host = url.host_str().unwrap_or_default();
            for (name, value) in pairs {
                let from: Vec<&SetCookie> = read.iter().filter(|c| &c.name == name).collect();
                let context =
                    || format!("cookie {name}={value} set by {setter} sent to {probe}\n{lines:?}");
                if from.is_empty() {
                    return Err(Violation::new(format!(
                        "a cookie no Set-Cookie line named was sent\n{}",
                        context()
                    )));
                }
                // RFC 6265 5.1.3: only to hosts under a domain the setter is under; the
                // widest such domain shared with the probe (dots from the left).
                let shared = std::iter::once(setter_host)
                    .chain(
                        setter_host
                            .match_indices('.')
                            .map(|(i, _)| &setter_host[i + 1..]),
                    )
                    .find(|d| under(host, d));
                if host != setter_host && shared.is_none() {
                    return Err(Violation::new(format!(
                        "a cookie went to a host its setter may not reach\n{}",
                        context()
                    )));
                }
                if url.scheme() == "http" && from.iter().all(|c| c.secure) {
                    return Err(Violation::new(format!(
                        "a Secure cookie went over http\n{}",
                        context()
                    )));
                }
                if host != setter_host && shared.is_some_and(|d| PUBLIC_SUFFIXES.contains(&d)) {
                    public.get_or_insert_with(|| {
                        Violation::of(
                            Defect::D10,
                            format!("a cookie for a public suffix was shared\n{}", context()),
                        )
                    });
                }
            }
        }

        // Through `CookieJar::add`: the same store, the same headers (unless a cookie may
        // have expired in between).
        let mock_add = MockBackend::new();
        let client_add = mock_client(&mock_add)?;
        let jar = client_add
            .cookie_jar()
            .ok_or_else(|| Violation::new("a client without a cookie jar"))?;
        for line in &lines {
            jar.add(line, &setter);
        }
        let listed: Vec<Vec<(String, String)>> = PROBES
            .iter()
            .map(|p| {
                let mut pairs = Url::parse(p).map(|u| jar.cookies(&u)).unwrap_or_default();
                pairs.sort();
                pairs
            })
            .collect();
        let via_add = sent(&client_add, &mock_add, 0)?;
        if !read.iter().any(|c| c.expiring) && (via_add != via_response || listed != via_add) {
            return Err(Violation::new(format!(
                "CookieJar::add, cookies() and Set-Cookie disagree\n{lines:?}\nresponse {via_response:?}\nadd {via_add:?}\ncookies() {listed:?}"
            )));
        }
        if let Some(v) = public {
            return Err(v);
        }
        let sent_count: usize = via_response.iter().map(Vec::len).sum();
        Ok(format!("{}-{}", lines.len().min(4), sent_count.min(8)))
    }
}
