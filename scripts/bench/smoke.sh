#!/usr/bin/env bash
# Every benchmark once at a tiny size with the debug build (BENCH_SMOKE=1), in seconds each: not
# to measure anything, only to see that each still runs to its ratio line, so a benchmark cannot
# rot unseen. scripts/test.sh runs it.
#
# Each benchmark reaching its ratio line passes; one that stops before it, or runs longer than
# SMOKE_TIMEOUT seconds (default 180), fails; one whose peer cannot be had here (not root, or
# not installable) is skipped, said loudly (`SKIPPED: bench::NAME: ...`, also appended to
# KINGA_SKIP_LOG when set). Prints `# pass N` and `# fail N`, which scripts/test.sh adds to its
# closing line; exits 1 when any benchmark failed.
#
#   scripts/bench/smoke.sh                 # all of them
#   scripts/bench/smoke.sh import detect   # some
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
export BENCH_SMOKE=1
WORK=$(mktemp -d /tmp/kinga-bench-smoke.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

# name | command | the line that says it got there (an extended regular expression)
BENCHES=(
    "a|env BENCH=a KINGA_BENCH_DIR=$WORK/bench-a bash scripts/bench.sh|^\(a\) RATIO kinga/sqlite3 throughput: ([0-9.]+|inf)x"
    "b|env BENCH=b KINGA_BENCH_DIR=$WORK/bench-b bash scripts/bench.sh|^\(b\) admin1 RATIO kinga c=1 / sqlite3: p50 "
    "vault|bash scripts/bench/vault.sh|^  ratio kinga / peer: ([0-9.]+|inf) durable"
    "forecast|bash scripts/bench/forecast.sh|^ratio kinga/glmnet: ([0-9.]+|inf) "
    "import|bash scripts/bench/import.sh|^ratio kinga/sqlite3 +([0-9.]+|inf) "
    "detect|bash scripts/bench/detect.sh|^ratio kinga/duckdb: +([0-9.]+|inf) "
)

pass=0
fail=0
# Built once, before the timed runs: the debug binary the scripts measure (after `cargo test`,
# only its own features' build) and the vault benchmark.
if ! { cargo build -q -p kinga && cargo test -q -p kinga-vault --bench intake --no-run; }; then
    echo "bench smoke: FAILED: the build failed"
    echo "# pass 0"
    echo "# fail ${#BENCHES[@]}"
    exit 1
fi
export KINGA_BIN=${CARGO_TARGET_DIR:-$ROOT/target}/debug/kinga
skipped() {
    local line="SKIPPED: bench::$1: $2"
    printf '\n%s\n\n' "$line" >&2
    if [ -n "${KINGA_SKIP_LOG:-}" ]; then echo "$line" >>"$KINGA_SKIP_LOG"; fi
}
for b in "${BENCHES[@]}"; do
    IFS='|' read -r name cmd want <<<"$b"
    if [ $# -gt 0 ] && [[ " $* " != *" $name "* ]]; then continue; fi
    out="$WORK/$name.out"
    t0=$(date +%s)
    timeout "${SMOKE_TIMEOUT:-180}" $cmd >"$out" 2>&1
    code=$?
    took=$(( $(date +%s) - t0 ))
    if [ "$code" -eq 77 ]; then
        skipped "$name" "$(sed -n 's/^PEER MISSING: //p' "$out" | head -1)"
    elif [ "$code" -eq 0 ] && grep -qE "$want" "$out"; then
        echo "bench smoke $name: reached its ratio line in ${took}s: $(grep -E "$want" "$out" | head -1)"
        pass=$(( pass + 1 ))
    else
        echo "bench smoke $name: FAILED (exit $code after ${took}s) before its ratio line; its output:"
        sed 's/^/    /' "$out" | tail -40
        fail=$(( fail + 1 ))
    fi
done
echo "# pass $pass"
echo "# fail $fail"
[ "$fail" -eq 0 ]
