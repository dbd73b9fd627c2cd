//! [`Proxy`]: which requests go through which proxy. The native backend connects through
//! it (`backend/native/proxy.rs`); on wasm32 the platform owns proxies.

use std::fmt;

use url::Url;

use crate::error::{Error, ErrorKind, Result};

/// A proxy for some of a client's requests: [`http`](Proxy::http) for `http://` URLs,
/// [`https`](Proxy::https) for `https://` ones, [`all`](Proxy::all) for both; added with
/// [`ClientBuilder::proxy`](crate::ClientBuilder::proxy). Credentials in the proxy's URL
/// (`http://user:pass@proxy:3128`) are sent to the proxy as `Proxy-Authorization: Basic`,
/// never to the origin, and never appear in errors or `Debug`.
///
/// Without one, the client reads the environment, as curl does: `HTTP_PROXY`,
/// `HTTPS_PROXY`, `ALL_PROXY` and `NO_PROXY` (and their lowercase forms);
/// [`ClientBuilder::no_proxy`](crate::ClientBuilder::no_proxy) or
/// [`trust_env(false)`](crate::ClientBuilder::trust_env) turn that off.
///
/// Supported: HTTP proxies (`http://`): `http://` requests are sent to the proxy in
/// absolute form, `https://` ones through a `CONNECT` tunnel, the TLS inside it being with
/// the origin; HTTPS proxies (`https://`): the same inside TLS with the proxy itself,
/// verified against the client's roots like an origin (so a private proxy's CA goes to
/// [`add_root_certificate`](crate::ClientBuilder::add_root_certificate)); and, with the
/// `socks` cargo feature, SOCKS5 proxies (`socks5://`, the name resolved here;
/// `socks5h://`, the name sent to the proxy), with username/password auth. Other schemes
/// are a [`Builder`](ErrorKind::Builder) error.
///
/// # Examples
/// ```
/// let proxy = httplib::Proxy::all("http://user:secret@127.0.0.1:3128")?
///     .no_proxy("localhost, .internal, 10.0.0.0/8");
/// assert!(!format!("{proxy:?}").contains("secret"));
/// let client = httplib::Client::builder().proxy(proxy).build()?;
/// # drop(client);
/// # Ok::<(), httplib::Error>(())
/// ```
///
/// # Platform
/// On wasm32 the browser or Node chooses proxies itself: a `Proxy` is accepted and has no
/// effect there.
#[derive(Clone)]
pub struct Proxy {
    pub(crate) scope: Scope,
    pub(crate) url: Url,
    pub(crate) no_proxy: Option<String>,
}

/// Which requests a [`Proxy`] is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scope {
    Http,
    Https,
    All,
}

impl Proxy {
    /// A proxy for `http://` requests.
    ///
    /// # Errors
    /// `url` is not a URL, or not an `http://` one.
    ///
    /// # Examples
    /// ```
    /// let proxy = httplib::Proxy::http("http://127.0.0.1:3128")?;
    /// # drop(proxy);
    /// assert!(httplib::Proxy::http("not a url").is_err());
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn http(url: &str) -> Result<Proxy> {
        Proxy::new(Scope::Http, url)
    }

    /// A proxy for `https://` requests (through a `CONNECT` tunnel).
    ///
    /// # Errors
    /// As [`http`](Proxy::http).
    ///
    /// # Examples
    /// ```
    /// let proxy = httplib::Proxy::https("http://127.0.0.1:3128")?;
    /// # drop(proxy);
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn https(url: &str) -> Result<Proxy> {
        Proxy::new(Scope::Https, url)
    }

    /// A proxy for every request.
    ///
    /// # Errors
    /// As [`http`](Proxy::http).
    ///
    /// # Examples
    /// ```
    /// let proxy = httplib::Proxy::all("http://127.0.0.1:3128")?;
    /// # drop(proxy);
    /// let err = httplib::Proxy::all("socks5://127.0.0.1:1080").unwrap_err();
    /// assert!(err.is_builder());
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn all(url: &str) -> Result<Proxy> {
        Proxy::new(Scope::All, url)
    }

    /// Requests to these hosts go direct: a comma-separated list as `NO_PROXY` has it:
    /// host names (`example.com` also covers its subdomains), domains with a leading dot,
    /// IP addresses, CIDR blocks (`10.0.0.0/8`), or `*` for all.
    ///
    /// # Examples
    /// ```
    /// let proxy = httplib::Proxy::all("http://127.0.0.1:3128")?.no_proxy("localhost,.internal");
    /// # drop(proxy);
    /// # Ok::<(), httplib::Error>(())
    /// ```
    #[must_use]
    pub fn no_proxy(mut self, list: &str) -> Proxy {
        self.no_proxy = Some(list.to_owned());
        self
    }

    fn new(scope: Scope, url: &str) -> Result<Proxy> {
        let url = Url::parse(url).map_err(|e| {
            Error::new(
                ErrorKind::Builder,
                format!(
                    "invalid proxy URL {:?}",
                    crate::credentials::redacted_text(url)
                ),
            )
            .with_source(e)
        })?;
        match url.scheme() {
            "http" => {}
            "https" if cfg!(feature = "rustls") => {}
            "https" => {
                return Err(Error::new(
                    ErrorKind::Builder,
                    "HTTPS proxies need httplib's `rustls` cargo feature",
                ));
            }
            "socks5" | "socks5h" if cfg!(feature = "socks") => {}
            "socks5" | "socks5h" => {
                return Err(Error::new(
                    ErrorKind::Builder,
                    "SOCKS proxies need httplib's `socks` cargo feature",
                ));
            }
            other => {
                return Err(Error::new(
                    ErrorKind::Builder,
                    format!(
                        "proxies of the scheme {other:?} are not supported (http://, https:// and, with the `socks` feature, socks5:// and socks5h://)"
                    ),
                ));
            }
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(Error::new(ErrorKind::Builder, "the proxy URL has no host"));
        }
        Ok(Proxy {
            scope,
            url,
            no_proxy: None,
        })
    }
}

impl fmt::Debug for Proxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Proxy")
            .field("scope", &self.scope)
            .field("url", &crate::credentials::redacted(&self.url).as_str())
            .field("no_proxy", &self.no_proxy)
            .finish()
    }
}
