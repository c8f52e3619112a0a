"""Booking a pre-check against a token-authenticated bare POST on the same server (issue 9).

    bench/booking/run.sh            (sets the environment, starts gunicorn, calls this twice)

``seed``: applicants with API tokens (each with a venue of its own: one venue, one open booking)
and capacity-1 slots of one inspector, enough for every booking the run can make.
``measure``: rounds of the bare POST and of the booking, alternated (bare, booking, bare, …) with
the same number of concurrent clients, each on its own keep-alive connection; reports requests a
second of each, the ratio, and then a contention round — many applicants, few places — whose
over-bookings (a slot holding more bookings than its capacity) must be zero.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import http.client
import json
import os
import statistics
import sys
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.booking.settings")

import django

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from lishui_fire.accounts.models import ApiToken, OrgUnit, Role, User  # noqa: E402
from lishui_fire.accounts.token_keys import digest_of  # noqa: E402
from permits.models import PrecheckBooking, PrecheckSlot  # noqa: E402

PORT = int(os.environ.get("BENCH_PORT", 8615))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", 8))
SECONDS = float(os.environ.get("BENCH_SECONDS", 10))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", 4))
APPLICANTS = int(os.environ.get("BENCH_APPLICANTS", 6000))
SLOTS = int(os.environ.get("BENCH_SLOTS", 12000))
CONTENDERS = 160  # the contention round: this many applicants …
CONTENDED_SLOTS = 10  # … at this many slots of capacity 3
PREFIX = "bkbench"


def seed() -> None:
    brigade = OrgUnit.objects.get(code="LD")
    inspector, _ = User.objects.get_or_create(
        username=f"{PREFIX}-inspector",
        defaults={"role": Role.INSPECTOR, "org_unit": brigade, "real_name": "压测监督员"},
    )
    # Every run starts from the same state: no bookings, fresh free slots.
    PrecheckBooking.objects.filter(slot__inspector=inspector).delete()
    PrecheckSlot.objects.filter(inspector=inspector).delete()
    start = (timezone.now() + dt.timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    PrecheckSlot.objects.bulk_create(
        PrecheckSlot(
            brigade=brigade,
            inspector=inspector,
            starts_at=start + dt.timedelta(minutes=30 * i),
            ends_at=start + dt.timedelta(minutes=30 * i + 25),
            capacity=3 if i < CONTENDED_SLOTS else 1,
            created_by=inspector,
        )
        for i in range(SLOTS + CONTENDED_SLOTS)
    )
    existing = User.objects.filter(username__startswith=f"{PREFIX}-a").count()
    password = make_password("bench-password-2026")
    User.objects.bulk_create(
        User(
            username=f"{PREFIX}-a{i:05d}",
            role=Role.APPLICANT,
            real_name=f"压测申请人{i}",
            phone=f"137{i:08d}",
            password=password,
        )
        for i in range(existing, APPLICANTS + CONTENDERS)
    )
    # The portal keeps only a token's digest (ADR 0023): the bench derives each applicant's key
    # from its username, so ``measure`` (another process) knows the keys. Fresh every run, so no
    # token has idled out since the last one.
    users = list(User.objects.filter(username__startswith=f"{PREFIX}-a"))
    ApiToken.objects.filter(user__in=users).delete()
    now = timezone.now()
    ApiToken.objects.bulk_create(
        ApiToken(
            user=u,
            digest=digest_of(_key(u.username)),
            prefix=_key(u.username)[:8],
            created_at=now,
            last_used_at=now,
        )
        for u in users
    )
    print(f"seeded {SLOTS + CONTENDED_SLOTS} slots, {APPLICANTS + CONTENDERS} applicants")


def _key(username: str) -> str:
    """The bench applicant's API key: known to both ``seed`` and ``measure``, bench-only."""
    return hashlib.sha256(f"booking-bench-key:{username}".encode()).hexdigest()[:40]


def _tokens() -> list[str]:
    names = User.objects.filter(username__startswith=f"{PREFIX}-a").order_by("username")
    return [_key(name) for name in names.values_list("username", flat=True)]


def _slot_ids() -> list[int]:
    return list(
        PrecheckSlot.objects.filter(inspector__username=f"{PREFIX}-inspector")
        .order_by("starts_at")
        .values_list("pk", flat=True)
    )


def run_round(make_request, seconds: float) -> tuple[float, Counter]:
    """``CLIENTS`` threads call ``make_request(conn)`` until ``seconds`` pass; (req/s, statuses)."""
    statuses: Counter = Counter()
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    barrier = threading.Barrier(CLIENTS)

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        barrier.wait()
        local: Counter = Counter()
        while time.monotonic() < stop:
            status = make_request(conn)
            if status is None:
                break
            local[status] += 1
        conn.close()
        with lock:
            statuses.update(local)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    return sum(statuses.values()) / elapsed, statuses


def post(conn: http.client.HTTPConnection, path: str, token: str, body: dict) -> int:
    conn.request(
        "POST",
        path,
        body=json.dumps(body),
        headers={
            "Authorization": f"Token {token}",
            "Content-Type": "application/json",
            "Accept-Language": "zh-hans",
        },
    )
    response = conn.getresponse()
    response.read()
    return response.status


def measure() -> None:
    tokens = _tokens()
    slot_ids = _slot_ids()
    contended, free = slot_ids[:CONTENDED_SLOTS], slot_ids[CONTENDED_SLOTS:]
    bookers, contenders = tokens[:APPLICANTS], tokens[APPLICANTS:]
    # Every booking has its own place: applicant i//3 books slot i (three open bookings each).
    work = iter(range(min(len(free), len(bookers) * 3)))
    work_lock = threading.Lock()

    def bare(conn: http.client.HTTPConnection) -> int:
        with work_lock:
            token = bookers[int(time.monotonic_ns()) % len(bookers)]
        return post(conn, "/bench/token-post/", token, {"slot": 1, "venue_name": "x"})

    def booking(conn: http.client.HTTPConnection) -> int | None:
        with work_lock:
            i = next(work, None)
        if i is None:
            return None
        return post(
            conn,
            "/api/v1/precheck-bookings/",
            bookers[i // 3],
            {
                "slot": free[i],
                "venue_name": "压测场所",
                "venue_address": f"莲都区压测路 {i} 号",
                "contact_phone": "13900000002",
                "county": "LD",
            },
        )

    print(f"== {CLIENTS} clients, {ROUNDS} rounds of {SECONDS:.0f} s each, alternated")
    bare_rates, booking_rates = [], []
    all_bare: Counter = Counter()
    all_booking: Counter = Counter()
    for n in range(ROUNDS):
        rate, statuses = run_round(bare, SECONDS)
        bare_rates.append(rate)
        all_bare.update(statuses)
        rate, statuses = run_round(booking, SECONDS)
        booking_rates.append(rate)
        all_booking.update(statuses)
        print(
            f"round {n + 1}: bare token POST {bare_rates[-1]:7.1f} req/s · "
            f"booking {booking_rates[-1]:7.1f} req/s · ratio {booking_rates[-1] / bare_rates[-1]:.2f}"
        )
    bare_median, booking_median = statistics.median(bare_rates), statistics.median(booking_rates)
    print(f"bare token POST statuses: {dict(all_bare)}")
    print(f"booking statuses:         {dict(all_booking)}")
    print(
        f"median: bare {bare_median:.1f} req/s, booking {booking_median:.1f} req/s → "
        f"ratio {booking_median / bare_median:.2f}× (target ≥ 0.5×)"
    )

    # Contention: 160 applicants at 10 slots of capacity 3, each trying every slot in turn.
    attempts = iter([(c, s) for c in range(len(contenders)) for s in range(len(contended))])

    def contend(conn: http.client.HTTPConnection) -> int | None:
        with work_lock:
            pair = next(attempts, None)
        if pair is None:
            return None
        c, s = pair
        return post(
            conn,
            "/api/v1/precheck-bookings/",
            contenders[c],
            {
                "slot": contended[s],
                "venue_name": "争抢场所",
                "venue_address": f"莲都区争抢路 {c} 号",
                "contact_phone": "13900000003",
            },
        )

    _rate, statuses = run_round(contend, 600)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*) FROM permits_precheckslot s
            WHERE s.id = ANY(%s) AND (s.booked > s.capacity OR (
                SELECT count(*) FROM permits_precheckbooking b
                WHERE b.slot_id = s.id AND b.status <> 'cancelled') > s.capacity)
            """,
            [contended],
        )
        over = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM permits_precheckbooking WHERE slot_id = ANY(%s)", [contended]
        )
        held = cursor.fetchone()[0]
    print(
        f"contention: {sum(statuses.values())} requests at {len(contended)} slots of capacity 3 "
        f"→ statuses {dict(statuses)}, {held} bookings held; over-booked slots: {over}"
    )
    errors = sum(v for k, v in {**all_booking, **statuses}.items() if k >= 500)
    if over or errors:
        sys.exit(f"FAILED: {over} over-booked slots, {errors} server errors")


def profile() -> None:
    """Where one booking's time goes, in this process (``BENCH_PROFILE=1 bench/booking/run.sh``):
    SQL statements and Redis round trips of one bare POST and one booking through the whole stack
    (middleware, DRF, the service, the response), then a pyinstrument profile of 200 bookings
    when pyinstrument can be imported (it is not a dependency: ``PYTHONPATH`` it in)."""
    from django.db import connection as conn
    from django.test import Client
    from redis.connection import Connection

    tokens = _tokens()
    free = _slot_ids()[CONTENDED_SLOTS:]
    client = Client(SERVER_NAME="127.0.0.1")
    redis_calls: list[str] = []
    send = Connection.send_packed_command

    def counting_send(self, command, check_health=True):  # type: ignore[no-untyped-def]
        redis_calls.append(repr(command)[:120])
        return send(self, command, check_health)

    Connection.send_packed_command = counting_send  # type: ignore[method-assign]

    def one(path: str, token: str, body: dict) -> None:
        sql: list[str] = []

        def record(execute, statement, params, many, context):  # type: ignore[no-untyped-def]
            sql.append(statement)
            return execute(statement, params, many, context)

        redis_calls.clear()
        with conn.execute_wrapper(record):
            started = time.perf_counter()
            response = client.post(
                path,
                data=json.dumps(body),
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Token {token}",
                HTTP_ACCEPT_LANGUAGE="zh-hans",
            )
            ms = (time.perf_counter() - started) * 1000
        print(
            f"\n== POST {path} → {response.status_code} in {ms:.1f} ms: {len(sql)} SQL statements, "
            f"{len(redis_calls)} Redis round trips"
        )
        for statement in sql:
            print(f"  SQL  {statement[:220]}")
        for call in redis_calls:
            print(f"  REDIS {call}")

    def body(i: int) -> dict:
        return {
            "slot": free[i],
            "venue_name": "压测场所",
            "venue_address": f"莲都区压测路 {i} 号",
            "contact_phone": "13900000002",
            "county": "LD",
        }

    one("/bench/token-post/", tokens[0], {"slot": 1, "venue_name": "x"})  # warm up
    one("/bench/token-post/", tokens[0], {"slot": 1, "venue_name": "x"})
    one("/api/v1/precheck-bookings/", tokens[0], body(0))  # warm up
    one("/api/v1/precheck-bookings/", tokens[1], body(3))
    Connection.send_packed_command = send  # type: ignore[method-assign]

    def book_many(first: int, n: int) -> None:
        for i in range(first, first + n):
            client.post(
                "/api/v1/precheck-bookings/",
                data=json.dumps(body(i)),
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Token {tokens[i // 3]}",
            )

    # CPU of this process only (waits for PostgreSQL and Redis left out): where Python spends.
    import cProfile
    import pstats

    cpu = cProfile.Profile(time.process_time)
    cpu.runcall(book_many, 6, 300)
    print("\n== CPU of 300 bookings in this process, by cumulative time")
    pstats.Stats(cpu).sort_stats("cumulative").print_stats(60)
    try:
        from pyinstrument import Profiler
    except ImportError:
        return
    profiler = Profiler(interval=0.0005)
    profiler.start()
    book_many(306, 600)
    profiler.stop()
    print(profiler.output_text(unicode=True, color=False, show_all=False))


if __name__ == "__main__":
    {"seed": seed, "measure": measure, "profile": profile}[sys.argv[1]]()
