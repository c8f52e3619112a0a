#!/usr/bin/env bash
# `make load`: the load scenario against gunicorn on PostgreSQL with Redis, production settings.
#
#   make load                                   # 12 users, 60 s, 2 gunicorn workers
#   make load LOAD_USERS=20 LOAD_TIME=120s
#
# 1. creates (once) the PostgreSQL database $LOAD_DB and fills it at realistic scale
#    (bench/load/seed.py: 50,000 applications across the nine brigades, 20,000 slots);
# 2. starts gunicorn on 127.0.0.1:$LOAD_PORT with DJANGO_ENV=production (DEBUG off, REDIS_URL
#    set, manifest static files) through bench.load.settings (no TLS; adds the bare endpoint);
# 3. runs locust headless for a fixed time with a fixed number of users (bench/load/locustfile.py);
# 4. prints p50/p95/p99 per endpoint and the ratio to the bare DRF endpoint (bench/load/report.py).
# Traffic goes to 127.0.0.1 only; gunicorn is stopped on exit. Not a timed test: the figures
# depend on the machine (and on whatever else runs on it), the ratios much less.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
PY=${PY:-$ROOT/.venv/bin/python}
LOAD_DB=${LOAD_DB:-lishui_load}
LOAD_PORT=${LOAD_PORT:-8601}
LOAD_USERS=${LOAD_USERS:-12}
LOAD_SPAWN=${LOAD_SPAWN:-4}
LOAD_TIME=${LOAD_TIME:-60s}
LOAD_WORKERS=${LOAD_WORKERS:-2}
LOAD_REDIS_DB=${LOAD_REDIS_DB:-6}
PGURL=${LOAD_PG:-postgres://postgres@127.0.0.1:5432}
OUT=$ROOT/var/load
mkdir -p "$OUT"

# The load generator's own virtualenv, re-installed when its requirements change.
LV=$ROOT/.venv-load  # hidden: mypy's and pytest's globs skip it
if [ ! -x "$LV/bin/locust" ] || [ bench/load/requirements.txt -nt "$LV/.installed" ]; then
  "$PY" -m venv "$LV"
  "$LV/bin/pip" install --quiet --disable-pip-version-check -r bench/load/requirements.txt
  touch "$LV/.installed"
fi

export DJANGO_ENV=production
export DJANGO_SETTINGS_MODULE=bench.load.settings
export SECRET_KEY="load-run-only-not-a-secret-$(printf 'k%.0s' {1..40})"
export ALLOWED_HOSTS=127.0.0.1,localhost
export DATABASE_URL="$PGURL/$LOAD_DB"
export REDIS_URL="redis://127.0.0.1:6379/$LOAD_REDIS_DB"
export PORTAL_BASE_URL=https://portal.example.gov.cn
export CSRF_TRUSTED_ORIGINS="http://127.0.0.1:$LOAD_PORT"
# Every simulated person comes from 127.0.0.1: one address would hit the per-address limits.
export THROTTLE_ANON=100000/min THROTTLE_USER=100000/min THROTTLE_TOKEN=100000/min
export THROTTLE_DOCUMENT_VERIFY=100000/min AXES_FAILURE_LIMIT=1000
export LOG_LEVEL=WARNING
export PYTHONPATH=$ROOT

if ! psql "$PGURL/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname='$LOAD_DB'" | grep -q 1; then
  psql "$PGURL/postgres" -qc "CREATE DATABASE $LOAD_DB"
fi
if command -v redis-cli >/dev/null; then
  redis-cli -n "$LOAD_REDIS_DB" FLUSHDB >/dev/null  # our own DB only: cache, throttles, queue
fi
echo "== data ($LOAD_DB)"
"$PY" bench/load/seed.py
"$PY" manage.py collectstatic --noinput -v 0

echo "== gunicorn: $LOAD_WORKERS workers on 127.0.0.1:$LOAD_PORT"
"$ROOT/.venv/bin/gunicorn" lishui_fire.wsgi:application --bind "127.0.0.1:$LOAD_PORT" \
  --workers "$LOAD_WORKERS" --graceful-timeout 5 --log-level warning \
  --error-logfile "$OUT/gunicorn.log" >>"$OUT/gunicorn.log" 2>&1 &
GUNICORN=$!
trap 'kill "$GUNICORN" 2>/dev/null; wait "$GUNICORN" 2>/dev/null || true' EXIT
for _ in $(seq 60); do
  curl -fs "http://127.0.0.1:$LOAD_PORT/bench/ping/" >/dev/null && break
  kill -0 "$GUNICORN" 2>/dev/null || { cat "$OUT/gunicorn.log"; exit 1; }
  sleep 0.5
done

echo "== locust: $LOAD_USERS users for $LOAD_TIME"
status=0
"$LV/bin/locust" -f bench/load/locustfile.py --headless --only-summary \
  --users "$LOAD_USERS" --spawn-rate "$LOAD_SPAWN" --run-time "$LOAD_TIME" \
  --host "http://127.0.0.1:$LOAD_PORT" --csv "$OUT/run" --loglevel WARNING \
  >"$OUT/locust.log" 2>&1 || status=$?
echo
"$PY" bench/load/report.py "$OUT/run" | tee "$OUT/report.txt"
echo "(machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); locust log: var/load/locust.log)"
exit "$status"
