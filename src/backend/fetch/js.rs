//! The JS side of the fetch backend: a small JS module (wasm-bindgen's `inline_js`) that
//! starts a fetch, reads a response's head and its body chunks, and aborts, each in one
//! call from Rust; errors made readable; the HTTP version from resource timing. In Node,
//! `node_http.js` starts the request instead and gives a response that the same functions
//! read.
//!
//! Each call into JS costs a crossing, and every string a conversion, so the per-request
//! work is done in as few calls as possible: `start` (request headers as one string),
//! `head` (status, flags, URL and every header as one string), then one `read` per body
//! chunk. The head timeout is the front-end's own timer (`timeouts::Deadline`), which
//! aborts the fetch by dropping it.

use std::net::SocketAddr;
use std::sync::OnceLock;

use http::Version;
use http::header::{HeaderMap, HeaderName, HeaderValue};
use js_sys::{Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;

use crate::error::{Error, ErrorKind, Result};

#[wasm_bindgen(inline_js = r#"
// Node makes every AbortSignal costly (tens of microseconds, with what its fetch adds to
// follow one), so there a controller serves again once its fetch has completed: its body
// read to the end (or it had none), never aborted, never handed to JS. Aborting it later
// for another fetch does nothing to a completed one, and the listeners fetch leaves on a
// signal go when their requests are collected; still, a controller serves at most 32
// fetches, and at most 1024 wait.
const NODE = typeof process !== "undefined" && process.versions != null && process.versions.node != null;
const spare = [];
const CREDENTIALS = [undefined, "omit", "same-origin", "include"];

export function release(pending) {
  const controller = pending.controller;
  // (node_http.js's requests have a controller of their own, never reused.)
  if (NODE && controller instanceof AbortController && !controller.aborted && ++controller.uses < 32 && spare.length < 1024) spare.push(controller);
}

function kill(controller, reason) {
  controller.aborted = true;
  controller.abort(reason);
}

// `request` is "METHOD URL", then a line for each header name and each value.
// `upload`, when given, is a ReadableStream sent as it is read (Node's fetch streams
// uploads; browsers only over HTTP/2, so the backend gives them bytes).
export function start(request, body, hasBody, upload, manual, credentials) {
  const lines = request.split("\n");
  const space = lines[0].indexOf(" ");
  // Pairs, for fetch to read as it would a Headers (the http crate's names and values
  // are all valid fetch headers).
  const headers = [];
  for (let i = 1; i < lines.length; i += 2) headers.push([lines[i], lines[i + 1]]);
  let controller = spare.pop();
  if (controller === undefined) {
    controller = new AbortController();
    controller.uses = 0;
    controller.aborted = false;
  }
  const init = { method: lines[0].slice(0, space), headers, redirect: manual ? "manual" : "follow", signal: controller.signal };
  if (hasBody) init.body = body.slice();
  if (upload !== undefined) {
    init.duplex = "half";
    init.body = upload;
  }
  if (credentials !== 0) init.credentials = CREDENTIALS[credentials];
  const pending = fetch(lines[0].slice(space + 1), init);
  pending.controller = controller;
  return pending;
}

export function abort(pending) {
  kill(pending.controller);
}

export function head(r) {
  // (`hasBody`: node_http.js's responses tell it without making a web stream.)
  const hasBody = r.hasBody ?? r.body !== null;
  const flags = (r.type === "opaqueredirect" ? "1" : "0") + (r.redirected ? "1" : "0") + (hasBody ? "1" : "0");
  let out = `${r.status} ${flags} ${r.url}`;
  const headers = r.headers;
  for (const [name, value] of headers) if (name !== "set-cookie") out += `\n${name}\n${value}`;
  if (typeof headers.getSetCookie === "function") {
    for (const value of headers.getSetCookie()) out += `\nset-cookie\n${value}`;
  }
  return out;
}

export function body(r) {
  return r.body;
}

export function reader(r) {
  return r.bodyReader?.() ?? r.body.getReader();
}

// Reads run one chunk ahead of Rust: when Rust takes a chunk, the read of the next one
// starts, so when Rust asks for it (a few microtasks later, for a body read whole) it is
// often there already and is returned as it is, with no promise to await.
function readNext(reader) {
  const next = { settled: false, failed: false, value: undefined, promise: undefined };
  next.promise = reader.read().then(
    (r) => {
      next.settled = true;
      next.value = r.done ? undefined : r.value;
      return next.value;
    },
    (error) => {
      next.settled = true;
      next.failed = true;
      next.value = error;
      throw error;
    },
  );
  // A read ahead that nobody asks for (the body dropped, or aborted) must not be an
  // unhandled rejection.
  next.promise.catch(() => {});
  return next;
}

const ahead = (reader) => (chunk) => {
  if (chunk !== undefined) reader.next = readNext(reader);
  return chunk;
};

// The next chunk: a Uint8Array, or undefined at the end, when it has been read already (a
// read error is thrown); otherwise a Promise of one.
export function read(reader) {
  const next = reader.next ?? readNext(reader);
  reader.next = undefined;
  if (!next.settled) return next.promise.then(ahead(reader));
  if (next.failed) throw next.value;
  return ahead(reader)(next.value);
}

export function protocol(url) {
  if (typeof performance === "undefined" || typeof performance.getEntriesByName !== "function") return "";
  const entries = performance.getEntriesByName(url, "resource");
  return entries.length === 0 ? "" : String(entries[entries.length - 1].nextHopProtocol ?? "");
}
"#)]
extern "C" {
    /// Starts `fetch(url, init)` for `request` (`"METHOD URL"`, then a line for each header
    /// name and each value) with `body`, or `upload` streamed; resolves to the `Response`,
    /// or rejects with the fetch error. `credentials`: 0 for fetch's default, then omit,
    /// same-origin, include.
    #[wasm_bindgen(catch)]
    fn start(
        request: &str,
        body: &[u8],
        has_body: bool,
        upload: Option<web_sys::ReadableStream>,
        manual: bool,
        credentials: u8,
    ) -> std::result::Result<Promise, JsValue>;

    /// Aborts the fetch `start` returned, and its body.
    fn abort(pending: &JsValue);

    /// The fetch `start` returned has completed (its body read to the end): its
    /// controller may serve another.
    fn release(pending: &JsValue);

    /// `"<status> <opaque redirect><redirected><has body> <url>"`, then a line for each
    /// header name and each value (`Set-Cookie` from `getSetCookie()`, one value each).
    fn head(response: &JsValue) -> String;

    /// The response's `ReadableStream`, untouched, for JS to read.
    #[wasm_bindgen(js_name = body)]
    pub(super) fn body_stream(response: &JsValue) -> web_sys::ReadableStream;

    /// A reader of the response's body.
    #[wasm_bindgen(js_name = reader)]
    pub(super) fn body_reader(response: &JsValue) -> JsValue;

    /// The next chunk of `reader`: a `Uint8Array`, `undefined` at the end, or a promise of
    /// one when it has not been read yet; throws a read error already seen.
    #[wasm_bindgen(catch)]
    fn read(reader: &JsValue) -> std::result::Result<JsValue, JsValue>;

    /// The `nextHopProtocol` of the last resource timing entry for `url`, or "".
    fn protocol(url: &str) -> String;
}

#[wasm_bindgen(module = "/src/backend/fetch/node_http.js")]
extern "C" {
    /// As `start`, in Node, through node:http and node:https (see that file for why):
    /// resolves to an object that the functions above read as they read a `Response`.
    #[wasm_bindgen(catch, js_name = startNode)]
    fn start_node(
        request: &str,
        body: &[u8],
        has_body: bool,
        upload: Option<web_sys::ReadableStream>,
    ) -> std::result::Result<Promise, JsValue>;

    /// Whether `start_node` applies: not before Node 20.16, nor once `globalThis.fetch` has
    /// been replaced (a mock), which then gets the requests.
    #[wasm_bindgen(js_name = useNodeHttp)]
    fn use_node_http() -> bool;

    /// `"<HTTP version> <server address:port>"` of a response of `start_node`, either part
    /// possibly empty.
    #[wasm_bindgen(js_name = nodeFacts)]
    fn node_facts(response: &JsValue) -> String;
}

/// What a response of `start_node` tells beyond a fetch `Response`: the HTTP version and
/// the server's address.
pub(super) fn node_response_facts(response: &JsValue) -> (Option<Version>, Option<SocketAddr>) {
    let facts = node_facts(response);
    let (version, address) = facts.split_once(' ').unwrap_or((&facts, ""));
    let version = match version {
        "1.0" => Some(Version::HTTP_10),
        "1.1" => Some(Version::HTTP_11),
        _ => None,
    };
    (version, address.parse().ok())
}

/// The fetch of a request, started.
pub(super) struct Started {
    /// Settles with the response head.
    pub(super) pending: Promise,
    /// Sent through node:http (`start_node`), whose responses tell more than fetch's.
    pub(super) node_http: bool,
    /// Aborts the fetch if dropped first.
    pub(super) abort: AbortOnDrop,
}

/// What fetch sends.
pub(super) enum Upload {
    None,
    Bytes(bytes::Bytes),
    /// Sent as it is read (Node only), with its length when known.
    Stream {
        stream: web_sys::ReadableStream,
        len: Option<u64>,
    },
}

/// Starts the fetch. `credentials`: 0 for fetch's default, then omit, same-origin, include.
pub(super) fn start_fetch(
    url: &str,
    method: &str,
    headers: &HeaderMap,
    body: Upload,
    manual: bool,
    credentials: u8,
) -> Result<Started> {
    let mut request = String::with_capacity(url.len() + 16 + 32 * headers.len());
    request.push_str(method);
    request.push(' ');
    request.push_str(url);
    crate::text::push_header_lines(&mut request, headers);
    let (bytes, stream) = match body {
        Upload::None => (None, None),
        Upload::Bytes(bytes) => (Some(bytes), None),
        Upload::Stream { stream, .. } => (None, Some(stream)),
    };
    let bytes_out = bytes.as_deref().unwrap_or_default();
    let node_http = is_node() && use_node_http();
    let pending = if node_http {
        start_node(&request, bytes_out, bytes.is_some(), stream)
    } else {
        start(
            &request,
            bytes_out,
            bytes.is_some(),
            stream,
            manual,
            credentials,
        )
    }
    .map_err(|e| failure("fetch", &e))?;
    Ok(Started {
        abort: AbortOnDrop::new(pending.clone().into()),
        pending,
        node_http,
    })
}

fn get(target: &JsValue, key: &str) -> Option<JsValue> {
    Reflect::get(target, &JsValue::from_str(key))
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

/// True in Node, whose fetch shows redirects and `Set-Cookie` as they are, and records
/// no resource timing that tells the HTTP version.
pub(super) fn is_node() -> bool {
    static NODE: OnceLock<bool> = OnceLock::new();
    *NODE.get_or_init(|| {
        get(&js_sys::global(), "process")
            .and_then(|p| get(&p, "versions"))
            .and_then(|v| get(&v, "node"))
            .is_some()
    })
}

/// What `head` tells of a response.
pub(super) struct Head {
    pub(super) status: u16,
    pub(super) opaque_redirect: bool,
    pub(super) redirected: bool,
    pub(super) has_body: bool,
    pub(super) url: String,
    pub(super) headers: HeaderMap,
}

/// Reads the head of a fetch `Response`.
pub(super) fn response_head(response: &JsValue) -> Result<Head> {
    let text = head(response);
    let mut lines = text.split('\n');
    let first = lines.next().unwrap_or_default();
    let mut fields = first.splitn(3, ' ');
    let status = fields.next().and_then(|s| s.parse::<u16>().ok());
    let flags = fields.next().unwrap_or_default().as_bytes();
    let url = fields.next().unwrap_or_default().to_owned();
    let (Some(status), [opaque, redirected, has_body]) = (status, flags) else {
        return Err(Error::new(
            ErrorKind::Builder,
            "fetch returned something else than a Response",
        ));
    };
    let mut headers = HeaderMap::new();
    while let (Some(name), Some(value)) = (lines.next(), lines.next()) {
        if let Some((name, value)) = header(name, value) {
            headers.append(name, value);
        }
    }
    Ok(Head {
        status,
        opaque_redirect: *opaque == b'1',
        redirected: *redirected == b'1',
        has_body: *has_body == b'1',
        url,
        headers,
    })
}

/// A header from fetch's strings: the value a ByteString (one char per byte).
fn header(name: &str, value: &str) -> Option<(HeaderName, HeaderValue)> {
    let name = HeaderName::from_bytes(name.as_bytes()).ok()?;
    let value = if value.is_ascii() {
        HeaderValue::from_str(value).ok()?
    } else {
        let bytes: Option<Vec<u8>> = value.chars().map(|c| u8::try_from(c).ok()).collect();
        HeaderValue::from_bytes(&bytes?).ok()?
    };
    Some((name, value))
}

/// The next chunk of a reader: at once when the read ahead has it (or the end, or its
/// error), else the promise of it.
pub(super) fn read_chunk(reader: &JsValue) -> Chunk {
    match read(reader) {
        Err(e) => Chunk::Failed(e),
        Ok(v) if v.is_undefined() => Chunk::End,
        Ok(v) => match v.dyn_into::<Promise>() {
            Ok(promise) => Chunk::Later(promise),
            Err(v) => Chunk::Bytes(v),
        },
    }
}

/// What `read_chunk` found.
pub(super) enum Chunk {
    /// A chunk (a `Uint8Array`, checked by `chunk_bytes`).
    Bytes(JsValue),
    /// The end of the body.
    End,
    /// A read error.
    Failed(JsValue),
    /// Not read yet: the promise settles with a chunk or `undefined`.
    Later(Promise),
}

/// A chunk `read_chunk` gave, copied into Rust; `None` for something else than bytes.
pub(super) fn chunk_bytes(chunk: JsValue) -> Option<bytes::Bytes> {
    let array: Uint8Array = chunk.dyn_into().ok()?;
    Some(bytes::Bytes::from(array.to_vec()))
}

/// The HTTP version of the last fetch of `url`, from resource timing's `nextHopProtocol`.
/// `None` where the platform records none: Node (never asked: it records no protocol), a
/// full resource timing buffer, or a cross-origin server without `Timing-Allow-Origin`.
pub(super) fn resource_version(url: &str) -> Option<Version> {
    if is_node() {
        return None;
    }
    match protocol(url).as_str() {
        "http/1.0" => Some(Version::HTTP_10),
        "http/1.1" => Some(Version::HTTP_11),
        "h2" | "h2c" => Some(Version::HTTP_2),
        "h3" => Some(Version::HTTP_3),
        _ => None,
    }
}

/// A JS error as readable text: its message, and its cause's message and `code` (Node puts
/// the socket error there), never `JsValue(...)` debug output.
pub(crate) fn describe(error: &JsValue) -> (String, Option<String>) {
    let message = |v: &JsValue| {
        get(v, "message")
            .and_then(|m| m.as_string())
            .or_else(|| v.as_string())
            .or_else(|| js_sys::JSON::stringify(v).ok().and_then(|s| s.as_string()))
            .unwrap_or_else(|| "unknown error".to_owned())
    };
    let mut text = message(error);
    let mut code = get(error, "code").and_then(|c| c.as_string());
    if let Some(cause) = get(error, "cause") {
        text = format!("{text}: {}", message(&cause));
        code = code.or_else(|| get(&cause, "code").and_then(|c| c.as_string()));
    }
    (text, code)
}

pub(super) fn failure(what: &str, error: &JsValue) -> Error {
    let (message, _) = describe(error);
    Error::new(ErrorKind::Builder, format!("{what}: {message}"))
}

/// Aborts a fetch when dropped, unless disarmed first: dropping a request future or an
/// unfinished body stops the download.
pub(super) struct AbortOnDrop {
    pending: Option<JsValue>,
}

impl AbortOnDrop {
    fn new(pending: JsValue) -> AbortOnDrop {
        AbortOnDrop {
            pending: Some(pending),
        }
    }

    /// Passes the duty to abort to a new owner (the body), leaving this one disarmed.
    pub(super) fn hand_over(&mut self) -> AbortOnDrop {
        AbortOnDrop {
            pending: self.pending.take(),
        }
    }

    /// The body went to JS: this fetch is no longer Rust's to abort.
    pub(super) fn disarm(&mut self) {
        self.pending = None;
    }

    /// The fetch completed (its body read to the end): nothing to abort any more.
    pub(super) fn finish(&mut self) {
        if let Some(pending) = self.pending.take() {
            release(&pending);
        }
    }
}

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if let Some(pending) = self.pending.take() {
            abort(&pending);
        }
    }
}
