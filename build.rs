//! Names the three kinds of target once, so that the code says which host it means rather
//! than which target triple: `native` (hyper and tokio over the OS's sockets), `js`
//! (wasm32-unknown-unknown under a JS host: the platform's `fetch`) and `wasi` (a wasm32-wasip2
//! component: `wasi:http`).

fn main() {
    println!("cargo::rustc-check-cfg=cfg(native, js, wasi)");
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    let host = match (arch.as_str(), os.as_str(), env.as_str()) {
        ("wasm32", "unknown", _) => "js",
        ("wasm32", "wasi", "p2") => "wasi",
        ("wasm32", _, _) => panic!(
            "httplib builds for wasm32-unknown-unknown (JS hosts) and wasm32-wasip2 \
             (wasi:http), not for wasm32-{os}{}{env}",
            if env.is_empty() { "" } else { "-" }
        ),
        _ => "native",
    };
    if host == "wasi" && std::env::var_os("CARGO_FEATURE_ZSTD").is_some() {
        // zstd-sys (C) would need a WASI C toolchain and sysroot: say so before its error.
        panic!(
            "the `zstd` feature is native only: for wasm32-wasip2 build httplib with \
             default-features = false and the features you use (README, \"WASI\")"
        );
    }
    println!("cargo::rustc-cfg={host}");
}
