"""State changes of the officers' roster and the recusal register (回避).

Officers declare a conflict of interest with a registered unit; a supervisor of their brigade
decides it (recusal or not) with a reason; the officer may withdraw it until then. While a
declaration is pending or upheld, the draw never sends the officer to that unit
(``selectors_roster.draw_roster``). Every change is atomic, audited (the models are registered
with core.audit) and moves the status through the workflow door (compare-and-set).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lishui_fire.accounts.policies import authorize
from lishui_fire.core import clocks
from lishui_fire.core.errors import Conflict
from lishui_fire.core.workflow import transition
from lishui_fire.enterprises.selectors import enterprise_with_uscc

from .. import policies
from ..models import (
    EXCLUDING_CONFLICT_STATUSES,
    ConflictDeclaration,
    ConflictKind,
    ConflictStatus,
    OfficerCertificate,
)
from ..workflow import CONFLICT_WORKFLOW

NOTE_MAX = 500
# The supervisor's decision has a time limit (DeadlineRule row, migration 0007; DOMAIN.md §2.4).
DECISION_MILESTONE = "recusal_decision"
DECISION_RULE = "inspection.recusal_decision"


def _text(value: str, field: str, *, required: bool) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationError({field: _("请填写理由。")})
    if len(text) > NOTE_MAX:
        raise ValidationError({field: _("不能超过 %(n)s 个字。") % {"n": NOTE_MAX}})
    return text


def declare_conflict(
    *, officer: Any, enterprise_uscc: str, kind: str, note: str = ""
) -> ConflictDeclaration:
    """Record ``officer``'s declared conflict with the unit of this credit code."""
    authorize(policies.can_declare_conflict(officer))
    if kind not in ConflictKind.values:
        raise ValidationError({"kind": _("请选择回避事由。")})
    enterprise = enterprise_with_uscc(uscc=enterprise_uscc)
    if enterprise is None:
        raise ValidationError({"enterprise_uscc": _("未找到该统一社会信用代码对应的登记单位。")})
    note = _text(note, "note", required=kind == ConflictKind.OTHER)
    live = ConflictDeclaration.objects.filter(
        officer=officer, enterprise=enterprise, status__in=EXCLUDING_CONFLICT_STATUSES
    )
    try:
        with transaction.atomic():
            if live.exists():
                raise Conflict(_("您对该单位已有待决定或已决定回避的申报。"))
            declaration = ConflictDeclaration.objects.create(
                officer=officer,
                brigade_id=officer.org_unit_id,
                enterprise=enterprise,
                kind=kind,
                note=note,
            )
            clocks.start_clock(
                subject=declaration,
                milestone=DECISION_MILESTONE,
                code=DECISION_RULE,
                started_at=declaration.declared_at,
                actor=officer,
            )
            return declaration
    except IntegrityError as exc:  # the same declaration sent twice at once
        raise Conflict(_("您对该单位已有待决定或已决定回避的申报。")) from exc


def decide_conflict(
    *, declaration: ConflictDeclaration, actor: Any, uphold: bool, reason: str
) -> ConflictDeclaration:
    """A supervisor's decision: recusal (``uphold``) or not, with the reason (required)."""
    authorize(policies.can_decide_conflict(actor, declaration))
    reason = _text(reason, "reason", required=True)
    with transaction.atomic():
        transition(
            declaration,
            workflow=CONFLICT_WORKFLOW,
            to=ConflictStatus.UPHELD if uphold else ConflictStatus.DISMISSED,
            actor=actor,
            note=reason,
            updates={
                "decided_by": actor,
                "decided_at": timezone.now(),
                "decision_reason": reason,
            },
        )
        _stop_decision_clock(declaration, actor=actor, reason=reason)
    return declaration


def withdraw_conflict(*, declaration: ConflictDeclaration, actor: Any) -> ConflictDeclaration:
    """The officer withdraws their own declaration before it is decided."""
    authorize(policies.can_withdraw_conflict(actor, declaration))
    with transaction.atomic():
        transition(
            declaration, workflow=CONFLICT_WORKFLOW, to=ConflictStatus.WITHDRAWN, actor=actor
        )
        _stop_decision_clock(declaration, actor=actor, reason=_("申报已撤回"), cancelled=True)
    return declaration


def _stop_decision_clock(
    declaration: ConflictDeclaration, *, actor: Any, reason: str, cancelled: bool = False
) -> None:
    clock = clocks.live_clock(declaration, DECISION_MILESTONE)
    if clock is not None:
        clocks.stop_clock(clock=clock, actor=actor, reason=reason, cancelled=cancelled)


def decision_clock(declaration: ConflictDeclaration) -> Any:
    """The decision's clock (live or stopped), for the declaration's page."""
    return (
        clocks.clocks_of(declaration).filter(milestone=DECISION_MILESTONE).order_by("-pk").first()
    )


def record_certificate(
    *, officer: Any, number: str, valid_from: dt.date, valid_until: dt.date
) -> OfficerCertificate:
    """Register an officer's enforcement certificate (the admin and the demo use it)."""
    number = (number or "").strip()
    if not number:
        raise ValidationError({"number": _("请填写执法证号。")})
    if valid_until < valid_from:
        raise ValidationError({"valid_until": _("有效期至不能早于有效期起。")})
    if not officer.is_portal_staff or officer.org_unit_id is None:
        raise ValidationError({"officer": _("只有所属单位的执法人员可以登记执法证。")})
    with transaction.atomic():
        if OfficerCertificate.objects.filter(number=number).exists():
            raise ValidationError({"number": _("该执法证号已登记。")})
        return OfficerCertificate.objects.create(
            officer=officer, number=number, valid_from=valid_from, valid_until=valid_until
        )
