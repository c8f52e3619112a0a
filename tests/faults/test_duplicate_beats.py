"""Two beats by mistake (or a beat and an operator running the job by hand): every periodic job's
effect happens once.

No lock keeps a second beat from sending the same job: the jobs themselves are idempotent, which
also covers a redelivered message and a job run by hand (ADR 0017). Checked two ways:

* every job of the merged beat schedule (``portal_beat_schedule``, so a job an app adds later is
  checked too) run twice in a row, with work waiting for it: the second run changes nothing;
* the sweeps run at the same moment from two threads, as two workers would run two beats'
  messages (PostgreSQL only: SQLite serialises writers, there is no race to lose there).

``make faults`` runs two real beats against two real workers (test_two_of_everything.py).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from lishui_fire.core import sms
from lishui_fire.core.jobs import get_task
from lishui_fire.core.models import Notification, Reminder
from lishui_fire.core.notifications import Outgoing, notify_many
from lishui_fire.core.reminders import schedule_reminder
from lishui_fire.core.schedules import portal_beat_schedule
from permits.models import DocumentKind, PermitDocument
from permits.services import applications as services
from permits.tests.factories import decide, make_application

REMINDERS = 30
LATER = dt.timedelta(minutes=20)  # past every sweep's "leave the newest to the task" margin


@pytest.fixture
def sms_outbox(settings):
    settings.SMS_BACKEND = "lishui_fire.core.sms.LocmemSmsBackend"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture
def waiting_work(settings, tmp_path, citizen, inspector, monkeypatch):
    """Due reminders, a notification whose enqueue was lost, a document nobody rendered."""
    settings.MEDIA_ROOT = tmp_path / "media"
    due = timezone.now() - dt.timedelta(minutes=1)
    for n in range(REMINDERS):
        schedule_reminder(
            key=f"faults:beat:{n}", due_at=due, address=f"1380000{n:04d}", body=f"提醒{n}"
        )
    # As if Redis had been down at commit time: rows written, nothing enqueued.
    monkeypatch.setattr("lishui_fire.core.notifications.enqueue", lambda *a, **k: None)
    monkeypatch.setattr("lishui_fire.core.documents.enqueue", lambda *a, **k: None)
    notify_many([Outgoing(channel="sms", address="13800009999", body="迟到的通知", dedupe_key="x")])
    application = make_application(citizen, status="draft", path="commitment")
    services.submit_application(application=application, actor=citizen)
    decide(application, inspector, reason="当场许可")
    monkeypatch.undo()
    settings.SMS_BACKEND = "lishui_fire.core.sms.LocmemSmsBackend"
    return application


def effects() -> dict:
    files = PermitDocument.objects.exclude(file="")
    return {
        "sms": Counter((m.to, m.body) for m in sms.outbox),
        "notifications": Notification.objects.count(),
        "sent": Notification.objects.filter(status=Notification.Status.SENT).count(),
        "reminders_sent": Reminder.objects.filter(status=Reminder.Status.SENT).count(),
        "documents": sorted((d.pk, d.file.name, d.sha256) for d in files),
    }


def _run(entry: dict) -> None:
    get_task(entry["task"]).apply(args=entry.get("args", ()), kwargs=entry.get("kwargs", {}))


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(portal_beat_schedule()))
def test_a_periodic_job_run_twice_has_its_effect_once(
    name, waiting_work, sms_outbox, django_capture_on_commit_callbacks
):
    entry = portal_beat_schedule()[name]
    with time_machine.travel(timezone.now() + LATER, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            _run(entry)
        once = effects()
        with django_capture_on_commit_callbacks(execute=True):
            _run(entry)
        twice = effects()
    assert twice == once
    assert max(once["sms"].values(), default=1) == 1  # and the first run sent nothing twice


@pytest.mark.django_db
def test_the_sweeps_have_work_to_do_so_the_check_above_means_something(
    waiting_work, sms_outbox, django_capture_on_commit_callbacks
):
    schedule = portal_beat_schedule()
    before = effects()
    with time_machine.travel(timezone.now() + LATER, tick=False):
        for name in ("core.sweep_reminders", "core.retry_notifications"):
            with django_capture_on_commit_callbacks(execute=True):
                _run(schedule[name])
        with django_capture_on_commit_callbacks(execute=True):
            _run(schedule["core.render_missing_documents"])
    after = effects()
    assert before["reminders_sent"] == 0
    assert after["reminders_sent"] == REMINDERS
    assert (
        sum(after["sms"].values()) == REMINDERS + 3
    )  # the reminders, the lost one, submission and approval
    assert not before["documents"]
    assert len(after["documents"]) == 1


@pytest.mark.django_db(transaction=True)
def test_two_beats_sweeping_at_the_same_moment_send_each_reminder_once(waiting_work, sms_outbox):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises the two sweeps")
    schedule = portal_beat_schedule()
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def beat() -> None:
        try:
            barrier.wait(timeout=30)
            with time_machine.travel(timezone.now() + LATER, tick=False):
                for name in (
                    "core.sweep_reminders",
                    "core.render_missing_documents",
                    "core.retry_notifications",
                ):
                    _run(schedule[name])
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=beat) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    result = effects()
    assert result["reminders_sent"] == REMINDERS
    assert max(result["sms"].values()) == 1
    assert sum(result["sms"].values()) == REMINDERS + 3
    assert len(result["documents"]) == 1
    document = PermitDocument.objects.get(kind=DocumentKind.DECISION)
    assert document.render_attempts == 1  # rendered by one sweep; the others found it done
