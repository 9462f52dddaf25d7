#!/usr/bin/env bash
# Brings up a local PostgreSQL for the store's PostgreSQL tests on a Debian bookworm CI machine,
# run as root. Safe to run again: it installs, creates and starts only what is missing.
#
# Usage:  eval "$(bash .ci/postgres.sh)"
# Only the `export ...` lines (the database URL, the test CA's files) go to stdout, so that
# `eval` sees nothing else; every other message (apt, psql) goes to stderr.
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

# TLS for the tests of sslmode=require and verify-full: a CA of this machine signs the server's
# certificate for 127.0.0.1 and localhost; a second CA, which signed nothing, is the wrong one.
TLS_DIR=/var/lib/postgresql/kinga-tls
if [ ! -s "$TLS_DIR/server.crt" ] || [ ! -s "$TLS_DIR/other-ca.pem" ]; then
    say "making a test CA and server certificate in $TLS_DIR"
    mkdir -p "$TLS_DIR"
    command -v openssl >/dev/null || apt-get install -y --no-install-recommends openssl 3>&-
    (
        cd "$TLS_DIR"
        openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=kinga test CA" \
            -keyout ca.key -out ca.pem 2>/dev/null
        openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=another CA" \
            -keyout other-ca.key -out other-ca.pem 2>/dev/null
        openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
            -keyout server.key -out server.csr 2>/dev/null
        printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' > san.ext
        openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 3650 \
            -extfile san.ext -out server.crt 2>/dev/null
    )
    chown -R postgres:postgres "$TLS_DIR"
    chmod 600 "$TLS_DIR/server.key" "$TLS_DIR/ca.key" "$TLS_DIR/other-ca.key"
    chmod 644 "$TLS_DIR/ca.pem" "$TLS_DIR/other-ca.pem"
fi
if [ "$(as_postgres -c "SHOW ssl_cert_file")" != "$TLS_DIR/server.crt" ] || [ "$(as_postgres -c "SHOW ssl")" != "on" ]; then
    say "turning TLS on"
    as_postgres -c "ALTER SYSTEM SET ssl_cert_file = '$TLS_DIR/server.crt'"
    as_postgres -c "ALTER SYSTEM SET ssl_key_file = '$TLS_DIR/server.key'"
    as_postgres -c "ALTER SYSTEM SET ssl = on"
    as_postgres -c "SELECT pg_reload_conf()" >/dev/null
fi

say "ready: PostgreSQL $VERSION on 127.0.0.1:$PORT (TLS CA $TLS_DIR/ca.pem)"
echo "export KINGA_TEST_PG_TLS_CA=$TLS_DIR/ca.pem KINGA_TEST_PG_OTHER_CA=$TLS_DIR/other-ca.pem" >&3
echo "export KINGA_TEST_DATABASE_URL=postgres://$ROLE:$PASSWORD@127.0.0.1:$PORT/$DATABASE" >&3
