//! The smallest useful client on wasm32 (issue 12): one GET, its JSON body read into a
//! struct. Built with no default feature but `json`, as a Rust-on-wasm user who only GETs
//! and reads JSON would build it: no cookie jar (the browser has its own), no Digest, no
//! multipart, no charset tables.
//!
//! ```sh
//! cargo build --example wasm_get_json --target wasm32-unknown-unknown --profile release-wasm \
//!     --no-default-features --features json
//! npm/bench/wasm-size.sh --example wasm_get_json json   # its gzip size, built the package's way
//! ```
//!
//! On wasm32 the answer goes to the console; natively (`cargo run --example wasm_get_json
//! --no-default-features --features json -- URL`) the same code runs with `send_blocking`.
//! The URL defaults to the test server's `/echo` on `HTTPLIB_TEST_HTTP` (at build time on
//! wasm32, which cannot read the environment at run time); any URL whose JSON has string
//! fields `method` and `url` will do.

use serde::Deserialize;

/// The part of the test server's `/echo` answer read here.
#[derive(Debug, Deserialize)]
struct Echo {
    method: String,
    url: String,
}

fn summary(echo: &Echo) -> String {
    format!("{} {}", echo.method, echo.url)
}

/// The GET and the JSON read, on wasm32 (natively `main` uses `send_blocking`).
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
async fn get_echo(url: String) -> httplib::Result<Echo> {
    httplib::get(url).await?.raise_for_status()?.json()
}

#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
fn main() {
    let base = option_env!("HTTPLIB_TEST_HTTP").unwrap_or("http://127.0.0.1:8080");
    wasm_bindgen_futures::spawn_local(async move {
        let line = match get_echo(format!("{base}/echo?from=wasm_get_json")).await {
            Ok(echo) => summary(&echo),
            Err(e) => format!("failed: {e}"),
        };
        web_sys::console::log_1(&line.into());
    });
}

/// For JS hosts: examples/wasi.rs is the WASI one.
#[cfg(target_os = "wasi")]
fn main() {
    let _ = summary;
}

#[cfg(not(target_arch = "wasm32"))]
fn main() -> httplib::Result<()> {
    let url = std::env::args().nth(1).unwrap_or_else(|| {
        let base =
            std::env::var("HTTPLIB_TEST_HTTP").unwrap_or_else(|_| "http://127.0.0.1:8080".into());
        format!("{base}/echo?from=wasm_get_json")
    });
    let echo: Echo = httplib::get(url)
        .send_blocking()?
        .raise_for_status()?
        .json()?;
    println!("{}", summary(&echo));
    Ok(())
}
