//! The checks that decide the exit status.

use crate::report::{mib, signed_mib};

/// The pool keeps at most this many idle HTTP/1.1 connections (`Limits` default)...
const MAX_IDLE_HTTP1: u64 = 20;
/// ...and its HTTP/2 connections besides (one per origin here; two while one replaces
/// another).
const MAX_HTTP2: u64 = 2;

/// The figures the checks look at.
pub struct Figures {
    pub requests_asked: u64,
    pub requests_done: u64,
    pub max_seconds: u64,
    pub unexpected: u64,
    pub rss_baseline_kib: u64,
    /// The highest RSS at any checkpoint from the warm-up to the end of the run.
    pub rss_max_kib: u64,
    pub rss_limit_mib: u64,
    pub fds_start: u64,
    /// With the client alive and idle (nothing in flight), right after the last request.
    pub fds_idle: u64,
    /// After the client is dropped and its connections have closed.
    pub fds_dropped: u64,
    pub fd_slack: u64,
}

/// One check and whether it held.
pub struct Check {
    pub name: &'static str,
    pub passed: bool,
    pub detail: String,
}

/// Every check, passed or not.
pub fn checks(f: &Figures) -> Vec<Check> {
    let growth_kib = f.rss_max_kib.saturating_sub(f.rss_baseline_kib);
    let idle_bound = f.fds_start + MAX_IDLE_HTTP1 + MAX_HTTP2 + f.fd_slack;
    vec![
        Check {
            name: "count",
            passed: f.requests_done == f.requests_asked,
            detail: if f.requests_done == f.requests_asked {
                format!("all {} requests ran", f.requests_asked)
            } else {
                format!(
                    "TIME BOUND HIT: {} of {} requests in --max-seconds {}",
                    f.requests_done, f.requests_asked, f.max_seconds
                )
            },
        },
        Check {
            name: "outcomes",
            passed: f.unexpected == 0,
            detail: format!("{} unexpected outcomes", f.unexpected),
        },
        Check {
            name: "rss",
            passed: growth_kib < f.rss_limit_mib * 1024,
            detail: format!(
                "highest RSS {:.1} MiB, {} over the warm-up's {:.1} MiB (limit {} MiB)",
                mib(f.rss_max_kib),
                signed_mib(f.rss_max_kib, f.rss_baseline_kib),
                mib(f.rss_baseline_kib),
                f.rss_limit_mib
            ),
        },
        Check {
            name: "fds idle",
            passed: f.fds_idle <= idle_bound,
            detail: format!(
                "{} open with the client idle (at most {idle_bound}: start {} + {MAX_IDLE_HTTP1} idle \
                 HTTP/1.1 + {MAX_HTTP2} HTTP/2 + slack {})",
                f.fds_idle, f.fds_start, f.fd_slack
            ),
        },
        Check {
            name: "fds back",
            passed: f.fds_dropped.abs_diff(f.fds_start) <= f.fd_slack,
            detail: format!(
                "{} open after the client is dropped, {} at the start (slack {})",
                f.fds_dropped, f.fds_start, f.fd_slack
            ),
        },
    ]
}
