//! The retry policy: which failures earn another attempt, how long to wait before it, and
//! a budget that keeps retries from multiplying an outage.
//!
//! Only decisions live here; the retry layer does the waiting and the resending. Per
//! request, that layer is expected to:
//! 1. call [`RetryBudget::deposit`] once, before the first attempt;
//! 2. after each failed attempt, check the request ([`Retry::allows_method`], a body that
//!    `try_clone`s) and the outcome ([`Retry::retries_status`] or [`Retry::retries_error`]);
//! 3. ask [`RetryState::next_delay`] for the wait, sleep it and try again, or return the
//!    last response or error untouched when it says no.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use http::{HeaderValue, Method, StatusCode};

use crate::error::{Error, ErrorKind};
use crate::request::IDEMPOTENT;

/// The first retry waits up to this long (before jitter); ky and urllib3-style clients use
/// the same order of magnitude.
pub(crate) const DEFAULT_BASE: Duration = Duration::from_millis(100);
/// No single wait is longer than this, whatever the backoff or `Retry-After` says.
const DEFAULT_MAX_BACKOFF: Duration = Duration::from_secs(10);
/// A request stops retrying once its waits would add up to more than this: with the
/// defaults, several capped waits fit, but a caller is never held for minutes.
const DEFAULT_MAX_RETRY_TIME: Duration = Duration::from_secs(60);
/// Retries per first attempt that the budget earns, in thousandths (0.2).
const DEFAULT_BUDGET_MILLI: u32 = 200;

/// One retry in the budget's unit (thousandths of a retry, so a ratio of 0.2 is exact).
const MILLI: u64 = 1000;
/// Retries the budget holds beyond what requests earn: a quiet client may always retry
/// this many times in a row.
const RESERVE: u64 = 10 * MILLI;

/// Statuses that say "try again later" rather than "this request is wrong".
const TRANSIENT: [StatusCode; 6] = [
    StatusCode::REQUEST_TIMEOUT,
    StatusCode::TOO_MANY_REQUESTS,
    StatusCode::INTERNAL_SERVER_ERROR,
    StatusCode::BAD_GATEWAY,
    StatusCode::SERVICE_UNAVAILABLE,
    StatusCode::GATEWAY_TIMEOUT,
];

/// When and how a failed request is sent again. Retries are off unless a client or a
/// request is given a `Retry`.
///
/// [`Retry::new(n)`](Retry::new) allows up to `n` retries after the first attempt (so
/// `n + 1` attempts at most), with these defaults:
///
/// | What | Default | Change with |
/// |---|---|---|
/// | methods | the idempotent ones: `GET HEAD OPTIONS TRACE PUT DELETE` | [`methods`](Retry::methods) |
/// | statuses | `408 429 500 502 503 504` | [`statuses`](Retry::statuses) |
/// | errors | connect errors and connect timeouts | [`connect_errors`](Retry::connect_errors) |
/// | backoff | 100 ms doubling per retry, at most 10 s per wait, full jitter | [`backoff`](Retry::backoff) |
/// | `Retry-After` | honoured, up to the 10 s cap | [`retry_after`](Retry::retry_after) |
/// | total wait | 60 s per request | [`max_retry_time`](Retry::max_retry_time) |
/// | budget | 10 retries plus 0.2 per request, per client | [`budget`](Retry::budget) |
///
/// A request whose body cannot be replayed (a one-shot stream) is never retried, and when
/// retrying stops, the last response or error is returned exactly as it would have been
/// without retries.
///
/// Other timeouts (read, write, pool) and other errors are not retried: after a read
/// timeout the server may well have acted on the request.
///
/// # Examples
/// ```
/// use std::time::Duration;
/// use httplib::{Method, Retry};
///
/// let patient = Retry::new(3).backoff(Duration::from_millis(100), Duration::from_secs(10));
/// assert_eq!(patient.limit(), 3);
///
/// // POST is not idempotent: retrying it is an explicit choice.
/// let posts_too = Retry::new(2).methods([Method::GET, Method::POST]);
/// assert_ne!(posts_too, Retry::new(2));
///
/// assert!(Retry::none().is_none());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Retry {
    limit: u32,
    /// Sorted by name and deduplicated, so equal sets compare equal.
    methods: Vec<Method>,
    /// Sorted and deduplicated.
    statuses: Vec<StatusCode>,
    base: Duration,
    max_backoff: Duration,
    connect_errors: bool,
    retry_after: bool,
    max_retry_time: Duration,
    /// Retries earned per request, in thousandths; `None`: no budget.
    budget: Option<u32>,
}

impl Retry {
    /// Up to `limit` retries after the first attempt, with the defaults in [`Retry`]'s
    /// table. `Retry::new(0)` is the same as [`Retry::none`].
    ///
    /// # Examples
    /// ```
    /// let retry = httplib::Retry::new(3); // 4 attempts at most
    /// assert_eq!(retry.limit(), 3);
    /// assert!(!retry.is_none());
    /// assert_eq!(httplib::Retry::new(0), httplib::Retry::none());
    /// ```
    pub fn new(limit: u32) -> Retry {
        Retry {
            limit,
            methods: sorted_methods(IDEMPOTENT),
            statuses: TRANSIENT.to_vec(),
            base: DEFAULT_BASE,
            max_backoff: DEFAULT_MAX_BACKOFF,
            connect_errors: true,
            retry_after: true,
            max_retry_time: DEFAULT_MAX_RETRY_TIME,
            budget: Some(DEFAULT_BUDGET_MILLI),
        }
    }

    /// No retries: every request is sent once. This is the default, and turns off retries
    /// that a client would otherwise apply to a request.
    ///
    /// # Examples
    /// ```
    /// let off = httplib::Retry::none();
    /// assert!(off.is_none());
    /// assert_eq!(off.limit(), 0);
    /// assert_eq!(off, httplib::Retry::default());
    /// ```
    pub fn none() -> Retry {
        Retry::new(0)
    }

    /// The methods that may be retried, replacing the default idempotent set (`GET HEAD
    /// OPTIONS TRACE PUT DELETE`). Add a method such as `POST` only when the server can
    /// take the same request twice (an idempotency key, say). An empty set retries nothing.
    ///
    /// # Examples
    /// ```
    /// use httplib::{Method, Retry};
    ///
    /// let retry = Retry::new(2).methods([Method::POST, Method::GET]);
    /// // Order and repeats do not matter:
    /// assert_eq!(retry, Retry::new(2).methods([Method::GET, Method::POST, Method::GET]));
    /// ```
    #[must_use]
    pub fn methods(mut self, methods: impl IntoIterator<Item = Method>) -> Retry {
        self.methods = sorted_methods(methods);
        self
    }

    /// The response statuses that are retried, replacing the default `408 429 500 502 503
    /// 504`. Takes [`StatusCode`]s or `u16`s; a number outside 100 to 999 is dropped, as no
    /// response can carry it. An empty set retries no status.
    ///
    /// # Examples
    /// ```
    /// use httplib::{Retry, StatusCode};
    ///
    /// let by_number = Retry::new(3).statuses([503, 429]);
    /// let by_name = Retry::new(3).statuses([StatusCode::TOO_MANY_REQUESTS, StatusCode::SERVICE_UNAVAILABLE]);
    /// assert_eq!(by_number, by_name);
    /// ```
    #[must_use]
    pub fn statuses<I>(mut self, statuses: I) -> Retry
    where
        I: IntoIterator,
        I::Item: TryInto<StatusCode>,
    {
        let mut statuses: Vec<StatusCode> = statuses
            .into_iter()
            .filter_map(|s| s.try_into().ok())
            .collect();
        statuses.sort_unstable();
        statuses.dedup();
        self.statuses = statuses;
        self
    }

    /// Exponential backoff: retry `n` waits up to `base × 2ⁿ⁻¹`, and never more than `max`
    /// (defaults: 100 ms and 10 s). The actual wait is drawn uniformly between zero and
    /// that ("full jitter"), so that clients that failed together do not retry together.
    /// A `base` above `max` waits up to `max` every time; a zero `base` retries at once.
    /// `max` also caps the wait a `Retry-After` header asks for.
    ///
    /// # Examples
    /// ```
    /// use std::time::Duration;
    ///
    /// // Waits of up to 0.5 s, 1 s, 2 s, 4 s, 5 s, 5 s...
    /// let retry = httplib::Retry::new(6).backoff(Duration::from_millis(500), Duration::from_secs(5));
    /// assert_eq!(retry.limit(), 6);
    /// ```
    #[must_use]
    pub fn backoff(mut self, base: Duration, max: Duration) -> Retry {
        self.base = base;
        self.max_backoff = max;
        self
    }

    /// Whether failures to connect (refused, unreachable, TLS handshake failed, or the
    /// connect timeout) are retried; on by default. The request was not sent in those
    /// cases, but the method must still be one that is retried.
    ///
    /// # Examples
    /// ```
    /// let statuses_only = httplib::Retry::new(3).connect_errors(false);
    /// assert_ne!(statuses_only, httplib::Retry::new(3));
    /// ```
    #[must_use]
    pub fn connect_errors(mut self, retry: bool) -> Retry {
        self.connect_errors = retry;
        self
    }

    /// Whether a `Retry-After` header (delay-seconds or an HTTP-date) on a retried status
    /// sets the wait instead of the backoff; on by default. The wait is capped by the
    /// backoff's `max`: a server that asks for more is retried after `max` anyway. A zero,
    /// past or malformed value is ignored, and the backoff applies.
    ///
    /// # Examples
    /// ```
    /// let own_pace = httplib::Retry::new(3).retry_after(false);
    /// assert_ne!(own_pace, httplib::Retry::new(3));
    /// ```
    #[must_use]
    pub fn retry_after(mut self, honour: bool) -> Retry {
        self.retry_after = honour;
        self
    }

    /// The most one request may spend waiting between its attempts, all waits together
    /// (default 60 s). When the next wait would go past it, retrying stops and the last
    /// response or error is returned. The time the attempts themselves take is bounded by
    /// the timeouts, not by this.
    ///
    /// # Examples
    /// ```
    /// use std::time::Duration;
    ///
    /// let quick = httplib::Retry::new(5).max_retry_time(Duration::from_secs(2));
    /// assert_eq!(quick.limit(), 5);
    /// ```
    #[must_use]
    pub fn max_retry_time(mut self, max: Duration) -> Retry {
        self.max_retry_time = max;
        self
    }

    /// Bounds retries across all the requests of a client (and its clones), so that an
    /// outage does not multiply the load: over any run of requests, at most `10 + ratio ×
    /// requests` retries are made (default ratio 0.2). A request the budget cannot pay for
    /// returns its last response or error. A negative or NaN ratio leaves only the 10;
    /// `f32::INFINITY` turns the budget off.
    ///
    /// # Examples
    /// ```
    /// // Up to one retry per request on average, plus 10.
    /// let generous = httplib::Retry::new(3).budget(1.0);
    /// assert_ne!(generous, httplib::Retry::new(3));
    /// assert_eq!(httplib::Retry::new(3).budget(0.2), httplib::Retry::new(3));
    /// ```
    #[must_use]
    pub fn budget(mut self, ratio: f32) -> Retry {
        self.budget = if ratio == f32::INFINITY {
            None
        } else if ratio > 0.0 {
            // `as` saturates: a ratio past u32::MAX thousandths is unlimited in practice.
            Some((ratio * MILLI as f32).round() as u32)
        } else {
            Some(0) // negative or NaN
        };
        self
    }

    /// The most retries after the first attempt.
    ///
    /// # Examples
    /// ```
    /// assert_eq!(httplib::Retry::new(4).limit(), 4);
    /// ```
    pub fn limit(&self) -> u32 {
        self.limit
    }

    /// True when nothing is ever retried (a limit of zero).
    ///
    /// # Examples
    /// ```
    /// assert!(httplib::Retry::none().is_none());
    /// assert!(!httplib::Retry::new(1).is_none());
    /// ```
    pub fn is_none(&self) -> bool {
        self.limit == 0
    }

    /// Whether a request with `method` may be retried at all (the limit aside).
    pub(crate) fn allows_method(&self, method: &Method) -> bool {
        self.methods.contains(method)
    }

    /// Whether a response with `status` is worth another attempt.
    pub(crate) fn retries_status(&self, status: StatusCode) -> bool {
        self.statuses.binary_search(&status).is_ok()
    }

    /// Whether a transport error is worth another attempt: only failures to connect, where
    /// the request cannot have reached the server.
    pub(crate) fn retries_error(&self, error: &Error) -> bool {
        self.connect_errors
            && matches!(error.kind(), ErrorKind::Connect | ErrorKind::ConnectTimeout)
    }

    /// The wait before retry `retry_number` (1 for the first retry): the `Retry-After`
    /// header's when it is honoured and valid, capped at the maximum backoff; otherwise a
    /// full-jitter exponential backoff, `random` picking the point in `[0, backoff]`.
    /// `now` is the wall clock, for an HTTP-date.
    pub(crate) fn delay(
        &self,
        retry_number: u32,
        retry_after: Option<&HeaderValue>,
        now: SystemTime,
        random: u64,
    ) -> Duration {
        let asked = retry_after
            .filter(|_| self.retry_after)
            .and_then(|value| parse_retry_after(value, now));
        match asked {
            Some(wait) => wait.min(self.max_backoff),
            None => full_jitter(self.backoff_for(retry_number), random),
        }
    }

    /// `base × 2ⁿ⁻¹` capped at the maximum backoff, without overflow for any `n`.
    fn backoff_for(&self, retry_number: u32) -> Duration {
        let base = self.base.as_nanos();
        let max = self.max_backoff.as_nanos();
        if base == 0 {
            return Duration::ZERO;
        }
        let nanos = 1u128
            .checked_shl(retry_number.saturating_sub(1))
            .and_then(|factor| base.checked_mul(factor))
            .map_or(max, |nanos| nanos.min(max));
        duration_from_nanos(nanos)
    }
}

impl Default for Retry {
    /// [`Retry::none`]: requests are sent once.
    ///
    /// # Examples
    /// ```
    /// assert!(httplib::Retry::default().is_none());
    /// ```
    fn default() -> Retry {
        Retry::none()
    }
}

fn sorted_methods(methods: impl IntoIterator<Item = Method>) -> Vec<Method> {
    let mut methods: Vec<Method> = methods.into_iter().collect();
    methods.sort_unstable_by(|a, b| a.as_str().cmp(b.as_str()));
    methods.dedup();
    methods
}

/// A point in `[0, backoff]` picked by `random`, spread evenly.
fn full_jitter(backoff: Duration, random: u64) -> Duration {
    // Scaling `random` by `span / 2⁶⁴` keeps the product within u128; a backoff of more
    // than 584 years (the u64 nanosecond range) is jittered within those 584 years.
    let span = backoff.as_nanos().min(u128::from(u64::MAX)) + 1;
    duration_from_nanos((u128::from(random) * span) >> 64)
}

/// `nanos` as a Duration; callers pass values that came from a Duration, so the seconds fit.
fn duration_from_nanos(nanos: u128) -> Duration {
    const PER_SEC: u128 = 1_000_000_000;
    let secs = u64::try_from(nanos / PER_SEC).unwrap_or(u64::MAX);
    // The remainder is below 10⁹, which fits a u32.
    Duration::new(secs, (nanos % PER_SEC) as u32)
}

/// The wait a `Retry-After` value asks for (RFC 9110 10.2.3), if it asks for one: `None`
/// for a malformed value (including a negative number), a date that is not in the future,
/// or zero. An enormous number of seconds saturates; the caller caps it.
fn parse_retry_after(value: &HeaderValue, now: SystemTime) -> Option<Duration> {
    let text = value.to_str().ok()?.trim();
    let wait = if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        // All digits: parsing fails only by overflow, which means "very long".
        Duration::from_secs(text.parse().unwrap_or(u64::MAX))
    } else {
        httpdate::parse_http_date(text)
            .ok()?
            .duration_since(now)
            .ok()?
    };
    (!wait.is_zero()).then_some(wait)
}

/// The retries of one request so far, and the time spent waiting for them.
#[derive(Debug, Default)]
pub(crate) struct RetryState {
    retries: u32,
    waited: Duration,
}

impl RetryState {
    /// How many retries have been granted.
    pub(crate) fn retries(&self) -> u32 {
        self.retries
    }

    /// [`next_delay`](RetryState::next_delay) with the wall clock and a fresh jitter
    /// number: what the retry layer calls.
    pub(crate) fn next(
        &mut self,
        policy: &Retry,
        budget: &RetryBudget,
        retry_after: Option<&HeaderValue>,
    ) -> Option<Duration> {
        let (now, random) = (crate::runtime::system_now(), crate::random::jitter());
        self.next_delay(policy, budget, retry_after, now, random)
    }

    /// After an attempt that [`Retry`] found worth retrying: the wait before the next
    /// attempt, or `None` to stop (limit reached, the wait would pass the total retry
    /// time, or the budget is spent). The budget is only drawn on when the retry happens.
    pub(crate) fn next_delay(
        &mut self,
        policy: &Retry,
        budget: &RetryBudget,
        retry_after: Option<&HeaderValue>,
        now: SystemTime,
        random: u64,
    ) -> Option<Duration> {
        if self.retries >= policy.limit {
            return None;
        }
        let delay = policy.delay(self.retries + 1, retry_after, now, random);
        let waited = self.waited.checked_add(delay)?;
        if waited > policy.max_retry_time || !budget.try_withdraw(policy) {
            return None;
        }
        self.retries += 1;
        self.waited = waited;
        Some(delay)
    }
}

/// A client's allowance of retries, shared by all its requests and clones: each request
/// earns its policy's ratio, each retry spends one, and at most [`RESERVE`] plus one
/// request's earnings can be saved up, so over any run of requests, retries stay within
/// `10 + ratio × requests`. A token bucket counted in requests: no clock, lock-free.
#[derive(Debug)]
pub(crate) struct RetryBudget {
    /// Thousandths of a retry.
    balance: AtomicU64,
}

impl Default for RetryBudget {
    fn default() -> RetryBudget {
        RetryBudget {
            balance: AtomicU64::new(RESERVE),
        }
    }
}

impl RetryBudget {
    /// Credits a request about to be sent under `policy`: once per request, not per attempt.
    pub(crate) fn deposit(&self, policy: &Retry) {
        if let Some(earned) = policy.budget {
            let update = |balance: u64| Some(balance.min(RESERVE) + u64::from(earned));
            // The closure never declines, so this cannot fail.
            let _ = self
                .balance
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, update);
        }
    }

    /// Takes one retry from the budget; false when it cannot pay for one.
    pub(crate) fn try_withdraw(&self, policy: &Retry) -> bool {
        policy.budget.is_none()
            || self
                .balance
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |b| {
                    b.checked_sub(MILLI)
                })
                .is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    fn now() -> SystemTime {
        // 2015-10-21T07:28:00Z, a fixed "now" for the HTTP-date tests.
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_480)
    }

    fn header(value: &str) -> HeaderValue {
        HeaderValue::from_str(value).unwrap()
    }

    /// Without jitter: the top of the range (`random` = u64::MAX picks the backoff itself).
    fn top(retry: &Retry, n: u32) -> Duration {
        retry.delay(n, None, now(), u64::MAX)
    }

    #[test]
    fn defaults_retry_idempotent_methods_only() {
        let retry = Retry::new(3);
        for method in IDEMPOTENT {
            assert!(retry.allows_method(&method), "{method}");
        }
        for method in [Method::POST, Method::PATCH, Method::CONNECT] {
            assert!(!retry.allows_method(&method), "{method}");
        }
    }

    #[test]
    fn methods_replace_the_default_set() {
        let retry = Retry::new(2).methods([Method::POST]);
        assert!(retry.allows_method(&Method::POST));
        assert!(!retry.allows_method(&Method::GET));
        let custom = Method::from_bytes(b"PURGE").unwrap();
        assert!(
            Retry::new(1)
                .methods([custom.clone()])
                .allows_method(&custom)
        );
        assert!(!Retry::new(1).methods([]).allows_method(&Method::GET));
    }

    #[test]
    fn default_statuses_are_the_transient_ones() {
        let retry = Retry::new(3);
        for code in [408, 429, 500, 502, 503, 504] {
            assert!(
                retry.retries_status(StatusCode::from_u16(code).unwrap()),
                "{code}"
            );
        }
        for code in [200, 301, 400, 401, 404, 409, 413, 501, 505] {
            assert!(
                !retry.retries_status(StatusCode::from_u16(code).unwrap()),
                "{code}"
            );
        }
    }

    #[test]
    fn statuses_replace_the_set_and_drop_impossible_codes() {
        let retry = Retry::new(3).statuses([418_u16, 0, 42, 1000, u16::MAX, 418]);
        assert_eq!(retry.statuses, [StatusCode::IM_A_TEAPOT]);
        assert!(!retry.retries_status(StatusCode::SERVICE_UNAVAILABLE));
        assert!(
            !Retry::new(3)
                .statuses(Vec::<u16>::new())
                .retries_status(StatusCode::BAD_GATEWAY)
        );
    }

    #[test]
    fn only_connect_errors_are_retried() {
        let retry = Retry::new(3);
        for kind in [ErrorKind::Connect, ErrorKind::ConnectTimeout] {
            assert!(retry.retries_error(&Error::new(kind, "x")), "{kind:?}");
            let off = retry.clone().connect_errors(false);
            assert!(!off.retries_error(&Error::new(kind, "x")), "{kind:?}");
        }
        for kind in [
            ErrorKind::ReadTimeout,
            ErrorKind::WriteTimeout,
            ErrorKind::PoolTimeout,
            ErrorKind::Read,
            ErrorKind::Write,
            ErrorKind::Protocol,
            ErrorKind::Decode,
            ErrorKind::Status,
            ErrorKind::Builder,
        ] {
            assert!(!retry.retries_error(&Error::new(kind, "x")), "{kind:?}");
        }
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let retry = Retry::new(10);
        let tops: Vec<Duration> = (1..=9).map(|n| top(&retry, n)).collect();
        let expected = [100, 200, 400, 800, 1600, 3200, 6400, 10_000, 10_000];
        assert_eq!(tops, expected.map(|ms| ms * MS));
        // Retry 0 (never asked for) is treated as the first.
        assert_eq!(top(&retry, 0), 100 * MS);
    }

    #[test]
    fn huge_retry_numbers_do_not_overflow() {
        let retry = Retry::new(u32::MAX);
        for n in [31, 32, 33, 64, 127, 128, 129, u32::MAX - 1, u32::MAX] {
            assert_eq!(top(&retry, n), 10 * 1000 * MS, "{n}");
        }
        // The largest settings: the jitter range tops out at u64::MAX nanoseconds.
        let extreme = Retry::new(u32::MAX).backoff(Duration::MAX, Duration::MAX);
        for n in [1, 2, u32::MAX] {
            assert_eq!(top(&extreme, n), Duration::from_nanos(u64::MAX), "{n}");
        }
        // A tiny base with a large cap keeps doubling past 2³² instead of jumping to the cap.
        let tiny = Retry::new(40).backoff(Duration::from_nanos(1), Duration::from_secs(3600));
        assert_eq!(top(&tiny, 34), Duration::from_nanos(1 << 33));
    }

    #[test]
    fn odd_backoff_settings() {
        let zero = Retry::new(3).backoff(Duration::ZERO, Duration::from_secs(1));
        assert_eq!(top(&zero, 1), Duration::ZERO);
        assert_eq!(top(&zero, u32::MAX), Duration::ZERO);
        let inverted = Retry::new(3).backoff(Duration::from_secs(5), Duration::from_secs(1));
        assert_eq!(top(&inverted, 1), Duration::from_secs(1));
    }

    #[test]
    fn jitter_spans_zero_to_the_backoff() {
        let retry = Retry::new(3);
        assert_eq!(retry.delay(3, None, now(), 0), Duration::ZERO);
        assert_eq!(retry.delay(3, None, now(), u64::MAX), 400 * MS);
        assert_eq!(retry.delay(3, None, now(), u64::MAX / 2), 200 * MS);
        let mut state = 1u64;
        for _ in 0..1000 {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            assert!(retry.delay(3, None, now(), state) <= 400 * MS);
        }
        assert_eq!(
            full_jitter(Duration::MAX, u64::MAX).as_nanos(),
            u128::from(u64::MAX)
        );
    }

    #[test]
    fn retry_after_seconds_set_the_wait() {
        let retry = Retry::new(3);
        assert_eq!(retry.delay(1, Some(&header("3")), now(), 0), 3000 * MS);
        assert_eq!(retry.delay(1, Some(&header(" 2 ")), now(), 0), 2000 * MS);
        // Capped at the maximum backoff, for any size.
        assert_eq!(retry.delay(1, Some(&header("3600")), now(), 0), 10_000 * MS);
        let enormous = header("99999999999999999999999999999999");
        assert_eq!(retry.delay(1, Some(&enormous), now(), 0), 10_000 * MS);
        let uncapped = Retry::new(3).backoff(DEFAULT_BASE, Duration::MAX);
        assert_eq!(
            uncapped.delay(1, Some(&enormous), now(), 0),
            Duration::from_secs(u64::MAX)
        );
    }

    #[test]
    fn retry_after_dates_set_the_wait() {
        let retry = Retry::new(3);
        let in_5s = header("Wed, 21 Oct 2015 07:28:05 GMT");
        assert_eq!(retry.delay(1, Some(&in_5s), now(), 0), 5000 * MS);
        // The obsolete formats RFC 9110 still asks recipients to accept.
        let rfc850 = header("Wednesday, 21-Oct-15 07:28:07 GMT");
        assert_eq!(retry.delay(1, Some(&rfc850), now(), 0), 7000 * MS);
        let asctime = header("Wed Oct 21 07:28:02 2015");
        assert_eq!(retry.delay(1, Some(&asctime), now(), 0), 2000 * MS);
        let next_year = header("Fri, 21 Oct 2016 07:28:00 GMT");
        assert_eq!(retry.delay(1, Some(&next_year), now(), 0), 10_000 * MS);
        let far = header("Fri, 31 Dec 9999 23:59:59 GMT");
        assert_eq!(retry.delay(1, Some(&far), now(), 0), 10_000 * MS);
    }

    #[test]
    fn unusable_retry_after_falls_back_to_the_backoff() {
        let retry = Retry::new(3);
        for value in [
            "Wed, 21 Oct 2015 07:27:00 GMT", // past
            "Wed, 21 Oct 2015 07:28:00 GMT", // now
            "0",
            "-5",
            "+5",
            "1.5",
            "5s",
            "",
            "soon",
            "Wed, 32 Oct 2015 07:28:05 GMT",
            "Thu, 01 Jan 1960 00:00:00 GMT",
        ] {
            let value = header(value);
            assert_eq!(
                retry.delay(2, Some(&value), now(), u64::MAX),
                200 * MS,
                "{value:?}"
            );
        }
        let not_ascii = HeaderValue::from_bytes(b"\xff5").unwrap();
        assert_eq!(retry.delay(2, Some(&not_ascii), now(), u64::MAX), 200 * MS);
    }

    #[test]
    fn retry_after_can_be_ignored() {
        let retry = Retry::new(3).retry_after(false);
        assert_eq!(
            retry.delay(1, Some(&header("3")), now(), u64::MAX),
            100 * MS
        );
    }

    #[test]
    fn none_never_retries() {
        let none = Retry::none();
        assert!(none.is_none());
        assert_eq!(none, Retry::default());
        let mut state = RetryState::default();
        assert_eq!(
            state.next_delay(&none, &RetryBudget::default(), None, now(), 0),
            None
        );
    }

    #[test]
    fn state_stops_at_the_limit() {
        let retry = Retry::new(3);
        let budget = RetryBudget::default();
        let mut state = RetryState::default();
        let waits: Vec<_> =
            std::iter::from_fn(|| state.next_delay(&retry, &budget, None, now(), u64::MAX))
                .collect();
        assert_eq!(waits, [100 * MS, 200 * MS, 400 * MS]);
        assert_eq!(state.retries(), 3);
    }

    #[test]
    fn next_uses_the_clock_and_jitter_within_bounds() {
        let retry = Retry::new(3);
        let budget = RetryBudget::default();
        let mut state = RetryState::default();
        for top in [100 * MS, 200 * MS, 400 * MS] {
            assert!(state.next(&retry, &budget, None).is_some_and(|d| d <= top));
        }
        assert_eq!(state.next(&retry, &budget, None), None);
        // The real clock: a date long past is ignored, seconds are honoured.
        let mut state = RetryState::default();
        let past = header("Sun, 06 Nov 1994 08:49:37 GMT");
        assert!(
            state
                .next(&retry, &budget, Some(&past))
                .is_some_and(|d| d <= 100 * MS)
        );
        assert_eq!(
            state.next(&retry, &budget, Some(&header("2"))),
            Some(2000 * MS)
        );
    }

    #[test]
    fn state_stops_before_passing_the_total_retry_time() {
        let retry = Retry::new(10).max_retry_time(Duration::from_millis(700));
        let budget = RetryBudget::default();
        let mut state = RetryState::default();
        let mut next = || state.next_delay(&retry, &budget, None, now(), u64::MAX);
        // 100 + 200 + 400 = 700 fits; the 800 after it does not.
        assert_eq!(
            [next(), next(), next(), next()],
            [Some(100 * MS), Some(200 * MS), Some(400 * MS), None]
        );
        // A Retry-After that does not fit stops the retries too.
        let mut state = RetryState::default();
        let long = header("1");
        assert_eq!(
            state.next_delay(&retry, &budget, Some(&long), now(), 0),
            None
        );
    }

    #[test]
    fn state_overflow_of_the_waited_time_stops() {
        let retry = Retry::new(3)
            .backoff(Duration::MAX, Duration::MAX)
            .max_retry_time(Duration::MAX);
        let budget = RetryBudget::default();
        let mut state = RetryState::default();
        let huge = header("18446744073709551615");
        assert!(
            state
                .next_delay(&retry, &budget, Some(&huge), now(), 0)
                .is_some()
        );
        // u64::MAX seconds twice is past what a Duration holds.
        assert_eq!(
            state.next_delay(&retry, &budget, Some(&huge), now(), 0),
            None
        );
    }

    #[test]
    fn budget_holds_a_reserve_of_ten_and_then_a_fifth_per_request() {
        let retry = Retry::new(u32::MAX);
        let budget = RetryBudget::default();
        for _ in 0..10 {
            assert!(budget.try_withdraw(&retry));
        }
        assert!(!budget.try_withdraw(&retry));
        // Four requests earn 0.8 of a retry; the fifth makes it one.
        for _ in 0..4 {
            budget.deposit(&retry);
        }
        assert!(!budget.try_withdraw(&retry));
        budget.deposit(&retry);
        assert!(budget.try_withdraw(&retry));
        assert!(!budget.try_withdraw(&retry));
    }

    #[test]
    fn budget_refills_to_the_reserve_and_no_further() {
        let retry = Retry::new(3);
        let budget = RetryBudget::default();
        while budget.try_withdraw(&retry) {}
        // A long quiet spell saves up the reserve plus one request's share.
        for _ in 0..1000 {
            budget.deposit(&retry);
        }
        let mut granted = 0;
        while budget.try_withdraw(&retry) {
            granted += 1;
        }
        assert_eq!(granted, 10);
    }

    #[test]
    fn budget_bounds_a_storm() {
        // Every request fails and wants 3 retries: 100 requests get 10 + 20, not 300.
        let retry = Retry::new(3).max_retry_time(Duration::MAX);
        let budget = RetryBudget::default();
        let mut retries = 0;
        for _ in 0..100 {
            budget.deposit(&retry);
            let mut state = RetryState::default();
            while state.next_delay(&retry, &budget, None, now(), 0).is_some() {}
            retries += state.retries();
        }
        assert_eq!(retries, 30);
    }

    #[test]
    fn budget_ratios() {
        let drained = |retry: &Retry| {
            let budget = RetryBudget::default();
            while budget.try_withdraw(retry) {}
            budget.deposit(retry);
            budget.try_withdraw(retry)
        };
        assert!(drained(&Retry::new(1).budget(1.0)));
        assert!(!drained(&Retry::new(1).budget(0.5)));
        assert!(!drained(&Retry::new(1).budget(-1.0)));
        assert!(!drained(&Retry::new(1).budget(f32::NAN)));
        assert!(drained(&Retry::new(1).budget(f32::MAX)));
        // Off: the withdrawals never stop, so test it directly.
        let unlimited = Retry::new(1).budget(f32::INFINITY);
        let budget = RetryBudget::default();
        assert!((0..1000).all(|_| budget.try_withdraw(&unlimited)));
        // A huge ratio does not overflow the balance.
        let huge = Retry::new(1).budget(f32::MAX);
        for _ in 0..1000 {
            budget.deposit(&huge);
        }
        assert!(budget.try_withdraw(&huge));
    }

    #[test]
    fn a_spent_budget_is_not_charged_when_the_limit_stops_first() {
        let retry = Retry::new(1);
        let budget = RetryBudget::default();
        let mut state = RetryState::default();
        assert!(state.next_delay(&retry, &budget, None, now(), 0).is_some());
        assert!(state.next_delay(&retry, &budget, None, now(), 0).is_none());
        let mut left = 0;
        while budget.try_withdraw(&retry) {
            left += 1;
        }
        assert_eq!(left, 9);
    }
}
