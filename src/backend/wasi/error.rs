//! `wasi:http`'s error codes in the crate's kinds.

use wasip2::http::types::ErrorCode;

use crate::error::{Error, ErrorKind};

/// The error `code` names; `otherwise` for the codes that say only where it failed (an
/// internal error, a closed stream), by the phase it came from.
pub(super) fn from_code(code: ErrorCode, otherwise: ErrorKind) -> Error {
    use ErrorCode as C;
    let kind = match &code {
        C::DnsTimeout | C::ConnectionTimeout => ErrorKind::ConnectTimeout,
        C::DnsError(_)
        | C::DestinationNotFound
        | C::DestinationUnavailable
        | C::DestinationIpProhibited
        | C::DestinationIpUnroutable
        | C::ConnectionRefused
        | C::ConnectionLimitReached
        | C::TlsProtocolError
        | C::TlsCertificateError
        | C::TlsAlertReceived(_) => ErrorKind::Connect,
        C::ConnectionReadTimeout | C::HttpResponseTimeout => ErrorKind::ReadTimeout,
        C::ConnectionWriteTimeout => ErrorKind::WriteTimeout,
        C::ConnectionTerminated | C::HttpResponseIncomplete => ErrorKind::Read,
        C::HttpRequestDenied
        | C::HttpRequestLengthRequired
        | C::HttpRequestBodySize(_)
        | C::HttpRequestMethodInvalid
        | C::HttpRequestUriInvalid
        | C::HttpRequestUriTooLong
        | C::HttpRequestHeaderSectionSize(_)
        | C::HttpRequestHeaderSize(_)
        | C::HttpRequestTrailerSectionSize(_)
        | C::HttpRequestTrailerSize(_) => ErrorKind::Write,
        C::HttpResponseHeaderSectionSize(_)
        | C::HttpResponseHeaderSize(_)
        | C::HttpResponseBodySize(_)
        | C::HttpResponseTrailerSectionSize(_)
        | C::HttpResponseTrailerSize(_)
        | C::HttpResponseTransferCoding(_)
        | C::HttpUpgradeFailed
        | C::HttpProtocolError
        | C::LoopDetected => ErrorKind::Protocol,
        C::HttpResponseContentCoding(_) => ErrorKind::Decode,
        C::ConfigurationError => ErrorKind::Builder,
        C::InternalError(_) => otherwise,
    };
    Error::new(
        kind,
        format!("the WASI host's HTTP failed: {}", describe(&code)),
    )
}

/// The code in words, with what it carries (the DNS error's rcode, the TLS alert...).
fn describe(code: &ErrorCode) -> String {
    use ErrorCode as C;
    match code {
        C::DnsError(payload) => format!(
            "DNS error {}{}",
            payload.rcode.as_deref().unwrap_or(""),
            payload
                .info_code
                .map(|info| format!(" (info code {info})"))
                .unwrap_or_default()
        ),
        C::TlsAlertReceived(payload) => format!(
            "TLS alert received: {}",
            payload.alert_message.as_deref().unwrap_or("no message")
        ),
        C::InternalError(Some(message)) => format!("internal error: {message}"),
        other => format!("{other:?}"),
    }
}
