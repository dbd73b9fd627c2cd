//! The `tracing` feature (run with `--features tracing`): one `request` span per logical
//! request, with its fields, and the events of redirects, retries, Digest resends and the
//! native backend's connections inside it, against the test server; and no credential in
//! anything recorded. A small hand-written subscriber collects every span and event of the
//! `httplib` target, with the span each belongs to.
#![cfg(all(feature = "tracing", native))]

mod common;

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use common::{builder, connection_id, http, server};
use httplib::backend::mock::{MockBackend, MockResponse};
use httplib::{DigestAuth, Method, Retry};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

type Fields = BTreeMap<String, String>;

#[derive(Clone, Debug)]
struct SpanData {
    name: String,
    metadata: &'static Metadata<'static>,
    parent: Option<u64>,
    fields: Fields,
}

#[derive(Clone, Debug)]
struct EventData {
    span: Option<u64>,
    fields: Fields,
}

impl EventData {
    fn message(&self) -> &str {
        self.fields.get("message").map_or("", String::as_str)
    }

    fn field(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", String::as_str)
    }
}

#[derive(Default)]
struct Recorded {
    spans: HashMap<u64, SpanData>,
    events: Vec<EventData>,
}

/// Every span and event of the `httplib` target, from every thread.
struct Collector {
    next_id: AtomicU64,
    recorded: Mutex<Recorded>,
}

thread_local! {
    /// The spans this thread is inside, innermost last.
    static ENTERED: RefCell<Vec<u64>> = const { RefCell::new(Vec::new()) };
}

fn current() -> Option<u64> {
    ENTERED.with(|stack| stack.borrow().last().copied())
}

struct Visitor<'a>(&'a mut Fields);

impl Visit for Visitor<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
}

impl Collector {
    fn lock(&self) -> std::sync::MutexGuard<'_, Recorded> {
        self.recorded
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Subscriber for &'static Collector {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.target() == "httplib"
    }

    fn new_span(&self, attrs: &Attributes<'_>) -> Id {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let parent = match attrs.parent() {
            Some(parent) => Some(parent.into_u64()),
            None if attrs.is_contextual() => current(),
            None => None,
        };
        let mut fields = Fields::new();
        attrs.record(&mut Visitor(&mut fields));
        let name = attrs.metadata().name().to_owned();
        let span = SpanData {
            name,
            metadata: attrs.metadata(),
            parent,
            fields,
        };
        self.lock().spans.insert(id, span);
        Id::from_u64(id)
    }

    fn record(&self, span: &Id, values: &Record<'_>) {
        if let Some(span) = self.lock().spans.get_mut(&span.into_u64()) {
            values.record(&mut Visitor(&mut span.fields));
        }
    }

    fn record_follows_from(&self, _span: &Id, _follows: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let span = match event.parent() {
            Some(parent) => Some(parent.into_u64()),
            None if event.is_contextual() => current(),
            None => None,
        };
        let mut fields = Fields::new();
        event.record(&mut Visitor(&mut fields));
        self.lock().events.push(EventData { span, fields });
    }

    /// What `Span::current()` (and so `Instrument::in_current_span`) sees.
    fn current_span(&self) -> tracing_core::span::Current {
        let recorded = self.lock();
        match current().and_then(|id| Some((id, recorded.spans.get(&id)?.metadata))) {
            Some((id, metadata)) => tracing_core::span::Current::new(Id::from_u64(id), metadata),
            None => tracing_core::span::Current::none(),
        }
    }

    fn enter(&self, span: &Id) {
        ENTERED.with(|stack| stack.borrow_mut().push(span.into_u64()));
    }

    fn exit(&self, span: &Id) {
        ENTERED.with(|stack| {
            let mut stack = stack.borrow_mut();
            if let Some(at) = stack.iter().rposition(|id| *id == span.into_u64()) {
                stack.remove(at);
            }
        });
    }
}

/// The collector, installed for the whole test binary on first use.
fn collector() -> &'static Collector {
    static COLLECTOR: OnceLock<&'static Collector> = OnceLock::new();
    COLLECTOR.get_or_init(|| {
        let collector: &'static Collector = Box::leak(Box::new(Collector {
            next_id: AtomicU64::new(1),
            recorded: Mutex::default(),
        }));
        tracing::subscriber::set_global_default(collector).expect("no other subscriber");
        collector
    })
}

/// The `request` span whose URL has the query name `marker` (each request's own), and the
/// events inside it (in it, or in a span below it), in order.
fn request_span(marker: &str) -> (SpanData, Vec<EventData>) {
    let recorded = collector().lock();
    let named = |url: &str| {
        let query = url.split_once('?').map_or("", |(_, q)| q);
        query
            .split('&')
            .any(|part| part.split('=').next() == Some(marker))
    };
    let mut found = recorded
        .spans
        .iter()
        .filter(|(_, s)| s.name == "request" && named(&s.fields["url"]));
    let (id, span) = found.next().expect("a request span for the marker");
    assert!(found.next().is_none(), "one span per logical request");
    let within = |mut at: Option<u64>| {
        while let Some(here) = at {
            if here == *id {
                return true;
            }
            at = recorded.spans.get(&here).and_then(|s| s.parent);
        }
        false
    };
    let events = recorded
        .events
        .iter()
        .filter(|e| within(e.span))
        .cloned()
        .collect();
    (span.clone(), events)
}

fn with_message<'a>(events: &'a [EventData], message: &str) -> Vec<&'a EventData> {
    events.iter().filter(|e| e.message() == message).collect()
}

#[tokio::test]
async fn a_redirect_chain_is_one_span_with_an_event_per_hop() {
    collector();
    let client = builder().follow_redirects(true).build().unwrap();
    let r = client.get(http("/redirect/2?chain_case=1")).await.unwrap();
    assert_eq!(r.status_code(), 200);
    assert_eq!(r.history().len(), 3);

    let (span, events) = request_span("chain_case");
    assert_eq!(span.fields["method"], "GET");
    let origin = http("");
    assert_eq!(
        span.fields["url"],
        format!("{origin}/redirect/2?chain_case=***")
    );
    assert_eq!(span.fields["status"], "200");
    assert_eq!(span.fields["version"], "HTTP/1.1");
    assert!(!span.fields.contains_key("attempts"), "no retry policy");

    let hops = with_message(&events, "following a redirect");
    let seen: Vec<(&str, &str, &str)> = hops
        .iter()
        .map(|e| (e.field("from"), e.field("to"), e.field("status")))
        .collect();
    let first = format!("{origin}/redirect/2?chain_case=***");
    let second = format!("{origin}/redirect/1");
    let third = format!("{origin}/redirect/0");
    let last = format!("{origin}/echo");
    assert_eq!(
        seen,
        [
            (first.as_str(), second.as_str(), "302"),
            (second.as_str(), third.as_str(), "302"),
            (third.as_str(), last.as_str(), "302"),
        ]
    );
}

#[tokio::test]
async fn a_fresh_connection_then_a_reused_one() {
    collector();
    let client = common::client();
    let first = client.get(http("/echo?fresh_case=1")).await.unwrap();
    let second = client.get(http("/echo?reused_case=1")).await.unwrap();
    assert_eq!(connection_id(&first), connection_id(&second));

    let (_, events) = request_span("fresh_case");
    let port = server().http_addr().port().to_string();
    let dns = with_message(&events, "DNS resolved");
    assert_eq!(dns.len(), 1);
    assert_eq!(
        (dns[0].field("host"), dns[0].field("port")),
        ("127.0.0.1", port.as_str())
    );
    let tcp = with_message(&events, "TCP connected");
    assert_eq!(tcp.len(), 1);
    assert_eq!(tcp[0].field("address"), server().http_addr().to_string());
    let opened = with_message(&events, "connection opened");
    assert_eq!(opened.len(), 1);
    assert_eq!(opened[0].field("reused"), "false");
    assert_eq!(opened[0].field("version"), "HTTP/1.1");
    assert!(with_message(&events, "connection reused from the pool").is_empty());

    let (_, events) = request_span("reused_case");
    let reused = with_message(&events, "connection reused from the pool");
    assert_eq!(reused.len(), 1);
    assert_eq!(reused[0].field("reused"), "true");
    assert!(with_message(&events, "connection opened").is_empty());
    assert!(with_message(&events, "DNS resolved").is_empty());
}

/// Happy Eyeballs: an event per attempt (and per failed one), then the winner's.
#[tokio::test]
async fn each_connection_attempt_is_an_event() {
    collector();
    let refused = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let live = server().http_addr();
    let client = builder()
        .resolve_to_addrs("eyeballs.test", &[refused, live])
        .build()
        .unwrap();
    let r = client
        .get("http://eyeballs.test/echo?eyeballs_case=1")
        .await
        .unwrap();
    assert_eq!(r.status_code(), 200);
    let (_, events) = request_span("eyeballs_case");
    let dns = with_message(&events, "DNS resolved");
    assert_eq!(
        (dns[0].field("source"), dns[0].field("addresses")),
        ("override", "2")
    );
    let attempts: Vec<(&str, &str)> = with_message(&events, "TCP connect attempt")
        .iter()
        .map(|e| (e.field("address"), e.field("attempt")))
        .collect();
    let (refused, live) = (refused.to_string(), live.to_string());
    assert_eq!(attempts, [(refused.as_str(), "1"), (live.as_str(), "2")]);
    let failed = with_message(&events, "TCP connect attempt failed");
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].field("address"), refused);
    assert_eq!(
        with_message(&events, "TCP connected")[0].field("address"),
        live
    );
}

#[tokio::test]
async fn a_connection_not_read_to_its_end_is_closed() {
    collector();
    let client = common::client();
    let response = client.stream(Method::GET, http("/stream-bytes/100000?closed_case=1"));
    let response = response.await.unwrap();
    drop(response);
    // Dropped outside any poll: the close belongs to no request, and is still reported.
    let recorded = collector().lock();
    assert!(
        recorded
            .events
            .iter()
            .any(|e| e.message() == "connection closed" && e.field("reusable") == "false")
    );
}

#[tokio::test]
async fn https_reports_the_tls_handshake_and_alpn() {
    collector();
    let client = builder().http2(true).build().unwrap();
    let r = client
        .get(server().https_url("/echo?tls_case=1"))
        .await
        .unwrap();
    assert_eq!(r.http_version(), "HTTP/2");
    let (span, events) = request_span("tls_case");
    assert_eq!(span.fields["version"], "HTTP/2");
    let tls = with_message(&events, "TLS handshake done");
    assert_eq!(tls.len(), 1);
    assert_eq!(tls[0].field("alpn"), "h2");
    assert_eq!(
        with_message(&events, "connection opened")[0].field("version"),
        "HTTP/2"
    );
}

/// A blocking request opens its HTTP/2 connection on the background runtime: the events
/// of that task are still inside the request's span.
#[test]
fn events_of_the_background_runtime_stay_in_the_span() {
    collector();
    let client = builder().http2(true).build().unwrap();
    let r = client
        .get(server().https_url("/echo?blocking_case=1"))
        .send_blocking()
        .unwrap();
    assert_eq!(r.status_code(), 200);
    let (_, events) = request_span("blocking_case");
    assert_eq!(with_message(&events, "TLS handshake done").len(), 1);
    assert_eq!(with_message(&events, "TCP connected").len(), 1);
}

#[tokio::test]
async fn retries_are_events_and_the_span_counts_the_attempts() {
    collector();
    let quick = Retry::new(2).backoff(Duration::from_millis(1), Duration::from_millis(2));
    let client = builder().retry(quick.clone()).build().unwrap();
    let r = client.get(http("/status/503?retry_case=1")).await.unwrap();
    assert_eq!(r.status_code(), 503);
    let (span, events) = request_span("retry_case");
    assert_eq!(span.fields["attempts"], "3");
    assert_eq!(span.fields["status"], "503");
    let retries = with_message(&events, "retrying");
    let seen: Vec<(&str, &str)> = retries
        .iter()
        .map(|e| (e.field("attempt"), e.field("reason")))
        .collect();
    assert_eq!(seen, [("2", "status 503"), ("3", "status 503")]);
    assert!(
        retries
            .iter()
            .all(|e| e.field("delay_ms").parse::<u64>().unwrap() <= 2)
    );
    // Under a policy, the retry layer decides: the connection is kept for the next attempt.
    assert_eq!(
        with_message(&events, "connection reused from the pool").len(),
        2
    );

    // An error is a reason too: nothing listens on a port just freed.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let err = client
        .get(format!("http://127.0.0.1:{port}/?refused_case=1"))
        .await
        .unwrap_err();
    assert!(err.is_connect());
    let (span, events) = request_span("refused_case");
    assert_eq!(span.fields["attempts"], "3");
    assert_eq!(span.fields["error"], "Connect");
    let reasons: Vec<&str> = with_message(&events, "retrying")
        .iter()
        .map(|e| e.field("reason"))
        .collect();
    assert_eq!(reasons, ["error Connect", "error Connect"]);

    // The front-end's events are the same on the mock backend: a 503 once, then a 200.
    let mock = MockBackend::new();
    mock.once(Method::GET, "/flaky", MockResponse::new(503)).on(
        Method::GET,
        "/flaky",
        MockResponse::new(200),
    );
    let client = httplib::Client::builder()
        .retry(quick)
        .backend(mock)
        .build()
        .unwrap();
    let r = client
        .get("http://api.test/flaky?mock_case=1")
        .await
        .unwrap();
    assert_eq!(r.status_code(), 200);
    let (span, events) = request_span("mock_case");
    assert_eq!(
        (
            span.fields["attempts"].as_str(),
            span.fields["status"].as_str()
        ),
        ("2", "200")
    );
    assert_eq!(with_message(&events, "retrying").len(), 1);
}

#[tokio::test]
async fn a_digest_resend_is_an_event() {
    collector();
    let client = common::client();
    let r = client
        .get(http("/digest-auth/auth/user/passwd?digest_case=1"))
        .auth(DigestAuth::new("user", "passwd"))
        .await
        .unwrap();
    assert_eq!(r.status_code(), 200);
    let (span, events) = request_span("digest_case");
    assert_eq!(span.fields["status"], "200");
    let resends = with_message(&events, "answering the Digest challenge");
    assert_eq!(resends.len(), 1);
    assert!(resends[0].field("url").ends_with("?digest_case=***"));
    assert_eq!(
        with_message(&events, "connection reused from the pool").len(),
        1
    );
}

const SECRETS: [&str; 7] = [
    "URLUSER",
    "URLPASSWORD",
    "BASICPASSWORD",
    "BEARERTOKEN",
    "QUERYVALUE",
    "COOKIEVALUE",
    "PROXYVALUE",
];

#[tokio::test]
async fn no_credential_is_ever_recorded() {
    collector();
    let client = builder().follow_redirects(true).build().unwrap();
    let origin = server().http_addr();
    // Userinfo in the URL, and a query value, across a redirect to another secret query.
    let target = "/echo%3Fapi_key%3DQUERYVALUE";
    let url = format!(
        "http://URLUSER:URLPASSWORD@{origin}/redirect-to?url={target}&userinfo_case=QUERYVALUE"
    );
    let r = client
        .get(&url)
        .header("cookie", "session=COOKIEVALUE")
        .header("proxy-authorization", "Basic PROXYVALUE")
        .await
        .unwrap();
    assert_eq!(r.status_code(), 200);
    client
        .get(http("/bearer?bearer_only_case=QUERYVALUE"))
        .bearer_auth("BEARERTOKEN")
        .await
        .unwrap();
    client
        .get(http("/echo?basic_case=1&token=QUERYVALUE"))
        .basic_auth("user", Some("BASICPASSWORD"))
        .await
        .unwrap();
    // Across retries too.
    client
        .get(http("/status/503?retried_token_case=QUERYVALUE"))
        .bearer_auth("BEARERTOKEN")
        .retry(Retry::new(1).backoff(Duration::ZERO, Duration::ZERO))
        .await
        .unwrap();

    let (span, events) = request_span("userinfo_case");
    assert_eq!(
        span.fields["url"],
        format!("http://{origin}/redirect-to?url=***&userinfo_case=***")
    );
    let hop = with_message(&events, "following a redirect");
    assert_eq!(
        hop[0].field("to"),
        format!("http://{origin}/echo?api_key=***")
    );
    for marker in ["bearer_only_case", "basic_case", "retried_token_case"] {
        request_span(marker);
    }

    let recorded = collector().lock();
    let spans = recorded.spans.values().map(|s| &s.fields);
    let events = recorded.events.iter().map(|e| &e.fields);
    let mut seen = 0;
    for fields in spans.chain(events) {
        for (name, value) in fields {
            seen += 1;
            for secret in SECRETS {
                assert!(
                    !value.contains(secret) && !name.contains(secret),
                    "{secret} recorded in {name} = {value}"
                );
            }
        }
    }
    assert!(seen > 20, "the requests above were recorded");
}
