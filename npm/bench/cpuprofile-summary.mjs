// Summarizes a .cpuprofile (node --cpu-prof): self time by function, and total (inclusive)
// time by function, top N. Usage: node npm/bench/cpuprofile-summary.mjs FILE [N]
import { readFileSync } from "node:fs";

const [file, topArg] = process.argv.slice(2);
const top = Number(topArg ?? 30);
const profile = JSON.parse(readFileSync(file, "utf8"));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const self = new Map();
for (let i = 0; i < profile.samples.length; i++) {
  const dt = profile.timeDeltas[i] ?? 0;
  self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + dt);
}
const name = (n) => {
  const f = n.callFrame;
  const where = f.url ? `${f.url.split("/").slice(-1)[0]}:${f.lineNumber + 1}` : "";
  return `${f.functionName || "(anonymous)"} ${where}`.trim();
};
const selfBy = new Map();
const totalBy = new Map();
let total = 0;
for (const [id, t] of self) {
  total += t;
  const n = byId.get(id);
  selfBy.set(name(n), (selfBy.get(name(n)) ?? 0) + t);
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const k = name(byId.get(cur));
    if (seen.has(k)) continue;
    seen.add(k);
    totalBy.set(k, (totalBy.get(k) ?? 0) + t);
  }
}
const show = (title, m) => {
  console.log(`\n${title} (of ${(total / 1000).toFixed(0)} ms sampled)`);
  for (const [k, t] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${(t / 1000).toFixed(0).padStart(7)} ms ${((100 * t) / total).toFixed(1).padStart(5)}%  ${k}`);
  }
};
// Self time by where the code lives: the wasm, the wasm-bindgen glue, the snippets, the
// wrapper, GC, idle, and the rest (Node and undici).
const group = (k) => {
  if (/\.wasm-|^wasm-function|^js-to-wasm|^wasm-to-js/.test(k)) return "wasm (Rust, and its import/export shims)";
  if (k.includes("httplib_wasm.js")) return "wasm-bindgen glue (httplib_wasm.js)";
  if (k.includes("inline")) return "snippets (inline*.js)";
  if (k.includes("httplib.mjs")) return "wrapper (httplib.mjs)";
  if (k.startsWith("(garbage collector)")) return "garbage collector";
  if (k.startsWith("(idle)")) return "idle";
  return "Node, undici, the rest";
};
const groups = new Map();
for (const [k, t] of selfBy) groups.set(group(k), (groups.get(group(k)) ?? 0) + t);
show("self time by place", groups);
show("self time", selfBy);
show("total time", totalBy);
