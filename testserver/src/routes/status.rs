//! `/status/{code}`: an empty response with the asked status.

use http::StatusCode;
use http::header::{HeaderValue, WWW_AUTHENTICATE};

use super::error::{RouteError, RouteResult};
use super::request::parse_number;
use crate::body::status_only;

/// The Basic challenge sent with every 401 of the Basic family.
pub(super) const BASIC_CHALLENGE: &str = "Basic realm=\"test\"";

/// Any final status 200-599; 1xx cannot be a final response, so it is a 400 like garbage.
pub(super) fn status(code: &str) -> RouteResult {
    let code: u16 = parse_number(code, "status code")?;
    let status = match StatusCode::from_u16(code) {
        Ok(status) if (200..=599).contains(&code) => status,
        _ => {
            let message = format!("status code must be 200-599, not {code}");
            return Err(RouteError::bad(message));
        }
    };
    let mut response = status_only(status);
    if status == StatusCode::UNAUTHORIZED {
        response
            .headers_mut()
            .insert(WWW_AUTHENTICATE, HeaderValue::from_static(BASIC_CHALLENGE));
    }
    Ok(response)
}
