//! Fan-out: many requests at once over one client, with a cap on how many run together,
//! results in completion order. Built on plain futures, so it works the same on every
//! target and any executor.

use std::collections::VecDeque;
use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use futures_util::stream::FuturesUnordered;

/// Runs many futures (usually requests) concurrently and yields `(index, output)` pairs
/// as each finishes: asyncio's `as_completed`. One failure sinks nothing: each output is
/// its own `Result`.
///
/// Made by [`Client::fan_out`](crate::Client::fan_out) or [`fan_out`](crate::fan_out).
/// By default all run at once; [`concurrency`](FanOut::concurrency) caps how many are in
/// flight (a semaphore's job in asyncio). [`gather`](FanOut::gather) waits for all and
/// returns them in input order.
///
/// # Examples
/// ```no_run
/// # async fn run() {
/// use futures_util::StreamExt;
///
/// let client = httplib::Client::new();
/// let urls = ["https://example.com/a", "https://example.com/b"];
/// let mut done = client.fan_out(urls.iter().map(|u| client.get(*u))).concurrency(10);
/// while let Some((i, result)) = done.next().await {
///     match result {
///         Ok(r) => println!("{} -> {}", urls[i], r.status_code()),
///         Err(e) => println!("{} failed: {e}", urls[i]),
///     }
/// }
/// # }
/// ```
#[must_use = "a fan-out does nothing until it is polled"]
pub struct FanOut<F: Future> {
    waiting: VecDeque<(usize, F)>,
    running: FuturesUnordered<Indexed<F>>,
    concurrency: usize,
}

impl<F: Future> FanOut<F> {
    pub(crate) fn new<I>(futures: I) -> FanOut<F>
    where
        I: IntoIterator,
        I::Item: IntoFuture<IntoFuture = F>,
    {
        FanOut {
            waiting: futures
                .into_iter()
                .map(IntoFuture::into_future)
                .enumerate()
                .collect(),
            running: FuturesUnordered::new(),
            concurrency: usize::MAX,
        }
    }

    /// Runs at most `limit` at a time (at least 1).
    ///
    /// # Examples
    /// ```
    /// use futures_util::StreamExt;
    /// # use std::time::Duration;
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # let mock = MockBackend::new();
    /// # mock.handle(|r| {
    /// #     let ms = r.url.path().strip_prefix("/wait/")?.parse().ok()?;
    /// #     let answer = MockResponse::new(200).text(format!("waited {ms} ms"));
    /// #     Some(answer.delay(Duration::from_millis(ms)))
    /// # });
    /// # let builder = httplib::Client::builder().base_url("http://api.test");
    /// # let client = builder.backend(mock).build()?;
    /// # futures_executor::block_on(async {
    /// let paths = ["/wait/50", "/wait/0"];
    /// let one_at_a_time = client.fan_out(paths.map(|p| client.get(p))).concurrency(1);
    /// let order: Vec<usize> = one_at_a_time.map(|(i, _)| i).collect().await;
    /// assert_eq!(order, [0, 1]); // the slow first request held up the second
    /// # Ok::<(), httplib::Error>(())
    /// # })?;
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub fn concurrency(mut self, limit: usize) -> FanOut<F> {
        self.concurrency = limit.max(1);
        self
    }

    /// Waits for all and returns their outputs in the order they were given:
    /// asyncio's `gather(..., return_exceptions=True)`.
    ///
    /// # Examples
    /// ```
    /// # use std::time::Duration;
    /// # use httplib::backend::mock::{MockBackend, MockResponse};
    /// # let mock = MockBackend::new();
    /// # mock.handle(|r| {
    /// #     let ms = r.url.path().strip_prefix("/wait/")?.parse().ok()?;
    /// #     let answer = MockResponse::new(200).text(format!("waited {ms} ms"));
    /// #     Some(answer.delay(Duration::from_millis(ms)))
    /// # });
    /// # let builder = httplib::Client::builder().base_url("http://api.test");
    /// # let client = builder.backend(mock).build()?;
    /// # futures_executor::block_on(async {
    /// let paths = ["/wait/50", "/wait/0"];
    /// let responses = client.fan_out(paths.map(|p| client.get(p))).gather().await;
    /// let bodies: Vec<String> =
    ///     responses.into_iter().map(|r| r?.text()).collect::<Result<_, _>>()?;
    /// assert_eq!(bodies, ["waited 50 ms", "waited 0 ms"]); // input order, not completion order
    /// # Ok::<(), httplib::Error>(())
    /// # })?;
    /// # Ok::<(), httplib::Error>(())
    /// ```
    pub async fn gather(self) -> Vec<F::Output> {
        use futures_util::StreamExt;
        let total = self.waiting.len() + self.running.len();
        let mut slots: Vec<Option<F::Output>> = (0..total).map(|_| None).collect();
        let mut done = self;
        while let Some((i, output)) = done.next().await {
            if let Some(slot) = slots.get_mut(i) {
                *slot = Some(output);
            }
        }
        slots.into_iter().flatten().collect()
    }
}

impl<F: Future> Stream for FanOut<F> {
    type Item = (usize, F::Output);

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        while this.running.len() < this.concurrency {
            match this.waiting.pop_front() {
                Some((index, future)) => this.running.push(Indexed {
                    index,
                    future: Box::pin(future),
                }),
                None => break,
            }
        }
        match Pin::new(&mut this.running).poll_next(cx) {
            Poll::Ready(None) if this.waiting.is_empty() => Poll::Ready(None),
            Poll::Ready(None) => Poll::Pending,
            other => other,
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.waiting.len() + self.running.len();
        (n, Some(n))
    }
}

// FanOut pins its futures itself (each is boxed when it starts), so it can move freely.
impl<F: Future> Unpin for FanOut<F> {}

impl<F: Future> fmt::Debug for FanOut<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FanOut")
            .field("waiting", &self.waiting.len())
            .field("running", &self.running.len())
            .field("concurrency", &self.concurrency)
            .finish()
    }
}

/// A future that remembers its place in the input.
struct Indexed<F> {
    index: usize,
    future: Pin<Box<F>>,
}

impl<F: Future> Future for Indexed<F> {
    type Output = (usize, F::Output);

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let index = self.index;
        self.future.as_mut().poll(cx).map(|output| (index, output))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::StreamExt;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A future that is pending once (so several are in flight together) and records the
    /// most that ever ran at the same time.
    async fn tracked(value: usize, running: Arc<AtomicUsize>, peak: Arc<AtomicUsize>) -> usize {
        let now = running.fetch_add(1, Ordering::SeqCst) + 1;
        peak.fetch_max(now, Ordering::SeqCst);
        let mut yielded = false;
        std::future::poll_fn(|cx| {
            if yielded {
                Poll::Ready(())
            } else {
                yielded = true;
                cx.waker().wake_by_ref();
                Poll::Pending
            }
        })
        .await;
        running.fetch_sub(1, Ordering::SeqCst);
        value
    }

    #[test]
    fn the_cap_bounds_how_many_run_and_every_index_comes_back() {
        let running = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let futures: Vec<_> = (0..20)
            .map(|i| tracked(i * 10, running.clone(), peak.clone()))
            .collect();
        let results: Vec<(usize, usize)> =
            futures_executor::block_on(FanOut::new(futures).concurrency(3).collect());
        assert_eq!(peak.load(Ordering::SeqCst), 3);
        let mut indices: Vec<usize> = results.iter().map(|(i, _)| *i).collect();
        indices.sort_unstable();
        assert_eq!(indices, (0..20).collect::<Vec<_>>());
        assert!(results.iter().all(|(i, v)| *v == i * 10));
    }

    #[test]
    fn gather_returns_input_order() {
        let futures = (0..5).map(|i| async move { i * 2 });
        let out = futures_executor::block_on(FanOut::new(futures).concurrency(2).gather());
        assert_eq!(out, vec![0, 2, 4, 6, 8]);
    }
}
