#!/usr/bin/env bash
# Serve the portal for a local try-out (called by `make run`).
#
# Without REDIS_URL, Celery tasks run in-process (CELERY_TASK_ALWAYS_EAGER), so the web server
# is all there is. With REDIS_URL, a worker and exactly one beat run beside it, and all three
# stop together when this script exits (Ctrl-C included).
set -euo pipefail

HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
PYTHON="${PYTHON:-.venv/bin/python}"
BIN="$(dirname "$PYTHON")"

children=()
stop_children() {
	for pid in "${children[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	wait 2>/dev/null || true
}
trap stop_children EXIT
trap 'exit 130' INT TERM

if [ -n "${REDIS_URL:-}" ]; then
	echo "REDIS_URL is set: starting a Celery worker and beat beside the web server"
	"$BIN/celery" -A lishui_fire worker --loglevel=INFO --concurrency=2 &
	children+=($!)
	"$BIN/celery" -A lishui_fire beat --loglevel=INFO &
	children+=($!)
else
	echo "REDIS_URL is not set: background tasks run in-process"
fi

URL="http://${HOST}:${PORT}/"
"$PYTHON" manage.py runserver "${HOST}:${PORT}" &
server=$!
children+=("$server")

# Announce the address only once the server answers (any HTTP status counts: it is up).
ready() {
	"$PYTHON" - "$URL" <<'PY' 2>/dev/null
import sys, urllib.error, urllib.request
try:
    urllib.request.urlopen(sys.argv[1], timeout=2)
except urllib.error.HTTPError:
    pass
PY
}
for _ in $(seq 1 "${READY_TIMEOUT:-120}"); do
	if ! kill -0 "$server" 2>/dev/null; then
		echo "the web server stopped before it answered (see the lines above)" >&2
		exit 1
	fi
	if ready; then
		echo
		echo "Ready: open ${URL}  (demo accounts: see README.md, password lishui-demo-2026)"
		break
	fi
	sleep 1
done
wait "$server"
