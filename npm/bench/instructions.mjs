// A fixed workload for instruction counting (valgrind --tool=callgrind): N sequential then
// N concurrent (500 at a time) requests through one subject, after a warm-up; instruction
// counts do not depend on what else the machine runs, unlike times. By default fetch is a
// stub that answers at once (stub.mjs), so the count is the client's own work;
// with REAL=1 the requests go to the test server (GET /bytes/100; HTTPLIB_TEST_HTTP).
// Usage: valgrind --tool=callgrind --smc-check=all node npm/bench/instructions.mjs DIR|fetch
import { stubFetch } from "./stub.mjs";

const N = Number(process.env.N ?? 2000);
const url = process.env.REAL ? `${process.env.HTTPLIB_TEST_HTTP}/bytes/100` : stubFetch();
const dir = process.argv[2];
let fn;
if (dir === "fetch" || dir === "stub") fn = async () => new Uint8Array(await (await fetch(url)).arrayBuffer());
else {
  const lib = await import(`${dir}/index.node.mjs`);
  const client = new lib.Client();
  fn = async () => (await client.get(url)).content;
}
for (let i = 0; i < 500; i++) await fn();
for (let i = 0; i < N; i++) await fn();
for (let done = 0; done < N; done += 500) await Promise.all(Array.from({ length: 500 }, fn));
