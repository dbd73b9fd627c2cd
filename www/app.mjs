// The demo page: httplib's npm package, imported as "httplib" (the import map in index.html
// points at its browser entry point), against the project's test server.
import { Client, HTTPStatusError, HttplibError } from "httplib";

const $ = (id) => document.getElementById(id);
const config = await (await fetch("/config.json")).json();
const server = config.server;
$("server").textContent = server;
$("url").value = `${server}/echo?hello=world`;
$("body").value = JSON.stringify({ name: "ada", langs: ["rust", "js"] });

// One client for the page. In a browser the browser owns cookies and connections.
const client = new Client({ baseUrl: server, timeout: { timeout: 10 } });

const ms = (t) => (t < 1000 ? `${t.toFixed(0)} ms` : `${(t / 1000).toFixed(2)} s`);
const mib = (n) => `${(n / 1048576).toFixed(2)} MiB`;
const describe = (e) =>
  e instanceof HttplibError ? `${e.name} (kind ${e.kind}): ${e.message}` : `${e?.name ?? "Error"}: ${e?.message ?? e}`;
const badgeClass = (r) => (r.isSuccess ? "ok" : r.isRedirect ? "redirect" : "fail");

function cells(row, values, classes = []) {
  const tr = document.createElement("tr");
  values.forEach((v, i) => {
    const td = document.createElement(row === "head" ? "th" : "td");
    td.textContent = v;
    if (classes[i]) td.className = classes[i];
    tr.append(td);
  });
  return tr;
}

// ----------------------------------------------------------------------- 1. request form

function headerLines(text) {
  const out = [];
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    const at = line.indexOf(":");
    if (at <= 0) throw new Error(`not a header line: ${line}`);
    out.push([line.slice(0, at).trim(), line.slice(at + 1).trim()]);
  }
  return out;
}

$("request-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const button = $("send");
  button.disabled = true;
  $("request-error").hidden = true;
  $("result").hidden = true;
  try {
    const method = $("method").value;
    const body = $("body").value;
    const r = await client.request(method, $("url").value, {
      headers: headerLines($("headers").value),
      content: body && method !== "GET" && method !== "HEAD" ? body : undefined,
      followRedirects: $("follow").checked,
    });
    $("status").textContent = `${r.statusCode} ${r.reasonPhrase}`;
    $("status").className = `badge ${badgeClass(r)}`;
    $("version").textContent = r.httpVersion;
    $("timing").textContent = ms(r.elapsed);
    const table = $("response-headers");
    table.replaceChildren(cells("head", ["name", "value"]));
    for (const [name, value] of r.headers) table.append(cells("body", [name, value]));
    let text = r.text;
    if ((r.headers.get("content-type") ?? "").includes("json")) text = JSON.stringify(r.json(), null, 2);
    $("response-body").textContent = text || "(empty body)";
    $("result").hidden = false;
  } catch (e) {
    $("request-error").textContent = describe(e);
    $("request-error").hidden = false;
  } finally {
    button.disabled = false;
  }
});

// ---------------------------------------------------------------------------- 2. fan-out

$("fanout-run").addEventListener("click", async () => {
  const button = $("fanout-run");
  button.disabled = true;
  const n = Math.max(3, Math.min(50, Number($("fanout-count").value) || 12));
  // Most succeed after a short delay; one is a 503 refused by raiseForStatus, one times out.
  const jobs = Array.from({ length: n }, (_, i) => {
    if (i === 1) return { path: "/status/503", run: () => client.get("/status/503").then((r) => r.raiseForStatus()) };
    // Only a read limit: fetch bounds the wait for the head by the largest limit set.
    if (i === 2) return { path: "/delay/3 (read timeout 0.5 s)", run: () => client.get("/delay/3", { timeout: { timeout: null, read: 0.5 } }) };
    const delay = (0.1 + (i % 4) * 0.1).toFixed(1);
    return { path: `/delay/${delay}?i=${i}`, run: () => client.get(`/delay/${delay}`, { params: { i } }) };
  });
  const table = $("fanout-table");
  table.replaceChildren(cells("head", ["#", "request", "outcome", "time"]));
  $("fanout-summary").textContent = `running ${n} requests…`;
  const started = performance.now();
  const results = await Promise.allSettled(
    jobs.map(async (job) => {
      const t0 = performance.now();
      try {
        const r = await job.run();
        return { r, time: performance.now() - t0 };
      } catch (e) {
        e.time = performance.now() - t0;
        throw e;
      }
    }),
  );
  const wall = performance.now() - started;
  let ok = 0;
  let sum = 0;
  results.forEach((result, i) => {
    const row = result.status === "fulfilled"
      ? [String(i), jobs[i].path, `${result.value.r.statusCode} ${result.value.r.reasonPhrase}`, ms(result.value.time)]
      : [String(i), jobs[i].path, `${result.reason.name} · ${result.reason.kind}`, ms(result.reason.time)];
    const good = result.status === "fulfilled";
    ok += good ? 1 : 0;
    sum += good ? result.value.time : result.reason.time;
    table.append(cells("body", row, ["num", "", good ? "ok" : "fail", "num"]));
  });
  const summary = $("fanout-summary");
  summary.textContent = `${n} requests · ${ok} ok · ${n - ok} failed · wall time ${ms(wall)} · sum of their times ${ms(sum)}`;
  summary.dataset.ok = String(ok);
  summary.dataset.failed = String(n - ok);
  summary.dataset.statusErrors = String(results.filter((r) => r.reason instanceof HTTPStatusError).length);
  button.disabled = false;
});

// -------------------------------------------------------------------- 3. streamed download

let downloading = null;
$("download-cancel").addEventListener("click", () => downloading?.abort(new DOMException("cancelled by the user", "AbortError")));

$("download-run").addEventListener("click", async () => {
  const button = $("download-run");
  const cancel = $("download-cancel");
  button.disabled = true;
  cancel.disabled = false;
  const status = $("download-status");
  const progress = $("download-progress");
  delete status.dataset.done;
  delete status.dataset.cancelled;
  const chunks = Number($("download-chunks").value) || 40;
  const chunkSize = (Number($("download-size").value) || 64) * 1024;
  const interval = Number($("download-interval").value) || 0;
  downloading = new AbortController();
  progress.value = 0;
  try {
    const started = performance.now();
    const s = await client.stream("GET", "/drip", {
      params: { chunks, chunk_size: chunkSize, interval_ms: interval },
      signal: downloading.signal,
      // The package's progress callback: bytes so far, and the total the server announced.
      onDownloadProgress: ({ bytes, total }) => {
        progress.max = total ?? chunks * chunkSize;
        progress.value = bytes;
      },
    });
    s.raiseForStatus();
    const total = Number(s.headers.get("content-length")) || chunks * chunkSize;
    const head = `${s.statusCode} ${s.reasonPhrase} after ${ms(s.elapsed)}`;
    // Chunk by chunk through the package (`s.body` would hand over the fetch stream itself,
    // which the package then no longer watches: no progress, no cancel through `signal`).
    let received = 0;
    for await (const chunk of s.iterBytes()) {
      received += chunk.byteLength;
      status.textContent = `${head} · ${mib(received)} of ${mib(total)}`;
    }
    const took = performance.now() - started;
    status.textContent = `${head} · ${mib(received)} of ${mib(total)} in ${ms(took)} ` +
      `(${mib(received / (took / 1000))}/s) · done`;
    status.dataset.done = String(received);
  } catch (e) {
    status.textContent = describe(e);
    if (downloading.signal.aborted) status.dataset.cancelled = "1";
  } finally {
    button.disabled = false;
    cancel.disabled = true;
    downloading = null;
  }
});

// ---------------------------------------------------------------------- 4. retries and hooks

$("retry-run").addEventListener("click", async () => {
  const button = $("retry-run");
  button.disabled = true;
  const log = $("retry-log");
  const summary = $("retry-summary");
  log.replaceChildren();
  delete summary.dataset.done;
  const note = (text) => {
    const li = document.createElement("li");
    li.textContent = text;
    log.append(li);
  };
  const retrying = new Client({
    baseUrl: server,
    retry: { limit: 2, statuses: [503], backoffLimit: 0.2 },
    hooks: {
      beforeRequest: [(req) => note(`beforeRequest ${req.method} ${new URL(req.url).pathname}`)],
      afterResponse: [(req, res) => note(`afterResponse ${res.statusCode}`)],
      beforeRetry: [(req, err, n) => note(`beforeRetry ${n} after ${err.statusCode ?? err.kind}`)],
    },
  });
  const t0 = performance.now();
  try {
    const code = Number($("retry-status").value) || 503;
    const r = await retrying.get(`/status/${code}`);
    summary.textContent = `${r.statusCode} ${r.reasonPhrase} after ${log.children.length} hook calls in ${ms(performance.now() - t0)}`;
  } catch (e) {
    summary.textContent = describe(e);
  } finally {
    summary.dataset.done = "1";
    button.disabled = false;
  }
});

$("ready").textContent = "ready";
$("ready").className = "done";
document.body.dataset.ready = "1";
