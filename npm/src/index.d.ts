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
  | "Io";

/** Every error httplib throws. The message is the Rust error's Display text. */
export class HttplibError extends Error {
  constructor(message: string, options?: { kind?: ErrorKind; url?: string; cause?: unknown });
  readonly kind: ErrorKind;
  /** The URL of the request that failed, when known. */
  readonly url: string | undefined;
  /** True for the timeout kinds (the four timeouts and the total deadline). */
  readonly isTimeout: boolean;
}

/** A transport-side failure (httpx's RequestError): every kind but Status, InvalidUrl,
 *  Builder and Io. */
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
 *  5) fills the phases left out. In browsers and Node connect, write and pool cannot be told
 *  apart inside fetch: their sum with read bounds the wait for the response head. */
export type Timeout =
  | number
  | null
  | false
  | { timeout?: number | null; connect?: number | null; read?: number | null; write?: number | null; pool?: number | null };

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
  /** Replaces the client's timeouts for this request. */
  timeout?: Timeout;
  /** Follow redirects (default: false, as in httpx). */
  followRedirects?: boolean;
  /** The most redirects to follow (default 20). */
  maxRedirects?: number;
  /** Aborts the request until its response is returned (for a stream: its head); the
   *  promise rejects with the signal's reason, as fetch does. */
  signal?: AbortSignal;
}

/** Pool limits: accepted for code shared with native Rust, and not applied here, where the
 *  browser or Node owns the connections. */
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
  /** Default timeouts (5 s each). */
  timeout?: Timeout;
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
  /** Accepted and not applied on this platform. */
  limits?: Limits;
}

declare class ResponseHead {
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
