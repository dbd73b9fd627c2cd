#!/usr/bin/env bash
# The gzip -9 size of httplib's .wasm for one set of cargo features, built as the npm
# package's is (profile release-wasm, wasm-bindgen --target web, wasm-opt -Oz from npm's
# binaryen), without assembling a package: for comparing features and dependency choices.
#
#   npm/bench/wasm-size.sh [--keep DIR] FEATURES   # e.g. "js-api" or "json" or ""
#
# Prints: raw and gzip bytes of the optimized .wasm. Needs `npm ci` in npm/ (wasm-opt).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
KEEP=""
if [ "${1:-}" = "--keep" ]; then KEEP=$2; shift 2; fi
FEATURES=${1-js-api}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
cargo build -q --locked -p httplib --lib --target wasm32-unknown-unknown --profile release-wasm \
    --no-default-features ${FEATURES:+--features "$FEATURES"} --manifest-path "$ROOT/Cargo.toml"
wasm-bindgen "$TARGET/wasm32-unknown-unknown/release-wasm/httplib.wasm" --target web \
    --out-dir "$OUT" --out-name size --no-typescript
"$ROOT/npm/node_modules/.bin/wasm-opt" -Oz --strip-debug --strip-producers \
    "$OUT/size_bg.wasm" -o "$OUT/opt.wasm"
raw=$(stat -c %s "$OUT/opt.wasm")
gz=$(gzip -9 -c "$OUT/opt.wasm" | wc -c)
echo "features=[${FEATURES}] raw=$raw gzip=$gz"
if [ -n "$KEEP" ]; then mkdir -p "$KEEP"; cp "$OUT/size_bg.wasm" "$KEEP/named.wasm"; cp "$OUT/opt.wasm" "$KEEP/opt.wasm"; fi
