//! httpbin-like test server for the httplib client.
//!
//! [`TestServer::start`] runs every listener on `127.0.0.1` with ephemeral ports, on a
//! background thread with its own tokio runtime, so it works from `#[tokio::test]`, plain
//! `#[test]` and examples alike. The `httplib-testserver` binary starts the same server for
//! Node and browser test scripts. [`RawServer`] is a scripted TCP server for peers that
//! misbehave below the HTTP layer; [`FaultServer`] builds on it to script faults: HTTP/1.1
//! byte by byte ([`Step`]), TLS with a bad certificate or ALPN ([`TlsFault`]), and HTTP/2
//! frames ([`H2Fault`]).
//!
//! Listeners:
//! - `http`: HTTP/1.1, and HTTP/2 over cleartext by prior knowledge (detected from the
//!   connection preface; no `Upgrade: h2c`).
//! - `https`: TLS, ALPN `h2` and `http/1.1`.
//! - `https_h1`: TLS, ALPN `http/1.1` only, and HTTP/1.1 only whatever the client sends.
//! - `https_h2_limited`: TLS, ALPN `h2` and `http/1.1`, HTTP/2 `SETTINGS_MAX_CONCURRENT_STREAMS` 2.
//!
//! - optionally a Unix domain socket ([`TestServer::start_with_uds`]): cleartext, as `http`.
//!
//! The TLS listeners also listen on `[::1]`, same port, when they can (their URLs say
//! `localhost`). Their certificate is valid for `localhost`, `127.0.0.1` and `::1`, and is
//! signed by a CA generated at start ([`TestServer::ca_pem`]).
//!
//! Every response carries `X-Connection-Id` (a process-wide counter per accepted TCP
//! connection) and CORS headers; a CORS preflight (`OPTIONS` with
//! `Access-Control-Request-Method`) is answered `204` on every path.
//!
//! Endpoints (any method unless said; a malformed parameter is a 400 with JSON `{"error"}`):
//! - `/echo`, `/anything/...`: JSON description of the request: method, url (absolute,
//!   query included), path, args, headers (lower-case, repeats joined with ", "), body,
//!   body_base64, body_len, sha256, json, form, files, fields, http_version, connection_id,
//!   remote_addr (the client's `IP:port`; `null` over a Unix socket).
//!   Bodies of any size stream through a running SHA-256; the text forms (body,
//!   body_base64, json, form) are kept only for bodies under 1 MiB. A repeated query key,
//!   form key, multipart field or file name becomes an array of its values.
//! - `/delay/{secs}`: like `/echo` after a pause (fractional seconds, capped at 30).
//! - `/status/{code}`: that status (200-599), empty body; 401 adds `WWW-Authenticate: Basic`.
//! - `/flaky/{key}/{failures}?status=S&retry_after=V`: the first `failures` requests for
//!   `key` get status S (default 503, with `Retry-After: V` if given), later ones 200 with
//!   JSON `{"key", "attempt"}` (counted per key, process-wide).
//! - `/redirect/{n}`: 302 to `/redirect/{n-1}`, and `/redirect/0` is a 302 to `/echo`
//!   (so `/redirect/n` takes n+1 hops). `/absolute-redirect/{n}`: the same with absolute URLs.
//! - `/redirect-to?url=U&status_code=S&set_cookie=N=V`: redirect anywhere (S in 300-399,
//!   default 302; `set_cookie` repeatable, sent verbatim). `/redirect-loop`: 302 to itself.
//! - `/cookies`, `/cookies/set?n=v`, `/cookies/set/{n}/{v}`, `/cookies/delete?n`.
//! - `/basic-auth/{user}/{passwd}`, `/bearer`.
//! - `/digest-auth/{qop}/{user}/{passwd}[/{algorithm}]`: RFC 7616 (MD5, MD5-sess,
//!   SHA-256, SHA-256-sess; qop `auth`; realm `test@httplib`).
//! - `/bytes/{n}` (Content-Length), `/stream-bytes/{n}?chunk_size=C` (chunked, default
//!   8192), `/drip?chunks=K&interval_ms=M&chunk_size=C` (defaults 10, 100, 10; Content-Length
//!   K*C; a pause before every chunk): byte `i` of the body is `(i % 251) as u8`.
//! - `/lines/{n}`: lines `line {i}` for i in 0..n, `\n` after even i and `\r\n` after odd i;
//!   line 1 (line 0 when n is 1) is `line 1 café`, whose `é` is split across chunks of at
//!   most 7 bytes.
//! - `/encoding/utf8`, `/encoding/latin1`: "café" in that charset, declared.
//! - `/gzip`, `/deflate` (zlib), `/brotli`, `/zstd`: compressed JSON
//!   `{"encoding", "content_encoding", "ok": true, ...}`;
//!   `/compressed/{gzip|deflate|br|zstd}/{n}`: n zero bytes (at most 16 GiB), compressed.
//! - `/drop-mid-body/{n}`: Content-Length n, n/2 bytes, then an abort.
//! - `/hang`: no response; `/hang-body`: headers with Content-Length 10, no body
//!   (both give up after 60 s by dropping the connection).
//! - `/close`: 200 with `Connection: close` (HTTP/1.x), then the connection closes.
//! - `/response-headers?Name=Value&...`, `/http-version`, `/upload-sink`.
//! - anything else: 404 JSON.

mod body;
mod cors;
mod faults;
mod listeners;
mod proxies;
mod raw;
mod routes;
mod server;
mod state;
mod tls;

pub use faults::{FaultServer, H2Fault, Step, TlsFault};
pub use proxies::ExternalProxy;
pub use raw::{RawRequest, RawServer, read_request, read_request_head};
pub use server::{TestServer, TestServerOptions};
