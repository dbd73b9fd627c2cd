#!/usr/bin/env bash
# Instructions per request (callgrind), without start-up: runs npm/bench/instructions.mjs
# with N=1000 and N=3000 and divides the difference by the 4000 extra requests. Node runs
# single-threaded (no background JIT or GC threads), with wasm compiled by TurboFan up
# front and fixed seeds, so that counts repeat from run to run.
# Usage: [REAL=1] npm/bench/instructions.sh DIR|fetch ...   (REAL=1: against the test server)
set -euo pipefail
cd "$(dirname "$0")/../.."
for subject in "$@"; do
  count() {
    N=$1 valgrind --tool=callgrind --smc-check=all --callgrind-out-file=/dev/null \
      node --single-threaded --no-liftoff --hash-seed=1 --random-seed=1 \
      npm/bench/instructions.mjs "$subject" 2>&1 | awk '/refs:/ { gsub(",", "", $4); print $4 }'
  }
  a=$(count 1000); b=$(count 3000)
  echo "$subject: $(( (b - a) / 4000 )) instructions per request"
done
