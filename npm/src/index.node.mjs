// The package's entry point in Node (the "node" condition of package.json's exports): the
// wasm is read from this package's folder and instantiated synchronously, so the API is
// ready as soon as the import resolves.
import { readFileSync } from "node:fs";
import { initSync } from "./httplib_wasm.js";

initSync({ module: readFileSync(new URL("./httplib_wasm_bg.wasm", import.meta.url)) });

export * from "./httplib.mjs";
