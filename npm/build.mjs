#!/usr/bin/env node
// Builds the npm package from the crate, with the settings of ../wasm-pack.toml:
//
//   1. wasm-pack build of npm/wasm (httplib with a lock file of its own: see its Cargo.toml;
//      target, profile, features, weak refs from wasm-pack.toml, on its pinned nightly with
//      std rebuilt for size when nightly_build_std is set; no wasm-opt, no package.json: the
//      steps below do those) into target/npm/wasm/
//   2. wasm-opt (binaryen@132 from npm, flags from wasm-pack.toml); and the same (cargo,
//      wasm-bindgen, wasm-opt) for npm/charsets, the encoding_rs wasm that Node loads to
//      decode legacy charsets (its TextDecoder departs from the Encoding Standard there),
//      and for npm/psl, the public suffix list that Node loads for its cookie jar
//   3. assembles target/npm/httplib/: the glue, the JS snippets it imports (the crate's
//      inline_js and JS files, minified, in snippets/), the optimized wasm, src/'s entry
//      points, wrapper and declarations, README.md, and src/package.json with name and
//      version set
//   4. measures the .wasm and the JS, raw and gzip -9, against the size budget
//      (target/npm/sizes.json; with twiggy on PATH, what dominates when over budget)
//   5. npm pack: target/npm/<name>-<version>.tgz
//   6. installs that tarball into npm/node_modules (what the tests, the tsc check, the www
//      demo and the benchmark import as "httplib"), unless --no-install
//
// Usage: node npm/build.mjs [--no-install] [--help]
import { execFileSync } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..");
const args = new Set(process.argv.slice(2));
if (args.has("--help") || args.has("-h")) {
  console.log(readFileSync(fileURLToPath(import.meta.url), "utf8").split("\n").slice(1).filter((l, i, all) => all.slice(0, i + 1).every((m) => m.startsWith("//"))).map((l) => l.replace(/^\/\/ ?/, "")).join("\n"));
  process.exit(0);
}

/** The subset of TOML that wasm-pack.toml uses: [tables], and keys set to strings,
 *  numbers, booleans, or one-line arrays of those; # comments. */
function parseToml(text) {
  const out = {};
  let table = out;
  const value = (raw, where) => {
    raw = raw.trim();
    if (raw.startsWith("[")) {
      const inner = raw.slice(1, raw.lastIndexOf("]")).trim();
      return inner === "" ? [] : inner.split(",").map((v) => v.trim()).filter(Boolean).map((v) => value(v, where));
    }
    if (raw.startsWith('"')) return JSON.parse(raw.slice(0, raw.indexOf('"', 1) + 1));
    if (raw === "true" || raw === "false") return raw === "true";
    if (/^-?\d[\d_]*(\.\d+)?$/.test(raw)) return Number(raw.replaceAll("_", ""));
    throw new Error(`wasm-pack.toml: cannot read the value at ${where}: ${raw}`);
  };
  text.split("\n").forEach((line, i) => {
    const clean = line.replace(/\s+#.*$|^#.*$/, "").trim();
    if (clean === "") return;
    const header = clean.match(/^\[([\w.-]+)\]$/);
    if (header) {
      table = out[header[1]] ??= {};
      return;
    }
    const pair = clean.match(/^([\w-]+)\s*=\s*(.+)$/);
    if (!pair) throw new Error(`wasm-pack.toml: cannot read line ${i + 1}: ${line}`);
    table[pair[1]] = value(pair[2], `line ${i + 1}`);
  });
  return out;
}

const config = parseToml(readFileSync(join(root, "wasm-pack.toml"), "utf8"));
const cargoToml = readFileSync(join(root, "Cargo.toml"), "utf8");
const version = cargoToml.match(/^\[package\][^[]*?^version\s*=\s*"([^"]+)"/m)?.[1];
if (!version) throw new Error("cannot find the package version in Cargo.toml");

const name = config.package.name;
const outName = config.package.out_name;
const target = join(root, "target", "npm");
const wasmDir = join(target, "wasm");
const pkgDir = join(target, "httplib");

function run(command, argv, options = {}) {
  console.log(`$ ${command} ${argv.join(" ")}`);
  return execFileSync(command, argv, { stdio: "inherit", ...options });
}

// 1. wasm-pack (snippets of an earlier build would linger: their folder is named by a hash)
rmSync(join(wasmDir, "snippets"), { recursive: true, force: true });
const build = config.build;
// wasm-pack.toml's nightly_build_std: the package's wasm is built on that pinned nightly with
// std rebuilt for size and the immediate-abort panic strategy (panics keep no message
// formatting; errors keep theirs). Empty: the stable toolchain, std as shipped.
function buildStdSettings(nightly) {
  if (!nightly) return { cargoArgs: [], options: {} };
  const rustflags = `${process.env.RUSTFLAGS ?? ""} -Zunstable-options -Cpanic=immediate-abort`.trim();
  return {
    cargoArgs: ["-Zbuild-std=std,panic_abort", "-Zbuild-std-features=optimize_for_size"],
    options: { env: { ...process.env, RUSTUP_TOOLCHAIN: nightly, RUSTFLAGS: rustflags } },
  };
}
const buildStd = buildStdSettings(build.nightly_build_std);
// The package's own crate (npm/wasm: httplib with its own lock file, see its Cargo.toml).
run("wasm-pack", [
  "build", join(here, "wasm"),
  "--target", build.target,
  "--out-dir", wasmDir,
  "--out-name", outName,
  "--profile", build.profile,
  "--no-typescript", "--no-pack", "--no-opt",
  // wasm-pack would otherwise try to download wasm-bindgen; the CLI on PATH is used.
  "--mode", "no-install",
  ...(build.weak_refs ? ["--weak-refs"] : []),
  "--",
  ...(build.no_default_features ? ["--no-default-features"] : []),
  "--features", (build.features ?? []).join(","),
  "--locked",
  ...buildStd.cargoArgs,
], buildStd.options);

// 2. wasm-opt
const wasmOpt = join(here, "node_modules", ".bin", "wasm-opt");
if (!existsSync(wasmOpt)) {
  throw new Error(`${wasmOpt} is missing: run \`npm ci\` in npm/ (binaryen@132 comes from npm)`);
}
rmSync(pkgDir, { recursive: true, force: true });
mkdirSync(pkgDir, { recursive: true });
const rawWasm = join(wasmDir, `${outName}_bg.wasm`);
const wasmOut = join(pkgDir, `${outName}_bg.wasm`);
run(wasmOpt, [...config["wasm-opt"].flags, rawWasm, "-o", wasmOut]);

// npm/charsets (encoding_rs alone, see npm/charsets/src/lib.rs) and npm/psl (the public
// suffix list alone, see npm/psl/src/lib.rs), the wasm Node loads on first use, with the
// same profile and wasm-opt flags; wasm-bindgen's `web` glue, as for the main wasm.
const cargoTarget = JSON.parse(
  execFileSync("cargo", ["metadata", "--format-version", "1", "--no-deps", "--locked"], { cwd: root, encoding: "utf8" }),
).target_directory;
const companions = [
  { crate: "httplib-charsets", out: "charsets" },
  { crate: "httplib-psl", out: "psl" },
];
for (const { crate, out } of companions) {
  run("cargo", ["build", "-p", crate, "--lib", "--target", "wasm32-unknown-unknown", "--profile", build.profile, "--locked"], { cwd: root });
  run("wasm-bindgen", [
    join(cargoTarget, "wasm32-unknown-unknown", build.profile, `${crate.replaceAll("-", "_")}.wasm`),
    "--target", build.target, "--out-dir", wasmDir, "--out-name", out, "--no-typescript",
  ]);
  run(wasmOpt, [...config["wasm-opt"].flags, join(wasmDir, `${out}_bg.wasm`), "-o", join(pkgDir, `${out}_bg.wasm`)]);
}

// 3. assemble
const template = JSON.parse(readFileSync(join(here, "src", "package.json"), "utf8"));
template.name = name;
template.version = version;
writeFileSync(join(pkgDir, "package.json"), JSON.stringify(template, null, 2) + "\n");
for (const file of readdirSync(join(here, "src"))) {
  if (file !== "package.json") copyFileSync(join(here, "src", file), join(pkgDir, file));
}
copyFileSync(join(here, "README.md"), join(pkgDir, "README.md"));
copyFileSync(join(wasmDir, `${outName}.js`), join(pkgDir, `${outName}.js`));
for (const { out } of companions) copyFileSync(join(wasmDir, `${out}.js`), join(pkgDir, `${out}.js`));
// The JS modules the crate's `inline_js` snippets and JS files become (the fetch backend's
// JS side, node_http.js among them), imported by the glue from ./snippets/; minified by
// esbuild, as their comments are for the crate's readers, not for every page to download.
const esbuild = join(here, "node_modules", ".bin", "esbuild");
if (existsSync(join(wasmDir, "snippets"))) {
  cpSync(join(wasmDir, "snippets"), join(pkgDir, "snippets"), { recursive: true });
  const snippets = join(pkgDir, "snippets");
  const scripts = readdirSync(snippets, { recursive: true }).filter((f) => f.endsWith(".js"));
  run(esbuild, [
    ...scripts.map((script) => join(snippets, script)),
    "--minify", `--outdir=${snippets}`, `--outbase=${snippets}`, "--allow-overwrite", "--log-level=warning",
  ]);
}
// The CommonJS entry (`require("httplib")`, the "require" condition): the Node entry and
// everything it imports bundled into one CommonJS file by esbuild (Node before 20.19
// cannot require an ES module). `import.meta.url`, which the entry and the glue use to
// find the .wasm next to them, becomes this file's URL. A program that both imports and
// requires the package gets two instances of it (the usual dual-package caveat).
run(esbuild, [
  join(pkgDir, "index.node.mjs"), "--bundle", "--platform=node", "--target=node20",
  "--format=cjs", `--outfile=${join(pkgDir, "index.node.cjs")}`, "--log-level=warning",
  // wasm-bindgen's glue names one snippet module once per import of it, the same module
  // each time: harmless, and not ours to change.
  "--log-override:duplicate-object-key=silent",
  "--define:import.meta.url=__httplib_module_url",
  "--banner:js=const __httplib_module_url = require(\"node:url\").pathToFileURL(__filename).href;",
]);
// Its declarations: the same as the ES module's, in a .d.cts so that TypeScript reads them
// as a CommonJS module's.
copyFileSync(join(pkgDir, "index.d.ts"), join(pkgDir, "index.d.cts"));
for (const file of template.files) {
  if (!existsSync(join(pkgDir, file))) throw new Error(`package.json lists ${file}, which the build did not make`);
}

// 4. sizes
const measure = (path) => {
  const bytes = readFileSync(path);
  return { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
};
/** The snippets' JS (the fetch backend's JS side and the JS API's object makers), summed. */
const measureSnippets = () => {
  const total = { raw: 0, gzip: 0 };
  const walk = (dir) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else {
        const size = measure(path);
        total.raw += size.raw;
        total.gzip += size.gzip;
      }
    }
  };
  walk(join(pkgDir, "snippets"));
  return total;
};
const sizes = {
  settings: {
    profile: build.profile,
    noDefaultFeatures: Boolean(build.no_default_features),
    features: build.features,
    wasmOpt: config["wasm-opt"].flags.join(" "),
  },
  wasmBeforeOpt: measure(rawWasm),
  wasm: measure(wasmOut),
  glue: measure(join(pkgDir, `${outName}.js`)),
  snippets: measureSnippets(),
  wrapper: measure(join(pkgDir, "httplib.mjs")),
  text: measure(join(pkgDir, "text.mjs")),
  charsets: measure(join(pkgDir, "charsets_bg.wasm")),
  charsetsGlue: measure(join(pkgDir, "charsets.js")),
  psl: measure(join(pkgDir, "psl_bg.wasm")),
  pslGlue: measure(join(pkgDir, "psl.js")),
};
writeFileSync(join(target, "sizes.json"), JSON.stringify(sizes, null, 2) + "\n");
const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
console.log(`\nsizes (profile ${build.profile}, wasm-opt ${sizes.settings.wasmOpt}):`);
for (const [what, label] of [
  ["wasmBeforeOpt", `${outName}_bg.wasm before wasm-opt`],
  ["wasm", `${outName}_bg.wasm`],
  ["glue", `${outName}.js (wasm-bindgen glue)`],
  ["snippets", "snippets/ (inline_js, all files)"],
  ["wrapper", "httplib.mjs (the API)"],
  ["text", "text.mjs (text decoding)"],
  ["charsets", "charsets_bg.wasm (Node, legacy charsets)"],
  ["charsetsGlue", "charsets.js (its glue)"],
  ["psl", "psl_bg.wasm (Node, public suffixes)"],
  ["pslGlue", "psl.js (its glue)"],
]) {
  console.log(`  ${label.padEnd(40)} ${kb(sizes[what].raw).padStart(11)} raw  ${kb(sizes[what].gzip).padStart(10)} gzip`);
}
const budget = config.size.wasm_gzip_budget;
if (sizes.wasm.gzip > budget) {
  console.log(`\nthe .wasm is over its budget: ${kb(sizes.wasm.gzip)} gzip > ${kb(budget)} (wasm-pack.toml [size])`);
  try {
    console.log(`what dominates (twiggy, before wasm-opt; code by crate, and the data segment):\n${byCrate(rawWasm)}`);
  } catch {
    console.log("(install twiggy, `cargo install twiggy`, to see what dominates)");
  }
  if (config.size.enforce) process.exit(1);
}

/** twiggy's items summed by crate: the name section (wasm-opt strips it) left out; the
 *  data segment, which twiggy cannot split, as one line. */
function byCrate(wasm) {
  const csv = execFileSync("twiggy", ["top", "-n", "1000000", "--format", "csv", wasm], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  const sums = new Map();
  let total = 0;
  for (const line of csv.trim().split("\n").slice(1)) {
    const match = line.match(/^"?(.*?)"?,(\d+),/);
    if (!match || match[1].includes("function names")) continue;
    const name = match[1].replaceAll('""', '"');
    const crate = name.startsWith("data segment") || name.startsWith('"')
      ? name
      : (name.match(/^[<&\s]*(?:mut |dyn )*([A-Za-z_][A-Za-z0-9_]*)/)?.[1] ?? "other");
    sums.set(crate, (sums.get(crate) ?? 0) + Number(match[2]));
    total += Number(match[2]);
  }
  return [...sums].sort((a, b) => b[1] - a[1]).slice(0, 16)
    .map(([crate, size]) => `  ${kb(size).padStart(10)}  ${((100 * size) / total).toFixed(1).padStart(5)}%  ${crate}`)
    .join("\n");
}

// 5. npm pack
const packed = JSON.parse(execFileSync("npm", ["pack", "--json", "--pack-destination", target], { cwd: pkgDir, encoding: "utf8" }));
const tarball = join(target, packed[0].filename);
console.log(`\npacked ${tarball} (${packed[0].entryCount} files, ${kb(packed[0].size)})`);

// 6. install it where the tests import it from
if (!args.has("--no-install")) {
  run("npm", ["install", "--no-save", "--no-audit", "--no-fund", tarball], { cwd: here });
}
