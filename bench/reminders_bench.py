"""The reminder sweep at scale: 100,000 reminders due at 09:00, two sweeps at once.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lishui_job .venv/bin/python bench/reminders_bench.py

Empties the ledger and the outbox of that database (use a database of your own), writes
BENCH_REMINDERS reminders due now (rendered at send time from a registered message, a third of
them for English-speaking users, a tenth to an address alone) and as many due next week, then
runs two sweeps at the same moment, each in its own thread and connection, as two overlapping
beat runs would. It reports the time until nothing is due, checks that every reminder became
exactly one outbox row, and compares a sweep with nothing due against an indexed COUNT(*) of
the due rows (a ratio, not a timed assertion). The delivery jobs go to an in-memory broker: the
outbox's delivery is the workers' work, measured elsewhere.
"""

from __future__ import annotations

import os
import statistics
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lishui_fire.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/lishui_job")
os.environ.setdefault("DEBUG", "false")
os.environ.pop("REDIS_URL", None)

import django

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.utils import timezone  # noqa: E402

from lishui_fire.accounts.models import Role, User  # noqa: E402
from lishui_fire.celery import app  # noqa: E402
from lishui_fire.core.models import Notification, Reminder  # noqa: E402
from lishui_fire.core.reminders import sweep_due_reminders  # noqa: E402

REMINDERS = int(os.environ.get("BENCH_REMINDERS", 100_000))
USERS = 1_000
SWEEPS = 2
MESSAGE = "permits.precheck.day_before.inspector"
PARAMS = {"when": "2026-12-02 09:00", "venue": "星光KTV", "address": "丽阳街 12 号"}


def prepare(now) -> None:
    if connection.vendor != "postgresql":
        sys.exit("run the benchmark on PostgreSQL (DATABASE_URL=postgres://…)")
    call_command("migrate", verbosity=0)
    Notification.objects.all().delete()
    Reminder.objects.all().delete()
    users = list(User.objects.filter(username__startswith="bench-remind-"))
    if len(users) < USERS:
        password = make_password(None)
        User.objects.bulk_create(
            [
                User(
                    username=f"bench-remind-{i}",
                    real_name=f"用户{i}",
                    role=Role.APPLICANT,
                    phone=f"139{i:08d}",
                    password=password,
                    language="en" if i % 3 == 0 else "zh-hans",
                )
                for i in range(len(users), USERS)
            ]
        )
        users = list(User.objects.filter(username__startswith="bench-remind-"))
    rows = []
    for i in range(REMINDERS * 2):
        due = now - timedelta(seconds=i % 3600) if i < REMINDERS else now + timedelta(days=7)
        alone = i % 10 == 0
        rows.append(
            Reminder(
                key=f"bench:{i}:day_before",
                recipient=None if alone else users[i % len(users)],
                address=f"137{i:08d}" if alone else "",
                language="en" if alone and i % 20 == 0 else "",
                channel="sms",
                due_at=due,
                message=MESSAGE,
                params=PARAMS,
            )
        )
    Reminder.objects.bulk_create(rows, batch_size=5_000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE core_reminder")
        cursor.execute("ANALYZE core_notification")


def drain(now) -> tuple[float, list[int]]:
    barrier = threading.Barrier(SWEEPS)
    results: list[int] = []

    def sweep() -> None:
        try:
            barrier.wait()
            results.append(sweep_due_reminders(now=now, time_budget=600))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweep) for _ in range(SWEEPS)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started, results


def median_seconds(fn, repeats: int = 51) -> float:
    fn()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    app.conf.task_always_eager = False  # delivery jobs queue in memory, unsent
    now = timezone.now()
    print(f"preparing {REMINDERS:,} due and {REMINDERS:,} future reminders …", flush=True)
    prepare(now)

    elapsed, results = drain(now)
    sent = sum(results)
    outbox = Notification.objects.count()
    distinct = Notification.objects.values("dedupe_key").distinct().count()
    left = Reminder.objects.filter(status=Reminder.Status.SCHEDULED, due_at__lte=now).count()
    english = Notification.objects.filter(body__startswith="Reminder:").count()
    print(
        f"drained {sent:,} reminders in {elapsed:.1f} s with {SWEEPS} sweeps at once "
        f"({sent / elapsed:,.0f}/s; per sweep {results}); outbox rows {outbox:,}, "
        f"distinct keys {distinct:,}, still due {left}, in English {english:,}"
    )
    ok = sent == outbox == distinct == REMINDERS and left == 0
    print("exactly once each:", "yes" if ok else "NO")

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE core_reminder")  # as autovacuum would after the drain

    def empty_sweep() -> None:
        sweep_due_reminders(now=now)

    def indexed_count() -> None:
        Reminder.objects.filter(status=Reminder.Status.SCHEDULED, due_at__lte=now).count()

    sweep_s = median_seconds(empty_sweep)
    count_s = median_seconds(indexed_count)
    print(
        f"nothing due: sweep {sweep_s * 1000:.2f} ms, indexed COUNT(*) {count_s * 1000:.2f} ms, "
        f"ratio {sweep_s / count_s:.2f}× (target ≤ 5×)"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN SELECT COUNT(*) FROM core_reminder WHERE status = 'scheduled' AND due_at <= %s",
            [now],
        )
        print("count plan:", " / ".join(row[0].strip() for row in cursor.fetchall()[:3]))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
