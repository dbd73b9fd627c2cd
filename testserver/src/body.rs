//! The response body type shared by all routes, and small response builders.

use bytes::Bytes;
use futures_util::{Stream, TryStreamExt};
use http::header::{CONTENT_TYPE, HeaderValue};
use http::{Response, StatusCode};
use http_body::Frame;
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Empty, Full, StreamBody};

/// Errors crossing hyper's boundaries (a body error aborts the connection or stream).
pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Every route answers with this body: boxed so streaming and fixed bodies mix freely.
/// `Unsync` because streams built from futures are rarely `Sync`, and hyper needs only `Send`.
pub(crate) type Body = UnsyncBoxBody<Bytes, BoxError>;

pub(crate) fn empty() -> Body {
    Empty::new().map_err(|never| match never {}).boxed_unsync()
}

pub(crate) fn full(data: impl Into<Bytes>) -> Body {
    Full::new(data.into())
        .map_err(|never| match never {})
        .boxed_unsync()
}

/// A body whose data frames come from `stream`, with no known length (chunked on HTTP/1.1).
pub(crate) fn from_stream<S>(stream: S) -> Body
where
    S: Stream<Item = Result<Bytes, BoxError>> + Send + 'static,
{
    StreamBody::new(stream.map_ok(Frame::data)).boxed_unsync()
}

/// A response with `status` and an empty body.
pub(crate) fn status_only(status: StatusCode) -> Response<Body> {
    let mut response = Response::new(empty());
    *response.status_mut() = status;
    response
}

/// A pretty-printed JSON response.
pub(crate) fn json(status: StatusCode, value: &serde_json::Value) -> Response<Body> {
    // Serializing a `Value` cannot fail: its keys are always strings.
    let mut text = serde_json::to_vec_pretty(value).unwrap_or_default();
    text.push(b'\n');
    with_type(status, "application/json", text)
}

/// A response with a fixed body and `Content-Type`.
pub(crate) fn with_type(
    status: StatusCode,
    content_type: &'static str,
    data: impl Into<Bytes>,
) -> Response<Body> {
    let mut response = Response::new(full(data));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// 400 with a JSON `{"error": message}`: the answer to any malformed request.
pub(crate) fn bad_request(message: impl Into<String>) -> Response<Body> {
    json(
        StatusCode::BAD_REQUEST,
        &serde_json::json!({ "error": message.into() }),
    )
}
