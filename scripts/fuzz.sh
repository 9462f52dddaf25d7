#!/usr/bin/env bash
# Builds the fuzz targets (fuzz/, docs/fuzzing.md) and runs each for SECONDS (default 30), one
# after the other, each a single libFuzzer process. Prints each target's execution count; exits
# non-zero when a target fails to build or finds a crash (the input is kept under
# fuzz/artifacts/<target>/). Works on the stable toolchain: `--sanitizer none` needs no
# unstable flag. The committed seed corpus is read, never written: new inputs go to a scratch
# copy, so a run leaves the tree as it was.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-30}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(importers api_json dossier)

say() { printf '== %s\n' "$*" >&2; }

if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -eq 0 ]; then
    echo "fuzz: SKIPPED (run time '$seconds': no fuzz target run)"
    exit 0
fi

# cargo-fuzz itself comes from crates.io; libFuzzer is built from libfuzzer-sys with a C++
# compiler.
if ! cargo fuzz --version >/dev/null 2>&1; then
    say "installing cargo-fuzz"
    if ! cargo install --locked cargo-fuzz@0.13.2 >&2; then
        echo "fuzz: SKIPPED (cargo-fuzz could not be installed)"
        exit 0
    fi
fi
if ! command -v c++ >/dev/null; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends g++ >&2 ||
            { apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends g++ >&2; } || true
    fi
    if ! command -v c++ >/dev/null; then
        echo "fuzz: SKIPPED (no C++ compiler to build libFuzzer)"
        exit 0
    fi
fi

# Debug assertions on, so an arithmetic overflow is a crash, as it is in the debug test builds.
flags=(--sanitizer none --debug-assertions)
# Beside the project's other builds when a target directory is set (CI keeps it between runs),
# so a fresh clone does not build libFuzzer and every dependency again.
if [ -n "${CARGO_TARGET_DIR:-}" ]; then
    flags+=(--target-dir "$CARGO_TARGET_DIR/fuzz")
fi
say "cargo fuzz build"
cargo fuzz build "${flags[@]}" >&2

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
status=0
total=0
for t in "${targets[@]}"; do
    mkdir -p "$scratch/$t"
    say "fuzz $t for ${seconds}s"
    # -timeout: an input that takes 10 s is a finding (a hang), not a slow test.
    if cargo fuzz run "${flags[@]}" "$t" "$scratch/$t" "fuzz/corpus/$t" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        >"$scratch/$t.log" 2>&1; then
        runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$scratch/$t.log" | grep -oE '[0-9]+$' | tail -1)
        cov=$(grep -oE 'DONE +cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' "$scratch/$t.log" | tail -1 | awk '{print "coverage " $3 ", features " $5 ", corpus " $7}')
        total=$((total + ${runs:-0}))
        echo "fuzz: $t: ${runs:-?} executions in ${seconds}s (${cov:-no statistics}), no crash"
    else
        status=1
        tail -n 40 "$scratch/$t.log" >&2
        echo "fuzz: $t: CRASH or build failure (input under fuzz/artifacts/$t/)"
    fi
done
if [ "$status" -eq 0 ]; then
    echo "fuzz: ${#targets[@]} target(s), $total executions, no crash"
fi
exit "$status"
