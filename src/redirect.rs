//! Redirects: what a user's policy
//! ([`ClientBuilder::redirect_policy`](crate::ClientBuilder::redirect_policy)) sees of each
//! one ([`Attempt`]) and decides ([`Action`]: follow, stop or fail), and the pure rules of
//! which responses are redirects and what request follows one. The loop that applies them
//! is the redirect layer's (`layer/redirect.rs`).

use http::header::{
    CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE, HOST, HeaderMap, HeaderName, LOCATION,
    TRANSFER_ENCODING,
};
use http::{Method, StatusCode};
use url::Url;

use crate::body::Body;
use crate::error::{Error, ErrorKind, Result};

/// A user's decision on each redirect the client would follow, set with
/// [`ClientBuilder::redirect_policy`](crate::ClientBuilder::redirect_policy).
#[derive(Clone)]
pub(crate) struct Policy(std::sync::Arc<dyn Fn(&Attempt<'_>) -> Action + Send + Sync>);

impl Policy {
    pub(crate) fn new(decide: impl Fn(&Attempt<'_>) -> Action + Send + Sync + 'static) -> Policy {
        Policy(std::sync::Arc::new(decide))
    }

    pub(crate) fn decide(&self, attempt: &Attempt<'_>) -> Action {
        (self.0)(attempt)
    }
}

impl std::fmt::Debug for Policy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Policy(..)")
    }
}

/// A redirect the client is about to follow, as a
/// [`redirect_policy`](crate::ClientBuilder::redirect_policy) sees it.
///
/// # Examples
/// A policy that follows redirects within one host only, and at most 3 of them:
/// ```
/// # use httplib::backend::mock::{MockBackend, MockResponse};
/// # let mock = MockBackend::new();
/// # mock.on(httplib::Method::GET, "/a", MockResponse::new(302).header("Location", "/b"));
/// # mock.on(httplib::Method::GET, "/b", MockResponse::new(302).header("Location", "http://other.test/c"));
/// let client = httplib::Client::builder()
///     .redirect_policy(|attempt| {
///         if attempt.previous().len() > 3 {
///             attempt.error("too many hops for this API")
///         } else if attempt.url().host_str() != attempt.previous()[0].host_str() {
///             attempt.stop()
///         } else {
///             attempt.follow()
///         }
///     })
/// #   .backend(mock.clone())
///     .build()?;
/// # #[cfg(not(target_arch = "wasm32"))]
/// # {
/// let r = client.get("http://api.test/a").send_blocking()?;
/// assert_eq!(r.status_code(), 302); // /b's redirect to other.test, not followed
/// assert_eq!(r.url().path(), "/b");
/// assert_eq!(r.history().len(), 1);
/// # }
/// # Ok::<(), httplib::Error>(())
/// ```
#[derive(Debug)]
pub struct Attempt<'a> {
    pub(crate) status: StatusCode,
    pub(crate) next: &'a Url,
    pub(crate) previous: &'a [Url],
}

impl Attempt<'_> {
    /// The redirect's status (301, 302, 303, 307 or 308).
    ///
    /// # Examples
    /// See [`Attempt`].
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// Where the redirect leads.
    ///
    /// # Examples
    /// See [`Attempt`].
    pub fn url(&self) -> &Url {
        self.next
    }

    /// The URLs requested so far, the first request's first; the last is the one that
    /// answered with this redirect.
    ///
    /// # Examples
    /// See [`Attempt`].
    pub fn previous(&self) -> &[Url] {
        self.previous
    }

    /// Follow the redirect.
    ///
    /// # Examples
    /// See [`Attempt`].
    pub fn follow(&self) -> Action {
        Action(Decision::Follow)
    }

    /// Do not follow it: the redirect response is returned as it is (history included).
    ///
    /// # Examples
    /// See [`Attempt`].
    pub fn stop(&self) -> Action {
        Action(Decision::Stop)
    }

    /// Fail the request with a [`Redirect`](ErrorKind::Redirect) error that says `message`.
    ///
    /// # Examples
    /// See [`Attempt`].
    pub fn error(&self, message: impl Into<std::borrow::Cow<'static, str>>) -> Action {
        Action(Decision::Error(message.into()))
    }
}

/// What a redirect policy decided: made by [`Attempt::follow`], [`Attempt::stop`] or
/// [`Attempt::error`].
///
/// # Examples
/// See [`Attempt`].
#[derive(Debug)]
pub struct Action(pub(crate) Decision);

#[derive(Debug)]
pub(crate) enum Decision {
    Follow,
    Stop,
    Error(std::borrow::Cow<'static, str>),
}

/// True for the statuses a client may follow, when they say where to.
pub(crate) fn is_redirect(status: StatusCode, headers: &HeaderMap) -> bool {
    matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308) && headers.contains_key(LOCATION)
}

/// One request of a redirect chain.
pub(crate) struct Hop {
    pub(crate) method: Method,
    pub(crate) url: Url,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Option<Body>,
}

/// What to do after a redirect response.
pub(crate) enum Next {
    /// Send this request.
    Follow {
        hop: Box<Hop>,
        /// The hop leaves the origin (or goes from https to http): the credentials given
        /// for the first stay behind.
        left_origin: bool,
    },
    /// Return the redirect response as it is: its method and body must be kept (307/308)
    /// and the body was a one-shot stream that cannot be sent again.
    Stop,
}

/// The request that follows `status` + `headers` (a redirect) after `prev`, whose body,
/// if it had one, is given again as `replay` when it could be copied. Credentials in the
/// `Location` (`http://user:pass@host/`) are dropped: they would otherwise travel in the
/// `Host` header and show in `url()` and errors. Leaving the origin drops the credential
/// headers and the client's `sensitive` ones.
///
/// # Errors
/// An unreadable `Location`, or one whose scheme is not http(s).
pub(crate) fn next(
    prev: &Hop,
    replay: Option<Body>,
    had_body: bool,
    status: StatusCode,
    headers: &HeaderMap,
    sensitive: &[HeaderName],
) -> Result<Next> {
    let location = headers
        .get(LOCATION)
        .ok_or_else(|| Error::new(ErrorKind::Protocol, "redirect without a Location header"))?;
    let location = std::str::from_utf8(location.as_bytes()).map_err(|_| {
        Error::new(
            ErrorKind::Protocol,
            "the redirect Location is not valid UTF-8",
        )
    })?;
    let mut url = prev.url.join(location).map_err(|e| {
        Error::new(
            ErrorKind::InvalidUrl,
            format!(
                "the redirect Location {:?} is not a valid URL",
                crate::credentials::redacted_text(location)
            ),
        )
        .with_source(e)
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Error::new(
            ErrorKind::UnsupportedProtocol,
            format!(
                "a redirect to the scheme {:?} is not followed",
                url.scheme()
            ),
        )
        .with_url(&url));
    }
    if url.fragment().is_none() {
        url.set_fragment(prev.url.fragment());
    }
    crate::credentials::strip_userinfo(&mut url);

    let mut method = prev.method.clone();
    let mut headers = prev.headers.clone();
    let becomes_get = match status.as_u16() {
        303 => method != Method::HEAD,
        301 | 302 => method == Method::POST,
        _ => false,
    };
    let body = if becomes_get {
        method = Method::GET;
        for name in [
            CONTENT_TYPE,
            CONTENT_LENGTH,
            CONTENT_ENCODING,
            TRANSFER_ENCODING,
        ] {
            headers.remove(name);
        }
        None
    } else if had_body {
        match replay {
            Some(body) => Some(body),
            None => return Ok(Next::Stop),
        }
    } else {
        None
    };

    let left_origin = leaves_origin_or_downgrades(&prev.url, &url);
    if left_origin {
        crate::credentials::strip_for_other_origin(&mut headers, sensitive);
        headers.remove(HOST);
    }
    Ok(Next::Follow {
        left_origin,
        hop: Box::new(Hop {
            method,
            url,
            headers,
            body,
        }),
    })
}

/// True when `to` is another origin (scheme, host or port) than `from`, or goes from
/// https to http: credentials must not follow such a redirect.
fn leaves_origin_or_downgrades(from: &Url, to: &Url) -> bool {
    !crate::into_url::same_origin(from, to) || (from.scheme() == "https" && to.scheme() == "http")
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;
    use http::header::{AUTHORIZATION, COOKIE, PROXY_AUTHORIZATION};

    fn hop(method: Method, url: &str, body: bool) -> Hop {
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, HeaderValue::from_static("Basic dTpw"));
        headers.insert(COOKIE, HeaderValue::from_static("a=1"));
        headers.insert(PROXY_AUTHORIZATION, HeaderValue::from_static("x"));
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        Hop {
            method,
            url: Url::parse(url).unwrap(),
            headers,
            body: body.then(|| Body::from("{}")),
        }
    }

    fn follow(prev: &Hop, status: u16, location: &'static str) -> Hop {
        let mut headers = HeaderMap::new();
        headers.insert(LOCATION, HeaderValue::from_static(location));
        let replay = prev.body.as_ref().and_then(Body::try_clone);
        let status = StatusCode::from_u16(status).unwrap();
        match next(prev, replay, prev.body.is_some(), status, &headers, &[]).unwrap() {
            Next::Follow { hop, .. } => *hop,
            Next::Stop => panic!("stopped"),
        }
    }

    #[test]
    fn see_other_and_post_moved_become_get_without_body() {
        for status in [301, 302, 303] {
            let next = follow(&hop(Method::POST, "http://a.test/x", true), status, "/y");
            assert_eq!(next.method, Method::GET, "{status}");
            assert!(next.body.is_none());
            assert!(!next.headers.contains_key(CONTENT_TYPE));
            assert_eq!(next.url.as_str(), "http://a.test/y");
        }
        let put = follow(&hop(Method::PUT, "http://a.test/x", true), 302, "/y");
        assert_eq!(put.method, Method::PUT);
        assert!(put.body.is_some());
        let head = follow(&hop(Method::HEAD, "http://a.test/x", false), 303, "/y");
        assert_eq!(head.method, Method::HEAD);
    }

    #[test]
    fn temporary_and_permanent_keep_method_and_body() {
        for status in [307, 308] {
            let next = follow(&hop(Method::POST, "http://a.test/x", true), status, "y");
            assert_eq!(next.method, Method::POST);
            assert_eq!(next.body.unwrap().as_bytes(), Some(&b"{}"[..]));
            assert_eq!(next.url.as_str(), "http://a.test/y");
        }
    }

    #[test]
    fn a_one_shot_body_stops_a_307() {
        let mut prev = hop(Method::POST, "http://a.test/x", false);
        prev.body = Some(Body::from_stream(
            futures_util::stream::empty::<Result<bytes::Bytes, std::io::Error>>(),
            None,
        ));
        let mut headers = HeaderMap::new();
        headers.insert(LOCATION, HeaderValue::from_static("/y"));
        let decision = next(
            &prev,
            None,
            true,
            StatusCode::TEMPORARY_REDIRECT,
            &headers,
            &[],
        )
        .unwrap();
        assert!(matches!(decision, Next::Stop));
    }

    #[test]
    fn credentials_are_dropped_across_origins_and_on_downgrade() {
        let same = follow(&hop(Method::GET, "https://a.test/x", false), 302, "/y");
        assert!(same.headers.contains_key(AUTHORIZATION));
        for to in [
            "https://b.test/y",
            "https://a.test:8443/y",
            "http://a.test/y",
        ] {
            let next = follow(&hop(Method::GET, "https://a.test/x", false), 302, to);
            for name in [AUTHORIZATION, COOKIE, PROXY_AUTHORIZATION] {
                assert!(
                    !next.headers.contains_key(&name),
                    "{name} kept going to {to}"
                );
            }
        }
    }

    #[test]
    fn userinfo_in_a_location_is_dropped() {
        for to in ["http://u:p@a.test/y", "http://u:p@b.test/y", "//u@a.test/y"] {
            let next = follow(&hop(Method::GET, "http://a.test/x", false), 302, to);
            assert!(next.url.username().is_empty(), "{to}");
            assert!(next.url.password().is_none(), "{to}");
            assert_eq!(next.url.path(), "/y");
        }
    }

    #[test]
    fn declared_and_marked_sensitive_headers_stay_with_their_origin() {
        let mut prev = hop(Method::GET, "https://a.test/x", false);
        prev.headers
            .insert("x-api-key", HeaderValue::from_static("k"));
        let mut marked = HeaderValue::from_static("m");
        marked.set_sensitive(true);
        prev.headers.insert("x-token", marked);
        let mut headers = HeaderMap::new();
        headers.insert(LOCATION, HeaderValue::from_static("https://b.test/y"));
        let declared = [HeaderName::from_static("x-api-key")];
        let Next::Follow { hop: next, .. } =
            next(&prev, None, false, StatusCode::FOUND, &headers, &declared).unwrap()
        else {
            panic!("stopped");
        };
        assert!(!next.headers.contains_key("x-api-key"));
        assert!(!next.headers.contains_key("x-token"));
        assert!(next.headers.contains_key(CONTENT_TYPE));
        let same = follow(&prev, 302, "/z");
        assert!(same.headers.contains_key("x-api-key") && same.headers.contains_key("x-token"));
    }

    #[test]
    fn fragments_carry_over_and_bad_locations_fail() {
        let next = follow(&hop(Method::GET, "http://a.test/x#frag", false), 302, "/y");
        assert_eq!(next.url.as_str(), "http://a.test/y#frag");
        let mut headers = HeaderMap::new();
        headers.insert(LOCATION, HeaderValue::from_static("ftp://a.test/"));
        let prev = hop(Method::GET, "http://a.test/x", false);
        let err = next_err(&prev, &headers);
        assert_eq!(err.kind(), ErrorKind::UnsupportedProtocol);
        headers.insert(LOCATION, HeaderValue::from_static("http://[::1/"));
        assert_eq!(next_err(&prev, &headers).kind(), ErrorKind::InvalidUrl);
    }

    fn next_err(prev: &Hop, headers: &HeaderMap) -> Error {
        match next(prev, None, false, StatusCode::FOUND, headers, &[]) {
            Err(e) => e,
            Ok(_) => panic!("expected an error"),
        }
    }
}
