"""Credit grades: the scale supervisors maintain, recalculation proposals and their decision.

* ``save_credit_grade`` — add or change a grade of the scale (label, sampling multiplier, yearly
  cap), with its basis and effective date; auditlog records the old and new values and who.
* ``propose_grades`` — apply the scoring rule set in force (``rules.propose_grade``) to one unit
  or many and keep a ``CreditGradeProposal`` where the rule gives another grade than the unit
  has. Idempotent: a run on unchanged data leaves the same pending proposals (same
  fingerprint); a changed record replaces the pending proposal (``superseded``); a unit whose
  record now matches its grade has its stale proposal superseded and none new.
* ``decide_grade_proposal`` — a supervisor of the unit's brigade (detachment: all) confirms the
  proposed grade or overrides it with another grade and a reason; the rating change it makes
  records ``source=recalculation`` and the proposal. Compare-and-set on the proposal's status
  (two supervisors deciding at once: one wins, the other is told to reload).
* ``request_grade_recalculation`` — a batch for the user's scope, through ``core.jobs.enqueue``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from typing import Any

from auditlog.context import set_actor
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lishui_fire.accounts import policies as kernel
from lishui_fire.accounts.policies import authorize
from lishui_fire.core import audit
from lishui_fire.core.errors import DomainError
from lishui_fire.core.jobs import enqueue
from lishui_fire.core.workflow import transition

from .. import policies, rules, selectors
from ..models import (
    CreditEvent,
    CreditGrade,
    CreditGradeProposal,
    CreditScoringRuleSet,
    Enterprise,
    ProposalStatus,
    RatingSource,
)
from ..workflow import PROPOSAL_FLOW
from .registry import apply_credit_rating

BATCH_SIZE = 500
PROPOSE_TASK = "enterprises.propose_grades"

# --- The scale ---------------------------------------------------------------------------------
GRADE_FIELDS = (
    "label",
    "label_en",
    "meaning",
    "sort_order",
    "sampling_multiplier",
    "max_planned_inspections_per_year",
    "basis",
    "effective_from",
)


def save_credit_grade(
    *, grade: CreditGrade | None, data: dict[str, Any], actor: Any
) -> CreditGrade:
    """Create a grade (``grade=None``, ``data["code"]`` needed) or change one; the basis and the
    effective date are required, so every version of the scale says where it comes from."""
    authorize(policies.can_maintain_credit_scale(actor))
    errors: dict[str, str] = {}
    if not (data.get("basis") or "").strip():
        errors["basis"] = _("请填写依据（文件名称和文号）。")
    if not data.get("effective_from"):
        errors["effective_from"] = _("请填写生效日期。")
    if errors:
        raise ValidationError(errors)
    target = grade if grade is not None else CreditGrade(code=(data.get("code") or "").strip())
    for name in GRADE_FIELDS:
        if name in data:
            setattr(target, name, data[name].strip() if isinstance(data[name], str) else data[name])
    target.full_clean()
    with transaction.atomic(), set_actor(actor):
        target.save()
    return target


# --- Proposals -----------------------------------------------------------------------------------
def _fingerprint(rule_set_id: int, proposal: rules.Proposal, current: str) -> str:
    body = json.dumps(
        [
            rule_set_id,
            current,
            proposal.grade,
            proposal.score,
            [list(f.event_ids) for f in proposal.facts],
        ],
        separators=(",", ":"),
    )
    return hashlib.sha256(body.encode()).hexdigest()


def _facts_json(proposal: rules.Proposal) -> list[dict[str, Any]]:
    return [
        {
            "kind": f.kind,
            "count": f.count,
            "points_each": f.points_each,
            "points": f.points,
            "best_grade": f.best_grade,
            "event_ids": list(f.event_ids),
            "capped": f.kind in proposal.capped_by,
        }
        for f in proposal.facts
    ]


def _supersede(pending: CreditGradeProposal, actor: Any, note: str) -> None:
    transition(
        pending,
        workflow=PROPOSAL_FLOW,
        to=ProposalStatus.SUPERSEDED,
        actor=actor,
        note=note,
        expected=ProposalStatus.PENDING,
    )


def _propose_chunk(
    enterprises: list[tuple[int, str]],
    rule_set: CreditScoringRuleSet,
    data: rules.RuleSet,
    *,
    today: dt.date,
    actor: Any,
) -> dict[str, int]:
    """One chunk of (enterprise id, current rating): three reads, then the writes needed."""
    counts = {"created": 0, "unchanged": 0, "superseded": 0}
    ids = [pk for pk, _rating in enterprises]
    since = today - dt.timedelta(days=data.lookback_days)
    events: dict[int, list[rules.Event]] = {}
    for pk, enterprise_id, kind, occurred_on in CreditEvent.objects.filter(
        enterprise_id__in=ids, occurred_on__gt=since, occurred_on__lte=today
    ).values_list("pk", "enterprise_id", "kind", "occurred_on"):
        events.setdefault(enterprise_id, []).append(rules.Event(pk, kind, occurred_on))
    pending = {
        p.enterprise_id: p
        for p in CreditGradeProposal.objects.filter(
            enterprise_id__in=ids, status=ProposalStatus.PENDING
        )
    }
    new: list[CreditGradeProposal] = []
    with transaction.atomic():
        for enterprise_id, current in enterprises:
            proposal = rules.propose_grade(events.get(enterprise_id, ()), data, today=today)
            old = pending.get(enterprise_id)
            if proposal.grade == current:
                if old is not None:
                    _supersede(old, actor, _("重新计算：建议等级与现等级相同。"))
                    counts["superseded"] += 1
                continue
            fingerprint = _fingerprint(rule_set.pk, proposal, current)
            if old is not None:
                if old.fingerprint == fingerprint:
                    counts["unchanged"] += 1
                    continue
                _supersede(old, actor, _("重新计算：信用记录或规则已变化。"))
                counts["superseded"] += 1
            new.append(
                CreditGradeProposal(
                    enterprise_id=enterprise_id,
                    rule_set=rule_set,
                    computed_on=today,
                    current_rating=current,
                    proposed_rating=proposal.grade,
                    score=proposal.score,
                    facts=_facts_json(proposal),
                    fingerprint=fingerprint,
                )
            )
        CreditGradeProposal.objects.bulk_create(new)
        if new:
            audit.record_bulk(
                [
                    audit.Entry(p, audit.CREATE, {"proposed_rating": ["", p.proposed_rating]})
                    for p in new
                ],
                actor=actor,
            )
    counts["created"] = len(new)
    return counts


def propose_grades(
    *, enterprises: Iterable[Enterprise] | None = None, brigade_id: int | None = None,
    actor: Any = None, today: dt.date | None = None,
) -> dict[str, int]:  # fmt: skip
    """Recalculate the given units, or every unit of ``brigade_id`` (``None``: all), in chunks."""
    today = today or timezone.localdate()
    rule_set = selectors.scoring_rule_set_on(today)
    if rule_set is None:
        raise DomainError(_("没有生效的信用评分规则，无法计算。"))
    data = selectors.rule_set_data(rule_set)
    totals = {"created": 0, "unchanged": 0, "superseded": 0, "units": 0}
    if enterprises is not None:
        pairs = list({e.pk: (e.pk, e.credit_rating) for e in enterprises}.values())
        chunks: Iterable[list[tuple[int, str]]] = [
            pairs[i : i + BATCH_SIZE] for i in range(0, len(pairs), BATCH_SIZE)
        ]
    else:
        queryset = Enterprise.objects.order_by("pk")
        if brigade_id is not None:
            queryset = queryset.filter(brigade_id=brigade_id)
        chunks = _chunks(queryset)
    for chunk in chunks:
        for _attempt in range(2):
            try:
                counts = _propose_chunk(chunk, rule_set, data, today=today, actor=actor)
                break
            except IntegrityError:
                # Another run created a pending proposal for one of these units meanwhile:
                # read again (the second pass finds it and keeps or supersedes it).
                continue
        else:
            raise DomainError(_("信用等级计算与其他任务冲突，请稍后重试。"))
        totals["units"] += len(chunk)
        for key, value in counts.items():
            totals[key] += value
    return totals


def _chunks(queryset: Any) -> Iterable[list[tuple[int, str]]]:
    last = 0
    while True:
        chunk = list(queryset.filter(pk__gt=last).values_list("pk", "credit_rating")[:BATCH_SIZE])
        if not chunk:
            return
        yield chunk
        last = chunk[-1][0]


def propose_grade_for(*, enterprise: Enterprise, actor: Any) -> CreditGradeProposal | None:
    """Recalculate one unit now (its page's button); the pending proposal, if the rule gives
    another grade than the unit has."""
    authorize(policies.can_change_credit_rating(actor, enterprise))
    propose_grades(enterprises=[enterprise], actor=actor)
    return enterprise.grade_proposals.filter(status=ProposalStatus.PENDING).first()


def request_grade_recalculation(*, actor: Any, brigade_id: int | None = None) -> int | None:
    """Queue a recalculation of the user's scope: a brigade supervisor's own brigade; the
    detachment and administrators every unit, or one brigade. Returns the brigade queued."""
    authorize(policies.can_review_grade_proposals(actor))
    if not kernel.sees_all_brigades(actor):
        if brigade_id is not None and brigade_id != actor.org_unit_id:
            raise DomainError(_("只能重新计算本大队的单位。"))
        brigade_id = actor.org_unit_id
    if selectors.scoring_rule_set_on(timezone.localdate()) is None:
        raise DomainError(_("没有生效的信用评分规则，无法计算。"))
    enqueue(PROPOSE_TASK, brigade_id=brigade_id, actor_id=actor.pk)
    return brigade_id


DECISIONS = ("confirm", "override")


def decide_grade_proposal(
    *,
    proposal: CreditGradeProposal,
    decision: str,
    reason: str,
    actor: Any,
    to_rating: str = "",
) -> CreditGradeProposal:
    """Confirm the proposed grade, or override it with ``to_rating`` and a reason (required).

    The grade changes only if it differs from the unit's grade now; the change's history row
    says ``recalculation`` and names the proposal. Keeping the unit's grade against the
    proposal is an override to the current grade.
    """
    enterprise = proposal.enterprise
    authorize(policies.can_change_credit_rating(actor, enterprise))
    reason = (reason or "").strip()
    errors: dict[str, str] = {}
    if decision not in DECISIONS:
        errors["decision"] = _("请选择确认或改定。")
    elif decision == "override":
        codes = list(CreditGrade.objects.values_list("code", flat=True))
        if to_rating not in codes:
            errors["to_rating"] = _("未知的信用等级：应为 %(codes)s 之一。") % {
                "codes": "、".join(codes)
            }
        elif to_rating == proposal.proposed_rating:
            errors["to_rating"] = _("改定等级与建议等级相同，请选择“确认”。")
        if not reason:
            errors["reason"] = _("改定建议等级必须填写理由。")
    if errors:
        raise ValidationError(errors)
    target = proposal.proposed_rating if decision == "confirm" else to_rating
    status = ProposalStatus.CONFIRMED if decision == "confirm" else ProposalStatus.OVERRIDDEN
    note = reason or _("确认计算建议")
    with transaction.atomic():
        locked = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
        transition(
            proposal,
            workflow=PROPOSAL_FLOW,
            to=status,
            actor=actor,
            note=note,
            expected=ProposalStatus.PENDING,
            updates={
                "decided_rating": target,
                "decision_reason": reason,
                "decided_by": actor,
                "decided_at": timezone.now(),
            },
        )
        audit.record_change(
            proposal,
            actor=actor,
            changes={"status": (ProposalStatus.PENDING, status), "decided_rating": ("", target)},
            reason=note,
        )
        if locked.credit_rating != target:
            apply_credit_rating(
                locked,
                to_rating=target,
                reason=_("信用等级重新计算（得分 %(score)s，建议 %(proposed)s）：%(note)s")
                % {"score": proposal.score, "proposed": proposal.proposed_rating, "note": note},
                actor=actor,
                source=RatingSource.RECALCULATION,
                proposal=proposal,
            )
    enterprise.credit_rating = target
    return proposal
