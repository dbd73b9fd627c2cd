//! The `tracing` feature's crate-private half: one-line macros for the events and span
//! fields that the layers and the native backend report, which expand to nothing (their
//! arguments unevaluated) without the feature, and the URL as it may be recorded.
//!
//! Never recorded: header values (so no `Authorization`, `Cookie` or
//! `Proxy-Authorization`), a URL's userinfo, its query values or its fragment.

#[cfg(feature = "tracing")]
use url::Url;

/// A `DEBUG` event under the `httplib` target, inside the current span (the request's,
/// when the request span layer runs): `event!(field = value, "message")`, as
/// `tracing::debug!` takes them.
#[cfg(feature = "tracing")]
macro_rules! event {
    ($($arg:tt)*) => {
        ::tracing::debug!(target: "httplib", $($arg)*)
    };
}
#[cfg(not(feature = "tracing"))]
macro_rules! event {
    ($($arg:tt)*) => {};
}
pub(crate) use event;

/// Records `field = value` on the span of the logical request that `request` (a
/// [`Request`](crate::Request)) belongs to, if it has one: `record!(request, attempts = n)`.
/// The field must be one the span declares (see `layer::trace`).
#[cfg(feature = "tracing")]
macro_rules! record {
    ($request:expr, $field:ident = $value:expr) => {
        if let Some(span) = $request.extensions.get::<$crate::trace::RequestSpan>() {
            span.0.record(stringify!($field), $value);
        }
    };
}
#[cfg(not(feature = "tracing"))]
macro_rules! record {
    ($($arg:tt)*) => {};
}
pub(crate) use record;

/// The span of a logical request, carried in its extensions so that the layers below
/// record on it even when a user's middleware entered a span of its own.
#[cfg(feature = "tracing")]
#[derive(Clone, Debug)]
pub(crate) struct RequestSpan(pub(crate) tracing::Span);

/// `future`, run inside the span current now: for work handed to another task, which
/// would otherwise report outside the request's span (the native background runtime).
#[cfg(all(feature = "tracing", native))]
pub(crate) fn in_current_span<F: std::future::Future>(
    future: F,
) -> impl std::future::Future<Output = F::Output> {
    tracing::Instrument::in_current_span(future)
}

/// `future` as it is (the `tracing` feature is off).
#[cfg(all(not(feature = "tracing"), native))]
pub(crate) fn in_current_span<F: std::future::Future>(future: F) -> F {
    future
}

/// What a query value (or a query part without a name) is recorded as.
#[cfg(feature = "tracing")]
const HIDDEN: &str = "***";

/// `url` as it may be recorded: no userinfo (a user name alone can be a token), every
/// query value replaced by `***` (names kept), no fragment.
#[cfg(feature = "tracing")]
pub(crate) fn url(url: &Url) -> String {
    let mut shown = url.clone();
    crate::credentials::strip_userinfo(&mut shown);
    shown.set_fragment(None);
    if let Some(query) = url.query() {
        let hidden: Vec<String> = query
            .split('&')
            .map(|part| match part.split_once('=') {
                Some((name, _)) => format!("{name}={HIDDEN}"),
                // A bare part may itself be the secret (`?s3cr3t`).
                None if part.is_empty() => String::new(),
                None => HIDDEN.to_owned(),
            })
            .collect();
        shown.set_query(Some(&hidden.join("&")));
    }
    // What is left has no password; `redacted` stays the one rule for printed URLs.
    crate::credentials::redacted(&shown).to_string()
}

/// Why the retry layer sends a request again: `status 503`, or the error's kind.
#[cfg(feature = "tracing")]
pub(crate) fn retry_reason(outcome: &crate::Result<crate::StreamingResponse>) -> String {
    match outcome {
        Ok(response) => format!("status {}", response.status().as_u16()),
        Err(error) => format!("error {:?}", error.kind()),
    }
}

#[cfg(all(test, feature = "tracing"))]
mod tests {
    use super::*;

    #[test]
    fn recorded_urls_keep_no_credentials_query_values_or_fragment() {
        let cases = [
            (
                "https://u:pw@example.com/a?token=abc&x=1#frag",
                "https://example.com/a?token=***&x=***",
            ),
            ("https://tok@example.com/", "https://example.com/"),
            (
                "http://example.com/p?secret&k=",
                "http://example.com/p?***&k=***",
            ),
            ("http://example.com/p?", "http://example.com/p?"),
            ("http://example.com/p", "http://example.com/p"),
        ];
        for (given, recorded) in cases {
            let given: Url = given.parse().unwrap();
            assert_eq!(url(&given), recorded);
        }
    }
}
