//! A walk through every section of the seed against the project's own test server,
//! started in-process: `cargo run --example tour`.
//!
//! Each step prints what the call returned.

#[cfg(not(target_arch = "wasm32"))]
fn main() -> native::Result {
    native::main()
}

/// The tour starts a server in-process, which only a native build can do; the wasm build
/// of the same API is shown by `examples/isomorphic.rs` and the `www/` demo.
#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::time::{Duration, Instant};

    use futures_util::StreamExt;
    use httplib::multipart::Form;
    use httplib::{Certificate, Client, DigestAuth, ErrorKind, Limits, Method, Timeout};
    use httplib_testserver::TestServer;
    use serde_json::{Value, json};

    pub type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

    fn section(title: &str) {
        println!("\n== {title} ==");
    }

    pub fn main() -> Result {
        let server = TestServer::start();
        println!(
            "test server: {}  (TLS: {})",
            server.http_url(""),
            server.https_url("")
        );
        sync_requests(&server)?;
        let runtime = tokio::runtime::Runtime::new()?;
        runtime.block_on(async_tour(&server))?;
        Ok(())
    }

    fn sync_requests(server: &TestServer) -> Result {
        section("Sync requests: top-level functions, blocking");
        let url = server.http_url("/echo");
        let r = httplib::get(&url).send_blocking()?;
        println!(
            "get            -> {} {}",
            r.status_code(),
            r.json::<Value>()?["method"]
        );
        let r = httplib::post(&url)
            .json(&json!({"name": "ada"}))
            .send_blocking()?;
        println!("post json      -> {}", r.json::<Value>()?["json"]);
        let r = httplib::get(&url)
            .query(&[("q", "test"), ("page", "2")])
            .send_blocking()?;
        println!("params         -> {}", r.json::<Value>()?["args"]);
        let r = httplib::get(&url)
            .header("User-Agent", "my-app/1.0")
            .send_blocking()?;
        println!(
            "headers        -> user-agent {}",
            r.json::<Value>()?["headers"]["user-agent"]
        );
        for (name, r) in [
            (
                "put",
                httplib::put(&url).json(&json!({"id": 1})).send_blocking()?,
            ),
            (
                "patch",
                httplib::patch(&url)
                    .json(&json!({"id": 1}))
                    .send_blocking()?,
            ),
            ("delete", httplib::delete(&url).send_blocking()?),
        ] {
            println!(
                "{name:<14} -> {} {}",
                r.status_code(),
                r.json::<Value>()?["method"]
            );
        }
        let r = httplib::get(server.http_url("/encoding/utf8")).send_blocking()?;
        println!(
            "read           -> status_code {}, text {:?}",
            r.status_code(),
            r.text()?
        );
        Ok(())
    }

    async fn async_tour(server: &TestServer) -> Result {
        let ca = Certificate::from_pem(server.ca_pem().as_bytes())?;

        section("The reusable Client");
        let client = Client::builder()
            .base_url(server.http_url("/anything/api"))
            .header("Authorization", "Bearer TOKEN")
            .limits(
                Limits::default()
                    .max_connections(100)
                    .max_keepalive_connections(20),
            )
            .add_root_certificate(ca.clone())
            .build()?;
        let r = client.get("/items").await?;
        let body: Value = r.json()?;
        println!(
            "client.get     -> {} {} (authorization: {})",
            r.status_code(),
            body["url"],
            body["headers"]["authorization"]
        );
        let r = client.post("/items").json(&json!({"name": "ada"})).await?;
        println!("client.post    -> {}", r.json::<Value>()?["json"]);
        let cookies = Client::builder().base_url(server.http_url("")).build()?;
        cookies.get("/cookies/set?session=abc").await?;
        let r = cookies.get("/cookies").await?;
        println!("cookies        -> {}", r.json::<Value>()?["cookies"]);
        let ids: Vec<String> = {
            let mut ids = Vec::new();
            for _ in 0..3 {
                let r = cookies.get("/echo").await?;
                ids.push(r.headers()["x-connection-id"].to_str()?.to_owned());
            }
            ids
        };
        println!("pooling        -> connection ids {ids:?} (one connection reused)");

        section("Bodies & auth");
        let url = server.http_url("/echo");
        let r = httplib::post(&url)
            .json(&json!({"id": 1, "name": "ada"}))
            .await?;
        println!(
            "json           -> content-type {}",
            r.json::<Value>()?["headers"]["content-type"]
        );
        let r = httplib::post(&url).form(&[("key", "value")]).await?;
        println!("form           -> {}", r.json::<Value>()?["form"]);
        let dir = std::env::temp_dir().join(format!("httplib-tour-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let file = dir.join("a.png");
        std::fs::write(&file, vec![7u8; 100_000])?;
        let r = httplib::post(&url)
            .multipart(Form::new().file("file", &file)?)
            .await?;
        println!("multipart      -> {}", r.json::<Value>()?["files"]["file"]);
        std::fs::remove_dir_all(&dir)?;
        let r = httplib::post(&url).content(b"raw bytes".to_vec()).await?;
        println!("content        -> body {}", r.json::<Value>()?["body"]);
        let r = httplib::get(server.http_url("/basic-auth/user/passwd"))
            .auth(("user", "passwd"))
            .await?;
        println!("basic auth     -> {} {}", r.status_code(), r.text()?);
        let r = httplib::get(server.http_url("/digest-auth/auth/u/p/SHA-256"))
            .auth(DigestAuth::new("u", "p"))
            .await?;
        println!("digest auth    -> {} {}", r.status_code(), r.text()?);

        section("Async with await");
        let r = client.get("/items").await?;
        println!(
            "await          -> {} (read without await: {} bytes)",
            r.status_code(),
            r.bytes().len()
        );
        let mut s = client
            .stream(Method::GET, server.http_url("/stream-bytes/100000"))
            .await?;
        let mut n = 0;
        while let Some(chunk) = s.chunk().await? {
            n += chunk.len();
        }
        println!("stream async   -> {} bytes in chunks", n);

        section("Concurrent fan-out");
        let delay = server.http_url("/delay/1");
        let started = Instant::now();
        for _ in 0..5 {
            client.get(&delay).await?;
        }
        println!(
            "serial 5x /delay/1     -> {:.2}s",
            started.elapsed().as_secs_f64()
        );
        let started = Instant::now();
        let all = client
            .fan_out((0..5).map(|_| client.get(&delay)))
            .gather()
            .await;
        println!(
            "concurrent 5x /delay/1 -> {:.2}s ({} ok)",
            started.elapsed().as_secs_f64(),
            all.iter().filter(|r| r.is_ok()).count()
        );
        let started = Instant::now();
        let mut done = client
            .fan_out((0..10).map(|_| client.get(&delay)))
            .concurrency(5);
        let mut order = Vec::new();
        while let Some((i, r)) = done.next().await {
            r?;
            order.push(i);
        }
        println!(
            "capped at 5, 10 calls  -> {:.2}s, completion order {order:?}",
            started.elapsed().as_secs_f64()
        );
        let mixed = [server.http_url("/echo"), "http://127.0.0.1:9/".to_owned()];
        let results = client
            .fan_out(mixed.iter().map(|u| client.get(u)))
            .gather()
            .await;
        println!(
            "one failure            -> {:?}",
            results
                .iter()
                .map(|r| r.as_ref().map(|r| r.status_code()).map_err(|e| e.kind()))
                .collect::<Vec<_>>()
        );

        section("HTTP/2");
        let h2 = Client::builder()
            .http2(true)
            .add_root_certificate(ca.clone())
            .build()?;
        let r = h2.get(server.https_url("/echo")).await?;
        println!("http2(true)    -> {} {}", r.status_code(), r.http_version());
        let many = h2
            .fan_out((0..20).map(|_| h2.get(server.https_url("/delay/0.2"))))
            .gather()
            .await;
        let conns: std::collections::HashSet<String> = many
            .iter()
            .filter_map(|r| r.as_ref().ok())
            .map(|r| {
                r.headers()["x-connection-id"]
                    .to_str()
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect();
        println!(
            "multiplexed    -> 20 requests over {} connection(s)",
            conns.len()
        );
        let r = h2.get(server.https_h1_url("/echo")).await?;
        println!(
            "fallback       -> {} (server offers no h2)",
            r.http_version()
        );

        section("Streaming responses");
        let r = client
            .stream(Method::GET, server.http_url("/lines/4"))
            .await?;
        println!("status first   -> {}", r.status_code());
        let lines: Vec<String> = r.lines().map(|l| l.unwrap_or_default()).collect().await;
        println!("lines          -> {lines:?}");
        let out = std::env::temp_dir().join(format!("httplib-tour-{}.bin", std::process::id()));
        let mut file = tokio::fs::File::create(&out).await?;
        let mut r = client
            .stream(Method::GET, server.http_url("/bytes/65536"))
            .await?;
        let saved = r.copy_to(&mut file).await?;
        println!("copy_to file   -> {saved} bytes saved to {}", out.display());
        std::fs::remove_file(&out)?;
        let blocking = tokio::task::spawn_blocking({
            let url = server.http_url("/stream-bytes/50000");
            move || -> httplib::Result<Vec<usize>> {
                let r = Client::new().get(url).stream_blocking()?;
                r.iter_bytes(8192).map(|c| c.map(|c| c.len())).collect()
            }
        })
        .await??;
        println!("iter_bytes     -> chunk sizes {blocking:?}");

        section("Where it differs from requests");
        let r = httplib::get(server.http_url("/redirect/2")).await?;
        println!(
            "no redirects   -> {} to {:?}",
            r.status_code(),
            r.headers()["location"]
        );
        let r = httplib::get(server.http_url("/redirect/2"))
            .follow_redirects(true)
            .await?;
        println!(
            "follow         -> {} after {} hops",
            r.status_code(),
            r.history().len()
        );
        let err = httplib::get(server.http_url("/delay/2"))
            .timeout(Timeout::new(Duration::from_secs(10)).read(Duration::from_millis(300)))
            .await
            .expect_err("times out");
        println!("timeout        -> {:?}: {err}", err.kind());
        let r = httplib::get(server.http_url("/status/404")).await?;
        println!(
            "is_error       -> success {} error {} redirect {}",
            r.is_success(),
            r.is_error(),
            r.is_redirect()
        );
        match r.raise_for_status() {
            Err(e) if e.is_status() => println!(
                "raise_for_status -> status error {:?}, is_request {}",
                e.status(),
                e.is_request()
            ),
            other => println!("raise_for_status -> {other:?}"),
        }
        let err = httplib::get("http://127.0.0.1:9/")
            .await
            .expect_err("nothing listens on port 9");
        println!(
            "request error  -> is_request {} kind {:?}",
            err.is_request(),
            err.kind()
        );
        assert_eq!(err.kind(), ErrorKind::Connect);
        beyond_the_seed(server).await
    }

    /// Counts every request a client sends, and tells how long each logical request took.
    struct Timing(std::sync::Arc<std::sync::atomic::AtomicUsize>);

    impl httplib::Middleware for Timing {
        fn handle<'a>(
            &'a self,
            request: httplib::Request,
            next: httplib::Next<'a>,
        ) -> httplib::BoxFuture<'a, httplib::Result<httplib::StreamingResponse>> {
            Box::pin(async move {
                let started = Instant::now();
                let path = request.url().path().to_owned();
                let response = next.run(request).await;
                self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                println!("middleware     -> {path} took {:?}", started.elapsed());
                response
            })
        }
    }

    async fn beyond_the_seed(server: &TestServer) -> Result {
        section("Beyond the seed: middleware, hooks, retries, the total deadline, progress");
        let calls = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let client = Client::builder()
            .middleware(Timing(calls.clone()))
            .on_request(|r| println!("on_request     -> {} {}", r.method(), r.url().path()))
            .on_response(|r| println!("on_response    -> {}", r.status()))
            .retry(
                httplib::Retry::new(2).backoff(Duration::from_millis(50), Duration::from_secs(2)),
            )
            .build()?;
        // The server fails the first request with a 503 asking for a second's wait.
        let started = Instant::now();
        let r = client
            .get(server.http_url("/flaky/tour/1?retry_after=1"))
            .await?;
        println!(
            "retry          -> {} on attempt {} after {:?} (Retry-After: 1)",
            r.status_code(),
            r.json::<Value>()?["attempt"],
            started.elapsed()
        );

        let total = Timeout::new(Duration::from_secs(5)).total(Duration::from_millis(500));
        let err = client
            .get(server.http_url("/drip?chunks=20&interval_ms=100"))
            .timeout(total)
            .await
            .expect_err("the body takes 2 s");
        println!("total deadline -> {:?}: {err}", err.kind());

        let last = std::sync::Arc::new(std::sync::Mutex::new(None));
        let seen = last.clone();
        let r = client
            .get(server.http_url("/bytes/300000"))
            .on_download_progress(move |p| *seen.lock().unwrap() = Some(p))
            .await?;
        let progress = last.lock().unwrap().expect("progress was reported");
        println!(
            "progress       -> {} of {:?} bytes, {:?} done",
            progress.bytes,
            progress.total,
            progress.fraction()
        );
        println!(
            "metadata       -> from {:?} in {:?}, content_length {:?}",
            r.remote_addr(),
            r.elapsed(),
            r.content_length()
        );
        println!(
            "middleware ran -> {} times for 3 logical requests",
            calls.load(std::sync::atomic::Ordering::Relaxed)
        );
        Ok(())
    }
}
