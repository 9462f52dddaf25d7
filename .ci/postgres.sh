#!/usr/bin/env bash
# Brings up a local PostgreSQL for the store's PostgreSQL tests on a Debian bookworm CI machine,
# run as root. Safe to run again: it installs, creates and starts only what is missing.
#
# Usage:  eval "$(bash .ci/postgres.sh)"
# Only the final `export KINGA_TEST_DATABASE_URL=...` line goes to stdout, so that `eval` sees
# nothing else; every other message (apt, psql) goes to stderr.
set -euo pipefail

# Keep the real stdout on fd 3 for the one line meant for the caller. Every command that may
# start the server gets `3>&-`: a daemon holding the caller's pipe open would make
# `$(bash .ci/postgres.sh)` wait forever.
exec 3>&1 1>&2

ROLE=kinga
PASSWORD=kinga
DATABASE=kinga_test

say() { printf 'postgres.sh: %s\n' "$*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
    say "must run as root (it installs packages and starts the cluster)"
    exit 1
fi

installed_version() {
    # The newest server binary the Debian packages put in place, e.g. 15.
    local d
    for d in $(ls -1 /usr/lib/postgresql 2>/dev/null | sort -V -r); do
        if [ -x "/usr/lib/postgresql/$d/bin/postgres" ]; then
            echo "$d"
            return 0
        fi
    done
    return 1
}

if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! installed_version >/dev/null; then
    say "installing postgresql"
    export DEBIAN_FRONTEND=noninteractive
    # A fresh container has empty package lists; an install from stale lists can 404.
    if [ -z "$(ls -A /var/lib/apt/lists 2>/dev/null | grep -v -e '^lock$' -e '^partial$' || true)" ]; then
        apt-get update 3>&-
    fi
    if ! apt-get install -y --no-install-recommends postgresql 3>&-; then
        apt-get update 3>&-
        apt-get install -y --no-install-recommends postgresql 3>&-
    fi
fi

VERSION=$(installed_version) || { say "no PostgreSQL server found after install"; exit 1; }

# Some images install the server with cluster creation disabled.
if [ ! -d "/etc/postgresql/$VERSION/main" ]; then
    say "creating cluster $VERSION/main"
    pg_createcluster "$VERSION" main 3>&-
fi

PORT=$(pg_conftool -s "$VERSION" main show port 2>/dev/null || echo 5432)

if ! pg_ctlcluster "$VERSION" main status >/dev/null 2>&1; then
    say "starting cluster $VERSION/main on port $PORT"
    pg_ctlcluster "$VERSION" main start 3>&- </dev/null
fi

ready=0
for _ in $(seq 1 60); do
    if pg_isready -q -h 127.0.0.1 -p "$PORT"; then
        ready=1
        break
    fi
    sleep 1
done
if [ "$ready" -ne 1 ]; then
    say "PostgreSQL did not accept connections on 127.0.0.1:$PORT within 60 s"
    exit 1
fi

# As the superuser over the local socket (peer authentication); from / so that psql does not
# complain about root's home directory.
as_postgres() {
    (cd / && runuser -u postgres -- psql -p "$PORT" -X -q -v ON_ERROR_STOP=1 -tA "$@")
}

if [ "$(as_postgres -c "SELECT 1 FROM pg_roles WHERE rolname = '$ROLE'")" != "1" ]; then
    say "creating role $ROLE"
    as_postgres -c "CREATE ROLE $ROLE LOGIN"
fi
# CREATEDB because each test run makes and drops its own database. Re-applied every time so
# a role left over from an earlier set-up ends up the same.
as_postgres -c "ALTER ROLE $ROLE LOGIN CREATEDB PASSWORD '$PASSWORD'"

if [ "$(as_postgres -c "SELECT 1 FROM pg_database WHERE datname = '$DATABASE'")" != "1" ]; then
    say "creating database $DATABASE"
    as_postgres -c "CREATE DATABASE $DATABASE OWNER $ROLE"
fi

say "ready: PostgreSQL $VERSION on 127.0.0.1:$PORT"
echo "export KINGA_TEST_DATABASE_URL=postgres://$ROLE:$PASSWORD@127.0.0.1:$PORT/$DATABASE" >&3
