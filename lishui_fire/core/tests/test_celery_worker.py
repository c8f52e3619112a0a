"""Against a real worker process and the real Redis: a reminder swept twice is sent once, a
delivery task received twice sends once, and a notification committed by a request reaches the
worker through ``transaction.on_commit``."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from lishui_fire.core.models import Notification, Reminder
from lishui_fire.core.notifications import notify
from lishui_fire.core.reminders import schedule_reminder
from lishui_fire.core.tasks import deliver_notification, sweep_reminders
from tests.celery_fixtures import wait_until

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

TIMEOUT = 60


def _sent(dedupe_key: str) -> bool:
    return Notification.objects.filter(
        dedupe_key=dedupe_key, status=Notification.Status.SENT
    ).exists()


def test_a_reminder_swept_twice_by_a_real_worker_is_sent_once(celery_worker_process, citizen):
    worker = celery_worker_process
    schedule_reminder(
        key="worker-test:precheck:1",
        recipient=citizen,
        due_at=timezone.now() - timedelta(minutes=1),
        body="提醒：您预约的消防体检将于明天 09:00 进行。",
    )
    sweep_reminders.delay()
    sweep_reminders.delay()  # a second beat, or the same message delivered again

    assert wait_until(lambda: _sent("reminder:worker-test:precheck:1"), timeout=TIMEOUT), (
        worker.log()[-4000:]
    )
    notification = Notification.objects.get(dedupe_key="reminder:worker-test:precheck:1")

    # The delivery task received again (Redis redelivers unacknowledged messages): no new SMS.
    deliver_notification.delay(notification.pk)
    # A second reminder afterwards tells us when the worker has got through the queue.
    schedule_reminder(
        key="worker-test:precheck:2",
        recipient=citizen,
        due_at=timezone.now() - timedelta(minutes=1),
        body="提醒：第二条。",
    )
    sweep_reminders.delay()
    assert wait_until(lambda: _sent("reminder:worker-test:precheck:2"), timeout=TIMEOUT), (
        worker.log()[-4000:]
    )
    # Wait until its SMS line is written too (SENT is recorded right after the send).
    assert wait_until(lambda: len(worker.sms_lines()) >= 2, timeout=TIMEOUT)

    lines = worker.sms_lines()
    assert [m.body for m in lines].count("提醒：您预约的消防体检将于明天 09:00 进行。") == 1
    assert [m.body for m in lines].count("提醒：第二条。") == 1
    assert all(m.to == citizen.phone for m in lines)
    notification.refresh_from_db()
    assert notification.attempts == 1
    assert Reminder.objects.filter(status=Reminder.Status.SENT).count() == 2
    assert Notification.objects.count() == 2


def test_a_committed_notification_reaches_the_worker(celery_worker_process, citizen):
    worker = celery_worker_process
    # Autocommit here (a transactional test): on_commit sends the task at once, through Redis.
    notification = notify(channel="sms", recipient=citizen, body="您的申请已受理。")
    assert wait_until(
        lambda: Notification.objects.get(pk=notification.pk).status == Notification.Status.SENT,
        timeout=TIMEOUT,
    ), worker.log()[-4000:]
    assert [m.body for m in worker.sms_lines()] == ["您的申请已受理。"]
