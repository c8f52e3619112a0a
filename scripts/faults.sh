#!/usr/bin/env bash
# `make faults`: every fault test (tests/faults/), the slow scenarios included (FAULTS=1).
#
# The tests stop and restart PostgreSQL and Redis, so they get instances of their own: a
# throw-away PostgreSQL cluster (initdb as user postgres, port FAULTS_PG_PORT, default 5440) that
# the test database lives in, and one redis-server per test on a free port from 6390 (started by
# the tests themselves). The shared services on 5432 and 6379 are never touched.
#
# Environment: FAULTS_PG_PORT (5440), FAULTS_PG_BIN (/usr/lib/postgresql/<newest>/bin),
# FAULTS_REDIS_OUTAGE_SECONDS (60). Extra arguments go to pytest, e.g. `-k redis_outage`.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-.venv/bin/python}
PG_PORT=${FAULTS_PG_PORT:-5440}
PG_BIN=${FAULTS_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
PG_DATA=$(mktemp -d /tmp/lishui-faults-pg.XXXXXX)
as_postgres() {
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
cleanup() {
	as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -m immediate stop >/dev/null 2>&1 || true
	rm -rf "$PG_DATA"
}
trap cleanup EXIT

if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
	echo "PostgreSQL server binaries not found (set FAULTS_PG_BIN)" >&2
	exit 1
fi
[ "$(id -u)" = 0 ] && chown postgres "$PG_DATA"
as_postgres "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth=trust -E UTF8 >/dev/null
# In the cluster's own configuration, so that the tests' plain `pg_ctl start` after a stop comes
# back on the same port (never the shared 5432).
cat >>"$PG_DATA/postgresql.conf" <<CONF
port = $PG_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$PG_DATA'
fsync = off
CONF
as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_DATA/server.log" -w start >/dev/null
echo "faults: own PostgreSQL on 127.0.0.1:$PG_PORT ($PG_DATA)"

export FAULTS=1
export FAULTS_PG_DATA=$PG_DATA FAULTS_PG_BIN=$PG_BIN FAULTS_PG_PORT=$PG_PORT
export DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/lishui_faults"
# The tests' own Redis servers are the broker; the test process itself needs none.
unset REDIS_URL
start=$(date +%s)
status=0
"$PYTHON" -m pytest -p no:cacheprovider --create-db -q -ra tests/faults "$@" || status=$?
echo "faults: $(($(date +%s) - start)) s"
exit $status
