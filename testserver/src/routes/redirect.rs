//! Redirect chains, arbitrary redirects and a redirect loop.

use http::header::{HeaderValue, LOCATION, SET_COOKIE};
use http::{Request, StatusCode};
use serde_json::json;

use super::error::{RouteError, RouteResult};
use super::request::{origin, parse_number, query_pairs};
use crate::body;
use crate::state::ConnCtx;

/// `/redirect/{n}`: 302 to `/redirect/{n-1}`, and `/redirect/0` to `/echo`.
pub(super) fn relative(n: &str) -> RouteResult {
    found(StatusCode::FOUND, &next_hop(n)?)
}

/// `/absolute-redirect/{n}`: the same chain with absolute URLs on this listener.
pub(super) fn absolute<B>(req: &Request<B>, ctx: &ConnCtx, n: &str) -> RouteResult {
    let next = next_hop(n)?.replacen("/redirect/", "/absolute-redirect/", 1);
    found(StatusCode::FOUND, &format!("{}{next}", origin(req, ctx)))
}

/// `/redirect-to?url=U&status_code=S&set_cookie=N=V`: a redirect to any URL.
pub(super) fn to<B>(req: &Request<B>) -> RouteResult {
    let mut url = None;
    let mut status = StatusCode::FOUND;
    let mut cookies = Vec::new();
    for (key, value) in query_pairs(req) {
        match key.as_str() {
            "url" => url = Some(value),
            "status_code" => {
                let code: u16 = parse_number(&value, "status_code")?;
                status = match StatusCode::from_u16(code) {
                    Ok(s) if s.is_redirection() => s,
                    _ => {
                        let message = format!("status_code must be 300-399, not {code}");
                        return Err(RouteError::bad(message));
                    }
                };
            }
            "set_cookie" => match HeaderValue::from_str(&value) {
                Ok(cookie) => cookies.push(cookie),
                Err(_) => return Err(RouteError::bad("set_cookie is not a valid header value")),
            },
            _ => {}
        }
    }
    let Some(url) = url else {
        return Err(RouteError::bad("missing url parameter"));
    };
    let mut response = found(status, &url)?;
    for cookie in cookies {
        response.headers_mut().append(SET_COOKIE, cookie);
    }
    Ok(response)
}

/// `/redirect-loop`: 302 to itself, forever.
pub(super) fn to_itself() -> RouteResult {
    found(StatusCode::FOUND, "/redirect-loop")
}

/// The Location after `/redirect/{n}`.
fn next_hop(n: &str) -> Result<String, RouteError> {
    let n: u64 = parse_number(n, "redirect count")?;
    Ok(match n {
        0 => "/echo".to_owned(),
        n => format!("/redirect/{}", n - 1),
    })
}

/// A redirect to `location` with a small JSON body naming it (none for 304, which has none).
fn found(status: StatusCode, location: &str) -> RouteResult {
    let Ok(value) = HeaderValue::from_str(location) else {
        return Err(RouteError::bad(
            "redirect target is not a valid header value",
        ));
    };
    let mut response = if status == StatusCode::NOT_MODIFIED {
        body::status_only(status)
    } else {
        body::json(status, &json!({ "location": location }))
    };
    response.headers_mut().insert(LOCATION, value);
    Ok(response)
}
