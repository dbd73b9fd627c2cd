//! Authentication: Basic, Bearer, and Digest's challenge and response.

mod digest;

use std::fmt;

use base64::Engine;
use http::{HeaderMap, HeaderValue, Method};
use url::Url;

pub use digest::DigestAuth;

/// How to authenticate a request: httpx's `auth=`.
///
/// `("user", "passwd")` converts to [`Auth::Basic`], a [`DigestAuth`] to [`Auth::Digest`].
/// Credentials are only sent to the origin (scheme, host, port) of the request they were
/// given for; a redirect elsewhere drops them.
///
/// # Examples
/// ```
/// use httplib::{Auth, DigestAuth};
///
/// let basic: Auth = ("user", "passwd").into();
/// let digest: Auth = DigestAuth::new("user", "passwd").into();
/// let bearer = Auth::bearer("TOKEN");
/// assert!(matches!(basic, Auth::Basic { .. }));
/// # let _ = (digest, bearer);
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
    /// HTTP Digest (RFC 7616): the password never leaves the client.
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
    pub(crate) fn header(&self, method: &Method, url: &Url) -> Option<HeaderValue> {
        let value = match self {
            Auth::Basic { username, password } => {
                let encoded = base64::engine::general_purpose::STANDARD
                    .encode(format!("{username}:{password}"));
                format!("Basic {encoded}")
            }
            Auth::Bearer(token) => format!("Bearer {token}"),
            Auth::Digest(digest) => return digest.header(method, url),
        };
        sensitive(value)
    }

    /// The `Authorization` header answering a 401's challenge, when this auth can answer it
    /// (Digest only: Basic and Bearer were sent already).
    ///
    /// # Errors
    /// As [`DigestAuth::respond`].
    pub(crate) fn respond(
        &self,
        method: &Method,
        url: &Url,
        response_headers: &HeaderMap,
    ) -> crate::Result<Option<HeaderValue>> {
        match self {
            Auth::Digest(digest) => digest.respond(method, url, response_headers),
            _ => Ok(None),
        }
    }

    /// True when a 401 may be answered by sending the request again.
    pub(crate) fn answers_challenges(&self) -> bool {
        matches!(self, Auth::Digest(_))
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
