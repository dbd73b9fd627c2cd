#!/usr/bin/env bash
# The one test command: installs what is missing (idempotently), then runs every check and
# test suite, natively and for wasm32 in Node and headless Chromium. `.ci/run` calls
# exactly this. Usage: ./ci.sh
set -euo pipefail
cd "$(dirname "$0")"

step() { printf '\n==> %s\n' "$*"; }
WASM=wasm32-unknown-unknown
WASI=wasm32-wasip2
# The features of the WASI build (zstd is native only), and those the suites also ask for
# (rustls and http2 compile nothing there: the host owns TLS and the protocol).
WASI_FEATURES=json,cookies,gzip,deflate,brotli,charset,digest,multipart,mime-guess
WASI_TEST_FEATURES=rustls,http2
# Logs of the test runs (checked against the README's by-target table), the test server's
# ports and CA: gone when this script ends.
workdir=$(mktemp -d)
server_pid=
trap '[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$workdir"' EXIT

step "toolchain: rustfmt, clippy, the $WASM and $WASI targets"
rustup component add rustfmt clippy >/dev/null
rustup target add "$WASM" "$WASI" >/dev/null

# The CLI that runs wasm tests must be the exact wasm-bindgen version in Cargo.lock.
wbg_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print }' Cargo.lock)
if ! wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $wbg_version"; then
    step "installing wasm-bindgen-cli $wbg_version (about 4 minutes)"
    # No --locked: the registry mirror lacks one of the CLI's locked dependencies.
    cargo install wasm-bindgen-cli --version "$wbg_version"
fi
# tests/native_tls_settings.rs starts a private nginx (its own prefix and config) that asks
# for client certificates; it fails, naming nginx, when there is none.
if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
    step "installing Debian's nginx"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx
fi
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    step "installing Debian's chromium and chromium-driver"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium chromium-driver
fi
# Real proxies for the proxy tests (testserver/src/proxies.rs starts them on loopback):
# squid-openssl is the squid whose `https_port` serves as an HTTPS proxy.
if ! command -v tinyproxy >/dev/null || ! command -v microsocks >/dev/null || [ ! -x /usr/sbin/squid ]; then
    step "installing Debian's tinyproxy, squid-openssl and microsocks"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends tinyproxy squid-openssl microsocks
fi

step "format"
cargo fmt --all -- --check

step "clippy, native (all targets, warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "clippy, $WASM (all targets, warnings are errors)"
cargo clippy -p httplib --target "$WASM" --all-targets --locked -- -D warnings

step "clippy, $WASI (all targets, warnings are errors)"
cargo clippy -p httplib --target "$WASI" --all-targets --no-default-features --features "$WASI_FEATURES,$WASI_TEST_FEATURES" \
    --locked -- -D warnings

step "rustdoc, native, $WASM and $WASI (missing docs and broken links are errors)"
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps -p httplib --locked
# Links to native-only items (send_blocking, iter_bytes...) are plain `#method.x` links:
# intra-doc links to them would break here.
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps -p httplib --target "$WASM" --features js-api --locked
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps -p httplib --target "$WASI" --no-default-features \
    --features "$WASI_FEATURES" --locked

step "native tests: unit, mock-backend front-end, the conformance suite and the native-only tests against the test server, the fault suite (native_faults_*), the fuzz targets for 3 s each (httplib-fuzz), doc examples"
cargo test --workspace --locked 2>&1 | tee "$workdir/native.log"

step "tracing: the request span and its events (feature \`tracing\`), and clippy with it on"
cargo test -p httplib --features tracing --test tracing --locked 2>&1 | tee -a "$workdir/native.log"
cargo test -p httplib --features tracing --lib --locked trace::
cargo clippy -p httplib --all-targets --features tracing --locked -- -D warnings
cargo clippy -p httplib --target "$WASM" --all-targets --features tracing --locked -- -D warnings

step "cargo features: none (a plain HTTP/1.1 client: clippy, the unit tests and the suites that need no feature, tests/native_features.rs among them), then each alone (clippy-clean), natively and for $WASM"
cargo clippy -p httplib --all-targets --no-default-features --locked -- -D warnings
cargo test -p httplib --no-default-features --lib --tests --locked
for feature in rustls ring http2 json cookies digest multipart mime-guess gzip deflate brotli zstd charset tracing socks; do
    cargo clippy -p httplib --lib --no-default-features --features "$feature" --locked -q -- -D warnings
done
# `rustls` with no provider feature: the process default, or a builder error saying so.
cargo test -p httplib --lib --no-default-features --features rustls --locked -q tls::
cargo clippy -p httplib --lib --target "$WASM" --no-default-features --locked -- -D warnings

msrv=$(awk -F'"' '/^rust-version/ { print $2 }' Cargo.toml)
step "the declared rust-version ($msrv): the library checks on it natively (default features, none, socks and tracing), for $WASM (the npm package's features) and for $WASI"
rustup toolchain install "$msrv" --profile minimal --target "$WASM" --target "$WASI" >/dev/null
cargo +"$msrv" check -p httplib --lib --locked -q
cargo +"$msrv" check -p httplib --lib --no-default-features --locked -q
cargo +"$msrv" check -p httplib --lib --features socks,tracing --locked -q
cargo +"$msrv" check -p httplib --lib --target "$WASM" --no-default-features --features js-api --locked -q
cargo +"$msrv" check -p httplib --lib --target "$WASI" --no-default-features --features "$WASI_FEATURES" --locked -q

step "SOCKS5 proxies (feature \`socks\`) against microsocks, and clippy with it on"
cargo test -p httplib --features socks --test native_socks --locked 2>&1 | tee -a "$workdir/native.log"
cargo clippy -p httplib --all-targets --features socks --locked -- -D warnings

step "the aws-lc-rs crypto provider (feature \`aws-lc-rs\`): clippy, and the TLS tests with it"
cargo clippy -p httplib --all-targets --features aws-lc-rs --locked -- -D warnings
cargo test -p httplib --features aws-lc-rs --locked --lib tls::
cargo test -p httplib --features aws-lc-rs --locked --test native_tls_settings --test native_tls_roots --test native_faults_tls

step "soak: 20,000 requests through one client, with server faults and cancellations (RSS and fds flat)"
cargo run --locked -q -p httplib-soak -- --requests 20000 --max-seconds 120

step "the README's tour runs end to end"
cargo run --locked --example tour >/dev/null

step "the isomorphic example builds for both targets"
cargo build --locked --example isomorphic
cargo build --locked --example isomorphic --target "$WASM"

step "starting the test server for the wasm tests"
cargo build --locked -q -p httplib-testserver
"${CARGO_TARGET_DIR:-target}/debug/httplib-testserver" --port-file "$workdir/ports.json" --ca-file "$workdir/ca.pem" \
    >"$workdir/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do [ -s "$workdir/ports.json" ] && break; sleep 0.1; done
port() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$workdir/ports.json" "$1"; }
HTTPLIB_TEST_HTTP=$(port http)
HTTPLIB_TEST_HTTPS=$(port https)
# A port with nothing listening, for the refused-connection test.
HTTPLIB_TEST_CLOSED_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export HTTPLIB_TEST_HTTP HTTPLIB_TEST_HTTPS HTTPLIB_TEST_CLOSED_PORT
export NODE_EXTRA_CA_CERTS="$workdir/ca.pem"
echo "test server: $HTTPLIB_TEST_HTTP and $HTTPLIB_TEST_HTTPS (pid $server_pid)"

step "wasm tests in Node: the front-end on the mock backend (frontend, layers), and the conformance suite (the fetch backend)"
cargo test --locked -p httplib --target "$WASM" --test frontend --test layers --test conformance 2>&1 |
    tee "$workdir/node.log"

step "wasm tests in headless Chromium: the same tests"
# The runner gives a browser test binary 20 s by default; the conformance suite waits on
# real timeouts (the 5 s default limit to a head among them) and takes longer.
CHROMEDRIVER=$(command -v chromedriver) WASM_BINDGEN_USE_BROWSER=1 WASM_BINDGEN_TEST_TIMEOUT=120 \
    cargo test --locked -p httplib --target "$WASM" --test frontend --test layers --test conformance 2>&1 |
    tee "$workdir/chromium.log"

step "WASI: the unit tests, the conformance suite (the wasi:http backend) and the front-end's suites (frontend, layers) as $WASI components under jco, one process a test"
# jco and its preview2-shim (wasi:http on Node), pinned in tests/wasi/package-lock.json.
(cd tests/wasi && npm ci --no-audit --no-fund --silent)
: >"$workdir/wasi.log"
# Each: cargo's target selection, and the source the log names (as cargo test prints it).
for suite in "--lib:unittests src/lib.rs" "--test conformance:tests/conformance/main.rs" \
    "--test frontend:tests/frontend.rs" "--test layers:tests/layers.rs"; do
    # shellcheck disable=SC2086 # the selection is two words
    component=$(cargo test --locked -p httplib --target "$WASI" --no-default-features \
        --features "$WASI_FEATURES,$WASI_TEST_FEATURES" ${suite%%:*} --no-run --message-format=json |
        python3 -c 'import json,sys; [print(m["executable"]) for m in map(json.loads, sys.stdin) if m.get("executable")]')
    {
        echo "     Running ${suite#*:} ($component)"
        node tests/wasi/run.mjs "$component"
    } 2>&1 | tee -a "$workdir/wasi.log"
done

step "WASI: examples/wasi.rs and examples/isomorphic.rs run under jco against the test server"
cargo build --locked --target "$WASI" --no-default-features --features json --example wasi --example isomorphic
wasi_examples=$(cd "${CARGO_TARGET_DIR:-target}/$WASI/debug/examples" && pwd)
(cd tests/wasi && npx jco run "$wasi_examples/wasi.wasm" "$HTTPLIB_TEST_HTTP/echo?from=wasi") | tee "$workdir/wasi-example.log"
grep -q '^200 unknown$' "$workdir/wasi-example.log"
grep -q '"from":"wasi"' "$workdir/wasi-example.log"
(cd tests/wasi && npx jco run "$wasi_examples/isomorphic.wasm" "$HTTPLIB_TEST_HTTP") | tee "$workdir/wasi-isomorphic.log"
grep -q '3/3 fan-out requests ok' "$workdir/wasi-isomorphic.log"

step "the README's by-target table is current and every test it names passed on its target"
python3 scripts/target_table.py --check native="$workdir/native.log" \
    node="$workdir/node.log" chromium="$workdir/chromium.log" wasi="$workdir/wasi.log"

step "clippy, $WASM with the npm package's features: js-api (and the cookies, digest and multipart it needs), no json, charset or codings (warnings are errors)"
# The library only: the test suites use the default features (`json` among them).
cargo clippy -p httplib --target "$WASM" --lib --no-default-features --features js-api \
    --locked -- -D warnings

# The npm package (npm/, wasm-pack.toml): wasm-pack from crates.io; wasm-opt (binaryen@132,
# never Debian's binaryen), typescript and playwright-core from npm, pinned in
# npm/package-lock.json.
if ! wasm-pack --version 2>/dev/null | grep -qx "wasm-pack 0.15.1"; then
    step "installing wasm-pack 0.15.1 (about 3 minutes)"
    cargo install wasm-pack --version 0.15.1 --locked
fi
# The package's .wasm is built on a pinned nightly that rebuilds std (wasm-pack.toml's
# nightly_build_std): rust-src for build-std, the wasm32 target for wasm-pack's check.
npm_nightly=$(awk -F'"' '/^nightly_build_std/ { print $2 }' wasm-pack.toml)
if [ -n "$npm_nightly" ]; then
    step "the npm package's toolchain: $npm_nightly with rust-src and $WASM (about 20 s)"
    rustup toolchain install "$npm_nightly" --profile minimal --component rust-src --target "$WASM" >/dev/null
fi
step "npm package: its build and test tools (npm ci in npm/)"
(cd npm && npm ci --no-audit --no-fund)

step "npm package: its crate's lock (npm/wasm/Cargo.lock) is the root's but for idna_adapter 1.0"
python3 - <<'PY'
import tomllib
def versions(path):
    return {(p["name"], p["version"]) for p in tomllib.load(open(path, "rb"))["package"]
            if "source" in p}
root, npm = versions("Cargo.lock"), versions("npm/wasm/Cargo.lock")
drift = sorted(p for p in npm - root if p[0] != "idna_adapter")
if drift or ("idna_adapter", "1.0.0") not in npm:
    raise SystemExit(f"npm/wasm/Cargo.lock departs from Cargo.lock: {drift or 'idna_adapter is not 1.0.0'}"
                     " (cp Cargo.lock npm/wasm/ && cargo update --manifest-path npm/wasm/Cargo.toml"
                     " -p idna_adapter --precise 1.0.0)")
print(f"npm/wasm/Cargo.lock: {len(npm)} registry packages, all as in Cargo.lock but idna_adapter 1.0.0")
PY

step "npm package: wasm-pack build, wasm-opt, assemble, measure, pack, install (npm/build.mjs)"
node npm/build.mjs

step "npm package: tsc --noEmit of an example against its TypeScript declarations"
(cd npm && npx --no-install tsc --noEmit -p types-check)

step "npm package: each Node entry from a clean directory (require with require(esm) off, import, and their TypeScript declarations)"
node npm/smoke.mjs

step "npm package: Node tests (node --test) against the test server"
(cd npm && node --test test/*.test.mjs)

step "www demo: clicked through in headless Chromium; screenshot at target/www/demo.png"
node --test www/test.mjs

echo
echo "ci.sh: all checks passed"
