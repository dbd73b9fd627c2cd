//! What differs per target under the conformance suite: where the test server is, the test
//! attribute, a clock, and the predicates for the documented platform limits. Everything
//! else in the suite is the same code on every target.
#![allow(dead_code)]

use httplib::Client;

#[cfg(js)]
pub use js::*;
#[cfg(native)]
pub use native::*;
#[cfg(wasi)]
pub use wasi::*;

/// Natively: the test server runs in this process, and clients trust its CA.
#[cfg(native)]
mod native {
    use std::sync::OnceLock;

    use httplib::{Certificate, Client, ClientBuilder};
    use httplib_testserver::TestServer;

    pub use std::time::Instant;
    pub use tokio::test;

    /// The test server of this test binary, started on first use.
    fn server() -> &'static TestServer {
        static SERVER: OnceLock<TestServer> = OnceLock::new();
        SERVER.get_or_init(TestServer::start)
    }

    /// `http://127.0.0.1:PORT{path}` of the test server.
    pub fn http(path: &str) -> String {
        server().http_url(path)
    }

    /// `https://localhost:PORT{path}` of the test server (h2 and http/1.1 by ALPN).
    pub fn https(path: &str) -> String {
        server().https_url(path)
    }

    /// A port with nothing listening on 127.0.0.1.
    pub fn closed_port() -> String {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
        listener.local_addr().expect("bound").port().to_string()
    }

    /// A client builder that trusts the test server's CA (httplib's own TLS here).
    pub fn builder() -> ClientBuilder {
        let ca = Certificate::from_pem(server().ca_pem().as_bytes()).expect("the CA is PEM");
        Client::builder().add_root_certificate(ca)
    }

    /// True in Node (wasm32): never natively.
    pub fn in_node() -> bool {
        false
    }
}

/// On wasm32 hosts the test server is started by ci.sh, and its URLs are compiled in.
#[cfg(not(native))]
mod compiled_in {
    fn base(var: Option<&'static str>, name: &str) -> &'static str {
        var.unwrap_or_else(|| {
            panic!("{name} must be set when the wasm32 tests are built (ci.sh does)")
        })
    }

    /// `http://127.0.0.1:PORT{path}` of the test server.
    pub fn http(path: &str) -> String {
        let base = base(option_env!("HTTPLIB_TEST_HTTP"), "HTTPLIB_TEST_HTTP");
        format!("{base}{path}")
    }

    /// `https://localhost:PORT{path}` of the test server.
    pub fn https(path: &str) -> String {
        let base = base(option_env!("HTTPLIB_TEST_HTTPS"), "HTTPLIB_TEST_HTTPS");
        format!("{base}{path}")
    }

    /// A port with nothing listening on 127.0.0.1 (found by the script that built this).
    pub fn closed_port() -> String {
        base(
            option_env!("HTTPLIB_TEST_CLOSED_PORT"),
            "HTTPLIB_TEST_CLOSED_PORT",
        )
        .to_owned()
    }
}

/// On JS hosts: the test server is started by ci.sh (or scripts), its URLs compiled in; Node
/// trusts its CA through `NODE_EXTRA_CA_CERTS`, the browser through the platform.
#[cfg(js)]
mod js {
    use httplib::{Client, ClientBuilder};
    use wasm_bindgen::JsValue;

    pub use wasm_bindgen_test::wasm_bindgen_test as test;
    pub use web_time::Instant;

    pub use super::compiled_in::{closed_port, http, https};

    /// A client builder (the platform verifies certificates).
    pub fn builder() -> ClientBuilder {
        Client::builder()
    }

    /// True in Node, which has a global `process`; false in a browser.
    pub fn in_node() -> bool {
        js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("process"))
            .map(|p| !p.is_undefined())
            .unwrap_or(false)
    }
}

/// In a WASI component (wasm32-wasip2): the test server is started by ci.sh, its URLs
/// compiled in as for JS hosts; the host (jco in Node here) owns connections and TLS, and
/// trusts the server's CA through `NODE_EXTRA_CA_CERTS`.
#[cfg(wasi)]
mod wasi {
    use httplib::{Client, ClientBuilder};

    pub use std::time::Instant;
    pub use wstd::test;

    pub use super::compiled_in::{closed_port, http, https};

    /// A client builder (the host verifies certificates).
    pub fn builder() -> ClientBuilder {
        Client::builder()
    }

    /// Never in Node: the host may run on Node (jco), but the component sees only WASI.
    pub fn in_node() -> bool {
        false
    }
}

/// True on the native backend, where httplib owns the connections, TLS and decoding.
pub fn native() -> bool {
    cfg!(native)
}

/// True in a WASI component, where the host owns connections and TLS, and httplib decodes.
pub fn in_wasi() -> bool {
    cfg!(wasi)
}

/// True in a browser (wasm32 on a JS host, not Node). The browser owns cookies, follows redirects itself
/// (hiding those it does not follow), sets forbidden headers (`Cookie`, `User-Agent`...)
/// itself, and streams uploads only over HTTP/2: README's by-target table, platform limits.
pub fn in_browser() -> bool {
    cfg!(js) && !in_node()
}

/// A client as [`builder`] makes it.
pub fn client() -> Client {
    builder().build().expect("the client builds")
}

#[path = "../shared/replies.rs"]
mod replies;
pub use replies::{connection_id, echoed_header, json_of, pattern};

/// A key no other run shares (the Node and Chromium runs use one test server process):
/// for the server's per-key state, such as `/flaky`.
pub fn unique_key(name: &str) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    #[cfg(not(js))]
    use std::time::{SystemTime, UNIX_EPOCH};
    #[cfg(js)]
    use web_time::{SystemTime, UNIX_EPOCH};
    let run = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos() as u64;
    format!("{name}-{run:x}-{}", NEXT.fetch_add(1, Ordering::Relaxed))
}
