//! The front-end's behaviour (headers, bodies, auth, cookies, redirects, timeouts, errors,
//! fan-out, streaming) on the in-memory mock backend: no network, the same on every target.

use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt;
use httplib::backend::mock::{MockBackend, MockResponse, RecordedRequest};
use httplib::{Client, ErrorKind, Method, Timeout};
use serde::Serialize;

#[cfg(native)]
use tokio::test;
#[cfg(js)]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(wasi)]
use wstd::test;

fn client_with(mock: &MockBackend) -> Client {
    Client::builder()
        .base_url("http://api.test/v1")
        .backend(mock.clone())
        .build()
        .unwrap()
}

fn last(mock: &MockBackend) -> RecordedRequest {
    mock.requests().pop().expect("a request was sent")
}

fn header(r: &RecordedRequest, name: &str) -> Option<String> {
    r.headers.get(name).map(|v| v.to_str().unwrap().to_owned())
}

#[test]
async fn base_url_and_default_headers_apply_and_requests_override_them() {
    let mock = MockBackend::new();
    let client = Client::builder()
        .base_url("http://api.test/v1")
        .header("X-Default", "a")
        .header("User-Agent", "client-ua")
        .backend(mock.clone())
        .build()
        .unwrap();
    client.get("/items").header("X-Own", "b").await.unwrap();
    let r = last(&mock);
    assert_eq!(r.url.as_str(), "http://api.test/v1/items");
    assert_eq!(header(&r, "x-default").as_deref(), Some("a"));
    assert_eq!(header(&r, "x-own").as_deref(), Some("b"));
    assert_eq!(header(&r, "user-agent").as_deref(), Some("client-ua"));
    assert_eq!(header(&r, "accept").as_deref(), Some("*/*"));

    client
        .get("/x")
        .header("X-Default", "override")
        .await
        .unwrap();
    let values: Vec<_> = last(&mock)
        .headers
        .get_all("x-default")
        .iter()
        .cloned()
        .collect();
    assert_eq!(values, ["override"]);

    client.get("http://elsewhere.test/abs").await.unwrap();
    assert_eq!(last(&mock).url.as_str(), "http://elsewhere.test/abs");
}

#[test]
async fn the_default_user_agent_names_httplib() {
    let mock = MockBackend::new();
    client_with(&mock).get("/").await.unwrap();
    let ua = header(&last(&mock), "user-agent").unwrap();
    assert!(ua.starts_with("httplib/"), "{ua}");
}

#[derive(Serialize)]
struct Search<'a> {
    q: &'a str,
    page: u32,
}

#[test]
async fn query_parameters_come_from_any_serialize_and_extend_the_url() {
    let mock = MockBackend::new();
    let client = client_with(&mock);
    client
        .get("/s?fixed=1")
        .query(&[("q", "a b&c"), ("page", "2")])
        .await
        .unwrap();
    assert_eq!(last(&mock).url.query(), Some("fixed=1&q=a+b%26c&page=2"));
    client
        .get("/s")
        .query(&Search { q: "test", page: 2 })
        .await
        .unwrap();
    assert_eq!(last(&mock).url.query(), Some("q=test&page=2"));
    let err = client.get("/s").query(&42).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Builder);
}

#[test]
async fn a_unicode_host_goes_out_in_its_ascii_form() {
    let mock = MockBackend::new();
    let client = client_with(&mock);
    client.get("http://bücher.test/straße?q=ü").await.unwrap();
    let sent = last(&mock).url;
    assert_eq!(sent.host_str(), Some("xn--bcher-kva.test"));
    assert_eq!(sent.path(), "/stra%C3%9Fe");
    assert_eq!(sent.query(), Some("q=%C3%BC"));
    // Punycode as written, and a name no IDNA maps: a typed error, nothing sent.
    client.get("http://xn--bcher-kva.test/").await.unwrap();
    assert_eq!(last(&mock).url.host_str(), Some("xn--bcher-kva.test"));
    let err = client.get("http://b\u{fffd}cher.test/").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidUrl, "{err}");
}

#[test]
async fn bodies_get_their_content_types() {
    let mock = MockBackend::new();
    let client = client_with(&mock);

    client
        .post("/j")
        .json(&serde_json::json!({"name": "ada"}))
        .await
        .unwrap();
    let r = last(&mock);
    assert_eq!(
        header(&r, "content-type").as_deref(),
        Some("application/json")
    );
    assert_eq!(r.body, Bytes::from_static(br#"{"name":"ada"}"#));

    client
        .post("/f")
        .form(&[("key", "value"), ("k2", "a&b")])
        .await
        .unwrap();
    let r = last(&mock);
    assert_eq!(
        header(&r, "content-type").as_deref(),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(r.body, Bytes::from_static(b"key=value&k2=a%26b"));

    client
        .post("/c")
        .content(b"raw bytes".to_vec())
        .await
        .unwrap();
    let r = last(&mock);
    assert_eq!(
        header(&r, "content-type"),
        None,
        "content() adds no content type"
    );
    assert_eq!(r.body, Bytes::from_static(b"raw bytes"));

    client
        .post("/c")
        .header("Content-Type", "text/csv")
        .json(&1)
        .await
        .unwrap();
    assert_eq!(
        header(&last(&mock), "content-type").as_deref(),
        Some("text/csv")
    );

    let form = httplib::multipart::Form::new().text("field", "v").part(
        "file",
        httplib::multipart::Part::bytes(&b"PNG"[..]).file_name("a.png"),
    );
    let boundary = form.boundary().to_owned();
    client.post("/m").multipart(form).await.unwrap();
    let r = last(&mock);
    assert_eq!(
        header(&r, "content-type").unwrap(),
        format!("multipart/form-data; boundary={boundary}")
    );
    let body = String::from_utf8(r.body.to_vec()).unwrap();
    assert!(
        body.contains("name=\"file\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\nPNG")
    );
}

#[test]
async fn basic_and_bearer_auth_set_authorization() {
    let mock = MockBackend::new();
    let client = client_with(&mock);
    client.get("/a").auth(("user", "passwd")).await.unwrap();
    assert_eq!(
        header(&last(&mock), "authorization").as_deref(),
        Some("Basic dXNlcjpwYXNzd2Q=")
    );
    client.get("/a").bearer_auth("TOKEN").await.unwrap();
    assert_eq!(
        header(&last(&mock), "authorization").as_deref(),
        Some("Bearer TOKEN")
    );
    let client = Client::builder()
        .auth(("u", "p"))
        .backend(mock.clone())
        .build()
        .unwrap();
    client.get("http://api.test/").await.unwrap();
    assert_eq!(
        header(&last(&mock), "authorization").as_deref(),
        Some("Basic dTpw")
    );
}

#[test]
async fn credentials_in_the_url_become_basic_auth_and_leave_the_url() {
    let mock = MockBackend::new();
    client_with(&mock)
        .get("http://us%40er:p%3Ass@api.test/x")
        .await
        .unwrap();
    let r = last(&mock);
    assert_eq!(r.url.as_str(), "http://api.test/x");
    let expected = format!(
        "Basic {}",
        base64::Engine::encode(&base64::engine::general_purpose::STANDARD, "us@er:p:ss")
    );
    assert_eq!(header(&r, "authorization").unwrap(), expected);
}

#[test]
async fn digest_auth_answers_the_challenge_and_resends_the_body() {
    let mock = MockBackend::new();
    mock.handle(|r| {
        let authorized = r
            .headers
            .get("authorization")
            .is_some_and(|v| v.to_str().unwrap().starts_with("Digest "));
        Some(if authorized {
            MockResponse::new(200).body(r.body.clone())
        } else {
            MockResponse::new(401).header(
                "WWW-Authenticate",
                r#"Digest realm="r", qop="auth", nonce="abc", opaque="o", algorithm=SHA-256"#,
            )
        })
    });
    let client = client_with(&mock);
    let auth = httplib::DigestAuth::new("u", "p");
    let r = client
        .post("/d")
        .content("payload")
        .auth(auth.clone())
        .await
        .unwrap();
    assert_eq!(r.status_code(), 200);
    assert_eq!(r.text().unwrap(), "payload");
    let sent = mock.requests();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[1].body, Bytes::from_static(b"payload"));
    let answer = header(&sent[1], "authorization").unwrap();
    assert!(
        answer.contains("algorithm=SHA-256") && answer.contains("nc=00000001"),
        "{answer}"
    );

    // The challenge is remembered: the next request answers it up front.
    client.get("/d").auth(auth).await.unwrap();
    let sent = mock.requests();
    assert_eq!(sent.len(), 3);
    assert!(
        header(&sent[2], "authorization")
            .unwrap()
            .contains("nc=00000002")
    );
}

#[test]
async fn cookies_persist_within_a_client_only() {
    let mock = MockBackend::new();
    mock.on(
        Method::GET,
        "/v1/login",
        MockResponse::new(200).header("Set-Cookie", "session=abc; Path=/"),
    );
    let client = client_with(&mock);
    client.get("/login").await.unwrap();
    client.get("/profile").await.unwrap();
    assert_eq!(
        header(&last(&mock), "cookie").as_deref(),
        Some("session=abc")
    );

    let other = client_with(&mock);
    other.get("/profile").await.unwrap();
    assert_eq!(header(&last(&mock), "cookie"), None);

    let no_jar = Client::builder()
        .cookie_store(false)
        .backend(mock.clone())
        .build()
        .unwrap();
    no_jar.get("http://api.test/v1/login").await.unwrap();
    no_jar.get("http://api.test/v1/profile").await.unwrap();
    assert_eq!(header(&last(&mock), "cookie"), None);
}

fn redirecting(mock: &MockBackend, path: &str, status: u16, to: &str) {
    let to = to.to_owned();
    let path = path.to_owned();
    mock.handle(move |r| {
        (r.url.path() == path).then(|| MockResponse::new(status).header("Location", &to))
    });
}

#[test]
async fn redirects_are_not_followed_unless_asked() {
    let mock = MockBackend::new();
    redirecting(&mock, "/v1/old", 302, "/v1/new");
    mock.on(Method::GET, "/v1/new", MockResponse::new(200).text("new"));
    let client = client_with(&mock);
    let r = client.get("/old").await.unwrap();
    assert_eq!(r.status_code(), 302);
    assert!(r.is_redirect());
    assert_eq!(mock.requests().len(), 1);

    let r = client.get("/old").follow_redirects(true).await.unwrap();
    assert_eq!(r.status_code(), 200);
    assert_eq!(r.url().path(), "/v1/new");
    assert_eq!(r.history().len(), 1);
    assert_eq!(r.history()[0].status_code(), 302);
    assert_eq!(r.history()[0].url().path(), "/v1/old");
    assert!(!r.is_redirect());
}

#[test]
async fn redirect_loops_stop_at_the_cap() {
    let mock = MockBackend::new();
    redirecting(&mock, "/v1/loop", 302, "/v1/loop");
    let client = Client::builder()
        .base_url("http://api.test/v1")
        .follow_redirects(true)
        .backend(mock.clone())
        .build()
        .unwrap();
    let err = client.get("/loop").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TooManyRedirects);
    assert!(err.is_request());
    assert_eq!(
        mock.requests().len(),
        21,
        "the first request and 20 redirects"
    );
    let err = client.get("/loop").max_redirects(3).await.unwrap_err();
    assert!(err.is_redirect());
    assert_eq!(mock.requests().len(), 21 + 4);
}

#[test]
async fn redirect_methods_and_bodies_follow_the_status() {
    let mock = MockBackend::new();
    for (path, status) in [
        ("/v1/303", 303),
        ("/v1/302", 302),
        ("/v1/307", 307),
        ("/v1/308", 308),
    ] {
        redirecting(&mock, path, status, "/v1/target");
    }
    mock.handle(|r| (r.url.path() == "/v1/target").then(|| MockResponse::new(200)));
    let client = client_with(&mock);
    for (path, method, keeps_body) in [
        ("/303", Method::GET, false),
        ("/302", Method::GET, false),
        ("/307", Method::POST, true),
        ("/308", Method::POST, true),
    ] {
        client
            .post(path)
            .json(&[1, 2])
            .follow_redirects(true)
            .await
            .unwrap();
        let target = last(&mock);
        assert_eq!(target.method, method, "{path}");
        assert_eq!(!target.body.is_empty(), keeps_body, "{path}");
        assert_eq!(
            header(&target, "content-type").is_some(),
            keeps_body,
            "{path}"
        );
    }
}

#[test]
async fn credentials_do_not_follow_a_redirect_to_another_origin() {
    let mock = MockBackend::new();
    redirecting(&mock, "/v1/same", 302, "/v1/end");
    redirecting(&mock, "/v1/away", 302, "http://other.test/end");
    redirecting(&mock, "/v1/port", 302, "http://api.test:8080/end");
    mock.handle(|_| Some(MockResponse::new(200)));
    let client = Client::builder()
        .base_url("http://api.test/v1")
        .follow_redirects(true)
        .backend(mock.clone())
        .build()
        .unwrap();
    for (path, kept) in [("/same", true), ("/away", false), ("/port", false)] {
        client
            .get(path)
            .auth(("u", "p"))
            .header("Cookie", "own=1")
            .header("Proxy-Authorization", "x")
            .await
            .unwrap();
        let end = last(&mock);
        for name in ["authorization", "cookie", "proxy-authorization"] {
            assert_eq!(header(&end, name).is_some(), kept, "{name} after {path}");
        }
    }
}

#[test]
async fn header_values_and_urls_with_line_breaks_are_refused_before_sending() {
    let mock = MockBackend::new();
    let client = client_with(&mock);
    let err = client
        .get("/")
        .header("X-Evil", "a\r\nInjected: 1")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Builder);
    let err = client.get("/").header("X-Evil\r\n", "a").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Builder);
    let err = client.get("/a\r\nInjected: 1").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidUrl);
    let err = client.get("http://exa mple.test/").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidUrl);
    let err = Client::builder().header("X", "a\nb").build().unwrap_err();
    assert!(err.is_builder());
    assert!(mock.requests().is_empty(), "nothing was sent");
}

#[test]
async fn a_slow_response_is_a_read_timeout_unless_the_request_allows_more() {
    let mock = MockBackend::new();
    mock.on(
        Method::GET,
        "/v1/slow",
        MockResponse::new(200).delay(Duration::from_millis(300)),
    );
    let client = Client::builder()
        .base_url("http://api.test/v1")
        .timeout(Duration::from_millis(50))
        .backend(mock.clone())
        .build()
        .unwrap();
    let err = client.get("/slow").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ReadTimeout);
    assert!(err.is_timeout() && err.is_request());
    assert_eq!(err.url().unwrap().path(), "/v1/slow");
    let r = client
        .get("/slow")
        .timeout(Timeout::default().read(Duration::from_secs(5)))
        .await
        .unwrap();
    assert_eq!(r.status_code(), 200);
}

#[test]
async fn raise_for_status_gives_a_status_error_apart_from_transport_errors() {
    let mock = MockBackend::new();
    mock.on(
        Method::GET,
        "/v1/missing",
        MockResponse::new(404).text("nope"),
    );
    let client = client_with(&mock);
    let r = client.get("/missing").await.unwrap();
    assert!(r.is_error() && r.is_client_error() && !r.is_server_error() && !r.is_success());
    let err = r.raise_for_status().unwrap_err();
    assert!(err.is_status());
    assert!(!err.is_request());
    assert_eq!(err.status(), Some(httplib::StatusCode::NOT_FOUND));
    assert_eq!(err.response().unwrap().text().unwrap(), "nope");
    assert!(err.to_string().contains("404"), "{err}");

    let ok = client.get("/found").await.unwrap();
    assert_eq!(ok.status_code(), 404, "unmatched mock requests get 404");
    mock.on(Method::GET, "/v1/ok", MockResponse::new(204));
    assert!(client.get("/ok").await.unwrap().raise_for_status().is_ok());
}

#[test]
async fn transport_failures_carry_their_kind_and_url() {
    let mock = MockBackend::new();
    mock.on(
        Method::GET,
        "/v1/down",
        MockResponse::new(200).error(ErrorKind::Connect),
    );
    let err = client_with(&mock).get("/down").await.unwrap_err();
    assert!(err.is_connect() && err.is_request());
    assert_eq!(err.url().unwrap().as_str(), "http://api.test/v1/down");
}

#[test]
async fn fan_out_caps_concurrency_and_one_failure_sinks_nothing() {
    let mock = MockBackend::new();
    mock.handle(|r| {
        let n: u64 = r.url.path().trim_start_matches("/v1/").parse().ok()?;
        Some(if n == 3 {
            MockResponse::new(200).error(ErrorKind::Read)
        } else {
            MockResponse::new(200)
                .text(n.to_string())
                .delay(Duration::from_millis(50 * (6 - n)))
        })
    });
    let client = client_with(&mock);
    let paths: Vec<String> = (0..6).map(|i| format!("/{i}")).collect();
    let mut done = client
        .fan_out(paths.iter().map(|p| client.get(p)))
        .concurrency(6);
    let mut order = Vec::new();
    while let Some((i, result)) = done.next().await {
        match result {
            Ok(r) => assert_eq!(r.text().unwrap(), i.to_string()),
            Err(e) => {
                assert_eq!(i, 3);
                assert_eq!(e.kind(), ErrorKind::Read);
            }
        }
        order.push(i);
    }
    assert_eq!(order.len(), 6);
    assert_eq!(order[0], 3, "the failure finishes first");
    assert_eq!(
        &order[1..],
        [5, 4, 2, 1, 0],
        "then in completion order, not input order"
    );

    let all = client
        .fan_out(paths.iter().map(|p| client.get(p)))
        .concurrency(2)
        .gather()
        .await;
    assert_eq!(all.len(), 6);
    assert!(all[3].is_err());
    assert_eq!(all[5].as_ref().unwrap().text().unwrap(), "5");
}

#[test]
async fn a_streamed_body_reads_in_chunks_lines_and_whole() {
    let mock = MockBackend::new();
    let chunks =
        ["line one\nline ", "two\r", "\nthree caf\u{e9}", "\n"].map(|c| Bytes::from(c.as_bytes()));
    mock.on(
        Method::GET,
        "/v1/s",
        MockResponse::new(200)
            .header("Content-Type", "text/plain")
            .chunks(chunks),
    );
    let client = client_with(&mock);
    let mut r = client.stream(Method::GET, "/s").await.unwrap();
    assert_eq!(r.status_code(), 200);
    let mut seen = Vec::new();
    while let Some(chunk) = r.chunk().await.unwrap() {
        seen.push(chunk);
    }
    assert_eq!(seen.len(), 4);

    let r = client.get("/s").stream().await.unwrap();
    let lines: Vec<String> = r.lines().map(Result::unwrap).collect().await;
    assert_eq!(lines, ["line one", "line two", "three caf\u{e9}"]);

    let r = client.stream(Method::GET, "/s").await.unwrap();
    let all = r.read().await.unwrap();
    assert_eq!(
        all.text().unwrap(),
        "line one\nline two\r\nthree caf\u{e9}\n"
    );

    let request = client.get("/s").build().unwrap();
    let r = client.send(request).stream().await.unwrap();
    let total: usize = r
        .bytes_stream()
        .map(|c| c.unwrap().len())
        .collect::<Vec<_>>()
        .await
        .iter()
        .sum();
    assert_eq!(total, all.bytes().len());
}

#[test]
async fn json_errors_are_decode_errors() {
    let mock = MockBackend::new();
    mock.on(
        Method::GET,
        "/v1/j",
        MockResponse::new(200).text("{not json"),
    );
    let r = client_with(&mock).get("/j").await.unwrap();
    let err = r.json::<serde_json::Value>().unwrap_err();
    assert!(err.is_decode());
}

#[test]
async fn a_closed_client_refuses_requests() {
    let mock = MockBackend::new();
    let client = client_with(&mock);
    let clone = client.clone();
    client.close();
    assert!(clone.is_closed());
    let err = clone.get("/").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Builder);
    assert!(mock.requests().is_empty());
}

#[test]
async fn urls_that_only_look_relative_never_leave_the_base_host() {
    let mock = MockBackend::new();
    mock.handle(|_| Some(MockResponse::new(200)));
    let client = Client::builder()
        .base_url("http://api.test/v1")
        .header("X-Api-Key", "secret")
        .auth(("u", "p"))
        .backend(mock.clone())
        .build()
        .unwrap();
    for escape in [
        "/\\\\evil.test/x",
        "\\\\evil.test/x",
        " //evil.test/x",
        "/\\/evil.test/x",
    ] {
        let err = client.get(escape).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidUrl, "{escape:?}");
    }
    assert!(mock.requests().is_empty(), "nothing left for evil.test");
    // Absolute URLs still go where they say, unless the client forbids it.
    client.get("http://other.test/x").await.unwrap();
    assert_eq!(last(&mock).url.host_str(), Some("other.test"));
    let strict = Client::builder()
        .base_url("http://api.test/v1")
        .allow_absolute_urls(false)
        .backend(mock.clone())
        .build()
        .unwrap();
    let err = strict.get("http://other.test/x").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidUrl);
    let err = strict
        .get(url::Url::parse("https://api.test/v1").unwrap())
        .await
        .unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::InvalidUrl,
        "another scheme is another origin"
    );
    strict.get("http://api.test/v2/items").await.unwrap();
    assert_eq!(last(&mock).url.as_str(), "http://api.test/v2/items");
}

#[test]
async fn sensitive_headers_and_location_credentials_stay_with_their_origin() {
    let mock = MockBackend::new();
    redirecting(&mock, "/v1/away", 302, "http://ada:hunter2@other.test/end");
    redirecting(&mock, "/v1/same", 302, "http://ada:hunter2@api.test/v1/end");
    mock.handle(|_| Some(MockResponse::new(200)));
    let client = Client::builder()
        .base_url("http://api.test/v1")
        .header("X-Api-Key", "declared")
        .sensitive_header("x-api-key")
        .follow_redirects(true)
        .backend(mock.clone())
        .build()
        .unwrap();
    let mut marked = httplib::HeaderValue::from_static("marked");
    marked.set_sensitive(true);
    let mut own = httplib::HeaderMap::new();
    own.insert("x-session", marked);
    let r = client.get("/away").headers(own.clone()).await.unwrap();
    let end = last(&mock);
    assert_eq!(end.url.host_str(), Some("other.test"));
    assert!(header(&end, "x-api-key").is_none());
    assert!(header(&end, "x-session").is_none());
    assert!(
        header(&end, "authorization").is_none(),
        "Location's userinfo is not sent"
    );
    assert!(!r.url().as_str().contains("hunter2"), "{}", r.url());
    let r = client.get("/same").headers(own).await.unwrap();
    let end = last(&mock);
    assert_eq!(header(&end, "x-api-key").as_deref(), Some("declared"));
    assert_eq!(header(&end, "x-session").as_deref(), Some("marked"));
    assert_eq!(r.url().as_str(), "http://api.test/v1/end");
}

#[test]
async fn a_redirect_keeps_only_a_bounded_prefix_of_its_body_in_history() {
    let mock = MockBackend::new();
    let page = vec![b'x'; 40 * 1024];
    mock.on(
        Method::GET,
        "/v1/moved",
        MockResponse::new(302)
            .header("Location", "/v1/end")
            .chunks(page.chunks(4096).map(Bytes::copy_from_slice)),
    );
    mock.handle(|_| Some(MockResponse::new(200).text("end")));
    let client = Client::builder()
        .base_url("http://api.test/v1")
        .follow_redirects(true)
        .backend(mock.clone())
        .build()
        .unwrap();
    let r = client.get("/moved").await.unwrap();
    assert_eq!(r.text().unwrap(), "end");
    assert_eq!(r.history()[0].status_code(), 302);
    assert_eq!(r.history()[0].bytes().len(), 16 * 1024);
    let s = client.stream(Method::GET, "/moved").await.unwrap();
    assert_eq!(s.history()[0].bytes().len(), 16 * 1024, "stream mode too");
}

#[test]
async fn credentials_are_hidden_from_debug_and_errors() {
    let mock = MockBackend::new();
    mock.handle(|_| Some(MockResponse::new(200).error(ErrorKind::Connect)));
    let client = Client::builder().backend(mock.clone()).build().unwrap();
    let request = client
        .get("http://ada:hunter2@api.test/")
        .header("Authorization", "Bearer tok3n")
        .build()
        .unwrap();
    let shown = format!("{request:?}");
    assert!(
        !shown.contains("hunter2") && !shown.contains("tok3n"),
        "{shown}"
    );
    let err = client
        .get("http://ada:hunter2@api.test/")
        .await
        .unwrap_err();
    assert!(!err.to_string().contains("hunter2"), "{err}");
    assert!(!format!("{err:?}").contains("hunter2"), "{err:?}");
    let err = client.get("ftp://ada:hunter2@api.test/").await.unwrap_err();
    assert!(!err.to_string().contains("hunter2"), "{err}");
    for unparsable in [
        "http://ada:hunter2@[::1/x",
        "http://ada:hunter2@exa mple.test/",
    ] {
        let err = client.get(unparsable).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidUrl);
        assert!(!err.to_string().contains("hunter2"), "{err}");
    }
    let based = Client::builder()
        .base_url("https://ada:hunter2@api.test/")
        .backend(mock.clone())
        .build()
        .unwrap();
    assert!(!format!("{based:?}").contains("hunter2"), "{based:?}");
    let moved = MockBackend::new();
    redirecting(&moved, "/bad", 302, "http://ada:hunter2@exa mple.test/");
    let following = Client::builder()
        .follow_redirects(true)
        .backend(moved)
        .build()
        .unwrap();
    let err = following.get("http://api.test/bad").await.unwrap_err();
    assert!(!err.to_string().contains("hunter2"), "{err}");
}

#[test]
async fn lines_are_capped_at_the_maximum_line_length() {
    let mock = MockBackend::new();
    let endless = Bytes::from(vec![b'x'; 64 * 1024]);
    mock.on(
        Method::GET,
        "/v1/endless",
        MockResponse::new(200).chunks(std::iter::repeat_n(endless, 20)),
    );
    mock.on(
        Method::GET,
        "/v1/log",
        MockResponse::new(200).text("ok\nlonger line\nok\n"),
    );
    let client = client_with(&mock);
    let r = client.stream(Method::GET, "/endless").await.unwrap();
    let lines: Vec<_> = r.lines().collect().await;
    assert_eq!(lines.len(), 1, "the error ends the lines");
    let err = lines.into_iter().next().unwrap().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert!(err.to_string().contains("1048576"), "{err}");
    let r = client.stream(Method::GET, "/log").await.unwrap();
    let lines: Vec<_> = r.max_line_length(4).lines().collect().await;
    assert_eq!(lines[0].as_deref().unwrap(), "ok");
    assert!(lines[1].as_ref().unwrap_err().is_decode());
}

#[test]
async fn no_cookie_is_kept_for_a_public_suffix() {
    let mock = MockBackend::new();
    mock.on(
        Method::GET,
        "/set",
        MockResponse::new(200)
            .header("Set-Cookie", "wide=1; Domain=github.io")
            .header("Set-Cookie", "tld=1; Domain=io")
            .header("Set-Cookie", "site=1; Domain=evil.github.io"),
    );
    mock.handle(|_| Some(MockResponse::new(200)));
    let client = Client::builder().backend(mock.clone()).build().unwrap();
    client.get("http://evil.github.io/set").await.unwrap();
    client.get("http://victim.github.io/").await.unwrap();
    // A top-level domain is refused on every target; the rest of the list natively, and on
    // wasm32 only when JS registers a check, as the npm package does in Node (compiled in,
    // the list would more than double the .wasm: see cookies.rs).
    let expected = if cfg!(js) { Some("wide=1") } else { None };
    assert_eq!(header(&last(&mock), "cookie").as_deref(), expected);
    client.get("http://evil.github.io/").await.unwrap();
    let own = header(&last(&mock), "cookie").unwrap();
    assert!(own.contains("site=1") && !own.contains("tld=1"), "{own}");
}

#[test]
async fn a_client_that_forbids_absolute_urls_never_leaves_its_origin() {
    let mock = MockBackend::new();
    redirecting(&mock, "/v1/away", 302, "http://evil.test/steal");
    mock.handle(|_| Some(MockResponse::new(200)));
    let client = Client::builder()
        .base_url("http://api.test/v1")
        .allow_absolute_urls(false)
        .header("X-Api-Key", "secret")
        .follow_redirects(true)
        .backend(mock.clone())
        .build()
        .unwrap();
    let prebuilt = httplib::get("http://evil.test/steal").build().unwrap();
    let err = client.send(prebuilt).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidUrl, "a prebuilt request");
    let mut changed = client.get("/x").build().unwrap();
    *changed.url_mut() = url::Url::parse("http://evil.test/steal").unwrap();
    let err = client.send(changed).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidUrl, "a changed URL");
    let err = client.get("/away").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidUrl, "a redirect");
    let hosts: Vec<_> = mock
        .requests()
        .iter()
        .map(|r| r.url.host_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(
        hosts,
        ["api.test"],
        "only the redirect itself was asked for"
    );
}

#[test]
async fn responses_without_a_body_are_not_decoded() {
    let mock = MockBackend::new();
    mock.on(
        Method::HEAD,
        "/v1/page",
        MockResponse::new(200)
            .header("Content-Encoding", "gzip")
            .header("Content-Length", "25"),
    );
    mock.on(
        Method::GET,
        "/v1/empty",
        MockResponse::new(204).header("Content-Encoding", "br"),
    );
    let client = client_with(&mock);
    let r = client.head("/page").await.unwrap();
    assert_eq!(r.status_code(), 200);
    assert_eq!(
        r.headers()["content-encoding"],
        "gzip",
        "it describes the GET's body"
    );
    let r = client.get("/empty").await.unwrap();
    assert_eq!(r.status_code(), 204);
    assert!(r.bytes().is_empty());
}

/// A resolver that answers nothing: on wasm32 it is never called; natively it is not
/// reached here (the mock backend does not connect).
struct NoAnswer;

impl httplib::dns::Resolve for NoAnswer {
    fn resolve(&self, name: httplib::dns::Name) -> httplib::dns::Resolving {
        Box::pin(async move { Err(format!("{name}: no answer").into()) })
    }
}

/// The connection settings exist on every target. On wasm32 the platform owns sockets
/// and names: they are accepted, a client with the platform backend builds, and requests
/// go as they would without them.
fn with_connection_settings(builder: httplib::ClientBuilder) -> httplib::ClientBuilder {
    builder
        .resolve("api.test", "127.0.0.1:8443".parse().unwrap())
        .resolve_to_addrs("pinned.test", &["127.0.0.1:1".parse().unwrap()])
        .dns_resolver(NoAnswer)
        .local_address(std::net::IpAddr::from([127, 0, 0, 1]))
        .tcp_keepalive(Duration::from_secs(30))
        .http2_keep_alive(Duration::from_secs(30))
        .unix_socket("/run/app.sock")
        .proxy(
            httplib::Proxy::all("http://127.0.0.1:3128")
                .unwrap()
                .no_proxy("api.test"),
        )
}

#[test]
async fn connection_settings_are_accepted_on_every_target() {
    let mock = MockBackend::new();
    mock.on(Method::GET, "/v1/ping", MockResponse::new(200).text("pong"));
    let client = with_connection_settings(Client::builder())
        .base_url("http://api.test/v1")
        .backend(mock.clone())
        .build()
        .unwrap();
    assert_eq!(client.get("/ping").await.unwrap().text().unwrap(), "pong");
    assert_eq!(last(&mock).url.host_str(), Some("api.test"));

    // With the platform's own backend (fetch on wasm32, hyper natively on Unix).
    #[cfg(any(unix, js))]
    assert!(with_connection_settings(Client::builder()).build().is_ok());
}

#[test]
async fn tls_settings_are_accepted_on_every_target() {
    // A client certificate, a version floor and trust_env: natively the rustls backend
    // uses them; on wasm32 the platform owns TLS and the fetch backend ignores them.
    let pem = include_bytes!("shared/keys/identity.pem");
    let identity = httplib::Identity::from_pem(pem).unwrap();
    let configured = || {
        Client::builder()
            .identity(identity.clone())
            .tls_min_version(httplib::TlsVersion::TLS_1_3)
            .trust_env(false)
    };
    // The platform's own backend builds with them...
    assert!(configured().build().is_ok());
    // ...and a client with them sends as any other.
    let mock = MockBackend::new();
    mock.on(Method::GET, "/v1/tls", MockResponse::new(200).text("ok"));
    let client = configured()
        .base_url("http://api.test/v1")
        .backend(mock.clone())
        .build()
        .unwrap();
    assert_eq!(client.get("/tls").await.unwrap().text().unwrap(), "ok");
    // A PEM without its key is refused the same way everywhere.
    let text = std::str::from_utf8(pem).unwrap();
    let cert_only = &text[..text.find("-----BEGIN EC PRIVATE KEY-----").unwrap()];
    let err = httplib::Identity::from_pem(cert_only.as_bytes()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Builder, "{err}");
}
