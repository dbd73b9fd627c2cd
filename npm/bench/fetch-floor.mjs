// The floor of this design in Node, in plain JS (no wasm): what the fetch backend asks of
// the platform per request (a Headers object, an AbortController's signal, redirect
// "manual", a head timer, a reader and its reads), one piece added at a time, against plain
// fetch + arrayBuffer(). CPU microseconds per request, medians of interleaved rounds.
// Usage: node npm/bench/fetch-floor.mjs   (test server: HTTPLIB_TEST_HTTP, or started here)
import { http } from "../test/server.mjs";
import { median } from "./median.mjs";

const N = Number(process.env.N ?? 500);
const ROUNDS = Number(process.env.ROUNDS ?? 15);
const url = http("/bytes/100");
const CONCURRENT = Boolean(process.env.CONCURRENT);

const headers = () => {
  const h = new Headers();
  h.append("user-agent", "httplib/0.1.0");
  h.append("accept", "*/*");
  return h;
};
async function readAll(body) {
  const reader = body.getReader();
  const chunks = [];
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return chunks;
    chunks.push(value);
  }
}
// As the fetch backend's JS side does it: controllers reused (Node), a head timer cleared
// when the head is in.
const spare = [];
function controller() {
  const c = spare.pop() ?? new AbortController();
  c.uses ??= 0;
  return c;
}
function release(c) {
  if (!c.signal.aborted && ++c.uses < 32 && spare.length < 1024) spare.push(c);
}
async function withTimer(p, controller) {
  const timer = setTimeout(() => controller.abort(null), 15000);
  const r = await p;
  clearTimeout(timer);
  return r;
}
const variants = {
  "fetch + arrayBuffer()": async () => (await fetch(url)).arrayBuffer(),
  "+ Headers (2)": async () => (await fetch(url, { headers: headers() })).arrayBuffer(),
  "+ redirect manual": async () => (await fetch(url, { headers: headers(), redirect: "manual" })).arrayBuffer(),
  "+ a new signal each": async () => {
    const c = new AbortController();
    return (await fetch(url, { headers: headers(), redirect: "manual", signal: c.signal })).arrayBuffer();
  },
  "+ signals reused instead": async () => {
    const c = controller();
    const b = await (await fetch(url, { headers: headers(), redirect: "manual", signal: c.signal })).arrayBuffer();
    release(c);
    return b;
  },
  "+ head timer": async () => {
    const c = controller();
    const b = await (await withTimer(fetch(url, { headers: headers(), redirect: "manual", signal: c.signal }), c)).arrayBuffer();
    release(c);
    return b;
  },
  "+ reader instead of arrayBuffer": async () => {
    const c = controller();
    const b = await readAll((await withTimer(fetch(url, { headers: headers(), redirect: "manual", signal: c.signal }), c)).body);
    release(c);
    return b;
  },
  "+ headers read out": async () => {
    const c = controller();
    const r = await withTimer(fetch(url, { headers: headers(), redirect: "manual", signal: c.signal }), c);
    let s = `${r.status} ${r.url}`;
    for (const [k, v] of r.headers) s += `\n${k}\n${v}`;
    r.headers.getSetCookie();
    const b = await readAll(r.body);
    release(c);
    return b;
  },
};

for (const fn of Object.values(variants)) for (let i = 0; i < 100; i++) await fn();
const results = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, fn] of Object.entries(variants)) {
    const cpu = process.cpuUsage();
    if (CONCURRENT) await Promise.all(Array.from({ length: N }, fn));
    else for (let i = 0; i < N; i++) await fn();
    const used = process.cpuUsage(cpu);
    results[name].push((used.user + used.system) / N);
  }
}
const base = median(results["fetch + arrayBuffer()"]);
console.log(`${N} ${CONCURRENT ? "concurrent" : "sequential"} GETs per variant and round, ${ROUNDS} rounds, Node ${process.version}: CPU us/request, median`);
for (const [name, xs] of Object.entries(results)) {
  const m = median(xs);
  console.log(`${name.padEnd(34)} ${m.toFixed(0).padStart(5)} us  ${(m / base).toFixed(2)}x`);
}
