#!/usr/bin/env bash
# Instructions per request of one client in one scenario, counted by callgrind (repeatable,
# unlike times on a shared machine): the difference between a run of N and of 2N requests,
# divided by N, so set-up and warm-up cancel out.
#
#   bench/run.sh --serve &            # the server, in another shell
#   bench/profile.sh s1 httplib [N]   # prints instructions per request
#
# The callgrind output of the larger run stays in /tmp/httplib-callgrind.SCENARIO.CLIENT for
# callgrind_annotate --inclusive=yes.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SCENARIO=$1
CLIENT=$2
N=${3:-1000}
WORK=$(ls -d /tmp/httplib-bench.* 2>/dev/null | head -1)
[ -s "$WORK/nginx.pid" ] || { echo "start bench/run.sh --serve first" >&2; exit 2; }
# HTTPLIB_BENCH_BIN: another build of the benchmark (an older commit's, to compare).
BIN=${HTTPLIB_BENCH_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/release/httplib-bench}
ARGS=(child "$SCENARIO" "$CLIENT" --h1 http://127.0.0.1:${BENCH_PORT_H1:-18080}
    --tls https://127.0.0.1:${BENCH_PORT_TLS:-18443} --h2c http://127.0.0.1:${BENCH_PORT_H2C:-18082}
    --ca "$WORK/ca.pem" --secs 1)
ir() {
    local out=$1 n=$2
    BENCH_REQUESTS=$n valgrind --tool=callgrind --callgrind-out-file="$out" "$BIN" "${ARGS[@]}" >/dev/null 2>"$out.log"
    grep -E "^summary:|^totals:" "$out" | head -1 | awk '{print $2}'
}
a=$(ir "/tmp/httplib-callgrind.$SCENARIO.$CLIENT.small" "$N")
b=$(ir "/tmp/httplib-callgrind.$SCENARIO.$CLIENT" $((2 * N)))
rm -f "/tmp/httplib-callgrind.$SCENARIO.$CLIENT.small"*
echo "$SCENARIO $CLIENT: $(( (b - a) / N )) instructions per request"
