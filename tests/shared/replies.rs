//! Reading the test server's replies: shared by the native tests (tests/common) and the
//! conformance suite (every target).

use serde_json::Value;

/// The JSON body of a response (parsed here: the suites need no `json` feature for it).
pub fn json_of(r: &httplib::Response) -> Value {
    serde_json::from_slice(r.bytes()).expect("a JSON body")
}

/// A header of an `/echo` reply, as the server received it.
pub fn echoed_header(echo: &Value, name: &str) -> Option<String> {
    echo["headers"][name].as_str().map(str::to_owned)
}

/// The TCP connection a response of the test server came over (`X-Connection-Id`).
pub fn connection_id(r: &httplib::Response) -> u64 {
    r.headers()["x-connection-id"]
        .to_str()
        .expect("ASCII")
        .parse()
        .expect("a number")
}

/// The test server's body bytes: byte `i` is `i % 251`.
#[allow(dead_code)] // not every test binary reads bodies
pub fn pattern(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i % 251) as u8).collect()
}
