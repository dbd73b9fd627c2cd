// The fetch backend's transport in Node: node:http and node:https instead of Node's fetch.
//
// Node's fetch (undici) costs about 1.5 times what node:http does per small request (its
// Request, Headers, AbortSignal and web streams); going through node:http puts the whole
// client at or under plain fetch's time (npm/bench/run.mjs). What fetch did for the
// front-end is kept: the body decoded as fetch decodes it (gzip, deflate, br, and zstd
// where Node's zlib has it; an unknown coding leaves it as it is), an `accept-encoding` of
// those codings unless the request sets one, redirects shown as they are, `Set-Cookie` as
// sent, connections kept alive (idle ones do not keep the process running).
//
// `startNode` returns what `start` (js.rs) returns, a promise of a Response-like object
// that `head`, `reader`, `body`, `release` and `abort` read as they read a fetch Response.

const builtin = (name) => process.getBuiltinModule(name);

// Node's own fetch, as it was when this module loaded.
const nodeFetch = globalThis.fetch;

// Whether requests go through node:http: not before Node 20.16 (no getBuiltinModule, which
// loads node:http without an import a browser bundle would trip on), and not when
// `globalThis.fetch` has been replaced since (a test's or a mocking library's fetch), which
// then gets them, as it would if the package always used fetch.
export function useNodeHttp() {
  return typeof process.getBuiltinModule === "function" && globalThis.fetch === nodeFetch;
}

// The codings fetch decodes, by name: a transform stream for each.
function decoder(coding) {
  const zlib = builtin("node:zlib");
  // Lenient at the end, as fetch is: a stream cut short after its last whole block ends
  // there rather than failing.
  const flush = { flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH };
  switch (coding) {
    case "gzip":
    case "x-gzip":
      return zlib.createGunzip(flush);
    case "deflate":
      return zlib.createInflate(flush);
    case "br":
      return zlib.createBrotliDecompress({
        flush: zlib.constants.BROTLI_OPERATION_FLUSH,
        finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH,
      });
    case "zstd":
      return zlib.createZstdDecompress?.();
    default:
      return undefined;
  }
}

// What `accept-encoding` offers when the request sets none: what `decoder` can decode here
// (zstd from Node 22.15 on).
let offered;
const acceptEncoding = () =>
  (offered ??= typeof builtin("node:zlib").createZstdDecompress === "function" ? "gzip, deflate, br, zstd" : "gzip, deflate, br");

// At most this many stacked codings (src/decode.rs's MAX_CODINGS, undici's cap too).
const MAX_CODINGS = 5;

// The body as fetch would give it: decoded in the reverse order of `content-encoding`;
// if one of the codings is unknown, not decoded at all. More than MAX_CODINGS throw (code
// HTTPLIB_TOO_MANY_CODINGS, a Decode error in Rust's fetch_failed).
function decoded(res) {
  const header = res.headers["content-encoding"];
  if (header === undefined) return res;
  const codings = header.toLowerCase().split(",").map((c) => c.trim()).filter((c) => c !== "");
  if (codings.length > MAX_CODINGS) {
    const error = new Error(`the response stacks more than ${MAX_CODINGS} content codings`);
    error.code = "HTTPLIB_TOO_MANY_CODINGS";
    throw error;
  }
  const decoders = [];
  for (const coding of codings.reverse()) {
    const d = decoder(coding);
    if (d === undefined) return res;
    decoders.push(d);
  }
  if (decoders.length === 0) return res;
  return builtin("node:stream").pipeline(res, ...decoders, () => {});
}

// A fetch Response's face over an IncomingMessage.
class NodeResponse {
  constructor(res, url, hasBody) {
    this.status = res.statusCode;
    this.type = "basic";
    this.redirected = false;
    this.url = url;
    // As fetch's Headers shows them: names in lower case, repeated ones joined with ", "
    // (Set-Cookie apart, one value each); in the order they came.
    const joined = new Map();
    const cookies = [];
    const raw = res.rawHeaders;
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i].toLowerCase();
      if (name === "set-cookie") cookies.push(raw[i + 1]);
      else joined.set(name, joined.has(name) ? `${joined.get(name)}, ${raw[i + 1]}` : raw[i + 1]);
    }
    this.headers = joined;
    joined.getSetCookie = () => cookies;
    this.stream = hasBody ? decoded(res) : undefined;
    this.web = undefined;
    // What fetch does not tell: the HTTP version and the server's address, as
    // "<version> <address:port>" ("1.1 127.0.0.1:8080", "1.1 [::1]:8080") for `nodeFacts`.
    const { remoteAddress: address, remotePort: port } = res.socket ?? {};
    const remote = address === undefined ? "" : address.includes(":") ? `[${address}]:${port}` : `${address}:${port}`;
    this.facts = `${res.httpVersion} ${remote}`;
  }

  // What `head` (js.rs) reads instead of `body !== null`, which would make a web stream.
  get hasBody() {
    return this.stream !== undefined;
  }

  // The body as a web ReadableStream (for JS), or null for a response without one: a byte
  // stream, as fetch's is (a BYOB reader works), its chunks copied out of Node's buffers
  // (which may share memory that a byte stream would take over).
  get body() {
    if (this.stream === undefined) return null;
    if (this.web === undefined) {
      const chunks = this.stream[Symbol.asyncIterator]();
      this.web = new ReadableStream({
        type: "bytes",
        async pull(controller) {
          const { done, value } = await chunks.next();
          if (done) {
            controller.close();
            controller.byobRequest?.respond(0);
          } else {
            controller.enqueue(new Uint8Array(value));
          }
        },
        // Destroys the Node stream, and with it the connection's unread rest.
        cancel: () => chunks.return(),
      });
    }
    return this.web;
  }

  // What `reader` (js.rs) reads: chunks as a ReadableStream's reader gives them, straight
  // from the Node stream.
  bodyReader() {
    const chunks = this.stream[Symbol.asyncIterator]();
    return { read: () => chunks.next() };
  }
}

// The HTTP version and the server's address of a response of `startNode`: see `facts`.
export function nodeFacts(response) {
  return response.facts;
}

// The agents requests go through, one for HTTP and one for HTTPS: keep-alive, as Node's
// global ones, but keeping every idle socket (the global agents keep 256: after a burst of
// more requests than that, most connections would be opened again) for 4 s, as undici does
// under Node's fetch (or less, when a server's `Keep-Alive: timeout` hints so).
const agents = {};
const agent = (tls, module) =>
  (agents[tls] ??= new module.Agent({ keepAlive: true, maxFreeSockets: Infinity, timeout: 4000, scheduling: "lifo" }));

// The methods whose request may be sent twice (src/request.rs's IDEMPOTENT).
const IDEMPOTENT = new Set(["DELETE", "GET", "HEAD", "OPTIONS", "PUT", "TRACE"]);

// `request` is "METHOD URL", then a line for each header name and each value, as for
// `start`; `body` is sent when `hasBody`, else `upload` (a ReadableStream) as it is read.
export function startNode(request, body, hasBody, upload) {
  const lines = request.split("\n");
  const space = lines[0].indexOf(" ");
  const method = lines[0].slice(0, space);
  const url = lines[0].slice(space + 1);
  const target = new URL(url);
  const headers = [];
  let host = false;
  let encodings = false;
  let contentLength = false;
  for (let i = 1; i < lines.length; i += 2) {
    const name = lines[i];
    host ||= name === "host";
    encodings ||= name === "accept-encoding";
    contentLength ||= name === "content-length";
    headers.push(name, lines[i + 1]);
  }
  // node:http adds no Host to headers given as a list; fetch sends these itself.
  if (!host) headers.push("host", target.host);
  if (!encodings) headers.push("accept-encoding", acceptEncoding());
  if (hasBody && !contentLength) headers.push("content-length", String(body.length));
  const tls = target.protocol === "https:";
  const module = builtin(tls ? "node:https" : "node:http");
  const options = {
    method,
    host: target.hostname.replace(/^\[(.*)\]$/, "$1"),
    port: target.port,
    path: `${target.pathname}${target.search}`,
    headers,
    agent: agent(tls, module),
  };
  const bytes = hasBody ? body.slice() : undefined;
  // As natively: sent once more on a new connection when a kept-alive one turns out closed
  // by the server (reset before any of the response), if nothing of it has to be read again.
  const resendable = IDEMPOTENT.has(method) && upload === undefined;
  const controller = {
    aborted: false,
    req: undefined,
    response: undefined,
    // (`req` is unset when node:http refused the request outright: nothing to stop.)
    abort() {
      this.req?.destroy();
      this.response?.stream?.destroy();
    },
  };
  const pending = new Promise((resolve, reject) => {
    const send = (again) => {
      const req = module.request(options, (res) => {
        const bodied = method !== "HEAD" && res.statusCode !== 204 && res.statusCode !== 304;
        if (!bodied) res.resume();
        // A read of the body sees its errors; unread, they must not be uncaught.
        res.on("error", () => {});
        try {
          controller.response = new NodeResponse(res, url, bodied);
        } catch (error) {
          res.destroy();
          reject(error);
          return;
        }
        resolve(controller.response);
      });
      controller.req = req;
      req.on("error", (error) => {
        const stale = req.reusedSocket && error.code === "ECONNRESET" && controller.response === undefined;
        if (stale && again && !controller.aborted) send(false);
        else reject(error);
      });
      // As fetch does: a body longer or shorter than its Content-Length fails the request.
      req.strictContentLength = true;
      if (bytes !== undefined) req.end(bytes);
      else if (upload === undefined) req.end();
      else stream(upload, req).catch((error) => req.destroy(error));
    };
    send(resendable);
  });
  pending.controller = controller;
  return pending;
}

// Writes a ReadableStream to `req` as it is read, waiting for `drain` when Node's buffer
// is full; an error of the stream fails the request, and a request that ends first (aborted,
// failed) cancels the stream, as fetch does, so that its source is let go.
async function stream(upload, req) {
  const reader = upload.getReader();
  let sent = false;
  req.once("close", () => {
    if (!sent) reader.cancel().catch(() => {});
  });
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (!req.write(value)) {
      await new Promise((resolve, reject) => {
        const drained = () => {
          req.off("close", closed);
          resolve();
        };
        const closed = () => {
          req.off("drain", drained);
          reject(new Error("the connection closed during the upload"));
        };
        req.once("drain", drained);
        req.once("close", closed);
      });
    }
  }
  sent = true;
  req.end();
}
