//! Native-only basics against the real test server: the blocking twins, blocking calls
//! inside and outside runtimes, foreign executors, `Send` futures. What holds on every
//! target (verbs, params, headers, reading the response) is in the conformance suite.
#![cfg(native)]

mod common;

use common::{connection_id, http, json};
use httplib::ErrorKind;
use serde_json::json;

#[test]
fn the_blocking_twins_work_from_plain_threads() {
    let threads: Vec<_> = (0..4)
        .map(|i| {
            std::thread::spawn(move || {
                let r = httplib::post(http("/echo"))
                    .json(&json!({ "n": i }))
                    .send_blocking()
                    .unwrap();
                json(&r)["json"]["n"].as_i64().unwrap()
            })
        })
        .collect();
    let mut got: Vec<i64> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    got.sort_unstable();
    assert_eq!(got, [0, 1, 2, 3]);

    let client = common::client();
    let a = client.get(http("/echo")).send_blocking().unwrap();
    let b = client.get(http("/echo")).send_blocking().unwrap();
    assert_eq!(
        connection_id(&a),
        connection_id(&b),
        "the blocking client reuses its connection"
    );
}

#[test]
fn a_blocking_threads_connection_is_its_own_and_outlives_nothing() {
    // send_blocking runs on the calling thread's own runtime, which drives the connections
    // it opens: those are reused by that thread, never lent to another thread or to async
    // callers (whose requests would stall while the owner is not in a blocking call), and
    // closed when the thread exits.
    let client = common::client();
    let a = {
        let client = client.clone();
        std::thread::spawn(move || {
            let first = client.get(http("/echo")).send_blocking().unwrap();
            let again = client.get(http("/echo")).send_blocking().unwrap();
            assert_eq!(connection_id(&first), connection_id(&again));
            connection_id(&first)
        })
        .join()
        .unwrap()
    };
    let here = client.get(http("/echo")).send_blocking().unwrap();
    assert_ne!(
        connection_id(&here),
        a,
        "another thread's connection was lent"
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let from_async = runtime
        .block_on(async {
            tokio::time::timeout(
                std::time::Duration::from_secs(5),
                client.get(http("/echo")).into_future(),
            )
            .await
        })
        .expect("an async request does not wait on a blocking thread's connection")
        .unwrap();
    assert_ne!(connection_id(&from_async), connection_id(&here));
    let streamed = client.get(http("/echo")).stream_blocking().unwrap();
    let on_another_thread =
        std::thread::spawn(move || streamed.read_blocking().map(|r| r.status_code()));
    assert_eq!(
        on_another_thread.join().unwrap().unwrap(),
        200,
        "a streamed body can move"
    );
}

#[tokio::test]
async fn a_blocking_call_inside_a_current_thread_runtime_is_a_clear_error_not_a_hang() {
    let err = httplib::get(http("/echo")).send_blocking().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Builder);
    assert!(err.to_string().contains(".await"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blocking_call_inside_a_multi_thread_runtime_works() {
    let r = httplib::get(http("/echo")).send_blocking().unwrap();
    assert_eq!(r.status_code(), 200);
    let r = tokio::task::spawn_blocking(|| httplib::get(http("/echo")).send_blocking())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(r.status_code(), 200);
}

#[test]
fn awaiting_from_a_foreign_executor_works() {
    let r = futures_executor::block_on(async { httplib::get(http("/echo")).await }).unwrap();
    assert_eq!(r.status_code(), 200);
}

#[test]
fn a_body_can_be_read_from_another_executor_than_the_one_that_sent_it() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let client = common::client();
    let mut r = runtime
        .block_on(
            client
                .stream(httplib::Method::GET, http("/drip?chunks=3&interval_ms=20"))
                .into_future(),
        )
        .unwrap();
    // The connection's task stays on `runtime` (alive); this thread polls the body with no
    // tokio context at all.
    let total = std::thread::spawn(move || {
        let mut total = 0;
        while let Some(chunk) = futures_executor::block_on(r.chunk()).unwrap() {
            total += chunk.len();
        }
        total
    })
    .join()
    .unwrap();
    assert_eq!(total, 30);
    drop(runtime);
}

#[tokio::test]
async fn futures_and_responses_are_send() {
    fn assert_send<T: Send>(t: T) -> T {
        t
    }
    let r = assert_send(httplib::get(http("/echo")).into_future())
        .await
        .unwrap();
    let _ = assert_send(r);
    let client = assert_send(common::client());
    let s = assert_send(
        client
            .stream(httplib::Method::GET, http("/echo"))
            .into_future(),
    )
    .await
    .unwrap();
    let _ = assert_send(s);
}

use std::future::IntoFuture;
