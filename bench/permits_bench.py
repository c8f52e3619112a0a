"""Permits at realistic scale: page query counts and server time, and a booking stampede.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lishui_bench .venv/bin/python bench/permits_bench.py

Builds (once, then reuses) 50,000 applications across the nine brigades and 20,000 pre-check
slots in PostgreSQL, then reports for the staff intake queue and the applicant's list:
the number of SQL queries for a small and a large owner/brigade (they must be equal) and the
median server time of the page. Then N threads book slots concurrently and it reports bookings
per second and checks that no slot holds more bookings than its capacity.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lishui_fire.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/lishui_bench")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from lishui_fire.accounts.models import OrgUnit, Role, User  # noqa: E402
from lishui_fire.core.errors import Conflict  # noqa: E402
from lishui_fire.core.validators import uscc_check_char  # noqa: E402
from permits.models import PermitApplication, PrecheckBooking, PrecheckSlot  # noqa: E402
from permits.services import prechecks  # noqa: E402

APPLICATIONS = int(os.environ.get("BENCH_APPLICATIONS", 50_000))
SLOTS = int(os.environ.get("BENCH_SLOTS", 20_000))
THREADS = int(os.environ.get("BENCH_THREADS", 16))
BOOKINGS = int(os.environ.get("BENCH_BOOKINGS", 1_000))
REPEATS = 15
STATUSES = ["draft", "submitted", "accepted", "inspected", "approved", "returned", "rejected"]


def ensure_database() -> None:
    if connection.vendor != "postgresql":
        sys.exit("run the benchmark on PostgreSQL (DATABASE_URL=postgres://…)")
    call_command("migrate", verbosity=0)


PASSWORD_HASH = make_password("bench-password-2026")  # hashed once: PBKDF2 costs ~0.3 s a call


def user(username: str, role: str, unit: OrgUnit | None, phone: str = "") -> User:
    obj, _created = User.objects.get_or_create(
        username=username,
        defaults={
            "role": role,
            "org_unit": unit,
            "real_name": username,
            "phone": phone,
            "password": PASSWORD_HASH,
        },
    )
    return obj


def build(rng: random.Random) -> dict[str, object]:
    brigades = list(OrgUnit.objects.filter(kind="brigade"))
    ld = next(b for b in brigades if b.code == "LD")
    inspectors = [user(f"bench-insp-{b.code}", Role.INSPECTOR, b) for b in brigades]
    supervisor = user("bench-sup-LD", Role.BRIGADE_SUPERVISOR, ld)
    applicants = [
        user(f"bench-app-{i}", Role.APPLICANT, None, phone=f"136{i:08d}") for i in range(2_000)
    ]
    small = user("bench-small", Role.APPLICANT, None, phone="13500000001")
    big = user("bench-big", Role.APPLICANT, None, phone="13500000002")
    have = PermitApplication.objects.count()
    if have < APPLICATIONS:
        t0 = time.perf_counter()
        rows = []
        today = timezone.localdate()
        for i in range(have, APPLICATIONS):
            owner = big if i % 250 == 0 else applicants[i % len(applicants)]
            brigade = brigades[i % len(brigades)]
            status = STATUSES[i % len(STATUSES)]
            prefix = f"91{brigade.division_code}MB{i:09d}"[:17]
            rows.append(
                PermitApplication(
                    reference=f"BENCH{i:07d}",
                    applicant=owner,
                    brigade=brigade,
                    path="commitment" if i % 2 else "inspection",
                    status=status,
                    venue_name=f"基准测试场所{i}",
                    venue_address=f"{brigade.division_name}测试路{i % 500}号",
                    venue_type="restaurant",
                    floor_area_m2=Decimal("500.00"),
                    capacity=200,
                    floors="1 层",
                    unit_name=f"基准单位{i}",
                    unit_uscc=prefix + uscc_check_char(prefix),
                    legal_representative="王五",
                    contact_name="王五",
                    contact_phone="13900000000",
                    green_channel=(i % 97 == 0),
                    green_channel_reason="重点项目" if i % 97 == 0 else "",
                    submitted_at=timezone.now() if status != "draft" else None,
                    next_due=today + dt.timedelta(days=rng.randint(-5, 20))
                    if status != "draft"
                    else None,
                )
            )
            if len(rows) == 5_000:
                PermitApplication.objects.bulk_create(rows)
                rows = []
        PermitApplication.objects.bulk_create(rows)
        print(f"built {APPLICATIONS - have} applications in {time.perf_counter() - t0:.1f}s")
    for i in range(3):
        if not PermitApplication.objects.filter(applicant=small).count() > i:
            PermitApplication.objects.create(
                reference=f"BENCHSMALL{i}",
                applicant=small,
                brigade=ld,
                venue_name=f"小场所{i}",
                venue_address="莲都区",
                venue_type="hotel",
                floor_area_m2=Decimal(100),
                capacity=50,
                floors="1",
                unit_name="小单位",
                unit_uscc="91331102MA2A0000" + "1" + uscc_check_char("91331102MA2A00001"),
                legal_representative="赵六",
                contact_name="赵六",
                contact_phone="13900000001",
            )
    have_slots = PrecheckSlot.objects.count()
    if have_slots < SLOTS:
        t0 = time.perf_counter()
        base = timezone.now().replace(minute=0, second=0, microsecond=0) + dt.timedelta(days=1)
        rows = []
        for i in range(have_slots, SLOTS):
            insp = inspectors[i % len(inspectors)]
            start = base + dt.timedelta(hours=(i // len(inspectors)))
            rows.append(
                PrecheckSlot(
                    brigade_id=insp.org_unit_id,
                    inspector=insp,
                    starts_at=start,
                    ends_at=start + dt.timedelta(hours=1),
                    capacity=1 + i % 3,
                    created_by=insp,
                )
            )
        PrecheckSlot.objects.bulk_create(rows, batch_size=5_000)
        print(f"built {SLOTS - have_slots} slots in {time.perf_counter() - t0:.1f}s")
    connection.cursor().execute("ANALYZE")
    return {"supervisor": supervisor, "small": small, "big": big, "applicants": applicants}


def measure(client: Client, url: str) -> tuple[int, float]:
    client.get(url)  # warm
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    # Read now: ``captured_queries`` slices the live log, which the next request clears.
    queries = len(ctx.captured_queries)
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        client.get(url)
        times.append(time.perf_counter() - t0)
    return queries, statistics.median(times) * 1000


def pages(people: dict[str, object]) -> None:
    print(f"\n== pages (median of {REPEATS} requests, server time in-process)")
    queue_url = os.environ.get("BENCH_QUEUE_URL") or reverse(
        os.environ.get("BENCH_QUEUE_NAME", "permits:queue")
    )
    mine_url = reverse("permits:mine")
    for label, who, url in [
        ("staff queue (LD, ~5,500 open rows)", people["supervisor"], queue_url),
        ("applicant list: 3 applications", people["small"], mine_url),
        ("applicant list: ~200 applications", people["big"], mine_url),
    ]:
        client = Client()
        client.force_login(who)
        queries, ms = measure(client, url)
        print(f"{label:40s} {queries:3d} queries  {ms:7.1f} ms")


def stampede(people: dict[str, object]) -> None:
    print(f"\n== booking stampede: {THREADS} threads, {BOOKINGS} attempts")
    applicants = people["applicants"]
    slot_ids = list(
        PrecheckSlot.objects.filter(booked=0)
        .order_by("starts_at")
        .values_list("pk", flat=True)[: BOOKINGS // 4]
    )
    attempts = [
        (applicants[i % len(applicants)], slot_ids[i % len(slot_ids)]) for i in range(BOOKINGS)
    ]
    results = {"ok": 0, "conflict": 0, "error": 0}
    lock = threading.Lock()
    cursor = {"i": 0}
    barrier = threading.Barrier(THREADS)

    def worker() -> None:
        barrier.wait()
        while True:
            with lock:
                if cursor["i"] >= len(attempts):
                    break
                applicant, slot_id = attempts[cursor["i"]]
                cursor["i"] += 1
            try:
                prechecks.book_precheck(
                    applicant=applicant,
                    slot_id=slot_id,
                    venue_name="压力测试场所",
                    venue_address=f"莲都区测试路 {slot_id} 号",  # one venue, one booking
                    contact_phone="13900000002",
                )
                key = "ok"
            except Conflict:
                key = "conflict"
            except Exception as exc:
                print("error:", type(exc).__name__, exc)
                key = "error"
            with lock:
                results[key] += 1
        connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    over = PrecheckSlot.objects.raw(
        "SELECT s.id FROM permits_precheckslot s WHERE s.booked > s.capacity OR s.booked <> "
        "(SELECT count(*) FROM permits_precheckbooking b WHERE b.slot_id = s.id AND b.status <> 'cancelled')"
    )
    inconsistent = len(list(over))
    print(
        f"successful bookings {results['ok']}, conflicts {results['conflict']}, errors {results['error']}\n"
        f"{results['ok'] / elapsed:.0f} bookings/s ({len(attempts) / elapsed:.0f} attempts/s) in {elapsed:.1f}s\n"
        f"slots over capacity or with counter != bookings: {inconsistent}"
    )
    # leave the data as it was for the next run
    booked = PrecheckBooking.objects.filter(venue_name="压力测试场所")
    PrecheckSlot.objects.filter(pk__in=booked.values("slot_id")).update(booked=0)
    booked.delete()
    if inconsistent or results["error"]:
        sys.exit(1)


def main() -> None:
    settings.DEBUG = False
    ensure_database()
    people = build(random.Random(2026))
    reset_queries()
    pages(people)
    stampede(people)


if __name__ == "__main__":
    main()
