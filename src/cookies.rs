//! The client's cookie jar, on the `cookie_store` crate (RFC 6265 domain, path, expiry
//! and `Secure` rules), with the public suffix list deciding which domains no cookie may be
//! set for: the `psl` crate natively; on wasm32 a check the npm package's Node entry point
//! registers (`npm/psl`), or else the top-level-domain rule.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use http::header::{HeaderMap, HeaderValue, SET_COOKIE};
use url::Url;

/// Cookies a client received and will send back, shared by all clones of the client.
///
/// Each [`Client`](crate::Client) has its own (top-level functions such as
/// [`httplib::get`](crate::get) use a fresh one each call).
///
/// # Examples
/// ```
/// let client = httplib::Client::new();
/// let jar = client.cookie_jar().unwrap();
/// let url = url::Url::parse("https://example.com/").unwrap();
/// jar.add("session=abc; Path=/", &url);
/// assert_eq!(jar.cookies(&url), vec![("session".to_string(), "abc".to_string())]);
/// ```
#[derive(Default)]
pub struct CookieJar {
    store: Mutex<cookie_store::CookieStore>,
    /// Set once a cookie was first stored: until then a request sends none, and finds so
    /// without taking the lock (most clients never receive a cookie).
    ever_stored: AtomicBool,
}

impl CookieJar {
    fn store(&self) -> MutexGuard<'_, cookie_store::CookieStore> {
        // A panic elsewhere while holding the lock leaves the store consistent: keep using it.
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Stores `cookies`, set by a response from `url`.
    fn store_cookies(
        &self,
        cookies: impl IntoIterator<Item = cookie_store::RawCookie<'static>>,
        url: &Url,
    ) {
        self.store()
            .store_response_cookies(cookies.into_iter(), url);
        self.ever_stored.store(true, Ordering::Release);
    }

    /// Adds a cookie as a server would set it (`Set-Cookie` syntax) for `url`. A cookie
    /// that `url` may not set (another domain, say) is ignored.
    ///
    /// # Examples
    /// ```
    /// # use httplib::backend::mock::MockBackend;
    /// # let mock = MockBackend::new();
    /// let client = httplib::Client::builder().backend(mock.clone()).build()?;
    /// let jar = client.cookie_jar().unwrap();
    /// let url = "http://api.test/".parse().unwrap();
    /// jar.add("theme=dark; Path=/", &url);
    /// jar.add("evil=1; Domain=other.test", &url); // ignored: not api.test's to set
    /// client.get("http://api.test/page").send_blocking()?;
    /// assert_eq!(mock.requests()[0].headers["cookie"], "theme=dark");
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn add(&self, set_cookie: &str, url: &Url) {
        if let Ok(cookie) = cookie_store::RawCookie::parse(set_cookie.to_owned())
            && let Some(cookie) = within_public_suffix_rules(cookie, url)
        {
            self.store_cookies(std::iter::once(cookie), url);
        }
    }

    /// The `(name, value)` pairs that a request to `url` would send.
    ///
    /// # Examples
    /// ```
    /// let client = httplib::Client::new();
    /// let jar = client.cookie_jar().unwrap();
    /// jar.add("admin=1; Path=/admin", &"https://a.test/login".parse().unwrap());
    /// assert_eq!(jar.cookies(&"https://a.test/admin/users".parse().unwrap()).len(), 1);
    /// assert!(jar.cookies(&"https://a.test/".parse().unwrap()).is_empty());
    /// ```
    pub fn cookies(&self, url: &Url) -> Vec<(String, String)> {
        self.store()
            .get_request_values(url)
            .map(|(name, value)| (name.to_owned(), value.to_owned()))
            .collect()
    }

    /// Forgets every cookie.
    ///
    /// # Examples
    /// ```
    /// let client = httplib::Client::new();
    /// let jar = client.cookie_jar().unwrap();
    /// let url = "https://a.test/".parse().unwrap();
    /// jar.add("session=abc", &url);
    /// jar.clear();
    /// assert!(jar.cookies(&url).is_empty());
    /// ```
    pub fn clear(&self) {
        self.store().clear();
    }

    /// The `Cookie` header for a request to `url`, if any cookie applies.
    pub(crate) fn header_for(&self, url: &Url) -> Option<HeaderValue> {
        if !self.ever_stored.load(Ordering::Acquire) {
            return None;
        }
        let store = self.store();
        let mut header = String::new();
        for (name, value) in store.get_request_values(url) {
            if !header.is_empty() {
                header.push_str("; ");
            }
            header.push_str(name);
            header.push('=');
            header.push_str(value);
        }
        drop(store);
        if header.is_empty() {
            return None;
        }
        HeaderValue::try_from(header).ok()
    }

    /// Keeps the cookies that a response from `url` sets.
    pub(crate) fn store_from(&self, headers: &HeaderMap, url: &Url) {
        let mut cookies = headers
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| std::str::from_utf8(v.as_bytes()).ok())
            .filter_map(|s| cookie_store::RawCookie::parse(s.to_owned()).ok())
            .filter_map(|cookie| within_public_suffix_rules(cookie, url))
            .peekable();
        if cookies.peek().is_some() {
            self.store_cookies(cookies, url);
        }
    }
}

/// RFC 6265 section 5.3 step 5: a cookie whose `Domain` is a public suffix (`com`,
/// `co.uk`, `github.io`) would be sent to every site under it, so it is refused, unless the
/// suffix is the very host that sets it, which then gets it as a host-only cookie.
fn within_public_suffix_rules<'c>(
    mut cookie: cookie_store::RawCookie<'c>,
    url: &Url,
) -> Option<cookie_store::RawCookie<'c>> {
    let Some(domain) = cookie.domain() else {
        return Some(cookie);
    };
    // A trailing dot names the same domain (`github.io.`): the list knows it without.
    let domain = domain.trim_matches('.').to_ascii_lowercase();
    if !is_public_suffix(&domain) {
        return Some(cookie);
    }
    let host = url.host_str().map(|host| host.trim_end_matches('.'));
    if host.is_some_and(|host| host.eq_ignore_ascii_case(&domain)) {
        cookie.unset_domain();
        return Some(cookie);
    }
    None
}

cfg_if::cfg_if! {
    if #[cfg(js)] {
        /// On wasm32 the public suffix list compiled in would more than double the npm
        /// package's `.wasm` (+260 KiB gzip), so it is asked of JS: the package's Node entry
        /// point registers a check on a wasm of its own (`npm/psl`, loaded the first time
        /// a cookie names a `Domain`). Without one (browsers, which keep cookies in their
        /// own jar with its own list; Rust users on wasm32) only top-level domains (`com`,
        /// `localhost`) count.
        fn is_public_suffix(domain: &str) -> bool {
            #[cfg(feature = "js-api")]
            if let Some(answer) = crate::js::public_suffix::ask(domain) {
                return answer;
            }
            !domain.contains('.')
        }
    } else {
        /// True for `com`, `co.uk`, `github.io`: names under which anyone may register.
        fn is_public_suffix(domain: &str) -> bool {
            psl::suffix_str(domain) == Some(domain)
        }
    }
}

impl fmt::Debug for CookieJar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.store().iter_unexpired().count();
        f.debug_struct("CookieJar")
            .field("cookies", &count)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_follow_domain_path_and_secure_rules() {
        let jar = CookieJar::default();
        let mut headers = HeaderMap::new();
        headers.append(SET_COOKIE, HeaderValue::from_static("a=1; Path=/"));
        headers.append(SET_COOKIE, HeaderValue::from_static("b=2; Path=/admin"));
        headers.append(SET_COOKIE, HeaderValue::from_static("s=3; Secure; Path=/"));
        jar.store_from(&headers, &Url::parse("https://a.test/login").unwrap());
        let sent = |u: &str| {
            let mut pairs: Vec<String> = jar
                .header_for(&Url::parse(u).unwrap())
                .map(|v| v.to_str().unwrap().split("; ").map(str::to_owned).collect())
                .unwrap_or_default();
            pairs.sort();
            pairs
        };
        assert_eq!(sent("https://a.test/"), ["a=1", "s=3"]);
        assert_eq!(sent("http://a.test/admin/x"), ["a=1", "b=2"]);
        assert!(sent("https://b.test/").is_empty());
        jar.clear();
        assert!(sent("https://a.test/").is_empty());
    }

    #[cfg(native)]
    #[test]
    fn no_cookie_is_set_for_a_public_suffix() {
        let jar = CookieJar::default();
        let set_by = |url: &str, cookie: &str| jar.add(cookie, &Url::parse(url).unwrap());
        set_by("https://evil.github.io/", "gh=1; Domain=github.io");
        set_by("https://shop.example.co.uk/", "uk=1; Domain=.co.uk");
        set_by("https://www.example.com/", "com=1; Domain=COM");
        set_by("https://evil.github.io./", "dot=1; Domain=github.io.");
        set_by("https://www.example.com/", "ok=1; Domain=example.com");
        let names = |url: &str| -> Vec<String> {
            let mut names: Vec<String> = jar
                .cookies(&Url::parse(url).unwrap())
                .into_iter()
                .map(|(name, _)| name)
                .collect();
            names.sort();
            names
        };
        assert!(names("https://victim.github.io/").is_empty());
        assert!(names("https://victim.github.io./").is_empty());
        assert!(names("https://bank.co.uk/").is_empty());
        assert_eq!(names("https://api.example.com/"), ["ok"]);
        assert!(names("https://other.com/").is_empty());
        // A host that is itself a public suffix keeps its cookie, for itself only.
        set_by("https://github.io/", "own=1; Domain=github.io");
        assert_eq!(names("https://github.io/"), ["own"]);
        assert!(names("https://victim.github.io/").is_empty());
    }
}
