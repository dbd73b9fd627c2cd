// Streaming responses and fan-out of the npm package (node --test).
import assert from "node:assert/strict";
import { test } from "node:test";
import { Client, HTTPStatusError, RequestError, StreamingResponse, get, stream } from "httplib";
import { closed, http, pattern } from "./server.mjs";

const concat = (chunks) => {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
};

test("stream: status and headers before the body; body is the fetch ReadableStream itself", async () => {
  const client = new Client();
  const s = await client.stream("GET", http("/stream-bytes/200000"), { params: { chunk_size: 16384 } });
  assert.ok(s instanceof StreamingResponse);
  assert.equal(s.statusCode, 200);
  assert.equal(s.headers.get("content-type"), "application/octet-stream");
  assert.ok(s.body instanceof ReadableStream);
  assert.equal(s.body, s.body);
  // A byte stream (it takes a BYOB reader): the platform's own fetch body, not a stream
  // rebuilt chunk by chunk from Rust (those are default streams).
  const reader = s.body.getReader({ mode: "byob" });
  const chunks = [];
  for (;;) {
    const { value, done } = await reader.read(new Uint8Array(65536));
    if (done) break;
    chunks.push(value);
  }
  assert.deepEqual(concat(chunks), pattern(200000));
  await assert.rejects(s.iterBytes().next(), TypeError);
});

test("iterBytes: the chunks through the front-end, in order, complete", async () => {
  const s = await stream("GET", http("/stream-bytes/100000"));
  const chunks = [];
  for await (const chunk of s.iterBytes()) chunks.push(chunk);
  assert.ok(chunks.length > 1);
  assert.deepEqual(concat(chunks), pattern(100000));
  // for await on the response itself is iterBytes
  const again = await stream("GET", http("/bytes/5000"));
  let n = 0;
  for await (const chunk of again) n += chunk.length;
  assert.equal(n, 5000);
});

test("iterLines: lines without endings, decoded across chunk boundaries", async () => {
  const s = await stream("GET", http("/lines/6"));
  const lines = [];
  for await (const line of s.iterLines()) lines.push(line);
  assert.deepEqual(lines, ["line 0", "line 1 café", "line 2", "line 3", "line 4", "line 5"]);
});

test("read(): the rest of the body as a Response; a body is read once", async () => {
  const s = await stream("GET", http("/echo"), { params: { a: "1" } });
  const r = await s.read();
  assert.deepEqual(r.json().args, { a: "1" });
  await assert.rejects(s.read(), TypeError);
  assert.throws(() => s.body, TypeError);
});

test("leaving iterBytes early, or close(), aborts the download", async () => {
  const s = await stream("GET", http("/drip"), { params: { chunks: 50, interval_ms: 100, chunk_size: 10 } });
  const started = performance.now();
  for await (const chunk of s.iterBytes()) {
    assert.equal(chunk.length, 10);
    break;
  }
  assert.ok(performance.now() - started < 2000);
  const t = await stream("GET", http("/drip"), { params: { chunks: 50, interval_ms: 100, chunk_size: 10 } });
  t.close();
  assert.throws(() => t.body, TypeError);
});

test("raiseForStatus on a stream: HTTPStatusError before the body is read", async () => {
  const s = await stream("GET", http("/status/500"));
  assert.throws(() => s.raiseForStatus(), (e) => e instanceof HTTPStatusError && e.statusCode === 500);
  s.close();
  const ok = await stream("GET", http("/bytes/10"));
  assert.equal(ok.raiseForStatus(), ok);
  assert.equal((await ok.read()).content.length, 10);
});

test("fan-out with Promise.all: many requests at once on one client", async () => {
  const client = new Client({ baseUrl: http("") });
  const rs = await Promise.all(Array.from({ length: 50 }, (_, i) => client.get("/echo", { params: { i } })));
  assert.deepEqual(rs.map((r) => Number(r.json().args.i)), Array.from({ length: 50 }, (_, i) => i));
});

test("fan-out with Promise.allSettled: a failure sinks nothing", async () => {
  const client = new Client();
  const results = await Promise.allSettled([
    client.get(http("/echo")),
    client.get(closed),
    client.get(http("/status/500")).then((r) => r.raiseForStatus()),
    client.get(http("/delay/2"), { timeout: 0.2 }),
    client.get(http("/bytes/3")),
  ]);
  assert.deepEqual(results.map((r) => r.status), ["fulfilled", "rejected", "rejected", "rejected", "fulfilled"]);
  assert.equal(results[1].reason.kind, "Connect");
  assert.ok(results[1].reason instanceof RequestError);
  assert.ok(results[2].reason instanceof HTTPStatusError);
  assert.equal(results[3].reason.kind, "ReadTimeout");
  assert.equal(results[4].value.content.length, 3);
});

test("one-off calls and streams work concurrently with each other", async () => {
  const [s, r] = await Promise.all([stream("GET", http("/bytes/100")), get(http("/echo"))]);
  assert.equal(r.statusCode, 200);
  assert.equal((await s.read()).content.length, 100);
});
