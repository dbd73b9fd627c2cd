#!/usr/bin/env bash
# Copies the built npm package (target/npm/httplib) to $1 with a .wasm optimized as the
# package's is but keeping its name section, so CPU profiles name the Rust functions.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:?usage: npm/bench/names-pkg.sh OUT_DIR}
rm -rf "$out"; cp -r target/npm/httplib "$out"
npm/node_modules/.bin/wasm-opt -Oz -g target/npm/wasm/httplib_wasm_bg.wasm -o "$out/httplib_wasm_bg.wasm"
