// Runs a wasm32-wasip2 test binary (a command component) under jco, one process per test:
// wasm32 panics abort, so one failing test would otherwise end the run. The component is
// transpiled once; each test then runs in a fresh Node process with a time limit.
//
// Usage: node tests/wasi/run.mjs COMPONENT.wasm [FILTER]
// Prints libtest's "test NAME ... ok" lines (scripts/target_table.py reads them) and ends
// with "N passed, N failed"; exits non-zero if any test failed or none ran.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const [component, filter] = process.argv.slice(2);
if (!component) {
  console.error("usage: node tests/wasi/run.mjs COMPONENT.wasm [FILTER]");
  process.exit(2);
}
const here = dirname(fileURLToPath(import.meta.url));
const jco = join(here, "node_modules", "@bytecodealliance", "jco", "dist", "jco.js");
const out = mkdtempSync(join(tmpdir(), "httplib-wasi-"));
// One test may take up to this long (the slowest timeout tests take a few seconds).
const LIMIT_MS = 60_000;

try {
  // Transpiling happens here, once; `--list` makes the run itself cheap.
  const listed = spawnSync(
    process.execPath,
    [jco, "run", "--jco-dir", out, component, "--list", "--format", "terse"],
    { encoding: "utf8", cwd: here },
  );
  if (listed.status !== 0) {
    process.stderr.write(listed.stdout + listed.stderr);
    throw new Error(`listing the tests of ${component} failed`);
  }
  const names = listed.stdout
    .split("\n")
    .filter((line) => line.endsWith(": test"))
    .map((line) => line.slice(0, -": test".length))
    .filter((name) => !filter || name.includes(filter));
  let passed = 0;
  const failed = [];
  for (const name of names) {
    const started = Date.now();
    const run = spawnSync(
      process.execPath,
      [join(out, "_run.js"), "--exact", name, "--nocapture", "--test-threads=1"],
      { encoding: "utf8", cwd: here, timeout: LIMIT_MS },
    );
    const ms = Date.now() - started;
    if (run.status === 0 && /test result: ok\. 1 passed/.test(run.stdout)) {
      passed += 1;
      console.log(`test ${name} ... ok`);
    } else {
      failed.push(name);
      const why = run.error ? `${run.error.message}` : `exit ${run.status}`;
      console.log(`test ${name} ... FAILED (${why}, ${ms} ms)`);
      const output = (run.stdout + run.stderr)
        .split("\n")
        .filter((line) => !line.startsWith("    at "))
        .join("\n");
      console.log(output.trim().replace(/^/gm, "    | "));
    }
  }
  if (failed.length) console.log(`\nfailed:\n  ${failed.join("\n  ")}`);
  console.log(`\n${passed} passed, ${failed.length} failed`);
  process.exitCode = failed.length || !names.length ? 1 : 0;
} finally {
  rmSync(out, { recursive: true, force: true });
}
