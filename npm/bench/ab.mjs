// A/B comparison of builds of the npm package in one process: each PKG folder (a built
// target/npm/httplib, copied aside) is loaded as its own module instance, and plain fetch
// runs beside them. Rounds interleave the subjects, so machine noise hits all alike. Prints
// medians of wall time and of this process's CPU time per request, sequential and
// concurrent. STUB=1 replaces fetch by a stub that answers at once (stub.mjs): what is
// left is each client's own work, and PROFILE=1 then runs the packages only, for
// `node --cpu-prof` (summarize with cpuprofile-summary.mjs).
// Usage: [STUB=1 [PROFILE=1]] node npm/bench/ab.mjs DIR [DIR...]   (N=1000 ROUNDS=7 by default)
import { http } from "../test/server.mjs";
import { stubFetch } from "./stub.mjs";
import { median } from "./median.mjs";

const N = Number(process.env.N ?? 1000);
const ROUNDS = Number(process.env.ROUNDS ?? 7);
const url = process.env.STUB ? stubFetch() : http("/bytes/100");
const plain = async () => new Uint8Array(await (await fetch(url)).arrayBuffer());
const subjects = process.env.PROFILE ? {} : { fetch: plain };
for (const dir of process.argv.slice(2)) {
  const lib = await import(`${dir}/index.node.mjs`);
  const client = new lib.Client();
  subjects[`${dir} Client`] = async () => (await client.get(url)).content;
  if (process.env.GET) subjects[`${dir} get()`] = async () => (await lib.get(url)).content;
}

async function run(fn, concurrent) {
  const cpu = process.cpuUsage();
  const started = performance.now();
  if (concurrent) {
    const bodies = await Promise.all(Array.from({ length: N }, () => fn()));
    if (bodies.some((b) => b.length !== 100)) throw new Error("a short body");
  } else {
    for (let i = 0; i < N; i++) if ((await fn()).length !== 100) throw new Error("a short body");
  }
  const wall = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { wall, cpu: (used.user + used.system) / N, sys: used.system / N };
}

for (const fn of Object.values(subjects)) for (let i = 0; i < 200; i++) await fn();
const results = {};
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, fn] of Object.entries(subjects)) {
    for (const mode of ["sequential", "concurrent"]) {
      const r = await run(fn, mode === "concurrent");
      ((results[name] ??= {})[mode] ??= []).push(r);
    }
  }
}
console.log(`${N} GETs of 100 bytes${process.env.STUB ? " from a stub fetch" : ""}, ${ROUNDS} interleaved rounds, medians, Node ${process.version}`);
console.log(`${"".padEnd(34)} ${"seq ms".padStart(8)} ${"ratio".padStart(6)} ${"us CPU".padStart(7)} ${"(sys)".padStart(6)}   ${"conc ms".padStart(8)} ${"ratio".padStart(6)} ${"us CPU".padStart(7)} ${"(sys)".padStart(6)}`);
for (const [name, byMode] of Object.entries(results)) {
  const cells = ["sequential", "concurrent"].map((mode) => {
    const wall = median(byMode[mode].map((r) => r.wall));
    // The ratio of each round's time to fetch's in the same round, then the median.
    const ratio = results.fetch ? median(byMode[mode].map((r, i) => r.wall / results.fetch[mode][i].wall)) : NaN;
    const cpu = median(byMode[mode].map((r) => r.cpu));
    const sys = median(byMode[mode].map((r) => r.sys));
    return `${wall.toFixed(0).padStart(8)} ${ratio.toFixed(2).padStart(6)} ${cpu.toFixed(0).padStart(7)} ${`(${sys.toFixed(0)})`.padStart(6)}`;
  });
  console.log(`${name.slice(-34).padEnd(34)} ${cells.join("   ")}`);
}
