//! Every timer of a request, on native and wasm timers alike: a limit on a future, a
//! deadline that moves later at no cost, the read timeout between the chunks of a body
//! and the total deadline over a whole body.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures_core::Stream;

use crate::body::ResponseBody;
use crate::error::{Error, ErrorKind, Result};
use crate::runtime::{Instant, Timer};

/// A timer for a deadline that may move. Moving it later costs nothing: the timer is only
/// set again when it fires before the deadline now asked for. So a body that makes
/// progress costs one clock read per chunk, not a timer update, and a timer kept for the
/// requests of one connection costs each one no new timer. Moving it earlier sets it again.
#[derive(Default)]
pub(crate) struct Deadline {
    /// The timer, and the instant it is set for.
    timer: Option<(Timer, Instant)>,
}

impl Deadline {
    /// A deadline whose timer is made now, on the current runtime (the one the timer will
    /// then always use), and set when first polled.
    #[cfg_attr(
        not(native),
        expect(dead_code, reason = "only the native pool keeps a timer")
    )]
    pub(crate) fn on_this_runtime() -> Deadline {
        // Far enough never to fire before the first poll moves it earlier.
        let unset = Instant::now() + Duration::from_secs(365 * 24 * 3600);
        Deadline {
            timer: Some((Timer::at(unset), unset)),
        }
    }

    /// Ready once `deadline` has passed (and registered to wake `cx` then).
    pub(crate) fn poll_at(&mut self, cx: &mut Context<'_>, deadline: Instant) -> Poll<()> {
        let (timer, set_for) = self
            .timer
            .get_or_insert_with(|| (Timer::at(deadline), deadline));
        if deadline < *set_for {
            timer.reset(deadline);
            *set_for = deadline;
        }
        loop {
            if timer.poll_elapsed(cx).is_pending() {
                return Poll::Pending;
            }
            if Instant::now() >= deadline {
                return Poll::Ready(());
            }
            // The timer was set for an earlier deadline: the deadline moved since.
            timer.reset(deadline);
            *set_for = deadline;
        }
    }
}

/// The instant `limit` from now; `None` when it lies past the end of the clock (no limit).
pub(crate) fn after(limit: Duration) -> Option<Instant> {
    Instant::now().checked_add(limit)
}

/// Runs `fut` until `deadline`: `None` if the deadline passes first.
pub(crate) async fn until<F: Future>(fut: F, deadline: Instant) -> Option<F::Output> {
    let mut fut = std::pin::pin!(fut);
    let mut timer = Deadline::default();
    std::future::poll_fn(|cx| {
        if let Poll::Ready(out) = fut.as_mut().poll(cx) {
            return Poll::Ready(Some(out));
        }
        timer.poll_at(cx, deadline).map(|()| None)
    })
    .await
}

/// Runs `fut`, failing with a `kind` timeout error if it takes longer than `limit`.
pub(crate) async fn within<F, T>(fut: F, limit: Option<Duration>, kind: ErrorKind) -> Result<T>
where
    F: Future<Output = Result<T>>,
{
    let Some(deadline) = limit.and_then(after) else {
        return fut.await;
    };
    match until(fut, deadline).await {
        Some(out) => out,
        None => Err(Error::timeout(kind, limit.unwrap_or_default())),
    }
}

/// Fails `body` with a read timeout when no chunk arrives for `limit` after the previous
/// one (or after the head); its errors, the timeout too, name `url`. One wrapper for both:
/// every layer of a body costs an allocation per response and a call per chunk.
pub(crate) fn read_timeout(
    body: ResponseBody,
    limit: Option<Duration>,
    url: url::Url,
) -> ResponseBody {
    let rule = limit.map(|limit| Rule::Between {
        limit,
        last_progress: Instant::now(),
    });
    timed(body, rule, Some(url))
}

/// Fails `body` with `error` once `deadline` passes before its last chunk.
pub(crate) fn until_deadline(
    body: ResponseBody,
    deadline: Instant,
    error: impl Fn() -> Error + Send + Sync + 'static,
) -> ResponseBody {
    let rule = Rule::Until {
        deadline,
        error: Box::new(error),
    };
    timed(body, Some(rule), None)
}

fn timed(body: ResponseBody, rule: Option<Rule>, url: Option<url::Url>) -> ResponseBody {
    body.wrap(|body| Timed {
        body,
        rule,
        timer: Deadline::default(),
        done: false,
        url,
    })
}

/// When a body being read times out.
enum Rule {
    /// No chunk for `limit` after the previous one: a read timeout.
    Between {
        limit: Duration,
        last_progress: Instant,
    },
    /// Not done by `deadline`.
    Until {
        deadline: Instant,
        error: Box<dyn Fn() -> Error + Send + Sync>,
    },
}

impl Rule {
    /// The instant the body times out if nothing comes before; `None`: never.
    fn deadline(&self) -> Option<Instant> {
        match self {
            Rule::Between {
                limit,
                last_progress,
            } => last_progress.checked_add(*limit),
            Rule::Until { deadline, .. } => Some(*deadline),
        }
    }

    fn error(&self) -> Error {
        match self {
            Rule::Between { limit, .. } => Error::timeout(ErrorKind::ReadTimeout, *limit),
            Rule::Until { error, .. } => error(),
        }
    }
}

/// A body under a [`Rule`] (if any), its errors naming `url` (if any).
struct Timed {
    body: ResponseBody,
    rule: Option<Rule>,
    timer: Deadline,
    done: bool,
    url: Option<url::Url>,
}

impl Timed {
    fn named(&self, error: Error) -> Error {
        match &self.url {
            Some(url) => error.with_url(url),
            None => error,
        }
    }
}

impl Stream for Timed {
    type Item = Result<Bytes>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.done {
            return Poll::Ready(None);
        }
        if let Poll::Ready(item) = Pin::new(&mut this.body).poll_next(cx) {
            if let Some(Rule::Between { last_progress, .. }) = &mut this.rule {
                *last_progress = Instant::now();
            }
            // A body whose reads are always ready (a fast server, a host whose reads block)
            // never lets the timer run: a deadline is checked per chunk too.
            if item.is_some()
                && let Some(rule @ Rule::Until { deadline, .. }) = &this.rule
                && Instant::now() >= *deadline
            {
                let error = rule.error();
                this.done = true;
                return Poll::Ready(Some(Err(this.named(error))));
            }
            this.done = item.is_none();
            return Poll::Ready(item.map(|chunk| chunk.map_err(|e| this.named(e))));
        }
        let Some((rule, deadline)) = this
            .rule
            .as_ref()
            .and_then(|rule| Some((rule, rule.deadline()?)))
        else {
            return Poll::Pending;
        };
        if this.timer.poll_at(cx, deadline).is_pending() {
            return Poll::Pending;
        }
        let error = rule.error();
        this.done = true;
        Poll::Ready(Some(Err(this.named(error))))
    }
}
