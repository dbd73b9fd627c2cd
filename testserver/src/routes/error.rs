//! How a route fails: a malformed request (400) or an abort (no response at all).

use http::Response;

use crate::body::{Body, BoxError, bad_request};

/// What a route returns.
pub(super) type RouteResult = Result<Response<Body>, RouteError>;

/// A route's failure.
#[derive(Debug)]
pub(super) enum RouteError {
    /// The request is malformed: answered 400 with a JSON `{"error": message}`.
    BadRequest(String),
    /// Drop the connection (HTTP/1.1) or reset the stream (HTTP/2) without answering:
    /// the client went away mid-body, or the route misbehaves on purpose.
    Abort(BoxError),
}

impl RouteError {
    pub(super) fn bad(message: impl Into<String>) -> RouteError {
        RouteError::BadRequest(message.into())
    }

    /// The 400 response, or the error to hand to hyper.
    pub(super) fn into_response(self) -> Result<Response<Body>, BoxError> {
        match self {
            RouteError::BadRequest(message) => Ok(bad_request(message)),
            RouteError::Abort(error) => Err(error),
        }
    }
}

impl From<hyper::Error> for RouteError {
    fn from(error: hyper::Error) -> RouteError {
        RouteError::Abort(error.into())
    }
}

impl From<BoxError> for RouteError {
    fn from(error: BoxError) -> RouteError {
        RouteError::Abort(error)
    }
}
