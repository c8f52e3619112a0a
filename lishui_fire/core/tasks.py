"""Celery tasks of the shared kernel: ids in, call a service, nothing else.

Task names are explicit and stable (messages in Redis and beat rows refer to them, and
``core.jobs.enqueue`` sends by name): keep them when a function moves.

Every task here is safe to run twice (the services claim their rows first), which is what lets
the settings use ``acks_late`` and lets beat overlap without duplicate messages.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError
from kombu.exceptions import OperationalError as BrokerError

logger = logging.getLogger(__name__)

# Database or broker briefly unavailable: worth trying again in a moment.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, BrokerError, ConnectionError)


@shared_task(
    name="lishui_fire.core.tasks.deliver_notification",
    acks_late=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=5,
)
def deliver_notification(notification_id: int) -> bool:
    from . import notifications

    return notifications.deliver_notification(notification_id=notification_id)


@shared_task(
    name="lishui_fire.core.tasks.deliver_notifications",
    acks_late=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    max_retries=3,
)
def deliver_notifications(notification_ids: list[int]) -> int:
    """A sweep's batch in one message; each row is still claimed on its own (sent once)."""
    from . import notifications

    return notifications.deliver_notifications(notification_ids=notification_ids)


@shared_task(
    name="lishui_fire.core.tasks.sweep_reminders",
    acks_late=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    max_retries=3,
)
def sweep_reminders() -> int:
    from .reminders import sweep_due_reminders

    return sweep_due_reminders()


@shared_task(
    name="lishui_fire.core.tasks.retry_notifications",
    acks_late=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    max_retries=3,
)
def retry_notifications() -> int:
    from .notifications import retry_failed_notifications

    return retry_failed_notifications()


@shared_task(name="lishui_fire.core.tasks.check_calendar_years", acks_late=True)
def check_calendar_years() -> bool:
    """Run the ``check_calendar_years`` command when it is installed; False when it is not."""
    from django.core.management import call_command, get_commands

    if "check_calendar_years" not in get_commands():
        logger.info("check_calendar_years command not installed; skipped")
        return False
    call_command("check_calendar_years")
    return True


@shared_task(
    name="lishui_fire.core.tasks.render_issued_document",
    acks_late=True,
    autoretry_for=(*TRANSIENT_ERRORS, OSError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
)
def render_issued_document(model_label: str, pk: int) -> None:
    """Render the PDF of any app's issued document (``<app_label>.<Model>``, pk); twice is once."""
    from .documents import render_issued_document_by_label

    render_issued_document_by_label(model_label, pk)


@shared_task(
    name="lishui_fire.core.tasks.render_missing_documents",
    acks_late=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    max_retries=3,
)
def render_missing_documents() -> int:
    from .documents import render_missing_documents as sweep

    return sweep()


@shared_task(
    name="lishui_fire.core.tasks.recompute_provisional_clocks",
    acks_late=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    max_retries=5,
)
def recompute_provisional_clocks(year: int | None = None) -> int:
    """After a calendar year is published: recount every provisional clock (safe to run twice)."""
    from .clocks import recompute_provisional_clocks as recompute

    return recompute(year)
