#!/usr/bin/env bash
# The gzip -9 size of httplib's .wasm for one set of cargo features, built as the npm
# package's is (profile release-wasm, wasm-bindgen --target web, wasm-opt -Oz from npm's
# binaryen), without assembling a package: for comparing features and dependency choices.
#
#   npm/bench/wasm-size.sh [--keep DIR] [--example NAME] FEATURES   # e.g. "js-api" or "json" or ""
#
# With `--example NAME`, the .wasm of that example (a wasm32 binary, as a Rust-on-wasm
# user's program is) instead of the library's cdylib: without `js-api` the cdylib exports
# nothing, so only a program that calls the API shows what a feature costs it.
#
# Prints: raw and gzip bytes of the optimized .wasm. Needs `npm ci` in npm/ (wasm-opt).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
KEEP=""
EXAMPLE=""
while :; do
    case "${1:-}" in
        --keep) KEEP=$2; shift 2 ;;
        --example) EXAMPLE=$2; shift 2 ;;
        *) break ;;
    esac
done
FEATURES=${1-js-api}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
if [ -n "$EXAMPLE" ]; then
    what=(--example "$EXAMPLE")
    wasm="$TARGET/wasm32-unknown-unknown/release-wasm/examples/$EXAMPLE.wasm"
else
    what=(--lib)
    wasm="$TARGET/wasm32-unknown-unknown/release-wasm/httplib.wasm"
fi
if [ -n "$EXAMPLE" ]; then
    cargo build -q --locked -p httplib "${what[@]}" --target wasm32-unknown-unknown --profile release-wasm \
        --no-default-features ${FEATURES:+--features "$FEATURES"} --manifest-path "$ROOT/Cargo.toml"
else
    # The library as a cdylib (its crate type is rlib; npm/wasm is the package's cdylib).
    cargo rustc -q --locked -p httplib --lib --crate-type cdylib --target wasm32-unknown-unknown \
        --profile release-wasm --no-default-features ${FEATURES:+--features "$FEATURES"} \
        --manifest-path "$ROOT/Cargo.toml"
fi
wasm-bindgen "$wasm" --target web \
    --out-dir "$OUT" --out-name size --no-typescript
"$ROOT/npm/node_modules/.bin/wasm-opt" -Oz --strip-debug --strip-producers \
    "$OUT/size_bg.wasm" -o "$OUT/opt.wasm"
raw=$(stat -c %s "$OUT/opt.wasm")
gz=$(gzip -9 -c "$OUT/opt.wasm" | wc -c)
echo "${EXAMPLE:+example=$EXAMPLE }features=[${FEATURES}] raw=$raw gzip=$gz"
if [ -n "$KEEP" ]; then mkdir -p "$KEEP"; cp "$OUT/size_bg.wasm" "$KEEP/named.wasm"; cp "$OUT/opt.wasm" "$KEEP/opt.wasm"; fi
