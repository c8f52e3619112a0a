"""Redis stopped for 60 s while users book, approve and reminders fall due (``make faults``).

A deployment of its own: two gunicorn web servers, two Celery workers and a beat (the synced
schedule, django-celery-beat) on the test database and a Redis of the test's own. While Redis is
down (``FAULTS_REDIS_OUTAGE_SECONDS``, default 60), applicants book pre-checks through the API,
an inspector approves applications, pages are read on both web servers, and reminders fall due.

Then Redis comes back, EMPTY (no persistence: whatever was queued is gone, the harsher case).
Measured: every request during the outage answered 2xx (none 5xx); afterwards every due reminder
sent exactly once, every decision letter rendered exactly once, every notification sent once.
The 10-minute catch-up jobs are compressed: their beat rows run every minute and the rows they
look for are aged past their five-minute margin (what ten real minutes would do).
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections import Counter

import pytest
import requests
from django.core.management import call_command
from django.utils import timezone
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from lishui_fire.accounts.models import ApiToken as Token
from lishui_fire.core.models import Notification, Reminder
from lishui_fire.core.reminders import schedule_reminder
from permits.models import DocumentKind, PermitApplication, PermitDocument
from permits.services import applications as services
from permits.tests.factories import make_application, make_slot
from permits.workflow import PermitStatus as S
from tests.faults.harness import wait_until

pytestmark = [
    pytest.mark.faults,
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),
]

OUTAGE = float(os.environ.get("FAULTS_REDIS_OUTAGE_SECONDS", "60"))
APPROVALS = 6
BOOKINGS = 6
REMINDERS = 25


def _sync_beat_compressed() -> None:
    """The real schedule, with the two 10-minute catch-up jobs every minute (see docstring)."""
    call_command("sync_beat_schedule", stdout=open(os.devnull, "w"))  # noqa: SIM115
    every_minute, _ = CrontabSchedule.objects.get_or_create(
        minute="*", hour="*", day_of_week="*", day_of_month="*", month_of_year="*"
    )
    PeriodicTask.objects.filter(
        task__in=[
            "lishui_fire.core.tasks.render_missing_documents",
            "lishui_fire.core.tasks.retry_notifications",
        ]
    ).update(crontab=every_minute)


def test_a_60_second_redis_outage_loses_nothing_and_doubles_nothing(
    deployment, citizen, other_citizen, inspector, figures
):
    applications = []
    for _ in range(APPROVALS):
        application = make_application(citizen, status="draft", path="commitment")
        applications.append(services.submit_application(application=application, actor=citizen))
    slots = [make_slot(inspector, starts_in=dt.timedelta(days=3 + n)) for n in range(BOOKINGS)]
    inspector_token = Token.objects.create(user=inspector).key
    applicant_token = Token.objects.create(user=other_citizen).key
    _sync_beat_compressed()

    webs = [deployment.web(), deployment.web()]
    for n in (1, 2):
        deployment.worker(f"w{n}", app="lishui_fire")
    deployment.beat("b1")
    urls = [f"http://127.0.0.1:{w.port}" for w in webs]
    cookies = deployment.session_for(citizen)

    # Reminders that fall due in the middle of the outage.
    due = timezone.now() + dt.timedelta(seconds=OUTAGE / 2)
    for n in range(REMINDERS):
        schedule_reminder(
            key=f"faults:outage:{n}", due_at=due, address=f"1370000{n:04d}", body=f"提醒 {n}"
        )

    deployment.redis.stop()
    down_at = time.monotonic()
    statuses: Counter[str] = Counter()
    slowest = 0.0
    failures: list[str] = []

    def call(method: str, url: str, **kwargs) -> requests.Response:
        nonlocal slowest
        started = time.monotonic()
        response = requests.request(method, url, timeout=30, **kwargs)
        slowest = max(slowest, time.monotonic() - started)
        statuses[f"{method} {response.status_code}"] += 1
        if response.status_code >= 500:
            failures.append(f"{method} {url}: {response.status_code} {response.text[:300]}")
        return response

    staff = {"Authorization": f"Token {inspector_token}"}
    applicant = {"Authorization": f"Token {applicant_token}"}
    n = 0
    while time.monotonic() - down_at < OUTAGE:
        base = urls[n % 2]
        if n < APPROVALS:
            r = call("POST", f"{base}/api/v1/permits/{applications[n].pk}/approve/", headers=staff)
            assert r.status_code == 200, r.text
        if n < BOOKINGS:
            r = call(
                "POST",
                f"{base}/api/v1/precheck-bookings/",
                headers=applicant,
                json={
                    "slot": slots[n].pk,
                    "venue_name": f"丽水市莲都区测试宾馆{n}",
                    "venue_address": "丽水市莲都区人民街 1 号",
                    "contact_phone": "13957800001",
                },
            )
            assert r.status_code == 201, r.text
        call("GET", f"{base}/", cookies=cookies)
        call("GET", f"{base}/permits/mine/", cookies=cookies)
        call("GET", f"{base}/api/v1/permits/", headers=staff)
        call("GET", f"{base}/api/v1/precheck-slots/", headers=applicant)
        n += 1
        time.sleep(0.5)
    assert not failures, failures[:5]
    assert n >= max(APPROVALS, BOOKINGS)
    assert not Reminder.objects.filter(status=Reminder.Status.SENT).exists()  # nothing could go
    assert not PermitDocument.objects.exclude(file="").exists()

    deployment.redis.start()  # same port, empty
    back_at = time.monotonic()
    # Ten minutes pass for the catch-up jobs' five-minute margin (see docstring).
    aged = timezone.now() - dt.timedelta(minutes=6)
    PermitDocument.objects.update(issued_at=aged)
    Notification.objects.filter(status=Notification.Status.PENDING).update(created_at=aged)

    def all_done() -> bool:
        return (
            Reminder.objects.filter(status=Reminder.Status.SENT).count() == REMINDERS
            and PermitDocument.objects.filter(kind=DocumentKind.DECISION, file="").count() == 0
            and not Notification.objects.exclude(status=Notification.Status.SENT).exists()
        )

    assert wait_until(all_done, timeout=240, interval=2), deployment.logs()
    recovered = time.monotonic() - back_at

    sms = Counter(m.to for m in deployment.sms_lines())
    reminder_sms = {to: c for to, c in sms.items() if to.startswith("1370000")}
    assert len(reminder_sms) == REMINDERS
    assert set(reminder_sms.values()) == {1}  # each due reminder exactly once
    bodies = Counter((m.to, m.body) for m in deployment.sms_lines())
    assert max(bodies.values()) == 1  # no message twice
    assert PermitApplication.objects.filter(status=S.APPROVED).count() == APPROVALS
    documents = PermitDocument.objects.filter(kind=DocumentKind.DECISION)
    assert documents.count() == APPROVALS
    files = [p for p in (deployment.media_root / "permits" / "documents").rglob("*") if p.is_file()]
    assert sorted(p.name for p in files) == sorted(d.file.name.rsplit("/", 1)[1] for d in documents)
    assert all(d.render_attempts == 1 for d in documents)  # each rendered exactly once

    figures.append(
        f"redis outage {OUTAGE:.0f} s: {sum(statuses.values())} requests during it "
        f"({dict(statuses)}), 0 errors, slowest {slowest:.2f} s; {APPROVALS} approvals, "
        f"{BOOKINGS} bookings; after Redis came back: {REMINDERS}/{REMINDERS} due reminders "
        f"sent exactly once, {APPROVALS}/{APPROVALS} letters rendered once, "
        f"{Notification.objects.count()} notifications sent once, all within {recovered:.0f} s"
    )
