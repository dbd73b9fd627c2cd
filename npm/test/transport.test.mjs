// In Node the package sends through node:http and node:https rather than Node's fetch
// (src/backend/fetch/node_http.js), keeping what fetch did for the front-end (node --test).
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { test } from "node:test";
import { gzipSync } from "node:zlib";
import { Client, get } from "httplib";
import { http, https, scripted } from "./server.mjs";

const echoed = async (url, options) => (await get(url, options)).json().headers;

test("requests go through node:http: none of fetch's own headers, the codings it decodes offered", async () => {
  const headers = await echoed(http("/echo"));
  assert.equal(headers["sec-fetch-mode"], undefined, "fetch would have sent sec-fetch-mode: cors");
  assert.equal(headers["accept-language"], undefined);
  assert.match(headers["accept-encoding"], /^gzip, deflate, br(, zstd)?$/);
  assert.equal(headers.host, new URL(http("/")).host);
  // A request's own accept-encoding is sent as it is.
  assert.equal((await echoed(http("/echo"), { headers: { "accept-encoding": "identity" } }))["accept-encoding"], "identity");
});

test("one client's requests share kept-alive connections, over HTTP and HTTPS", async (t) => {
  const client = new Client();
  const id = async (url) => (await client.get(url)).json().connection_id;
  const first = await id(http("/echo"));
  assert.equal(await id(http("/echo")), first);
  if (!https) return t.skip("HTTPS needs the test server's CA in NODE_EXTRA_CA_CERTS (ci.sh sets it)");
  const tls = await id(https("/echo"));
  assert.equal(await id(https("/echo")), tls);
});

test("content codings are decoded as fetch decodes them; more than 5 stacked are a Decode error", async () => {
  const server = await scripted();
  try {
    let body = Buffer.from('{"ok":true}');
    for (let i = 0; i < 6; i++) body = gzipSync(body);
    const six = server.script("/six", [{ headers: { "content-encoding": Array(6).fill("gzip").join(", ") }, body }]);
    await assert.rejects(get(six), (e) => e.kind === "Decode" && /more than 5 content codings/.test(e.message));
    const two = server.script("/two", [{ headers: { "content-encoding": "gzip, gzip" }, body: gzipSync(gzipSync('{"ok":true}')) }]);
    assert.deepEqual((await get(two)).json(), { ok: true });
    // A coding it does not know: the body as sent, as fetch gives it.
    const odd = server.script("/odd", [{ headers: { "content-encoding": "x-odd" }, body: "as sent" }]);
    assert.equal((await get(odd)).text, "as sent");
  } finally {
    await server.close();
  }
});

test("a replaced globalThis.fetch gets the requests (a mock), and node:http again once restored", async () => {
  const platformFetch = globalThis.fetch;
  const seen = [];
  globalThis.fetch = (input, init) => {
    seen.push(String(input));
    return platformFetch(input, init);
  };
  try {
    const headers = await echoed(http("/echo"));
    assert.deepEqual(seen, [http("/echo")]);
    assert.equal(headers["sec-fetch-mode"], "cors", "through Node's fetch");
  } finally {
    globalThis.fetch = platformFetch;
  }
  assert.equal((await echoed(http("/echo")))["sec-fetch-mode"], undefined);
  assert.equal(seen.length, 1);
});

// A server whose next `resets` connections are reset when their second request arrives: a
// kept-alive connection closed by the server as the client reuses it.
async function closingServer() {
  const server = createServer((req, res) => {
    const socket = req.socket;
    socket.requests = (socket.requests ?? 0) + 1;
    if (socket.requests === 2 && server.resets > 0) {
      server.resets -= 1;
      socket.destroy();
      return;
    }
    server.answered += 1;
    req.resume();
    req.on("end", () => res.end("ok"));
  });
  server.resets = 0;
  server.answered = 0;
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

test("a kept-alive connection the server closed is replaced: a GET is sent once more, a POST is not", async () => {
  for (const [method, resent] of [["GET", true], ["POST", false]]) {
    const server = await closingServer();
    const url = `http://127.0.0.1:${server.address().port}/`;
    try {
      const client = new Client();
      const send = () => client.request(method, url, { content: method === "POST" ? "x" : undefined });
      assert.equal((await send()).text, "ok");
      server.resets = 1;
      if (resent) {
        assert.equal((await send()).text, "ok", "sent again on a new connection");
        assert.equal(server.answered, 2);
      } else {
        await assert.rejects(send(), (e) => e.kind === "Read");
        assert.equal(server.answered, 1);
      }
      assert.equal(server.resets, 0);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  }
});
