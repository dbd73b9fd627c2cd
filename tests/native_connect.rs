//! Opening connections natively, against loopback: Happy Eyeballs past a black-holed
//! address, every address dead, DNS overrides and a custom resolver, the local address,
//! a Unix domain socket, and the socket settings.
//!
//! A "black hole" is a listener with a backlog of 0 whose accept queue is already full:
//! the kernel drops further SYNs, so a connect to it hangs, as to a dead route.
#![cfg(native)]

mod common;

use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{builder, connection_id, json, server};
use httplib::dns::{Name, Resolve, Resolving};
use httplib::{ErrorKind, Timeout};
use socket2::{Domain, Socket, Type};

/// A listener that answers no connection: its accept queue is full, so SYNs are dropped.
struct BlackHole {
    addr: SocketAddr,
    _listener: Socket,
    _queued: Vec<TcpStream>,
}

impl BlackHole {
    fn new() -> BlackHole {
        let listener = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
        let any: SocketAddr = (Ipv4Addr::LOCALHOST, 0).into();
        listener.bind(&any.into()).unwrap();
        listener.listen(0).unwrap();
        let addr = listener.local_addr().unwrap().as_socket().unwrap();
        // Connections the queue takes until it takes no more: the next SYN is dropped.
        let mut queued = Vec::new();
        for _ in 0..8 {
            match TcpStream::connect_timeout(&addr, Duration::from_millis(200)) {
                Ok(stream) => queued.push(stream),
                Err(_) => {
                    return BlackHole {
                        addr,
                        _listener: listener,
                        _queued: queued,
                    };
                }
            }
        }
        panic!("the accept queue of {addr} never filled: no black hole on this system");
    }
}

/// An address on 127.0.0.1 where nothing listens: a connect is refused at once.
fn refused() -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap()
}

/// Sockets of this machine still trying to connect (`SYN_SENT`) to `addr` (Linux).
#[cfg(target_os = "linux")]
fn connecting_to(addr: SocketAddr) -> usize {
    let table = std::fs::read_to_string("/proc/net/tcp").unwrap();
    let SocketAddr::V4(v4) = addr else {
        return 0;
    };
    let wanted = format!(
        "{:08X}:{:04X}",
        u32::from_ne_bytes(v4.ip().octets()),
        v4.port()
    );
    table
        .lines()
        .skip(1)
        .filter(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            fields.get(2) == Some(&wanted.as_str()) && fields.get(3) == Some(&"02")
        })
        .count()
}

#[tokio::test]
async fn a_black_holed_address_first_costs_one_attempt_delay_not_the_timeout() {
    let hole = BlackHole::new();
    let live = server().http_addr();
    let client = builder()
        .resolve_to_addrs("api.test", &[hole.addr, live])
        .timeout(Timeout::new(Duration::from_secs(5)))
        .build()
        .unwrap();
    let started = Instant::now();
    let r = client.get("http://api.test/echo").await.unwrap();
    let took = started.elapsed();
    assert_eq!(r.status_code(), 200);
    assert_eq!(r.remote_addr(), Some(live));
    assert!(took < Duration::from_millis(900), "connected in {took:?}");
    assert!(
        took >= Duration::from_millis(200),
        "the black hole went first: {took:?}"
    );
    assert_eq!(json(&r)["headers"]["host"], "api.test");
    // The losing attempt was dropped with its socket, not left trying.
    #[cfg(target_os = "linux")]
    assert_eq!(connecting_to(hole.addr), 0);
}

#[tokio::test]
async fn every_address_dead_is_a_connect_error_naming_each_attempt() {
    let (one, two) = (refused(), refused());
    let client = builder()
        .resolve_to_addrs("dead.test", &[one, two])
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client.get("http://dead.test/").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Connect, "{err}");
    assert!(started.elapsed() < Duration::from_secs(1));
    let message = err.to_string();
    assert!(
        message.contains(&one.to_string()) && message.contains(&two.to_string()),
        "{message}"
    );

    // Addresses that never answer: the connect timeout ends the race, all of it.
    let (hole, other_hole) = (BlackHole::new(), BlackHole::new());
    let limit = Duration::from_millis(400);
    let client = builder()
        .resolve_to_addrs("silent.test", &[hole.addr, refused(), other_hole.addr])
        .timeout(Timeout::new(Duration::from_secs(5)).connect(limit))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client.get("http://silent.test/").await.unwrap_err();
    let took = started.elapsed();
    assert_eq!(err.kind(), ErrorKind::ConnectTimeout, "{err}");
    assert!(err.is_connect() && err.is_timeout());
    assert!(took >= limit && took < limit * 3, "took {took:?}");
    let message = err.to_string();
    for addr in [hole.addr, other_hole.addr] {
        assert!(message.contains(&format!("{addr}: no answer")), "{message}");
    }
    #[cfg(target_os = "linux")]
    assert_eq!(connecting_to(hole.addr) + connecting_to(other_hole.addr), 0);
}

/// A resolver that records the names it is asked for and answers from a table.
#[derive(Clone, Default)]
struct Table {
    asked: Arc<Mutex<Vec<String>>>,
    answers: Vec<(&'static str, Vec<SocketAddr>)>,
}

impl Resolve for Table {
    fn resolve(&self, name: Name) -> Resolving {
        self.asked.lock().unwrap().push(name.to_string());
        let found = self
            .answers
            .iter()
            .find(|(n, _)| *n == name.as_str())
            .map(|(_, addrs)| addrs.clone());
        Box::pin(async move { found.ok_or_else(|| format!("{name} is not in the table").into()) })
    }
}

#[tokio::test]
async fn a_custom_resolver_is_raced_too_and_overrides_come_first() {
    let hole = BlackHole::new();
    let live = server().http_addr();
    let table = Table {
        answers: vec![
            ("svc.test", vec![hole.addr, live]),
            ("pinned.test", vec![refused()]),
        ],
        ..Table::default()
    };
    let client = builder()
        .dns_resolver(table.clone())
        .resolve("pinned.test", live)
        .build()
        .unwrap();

    let started = Instant::now();
    let r = client.get("http://SVC.test/echo").await.unwrap();
    assert_eq!(r.remote_addr(), Some(live));
    assert!(started.elapsed() < Duration::from_millis(900));

    let r = client.get("http://pinned.test/echo").await.unwrap();
    assert_eq!(r.remote_addr(), Some(live));
    assert_eq!(
        *table.asked.lock().unwrap(),
        ["svc.test"],
        "the pin is not resolved"
    );

    let err = client.get("http://unknown.test/").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Connect);
    let chain = format!("{err}: {:?}", std::error::Error::source(&err));
    assert!(
        chain.contains("unknown.test is not in the table"),
        "{chain}"
    );

    // An IP address in the URL is never resolved.
    let r = client.get(server().http_url("/echo")).await.unwrap();
    assert_eq!(r.status_code(), 200);
    assert_eq!(table.asked.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn a_port_in_the_url_wins_over_the_pinned_one() {
    let live = server().http_addr();
    let elsewhere = SocketAddr::new(live.ip(), refused().port());
    let client = builder().resolve("api.test", elsewhere).build().unwrap();
    let r = client
        .get(format!("http://api.test:{}/echo", live.port()))
        .await
        .unwrap();
    assert_eq!(r.remote_addr(), Some(live));
    assert_eq!(
        json(&r)["headers"]["host"],
        format!("api.test:{}", live.port())
    );
}

#[tokio::test]
async fn the_system_resolver_answers_localhost() {
    // Whatever `localhost` resolves to here (127.0.0.1, and perhaps ::1, refused by the
    // IPv4-only listener and passed over), the request arrives.
    let port = server().http_addr().port();
    let r = builder()
        .build()
        .unwrap()
        .get(format!("http://localhost:{port}/echo"))
        .await
        .unwrap();
    assert_eq!(r.status_code(), 200);
    assert_eq!(r.remote_addr(), Some(server().http_addr()));
}

#[tokio::test]
async fn connections_come_from_the_local_address() {
    let client = builder()
        .local_address(IpAddr::V4(Ipv4Addr::LOCALHOST))
        .tcp_keepalive(Duration::from_secs(30))
        .build()
        .unwrap();
    let r = client.get(server().http_url("/echo")).await.unwrap();
    let seen = json(&r)["remote_addr"].as_str().unwrap().to_owned();
    assert!(seen.starts_with("127.0.0.1:"), "{seen}");

    // Linux answers for all of 127/8: a second loopback address shows the bind is real.
    #[cfg(target_os = "linux")]
    {
        let other = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2));
        let client = builder().local_address(other).build().unwrap();
        let r = client.get(server().http_url("/echo")).await.unwrap();
        let seen = json(&r)["remote_addr"].as_str().unwrap().to_owned();
        assert!(seen.starts_with("127.0.0.2:"), "{seen}");
    }

    // From an IPv4 address, IPv6 addresses are not tried.
    let v6: SocketAddr = "[::1]:9".parse().unwrap();
    let client = builder()
        .local_address(IpAddr::V4(Ipv4Addr::LOCALHOST))
        .resolve("v6.test", v6)
        .build()
        .unwrap();
    let err = client.get("http://v6.test/").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Connect);
    assert!(err.to_string().contains("family"), "{err}");
}

#[cfg(unix)]
#[tokio::test]
async fn every_request_goes_over_the_unix_socket() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.sock");
    let own = httplib_testserver::TestServer::start_with_uds(&path).unwrap();
    let client = builder().unix_socket(&path).build().unwrap();

    let first = client.get("http://app.local/echo?x=1").await.unwrap();
    let seen = json(&first);
    assert_eq!(seen["headers"]["host"], "app.local");
    assert_eq!(seen["url"], "http://app.local/echo?x=1");
    assert_eq!(seen["remote_addr"], serde_json::Value::Null);
    assert_eq!(first.remote_addr(), None);
    assert_eq!(first.http_version(), "HTTP/1.1");
    // Another host name, the same socket, and the connection is reused per origin.
    let again = client.get("http://app.local/echo").await.unwrap();
    assert_eq!(connection_id(&first), connection_id(&again));
    let other = client.get("http://other.local:8080/echo").await.unwrap();
    assert_eq!(json(&other)["headers"]["host"], "other.local:8080");
    assert_eq!(own.connections_accepted(), 2);

    let err = client.get("https://app.local/").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnsupportedProtocol, "{err}");

    let missing = builder()
        .unix_socket(dir.path().join("missing.sock"))
        .build()
        .unwrap();
    let err = missing.get("http://app.local/").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Connect);
    assert!(err.to_string().contains("missing.sock"), "{err}");
}

#[test]
fn zero_keepalive_durations_are_refused_when_building() {
    for builder in [
        builder().tcp_keepalive(Duration::ZERO),
        builder().http2_keep_alive(Duration::ZERO),
    ] {
        assert!(builder.build().unwrap_err().is_builder());
    }
    assert!(builder().tcp_keepalive(None).build().is_ok());
}
