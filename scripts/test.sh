#!/usr/bin/env bash
# Runs every Kinga test on this machine, setting up what the tests need first:
#   - PostgreSQL (Debian package) for the storage conformance story on PostgreSQL,
#   - sqlite3 (Debian package) for the test that edits the database file by hand,
#   - Debian's chromium and Playwright (npm) for the browser test.
# As root on Debian it installs what is missing; otherwise the parts whose tools are absent
# are skipped with a message naming what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '== %s\n' "$*" >&2; }
is_root() { [ "$(id -u)" -eq 0 ]; }

apt_install() {
    is_root || return 1
    export DEBIAN_FRONTEND=noninteractive
    if [ -z "$(ls -A /var/lib/apt/lists 2>/dev/null | grep -v -e '^lock$' -e '^partial$' || true)" ]; then
        apt-get update -qq >&2
    fi
    apt-get install -y -qq --no-install-recommends "$@" >&2 || { apt-get update -qq >&2 && apt-get install -y -qq --no-install-recommends "$@" >&2; }
}

command -v sqlite3 >/dev/null || apt_install sqlite3 || say "sqlite3 missing: the hand-edit test will skip"
# R's glmnet is the reference the forecast is checked against; openssl ts is the local time-stamp
# authority of the evidence tests.
command -v Rscript >/dev/null && Rscript -e 'library(glmnet)' >/dev/null 2>&1 || apt_install r-cran-glmnet || say "R glmnet missing: the forecast reference test will skip"
command -v openssl >/dev/null || apt_install openssl || say "openssl missing: the time-stamp tests will skip"

if [ -z "${KINGA_TEST_DATABASE_URL:-}" ]; then
    if is_root; then
        eval "$(bash .ci/postgres.sh)"
        export KINGA_TEST_DATABASE_URL
    else
        say "not root and KINGA_TEST_DATABASE_URL unset: the PostgreSQL conformance run will skip"
    fi
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT

say "cargo test --workspace"
cargo test --workspace --no-fail-fast 2>&1 | tee "$log"

say "browser test"
bash tests/browser/run.sh 2>&1 | tee -a "$log"

# A short run of every fuzz target (docs/fuzzing.md); a crash or a build failure fails the run.
# KINGA_FUZZ_SECONDS=0 leaves it out, with a SKIPPED line.
say "fuzz targets"
bash scripts/fuzz.sh "${KINGA_FUZZ_SECONDS:-20}"

# One closing line for the whole run: every Rust test binary and the browser suite.
passed=$(grep -hoE '(test result: .* ([0-9]+) passed|^# pass [0-9]+)' "$log" | grep -oE '[0-9]+ passed|pass [0-9]+' | grep -oE '[0-9]+' | awk '{s += $1} END {print s + 0}')
failed=$(grep -hoE '(([0-9]+) failed;|^# fail [0-9]+)' "$log" | grep -oE '[0-9]+' | awk '{s += $1} END {print s + 0}')
echo "kinga: ${passed:-0} passed, ${failed:-0} failed"
