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

#[cfg(test)]
mod tests {
    use wasip2::http::types::{DnsErrorPayload, TlsAlertReceivedPayload};

    use super::*;

    #[test]
    fn each_error_code_has_the_kind_of_where_it_failed() {
        let dns = || {
            ErrorCode::DnsError(DnsErrorPayload {
                rcode: Some("NXDOMAIN".into()),
                info_code: Some(3),
            })
        };
        let cases = [
            (ErrorCode::DnsTimeout, ErrorKind::ConnectTimeout),
            (dns(), ErrorKind::Connect),
            (ErrorCode::ConnectionRefused, ErrorKind::Connect),
            (ErrorCode::ConnectionTimeout, ErrorKind::ConnectTimeout),
            (ErrorCode::TlsCertificateError, ErrorKind::Connect),
            (ErrorCode::ConnectionReadTimeout, ErrorKind::ReadTimeout),
            (ErrorCode::HttpResponseTimeout, ErrorKind::ReadTimeout),
            (ErrorCode::ConnectionWriteTimeout, ErrorKind::WriteTimeout),
            (ErrorCode::ConnectionTerminated, ErrorKind::Read),
            (ErrorCode::HttpResponseIncomplete, ErrorKind::Read),
            (ErrorCode::HttpRequestBodySize(Some(5)), ErrorKind::Write),
            (ErrorCode::HttpProtocolError, ErrorKind::Protocol),
            (
                ErrorCode::HttpResponseContentCoding(None),
                ErrorKind::Decode,
            ),
            (ErrorCode::ConfigurationError, ErrorKind::Builder),
        ];
        for (code, kind) in cases {
            let err = from_code(code, ErrorKind::Read);
            assert_eq!(err.kind(), kind, "{err}");
        }
        // An internal error says only where it happened: the caller's kind.
        let internal = ErrorCode::InternalError(Some("boom".into()));
        let err = from_code(internal, ErrorKind::Write);
        assert_eq!(err.kind(), ErrorKind::Write);
        assert!(err.to_string().contains("internal error: boom"), "{err}");
        // What a code carries is in the message.
        assert!(
            from_code(dns(), ErrorKind::Connect)
                .to_string()
                .contains("NXDOMAIN (info code 3)")
        );
        let alert = ErrorCode::TlsAlertReceived(TlsAlertReceivedPayload {
            alert_id: Some(42),
            alert_message: Some("bad certificate".into()),
        });
        let err = from_code(alert, ErrorKind::Connect);
        assert_eq!(err.kind(), ErrorKind::Connect);
        assert!(
            err.to_string()
                .contains("TLS alert received: bad certificate"),
            "{err}"
        );
    }
}
