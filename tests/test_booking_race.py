"""A slot is never over-booked, however many applicants press "book" at the same moment.

Threads wait behind a ``threading.Barrier`` and then book one slot together, each with its own
database connection, as concurrent web requests do. Exactly ``capacity`` of them succeed and every
other one gets ``Conflict`` ("该时段刚刚被约满"); the slot's counter, the booking rows and the
check constraint agree afterwards, and nothing else was raised.

* PostgreSQL (the production database): in this process, through the service and through the
  web page (separate clients; the losers see the message, nobody a 500).
* SQLite (the embedded default): in a subprocess with its own file database, because the test
  database of an ordinary SQLite run is in memory, where threads do not contend like processes.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import textwrap
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from conftest import skip_or_fail
from lishui_fire.core.errors import Conflict
from permits.models import PrecheckBooking, PrecheckBookingLimits, PrecheckSlot
from permits.services import prechecks as services
from permits.tests.factories import make_slot
from permits.workflow import ACTIVE_BOOKING_STATUSES

ATTEMPTS = 24
VENUE = {
    "venue_name": "丽水市莲都区星光KTV",
    "venue_address": "丽水市莲都区丽阳街 12 号",
    "contact_phone": "13957800001",
}


def venue(i: int) -> dict[str, str]:
    """Applicant ``i``'s own venue: one venue holds one open booking (ADR 0027)."""
    return {**VENUE, "venue_address": f"丽水市莲都区丽阳街 {i} 号"}


def race(n: int, attempt) -> tuple[Counter, list[str], float]:
    """Run ``attempt(i)`` in ``n`` threads released together. Returns (outcomes, errors, seconds)."""
    barrier = threading.Barrier(n)
    outcomes: Counter = Counter()
    errors: list[str] = []
    lock = threading.Lock()

    def run(i: int) -> None:
        from django.db import connections

        try:
            barrier.wait(timeout=30)
            outcome = attempt(i)
            with lock:
                outcomes[outcome] += 1
        except Exception as exc:
            with lock:
                errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return outcomes, errors, time.monotonic() - started


def assert_consistent(slot: PrecheckSlot, capacity: int) -> None:
    slot.refresh_from_db()
    rows = PrecheckBooking.objects.filter(slot=slot)
    assert slot.booked == capacity
    assert rows.count() == capacity  # no row beyond capacity, none left half-written
    assert rows.filter(status__in=ACTIVE_BOOKING_STATUSES).count() == capacity
    assert rows.values("applicant").distinct().count() == capacity


@pytest.fixture
def postgres(transactional_db):
    if connection.vendor != "postgresql":
        skip_or_fail("the booking race needs PostgreSQL (DATABASE_URL=postgres://…)")


@pytest.fixture
def applicants(make_user):
    return [make_user("applicant") for _ in range(ATTEMPTS)]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("capacity", [1, 3])
def test_concurrent_bookings_on_postgresql(postgres, applicants, inspector, capacity, capsys):
    slot = make_slot(inspector, capacity=capacity)

    def attempt(i: int) -> str:
        try:
            services.book_precheck(applicant=applicants[i], slot_id=slot.pk, **venue(i))
        except Conflict:
            return "conflict"
        return "booked"

    outcomes, errors, seconds = race(ATTEMPTS, attempt)
    assert errors == []
    assert outcomes == Counter(booked=capacity, conflict=ATTEMPTS - capacity)
    assert_consistent(slot, capacity)
    with capsys.disabled():
        print(  # noqa: T201 - the race figures are part of the report
            f"\n[race pg capacity={capacity}] {ATTEMPTS} attempts → {outcomes['booked']} booked, "
            f"{outcomes['conflict']} conflicts in {seconds:.2f}s"
        )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_bookings_through_the_web_page(postgres, applicants, inspector, capsys):
    slot = make_slot(inspector, capacity=1)
    url = reverse("permits:precheck_book", args=[slot.pk])
    clients = []
    for user in applicants:
        client = Client(raise_request_exception=False)
        client.force_login(user, backend="lishui_fire.accounts.backends.UsernameOrPhoneBackend")
        clients.append(client)

    def attempt(i: int) -> str:
        response = clients[i].post(url, {**venue(i), "county": slot.brigade_id})
        if response.status_code >= 500:
            return "server_error"
        assert response.status_code == 302, response.status_code
        if "/confirmed/" in response["Location"]:
            return "booked"
        page = clients[i].get(response["Location"])
        assert page.status_code == 200
        return "conflict" if "该时段刚刚被约满" in page.content.decode() else "other"

    outcomes, errors, seconds = race(ATTEMPTS, attempt)
    assert errors == []
    assert outcomes == Counter(booked=1, conflict=ATTEMPTS - 1)
    assert_consistent(slot, 1)
    with capsys.disabled():
        print(  # noqa: T201 - the race figures are part of the report
            f"\n[race pg http] {ATTEMPTS} requests → {outcomes['booked']} booked, "
            f"{outcomes['conflict']} saw the message, 0 errors in {seconds:.2f}s"
        )


# --- The open-booking limits hold under concurrency (issue 9) ------------------------------------
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_account_booking_many_slots_at_once_gets_only_its_limit(
    postgres, applicants, inspector, capsys
):
    """The throwaway account of issue 9: twelve slots at once, one account; three succeed."""
    limit = PrecheckBookingLimits.current().max_open_per_applicant
    slots = [make_slot(inspector, starts_in=dt.timedelta(days=2, hours=i)) for i in range(12)]
    hoarder = applicants[0]

    def attempt(i: int) -> str:
        try:
            services.book_precheck(applicant=hoarder, slot_id=slots[i].pk, **venue(i))
        except services.BookingLimitReached:
            return "limit"
        return "booked"

    outcomes, errors, seconds = race(len(slots), attempt)
    assert errors == []
    assert outcomes == Counter(booked=limit, limit=len(slots) - limit)
    assert PrecheckBooking.objects.filter(applicant=hoarder).count() == limit
    assert (
        sum(
            PrecheckSlot.objects.filter(pk__in=[s.pk for s in slots]).values_list(
                "booked", flat=True
            )
        )
        == limit
    )
    with capsys.disabled():
        print(  # noqa: T201 - the race figures are part of the report
            f"\n[race pg one account] {len(slots)} slots at once → {outcomes['booked']} booked, "
            f"{outcomes['limit']} refused by the limit in {seconds:.2f}s"
        )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(3))
def test_two_bookings_at_once_by_an_account_one_below_its_limit_one_is_refused(
    postgres, applicants, inspector, round_
):
    """The last place of an account's limit, asked for twice at the same moment: one booking,
    one refusal that says the limit (ADR 0032: the counts are in the statement after the lock)."""
    limit = PrecheckBookingLimits.current().max_open_per_applicant
    slots = [
        make_slot(inspector, starts_in=dt.timedelta(days=2, hours=i)) for i in range(limit + 1)
    ]
    owner = applicants[0]
    for i in range(limit - 1):
        services.book_precheck(applicant=owner, slot_id=slots[i].pk, **venue(i))
    last_two = slots[limit - 1 :]

    def attempt(i: int) -> str:
        try:
            services.book_precheck(applicant=owner, slot_id=last_two[i].pk, **venue(100 + i))
        except services.BookingLimitReached:
            return "limit"
        return "booked"

    outcomes, errors, _seconds = race(2, attempt)
    assert errors == []
    assert outcomes == Counter(booked=1, limit=1)
    assert PrecheckBooking.objects.filter(applicant=owner, status="booked").count() == limit
    assert sum(s.booked for s in PrecheckSlot.objects.filter(pk__in=[s.pk for s in slots])) == limit


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_many_accounts_booking_one_venue_at_once_get_only_its_limit(
    postgres, applicants, inspector
):
    limit = PrecheckBookingLimits.current().max_open_per_venue
    slots = [make_slot(inspector, starts_in=dt.timedelta(days=2, hours=i)) for i in range(12)]

    def attempt(i: int) -> str:
        # The same address written differently: one venue all the same.
        address = "丽水市莲都区丽阳街12号" if i % 2 else "丽水市莲都区 丽阳街 12 号"
        try:
            services.book_precheck(
                applicant=applicants[i], slot_id=slots[i].pk, **{**VENUE, "venue_address": address}
            )
        except services.BookingLimitReached:
            return "limit"
        return "booked"

    outcomes, errors, _seconds = race(len(slots), attempt)
    assert errors == []
    assert outcomes == Counter(booked=limit, limit=len(slots) - limit)


# --- SQLite, in a subprocess with its own file database ------------------------------------------------
SQLITE_SCRIPT = textwrap.dedent(
    """
    import datetime as dt, json, sys, threading, time
    from collections import Counter

    import django
    django.setup()
    from django.core.management import call_command
    from django.db import connections
    from django.utils import timezone

    call_command("migrate", verbosity=0, interactive=False)

    from lishui_fire.accounts.models import OrgUnit, User
    from lishui_fire.core.errors import Conflict
    from permits.models import PrecheckBooking, PrecheckSlot
    from permits.services.prechecks import book_precheck

    attempts = int(sys.argv[1])
    brigade = OrgUnit.objects.get(code="LD")
    inspector = User.objects.create(
        username="race-inspector", role="inspector", real_name="监督员", org_unit=brigade
    )
    applicants = [
        User.objects.create(username=f"race-{i}", role="applicant", real_name=f"申请人{i}",
                            phone=f"1380000{i:04d}")
        for i in range(attempts)
    ]
    report = {}
    for capacity in (1, 3):
        starts = (timezone.now() + dt.timedelta(days=3 + capacity)).replace(second=0, microsecond=0)
        slot = PrecheckSlot.objects.create(
            brigade=brigade, inspector=inspector, starts_at=starts,
            ends_at=starts + dt.timedelta(hours=2), capacity=capacity, created_by=inspector,
        )
        barrier = threading.Barrier(attempts)
        outcomes, errors, lock = Counter(), [], threading.Lock()

        def run(i):
            try:
                barrier.wait(timeout=30)
                try:
                    book_precheck(applicant=applicants[i], slot_id=slot.pk,
                                  venue_name="丽水市莲都区星光KTV", venue_address=f"丽阳街 {i} 号",
                                  contact_phone="13957800001")
                    outcome = "booked"
                except Conflict:
                    outcome = "conflict"
                with lock:
                    outcomes[outcome] += 1
            except Exception as exc:
                with lock:
                    errors.append(f"{type(exc).__name__}: {exc}")
            finally:
                connections.close_all()

        threads = [threading.Thread(target=run, args=(i,)) for i in range(attempts)]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        seconds = time.monotonic() - started
        slot.refresh_from_db()
        rows = PrecheckBooking.objects.filter(slot=slot)
        report[str(capacity)] = {
            "outcomes": dict(outcomes), "errors": errors, "seconds": round(seconds, 2),
            "booked_counter": slot.booked, "rows": rows.count(),
            "active": rows.filter(status="booked").count(),
        }
    print("RACE-RESULT " + json.dumps(report))
    """
)


def test_concurrent_bookings_on_sqlite_in_a_subprocess(tmp_path: Path, capsys):
    db = tmp_path / "race.sqlite3"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lishui_fire.settings",
        "DJANGO_ENV": "local",
        "DJANGO_TESTING": "1",
        "DATABASE_URL": f"sqlite:///{db}",
        "REDIS_URL": "",  # tasks run in-process: the confirmation SMS takes the write lock too
        "SMS_BACKEND": "lishui_fire.core.sms.FileSmsBackend",
        "SMS_FILE_PATH": str(tmp_path / "sms.jsonl"),
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    result = subprocess.run(
        [sys.executable, "-c", SQLITE_SCRIPT, str(ATTEMPTS)],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("RACE-RESULT ")]
    assert result.returncode == 0, result.stderr[-4000:]
    assert lines, result.stdout[-4000:]
    report = json.loads(lines[-1].removeprefix("RACE-RESULT "))
    for capacity in (1, 3):
        run = report[str(capacity)]
        assert run["errors"] == []
        assert run["outcomes"] == {"booked": capacity, "conflict": ATTEMPTS - capacity}
        assert run["booked_counter"] == run["rows"] == run["active"] == capacity
        with capsys.disabled():
            print(  # noqa: T201 - the race figures are part of the report
                f"\n[race sqlite capacity={capacity}] {ATTEMPTS} attempts → {capacity} booked, "
                f"{ATTEMPTS - capacity} conflicts in {run['seconds']}s"
            )
