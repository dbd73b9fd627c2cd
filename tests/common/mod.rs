//! Helpers shared by the native test files: one test server per test binary, and clients
//! that trust its CA.
#![allow(dead_code)]

use std::sync::OnceLock;

use httplib::{Certificate, Client, ClientBuilder};
use httplib_testserver::TestServer;

/// The test server of this test binary, started on first use.
pub fn server() -> &'static TestServer {
    static SERVER: OnceLock<TestServer> = OnceLock::new();
    SERVER.get_or_init(TestServer::start)
}

/// A client builder that trusts the test server's CA.
pub fn builder() -> ClientBuilder {
    let ca = Certificate::from_pem(server().ca_pem().as_bytes()).expect("the CA is PEM");
    Client::builder().add_root_certificate(ca)
}

/// A client trusting the test server's CA.
pub fn client() -> Client {
    builder().build().expect("the client builds")
}

/// A client as [`builder`] makes it, with every request through the proxy at `url`.
pub fn proxied(url: &str) -> Client {
    builder()
        .proxy(httplib::Proxy::all(url).expect("a valid proxy URL"))
        .build()
        .expect("the client builds")
}

/// `GET http://server{path}` with a default client.
pub fn http(path: &str) -> String {
    server().http_url(path)
}

#[path = "../shared/replies.rs"]
mod replies;
#[allow(unused_imports)] // each test binary uses some
pub use replies::{connection_id, echoed_header, json_of as json};
