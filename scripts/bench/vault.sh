#!/usr/bin/env bash
# Evidence vault benchmarks (issue 3), each against its peer in the same run:
#   1. intake of a 1 GiB file vs `sha256sum FILE && age -e -r KEY FILE`, ratio printed;
#   2. peak resident memory of a 4 GiB intake (/usr/bin/time -v);
#   3. verification of a dossier of 1,000 files.
# Needs: age (Debian package age), time (/usr/bin/time), coreutils.
# Environment: KINGA_BENCH_MIB (default 1024), KINGA_BENCH_BIG_MIB (4096), KINGA_BENCH_DIR
# (scratch directory, default the system temporary directory), QUIET_WAIT (seconds to wait for
# a one-minute load average below 0.5 before starting, default 0).
set -euo pipefail
cd "$(dirname "$0")/../.."
for tool in age age-keygen sha256sum; do
  command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install -y age coreutils)"; exit 1; }
done
[ -x /usr/bin/time ] || echo "note: /usr/bin/time missing (apt-get install -y time): peak memory is skipped"
cargo build --profile bench -p kinga-vault --benches >/dev/null 2>&1 || true
wait_quiet() {
  local until=$(( $(date +%s) + ${QUIET_WAIT:-0} ))
  while [ "$(date +%s)" -lt "$until" ] && awk '{exit !($1 >= 0.5)}' /proc/loadavg; do sleep 10; done
}
wait_quiet
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
cargo bench -p kinga-vault --bench intake 2>/dev/null
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
