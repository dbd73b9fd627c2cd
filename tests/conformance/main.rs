//! The conformance suite: one set of scenarios against the project's test server, compiled
//! for every target. ci.sh runs it natively (the hyper backend, the server in this process)
//! and for wasm32 in Node and headless Chromium (the fetch backend, the server started by
//! the script). Where a target differs by a limit the README's by-target table documents,
//! the one test branches on a predicate of `support` and shows the documented behaviour.

mod support;

use std::time::Duration;

use futures_util::StreamExt;
use httplib::backend::FetchCredentials;
use httplib::{DigestAuth, ErrorKind, Method, Timeout};
use serde_json::{Value, json};
use support::{
    Instant, builder, client, closed_port, connection_id, echoed_header, http, https, in_browser,
    in_node, in_wasi, json_of, native, pattern, test, unique_key,
};

// --- requests: verbs, params, headers, bodies --------------------------------------------

#[test]
async fn a_get_with_params_and_headers_reads_status_json_and_text() {
    let r = httplib::get(http("/echo"))
        .query(&[("q", "test"), ("page", "2")])
        .header("X-Custom", "yes")
        .header("User-Agent", "my-app/1.0")
        .await
        .unwrap();
    assert_eq!(r.status_code(), 200);
    assert_eq!(r.status(), httplib::StatusCode::OK);
    assert!(r.is_success());
    let body = json_of(&r);
    assert_eq!(body["method"], "GET");
    assert_eq!(body["path"], "/echo");
    assert_eq!(body["args"], json!({"q": "test", "page": "2"}));
    assert_eq!(echoed_header(&body, "x-custom").as_deref(), Some("yes"));
    if !in_browser() {
        // A browser sends its own User-Agent (a header scripts cannot set).
        assert_eq!(
            echoed_header(&body, "user-agent").as_deref(),
            Some("my-app/1.0")
        );
    }
    assert!(r.text().unwrap().contains("\"args\""));
    if in_node() {
        // The package sends through node:http in Node, which tells the version and the
        // server's address (Node's fetch tells neither).
        assert_eq!(r.version(), Some(httplib::Version::HTTP_11));
        assert_eq!(r.http_version(), "HTTP/1.1");
        let server: std::net::SocketAddr = http("/")
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .parse()
            .unwrap();
        assert_eq!(r.remote_addr(), Some(server));
    } else if in_wasi() {
        // wasi:http does not tell the version: reported as unknown, never guessed.
        assert_eq!(r.version(), None);
        assert_eq!(r.http_version(), "unknown");
    } else if in_browser() {
        // Chromium records it in resource timing (the server sends Timing-Allow-Origin).
        assert_eq!(r.http_version(), "HTTP/1.1");
    } else {
        assert_eq!(r.version(), Some(httplib::Version::HTTP_11));
        assert_eq!(r.http_version(), "HTTP/1.1");
    }
}

#[test]
async fn verbs_and_bodies_arrive_as_sent() {
    let d = json!({"id": 1, "name": "ada"});
    for (r, method) in [
        (httplib::post(http("/echo")).json(&d).await.unwrap(), "POST"),
        (httplib::put(http("/echo")).json(&d).await.unwrap(), "PUT"),
        (
            httplib::patch(http("/echo")).json(&d).await.unwrap(),
            "PATCH",
        ),
    ] {
        let body = json_of(&r);
        assert_eq!(body["method"], method);
        assert_eq!(body["json"], d);
        assert_eq!(
            echoed_header(&body, "content-type").as_deref(),
            Some("application/json")
        );
    }
    let r = httplib::delete(http("/echo")).await.unwrap();
    assert_eq!(json_of(&r)["method"], "DELETE");
    let head = httplib::head(http("/bytes/10")).await.unwrap();
    assert_eq!(head.status_code(), 200);
    assert!(head.bytes().is_empty());

    let r = httplib::post(http("/echo"))
        .form(&[("key", "value")])
        .await
        .unwrap();
    let body = json_of(&r);
    assert_eq!(body["form"], json!({"key": "value"}));
    assert_eq!(
        echoed_header(&body, "content-type").as_deref(),
        Some("application/x-www-form-urlencoded")
    );

    let r = httplib::post(http("/echo"))
        .content(b"raw bytes".to_vec())
        .await
        .unwrap();
    let body = json_of(&r);
    assert_eq!(body["body"], "raw bytes");
    assert_eq!(body["form"], Value::Null, "content() is never form-encoded");
    assert_eq!(echoed_header(&body, "content-type"), None);
    assert_eq!(echoed_header(&body, "content-length").as_deref(), Some("9"));

    // Files from memory here: natively they can stream from disk too (native_bodies_auth).
    let form = httplib::multipart::Form::new()
        .text("title", "holiday")
        .part(
            "file",
            httplib::multipart::Part::bytes(vec![7u8; 3000]).file_name("a.png"),
        );
    let r = httplib::post(http("/echo")).multipart(form).await.unwrap();
    let body = json_of(&r);
    assert_eq!(body["fields"], json!({"title": "holiday"}));
    assert_eq!(body["files"]["file"]["filename"], "a.png");
    assert_eq!(body["files"]["file"]["size"], 3000);
    assert_eq!(body["files"]["file"]["content_type"], "image/png");
}

/// A body of `chunks` chunks of 16 KiB (ASCII), streamed, and the bytes it gives.
fn streamed(chunks: usize, len: Option<u64>) -> (httplib::Body, String) {
    let chunk: String = (0..16 * 1024)
        .map(|i| char::from(b'a' + (i % 26) as u8))
        .collect();
    let items =
        (0..chunks).map(move |_| Ok::<_, std::io::Error>(bytes::Bytes::from(chunk.clone())));
    let body = httplib::Body::from_stream(futures_util::stream::iter(items), len);
    let whole: String = (0..chunks * 16 * 1024)
        .map(|i| char::from(b'a' + (i % (16 * 1024) % 26) as u8))
        .collect();
    (body, whole)
}

#[test]
async fn streamed_uploads_go_out_as_read_and_a_broken_one_is_a_write_error() {
    // Unknown length: natively and in Node the stream is sent as it is read (chunked); a
    // browser streams uploads only over HTTP/2, so the fetch backend reads it first
    // (Content-Length).
    let (body, whole) = streamed(4, None);
    let r = httplib::post(http("/echo")).content(body).await.unwrap();
    let echo = json_of(&r);
    assert_eq!(echo["body"], whole.as_str());
    assert_eq!(echo["body_len"], whole.len());
    let headers = &echo["headers"];
    if in_browser() {
        assert_eq!(
            headers["content-length"],
            whole.len().to_string(),
            "{headers}"
        );
    } else {
        assert_eq!(headers["transfer-encoding"], "chunked", "{headers}");
        assert!(headers.get("content-length").is_none(), "{headers}");
    }

    // Known length: sent with it everywhere.
    let (body, whole) = streamed(2, Some(32 * 1024));
    let r = httplib::post(http("/echo")).content(body).await.unwrap();
    let echo = json_of(&r);
    assert_eq!(echo["body"], whole.as_str());
    assert_eq!(
        echoed_header(&echo, "content-length").as_deref(),
        Some("32768")
    );

    // A stream that gives less than it declared, or fails, is a write error.
    let (body, _) = streamed(1, Some(32 * 1024));
    let e = httplib::post(http("/echo"))
        .content(body)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Write, "{e}");
    let items = [
        Ok(bytes::Bytes::from_static(b"first")),
        Err(std::io::Error::other("the disk went away")),
    ];
    let body = httplib::Body::from_stream(futures_util::stream::iter(items), None);
    let e = httplib::post(http("/echo"))
        .content(body)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Write, "{e}");
    assert!(e.to_string().contains("request body"), "{e}");
}

// --- the client: base URL, default headers, cookies, pool limits, close -------------------

#[test]
async fn a_client_carries_base_url_and_default_headers() {
    let client = builder()
        .base_url(http("/anything/api"))
        .header("X-Token", "abc")
        .header("Authorization", "Bearer TOKEN")
        .build()
        .unwrap();
    let r = client.get("/items").await.unwrap();
    let body = json_of(&r);
    assert_eq!(body["path"], "/anything/api/items");
    assert_eq!(echoed_header(&body, "x-token").as_deref(), Some("abc"));
    assert_eq!(
        echoed_header(&body, "authorization").as_deref(),
        Some("Bearer TOKEN")
    );
    let r = client.post("/items").json(&json!({"a": 1})).await.unwrap();
    let body = json_of(&r);
    assert_eq!(body["method"], "POST");
    assert_eq!(body["path"], "/anything/api/items");
    assert_eq!(echoed_header(&body, "x-token").as_deref(), Some("abc"));
}

#[test]
async fn cookies_persist_across_calls_of_one_client() {
    // In a browser the browser owns cookies: with credentials included (no effect on other
    // targets) it keeps and sends them, and httplib's jar never sees them.
    let client = builder()
        .base_url(http(""))
        .fetch_credentials(FetchCredentials::Include)
        .build()
        .unwrap();
    if in_wasi() {
        // jco's host joins a response's Set-Cookie headers into one value (preview2-shim
        // 0.26): one cookie a response there (README, by-target table).
        client.get("/cookies/set?session=abc").await.unwrap();
        client.get("/cookies/set?theme=dark").await.unwrap();
    } else {
        client
            .get("/cookies/set?session=abc&theme=dark")
            .await
            .unwrap();
    }
    let cookies = json_of(&client.get("/cookies").await.unwrap())["cookies"].clone();
    assert_eq!(cookies["session"], "abc", "{cookies}");
    assert_eq!(cookies["theme"], "dark", "{cookies}");
    if !in_browser() {
        // The client's own jar holds just these (a browser's holds the other tests' too).
        assert_eq!(cookies, json!({"session": "abc", "theme": "dark"}));
    }
    client.get("/cookies/delete?theme").await.unwrap();
    let cookies = json_of(&client.get("/cookies").await.unwrap())["cookies"].clone();
    assert_eq!(cookies["session"], "abc", "{cookies}");
    assert_eq!(cookies["theme"], Value::Null, "{cookies}");
    let url = httplib::Url::parse(&http("/")).unwrap();
    let in_jar = client.cookie_jar().unwrap().cookies(&url);
    if in_browser() {
        assert!(in_jar.is_empty(), "{in_jar:?}");
    } else {
        assert_eq!(in_jar, [("session".into(), "abc".into())]);
    }

    // One-off calls share no jar (and a browser sends no cookies across origins for them).
    httplib::get(http("/cookies/set?one_off=1")).await.unwrap();
    let r = httplib::get(http("/cookies")).await.unwrap();
    assert_eq!(json_of(&r)["cookies"], json!({}));
}

#[test]
async fn max_connections_caps_what_is_in_flight_and_the_pool_timeout_bounds_the_wait() {
    let client = builder()
        .limits(httplib::Limits::default().max_connections(1))
        .timeout(Timeout::default().pool(Duration::from_millis(200)))
        .build()
        .unwrap();
    // The one connection is held by a response whose body is not read yet.
    let held = client
        .stream(Method::GET, http("/stream-bytes/100"))
        .await
        .unwrap();
    // On fetch the platform owns the connections, and the limit caps the requests in flight
    // instead: a response whose body is not read yet holds its turn all the same.
    let err = client.get(http("/echo")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PoolTimeout, "{err}");
    assert!(err.is_timeout());
    // Reading the body to its end gives the connection (the turn) back.
    let first = held.read().await.unwrap();
    assert_eq!(first.bytes()[..], pattern(100));
    let again = client.get(http("/echo")).await.unwrap();
    if native() {
        assert_eq!(connection_id(&again), connection_id(&first));
    }
    // A body dropped unread gives it back too.
    drop(
        client
            .stream(Method::GET, http("/stream-bytes/100"))
            .await
            .unwrap(),
    );
    assert_eq!(client.get(http("/echo")).await.unwrap().status_code(), 200);
}

#[test]
async fn max_connections_one_runs_requests_one_after_another() {
    let client = builder()
        .limits(httplib::Limits::default().max_connections(1))
        .build()
        .unwrap();
    let started = Instant::now();
    let mut done = client
        .fan_out((0..3).map(|_| client.get(http("/delay/0.5"))))
        .concurrency(3);
    while let Some((_, r)) = done.next().await {
        assert_eq!(r.unwrap().status_code(), 200);
    }
    // Three in a row, each 0.5 s (at once they would take 0.5 s).
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(1450), "{took:?}");
}

#[test]
async fn fan_out_returns_every_result() {
    let client = client();
    let urls: Vec<String> = (0..6).map(|i| http(&format!("/echo?i={i}"))).collect();
    let mut done = client
        .fan_out(urls.iter().map(|u| client.get(u)))
        .concurrency(3);
    let mut seen = Vec::new();
    while let Some((i, r)) = done.next().await {
        assert_eq!(json_of(&r.unwrap())["args"]["i"], i.to_string());
        seen.push(i);
    }
    seen.sort_unstable();
    assert_eq!(seen, [0, 1, 2, 3, 4, 5]);
}

#[test]
async fn close_ends_the_client() {
    let client = client();
    client.get(http("/echo")).await.unwrap();
    client.close();
    let err = client.get(http("/echo")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Builder);
    assert!(err.to_string().contains("closed"), "{err}");
}

// --- auth ----------------------------------------------------------------------------

#[test]
async fn basic_bearer_and_digest_auth() {
    let r = httplib::get(http("/basic-auth/user/passwd"))
        .auth(("user", "passwd"))
        .await
        .unwrap();
    assert_eq!(json_of(&r), json!({"authenticated": true, "user": "user"}));
    let r = httplib::get(http("/basic-auth/user/passwd"))
        .auth(("user", "wrong"))
        .await
        .unwrap();
    assert_eq!(r.status_code(), 401);
    let r = httplib::get(http("/bearer"))
        .bearer_auth("TOKEN")
        .await
        .unwrap();
    assert_eq!(json_of(&r)["token"], "TOKEN");
    for algorithm in ["MD5", "MD5-sess", "SHA-256", "SHA-256-sess"] {
        let url = http(&format!("/digest-auth/auth/user/passwd/{algorithm}"));
        let r = httplib::get(&url)
            .auth(DigestAuth::new("user", "passwd"))
            .await
            .unwrap();
        assert_eq!(r.status_code(), 200, "{algorithm}: {}", r.text().unwrap());
        assert_eq!(json_of(&r)["authenticated"], true);
        let r = httplib::get(&url)
            .auth(DigestAuth::new("user", "wrong"))
            .await
            .unwrap();
        assert_eq!(r.status_code(), 401, "{algorithm} with a wrong password");
    }
}

#[test]
async fn digest_auth_replays_bodies_and_reuses_the_challenge() {
    let client = client();
    let auth = DigestAuth::new("u", "p");
    let url = http("/digest-auth/auth/u/p/SHA-256?x=1");
    let r = client
        .post(&url)
        .json(&json!({"n": 1}))
        .auth(auth.clone())
        .await
        .unwrap();
    assert_eq!(r.status_code(), 200);
    // The remembered challenge answers the next request up front (the mock-backend test
    // counts the requests); the server accepts that answer.
    let r = client
        .request(Method::PUT, &url)
        .content("x")
        .auth(auth)
        .await
        .unwrap();
    assert_eq!(r.status_code(), 200, "{}", r.text().unwrap());
}

// --- redirects -------------------------------------------------------------------------

#[test]
async fn redirects_are_followed_on_request_with_a_cap_and_history() {
    let client = client();
    let followed = client
        .get(http("/redirect/2"))
        .follow_redirects(true)
        .await
        .unwrap();
    assert_eq!(followed.status_code(), 200);
    assert_eq!(followed.url().path(), "/echo");
    if in_browser() {
        // A browser hides a redirect it does not follow: an honest error, not a guess. One it
        // follows is its own (its cap, no hops told).
        let err = client.get(http("/redirect/2")).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::OpaqueRedirect);
        assert!(err.is_redirect());
        assert!(
            followed.history().is_empty(),
            "the browser does not tell the hops"
        );
        return;
    }
    // Natively and in Node (whose fetch shows redirects) the front-end's policy applies.
    let r = client.get(http("/redirect/2")).await.unwrap();
    assert_eq!(r.status_code(), 302);
    assert!(r.is_redirect());
    assert_eq!(r.headers()["location"], "/redirect/1");
    let hops: Vec<&str> = followed.history().iter().map(|h| h.url().path()).collect();
    assert_eq!(hops, ["/redirect/2", "/redirect/1", "/redirect/0"]);
    let err = client
        .get(http("/redirect-loop"))
        .follow_redirects(true)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TooManyRedirects);
    let err = client
        .get(http("/redirect/5"))
        .follow_redirects(true)
        .max_redirects(2)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TooManyRedirects);
}

#[test]
async fn absolute_redirects_and_every_status_are_followed() {
    let client = builder().follow_redirects(true).build().unwrap();
    let r = client.get(http("/absolute-redirect/3")).await.unwrap();
    assert_eq!(r.url().path(), "/echo");
    if !in_browser() {
        assert_eq!(r.history().len(), 4);
    }
    // 301 to 303 turn a POST into a GET without a body; 307 and 308 keep both.
    for (status, method) in [
        (301, "GET"),
        (302, "GET"),
        (303, "GET"),
        (307, "POST"),
        (308, "POST"),
    ] {
        let url = http(&format!("/redirect-to?url=/echo&status_code={status}"));
        let r = client.post(&url).json(&[1]).await.unwrap();
        let body = json_of(&r);
        assert_eq!(body["method"], method, "{status}");
        assert_eq!(body["json"] == json!([1]), method == "POST", "{status}");
    }
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[test]
async fn credentials_stay_with_their_origin_on_redirect() {
    let client = builder().follow_redirects(true).build().unwrap();
    // Same origin: kept.
    let r = client
        .get(http("/redirect-to?url=/echo"))
        .auth(("u", "p"))
        .header("Cookie", "c=1")
        .await
        .unwrap();
    let body = json_of(&r);
    assert!(echoed_header(&body, "authorization").is_some(), "{body}");
    if !in_browser() {
        // A browser never sends a `Cookie` header a script sets.
        assert!(echoed_header(&body, "cookie").is_some(), "{body}");
    }
    // Another origin (the https listener is another port, and localhost another host):
    // dropped, by the front-end or (in a browser) by the browser.
    let away = http(&format!("/redirect-to?url={}", urlencode(&https("/echo"))));
    let r = client
        .get(&away)
        .auth(("u", "p"))
        .header("Cookie", "c=1")
        .header("Proxy-Authorization", "Basic eA==")
        .await
        .unwrap();
    assert_eq!(r.url().scheme(), "https");
    let body = json_of(&r);
    for name in ["authorization", "cookie", "proxy-authorization"] {
        assert_eq!(echoed_header(&body, name), None, "{name} crossed origins");
    }
    // https to http on the same host is a downgrade: dropped too.
    let down = https(&format!(
        "/redirect-to?url={}",
        urlencode(&http("/echo").replace("127.0.0.1", "localhost"))
    ));
    let r = client.get(&down).bearer_auth("T").await.unwrap();
    assert_eq!(r.url().scheme(), "http");
    assert_eq!(echoed_header(&json_of(&r), "authorization"), None);
}

#[test]
async fn cookies_set_on_a_redirect_are_kept_and_sent_on() {
    // In a browser, the browser's own jar (credentials included) does it.
    let client = builder()
        .follow_redirects(true)
        .fetch_credentials(FetchCredentials::Include)
        .build()
        .unwrap();
    let r = client
        .get(http("/redirect-to?url=/cookies&set_cookie=hop=1"))
        .await
        .unwrap();
    assert_eq!(json_of(&r)["cookies"]["hop"], "1");
}

// --- timeouts and errors ----------------------------------------------------------------

#[test]
async fn a_slow_response_or_a_stalled_body_is_a_read_timeout() {
    let client = builder()
        .timeout(Timeout::new(Duration::from_millis(300)))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client.get(http("/delay/2")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ReadTimeout, "{err}");
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(err.url().unwrap().path().starts_with("/delay"), "{err}");
    // Chunks 100 ms apart pass a 300 ms read timeout, though the whole body takes longer.
    let r = client
        .get(http("/drip?chunks=5&interval_ms=100&chunk_size=10"))
        .await
        .unwrap();
    assert_eq!(r.bytes().len(), 50);
    // A body that stops: the status and headers arrive, then the read timeout.
    let mut r = client
        .stream(Method::GET, http("/hang-body"))
        .await
        .unwrap();
    assert_eq!(r.status_code(), 200);
    assert_eq!(r.headers()["content-length"], "10");
    let err = r.chunk().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ReadTimeout);
    // A request may allow more than its client.
    let r = client
        .get(http("/delay/0.5"))
        .timeout(Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(r.status_code(), 200);
    // And the next one on the same connection less: its limit is its own, not the last.
    let started = Instant::now();
    let err = client
        .get(http("/delay/2"))
        .timeout(Duration::from_millis(200))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ReadTimeout);
    assert!(started.elapsed() < Duration::from_millis(1500));
}

#[test]
async fn the_default_timeout_is_five_seconds_a_phase() {
    assert_eq!(Timeout::default(), Timeout::new(Duration::from_secs(5)));
    let started = Instant::now();
    let err = httplib::get(http("/hang")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ReadTimeout);
    let waited = started.elapsed();
    // On fetch too: the wait for the head gets the largest of the phases' limits (all
    // 5 s), not their sum (15 s).
    let limit = Duration::from_secs(5);
    assert!(
        waited >= limit && waited < limit + Duration::from_secs(2),
        "{waited:?}"
    );
}

/// How long a request to `/hang` (a server that never answers) takes to fail under
/// `timeout`, checked to fail with a read timeout.
async fn time_to_fail_on_hang(timeout: Timeout) -> Duration {
    let client = builder().timeout(timeout).build().unwrap();
    let started = Instant::now();
    let err = client.get(http("/hang")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ReadTimeout, "{err}");
    started.elapsed()
}

#[test]
async fn a_stalled_server_fails_after_the_read_limit_not_the_sum_of_the_limits() {
    // httpx's one-number timeout: each phase 1 s. fetch cannot tell the phases apart, and
    // still fails a server that never answers after 1 s, as natively (it once waited 3 s).
    let waited = time_to_fail_on_hang(Timeout::new(Duration::from_secs(1))).await;
    assert!(
        waited >= Duration::from_millis(950) && waited < Duration::from_millis(2500),
        "{waited:?}"
    );
    // A longer connect limit is the one that bounds the head on fetch (it cannot tell a
    // slow connect from a slow server); natively the read limit still does.
    let timeout = Timeout::new(Duration::from_secs(1)).connect(Duration::from_secs(2));
    let waited = time_to_fail_on_hang(timeout).await;
    let limit = Duration::from_secs(if native() { 1 } else { 2 });
    assert!(
        waited >= limit - Duration::from_millis(50) && waited < limit + Duration::from_millis(1500),
        "{waited:?}"
    );
}

#[test]
async fn failures_are_typed_with_a_readable_message() {
    let url = format!("http://127.0.0.1:{}/", closed_port());
    let err = httplib::get(&url).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Connect);
    let text = err.to_string();
    assert!(text.contains(&url) && !text.contains("JsValue"), "{text}");

    let r = httplib::get(http("/status/404")).await.unwrap();
    let err = r.raise_for_status().unwrap_err();
    assert!(err.is_status() && !err.is_request());
    assert_eq!(err.status().unwrap().as_u16(), 404);
    let r = httplib::get(http("/status/503")).await.unwrap();
    assert!(r.is_server_error() && r.is_error());
    assert_eq!(r.raise_for_status().unwrap_err().status().unwrap(), 503);
    let r = httplib::get(http("/status/201")).await.unwrap();
    assert_eq!(r.raise_for_status().unwrap().status_code(), 201);

    let err = httplib::get(http("/echo"))
        .header("X", "a\r\nb")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Builder);
}

#[test]
async fn unsupported_schemes_and_malformed_urls_have_their_kinds() {
    let err = httplib::get("ftp://127.0.0.1/").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnsupportedProtocol);
    assert!(err.is_request());
    let err = httplib::get("http://").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidUrl);
    let err = httplib::get(http("/echo\r\nX: 1")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidUrl);
}

#[test]
async fn a_body_cut_short_is_a_read_error() {
    // Read whole...
    let err = client()
        .get(http("/drop-mid-body/100000"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Read, "{err}");
    // ...or streamed: the head arrives, then the error.
    let mut r = client()
        .stream(Method::GET, http("/drop-mid-body/100000"))
        .await
        .unwrap();
    assert_eq!(r.status_code(), 200);
    let err = loop {
        match r.chunk().await {
            Ok(Some(_)) => continue,
            Ok(None) => panic!("a body cut short must not end quietly"),
            Err(e) => break e,
        }
    };
    assert_eq!(err.kind(), ErrorKind::Read);
    assert!(!err.to_string().contains("JsValue"), "{err}");
}

// --- response bodies: streaming, decoding ------------------------------------------------

#[test]
async fn streamed_bodies_arrive_in_chunks_and_lines_across_chunk_boundaries() {
    let client = client();
    let mut r = client
        .stream(Method::GET, http("/stream-bytes/100000?chunk_size=1000"))
        .await
        .unwrap();
    let mut body = Vec::new();
    while let Some(chunk) = r.chunk().await.unwrap() {
        body.extend_from_slice(&chunk);
    }
    assert_eq!(body, pattern(100_000));
    // Chunks the server sends apart in time arrive apart (a platform may join chunks that
    // arrive together, as a loaded browser does).
    let mut r = client
        .stream(
            Method::GET,
            http("/drip?chunks=4&interval_ms=50&chunk_size=100"),
        )
        .await
        .unwrap();
    let mut chunks = 0;
    while let Some(chunk) = r.chunk().await.unwrap() {
        chunks += usize::from(!chunk.is_empty());
    }
    assert!(chunks > 1, "{chunks} chunk");
    // `é` of line 1 is split across chunks.
    let r = client.stream(Method::GET, http("/lines/20")).await.unwrap();
    let lines: Vec<String> = r.lines().map(Result::unwrap).collect().await;
    let expected: Vec<String> = (0..20)
        .map(|i| match i {
            1 => "line 1 café".to_owned(),
            _ => format!("line {i}"),
        })
        .collect();
    assert_eq!(lines, expected);
}

#[test]
async fn an_abandoned_stream_does_not_poison_the_client() {
    let client = client();
    let mut r = client
        .stream(Method::GET, http("/stream-bytes/10000000"))
        .await
        .unwrap();
    r.chunk().await.unwrap();
    drop(r);
    let next = client.get(http("/bytes/10")).await.unwrap();
    assert_eq!(next.bytes().len(), 10);
}

#[test]
async fn compressed_bodies_are_decoded() {
    let client = client();
    for path in ["/gzip", "/deflate", "/brotli", "/zstd"] {
        if path == "/zstd" && in_wasi() {
            // zstd is native only (its C library has no WASI build here): not offered.
            continue;
        }
        let r = client.get(http(path)).await.unwrap();
        if path == "/zstd"
            && in_node()
            && r.headers()
                .get("content-encoding")
                .is_some_and(|v| v == "zstd")
        {
            // Node 20's fetch does not decode zstd (later ones do): the body comes as sent,
            // and says so.
            continue;
        }
        let body: Value = r.json().unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(body["ok"], true, "{path}");
        if !in_node() && !in_browser() {
            // httplib decoded it; on JS hosts the platform did, and may keep the header.
            assert!(r.headers().get("content-encoding").is_none(), "{path}");
        }
    }
    // On JS hosts the platform chooses what it offers.
    let offered = if native() {
        Some("gzip, deflate, br, zstd")
    } else if in_wasi() {
        Some("gzip, deflate, br")
    } else {
        None
    };
    if let Some(offered) = offered {
        let echo = json_of(&client.get(http("/echo")).await.unwrap());
        assert_eq!(
            echoed_header(&echo, "accept-encoding").as_deref(),
            Some(offered)
        );
    }
}

/// Reads a JS `ReadableStream` of bytes to its end.
#[cfg(js)]
async fn read_js(stream: web_sys::ReadableStream) -> Vec<u8> {
    let mut chunks = wasm_streams::ReadableStream::from_raw(stream).into_stream();
    let mut out = Vec::new();
    while let Some(chunk) = chunks.next().await {
        let array: js_sys::Uint8Array = wasm_bindgen::JsCast::dyn_into(chunk.unwrap()).unwrap();
        out.extend(array.to_vec());
    }
    out
}

/// wasm32 only: natively a body is a Rust byte stream, with no JS to hand it to.
#[cfg(js)]
#[test]
async fn a_streamed_body_hands_over_to_js_as_a_readable_stream() {
    let client = client();
    let r = client
        .stream(Method::GET, http("/stream-bytes/50000"))
        .await
        .unwrap();
    assert_eq!(read_js(r.into_readable_stream()).await, pattern(50_000));
    // After Rust has read part of it, the rest is handed over through Rust.
    let mut r = client
        .stream(Method::GET, http("/bytes/50000"))
        .await
        .unwrap();
    let first = r.chunk().await.unwrap().unwrap();
    let rest = read_js(r.into_readable_stream()).await;
    assert_eq!([&first[..], &rest[..]].concat(), pattern(50_000));
}

// --- retries and the total deadline, against a real server ---------------------------------

#[test]
async fn retries_honour_retry_after_and_stop_at_the_limit() {
    let policy = httplib::Retry::new(2).backoff(Duration::from_millis(1), Duration::from_secs(2));
    let client = builder().retry(policy).build().unwrap();
    // One 503 asking for a second's wait, then the answer.
    let key = unique_key("retry-after");
    let started = Instant::now();
    let r = client
        .get(http(&format!("/flaky/{key}/1?retry_after=1")))
        .await
        .unwrap();
    assert_eq!(r.status_code(), 200);
    assert_eq!(json_of(&r)["attempt"], 2);
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(900),
        "Retry-After: 1 honoured, waited {waited:?}"
    );
    // Always failing: 1 + 2 attempts, and the last 503 comes back as it was.
    let key = unique_key("always");
    let r = client
        .get(http(&format!("/flaky/{key}/10?status=502")))
        .await
        .unwrap();
    assert_eq!(r.status_code(), 502);
    assert_eq!(json_of(&r)["attempt"], 3);
    // A POST is not retried unless the policy names it.
    let key = unique_key("post");
    let r = client
        .post(http(&format!("/flaky/{key}/1")))
        .json(&1)
        .await
        .unwrap();
    assert_eq!(
        (r.status_code(), json_of(&r)["attempt"].as_u64()),
        (503, Some(1))
    );
}

#[test]
async fn the_total_deadline_ends_a_slow_request_and_a_slow_body() {
    let total = Timeout::new(Duration::from_secs(5)).total(Duration::from_millis(300));
    let client = builder().timeout(total).build().unwrap();
    let started = Instant::now();
    let err = client.get(http("/delay/3")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TotalTimeout, "{err}");
    assert!(started.elapsed() < Duration::from_millis(2500));
    // The head in time, the body too slow: 10 chunks 100 ms apart.
    let started = Instant::now();
    let err = client
        .get(http("/drip?chunks=10&interval_ms=100"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TotalTimeout, "{err}");
    assert!(started.elapsed() < Duration::from_millis(900));
}

/// WASI only: the host owns the connection, and jco's refuses the hop-by-hop headers
/// `Connection` and `Keep-Alive` among a request's fields: a typed error naming the header,
/// nothing sent (natively httplib sends them; fetch platforms apply their own rules).
#[cfg(wasi)]
#[test]
async fn the_host_refuses_a_hop_by_hop_header_with_a_typed_error_naming_it() {
    let err = client()
        .get(http("/echo"))
        .header("Connection", "close")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Builder, "{err}");
    assert!(err.to_string().contains("\"connection\""), "{err}");
    // Other headers go out as given.
    let r = client()
        .get(http("/echo"))
        .header("X-Hop", "1")
        .await
        .unwrap();
    assert_eq!(echoed_header(&json_of(&r), "x-hop").as_deref(), Some("1"));
}
