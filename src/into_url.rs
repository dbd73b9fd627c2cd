//! Turning what users pass as a URL into an absolute, checked [`Url`].

use url::Url;

use crate::error::{Error, ErrorKind, Result};

/// Anything usable as a request URL: `&str`, `String`, [`Url`]. Relative strings are joined
/// to the client's `base_url`.
///
/// This trait is sealed: its method is the crate's own.
///
/// # Examples
/// ```
/// use httplib::{ErrorKind, Url};
///
/// let client = httplib::Client::builder().base_url("https://api.example.com/v1").build()?;
/// let from_str = client.get("/items").build()?; // joined to the base URL
/// let from_url = client.get(Url::parse("https://api.example.com/v1/items").unwrap()).build()?;
/// assert_eq!(from_str.url(), from_url.url());
/// let err = client.get(String::from("ftp://files.example.com/")).build().unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::UnsupportedProtocol);
/// # Ok::<(), httplib::Error>(())
/// ```
pub trait IntoUrl: sealed::Sealed {
    #[doc(hidden)]
    fn into_url(self, base: Option<&Url>) -> Result<Url>;

    /// The URL as text still to be parsed, for the client's [`UrlCache`].
    #[doc(hidden)]
    fn as_unparsed(&self) -> Option<&str> {
        None
    }
}

/// What a client parsed last, so that it does not parse the same thing again and again: the
/// WHATWG parse of `http://host:port/path` (host parsing, IDNA, the address printed back)
/// was 10 to 15% of the instructions of a whole request.
///
/// Two memories, both giving exactly what parsing gives:
/// - the last URL text and its [`Url`] (polling, an API endpoint, a health check);
/// - the origins (`scheme://authority`) of the last few absolute URLs, each parsed once:
///   another path on one of them is parsed as a path against that origin, which skips the
///   host (a client calling many paths on a few hosts).
///
/// Lock-free in effect: a client busy on another thread is never waited for (`try_lock`;
/// on contention the URL is parsed as usual).
#[derive(Default)]
pub(crate) struct UrlCache {
    recent: std::sync::Mutex<Recent>,
}

/// How many origins a client remembers (the oldest is forgotten first).
const ORIGINS: usize = 16;

#[derive(Default)]
struct Recent {
    last: Option<(Box<str>, Url)>,
    /// Origin texts as written (`https://api.test:8443`) and their parse (path `/`).
    origins: Vec<(Box<str>, Url)>,
}

impl UrlCache {
    /// `url` made absolute against `base`, as [`IntoUrl::into_url`] does.
    pub(crate) fn resolve(&self, url: impl IntoUrl, base: Option<&Url>) -> Result<Url> {
        let Some(text) = url.as_unparsed() else {
            return url.into_url(base);
        };
        let Ok(mut recent) = self.recent.try_lock() else {
            return parse(text, base);
        };
        if let Some((input, parsed)) = &recent.last
            && **input == *text
        {
            return Ok(parsed.clone());
        }
        let parsed = match split_origin(text) {
            Some((origin, rest)) => recent.under_origin(origin, rest, text)?,
            None => parse(text, base)?,
        };
        recent.last = Some((text.into(), parsed.clone()));
        Ok(parsed)
    }
}

impl Recent {
    /// `text`, which is `origin` followed by `rest`, parsed: `rest` alone against the
    /// origin's parse when that origin is remembered, else `text` whole (and its origin
    /// remembered).
    fn under_origin(&mut self, origin: &str, rest: &str, text: &str) -> Result<Url> {
        if let Some((_, root)) = self.origins.iter().find(|(o, _)| **o == *origin) {
            if let Ok(url) = Url::options().base_url(Some(root)).parse(rest) {
                return check(url);
            }
            return parse(text, None);
        }
        let parsed = parse(text, None)?;
        if let Ok(root) = parse(origin, None) {
            if self.origins.len() == ORIGINS {
                self.origins.remove(0);
            }
            self.origins.push((origin.into(), root));
        }
        Ok(parsed)
    }
}

/// `text` split into its origin (`http://` or `https://` and the authority, which ends at
/// the first `/`, `?` or `#`, as in the WHATWG parser) and the rest, when parsing the rest
/// against the origin gives what parsing the whole gives. Not for what the two would read
/// differently: a backslash (a slash in http URLs, but `/\x` against an origin names the
/// host `x`), `//` after the authority (another authority for a relative reference),
/// control characters and surrounding spaces (which [`parse`] refuses).
fn split_origin(text: &str) -> Option<(&str, &str)> {
    let after_scheme = if text.starts_with("https://") {
        8
    } else if text.starts_with("http://") {
        7
    } else {
        return None;
    };
    if text.ends_with(' ') {
        return None;
    }
    // One pass: the end of the authority, and nothing the two parses would read apart.
    let mut end = text.len();
    for (i, &b) in text.as_bytes().iter().enumerate().skip(after_scheme) {
        match b {
            b'\\' => return None,
            b if b.is_ascii_control() => return None,
            b'/' | b'?' | b'#' if end == text.len() => end = i,
            _ => {}
        }
    }
    let (origin, rest) = text.split_at(end);
    if origin.len() == after_scheme || rest.starts_with("//") {
        return None;
    }
    Some((origin, rest))
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for &str {}
    impl Sealed for String {}
    impl Sealed for &String {}
    impl Sealed for url::Url {}
    impl Sealed for &url::Url {}
}

impl IntoUrl for &str {
    fn into_url(self, base: Option<&Url>) -> Result<Url> {
        parse(self, base)
    }

    fn as_unparsed(&self) -> Option<&str> {
        Some(self)
    }
}

impl IntoUrl for String {
    fn into_url(self, base: Option<&Url>) -> Result<Url> {
        parse(&self, base)
    }

    fn as_unparsed(&self) -> Option<&str> {
        Some(self)
    }
}

impl IntoUrl for &String {
    fn into_url(self, base: Option<&Url>) -> Result<Url> {
        parse(self, base)
    }

    fn as_unparsed(&self) -> Option<&str> {
        Some(self)
    }
}

impl IntoUrl for Url {
    fn into_url(self, _base: Option<&Url>) -> Result<Url> {
        check(self)
    }
}

impl IntoUrl for &Url {
    fn into_url(self, _base: Option<&Url>) -> Result<Url> {
        check(self.clone())
    }
}

fn invalid(message: &'static str, input: &str) -> Error {
    let shown = crate::credentials::redacted_text(input);
    Error::new(ErrorKind::InvalidUrl, format!("{message}: {shown:?}"))
}

fn parse(input: &str, base: Option<&Url>) -> Result<Url> {
    // The WHATWG parser silently deletes tabs and newlines; a URL carrying them is refused
    // here instead, so nothing a caller did not mean is ever sent.
    if input.chars().any(|c| c.is_ascii_control()) {
        return Err(invalid(
            "the URL contains a control character (CR, LF, TAB or NUL)",
            input,
        ));
    }
    // It would also drop leading and trailing spaces: ` https://evil.test` would then be
    // absolute while it looks relative to a reader (and to a check that it starts with a
    // scheme). Refused too.
    if input.starts_with(' ') || input.ends_with(' ') {
        return Err(invalid("the URL starts or ends with a space", input));
    }
    match Url::parse(input) {
        Ok(url) => check(url),
        Err(url::ParseError::RelativeUrlWithoutBase) => match base {
            Some(base) => check(join(base, input)?),
            None => Err(invalid("a relative URL needs a client base_url", input)),
        },
        // A build without Unicode IDNA tables (the npm package's: it pins idna_adapter
        // 1.0) parses only ASCII hosts: the JS host's own WHATWG parser gives the ASCII
        // form (punycode), parsed again here, checks and all.
        #[cfg(js)]
        Err(url::ParseError::IdnaError) if !input.is_ascii() => match platform::ascii_href(input) {
            Some(ascii) if ascii.is_ascii() => parse(&ascii, base),
            _ => Err(invalid("the URL's host is not a valid domain name", input)),
        },
        Err(e) => Err(invalid("the URL cannot be parsed", input).with_source(e)),
    }
}

/// The platform's URL parser, on JS hosts.
#[cfg(js)]
mod platform {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen(inline_js = "export function ascii_href(input) {
        try { return new URL(input).href; } catch { return undefined; }
    }")]
    extern "C" {
        /// `new URL(input).href`: the host in its ASCII form; `None` if it does not parse.
        pub(super) fn ascii_href(input: &str) -> Option<String>;
    }
}

/// Joins `relative` under `base` as httpx does: the base URL is a prefix, so a leading `/`
/// in `relative` does not drop the base's path, and `..` may not climb above it. What
/// looks relative must stay relative:
/// the WHATWG parser reads a backslash as a slash and drops leading spaces, so inputs
/// such as `/\\evil.test/x` or ` //evil.test/x` would otherwise name another host and take
/// the client's default headers and credentials there. Those are refused.
fn join(base: &Url, relative: &str) -> Result<Url> {
    let mut prefix = base.clone();
    prefix.set_query(None);
    prefix.set_fragment(None);
    if !prefix.path().ends_with('/') {
        let path = format!("{}/", prefix.path());
        prefix.set_path(&path);
    }
    let trimmed = relative.trim_start_matches('/');
    let joined = prefix.join(trimmed).map_err(|e| {
        invalid("the URL cannot be joined to the base_url", relative).with_source(e)
    })?;
    // The userinfo too: `\\\\mallory:pw@api.test/` names the base's host but would send
    // its own credentials instead of the client's.
    if !same_origin(&joined, base)
        || joined.username() != base.username()
        || joined.password() != base.password()
    {
        return Err(invalid(
            "the relative URL names another host or user than the base_url (a leading backslash?)",
            relative,
        ));
    }
    if !joined.path().starts_with(prefix.path()) {
        return Err(invalid(
            "the relative URL climbs out of the base_url's path (`..`)",
            relative,
        ));
    }
    Ok(joined)
}

/// True when `a` and `b` have one origin: scheme, host and port (the scheme's default when
/// none is written). Compares in place: `Url::origin` allocates.
pub(crate) fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host() == b.host()
        && a.port_or_known_default() == b.port_or_known_default()
}

/// Refuses `url` when the client may not leave its base URL's origin
/// (`ClientBuilder::allow_absolute_urls(false)`) and `url` does.
pub(crate) fn check_stays_on(url: &Url, base: &Url) -> Result<()> {
    if same_origin(url, base) {
        return Ok(());
    }
    Err(Error::new(
        ErrorKind::InvalidUrl,
        format!(
            "the URL leaves the base_url's origin {:?}, and this client does not allow absolute URLs",
            base.origin().ascii_serialization()
        ),
    )
    .with_url(url))
}

fn check(url: Url) -> Result<Url> {
    match url.scheme() {
        "http" | "https" => {}
        other => {
            return Err(Error::new(
                ErrorKind::UnsupportedProtocol,
                format!("the scheme {other:?} is not supported (use http or https)"),
            )
            .with_url(&url));
        }
    }
    if url.host().is_none() {
        return Err(invalid("the URL has no host", url.as_str()));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn relative_paths_extend_the_base_path() {
        let b = base("https://api.example.com/v1");
        assert_eq!(
            "/items".into_url(Some(&b)).unwrap().as_str(),
            "https://api.example.com/v1/items"
        );
        assert_eq!(
            "items?q=1".into_url(Some(&b)).unwrap().as_str(),
            "https://api.example.com/v1/items?q=1"
        );
        let root = base("https://api.example.com");
        assert_eq!(
            "/items".into_url(Some(&root)).unwrap().as_str(),
            "https://api.example.com/items"
        );
    }

    #[test]
    fn the_cache_gives_what_parsing_gives() {
        let cache = UrlCache::default();
        let b = base("https://api.example.com/v1");
        let inputs = [
            "/items",
            "/items",
            "HTTP://Other.TEST:80/x?q#f",
            "/items",
            "/items?a=1",
            "http://a.test/\tx",
            "http://a.test/\tx",
            "ftp://a.test/",
        ];
        for input in inputs {
            let cached = cache.resolve(input, Some(&b)).map_err(|e| e.kind());
            let parsed = input.into_url(Some(&b)).map_err(|e| e.kind());
            assert_eq!(cached, parsed, "{input:?}");
        }
        for _ in 0..2 {
            let err = cache.resolve("/x", None).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidUrl, "errors stay errors");
        }
        let url = base("http://a.test/y");
        assert_eq!(cache.resolve(&url, None).unwrap(), url);
    }

    #[test]
    fn a_path_parsed_against_a_remembered_origin_is_what_parsing_gives() {
        let cache = UrlCache::default();
        let b = base("https://api.example.com/v1");
        let origins = [
            "http://a.test",
            "http://a.test:80",
            "https://user:pw@a.test:8443",
            "http://[::1]:8080",
            "http://127.0.0.1:18100",
            "http://B\u{fc}cher.Test",
            "http://xn--bcher-kva.test",
        ];
        let rests = [
            "",
            "/",
            "/x",
            "/x/y?q=1&r=%20#frag",
            "?q",
            "#f",
            "/a b",
            "/a/../../b",
            "/./x",
            "/%2e%2e/x",
            "/x@evil.test",
            "//evil.test/x",
            "/\\evil.test",
            "/x?a=\u{e9}",
            "/ ",
            "/\tx",
            ":99999/x",
            "@evil.test/x",
        ];
        // Twice: the first pass fills the origins, the second parses paths against them.
        for _ in 0..2 {
            for origin in origins {
                for rest in rests {
                    let input = format!("{origin}{rest}");
                    let cached = cache.resolve(&input, Some(&b)).map_err(|e| e.kind());
                    let parsed = input.as_str().into_url(Some(&b)).map_err(|e| e.kind());
                    assert_eq!(cached, parsed, "{input:?}");
                }
            }
        }
        // Each origin is parsed once, and so is each with `@evil.test` after it (the origin
        // is then a user name at evil.test); the ports out of range are never remembered.
        let remembered = cache.recent.lock().unwrap().origins.len();
        assert_eq!(remembered, 2 * origins.len());
    }

    #[test]
    fn the_oldest_origin_is_forgotten_first() {
        let cache = UrlCache::default();
        for port in 0..ORIGINS + 4 {
            let url = cache.resolve(format!("http://a.test:{}/x", 1000 + port), None);
            assert_eq!(url.unwrap().port(), Some(1000 + port as u16));
        }
        let recent = cache.recent.lock().unwrap();
        assert_eq!(recent.origins.len(), ORIGINS);
        assert_eq!(&*recent.origins[0].0, "http://a.test:1004");
    }

    #[test]
    fn relative_looking_inputs_never_leave_the_base_host() {
        let b = base("https://api.example.com/v1");
        for escape in [
            "/\\\\evil.test/x",
            "\\\\evil.test/x",
            "\\/evil.test/x",
            "/\\/evil.test/x",
            " //evil.test/x",
            "  /\\evil.test/x",
            "\\\\mallory:pw@api.example.com/v1/x",
        ] {
            let err = escape.into_url(Some(&b)).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidUrl, "{escape:?}");
        }
        for climb in [
            "../admin",
            "/../../etc/passwd",
            "a/../../x",
            "%2e%2e/x",
            ".%2E/x",
        ] {
            let err = climb.into_url(Some(&b)).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidUrl, "{climb:?}");
        }
        assert_eq!(
            "a/../b".into_url(Some(&b)).unwrap().as_str(),
            "https://api.example.com/v1/b"
        );
        // What stays under the base is joined as before: leading slashes are the prefix's.
        assert_eq!(
            "//evil.test/x".into_url(Some(&b)).unwrap().as_str(),
            "https://api.example.com/v1/evil.test/x"
        );
        assert_eq!(
            "a\\b".into_url(Some(&b)).unwrap().as_str(),
            "https://api.example.com/v1/a/b"
        );
        assert_eq!(
            "?q=1".into_url(Some(&b)).unwrap().as_str(),
            "https://api.example.com/v1/?q=1"
        );
    }

    #[test]
    fn a_client_that_forbids_absolute_urls_stays_on_its_origin() {
        let b = base("https://api.example.com/v1");
        let same = base("https://API.example.com:443/other");
        assert!(check_stays_on(&same, &b).is_ok());
        for other in [
            "http://api.example.com/v1",
            "https://api.example.com:8443/v1",
            "https://evil.test/v1",
        ] {
            let err = check_stays_on(&base(other), &b).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidUrl, "{other}");
        }
    }

    #[test]
    fn absolute_urls_ignore_the_base() {
        let b = base("https://api.example.com/v1");
        assert_eq!(
            "http://other.test/x".into_url(Some(&b)).unwrap().as_str(),
            "http://other.test/x"
        );
    }

    #[test]
    fn control_characters_are_refused_not_stripped() {
        for bad in [
            "http://a.test/\r\nX: y",
            "http://a.test/\tx",
            "http://a.test/\0",
            " http://a.test/",
            "http://a.test/ ",
        ] {
            let err = bad.into_url(None).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidUrl, "{bad:?}");
        }
    }

    #[test]
    fn other_schemes_and_relative_without_base_fail_with_their_kinds() {
        assert_eq!(
            "ftp://a.test/".into_url(None).unwrap_err().kind(),
            ErrorKind::UnsupportedProtocol
        );
        assert_eq!(
            "/x".into_url(None).unwrap_err().kind(),
            ErrorKind::InvalidUrl
        );
        assert_eq!(
            "http://[::1".into_url(None).unwrap_err().kind(),
            ErrorKind::InvalidUrl
        );
    }
}
