// Text decoding of the npm package: the main wasm leaves out the Rust crate's encoding_rs,
// and `text`/`iterLines` decode with the platform's TextDecoder in the charset the
// front-end reads from Content-Type, or in Node, whose TextDecoder departs from the WHATWG
// Encoding Standard for legacy charsets, with encoding_rs from a wasm of its own. These pin
// that it all behaves as the crate's encoding_rs does: the WHATWG labels and decoders,
// unknown labels as UTF-8, the replacement encoding, strict errors with canonical names.
import assert from "node:assert/strict";
import { test } from "node:test";
import { RequestError, get, stream } from "httplib";
import { http } from "./server.mjs";

/** A response whose body is the JSON of the headers it sets (ASCII), with this Content-Type. */
const withType = (contentType, extra = "") =>
  get(http(`/response-headers?Content-Type=${encodeURIComponent(contentType)}${extra}`));

test("ASCII-compatible charsets, x-user-defined and unknown labels decode as encoding_rs did", async () => {
  for (const charset of ["iso-8859-2", "windows-1252", " Latin1 ", "x-user-defined", "shift_jis", "no-such-charset"]) {
    const r = await withType(`text/plain; charset=${charset.trim()}`);
    assert.equal(r.text, new TextDecoder().decode(r.content), charset);
    assert.equal(r.json()["Content-Type"], `text/plain; charset=${charset.trim()}`);
  }
});

test("legacy charsets decode as the Encoding Standard (and encoding_rs) say, in Node too", async () => {
  // The body is the JSON of the headers set, in UTF-8: X-A's value as bytes C2 80 C2 A4
  // C3 A9 for "\u0080¤é", C3 81 41 for "ÁA".
  const cases = [
    // windows-1252 (the "latin1" labels) maps 0x80 to the euro sign; ICU's to U+0080.
    ["windows-1252", "%C2%80%C2%A4%C3%A9", "Â€Â¤Ã©"],
    ["latin1", "%C2%80", "Â€"],
    // EUC-KR is Windows-949's superset of it: C3 81 is a Hangul syllable; ICU refuses it.
    ["euc-kr", "%C3%81A", "횁A"],
    // Node's TextDecoder lacks these two.
    ["iso-8859-16", "%C3%A9", "Ă©"],
    ["x-user-defined", "%C3%A9", "\uf7c3\uf7a9"],
  ];
  for (const [charset, value, expected] of cases) {
    const r = await withType(`text/plain; charset=${charset}`, `&X-A=${value}`);
    assert.ok(r.text.includes(`"X-A": "${expected}"`), `${charset}: ${JSON.stringify(r.text)}`);
  }
});

test("the replacement encoding's labels make any text invalid", async () => {
  const r = await withType("text/plain; charset=iso-2022-kr");
  assert.throws(() => r.text, (e) => {
    assert.ok(e instanceof RequestError);
    assert.equal(e.kind, "Decode");
    assert.match(e.message, /not valid replacement text/);
    assert.equal(e.url, r.url);
    return true;
  });
});

test("invalid text is a Decode error naming the encoding as the Rust crate does", async () => {
  // An odd number of bytes is not UTF-16.
  let r = await withType("text/plain; charset=utf-16be");
  if (r.content.length % 2 === 0) r = await withType("text/plain; charset=utf-16be", "&X-Pad=1");
  assert.equal(r.content.length % 2, 1);
  assert.throws(() => r.text, (e) => e instanceof RequestError && e.kind === "Decode" && /not valid UTF-16BE text/.test(e.message));
});

test("iterLines decodes each line in the body's charset", async () => {
  const s = await stream("GET", http(`/response-headers?Content-Type=${encodeURIComponent("text/plain; charset=windows-1252")}`));
  const lines = [];
  for await (const line of s.iterLines()) lines.push(line);
  assert.deepEqual(lines, ["{", '  "Content-Type": "text/plain; charset=windows-1252"', "}"]);
});
