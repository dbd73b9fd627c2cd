//! How a request ended, and whether that is what its route must give.

use httplib::ErrorKind;

use crate::plan::{Class, Listener, Planned, Route};

/// How one request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// A response, and it was the one the route sends.
    Ok,
    /// The future was dropped before it finished (the cancelled 5%).
    Cancelled,
    /// An httplib error of this kind.
    Error(ErrorKind),
    /// A response that is not the one the route sends (length, bytes, protocol, JSON).
    Wrong,
    /// The request's task panicked.
    Panicked,
}

impl Outcome {
    /// The name in reports: `ok`, `cancelled`, the `ErrorKind` (`ReadTimeout`...).
    pub fn label(self) -> String {
        match self {
            Outcome::Ok => "ok".to_owned(),
            Outcome::Cancelled => "cancelled".to_owned(),
            Outcome::Error(kind) => format!("{kind:?}"),
            Outcome::Wrong => "wrong response".to_owned(),
            Outcome::Panicked => "panicked".to_owned(),
        }
    }
}

/// One finished request.
#[derive(Debug)]
pub struct Record {
    pub class: Class,
    pub outcome: Outcome,
    /// Set when the outcome is not one the route may give: what went wrong, for the report.
    pub unexpected: Option<String>,
}

impl Record {
    /// Judges `outcome` against what `planned` must give; `detail` (the error's text or
    /// what was wrong with the response) goes into the report if it is unexpected.
    pub fn judge(planned: &Planned, outcome: Outcome, detail: Option<String>) -> Record {
        let unexpected = (!allowed(planned, outcome)).then(|| {
            let detail = detail.unwrap_or_default();
            format!(
                "{:?} {:?}: {} {detail}",
                planned.listener,
                planned.route,
                outcome.label()
            )
        });
        Record {
            class: planned.class(),
            outcome,
            unexpected,
        }
    }
}

/// What each request may end in. An ordinary request must succeed; a cancelled one is
/// either cancelled or (when it beat its timer) a success; each fault has its error kind,
/// except `/close`, whose response is a good 200.
fn allowed(planned: &Planned, outcome: Outcome) -> bool {
    let Outcome::Error(kind) = outcome else {
        return match planned.class() {
            Class::Normal => outcome == Outcome::Ok,
            Class::Cancel => matches!(outcome, Outcome::Ok | Outcome::Cancelled),
            Class::Fault => matches!(planned.route, Route::Close) && outcome == Outcome::Ok,
        };
    };
    if planned.class() != Class::Fault {
        return false;
    }
    match planned.route {
        // Over HTTP/1.1 the connection closes short of Content-Length: `Read`. Over HTTP/2
        // the server resets the stream (INTERNAL_ERROR), which httplib maps to `Protocol`.
        Route::DropMidBody(_) => match planned.listener {
            Listener::Http1 => kind == ErrorKind::Read,
            Listener::Http2 => matches!(kind, ErrorKind::Read | ErrorKind::Protocol),
        },
        Route::Status500 => kind == ErrorKind::Status,
        Route::Hang | Route::HangBody => kind == ErrorKind::ReadTimeout,
        _ => false,
    }
}
