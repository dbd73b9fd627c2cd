//! hyper's errors in the crate's terms.

use crate::error::{Error, ErrorKind};

/// Classifies a hyper error by what happened, keeping it as the source. An error of the
/// request body that is one of ours (a file that could not be read) keeps its own kind.
pub(crate) fn from_hyper(e: hyper::Error) -> Error {
    if let Some(ours) = find_ours(&e) {
        return ours;
    }
    let (kind, message) = if e.is_incomplete_message() {
        (
            ErrorKind::Read,
            "the server closed the connection before the response was complete",
        )
    } else if e.is_parse_status() {
        (ErrorKind::Protocol, "the response has an invalid status")
    } else if e.is_parse() {
        (
            ErrorKind::Protocol,
            "the server sent something that is not a valid HTTP response",
        )
    } else if e.is_body_write_aborted() || e.is_user() {
        (ErrorKind::Write, "sending the request body failed")
    } else if e.is_canceled() || e.is_closed() {
        (ErrorKind::Read, "the connection was closed")
    } else if e.is_timeout() {
        (ErrorKind::ReadTimeout, "hyper timed out")
    } else if let Some(kind) = http2_failure(&e) {
        kind
    } else if let Some(io) = find::<std::io::Error>(&e) {
        match io.kind() {
            std::io::ErrorKind::UnexpectedEof => (
                ErrorKind::Read,
                "the server closed the connection before the body was complete",
            ),
            std::io::ErrorKind::ConnectionReset => {
                (ErrorKind::Read, "the server reset the connection")
            }
            std::io::ErrorKind::BrokenPipe => (
                ErrorKind::Write,
                "the server closed the connection while the request was sent",
            ),
            _ => (ErrorKind::Read, "the connection failed"),
        }
    } else {
        (ErrorKind::Read, "the connection failed")
    };
    Error::new(kind, message).with_source(e)
}

/// The first error of ours in `e`'s chain, rebuilt with its kind and message.
fn find_ours(e: &hyper::Error) -> Option<Error> {
    find::<Error>(e).map(Error::detach)
}

/// True when the server refused an HTTP/2 stream without processing it (over its stream
/// limit, or going away): safe to send again, whatever the method.
#[cfg(feature = "http2")]
pub(crate) fn is_refused_stream(e: &hyper::Error) -> bool {
    find::<h2::Error>(e).is_some_and(|h2| {
        h2.reason() == Some(h2::Reason::REFUSED_STREAM)
            || (h2.is_go_away() && h2.reason() == Some(h2::Reason::NO_ERROR))
    })
}

#[cfg(not(feature = "http2"))]
pub(crate) fn is_refused_stream(_: &hyper::Error) -> bool {
    false
}

/// An HTTP/2 failure's kind and message: its connection's I/O, or a reset.
#[cfg(feature = "http2")]
fn http2_failure(e: &hyper::Error) -> Option<(ErrorKind, &'static str)> {
    let h2 = find::<h2::Error>(e)?;
    Some(if h2.is_io() {
        (ErrorKind::Read, "the HTTP/2 connection failed")
    } else {
        (
            ErrorKind::Protocol,
            "the HTTP/2 stream or connection was reset",
        )
    })
}

#[cfg(not(feature = "http2"))]
fn http2_failure(_: &hyper::Error) -> Option<(ErrorKind, &'static str)> {
    None
}

fn find<T: std::error::Error + 'static>(e: &hyper::Error) -> Option<&T> {
    let mut source = std::error::Error::source(e);
    while let Some(err) = source {
        if let Some(found) = err.downcast_ref::<T>() {
            return Some(found);
        }
        source = err.source();
    }
    None
}
