//! `/basic-auth/{user}/{passwd}` and `/bearer`.

use base64::Engine;
use http::header::{AUTHORIZATION, HeaderValue, WWW_AUTHENTICATE};
use http::{Request, Response, StatusCode};
use serde_json::json;

use super::error::RouteResult;
use super::request::decode_segment;
use super::status::BASIC_CHALLENGE;
use crate::body::{self, Body};

/// 200 when the Basic credentials are `user`:`passwd` (path segments, percent-decoded).
pub(super) fn basic<B>(req: &Request<B>, user: &str, passwd: &str) -> RouteResult {
    let (user, passwd) = (decode_segment(user)?, decode_segment(passwd)?);
    let given = credentials(req, "basic")
        .and_then(|b64| base64::engine::general_purpose::STANDARD.decode(b64).ok())
        .and_then(|raw| String::from_utf8(raw).ok());
    let matches = given
        .as_deref()
        .and_then(|text| text.split_once(':'))
        .is_some_and(|(u, p)| u == user && p == passwd);
    Ok(if matches {
        body::json(
            StatusCode::OK,
            &json!({ "authenticated": true, "user": user }),
        )
    } else {
        unauthorized(BASIC_CHALLENGE)
    })
}

/// 200 with any `Authorization: Bearer <token>`.
pub(super) fn bearer<B>(req: &Request<B>) -> Response<Body> {
    match credentials(req, "bearer") {
        Some(token) if !token.is_empty() => body::json(
            StatusCode::OK,
            &json!({ "authenticated": true, "token": token }),
        ),
        _ => unauthorized("Bearer"),
    }
}

/// The credentials after `scheme` (case-insensitive) in the `Authorization` header.
pub(super) fn credentials<'r, B>(req: &'r Request<B>, scheme: &str) -> Option<&'r str> {
    let header = req.headers().get(AUTHORIZATION)?.to_str().ok()?.trim();
    let (given, rest) = header.split_once(' ')?;
    given.eq_ignore_ascii_case(scheme).then_some(rest.trim())
}

fn unauthorized(challenge: &'static str) -> Response<Body> {
    let mut response = body::json(StatusCode::UNAUTHORIZED, &json!({ "authenticated": false }));
    response
        .headers_mut()
        .insert(WWW_AUTHENTICATE, HeaderValue::from_static(challenge));
    response
}
