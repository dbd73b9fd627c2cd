// Auth, redirects and cookies of the npm package, against the test server (node --test).
import assert from "node:assert/strict";
import { test } from "node:test";
import { BasicAuth, BearerAuth, Client, DigestAuth, RequestError, get } from "httplib";
import { http, https } from "./server.mjs";

test("basic auth: [user, password] and BasicAuth, per request and per client", async () => {
  const r = await get(http("/basic-auth/user/passwd"), { auth: ["user", "passwd"] });
  assert.equal(r.statusCode, 200);
  assert.deepEqual(r.json(), { authenticated: true, user: "user" });
  const client = new Client({ auth: new BasicAuth("user", "passwd") });
  assert.equal((await client.get(http("/basic-auth/user/passwd"))).statusCode, 200);
  assert.equal((await get(http("/basic-auth/user/passwd"), { auth: ["user", "wrong"] })).statusCode, 401);
});

test("digest auth answers the challenge (MD5 and SHA-256)", async () => {
  for (const path of ["/digest-auth/auth/u/p", "/digest-auth/auth/u/p/SHA-256"]) {
    const r = await get(http(path), { auth: new DigestAuth("u", "p") });
    assert.equal(r.statusCode, 200, path);
    assert.equal(r.json().authenticated, true);
  }
  const wrong = await get(http("/digest-auth/auth/u/p"), { auth: new DigestAuth("u", "nope") });
  assert.equal(wrong.statusCode, 401);
});

test("bearer auth", async () => {
  const r = await get(http("/bearer"), { auth: new BearerAuth("TOKEN") });
  assert.deepEqual(r.json(), { authenticated: true, token: "TOKEN" });
});

test("redirects are not followed by default", async () => {
  const r = await get(http("/redirect/2"));
  assert.equal(r.statusCode, 302);
  assert.equal(r.isRedirect, true);
  assert.equal(r.isSuccess, false);
  assert.equal(r.headers.get("location"), "/redirect/1");
});

test("redirects followed when asked, per request or per client, with history", async () => {
  const r = await get(http("/redirect/3"), { followRedirects: true });
  assert.equal(r.statusCode, 200);
  assert.equal(r.url, http("/echo"));
  // /redirect/3 -> 2 -> 1 -> 0 -> /echo
  assert.deepEqual(r.history.map((h) => h.statusCode), [302, 302, 302, 302]);
  assert.equal(r.history[0].url, http("/redirect/3"));
  const client = new Client({ followRedirects: true });
  assert.equal((await client.get(http("/redirect/1"))).statusCode, 200);
  assert.equal((await client.get(http("/redirect/1"), { followRedirects: false })).statusCode, 302);
});

test("too many redirects is a RequestError of kind TooManyRedirects", async () => {
  await assert.rejects(get(http("/redirect/5"), { followRedirects: true, maxRedirects: 2 }), (e) => {
    assert.ok(e instanceof RequestError);
    assert.equal(e.kind, "TooManyRedirects");
    return true;
  });
});

test("cookies persist in a Client (Node), not across top-level calls", async () => {
  const client = new Client();
  await client.get(http("/cookies/set?flavour=oat&n=1"));
  assert.deepEqual((await client.get(http("/cookies"))).json().cookies, { flavour: "oat", n: "1" });
  assert.deepEqual(client.cookies(http("/")), { flavour: "oat", n: "1" });
  await get(http("/cookies/set?flavour=oat"));
  assert.deepEqual((await get(http("/cookies"))).json().cookies, {});
  const jarless = new Client({ cookies: false });
  await jarless.get(http("/cookies/set?flavour=oat"));
  assert.deepEqual((await jarless.get(http("/cookies"))).json().cookies, {});
});

test("cookies set by a redirect are sent to its target", async () => {
  const client = new Client({ followRedirects: true });
  const r = await client.get(http("/redirect-to"), { params: { url: "/cookies", set_cookie: "k=v; Path=/" } });
  assert.equal(r.statusCode, 200);
  assert.deepEqual(r.json().cookies, { k: "v" });
});

test("no cookie is kept for a public suffix (co.uk, github.io): Node has the whole list", async () => {
  // A host on 127.0.0.1 cannot set a Domain cookie, so for this test the platform's fetch
  // sends the requests for these names to the test server (a resolver in JS: the front-end
  // sees the names, the server's real responses set the cookies); any other URL is refused,
  // so nothing leaves 127.0.0.1.
  const server = new URL(http("/"));
  const routed = new Set(["evil.github.io", "victim.github.io", "github.io", "shop.example.co.uk", "www.example.co.uk", "bank.co.uk"]);
  const platformFetch = globalThis.fetch;
  globalThis.fetch = (input, init) => {
    const url = new URL(String(input));
    if (!routed.has(url.hostname)) return Promise.reject(new TypeError(`not routed here: ${url}`));
    url.hostname = server.hostname;
    return platformFetch(url, init);
  };
  const at = (host, path) => `http://${host}:${server.port}${path}`;
  try {
    const client = new Client();
    const set = (host, ...cookies) => client.get(at(host, "/response-headers"), { params: { "Set-Cookie": cookies } });
    await set("evil.github.io", "wide=1; Domain=github.io", "tld=1; Domain=io", "site=1; Domain=evil.github.io");
    await set("shop.example.co.uk", "uk=1; Domain=.co.uk", "shop=1; Domain=example.co.uk");
    await set("github.io", "own=1; Domain=GitHub.io.");
    assert.deepEqual(client.cookies(at("victim.github.io", "/")), {});
    assert.deepEqual(client.cookies(at("bank.co.uk", "/")), {});
    assert.deepEqual(client.cookies(at("evil.github.io", "/")), { site: "1" });
    // A host that is itself a public suffix keeps its cookie, for itself only.
    assert.deepEqual(client.cookies(at("github.io", "/")), { own: "1" });
    // What the server is sent: the Domain cookie of a registrable domain reaches its other
    // hosts, the public suffix's never do.
    assert.deepEqual((await client.get(at("www.example.co.uk", "/cookies"))).json().cookies, { shop: "1" });
    assert.deepEqual((await client.get(at("victim.github.io", "/cookies"))).json().cookies, {});
  } finally {
    globalThis.fetch = platformFetch;
  }
});

test("limits are accepted; maxConnections caps the requests in flight, the pool timeout bounds the wait", async () => {
  const client = new Client({ limits: { maxConnections: 100, maxKeepaliveConnections: 20, keepaliveExpiry: null } });
  assert.equal((await client.get(http("/echo"))).statusCode, 200);
  assert.throws(() => new Client({ limits: { maxConnections: -1 } }), (e) => e.kind === "Builder");
  // One at a time: three 0.5 s requests take 1.5 s, not 0.5 s.
  const one = new Client({ limits: { maxConnections: 1 } });
  const started = performance.now();
  const all = await Promise.all([0, 1, 2].map(() => one.get(http("/delay/0.5"))));
  assert.deepEqual(all.map((r) => r.statusCode), [200, 200, 200]);
  assert.ok(performance.now() - started >= 1450, `took ${performance.now() - started} ms`);
  // A stream not read yet holds its turn; the next request waits the pool timeout.
  const held = await one.stream("GET", http("/stream-bytes/100"), { timeout: { timeout: 5, pool: 0.2 } });
  await assert.rejects(one.get(http("/echo"), { timeout: { timeout: 5, pool: 0.2 } }), (e) => e.kind === "PoolTimeout");
  assert.equal((await held.read()).content.length, 100);
  assert.equal((await one.get(http("/echo"))).statusCode, 200);
});

test("a client with baseUrl keeps relative URLs under it; allowAbsoluteUrls: false refuses other origins", async () => {
  const client = new Client({ baseUrl: http(""), headers: { "X-Api-Key": "secret" } });
  for (const escape of ["/\\\\evil.test/x", " //evil.test/x"]) {
    await assert.rejects(client.get(escape), (e) => e.kind === "InvalidUrl");
  }
  assert.equal((await client.get("/echo")).statusCode, 200);
  const strict = new Client({ baseUrl: http(""), allowAbsoluteUrls: false });
  await assert.rejects(strict.get("http://127.0.0.2:9/x"), (e) => e.kind === "InvalidUrl");
  assert.equal((await strict.get(http("/echo"))).statusCode, 200);
});

test("sensitiveHeaders are dropped when a redirect leaves the origin", { skip: !https && "needs the TLS listener (ci.sh)" }, async () => {
  const client = new Client({ headers: { "X-Api-Key": "secret", "X-Plain": "1" }, sensitiveHeaders: ["x-api-key"], followRedirects: true });
  const same = await client.get(http("/redirect-to"), { params: { url: "/echo" } });
  assert.equal(same.json().headers["x-api-key"], "secret");
  const away = await client.get(http("/redirect-to"), { params: { url: https("/echo") } });
  assert.equal(away.json().headers["x-api-key"], undefined);
  assert.equal(away.json().headers["x-plain"], "1");
});
