//! The layers added on the front-end's seam (middleware, hooks, retries, the total
//! deadline, progress, response metadata) on the in-memory mock backend: no network, the
//! same on every target (native, Node, Chromium).

use std::sync::Arc;
use std::time::Duration;

use httplib::backend::mock::{MockBackend, MockResponse};
use httplib::{Client, ErrorKind, Method, Retry};

#[cfg(native)]
use tokio::test;
#[cfg(js)]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(wasi)]
use wstd::test;

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

#[test]
async fn middleware_wraps_the_whole_request_in_the_order_added() {
    use httplib::{BoxFuture, Middleware, Next, Request, Result, StreamingResponse};

    struct Tag(&'static str, Arc<std::sync::Mutex<Vec<String>>>);
    impl Middleware for Tag {
        fn handle<'a>(
            &'a self,
            mut request: Request,
            next: Next<'a>,
        ) -> BoxFuture<'a, Result<StreamingResponse>> {
            self.1.lock().unwrap().push(format!("{} in", self.0));
            request
                .headers_mut()
                .append("x-tag", self.0.parse().unwrap());
            Box::pin(async move {
                let mut response = next.run(request).await?;
                self.1.lock().unwrap().push(format!("{} out", self.0));
                response
                    .head_mut()
                    .headers_mut()
                    .insert("x-seen-by", self.0.parse().unwrap());
                Ok(response)
            })
        }
    }

    let mock = MockBackend::new();
    mock.on(
        Method::GET,
        "/old",
        MockResponse::new(302).header("Location", "/r"),
    );
    mock.on(Method::GET, "/r", MockResponse::new(200));
    let log = Arc::new(std::sync::Mutex::new(Vec::new()));
    let client = Client::builder()
        .middleware(Tag("outer", log.clone()))
        .middleware(Tag("inner", log.clone()))
        .follow_redirects(true)
        .backend(mock.clone())
        .build()
        .unwrap();
    let r = client.get("http://api.test/old").await.unwrap();
    // Once per logical request, not per redirect hop; the first added is the outermost.
    assert_eq!(
        *log.lock().unwrap(),
        ["outer in", "inner in", "inner out", "outer out"]
    );
    assert_eq!(r.headers()["x-seen-by"], "outer");
    let sent = mock.requests();
    assert_eq!(sent.len(), 2);
    for hop in &sent {
        let tags: Vec<_> = hop.headers.get_all("x-tag").iter().collect();
        assert_eq!(
            tags,
            ["outer", "inner"],
            "both hops carry what the middleware set"
        );
    }
}

#[test]
async fn middleware_may_answer_itself_or_replace_an_error() {
    use httplib::{
        BoxFuture, Middleware, Next, Request, ResponseBody, ResponseHead, Result, StreamingResponse,
    };

    struct Fallback;
    impl Middleware for Fallback {
        fn handle<'a>(
            &'a self,
            request: Request,
            next: Next<'a>,
        ) -> BoxFuture<'a, Result<StreamingResponse>> {
            let url = request.url().clone();
            if url.path() == "/cached" {
                let head = ResponseHead::new(httplib::StatusCode::OK, url);
                let body = ResponseBody::from(bytes::Bytes::from("from cache"));
                return Box::pin(async move { Ok(StreamingResponse::new(head, body)) });
            }
            Box::pin(async move {
                match next.run(request).await {
                    Err(e) if e.is_connect() => {
                        let head = ResponseHead::new(httplib::StatusCode::SERVICE_UNAVAILABLE, url);
                        Ok(StreamingResponse::new(head, ResponseBody::empty()))
                    }
                    other => other,
                }
            })
        }
    }

    let mock = MockBackend::new();
    mock.on(
        Method::GET,
        "/down",
        MockResponse::new(200).error(ErrorKind::Connect),
    );
    let client = Client::builder()
        .middleware(Fallback)
        .backend(mock.clone())
        .build()
        .unwrap();
    let r = client.get("http://api.test/cached").await.unwrap();
    assert_eq!(r.text().unwrap(), "from cache");
    assert_eq!(attempts(&mock), 0, "answered without the backend");
    let r = client.get("http://api.test/down").await.unwrap();
    assert_eq!(r.status_code(), 503);
}

#[test]
async fn hooks_see_every_request_sent_and_every_response_received() {
    let mock = MockBackend::new();
    mock.on(
        Method::GET,
        "/old",
        MockResponse::new(301).header("Location", "/r"),
    );
    mock.once(Method::GET, "/r", MockResponse::new(503)).on(
        Method::GET,
        "/r",
        MockResponse::new(200),
    );
    let requests = Arc::new(std::sync::Mutex::new(Vec::new()));
    let responses = Arc::new(std::sync::Mutex::new(Vec::new()));
    let (seen_requests, seen_responses) = (requests.clone(), responses.clone());
    let client = Client::builder()
        .follow_redirects(true)
        .retry(quick(1))
        .header("Authorization", "Bearer t")
        .on_request(move |r| {
            seen_requests
                .lock()
                .unwrap()
                .push(r.url().path().to_owned());
            r.headers_mut().insert("x-hooked", "yes".parse().unwrap());
        })
        .on_response(move |r| seen_responses.lock().unwrap().push(r.status_code()))
        .backend(mock.clone())
        .build()
        .unwrap();
    let r = client.get("http://api.test/old").await.unwrap();
    assert!(r.is_success());
    // The retry sends the whole chain again: old -> r (503), then old -> r (200).
    assert_eq!(*requests.lock().unwrap(), ["/old", "/r", "/old", "/r"]);
    assert_eq!(*responses.lock().unwrap(), [301, 503, 301, 200]);
    assert!(
        mock.requests()
            .iter()
            .all(|r| r.headers["x-hooked"] == "yes")
    );
}

#[test]
async fn on_retry_hears_of_each_retry_with_its_request_outcome_and_number() {
    let mock = MockBackend::new();
    mock.once(Method::GET, "/r", MockResponse::new(503))
        .once(
            Method::GET,
            "/r",
            MockResponse::new(200).error(ErrorKind::Connect),
        )
        .on(Method::GET, "/r", MockResponse::new(503));
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    let client = Client::builder()
        .retry(quick(3))
        .on_retry(move |request, outcome, n| {
            let outcome = match outcome {
                Ok(response) => format!("status {}", response.status_code()),
                Err(error) => format!("{:?}", error.kind()),
            };
            let path = request.url().path().to_owned();
            log.lock().unwrap().push((path, outcome, n));
        })
        .backend(mock.clone())
        .build()
        .unwrap();
    let r = client.get(URL).await.unwrap();
    // Three retries heard of; the fourth attempt's 503 is returned (no hook: no retry).
    assert_eq!((attempts(&mock), r.status_code()), (4, 503));
    let expected = [
        ("/r", "status 503", 1),
        ("/r", "Connect", 2),
        ("/r", "status 503", 3),
    ]
    .map(|(p, o, n)| (p.to_owned(), o.to_owned(), n));
    assert_eq!(*seen.lock().unwrap(), expected);

    // A request the policy does not retry (a POST) is sent once, and nothing is heard.
    client.post(URL).await.unwrap();
    assert_eq!(attempts(&mock), 5);
    assert_eq!(seen.lock().unwrap().len(), 3);
}

#[test]
async fn the_total_deadline_covers_the_head_the_retries_and_the_body() {
    let mock = MockBackend::new();
    mock.on(
        Method::GET,
        "/slow",
        MockResponse::new(200).delay(Duration::from_millis(400)),
    );
    mock.on(Method::GET, "/r", MockResponse::new(503));
    let total = httplib::Timeout::default().total(Duration::from_millis(60));
    let client = Client::builder()
        .timeout(total)
        .backend(mock.clone())
        .build()
        .unwrap();
    let started = httplib_time::now();
    let err = client.get("http://api.test/slow").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TotalTimeout);
    assert!(err.is_timeout());
    assert_eq!(err.url().map(|u| u.path()), Some("/slow"));
    assert!(started.elapsed() < Duration::from_millis(350));

    // Retries that would go on for a second stop at the deadline.
    let patient = Retry::new(50).backoff(Duration::from_millis(20), Duration::from_millis(20));
    let err = client.get(URL).retry(patient).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TotalTimeout);
    // About 3 attempts fit in 60 ms; a loaded machine's timers fire late, so the bound is
    // loose (the retries alone would make 51).
    assert!(attempts(&mock) < 25, "{}", attempts(&mock));

    // A body that stalls past the deadline fails while it is read.
    use httplib::{BoxFuture, Middleware, Next, Request, ResponseBody, ResponseHead};
    struct Stalls;
    impl Middleware for Stalls {
        fn handle<'a>(
            &'a self,
            request: Request,
            _next: Next<'a>,
        ) -> BoxFuture<'a, httplib::Result<httplib::StreamingResponse>> {
            let head = ResponseHead::new(httplib::StatusCode::OK, request.url().clone());
            let body = ResponseBody::from_stream(futures_util::stream::pending());
            Box::pin(async move { Ok(httplib::StreamingResponse::new(head, body)) })
        }
    }
    let stalled = Client::builder()
        .timeout(total)
        .middleware(Stalls)
        .build()
        .unwrap();
    let mut r = stalled.get("http://api.test/stall").stream().await.unwrap();
    let err = r.chunk().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TotalTimeout);
    // Without a total deadline, a request may take as long as its other limits allow.
    assert_eq!(httplib::Timeout::default().total, None);
}

#[test]
async fn progress_is_reported_as_bytes_move() {
    let mock = MockBackend::new();
    mock.on(
        Method::GET,
        "/big",
        MockResponse::new(200)
            .header("Content-Length", "6")
            .chunks([bytes::Bytes::from("abc"), bytes::Bytes::from("def")]),
    );
    mock.on(
        Method::POST,
        "/up",
        MockResponse::new(307).header("Location", "/up2"),
    );
    mock.on(Method::POST, "/up2", MockResponse::new(201));
    let client = Client::builder()
        .follow_redirects(true)
        .backend(mock.clone())
        .build()
        .unwrap();
    let down = Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = down.clone();
    let r = client
        .get("http://api.test/big")
        .on_download_progress(move |p| log.lock().unwrap().push((p.bytes, p.total)))
        .await
        .unwrap();
    assert_eq!(r.text().unwrap(), "abcdef");
    assert_eq!(
        *down.lock().unwrap(),
        [(0, Some(6)), (3, Some(6)), (6, Some(6))]
    );

    let up = Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = up.clone();
    let body = vec![1u8; 150_000];
    let r = client
        .post("http://api.test/up")
        .content(body)
        .on_upload_progress(move |p| log.lock().unwrap().push((p.bytes, p.total)))
        .await
        .unwrap();
    assert_eq!(r.status_code(), 201);
    let up = up.lock().unwrap();
    // Each hop sends the body again, counted from 0; never past the total.
    let starts = up.iter().filter(|(bytes, _)| *bytes == 0).count();
    assert_eq!(starts, 2, "{up:?}");
    assert!(
        up.iter()
            .all(|(bytes, total)| *total == Some(150_000) && *bytes <= 150_000)
    );
    assert_eq!(up.last(), Some(&(150_000, Some(150_000))));
    assert!(up.len() >= 6, "reported in chunks, not once: {up:?}");
}

#[test]
async fn responses_carry_elapsed_content_length_and_the_backends_extensions() {
    use httplib::backend::{Backend, SendOptions};
    use httplib::{Body, BoxFuture, ResponseBody};

    #[derive(Clone, Debug, PartialEq)]
    struct CacheStatus(&'static str);
    struct Tags;
    impl Backend for Tags {
        fn send(
            &self,
            request: http::Request<Body>,
            _: SendOptions,
        ) -> BoxFuture<'_, httplib::Result<http::Response<ResponseBody>>> {
            // A request extension set by a middleware reaches the backend.
            let tagged = request.extensions().get::<u8>().copied();
            let mut response = http::Response::new(ResponseBody::from(bytes::Bytes::from("hi")));
            response
                .headers_mut()
                .insert("content-length", "2".parse().unwrap());
            response.extensions_mut().insert(CacheStatus("hit"));
            response.extensions_mut().insert(tagged);
            Box::pin(async { Ok(response) })
        }
    }
    let client = Client::builder()
        .on_request(|r| {
            r.extensions_mut().insert(9u8);
        })
        .backend(Tags)
        .build()
        .unwrap();
    let r = client.get("http://api.test/").await.unwrap();
    assert_eq!(r.content_length(), Some(2));
    assert_eq!(
        r.extensions().get::<CacheStatus>(),
        Some(&CacheStatus("hit"))
    );
    assert_eq!(r.extensions().get::<Option<u8>>(), Some(&Some(9)));
    assert_eq!(r.remote_addr(), None, "this backend does not tell");
    assert!(r.elapsed() < Duration::from_secs(5));
}

#[test]
async fn the_seeds_fan_out_line_compiles_as_written() {
    let mock = MockBackend::new();
    mock.handle(|r| Some(MockResponse::new(200).text(r.url.path())));
    let client = Client::builder().backend(mock.clone()).build().unwrap();
    let urls = [
        "http://api.test/a",
        "http://api.test/b",
        "http://api.test/c",
    ];
    let rs = futures_util::future::join_all(urls.iter().map(|u| client.get(*u))).await;
    let bodies: Vec<String> = rs.into_iter().map(|r| r.unwrap().text().unwrap()).collect();
    assert_eq!(bodies, ["/a", "/b", "/c"]);
}

#[test]
async fn a_redirect_policy_follows_stops_or_fails_each_redirect() {
    let mock = MockBackend::new();
    mock.on(
        Method::GET,
        "/a",
        MockResponse::new(302).header("Location", "/b"),
    );
    mock.on(
        Method::GET,
        "/b",
        MockResponse::new(307).header("Location", "/c"),
    );
    mock.on(Method::GET, "/c", MockResponse::new(200));
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    let client = Client::builder()
        .redirect_policy(move |attempt| {
            log.lock().unwrap().push((
                attempt.status().as_u16(),
                attempt.url().path().to_owned(),
                attempt.previous().len(),
            ));
            match attempt.url().path() {
                "/c" => attempt.stop(),
                _ => attempt.follow(),
            }
        })
        .backend(mock.clone())
        .build()
        .unwrap();
    let r = client.get("http://api.test/a").await.unwrap();
    assert_eq!((r.status_code(), r.url().path()), (307, "/b"));
    assert_eq!(r.history().len(), 1);
    assert_eq!(
        *seen.lock().unwrap(),
        [(302, "/b".to_owned(), 1), (307, "/c".to_owned(), 2)]
    );

    let refusing = Client::builder()
        .redirect_policy(|attempt| attempt.error("no redirects to /b"))
        .backend(mock.clone())
        .build()
        .unwrap();
    let err = refusing.get("http://api.test/a").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Redirect);
    assert!(err.is_redirect());
    assert!(err.to_string().contains("no redirects to /b"), "{err}");
    // A request may still turn following off.
    let r = refusing
        .get("http://api.test/a")
        .follow_redirects(false)
        .await
        .unwrap();
    assert_eq!(r.status_code(), 302);
}

/// The clock the tests read: std's panics on wasm32-unknown-unknown.
mod httplib_time {
    #[cfg(not(js))]
    pub use std::time::Instant;
    #[cfg(js)]
    pub use web_time::Instant;

    pub fn now() -> Instant {
        Instant::now()
    }
}
