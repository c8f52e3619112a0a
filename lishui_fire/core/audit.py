"""One door to the audit log (django-auditlog): who changed what, and who looked at what.

Models registered with auditlog record their own saves. This module is for what signals never
see, so that no service writes ``LogEntry`` rows by hand:

* :func:`record_view` — a person saw the full value of personal data (PIPL art. 51; DESIGN.md:
  "every view of a full record is audited"): an ACCESS entry with the field and the purpose.
  :func:`reveal` reads the field and records the view in one call.
* :func:`record_change` — a change made with ``QuerySet.update`` (no signal), with the reason.
* :func:`record_bulk` — many entries at once, for ``bulk_create``/``bulk_update`` writers (the
  enterprise CSV import), with one correlation id.
* :func:`register` — track a model's saves; its phone and ID numbers are masked in the diffs
  (the log is read by administrators who need not see them: PIPL, data minimisation).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from auditlog.cid import get_cid
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

CREATE = LogEntry.Action.CREATE
UPDATE = LogEntry.Action.UPDATE
DELETE = LogEntry.Action.DELETE
ACCESS = LogEntry.Action.ACCESS


def _actor(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _masked(model: type[models.Model], changes: Mapping[str, Any]) -> dict[str, list[str]]:
    """field → [old, new] as strings, a personal number masked as ``register`` masks it."""
    from .masking import mask_personal_number, personal_number_fields

    numbers = set(personal_number_fields(model))
    return {
        name: [
            mask_personal_number(v) if name in numbers and v not in (None, "None") else str(v)
            for v in values
        ]
        for name, values in changes.items()
    }


def register(model: type[models.Model], **options: Any) -> None:
    """``auditlog.register`` with the model's personal numbers masked (138****5678) in the diffs."""
    from auditlog.registry import auditlog

    from .masking import personal_number_fields

    masked = [*options.pop("mask_fields", ()), *personal_number_fields(model)]
    auditlog.register(
        model,
        mask_fields=masked,
        mask_callable="lishui_fire.core.masking.mask_personal_number",
        **options,
    )


def record_view(
    obj: models.Model,
    *,
    actor: Any,
    field: str,
    purpose: str = "reveal",
    remote_addr: str | None = None,
    **extra: Any,
) -> LogEntry:
    """Record that ``actor`` saw the full value of ``obj.<field>``."""
    return LogEntry.objects.log_create(
        obj,
        force_log=True,
        action=ACCESS,
        actor=_actor(actor),
        remote_addr=remote_addr,
        additional_data={"field": field, "purpose": purpose, **extra},
    )


def reveal(
    obj: models.Model,
    field: str,
    *,
    actor: Any,
    remote_addr: str | None = None,
    purpose: str = "reveal",
) -> Any:
    """The full value of ``obj.<field>``, with its view recorded. Authorise before calling."""
    record_view(obj, actor=actor, field=field, purpose=purpose, remote_addr=remote_addr)
    return getattr(obj, field)


def record_change(
    obj: models.Model,
    *,
    actor: Any,
    changes: Mapping[str, tuple[Any, Any] | list[Any]],
    reason: str | None = None,
    remote_addr: str | None = None,
    **extra: Any,
) -> LogEntry:
    """Record a change auditlog's signals did not see (an ``update()``): field → (old, new)."""
    data = {**extra, **({"reason": reason} if reason is not None else {})}
    return LogEntry.objects.log_create(
        obj,
        force_log=True,
        action=UPDATE,
        changes=_masked(type(obj), {name: (old, new) for name, (old, new) in changes.items()}),
        actor=_actor(actor),
        remote_addr=remote_addr,
        additional_data=data or None,
    )


@dataclass(frozen=True)
class Entry:
    """One row for :func:`record_bulk`: the object (saved), the action and field → [old, new]."""

    obj: models.Model
    action: int
    changes: Mapping[str, list[str]]
    additional_data: Mapping[str, Any] = field(default_factory=dict)


def record_bulk(
    entries: Iterable[Entry],
    *,
    actor: Any,
    timestamp: datetime | None = None,
    remote_addr: str | None = None,
) -> int:
    """Write many entries with one INSERT (bulk writers bypass auditlog's signals; a list page
    showing many full numbers records its views this way). With no ``remote_addr`` the
    request's own (``AuditMiddleware``: the client's, ADR 0023) is written, as a signal would."""
    timestamp = timestamp or timezone.now()
    if remote_addr is None:
        remote_addr = _request_remote_addr()
    cid = get_cid()
    content_types: dict[type[models.Model], ContentType] = {}
    rows = []
    for e in entries:
        model = type(e.obj)
        if model not in content_types:
            content_types[model] = ContentType.objects.get_for_model(model)
        pk = e.obj.pk
        rows.append(
            LogEntry(
                content_type=content_types[model],
                object_pk=str(pk),
                object_id=pk if isinstance(pk, int) else None,
                object_repr=str(e.obj)[:200],
                action=e.action,
                changes=_masked(model, e.changes),
                actor=_actor(actor),
                cid=cid,
                timestamp=timestamp,
                additional_data=dict(e.additional_data) or None,
                remote_addr=remote_addr,
            )
        )
    LogEntry.objects.bulk_create(rows)
    return len(rows)


# The client address of the request being served (set by AuditMiddleware for its duration only:
# auditlog's own context outlives the request, and a later task in the thread is not from there).
_REQUEST_ADDR: ContextVar[str | None] = ContextVar("portal_audit_remote_addr", default=None)


def _request_remote_addr() -> str | None:
    return _REQUEST_ADDR.get()


# --- Who and from where, for every entry written during a request ---------------------------------
class AuditMiddleware:
    """django-auditlog's middleware with the portal's answers to "who" and "from where".

    auditlog's own takes the *first* ``X-Forwarded-For`` entry, which the caller writes, and only
    the session user, so an edit made with an API token was logged with no actor and any address
    the caller liked. Here the address is :func:`lishui_fire.core.client.client_ip` (the one the
    throttles and the lockout use) and DRF's authentication names the actor with
    :func:`bind_actor` once it knows the token's user.
    """

    def __init__(self, get_response: Any) -> None:
        from auditlog.middleware import AuditlogMiddleware

        self.get_response = get_response
        self._auditlog = AuditlogMiddleware(get_response)

    def __call__(self, request: Any) -> Any:
        from auditlog.cid import set_cid
        from auditlog.context import set_extra_data

        from .client import client_ip

        set_cid(request)
        context = {
            "remote_addr": client_ip(request),
            "remote_port": None,
            "actor": self._auditlog._get_actor(request),
        }
        token = _REQUEST_ADDR.set(context["remote_addr"])
        try:
            with set_extra_data(context_data=context):
                return self.get_response(request)
        finally:
            _REQUEST_ADDR.reset(token)


def bind_actor(user: Any) -> None:
    """Name ``user`` as the actor of the audit entries the rest of this request writes.

    Called by the API's authentication classes: DRF authenticates inside the view, after every
    middleware ran, so the request's audit context is completed here.
    """
    from auditlog.context import auditlog_value

    try:
        context = auditlog_value.get()
    except LookupError:
        return
    if getattr(user, "is_authenticated", False):
        context["actor"] = user
