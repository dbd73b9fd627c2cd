#!/usr/bin/env bash
# Instructions per request of one client in one scenario, counted by callgrind (repeatable,
# unlike times on a shared machine): the difference between a run of N and of 2N requests,
# divided by N, so set-up and warm-up cancel out.
#
#   bench/run.sh --serve &            # the server, in another shell
#   bench/profile.sh s1 httplib [N]   # prints instructions per request
#   BENCH_BY_FUNCTION=40 bench/profile.sh s1 httplib   # and the 40 functions that cost
#                                     # the most per request (exclusive, 2N run minus N run)
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
    --h1-origins "$(seq -s, -f "http://127.0.0.1:%g" ${BENCH_ORIGINS_H1:-18100} $((${BENCH_ORIGINS_H1:-18100} + 9)))"
    --tls-origins "$(seq -s, -f "https://127.0.0.1:%g" ${BENCH_ORIGINS_TLS:-18200} $((${BENCH_ORIGINS_TLS:-18200} + 9)))"
    --ca "$WORK/ca.pem" --secs 1)
ir() {
    local out=$1 n=$2
    BENCH_REQUESTS=$n valgrind --tool=callgrind --callgrind-out-file="$out" "$BIN" "${ARGS[@]}" >/dev/null 2>"$out.log"
    grep -E "^summary:|^totals:" "$out" | head -1 | awk '{print $2}'
}
small="/tmp/httplib-callgrind.$SCENARIO.$CLIENT.small"
large="/tmp/httplib-callgrind.$SCENARIO.$CLIENT"
a=$(ir "$small" "$N")
b=$(ir "$large" $((2 * N)))
echo "$SCENARIO $CLIENT: $(( (b - a) / N )) instructions per request"
if [ -n "${BENCH_BY_FUNCTION:-}" ]; then
    # Each function's own instructions in the large run less the small run's, per request:
    # start-up (certificate stores, runtime) cancels out as it does in the total.
    python3 - "$small" "$large" "$N" "$BENCH_BY_FUNCTION" <<'EOF'
import re, subprocess, sys
small, large, n, top = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
def by_function(path):
    out = subprocess.run(["callgrind_annotate", "--threshold=100", path],
                         capture_output=True, text=True, check=True).stdout
    costs = {}
    for line in out.splitlines():
        m = re.match(r"\s*([\d,]+)\s*\(\s*[\d.]+%\)\s*(.*?)\s*(\[.*\])?\s*$", line)
        if m and "PROGRAM TOTALS" not in line:
            name = m.group(2)
            costs[name] = costs.get(name, 0) + int(m.group(1).replace(",", ""))
    return costs
a, b = by_function(small), by_function(large)
diff = {k: (b.get(k, 0) - a.get(k, 0)) / n for k in set(a) | set(b)}
for name, cost in sorted(diff.items(), key=lambda kv: -kv[1])[:top]:
    print(f"{cost:8.0f}  {name[:140]}")
EOF
fi
rm -f "$small"*
