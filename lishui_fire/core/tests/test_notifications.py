"""The outbox: one row per dedupe key, sent once, sent only after commit, retried when a send
failed, and never resent on its own when nobody knows whether it went out."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from lishui_fire.core import sms
from lishui_fire.core.models import Notification
from lishui_fire.core.notifications import (
    OUTCOME_UNKNOWN,
    deliver_notification,
    notify,
    requeue_notification,
    retry_failed_notifications,
)

Status = Notification.Status
pytestmark = pytest.mark.django_db


class RefusingSmsBackend(sms.BaseSmsBackend):
    def send(self, *, to: str, body: str) -> None:
        raise sms.SmsError("gateway refused: quota exceeded")


class TimingOutSmsBackend(sms.BaseSmsBackend):
    def send(self, *, to: str, body: str) -> None:
        raise TimeoutError("no answer from the gateway after the request was sent")


@pytest.fixture
def sms_outbox(settings):
    settings.SMS_BACKEND = "lishui_fire.core.sms.LocmemSmsBackend"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


def test_it_keeps_one_row_per_dedupe_key(citizen, sms_outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = notify(channel="sms", recipient=citizen, body="预约成功", dedupe_key="booking:1")
        again = notify(channel="sms", recipient=citizen, body="预约成功", dedupe_key="booking:1")
    assert again.pk == first.pk
    assert Notification.objects.filter(dedupe_key="booking:1").count() == 1
    assert len(callbacks) == 1
    assert [m.to for m in sms_outbox] == [citizen.phone]


def test_delivering_twice_sends_one_sms(citizen, sms_outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        n = notify(channel="sms", recipient=citizen, body="您的申请已受理")
    assert deliver_notification(notification_id=n.pk) is True
    assert deliver_notification(notification_id=n.pk) is False
    assert len(sms_outbox) == 1
    n.refresh_from_db()
    assert n.status == Status.SENT
    assert n.attempts == 1
    assert n.sent_at is not None


def test_it_enqueues_only_when_the_transaction_commits(
    citizen, sms_outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        n = notify(channel="sms", recipient=citizen, body="您的申请已受理")
        assert sms_outbox == []
    assert len(callbacks) == 1
    assert Notification.objects.get(pk=n.pk).status == Status.PENDING
    callbacks[0]()
    assert len(sms_outbox) == 1
    assert Notification.objects.get(pk=n.pk).status == Status.SENT


def test_a_rolled_back_change_notifies_nobody(
    citizen, sms_outbox, django_capture_on_commit_callbacks
):
    def failing_change() -> None:
        with transaction.atomic():
            notify(channel="sms", recipient=citizen, body="不应发出")
            raise RuntimeError("the state change failed")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        failing_change()
    assert callbacks == []
    assert not Notification.objects.exists()
    assert sms_outbox == []


def test_a_refused_sms_fails_and_a_later_retry_sends_it_once(
    citizen, settings, sms_outbox, django_capture_on_commit_callbacks
):
    settings.SMS_BACKEND = f"{__name__}.RefusingSmsBackend"
    with django_capture_on_commit_callbacks(execute=True):
        n = notify(channel="sms", recipient=citizen, body="许可已办结")
    n.refresh_from_db()
    assert n.status == Status.FAILED
    assert n.attempts == 1
    assert "quota exceeded" in n.last_error

    settings.SMS_BACKEND = "lishui_fire.core.sms.LocmemSmsBackend"
    # Too early: the first retry waits a few minutes.
    with django_capture_on_commit_callbacks(execute=True):
        assert retry_failed_notifications(now=n.claimed_at + timedelta(minutes=1)) == 0
    assert sms_outbox == []

    later = n.claimed_at + timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert retry_failed_notifications(now=later) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert retry_failed_notifications(now=later + timedelta(hours=1)) == 0
    assert [m.body for m in sms_outbox] == ["许可已办结"]
    n.refresh_from_db()
    assert n.status == Status.SENT
    assert n.attempts == 2
    assert n.last_error == ""


def test_it_gives_up_after_the_maximum_attempts(
    citizen, settings, sms_outbox, django_capture_on_commit_callbacks
):
    settings.NOTIFICATION_MAX_ATTEMPTS = 2
    settings.SMS_BACKEND = f"{__name__}.RefusingSmsBackend"
    with django_capture_on_commit_callbacks(execute=True):
        n = notify(channel="sms", recipient=citizen, body="许可已办结")
    with django_capture_on_commit_callbacks(execute=True):
        assert retry_failed_notifications(now=timezone.now() + timedelta(hours=1)) == 1
    n.refresh_from_db()
    assert (n.status, n.attempts) == (Status.FAILED, 2)
    settings.SMS_BACKEND = "lishui_fire.core.sms.LocmemSmsBackend"
    with django_capture_on_commit_callbacks(execute=True):
        assert retry_failed_notifications(now=timezone.now() + timedelta(days=1)) == 0
    assert deliver_notification(notification_id=n.pk) is False
    assert sms_outbox == []


def test_an_unknown_outcome_is_never_resent_automatically(
    citizen, settings, sms_outbox, django_capture_on_commit_callbacks
):
    settings.SMS_BACKEND = f"{__name__}.TimingOutSmsBackend"
    with django_capture_on_commit_callbacks(execute=True):
        n = notify(channel="sms", recipient=citizen, body="体检提醒")
    n.refresh_from_db()
    assert n.status == Status.FAILED
    assert n.last_error.startswith(OUTCOME_UNKNOWN)

    settings.SMS_BACKEND = "lishui_fire.core.sms.LocmemSmsBackend"
    with django_capture_on_commit_callbacks(execute=True):
        assert retry_failed_notifications(now=timezone.now() + timedelta(days=1)) == 0
    assert deliver_notification(notification_id=n.pk) is False  # a redelivered task message
    assert sms_outbox == []

    # A person checked with the applicant and resends it from the admin.
    with django_capture_on_commit_callbacks(execute=True):
        assert requeue_notification(notification_id=n.pk) is True
    assert len(sms_outbox) == 1


def test_a_row_stuck_in_sending_is_marked_unknown_and_not_resent(citizen, sms_outbox):
    now = timezone.now()
    n = Notification.objects.create(
        channel="sms",
        recipient=citizen,
        address=citizen.phone,
        body="体检提醒",
        status=Status.SENDING,
        attempts=1,
        claimed_at=now - timedelta(minutes=20),
    )
    fresh = Notification.objects.create(
        channel="sms",
        recipient=citizen,
        address=citizen.phone,
        body="刚刚领取",
        status=Status.SENDING,
        attempts=1,
        claimed_at=now - timedelta(minutes=2),
    )
    assert retry_failed_notifications(now=now) == 0
    n.refresh_from_db()
    fresh.refresh_from_db()
    assert n.status == Status.FAILED
    assert n.last_error.startswith(OUTCOME_UNKNOWN)
    assert fresh.status == Status.SENDING  # its worker may still be working on it
    assert deliver_notification(notification_id=n.pk) is False
    assert sms_outbox == []


def test_a_lost_enqueue_is_found_by_the_retry_job(
    citizen, sms_outbox, broker_down, django_capture_on_commit_callbacks
):
    from lishui_fire.celery import app

    # broker_down: the producer points at a closed port (Error 111 … Connection refused).
    with django_capture_on_commit_callbacks(execute=True):
        n = notify(channel="sms", recipient=citizen, body="受理通知")  # no error for the user
    assert Notification.objects.get(pk=n.pk).status == Status.PENDING
    app.conf.task_always_eager = True  # the broker is back
    with django_capture_on_commit_callbacks(execute=True):
        assert retry_failed_notifications(now=timezone.now() + timedelta(minutes=10)) == 1
    assert len(sms_outbox) == 1


def test_the_address_defaults_to_the_recipients_phone_or_email(
    citizen, sms_outbox, django_capture_on_commit_callbacks
):
    citizen.email = "zhangsan@example.org"
    citizen.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        by_sms = notify(channel="sms", recipient=citizen, body="短信")
        by_mail = notify(channel="email", recipient=citizen, subject="许可办结", body="邮件")
        other = notify(channel="sms", recipient=citizen, address="13900001111", body="另一号码")
    assert by_sms.address == citizen.phone
    assert by_mail.address == "zhangsan@example.org"
    assert [m.to for m in sms_outbox] == [citizen.phone, "13900001111"]
    assert [(m.subject, m.to) for m in mail.outbox] == [("许可办结", ["zhangsan@example.org"])]
    assert other.address == "13900001111"


def test_an_in_app_message_is_sent_without_sms(
    citizen, sms_outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        n = notify(channel="in_app", recipient=citizen, subject="申请编号", body="已受理")
    n.refresh_from_db()
    assert n.status == Status.SENT
    assert sms_outbox == []


def test_an_sms_without_a_number_fails_and_is_not_retried(
    inspector, sms_outbox, django_capture_on_commit_callbacks
):
    assert inspector.phone == ""
    with django_capture_on_commit_callbacks(execute=True):
        n = notify(channel="sms", recipient=inspector, body="明天体检")
    n.refresh_from_db()
    assert n.status == Status.FAILED
    with django_capture_on_commit_callbacks(execute=True):
        assert retry_failed_notifications(now=timezone.now() + timedelta(days=1)) == 0


def test_an_unknown_channel_is_refused(citizen):
    with pytest.raises(ValueError, match="channel"):
        notify(channel="pigeon", recipient=citizen, body="x")


def test_the_console_backend_masks_the_number(settings, caplog, citizen):
    import logging

    caplog.set_level(logging.INFO, logger="lishui_fire.core.sms")
    sms.ConsoleSmsBackend().send(to="13812345678", body="测试")
    assert "138****5678" in caplog.text
    assert "13812345678" not in caplog.text


def test_the_file_backend_writes_one_json_line_per_message(tmp_path, settings):
    settings.SMS_FILE_PATH = str(tmp_path / "out" / "sms.jsonl")
    backend = sms.FileSmsBackend()
    backend.send(to="13812345678", body="第一条")
    backend.send(to="13812345678", body="第二条，含“引号”")
    assert sms.read_sms_file(settings.SMS_FILE_PATH) == [
        sms.SmsMessage("13812345678", "第一条"),
        sms.SmsMessage("13812345678", "第二条，含“引号”"),
    ]
