#!/usr/bin/env bash
# Load benchmarks of Kinga's embedded default (SQLite), each against sqlite3 on the same data in
# the same run. docs/benchmarks.md records the results and explains the method.
#
#   scripts/bench.sh                 # everything: machine, (a) report submissions, (b) incident lists
#   BENCH=a scripts/bench.sh         # only (a);  BENCH=b: only (b)
#   BENCH_SMOKE=1 scripts/bench.sh   # tiny sizes and the debug build, in seconds: does every
#                                    # part still reach its RATIO lines? (scripts/bench/smoke.sh)
#
# Settings (environment): DURATION (seconds of wrk for (a), default 30), LIST_DURATION (seconds
# per wrk run in (b), default 10), EVENTS (incidents to seed for (b), default 100000),
# PEER_ROWS (rows sqlite3 inserts in (a), default 4000), PEER_REPEAT (sqlite3 repetitions of
# each list query, default 100), FSYNC_PROBE=0 (skip pg_test_fsync), QUIET_WAIT (seconds to wait
# for a load average below 0.5 before each part, default 0), PROBE=0 (skip the read-path probe
# after (b)), KINGA_BENCH_DIR (work directory, default a new /tmp/kinga-bench.*), KINGA_BIN
# (an already built binary: no build).
#
# Needs: cargo, wrk, sqlite3, python3, curl, jq (Debian: apt-get install -y wrk sqlite3 jq curl;
# installed as root when missing); pg_test_fsync (apt-get install -y postgresql) is used when
# present.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
HERE="$ROOT/scripts/bench"
. "$HERE/peers.sh"
BENCH=${BENCH:-ab}
if [ "${BENCH_SMOKE:-0}" = 1 ]; then
    DURATION=${DURATION:-2}
    LIST_DURATION=${LIST_DURATION:-1}
    EVENTS=${EVENTS:-2000}
    PEER_ROWS=${PEER_ROWS:-64}
    PEER_REPEAT=${PEER_REPEAT:-2}
    FSYNC_PROBE=${FSYNC_PROBE:-0}
fi
DURATION=${DURATION:-30}
LIST_DURATION=${LIST_DURATION:-10}
EVENTS=${EVENTS:-100000}
PEER_ROWS=${PEER_ROWS:-4000}
PEER_REPEAT=${PEER_REPEAT:-100}
CONNS=32
WORK=${KINGA_BENCH_DIR:-$(mktemp -d /tmp/kinga-bench.XXXXXX)}
mkdir -p "$WORK"
SUMMARY="$WORK/summary.txt"
: >"$SUMMARY"

command -v cargo >/dev/null || { echo "bench.sh: cargo is missing" >&2; exit 2; }
for tool in wrk sqlite3 python3 curl jq; do
    peer_apt "$tool" "$tool" || peer_missing "bench.sh: $tool is missing (apt-get install $tool)"
done

say() { printf '\n== %s\n' "$*"; }
record() { printf '%s\n' "$*" | tee -a "$SUMMARY"; }
# field NAME LINE: the value of NAME=... in a RESULT line
field() { sed -n "s/.*[[:space:]]$1=\([^[:space:]]*\).*/\1/p" <<<"$2"; }
ratio() { python3 -c "import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); print(f'{a / b:.2f}' if b else 'inf')" "$1" "$2"; }
now() { date +%s.%N; }
since() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$1" "$(now)"; }

# The machine may be shared: note its load, and with QUIET_WAIT=SECONDS wait (at most that
# long) for the one-minute load average to fall below 0.5 before each part.
load() { cut -d' ' -f1-3 /proc/loadavg; }
wait_quiet() {
    local waited=0
    while [ "$waited" -lt "${QUIET_WAIT:-0}" ] &&
        python3 -c "import sys; sys.exit(0 if float(open('/proc/loadavg').read().split()[0]) >= 0.5 else 1)"; do
        sleep 10
        waited=$(( waited + 10 ))
    done
    record "load average before $1: $(load)"
}

say "build"
KINGA=$(kinga_binary "$ROOT")

SERVER_PID=
stop_server() {
    if [ -n "$SERVER_PID" ]; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
        SERVER_PID=
    fi
}
trap stop_server EXIT

# start_server DATA_DIR LOG: starts `kinga serve` on a free port; sets SERVER_PID and BASE.
start_server() {
    local data=$1 log=$2
    "$KINGA" serve --data-dir "$data" --listen 127.0.0.1:0 >"$log.out" 2>"$log.err" &
    SERVER_PID=$!
    BASE=
    for _ in $(seq 1 600); do
        BASE=$(sed -n 's#^Kinga listening on \(http://[^/]*\)/$#\1#p' "$log.out")
        [ -n "$BASE" ] && return 0
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            cat "$log.err" >&2
            return 1
        fi
        sleep 0.1
    done
    echo "bench.sh: kinga serve did not start" >&2
    return 1
}

# set_up DATA_DIR SLUG: organisation, analyst and token; prints the token.
set_up() {
    local data=$1 slug=$2
    "$KINGA" org add --data-dir "$data" --slug "$slug" --name "Benchmark $slug" >/dev/null
    printf 'password123456\n' |
        "$KINGA" user add --data-dir "$data" --org "$slug" --role analyst --email "analyst@$slug.example.org" >/dev/null
    "$KINGA" token create --data-dir "$data" --email "analyst@$slug.example.org"
}

say "machine"
{
    echo "nproc: $(nproc)"
    echo "cpu: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | sort | uniq -c | sed 's/^ *//')"
    free -h
    echo "kernel: $(uname -r)"
    echo "filesystem of $WORK: $(df -T "$WORK" | awk 'NR==2 {print $1, $2}')"
    echo "sqlite3: $(sqlite3 --version | cut -d' ' -f1)   wrk: $(wrk --version 2>&1 | head -1 | cut -d' ' -f2)"
} | tee -a "$SUMMARY"
PG_TEST_FSYNC=$(ls /usr/lib/postgresql/*/bin/pg_test_fsync 2>/dev/null | sort -V | tail -1 || true)
if [ "${FSYNC_PROBE:-1}" = 0 ]; then
    record "pg_test_fsync skipped (FSYNC_PROBE=0)"
elif [ -n "$PG_TEST_FSYNC" ]; then
    "$PG_TEST_FSYNC" -s 3 -f "$WORK/fsync.probe" >"$WORK/pg_test_fsync.txt" 2>&1 || true
    rm -f "$WORK/fsync.probe"
    record "pg_test_fsync (one 8kB write, ops/s, on the work directory's disk):"
    awk '/using one 8kB write/ { f = 1; next } f && /^$/ { exit } f && /ops\/sec/' \
        "$WORK/pg_test_fsync.txt" | tee -a "$SUMMARY"
else
    record "pg_test_fsync not installed (apt-get install -y postgresql)"
fi

# ---------------------------------------------------------------------------------------------
# (a) Acknowledged report submissions over HTTP, 32 connections
# ---------------------------------------------------------------------------------------------
if [[ $BENCH == *a* ]]; then
    wait_quiet "(a)"
    say "(a) report submissions: kinga serve, wrk -c$CONNS, 2 x ${DURATION}s with the sqlite3 peer in between"
    A="$WORK/a"
    rm -rf "$A"
    TOKEN_A=$(set_up "$A/data" bench-a)
    start_server "$A/data" "$A/serve"
    # kinga_post RUN: one wrk run of POST /api/v1/reports; sets KA_<RUN> to its RESULT line.
    kinga_post() {
        KINGA_TOKEN=$TOKEN_A wrk -t2 -c"$CONNS" -d"${DURATION}s" --timeout 10s --latency \
            -s "$HERE/post.lua" "$BASE" | tee "$A/wrk-$1.txt"
        eval "KA_$1=\$(grep '^RESULT' \"\$A/wrk-\$1.txt\")"
        record "load average after (a) kinga run $1: $(load)"
        record "(a) kinga run $1: $(grep '^RESULT' "$A/wrk-$1.txt" | sed 's/^RESULT //')"
    }
    kinga_post 1

    say "(a) peer: sqlite3 $(sqlite3 --version | cut -d' ' -f1), WAL, synchronous=FULL, one transaction per report"
    # The rows Kinga wrote (each report and its audit entry), replayed one transaction each:
    # BEGIN IMMEDIATE; INSERT report; INSERT audit entry; UPDATE audit head; COMMIT.
    # The server stays up, idle, between the two runs.
    DB_A="$A/data/kinga.db"
    # Whole rounds of $CONNS transactions, as many as asked and as kinga stored.
    STORED_1=$(sqlite3 "$DB_A" "SELECT count(*) FROM reports")
    N=$(( (STORED_1 < PEER_ROWS ? STORED_1 : PEER_ROWS) / CONNS * CONNS ))
    [ "$N" -gt 0 ] || { echo "bench.sh: kinga stored $STORED_1 reports in run 1, fewer than $CONNS" >&2; exit 1; }
    sqlite3 "$DB_A" ".mode insert reports" "SELECT * FROM reports ORDER BY rowid LIMIT $N;" >"$A/reports.sql"
    sqlite3 "$DB_A" ".mode insert audit_log" "SELECT * FROM audit_log WHERE entity = 'report' ORDER BY seq LIMIT $N;" >"$A/audit.sql"
    N=$(wc -l <"$A/reports.sql")
    HASH=$(sqlite3 "$DB_A" "SELECT hash FROM audit_head")
    paste -d '\n' <(yes 'BEGIN IMMEDIATE;' | head -n "$N") "$A/reports.sql" "$A/audit.sql" \
        <(yes "UPDATE audit_head SET seq = seq + 1, hash = '$HASH' WHERE id = 1;" | head -n "$N") \
        <(yes 'COMMIT;' | head -n "$N") >"$A/transactions.sql"
    # The schema less sqlx's bookkeeping, SQLite's own tables (sqlite_stat1, ...) and the
    # shadow tables of the full-text index (incidents_text_data, ...): creating the virtual
    # table creates those again.
    sqlite3 "$DB_A" "SELECT sql || ';' FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE '_sqlx%' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND name NOT IN (SELECT name FROM pragma_table_list WHERE type = 'shadow') ORDER BY rowid" >"$A/schema.sql"
    fresh_peer() {
        rm -f "$1" "$1-wal" "$1-shm"
        sqlite3 "$1" "PRAGMA journal_mode=WAL;" >/dev/null
        sqlite3 "$1" <"$A/schema.sql"
        sqlite3 "$1" "INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '$HASH');"
    }
    preamble() { printf '.timeout 10000\nPRAGMA journal_mode=WAL;\nPRAGMA synchronous=FULL;\n.timer on\n'; }

    # One sqlite3 process: sqlite3's best case, no lock contention between writers.
    fresh_peer "$A/peer1.db"
    t0=$(now)
    { preamble; cat "$A/transactions.sql"; } | sqlite3 -bail "$A/peer1.db" >"$A/peer1.timer"
    T1=$(since "$t0")
    P1=$(python3 "$HERE/timer_stats.py" 5 <"$A/peer1.timer")
    C1=$(sqlite3 "$A/peer1.db" "SELECT count(*) FROM reports")
    RATE1=$(python3 -c "print(f'{$C1 / $T1:.1f}')")
    record "(a) sqlite3, 1 process, $C1 transactions in ${T1}s: rate=$RATE1 wall_mean_ms=$(python3 -c "print(f'{$T1 * 1000 / $C1:.2f}')") $(echo "$P1" | sed 's/^RESULT //')"

    # 32 sqlite3 processes, as 32 clients with a connection each would write.
    fresh_peer "$A/peer32.db"
    # whole transactions (5 lines each) per process
    split -l "$(( N * 5 / CONNS ))" -d -a 2 "$A/transactions.sql" "$A/part."
    PIDS=()
    t0=$(now)
    for p in "$A"/part.??; do
        { preamble; cat "$p"; } | sqlite3 -bail "$A/peer32.db" >"$p.timer" 2>"$p.err" &
        PIDS+=($!)
    done
    wait "${PIDS[@]}"
    T32=$(since "$t0")
    P32=$(cat "$A"/part.*.timer | python3 "$HERE/timer_stats.py" 5)
    C32=$(sqlite3 "$A/peer32.db" "SELECT count(*) FROM reports")
    RATE32=$(python3 -c "print(f'{$C32 / $T32:.1f}')")
    record "(a) sqlite3, $CONNS processes, $C32 transactions in ${T32}s: rate=$RATE32 $(echo "$P32" | sed 's/^RESULT //')"

    # Not a peer: the same rows, $CONNS per transaction, the most a group commit could gain.
    fresh_peer "$A/peerg.db"
    awk -v g="$CONNS" 'NR % 5 == 1 { if ((NR - 1) / 5 % g == 0) print "BEGIN IMMEDIATE;"; next }
        NR % 5 == 0 { if ((NR / 5) % g == 0) print "COMMIT;"; next } { print }' \
        "$A/transactions.sql" >"$A/grouped.sql"
    t0=$(now)
    { printf 'PRAGMA journal_mode=WAL;\nPRAGMA synchronous=FULL;\n'; cat "$A/grouped.sql"; } | sqlite3 -bail "$A/peerg.db" >/dev/null
    TG=$(since "$t0")
    CG=$(sqlite3 "$A/peerg.db" "SELECT count(*) FROM reports")
    record "(a) reference (not a peer), sqlite3 1 process, $CONNS reports per transaction: $CG rows in ${TG}s: rate=$(python3 -c "print(f'{$CG / $TG:.1f}')")"

    kinga_post 2
    STORED=$(curl -sf -H "Authorization: Bearer $TOKEN_A" "$BASE/api/v1/reports?limit=1" | jq .total)
    stop_server
    VERIFY_A=$("$KINGA" verify --data-dir "$A/data" 2>&1) && VERIFY_A_OK=pass || VERIFY_A_OK=FAIL
    # wrk stops with up to one request per connection unanswered; the server still commits
    # those, so the store holds the 201s plus at most the unanswered ones, never fewer.
    CREATED=$(( $(field created "$KA_1") + $(field created "$KA_2") ))
    SENT=$(( $(field sent "$KA_1") + $(field sent "$KA_2") ))
    OTHER=$(( $(field other "$KA_1") + $(field other "$KA_2") ))
    UNANSWERED=$(( SENT - CREATED - OTHER ))
    if [ "$STORED" -ge "$CREATED" ] && [ "$STORED" -le $(( CREATED + UNANSWERED )) ]; then COUNT_OK=consistent; else COUNT_OK=INCONSISTENT; fi
    record "(a) kinga, both runs: 201 answers $CREATED, other answers $OTHER, sent $SENT ($UNANSWERED unanswered when wrk stopped), reports stored $STORED = 201s + $(( STORED - CREATED )): $COUNT_OK; verify $VERIFY_A_OK: $VERIFY_A"

    KRATE=$(python3 -c "print(f'{($(field rate "$KA_1") + $(field rate "$KA_2")) / 2:.1f}')")
    KP50=$(python3 -c "print(max($(field p50_ms "$KA_1"), $(field p50_ms "$KA_2")))")
    KP99=$(python3 -c "print(max($(field p99_ms "$KA_1"), $(field p99_ms "$KA_2")))")
    record "(a) kinga: mean rate of the two runs $KRATE/s, worse p50 $KP50 ms, worse p99 $KP99 ms"
    record "(a) RATIO kinga/sqlite3 throughput: $(ratio "$KRATE" "$RATE1")x vs 1 process, $(ratio "$KRATE" "$RATE32")x vs $CONNS processes"
    record "(a) RATIO kinga/sqlite3 p99 (both at $CONNS concurrent writers): $(ratio "$KP99" "$(field p99_ms "$P32")")x vs $CONNS processes"
fi

# ---------------------------------------------------------------------------------------------
# (b) Incident lists with filters over $EVENTS incidents
# ---------------------------------------------------------------------------------------------
if [[ $BENCH == *b* ]]; then
    say "(b) incident lists over $EVENTS incidents"
    B="$WORK/b"
    rm -rf "$B"
    mkdir -p "$B"
    python3 "$HERE/ucdp_replicate.py" "$ROOT/data/demo/ucdp_ged_v23_1_central_african_republic.csv" \
        "$EVENTS" "$B/ged.csv"
    TOKEN_B=$(set_up "$B/data" bench-b)
    wait_quiet "(b) import"
    t0=$(now)
    "$KINGA" import ucdp-incidents "$B/ged.csv" --data-dir "$B/data" --org bench-b
    TI=$(since "$t0")
    record "(b) import: $EVENTS events in ${TI}s = $(python3 -c "print(f'{$EVENTS / $TI:.0f}')") events/s ($(du -h "$B/data/kinga.db" | cut -f1) database)"
    t0=$(now)
    VERIFY_B=$("$KINGA" verify --data-dir "$B/data" 2>&1) && VERIFY_B_OK=pass || VERIFY_B_OK=FAIL
    record "(b) verify after import: $VERIFY_B_OK in $(since "$t0")s: $VERIFY_B"

    DB_B="$B/data/kinga.db"
    ORG_ID=$(sqlite3 "$DB_B" "SELECT id FROM organisations WHERE slug = 'bench-b'")
    day() { python3 -c "import datetime, sys; print((datetime.date.fromisoformat(sys.argv[1]) - datetime.date(1970, 1, 1)).days)" "$1"; }
    # The condition Kinga builds for an analyst of the owning organisation (crates/kinga-store-sql/
    # src/scope.rs and incidents.rs), with the parameters written in.
    VIS="(visibility = 'public' OR (organisation_id = '$ORG_ID' AND visibility IN ('public', 'network', 'organisation', 'restricted'))) AND country = 'CAF'"
    # INCIDENT_COLUMNS of crates/kinga-store-sql/src/records.rs
    COLS="id, code, country, organisation_id, org_slug, visibility, title, summary, date_start, date_end, date_precision, admin1, admin2, place_name, latitude, longitude, place_precision, event_type, sub_event_type, violence_type, crimes, fatalities_best, fatalities_low, fatalities_high, fatalities_civilians, status, verification_level, assignee, external_ref, created_by, created_at, updated_at"
    # name | query string | WHERE
    FILTERS=(
        "country|country=CAF|$VIS"
        "country+dates|country=CAF&from=2013-01-01&to=2014-12-31|$VIS AND end_day >= $(day 2013-01-01) AND start_day <= $(day 2014-12-31)"
        "country+q|country=CAF&q=Bossangoa|${VIS/country = /+country = } AND rowid IN (SELECT rowid FROM incidents_text WHERE incidents_text MATCH '\"Bossangoa\"')"
        "admin1|admin1=Ouham%20province|(visibility = 'public' OR (organisation_id = '$ORG_ID' AND visibility IN ('public', 'network', 'organisation', 'restricted'))) AND LOWER(admin1) = LOWER('Ouham province')"
    )
    wait_quiet "(b) lists"
    start_server "$B/data" "$B/serve"
    for f in "${FILTERS[@]}"; do
        IFS='|' read -r name qs where <<<"$f"
        url="$BASE/api/v1/incidents?$qs&limit=50"
        TOTAL=$(curl -sf -H "Authorization: Bearer $TOKEN_B" "$url" | jq .total)
        count_sql="SELECT COUNT(*) FROM incidents WHERE $where;"
        page_sql="SELECT $COLS FROM incidents WHERE $where ORDER BY start_day DESC, id DESC LIMIT 50 OFFSET 0;"
        PEER_TOTAL=$(sqlite3 -readonly "$DB_B" "$count_sql")
        record "(b) $name: ?$qs -> total $TOTAL (sqlite3 COUNT: $PEER_TOTAL)"
        {
            echo "EXPLAIN QUERY PLAN $count_sql"
            echo "EXPLAIN QUERY PLAN $page_sql"
        } | sqlite3 -readonly "$DB_B" | sed "s/^/    plan: /" | tee -a "$SUMMARY"
        # Peer: the same COUNT and page, run by sqlite3 in one process on the same file, half
        # of the repetitions before the kinga runs and half after.
        {
            printf '.timer on\n'
            for _ in $(seq 1 $(( (PEER_REPEAT + 1) / 2 ))); do
                echo "$count_sql"
                echo "$page_sql"
            done
        } >"$B/peer-$name.sql"
        t0=$(now)
        sqlite3 -readonly "$DB_B" <"$B/peer-$name.sql" | grep '^Run Time' >"$B/peer-$name.timer"
        PEER_T=$(since "$t0")
        for c in 1 8; do
            KINGA_TOKEN=$TOKEN_B wrk -t"$(( c < 2 ? 1 : 2 ))" -c"$c" -d"${LIST_DURATION}s" --timeout 10s --latency \
                -s "$HERE/get.lua" "$url" >"$B/wrk-$name-c$c.txt"
            R=$(grep '^RESULT' "$B/wrk-$name-c$c.txt")
            record "(b) $name kinga c=$c: $(echo "$R" | sed 's/^RESULT //')"
            eval "K_${c}_P50=$(field p50_ms "$R"); K_${c}_P99=$(field p99_ms "$R")"
        done
        t0=$(now)
        sqlite3 -readonly "$DB_B" <"$B/peer-$name.sql" | grep '^Run Time' >>"$B/peer-$name.timer"
        PEER_T=$(python3 -c "print($PEER_T + $(since "$t0"))")
        REPS=$(( (PEER_REPEAT + 1) / 2 * 2 ))
        WALL=$(python3 -c "print(f'{$PEER_T * 1000 / $REPS:.2f}')")
        P=$(python3 "$HERE/timer_stats.py" 2 <"$B/peer-$name.timer")
        # .timer counts whole milliseconds; the wall-clock mean over all repetitions is exact.
        record "(b) $name sqlite3 (COUNT + page, $REPS times): $(echo "$P" | sed 's/^RESULT //') wall_mean_ms=$WALL"
        record "(b) $name RATIO kinga c=1 / sqlite3: p50 $(ratio "$K_1_P50" "$(field p50_ms "$P")")x, p99 $(ratio "$K_1_P99" "$(field p99_ms "$P")")x"
    done
    stop_server
    record "load average after (b): $(load)"

fi

say "summary ($SUMMARY)"
cat "$SUMMARY"
