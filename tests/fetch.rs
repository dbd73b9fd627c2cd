//! The fetch backend (wasm32) against the project's test server, run by ci.sh in Node and
//! in headless Chromium. The server's URLs reach the wasm build at compile time.
#![cfg(target_arch = "wasm32")]

use std::time::Duration;

use futures_util::StreamExt;
use httplib::backend::FetchCredentials;
use httplib::{Client, DigestAuth, ErrorKind, Method, Timeout};
use serde_json::{Value, json};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test as test;

fn base(var: Option<&'static str>, name: &str) -> &'static str {
    var.unwrap_or_else(|| panic!("{name} must be set when the wasm tests are built (ci.sh does)"))
}

fn http(path: &str) -> String {
    format!(
        "{}{path}",
        base(option_env!("HTTPLIB_TEST_HTTP"), "HTTPLIB_TEST_HTTP")
    )
}

fn https(path: &str) -> String {
    format!(
        "{}{path}",
        base(option_env!("HTTPLIB_TEST_HTTPS"), "HTTPLIB_TEST_HTTPS")
    )
}

fn in_node() -> bool {
    js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("process"))
        .map(|p| !p.is_undefined())
        .unwrap_or(false)
}

fn json_of(r: &httplib::Response) -> Value {
    r.json().expect("a JSON body")
}

fn pattern(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i % 251) as u8).collect()
}

#[test]
async fn get_reads_status_json_and_text_without_await() {
    let r = httplib::get(http("/echo"))
        .query(&[("q", "test"), ("page", "2")])
        .await
        .unwrap();
    assert_eq!(r.status_code(), 200);
    let body = json_of(&r);
    assert_eq!(body["method"], "GET");
    assert_eq!(body["args"], json!({"q": "test", "page": "2"}));
    assert!(r.text().unwrap().contains("\"args\""));
    if in_node() {
        // Node's fetch does not tell the version: reported as unknown, never guessed.
        assert_eq!(r.version(), None);
        assert_eq!(r.http_version(), "unknown");
    } else {
        // Chromium records it in resource timing (the server sends Timing-Allow-Origin).
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
        assert_eq!(body["headers"]["content-type"], "application/json");
    }
    let r = httplib::delete(http("/echo")).await.unwrap();
    assert_eq!(json_of(&r)["method"], "DELETE");
    let r = httplib::post(http("/echo"))
        .form(&[("key", "value")])
        .await
        .unwrap();
    assert_eq!(json_of(&r)["form"], json!({"key": "value"}));
    let r = httplib::post(http("/echo"))
        .content(b"raw bytes".to_vec())
        .await
        .unwrap();
    assert_eq!(json_of(&r)["body"], "raw bytes");
    let form = httplib::multipart::Form::new()
        .text("title", "holiday")
        .part(
            "file",
            httplib::multipart::Part::bytes(vec![7u8; 3000]).file_name("a.png"),
        );
    let r = httplib::post(http("/echo")).multipart(form).await.unwrap();
    let body = json_of(&r);
    assert_eq!(body["fields"]["title"], "holiday");
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
async fn streamed_uploads_stream_in_node_and_are_read_first_in_browsers() {
    // Unknown length: Node's fetch sends the stream as it is read (chunked); a browser's
    // streams uploads only over HTTP/2, so the backend reads it first (Content-Length).
    let (body, whole) = streamed(4, None);
    let r = httplib::post(http("/echo")).content(body).await.unwrap();
    let echo = json_of(&r);
    assert_eq!(echo["body"], whole.as_str());
    let headers = &echo["headers"];
    if in_node() {
        assert_eq!(headers["transfer-encoding"], "chunked", "{headers}");
        assert!(headers.get("content-length").is_none(), "{headers}");
    } else {
        assert_eq!(
            headers["content-length"],
            whole.len().to_string(),
            "{headers}"
        );
    }

    // Known length: sent with it on both.
    let (body, whole) = streamed(2, Some(32 * 1024));
    let r = httplib::post(http("/echo")).content(body).await.unwrap();
    let echo = json_of(&r);
    assert_eq!(echo["body"], whole.as_str());
    assert_eq!(echo["headers"]["content-length"], "32768");

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

#[test]
async fn a_client_carries_base_url_and_default_headers() {
    let client = Client::builder()
        .base_url(http("/anything/api"))
        .header("X-Token", "abc")
        .build()
        .unwrap();
    let r = client.get("/items").await.unwrap();
    let body = json_of(&r);
    assert_eq!(body["path"], "/anything/api/items");
    assert_eq!(body["headers"]["x-token"], "abc");
}

#[test]
async fn basic_bearer_and_digest_auth() {
    let r = httplib::get(http("/basic-auth/u/p"))
        .auth(("u", "p"))
        .await
        .unwrap();
    assert_eq!(json_of(&r)["authenticated"], true);
    let r = httplib::get(http("/bearer"))
        .bearer_auth("T")
        .await
        .unwrap();
    assert_eq!(json_of(&r)["token"], "T");
    for algorithm in ["MD5", "SHA-256"] {
        let url = http(&format!("/digest-auth/auth/u/p/{algorithm}"));
        let r = httplib::get(&url)
            .auth(DigestAuth::new("u", "p"))
            .await
            .unwrap();
        assert_eq!(r.status_code(), 200, "{algorithm}");
    }
}

#[test]
async fn redirects_follow_the_platform() {
    let client = Client::new();
    let followed = client
        .get(http("/redirect/2"))
        .follow_redirects(true)
        .await
        .unwrap();
    assert_eq!(followed.status_code(), 200);
    assert_eq!(followed.url().path(), "/echo");
    if in_node() {
        // Node shows redirects: the front-end's own policy applies, as natively.
        let r = client.get(http("/redirect/2")).await.unwrap();
        assert_eq!(r.status_code(), 302);
        assert!(r.is_redirect());
        assert_eq!(followed.history().len(), 3);
        let err = client
            .get(http("/redirect-loop"))
            .follow_redirects(true)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TooManyRedirects);
    } else {
        // A browser hides a redirect it does not follow: an honest error, not a guess.
        let err = client.get(http("/redirect/2")).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::OpaqueRedirect);
        assert!(err.is_redirect());
        assert!(
            followed.history().is_empty(),
            "the browser does not tell the hops"
        );
    }
}

#[test]
async fn credentials_do_not_cross_origins_on_redirect() {
    let target = https("/echo");
    let away = http(&format!(
        "/redirect-to?url={}",
        url::form_urlencoded::byte_serialize(target.as_bytes()).collect::<String>()
    ));
    let r = httplib::get(&away)
        .auth(("u", "p"))
        .follow_redirects(true)
        .await
        .unwrap();
    assert_eq!(r.url().scheme(), "https");
    assert_eq!(json_of(&r)["headers"]["authorization"], Value::Null);
}

#[test]
async fn cookies_follow_the_platform() {
    if in_node() {
        let client = Client::new();
        client.get(http("/cookies/set?session=abc")).await.unwrap();
        let r = client.get(http("/cookies")).await.unwrap();
        assert_eq!(json_of(&r)["cookies"], json!({"session": "abc"}));
    } else {
        // The browser owns cookies: with credentials included it stores and sends them,
        // and httplib's jar never sees them.
        let client = Client::builder()
            .fetch_credentials(FetchCredentials::Include)
            .build()
            .unwrap();
        client.get(http("/cookies/set?browser=1")).await.unwrap();
        let r = client.get(http("/cookies")).await.unwrap();
        assert_eq!(json_of(&r)["cookies"]["browser"], "1");
        let url = url::Url::parse(&http("/")).unwrap();
        assert!(client.cookie_jar().unwrap().cookies(&url).is_empty());
    }
}

#[test]
async fn timeouts_abort_and_report_read_timeouts() {
    let client = Client::builder()
        .timeout(Timeout::new(Duration::from_millis(300)))
        .build()
        .unwrap();
    let err = client.get(http("/delay/3")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ReadTimeout);
    let mut r = client
        .stream(Method::GET, http("/hang-body"))
        .await
        .unwrap();
    assert_eq!(r.status_code(), 200);
    let err = r.chunk().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ReadTimeout);
    // A request may allow more than its client.
    let r = client
        .get(http("/delay/0.5"))
        .timeout(Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(r.status_code(), 200);
}

#[test]
async fn failures_are_typed_with_a_readable_message() {
    let port = base(
        option_env!("HTTPLIB_TEST_CLOSED_PORT"),
        "HTTPLIB_TEST_CLOSED_PORT",
    );
    let url = format!("http://127.0.0.1:{port}/");
    let err = httplib::get(&url).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Connect);
    let text = err.to_string();
    assert!(text.contains(&url) && !text.contains("JsValue"), "{text}");

    let r = httplib::get(http("/status/404")).await.unwrap();
    let err = r.raise_for_status().unwrap_err();
    assert!(err.is_status() && !err.is_request());
    assert_eq!(err.status().unwrap().as_u16(), 404);

    let err = httplib::get(http("/echo"))
        .header("X", "a\r\nb")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Builder);
}

#[test]
async fn fan_out_returns_every_result() {
    let client = Client::new();
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
async fn bodies_stream_in_chunks_and_lines_and_compressed_ones_are_decoded() {
    let client = Client::new();
    let mut r = client
        .stream(Method::GET, http("/stream-bytes/100000"))
        .await
        .unwrap();
    let mut body = Vec::new();
    while let Some(chunk) = r.chunk().await.unwrap() {
        body.extend_from_slice(&chunk);
    }
    assert_eq!(body, pattern(100_000));
    let r = client.stream(Method::GET, http("/lines/5")).await.unwrap();
    let lines: Vec<String> = r.lines().map(Result::unwrap).collect().await;
    assert_eq!(
        lines,
        ["line 0", "line 1 café", "line 2", "line 3", "line 4"]
    );
    for path in ["/gzip", "/brotli", "/deflate"] {
        let r = client.get(http(path)).await.unwrap();
        assert_eq!(json_of(&r)["ok"], true, "{path}");
    }
}

/// Reads a JS `ReadableStream` of bytes to its end.
async fn read_js(stream: web_sys::ReadableStream) -> Vec<u8> {
    let mut chunks = wasm_streams::ReadableStream::from_raw(stream).into_stream();
    let mut out = Vec::new();
    while let Some(chunk) = chunks.next().await {
        let array: js_sys::Uint8Array = wasm_bindgen::JsCast::dyn_into(chunk.unwrap()).unwrap();
        out.extend(array.to_vec());
    }
    out
}

#[test]
async fn a_streamed_body_hands_over_to_js_as_a_readable_stream() {
    let client = Client::new();
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

#[test]
async fn a_body_cut_short_is_a_read_error() {
    let mut r = Client::new()
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

#[test]
async fn pool_limits_are_the_platforms_here() {
    // Documented platform limit: the browser or Node owns the connections, so a pool of one
    // does not make a second concurrent request wait (natively it would hit the pool timeout).
    let client = Client::builder()
        .limits(httplib::Limits::default().max_connections(1))
        .timeout(Timeout::default().pool(Duration::from_millis(50)))
        .build()
        .unwrap();
    let both = client
        .fan_out([
            client.get(http("/delay/0.3")),
            client.get(http("/delay/0.3")),
        ])
        .gather()
        .await;
    assert!(
        both.iter()
            .all(|r| r.as_ref().unwrap().status_code() == 200)
    );
}
