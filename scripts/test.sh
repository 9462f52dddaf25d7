#!/usr/bin/env bash
# Runs every Kinga test on this machine, setting up what the tests need first:
#   - PostgreSQL (Debian package) for the storage conformance story on PostgreSQL,
#   - sqlite3 (Debian package) for the test that edits the database file by hand,
#   - Debian's chromium and Playwright (npm) for the browser test,
#   - Python's aiosmtpd (pip) for the e-mail delivery test.
# As root on Debian it installs what is missing; otherwise the parts whose tools are absent
# are skipped with a message naming what is missing.
# Then each benchmark runs once at a tiny size (scripts/bench/smoke.sh), so a benchmark that no
# longer reaches its ratio line fails here.
#
# Every skip is counted: a test that cannot run here writes `SKIPPED: <test>: <reason>` (the
# crate kinga-testkit, tests/browser/run.sh, scripts/bench/smoke.sh), also into the file
# KINGA_SKIP_LOG, and the closing line reports those tests as skipped, not passed.
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

# Python packages the tests use, quietly; as root or not (then into the user's site). A
# Python whose packages are managed by the system refuses pip: Debian's package is tried next.
pip_install() {
    command -v python3 >/dev/null || return 1
    python3 -m pip install --quiet --disable-pip-version-check "$@" >/dev/null 2>&1 ||
        { ! is_root && python3 -m pip install --quiet --disable-pip-version-check --user "$@" >/dev/null 2>&1; }
}

command -v sqlite3 >/dev/null || apt_install sqlite3 || say "sqlite3 missing: the hand-edit test will skip"
# R's glmnet is the reference the forecast is checked against; openssl ts is the local time-stamp
# authority of the evidence tests.
command -v Rscript >/dev/null && Rscript -e 'library(glmnet)' >/dev/null 2>&1 || apt_install r-cran-glmnet || say "R glmnet missing: the forecast reference test will skip"
command -v openssl >/dev/null || apt_install openssl || say "openssl missing: the time-stamp tests will skip"
# aiosmtpd is the real SMTP server the e-mail delivery test sends to.
python3 -c 'import aiosmtpd' >/dev/null 2>&1 || pip_install aiosmtpd || apt_install python3-aiosmtpd || say "aiosmtpd missing: the SMTP delivery test will skip"

if [ -z "${KINGA_TEST_DATABASE_URL:-}" ]; then
    if is_root; then
        eval "$(bash .ci/postgres.sh)"
        export KINGA_TEST_DATABASE_URL KINGA_TEST_PG_TLS_CA KINGA_TEST_PG_OTHER_CA
    else
        say "not root and KINGA_TEST_DATABASE_URL unset: the PostgreSQL conformance run will skip"
    fi
fi

log=$(mktemp)
KINGA_SKIP_LOG=$(mktemp)
export KINGA_SKIP_LOG
trap 'rm -f "$log" "$KINGA_SKIP_LOG"' EXIT

# A failing part does not stop the others: the closing line counts them all.
status=0
# Clean by rule, not by habit: formatting and every lint, warnings as errors.
say "cargo fmt --check, cargo clippy -D warnings"
if ! { cargo fmt --all -- --check && cargo clippy --workspace --all-targets --quiet -- -D warnings; } 2>&1 | tee -a "$log"; then
    echo "# fail 1" | tee -a "$log"
    say "formatting or lints failed (above)"
    status=1
fi
say "cargo test --workspace"
cargo test --workspace --no-fail-fast 2>&1 | tee -a "$log" || status=1

say "browser test"
bash tests/browser/run.sh 2>&1 | tee -a "$log" || status=1

say "benchmarks, smoke run"
bash scripts/bench/smoke.sh 2>&1 | tee -a "$log" || status=1

# A short run of every fuzz target (docs/fuzzing.md); a crash or a build failure fails the run,
# each target that ran clean counts as passed. KINGA_FUZZ_SECONDS=0 leaves it out, as skipped.
say "fuzz targets"
fuzz_out=$(mktemp)
if bash scripts/fuzz.sh "${KINGA_FUZZ_SECONDS:-20}" 2>&1 | tee "$fuzz_out"; then
    if grep -q '^fuzz: SKIPPED' "$fuzz_out"; then
        sed -n 's/^fuzz: SKIPPED (\(.*\))$/SKIPPED: fuzz::targets: \1/p' "$fuzz_out" >> "$KINGA_SKIP_LOG"
    else
        echo "# pass $(grep -cE '^fuzz: [a-z_]+: [0-9]+ executions' "$fuzz_out")" >> "$log"
    fi
else
    echo "# fail 1" >> "$log"
    status=1
fi
rm -f "$fuzz_out"

# One closing line for the whole run: every Rust test binary, the browser suite, the
# benchmarks' smoke run and the fuzz targets (`# pass N`, `# fail N`).
passed=$(grep -hoE '(test result: .* ([0-9]+) passed|^# pass [0-9]+)' "$log" | grep -oE '[0-9]+ passed|pass [0-9]+' | grep -oE '[0-9]+' | awk '{s += $1} END {print s + 0}')
failed=$(grep -hoE '(([0-9]+) failed;|^# fail [0-9]+)' "$log" | grep -oE '[0-9]+' | awk '{s += $1} END {print s + 0}')
# A skipped test is named once however many things it missed. Rust's harness counted its
# skipped tests as passed; the browser suite and the benchmarks did not count theirs. Tests
# that were not run at all count as skipped too: Rust's #[ignore]d ones (`N ignored`) and
# node's skipped ones (`# skipped N`).
skipped_names() { sed -n 's/^SKIPPED: \([^ ]*\): .*/\1/p' "$KINGA_SKIP_LOG" | sort -u; }
not_run=$(grep -hoE '(test result: .* [0-9]+ ignored|^# skipped [0-9]+)' "$log" | grep -oE '[0-9]+ ignored|skipped [0-9]+' | grep -oE '[0-9]+' | awk '{s += $1} END {print s + 0}')
skipped=$(( $(skipped_names | wc -l) + not_run ))
skipped_rust=$(skipped_names | grep -cvE '^(browser|bench)::' || true)
if [ "$skipped" -gt 0 ]; then
    say "skipped tests:"
    sort -u "$KINGA_SKIP_LOG" >&2
    grep -E '^test .* \.\.\. ignored' "$log" >&2 || true
fi
passed=$(( ${passed:-0} - skipped_rust ))
[ "${failed:-0}" -eq 0 ] || status=1
echo "kinga: $passed passed, ${failed:-0} failed, $skipped skipped"
exit "$status"
