"""The ledger for people with and without accounts: (subject, milestone) keys, address-only
reminders, cancelling all of a subject, text rendered at send time in the recipient's language,
and a sweep that drains a backlog in batches, exactly once each."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.urls import reverse
from django.utils import timezone, translation

from lishui_fire.core import sms
from lishui_fire.core.models import Notification, Reminder
from lishui_fire.core.reminders import (
    cancel_reminders_for,
    reminder_key,
    render_reminder,
    schedule_reminder,
    sweep_due_reminders,
)

pytestmark = pytest.mark.django_db

INSPECTOR_MESSAGE = "permits.precheck.day_before.inspector"
PARAMS = {"when": "2026-12-02 09:00", "venue": "星光KTV", "address": "丽阳街 12 号"}
ENGLISH = "Reminder: pre-check tomorrow at 2026-12-02 09:00"
CHINESE = "提醒：明天 2026-12-02 09:00 预约体检，场所 星光KTV，地址 丽阳街 12 号。"


@pytest.fixture
def sms_outbox(settings):
    settings.SMS_BACKEND = "lishui_fire.core.sms.LocmemSmsBackend"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture
def now():
    return timezone.now()


def sweep(now, django_capture_on_commit_callbacks, **kwargs) -> int:
    with django_capture_on_commit_callbacks(execute=True):
        return sweep_due_reminders(now=now, **kwargs)


# --- Keys from (subject, milestone) -------------------------------------------------------------------
def test_a_key_is_made_from_the_subject_and_its_milestone(citizen, inspector, now):
    reminder = schedule_reminder(
        subject=inspector, milestone="warning", recipient=citizen, due_at=now, body="x"
    )
    assert (
        reminder.key
        == reminder_key(inspector, "warning")
        == f"accounts.user:{inspector.pk}:warning"
    )
    assert (reminder.subject, reminder.milestone) == (inspector, "warning")
    moved = schedule_reminder(
        subject=inspector,
        milestone="warning",
        recipient=citizen,
        due_at=now + timedelta(hours=1),
        body="y",
    )
    assert moved.pk == reminder.pk
    assert Reminder.objects.count() == 1


def test_a_subject_needs_a_milestone_and_a_milestone_a_subject(citizen, now):
    with pytest.raises(ValueError, match="milestone"):
        schedule_reminder(subject=citizen, recipient=citizen, due_at=now, body="x")
    with pytest.raises(ValueError, match="subject"):
        schedule_reminder(key="k", milestone="due", recipient=citizen, due_at=now, body="x")


def test_one_reminder_per_subject_and_milestone_in_the_database(citizen, now):
    first = schedule_reminder(
        subject=citizen, milestone="due", recipient=citizen, due_at=now, body="x"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(
            key="another-key",
            content_type=first.content_type,
            object_id=first.object_id,
            milestone="due",
            recipient=citizen,
            channel="sms",
            due_at=now,
            body="x",
        )


def test_cancel_reminders_for_a_subject_cancels_all_its_waiting_ones_only(
    citizen, inspector, now, sms_outbox, django_capture_on_commit_callbacks
):
    for milestone in ("warning", "due", "overdue"):
        schedule_reminder(
            subject=inspector,
            milestone=milestone,
            recipient=citizen,
            due_at=now + timedelta(days=1),
            body=milestone,
        )
    schedule_reminder(
        subject=inspector, milestone="sent", recipient=citizen, due_at=now, body="已发"
    )
    schedule_reminder(
        subject=citizen,
        milestone="due",
        recipient=citizen,
        due_at=now + timedelta(days=1),
        body="他",
    )
    assert sweep(now, django_capture_on_commit_callbacks) == 1

    assert cancel_reminders_for(inspector) == 3
    assert cancel_reminders_for(inspector) == 0
    statuses = dict(Reminder.objects.values_list("key", "status"))
    assert statuses[reminder_key(inspector, "sent")] == Reminder.Status.SENT  # history stays
    assert statuses[reminder_key(citizen, "due")] == Reminder.Status.SCHEDULED  # another subject
    assert sweep(now + timedelta(days=2), django_capture_on_commit_callbacks) == 1


def test_cancel_reminders_for_one_milestone(citizen, inspector, now):
    for milestone in ("warning", "due"):
        schedule_reminder(
            subject=inspector, milestone=milestone, recipient=citizen, due_at=now, body="x"
        )
    assert cancel_reminders_for(inspector, milestone="warning") == 1
    assert Reminder.objects.get(milestone="due").status == Reminder.Status.SCHEDULED


# --- Recipients without an account ---------------------------------------------------------------------
def test_a_reminder_can_go_to_an_address_alone_in_its_own_language(
    now, sms_outbox, django_capture_on_commit_callbacks
):
    schedule_reminder(
        key="fire-case:7:party",
        address="13957800009",
        language="en",
        due_at=now,
        message=INSPECTOR_MESSAGE,
        params=PARAMS,
    )
    assert sweep(now, django_capture_on_commit_callbacks) == 1
    [message] = sms_outbox
    assert message.to == "13957800009"
    assert message.body.startswith(ENGLISH)
    assert Notification.objects.get().recipient is None


def test_an_address_only_reminder_defaults_to_the_site_language(
    now, sms_outbox, django_capture_on_commit_callbacks
):
    schedule_reminder(
        key="k", address="13957800009", due_at=now, message=INSPECTOR_MESSAGE, params=PARAMS
    )
    sweep(now, django_capture_on_commit_callbacks)
    assert [m.body for m in sms_outbox] == [CHINESE]


def test_a_reminder_needs_a_recipient_or_an_address(now):
    with pytest.raises(ValueError, match="recipient or an address"):
        schedule_reminder(key="k", due_at=now, body="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(key="k", channel="sms", due_at=now, body="x")


def test_unknown_messages_languages_and_missing_params_are_refused_when_scheduled(citizen, now):
    base = {"key": "k", "recipient": citizen, "due_at": now}
    with pytest.raises(ValueError, match="unknown reminder message"):
        schedule_reminder(**base, message="no.such.message")
    with pytest.raises(KeyError):
        schedule_reminder(**base, message=INSPECTOR_MESSAGE, params={"when": "明天"})
    with pytest.raises(ValueError, match="language"):
        schedule_reminder(**base, body="x", language="fr")
    with pytest.raises(ValueError, match="message or a body"):
        schedule_reminder(**base)


# --- Text rendered when sent ----------------------------------------------------------------------------
def test_the_text_is_rendered_when_sent_in_the_recipients_language_then(
    citizen, inspector, now, sms_outbox, django_capture_on_commit_callbacks
):
    inspector.phone = "13957800002"
    inspector.save(update_fields=["phone"])
    # Scheduled by a Chinese-speaking applicant's request, for an inspector …
    reminder = schedule_reminder(
        subject=citizen,
        milestone="inspector",
        recipient=inspector,
        due_at=now,
        message=INSPECTOR_MESSAGE,
        params=PARAMS,
    )
    assert render_reminder(reminder)[1] == CHINESE
    # … who switches the site to English before it goes out.
    inspector.language = "en"
    inspector.save(update_fields=["language"])
    assert sweep(now, django_capture_on_commit_callbacks) == 1
    [message] = sms_outbox
    assert message.body.startswith(ENGLISH)
    assert Reminder.objects.get().body == ""  # nothing frozen on the row


def test_the_language_switcher_remembers_the_choice_on_the_user(client_for, citizen):
    client = client_for(citizen)
    # The request activates English in this thread; the override restores the language after.
    with translation.override("zh-hans"):
        client.post(reverse("set_language"), {"language": "en", "next": "/"})
        citizen.refresh_from_db()
        assert citizen.language == "en"
        client.post(reverse("set_language"), {"language": "xx", "next": "/"})
        citizen.refresh_from_db()
        assert citizen.language == "en"


def test_new_users_read_the_site_language(make_user):
    assert make_user(username="new-one").language == "zh-hans"


def test_a_row_that_cannot_be_rendered_is_logged_and_the_batch_goes_on(
    citizen, now, sms_outbox, caplog, django_capture_on_commit_callbacks
):
    for i in range(3):
        schedule_reminder(key=f"k{i}", recipient=citizen, due_at=now, body=f"提醒{i}")
    Reminder.objects.filter(key="k1").update(message="removed.message")
    with caplog.at_level(logging.ERROR, logger="lishui_fire.core.reminders"):
        assert sweep(now, django_capture_on_commit_callbacks) == 3
    assert sorted(m.body for m in sms_outbox) == ["提醒0", "提醒2"]
    assert "could not be rendered" in caplog.text


# --- Draining a backlog ----------------------------------------------------------------------------------
def test_one_sweep_drains_more_than_one_batch_each_exactly_once(
    citizen, now, sms_outbox, django_capture_on_commit_callbacks
):
    for i in range(23):
        schedule_reminder(key=f"k{i}", recipient=citizen, due_at=now, body=f"提醒{i}")
    assert sweep(now, django_capture_on_commit_callbacks, batch_size=5) == 23
    assert sweep(now, django_capture_on_commit_callbacks, batch_size=5) == 0
    assert sorted(m.body for m in sms_outbox) == sorted(f"提醒{i}" for i in range(23))
    assert Notification.objects.filter(status=Notification.Status.SENT).count() == 23


def test_the_sweep_stops_at_its_time_budget_and_the_next_takes_the_rest(
    citizen, now, django_capture_on_commit_callbacks
):
    for i in range(12):
        schedule_reminder(key=f"k{i}", recipient=citizen, due_at=now, body="x")
    assert sweep(now, django_capture_on_commit_callbacks, batch_size=5, time_budget=0) == 5
    assert sweep(now, django_capture_on_commit_callbacks, batch_size=5) == 7


def test_one_batch_is_one_delivery_job(
    citizen, now, django_capture_on_commit_callbacks, monkeypatch
):
    sent: list[tuple] = []
    monkeypatch.setattr(
        "lishui_fire.core.notifications.enqueue", lambda name, *args: sent.append((name, args))
    )
    for i in range(7):
        schedule_reminder(key=f"k{i}", recipient=citizen, due_at=now, body="x")
    sweep(now, django_capture_on_commit_callbacks, batch_size=5)
    assert [(name, len(args[0])) for name, args in sent] == [
        ("lishui_fire.core.tasks.deliver_notifications", 5),
        ("lishui_fire.core.tasks.deliver_notifications", 2),
    ]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_draining_a_backlog_at_once_send_each_once_on_postgresql(citizen):
    if connection.vendor != "postgresql":
        from tests.skips import skip_or_fail

        skip_or_fail("row-level concurrency is tested on PostgreSQL")
    now = timezone.now()
    Reminder.objects.bulk_create(
        Reminder(key=f"race:{i}", recipient=citizen, channel="in_app", due_at=now, body=f"{i}")
        for i in range(600)
    )
    barrier = threading.Barrier(2, timeout=10)
    results: list[int] = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(sweep_due_reminders(now=now, batch_size=50))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(results) == 600
    assert Notification.objects.count() == 600
    assert Notification.objects.values("dedupe_key").distinct().count() == 600
    assert not Reminder.objects.filter(status=Reminder.Status.SCHEDULED).exists()
