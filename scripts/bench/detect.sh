#!/usr/bin/env bash
# Detector benchmark: `kinga detect` (weekly counts by admin1 region from the event store, zero
# filled, EWMA + CUSUM + EARS C2 over every region, signals stored in place of the last run and
# listed) against DuckDB computing the same weekly counts and an EWMA in SQL straight from the
# same CSV, in the same run. Prints both times, the ratio (target <= 1.0) and peak memory.
# The import into Kinga is done first and timed apart: it is the import benchmark's subject
# (scripts/bench/import.sh), and DuckDB has no stored form to compare it with.
#
#   scripts/bench/detect.sh                  # 5,000,000 rows
#   ROWS=1000000 scripts/bench/detect.sh     # a shorter run
#   BENCH_SMOKE=1 scripts/bench/detect.sh    # 2,000 rows, the debug build: does it still run?
#
# Needs: python3 with duckdb (pip install duckdb), sqlite3, GNU time (/usr/bin/time), installed
# as root when missing. KINGA_BIN skips the release build; KINGA_BENCH_DIR keeps the work files
# (default: a new directory under /tmp, removed at the end unless KEEP=1); an events.csv and
# kinga/ already there with the right row count are reused.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/scripts/bench/peers.sh"
if [ "${BENCH_SMOKE:-0}" = 1 ]; then ROWS=${ROWS:-2000}; fi
ROWS=${ROWS:-5000000}
SOURCE=${SOURCE:-$ROOT/data/demo/ucdp_ged_v23_1_central_african_republic.csv}
DIR=${KINGA_BENCH_DIR:-$(mktemp -d /tmp/kinga-detect-bench.XXXXXX)}
mkdir -p "$DIR"

peer_apt sqlite3 sqlite3 || peer_missing "needs sqlite3 (apt-get install sqlite3)"
peer_apt /usr/bin/time time || peer_missing "needs GNU time (apt-get install time)"
peer_apt python3 python3 || peer_missing "needs python3"
peer_pip duckdb duckdb || peer_missing "needs the duckdb Python package (pip install duckdb)"

KINGA_BIN=$(kinga_binary "$ROOT")

CSV=$DIR/events.csv
# GED text fields hold line breaks, so the row count is kept beside the file, not counted.
if [ ! -s "$CSV" ] || [ "$(cat "$DIR/events.rows" 2>/dev/null)" != "$ROWS" ]; then
    echo "generating $ROWS events from $(basename "$SOURCE")" >&2
    "$KINGA_BIN" bench gen-events --from "$SOURCE" --rows "$ROWS" --out "$CSV" >&2
    echo "$ROWS" >"$DIR/events.rows"
    rm -rf "$DIR/kinga"
fi
echo "input: $CSV, $(du -h "$CSV" | cut -f1), $ROWS rows" >&2

# Runs a command under GNU time; prints "seconds peak_kib".
measure() {
    local log=$1
    shift
    /usr/bin/time -f '%e %M' -o "$log.time" "$@" >"$log" 2>"$log.err"
    cat "$log.time"
}

IMPORT_S="reused, not timed"
if [ ! -s "$DIR/kinga/kinga.db" ]; then
    read -r IMPORT_S _ < <(measure "$DIR/import.log" \
        "$KINGA_BIN" import ucdp "$CSV" --data-dir "$DIR/kinga")
    IMPORT_S="$IMPORT_S s"
fi
STORED=$(sqlite3 "$DIR/kinga/kinga.db" "SELECT COUNT(*) FROM events")

load() { cut -d' ' -f1 /proc/loadavg; }

LOAD_K=$(load)
read -r KINGA_S KINGA_KIB < <(measure "$DIR/kinga-detect.csv" \
    "$KINGA_BIN" detect --level admin1 --period week --format csv --data-dir "$DIR/kinga")
echo "kinga: $(cat "$DIR/kinga-detect.csv.err")" >&2

LOAD_D=$(load)
read -r DUCK_S DUCK_KIB < <(measure "$DIR/duckdb.log" \
    python3 "$ROOT/scripts/bench/detect_duckdb.py" "$CSV" "$DIR/duckdb-ewma.csv")
echo "duckdb: $(cat "$DIR/duckdb.log")" >&2

# Both sides must have counted the same thing: region-weeks with events and events in them,
# read from the daily roll-up `kinga detect` answers from (`kinga verify` checks that it equals
# a recount of the stored events).
KINGA_CELLS=$(sqlite3 "$DIR/kinga/kinga.db" \
    "SELECT COUNT(*) || ' ' || SUM(n) FROM (SELECT country, admin1, week, SUM(events) AS n FROM event_rollup WHERE dataset <> 'gdelt' GROUP BY country, admin1, week)")
DUCK_CELLS=$(sed -E 's/.*events=([0-9]+) weeks_with_events=([0-9]+).*/\2 \1/' "$DIR/duckdb.log")

# (GNU time counts hundredths: a tiny run may take "0.00" s.)
ratio=$(awk -v k="$KINGA_S" -v d="$DUCK_S" 'BEGIN { if (d > 0) printf "%.2f", k / d; else print "inf" }')
cat <<OUT
rows generated:            $ROWS (stored by kinga: $STORED)
kinga import (setup):      ${IMPORT_S}
kinga detect:              ${KINGA_S} s, peak ${KINGA_KIB} KiB (load at start $LOAD_K)
duckdb counts + EWMA:      ${DUCK_S} s, peak ${DUCK_KIB} KiB (load at start $LOAD_D)
region-weeks, events:      kinga $KINGA_CELLS; duckdb $DUCK_CELLS
ratio kinga/duckdb:        $ratio (target <= 1.0)
OUT

if [ "${KEEP:-0}" != 1 ] && [ -z "${KINGA_BENCH_DIR:-}" ]; then
    rm -rf "$DIR"
fi
