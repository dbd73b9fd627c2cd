// httplib's JavaScript API. Everything HTTP (base URLs, default headers, query strings,
// bodies, cookies, auth, redirects, retries, timeouts, hooks, progress, cancellation) is
// done by the Rust front-end compiled to wasm; this file only turns JS options into the
// plain shapes the wasm exports read (through one table, OPTIONS), their results into
// classes; the wasm calls back into it for hooks and progress. JSON goes through JS's own
// JSON; text is decoded by the platform's TextDecoder in the charset the front-end reads
// (text.mjs).
import * as wasm from "./httplib_wasm.js";
import { decoderFor } from "./text.mjs";

/** httpx's default for each of the four timeouts, in seconds. */
const DEFAULT_TIMEOUT = 5;

const TIMEOUT_KINDS = new Set(["ConnectTimeout", "ReadTimeout", "WriteTimeout", "PoolTimeout", "TotalTimeout"]);
const STANDARD_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]);

// ---------------------------------------------------------------------------------- errors

/** Every error httplib throws; `kind` is the Rust `ErrorKind`'s name. */
export class HttplibError extends Error {
  constructor(message, { kind, url, cause } = {}) {
    super(message, cause === undefined ? undefined : { cause });
    this.kind = kind;
    this.url = url;
  }

  /** True for the timeout kinds: the four timeouts and the total deadline. */
  get isTimeout() {
    return TIMEOUT_KINDS.has(this.kind);
  }
}
HttplibError.prototype.name = "HttplibError";

/** A transport-side failure (httpx's RequestError): timeouts, connect, read, decode, ... */
export class RequestError extends HttplibError {}
RequestError.prototype.name = "RequestError";

/** A 4xx or 5xx refused by `raiseForStatus()`; `response` is the response. */
export class HTTPStatusError extends HttplibError {
  constructor(message, { response, ...options } = {}) {
    super(message, { kind: "Status", ...options });
    this.response = response;
  }

  get statusCode() {
    return this.response?.statusCode;
  }
}
HTTPStatusError.prototype.name = "HTTPStatusError";

/** The class for an error object from the wasm exports; anything else passes unchanged. */
function fromRaw(e, cause) {
  if (e === null || typeof e !== "object" || typeof e.kind !== "string" || e instanceof Error) {
    return e;
  }
  // The wasm gives the cause of a cancellation (the signal's reason) or of a hook's failure.
  const options = { kind: e.kind, url: e.url, cause: cause ?? e.cause };
  if (e.kind === "Status") {
    return new HTTPStatusError(e.message, { ...options, response: e.response && new Response(e.response) });
  }
  return new (e.isRequest ? RequestError : HttplibError)(e.message, options);
}

/** An invalid option: the Rust `Builder` kind, with its Display text. */
function invalid(message) {
  return new HttplibError(`invalid request: ${message}`, { kind: "Builder" });
}

// ------------------------------------------------------------------------------------ auth

/** HTTP Basic auth; `["user", "passwd"]` means the same. */
export class BasicAuth {
  constructor(username, password = "") {
    this.username = String(username);
    this.password = String(password);
  }
}

/** HTTP Digest auth (RFC 7616: MD5, SHA-256, -sess, qop=auth): the password never leaves. */
export class DigestAuth {
  constructor(username, password) {
    this.username = String(username);
    this.password = String(password);
  }
}

/** A bearer token: `Authorization: Bearer TOKEN`. */
export class BearerAuth {
  constructor(token) {
    this.token = String(token);
  }
}

function authOf(auth) {
  if (Array.isArray(auth) && auth.length === 2) {
    return { scheme: "basic", username: String(auth[0]), password: String(auth[1]) };
  }
  if (auth instanceof BasicAuth) return { scheme: "basic", username: auth.username, password: auth.password };
  if (auth instanceof DigestAuth) return { scheme: "digest", username: auth.username, password: auth.password };
  if (auth instanceof BearerAuth) return { scheme: "bearer", token: auth.token };
  throw invalid("auth must be [user, password], a BasicAuth, a DigestAuth or a BearerAuth");
}

// --------------------------------------------------------------------------------- options

/** Name/value pairs from an object, a `Headers`, a `URLSearchParams`, a `Map` or an array
 *  of pairs, flattened to `[name, value, ...]`; array values repeat the name, and
 *  `undefined`/`null` values are left out (as ky does). */
function flatPairs(input, what) {
  const out = [];
  const add = (name, value) => {
    if (value === undefined || value === null) return;
    if (Array.isArray(value)) {
      for (const v of value) add(name, v);
      return;
    }
    out.push(String(name), String(value));
  };
  if (typeof input !== "object" || input === null) {
    throw invalid(`${what} must be an object, a Map, an iterable of [name, value] pairs, or URLSearchParams`);
  }
  if (typeof input[Symbol.iterator] === "function") {
    for (const [name, value] of input) add(name, value);
  } else {
    for (const name of Object.keys(input)) add(name, input[name]);
  }
  return out;
}

/** `[name, value]` entries of an object, a Map, a FormData or an array of pairs. */
function entries(input) {
  if (typeof input[Symbol.iterator] === "function") return [...input];
  return Object.entries(input);
}

function seconds(value, what) {
  if (value === null || (typeof value === "number" && value >= 0 && Number.isFinite(value))) {
    return value;
  }
  throw invalid(`the ${what} timeout must be a number of seconds >= 0, or null for no limit`);
}

/** httpx's timeout forms: seconds for all four, `null`/`false` for none, or
 *  `{timeout, connect, read, write, pool, total}` where `timeout` (default 5) fills the
 *  four left out; `total`, the deadline of the whole request, is none unless given. */
function timeoutOf(t) {
  if (t === null || t === false) return { connect: null, read: null, write: null, pool: null };
  if (typeof t === "number") {
    const all = seconds(t, "");
    return { connect: all, read: all, write: all, pool: all };
  }
  if (typeof t === "object") {
    const base = t.timeout !== undefined ? seconds(t.timeout, "default") : DEFAULT_TIMEOUT;
    const pick = (k) => (t[k] !== undefined ? seconds(t[k], k) : base);
    const total = t.total !== undefined ? seconds(t.total, "total") : null;
    return { connect: pick("connect"), read: pick("read"), write: pick("write"), pool: pick("pool"), total };
  }
  throw invalid("timeout must be seconds, null, or {timeout, connect, read, write, pool, total}");
}

/** Bytes (or a string, which the front-end sends as UTF-8) from what a body may be. */
async function bytesOf(body, what) {
  if (typeof body === "string" || body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  if (typeof Blob !== "undefined" && body instanceof Blob) return new Uint8Array(await body.arrayBuffer());
  if (body instanceof URLSearchParams) return body.toString();
  if (isStream(body)) {
    // A file of a multipart form: the parts are sent from memory.
    return new Uint8Array(await new globalThis.Response(body).arrayBuffer());
  }
  throw invalid(`${what} must be a string, a Uint8Array, an ArrayBuffer, a Blob or a ReadableStream`);
}

/** The parts of a multipart form: `data`'s fields as text, then `files`, each a Blob/File,
 *  bytes, a string, or `[filename, content, contentType?]`. */
async function multipartOf(data, files) {
  const parts = [];
  if (data != null) {
    for (const [name, value] of entries(data)) {
      for (const v of Array.isArray(value) ? value : [value]) {
        if (v === undefined || v === null) continue;
        if (typeof Blob !== "undefined" && v instanceof Blob) parts.push(await filePart(name, v));
        else parts.push({ name: String(name), value: String(v) });
      }
    }
  }
  for (const [name, file] of entries(files)) parts.push(await filePart(name, file));
  return parts;
}

async function filePart(name, file) {
  let filename, content = file, contentType;
  if (Array.isArray(file)) [filename, content, contentType] = file;
  if (typeof Blob !== "undefined" && content instanceof Blob) {
    filename ??= content.name || undefined;
    contentType ??= content.type || undefined;
  }
  return {
    name: String(name),
    value: await bytesOf(content, `the file ${name}`),
    filename: String(filename ?? name),
    contentType: contentType === undefined ? undefined : String(contentType),
  };
}

const isBlob = (v) => typeof Blob !== "undefined" && v instanceof Blob;
const isStream = (v) => typeof ReadableStream !== "undefined" && v instanceof ReadableStream;
const isFormData = (v) => typeof FormData !== "undefined" && v instanceof FormData;

/** A raw body as the wasm takes it: a Blob is read first (a Promise of its bytes); a
 *  ReadableStream goes to the front-end as it is (streamed on in Node; read first for a
 *  browser's fetch). */
function contentOf(body) {
  return isBlob(body) ? bytesOf(body, "content") : isStream(body) ? body : bytesNow(body, "content");
}

/** `bytesOf` for the bodies that need no reading. */
function bytesNow(body, what) {
  if (typeof body === "string" || body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof URLSearchParams) return body.toString();
  throw invalid(`${what} must be a string, a Uint8Array, an ArrayBuffer, a Blob or a ReadableStream`);
}

/** ky's retry forms: a number of retries (`0`: none), or `{limit, methods, statuses,
 *  backoffLimit}` (limit 2 when left out, as in ky; backoffLimit in seconds). */
function retryOf(r) {
  if (typeof r === "number") return { limit: r };
  if (typeof r !== "object") {
    throw invalid("retry must be a number of retries or {limit, methods, statuses, backoffLimit}");
  }
  const out = { limit: r.limit ?? 2 };
  if (r.methods != null) out.methods = Array.from(r.methods, methodOf);
  if (r.statuses != null) out.statuses = Array.from(r.statuses, Number);
  if (r.backoffLimit != null) out.backoffLimit = r.backoffLimit;
  return out;
}

function callback(f, name) {
  if (typeof f !== "function") throw invalid(`${name} must be a function`);
  return f;
}

const CLIENT = 1;
const REQUEST = 2;
const BOTH = CLIENT | REQUEST;
/** Marks an option that is left out after all (`files` when `data` carries them). */
const SKIP = Symbol("skip");

/** Every option, once: its name, whether a client, a request or both take it, how its
 *  value becomes what the wasm reads (possibly a Promise: a Blob to read first), and the
 *  key it goes under (the name, unless said). `null` is "not given" unless `nullable`
 *  (a `null` timeout means no limit). An option of the other kind is ignored. */
const OPTIONS = [
  { name: "baseUrl", on: CLIENT, read: String },
  { name: "allowAbsoluteUrls", on: CLIENT, read: Boolean },
  { name: "sensitiveHeaders", on: CLIENT, read: (v) => Array.from(v, String) },
  { name: "params", on: REQUEST, read: (v) => flatPairs(v, "params") },
  { name: "headers", on: BOTH, read: (v) => flatPairs(v, "headers") },
  { name: "json", on: REQUEST, read: (v) => JSON.stringify(v), nullable: true },
  // A form: multipart with files or as a FormData (parts read first), else urlencoded.
  {
    name: "data",
    on: REQUEST,
    read: (v, o) => (o.files != null || isFormData(v) ? multipartOf(v, o.files ?? []) : flatPairs(v, "data")),
    key: (v, o) => (o.files != null || isFormData(v) ? "multipart" : "form"),
  },
  { name: "files", on: REQUEST, read: (v, o) => (o.data != null ? SKIP : multipartOf(undefined, v)), key: () => "multipart" },
  { name: "content", on: REQUEST, read: contentOf },
  { name: "auth", on: BOTH, read: authOf },
  { name: "timeout", on: BOTH, read: timeoutOf, nullable: true },
  { name: "retry", on: BOTH, read: retryOf },
  { name: "followRedirects", on: BOTH, read: Boolean },
  { name: "maxRedirects", on: BOTH, read: Number },
  { name: "cookies", on: CLIENT, read: Boolean },
  { name: "credentials", on: CLIENT, read: String },
  // maxConnections caps the requests in flight; the keep-alive limits are accepted and not
  // applied: the browser or Node owns the connections (see the README).
  { name: "limits", on: CLIENT, read: (v) => ({ ...v }) },
  { name: "hooks", on: CLIENT, read: hooksOf },
  { name: "signal", on: REQUEST, read: (v) => v },
  { name: "onUploadProgress", on: REQUEST, read: (v) => callback(v, "onUploadProgress") },
  { name: "onDownloadProgress", on: REQUEST, read: (v) => callback(v, "onDownloadProgress") },
];

/** The options `o` of a client (`CLIENT`) or a request (`REQUEST`) as the wasm reads them,
 *  through the table: `undefined` when none apply (most calls: nothing to convert, nothing
 *  to await); the object itself when nothing must be read first, else a Promise of it.
 *  An invalid option throws. */
function optionsOf(o, kind) {
  if (o == null) return undefined;
  let out;
  let pending;
  for (const { name, on, read, key, nullable } of OPTIONS) {
    const value = o[name];
    if (!(on & kind) || value === undefined || (value === null && !nullable)) continue;
    const converted = read(value, o);
    if (converted === SKIP) continue;
    const k = key === undefined ? name : key(value, o);
    (out ??= {})[k] = converted;
    if (converted instanceof Promise) (pending ??= []).push(k);
  }
  if (pending === undefined) return out;
  return Promise.all(pending.map((k) => out[k])).then((values) => {
    pending.forEach((k, i) => (out[k] = values[i]));
    return out;
  });
}

function methodOf(method) {
  const upper = String(method).toUpperCase();
  return STANDARD_METHODS.has(upper) ? upper : String(method);
}

// ------------------------------------------------------------------------------- responses

/** A `Headers` from the wasm's `name\nvalue\nname\nvalue...` (neither holds a newline). */
function headersOf(lines) {
  const headers = new Headers();
  if (lines !== "") {
    const fields = lines.split("\n");
    for (let i = 0; i < fields.length; i += 2) headers.append(fields[i], fields[i + 1]);
  }
  return headers;
}

// ------------------------------------------------------------------------------------ text

/** `bytes` as text by `decoder` (text.mjs); invalid text is a RequestError of kind Decode
 *  (with `url` when given), never replaced. */
function decodeWith(decoder, bytes, url) {
  const text = decoder.decode(bytes);
  if (text === undefined) throw fromRaw(wasm.decodeError(decoder.name, url));
  return text;
}

/** The charset label of a response's Content-Type, as the front-end reads it. */
function charsetOf(headers) {
  const contentType = headers.get("content-type");
  return contentType === null ? undefined : wasm.charset(contentType);
}

/** What a response, a streaming response and the response a hook sees share: status,
 *  headers, URL. */
export class ResponseHead {
  #statusError;
  #headerLines;
  #headers;

  constructor(raw, elapsed) {
    /** The status code, as a number. */
    this.statusCode = raw.status;
    /** The status's reason phrase ("OK", "Not Found"), "" when unknown. */
    this.reasonPhrase = raw.reason;
    this.#headerLines = raw.headers;
    /** The URL of the response: the last one, after redirects. */
    this.url = raw.url;
    /** True for 3xx statuses with a Location to follow. */
    this.isRedirect = raw.isRedirect;
    /** The redirect responses followed to get here, oldest first. */
    this.history = raw.history === undefined ? [] : raw.history.map((h) => new Response(h));
    /** Milliseconds from the call to the whole response (to the head, for streams). */
    this.elapsed = elapsed;
    this.#statusError = raw.statusError;
  }

  /** The response headers (a WHATWG `Headers`), made on first use. */
  get headers() {
    if (this.#headers === undefined) {
      this.#headers = headersOf(this.#headerLines);
      this.#headerLines = undefined;
    }
    return this.#headers;
  }

  get isSuccess() {
    return this.statusCode >= 200 && this.statusCode < 300;
  }

  get isClientError() {
    return this.statusCode >= 400 && this.statusCode < 500;
  }

  get isServerError() {
    return this.statusCode >= 500 && this.statusCode < 600;
  }

  get isError() {
    return this.isClientError || this.isServerError;
  }

  /** Returns this response, or throws an HTTPStatusError for a 4xx or 5xx. */
  raiseForStatus() {
    if (this.#statusError !== undefined) {
      throw new HTTPStatusError(this.#statusError, { url: this.url, response: this });
    }
    return this;
  }
}

/** A response whose body has been read: `text` and `json()` need no await. */
export class Response extends ResponseHead {
  #text;

  constructor(raw, elapsed) {
    super(raw, elapsed);
    /** "HTTP/1.1", "HTTP/2", or "unknown" where the platform does not tell (Node). */
    this.httpVersion = raw.httpVersion;
    /** The body's bytes. */
    this.content = raw.body;
  }

  /** The body as text, in the charset of Content-Type (UTF-8 when none); invalid text is a
   *  RequestError of kind Decode, never silently replaced. */
  get text() {
    this.#text ??= decodeWith(decoderFor(charsetOf(this.headers)), this.content, this.url);
    return this.#text;
  }

  /** The body parsed by JS's JSON; a body that is not JSON is a RequestError of kind Decode. */
  json() {
    const text = this.text;
    try {
      return JSON.parse(text);
    } catch (e) {
      throw fromRaw(wasm.jsonError(this.url, e.message), e);
    }
  }
}

/** A response whose status and headers have arrived, its body still to read, once, through
 *  one of: `body` (the platform's ReadableStream, handed over untouched), `iterBytes()`,
 *  `iterLines()`, `read()`. */
export class StreamingResponse extends ResponseHead {
  #raw;
  #body;
  #used = false;

  constructor(raw, elapsed) {
    super(raw.head(), elapsed);
    this.#raw = raw;
  }

  /** "HTTP/1.1", "HTTP/2", or "unknown"; a browser may tell it only once the body is read. */
  get httpVersion() {
    return this.#raw.httpVersion();
  }

  #take() {
    if (this.#used) throw new TypeError("the body of this response was read already");
    this.#used = true;
  }

  /** The body as the platform's own ReadableStream of Uint8Array chunks: the fetch body,
   *  not copied (the read timeout between chunks does not apply to it). */
  get body() {
    if (this.#body === undefined) {
      this.#take();
      try {
        this.#body = this.#raw.readableStream();
      } catch (e) {
        throw fromRaw(e);
      }
    }
    return this.#body;
  }

  /** The body's chunks (Uint8Array) as they arrive, with the read timeout between them;
   *  leaving the loop early aborts the download. */
  async *iterBytes() {
    this.#take();
    try {
      for (;;) {
        let chunk;
        try {
          chunk = await this.#raw.nextChunk();
        } catch (e) {
          throw fromRaw(e);
        }
        if (chunk === undefined) return;
        yield chunk;
      }
    } finally {
      this.#raw.close();
    }
  }

  /** The body's lines (without their endings), decoded in its charset. */
  async *iterLines() {
    this.#take();
    try {
      const decoder = decoderFor(charsetOf(this.headers));
      for (;;) {
        let line;
        try {
          line = await this.#raw.nextLine();
        } catch (e) {
          throw fromRaw(e);
        }
        if (line === undefined) return;
        yield decodeWith(decoder, line);
      }
    } finally {
      this.#raw.close();
    }
  }

  /** `for await (const chunk of response)`: the same as `iterBytes()`. */
  [Symbol.asyncIterator]() {
    return this.iterBytes();
  }

  /** Reads the rest of the body into a Response. */
  async read() {
    this.#take();
    const started = performance.now();
    try {
      return new Response(await this.#raw.read(), this.elapsed + (performance.now() - started));
    } catch (e) {
      throw fromRaw(e);
    }
  }

  /** Stops reading: an unfinished download is aborted. */
  close() {
    this.#used = true;
    this.#raw.close();
    this.#body?.cancel().catch(() => {});
  }
}

// ----------------------------------------------------------------------------------- hooks

const HOOKS = ["beforeRequest", "afterResponse", "beforeRetry", "beforeError"];

/** The hooks' view of a request: method and URL (read-only), and its headers, a `Headers`
 *  that `beforeRequest` may change. */
function requestView(method, url, headers) {
  return Object.freeze({ method, url, headers });
}

/** `Headers` as `name\nvalue\n...` lines, to tell whether a hook changed them. */
function linesOf(headers) {
  const out = [];
  for (const [name, value] of headers) out.push(name, value);
  return out.join("\n");
}

/** Hooks run synchronously, inside the request: a Promise a hook returns is not awaited
 *  (`beforeError` aside), so it is refused rather than left to run on its own. */
function sync(result, name) {
  if (result !== null && typeof result === "object" && typeof result.then === "function") {
    result.then(undefined, () => {});
    throw new TypeError(`${name} hooks run synchronously: this one returned a Promise, which is not awaited`);
  }
}

/** The response a hook sees: status, headers, URL, version, as received; its body not read. */
class HookResponse extends ResponseHead {
  constructor(raw, elapsed) {
    super(raw, elapsed);
    this.httpVersion = raw.httpVersion;
  }
}

/** A client's hooks, checked, and composed into what the wasm calls from the crate's own
 *  hooks (on every request sent, each redirect hop and retry included): `request` (runs
 *  `beforeRequest`, and keeps the request for `afterResponse`; returns the headers' lines
 *  when a hook changed them), `response` (`afterResponse`), `retry` (`beforeRetry`). What a
 *  hook throws ends the request; the wasm makes it the error's `cause`. `beforeError` runs
 *  here, in `send`. */
function hooksOf(h) {
  if (typeof h !== "object") throw invalid("hooks must be an object of arrays of functions");
  const lists = {};
  for (const name of HOOKS) {
    const value = h[name];
    const list = value == null ? [] : typeof value[Symbol.iterator] === "function" ? Array.from(value) : [value];
    if (typeof value === "function" || !list.every((f) => typeof f === "function")) {
      throw invalid(`hooks.${name} must be an array of functions`);
    }
    lists[name] = list;
  }
  const { beforeRequest, afterResponse, beforeRetry } = lists;
  const out = {};
  if (beforeRequest.length > 0 || afterResponse.length > 0) {
    out.request = (context, method, url, lines) => {
      const headers = headersOf(lines);
      const request = requestView(method, url, headers);
      context.request = request;
      if (beforeRequest.length === 0) return undefined;
      const before = linesOf(headers);
      for (const hook of beforeRequest) sync(hook(request), "beforeRequest");
      const after = linesOf(headers);
      return after === before ? undefined : after;
    };
  }
  if (afterResponse.length > 0) {
    out.response = (context, raw, elapsed) => {
      const response = new HookResponse(raw, elapsed);
      for (const hook of afterResponse) sync(hook(context.request, response), "afterResponse");
    };
  }
  if (beforeRetry.length > 0) {
    out.retry = (method, url, lines, error, count) => {
      const request = requestView(method, url, headersOf(lines));
      const err = fromRaw(error);
      for (const hook of beforeRetry) sync(hook(request, err, count), "beforeRetry");
    };
  }
  // Only beforeError hooks (or none): nothing for the wasm to call.
  return Object.keys(out).length === 0 ? undefined : out;
}

/** `error` through the `beforeError` hooks, each of which may return a replacement (or a
 *  Promise of one); one that throws gives an HttplibError with what it threw as `cause`. */
async function beforeError(hooks, error) {
  for (const hook of hooks) {
    try {
      error = (await hook(error)) ?? error;
    } catch (thrown) {
      const message = thrown instanceof Error ? thrown.message : String(thrown);
      return new HttplibError(`invalid request: the beforeError hook threw: ${message}`, {
        kind: "Builder",
        url: error?.url,
        cause: thrown,
      });
    }
  }
  return error;
}

// ---------------------------------------------------------------------------------- sending

async function send(raw, method, url, options, stream, onError) {
  const started = performance.now();
  let out;
  try {
    let opts = optionsOf(options, REQUEST);
    if (opts instanceof Promise) opts = await opts;
    out = raw === null
      ? await wasm.sendOnce(methodOf(method), String(url), opts, stream)
      : await raw.send(methodOf(method), String(url), opts, stream);
  } catch (e) {
    const error = fromRaw(e);
    throw onError === undefined ? error : await beforeError(onError, error);
  }
  const elapsed = performance.now() - started;
  return stream ? new StreamingResponse(out, elapsed) : new Response(out, elapsed);
}

/** A reusable client: base URL, default headers, auth, timeouts, redirects, and (in Node)
 *  a cookie jar, shared by every call. */
export class Client {
  #raw;
  /** The `beforeError` hooks, which run here rather than in the wasm. */
  #beforeError;

  constructor(options = {}) {
    try {
      this.#raw = new wasm.RawClient(optionsOf(options, CLIENT) ?? {});
    } catch (e) {
      throw fromRaw(e);
    }
    // Checked with the other hooks, by optionsOf.
    const hooks = options?.hooks?.beforeError;
    const list = hooks == null ? [] : Array.from(hooks);
    this.#beforeError = list.length > 0 ? list : undefined;
  }

  request(method, url, options) {
    return send(this.#raw, method, url, options, false, this.#beforeError);
  }

  get(url, options) {
    return this.request("GET", url, options);
  }

  post(url, options) {
    return this.request("POST", url, options);
  }

  put(url, options) {
    return this.request("PUT", url, options);
  }

  patch(url, options) {
    return this.request("PATCH", url, options);
  }

  delete(url, options) {
    return this.request("DELETE", url, options);
  }

  del(url, options) {
    return this.request("DELETE", url, options);
  }

  head(url, options) {
    return this.request("HEAD", url, options);
  }

  options(url, options) {
    return this.request("OPTIONS", url, options);
  }

  /** Resolves once the head has arrived, with the body left to stream. */
  stream(method, url, options) {
    return send(this.#raw, method, url, options, true, this.#beforeError);
  }

  /** The cookies this client would send to `url`, by name (Node: in a browser the browser
   *  keeps cookies to itself and this is empty). */
  cookies(url) {
    try {
      return Object.fromEntries(this.#raw.cookies(String(url)));
    } catch (e) {
      throw fromRaw(e);
    }
  }

  /** Closes the client: later requests fail with kind Builder. */
  close() {
    this.#raw.close();
  }
}

// ------------------------------------------------------------------- one-off calls

/** A one-off request on a new client (no cookies shared with other calls). */
export function request(method, url, options) {
  return send(null, method, url, options, false);
}

/** A one-off streamed request. */
export function stream(method, url, options) {
  return send(null, method, url, options, true);
}

export const get = (url, options) => request("GET", url, options);
export const post = (url, options) => request("POST", url, options);
export const put = (url, options) => request("PUT", url, options);
export const patch = (url, options) => request("PATCH", url, options);
export const del = (url, options) => request("DELETE", url, options);
export const head = (url, options) => request("HEAD", url, options);
export const options = (url, opts) => request("OPTIONS", url, opts);
