"""The reminder ledger: one row per (subject, milestone), swept by a beat job every minute.

Apps never use Celery countdowns or ETAs for reminders days ahead (a Redis broker redelivers
long-waiting messages again and again: "the broker is not a database"). They call
``schedule_reminder(subject=booking, milestone="applicant", …)``; the row's key is built from the
two (``reminder_key``: ``precheck:42:applicant``), and ``cancel_reminders_for(booking)`` cancels
every reminder of the booking still waiting. A reminder about no row at all keeps a free ``key``.

Who receives it: a user, or an address alone (an enterprise contact, a fire-case party without an
account), with the language stored on the reminder.

What it says is decided when it is SENT, not when it was scheduled: ``message`` names an entry of
some app's ``messages.MESSAGES`` (see :class:`Message`), rendered with the JSON ``params`` under
``translation.override`` of the recipient's language at that moment (``User.language``). So an
inspector who switched the site to English gets English, whoever booked the visit. A fixed ``body``
is still accepted for texts that need no translation.

Sending exactly once, fast: the sweep claims up to ``BATCH_SIZE`` due rows with one UPDATE
(``SELECT … FOR UPDATE SKIP LOCKED`` first on PostgreSQL, so two sweeps take disjoint rows;
elsewhere a compare-and-set on the status, read back by a claim token), and in the same
transaction writes their outbox rows with one INSERT (dedupe key ``reminder:<key>``) and enqueues
one delivery job for the batch. It keeps going while rows are due, within a time budget, so a
backlog of 100,000 reminders due at 09:00 drains in one or two beat runs instead of hours.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone, translation

from .models import Notification, Reminder
from .notifications import Outgoing, default_address, notify_many

if TYPE_CHECKING:
    from django.utils.functional import Promise

    from lishui_fire.accounts.models import User

logger = logging.getLogger(__name__)

Status = Reminder.Status
# The notification's dedupe key is "reminder:" + key and must fit its 200-character column.
MAX_KEY_LENGTH = 200 - len("reminder:")
# Rows claimed and written per transaction, and how long one sweep keeps going (the beat runs
# every minute: 50 s leaves room before the next one, which would simply take the rest).
BATCH_SIZE = 500
TIME_BUDGET_SECONDS = 50.0


# --- Messages rendered at send time -------------------------------------------------------------------
@dataclass(frozen=True)
class Message:
    """A reminder text, as lazy gettext strings with ``%(name)s`` placeholders.

    Each app lists its own in ``<app>/messages.py`` as ``MESSAGES = {code: Message(...)}``; codes
    are stored on reminder rows, so keep them stable (prefix them with the app: ``permits.…``).
    """

    body: str | Promise
    title: str | Promise = ""

    def render(self, params: Mapping[str, Any]) -> tuple[str, str]:
        return (str(self.title) % params if self.title else "", str(self.body) % params)


@cache
def registered_messages() -> dict[str, Message]:
    """Every installed app's ``messages.MESSAGES``, merged; a code used twice is an error."""
    merged: dict[str, Message] = {}
    for config in apps.get_app_configs():
        module_name = f"{config.name}.messages"
        if importlib.util.find_spec(module_name) is None:
            continue
        for code, message in getattr(importlib.import_module(module_name), "MESSAGES", {}).items():
            if code in merged:
                raise ImproperlyConfigured(f"reminder message {code!r} is defined twice")
            merged[code] = message
    return merged


def render_reminder(reminder: Reminder) -> tuple[str, str]:
    """(title, body) of a reminder in its recipient's language, as it would go out now."""
    with translation.override(language_of(reminder)):
        if reminder.message:
            return registered_messages()[reminder.message].render(reminder.params or {})
        return (reminder.title, reminder.body)


def language_of(reminder: Reminder) -> str:
    if reminder.language:
        return reminder.language
    if reminder.recipient_id is not None and getattr(reminder.recipient, "language", ""):
        return reminder.recipient.language
    return settings.LANGUAGE_CODE


# --- Keys ----------------------------------------------------------------------------------------------
def subject_label(model: type[models.Model] | models.Model) -> str:
    """The key prefix of a subject: its model's ``reminder_label``, else ``app_label.model``."""
    label = getattr(model, "reminder_label", None)
    return str(label) if label else model._meta.label_lower


def reminder_key(subject: models.Model, milestone: str) -> str:
    """The ledger key of (subject, milestone): ``precheck:42:applicant``."""
    if subject.pk is None:
        raise ValueError("a reminder's subject must be saved first")
    if not milestone or ":" in milestone:
        raise ValueError("a milestone is a non-empty name without ':'")
    return f"{subject_label(subject)}:{subject.pk}:{milestone}"


# --- Scheduling and cancelling ---------------------------------------------------------------------------
@transaction.atomic
def schedule_reminder(
    *,
    due_at: datetime,
    subject: models.Model | str | None = None,
    milestone: str = "",
    key: str | None = None,
    recipient: User | None = None,
    address: str = "",
    language: str = "",
    message: str = "",
    params: Mapping[str, Any] | None = None,
    body: str = "",
    title: str = "",
    channel: str = "sms",
) -> Reminder:
    """Create the reminder for (subject, milestone) — or ``key`` — or move it if still waiting.

    A reminder already sent stays as it is (it is history). A cancelled one is scheduled again:
    the caller is saying the milestone is back. Give ``message`` (a registered code) and
    ``params`` for a text rendered in the recipient's language when sent, or a fixed ``body``.
    A string ``subject`` is the old spelling of ``title``.
    """
    if isinstance(subject, str):
        title, subject = title or subject, None
    if subject is not None:
        built = reminder_key(subject, milestone)
        if key is not None and key != built:
            raise ValueError("give a subject and milestone, or a key, not both")
        key = built
    elif milestone:
        raise ValueError("a milestone needs its subject")
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ValueError(f"reminder key must be 1–{MAX_KEY_LENGTH} characters")
    if timezone.is_naive(due_at):
        raise ValueError("due_at must be an aware datetime")
    if channel not in Notification.Channel.values:
        raise ValueError(f"unknown notification channel {channel!r}")
    address = (address or "").strip()
    if recipient is None and not address:
        raise ValueError("a reminder needs a recipient or an address")
    if language and language not in dict(settings.LANGUAGES):
        raise ValueError(f"unknown language {language!r}")
    params = dict(params or {})
    if message:
        if message not in registered_messages():
            raise ValueError(f"unknown reminder message {message!r}")
        registered_messages()[message].render(params)  # a missing parameter fails here, not later
    elif not str(body):
        raise ValueError("a reminder needs a message or a body")
    fields: dict[str, Any] = {
        "recipient": recipient,
        "due_at": due_at,
        "message": message,
        "params": params,
        "body": str(body),
        "title": str(title)[:200],
        "channel": channel,
        "address": address,
        "language": language,
    }
    if subject is not None:
        fields.update(
            content_type=ContentType.objects.get_for_model(type(subject)),
            object_id=str(subject.pk),
            milestone=milestone,
        )
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


def cancel_reminders_for(subject: models.Model, *, milestone: str | None = None) -> int:
    """Cancel every reminder of ``subject`` still waiting (or only its ``milestone``)."""
    pending = Reminder.objects.filter(
        content_type=ContentType.objects.get_for_model(type(subject)),
        object_id=str(subject.pk),
        status=Status.SCHEDULED,
    )
    if milestone is not None:
        pending = pending.filter(milestone=milestone)
    return pending.update(status=Status.CANCELLED)


# --- The sweep -----------------------------------------------------------------------------------------------
def sweep_due_reminders(
    *,
    now: datetime | None = None,
    limit: int | None = None,
    batch_size: int = BATCH_SIZE,
    time_budget: float = TIME_BUDGET_SECONDS,
) -> int:
    """Turn every due reminder into one notification, batch after batch, while rows are due and
    the time budget lasts (at most ``limit`` in all). Returns how many this call sent."""
    now = now or timezone.now()
    started = time.monotonic()
    sent = 0
    while limit is None or sent < limit:
        size = batch_size if limit is None else min(batch_size, limit - sent)
        claimed, seen = _send_batch(now=now, size=size)
        sent += claimed
        if not seen:
            break  # nothing due is left
        if time.monotonic() - started >= time_budget:
            break  # the next beat takes the rest
    if sent:
        logger.info("reminder sweep sent %s reminder(s)", sent)
    return sent


def _send_batch(*, now: datetime, size: int) -> tuple[int, int]:
    """Claim and send one batch. Returns (claimed by this call, due rows seen)."""
    with transaction.atomic():
        due = Reminder.objects.filter(status=Status.SCHEDULED, due_at__lte=now).order_by(
            "due_at", "pk"
        )
        if connection.features.has_select_for_update_skip_locked:
            # Two sweeps at once take disjoint batches instead of queueing on each other's rows.
            due = due.select_for_update(skip_locked=True)
        ids = list(due.values_list("pk", flat=True)[:size])
        if not ids:
            return 0, 0
        token = uuid.uuid4().hex
        # Compare-and-set on the status: a row cancelled, moved or taken meanwhile is skipped.
        Reminder.objects.filter(pk__in=ids, status=Status.SCHEDULED, due_at__lte=now).update(
            status=Status.SENT, sent_at=now, claim=token
        )
        rows = list(
            Reminder.objects.filter(pk__in=ids, claim=token)
            .select_related("recipient")
            .order_by("due_at", "pk")
        )
        outgoing = [m for m in map(_outgoing, rows) if m is not None]
        # The claim and the outbox rows commit together: a crash loses neither.
        notify_many(outgoing, now=now)
    return len(rows), len(ids)


def _outgoing(reminder: Reminder) -> Outgoing | None:
    try:
        title, body = render_reminder(reminder)
    except Exception:
        # A message code removed or a template changed under stored rows: say so loudly, send
        # nothing for this row, keep the batch going.
        logger.exception("reminder %s (%s) could not be rendered", reminder.pk, reminder.key)
        return None
    return Outgoing(
        channel=reminder.channel,
        recipient_id=reminder.recipient_id,
        address=reminder.address or default_address(reminder.channel, reminder.recipient),
        subject=title,
        body=body,
        dedupe_key=f"reminder:{reminder.key}",
    )
