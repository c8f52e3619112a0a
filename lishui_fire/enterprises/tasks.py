"""Celery tasks of the registry: ids in, the service does the work."""

from __future__ import annotations

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import OperationalError


@shared_task(
    bind=True,
    # A stable name: queued messages and the jobs door find the task by it, wherever it lives.
    name="enterprises.process_import",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=5,
    soft_time_limit=600,
    time_limit=660,
)
def process_enterprise_import_task(self, import_id: int) -> None:  # type: ignore[no-untyped-def]
    from .services import process_enterprise_import

    try:
        process_enterprise_import(import_id=import_id)
    except SoftTimeLimitExceeded as exc:
        # Each chunk commits with its counters, so the next run resumes where this one stopped.
        raise self.retry(exc=exc, countdown=1) from exc


@shared_task(
    name="enterprises.propose_grades",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
    soft_time_limit=1800,
    time_limit=1900,
)
def propose_grades_task(brigade_id: int | None = None, actor_id: int | None = None) -> dict:
    """Recalculate the grades of a brigade (or all); idempotent, so a retry or a second run on
    the same data leaves the same pending proposals."""
    from django.contrib.auth import get_user_model

    from .services import propose_grades

    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    return propose_grades(brigade_id=brigade_id, actor=actor)
