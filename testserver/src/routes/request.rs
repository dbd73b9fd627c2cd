//! Reading the parts of a request that several routes need, without trusting any of them.

use std::str::FromStr;

use http::header::HOST;
use http::{HeaderMap, Request, Version};
use serde_json::{Map, Value};

use super::error::RouteError;
use crate::state::ConnCtx;

/// The query string's pairs, decoded, in order (repeats kept).
pub(super) fn query_pairs<B>(req: &Request<B>) -> Vec<(String, String)> {
    let query = req.uri().query().unwrap_or("");
    form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The first value of query parameter `key`.
pub(super) fn query_value<B>(req: &Request<B>, key: &str) -> Option<String> {
    query_pairs(req)
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
}

/// Inserts `key: value`; a repeated key turns its value into an array of all values.
pub(super) fn insert_multi(map: &mut Map<String, Value>, key: String, value: Value) {
    match map.get_mut(&key) {
        None => {
            map.insert(key, value);
        }
        Some(Value::Array(values)) => values.push(value),
        Some(existing) => {
            let first = existing.take();
            *existing = Value::Array(vec![first, value]);
        }
    }
}

/// Pairs as a JSON object of strings (arrays of strings for repeated keys).
pub(super) fn pairs_to_json(pairs: Vec<(String, String)>) -> Value {
    let mut map = Map::new();
    for (k, v) in pairs {
        insert_multi(&mut map, k, Value::String(v));
    }
    Value::Object(map)
}

/// Headers as a JSON object: lower-case names, repeated values joined with ", ".
pub(super) fn headers_json(headers: &HeaderMap) -> Value {
    let mut map = Map::new();
    for name in headers.keys() {
        let joined = headers
            .get_all(name)
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .collect::<Vec<_>>()
            .join(", ");
        map.insert(name.as_str().to_owned(), Value::String(joined));
    }
    Value::Object(map)
}

/// A percent-decoded path segment; a 400 when it is not UTF-8.
pub(super) fn decode_segment(segment: &str) -> Result<String, RouteError> {
    percent_encoding::percent_decode_str(segment)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| RouteError::bad(format!("path segment {segment:?} is not UTF-8")))
}

/// Parses a number from a path segment or query value; a 400 naming `what` when it is not one.
pub(super) fn parse_number<T: FromStr>(text: &str, what: &str) -> Result<T, RouteError> {
    text.parse()
        .map_err(|_| RouteError::bad(format!("invalid {what}: {text:?}")))
}

/// Parses query parameter `key` as a number, `default` when absent.
pub(super) fn query_number<T: FromStr, B>(
    req: &Request<B>,
    key: &str,
    default: T,
) -> Result<T, RouteError> {
    match query_value(req, key) {
        Some(value) => parse_number(&value, key),
        None => Ok(default),
    }
}

/// `"HTTP/1.1"`, `"HTTP/2"`, ...
pub(super) fn version_name(version: Version) -> &'static str {
    match version {
        Version::HTTP_09 => "HTTP/0.9",
        Version::HTTP_10 => "HTTP/1.0",
        Version::HTTP_11 => "HTTP/1.1",
        Version::HTTP_2 => "HTTP/2",
        Version::HTTP_3 => "HTTP/3",
        _ => "unknown",
    }
}

/// `scheme://authority` as the client addressed this server: the HTTP/2 `:authority` or
/// the `Host` header, else the listener's own address.
pub(super) fn origin<B>(req: &Request<B>, ctx: &ConnCtx) -> String {
    let authority = req
        .uri()
        .authority()
        .map(|a| a.as_str().to_owned())
        .or_else(|| {
            req.headers()
                .get(HOST)
                .and_then(|h| h.to_str().ok())
                .map(str::to_owned)
        })
        .unwrap_or_else(|| ctx.local_addr.clone());
    format!("{}://{authority}", ctx.scheme)
}

/// The request's full URL, query included.
pub(super) fn full_url<B>(req: &Request<B>, ctx: &ConnCtx) -> String {
    let target = req.uri().path_and_query().map_or("/", |pq| pq.as_str());
    format!("{}{target}", origin(req, ctx))
}

/// The request target as sent: path and query (what digest's `uri` must match).
pub(super) fn target<B>(req: &Request<B>) -> &str {
    req.uri().path_and_query().map_or("/", |pq| pq.as_str())
}
