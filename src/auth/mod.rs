//! Authentication: Basic, Bearer, and (with the `digest` feature) Digest's challenge and
//! response.

#[cfg(feature = "digest")]
mod digest;

use std::fmt;

use base64::Engine;
use http::{HeaderMap, HeaderValue, Method};
use url::Url;

#[cfg(feature = "digest")]
pub use digest::DigestAuth;

/// How to authenticate a request: httpx's `auth=`.
///
/// `("user", "passwd")` converts to [`Auth::Basic`], a `DigestAuth` to `Auth::Digest` (with
/// the `digest` feature, on by default).
/// Credentials are only sent to the origin (scheme, host, port) of the request they were
/// given for; a redirect elsewhere drops them.
///
/// # Examples
/// ```
/// use httplib::Auth;
///
/// let basic: Auth = ("user", "passwd").into();
/// let bearer = Auth::bearer("TOKEN");
/// assert!(matches!(basic, Auth::Basic { .. }));
/// # let _ = bearer;
/// # #[cfg(feature = "digest")]
/// let digest: Auth = httplib::DigestAuth::new("user", "passwd").into();
/// # #[cfg(feature = "digest")]
/// # let _ = digest;
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub enum Auth {
    /// HTTP Basic: the user and password in every request, base64-encoded.
    Basic {
        /// The user name.
        username: String,
        /// The password.
        password: String,
    },
    /// A bearer token: `Authorization: Bearer TOKEN`.
    Bearer(String),
    /// HTTP Digest (RFC 7616): the password never leaves the client. With the `digest`
    /// feature (on by default).
    #[cfg(feature = "digest")]
    Digest(DigestAuth),
}

impl Auth {
    /// Basic auth.
    ///
    /// # Examples
    /// ```
    /// use httplib::Auth;
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # let mock = MockBackend::new();
    /// let client = httplib::Client::builder().backend(mock.clone()).build()?;
    ///
    /// client.get("http://api.test/me").auth(Auth::basic("user", "passwd")).send_blocking()?;
    /// assert_eq!(mock.requests()[0].headers["authorization"], "Basic dXNlcjpwYXNzd2Q=");
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn basic(username: impl Into<String>, password: impl Into<String>) -> Auth {
        Auth::Basic {
            username: username.into(),
            password: password.into(),
        }
    }

    /// Bearer token auth.
    ///
    /// # Examples
    /// ```
    /// use httplib::Auth;
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # let mock = MockBackend::new();
    ///
    /// let client = httplib::Client::builder()
    ///     .auth(Auth::bearer("TOKEN"))
    ///     .backend(mock.clone())
    ///     .build()?;
    /// client.get("http://api.test/me").send_blocking()?;
    /// assert_eq!(mock.requests()[0].headers["authorization"], "Bearer TOKEN");
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn bearer(token: impl Into<String>) -> Auth {
        Auth::Bearer(token.into())
    }

    /// The `Authorization` header to send up front, before any challenge. Digest sends one
    /// only once a challenge from the same origin is known.
    #[cfg_attr(not(feature = "digest"), allow(unused_variables))]
    pub(crate) fn header(&self, method: &Method, url: &Url) -> Option<HeaderValue> {
        let value = match self {
            Auth::Basic { username, password } => {
                let encoded = base64::engine::general_purpose::STANDARD
                    .encode(format!("{username}:{password}"));
                format!("Basic {encoded}")
            }
            Auth::Bearer(token) => format!("Bearer {token}"),
            #[cfg(feature = "digest")]
            Auth::Digest(digest) => return digest.header(method, url),
        };
        sensitive(value)
    }

    /// The `Authorization` header answering a 401's challenge, when this auth can answer it
    /// (Digest only: Basic and Bearer were sent already).
    ///
    /// # Errors
    /// As `DigestAuth::respond`.
    #[cfg_attr(not(feature = "digest"), allow(unused_variables))]
    pub(crate) fn respond(
        &self,
        method: &Method,
        url: &Url,
        response_headers: &HeaderMap,
    ) -> crate::Result<Option<HeaderValue>> {
        #[cfg(feature = "digest")]
        if let Auth::Digest(digest) = self {
            return digest.respond(method, url, response_headers);
        }
        Ok(None)
    }

    /// True when a 401 may be answered by sending the request again.
    #[cfg(feature = "digest")]
    pub(crate) fn answers_challenges(&self) -> bool {
        matches!(self, Auth::Digest(_))
    }

    /// Never without Digest: Basic and Bearer do not answer challenges.
    #[cfg(not(feature = "digest"))]
    pub(crate) fn answers_challenges(&self) -> bool {
        false
    }
}

/// A header value marked sensitive, so that it is left out of debug output and HTTP/2
/// header compression tables. `None` for a value with CR/LF (refused rather than sent).
pub(crate) fn sensitive(value: String) -> Option<HeaderValue> {
    let mut value = HeaderValue::try_from(value).ok()?;
    value.set_sensitive(true);
    Some(value)
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Auth::Basic { username, .. } => write!(f, "Auth::Basic({username:?}, ***)"),
            Auth::Bearer(_) => f.write_str("Auth::Bearer(***)"),
            #[cfg(feature = "digest")]
            Auth::Digest(d) => write!(f, "Auth::{d:?}"),
        }
    }
}

impl From<(&str, &str)> for Auth {
    fn from((username, password): (&str, &str)) -> Auth {
        Auth::basic(username, password)
    }
}

impl From<(String, String)> for Auth {
    fn from((username, password): (String, String)) -> Auth {
        Auth::basic(username, password)
    }
}

#[cfg(feature = "digest")]
impl From<DigestAuth> for Auth {
    fn from(digest: DigestAuth) -> Auth {
        Auth::Digest(digest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_and_bearer_headers_are_sensitive() {
        let url = Url::parse("http://a.test/").unwrap();
        let basic = Auth::from(("user", "passwd"))
            .header(&Method::GET, &url)
            .unwrap();
        assert_eq!(basic, "Basic dXNlcjpwYXNzd2Q=");
        assert!(basic.is_sensitive());
        let bearer = Auth::bearer("T").header(&Method::GET, &url).unwrap();
        assert_eq!(bearer, "Bearer T");
        assert!(bearer.is_sensitive());
        assert!(
            Auth::bearer("bad\r\nX: y")
                .header(&Method::GET, &url)
                .is_none()
        );
        assert!(!format!("{:?}", Auth::from(("u", "secret"))).contains("secret"));
    }
}
