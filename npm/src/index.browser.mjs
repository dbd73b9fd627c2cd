// The package's entry point everywhere but Node (browsers, workers, bundlers: the "default"
// condition of package.json's exports): the wasm next to this file is fetched and
// instantiated (streaming, when served as application/wasm) before the import resolves.
import init from "./httplib_wasm.js";

await init({ module_or_path: new URL("./httplib_wasm_bg.wasm", import.meta.url) });

export * from "./httplib.mjs";
