//! CORS headers on every response, so browser tests (wasm code using fetch) can read them.

use http::header::{
    ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE,
    ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD, HeaderMap, HeaderName,
    HeaderValue, ORIGIN, SET_COOKIE, VARY,
};
use http::{Method, Response, StatusCode};

use crate::body::{Body, status_only};

const ALLOWED_METHODS: &str = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, TRACE";

/// Exposed by name as well as by `*`: a credentialed request (`credentials: "include"`)
/// treats `*` as a literal header name, so only named headers reach the script there.
const EXPOSED: &[&str] = &[
    "location",
    "www-authenticate",
    "content-encoding",
    "content-length",
    "content-type",
    "content-disposition",
    "x-connection-id",
    "date",
    "etag",
    "last-modified",
    "retry-after",
];

/// The request headers CORS answers depend on, taken before the request is consumed.
pub(crate) struct Cors {
    origin: Option<HeaderValue>,
    request_headers: Option<HeaderValue>,
    request_method: Option<HeaderValue>,
}

impl Cors {
    pub(crate) fn from_request(headers: &HeaderMap) -> Cors {
        Cors {
            origin: headers.get(ORIGIN).cloned(),
            request_headers: headers.get(ACCESS_CONTROL_REQUEST_HEADERS).cloned(),
            request_method: headers.get(ACCESS_CONTROL_REQUEST_METHOD).cloned(),
        }
    }

    /// A preflight is an `OPTIONS` naming the method it asks for; a plain `OPTIONS` is routed.
    pub(crate) fn is_preflight(&self, method: &Method) -> bool {
        method == Method::OPTIONS && self.request_method.is_some()
    }

    /// The answer to a preflight, on any path: 204 (CORS headers come from [`Cors::apply`]).
    pub(crate) fn preflight(&self) -> Response<Body> {
        let mut response = status_only(StatusCode::NO_CONTENT);
        response
            .headers_mut()
            .insert(ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
        response
    }

    /// Adds the CORS headers to `response`.
    pub(crate) fn apply(&self, response: &mut Response<Body>) {
        let expose = expose_list(response.headers());
        let headers = response.headers_mut();
        let origin = self.origin.clone().unwrap_or(HeaderValue::from_static("*"));
        headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        headers.insert(
            ACCESS_CONTROL_ALLOW_CREDENTIALS,
            HeaderValue::from_static("true"),
        );
        let allow_headers = self
            .request_headers
            .clone()
            .unwrap_or(HeaderValue::from_static("*"));
        headers.insert(ACCESS_CONTROL_ALLOW_HEADERS, allow_headers);
        headers.insert(ACCESS_CONTROL_ALLOW_METHODS, self.allow_methods());
        if let Ok(expose) = HeaderValue::from_str(&expose) {
            headers.insert(ACCESS_CONTROL_EXPOSE_HEADERS, expose);
        }
        // Lets a page of another origin read this response's resource timing, where
        // browsers record the HTTP version (`nextHopProtocol`).
        headers.insert(
            HeaderName::from_static("timing-allow-origin"),
            HeaderValue::from_static("*"),
        );
        // The allowed origin varies with the request's, so caches must key on it.
        headers.append(VARY, HeaderValue::from_static("Origin"));
    }

    /// The common methods, plus whatever non-standard method a preflight asks for.
    fn allow_methods(&self) -> HeaderValue {
        let requested = self
            .request_method
            .as_ref()
            .and_then(|m| m.to_str().ok())
            .filter(|m| {
                !ALLOWED_METHODS
                    .split(", ")
                    .any(|known| known.eq_ignore_ascii_case(m))
            });
        match requested {
            Some(extra) => HeaderValue::from_str(&format!("{ALLOWED_METHODS}, {extra}"))
                .unwrap_or(HeaderValue::from_static(ALLOWED_METHODS)),
            None => HeaderValue::from_static(ALLOWED_METHODS),
        }
    }
}

/// `*`, the fixed list, and every header this response carries (e.g. those asked of
/// `/response-headers`), except `Set-Cookie`, which fetch never exposes anyway.
fn expose_list(headers: &HeaderMap) -> String {
    let mut names: Vec<&str> = vec!["*"];
    names.extend_from_slice(EXPOSED);
    for name in headers.keys() {
        let name = name.as_str();
        if name != SET_COOKIE.as_str()
            && !name.starts_with("access-control-")
            && !names.contains(&name)
        {
            names.push(name);
        }
    }
    names.join(", ")
}
