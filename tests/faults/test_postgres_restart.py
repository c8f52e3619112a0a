"""PostgreSQL restarted under traffic (``make faults``: the test database is in a cluster of the
run's own, scripts/faults.sh, which this test stops and starts).

Two gunicorn web servers and a worker; four client threads read pages and the API and book
pre-checks on both servers while PostgreSQL is stopped (fast shutdown: connections in the middle
of a query are terminated), kept down for a few seconds, and started again. Measured:

* every response is 2xx or a clean 503 (the site's layout for pages, JSON for the API, no
  traceback); none is a 500, none a dropped connection;
* no booking is half-made: the bookings in the database are exactly those answered 201;
* the portal recovers on its own: the same web processes answer 200 again, and the worker renders
  a letter approved after the restart; nothing was restarted but PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import threading
import time
from collections import Counter

import pytest
import requests
from django.db import connection

from lishui_fire.accounts.models import ApiToken as Token
from permits.models import DocumentKind, PermitDocument, PrecheckBooking, PrecheckSlot
from permits.services import applications as services
from permits.tests.factories import make_application
from tests.faults.harness import wait_until

pytestmark = [
    pytest.mark.faults,
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),
]

DOWN_SECONDS = 4
THREADS = 4


@pytest.fixture
def own_postgres():
    data, binary = os.environ.get("FAULTS_PG_DATA"), os.environ.get("FAULTS_PG_BIN")
    port = os.environ.get("FAULTS_PG_PORT")
    if not (data and binary and port) or str(connection.settings_dict.get("PORT")) != port:
        pytest.skip("needs the PostgreSQL cluster of `make faults` (scripts/faults.sh)")

    def pg_ctl(*args: str) -> None:
        command = [f"{binary}/pg_ctl", "-D", data, *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=60)

    return pg_ctl


def _slots(inspector, count: int) -> list[int]:
    from django.utils import timezone

    start = (timezone.now() + dt.timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    PrecheckSlot.objects.bulk_create(
        PrecheckSlot(
            brigade=inspector.org_unit,
            inspector=inspector,
            starts_at=start + dt.timedelta(hours=3 * n),
            ends_at=start + dt.timedelta(hours=3 * n + 2),
            capacity=1,
            booked=0,
            created_by=inspector,
        )
        for n in range(count)
    )
    return list(PrecheckSlot.objects.order_by("starts_at").values_list("pk", flat=True))


def test_postgres_restarted_under_traffic_fails_cleanly_and_recovers(
    own_postgres, deployment, citizen, other_citizen, inspector, figures
):
    slots = _slots(inspector, 400)
    applicant = {"Authorization": f"Token {Token.objects.create(user=other_citizen).key}"}
    staff = {"Authorization": f"Token {Token.objects.create(user=inspector).key}"}
    application = make_application(citizen, status="draft", path="commitment")
    services.submit_application(application=application, actor=citizen)
    cookies = deployment.session_for(citizen)
    webs = [deployment.web(), deployment.web()]
    deployment.worker("pg", app="lishui_fire")
    urls = [f"http://127.0.0.1:{w.port}" for w in webs]
    pids = [w.pid for w in webs]

    stop = threading.Event()
    lock = threading.Lock()
    statuses: Counter[str] = Counter()
    problems: list[str] = []
    booked: list[int] = []
    next_slot = iter(slots)

    def record(label: str, response: requests.Response) -> None:
        body = response.text
        with lock:
            statuses[f"{label} {response.status_code}"] += 1
        if response.status_code == 503:
            if label == "api" and response.headers["Content-Type"].startswith("application/json"):
                return
            if label != "api" and 'class="site-header"' in body and "服务暂时不可用" in body:
                return
            problems.append(f"{label}: 503 without the layout: {body[:200]}")
        elif response.status_code >= 500 or "Traceback" in body:
            problems.append(f"{label}: {response.status_code} {body[:300]}")

    def client(n: int) -> None:
        i = 0
        while not stop.is_set():
            base = urls[(n + i) % 2]
            i += 1
            try:
                record("page", requests.get(f"{base}/permits/mine/", cookies=cookies, timeout=30))
                record("api", requests.get(f"{base}/api/v1/permits/", headers=staff, timeout=30))
                with lock:
                    slot = next(next_slot)
                r = requests.post(
                    f"{base}/api/v1/precheck-bookings/",
                    headers=applicant,
                    json={
                        "slot": slot,
                        "venue_name": f"丽水市莲都区测试酒店{slot}",
                        "venue_address": "丽水市莲都区人民街 2 号",
                        "contact_phone": "13957800002",
                    },
                    timeout=30,
                )
                record("api", r)
                if r.status_code == 201:
                    with lock:
                        booked.append(r.json()["id"])
            except requests.ConnectionError as exc:
                problems.append(f"connection dropped: {exc}")
            except StopIteration:
                return

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(THREADS)]
    for t in threads:
        t.start()
    try:
        time.sleep(3)
        before = sum(statuses.values())
        own_postgres("-m", "fast", "-w", "stop")
        stopped_at = time.monotonic()
        time.sleep(DOWN_SECONDS)
        own_postgres("-w", "-l", f"{os.environ['FAULTS_PG_DATA']}/server.log", "start")
        started_at = time.monotonic()

        def healthy() -> bool:
            try:
                return all(
                    requests.get(f"{u}/permits/mine/", cookies=cookies, timeout=10).status_code
                    == 200
                    for u in urls
                )
            except requests.RequestException:
                return False

        assert wait_until(healthy, timeout=30), deployment.logs()
        recovered = time.monotonic() - started_at
        time.sleep(3)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=60)
    connection.close()  # this process's connection died with the server too

    assert not problems, problems[:5]
    unavailable = sum(c for k, c in statuses.items() if k.endswith(" 503"))
    assert unavailable > 0, statuses  # the outage was really seen by the clients
    assert [w.pid for w in webs] == pids
    assert all(w.alive() for w in webs)  # nothing restarted
    assert sorted(PrecheckBooking.objects.values_list("pk", flat=True)) == sorted(booked)

    # The worker recovers too: a letter approved now is rendered.
    r = requests.post(
        f"{urls[0]}/api/v1/permits/{application.pk}/approve/", headers=staff, timeout=30
    )
    assert r.status_code == 200, r.text
    assert wait_until(
        lambda: (
            PermitDocument.objects.filter(application=application, kind=DocumentKind.DECISION)
            .exclude(file="")
            .exists()
        ),
        timeout=90,
    ), deployment.logs()

    figures.append(
        f"postgres restart (fast stop, {DOWN_SECONDS} s down, {THREADS} clients on 2 webs): "
        f"{sum(statuses.values())} responses ({before} before the stop) {dict(statuses)}; "
        f"0 500s, 0 dropped connections, {len(booked)} bookings answered 201 = {len(booked)} rows; "
        f"both webs served again {recovered:.1f} s after start "
        f"({time.monotonic() - stopped_at:.0f} s after the stop), same PIDs; worker rendered after"
    )
