#!/usr/bin/env bash
# Kill-under-load, repeated: 32 clients submit reports to `kinga serve`, the server is SIGKILLed
# about a second into the load, `kinga verify` checks the files the crash left, and a restarted
# server must return every report it had answered 201 for. All rounds share one data directory;
# at the end every acknowledgement of every round is looked up once more.
#
# Prints, per round and in total, acknowledged and lost reports and the verify result; exits
# non-zero when a report was lost, a request was refused or verify failed.
#
#   scripts/kill-loop.sh                        # 20 rounds, SIGKILL 1000 ms into the load
#   ROUNDS=50 LOAD_MS=300 scripts/kill-loop.sh
#   DATA_DIR=/tmp/kinga-kill scripts/kill-loop.sh    # keep the data directory (reused if present)
#
# The loop itself is the ignored test `durability::kill_loop` in crates/kinga/tests/cli, which
# shares its code with the test run by `cargo test -p kinga --test cli durability`.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export KINGA_KILL_ROUNDS=${ROUNDS:-20}
export KINGA_KILL_LOAD_MS=${LOAD_MS:-1000}
if [ -n "${DATA_DIR:-}" ]; then
    export KINGA_KILL_DATA_DIR=$DATA_DIR
fi
cd "$ROOT"
exec cargo test --release -p kinga --test cli -- --ignored --exact durability::kill_loop --nocapture
