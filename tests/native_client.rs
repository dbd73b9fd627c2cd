//! The native pool of the Client against the real test server: connection reuse, limits
//! on connections and keep-alive, expiry. What holds on every target (base_url, default
//! headers, cookies, max_connections, close) is in the conformance suite.
#![cfg(native)]

mod common;

use std::time::Duration;

use common::{builder, client, connection_id, server};
use httplib::Limits;

#[tokio::test]
async fn one_connection_serves_sequential_requests() {
    let client = client();
    let ids: Vec<u64> = {
        let mut ids = Vec::new();
        for _ in 0..5 {
            ids.push(connection_id(
                &client.get(server().http_url("/echo")).await.unwrap(),
            ));
        }
        ids
    };
    assert!(ids.windows(2).all(|w| w[0] == w[1]), "{ids:?}");
    let tls: Vec<u64> = {
        let mut ids = Vec::new();
        for _ in 0..3 {
            ids.push(connection_id(
                &client.get(server().https_url("/echo")).await.unwrap(),
            ));
        }
        ids
    };
    assert!(tls.windows(2).all(|w| w[0] == w[1]), "{tls:?}");
}

#[tokio::test]
async fn waiting_requests_take_connections_as_they_free_up() {
    let client = builder()
        .limits(Limits::default().max_connections(2))
        .build()
        .unwrap();
    // A server of its own: the shared one's count includes the other tests' connections.
    let own = httplib_testserver::TestServer::start();
    let all = client
        .fan_out((0..8).map(|_| client.get(own.http_url("/delay/0.05"))))
        .gather()
        .await;
    assert!(all.iter().all(|r| r.as_ref().unwrap().status_code() == 200));
    let opened = own.connections_accepted();
    assert!(opened <= 2, "{opened} connections for max_connections(2)");
}

#[tokio::test]
async fn idle_connections_beyond_the_keepalive_limit_are_closed() {
    let client = builder()
        .limits(Limits::default().max_keepalive_connections(1))
        .build()
        .unwrap();
    let rs = client
        .fan_out((0..3).map(|_| client.get(server().http_url("/delay/0.05"))))
        .gather()
        .await;
    let ids: std::collections::HashSet<u64> = rs
        .iter()
        .map(|r| connection_id(r.as_ref().unwrap()))
        .collect();
    assert_eq!(ids.len(), 3, "three at once need three connections");
    // Only one was kept: the next three sequential requests reuse just it.
    let mut reused = std::collections::HashSet::new();
    for _ in 0..3 {
        reused.insert(connection_id(
            &client.get(server().http_url("/echo")).await.unwrap(),
        ));
    }
    assert_eq!(reused.len(), 1);
    assert!(ids.contains(reused.iter().next().unwrap()));
}

#[tokio::test]
async fn expired_idle_connections_are_not_reused() {
    let client = builder()
        .limits(Limits::default().keepalive_expiry(Duration::from_millis(100)))
        .build()
        .unwrap();
    let a = connection_id(&client.get(server().http_url("/echo")).await.unwrap());
    let b = connection_id(&client.get(server().http_url("/echo")).await.unwrap());
    assert_eq!(a, b);
    tokio::time::sleep(Duration::from_millis(250)).await;
    let c = connection_id(&client.get(server().http_url("/echo")).await.unwrap());
    assert_ne!(a, c);
}

#[tokio::test]
async fn responses_tell_the_servers_address_and_how_long_the_head_took() {
    for (client, url) in [
        (client(), server().http_url("/echo")),
        (
            builder().http2(true).build().unwrap(),
            server().https_url("/echo"),
        ),
    ] {
        let r = client.get(&url).await.unwrap();
        let addr = r
            .remote_addr()
            .expect("natively, the connection's peer is known");
        assert!(addr.ip().is_loopback(), "{addr}");
        assert_eq!(Some(addr.port()), url::Url::parse(&url).unwrap().port());
        assert!(r.elapsed() > Duration::ZERO && r.elapsed() < Duration::from_secs(5));
        // A reused connection tells the same.
        let again = client.get(&url).await.unwrap();
        assert_eq!(again.remote_addr(), Some(addr));
    }
}

#[tokio::test]
async fn a_panicking_middleware_fails_its_request_only() {
    use httplib::{BoxFuture, Middleware, Next, Request, StreamingResponse};

    struct PanicsOnBoom;
    impl Middleware for PanicsOnBoom {
        fn handle<'a>(
            &'a self,
            request: Request,
            next: Next<'a>,
        ) -> BoxFuture<'a, httplib::Result<StreamingResponse>> {
            Box::pin(async move {
                let response = next.run(request).await?;
                if response.url().path() == "/boom" {
                    panic!("the middleware's own bug");
                }
                Ok(response)
            })
        }
    }
    let client = builder()
        .middleware(PanicsOnBoom)
        .limits(Limits::default().max_connections(1))
        .build()
        .unwrap();
    // The panic unwinds through the task that awaited the request, as any panic would.
    let failing = client.clone();
    let url = server().http_url("/boom");
    let joined = tokio::spawn(async move { failing.get(url).await }).await;
    assert!(joined.unwrap_err().is_panic());
    // The client, its pool (one connection) and its locks stay usable.
    for _ in 0..3 {
        let r = client.get(server().http_url("/echo")).await.unwrap();
        assert!(r.is_success());
    }
}
