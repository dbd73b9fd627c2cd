#!/usr/bin/env bash
# Coverage-guided fuzzing of httplib-fuzz's targets with cargo-fuzz (libFuzzer, nightly).
#
#   fuzz/libfuzzer.sh [SECONDS_PER_TARGET (default 60)] [TARGET...]  (default: every target)
#
# Each target runs in turn for SECONDS_PER_TARGET on a working corpus seeded from the
# committed fuzz/corpus/<target>/ (the committed corpus is never written). Prints, per
# target: executions, exec/s, coverage (libFuzzer's cov/ft), corpus size, crashes.
# Exit status: 0 all clean, 1 a crash (or a run that failed), 2 the tools are missing
# (no nightly toolchain, cargo-fuzz not installable), so CI can skip this layer.
#
# Environment: HTTPLIB_LIBFUZZER_WORK (working corpora, default fuzz/libfuzzer/corpus),
# HTTPLIB_FUZZ_STRICT (as in the stable harness), FUZZ_JOBS (cargo build jobs).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
FUZZ_DIR=fuzz/libfuzzer
ALL_TARGETS=(url digest cookies charset lines multipart decode)

SECONDS_PER_TARGET=${1:-60}
if ! [[ $SECONDS_PER_TARGET =~ ^[1-9][0-9]*$ ]]; then
    echo "usage: fuzz/libfuzzer.sh [SECONDS_PER_TARGET] [TARGET...] (targets: ${ALL_TARGETS[*]})" >&2
    exit 2
fi
shift $(($# > 0 ? 1 : 0))
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=("${ALL_TARGETS[@]}")
for t in "${TARGETS[@]}"; do
    if [ ! -f "$FUZZ_DIR/fuzz_targets/$t.rs" ]; then
        echo "libfuzzer.sh: unknown target '$t' (targets: ${ALL_TARGETS[*]})" >&2
        exit 2
    fi
done

# libFuzzer needs a nightly rustc (-Zsanitizer, coverage instrumentation).
if ! cargo +nightly --version >/dev/null 2>&1; then
    echo "libfuzzer.sh: no nightly toolchain (cargo +nightly fails): skipping coverage-guided fuzzing." >&2
    echo "  install one with: rustup toolchain install nightly" >&2
    exit 2
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "libfuzzer.sh: installing cargo-fuzz (cargo install cargo-fuzz --locked)" >&2
    if ! cargo install cargo-fuzz --locked; then
        echo "libfuzzer.sh: cargo-fuzz could not be installed: skipping coverage-guided fuzzing." >&2
        exit 2
    fi
fi

WORK=${HTTPLIB_LIBFUZZER_WORK:-$FUZZ_DIR/corpus}
LOGS=$FUZZ_DIR/target/logs
mkdir -p "$LOGS"
JOBS=()
[ -z "${FUZZ_JOBS:-}" ] || JOBS=(--jobs "$FUZZ_JOBS")

# Build first, so the time limit is spent fuzzing and a build failure is not a crash.
echo "== building ${TARGETS[*]} (cargo +nightly fuzz build, release, ASan, debug assertions)"
for t in "${TARGETS[@]}"; do
    cargo +nightly fuzz build --fuzz-dir "$FUZZ_DIR" "${JOBS[@]}" "$t"
done

# The last libFuzzer status line ("#N DONE cov: C ft: F corp: K/S exec/s: E ..."): field VALUE.
status_field() {
    { grep -E '^#[0-9]+' "$1" || true; } | tail -n 1 | sed -nE "s#.* $2: ([^ ]+).*#\\1#p"
}

# libFuzzer's final statistic "stat::NAME: VALUE".
final_stat() {
    sed -nE "s/^stat::$2: *([0-9]+).*/\\1/p" "$1" | tail -n 1
}

SUMMARY=()
FAILED=0
for t in "${TARGETS[@]}"; do
    corpus=$WORK/$t
    mkdir -p "$corpus" "$FUZZ_DIR/artifacts/$t"
    # Seeds: the committed corpus, added to what earlier runs found (never overwritten).
    cp -n fuzz/corpus/"$t"/* "$corpus"/ 2>/dev/null || true
    before=$(find "$FUZZ_DIR/artifacts/$t" -type f | sort)
    log=$LOGS/$t.log
    echo "== $t: ${SECONDS_PER_TARGET}s, corpus $corpus ($(find "$corpus" -type f | wc -l) inputs), log $log"
    # -timeout: one input that runs this long is a finding (a hang); the outer timeout bounds
    # the run even if libFuzzer itself hangs (SIGINT first: libFuzzer prints its final stats).
    status=0
    timeout -s INT -k 30 $((SECONDS_PER_TARGET + 120)) \
        cargo +nightly fuzz run --fuzz-dir "$FUZZ_DIR" "${JOBS[@]}" "$t" "$corpus" -- \
        -max_total_time="$SECONDS_PER_TARGET" -rss_limit_mb=2048 -max_len=4096 -timeout=60 \
        -print_final_stats=1 >"$log" 2>&1 || status=$?

    # -print_final_stats: the totals, also after a crash ("Done N runs in S second(s)" is not).
    runs=$(final_stat "$log" number_of_executed_units)
    rate=$(final_stat "$log" average_exec_per_sec)
    secs=$(sed -nE 's/^Done [0-9]+ runs in ([0-9]+) second.*/\1/p' "$log" | tail -n 1)
    cov=$(status_field "$log" cov)
    ft=$(status_field "$log" ft)
    size=$(find "$corpus" -type f | wc -l)
    new_artifacts=$(comm -13 <(echo "$before") <(find "$FUZZ_DIR/artifacts/$t" -type f | sort) | sed '/^$/d')
    crashes=$(printf '%s' "$new_artifacts" | grep -c . || true)

    line="$t: executions ${runs:-?}${secs:+ in ${secs}s} (exec/s ${rate:-?}), cov ${cov:-?} ft ${ft:-?}, corpus $size, crashes $crashes"
    if [ "$status" -ne 0 ] || [ "$crashes" -gt 0 ]; then
        FAILED=1
        line="$line  FAILED (exit $status)"
        echo "$line"
        grep -E 'panicked at|invariant broken|ERROR: libFuzzer|ERROR: AddressSanitizer|deadly signal|overflowed its stack|Test unit written' "$log" | head -n 8 | sed 's/^/    /' || true
        [ -z "$new_artifacts" ] || printf '    crash input: %s\n' $new_artifacts
        echo "    reproduce: cargo +nightly fuzz run --fuzz-dir $FUZZ_DIR $t <crash input>"
        echo "    minimize:  cargo +nightly fuzz tmin --fuzz-dir $FUZZ_DIR $t <crash input>"
    else
        echo "$line"
    fi
    SUMMARY+=("$line")
done

echo "== summary (${SECONDS_PER_TARGET}s per target)"
printf '  %s\n' "${SUMMARY[@]}"
exit "$FAILED"
