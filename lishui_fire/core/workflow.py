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
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
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
        object.__setattr__(self, "_table", table)

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
