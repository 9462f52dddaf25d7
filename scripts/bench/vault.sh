#!/usr/bin/env bash
# Evidence vault benchmarks (issue 3), each against its peer in the same run:
#   1. intake of a 1 GiB file vs `sha256sum FILE && age -e -r KEY FILE`, ratio printed;
#   2. peak resident memory of a 4 GiB intake (/usr/bin/time -v);
#   3. verification of a dossier of 1,000 files.
# Needs: age (Debian package age), time (/usr/bin/time), coreutils; installed as root when
# missing.
# Environment: KINGA_BENCH_MIB (default 1024), KINGA_BENCH_BIG_MIB (4096), KINGA_BENCH_FILES
# (files in the dossier, default 1000), KINGA_BENCH_DIR (scratch directory, default the system
# temporary directory), QUIET_WAIT (seconds to wait for a one-minute load average below 0.5
# before starting, default 0). BENCH_SMOKE=1: 8 MiB, 16 MiB and 20 files with the debug build,
# only to see that it still runs to its ratio line.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/bench/peers.sh
peer_apt age age || peer_missing "missing age (apt-get install -y age)"
peer_apt age-keygen age || peer_missing "missing age-keygen (apt-get install -y age)"
peer_apt sha256sum coreutils || peer_missing "missing sha256sum (apt-get install -y coreutils)"
peer_apt /usr/bin/time time || echo "note: /usr/bin/time missing (apt-get install -y time): peak memory is skipped"
if [ "${BENCH_SMOKE:-0}" = 1 ]; then
  export KINGA_BENCH_MIB=${KINGA_BENCH_MIB:-8} KINGA_BENCH_BIG_MIB=${KINGA_BENCH_BIG_MIB:-16} \
    KINGA_BENCH_FILES=${KINGA_BENCH_FILES:-20}
  # harness = false: `cargo test` runs the benchmark's main, built without optimisation.
  exec cargo test -q -p kinga-vault --bench intake
fi
cargo build --profile bench -p kinga-vault --benches >/dev/null 2>&1 || true
wait_quiet() {
  local until=$(( $(date +%s) + ${QUIET_WAIT:-0} ))
  while [ "$(date +%s)" -lt "$until" ] && awk '{exit !($1 >= 0.5)}' /proc/loadavg; do sleep 10; done
}
wait_quiet
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
cargo bench -p kinga-vault --bench intake 2>/dev/null
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
