#!/usr/bin/env bash
# The browser test: the real `kinga` binary, Debian's Chromium, Playwright from npm.
set -euo pipefail
cd "$(dirname "$0")"
# A skip is reported as one (scripts/test.sh counts the SKIPPED lines), never as a pass.
skip() {
    local line="SKIPPED: browser::journey: $*"
    echo "$line" >&2
    if [ -n "${KINGA_SKIP_LOG:-}" ]; then echo "$line" >>"$KINGA_SKIP_LOG"; fi
    exit 0
}
if ! command -v chromium >/dev/null; then
    if [ "$(id -u)" -eq 0 ]; then
        export DEBIAN_FRONTEND=noninteractive
        apt-get install -y -qq --no-install-recommends chromium >&2 || { apt-get update -qq >&2 && apt-get install -y -qq --no-install-recommends chromium >&2; }
    else
        skip "chromium is not installed (apt-get install chromium)"
    fi
fi
if ! command -v node >/dev/null; then
    skip "node is not installed"
fi
npm ci --no-audit --no-fund --loglevel=error >&2
target="${CARGO_TARGET_DIR:-../../target}"
cargo build -q -p kinga >&2
KINGA_BIN="$(cd "$target" && pwd)/debug/kinga" node --test
