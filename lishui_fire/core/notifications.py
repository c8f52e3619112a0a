"""The notifications outbox: ``notify`` writes a row, a Celery task delivers it exactly once.

Why an outbox: the row is written in the same transaction as the state change that caused it,
so a rolled-back change notifies nobody, and a message whose task was lost (Redis briefly down,
a worker killed) is found again by ``retry_failed_notifications``.

Sending once: ``deliver_notification`` claims the row with a compare-and-set
(PENDING/FAILED → SENDING) before calling the gateway, so two workers given the same id (a
redelivered message, a beat retry racing the first delivery) send it once.

What is never done automatically: resending a row whose outcome is unknown. A row stuck in
SENDING (the worker died between claiming and recording the result) may or may not have gone
out; an SMS that arrives twice confuses an applicant ("was my booking made twice?") and costs
money, while one that did not arrive is visible in the admin, where a person can resend it.
Such rows are marked FAILED with ``OUTCOME_UNKNOWN`` at the start of ``last_error`` and are
skipped by every automatic path; ``requeue_notification`` is the deliberate, manual way back.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from .jobs import enqueue
from .models import Notification
from .sms import SmsError, get_sms_backend

if TYPE_CHECKING:
    from lishui_fire.accounts.models import User

logger = logging.getLogger(__name__)

Status = Notification.Status
Channel = Notification.Channel

# Prefix of ``last_error`` on rows that must not be resent automatically (see module docstring).
OUTCOME_UNKNOWN = "发送结果未知"
# A row claimed longer ago than this without a result: its worker is gone.
STUCK_AFTER = timedelta(minutes=15)
# A PENDING row this old had its enqueue lost (broker down at commit time): enqueue it again.
LOST_AFTER = timedelta(minutes=5)
# First retry of a failed send after this, doubling with each attempt, capped at RETRY_MAX_WAIT.
RETRY_FIRST_WAIT = timedelta(minutes=5)
RETRY_MAX_WAIT = timedelta(hours=2)
RETRY_BATCH = 500

# Failures after which we know the message did not go out, so a retry cannot duplicate it.
DEFINITE_FAILURES: tuple[type[BaseException], ...] = (
    SmsError,
    smtplib.SMTPException,
    ConnectionRefusedError,
)


class NoAddressError(SmsError):
    """An SMS or e-mail without a number/address: nothing was sent, and retrying will not help."""


def max_attempts() -> int:
    return int(getattr(settings, "NOTIFICATION_MAX_ATTEMPTS", 5))


def notify(
    *,
    channel: str,
    body: str,
    recipient: User | None = None,
    address: str = "",
    subject: str = "",
    dedupe_key: str | None = None,
) -> Notification:
    """Put a message in the outbox and deliver it after the current transaction commits.

    ``address`` defaults to the recipient's phone (sms) or e-mail (email). With a
    ``dedupe_key``, calling again with the same key returns the first row and sends nothing new.
    """
    if channel not in Channel.values:
        raise ValueError(f"unknown notification channel {channel!r}")
    address = (address or "").strip() or default_address(channel, recipient)
    if dedupe_key is not None:
        existing = Notification.objects.filter(dedupe_key=dedupe_key).first()
        if existing is not None:
            return existing
    try:
        # A savepoint: losing the race on dedupe_key must not break the caller's transaction.
        with transaction.atomic():
            notification = Notification.objects.create(
                channel=channel,
                recipient=recipient,
                address=address,
                subject=str(subject)[:200],
                body=str(body),
                dedupe_key=dedupe_key,
            )
    except IntegrityError:
        if dedupe_key is None:
            raise
        return Notification.objects.get(dedupe_key=dedupe_key)
    _enqueue_on_commit(notification.pk)
    return notification


def default_address(channel: str, recipient: User | None) -> str:
    """The recipient's own phone (sms) or e-mail (email); blank for in-app or nobody."""
    if recipient is None:
        return ""
    if channel == Channel.SMS:
        return recipient.phone or ""
    if channel == Channel.EMAIL:
        return recipient.email or ""
    return ""


@dataclass(frozen=True)
class Outgoing:
    """One message for :func:`notify_many` (the fields of :func:`notify`)."""

    channel: str
    body: str
    dedupe_key: str
    recipient_id: int | None = None
    address: str = ""
    subject: str = ""


def notify_many(messages: Sequence[Outgoing], *, now: datetime | None = None) -> list[int]:
    """Put many messages in the outbox with one INSERT and one delivery job after commit.

    Every message carries a dedupe key: a key already in the outbox is skipped (not sent
    again). Returns the ids of the rows this call created. Meant for sweeps that send hundreds
    at a time; ``notify`` stays the door for one message.
    """
    if not messages:
        return []
    now = now or timezone.now()
    rows = []
    for m in messages:
        if m.channel not in Channel.values:
            raise ValueError(f"unknown notification channel {m.channel!r}")
        rows.append(
            Notification(
                channel=m.channel,
                recipient_id=m.recipient_id,
                address=(m.address or "").strip(),
                subject=str(m.subject)[:200],
                body=str(m.body),
                dedupe_key=m.dedupe_key,
                created_at=now,
            )
        )
    keys = [m.dedupe_key for m in messages]
    existing = set(
        Notification.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True)
    )
    # ignore_conflicts: a concurrent writer of the same key wins; ours is dropped, not raised.
    Notification.objects.bulk_create(
        [r for r in rows if r.dedupe_key not in existing], ignore_conflicts=True
    )
    created = list(
        Notification.objects.filter(
            dedupe_key__in=[k for k in keys if k not in existing],
            created_at=now,
            status=Status.PENDING,
        ).values_list("pk", flat=True)
    )
    if created:
        enqueue("lishui_fire.core.tasks.deliver_notifications", created)
    return created


def deliver_notifications(*, notification_ids: Iterable[int]) -> int:
    """Send a batch of outbox rows, each with the claim of ``deliver_notification``."""
    return sum(deliver_notification(notification_id=pk) for pk in notification_ids)


def deliver_notification(*, notification_id: int) -> bool:
    """Send one outbox row if nobody else is sending or has sent it. True if this call sent it."""
    now = timezone.now()
    claimable = Q(status=Status.PENDING) | (
        Q(status=Status.FAILED, attempts__lt=max_attempts())
        & ~Q(last_error__startswith=OUTCOME_UNKNOWN)
    )
    # The claim commits on its own before the gateway is called: a second worker now sees
    # SENDING and backs off, whatever happens next.
    with transaction.atomic():
        claimed = (
            Notification.objects.filter(claimable, pk=notification_id).update(
                status=Status.SENDING, attempts=F("attempts") + 1, claimed_at=now
            )
            == 1
        )
    if not claimed:
        return False
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    try:
        _send(notification)
    except DEFINITE_FAILURES as exc:
        _finish(notification_id, status=Status.FAILED, last_error=f"{type(exc).__name__}: {exc}")
        logger.warning(
            "notification %s failed (attempt %s): %s", notification_id, notification.attempts, exc
        )
        return False
    except Exception as exc:
        _finish(
            notification_id,
            status=Status.FAILED,
            last_error=f"{OUTCOME_UNKNOWN}（{type(exc).__name__}: {exc}），请人工核实后重发",
        )
        logger.exception("notification %s: outcome unknown, not resent", notification_id)
        return False
    _finish(notification_id, status=Status.SENT, last_error="", sent_at=timezone.now())
    return True


def retry_failed_notifications(*, now: datetime | None = None) -> int:
    """Beat job: re-enqueue failed rows whose back-off has passed and pending rows whose enqueue
    was lost; mark rows stuck in SENDING as FAILED with an unknown outcome (never resent here).

    Returns how many deliveries were enqueued.
    """
    now = now or timezone.now()
    stuck = Notification.objects.filter(
        status=Status.SENDING, claimed_at__lt=now - STUCK_AFTER
    ).update(
        status=Status.FAILED,
        last_error=f"{OUTCOME_UNKNOWN}（发送中断超过 15 分钟），请人工核实后重发",
    )
    if stuck:
        logger.warning("%s notification(s) stuck in SENDING marked as outcome unknown", stuck)

    addressless = Q(channel__in=[Channel.SMS, Channel.EMAIL], address="")
    failed = (
        Notification.objects.filter(status=Status.FAILED, attempts__lt=max_attempts())
        .exclude(last_error__startswith=OUTCOME_UNKNOWN)
        .exclude(addressless)
        .order_by("claimed_at", "pk")
        .values_list("pk", "attempts", "claimed_at")[:RETRY_BATCH]
    )
    due = [pk for pk, attempts, claimed_at in failed if _retry_due(attempts, claimed_at, now)]
    due += list(
        Notification.objects.filter(status=Status.PENDING, created_at__lt=now - LOST_AFTER)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:RETRY_BATCH]
    )
    for pk in due:
        _enqueue_on_commit(pk)
    return len(due)


def requeue_notification(*, notification_id: int) -> bool:
    """A person decided to send a FAILED row again (also one whose outcome was unknown)."""
    updated = Notification.objects.filter(pk=notification_id, status=Status.FAILED).update(
        status=Status.PENDING, last_error="人工重发"
    )
    if updated:
        _enqueue_on_commit(notification_id)
    return bool(updated)


# --- Internals -------------------------------------------------------------------------------------
def _retry_due(attempts: int, claimed_at: datetime | None, now: datetime) -> bool:
    if claimed_at is None:
        return True
    wait = min(RETRY_FIRST_WAIT * (2 ** max(attempts - 1, 0)), RETRY_MAX_WAIT)
    return claimed_at + wait <= now


def _send(notification: Notification) -> None:
    if notification.channel == Channel.IN_APP:
        return  # the row itself is the message; the recipient reads it in the portal
    if not notification.address:
        raise NoAddressError("没有接收号码或地址")
    if notification.channel == Channel.SMS:
        get_sms_backend().send(to=notification.address, body=notification.body)
    elif notification.channel == Channel.EMAIL:
        send_mail(
            subject=notification.subject or str(settings.PORTAL_NAME),
            message=notification.body,
            from_email=None,
            recipient_list=[notification.address],
            fail_silently=False,
        )
    else:  # pragma: no cover - guarded by notify()
        raise SmsError(f"unknown channel {notification.channel!r}")


def _finish(notification_id: int, *, status: str, **fields: object) -> None:
    # Only the holder of the claim records the result (status is still SENDING).
    Notification.objects.filter(pk=notification_id, status=Status.SENDING).update(
        status=status, **fields
    )


def _enqueue_on_commit(notification_id: int) -> None:
    # The row is committed first; if the broker is down, the retry beat enqueues it again.
    enqueue("lishui_fire.core.tasks.deliver_notification", notification_id)
