// The package's entry point in Node (the "node" condition of package.json's exports): the
// wasm is read from this package's folder and instantiated synchronously, so the API is
// ready as soon as the import resolves.
import { readFileSync } from "node:fs";
import * as charsets from "./charsets.js";
import { initSync, setPublicSuffixCheck } from "./httplib_wasm.js";
import * as psl from "./psl.js";
import { useLegacyDecoders } from "./text.mjs";

initSync({ module: readFileSync(new URL("./httplib_wasm_bg.wasm", import.meta.url)) });

// Node's TextDecoder departs from the WHATWG Encoding Standard for legacy charsets: those
// are decoded by encoding_rs, as the Rust crate does, from a wasm of its own that is read
// the first time such a body is decoded (npm/charsets).
let charsetsLoaded = false;
useLegacyDecoders((label) => {
  if (!charsetsLoaded) {
    charsets.initSync({ module: readFileSync(new URL("./charsets_bg.wasm", import.meta.url)) });
    charsetsLoaded = true;
  }
  return { name: charsets.name(label), decode: (bytes) => charsets.decode(label, bytes) };
});

// The front-end's cookie jar refuses a cookie whose Domain is a public suffix (co.uk,
// github.io); the main wasm leaves the list out, so in Node, where that jar is used, the
// list comes from a wasm of its own, read the first time a cookie names a Domain (npm/psl).
let pslLoaded = false;
setPublicSuffixCheck((domain) => {
  if (!pslLoaded) {
    psl.initSync({ module: readFileSync(new URL("./psl_bg.wasm", import.meta.url)) });
    pslLoaded = true;
  }
  return psl.isPublicSuffix(domain);
});

export * from "./httplib.mjs";
