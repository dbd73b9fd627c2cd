//! Happy Eyeballs (RFC 8305): the resolved addresses tried as a staggered race rather than
//! one after another, so that an address that drops packets (a black-holed IPv6 route, a
//! dead host) costs 250 ms instead of the whole connect timeout.
//!
//! The addresses are interleaved by family (section 4: the first address's family first,
//! then the other, and so on). The first attempt starts at once; each next one starts
//! [`ATTEMPT_DELAY`] after the previous started, or as soon as an attempt fails, without
//! waiting for the earlier ones, which go on. The first to connect wins; the others are
//! dropped (their sockets closed). Every attempt, and the race, ends at the connect
//! deadline.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::task::Poll;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;

use crate::error::{Error, ErrorKind};
use crate::timeouts::Deadline;

/// How long an attempt runs alone before the next one starts (RFC 8305's recommended
/// "Connection Attempt Delay").
pub(crate) const ATTEMPT_DELAY: Duration = Duration::from_millis(250);

/// `addrs` interleaved by family, starting with the family of the first; the order within
/// each family is kept.
pub(crate) fn interleave(addrs: Vec<SocketAddr>) -> Vec<SocketAddr> {
    let Some(first) = addrs.first() else {
        return addrs;
    };
    let first_v6 = first.is_ipv6();
    let (preferred, other): (Vec<_>, Vec<_>) =
        addrs.into_iter().partition(|a| a.is_ipv6() == first_v6);
    let mut out = Vec::with_capacity(preferred.len() + other.len());
    let (mut preferred, mut other) = (preferred.into_iter(), other.into_iter());
    loop {
        match (preferred.next(), other.next()) {
            (None, None) => return out,
            (a, b) => out.extend(a.into_iter().chain(b)),
        }
    }
}

/// How the race ended without a connection: each address tried and how it failed, and the
/// ones still trying (or never started) when the deadline passed.
#[derive(Debug)]
pub(crate) struct Failed {
    pub(crate) failures: Vec<(SocketAddr, io::Error)>,
    /// `Some` when the deadline ended the race: the addresses that had not answered.
    pub(crate) timed_out: Option<(Duration, Vec<SocketAddr>)>,
}

impl Failed {
    /// The error a request sees: `ConnectTimeout` when the deadline ended the race,
    /// `Connect` when every attempt failed; either way naming every attempt.
    pub(crate) fn into_error(self, target: &str) -> Error {
        let mut attempts: Vec<String> = self
            .failures
            .iter()
            .map(|(addr, e)| format!("{addr}: {e}"))
            .collect();
        let last = self.failures.into_iter().last().map(|(_, e)| e);
        let error = match self.timed_out {
            Some((limit, unanswered)) => {
                attempts.extend(unanswered.iter().map(|addr| format!("{addr}: no answer")));
                Error::new(
                    ErrorKind::ConnectTimeout,
                    format!(
                        "no TCP connection to {target} within {limit:?} ({})",
                        attempts.join("; ")
                    ),
                )
            }
            None => Error::new(
                ErrorKind::Connect,
                format!("TCP connect to {target} failed ({})", attempts.join("; ")),
            ),
        };
        match last {
            Some(source) => error.with_source(source),
            None => error,
        }
    }
}

/// Races `attempt` over `addrs` (already interleaved), ending at `deadline` (the instant,
/// and the limit it stands for, for the error): the winner and its address.
pub(crate) async fn race<T, F, Fut>(
    addrs: &[SocketAddr],
    deadline: Option<(Instant, Duration)>,
    mut attempt: F,
) -> Result<(SocketAddr, T), Failed>
where
    F: FnMut(SocketAddr) -> Fut,
    Fut: Future<Output = io::Result<T>>,
{
    let mut running = FuturesUnordered::new();
    let mut failures = Vec::new();
    let mut next = 0;
    let mut next_at = Instant::now();
    let mut stagger = Deadline::default();
    let mut overall = Deadline::default();
    std::future::poll_fn(|cx| {
        loop {
            if next < addrs.len() && Instant::now() >= next_at {
                let addr = addrs[next];
                next += 1;
                crate::trace::event!(address = %addr, attempt = next, of = addrs.len(), "TCP connect attempt");
                let connecting = attempt(addr);
                running.push(async move { (addr, connecting.await) });
                next_at = Instant::now() + ATTEMPT_DELAY;
                continue;
            }
            match running.poll_next_unpin(cx) {
                Poll::Ready(Some((addr, Ok(connected)))) => {
                    // The attempts still running are dropped with `running`.
                    return Poll::Ready(Ok((addr, connected)));
                }
                Poll::Ready(Some((addr, Err(e)))) => {
                    crate::trace::event!(address = %addr, error = %e, "TCP connect attempt failed");
                    failures.push((addr, e));
                    // A failure starts the next attempt at once.
                    next_at = Instant::now();
                    continue;
                }
                Poll::Ready(None) if next >= addrs.len() => {
                    return Poll::Ready(Err(Failed {
                        failures: std::mem::take(&mut failures),
                        timed_out: None,
                    }));
                }
                Poll::Ready(None) | Poll::Pending => {}
            }
            if next < addrs.len() && stagger.poll_at(cx, next_at).is_ready() {
                continue;
            }
            if let Some((at, limit)) = deadline
                && overall.poll_at(cx, at).is_ready()
            {
                // Both the attempts that never answered and the addresses never tried.
                let answered: Vec<SocketAddr> = failures.iter().map(|(a, _)| *a).collect();
                let unanswered = addrs
                    .iter()
                    .filter(|a| !answered.contains(a))
                    .copied()
                    .collect();
                return Poll::Ready(Err(Failed {
                    failures: std::mem::take(&mut failures),
                    timed_out: Some((limit, unanswered)),
                }));
            }
            return Poll::Pending;
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addrs(list: &[&str]) -> Vec<SocketAddr> {
        list.iter().map(|a| a.parse().unwrap()).collect()
    }

    #[test]
    fn families_alternate_starting_with_the_first_address() {
        let given = addrs(&[
            "[2001:db8::1]:80",
            "[2001:db8::2]:80",
            "[2001:db8::3]:80",
            "192.0.2.1:80",
            "192.0.2.2:80",
        ]);
        let expected = addrs(&[
            "[2001:db8::1]:80",
            "192.0.2.1:80",
            "[2001:db8::2]:80",
            "192.0.2.2:80",
            "[2001:db8::3]:80",
        ]);
        assert_eq!(interleave(given), expected);

        let v4_first = addrs(&["192.0.2.1:80", "192.0.2.2:80", "[2001:db8::1]:80"]);
        let expected = addrs(&["192.0.2.1:80", "[2001:db8::1]:80", "192.0.2.2:80"]);
        assert_eq!(interleave(v4_first), expected);

        let one_family = addrs(&["192.0.2.2:80", "192.0.2.1:80"]);
        assert_eq!(interleave(one_family.clone()), one_family);
        assert!(interleave(Vec::new()).is_empty());
    }

    /// An attempt that hangs, one that is refused and one that connects late: the race
    /// staggers them, starts the next at once after a failure, and takes the winner
    /// without waiting for the hanging one.
    #[tokio::test]
    async fn attempts_are_staggered_and_the_first_to_connect_wins() {
        let list = addrs(&["192.0.2.1:1", "192.0.2.2:2", "192.0.2.3:3"]);
        let start = Instant::now();
        let mut started = Vec::new();
        let won = race(&list, None, |addr| {
            started.push((addr.port(), start.elapsed()));
            async move {
                match addr.port() {
                    1 => std::future::pending().await,
                    2 => Err(io::Error::from(io::ErrorKind::ConnectionRefused)),
                    _ => Ok(addr.port()),
                }
            }
        })
        .await
        .unwrap();
        assert_eq!(won, (list[2], 3));
        let [(1, first), (2, second), (3, third)] = started[..] else {
            panic!("{started:?}");
        };
        assert!(first < Duration::from_millis(50), "{started:?}");
        assert!(
            second >= ATTEMPT_DELAY,
            "the second waits its turn: {started:?}"
        );
        assert!(
            third - second < Duration::from_millis(100),
            "a failure starts the next at once: {started:?}"
        );
    }

    #[tokio::test]
    async fn the_deadline_ends_the_race_naming_every_address() {
        let list = addrs(&["192.0.2.1:1", "192.0.2.2:2", "192.0.2.3:3"]);
        let limit = Duration::from_millis(300);
        let failed = race(
            &list,
            Some((Instant::now() + limit, limit)),
            |addr| async move {
                match addr.port() {
                    2 => Err::<(), _>(io::Error::from(io::ErrorKind::ConnectionRefused)),
                    _ => std::future::pending().await,
                }
            },
        )
        .await
        .unwrap_err();
        let error = failed.into_error("api.test:80");
        assert_eq!(error.kind(), ErrorKind::ConnectTimeout);
        let message = error.to_string();
        for addr in &list {
            assert!(message.contains(&addr.to_string()), "{message}");
        }
    }
}
