//! `/flaky/{key}/{failures}?status=S&retry_after=V`: fails the first `failures` requests
//! for `key` (status S, default 503, with `Retry-After: V` when given), then answers 200
//! with `{"key", "attempt"}`. Counted per key across the whole process, so a test picks a
//! key of its own; retries are tested against it.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use http::header::{HeaderValue, RETRY_AFTER};
use http::{Request, StatusCode};
use serde_json::json;

use super::error::{RouteError, RouteResult};
use super::request::{parse_number, query_pairs};
use crate::body;

static ATTEMPTS: Mutex<Option<HashMap<String, u64>>> = Mutex::new(None);

/// Keys kept at most: a long-running server forgets old ones rather than grow.
const MAX_KEYS: usize = 10_000;

pub(super) fn flaky<B>(req: &Request<B>, key: &str, failures: &str) -> RouteResult {
    let failures: u64 = parse_number(failures, "failures")?;
    let mut status = StatusCode::SERVICE_UNAVAILABLE;
    let mut retry_after = None;
    for (name, value) in query_pairs(req) {
        match name.as_str() {
            "status" => {
                let code: u16 = parse_number(&value, "status")?;
                status = StatusCode::from_u16(code)
                    .ok()
                    .filter(|s| (200..=599).contains(&s.as_u16()))
                    .ok_or_else(|| {
                        RouteError::bad(format!("status must be 200-599, not {code}"))
                    })?;
            }
            "retry_after" => {
                let value = HeaderValue::from_str(&value)
                    .map_err(|_| RouteError::bad("retry_after is not a header value"))?;
                retry_after = Some(value);
            }
            _ => {}
        }
    }
    let attempt = {
        let mut guard = ATTEMPTS.lock().unwrap_or_else(PoisonError::into_inner);
        let map = guard.get_or_insert_with(HashMap::new);
        if map.len() >= MAX_KEYS && !map.contains_key(key) {
            map.clear();
        }
        let count = map.entry(key.to_owned()).or_default();
        *count += 1;
        *count
    };
    let failing = attempt <= failures;
    let mut response = body::json(
        if failing { status } else { StatusCode::OK },
        &json!({ "key": key, "attempt": attempt }),
    );
    if failing && let Some(value) = retry_after {
        response.headers_mut().insert(RETRY_AFTER, value);
    }
    Ok(response)
}
