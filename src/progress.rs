//! Upload and download progress: a [`Progress`] report each time body bytes move.
//!
//! As ky does, every body reports `0` bytes first, when reading it starts, then once after
//! each chunk; when the total is known and the body is what it announced, the last report
//! has `bytes == total`. A replayed body (a redirect, a Digest challenge, a retry) starts
//! again at `0`.

use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use bytes::Bytes;
use futures_core::Stream;

use crate::body::{Body, BodyParts, BodyStream, ResponseBody};
use crate::error::BoxError;

/// The size of the slices a body in memory is handed to the backend in: small enough for
/// progress to move smoothly, large enough to cost nothing next to the I/O.
const UPLOAD_CHUNK: usize = 64 * 1024;

/// How much of a request or response body has moved so far, as reported to an upload or
/// download progress callback.
///
/// Reports come in order, with `bytes` growing: `0` first, when the body starts to be read
/// (as ky does), then after every chunk. `total` is the body's length when known
/// beforehand (its `Content-Length`); it is never below `bytes`: a body that turns out
/// longer than it announced is reported with `total: None` from then on.
///
/// Marked `#[non_exhaustive]` so that later fields (the time elapsed, say) are no breaking
/// change; callbacks read the fields, and [`Progress::new`] builds one (in a test of a
/// callback, for instance).
///
/// # Examples
/// A callback that shows a percentage when it can:
/// ```
/// use httplib::Progress;
///
/// fn describe(p: Progress) -> String {
///     match p.fraction() {
///         Some(done) => format!("{:.0}% of {} bytes", done * 100.0, p.total.unwrap_or(0)),
///         None => format!("{} bytes", p.bytes),
///     }
/// }
/// assert_eq!(describe(Progress::new(0, Some(2048))), "0% of 2048 bytes");
/// assert_eq!(describe(Progress::new(1024, Some(2048))), "50% of 2048 bytes");
/// assert_eq!(describe(Progress::new(1024, None)), "1024 bytes");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Progress {
    /// The bytes of the body sent or received so far.
    pub bytes: u64,
    /// The body's whole length, when known.
    pub total: Option<u64>,
}

impl Progress {
    /// A report of `bytes` moved out of `total`.
    ///
    /// # Examples
    /// ```
    /// let p = httplib::Progress::new(10, Some(40));
    /// assert_eq!((p.bytes, p.total), (10, Some(40)));
    /// ```
    pub const fn new(bytes: u64, total: Option<u64>) -> Progress {
        Progress { bytes, total }
    }

    /// How much is done, from `0.0` to `1.0`, when the total is known; an empty body
    /// (`total` of `0`) is wholly done.
    ///
    /// # Examples
    /// ```
    /// use httplib::Progress;
    ///
    /// assert_eq!(Progress::new(256, Some(1024)).fraction(), Some(0.25));
    /// assert_eq!(Progress::new(0, Some(0)).fraction(), Some(1.0));
    /// assert_eq!(Progress::new(256, None).fraction(), None);
    /// ```
    pub fn fraction(&self) -> Option<f64> {
        let total = self.total?;
        if total == 0 {
            return Some(1.0);
        }
        // u64 to f64 rounds past 2^53 bytes, far beyond any body.
        Some((self.bytes as f64 / total as f64).min(1.0))
    }
}

/// A callback as the client keeps it: `Send + Sync` on every target, so that a client
/// and its configuration are too (the JS layer keeps JS functions on its side and hands
/// over callbacks that only name them).
trait Callback: Fn(Progress) + Send + Sync {}
impl<F: Fn(Progress) + Send + Sync + ?Sized> Callback for F {}

/// An upload or download progress callback, cheap to clone into each attempt of a request.
#[derive(Clone)]
pub(crate) struct ProgressFn(Arc<dyn Callback>);

impl ProgressFn {
    pub(crate) fn new(f: impl Fn(Progress) + Send + Sync + 'static) -> ProgressFn {
        ProgressFn(Arc::new(f))
    }

    fn report(&self, progress: Progress) {
        (self.0)(progress)
    }
}

impl fmt::Debug for ProgressFn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ProgressFn(..)")
    }
}

/// `body` reporting its upload progress to `on_progress` as the backend pulls it.
///
/// The body keeps its `content_length` (the `total` reported) and stays as replayable as
/// it was, each replay counting from `0` again. A body in memory becomes a stream of
/// zero-copy slices, so that progress moves as it is sent; nothing is buffered. An empty
/// body, which backends never read, reports its one `{0, Some(0)}` here, at once: call
/// this as the request goes to the backend.
pub(crate) fn track_upload(body: Body, on_progress: ProgressFn) -> Body {
    if body.is_empty() {
        on_progress.report(Progress::new(0, Some(0)));
        return body;
    }
    let total = body.content_length();
    body.wrap(move |parts| {
        let chunks: BodyStream = match parts {
            BodyParts::Bytes(bytes) => Box::pin(Slices(bytes)),
            BodyParts::Stream(stream) => stream,
        };
        Box::pin(Tracked::new(chunks, total, on_progress.clone()))
    })
}

/// `body` reporting its download progress to `on_progress` as it is read, out of `total`
/// (the caller's to give: the `Content-Length` only when the body is not decoded). Chunks
/// and errors pass through unchanged.
///
/// On wasm32 the fetch body's `ReadableStream` stays reachable (see
/// [`ResponseBody::wrap`]); a body handed to JS that way is not read here, so it reports
/// nothing.
pub(crate) fn track_download(
    body: ResponseBody,
    total: Option<u64>,
    on_progress: ProgressFn,
) -> ResponseBody {
    body.wrap(move |body| Tracked::new(body, total, on_progress))
}

/// A body in memory, handed over in slices of [`UPLOAD_CHUNK`] that share its buffer.
struct Slices(Bytes);

impl Stream for Slices {
    type Item = Result<Bytes, BoxError>;

    fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let rest = &mut self.0;
        if rest.is_empty() {
            return Poll::Ready(None);
        }
        let slice = rest.split_to(rest.len().min(UPLOAD_CHUNK));
        Poll::Ready(Some(Ok(slice)))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let slices = self.0.len().div_ceil(UPLOAD_CHUNK);
        (slices, Some(slices))
    }
}

/// A stream of chunks that reports each one to its callback as it passes.
struct Tracked<S> {
    inner: S,
    bytes: u64,
    total: Option<u64>,
    started: bool,
    on_progress: ProgressFn,
}

impl<S> Tracked<S> {
    fn new(inner: S, total: Option<u64>, on_progress: ProgressFn) -> Tracked<S> {
        Tracked {
            inner,
            bytes: 0,
            total,
            started: false,
            on_progress,
        }
    }

    fn report(&self) {
        self.on_progress
            .report(Progress::new(self.bytes, self.total));
    }
}

impl<S, E> Stream for Tracked<S>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
{
    type Item = Result<Bytes, E>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if !this.started {
            // Reading starts now: the `0` report comes before any chunk, as ky's does.
            this.started = true;
            this.report();
        }
        let next = ready!(Pin::new(&mut this.inner).poll_next(cx));
        if let Some(Ok(chunk)) = &next {
            // An empty chunk moved nothing: no report.
            if !chunk.is_empty() {
                this.bytes = this.bytes.saturating_add(chunk.len() as u64);
                if this.total.is_some_and(|total| this.bytes > total) {
                    // Longer than announced: the total was wrong, so it is no longer given.
                    this.total = None;
                }
                this.report();
            }
        }
        Poll::Ready(next)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use futures_executor::block_on;
    use futures_util::{StreamExt, TryStreamExt, stream};

    use super::*;
    use crate::error::{Error, ErrorKind};

    /// A callback that records its reports.
    fn recorder() -> (ProgressFn, Arc<Mutex<Vec<Progress>>>) {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = seen.clone();
        let on_progress = ProgressFn::new(move |p| sink.lock().unwrap().push(p));
        (on_progress, seen)
    }

    fn taken(seen: &Mutex<Vec<Progress>>) -> Vec<Progress> {
        std::mem::take(&mut *seen.lock().unwrap())
    }

    /// Reads a request body the way a backend does.
    fn send(body: Body) -> std::result::Result<Vec<Bytes>, BoxError> {
        match body.into_parts() {
            BodyParts::Bytes(bytes) => Ok(vec![bytes]),
            BodyParts::Stream(stream) => block_on(stream.try_collect()),
        }
    }

    fn p(bytes: u64, total: Option<u64>) -> Progress {
        Progress::new(bytes, total)
    }

    /// `0` first, then growing after every chunk, never past the total.
    fn assert_well_formed(reports: &[Progress]) {
        assert_eq!(reports.first().map(|p| p.bytes), Some(0), "{reports:?}");
        for pair in reports.windows(2) {
            assert!(pair[0].bytes < pair[1].bytes, "{reports:?}");
        }
        for p in reports {
            assert!(p.total.is_none_or(|total| p.bytes <= total), "{reports:?}");
        }
    }

    fn bytes_body(len: usize) -> Bytes {
        (0..len)
            .map(|i| (i % 251) as u8)
            .collect::<Vec<u8>>()
            .into()
    }

    #[test]
    fn a_body_in_memory_is_reported_slice_by_slice() {
        let data = bytes_body(3 * UPLOAD_CHUNK + 100);
        let total = Some(data.len() as u64);
        let (on_progress, seen) = recorder();
        let body = track_upload(Body::from(data.clone()), on_progress);
        assert_eq!(body.content_length(), total);
        assert!(
            taken(&seen).is_empty(),
            "nothing is reported before the body is read"
        );

        let chunks = send(body).unwrap();
        assert_eq!(chunks.len(), 4);
        assert_eq!(chunks.concat(), data);
        // Zero-copy: every slice points into the caller's buffer.
        let mut offset = 0;
        for chunk in &chunks {
            assert!(chunk.len() <= UPLOAD_CHUNK);
            assert_eq!(chunk.as_ptr(), data[offset..].as_ptr());
            offset += chunk.len();
        }

        let reports = taken(&seen);
        assert_well_formed(&reports);
        let expected: Vec<Progress> = [0, 1, 2, 3]
            .map(|n| p((n * UPLOAD_CHUNK) as u64, total))
            .into_iter()
            .chain([p(data.len() as u64, total)])
            .collect();
        assert_eq!(reports, expected);
    }

    #[test]
    fn progress_moves_as_the_backend_pulls() {
        let data = bytes_body(2 * UPLOAD_CHUNK);
        let (on_progress, seen) = recorder();
        let BodyParts::Stream(mut stream) = track_upload(data.into(), on_progress).into_parts()
        else {
            panic!("a tracked body is a stream");
        };
        let total = Some(2 * UPLOAD_CHUNK as u64);
        block_on(stream.next()).unwrap().unwrap();
        assert_eq!(taken(&seen), [p(0, total), p(UPLOAD_CHUNK as u64, total)]);
        block_on(stream.next()).unwrap().unwrap();
        assert_eq!(taken(&seen), [p(2 * UPLOAD_CHUNK as u64, total)]);
        assert!(block_on(stream.next()).is_none());
        assert!(taken(&seen).is_empty());
    }

    #[test]
    fn a_stream_of_unknown_length_reports_no_total() {
        let chunks = ["abc", "", "defg", "h"].map(|s| Ok::<_, BoxError>(Bytes::from(s)));
        let (on_progress, seen) = recorder();
        let body = track_upload(Body::from_stream(stream::iter(chunks), None), on_progress);
        assert_eq!(body.content_length(), None);
        assert!(
            body.try_clone().is_none(),
            "a one-shot stream stays one-shot"
        );
        assert_eq!(send(body).unwrap().concat(), b"abcdefgh");
        // The empty chunk moved nothing and is not reported.
        assert_eq!(
            taken(&seen),
            [p(0, None), p(3, None), p(7, None), p(8, None)]
        );
    }

    #[test]
    fn a_stream_of_known_length_ends_at_its_total() {
        let chunks = ["abc", "def"].map(|s| Ok::<_, BoxError>(Bytes::from(s)));
        let (on_progress, seen) = recorder();
        let body = track_upload(
            Body::from_stream(stream::iter(chunks), Some(6)),
            on_progress,
        );
        assert_eq!(body.content_length(), Some(6));
        send(body).unwrap();
        assert_eq!(taken(&seen), [p(0, Some(6)), p(3, Some(6)), p(6, Some(6))]);
    }

    #[test]
    fn each_replay_counts_from_zero() {
        let (on_progress, seen) = recorder();
        let body = track_upload(Body::from("hello"), on_progress.clone());
        let again = body.try_clone().expect("a body in memory stays replayable");
        assert_eq!(again.content_length(), Some(5));
        send(body).unwrap();
        send(again).unwrap();
        let once = [p(0, Some(5)), p(5, Some(5))];
        assert_eq!(taken(&seen), [once, once].concat());

        let factory = Body::from_factory(
            || -> BodyStream { Box::pin(stream::iter(["ab", "c"].map(|s| Ok(Bytes::from(s))))) },
            Some(3),
        );
        let body = track_upload(factory, on_progress);
        let again = body.try_clone().expect("a factory body stays replayable");
        assert_eq!(send(body).unwrap().concat(), b"abc");
        assert_eq!(send(again).unwrap().concat(), b"abc");
        let once = [p(0, Some(3)), p(2, Some(3)), p(3, Some(3))];
        assert_eq!(taken(&seen), [once, once].concat());
    }

    #[test]
    fn an_empty_body_reports_once_and_stays_empty() {
        for empty in [Body::empty(), Body::from("")] {
            let (on_progress, seen) = recorder();
            let body = track_upload(empty, on_progress);
            assert_eq!(taken(&seen), [p(0, Some(0))]);
            assert!(body.is_empty());
            assert_eq!(body.as_bytes(), Some(&b""[..]));
            send(body).unwrap();
            assert!(taken(&seen).is_empty());
        }
    }

    #[test]
    fn an_upload_error_passes_through() {
        let chunks = [
            Ok(Bytes::from("ab")),
            Err(BoxError::from("disk gone")),
            Ok(Bytes::from("cd")),
        ];
        let (on_progress, seen) = recorder();
        let body = track_upload(
            Body::from_stream(stream::iter(chunks), Some(4)),
            on_progress,
        );
        let e = send(body).unwrap_err();
        assert_eq!(e.to_string(), "disk gone");
        assert_eq!(taken(&seen), [p(0, Some(4)), p(2, Some(4))]);
    }

    #[test]
    fn a_tracked_body_goes_through_a_backend() {
        use crate::backend::mock::MockBackend;

        let mock = MockBackend::new();
        let client = crate::Client::builder()
            .backend(mock.clone())
            .build()
            .unwrap();
        let data = bytes_body(UPLOAD_CHUNK + 1);
        let (on_progress, seen) = recorder();
        let request = client
            .post("http://api.test/upload")
            .content(track_upload(data.clone().into(), on_progress));
        block_on(request.into_future()).unwrap();
        assert_eq!(mock.requests()[0].body, data);
        let total = Some(data.len() as u64);
        assert_eq!(
            taken(&seen),
            [
                p(0, total),
                p(UPLOAD_CHUNK as u64, total),
                p(data.len() as u64, total)
            ]
        );
    }

    /// The native backend pulls the slices over HTTP/1.1 and HTTP/2 (it stops polling a
    /// stream of known length once that many bytes have gone: the last report still comes).
    #[cfg(native)]
    #[test]
    fn a_tracked_body_goes_over_the_wire() {
        let server = httplib_testserver::TestServer::start();
        let data = bytes_body(3 * UPLOAD_CHUNK + 7);
        let total = Some(data.len() as u64);
        let versions: &[bool] = if cfg!(feature = "http2") {
            &[false, true]
        } else {
            &[false]
        };
        for &h2 in versions {
            let mut builder = crate::Client::builder();
            if h2 {
                builder = builder.http2_prior_knowledge();
            }
            let client = builder.build().unwrap();
            let (on_progress, seen) = recorder();
            let body = track_upload(data.clone().into(), on_progress);
            let again = body.try_clone().unwrap();
            for body in [body, again] {
                let r = client
                    .post(server.http_url("/echo"))
                    .content(body)
                    .send_blocking()
                    .unwrap();
                let echo: serde_json::Value = serde_json::from_slice(r.bytes()).unwrap();
                assert_eq!(echo["body_len"], data.len(), "h2: {h2}");
                let reports = taken(&seen);
                assert_well_formed(&reports);
                assert_eq!(reports.len(), 5, "h2: {h2}, {reports:?}");
                assert_eq!(reports.last(), Some(&p(data.len() as u64, total)));
            }
        }
    }

    fn response(chunks: &[&'static str]) -> ResponseBody {
        let chunks: Vec<_> = chunks.iter().map(|s| Ok(Bytes::from(*s))).collect();
        ResponseBody::from_stream(stream::iter(chunks))
    }

    fn read(body: ResponseBody) -> crate::Result<Vec<Bytes>> {
        block_on(body.try_collect())
    }

    #[test]
    fn a_download_reports_each_chunk_out_of_its_total() {
        let (on_progress, seen) = recorder();
        let body = track_download(response(&["hel", "lo ", "world"]), Some(11), on_progress);
        assert!(
            taken(&seen).is_empty(),
            "nothing is reported before the body is read"
        );
        assert_eq!(read(body).unwrap().concat(), b"hello world");
        let reports = taken(&seen);
        assert_well_formed(&reports);
        assert_eq!(
            reports,
            [
                p(0, Some(11)),
                p(3, Some(11)),
                p(6, Some(11)),
                p(11, Some(11))
            ]
        );
    }

    #[test]
    fn a_download_of_unknown_length_reports_no_total() {
        let (on_progress, seen) = recorder();
        let body = track_download(response(&["ab", "", "cde"]), None, on_progress);
        assert_eq!(read(body).unwrap().concat(), b"abcde");
        assert_eq!(taken(&seen), [p(0, None), p(2, None), p(5, None)]);
    }

    #[test]
    fn an_empty_download_reports_once() {
        let (on_progress, seen) = recorder();
        let body = track_download(ResponseBody::empty(), Some(0), on_progress);
        assert!(read(body).unwrap().is_empty());
        assert_eq!(taken(&seen), [p(0, Some(0))]);
    }

    #[test]
    fn a_download_error_passes_through() {
        let chunks = [
            Ok(Bytes::from("abc")),
            Err(Error::new(ErrorKind::Read, "connection reset")),
        ];
        let (on_progress, seen) = recorder();
        let body = track_download(
            ResponseBody::from_stream(stream::iter(chunks)),
            Some(10),
            on_progress,
        );
        let e = read(body).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Read);
        assert!(e.to_string().contains("connection reset"), "{e}");
        assert_eq!(taken(&seen), [p(0, Some(10)), p(3, Some(10))]);
    }

    #[test]
    fn a_body_longer_than_announced_loses_its_total() {
        let (on_progress, seen) = recorder();
        let body = track_download(response(&["abc", "def"]), Some(4), on_progress);
        read(body).unwrap();
        let reports = taken(&seen);
        assert_well_formed(&reports);
        assert_eq!(reports, [p(0, Some(4)), p(3, Some(4)), p(6, None)]);
    }

    #[test]
    fn fraction_is_clamped_and_empty_is_done() {
        assert_eq!(p(1, Some(4)).fraction(), Some(0.25));
        assert_eq!(p(4, Some(4)).fraction(), Some(1.0));
        assert_eq!(p(8, Some(4)).fraction(), Some(1.0));
        assert_eq!(p(0, Some(0)).fraction(), Some(1.0));
        assert_eq!(p(3, None).fraction(), None);
    }

    #[test]
    fn a_callback_is_send_and_sync() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<ProgressFn>();
        send_sync::<crate::Client>();
        let (on_progress, _) = recorder();
        assert_eq!(format!("{on_progress:?}"), "ProgressFn(..)");
    }
}
