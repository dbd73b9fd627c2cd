// Drives the demo page in real headless Chromium (Debian's /usr/bin/chromium through
// playwright-core, a fresh profile) against the test server: the request form, the fan-out,
// the streamed download (its progress bar and Cancel), retries and hooks; saves a screenshot to target/www/demo.png.
//
// Usage: node --test www/test.mjs   (after `node npm/build.mjs`; the test server:
// HTTPLIB_TEST_HTTP, or started here). CHROMIUM overrides the browser's path.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";

import { closed, http } from "../npm/test/server.mjs";
import { serve } from "./serve.mjs";

// playwright-core is a dev dependency of npm/ (npm ci there).
const { chromium } = createRequire(new URL("../npm/package.json", import.meta.url))("playwright-core");

const screenshot = fileURLToPath(new URL("../target/www/demo.png", import.meta.url));
const profile = mkdtempSync(join(tmpdir(), "httplib-www-"));
let site, context, page;
const problems = [];

before(async () => {
  site = await serve({ config: { server: http(""), closed } });
  context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    viewport: { width: 1100, height: 900 },
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
    ],
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  // The browser logs each failed load; the demo fails some on purpose (a refused
  // connection, a 503): those are checked where they happen, everything else is a problem.
  page.on("console", (m) => {
    if (m.type() === "error" && !/^Failed to load resource: (net::ERR_CONNECTION_REFUSED|the server responded with a status of 503)/.test(m.text())) {
      problems.push(`console error: ${m.text()}`);
    }
  });
  await page.goto(site.url);
  await page.waitForSelector("body[data-ready='1']", { timeout: 15000 });
});

after(async () => {
  await context?.close();
  await site?.close();
  rmSync(profile, { recursive: true, force: true });
});

test("the package loads in the page through its browser entry point", async () => {
  assert.equal(await page.textContent("#ready"), "ready");
  assert.equal(await page.textContent("#server"), http(""));
});

test("request form: a refused connection shows the RequestError", async () => {
  await page.selectOption("#method", "GET");
  await page.fill("#url", closed);
  await page.click("#send");
  await page.waitForSelector("#request-error:not([hidden])");
  const text = await page.textContent("#request-error");
  assert.match(text, /^RequestError \(kind Connect\): connection failed: fetch of /);
  assert.ok(!text.includes("JsValue"));
});

test("request form: redirects in a browser: not followed is an honest OpaqueRedirect; followed works", async () => {
  await page.selectOption("#method", "GET");
  await page.fill("#url", http("/redirect/1"));
  await page.click("#send");
  await page.waitForSelector("#request-error:not([hidden])");
  assert.match(await page.textContent("#request-error"), /^RequestError \(kind OpaqueRedirect\): /);
  await page.check("#follow");
  await page.click("#send");
  await page.waitForSelector("#result:not([hidden])");
  assert.equal(await page.textContent("#status"), "200 OK");
  assert.equal(JSON.parse(await page.textContent("#response-body")).path, "/echo");
  await page.uncheck("#follow");
});

test("request form: method, URL, headers and body; shows status, headers, version, timing, body", async () => {
  await page.selectOption("#method", "POST");
  await page.fill("#url", http("/echo?hello=world"));
  await page.fill("#headers", "X-Demo: yes\nX-Other: 2");
  await page.fill("#body", '{"name":"ada","langs":["rust","js"]}');
  await page.click("#send");
  await page.waitForSelector("#result:not([hidden])");
  assert.equal(await page.textContent("#status"), "200 OK");
  // Chromium tells the version through resource timing (the server sends Timing-Allow-Origin).
  assert.equal(await page.textContent("#version"), "HTTP/1.1");
  assert.match(await page.textContent("#timing"), /^\d+ ms$|^\d+\.\d+ s$/);
  const headers = await page.textContent("#response-headers");
  assert.match(headers, /content-type\s*application\/json/);
  const echoed = JSON.parse(await page.textContent("#response-body"));
  assert.equal(echoed.method, "POST");
  assert.deepEqual(echoed.args, { hello: "world" });
  assert.equal(echoed.headers["x-demo"], "yes");
  assert.equal(echoed.headers["x-other"], "2");
  assert.deepEqual(JSON.parse(echoed.body), { name: "ada", langs: ["rust", "js"] });
});

test("fan-out: every request settles; the two meant to fail fail with their kinds", async () => {
  await page.fill("#fanout-count", "12");
  await page.click("#fanout-run");
  await page.waitForSelector("#fanout-summary[data-ok]", { timeout: 20000 });
  const summary = page.locator("#fanout-summary");
  assert.equal(await summary.getAttribute("data-ok"), "10");
  assert.equal(await summary.getAttribute("data-failed"), "2");
  assert.equal(await summary.getAttribute("data-status-errors"), "1");
  const rows = await page.$$eval("#fanout-table tr", (trs) => trs.slice(1).map((tr) => tr.children[2].textContent));
  assert.equal(rows.length, 12);
  assert.equal(rows[1], "HTTPStatusError · Status");
  assert.equal(rows[2], "RequestError · ReadTimeout");
  assert.ok(rows.filter((r) => r === "200 OK").length === 10);
});

test("streamed download: the progress bar (onDownloadProgress) fills as the body streams in", async () => {
  await page.fill("#download-chunks", "40");
  await page.fill("#download-size", "64");
  await page.fill("#download-interval", "25");
  await page.click("#download-run");
  // Part way through, the bar shows progress short of the total.
  await page.waitForFunction(() => {
    const p = document.getElementById("download-progress");
    return p.value > 0 && p.value < p.max;
  });
  await page.waitForSelector("#download-status[data-done]", { timeout: 20000 });
  const total = 40 * 64 * 1024;
  assert.equal(await page.getAttribute("#download-status", "data-done"), String(total));
  const { value, max } = await page.$eval("#download-progress", (p) => ({ value: p.value, max: p.max }));
  assert.equal(value, total);
  assert.equal(max, total);
  assert.match(await page.textContent("#download-status"), /^200 OK after .* · 2\.50 MiB of 2\.50 MiB in .* · done$/);
});

test("streamed download: Cancel aborts the request's signal and the download stops", async () => {
  await page.fill("#download-chunks", "200");
  await page.fill("#download-size", "16");
  await page.fill("#download-interval", "50");
  await page.click("#download-run");
  await page.waitForFunction(() => document.getElementById("download-progress").value > 0);
  await page.click("#download-cancel");
  await page.waitForSelector("#download-status[data-cancelled]", { timeout: 5000 });
  assert.equal(await page.getAttribute("#download-status", "data-done"), null);
  assert.match(await page.textContent("#download-status"), /cancelled by the user|Cancelled|AbortError/);
  const { value, max } = await page.$eval("#download-progress", (p) => ({ value: p.value, max: p.max }));
  assert.ok(value > 0 && value < max, `stopped part way: ${value} of ${max}`);
  assert.ok(await page.isDisabled("#download-cancel"));
});

test("retries and hooks: each attempt, retry and response shows as the hooks see it", async () => {
  await page.fill("#retry-status", "503");
  await page.click("#retry-run");
  await page.waitForSelector("#retry-summary[data-done]", { timeout: 10000 });
  const log = await page.$$eval("#retry-log li", (lis) => lis.map((li) => li.textContent));
  assert.deepEqual(log, [
    "beforeRequest GET /status/503",
    "afterResponse 503",
    "beforeRetry 1 after 503",
    "beforeRequest GET /status/503",
    "afterResponse 503",
    "beforeRetry 2 after 503",
    "beforeRequest GET /status/503",
    "afterResponse 503",
  ]);
  assert.match(await page.textContent("#retry-summary"), /^503 Service Unavailable after 8 hook calls in /);
  await page.fill("#retry-status", "200");
  await page.click("#retry-run");
  await page.waitForFunction(() => document.querySelectorAll("#retry-log li").length === 2);
  await page.waitForSelector("#retry-summary[data-done]");
  assert.match(await page.textContent("#retry-summary"), /^200 OK after 2 hook calls/);
});

test("in the page, a stream's body is the fetch body itself (a byte stream, BYOB-readable)", async () => {
  const result = await page.evaluate(async (url) => {
    const { stream } = await import("httplib");
    const s = await stream("GET", url);
    const reader = s.body.getReader({ mode: "byob" });
    let n = 0;
    for (;;) {
      const { value, done } = await reader.read(new Uint8Array(4096));
      if (done) return n;
      n += value.byteLength;
    }
  }, http("/stream-bytes/20000"));
  assert.equal(result, 20000);
});

test("in the page: retries, hooks, a signal and download progress work in the browser too", async () => {
  const result = await page.evaluate(async (server) => {
    const { Client, get } = await import("httplib");
    const events = [];
    const client = new Client({
      retry: { limit: 2, statuses: [503], backoffLimit: 0 },
      hooks: {
        afterResponse: [(req, res) => events.push(res.statusCode)],
        beforeRetry: [(req, err, n) => events.push(`retry ${n} after ${err.statusCode}`)],
      },
    });
    const retried = (await client.get(`${server}/status/503`)).statusCode;
    let cancelled;
    try {
      await get(`${server}/delay/5`, { signal: AbortSignal.timeout(100), timeout: null });
    } catch (e) {
      cancelled = [e.name, e.kind, e.cause?.name];
    }
    const seen = [];
    const r = await get(`${server}/bytes/100000`, { onDownloadProgress: (p) => seen.push(p) });
    const growing = seen.every((p, i) => i === 0 || p.bytes >= seen[i - 1].bytes);
    return { retried, events, cancelled, length: r.content.length, first: seen[0], last: seen.at(-1), growing };
  }, http(""));
  assert.equal(result.retried, 503);
  assert.deepEqual(result.events, [503, "retry 1 after 503", 503, "retry 2 after 503", 503]);
  assert.deepEqual(result.cancelled, ["HttplibError", "Cancelled", "TimeoutError"]);
  assert.equal(result.length, 100000);
  assert.deepEqual(result.first, { bytes: 0, total: 100000 });
  assert.deepEqual(result.last, { bytes: 100000, total: 100000 });
  assert.ok(result.growing);
});

test("in the page: a Unicode host goes out in its ASCII form (the package's wasm has no IDNA tables: the browser's URL maps it)", async () => {
  const result = await page.evaluate(async () => {
    const { Client } = await import("httplib");
    let seen;
    const stop = new Error("seen, not sent");
    const client = new Client({ hooks: { beforeRequest: [(request) => { seen = request.url; throw stop; }] } });
    const kind = await client.get("http://bücher.test/straße?q=ü").then(() => "sent", (e) => e.kind);
    return { seen, kind };
  });
  assert.deepEqual(result, { seen: "http://xn--bcher-kva.test/stra%C3%9Fe?q=%C3%BC", kind: "Builder" });
});

test("no page errors; a screenshot of the whole page", async () => {
  assert.deepEqual(problems, []);
  mkdirSync(fileURLToPath(new URL("../target/www/", import.meta.url)), { recursive: true });
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(`screenshot: ${screenshot}`);
});
