//! Keeping credentials where they belong: which headers are sensitive (marked so that
//! `Debug` hides them, and dropped when a redirect leaves their origin), Basic credentials
//! written into a URL, and URLs printed without their password.

use std::borrow::Cow;

use http::header::{
    AUTHORIZATION, COOKIE, HeaderMap, HeaderName, HeaderValue, PROXY_AUTHORIZATION,
};
use url::Url;

use crate::auth::Auth;

/// Headers that always carry credentials, whoever sets them.
const ALWAYS_SENSITIVE: [HeaderName; 3] = [AUTHORIZATION, PROXY_AUTHORIZATION, COOKIE];

/// Marks `value` sensitive when `name` always carries credentials, so that `Debug` output
/// of headers (and of requests) shows `Sensitive` instead of the secret.
pub(crate) fn mark(name: &HeaderName, value: &mut HeaderValue) {
    if ALWAYS_SENSITIVE.contains(name) {
        value.set_sensitive(true);
    }
}

/// Removes from `headers` everything that must not follow a redirect to another origin:
/// the credential headers, the names the client declared sensitive, and any value marked
/// sensitive (`HeaderValue::set_sensitive`).
pub(crate) fn strip_for_other_origin(headers: &mut HeaderMap, declared: &[HeaderName]) {
    for name in ALWAYS_SENSITIVE.iter().chain(declared) {
        headers.remove(name);
    }
    if headers.values().any(HeaderValue::is_sensitive) {
        let kept = std::mem::take(headers);
        let mut name = None;
        for (next, value) in kept {
            if next.is_some() {
                name = next;
            }
            if let Some(name) = &name
                && !value.is_sensitive()
            {
                headers.append(name.clone(), value);
            }
        }
    }
}

/// Basic credentials written into the URL (`https://user:pass@host/`), removed from it so
/// they are never sent as part of the request target or the `Host` header.
pub(crate) fn take_from_url(url: &mut Url) -> Option<Auth> {
    if !has_userinfo(url) {
        return None;
    }
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8_lossy()
            .into_owned()
    };
    let auth = Auth::basic(decode(url.username()), decode(url.password().unwrap_or("")));
    strip_userinfo(url);
    Some(auth)
}

/// Removes `user:password@` from `url`.
pub(crate) fn strip_userinfo(url: &mut Url) {
    let _ = url.set_username("");
    let _ = url.set_password(None);
}

fn has_userinfo(url: &Url) -> bool {
    !url.username().is_empty() || url.password().is_some()
}

/// `url` as it may be printed (in errors and `Debug`): its password replaced by `***`.
pub(crate) fn redacted(url: &Url) -> Cow<'_, Url> {
    if url.password().is_none() {
        return Cow::Borrowed(url);
    }
    let mut shown = url.clone();
    let _ = shown.set_password(Some("***"));
    Cow::Owned(shown)
}

/// URL text that may not parse, as it may be printed: whatever stands between `://` and
/// the last `@` of the authority (`user:password`) replaced by `***`.
pub(crate) fn redacted_text(text: &str) -> Cow<'_, str> {
    let Some(scheme_end) = text.find("://") else {
        return Cow::Borrowed(text);
    };
    let authority_start = scheme_end + 3;
    let authority_end = text[authority_start..]
        .find(['/', '?', '#', '\\'])
        .map_or(text.len(), |i| authority_start + i);
    match text[authority_start..authority_end].rfind('@') {
        Some(at) => Cow::Owned(format!(
            "{}***{}",
            &text[..authority_start],
            &text[authority_start + at..]
        )),
        None => Cow::Borrowed(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sensitive_headers_are_dropped_by_name_by_declaration_and_by_mark() {
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, HeaderValue::from_static("Basic dTpw"));
        headers.insert(COOKIE, HeaderValue::from_static("a=1"));
        headers.insert("x-api-key", HeaderValue::from_static("k"));
        let mut marked = HeaderValue::from_static("secret");
        marked.set_sensitive(true);
        headers.append("x-multi", HeaderValue::from_static("public"));
        headers.append("x-multi", marked);
        headers.insert("accept", HeaderValue::from_static("*/*"));
        strip_for_other_origin(&mut headers, &[HeaderName::from_static("x-api-key")]);
        let mut left: Vec<_> = headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.to_str().unwrap()))
            .collect();
        left.sort();
        assert_eq!(left, [("accept", "*/*"), ("x-multi", "public")]);
    }

    #[test]
    fn credential_headers_are_marked_and_hidden_from_debug() {
        let mut value = HeaderValue::from_static("Bearer secret-token");
        mark(&AUTHORIZATION, &mut value);
        assert!(value.is_sensitive());
        assert!(!format!("{value:?}").contains("secret-token"));
        let mut other = HeaderValue::from_static("plain");
        mark(&http::header::ACCEPT, &mut other);
        assert!(!other.is_sensitive());
    }

    #[test]
    fn passwords_are_taken_out_of_urls_and_never_printed() {
        let mut url = Url::parse("https://ada:s%3Acret@a.test/x").unwrap();
        assert!(!redacted(&url).as_str().contains("s%3Acret"));
        assert_eq!(redacted(&url).as_str(), "https://ada:***@a.test/x");
        assert!(take_from_url(&mut url).is_some());
        assert_eq!(url.as_str(), "https://a.test/x");
        assert!(take_from_url(&mut url).is_none());
        assert_eq!(
            redacted_text("http://u:hunter2@exa mple.test/a@b"),
            "http://***@exa mple.test/a@b"
        );
        assert_eq!(redacted_text("http://a.test/x@y"), "http://a.test/x@y");
        assert_eq!(redacted_text("no scheme@all"), "no scheme@all");
    }
}
