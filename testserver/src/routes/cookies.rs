//! `/cookies`, `/cookies/set`, `/cookies/delete`.

use http::header::{COOKIE, HeaderValue, SET_COOKIE};
use http::{Request, Response, StatusCode};
use serde_json::{Map, Value, json};

use super::error::{RouteError, RouteResult};
use super::request::{decode_segment, query_pairs};
use crate::body::{self, Body};

/// `/cookies`: the request's cookies as JSON.
pub(super) fn list<B>(req: &Request<B>) -> Response<Body> {
    body::json(
        StatusCode::OK,
        &json!({ "cookies": Value::Object(request_cookies(req)) }),
    )
}

/// `/cookies/set?name=value&...`: one `Set-Cookie` (Path=/) per pair.
pub(super) fn set_from_query<B>(req: &Request<B>) -> RouteResult {
    set(query_pairs(req))
}

/// `/cookies/set/{name}/{value}`.
pub(super) fn set_one(name: &str, value: &str) -> RouteResult {
    set(vec![(decode_segment(name)?, decode_segment(value)?)])
}

/// `/cookies/delete?name&...`: expires each named cookie; answers with the cookies left.
pub(super) fn delete<B>(req: &Request<B>) -> RouteResult {
    let names: Vec<String> = query_pairs(req).into_iter().map(|(k, _)| k).collect();
    let mut headers = Vec::new();
    for name in &names {
        let expired = format!("{name}=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/");
        headers.push(cookie_header(name, "", &expired)?);
    }
    let mut left = request_cookies(req);
    left.retain(|name, _| !names.contains(name));
    let mut response = body::json(StatusCode::OK, &json!({ "cookies": Value::Object(left) }));
    for value in headers {
        response.headers_mut().append(SET_COOKIE, value);
    }
    Ok(response)
}

fn set(pairs: Vec<(String, String)>) -> RouteResult {
    let mut headers = Vec::new();
    let mut set = Map::new();
    for (name, value) in pairs {
        headers.push(cookie_header(
            &name,
            &value,
            &format!("{name}={value}; Path=/"),
        )?);
        set.insert(name, Value::String(value));
    }
    let mut response = body::json(StatusCode::OK, &json!({ "cookies": Value::Object(set) }));
    for value in headers {
        response.headers_mut().append(SET_COOKIE, value);
    }
    Ok(response)
}

/// The `Set-Cookie` value `header` for cookie `name`=`value`, once both are checked.
fn cookie_header(name: &str, value: &str, header: &str) -> Result<HeaderValue, RouteError> {
    let invalid = || RouteError::bad(format!("invalid cookie {name:?}={value:?}"));
    if !valid_name(name) || !valid_value(value) {
        return Err(invalid());
    }
    HeaderValue::from_str(header).map_err(|_| invalid())
}

/// Cookies from every `Cookie` header (HTTP/2 clients may send one per cookie).
fn request_cookies<B>(req: &Request<B>) -> Map<String, Value> {
    let mut cookies = Map::new();
    for header in req.headers().get_all(COOKIE) {
        let text = String::from_utf8_lossy(header.as_bytes());
        for pair in text.split(';') {
            if let Some((name, value)) = pair.split_once('=') {
                cookies.insert(
                    name.trim().to_owned(),
                    Value::String(value.trim().to_owned()),
                );
            }
        }
    }
    cookies
}

/// RFC 6265 cookie-name: a token.
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?={}".contains(&b))
}

/// RFC 6265 cookie-octets (no quotes handling: plain values only).
fn valid_value(value: &str) -> bool {
    value
        .bytes()
        .all(|b| b.is_ascii_graphic() && !b"\",;\\".contains(&b))
}
