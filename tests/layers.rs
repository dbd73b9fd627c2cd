//! The layers added on the front-end's seam (middleware, hooks, retries, the total
//! deadline, progress, response metadata) on the in-memory mock backend: no network, the
//! same on every target (native, Node, Chromium).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use httplib::backend::mock::{MockBackend, MockResponse};
use httplib::{Client, ErrorKind, Method, Retry};

#[cfg(not(target_arch = "wasm32"))]
use tokio::test;
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

const URL: &str = "http://api.test/r";

fn client(mock: &MockBackend, retry: Retry) -> Client {
    Client::builder()
        .retry(retry)
        .backend(mock.clone())
        .build()
        .unwrap()
}

/// A policy that does not wait, to keep the tests fast.
fn quick(limit: u32) -> Retry {
    Retry::new(limit).backoff(Duration::ZERO, Duration::ZERO)
}

fn attempts(mock: &MockBackend) -> usize {
    mock.requests().len()
}

#[test]
async fn a_transient_status_is_retried_and_the_last_response_returned_as_it_came() {
    let mock = MockBackend::new();
    mock.on(Method::GET, "/r", MockResponse::new(503).text("busy"));
    let r = client(&mock, quick(2)).get(URL).await.unwrap();
    assert_eq!(attempts(&mock), 3, "the first attempt and two retries");
    assert_eq!((r.status_code(), r.text().unwrap().as_str()), (503, "busy"));

    let mock = MockBackend::new();
    mock.once(Method::GET, "/r", MockResponse::new(429)).on(
        Method::GET,
        "/r",
        MockResponse::new(200).text("done"),
    );
    let r = client(&mock, quick(2)).get(URL).await.unwrap();
    assert_eq!((attempts(&mock), r.text().unwrap().as_str()), (2, "done"));
}

#[test]
async fn statuses_and_errors_outside_the_policy_are_not_retried() {
    let mock = MockBackend::new();
    mock.on(Method::GET, "/r", MockResponse::new(404));
    mock.on(
        Method::GET,
        "/slow",
        MockResponse::new(200).delay(Duration::from_millis(200)),
    );
    let client = client(&mock, quick(3));
    assert_eq!(client.get(URL).await.unwrap().status_code(), 404);
    assert_eq!(attempts(&mock), 1);
    // A read timeout may mean the server acted on the request: not retried by default.
    let err = client
        .get("http://api.test/slow")
        .timeout(Duration::from_millis(20))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ReadTimeout);
    assert_eq!(attempts(&mock), 2);
}

#[test]
async fn connect_errors_are_retried() {
    let mock = MockBackend::new();
    mock.once(
        Method::GET,
        "/r",
        MockResponse::new(200).error(ErrorKind::Connect),
    )
    .on(Method::GET, "/r", MockResponse::new(200));
    assert!(client(&mock, quick(1)).get(URL).await.unwrap().is_success());
    assert_eq!(attempts(&mock), 2);

    let mock = MockBackend::new();
    mock.on(
        Method::GET,
        "/r",
        MockResponse::new(200).error(ErrorKind::Connect),
    );
    let err = client(&mock, quick(2)).get(URL).await.unwrap_err();
    assert_eq!((err.kind(), attempts(&mock)), (ErrorKind::Connect, 3));
}

#[test]
async fn a_post_is_sent_once_unless_the_policy_names_it() {
    let mock = MockBackend::new();
    mock.on(Method::POST, "/r", MockResponse::new(503));
    let client = client(&mock, quick(3));
    assert_eq!(client.post(URL).json(&1).await.unwrap().status_code(), 503);
    assert_eq!(attempts(&mock), 1, "POST is not idempotent");

    let widened = quick(1).methods([Method::POST]);
    client.post(URL).json(&1).retry(widened).await.unwrap();
    assert_eq!(attempts(&mock), 3, "one more POST and its retry");
    let sent = mock.requests();
    assert_eq!(
        sent[1].body, sent[2].body,
        "the body is sent again as it was"
    );
}

#[test]
async fn a_one_shot_body_is_never_replayed() {
    let mock = MockBackend::new();
    mock.on(Method::PUT, "/r", MockResponse::new(503));
    let chunks = futures_util::stream::iter([Ok::<_, std::io::Error>(bytes::Bytes::from("x"))]);
    let body = httplib::Body::from_stream(chunks, None);
    let r = client(&mock, quick(3))
        .put(URL)
        .content(body)
        .await
        .unwrap();
    assert_eq!((r.status_code(), attempts(&mock)), (503, 1));
}

#[test]
async fn a_request_overrides_the_client_policy() {
    let mock = MockBackend::new();
    mock.on(Method::GET, "/r", MockResponse::new(500));
    let client = client(&mock, quick(3));
    client.get(URL).retry(Retry::none()).await.unwrap();
    assert_eq!(attempts(&mock), 1);
    client.get(URL).retry(quick(1)).await.unwrap();
    assert_eq!(attempts(&mock), 3);
    // The default client retries nothing.
    let plain = Client::builder().backend(mock.clone()).build().unwrap();
    plain.get(URL).await.unwrap();
    assert_eq!(attempts(&mock), 4);
}

#[test]
async fn retry_after_is_honoured_up_to_the_cap_and_bad_values_are_ignored() {
    // "3600" seconds would hold the caller for an hour: clamped to the 30 ms cap.
    for value in ["3600", "Wed, 21 Oct 2099 07:28:00 GMT", "-5", "soon", "0"] {
        let mock = MockBackend::new();
        mock.once(
            Method::GET,
            "/r",
            MockResponse::new(503).header("Retry-After", value),
        )
        .on(Method::GET, "/r", MockResponse::new(200));
        let client = client(
            &mock,
            Retry::new(1).backoff(Duration::from_millis(1), Duration::from_millis(30)),
        );
        let started = httplib_time::now();
        let r = client.get(URL).await.unwrap();
        let waited = started.elapsed();
        assert!(r.is_success(), "{value}");
        assert!(
            waited < Duration::from_secs(2),
            "{value}: waited {waited:?}"
        );
    }
}

#[test]
async fn retries_stay_within_the_client_budget() {
    let mock = MockBackend::new();
    mock.on(Method::GET, "/r", MockResponse::new(503));
    let client = client(&mock, quick(5));
    for _ in 0..40 {
        client.get(URL).await.unwrap();
    }
    // 40 requests earn 0.2 retries each on top of a reserve of 10: 18 at most.
    let retries = attempts(&mock) - 40;
    assert!(retries <= 10 + 8 + 1, "{retries} retries");
    assert!(retries >= 10, "{retries} retries");
}

/// The clock the tests read: std's panics on wasm32.
mod httplib_time {
    #[cfg(not(target_arch = "wasm32"))]
    pub use std::time::Instant;
    #[cfg(target_arch = "wasm32")]
    pub use web_time::Instant;

    pub fn now() -> Instant {
        Instant::now()
    }
}

#[allow(dead_code)]
fn count() -> Arc<AtomicUsize> {
    Arc::new(AtomicUsize::new(0))
}

#[allow(dead_code)]
fn read(counter: &AtomicUsize) -> usize {
    counter.load(Ordering::SeqCst)
}
