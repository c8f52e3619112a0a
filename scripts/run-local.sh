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

echo "Open http://${HOST}:${PORT}/  (demo accounts: see README.md, password lishui-demo-2026)"
"$PYTHON" manage.py runserver "${HOST}:${PORT}" &
children+=($!)
wait "${children[-1]}"
