#!/usr/bin/env bash
# The one test command: installs what is missing (idempotently), then runs every check and
# test suite. `.ci/run` calls exactly this. Usage: ./ci.sh
set -euo pipefail
cd "$(dirname "$0")"

step() { printf '\n==> %s\n' "$*"; }

step "toolchain components"
if command -v rustup >/dev/null 2>&1; then
    rustup component add rustfmt clippy >/dev/null
fi

step "format"
cargo fmt --all -- --check

step "clippy (native, all targets, warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "rustdoc (missing docs and broken links are errors)"
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps -p httplib --locked

step "tests: unit, mock-backend front-end, native against the test server, doc examples"
cargo test --workspace --locked

step "the README's tour runs end to end"
cargo run --locked --example tour >/dev/null

echo
echo "ci.sh: all checks passed"
