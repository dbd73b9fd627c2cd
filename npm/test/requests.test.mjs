// Verbs, query parameters, headers, bodies and the Response of the npm package, against the
// test server (node --test).
import assert from "node:assert/strict";
import { test } from "node:test";
import * as httplib from "httplib";
import { Client, HttplibError, RequestError, get, post, put, patch, del, head, request } from "httplib";
import { http, https } from "./server.mjs";

test("get: status, json(), text, headers, url, version, flags, elapsed", async () => {
  const r = await get(http("/echo"), { params: { q: "test", page: 2 }, headers: { "User-Agent": "my-app/1.0" } });
  assert.equal(r.statusCode, 200);
  assert.equal(r.reasonPhrase, "OK");
  const body = r.json();
  assert.equal(body.method, "GET");
  assert.deepEqual(body.args, { q: "test", page: "2" });
  assert.equal(body.headers["user-agent"], "my-app/1.0");
  assert.match(r.text, /"args"/);
  assert.ok(r.headers instanceof Headers);
  assert.match(r.headers.get("content-type"), /application\/json/);
  assert.equal(r.url, http("/echo?q=test&page=2"));
  // node:http tells the HTTP version (Node's fetch does not: it was "unknown" then).
  assert.equal(r.httpVersion, "HTTP/1.1");
  assert.ok(r.content instanceof Uint8Array);
  assert.equal(r.isSuccess, true);
  assert.equal(r.isError, false);
  assert.equal(r.isRedirect, false);
  assert.ok(r.elapsed > 0);
  assert.deepEqual(r.history, []);
});

test("every verb, top-level and on a client", async () => {
  const client = new Client({ baseUrl: http("") });
  for (const [fn, method] of [[post, "POST"], [put, "PUT"], [patch, "PATCH"], [del, "DELETE"]]) {
    assert.equal((await fn(http("/echo"))).json().method, method);
  }
  assert.equal((await request("get", http("/echo"))).json().method, "GET");
  assert.equal((await request("PROPFIND", http("/echo"))).json().method, "PROPFIND");
  const h = await head(http("/echo"));
  assert.equal(h.statusCode, 200);
  assert.equal(h.content.length, 0);
  for (const method of ["get", "post", "put", "patch", "delete", "del", "options"]) {
    const r = await client[method]("/echo");
    assert.equal(r.json().method, method === "del" ? "DELETE" : method.toUpperCase());
  }
  assert.equal((await client.request("PATCH", "/echo")).json().method, "PATCH");
  assert.equal(typeof httplib.options, "function");
});

test("params: objects, repeated values, URLSearchParams, and the URL's own query", async () => {
  const a = await get(http("/echo?x=1"), { params: { tag: ["a", "b"], on: true, skipped: undefined } });
  assert.deepEqual(a.json().args, { x: "1", tag: ["a", "b"], on: "true" });
  const b = await get(http("/echo"), { params: new URLSearchParams([["k", "v w"], ["k", "&"]]) });
  assert.deepEqual(b.json().args, { k: ["v w", "&"] });
  assert.equal(b.url, http("/echo?k=v+w&k=%26"));
});

test("headers: request headers replace the client's defaults of the same name", async () => {
  const client = new Client({ headers: { "X-Default": "client", "X-Keep": "kept" } });
  const r = await client.get(http("/echo"), { headers: new Headers({ "x-default": "request" }) });
  const headers = r.json().headers;
  assert.equal(headers["x-default"], "request");
  assert.equal(headers["x-keep"], "kept");
  assert.match(headers["user-agent"], /^httplib\//);
  await assert.rejects(get(http("/echo"), { headers: { "X-Bad": "a\r\nInjected: yes" } }), (e) => {
    assert.ok(e instanceof HttplibError);
    assert.ok(!(e instanceof RequestError));
    assert.equal(e.kind, "Builder");
    return true;
  });
});

test("json body: serialized by JS's JSON, with Content-Type unless one is set", async () => {
  const d = { name: "ada", tags: ["x"], n: 1.5, nested: { ok: true } };
  const r = await post(http("/echo"), { json: d });
  assert.deepEqual(r.json().json, d);
  assert.equal(r.json().headers["content-type"], "application/json");
  const own = await post(http("/echo"), { json: [1], headers: { "content-type": "application/vnd.x+json" } });
  assert.equal(own.json().headers["content-type"], "application/vnd.x+json");
});

test("form body (data): urlencoded", async () => {
  const r = await post(http("/echo"), { data: { key: "value", many: ["1", "2"], sp: "a b&c" } });
  const body = r.json();
  assert.equal(body.headers["content-type"], "application/x-www-form-urlencoded");
  assert.deepEqual(body.form, { key: "value", many: ["1", "2"], sp: "a b&c" });
});

test("multipart body (files): Blob, File, bytes, [filename, content, type], with data fields", async () => {
  const bytes = new Uint8Array([0, 1, 2, 255]);
  const r = await post(http("/echo"), {
    data: { title: "holiday" },
    files: {
      photo: new File([bytes], "a.png", { type: "image/png" }),
      blob: new Blob(["hello"], { type: "text/plain" }),
      raw: bytes,
      tuple: ["notes.txt", "some notes", "text/plain"],
      untyped: ["a.png", bytes],
    },
  });
  const body = r.json();
  assert.match(body.headers["content-type"], /^multipart\/form-data; boundary=/);
  assert.deepEqual(body.fields, { title: "holiday" });
  assert.equal(body.files.photo.filename, "a.png");
  assert.equal(body.files.photo.content_type, "image/png");
  assert.equal(body.files.photo.size, 4);
  assert.equal(body.files.blob.content_type, "text/plain");
  assert.equal(body.files.blob.size, 5);
  assert.equal(body.files.raw.filename, "raw");
  assert.equal(body.files.raw.size, 4);
  assert.equal(body.files.tuple.filename, "notes.txt");
  assert.equal(body.files.tuple.size, 10);
  // No type given: application/octet-stream, as FormData sends a Blob without one (the
  // package guesses nothing from the name).
  assert.equal(body.files.untyped.filename, "a.png");
  assert.equal(body.files.untyped.content_type, "application/octet-stream");
  const fd = new FormData();
  fd.append("field", "v");
  fd.append("upload", new Blob(["xyz"]), "x.bin");
  const viaFormData = (await post(http("/echo"), { data: fd })).json();
  assert.deepEqual(viaFormData.fields, { field: "v" });
  assert.equal(viaFormData.files.upload.filename, "x.bin");
  assert.equal(viaFormData.files.upload.size, 3);
});

test("content: raw text and bytes, never form-encoded, no Content-Type added", async () => {
  const text = (await post(http("/echo"), { content: "a=b&c" })).json();
  assert.equal(text.body, "a=b&c");
  assert.equal(text.form, null);
  assert.equal(text.headers["content-type"], undefined);
  const bytes = new Uint8Array([1, 2, 3, 250]);
  for (const content of [bytes, bytes.buffer, new Blob([bytes]), new DataView(bytes.buffer)]) {
    const r = (await put(http("/echo"), { content })).json();
    assert.equal(r.body_base64, Buffer.from(bytes).toString("base64"));
  }
  const streamed = new ReadableStream({
    start(c) {
      c.enqueue(new Uint8Array([104, 105]));
      c.close();
    },
  });
  assert.equal((await post(http("/echo"), { content: streamed })).json().body, "hi");
});

test("content from a ReadableStream is streamed as it is read (Node); a failing one is a Write error", async () => {
  let pulls = 0;
  const streamed = new ReadableStream({
    pull(c) {
      if (++pulls > 4) return c.close();
      c.enqueue(new TextEncoder().encode(`part ${pulls};`));
    },
  });
  const r = (await post(http("/echo"), { content: streamed })).json();
  assert.equal(r.body, "part 1;part 2;part 3;part 4;");
  assert.equal(r.headers["transfer-encoding"], "chunked");
  assert.equal(r.headers["content-length"], undefined);

  const failing = new ReadableStream({
    start(c) {
      c.enqueue(new Uint8Array([1]));
      c.error(new Error("the source went away"));
    },
  });
  const locked = new ReadableStream();
  locked.getReader();
  await assert.rejects(post(http("/echo"), { content: locked }), (e) => {
    assert.ok(e instanceof HttplibError && !(e instanceof RequestError), String(e));
    assert.equal(e.kind, "Builder");
    assert.match(e.message, /locked/);
    return true;
  });
  await assert.rejects(post(http("/echo"), { content: failing }), (e) => {
    assert.ok(e instanceof RequestError, String(e));
    assert.equal(e.kind, "Write");
    assert.match(e.message, /the source went away/);
    return true;
  });
});

test("text is decoded in the declared charset, strictly; json() of a non-JSON body is a Decode error", async () => {
  assert.equal((await get(http("/encoding/latin1"))).text, "café");
  assert.equal((await get(http("/encoding/utf8"))).text, "café");
  const bad = await get(http("/bytes/300"), { headers: {} });
  assert.throws(() => bad.text, (e) => e instanceof RequestError && e.kind === "Decode");
  const notJson = await get(http("/encoding/utf8"));
  assert.throws(() => notJson.json(), (e) => {
    assert.ok(e instanceof RequestError);
    assert.equal(e.kind, "Decode");
    assert.match(e.message, /not the JSON expected/);
    assert.ok(e.cause instanceof SyntaxError);
    return true;
  });
});

test("base URL is a prefix; an absolute URL is used as it is; URL objects work", async () => {
  const client = new Client({ baseUrl: http("/anything/v1") });
  assert.equal((await client.get("/items")).json().path, "/anything/v1/items");
  assert.equal((await client.get(new URL(http("/echo")))).json().path, "/echo");
});

test("HTTPS against the test server's CA (NODE_EXTRA_CA_CERTS)", { skip: !https }, async () => {
  const r = await get(https("/echo"));
  assert.equal(r.statusCode, 200);
  assert.equal(r.json().method, "GET");
});
