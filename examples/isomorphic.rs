//! Isomorphic code: one generic function, written once against httplib's API, used by a
//! native binary, the wasm32 build for JS hosts and a WASI component.
//!
//! Natively: `cargo run --example isomorphic -- http://127.0.0.1:PORT` (any httpbin-like
//! server, such as `cargo run -p httplib-testserver`). For wasm32 it builds with
//! `cargo build --example isomorphic --target wasm32-unknown-unknown`; the `www/` demo and
//! the wasm tests run the same API in Node and Chromium. As a WASI component:
//! `cargo build --example isomorphic --target wasm32-wasip2 --no-default-features --features json`,
//! then `npx jco run target/wasm32-wasip2/debug/examples/isomorphic.wasm http://127.0.0.1:PORT`.

use httplib::{Client, Result};
use serde_json::Value;

/// Works the same natively and on wasm32: `Client` is `Send + Sync` on both, and the
/// futures are `Send` natively (so this can run on a multi-threaded executor there).
pub async fn summarize(client: &Client, base: &str) -> Result<String> {
    let echo: Value = client
        .get(format!("{base}/echo"))
        .query(&[("from", "isomorphic")])
        .await?
        .raise_for_status()?
        .json()?;
    let done = client
        .fan_out((0..3).map(|i| client.get(format!("{base}/echo?n={i}"))))
        .concurrency(2)
        .gather()
        .await;
    let ok = done.iter().filter(|r| r.is_ok()).count();
    Ok(format!(
        "{} {} via {}; {ok}/3 fan-out requests ok",
        echo["method"], echo["args"]["from"], echo["http_version"]
    ))
}

#[cfg(not(target_arch = "wasm32"))]
fn main() -> Result<()> {
    let base = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "http://127.0.0.1:8080".to_owned());
    let runtime = tokio::runtime::Runtime::new().map_err(|e| {
        httplib::Error::new(httplib::ErrorKind::Builder, "no tokio runtime").with_source(e)
    })?;
    let summary = runtime.block_on(summarize(&Client::new(), &base))?;
    println!("{summary}");
    Ok(())
}

#[cfg(all(target_arch = "wasm32", target_os = "wasi"))]
fn main() -> Result<()> {
    // A WASI component: wstd's executor drives the host's pollables.
    let base = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "http://127.0.0.1:8080".to_owned());
    let summary = wstd::runtime::block_on(summarize(&Client::new(), &base))?;
    println!("{summary}");
    Ok(())
}

#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
fn main() {
    let base = option_env!("HTTPLIB_TEST_HTTP").unwrap_or("http://127.0.0.1:8080");
    wasm_bindgen_futures::spawn_local(async move {
        let line = match summarize(&Client::new(), base).await {
            Ok(summary) => summary,
            Err(e) => format!("failed: {e}"),
        };
        web_sys::console::log_1(&line.into());
    });
}
