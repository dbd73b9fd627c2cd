// Type declarations of the httplib npm package (Node 20+ and browsers).

/** The Rust `ErrorKind` names, as `err.kind`. */
export type ErrorKind =
  | "ConnectTimeout"
  | "ReadTimeout"
  | "WriteTimeout"
  | "PoolTimeout"
  | "TotalTimeout"
  | "Connect"
  | "Read"
  | "Write"
  | "Protocol"
  | "Proxy"
  | "UnsupportedProtocol"
  | "TooManyRedirects"
  | "Redirect"
  | "OpaqueRedirect"
  | "Decode"
  | "InvalidUrl"
  | "Status"
  | "Builder"
  | "Io"
  | "Cancelled";

/** Every error httplib throws. The message is the Rust error's Display text. `cause` is
 *  the signal's reason for kind "Cancelled", and what a hook or progress callback threw
 *  for the error it caused (kind "Builder"). */
export class HttplibError extends Error {
  constructor(message: string, options?: { kind?: ErrorKind; url?: string; cause?: unknown });
  readonly kind: ErrorKind;
  /** The URL of the request that failed, when known. */
  readonly url: string | undefined;
  /** True for the timeout kinds (the four timeouts and the total deadline). */
  readonly isTimeout: boolean;
}

/** A transport-side failure (httpx's RequestError): every kind but Status, InvalidUrl,
 *  Builder, Io and Cancelled. */
export class RequestError extends HttplibError {}

/** A 4xx or 5xx refused by `raiseForStatus()`. */
export class HTTPStatusError extends HttplibError {
  constructor(message: string, options?: { url?: string; response?: Response; cause?: unknown });
  readonly kind: "Status";
  readonly response: Response | StreamingResponse;
  readonly statusCode: number;
}

/** HTTP Basic auth; `["user", "passwd"]` means the same. */
export class BasicAuth {
  constructor(username: string, password?: string);
  readonly username: string;
  readonly password: string;
}

/** HTTP Digest auth (RFC 7616). */
export class DigestAuth {
  constructor(username: string, password: string);
  readonly username: string;
  readonly password: string;
}

/** A bearer token: `Authorization: Bearer TOKEN`. */
export class BearerAuth {
  constructor(token: string);
  readonly token: string;
}

export type Auth = [username: string, password: string] | BasicAuth | DigestAuth | BearerAuth;

/** Seconds for all four, `null` (or `false`) for no limit, or per phase; `timeout` (default
 *  5) fills the phases left out. In browsers and Node connecting, sending and waiting cannot
 *  be told apart inside fetch: the largest of connect, write and read bounds the wait for
 *  the response head (none without read). `total`
 *  (none unless given) bounds the whole request: redirects, retries and the body read to
 *  its end; past it the request fails with kind "TotalTimeout". */
export type Timeout =
  | number
  | null
  | false
  | {
      timeout?: number | null;
      connect?: number | null;
      read?: number | null;
      write?: number | null;
      pool?: number | null;
      total?: number | null;
    };

/** When a failed request is sent again (off by default): a number of retries (`0`: none), or
 *  ky's object form. Idempotent methods, statuses 408 429 500 502 503 504 and failures to
 *  connect are retried by default, with exponential backoff and full jitter; `Retry-After`
 *  is honoured up to `backoffLimit`. The last response or error comes back as it came. */
export type Retry =
  | number
  | {
      /** Retries after the first attempt (default 2). */
      limit?: number;
      /** The methods retried, replacing the idempotent ones (GET HEAD OPTIONS TRACE PUT DELETE). */
      methods?: Iterable<string>;
      /** The statuses retried, replacing the default ones. */
      statuses?: Iterable<number>;
      /** The longest wait between attempts, in seconds (default 10), `Retry-After` included. */
      backoffLimit?: number;
    };

/** How much of a body has moved: `total` is its length when known beforehand. */
export interface Progress {
  readonly bytes: number;
  readonly total: number | undefined;
}

/** A request as hooks see it, as it goes out (each redirect hop and retry). Only `headers`
 *  may be changed (by `beforeRequest`); method and URL are read-only. */
export interface HookRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Headers;
}

/** A client's hooks, each a list run in order. Hooks run synchronously inside the request
 *  (`beforeError` aside, which may return a Promise): one that throws, or returns a Promise,
 *  fails its request with an HttplibError of kind "Builder" whose `cause` is what it threw. */
export interface Hooks {
  /** Before every request sent: each redirect hop, each retry. May change `request.headers`. */
  beforeRequest?: ((request: HookRequest) => void)[];
  /** After every response received, its head only (the body is not read yet). */
  afterResponse?: ((request: HookRequest, response: ResponseHead) => void)[];
  /** Before each retry's wait: the request to send again, the error of the attempt that
   *  failed (an HTTPStatusError for a retried status), the retry's number (from 1). */
  beforeRetry?: ((request: HookRequest, error: HttplibError, retryCount: number) => void)[];
  /** When a request of the client is about to reject: may return a replacement error. */
  beforeError?: ((error: HttplibError) => unknown)[];
}

type Scalar = string | number | boolean;
/** Names to values: an object, a Map, an iterable of pairs, `Headers` or `URLSearchParams`;
 *  an array value repeats the name, `undefined`/`null` values are left out. */
export type Pairs =
  | Record<string, Scalar | readonly Scalar[] | null | undefined>
  | Iterable<readonly [string, Scalar]>
  | URLSearchParams
  | Headers;

/** A request body: text is sent as UTF-8. A stream is read whole before sending. */
export type Content = string | Uint8Array | ArrayBuffer | ArrayBufferView | Blob | URLSearchParams | ReadableStream<Uint8Array>;

/** A file to upload: a Blob or File (its name and type are used), bytes or text, or
 *  `[filename, content, contentType?]`. */
export type FileField = Content | [filename: string, content: Content, contentType?: string];

export interface RequestOptions {
  /** Query parameters, appended to the URL's own. */
  params?: Pairs;
  /** Headers; they replace the client's default headers of the same names. */
  headers?: Pairs;
  /** A value sent as JSON (JSON.stringify), with Content-Type application/json. */
  json?: unknown;
  /** A form: urlencoded, or multipart with `files` (or when a FormData). */
  data?: Pairs | FormData;
  /** Files: a multipart/form-data body. */
  files?: Record<string, FileField> | Iterable<readonly [string, FileField]>;
  /** A raw body, sent as it is: never form-encoded, no Content-Type added. */
  content?: Content;
  /** Replaces the client's auth for this request. */
  auth?: Auth;
  /** Replaces the client's timeouts for this request (its total deadline included). */
  timeout?: Timeout;
  /** Replaces the client's retry policy for this request (`0`: no retries). */
  retry?: Retry;
  /** Follow redirects (default: false, as in httpx). */
  followRedirects?: boolean;
  /** The most redirects to follow (default 20). */
  maxRedirects?: number;
  /** Cancels the request, and the body being read (for a stream: a read through
   *  `iterBytes`, `iterLines` or `read`; not `body`, once handed over): the promise rejects
   *  with an HttplibError of kind "Cancelled", the signal's reason as its cause. An aborted
   *  signal rejects at once, and nothing is sent. */
  signal?: AbortSignal;
  /** Called as the request body is sent: `{bytes: 0, total}` first, then after each slice;
   *  a body sent again (a redirect, a retry) counts from 0 again. In browsers the body is
   *  read whole before fetch sends it. */
  onUploadProgress?: (progress: Progress) => void;
  /** Called as the response body is read: `{bytes: 0, total}` first, then after each chunk;
   *  `total` is the Content-Length when announced. */
  onDownloadProgress?: (progress: Progress) => void;
}

/** Pool limits. The browser or Node owns the connections here, so `maxConnections` caps
 *  this client's requests in flight (each from its start to the end of its body; a request
 *  over the cap waits its turn, for at most the `pool` timeout, then fails with kind
 *  "PoolTimeout"); the keep-alive limits are accepted for code shared with native Rust,
 *  and not applied. */
export interface Limits {
  maxConnections?: number | null;
  maxKeepaliveConnections?: number | null;
  keepaliveExpiry?: number | null;
}

export interface ClientOptions {
  /** Prefix of relative URLs: with "https://api.example.com/v1", get("/items") requests
   *  https://api.example.com/v1/items. */
  baseUrl?: string | URL;
  /** With a baseUrl: false refuses URLs to any other origin (default true). Relative URLs
   *  always stay under the baseUrl. */
  allowAbsoluteUrls?: boolean;
  /** Header names dropped, like Authorization and Cookie, when a redirect leaves the
   *  origin (where httplib follows redirects: Node). */
  sensitiveHeaders?: Iterable<string>;
  /** Default headers. */
  headers?: Pairs;
  /** Default timeouts (5 s each; no total deadline). */
  timeout?: Timeout;
  /** Retries for every request (none by default). */
  retry?: Retry;
  /** Hooks run on every request of this client. */
  hooks?: Hooks;
  /** Follow redirects (default false). */
  followRedirects?: boolean;
  /** The most redirects to follow (default 20). */
  maxRedirects?: number;
  /** Auth for every request. */
  auth?: Auth;
  /** Keep cookies from responses and send them on later requests (default true; Node
   *  only: in browsers the browser owns cookies, see `credentials`). */
  cookies?: boolean;
  /** fetch's credentials mode, in browsers (default "same-origin"). */
  credentials?: "omit" | "same-origin" | "include";
  /** `maxConnections` caps this client's requests in flight (default 100); the keep-alive
   *  limits are accepted and not applied on this platform. */
  limits?: Limits;
}

/** What every response shares, and what `afterResponse` hooks get: status, headers, URL. */
export class ResponseHead {
  protected constructor();
  readonly statusCode: number;
  /** "OK", "Not Found", ...; "" when unknown. */
  readonly reasonPhrase: string;
  readonly headers: Headers;
  /** The final URL, after redirects. */
  readonly url: string;
  /** The redirects followed to get here, oldest first. */
  readonly history: Response[];
  /** Milliseconds from the call to the whole response (to the head, for streams). */
  readonly elapsed: number;
  /** "HTTP/1.1", "HTTP/2", or "unknown" where the platform does not tell (Node). */
  readonly httpVersion: string;
  readonly isSuccess: boolean;
  /** 3xx with a Location to follow. */
  readonly isRedirect: boolean;
  readonly isClientError: boolean;
  readonly isServerError: boolean;
  readonly isError: boolean;
  /** This response, or throws HTTPStatusError for 4xx and 5xx. */
  raiseForStatus(): this;
}

/** A response whose body has been read. */
export class Response extends ResponseHead {
  private constructor();
  /** The body's bytes. */
  readonly content: Uint8Array;
  /** The body as text in the charset of Content-Type (UTF-8 when none); throws
   *  RequestError of kind Decode for invalid text. */
  readonly text: string;
  /** The body parsed by JSON.parse; throws RequestError of kind Decode when it is not JSON. */
  json<T = any>(): T;
}

/** A response whose head has arrived, its body still to read, once, one way. */
export class StreamingResponse extends ResponseHead implements AsyncIterable<Uint8Array> {
  private constructor();
  /** The platform's own fetch body stream, handed over untouched (no read timeout). */
  readonly body: ReadableStream<Uint8Array>;
  /** The chunks as they arrive, with the read timeout between them. */
  iterBytes(): AsyncGenerator<Uint8Array, void, undefined>;
  /** The lines, decoded in the body's charset, without their endings. */
  iterLines(): AsyncGenerator<string, void, undefined>;
  [Symbol.asyncIterator](): AsyncGenerator<Uint8Array, void, undefined>;
  /** Reads the rest of the body into a Response. */
  read(): Promise<Response>;
  /** Stops reading; an unfinished download is aborted. */
  close(): void;
}

export type Method = "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS" | "TRACE" | (string & {});
export type Url = string | URL;

/** A reusable client: base URL, default headers, auth, timeouts, redirects and (in Node)
 *  cookies, shared by every call. */
export class Client {
  constructor(options?: ClientOptions);
  request(method: Method, url: Url, options?: RequestOptions): Promise<Response>;
  get(url: Url, options?: RequestOptions): Promise<Response>;
  post(url: Url, options?: RequestOptions): Promise<Response>;
  put(url: Url, options?: RequestOptions): Promise<Response>;
  patch(url: Url, options?: RequestOptions): Promise<Response>;
  delete(url: Url, options?: RequestOptions): Promise<Response>;
  del(url: Url, options?: RequestOptions): Promise<Response>;
  head(url: Url, options?: RequestOptions): Promise<Response>;
  options(url: Url, options?: RequestOptions): Promise<Response>;
  /** Resolves once the head has arrived, with the body left to stream. */
  stream(method: Method, url: Url, options?: RequestOptions): Promise<StreamingResponse>;
  /** The cookies this client would send to `url` (Node; empty in browsers). */
  cookies(url: Url): Record<string, string>;
  /** Closes the client: later requests fail with kind Builder. */
  close(): void;
}

/** One-off requests, each on a new client (no cookies shared between calls). */
export function request(method: Method, url: Url, options?: RequestOptions): Promise<Response>;
export function stream(method: Method, url: Url, options?: RequestOptions): Promise<StreamingResponse>;
export function get(url: Url, options?: RequestOptions): Promise<Response>;
export function post(url: Url, options?: RequestOptions): Promise<Response>;
export function put(url: Url, options?: RequestOptions): Promise<Response>;
export function patch(url: Url, options?: RequestOptions): Promise<Response>;
export function del(url: Url, options?: RequestOptions): Promise<Response>;
export function head(url: Url, options?: RequestOptions): Promise<Response>;
export function options(url: Url, options?: RequestOptions): Promise<Response>;
