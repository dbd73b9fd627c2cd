#!/usr/bin/env node
// Node benchmark (not run by CI): N sequential and N concurrent small requests (GET of 100
// bytes from the test server on 127.0.0.1) through the npm package (a Client with the default
// limits, a Client without the in-flight cap, and the one-off `get`), plain `fetch`, and
// `ky`; prints medians of wall time and of each round's ratio to fetch. Rounds interleave
// the subjects, so that the machine's noise hits them alike.
//
// Usage: node npm/bench/run.mjs   (after `node npm/build.mjs`; N=2000 ROUNDS=11 by default; the
// test server: HTTPLIB_TEST_HTTP, or started here, a release build if there is one:
// `cargo build --release -p httplib-testserver`; HTTPLIB_PKG=DIR measures another build of
// the package, e.g. a copy of target/npm/httplib). Every loop is bounded by N and ROUNDS.
import { readFileSync } from "node:fs";
import ky from "ky";
import { http, startedServer } from "../test/server.mjs";
import { median } from "./median.mjs";

const { Client, get } = await import(process.env.HTTPLIB_PKG ? `${process.env.HTTPLIB_PKG}/index.node.mjs` : "httplib");

const N = Number(process.env.N ?? 2000);
const ROUNDS = Number(process.env.ROUNDS ?? 11);
const url = http("/bytes/100");

// The default limits cap requests in flight at 100 (`maxConnections`, as natively); plain
// fetch has no cap, so the concurrent run is also measured without one.
const client = new Client();
const uncapped = new Client({ limits: { maxConnections: null } });
const kyClient = ky.create({ retry: 0, timeout: 5000 });
const subjects = {
  fetch: async () => new Uint8Array(await (await fetch(url)).arrayBuffer()),
  "httplib Client": async () => (await client.get(url)).content,
  "Client, no cap": async () => (await uncapped.get(url)).content,
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

// CPU seconds the test server has used (Linux), to tell whether it bounds the run.
const serverCpu = () => {
  if (!startedServer) return NaN;
  const fields = readFileSync(`/proc/${startedServer.pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks
};
const cpuBefore = { node: process.cpuUsage(), server: serverCpu(), wall: performance.now() };
const times = {};
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, fn] of Object.entries(subjects)) {
    times[name] ??= { sequential: [], concurrent: [] };
    times[name].sequential.push(await sequential(fn));
    times[name].concurrent.push(await concurrent(fn));
  }
}

const wall = (performance.now() - cpuBefore.wall) / 1000;
const nodeCpu = Object.values(process.cpuUsage(cpuBefore.node)).reduce((a, b) => a + b) / 1e6;
const serverShare = (serverCpu() - cpuBefore.server) / wall;
const server = startedServer ? `started here: ${startedServer.binary}` : "from HTTPLIB_TEST_HTTP";
console.log(`\n${N} GETs of 100 bytes from ${url} (test server ${server}), Node ${process.version}`);
console.log(`medians of ${ROUNDS} interleaved rounds; "vs fetch": the median of each round's ratio to fetch`);
console.log(`${"".padEnd(16)} ${"sequential".padStart(12)} ${"req/s".padStart(8)} ${"vs fetch".padStart(9)}   ${"concurrent".padStart(12)} ${"req/s".padStart(8)} ${"vs fetch".padStart(9)}`);
for (const [name, t] of Object.entries(times)) {
  const cell = (mode) => {
    const ms = median(t[mode]);
    const ratio = median(t[mode].map((x, round) => x / times.fetch[mode][round]));
    return `${`${ms.toFixed(0)} ms`.padStart(12)} ${((N / ms) * 1000).toFixed(0).padStart(8)} ${`${ratio.toFixed(2)}x`.padStart(9)}`;
  };
  console.log(`${name.padEnd(16)} ${cell("sequential")}   ${cell("concurrent")}`);
}
// Node runs JS on one thread: near 100% of a core, it is the bound; a server near its own
// limit would make the ratios say little about the clients.
console.log(`CPU over the rounds: this process ${((nodeCpu / wall) * 100).toFixed(0)}% of a core, the test server ${Number.isNaN(serverShare) ? "not measured (not started here)" : `${(serverShare * 100).toFixed(0)}%`}`);
if (startedServer?.binary.includes("/debug/")) {
  console.log("note: a debug test server; it may be what bounds the run (cargo build --release -p httplib-testserver)");
}
