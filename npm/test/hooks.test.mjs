// The client's hooks in the npm package: run by the crate's own hooks (on_request,
// on_response, on_retry) on every request sent; beforeError at rejection (node --test).
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { Client, HTTPStatusError, HttplibError, RequestError, ResponseHead } from "httplib";
import { closed, http, scripted } from "./server.mjs";

const server = await scripted();
after(() => server.close());
const path = (url) => new URL(url).pathname;

test("beforeRequest and afterResponse run for every request sent: each hop of a redirect chain", async () => {
  const sent = [];
  const received = [];
  const client = new Client({
    followRedirects: true,
    hooks: {
      beforeRequest: [
        (request) => sent.push(`${request.method} ${path(request.url)}`),
        (request) => request.headers.set("X-Hop", String(sent.length)),
      ],
      afterResponse: [
        (request, response) => {
          assert.ok(response instanceof ResponseHead);
          received.push([path(request.url), response.statusCode, request.headers.get("x-hop")]);
        },
      ],
    },
  });
  const r = await client.get(http("/redirect/2"));
  assert.deepEqual(sent, ["GET /redirect/2", "GET /redirect/1", "GET /redirect/0", "GET /echo"]);
  assert.deepEqual(received, [
    ["/redirect/2", 302, "1"],
    ["/redirect/1", 302, "2"],
    ["/redirect/0", 302, "3"],
    ["/echo", 200, "4"],
  ]);
  assert.equal(r.json().headers["x-hop"], "4");
  assert.equal(r.history.length, 3);
});

test("requests in flight at once: afterResponse gets each response with its own request", async () => {
  const pairs = [];
  const client = new Client({ hooks: { afterResponse: [(request, response) => pairs.push([path(request.url), path(response.url)])] } });
  await Promise.all(["/delay/0.3", "/delay/0.1", "/echo", "/delay/0.2"].map((p) => client.get(http(p))));
  assert.equal(pairs.length, 4);
  for (const [sent, received] of pairs) assert.equal(sent, received);
});

test("beforeRequest sees the request as it goes out, and may change its headers only", async () => {
  let seen;
  const client = new Client({
    auth: ["user", "pass"],
    headers: { "X-Drop": "1" },
    hooks: {
      beforeRequest: [
        (request) => {
          seen = { method: request.method, url: request.url, headers: Object.fromEntries(request.headers) };
          request.headers.delete("x-drop");
          request.headers.set("Authorization", "Bearer from-hook");
        },
      ],
    },
  });
  const echoed = (await client.post(http("/echo?q=1"), { json: { a: 1 } })).json();
  assert.equal(seen.method, "POST");
  assert.equal(seen.url, http("/echo?q=1"));
  assert.match(seen.headers.authorization, /^Basic /);
  assert.equal(seen.headers["content-type"], "application/json");
  assert.equal(echoed.headers.authorization, "Bearer from-hook");
  assert.equal(echoed.headers["x-drop"], undefined);
  assert.equal(echoed.json.a, 1);
  // The method and URL are read-only: assigning them throws, and fails the request.
  const frozen = new Client({ hooks: { beforeRequest: [(request) => (request.url = "http://elsewhere.test/")] } });
  await assert.rejects(frozen.get(http("/echo")), (e) => e.kind === "Builder" && e.cause instanceof TypeError);
});

test("beforeRetry: the request, the error (HTTPStatusError for a status) and the retry's number", async () => {
  const url = server.script("/flaky", [{ status: 503 }, { status: 503 }, { status: 200, body: "ok" }]);
  const calls = [];
  const client = new Client({
    retry: { limit: 3, backoffLimit: 0 },
    hooks: {
      beforeRetry: [
        (request, error, count) => {
          assert.ok(error instanceof HTTPStatusError);
          calls.push([request.method, request.url, error.kind, error.statusCode, error.response.statusCode, count]);
        },
      ],
    },
  });
  assert.equal((await client.get(url)).text, "ok");
  assert.deepEqual(calls, [
    ["GET", url, "Status", 503, 503, 1],
    ["GET", url, "Status", 503, 503, 2],
  ]);
  const errors = [];
  const connect = new Client({
    retry: { limit: 2, backoffLimit: 0 },
    hooks: { beforeRetry: [(request, error, count) => errors.push([error instanceof RequestError, error.kind, count])] },
  });
  await assert.rejects(connect.get(closed), (e) => e.kind === "Connect");
  assert.deepEqual(errors, [[true, "Connect", 1], [true, "Connect", 2]]);
});

test("a hook that throws rejects its request: kind Builder, what it threw as the cause; nothing more is sent", async () => {
  const boom = new Error("boom");
  const rejected = (hook) => (e) => {
    assert.ok(e instanceof HttplibError && !(e instanceof RequestError));
    assert.equal(e.kind, "Builder");
    assert.equal(e.cause, boom);
    assert.match(e.message, new RegExp(`^invalid request: the ${hook} hook threw: boom \\(`));
    return true;
  };
  // beforeRequest: the request is not sent.
  const url = server.script("/never", [{ status: 200 }]);
  const before = new Client({ hooks: { beforeRequest: [() => { throw boom; }] } });
  await assert.rejects(before.post(url, { json: 1 }), rejected("beforeRequest"));
  assert.equal(server.hits("/never"), 0);
  // afterResponse on a redirect: its target is not requested.
  const from = server.script("/from", [{ status: 302, headers: { Location: "/to" } }]);
  server.script("/to", [{ status: 200 }]);
  const afterHook = new Client({
    followRedirects: true,
    hooks: { afterResponse: [(_, response) => { if (response.statusCode === 302) throw boom; }] },
  });
  await assert.rejects(afterHook.get(from), rejected("afterResponse"));
  assert.equal(server.hits("/to"), 0);
  // beforeRetry: no retry.
  const flaky = server.script("/flaky", [{ status: 503 }, { status: 200 }]);
  const retry = new Client({ retry: { limit: 2, backoffLimit: 0 }, hooks: { beforeRetry: [() => { throw boom; }] } });
  await assert.rejects(retry.get(flaky), rejected("beforeRetry"));
  assert.equal(server.hits("/flaky"), 1);
  // Anything may be thrown; a hook that returns a Promise is refused (hooks run synchronously).
  const plain = new Client({ hooks: { beforeRequest: [() => { throw "plain"; }] } });
  await assert.rejects(plain.get(url), (e) => e.kind === "Builder" && e.cause === "plain");
  const async = new Client({ hooks: { beforeRequest: [async () => {}] } });
  await assert.rejects(async.get(url), (e) => e.kind === "Builder" && /synchronously/.test(e.cause.message));
  assert.equal(server.hits("/never"), 0);
  // The client is fine for the next request.
  assert.equal((await afterHook.get(http("/echo"))).statusCode, 200);
});

test("beforeError: sees each error a client's request rejects with, and may replace it", async () => {
  const seen = [];
  const client = new Client({
    hooks: {
      beforeError: [
        (e) => void seen.push(e.kind),
        async (e) => (e.kind === "Connect" ? new Error(`wrapped ${e.kind}`) : undefined),
      ],
    },
  });
  await assert.rejects(client.get(closed), /^Error: wrapped Connect$/);
  await assert.rejects(client.get(http("/delay/2"), { timeout: 0.1 }), (e) => e instanceof RequestError && e.kind === "ReadTimeout");
  assert.deepEqual(seen, ["Connect", "ReadTimeout"]);
  const boom = new Error("boom");
  const throwing = new Client({ hooks: { beforeError: [() => { throw boom; }] } });
  await assert.rejects(throwing.get(closed), (e) => e.kind === "Builder" && e.cause === boom && e.url === closed);
});

test("hooks must be arrays of functions", () => {
  for (const hooks of [{ beforeRequest: () => {} }, { afterResponse: [1] }, { beforeError: "x" }, 3]) {
    assert.throws(() => new Client({ hooks }), (e) => e instanceof HttplibError && e.kind === "Builder", JSON.stringify(hooks));
  }
});

test("a Unicode host goes out in its ASCII form: the package's wasm has no IDNA tables, the platform's URL maps it", async () => {
  let seen;
  const stop = new Error("seen, not sent");
  const client = new Client({
    hooks: {
      beforeRequest: [
        (request) => {
          seen = request.url;
          throw stop;
        },
      ],
    },
  });
  await assert.rejects(client.get("http://bücher.test/straße?q=ü"), (e) => e.kind === "Builder" && e.cause === stop);
  assert.equal(seen, "http://xn--bcher-kva.test/stra%C3%9Fe?q=%C3%BC");
  // A name no IDNA maps is an invalid URL, before any hook.
  seen = undefined;
  await assert.rejects(client.get("http://b\u{fffd}cher.test/"), (e) => e.kind === "InvalidUrl");
  assert.equal(seen, undefined);
});
