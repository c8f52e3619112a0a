"""The one door through which a workflow model changes status.

Each domain app declares its states as ``TextChoices`` and its moves as a :class:`Workflow`
(a table ``{from_status: {to_status, ...}}``) in its ``workflow.py``. Services then call
:func:`transition`, which

1. refuses a move the table does not list (:class:`IllegalTransition`);
2. updates the row with compare-and-set — ``UPDATE … WHERE pk = … AND status = <expected>`` —
   so that of two concurrent moves of the same row exactly one wins, and the loser gets
   :class:`StaleState` instead of silently overwriting the winner;
3. writes a :class:`~lishui_fire.core.models.StatusChange` row (who, when, from, to, note).

It must be called inside ``transaction.atomic()`` (the services do), so the status, the
other fields it updates and the history row land together or not at all.

A workflow also names its **open** statuses (someone still owes the case something) and its
**final** ones (the case is finished; no move leaves them, which is checked). Each app registers
its workflows with :func:`register_workflow` in its ``workflow.py``, under the model's label; the
registry imports every installed app's ``workflow`` module the first time it is asked. So a later
app finds "every case that finished since Monday" (:func:`finished_since`) from the status
history alone, without importing the apps whose cases they are.
"""

from __future__ import annotations

import dataclasses
import importlib
import importlib.util
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.db.models import CharField, Q
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import IllegalTransition, StaleState
from .models import StatusChange


@dataclass(frozen=True)
class Workflow:
    """A transition table: for every status, the statuses it may move to."""

    choices: type[models.TextChoices]
    transitions: Mapping[str, Iterable[str]]
    field: str = "status"
    # Statuses in which staff still owe the case something, and those in which it is finished.
    open_statuses: Iterable[str] = ()
    final_statuses: Iterable[str] = ()
    _table: dict[str, frozenset[str]] = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        valid = set(self.choices.values)
        table: dict[str, frozenset[str]] = {}
        for source, targets in self.transitions.items():
            targets = frozenset(targets)
            unknown = ({source} | targets) - valid
            if unknown:
                raise ValueError(f"unknown statuses in workflow: {sorted(unknown)}")
            table[source] = targets
        open_statuses = frozenset(str(s) for s in self.open_statuses)
        final_statuses = frozenset(str(s) for s in self.final_statuses)
        unknown = (open_statuses | final_statuses) - valid
        if unknown:
            raise ValueError(f"unknown statuses in workflow: {sorted(unknown)}")
        if open_statuses & final_statuses:
            raise ValueError(
                f"statuses both open and final: {sorted(open_statuses & final_statuses)}"
            )
        leaving = sorted(s for s in final_statuses if table.get(s))
        if leaving:
            raise ValueError(f"final statuses must have no outgoing moves: {leaving}")
        object.__setattr__(self, "open_statuses", open_statuses)
        object.__setattr__(self, "final_statuses", final_statuses)
        object.__setattr__(self, "_table", table)

    def is_open(self, status: str) -> bool:
        return status in self.open_statuses

    def is_final(self, status: str) -> bool:
        return status in self.final_statuses

    def allowed(self, source: str) -> frozenset[str]:
        return self._table.get(source, frozenset())

    def can_move(self, source: str, target: str) -> bool:
        return target in self.allowed(source)

    def label(self, value: str) -> str:
        try:
            return str(self.choices(value).label)
        except ValueError:
            return value

    def check(self, source: str, target: str) -> None:
        if not self.can_move(source, target):
            raise IllegalTransition(
                _("当前状态为“%(source)s”，不能变更为“%(target)s”。")
                % {"source": self.label(source), "target": self.label(target)}
            )


def transition(
    obj: models.Model,
    *,
    workflow: Workflow,
    to: str,
    actor: Any | None,
    note: str = "",
    expected: str | None = None,
    updates: Mapping[str, Any] | None = None,
) -> models.Model:
    """Move ``obj`` to status ``to``; update ``updates`` fields in the same statement.

    ``expected`` is the status the caller based its decision on (default: the status on the
    object in memory). If the row no longer has it, :class:`StaleState` is raised and nothing
    is written.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("transition() must run inside transaction.atomic()")
    current = expected if expected is not None else getattr(obj, workflow.field)
    workflow.check(current, to)
    changes = {workflow.field: to, **(updates or {})}
    model = type(obj)
    if any(f.name == "updated_at" for f in model._meta.get_fields()):
        changes.setdefault("updated_at", timezone.now())
    count = model._default_manager.filter(pk=obj.pk, **{workflow.field: current}).update(**changes)
    if count != 1:
        raise StaleState(_("该记录刚被其他人更新，请刷新页面后重试。"))
    for name, value in changes.items():
        setattr(obj, name, value)
    StatusChange.objects.create(
        content_type=ContentType.objects.get_for_model(model),
        object_id=str(obj.pk),
        from_status=current,
        to_status=to,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        note=note,
    )
    return obj


def history_for(obj: models.Model) -> models.QuerySet[StatusChange]:
    """The status timeline of one object, oldest first, with the actor joined."""
    return StatusChange.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)), object_id=str(obj.pk)
    ).select_related("actor")


# --- The registry ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Registration:
    """A workflow of a model; ``condition`` picks its rows when a model has several (per path)."""

    model_label: str
    workflow: Workflow
    condition: Q | None = None

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.model_label)


_registrations: dict[str, list[Registration]] = {}
_discovered = threading.Event()
_discovering = threading.Lock()


def register_workflow(model_label: str, workflow: Workflow, *, condition: Q | None = None) -> None:
    """Declare that ``workflow`` moves the rows of ``model_label`` ("app_label.Model").

    Called at import of the app's ``workflow.py``. Registering the same thing again (a module
    imported twice) is harmless; a second workflow for the same model needs a ``condition``.
    """
    entry = Registration(model_label, workflow, condition)
    entries = _registrations.setdefault(model_label, [])
    if entry in entries:
        return
    if any(e.condition is None for e in entries) or (entries and condition is None):
        raise ImproperlyConfigured(
            f"{model_label} has several workflows: give each a condition that picks its rows"
        )
    entries.append(entry)


def registered_workflows() -> dict[str, list[Registration]]:
    """Model label → its registrations, once every installed app's ``workflow`` is imported."""
    if not _discovered.is_set():
        with _discovering:
            if not _discovered.is_set():
                for config in apps.get_app_configs():
                    name = f"{config.name}.workflow"
                    if config.name != __package__ and importlib.util.find_spec(name) is not None:
                        importlib.import_module(name)
                _discovered.set()
    return _registrations


def workflows_for(model: type[models.Model] | str) -> list[Registration]:
    label = model if isinstance(model, str) else model._meta.label
    return list(registered_workflows().get(label, []))


def finished_since(
    since: datetime, *, until: datetime | None = None, labels: Iterable[str] | None = None
) -> models.QuerySet[StatusChange]:
    """Every move into a final status at or after ``since`` (before ``until``), of every
    registered workflow (or of the model labels in ``labels``): "every case that finished".

    One status-history row per finished case and move; ``.subject`` is the case.
    """
    wanted = set(labels) if labels is not None else None
    match = Q(pk__in=[])
    for label, entries in registered_workflows().items():
        if wanted is not None and label not in wanted:
            continue
        content_type = ContentType.objects.get_for_model(apps.get_model(label))
        for entry in entries:
            if not entry.workflow.final_statuses:
                continue
            part = Q(content_type=content_type, to_status__in=entry.workflow.final_statuses)
            if entry.condition is not None:
                rows = (
                    entry.model._default_manager.filter(entry.condition)
                    .annotate(pk_text=Cast("pk", output_field=CharField()))
                    .values("pk_text")
                )
                part &= Q(object_id__in=rows)
            match |= part
    history = StatusChange.objects.filter(match, at__gte=since)
    if until is not None:
        history = history.filter(at__lt=until)
    return history.select_related("content_type")
