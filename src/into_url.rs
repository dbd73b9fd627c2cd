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

/// The last URL text a client parsed, and what it parsed to, so that a client calling the
/// same URL again and again (polling, an API endpoint, a health check) does not parse it
/// each time: the WHATWG parse of `http://host:port/path` (host parsing, IDNA) was 15% of
/// the instructions of a whole request. A different URL is parsed as usual and replaces
/// the entry. Lock-free in effect: a client busy on another thread is never waited for.
#[derive(Default)]
pub(crate) struct UrlCache {
    last: std::sync::Mutex<Option<(Box<str>, Url)>>,
}

impl UrlCache {
    /// `url` made absolute against `base`, as [`IntoUrl::into_url`] does.
    pub(crate) fn resolve(&self, url: impl IntoUrl, base: Option<&Url>) -> Result<Url> {
        let Some(text) = url.as_unparsed() else {
            return url.into_url(base);
        };
        if let Ok(last) = self.last.try_lock()
            && let Some((input, parsed)) = &*last
            && **input == *text
        {
            return Ok(parsed.clone());
        }
        let parsed = parse(text, base)?;
        if let Ok(mut last) = self.last.try_lock() {
            *last = Some((text.into(), parsed.clone()));
        }
        Ok(parsed)
    }
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
        Err(e) => Err(invalid("the URL cannot be parsed", input).with_source(e)),
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
