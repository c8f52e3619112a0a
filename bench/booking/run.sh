#!/usr/bin/env bash
# The booking benchmark (issue 9): booking a pre-check against a token-authenticated bare POST,
# on the same gunicorn server (2 workers, PostgreSQL, Redis, production settings), in one run.
#
#   bench/booking/run.sh                         # 8 clients, 4 rounds of 10 s each side
#   BENCH_CLIENTS=12 BENCH_SECONDS=15 bench/booking/run.sh
#
# Creates (once) the PostgreSQL database $BENCH_DB, seeds applicants with API tokens and free
# slots (bench/booking/driver.py), starts gunicorn on 127.0.0.1:$BENCH_PORT and measures; then a
# contention round (many applicants, few places) checks that no slot holds more than its capacity.
# Traffic goes to 127.0.0.1 only; gunicorn is stopped on exit. The figures depend on the machine,
# the ratios much less.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
PY=${PY:-$ROOT/.venv/bin/python}
BENCH_DB=${BENCH_DB:-lishui_booking}
BENCH_PORT=${BENCH_PORT:-8615}
BENCH_REDIS_DB=${BENCH_REDIS_DB:-5}
PGURL=${BENCH_PG:-postgres://postgres@127.0.0.1:5432}
OUT=$ROOT/var/booking-bench
mkdir -p "$OUT"

export DJANGO_ENV=production
export DJANGO_SETTINGS_MODULE=bench.booking.settings
export SECRET_KEY="booking-bench-only-not-a-secret-$(printf 'k%.0s' {1..40})"
export ALLOWED_HOSTS=127.0.0.1,localhost
export DATABASE_URL="$PGURL/$BENCH_DB"
export REDIS_URL="redis://127.0.0.1:6379/$BENCH_REDIS_DB"
export PORTAL_BASE_URL=https://portal.example.gov.cn
# Every simulated applicant comes from 127.0.0.1: one address would hit the per-address limits.
export THROTTLE_ANON=1000000/min THROTTLE_USER=1000000/min THROTTLE_TOKEN=1000000/min
# A real client's token is touched (one UPDATE) at most once a minute; the bench spreads its calls
# over thousands of seeded tokens, which would make nearly every call a first use. Neither side
# is measured with the touch: both pay the same indexed read of the token.
export API_TOKEN_TOUCH_SECONDS=3600
export LOG_LEVEL=WARNING
export PYTHONPATH=$ROOT
export BENCH_PORT BENCH_REDIS_DB

if ! psql "$PGURL/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname='$BENCH_DB'" | grep -q 1; then
  psql "$PGURL/postgres" -qc "CREATE DATABASE $BENCH_DB"
fi
if command -v redis-cli >/dev/null; then
  redis-cli -n "$BENCH_REDIS_DB" FLUSHDB >/dev/null  # our own DB only (queue, cache, throttles)
fi
"$PY" manage.py migrate --noinput -v 0
"$PY" manage.py collectstatic --noinput -v 0
"$PY" bench/booking/driver.py seed
if [ -n "${BENCH_PROFILE:-}" ]; then  # where one booking's time goes, in-process (no gunicorn)
  exec "$PY" bench/booking/driver.py profile
fi

"$ROOT/.venv/bin/gunicorn" lishui_fire.wsgi:application --bind "127.0.0.1:$BENCH_PORT" \
  --workers 2 --graceful-timeout 5 --log-level warning \
  --error-logfile "$OUT/gunicorn.log" >>"$OUT/gunicorn.log" 2>&1 &
GUNICORN=$!
trap 'kill "$GUNICORN" 2>/dev/null; wait "$GUNICORN" 2>/dev/null || true; command -v redis-cli >/dev/null && redis-cli -n "$BENCH_REDIS_DB" FLUSHDB >/dev/null' EXIT
for _ in $(seq 120); do
  curl -fs -o /dev/null "http://127.0.0.1:$BENCH_PORT/permits/" && break
  kill -0 "$GUNICORN" 2>/dev/null || { cat "$OUT/gunicorn.log"; exit 1; }
  sleep 0.5
done
"$PY" bench/booking/driver.py measure | tee "$OUT/report.txt"
echo "(machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg))"
