#!/usr/bin/env bash
# Event import benchmark: `kinga import ucdp` into the embedded default (every row validated,
# normalised into typed columns with day/week/month buckets, indexed, audited per batch)
# against the sqlite3 shell's `.import` of the same CSV into a plain all-text table, in the same
# run. Prints both times, the ratio (target <= 1.0) and each side's peak memory.
#
#   scripts/bench/import.sh                 # 5,000,000 rows
#   ROWS=1000000 scripts/bench/import.sh    # a shorter run
#   BENCH_SMOKE=1 scripts/bench/import.sh   # 2,000 rows, the debug build: does it still run?
#
# Needs: sqlite3, GNU time (/usr/bin/time), installed as root when missing. KINGA_BIN skips the
# release build; KINGA_BENCH_DIR keeps the work files (default: a new directory under /tmp,
# removed at the end unless KEEP=1).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/scripts/bench/peers.sh"
if [ "${BENCH_SMOKE:-0}" = 1 ]; then ROWS=${ROWS:-2000}; fi
ROWS=${ROWS:-5000000}
SOURCE=${SOURCE:-$ROOT/data/demo/ucdp_ged_v23_1_central_african_republic.csv}
DIR=${KINGA_BENCH_DIR:-$(mktemp -d /tmp/kinga-import-bench.XXXXXX)}
mkdir -p "$DIR"

peer_apt sqlite3 sqlite3 || peer_missing "needs sqlite3 (apt-get install sqlite3)"
peer_apt /usr/bin/time time || peer_missing "needs GNU time (apt-get install time)"

KINGA_BIN=$(kinga_binary "$ROOT")

CSV=$DIR/events.csv
# GED text fields hold line breaks, so the row count is kept beside the file, not counted
# (the same file then serves scripts/bench/detect.sh in the same directory).
if [ ! -s "$CSV" ] || [ "$(cat "$DIR/events.rows" 2>/dev/null)" != "$ROWS" ]; then
    echo "generating $ROWS events from $(basename "$SOURCE")" >&2
    "$KINGA_BIN" bench gen-events --from "$SOURCE" --rows "$ROWS" --out "$CSV" >&2
    echo "$ROWS" >"$DIR/events.rows"
fi
load() { cut -d' ' -f1 /proc/loadavg; }
echo "input: $CSV, $(du -h "$CSV" | cut -f1), $ROWS rows" >&2

# Runs a command under GNU time; prints "seconds peak_kib".
measure() {
    local log=$1
    shift
    /usr/bin/time -f '%e %M' -o "$log.time" "$@" >"$log" 2>"$log.err"
    cat "$log.time"
}

rm -f "$DIR/plain.db" "$DIR/plain.db-journal"
LOAD_S=$(load)
read -r SQLITE_S SQLITE_KIB < <(measure "$DIR/sqlite3.log" \
    sqlite3 "$DIR/plain.db" ".import --csv $CSV events")
SQLITE_ROWS=$(sqlite3 "$DIR/plain.db" "SELECT COUNT(*) FROM events")

rm -rf "$DIR/kinga"
LOAD_K=$(load)
read -r KINGA_S KINGA_KIB < <(measure "$DIR/kinga.log" \
    "$KINGA_BIN" import ucdp "$CSV" --data-dir "$DIR/kinga" --quarantine "$DIR/rejected.csv")
echo "kinga: $(cat "$DIR/kinga.log")" >&2

LOAD_V=$(load)
read -r VERIFY_S VERIFY_KIB < <(measure "$DIR/verify.log" "$KINGA_BIN" verify --data-dir "$DIR/kinga")
echo "verify: $(head -1 "$DIR/verify.log")" >&2

# (GNU time counts hundredths: a tiny run may take "0.00" s.)
ratio=$(awk -v k="$KINGA_S" -v s="$SQLITE_S" 'BEGIN { if (s > 0) printf "%.2f", k / s; else print "inf" }')
rate() { awk -v n="$ROWS" -v s="$1" 'BEGIN { if (s > 0) printf "%.0f", n / s; else print "inf" }'; }
cat <<OUT
rows                 $ROWS (sqlite3 table holds $SQLITE_ROWS)
sqlite3 .import      ${SQLITE_S} s  ($(rate "$SQLITE_S") rows/s)  peak $((SQLITE_KIB / 1024)) MiB  db $(du -h "$DIR/plain.db" | cut -f1)  load at start $LOAD_S
kinga import ucdp    ${KINGA_S} s  ($(rate "$KINGA_S") rows/s)  peak $((KINGA_KIB / 1024)) MiB  db $(du -sh "$DIR/kinga" | cut -f1)  load at start $LOAD_K
kinga verify         ${VERIFY_S} s  peak $((VERIFY_KIB / 1024)) MiB  load at start $LOAD_V
ratio kinga/sqlite3  $ratio  (target <= 1.0)
OUT

if [ -z "${KINGA_BENCH_DIR:-}" ] && [ "${KEEP:-0}" != 1 ]; then
    rm -rf "$DIR"
fi
