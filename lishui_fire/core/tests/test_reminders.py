"""The reminder ledger: a due reminder becomes exactly one message, however often the sweep runs."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from lishui_fire.core import sms
from lishui_fire.core.models import Notification, Reminder
from lishui_fire.core.reminders import cancel_reminder, schedule_reminder, sweep_due_reminders


@pytest.fixture
def sms_outbox(settings):
    settings.SMS_BACKEND = "lishui_fire.core.sms.LocmemSmsBackend"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture
def now():
    return timezone.now()


@pytest.mark.django_db
def test_due_reminders_become_one_notification_each_and_a_second_sweep_sends_nothing(
    citizen, other_citizen, sms_outbox, now, django_capture_on_commit_callbacks
):
    schedule_reminder(
        key="precheck:1:applicant",
        recipient=citizen,
        due_at=now - timedelta(minutes=5),
        body="明天体检",
    )
    schedule_reminder(
        key="precheck:2:applicant", recipient=other_citizen, due_at=now, body="明天上午体检"
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_due_reminders(now=now) == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_due_reminders(now=now + timedelta(minutes=1)) == 0

    assert sorted(Notification.objects.values_list("dedupe_key", flat=True)) == [
        "reminder:precheck:1:applicant",
        "reminder:precheck:2:applicant",
    ]
    assert sorted((m.to, m.body) for m in sms_outbox) == sorted(
        [(citizen.phone, "明天体检"), (other_citizen.phone, "明天上午体检")]
    )
    assert set(Reminder.objects.values_list("status", flat=True)) == {Reminder.Status.SENT}


@pytest.mark.django_db
def test_a_future_reminder_waits_and_a_cancelled_one_never_goes(
    citizen, sms_outbox, now, django_capture_on_commit_callbacks
):
    schedule_reminder(key="later", recipient=citizen, due_at=now + timedelta(hours=1), body="稍后")
    schedule_reminder(
        key="cancelled", recipient=citizen, due_at=now - timedelta(hours=1), body="取消"
    )
    assert cancel_reminder(key="cancelled") is True
    assert cancel_reminder(key="cancelled") is False
    assert cancel_reminder(key="no-such-key") is False
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_due_reminders(now=now) == 0
    assert sms_outbox == []
    assert not Notification.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_due_reminders(now=now + timedelta(hours=1)) == 1
    assert [m.body for m in sms_outbox] == ["稍后"]


@pytest.mark.django_db
def test_scheduling_the_same_key_again_moves_a_waiting_reminder(citizen, now):
    first = schedule_reminder(key="k", recipient=citizen, due_at=now + timedelta(days=2), body="旧")
    moved = schedule_reminder(key="k", recipient=citizen, due_at=now + timedelta(days=3), body="新")
    assert moved.pk == first.pk
    assert Reminder.objects.count() == 1
    assert (moved.body, moved.due_at) == ("新", now + timedelta(days=3))


@pytest.mark.django_db
def test_scheduling_a_sent_key_again_leaves_it_as_history(
    citizen, sms_outbox, now, django_capture_on_commit_callbacks
):
    schedule_reminder(key="k", recipient=citizen, due_at=now - timedelta(minutes=1), body="已发")
    with django_capture_on_commit_callbacks(execute=True):
        sweep_due_reminders(now=now)
    again = schedule_reminder(key="k", recipient=citizen, due_at=now + timedelta(days=1), body="改")
    assert (again.status, again.body) == (Reminder.Status.SENT, "已发")
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_due_reminders(now=now + timedelta(days=2)) == 0
    assert len(sms_outbox) == 1


@pytest.mark.django_db
def test_a_cancelled_reminder_scheduled_again_is_back(citizen, now):
    schedule_reminder(key="k", recipient=citizen, due_at=now + timedelta(days=1), body="一")
    cancel_reminder(key="k")
    back = schedule_reminder(key="k", recipient=citizen, due_at=now + timedelta(days=2), body="二")
    assert back.status == Reminder.Status.SCHEDULED


@pytest.mark.django_db
def test_the_sweep_takes_at_most_its_limit(citizen, now, django_capture_on_commit_callbacks):
    for i in range(5):
        schedule_reminder(
            key=f"k{i}", recipient=citizen, due_at=now - timedelta(minutes=i), body="x"
        )
    with django_capture_on_commit_callbacks(execute=False):
        assert sweep_due_reminders(now=now, limit=3) == 3
        assert sweep_due_reminders(now=now, limit=3) == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"due_at": timezone.datetime(2026, 5, 1, 9, 0)}, "aware"),
        ({"key": ""}, "key"),
        ({"key": "x" * 200}, "key"),
        ({"channel": "fax"}, "channel"),
    ],
)
def test_bad_reminders_are_refused(citizen, now, kwargs, message):
    arguments = {"key": "k", "recipient": citizen, "due_at": now, "body": "x", **kwargs}
    with pytest.raises(ValueError, match=message):
        schedule_reminder(**arguments)


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_send_each_reminder_once_on_postgresql(citizen, settings):
    """Two beat instances (or an overlapping slow sweep) run at the same moment."""
    if connection.vendor != "postgresql":
        from conftest import skip_or_fail

        skip_or_fail("row-level concurrency is tested on PostgreSQL")
    settings.SMS_BACKEND = "lishui_fire.core.sms.LocmemSmsBackend"
    sms.outbox.clear()
    now = timezone.now()
    for i in range(30):
        schedule_reminder(key=f"race:{i}", recipient=citizen, due_at=now, body=f"提醒{i}")
    barrier = threading.Barrier(2, timeout=10)
    results: list[int] = []

    def sweep() -> None:
        try:
            barrier.wait()
            results.append(sweep_due_reminders(now=now))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sum(results) == 30
    assert Notification.objects.count() == 30
    assert sorted(m.body for m in sms.outbox) == sorted(f"提醒{i}" for i in range(30))
    sms.outbox.clear()
