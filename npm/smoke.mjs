// The package's Node entries, used as a user would: the tarball `node npm/build.mjs` packed
// is installed into a fresh directory, and from there
//   - `require("httplib")` (CommonJS, with Node's require(esm) turned off, so that the
//     entry is shown to be CommonJS itself, as Node before 20.19 needs),
//   - `import "httplib"` (the ES module),
// each make a GET to a server on 127.0.0.1 and read its JSON; then TypeScript checks a
// .cts and a .mts file that use the package (the declarations of each entry).
//
// Usage: node npm/smoke.mjs   (after node npm/build.mjs)
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const target = join(here, "..", "target", "npm");
const tarball = readdirSync(target).find((f) => f.endsWith(".tgz"));
if (!tarball) throw new Error(`no tarball in ${target}: run node npm/build.mjs first`);

const dir = mkdtempSync(join(tmpdir(), "httplib-smoke-"));
const run = (command, args) =>
  execFileSync(command, args, { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
// The server runs in a process of its own: execFileSync blocks this one's event loop.
const server = spawn(process.execPath, ["--input-type=module", "-e", `
import { createServer } from "node:http";
const server = createServer((req, res) => {
  res.setHeader("content-type", "application/json");
  res.end(JSON.stringify({ path: req.url }));
});
server.listen(0, "127.0.0.1", () => console.log(server.address().port));`], { stdio: ["ignore", "pipe", "inherit"] });
try {
  const port = await new Promise((resolve, reject) => {
    server.stdout.once("data", (data) => resolve(String(data).trim()));
    server.once("exit", (code) => reject(new Error(`the smoke test's server exited (${code})`)));
  });
  const url = `http://127.0.0.1:${port}/smoke`;

  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "smoke", private: true }));
  run("npm", ["install", "--no-audit", "--no-fund", "--no-save", join(target, tarball)]);

  const use = `const client = new Client();
client.get(${JSON.stringify(url)}).then((r) => console.log(r.statusCode, r.json().path));`;
  writeFileSync(join(dir, "cjs.cjs"), `const { Client } = require("httplib");\n${use}`);
  writeFileSync(join(dir, "esm.mjs"), `import { Client } from "httplib";\n${use}`);
  for (const [name, args] of [
    ["require (CommonJS)", ["--no-experimental-require-module", "cjs.cjs"]],
    ["import (ES module)", ["esm.mjs"]],
  ]) {
    const out = run(process.execPath, args).trim();
    if (out !== "200 /smoke") throw new Error(`${name}: printed ${JSON.stringify(out)}, not "200 /smoke"`);
    console.log(`${name}: ${out}`);
  }

  const typed = `import { Client, Response } from "httplib";
const client: Client = new Client({ timeout: 1 });
const pending: Promise<Response> = client.get("http://127.0.0.1/");
void pending;`;
  writeFileSync(join(dir, "types.cts"), typed);
  writeFileSync(join(dir, "types.mts"), typed);
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({
    compilerOptions: { module: "node16", moduleResolution: "node16", strict: true, noEmit: true, types: [] },
    files: ["types.cts", "types.mts"],
  }));
  run(process.execPath, [join(here, "node_modules", "typescript", "bin", "tsc"), "-p", "."]);
  console.log("types: a .cts and a .mts file that use the package check");
} finally {
  server.kill();
  rmSync(dir, { recursive: true, force: true });
}
