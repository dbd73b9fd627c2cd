// Upload and download progress of the npm package: the crate's progress layer
// (src/layer/progress.rs) calling JS back (node --test).
import assert from "node:assert/strict";
import { test } from "node:test";
import { Client, HttplibError, get, post, stream } from "httplib";
import * as wasm from "../node_modules/httplib/httplib_wasm.js";
import { closed, http } from "./server.mjs";

/** Reports grow from 0 to `last`, the total the same in each. */
function assertMonotone(seen, total, last) {
  assert.ok(seen.length >= 2, `${seen.length} reports`);
  assert.deepEqual(seen[0], { bytes: 0, total });
  assert.deepEqual(seen.at(-1), { bytes: last, total });
  for (let i = 1; i < seen.length; i++) {
    assert.ok(seen[i].bytes >= seen[i - 1].bytes, `report ${i} went back`);
    assert.equal(seen[i].total, total);
  }
}

test("onDownloadProgress: from 0 to the Content-Length; total undefined when not announced", async () => {
  const seen = [];
  const r = await get(http("/bytes/200000"), { onDownloadProgress: (p) => seen.push(p) });
  assert.equal(r.content.length, 200000);
  assertMonotone(seen, 200000, 200000);
  const chunked = [];
  await get(http("/stream-bytes/50000"), { params: { chunk_size: 8192 }, onDownloadProgress: (p) => chunked.push(p) });
  assertMonotone(chunked, undefined, 50000);
});

test("onDownloadProgress on a stream: as the body is read through the front-end", async () => {
  const seen = [];
  const s = await stream("GET", http("/stream-bytes/30000"), { onDownloadProgress: (p) => seen.push(p) });
  assert.deepEqual(seen, [], "nothing before the body is read");
  let n = 0;
  for await (const chunk of s.iterBytes()) {
    n += chunk.length;
    assert.equal(seen.at(-1).bytes, n);
  }
  assertMonotone(seen, undefined, 30000);
});

test("onUploadProgress: from 0 to the body's length, as the body goes out", async () => {
  const seen = [];
  const r = await post(http("/upload-sink"), { content: new Uint8Array(300000), onUploadProgress: (p) => seen.push(p) });
  assert.equal(r.json().received, 300000);
  assertMonotone(seen, 300000, 300000);
  assert.ok(seen.length >= 4, "in slices, not at once");
  // A Blob (read first, then sent in slices), on a client.
  const blob = [];
  const client = new Client();
  await client.post(http("/upload-sink"), { content: new Blob([new Uint8Array(100000)]), onUploadProgress: (p) => blob.push(p) });
  assertMonotone(blob, 100000, 100000);
  // No body: one report, done.
  const none = [];
  await get(http("/echo"), { onUploadProgress: (p) => none.push(p) });
  assert.deepEqual(none, [{ bytes: 0, total: 0 }]);
});

test("a progress callback that throws fails the request, with what it threw as the cause", async () => {
  const boom = new Error("boom");
  const fail = (p) => {
    if (p.bytes > 0) throw boom;
  };
  const check = (what) => (e) => {
    assert.ok(e instanceof HttplibError);
    assert.equal(e.kind, "Builder");
    assert.equal(e.cause, boom);
    assert.match(e.message, new RegExp(`^invalid request: the ${what} callback threw: boom`));
    return true;
  };
  await assert.rejects(get(http("/bytes/100000"), { onDownloadProgress: fail }), check("onDownloadProgress"));
  await assert.rejects(post(http("/upload-sink"), { content: new Uint8Array(200000), onUploadProgress: fail }), check("onUploadProgress"));
  const s = await stream("GET", http("/stream-bytes/40000"), { onDownloadProgress: fail });
  await assert.rejects(s.read(), check("onDownloadProgress"));
  await assert.rejects(get(http("/echo"), { onUploadProgress: 1 }), (e) => e.kind === "Builder");
});

test("nothing is left behind: the callbacks' registry is empty once requests are over", async () => {
  const onDownloadProgress = () => {};
  const onUploadProgress = () => {};
  const client = new Client();
  for (let i = 0; i < 20; i++) {
    await client.post(http("/echo"), { content: "x".repeat(i * 1000), onUploadProgress, onDownloadProgress });
    await (await client.stream("GET", http("/bytes/20000"), { onDownloadProgress })).read();
    (await client.stream("GET", http("/stream-bytes/100000"), { onDownloadProgress })).close();
    const s = await client.stream("GET", http("/bytes/1000"), { onDownloadProgress });
    for await (const _ of s.iterBytes()) break;
    await assert.rejects(client.get(closed, { onDownloadProgress }));
    await assert.rejects(client.get(http("/bytes/5000"), { onDownloadProgress: () => { throw new Error("x"); } }));
  }
  await Promise.all(Array.from({ length: 50 }, () => get(http("/bytes/3000"), { onDownloadProgress })));
  assert.equal(wasm.liveCallbacks(), 0);
});
