"""Spot-check plans, from the draft to the public results (双随机、一公开).

* A supervisor writes a draft (period, brigades, venue classes with their ratios, the items of
  the one visit); ``publish_plan`` freezes it: the ratio of each (class, grade) is computed from
  the grades' multipliers of that day, the target and inspector rosters are built and stored as
  the draw's published data, a secret seed is drawn and its hash published with the rosters'
  fingerprints (the commitment).
* A published plan changes only as a new version (``revise_plan``, with a reason); publishing
  the new version supersedes the old one, which stays public.
* ``draw_plan`` reveals the seed and runs the published algorithm, once (compare-and-set on the
  plan's status), creating the inspections and their two officers in the same transaction.
* ``void_draw`` keeps the void draw on record with the supervisor's reason, cancels its
  inspections not yet visited and opens the replacement version, published with a new
  commitment before it is drawn.
* ``publish_plan_results`` puts the visited inspections' results on the public page and stops
  their publication clocks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lishui_fire.accounts.models import OrgUnit
from lishui_fire.accounts.policies import authorize
from lishui_fire.core import clocks
from lishui_fire.core.documents import next_sequence_value
from lishui_fire.core.errors import Conflict, StaleState
from lishui_fire.core.workflow import transition
from lishui_fire.enterprises.selectors import credit_grades_by_code

from .. import drawing, policies, rules, selectors_roster
from .. import selectors_plans as selectors
from ..models import (
    Inspection,
    InspectionAssignment,
    InspectionKind,
    InspectionPlan,
    InspectionStatus,
    PlanClass,
    PlanDraw,
    PlanItem,
    PlanRatio,
    PlanStatus,
    PublishedResult,
    VenueClass,
)
from ..workflow import INSPECTION_WORKFLOW, PLAN_WORKFLOW

# The kernel clock the visits part starts when a plan inspection's visit is confirmed
# (DeadlineRule data: 20 working days by default, DOMAIN.md §2.3).
RESULT_PUBLICATION_RULE = selectors.RESULT_PUBLICATION_RULE
# Inspections whose result may be published: the visit is on record.
VISITED_STATUSES = frozenset(
    {
        InspectionStatus.RECORDED,
        InspectionStatus.RECTIFYING,
        InspectionStatus.CLOSED,
        InspectionStatus.REFERRED,
    }
)
NOT_VISITED = (InspectionStatus.ASSIGNED, InspectionStatus.SCHEDULED)


# --- Drafts ---------------------------------------------------------------------------------------
def _clean_draft(
    *,
    actor: Any,
    title: str,
    period_start: dt.date | None,
    period_end: dt.date | None,
    brigades: Sequence[OrgUnit],
    classes: Mapping[str, Decimal],
    items: Sequence[tuple[str, str]],
) -> None:
    errors: dict[str, list[str]] = {}
    if not (title or "").strip():
        errors["title"] = [_("请填写计划名称。")]
    if period_start and period_end and period_end < period_start:
        errors["period_end"] = [_("结束日期不能早于开始日期。")]
    if not period_start:
        errors["period_start"] = [_("请填写开始日期。")]
    if not period_end:
        errors["period_end"] = [_("请填写结束日期。")]
    if not brigades:
        errors["brigades"] = [_("请至少选择一个大队。")]
    elif any(b.kind != OrgUnit.Kind.BRIGADE for b in brigades):
        errors["brigades"] = [_("只能选择大队。")]
    elif not policies.plan_brigades_allowed(actor, [b.pk for b in brigades]):
        errors["brigades"] = [_("只能为本人负责的大队制定抽查计划。")]
    if not classes:
        errors["classes"] = [_("请至少选择一类抽查对象并填写抽查比例。")]
    for code, ratio in classes.items():
        if code not in VenueClass.values:
            errors["classes"] = [_("未知的单位类别：%(code)s。") % {"code": code}]
        elif ratio is None or not (Decimal(0) < ratio <= Decimal(1)):
            errors["classes"] = [_("抽查比例应大于 0%，不超过 100%。")]
    if not items:
        errors["items"] = [_("请至少填写一项检查事项。")]
    elif any(not (text or "").strip() for _code, text in items):
        errors["items"] = [_("检查事项不能为空。")]
    elif any(len(text) > 255 or len(code) > 32 for code, text in items):
        errors["items"] = [_("检查事项不超过 255 个字，代码不超过 32 个字符。")]
    if errors:
        raise ValidationError(errors)


def _write_parts(
    plan: InspectionPlan,
    *,
    brigades: Sequence[OrgUnit],
    classes: Mapping[str, Decimal],
    items: Sequence[tuple[str, str]],
) -> None:
    plan.brigades.set(brigades)
    plan.classes.all().delete()
    PlanClass.objects.bulk_create(
        PlanClass(plan=plan, venue_class=code, base_ratio=ratio)
        for code, ratio in sorted(classes.items(), key=lambda kv: VenueClass.values.index(kv[0]))
    )
    plan.items.all().delete()
    PlanItem.objects.bulk_create(
        PlanItem(plan=plan, position=n, code=code.strip(), text=text.strip())
        for n, (code, text) in enumerate(items, start=1)
    )
    _write_ratios(plan)


def _write_ratios(plan: InspectionPlan) -> None:
    """Every (class, grade) ratio from the grades' multipliers now (frozen at publication)."""
    plan.ratios.all().delete()
    grades = credit_grades_by_code().values()
    PlanRatio.objects.bulk_create(
        PlanRatio(
            plan=plan,
            venue_class=item.venue_class,
            grade=grade.code,
            multiplier=grade.sampling_multiplier,
            ratio=rules.graded_ratio(item.base_ratio, grade.sampling_multiplier),
        )
        for item in plan.classes.all()
        for grade in sorted(grades, key=lambda g: (g.sort_order, g.code))
    )


@transaction.atomic
def create_plan(
    *,
    actor: Any,
    title: str,
    period_start: dt.date | None,
    period_end: dt.date | None,
    brigades: Sequence[OrgUnit],
    classes: Mapping[str, Decimal],
    items: Sequence[tuple[str, str]],
    description: str = "",
) -> InspectionPlan:
    """A new draft plan of ``actor`` (a supervisor) for brigades in their scope."""
    authorize(policies.can_write_plans(actor))
    _clean_draft(
        actor=actor, title=title, period_start=period_start, period_end=period_end,
        brigades=brigades, classes=classes, items=items,
    )  # fmt: skip
    if period_start is None or period_end is None:  # refused by _clean_draft with field errors
        raise ValidationError({"period_start": _("请填写计划的起止日期。")})
    plan = InspectionPlan.objects.create(
        title=title.strip(),
        description=(description or "").strip(),
        period_start=period_start,
        period_end=period_end,
        created_by=actor,
        org_unit=actor.org_unit,
    )
    _write_parts(plan, brigades=brigades, classes=classes, items=items)
    return plan


@transaction.atomic
def update_draft_plan(
    *,
    actor: Any,
    plan: InspectionPlan,
    title: str,
    period_start: dt.date | None,
    period_end: dt.date | None,
    brigades: Sequence[OrgUnit],
    classes: Mapping[str, Decimal],
    items: Sequence[tuple[str, str]],
    description: str = "",
) -> InspectionPlan:
    """Change a draft; a published plan changes only as a new version (``revise_plan``)."""
    authorize(policies.can_act_on_plan(actor, plan))
    _clean_draft(
        actor=actor, title=title, period_start=period_start, period_end=period_end,
        brigades=brigades, classes=classes, items=items,
    )  # fmt: skip
    count = InspectionPlan.objects.filter(pk=plan.pk, status=PlanStatus.DRAFT).update(
        title=title.strip(),
        description=(description or "").strip(),
        period_start=period_start,
        period_end=period_end,
        updated_at=timezone.now(),
    )
    if count != 1:
        raise Conflict(_("计划已公开，不能再修改；如需变更，请修订为新版本并说明理由。"))
    plan.refresh_from_db()
    _write_parts(plan, brigades=brigades, classes=classes, items=items)
    return plan


@transaction.atomic
def revise_plan(*, actor: Any, plan: InspectionPlan, reason: str) -> InspectionPlan:
    """A new draft version of a published (not yet drawn) plan, with the reason for the change.
    The published version stays in force until the new one is published."""
    authorize(policies.can_act_on_plan(actor, plan))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("请说明修订理由。")]})
    if plan.status != PlanStatus.PUBLISHED:
        raise Conflict(_("只有已公开、尚未抽取的计划可以修订；已抽取的计划须先作废抽取结果。"))
    return _new_version(plan, actor=actor, reason=reason)


def _new_version(plan: InspectionPlan, *, actor: Any, reason: str) -> InspectionPlan:
    try:
        with transaction.atomic():
            revision = InspectionPlan.objects.create(
                title=plan.title,
                description=plan.description,
                period_start=plan.period_start,
                period_end=plan.period_end,
                created_by=actor,
                org_unit=plan.org_unit,
                version=plan.version + 1,
                previous=plan,
                change_reason=reason,
            )
    except IntegrityError as exc:
        raise Conflict(_("该计划已有一个待公开的新版本。")) from exc
    revision.brigades.set(plan.brigades.all())
    PlanClass.objects.bulk_create(
        PlanClass(plan=revision, venue_class=c.venue_class, base_ratio=c.base_ratio)
        for c in plan.classes.all()
    )
    PlanItem.objects.bulk_create(
        PlanItem(plan=revision, position=i.position, code=i.code, text=i.text)
        for i in plan.items.all()
    )
    _write_ratios(revision)
    return revision


# --- Publication and the commitment -------------------------------------------------------------
def build_published_data(plan: InspectionPlan, *, on: dt.date) -> dict[str, Any]:
    """The draw's input, as it will be published: the target roster, the ratios, the inspector
    roster with its recusal exclusions, and the previous pairs (drawing.py's data shape)."""
    brigade_ids = sorted(b.pk for b in plan.brigades.all())
    classes = [c.venue_class for c in plan.classes.all()]
    candidates = selectors.plan_candidates(
        brigade_ids=brigade_ids, classes=classes, year=plan.period_start.year
    )
    inspectors, exclusions, pairs = selectors_roster.draw_roster(
        brigade_ids=brigade_ids, on_date=on
    )
    # Only what concerns this plan's units is published.
    candidate_ids = {c["id"] for c in candidates}
    return {
        "plan": plan.pk,
        "version": plan.version,
        "candidates": candidates,
        "ratios": [
            {"class": str(r.venue_class), "grade": str(r.grade), "ratio": str(r.ratio)}
            for r in plan.ratios.all()
        ],
        "inspectors": list(inspectors),
        "exclusions": [e for e in exclusions if e["candidate"] in candidate_ids],
        "previous_pairs": [p for p in pairs if p["candidate"] in candidate_ids],
    }


@transaction.atomic
def publish_plan(*, actor: Any, plan: InspectionPlan) -> InspectionPlan:
    """Freeze the draft and publish it with the commitment of its draw; a new version
    supersedes the version it revises."""
    authorize(policies.can_act_on_plan(actor, plan))
    plan = InspectionPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != PlanStatus.DRAFT:
        raise StaleState(_("该计划已公开。"))
    if not plan.items.exists() or not plan.classes.exists():
        raise Conflict(_("计划缺少抽查类别或检查事项，不能公开。"))
    previous = plan.previous
    if previous is not None and previous.status == PlanStatus.DRAWN:
        raise Conflict(_("上一版本已经抽取；如需重新抽取，请先作废其抽取结果。"))
    now = timezone.now()
    _write_ratios(plan)  # the grades' multipliers of today, frozen from now on
    data = build_published_data(plan, on=timezone.localdate(now))
    algorithm = drawing
    seed = algorithm.new_seed()
    transition(
        plan,
        workflow=PLAN_WORKFLOW,
        to=PlanStatus.PUBLISHED,
        actor=actor,
        expected=PlanStatus.DRAFT,
        updates={
            "published_at": now,
            "published_by": actor,
            "published_data": data,
            "seed": seed,
            "seed_commitment": algorithm.seed_commitment(seed),
            "candidates_fingerprint": algorithm.candidates_fingerprint(data),
            "inspectors_fingerprint": algorithm.inspectors_fingerprint(data),
            "algorithm": algorithm.ALGORITHM,
        },
    )
    if previous is not None and previous.status == PlanStatus.PUBLISHED:
        transition(
            previous,
            workflow=PLAN_WORKFLOW,
            to=PlanStatus.SUPERSEDED,
            actor=actor,
            note=plan.change_reason,
            updates={"superseded_at": now},
        )
    return plan


# --- The draw -----------------------------------------------------------------------------------------
def selections(result: Mapping[str, Any]) -> list[tuple[int, list[int]]]:
    """(candidate id, [lead officer id, second officer id]) of each drawn unit, in draw order."""
    return [(int(s["candidate"]), [int(i) for i in s["inspectors"]]) for s in result["selected"]]


def _next_reference(year: int) -> str:
    return f"SJ{year}{next_sequence_value('inspections.random', year):05d}"


@transaction.atomic
def draw_plan(*, actor: Any, plan: InspectionPlan) -> PlanDraw:
    """Reveal the seed, run the draw on the published data and create the inspections.

    Once only: the plan moves from published to drawn by compare-and-set, so of two draws
    sent at the same moment one wins and the other is refused (StaleState, 409)."""
    authorize(policies.can_act_on_plan(actor, plan))
    if plan.status != PlanStatus.PUBLISHED:
        raise StaleState(_("该计划已经抽取，或尚未公开，不能抽取。"))
    now = timezone.now()
    transition(
        plan, workflow=PLAN_WORKFLOW, to=PlanStatus.DRAWN, actor=actor,
        expected=PlanStatus.PUBLISHED,
    )  # fmt: skip
    plan.refresh_from_db()
    if plan.published_data is None or not plan.seed:  # published plans always have both
        raise StaleState(_("该计划尚未公开，不能抽取。"))
    published = plan.published_data
    result = drawing.draw(published, plan.seed)
    draw = PlanDraw.objects.create(
        plan=plan,
        seed=plan.seed,
        algorithm=plan.algorithm,
        result=result,
        drawn_at=now,
        drawn_by=actor,
    )
    brigades = {b.code: b.pk for b in OrgUnit.objects.filter(kind=OrgUnit.Kind.BRIGADE)}
    by_id = {c["id"]: c for c in published["candidates"]}
    inspections = []
    officers = []
    for candidate_id, pair in selections(result):
        inspection = Inspection(
            reference=_next_reference(now.year),
            kind=InspectionKind.RANDOM,
            plan=plan,
            enterprise_id=candidate_id,
            brigade_id=brigades[by_id[candidate_id]["brigade"]],
            created_by=actor,
            created_at=now,
        )
        inspections.append(inspection)
        officers.append(pair)
    Inspection.objects.bulk_create(inspections)
    InspectionAssignment.objects.bulk_create(
        InspectionAssignment(inspection=inspection, officer_id=officer_id, is_lead=n == 0)
        for inspection, pair in zip(inspections, officers, strict=True)
        for n, officer_id in enumerate(pair)
    )
    return draw


@transaction.atomic
def void_draw(*, actor: Any, plan: InspectionPlan, reason: str) -> InspectionPlan:
    """Void the draw of ``plan`` with a reason: the draw stays on record and on the public page,
    its inspections not yet visited are cancelled, and a new version (a draft carrying the
    reason) is opened, to be published with a new commitment before it is drawn."""
    authorize(policies.can_act_on_plan(actor, plan))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("作废抽取结果须说明理由。")]})
    now = timezone.now()
    count = PlanDraw.objects.filter(plan=plan, voided_at__isnull=True).update(
        voided_at=now, voided_by=actor, void_reason=reason
    )
    if count != 1 or plan.status != PlanStatus.DRAWN:
        raise StaleState(_("该计划没有可作废的抽取结果。"))
    transition(
        plan,
        workflow=PLAN_WORKFLOW,
        to=PlanStatus.SUPERSEDED,
        actor=actor,
        expected=PlanStatus.DRAWN,
        note=reason,
        updates={"superseded_at": now},
    )
    for inspection in plan.inspections.filter(status__in=NOT_VISITED):
        transition(
            inspection,
            workflow=INSPECTION_WORKFLOW,
            to=InspectionStatus.CANCELLED,
            actor=actor,
            note=reason,
        )
    return _new_version(plan, actor=actor, reason=reason)


# --- Verification --------------------------------------------------------------------------------
def verify_plan_draw(plan: InspectionPlan) -> dict[str, Any]:
    """Re-run the draw of ``plan`` from its published data and compare, check by check: the
    seed against its commitment, the rosters against their fingerprints, the result against a
    fresh run, and the inspections on record against the result."""
    draw = getattr(plan, "draw", None)
    if draw is None or not plan.published_data:
        raise Conflict(_("该计划尚未抽取，无法验证。"))
    algorithm = drawing
    data = plan.published_data
    recorded = sorted(
        (i.enterprise_id, sorted(a.officer_id for a in i.assignments.all()))
        for i in plan.inspections.prefetch_related("assignments")
    )
    expected = sorted((c, sorted(pair)) for c, pair in selections(draw.result))
    # drawing.verify never raises: malformed data, seed or result is a mismatch with a reason.
    outcome = algorithm.verify(data, draw.seed, draw.result)
    rerun = bool(outcome.get("matches"))
    checks = [
        ("seed_commitment", _("随机种子与事先公开的承诺值一致"),
         algorithm.seed_commitment(draw.seed) == plan.seed_commitment),
        ("candidates_fingerprint", _("检查对象名录与事先公开的指纹一致"),
         algorithm.candidates_fingerprint(data) == plan.candidates_fingerprint),
        ("inspectors_fingerprint", _("检查人员名录与事先公开的指纹一致"),
         algorithm.inspectors_fingerprint(data) == plan.inspectors_fingerprint),
        ("result", _("用公开数据和种子重新抽取，结果与公布的结果一致"), rerun),
        ("inspections", _("实际派发的检查任务与公布的抽取结果一致"),
         draw.is_void or recorded == expected),
    ]  # fmt: skip
    return {
        "matches": all(ok for _code, _label, ok in checks),
        "algorithm": draw.algorithm,
        "seed": draw.seed,
        "checks": [{"code": code, "label": str(label), "ok": ok} for code, label, ok in checks],
        "differences": list(outcome.get("differences", [])),
    }


# --- Results ---------------------------------------------------------------------------------------
@transaction.atomic
def publish_plan_results(*, actor: Any, plan: InspectionPlan) -> list[PublishedResult]:
    """Publish the results of the plan's visited inspections not yet published, and stop their
    publication clocks. Publishing again publishes only what was visited since."""
    authorize(policies.can_act_on_plan(actor, plan))
    if plan.status not in (PlanStatus.DRAWN, PlanStatus.SUPERSEDED) or not hasattr(plan, "draw"):
        raise Conflict(_("该计划尚未抽取，没有可公开的结果。"))
    now = timezone.now()
    ready = list(
        plan.inspections.filter(status__in=VISITED_STATUSES, published_result__isnull=True)
    )
    published = PublishedResult.objects.bulk_create(
        PublishedResult(plan=plan, inspection=i, published_at=now, published_by=actor)
        for i in ready
    )
    for clock in selectors.publication_clocks(ready).filter(stopped_at__isnull=True):
        clocks.stop_clock(clock=clock, actor=actor, at=now, reason=_("检查结果已公开"))
    return published
