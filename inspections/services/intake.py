"""Inspections outside plans: complaint verification, pre-opening verification of a commitment
permit, large-event checks, special campaigns, joint checks and case inspections.

Every inspection gets its two officers of the brigade at once. Special campaigns and joint
checks count toward an A-rated unit's yearly cap ("无事不扰") and are refused at the cap; the
kinds that happen because something happened are never blocked (rules.py).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from lishui_fire.accounts.contacts import contact_for
from lishui_fire.accounts.models import OrgUnit
from lishui_fire.accounts.policies import authorize
from lishui_fire.core import audit, clocks, documents
from lishui_fire.core.errors import Conflict, DomainError
from lishui_fire.core.notifications import notify
from lishui_fire.core.workflow import transition
from lishui_fire.enterprises import selectors as enterprise_selectors
from lishui_fire.enterprises.models import Enterprise

from .. import policies, rules, selectors
from ..models import (
    EXCLUDING_CONFLICT_STATUSES,
    Complaint,
    ComplaintCategory,
    ComplaintReply,
    ConflictDeclaration,
    Inspection,
    InspectionAssignment,
    InspectionKind,
    InspectionResult,
    InspectionStatus,
)
from ..selectors_roster import VISITED_STATUSES, certified_officers
from ..workflow import INSPECTION_WORKFLOW

log = logging.getLogger(__name__)

# The kinds a member of staff opens by hand here (a random one comes from a plan's draw, a
# re-check from an order to correct, a pre-opening verification from the permit).
OPENED_BY_HAND = (
    InspectionKind.LARGE_EVENT,
    InspectionKind.SPECIAL_CAMPAIGN,
    InspectionKind.JOINT,
    InspectionKind.CASE,
)
OFFICERS_PER_INSPECTION = 2
# A complaint received earlier than this is a typing mistake (the year), not a late entry.
RECEIVED_HORIZON = dt.timedelta(days=366)


# --- Officers (the roster: certified, not recused, not the unit's previous pair) ------------------
OPEN_STATUSES = (
    InspectionStatus.ASSIGNED,
    InspectionStatus.SCHEDULED,
    InspectionStatus.RECORDED,
    InspectionStatus.RECTIFYING,
)


def _eligible_officers(*, brigade_id: int, enterprise_id: int | None) -> Any:
    """The brigade's enforcement officers with a certificate valid today (the roster), less
    those who declared a conflict with this unit (pending or upheld: 回避), least loaded first
    (open assignments), then by account age."""
    officers = certified_officers(brigade_ids=[brigade_id], on_date=timezone.localdate())
    if enterprise_id is not None:
        recused = ConflictDeclaration.objects.filter(
            enterprise_id=enterprise_id, status__in=EXCLUDING_CONFLICT_STATUSES
        ).values("officer_id")
        officers = officers.exclude(pk__in=recused)
    return officers.annotate(
        load=Count(
            "inspection_assignments",
            filter=Q(inspection_assignments__inspection__status__in=OPEN_STATUSES),
        )
    ).order_by("load", "pk")


def _previous_pair(enterprise_id: int | None) -> set[int]:
    """The two officers of the unit's latest inspection that took place (not to be sent again
    as the same pair)."""
    if enterprise_id is None:
        return set()
    last = (
        Inspection.objects.filter(enterprise_id=enterprise_id, status__in=VISITED_STATUSES)
        .order_by(F("visited_at").desc(nulls_last=True), "-pk")
        .first()
    )
    if last is None:
        return set()
    pair = set(last.assignments.values_list("officer_id", flat=True))
    return pair if len(pair) == OFFICERS_PER_INSPECTION else set()


def draw_officers(
    *, brigade_id: int, enterprise_id: int | None = None, count: int = OFFICERS_PER_INSPECTION
) -> list[Any]:
    """Two eligible officers of the brigade (``_eligible_officers``), the least loaded, never the
    pair that inspected the unit last time when a third officer can break it."""
    eligible = list(_eligible_officers(brigade_id=brigade_id, enterprise_id=enterprise_id))
    chosen = eligible[:count]
    previous = _previous_pair(enterprise_id)
    if previous and {o.pk for o in chosen} == previous and len(eligible) > count:
        chosen = [chosen[0], eligible[count]]
    return chosen


def _chosen_officers(
    brigade_id: int, officers: Sequence[Any] | None, enterprise_id: int | None = None
) -> list[Any]:
    if not officers:
        drawn = draw_officers(brigade_id=brigade_id, enterprise_id=enterprise_id)
        if len(drawn) < OFFICERS_PER_INSPECTION:
            raise DomainError(_("本大队持有效执法证、且无需回避的执法人员不足两名，不能指派检查。"))
        return drawn
    pks = [getattr(o, "pk", o) for o in officers]
    if len(set(pks)) != OFFICERS_PER_INSPECTION:
        raise ValidationError({"officers": _("请选择两名不同的检查人员。")})
    eligible = _eligible_officers(brigade_id=brigade_id, enterprise_id=enterprise_id)
    found = {u.pk: u for u in eligible.filter(pk__in=pks)}
    if len(found) != OFFICERS_PER_INSPECTION:
        raise ValidationError(
            {"officers": _("检查人员应为本大队持有效执法证、且无需回避的执法人员。")}
        )
    return [found[pk] for pk in pks]


def _assign(inspection: Inspection, officers: Sequence[Any]) -> None:
    InspectionAssignment.objects.bulk_create(
        [
            InspectionAssignment(inspection=inspection, officer=officer, is_lead=index == 0)
            for index, officer in enumerate(officers)
        ]
    )


# --- The cap -----------------------------------------------------------------------------------------
def recheck_by_phone_message(inspection: Inspection) -> str:
    """Asking for the re-check online is not open yet: whom to call instead, with the number
    of the brigade that handles the inspection."""
    contact = contact_for(inspection.brigade)
    return _("网上申请复查暂未开通，请致电承办大队%(unit)s（%(hotline)s）申请复查。") % {
        "unit": contact.unit_name,
        "hotline": contact.hotline,
    }


def capped_inspections_this_year(*, enterprise: Enterprise, year: int) -> int:
    """How many inspections of the unit this calendar year count toward its grade's cap (visited
    in the year, or opened in it and not yet visited; cancelled ones do not count): the rows of
    ``selectors.capped_inspections``, the query the supervisors' dashboard shows too."""
    return selectors.capped_inspections(year=year).filter(enterprise=enterprise).count()


def check_cap(*, enterprise: Enterprise, kind: str, on: dt.date) -> None:
    """Refuse a capped kind for a unit whose grade's yearly cap is reached ("无事不扰")."""
    if not rules.counts_toward_cap(kind):
        return  # never blocked: nothing to count
    grade = enterprise_selectors.credit_grades_by_code().get(enterprise.credit_rating)
    cap = grade.max_planned_inspections_per_year if grade else None
    counted = capped_inspections_this_year(enterprise=enterprise, year=on.year)
    if rules.blocked_by_cap(kind=kind, cap=cap, capped_this_year=counted):
        raise DomainError(
            _(
                "%(unit)s 信用等级为 %(grade)s，本年度计划及专项、联合检查已达 %(cap)s 次上限"
                "（无事不扰），不能再安排%(kind)s。举报投诉核查、复查和案件调查中的检查不受此限。"
            )
            % {
                "unit": enterprise.name,
                "grade": grade.display_label if grade else enterprise.credit_rating,
                "cap": cap,
                "kind": InspectionKind(kind).label,
            }
        )


# --- Opening -----------------------------------------------------------------------------------------
def _reference(brigade: OrgUnit) -> str:
    year = timezone.localdate().year
    seq = documents.next_sequence_value(f"inspection:{brigade.code}", year)
    return f"JC{year}{brigade.code}{seq:05d}"


def _lock_unit(enterprise: Enterprise) -> Enterprise:
    # The unit's row first: two openings for one unit at its cap are counted one after the other.
    return Enterprise.objects.select_for_update().get(pk=enterprise.pk)


def _create(
    *,
    kind: str,
    enterprise: Enterprise,
    actor: Any,
    officers: Sequence[Any] | None,
    reason: str = "",
    joint_department: str = "",
    source_reference: str = "",
    planned_date: dt.date | None = None,
) -> Inspection:
    brigade = enterprise.brigade
    chosen = _chosen_officers(brigade.pk, officers, enterprise.pk)
    inspection = Inspection(
        kind=kind,
        enterprise=enterprise,
        brigade=brigade,
        reason=(reason or "").strip(),
        joint_department=(joint_department or "").strip(),
        source_reference=source_reference,
        planned_date=planned_date,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    inspection.reference = _reference(brigade)
    inspection.full_clean(validate_unique=False, validate_constraints=False)
    inspection.save()
    _assign(inspection, chosen)
    return inspection


@transaction.atomic
def open_inspection(
    *,
    actor: Any,
    kind: str,
    enterprise: Enterprise,
    reason: str,
    joint_department: str = "",
    officers: Sequence[Any] | None = None,
    planned_date: dt.date | None = None,
) -> Inspection:
    """A large-event check, a special campaign, a joint check (with which department) or a
    case inspection, with its two officers. Capped kinds are refused at an A-rated unit's cap."""
    authorize(policies.can_open_inspection(actor, enterprise.brigade_id))
    if kind not in OPENED_BY_HAND:
        raise ValidationError({"kind": _("请选择检查类型。")})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("请写明检查事由。")})
    if kind == InspectionKind.JOINT and not (joint_department or "").strip():
        raise ValidationError({"joint_department": _("联合检查请写明联合的部门。")})
    if kind != InspectionKind.JOINT:
        joint_department = ""
    today = timezone.localdate()
    if planned_date is not None and not today <= planned_date <= today + RECEIVED_HORIZON:
        raise ValidationError({"planned_date": _("计划检查日期应在今天至一年以内。")})
    enterprise = _lock_unit(enterprise)
    check_cap(enterprise=enterprise, kind=kind, on=today)
    return _create(
        kind=kind,
        enterprise=enterprise,
        actor=actor,
        officers=officers,
        reason=reason,
        joint_department=joint_department,
        planned_date=planned_date,
    )


# --- Complaints ------------------------------------------------------------------------------------
@transaction.atomic
def register_complaint(
    *,
    actor: Any,
    enterprise: Enterprise,
    channel: str,
    category: str,
    content: str,
    received_at: dt.datetime,
    complainant_name: str = "",
    complainant_phone: str = "",
    ticket_number: str = "",
    officers: Sequence[Any] | None = None,
) -> Complaint:
    """Register a report (举报投诉) about a unit: the verification inspection with its two
    officers, and the clock its category sets (24 hours or 3 working days, rules.py). Never
    blocked by the A-grade cap."""
    authorize(policies.can_open_inspection(actor, enterprise.brigade_id))
    now = timezone.now()
    if received_at is None or timezone.is_naive(received_at):
        raise ValidationError({"received_at": _("请填写接报时间。")})
    if received_at > now:
        raise ValidationError({"received_at": _("接报时间不能晚于现在。")})
    if received_at < now - RECEIVED_HORIZON:
        raise ValidationError({"received_at": _("接报时间不能早于一年以前，请检查年份。")})
    if not (content or "").strip():
        raise ValidationError({"content": _("请填写举报内容。")})
    try:
        rule_code = rules.complaint_clock_rule(category, known=ComplaintCategory.values)
    except ValueError as exc:
        raise ValidationError({"category": _("请选择举报类别。")}) from exc
    ticket_number = (ticket_number or "").strip()
    if (
        ticket_number
        and Inspection.objects.filter(
            kind=InspectionKind.COMPLAINT, source_reference=ticket_number
        ).exists()
    ):
        raise ValidationError({"ticket_number": _("该工单已登记，请勿重复登记。")})
    inspection = _create(
        kind=InspectionKind.COMPLAINT,
        enterprise=enterprise,
        actor=actor,
        officers=officers,
        # Not the content: what a complainant wrote can tell the unit who wrote it; the
        # content stays in the complaint register, read by staff only.
        reason=_("举报投诉核查：%(category)s") % {"category": ComplaintCategory(category).label},
        source_reference=ticket_number,
    )
    complaint = Complaint(
        inspection=inspection,
        channel=channel,
        ticket_number=ticket_number,
        complainant_name=(complainant_name or "").strip(),
        complainant_phone=(complainant_phone or "").strip(),
        category=category,
        content=content.strip(),
        received_at=received_at,
    )
    complaint.full_clean(exclude=["inspection"])
    complaint.save()
    lead = inspection.assignments.filter(is_lead=True).select_related("officer").first()
    clocks.start_clock(
        subject=complaint,
        milestone=rules.COMPLAINT_MILESTONE,
        code=rule_code,
        started_at=received_at,
        actor=actor,
        brigade_id=inspection.brigade_id,
        responsible=lead.officer if lead else None,
        is_next=True,
    )
    return complaint


def complaint_clock(complaint: Complaint) -> Any:
    """The verification clock of a complaint (the live one, else the last one), or None."""
    history = list(clocks.clocks_of(complaint).filter(milestone=rules.COMPLAINT_MILESTONE))
    return history[-1] if history else None


@transaction.atomic
def record_complaint_verified(
    *, inspection: Inspection, actor: Any, at: dt.datetime | None = None
) -> None:
    """The officers have verified the complaint on site: its clock stops (met, or met late).

    The visits part calls this when it records the visit of a complaint inspection; replying to
    the complainant calls it too, since a result can only be told once it is verified.
    """
    complaint = Complaint.objects.filter(inspection=inspection).first()
    if complaint is None:
        return
    clock = clocks.live_clock(complaint, rules.COMPLAINT_MILESTONE)
    if clock is not None:
        clocks.stop_clock(clock=clock, actor=actor, at=at, reason=_("已实地核查"))


VERIFIED_STATUSES = (
    InspectionStatus.RECORDED,
    InspectionStatus.RECTIFYING,
    InspectionStatus.CLOSED,
    InspectionStatus.REFERRED,
)


@transaction.atomic
def reply_to_complainant(*, complaint: Complaint, actor: Any, method: str, text: str) -> Complaint:
    """Tell the complainant the result (by SMS through the outbox, or record a call or a
    letter), or record why they cannot be told (DOMAIN.md §2.5: "this is noted"). Once."""
    inspection = complaint.inspection
    authorize(policies.can_reply_to_complainant(actor, inspection.brigade_id))
    text = (text or "").strip()
    if method not in ComplaintReply.values:
        raise ValidationError({"method": _("请选择告知方式。")})
    if not text:
        raise ValidationError(
            {
                "text": _("请写明无法告知的原因。")
                if method == ComplaintReply.IMPOSSIBLE
                else _("请填写告知举报人的处理结果。")
            }
        )
    if method in (ComplaintReply.SMS, ComplaintReply.PHONE) and not complaint.complainant_phone:
        raise ValidationError({"method": _("举报人未留电话，请选择书面告知或记录无法告知的原因。")})
    if method != ComplaintReply.IMPOSSIBLE and inspection.status not in VERIFIED_STATUSES:
        raise DomainError(_("尚未完成核查，不能告知举报人处理结果。"))
    now = timezone.now()
    updated = Complaint.objects.filter(pk=complaint.pk, replied_at__isnull=True).update(
        replied_at=now, reply_method=method, reply_text=text[:1000], replied_by=actor
    )
    if updated != 1:
        raise Conflict(_("已告知举报人处理结果，不能重复告知。"))
    audit.record_change(
        complaint,
        actor=actor,
        changes={"reply_method": ("", method), "replied_at": (None, now.isoformat())},
        reason=text[:200],
    )
    complaint.refresh_from_db()
    if method == ComplaintReply.SMS:
        notify(
            channel="sms",
            address=complaint.complainant_phone,
            body=_("【丽水消防】您反映的消防安全问题（%(ref)s）核查结果：%(text)s")
            % {"ref": inspection.reference, "text": text},
            dedupe_key=f"complaint-reply-{complaint.pk}",
        )
    if inspection.status in VERIFIED_STATUSES:
        record_complaint_verified(inspection=inspection, actor=actor, at=now)
    return complaint


def reveal_complainant_phone(
    *, complaint: Complaint, actor: Any, remote_addr: str | None = None
) -> str:
    """The complainant's full phone for the handling staff of the brigade, recorded in the audit
    log as an ACCESS (PIPL: every view of a full value)."""
    authorize(policies.can_see_complainant(actor, complaint.inspection.brigade_id))
    return audit.reveal(complaint, "complainant_phone", actor=actor, remote_addr=remote_addr)


# --- Pre-opening verification of a commitment permit (DOMAIN.md §1.2) ------------------------------
@transaction.atomic
def open_pre_opening_verification(
    *,
    permit_reference: str,
    enterprise_id: int | None,
    venue_name: str = "",
    actor: Any = None,
    **_extra: Any,
) -> Inspection | None:
    """A permit granted on the commitment path is verified on site: the verification becomes an
    inspection of kind pre_opening, linked to the permit by its reference. Announced by the
    permit's grant (core.plugins.announce); safe to announce twice (one inspection per permit).

    Not opened (and logged) when the permit names no registered unit or the brigade lacks two
    officers: the permit's own verification clock still runs; the grant is never undone.
    """
    existing = Inspection.objects.filter(
        kind=InspectionKind.PRE_OPENING, source_reference=permit_reference
    ).first()
    if existing is not None:
        return existing
    enterprise = (
        None
        if enterprise_id is None
        else Enterprise.objects.filter(pk=enterprise_id).select_related("brigade").first()
    )
    if enterprise is None:
        log.info("permit %s: no registered unit, no pre-opening inspection", permit_reference)
        return None
    try:
        with transaction.atomic():
            return _create(
                kind=InspectionKind.PRE_OPENING,
                enterprise=enterprise,
                actor=actor,
                officers=None,
                reason=_("告知承诺许可 %(ref)s 后的现场核查：%(venue)s")
                % {"ref": permit_reference, "venue": venue_name},
                source_reference=permit_reference,
            )
    except DomainError:
        log.warning("permit %s: fewer than two officers, no inspection opened", permit_reference)
        return None
    except IntegrityError:  # announced twice at once: the other one opened it
        return Inspection.objects.get(
            kind=InspectionKind.PRE_OPENING, source_reference=permit_reference
        )


@transaction.atomic
def record_pre_opening_verification(
    *,
    permit_reference: str,
    matches: bool,
    visited_at: dt.datetime,
    rectification_due: dt.date | None = None,
    actor: Any = None,
    **_extra: Any,
) -> Inspection | None:
    """The verification visit recorded on the permit (permits.record_verification) is the visit
    of its pre-opening inspection: recorded, no problem or ordered to correct by the permit's
    deadline. Announced by the permits app; a second announcement changes nothing."""
    inspection = (
        Inspection.objects.select_for_update()
        .filter(kind=InspectionKind.PRE_OPENING, source_reference=permit_reference)
        .first()
    )
    if inspection is None or inspection.status not in (
        InspectionStatus.ASSIGNED,
        InspectionStatus.SCHEDULED,
    ):
        return inspection
    result = InspectionResult.NO_PROBLEM if matches else InspectionResult.ORDERED_TO_CORRECT
    transition(
        inspection,
        workflow=INSPECTION_WORKFLOW,
        to=InspectionStatus.RECORDED,
        actor=actor,
        note=_("告知承诺许可 %(ref)s 的核查已记录") % {"ref": permit_reference},
        updates={
            "visited_at": visited_at,
            "result": result,
            "rectify_by": None if matches else rectification_due,
        },
    )
    return inspection
