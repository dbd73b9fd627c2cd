#!/usr/bin/env node
// Serves the demo page on 127.0.0.1: www/ at /, the installed npm package
// (npm/node_modules/httplib, put there by `node npm/build.mjs`) at /httplib/, and
// /config.json with the test server's URL. The page imports "httplib" through an import map
// pointing at the package's browser entry point, as a page without a bundler would.
//
// Usage: node www/serve.mjs [--port N]   (the test server: HTTPLIB_TEST_HTTP, or started here)
import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";

const www = fileURLToPath(new URL(".", import.meta.url));
const pkg = fileURLToPath(new URL("../npm/node_modules/httplib/", import.meta.url));

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".png": "image/png",
};

/** The file under `root` that `path` names, or undefined (never outside `root`). */
function resolveIn(root, path) {
  const file = normalize(join(root, decodeURIComponent(path)));
  if (!file.startsWith(root.endsWith(sep) ? root : root + sep)) return undefined;
  if (!existsSync(file) || !statSync(file).isFile()) return undefined;
  return file;
}

/** Starts serving; resolves to `{ url, close() }`. */
export async function serve({ port = 0, config }) {
  const server = createServer((req, res) => {
    const { pathname } = new URL(req.url, "http://localhost");
    if (pathname === "/config.json") {
      res.writeHead(200, { "content-type": TYPES[".json"], "cache-control": "no-store" });
      res.end(JSON.stringify(config));
      return;
    }
    const file = pathname.startsWith("/httplib/")
      ? resolveIn(pkg, pathname.slice("/httplib/".length))
      : resolveIn(www, pathname === "/" ? "index.html" : pathname.slice(1));
    if (!file || file.endsWith("serve.mjs") || file.endsWith("test.mjs")) {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("not found\n");
      return;
    }
    res.writeHead(200, {
      "content-type": TYPES[extname(file)] ?? "application/octet-stream",
      "cache-control": "no-store",
    });
    createReadStream(file).pipe(res);
  });
  await new Promise((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (!existsSync(join(pkg, "package.json"))) {
    console.error(`no package in ${pkg}: run \`node npm/build.mjs\` first`);
    process.exit(1);
  }
  const { http, closed } = await import("../npm/test/server.mjs");
  const at = process.argv.indexOf("--port");
  const { url } = await serve({ port: at > 0 ? Number(process.argv[at + 1]) : 8080, config: { server: http(""), closed } });
  console.log(`the httplib demo: ${url} (test server ${http("")}); Ctrl-C stops it`);
}
