"""Fire investigation cases on the kernel's clocks (measure 5; DOMAIN.md §5).

A case opens from an incident. The determination clock starts at the alarm, on the rule the
three facts pick (rules.determination_rule); a changed fact switches the rule with a reason;
laboratory testing pauses it; a complex case is extended once with the next-higher authority's
approval, before the clock runs out (the kernel refuses a late or a second one).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lishui_fire.accounts.models import OrgUnit
from lishui_fire.accounts.policies import authorize
from lishui_fire.core import clocks
from lishui_fire.core.documents import next_sequence_value
from lishui_fire.core.errors import Conflict, DomainError

from . import policies, rules
from .models import (
    Incident,
    InvestigationCase,
    InvestigationLimits,
    Level,
    Procedure,
    SceneEvent,
    SceneEventKind,
    SceneStatus,
)

DETERMINATION = "determination"

SIMPLE_REFUSALS = {
    rules.SimpleRefusal.CASUALTIES: lambda: _("有人员伤亡"),
    rules.SimpleRefusal.LOSS_TOO_HIGH: lambda: _("直接财产损失超过简易程序的限额"),
    rules.SimpleRefusal.LOSS_UNKNOWN: lambda: _("直接财产损失尚未核定"),
    rules.SimpleRefusal.DISPUTED: lambda: _("当事人对火灾事实有异议"),
    rules.SimpleRefusal.ARSON_SUSPECTED: lambda: _("有放火嫌疑"),
}


def limits_in_force(on: dt.date) -> InvestigationLimits:
    limits = InvestigationLimits.objects.filter(effective_from__lte=on).first()
    if limits is None:
        raise DomainError(_("火灾调查限额尚未设置，请联系系统管理员。"))
    return limits


def jurisdiction_of(incident: Incident) -> rules.Level:
    limits = limits_in_force(timezone.localdate(incident.alarm_received_at))
    return rules.jurisdiction(
        rules.Severity(
            deaths=incident.deaths,
            serious_injuries=incident.serious_injuries,
            households_affected=incident.households_affected,
        ),
        rules.JurisdictionThresholds(
            province_deaths=limits.province_deaths,
            province_serious_injuries=limits.province_serious_injuries,
            province_households=limits.province_households,
            detachment_deaths=limits.detachment_deaths,
            detachment_serious_injuries=limits.detachment_serious_injuries,
            detachment_households=limits.detachment_households,
        ),
    )


def simple_procedure_refusals(
    incident: Incident, *, facts_disputed: bool, arson_suspected: bool
) -> list[rules.SimpleRefusal]:
    limits = limits_in_force(timezone.localdate(incident.alarm_received_at))
    return rules.simple_procedure_refusals(
        rules.SimpleFacts(
            deaths=incident.deaths,
            injuries=incident.serious_injuries + incident.minor_injuries,
            direct_loss_yuan=(
                Decimal(incident.direct_loss_yuan)
                if incident.direct_loss_yuan is not None
                else None
            ),
            facts_disputed=facts_disputed,
            arson_suspected=arson_suspected,
        ),
        max_loss_yuan=limits.simple_max_loss_yuan,
    )


def _case_unit(incident: Incident, level: rules.Level) -> OrgUnit:
    """A brigade's fire stays with it; a city- or province-level fire goes to the detachment
    (which hands a provincial case on and keeps the record)."""
    if level == rules.Level.BRIGADE:
        return incident.brigade
    detachment = incident.brigade.parent
    if detachment is None:
        return incident.brigade
    return detachment


def _reference(unit: OrgUnit, year: int) -> str:
    return f"HD{year}{unit.code}{next_sequence_value(f'fire_case:{unit.code}', year):05d}"


@transaction.atomic
def open_case(
    *,
    actor: Any,
    incident: Incident,
    procedure: str,
    investigators: list[Any],
    enterprise_involved: bool,
    has_dispute: bool,
    criminal_liability: bool,
    arson_suspected: bool = False,
) -> InvestigationCase:
    """Open the investigation of ``incident``; its determination clock runs from the alarm."""
    authorize(policies.can_handle_case(actor, incident.brigade_id))
    incident = (
        Incident.objects.select_for_update(of=("self",))
        .select_related("brigade__parent")
        .get(pk=incident.pk)
    )
    if InvestigationCase.objects.filter(incident=incident).exists():
        raise Conflict(_("该警情已立案调查。"))
    if procedure not in Procedure.values:
        raise ValidationError({"procedure": _("请选择调查程序。")})
    if procedure == Procedure.SIMPLE:
        refusals = simple_procedure_refusals(
            incident, facts_disputed=has_dispute, arson_suspected=arson_suspected
        )
        if refusals:
            raise ValidationError(
                {
                    "procedure": _("不能适用简易调查程序：%(reasons)s。")
                    % {"reasons": "；".join(str(SIMPLE_REFUSALS[r]()) for r in refusals)}
                }
            )
    distinct = list({u.pk: u for u in investigators}.values())
    needed = rules.investigators_required(simple=procedure == Procedure.SIMPLE)
    if len(distinct) < needed:
        raise ValidationError(
            {"investigators": _("该程序至少需要 %(n)s 名调查人员。") % {"n": needed}}
        )
    level = jurisdiction_of(incident)
    unit = _case_unit(incident, level)
    for person in distinct:
        if not policies.can_handle_case(person, unit.pk):
            raise ValidationError(
                {"investigators": _("%(name)s 不是承办单位的调查人员。") % {"name": person}}
            )
    case = InvestigationCase.objects.create(
        reference=_reference(unit, timezone.localdate(incident.alarm_received_at).year),
        incident=incident,
        brigade=unit,
        level=Level(level.value),
        procedure=procedure,
        enterprise_involved=enterprise_involved,
        has_dispute=has_dispute,
        criminal_liability=criminal_liability,
        arson_suspected=arson_suspected,
        created_by=actor,
    )
    case.investigators.set(distinct)
    clocks.start_clock(
        subject=case,
        milestone=DETERMINATION,
        code=rules.determination_rule(case.facts),
        started_at=incident.alarm_received_at,
        actor=actor,
        responsible=distinct[0],
        is_next=True,
    )
    _sync_days(case)
    case.refresh_from_db()
    return case


def _sync_days(case: InvestigationCase) -> None:
    clock = clocks.live_clock(case, DETERMINATION)
    if clock is None:
        return
    days = clock.rule.count + sum(e.size for e in clock.extensions.all())
    InvestigationCase.objects.filter(pk=case.pk).update(determination_days=days)


def _live_determination(case: InvestigationCase) -> Any:
    clock = clocks.live_clock(case, DETERMINATION)
    if clock is None:
        raise DomainError(_("认定时限已结束计时。"))
    return clock


@transaction.atomic
def change_facts(
    *,
    actor: Any,
    case: InvestigationCase,
    reason: str,
    enterprise_involved: bool | None = None,
    has_dispute: bool | None = None,
    criminal_liability: bool | None = None,
) -> InvestigationCase:
    """Record a changed fact (a dispute arising on day 19); the clock follows its rule, from the
    same alarm, with the reason in its history, and its reminders move with it."""
    authorize(policies.can_handle_case(actor, case.brigade_id))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("请写明事实变化的原因。")})
    case = InvestigationCase.objects.select_for_update().get(pk=case.pk)
    changed = []
    for name, value in (
        ("enterprise_involved", enterprise_involved),
        ("has_dispute", has_dispute),
        ("criminal_liability", criminal_liability),
    ):
        if value is not None and getattr(case, name) != value:
            setattr(case, name, value)
            changed.append(name)
    if not changed:
        return case
    case.save(update_fields=[*changed, "updated_at"])
    clock = _live_determination(case)
    clocks.switch_rule(
        clock=clock, code=rules.determination_rule(case.facts), reason=reason, actor=actor
    )
    _sync_days(case)
    case.refresh_from_db()
    return case


def send_to_lab(
    *, actor: Any, case: InvestigationCase, what: str, at: dt.datetime | None = None
) -> Any:
    """Evidence goes for testing or appraisal (检验、鉴定): that time is not counted."""
    authorize(policies.can_handle_case(actor, case.brigade_id))
    if not (what or "").strip():
        raise ValidationError({"reason": _("请写明送检的物证和检验、鉴定机构。")})
    return clocks.pause_clock(
        clock=_live_determination(case),
        reason=_("送检（检验、鉴定时间不计入）：%(what)s") % {"what": what.strip()},
        actor=actor,
        at=at,
    )


def lab_result_back(*, actor: Any, case: InvestigationCase, at: dt.datetime | None = None) -> Any:
    authorize(policies.can_handle_case(actor, case.brigade_id))
    return clocks.resume_clock(clock=_live_determination(case), actor=actor, at=at)


def extend(
    *,
    actor: Any,
    case: InvestigationCase,
    reason: str,
    approved_at: dt.datetime | None = None,
) -> Any:
    """A complex case: 30 more days with the next-higher authority's approval, once, recorded
    before the clock runs out (the kernel refuses a late or a second extension)."""
    authorize(policies.can_approve_extension(actor, case.brigade_id))
    with transaction.atomic():
        extension = clocks.extend_clock(
            clock=_live_determination(case),
            approver=actor,
            reason=reason,
            actor=actor,
            approved_at=approved_at,
        )
        _sync_days(case)
    return extension


# --- The scene ---------------------------------------------------------------------------------
@transaction.atomic
def record_scene(
    *,
    actor: Any,
    case: InvestigationCase,
    kind: str,
    scope: str = "",
    reason: str = "",
    at: dt.datetime | None = None,
    early: bool = False,
) -> SceneEvent:
    """Set the protected scene, narrow it (new scope and why), or release it (the survey ended,
    or early on the parties' signed consent, each party's consent recorded)."""
    authorize(policies.can_handle_case(actor, case.brigade_id))
    case = InvestigationCase.objects.select_for_update().get(pk=case.pk)
    at = at or timezone.now()
    if at > timezone.now():
        raise ValidationError({"at": _("时间不能晚于当前时间。")})
    allowed = {
        SceneStatus.NONE: {SceneEventKind.PROTECT},
        SceneStatus.PROTECTED: {SceneEventKind.NARROW, SceneEventKind.RELEASE},
        SceneStatus.NARROWED: {SceneEventKind.NARROW, SceneEventKind.RELEASE},
        SceneStatus.RELEASED: set(),
    }[SceneStatus(case.scene_status)]
    if kind not in allowed:
        raise Conflict(_("现场当前状态下不能进行该操作。"))
    if kind in (SceneEventKind.PROTECT, SceneEventKind.NARROW) and not scope.strip():
        raise ValidationError({"scope": _("请写明保护范围。")})
    if kind == SceneEventKind.NARROW and not reason.strip():
        raise ValidationError({"reason": _("请写明缩小范围的理由。")})
    if case.scene_protected_at is not None and at < case.scene_protected_at:
        raise ValidationError({"at": _("时间不能早于设立现场保护的时间。")})
    if kind == SceneEventKind.RELEASE and early:
        parties = list(case.parties.all())
        if not parties or not all(p.consents_to_release for p in parties):
            raise DomainError(_("提前解封须每一位当事人签字确认无异议。"))
    event = SceneEvent.objects.create(
        case=case,
        kind=kind,
        at=at,
        scope=scope.strip(),
        reason=reason.strip(),
        early=early and kind == SceneEventKind.RELEASE,
        recorded_by=actor,
    )
    if kind == SceneEventKind.PROTECT:
        case.scene_status, case.scene_protected_at = SceneStatus.PROTECTED, at
    elif kind == SceneEventKind.NARROW:
        case.scene_status = SceneStatus.NARROWED
    else:
        case.scene_status, case.scene_released_at = SceneStatus.RELEASED, at
    case.save(update_fields=["scene_status", "scene_protected_at", "scene_released_at"])
    return event


# --- Operations (measure 6) ---------------------------------------------------------------------
@transaction.atomic
def save_quiet_period(*, actor: Any, period: Any) -> Any:
    """A supervisor enters (or corrects) a quiet period from its official notice."""
    authorize(policies.can_manage_quiet_periods(actor))
    if not (period.source or "").strip():
        raise ValidationError({"source": _("请填写通知文号或网址：静默时段以官方通知为准。")})
    if period.starts_at and period.ends_at and period.ends_at <= period.starts_at:
        raise ValidationError({"ends_at": _("结束时间应晚于开始时间。")})
    period.full_clean()
    if period.created_by_id is None:
        period.created_by = actor
    period.save()
    # Incidents recorded inside its window learn of it (an incident is never unmarked here:
    # a period corrected later keeps what the duty officer was shown).
    from .selectors import quiet_period_at

    for incident in Incident.objects.filter(
        quiet_period__isnull=True,
        alarm_received_at__gte=period.starts_at,
        alarm_received_at__lt=period.ends_at,
    ):
        found = quiet_period_at(moment=incident.alarm_received_at, brigade_id=incident.brigade_id)
        if found is not None:
            Incident.objects.filter(pk=incident.pk).update(quiet_period=found)
    return period


def _incident_reference(brigade: OrgUnit, year: int) -> str:
    return f"JQ{year}{brigade.code}{next_sequence_value(f'incident:{brigade.code}', year):05d}"


@transaction.atomic
def record_incident(*, actor: Any, brigade: OrgUnit, **fields: Any) -> Incident:
    """The duty officer records a call-out; an alarm inside a quiet period is marked so (lights
    only, no siren, none on the way back)."""
    from .selectors import quiet_period_at

    authorize(policies.can_record_incident(actor, brigade.pk))
    alarm = fields.get("alarm_received_at")
    if alarm is None:
        raise ValidationError({"alarm_received_at": _("请填写接警时间。")})
    if alarm > timezone.now():
        raise ValidationError({"alarm_received_at": _("接警时间不能晚于当前时间。")})
    incident = Incident(
        brigade=brigade,
        reference=_incident_reference(brigade, timezone.localdate(alarm).year),
        recorded_by=actor,
        quiet_period=quiet_period_at(moment=alarm, brigade_id=brigade.pk),
        **fields,
    )
    incident.full_clean()
    incident.save()
    return incident
