"""The reminder ledger: one row per (subject, milestone) key, swept by a beat job every minute.

Apps never use Celery countdowns or ETAs for reminders days ahead (a Redis broker redelivers
long-waiting messages again and again: "the broker is not a database"). They call
``schedule_reminder`` with a key such as ``precheck:42:applicant``; the sweep claims each due row
with a compare-and-set and, in the same transaction, puts one notification in the outbox with
``dedupe_key="reminder:<key>"``. A second sweep (or two beats at once) finds nothing to claim.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Notification, Reminder
from .notifications import notify

if TYPE_CHECKING:
    from lishui_fire.accounts.models import User

logger = logging.getLogger(__name__)

Status = Reminder.Status
# The notification's dedupe key is "reminder:" + key and must fit its 200-character column.
MAX_KEY_LENGTH = 200 - len("reminder:")


@transaction.atomic
def schedule_reminder(
    *,
    key: str,
    recipient: User,
    due_at: datetime,
    body: str,
    subject: str = "",
    channel: str = "sms",
    address: str = "",
) -> Reminder:
    """Create the reminder for ``key``, or move it if it is still waiting.

    A reminder already sent stays as it is (it is history). A cancelled one is scheduled again:
    the caller is saying the milestone is back.
    """
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ValueError(f"reminder key must be 1–{MAX_KEY_LENGTH} characters")
    if timezone.is_naive(due_at):
        raise ValueError("due_at must be an aware datetime")
    if channel not in Notification.Channel.values:
        raise ValueError(f"unknown notification channel {channel!r}")
    fields = {
        "recipient": recipient,
        "due_at": due_at,
        "body": str(body),
        "subject": str(subject)[:200],
        "channel": channel,
        "address": (address or "").strip(),
    }
    try:
        with transaction.atomic():
            return Reminder.objects.create(key=key, **fields)
    except IntegrityError:
        pass  # already there (perhaps created a moment ago by a concurrent call)
    # Compare-and-set: never touch a row the sweep has claimed in the meantime.
    Reminder.objects.filter(key=key, status__in=[Status.SCHEDULED, Status.CANCELLED]).update(
        status=Status.SCHEDULED, **fields
    )
    return Reminder.objects.get(key=key)


def cancel_reminder(*, key: str) -> bool:
    """Cancel a reminder that has not gone out yet. True if one was cancelled."""
    return bool(
        Reminder.objects.filter(key=key, status=Status.SCHEDULED).update(status=Status.CANCELLED)
    )


def sweep_due_reminders(*, now: datetime | None = None, limit: int = 500) -> int:
    """Turn every due reminder into one notification. Returns how many this call sent."""
    now = now or timezone.now()
    candidates = list(
        Reminder.objects.filter(status=Status.SCHEDULED, due_at__lte=now)
        .order_by("due_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    sent = 0
    for pk in candidates:
        # One transaction per reminder: the claim and the outbox row commit together, so a
        # crash between them loses neither; one bad row does not hold back the others.
        with transaction.atomic():
            claimed = Reminder.objects.filter(
                pk=pk, status=Status.SCHEDULED, due_at__lte=now
            ).update(status=Status.SENT, sent_at=now)
            if not claimed:
                continue  # another sweep took it, or it was cancelled or moved meanwhile
            reminder = Reminder.objects.select_related("recipient").get(pk=pk)
            notify(
                channel=reminder.channel,
                recipient=reminder.recipient,
                address=reminder.address,
                subject=reminder.subject,
                body=reminder.body,
                dedupe_key=f"reminder:{reminder.key}",
            )
        sent += 1
    if sent:
        logger.info("reminder sweep sent %s reminder(s)", sent)
    return sent
