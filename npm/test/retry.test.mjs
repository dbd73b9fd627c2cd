// Retries and the total deadline of the npm package: the crate's retry layer and deadline
// (src/layer/retry.rs, src/layer/deadline.rs) under JS options (node --test).
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { Client, HttplibError, RequestError, get } from "httplib";
import { closed, http, scripted } from "./server.mjs";

const server = await scripted();
after(() => server.close());

test("retry: a 503 with Retry-After is sent again after the wait the server asks for", async () => {
  const answers = [{ status: 503, headers: { "Retry-After": "1" } }, { status: 200, body: "ok" }];
  const url = server.script("/busy", answers);
  const client = new Client({ retry: { limit: 2 } });
  let started = performance.now();
  const r = await client.get(url);
  assert.equal(r.statusCode, 200);
  assert.equal(r.text, "ok");
  assert.equal(server.hits("/busy"), 2);
  assert.ok(performance.now() - started >= 950, "waited for Retry-After");
  // backoffLimit (seconds, as every duration of this API) caps that wait.
  server.script("/busy", answers);
  started = performance.now();
  assert.equal((await client.get(url, { retry: { limit: 2, backoffLimit: 0.05 } })).statusCode, 200);
  assert.ok(performance.now() - started < 800, "the wait was capped");
});

test("retry: a number is the limit; the last response comes back as it came; retry: 0 is off", async () => {
  const url = server.script("/down", [{ status: 503, body: "still down" }]);
  const r = await get(url, { retry: 2 });
  assert.equal(server.hits("/down"), 3, "the first attempt and two retries");
  assert.equal(r.statusCode, 503);
  assert.equal(r.text, "still down");
  // A request's retry replaces its client's: 0 turns it off.
  const client = new Client({ retry: 3 });
  server.script("/down", [{ status: 503 }]);
  assert.equal((await client.get(url, { retry: 0 })).statusCode, 503);
  assert.equal(server.hits("/down"), 1);
});

test("retry: statuses are the ones retried, replacing the default set", async () => {
  const url = server.script("/down", [{ status: 503 }]);
  await get(url, { retry: { limit: 3, statuses: [500], backoffLimit: 0 } });
  assert.equal(server.hits("/down"), 1, "503 is not in the list");
  const teapot = server.script("/teapot", [{ status: 418 }, { status: 200 }]);
  assert.equal((await get(teapot, { retry: { limit: 1, statuses: [418] } })).statusCode, 200);
  assert.equal(server.hits("/teapot"), 2);
});

test("retry: a POST is sent once unless methods names it", async () => {
  const answers = [{ status: 503 }, { status: 201 }];
  const url = server.script("/jobs", answers);
  const client = new Client({ retry: { limit: 2, backoffLimit: 0 } });
  assert.equal((await client.post(url, { json: { n: 1 } })).statusCode, 503);
  assert.equal(server.hits("/jobs"), 1);
  server.script("/jobs", answers);
  const r = await client.post(url, { json: { n: 1 }, retry: { limit: 2, methods: ["post"], backoffLimit: 0 } });
  assert.equal(r.statusCode, 201);
  assert.equal(server.hits("/jobs"), 2);
  // methods replaces the default set: GET is then not retried.
  server.script("/jobs", answers);
  assert.equal((await client.get(url, { retry: { limit: 2, methods: ["POST"] } })).statusCode, 503);
});

test("retry: a refused connection is retried, then fails as it would have", async () => {
  let retries = 0;
  const client = new Client({ retry: { limit: 2, backoffLimit: 0 }, hooks: { beforeRetry: [() => retries++] } });
  await assert.rejects(client.get(closed), (e) => e instanceof RequestError && e.kind === "Connect");
  assert.equal(retries, 2);
});

test("retry: invalid forms are HttplibErrors of kind Builder", async () => {
  const url = http("/echo");
  for (const retry of ["3", { limit: -1 }, { limit: 1.5 }, { statuses: [42] }, { statuses: ["x"] }, { backoffLimit: -1 }]) {
    await assert.rejects(get(url, { retry }), (e) => e instanceof HttplibError && e.kind === "Builder", JSON.stringify(retry));
  }
  assert.throws(() => new Client({ retry: { methods: ["GE T"] } }), (e) => e.kind === "Builder");
});

test("timeout.total: one deadline over the head, the body, and the retries", async () => {
  // The body: 10 chunks 200 ms apart outlast a total of 0.5 s (the read timeout never fires).
  let started = performance.now();
  await assert.rejects(
    get(http("/drip"), { params: { chunks: 10, interval_ms: 200 }, timeout: { timeout: 5, total: 0.5 } }),
    (e) => {
      assert.ok(e instanceof RequestError);
      assert.equal(e.kind, "TotalTimeout");
      assert.equal(e.isTimeout, true);
      assert.equal(e.url, http("/drip?chunks=10&interval_ms=200"));
      return true;
    },
  );
  assert.ok(performance.now() - started < 1500);
  // The wait before a retry counts too.
  const url = server.script("/slow-retry", [{ status: 503, headers: { "Retry-After": "2" } }]);
  const client = new Client({ retry: 3, timeout: { total: 0.4 } });
  started = performance.now();
  await assert.rejects(client.get(url), (e) => e.kind === "TotalTimeout");
  assert.ok(performance.now() - started < 1500);
  assert.equal(server.hits("/slow-retry"), 1);
  // A request's timeout replaces its client's, total included.
  assert.equal((await client.get(http("/delay/0.6"), { timeout: { timeout: 5 } })).statusCode, 200);
  await assert.rejects(get(http("/echo"), { timeout: { total: -1 } }), (e) => e.kind === "Builder");
});
