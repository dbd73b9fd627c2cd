#!/usr/bin/env bash
# What each cargo feature costs a wasm32 build (issue 12): a markdown table of gzip -9
# sizes, each measured by npm/bench/wasm-size.sh (profile release-wasm, wasm-bindgen,
# wasm-opt -Oz), and each row's difference from the minimal build.
#
#   npm/bench/size-by-feature.sh
#
# The minimal build and the rows that add one feature to it are examples/wasm_get_json.rs
# (one GET, its JSON read into a struct), the program a Rust-on-wasm user would write:
# without `js-api` the library's cdylib exports nothing, so only a program that calls the
# API shows what a feature adds to it. The last row is the npm package's library (`js-api`
# with the default features: everything in). One release build per row: about a minute
# each on a 2-core machine. Needs `npm ci` in npm/ (wasm-opt) and wasm-bindgen on PATH.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)

# label|wasm-size.sh arguments (the example's, or the library's when none)|features
rows=(
    "minimal: \`json\` only|--example wasm_get_json|json"
    "+ \`cookies\`|--example wasm_get_json|json,cookies"
    "+ \`digest\`|--example wasm_get_json|json,digest"
    "+ \`multipart\`|--example wasm_get_json|json,multipart"
    "+ \`charset\`|--example wasm_get_json|json,charset"
    "+ all four|--example wasm_get_json|json,cookies,digest,multipart,charset"
    "full package: \`js-api\` + \`default\` (the library)||js-api,default"
)

echo "| build | features | raw bytes | gzip -9 bytes | vs minimal |"
echo "|---|---|---:|---:|---:|"
minimal=
for row in "${rows[@]}"; do
    IFS='|' read -r label args features <<<"$row"
    # shellcheck disable=SC2086 # $args is zero or two words
    line=$("$HERE/wasm-size.sh" $args "$features")
    raw=$(sed -n 's/.* raw=\([0-9]*\).*/\1/p' <<<"$line")
    gz=$(sed -n 's/.* gzip=\([0-9]*\).*/\1/p' <<<"$line")
    if [ -z "$minimal" ]; then
        minimal=$gz
        delta="0"
    else
        delta=$(printf '%+d' $((gz - minimal)))
    fi
    echo "| $label | \`$features\` | $raw | $gz | $delta |"
done
