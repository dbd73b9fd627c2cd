// Cancelling with an AbortSignal in the npm package: the request, or the body being read,
// is dropped, and the promise rejects with kind Cancelled (node --test).
import assert from "node:assert/strict";
import { getEventListeners } from "node:events";
import { after, test } from "node:test";
import { Client, HttplibError, RequestError, get, post, stream } from "httplib";
import { http, scripted } from "./server.mjs";

const server = await scripted();
after(() => server.close());

const cancelled = (reason, url) => (e) => {
  assert.ok(e instanceof HttplibError);
  assert.ok(!(e instanceof RequestError), "not a transport failure");
  assert.equal(e.name, "HttplibError");
  assert.equal(e.kind, "Cancelled");
  assert.equal(e.isTimeout, false);
  if (reason !== undefined) assert.equal(e.cause, reason);
  if (url !== undefined) assert.equal(e.url, url);
  assert.match(e.message, /^the request was cancelled: its AbortSignal fired: /);
  return true;
};

test("signal: aborting mid-request rejects with kind Cancelled, the signal's reason as the cause", async () => {
  const controller = new AbortController();
  const started = performance.now();
  const pending = get(http("/delay/5"), { signal: controller.signal, timeout: null });
  setTimeout(() => controller.abort(), 100);
  await assert.rejects(pending, (e) => cancelled(controller.signal.reason, http("/delay/5"))(e) && e.cause.name === "AbortError");
  assert.ok(performance.now() - started < 2000);
  // AbortSignal.timeout: its TimeoutError is the cause; the kind is still Cancelled.
  const client = new Client({ timeout: null });
  await assert.rejects(client.get(http("/delay/5"), { signal: AbortSignal.timeout(100) }), (e) => cancelled()(e) && e.cause.name === "TimeoutError");
});

test("signal: an already-aborted signal rejects at once, and nothing is sent", async () => {
  const url = server.script("/never", [{ status: 200 }]);
  const reason = new Error("early");
  const signal = AbortSignal.abort(reason);
  await assert.rejects(get(url, { signal }), cancelled(reason, url));
  await assert.rejects(new Client().post(url, { content: new Blob(["x"]), signal }), cancelled(reason));
  assert.equal(server.hits("/never"), 0);
});

test("signal: aborting mid-body, a whole body being read and a stream's read in progress", async () => {
  const drip = http("/drip?chunks=20&interval_ms=100&chunk_size=10");
  // A buffered body: aborted once part of it has arrived.
  const controller = new AbortController();
  let received = 0;
  const onDownloadProgress = ({ bytes }) => {
    received = bytes;
    if (bytes >= 20) controller.abort();
  };
  await assert.rejects(get(drip, { signal: controller.signal, onDownloadProgress }), cancelled(controller.signal.reason));
  assert.ok(received >= 20 && received < 200, `${received} bytes`);
  // A stream: the read waiting for its next chunk rejects; the stream is over.
  const streaming = new AbortController();
  const s = await stream("GET", drip, { signal: streaming.signal });
  const chunks = s.iterBytes();
  assert.equal((await chunks.next()).value.length, 10);
  const next = chunks.next();
  setTimeout(() => streaming.abort(), 30);
  await assert.rejects(next, cancelled(streaming.signal.reason));
  assert.deepEqual(await chunks.next(), { done: true, value: undefined });
  // Aborted between reads: the next read rejects.
  const idle = new AbortController();
  const t = await stream("GET", http("/stream-bytes/100000"), { signal: idle.signal });
  idle.abort();
  await assert.rejects(t.read(), cancelled(idle.signal.reason));
});

test("signal: one that never fires changes nothing, and is let go when each request ends", async () => {
  const signal = new AbortController().signal;
  const client = new Client();
  assert.equal((await get(http("/echo"), { signal })).statusCode, 200);
  for (let i = 0; i < 10; i++) {
    await client.post(http("/echo"), { json: i, signal });
    await (await client.stream("GET", http("/bytes/10000"), { signal })).read();
    (await client.stream("GET", http("/stream-bytes/50000"), { signal })).close();
    await assert.rejects(client.get(http("/status/200"), { signal, timeout: { total: -1 } }));
  }
  assert.equal(getEventListeners(signal, "abort").length, 0);
});
