//! URL joining and `IntoUrl`: what users (or data they pass on) give as a request URL,
//! against clients with and without a `base_url`.
//!
//! Invariants: a built request has an http(s) URL with a host that reparses to itself;
//! errors are `InvalidUrl` or `UnsupportedProtocol`; `&str` and `String` agree, and so does
//! a second call (the client's URL cache); an absolute URL ignores the base; and a
//! relative-looking input (not starting with `scheme:`) stays on the base's origin (D2) and
//! under its path (D2path).

use std::sync::OnceLock;

use httplib::{Client, ErrorKind, Url};

use super::{Outcome, Target, Violation, class_of, expect_kind};
use crate::checks::{Checks, Defect};

/// The fuzz target of URL joining.
pub struct UrlTarget;

const BASES: &[&str] = &[
    "https://api.test/v1",
    "http://api.test:8080/a/b/",
    "https://api.test",
];

struct Clients {
    bare: Client,
    based: Vec<(Url, Client)>,
}

fn clients() -> Result<&'static Clients, Violation> {
    static CLIENTS: OnceLock<Option<Clients>> = OnceLock::new();
    CLIENTS
        .get_or_init(|| {
            let based = BASES
                .iter()
                .map(|b| {
                    let url = Url::parse(b).ok()?;
                    let client = Client::builder().base_url(*b).build().ok()?;
                    Some((url, client))
                })
                .collect::<Option<Vec<_>>>()?;
            Some(Clients {
                bare: Client::new(),
                based,
            })
        })
        .as_ref()
        .ok_or_else(|| Violation::new("building the clients with a base_url failed"))
}

/// Whether `input` starts with `scheme:` (RFC 3986: ALPHA *( ALPHA / DIGIT / + / - / . )).
pub fn starts_with_scheme(input: &str) -> bool {
    let bytes = input.as_bytes();
    if !bytes.first().is_some_and(u8::is_ascii_alphabetic) {
        return false;
    }
    for &b in &bytes[1..] {
        if b == b':' {
            return true;
        }
        if !(b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.')) {
            return false;
        }
    }
    false
}

/// The D2 and D2path invariants for a relative-looking `input` joined to `base`.
pub fn check_stays_under_base(base: &Url, input: &str, joined: &Url) -> Result<(), Violation> {
    if starts_with_scheme(input) {
        return Ok(());
    }
    if joined.origin() != base.origin() {
        return Err(Violation::of(
            Defect::D2,
            format!(
                "a relative-looking URL left the base origin\ninput {input:?}\nbase {base}\njoined {joined}"
            ),
        ));
    }
    let prefix = base.path().trim_end_matches('/');
    let path = joined.path();
    if !(path == prefix || path.starts_with(&format!("{prefix}/"))) {
        return Err(Violation::of(
            Defect::D2Path,
            format!(
                "a relative-looking URL left the base path\ninput {input:?}\nbase {base}\njoined {joined}"
            ),
        ));
    }
    Ok(())
}

type Built = Result<Url, ErrorKind>;

fn build(client: &Client, input: &str) -> Result<Built, Violation> {
    match client.get(input).build() {
        Ok(request) => {
            let url = request.url().clone();
            if !matches!(url.scheme(), "http" | "https") {
                return Err(Violation::new(format!(
                    "a request URL with scheme {:?}: {url}",
                    url.scheme()
                )));
            }
            if url.host().is_none() {
                return Err(Violation::new(format!(
                    "a request URL without a host: {url}"
                )));
            }
            if Url::parse(url.as_str()).ok().as_ref() != Some(&url) {
                return Err(Violation::new(format!(
                    "a request URL that does not reparse to itself: {url}"
                )));
            }
            Ok(Ok(url))
        }
        Err(e) => {
            expect_kind(
                &e,
                &[ErrorKind::InvalidUrl, ErrorKind::UnsupportedProtocol],
                "a URL error",
            )?;
            Ok(Err(e.kind()))
        }
    }
}

impl Target for UrlTarget {
    fn name(&self) -> &'static str {
        "url"
    }

    fn tokens(&self) -> &'static [&'static [u8]] {
        &[
            b"\\",
            b"\\\\",
            b"//",
            b"/",
            b"%2F",
            b"%2f",
            b"%5C",
            b"%2e%2e",
            b"..",
            b"./",
            b"../",
            b"@",
            b"#",
            b"?",
            b":",
            b" ",
            b"http://",
            b"https://",
            b"HTTP:",
            b"ftp://",
            b"evil.test",
            b"[::1]",
            b":8080",
            b"%00",
            b"%",
            b"\t",
            b"\xe2\x80\xae",
            b"xn--",
            b"user:pass@",
            b"\\/",
            b"/\\",
            b"file:",
            b"javascript:",
        ]
    }

    fn max_len(&self) -> usize {
        512
    }

    fn run(&self, input: &[u8], _checks: &Checks) -> Outcome {
        let input = String::from_utf8_lossy(input);
        let input: &str = &input;
        let clients = clients()?;

        let bare = build(&clients.bare, input)?;
        let mut class = match &bare {
            Ok(_) => "bare-ok".to_owned(),
            Err(kind) => format!("bare-{kind:?}"),
        };
        if let Err(e) = clients.bare.get(input).build() {
            class = format!("{class}|{}", class_of(&e));
        }

        let mut escape = None;
        for (base, client) in &clients.based {
            let joined = build(client, input)?;
            let again = build(client, input)?;
            let owned = match client.get(input.to_owned()).build() {
                Ok(r) => Ok(r.url().clone()),
                Err(e) => Err(e.kind()),
            };
            if joined != again || joined != owned {
                return Err(Violation::new(format!(
                    "the same URL built differently (cache or String)\ninput {input:?}\nfirst {joined:?}\nagain {again:?}\nString {owned:?}"
                )));
            }
            // Only for input that looks absolute: the D2 fix may refuse ` //x` or ` http://x`
            // under a base_url although the WHATWG parser alone takes them.
            if let Ok(absolute) = &bare
                && starts_with_scheme(input)
                && joined.as_ref() != Ok(absolute)
            {
                return Err(Violation::new(format!(
                    "an absolute URL changed under a base_url\ninput {input:?}\nbase {base}\nalone {absolute}\njoined {joined:?}"
                )));
            }
            // An origin escape (D2) outranks a path escape (D2path).
            if let Ok(url) = &joined
                && let Err(v) = check_stays_under_base(base, input, url)
                && escape
                    .as_ref()
                    .is_none_or(|e: &Violation| e.defect == Some(Defect::D2Path))
            {
                escape = Some(v);
            }
            class.push_str(if joined.is_ok() { "|ok" } else { "|err" });
        }
        match escape {
            Some(v) => Err(v),
            None => Ok(class),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_base_check_sees_origin_and_path_escapes() {
        let base = Url::parse("https://api.test/v1").unwrap();
        let at = |s: &str| Url::parse(s).unwrap();
        assert!(check_stays_under_base(&base, "/x", &at("https://api.test/v1/x")).is_ok());
        let origin = check_stays_under_base(&base, "//evil.test/x", &at("https://evil.test/x"));
        assert_eq!(origin.unwrap_err().defect, Some(Defect::D2));
        let path = check_stays_under_base(&base, "../x", &at("https://api.test/x"));
        assert_eq!(path.unwrap_err().defect, Some(Defect::D2Path));
        // An absolute URL may go anywhere.
        assert!(
            check_stays_under_base(&base, "https://evil.test/", &at("https://evil.test/")).is_ok()
        );
        assert!(!starts_with_scheme(" http://evil.test/"));
        assert!(starts_with_scheme("HTTP+x.y-z:rest"));
    }
}
