"""Celery tasks of the permits app: ids in, call a service, nothing else.

Documents are rendered by the kernel's one task (``lishui_fire.core.tasks.render_issued_document``).
The two names below stay registered for messages queued before that change (a deploy does not
drain the broker); new work never uses them. Names are explicit and stable.
"""

from __future__ import annotations

from celery import shared_task


@shared_task(
    name="permits.tasks.render_permit_document",
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def render_permit_document(document_id: int) -> None:
    from .services.applications import render_document_file

    render_document_file(document_id=document_id)


@shared_task(
    name="permits.tasks.render_precheck_notice",
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def render_precheck_notice(booking_id: int) -> None:
    from .services.prechecks import render_notice_file

    render_notice_file(booking_id=booking_id)


@shared_task(name="permits.tasks.sweep_deemed_acceptance", acks_late=True)
def sweep_deemed_acceptance() -> int:
    """Applications whose completeness period ran out with no notice count as accepted."""
    from .services.applications import sweep_deemed_acceptance as sweep

    return sweep()


@shared_task(
    name="permits.announce_booking",
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def announce_booking(booking_id: int) -> None:
    """A new pre-check booking's confirmation SMS and reminders (enqueued on commit)."""
    from .services.prechecks import announce_booking as announce

    announce(booking_id=booking_id)


@shared_task(name="permits.sweep_unannounced_bookings")
def sweep_unannounced_bookings() -> int:
    """Bookings whose announcement job was lost (broker down when they committed)."""
    from .services.prechecks import sweep_unannounced_bookings as sweep

    return sweep()
