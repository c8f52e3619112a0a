"""A Celery worker killed in the middle of a task: after restart the effect happens exactly once.

Real workers (``celery -A tests.faults.holds worker``, prefork) on a Redis of the test's own and
the test database; the worker is held at a chosen point inside the task and killed there with
SIGKILL, as the OOM killer or a crashed host would:

* a document render, the pool process killed mid-render (OOM): the message is not redelivered
  (``task_reject_on_worker_lost`` is off, ADR 0017), the render sweep finds the document and
  renders it; one PDF, no orphan file, the next sweep renders nothing;
* the same, the whole worker killed (host crash): the message stays unacknowledged in Redis and
  is delivered again after the visibility timeout to the restarted worker; rendered once;
* a reminder batch, the worker killed while the gateway is sending the 8th SMS: the restarted
  worker sends the rest; no SMS goes out twice, and the one in flight when the worker died is
  marked "outcome unknown" for a person (the only message whose fate nobody can know).
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import time
from collections import Counter

import pytest
from django.utils import timezone

from lishui_fire.core.jobs import enqueue
from lishui_fire.core.models import Notification, Reminder
from lishui_fire.core.notifications import OUTCOME_UNKNOWN
from lishui_fire.core.reminders import schedule_reminder
from permits.models import DocumentKind, PermitDocument
from permits.services import applications as services
from permits.tests.factories import decide, make_application
from tests.faults.harness import wait_until

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

HOLD = "60"  # seconds the first attempt waits at the hold: far longer than the test needs
VISIBILITY = "6"  # seconds before Redis hands an unacknowledged message out again


def _approve(citizen, inspector) -> PermitDocument:
    application = make_application(citizen, status="draft", path="commitment")
    services.submit_application(application=application, actor=citizen)
    decide(application, inspector, reason="当场许可")
    return PermitDocument.objects.get(application=application, kind=DocumentKind.DECISION)


def _pdf_files(deployment) -> list[str]:
    """Every file in the documents' folder (materials uploaded by the factory are elsewhere)."""
    folder = deployment.media_root / "permits" / "documents"
    return sorted(
        str(p.relative_to(deployment.media_root)) for p in folder.rglob("*") if p.is_file()
    )


def _wait_past_visibility(deployment) -> None:
    """Until the killed worker's unacknowledged messages are older than the visibility timeout.

    A starting worker restores such messages at once, then only every 100 s (kombu's restore
    throttle); restarting before they are due would leave the test waiting that long.
    """
    import redis

    client = redis.Redis.from_url(deployment.broker_url)
    unacked = client.zrange("unacked_index", 0, -1, withscores=True)
    assert unacked, "the killed worker left no unacknowledged message"
    due = max(score for _tag, score in unacked) + float(VISIBILITY) + 0.5
    time.sleep(max(0.0, due - time.time()))


def _held_renders(deployment, document) -> list[str]:
    tag = f"render {document._meta.label} {document.pk} "
    return [line for line in deployment.trace() if line.startswith(tag)]


def test_a_worker_process_killed_mid_render_renders_the_document_once(
    deployment, citizen, inspector
):
    worker = deployment.worker("render", FAULTS_HOLD_RENDER=HOLD)
    document = _approve(citizen, inspector)  # after commit: the render message goes to Redis
    assert wait_until(lambda: _held_renders(deployment, document), timeout=60), deployment.logs()
    pool_pid = int(_held_renders(deployment, document)[0].rsplit("pid=", 1)[1])
    assert pool_pid != worker.pid

    os.kill(pool_pid, signal.SIGKILL)  # the pool process only, mid-render
    assert wait_until(lambda: "WorkerLostError" in worker.log(), timeout=30), worker.log()
    assert worker.alive()  # the worker replaced its pool process
    document.refresh_from_db()
    assert not document.file  # nothing half-done was kept

    # Ten minutes later the render sweep (beat) finds it.
    PermitDocument.objects.filter(pk=document.pk).update(
        issued_at=timezone.now() - dt.timedelta(minutes=10)
    )
    enqueue("lishui_fire.core.tasks.render_missing_documents")
    assert wait_until(lambda: PermitDocument.objects.get(pk=document.pk).file, timeout=90), (
        worker.log()
    )
    document.refresh_from_db()
    assert document.sha256
    assert len(_held_renders(deployment, document)) == 2  # the killed attempt and the sweep's
    assert _pdf_files(deployment) == [document.file.name]  # one PDF, no orphan, no partial

    # Another sweep (a second beat, a redelivered message) renders nothing more.
    enqueue("lishui_fire.core.tasks.render_missing_documents")
    enqueue("lishui_fire.core.tasks.render_issued_document", document._meta.label, document.pk)
    wait_until(lambda: worker.log().count("succeeded") >= 3, timeout=30)
    assert len(_held_renders(deployment, document)) == 2
    assert _pdf_files(deployment) == [document.file.name]


def test_a_whole_worker_killed_mid_render_gets_the_message_again_after_restart(
    deployment, citizen, inspector
):
    first = deployment.worker(
        "crash", FAULTS_HOLD_RENDER=HOLD, CELERY_VISIBILITY_TIMEOUT=VISIBILITY
    )
    document = _approve(citizen, inspector)
    assert wait_until(lambda: _held_renders(deployment, document), timeout=60), deployment.logs()

    first.kill(signal.SIGKILL)  # worker and pool at once: nothing is acknowledged or requeued
    assert not PermitDocument.objects.get(pk=document.pk).file
    _wait_past_visibility(deployment)
    restarted = deployment.worker(
        "restarted", FAULTS_HOLD_RENDER=HOLD, CELERY_VISIBILITY_TIMEOUT=VISIBILITY
    )
    assert wait_until(lambda: PermitDocument.objects.get(pk=document.pk).file, timeout=90), (
        restarted.log()
    )
    document.refresh_from_db()
    assert len(_held_renders(deployment, document)) == 2
    assert _pdf_files(deployment) == [document.file.name]


def test_a_worker_killed_mid_batch_sends_every_reminder_at_most_once(deployment, citizen):
    due = timezone.now() - dt.timedelta(minutes=1)
    phones = [f"1390000{n:04d}" for n in range(20)]
    for n, phone in enumerate(phones):
        schedule_reminder(
            key=f"faults:kill:{n}", due_at=due, address=phone, body=f"提醒 {n}", channel="sms"
        )
    worker = deployment.worker(
        "sms",
        SMS_BACKEND="tests.faults.holds.HoldingSmsBackend",
        FAULTS_HOLD_SMS_AT="8",
        FAULTS_HOLD_SECONDS=HOLD,
        CELERY_VISIBILITY_TIMEOUT=VISIBILITY,
    )
    enqueue("lishui_fire.core.tasks.sweep_reminders")  # what beat sends every minute
    assert wait_until(lambda: len(deployment.trace()) >= 8, timeout=60), worker.log()
    assert len(deployment.sms_lines()) == 7  # the 8th is at the gateway

    worker.kill(signal.SIGKILL)
    _wait_past_visibility(deployment)
    assert Reminder.objects.filter(status=Reminder.Status.SENT).count() == 20  # claimed once
    restarted = deployment.worker(
        "sms-again",
        SMS_BACKEND="lishui_fire.core.sms.FileSmsBackend",
        CELERY_VISIBILITY_TIMEOUT=VISIBILITY,
    )
    # The batch message comes back after the visibility timeout; the retry beat would also find
    # the pending rows five minutes on. Either way each row is claimed before it is sent.
    assert wait_until(lambda: len(deployment.sms_lines()) >= 19, timeout=90), restarted.log()
    # And the retry beat, 20 minutes later, marks the row stuck at the gateway.
    Notification.objects.filter(status=Notification.Status.SENDING).update(
        claimed_at=timezone.now() - dt.timedelta(minutes=20)
    )
    enqueue("lishui_fire.core.tasks.retry_notifications")
    assert wait_until(
        lambda: Notification.objects.filter(last_error__startswith=OUTCOME_UNKNOWN).count() == 1,
        timeout=60,
    ), restarted.log()

    sent = Counter(m.to for m in deployment.sms_lines())
    assert max(sent.values()) == 1  # no SMS twice
    assert len(sent) == 19
    (unknown,) = Notification.objects.filter(status=Notification.Status.FAILED)
    assert unknown.address not in sent  # the one held at the gateway when the worker died
    assert Notification.objects.filter(status=Notification.Status.SENT).count() == 19
    assert Notification.objects.count() == 20  # one outbox row per reminder
