#!/usr/bin/env node
// Node benchmark (not run by CI): N sequential and N concurrent small requests (GET of 100
// bytes from the test server on 127.0.0.1) through the npm package (a Client, and the
// one-off `get`), plain `fetch`, and `ky`; prints times and ratios to fetch.
//
// Usage: node npm/bench/run.mjs   (after `node npm/build.mjs`; N=2000 ROUNDS=3 by default; the
// test server: HTTPLIB_TEST_HTTP, or started here; HTTPLIB_PKG=DIR measures another build
// of the package, e.g. a copy of target/npm/httplib). Every loop is bounded by N and ROUNDS.
import ky from "ky";
import { http } from "../test/server.mjs";

const { Client, get } = await import(process.env.HTTPLIB_PKG ? `${process.env.HTTPLIB_PKG}/index.node.mjs` : "httplib");

const N = Number(process.env.N ?? 2000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const url = http("/bytes/100");

const client = new Client();
const kyClient = ky.create({ retry: 0, timeout: 5000 });
const subjects = {
  fetch: async () => new Uint8Array(await (await fetch(url)).arrayBuffer()),
  "httplib Client": async () => (await client.get(url)).content,
  "httplib get()": async () => (await get(url)).content,
  ky: async () => new Uint8Array(await kyClient.get(url).arrayBuffer()),
};

async function sequential(fn) {
  const started = performance.now();
  for (let i = 0; i < N; i++) {
    const body = await fn();
    if (body.length !== 100) throw new Error(`got ${body.length} bytes`);
  }
  return performance.now() - started;
}

async function concurrent(fn) {
  const started = performance.now();
  const bodies = await Promise.all(Array.from({ length: N }, () => fn()));
  if (bodies.some((b) => b.length !== 100)) throw new Error("a short body");
  return performance.now() - started;
}

// Warm up every subject (JIT, wasm, connections).
for (const fn of Object.values(subjects)) for (let i = 0; i < 200; i++) await fn();

const best = {};
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, fn] of Object.entries(subjects)) {
    best[name] ??= { sequential: Infinity, concurrent: Infinity };
    best[name].sequential = Math.min(best[name].sequential, await sequential(fn));
    best[name].concurrent = Math.min(best[name].concurrent, await concurrent(fn));
  }
}

console.log(`\n${N} GETs of 100 bytes from ${url}, Node ${process.version}, best of ${ROUNDS} rounds`);
console.log(`${"".padEnd(16)} ${"sequential".padStart(12)} ${"req/s".padStart(8)} ${"vs fetch".padStart(9)}   ${"concurrent".padStart(12)} ${"req/s".padStart(8)} ${"vs fetch".padStart(9)}`);
for (const [name, t] of Object.entries(best)) {
  const row = (ms, base) => `${`${ms.toFixed(0)} ms`.padStart(12)} ${((N / ms) * 1000).toFixed(0).padStart(8)} ${`${(ms / base).toFixed(2)}x`.padStart(9)}`;
  console.log(`${name.padEnd(16)} ${row(t.sequential, best.fetch.sequential)}   ${row(t.concurrent, best.fetch.concurrent)}`);
}
