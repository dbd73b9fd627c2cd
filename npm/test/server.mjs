// The test server's URLs: from HTTPLIB_TEST_HTTP / HTTPLIB_TEST_HTTPS / HTTPLIB_TEST_CLOSED_PORT
// as ci.sh exports them, or else from a server started here, stopped when this process exits:
// the release build of httplib-testserver if there is one (`cargo build --release -p
// httplib-testserver`; a debug server can be what bounds a benchmark), else the debug build,
// in $CARGO_TARGET_DIR or the repository's target/.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

async function closedPort() {
  const probe = createServer();
  await new Promise((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

function testServerBinary() {
  const target = process.env.CARGO_TARGET_DIR ?? fileURLToPath(new URL("../../target", import.meta.url));
  const builds = ["release", "debug"].map((profile) => join(target, profile, "httplib-testserver"));
  const binary = builds.find((path) => existsSync(path));
  if (!binary) {
    throw new Error(`set HTTPLIB_TEST_HTTP or build ${builds[1]} (cargo build -p httplib-testserver)`);
  }
  return binary;
}

async function start() {
  const binary = testServerBinary();
  // Stops when our end of its stdin closes, i.e. when this process exits.
  const child = spawn(binary, ["--exit-on-stdin-close"], { stdio: ["pipe", "pipe", "inherit"] });
  const line = await new Promise((resolve, reject) => {
    let text = "";
    child.stdout.on("data", (d) => {
      text += d;
      if (text.includes("\n")) resolve(text.split("\n")[0]);
    });
    child.on("error", reject);
    child.on("exit", (code) => reject(new Error(`the test server exited with ${code}`)));
  });
  // Running on does not keep this process alive.
  child.unref();
  child.stdin.unref();
  child.stdout.unref();
  const urls = JSON.parse(line);
  return { http: urls.http, https: urls.https, started: { binary, pid: child.pid } };
}

const env = process.env;
const urls = env.HTTPLIB_TEST_HTTP
  ? { http: env.HTTPLIB_TEST_HTTP, https: env.HTTPLIB_TEST_HTTPS }
  : await start();

/** The test server this process started (`{ binary, pid }`), or undefined for one from the
 *  environment. */
export const startedServer = urls.started;
/** A URL on the cleartext listener. */
export const http = (path) => `${urls.http}${path}`;
/** A URL on the TLS listener, when ci.sh started the server and exported its CA in
 *  NODE_EXTRA_CA_CERTS; otherwise undefined. */
export const https = env.HTTPLIB_TEST_HTTPS && env.NODE_EXTRA_CA_CERTS ? (path) => `${urls.https}${path}` : undefined;
/** A port on 127.0.0.1 with nothing listening. */
export const closed = `http://127.0.0.1:${env.HTTPLIB_TEST_CLOSED_PORT ?? (await closedPort())}/`;
/** The bytes the server's /bytes, /stream-bytes and /drip routes send: (i % 251). */
export const pattern = (n) => Uint8Array.from({ length: n }, (_, i) => i % 251);

/** A server in this process for what the test server cannot say: answers that change from
 *  one request to the next (a 503, then a 200). `script(path, answers)` sets what `path`
 *  answers, one request after the other, the last one again and again; each answer is
 *  `{status, headers, body, delay}` (delay in ms, before the head). `hits(path)` counts the
 *  requests it got. CORS is open, so that a page may call it too. Returns the URL of path. */
export async function scripted() {
  const { createServer: createHttp } = await import("node:http");
  const scripts = new Map();
  const counts = new Map();
  const server = createHttp((req, res) => {
    const path = new URL(req.url, "http://x").pathname;
    res.setHeader("Access-Control-Allow-Origin", "*");
    res.setHeader("Access-Control-Expose-Headers", "*");
    if (req.method === "OPTIONS" && req.headers["access-control-request-method"]) {
      res.setHeader("Access-Control-Allow-Methods", "*");
      res.setHeader("Access-Control-Allow-Headers", "*");
      res.writeHead(204).end();
      return;
    }
    const n = counts.get(path) ?? 0;
    counts.set(path, n + 1);
    const answers = scripts.get(path) ?? [{ status: 404 }];
    const { status = 200, headers = {}, body = "", delay = 0 } = answers[Math.min(n, answers.length - 1)];
    req.resume();
    req.on("end", () => setTimeout(() => res.writeHead(status, headers).end(body), delay));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  server.unref();
  const base = `http://127.0.0.1:${server.address().port}`;
  return {
    script(path, answers) {
      scripts.set(path, answers);
      counts.set(path, 0);
      return `${base}${path}`;
    },
    hits: (path) => counts.get(path) ?? 0,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}
