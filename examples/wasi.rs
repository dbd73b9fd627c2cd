//! A GET from a WASI component: the status, the HTTP version and the JSON body of one
//! request, through the host's `wasi:http`.
//!
//! Build and run (jco runs wasm32-wasip2 components in Node):
//! ```text
//! cargo build --target wasm32-wasip2 --example wasi --no-default-features --features json
//! npx jco run target/wasm32-wasip2/debug/examples/wasi.wasm http://127.0.0.1:PORT/json
//! ```
//! (or `wasmtime run -S http target/wasm32-wasip2/debug/examples/wasi.wasm URL`).

#[cfg(target_os = "wasi")]
fn main() -> httplib::Result<()> {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "http://127.0.0.1:8080/json".to_owned());
    // wstd's executor drives the host's pollables (and so httplib's requests and timers).
    wstd::runtime::block_on(async {
        let response = httplib::Client::new().get(&url).await?.raise_for_status()?;
        println!("{} {}", response.status_code(), response.http_version());
        let json: serde_json::Value = response.json()?;
        println!("{json}");
        Ok(())
    })
}

#[cfg(not(target_os = "wasi"))]
fn main() {
    eprintln!("this example is for wasm32-wasip2: see its header for how to build and run it");
}
