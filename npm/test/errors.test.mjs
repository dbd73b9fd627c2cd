// Errors of the npm package: classes, kinds, messages; timeouts (node --test). Cancelling is
// in cancel.test.mjs.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Client, HTTPStatusError, HttplibError, RequestError, get, stream } from "httplib";
import { closed, http } from "./server.mjs";

test("raiseForStatus: HTTPStatusError with the response, the Rust error's text as message", async () => {
  const ok = await get(http("/status/204"));
  assert.equal(ok.raiseForStatus(), ok);
  const r = await get(http("/status/404"));
  assert.equal(r.isError, true);
  assert.equal(r.isClientError, true);
  assert.throws(() => r.raiseForStatus(), (e) => {
    assert.ok(e instanceof HTTPStatusError);
    assert.ok(e instanceof HttplibError);
    assert.ok(e instanceof Error);
    assert.ok(!(e instanceof RequestError));
    assert.equal(e.name, "HTTPStatusError");
    assert.equal(e.kind, "Status");
    assert.equal(e.response, r);
    assert.equal(e.statusCode, 404);
    assert.equal(e.url, http("/status/404"));
    assert.equal(e.message, `HTTP status error: 404 Not Found (${http("/status/404")})`);
    return true;
  });
  const server = await get(http("/status/503"));
  assert.equal(server.isServerError, true);
  assert.throws(() => server.raiseForStatus(), HTTPStatusError);
});

test("a refused connection is a RequestError of kind Connect, naming the URL", async () => {
  await assert.rejects(get(closed), (e) => {
    assert.ok(e instanceof RequestError);
    assert.equal(e.name, "RequestError");
    assert.equal(e.kind, "Connect");
    assert.equal(e.url, closed);
    assert.match(e.message, /^connection failed: /);
    assert.ok(e.message.includes(closed));
    assert.ok(!e.message.includes("JsValue"));
    return true;
  });
});

test("a slow response head is a RequestError of kind ReadTimeout", async () => {
  const started = performance.now();
  await assert.rejects(get(http("/delay/3"), { timeout: 0.3 }), (e) => {
    assert.ok(e instanceof RequestError);
    assert.equal(e.kind, "ReadTimeout");
    assert.equal(e.isTimeout, true);
    return true;
  });
  assert.ok(performance.now() - started < 2500);
  const client = new Client({ timeout: { timeout: 0.3 } });
  await assert.rejects(client.get(http("/delay/3")), (e) => e.kind === "ReadTimeout");
  // null: no limit
  assert.equal((await get(http("/delay/0.2"), { timeout: null })).statusCode, 200);
});

test("a stalled server fails after the read limit, not after the sum of the phases' limits", async () => {
  const client = new Client({ timeout: { timeout: 1 } });
  const started = performance.now();
  await assert.rejects(client.get(http("/hang")), (e) => e.kind === "ReadTimeout");
  const waited = performance.now() - started;
  assert.ok(waited >= 950 && waited < 2500, `waited ${waited} ms (the old rule: 3000)`);
});

test("a stalled body read through iterBytes is a ReadTimeout", async () => {
  const s = await stream("GET", http("/drip"), {
    params: { chunks: 3, interval_ms: 1500, chunk_size: 4 },
    timeout: { timeout: 0.4 },
  });
  await assert.rejects(
    (async () => {
      for await (const _ of s.iterBytes());
    })(),
    (e) => e instanceof RequestError && e.kind === "ReadTimeout",
  );
});

test("invalid URLs and options are HttplibErrors (not RequestErrors) of kind InvalidUrl / Builder", async () => {
  await assert.rejects(get("http://exa mple.com/"), (e) => {
    assert.ok(e instanceof HttplibError);
    assert.ok(!(e instanceof RequestError));
    assert.equal(e.kind, "InvalidUrl");
    return true;
  });
  await assert.rejects(get("ftp://127.0.0.1/"), (e) => e.kind === "UnsupportedProtocol" && e instanceof RequestError);
  await assert.rejects(get(http("/echo"), { timeout: -1 }), (e) => e.kind === "Builder");
  await assert.rejects(get(http("/echo"), { auth: "user:pass" }), (e) => e.kind === "Builder");
  assert.throws(() => new Client({ baseUrl: "not a url" }), (e) => e instanceof HttplibError && e.kind === "InvalidUrl");
  assert.throws(() => new Client({ credentials: "sometimes" }), (e) => e.kind === "Builder");
});

test("a closed client refuses requests", async () => {
  const client = new Client();
  client.close();
  await assert.rejects(client.get(http("/echo")), (e) => e.kind === "Builder");
});
