// Compiled (not run) by `tsc --noEmit` against the package's declarations: the README's tour,
// typed. A change to the API that breaks code written like this breaks CI.
import {
  BearerAuth,
  Client,
  DigestAuth,
  HTTPStatusError,
  HttplibError,
  RequestError,
  del,
  get,
  patch,
  post,
  put,
  request,
  stream,
  type ErrorKind,
  type HookRequest,
  type Progress,
  type Response,
  type ResponseHead,
  type StreamingResponse,
} from "httplib";

interface Item {
  id: number;
  name: string;
}

export async function tour(base: string, blob: Blob): Promise<number> {
  const r: Response = await get(`${base}/items`, {
    params: { q: "test", page: 2, tags: ["a", "b"] },
    headers: { "User-Agent": "my-app/1.0" },
  });
  const status: number = r.statusCode;
  const items = r.json<Item[]>();
  const text: string = r.text;
  const version: string = r.httpVersion;
  const flags: boolean[] = [r.isSuccess, r.isError, r.isRedirect, r.isClientError, r.isServerError];
  r.raiseForStatus().headers.get("content-type");

  const client = new Client({
    baseUrl: "https://api.example.com",
    headers: { Authorization: "Bearer TOKEN" },
    timeout: { timeout: 10, connect: 5 },
    followRedirects: false,
    limits: { maxConnections: 100, maxKeepaliveConnections: 20 },
    credentials: "include",
  });
  const hops: string[] = [];
  const retrying = new Client({
    retry: { limit: 2, methods: ["GET"], statuses: [408, 429, 500, 502, 503, 504], backoffLimit: 10 },
    hooks: {
      beforeRequest: [(req: HookRequest) => req.headers.set("X-Hop", req.method)],
      afterResponse: [(req: HookRequest, res: ResponseHead) => hops.push(`${req.url} ${res.statusCode}`)],
      beforeRetry: [(req, err: HttplibError, n: number) => hops.push(`${req.url} ${err.kind} ${n}`)],
      beforeError: [(err) => err, async (err) => new Error(err.message)],
    },
    timeout: { timeout: 5, total: 30 },
  });
  await retrying.get(base, { signal: AbortSignal.timeout(1000), retry: 0 });
  await retrying.get(base, { retry: 3, onDownloadProgress: ({ bytes, total }: Progress) => bytes + (total ?? 0) });
  await retrying.post(base, { content: blob, onUploadProgress: ({ bytes, total }) => void (total === undefined || bytes <= total) });
  try {
    await retrying.get(base);
  } catch (err) {
    if (err instanceof HttplibError && err.kind === "Cancelled") hops.push(String(err.cause));
  }

  const d = { name: "ada" };
  await client.get("/items");
  await client.post("/items", { json: d });
  await client.post(base, { data: { key: "value" } });
  await client.post(base, { files: { file: blob, notes: ["notes.txt", "text", "text/plain"] } });
  await client.post(base, { content: new Uint8Array([1]) });
  await client.get(base, { auth: ["user", "passwd"] });
  await client.get(base, { auth: new DigestAuth("u", "p"), timeout: null });
  await client.get(base, { auth: new BearerAuth("t"), signal: AbortSignal.timeout(1000) });
  await put(base, { json: d });
  await patch(base, { json: d });
  await del(base);
  await post(base, { json: [1, 2] });
  await request("OPTIONS", new URL(base));

  const s: StreamingResponse = await client.stream("GET", base);
  const before: number = s.statusCode;
  const body: ReadableStream<Uint8Array> = s.body;
  for await (const chunk of (await stream("GET", base)).iterBytes()) chunk.byteLength;
  for await (const line of (await stream("GET", base)).iterLines()) line.toUpperCase();
  for await (const chunk of await client.stream("GET", base)) chunk.at(0);
  const whole: Response = await (await client.stream("GET", base)).read();

  const urls = [`${base}/a`, `${base}/b`];
  const all: Response[] = await Promise.all(urls.map((u) => client.get(u)));
  const settled = await Promise.allSettled(urls.map((u) => client.get(u)));

  try {
    (await get(base)).raiseForStatus();
  } catch (err) {
    if (err instanceof HTTPStatusError) {
      const code: number = err.statusCode;
      const kind: "Status" = err.kind;
      err.response.headers.get("retry-after");
      return code + kind.length;
    }
    if (err instanceof RequestError) {
      const kind: ErrorKind = err.kind;
      const timedOut: boolean = err.isTimeout;
      return timedOut ? 0 : kind.length;
    }
    if (err instanceof HttplibError) return err.url?.length ?? 0;
    throw err;
  }
  client.close();
  return status + items.length + text.length + version.length + flags.length + before + whole.content.length +
    all.length + settled.length + (body.locked ? 1 : 0) + Object.keys(client.cookies(base)).length + hops.length;
}
