"""Visits and rectification: what the two officers do in the field and what follows.

The life of an inspection here (``inspections/workflow.py``):

* **schedule** (assigned → scheduled): an officer or the brigade's supervisor plans the date;
* **findings** are added one by one while the visit is open (violation code, location, photo,
  corrected on the spot or not);
* **record** (→ recorded): the checklist of the venue type, the result (no problem / corrected
  on the spot / ordered to correct by a date / further action), the note;
* **confirm**: each assigned officer confirms the record; the second confirmation moves the
  inspection on (closed, rectifying or referred), issues the 消防监督检查记录 (and the
  责令立即改正通知书 for what was corrected on the spot), starts the clocks: the deadline notice
  to serve within 3 working days of the visit, the re-check within 3 working days after the
  deadline (or after the unit asks), and for a plan's inspection the publication of its result;
* **return** (recorded → scheduled): before the second confirmation, the record goes back to
  be corrected, and both confirmations are cleared;
* **serve the deadline notice** (责令限期改正通知书): stops its clock;
* **request the re-check** (the unit, online or in person): the re-check clock runs from then;
* the **re-check** is an inspection of kind ``recheck`` (``follows`` the original) for the same
  two officers, logged like a visit; passed → the original closes, failed → it is referred;
  either way the unit's credit record gets ``rectified_on_time`` or ``rectified_late``.

Every change is atomic, authorised by ``inspections.policies`` and moves the status through
``lishui_fire.core.workflow.transition`` (compare-and-set); an illegal move is refused
(``IllegalTransition``: 409 in the API).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lishui_fire.accounts import policies as kernel
from lishui_fire.accounts.models import OrgUnit, Role, User
from lishui_fire.accounts.policies import authorize
from lishui_fire.core import clocks, documents
from lishui_fire.core.errors import Conflict, DomainError, IllegalTransition, StaleState
from lishui_fire.core.models import Clock
from lishui_fire.core.notifications import notify
from lishui_fire.core.storage import save_or_refuse
from lishui_fire.core.workflow import transition
from lishui_fire.enterprises import services as enterprise_services
from lishui_fire.enterprises.models import CreditEventKind
from permits.services.common import check_upload

from .. import policies_visits as policies
from .. import rules_visits as rules
from .. import selectors_visits as selectors
from ..models import (
    ChecklistEntry,
    ChecklistOutcome,
    Inspection,
    InspectionAssignment,
    InspectionDocument,
    InspectionDocumentKind,
    InspectionFinding,
    InspectionKind,
    InspectionPlan,
    InspectionResult,
    InspectionStatus,
    ViolationCode,
)
from ..workflow import INSPECTION_WORKFLOW
from . import intake

S = InspectionStatus
R = InspectionResult
DocKind = InspectionDocumentKind

# The clocks of a visit: (milestone, DeadlineRule code). The rules are data rows
# (migrations/0006_visits_seed.py), with their legal basis; nothing here counts days.
DEADLINE_NOTICE = ("deadline_notice", "inspection.deadline_notice")
RECHECK = ("recheck", "inspection.recheck")
# The plans part stops this clock when it publishes the results (coordinated by these names).
PUBLICATION = ("result_publication", "inspection_result_publication")

OPEN_FOR_FINDINGS = (S.ASSIGNED, S.SCHEDULED)
# Officers who may be put on an inspection: certified enforcement staff of the brigade.
OFFICER_ROLES = (Role.INSPECTOR, Role.BRIGADE_SUPERVISOR)
DOCUMENT_PREFIX = {
    DocKind.RECORD: "监检字",
    DocKind.IMMEDIATE_NOTICE: "立改字",
    DocKind.DEADLINE_NOTICE: "限改字",
}

PROBLEM_MESSAGES = {
    "future_visit": lambda: _("检查时间不能晚于现在。"),
    "recheck_result": lambda: _("复查只能记录为“未发现问题”“当场改正”或“移交进一步处理”。"),
    "needs_findings": lambda: _("该检查结果须至少记录一个发现的问题。"),
    "findings_but_no_problem": lambda: _("已记录发现的问题，检查结果不能为“未发现问题”。"),
    "not_all_corrected": lambda: _("仍有未当场改正的问题，检查结果不能为“当场改正”。"),
    "rectify_by_missing": lambda: _("责令限期改正时请填写整改期限。"),
    "rectify_by_not_after_visit": lambda: _("整改期限应在检查日期之后。"),
    "rectify_by_too_far": lambda: _("整改期限不能超过检查之日起一年。"),
    "rectify_by_not_ordered": lambda: _("只有责令限期改正时才填写整改期限。"),
    "rectified_on_missing": lambda: _("复查合格时请填写单位完成整改的日期。"),
    "rectified_on_not_recheck": lambda: _("只有复查合格时才填写整改完成日期。"),
    "rectified_on_after_visit": lambda: _("整改完成日期不能晚于复查日期。"),
    "checklist_failed": lambda: _("有不符合的检查项目，检查结果不能为“未发现问题”。"),
}


# --- Creating inspections ----------------------------------------------------------------------
def next_reference(brigade: OrgUnit, *, year: int | None = None) -> str:
    """JC2026LD00001: one yearly series per brigade, gap-free inside the caller's transaction
    (every part of the app that creates inspections numbers them here)."""
    year = year or timezone.localdate().year
    # The same series as the intake part's inspections (one gap-free number per brigade-year).
    seq = documents.next_sequence_value(f"inspection:{brigade.code}", year)
    return f"JC{year}{brigade.code}{seq:05d}"


def _check_officers(officers: Sequence[User], brigade: OrgUnit) -> list[User]:
    distinct = list({o.pk: o for o in officers}.values())
    if len(distinct) < 2:
        raise ValidationError({"officers": _("每次检查须由两名以上执法人员进行。")})
    for officer in distinct:
        if (
            not officer.is_active
            or officer.role not in OFFICER_ROLES
            or officer.org_unit_id != brigade.pk
        ):
            raise ValidationError(
                {
                    "officers": _("%(name)s 不是本大队在岗的执法人员。")
                    % {"name": officer.real_name or officer.username}
                }
            )
    return distinct


@transaction.atomic
def create_inspection(
    *,
    kind: str,
    enterprise: Any,
    officers: Sequence[User],
    actor: Any = None,
    plan: InspectionPlan | None = None,
    follows: Inspection | None = None,
    planned_date: dt.date | None = None,
    source_reference: str = "",
    reason: str = "",
) -> Inspection:
    """An inspection of ``enterprise`` by ``officers`` (the first leads), in the unit's brigade.

    ``actor`` None is the system (a draw, a re-check following an order); a person must be a
    supervisor of the brigade.
    """
    brigade = enterprise.brigade
    if actor is not None:
        authorize(
            kernel.is_supervisor_or_admin(actor) and kernel.handles_brigade(actor, brigade.pk)
        )
    if kind not in InspectionKind.values:
        raise ValidationError({"kind": _("未知的检查类型。")})
    team = _check_officers(officers, brigade)
    # "无事不扰": a capped kind is refused at a unit whose grade's yearly cap is reached.
    intake.check_cap(enterprise=enterprise, kind=kind, on=timezone.localdate())
    inspection = Inspection.objects.create(
        reference=next_reference(brigade),
        kind=kind,
        plan=plan,
        enterprise=enterprise,
        brigade=brigade,
        follows=follows,
        planned_date=planned_date,
        source_reference=source_reference,
        reason=(reason or "").strip(),
        status=S.SCHEDULED if planned_date else S.ASSIGNED,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    InspectionAssignment.objects.bulk_create(
        InspectionAssignment(inspection=inspection, officer=officer, is_lead=index == 0)
        for index, officer in enumerate(team)
    )
    return inspection


# --- Scheduling --------------------------------------------------------------------------------
@transaction.atomic
def schedule_inspection(*, inspection: Inspection, actor: Any, planned_date: dt.date) -> Inspection:
    """Plan (or move) the date of the visit."""
    authorize(policies.can_schedule_inspection(actor, inspection))
    today = timezone.localdate()
    if planned_date < today:
        raise ValidationError({"planned_date": _("计划检查日期不能早于今天。")})
    if (planned_date - today).days > rules.MAX_RECTIFICATION_DAYS:
        raise ValidationError({"planned_date": _("计划检查日期不能超过一年以后。")})
    current = _locked(inspection)
    if current.status not in OPEN_FOR_FINDINGS:
        # Recorded → scheduled is the return of a record, not a new date (return_record).
        raise IllegalTransition(
            _("当前状态为“%(status)s”，不能再安排检查日期。")
            % {"status": INSPECTION_WORKFLOW.label(current.status)}
        )
    if current.status == S.SCHEDULED:
        Inspection.objects.filter(pk=current.pk, status=S.SCHEDULED).update(
            planned_date=planned_date, updated_at=timezone.now()
        )
        inspection.planned_date = planned_date
        return inspection
    transition(
        inspection,
        workflow=INSPECTION_WORKFLOW,
        to=S.SCHEDULED,
        actor=actor,
        expected=current.status,
        note=f"{planned_date:%Y-%m-%d}",
        updates={"planned_date": planned_date},
    )
    return inspection


# --- Findings ----------------------------------------------------------------------------------
def _require_open_for_findings(status: str) -> None:
    if status == S.RECORDED:
        raise DomainError(_("检查记录已提交，需先退回修改才能增删问题。"))
    if status not in OPEN_FOR_FINDINGS:
        raise DomainError(_("该检查已确认，不能再增删问题。"))


def add_finding(
    *,
    inspection: Inspection,
    actor: Any,
    violation: ViolationCode,
    description: str,
    location: str,
    corrected_on_spot: bool = False,
    photo: UploadedFile | None = None,
) -> InspectionFinding:
    """One problem found on the visit; the photo is checked by its content (JPEG or PNG)."""
    authorize(policies.can_record_visit(actor, inspection))
    _require_open_for_findings(inspection.status)
    if not violation.active:
        raise ValidationError({"violation": _("该违法行为代码已停用。")})
    finding = InspectionFinding(
        inspection=inspection,
        violation=violation,
        description=(description or "").strip(),
        location=(location or "").strip(),
        corrected_on_spot=bool(corrected_on_spot),
        created_by=actor,
    )
    finding.full_clean(exclude=["inspection", "violation", "photo", "created_by"])
    photo_name = ""
    if photo is not None:
        try:
            content_type, digest = check_upload(photo, images_only=True)
        except ValidationError as exc:
            raise ValidationError({"photo": exc.messages}) from exc
        photo_name = f"{digest[:16]}{'.png' if content_type == 'image/png' else '.jpg'}"
    with transaction.atomic():
        # Under the lock: the record may have been submitted while the form was open.
        _require_open_for_findings(_locked(inspection).status)
        stored = ""
        if photo is not None:
            save_or_refuse(finding.photo, photo_name, photo, form_field="photo")
            stored = finding.photo.name
        try:
            finding.save()
        except Exception:
            if stored:
                finding.photo.storage.delete(stored)
            raise
    return finding


@transaction.atomic
def remove_finding(*, finding: InspectionFinding, actor: Any) -> None:
    inspection = finding.inspection
    authorize(policies.can_record_visit(actor, inspection))
    _require_open_for_findings(_locked(inspection).status)
    name = finding.photo.name if finding.photo else ""
    finding.delete()
    if name:
        storage = finding.photo.storage
        transaction.on_commit(lambda: storage.delete(name))


# --- Recording the visit -------------------------------------------------------------------------
def checklist_for(inspection: Inspection) -> list[tuple[str, str, Any]]:
    """(key, text, item) of every checklist line of this visit: the venue type's items
    (``item-<pk>``) and the plan's own (``plan-<n>``)."""
    lines: list[tuple[str, str, Any]] = [
        (f"item-{item.pk}", item.text, item) for item in selectors.checklist_items_for(inspection)
    ]
    for index, text in enumerate(selectors.plan_checklist_texts(inspection)):
        lines.append((f"plan-{index}", text, None))
    return lines


@transaction.atomic
def record_visit(
    *,
    inspection: Inspection,
    actor: Any,
    result: str,
    visited_at: dt.datetime | None = None,
    rectify_by: dt.date | None = None,
    checklist: Mapping[str, str] | None = None,
    note: str = "",
    rectified_on: dt.date | None = None,
) -> Inspection:
    """Submit the record of the visit: checklist, result, deadline; waits for both confirmations."""
    authorize(policies.can_record_visit(actor, inspection))
    current = _locked(inspection)
    if current.kind == InspectionKind.PRE_OPENING and current.source_reference:
        # One record, one place: the verification of a commitment permit is recorded on the
        # permit (its verification decides the permit), which records this visit in turn
        # (intake.record_pre_opening_verification, through core.plugins.announce).
        raise DomainError(
            _(
                "该核查随告知承诺许可 %(ref)s 办理：请在许可的办理页面登记核查结果，登记后自动同步到本检查。"
            )
            % {"ref": current.source_reference}
        )
    INSPECTION_WORKFLOW.check(current.status, S.RECORDED)
    visited_at = visited_at or timezone.now()
    if timezone.is_naive(visited_at):
        visited_at = timezone.make_aware(visited_at)
    if result not in R.values:
        raise ValidationError({"result": _("请选择检查结果。")})
    answers = dict(checklist or {})
    lines = checklist_for(inspection)
    errors: dict[str, list[str]] = {}
    failed = 0
    for key, _text, _item in lines:
        outcome = answers.get(key, "")
        if outcome not in ChecklistOutcome.values:
            errors.setdefault(key, []).append(_("请选择该项的检查结论。"))
        elif outcome == ChecklistOutcome.FAIL:
            failed += 1
    findings = list(inspection.findings.all())
    visited_on = timezone.localdate(visited_at)
    requested_on = (
        timezone.localdate(inspection.follows.recheck_requested_at)
        if inspection.follows is not None and inspection.follows.recheck_requested_at
        else None
    )
    for problem in rules.visit_problems(
        result=result,
        is_recheck=inspection.kind == InspectionKind.RECHECK,
        visited_on=visited_on,
        today=timezone.localdate(),
        rectify_by=rectify_by,
        findings=len(findings),
        findings_not_corrected=sum(not f.corrected_on_spot for f in findings),
        rectified_on=rectified_on,
        recheck_requested_on=requested_on,
    ):
        errors.setdefault(problem.field, []).append(str(PROBLEM_MESSAGES[problem.code]()))
    if failed and result == R.NO_PROBLEM:
        errors.setdefault("result", []).append(str(PROBLEM_MESSAGES["checklist_failed"]()))
    note = (note or "").strip()
    if len(note) > 4000:
        errors.setdefault("note", []).append(_("检查情况不能超过 4000 字。"))
    if errors:
        raise ValidationError(errors)
    inspection.checklist.all().delete()  # a returned record is written again in full
    ChecklistEntry.objects.bulk_create(
        ChecklistEntry(
            inspection=inspection,
            item=item,
            text=text[:255],
            outcome=answers[key],
        )
        for key, text, item in lines
    )
    InspectionAssignment.objects.filter(inspection=inspection).update(confirmed_at=None)
    transition(
        inspection,
        workflow=INSPECTION_WORKFLOW,
        to=S.RECORDED,
        actor=actor,
        expected=current.status,
        updates={
            "visited_at": visited_at,
            "result": result,
            "rectify_by": rectify_by,
            "rectified_on": rectified_on,
            "visit_note": note,
            "recorded_by": actor,
        },
    )
    if inspection.kind == InspectionKind.COMPLAINT:
        # The complaint is verified on site: its 24-hour or 3-working-day clock stops.
        intake.record_complaint_verified(inspection=inspection, actor=actor, at=visited_at)
    for other in inspection.assignments.all():
        if other.officer_id != actor.pk:
            notify(
                channel="in_app",
                recipient=other.officer,
                subject=inspection.reference,
                body=_("检查记录 %(ref)s 已提交，请核对后确认。") % {"ref": inspection.reference},
            )
    return inspection


@transaction.atomic
def return_record(*, inspection: Inspection, actor: Any, reason: str) -> Inspection:
    """Send the record back to be corrected (before the second confirmation)."""
    authorize(policies.can_return_record(actor, inspection))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请写明退回修改的理由。")})
    current = _locked(inspection)
    if current.status != S.RECORDED:
        # Assigned → scheduled is allowed in the table, but that is planning, not a return.
        raise IllegalTransition(_("只有已提交、待确认的检查记录才能退回修改。"))
    InspectionAssignment.objects.filter(inspection=inspection).update(confirmed_at=None)
    transition(
        inspection,
        workflow=INSPECTION_WORKFLOW,
        to=S.SCHEDULED,
        actor=actor,
        expected=current.status,
        note=reason[:500],
        updates={"planned_date": inspection.planned_date or timezone.localdate(current.visited_at)},
    )
    return inspection


@transaction.atomic
def confirm_record(*, inspection: Inspection, actor: Any) -> Inspection:
    """An assigned officer confirms the record; the last confirmation moves the inspection on."""
    authorize(policies.can_confirm_record(actor, inspection))
    current = _locked(inspection)
    if current.status != S.RECORDED:
        raise StaleState(_("该检查没有待确认的检查记录。"))
    assignment = InspectionAssignment.objects.select_for_update().get(
        inspection=inspection, officer=actor
    )
    if assignment.confirmed_at is not None:
        raise Conflict(_("您已确认过该检查记录，等待另一名检查人员确认。"))
    assignment.confirmed_at = timezone.now()
    assignment.save(update_fields=["confirmed_at"])
    confirmations = InspectionAssignment.objects.filter(inspection=inspection).values_list(
        "confirmed_at", flat=True
    )
    if rules.both_confirmed(value is not None for value in confirmations):
        _finish(current, actor)
        inspection.refresh_from_db()
    return inspection


def _finish(inspection: Inspection, actor: Any) -> None:
    """Both officers confirmed: move on, issue the documents, start or stop the clocks."""
    is_recheck = inspection.kind == InspectionKind.RECHECK
    result = inspection.result
    if is_recheck:
        target = S.CLOSED if rules.recheck_passed(result) else S.REFERRED
    else:
        target = {
            R.NO_PROBLEM: S.CLOSED,
            R.CORRECTED_ON_SPOT: S.CLOSED,
            R.ORDERED_TO_CORRECT: S.RECTIFYING,
            R.FURTHER_ACTION: S.REFERRED,
        }[R(result)]
    transition(inspection, workflow=INSPECTION_WORKFLOW, to=target, actor=actor)
    issue_inspection_document(inspection=inspection, kind=DocKind.RECORD, actor=actor)
    if inspection.findings.filter(corrected_on_spot=True).exists():
        # Served on the spot (《消防监督检查规定》: 当场制作并送达).
        issue_inspection_document(inspection=inspection, kind=DocKind.IMMEDIATE_NOTICE, actor=actor)
    visit_start = clocks.local_midnight(timezone.localdate(inspection.visited_at))
    lead = _lead(inspection)
    if inspection.plan_id is not None:
        clocks.set_clock(
            subject=inspection,
            milestone=PUBLICATION[0],
            code=PUBLICATION[1],
            started_at=visit_start,
            actor=actor,
        )
    if target == S.RECTIFYING:
        clocks.set_clock(
            subject=inspection,
            milestone=DEADLINE_NOTICE[0],
            code=DEADLINE_NOTICE[1],
            started_at=visit_start,
            actor=actor,
            responsible=lead,
            is_next=True,
        )
        recheck = create_inspection(
            kind=InspectionKind.RECHECK,
            enterprise=inspection.enterprise,
            officers=[a.officer for a in inspection.assignments.all()],
            follows=inspection,
        )
        clocks.set_clock(
            subject=recheck,
            milestone=RECHECK[0],
            code=RECHECK[1],
            started_at=clocks.local_midnight(_deadline(inspection)),
            actor=actor,
            responsible=lead,
            is_next=True,
        )
    if is_recheck:
        _settle_original(inspection, actor)


def _settle_original(recheck: Inspection, actor: Any) -> None:
    """The re-check's outcome closes or refers the original, and goes on the credit record."""
    live = clocks.live_clock(recheck, RECHECK[0])
    if live is not None:
        clocks.stop_clock(clock=live, actor=actor, reason=recheck.reference)
    if recheck.follows is None:  # a re-check always follows (constraint inspection_recheck_follows)
        raise DomainError(_("复查必须对应原检查。"))
    original = _locked(recheck.follows)
    passed = rules.recheck_passed(recheck.result)
    requested_on = (
        timezone.localdate(original.recheck_requested_at) if original.recheck_requested_at else None
    )
    done_on = rules.rectification_day(
        rectified_on=recheck.rectified_on, recheck_requested_on=requested_on
    )
    on_time = rules.rectified_on_time(
        rectify_by=_deadline(original), done_on=done_on, passed=passed
    )
    transition(
        original,
        workflow=INSPECTION_WORKFLOW,
        to=S.CLOSED if passed else S.REFERRED,
        actor=actor,
        note=_("复查 %(ref)s") % {"ref": recheck.reference},
    )
    notice_clock = clocks.live_clock(original, DEADLINE_NOTICE[0])
    if notice_clock is not None:
        clocks.stop_clock(
            clock=notice_clock, actor=actor, reason=_("已复查，送达时限不再适用"), cancelled=True
        )
    enterprise_services.record_credit_event(
        enterprise=original.enterprise,
        kind=CreditEventKind.RECTIFIED_ON_TIME if on_time else CreditEventKind.RECTIFIED_LATE,
        occurred_on=timezone.localdate(recheck.visited_at),
        source=f"inspections.Inspection:{original.pk}",
        note=_("复查 %(ref)s：%(result)s")
        % {"ref": recheck.reference, "result": recheck.get_result_display()},
        actor=actor,
    )


def _deadline(inspection: Inspection) -> dt.date:
    """The rectification deadline of an inspection under an order to correct (set with the
    result ``ordered_to_correct``; the record cannot be confirmed without it)."""
    if inspection.rectify_by is None:
        raise DomainError(_("责令限期改正的检查必须有整改期限。"))
    return inspection.rectify_by


# --- Notices and the re-check --------------------------------------------------------------------
def issue_inspection_document(
    *, inspection: Inspection, kind: str, actor: Any
) -> InspectionDocument:
    """Number a document now (once per inspection and kind); its PDF is rendered after commit."""
    existing = InspectionDocument.objects.filter(inspection=inspection, kind=kind).first()
    if existing is not None:
        return existing
    brigade = inspection.brigade
    short = brigade.division_name[:2] if brigade.division_name else brigade.code
    year = timezone.localdate().year
    number = documents.next_document_number(
        f"inspections:doc:{kind}:{brigade.code}",
        year,
        f"丽{short}消{DOCUMENT_PREFIX[DocKind(kind)]}〔{{year}}〕第{{seq:04d}}号",
    )
    return documents.issue_document(
        InspectionDocument,
        number=number,
        inspection=inspection,
        kind=kind,
        issued_by=actor if getattr(actor, "pk", None) else None,
        brigade=brigade,
        party_name=inspection.enterprise.name,
    )


@transaction.atomic
def serve_deadline_notice(*, inspection: Inspection, actor: Any) -> InspectionDocument:
    """Make and serve the 责令限期改正通知书 (within 3 working days of the visit: its clock)."""
    authorize(policies.can_serve_notice(actor, inspection))
    current = _locked(inspection)
    if current.status != S.RECTIFYING or current.result != R.ORDERED_TO_CORRECT:
        raise DomainError(_("只有责令限期改正、正在整改的检查才出具限期改正通知书。"))
    if InspectionDocument.objects.filter(
        inspection=inspection, kind=DocKind.DEADLINE_NOTICE
    ).exists():
        raise Conflict(_("限期改正通知书已送达。"))
    document = issue_inspection_document(
        inspection=inspection, kind=DocKind.DEADLINE_NOTICE, actor=actor
    )
    live = clocks.live_clock(inspection, DEADLINE_NOTICE[0])
    if live is not None:
        clocks.stop_clock(clock=live, actor=actor, reason=document.number)
    clocks.mirror_subject(inspection)
    return document


def open_recheck(inspection: Inspection) -> Inspection | None:
    """The re-check still to be done of an inspection ordered to correct."""
    return (
        Inspection.objects.filter(
            follows=inspection, kind=InspectionKind.RECHECK, status__in=OPEN_FOR_FINDINGS
        )
        .order_by("pk")
        .first()
    )


@transaction.atomic
def request_recheck(inspection: Inspection, actor: Any) -> Inspection:
    """The unit says it has corrected and asks for the re-check: it is due within 3 working
    days of the request (or of the deadline, whichever comes first)."""
    authorize(policies.can_request_recheck(actor, inspection))
    current = _locked(inspection)
    if current.status != S.RECTIFYING:
        raise DomainError(_("该检查不在整改期间，不能申请复查。"))
    if current.recheck_requested_at is not None:
        raise Conflict(_("已申请复查，请等待检查人员到场。"))
    now = timezone.now()
    Inspection.objects.filter(pk=current.pk, recheck_requested_at__isnull=True).update(
        recheck_requested_at=now, updated_at=now
    )
    inspection.recheck_requested_at = now
    recheck = open_recheck(inspection)
    if recheck is not None:
        live = clocks.live_clock(recheck, RECHECK[0])
        today = timezone.localdate(now)
        if live is not None and today < _deadline(current):
            clocks.set_clock(
                subject=recheck,
                milestone=RECHECK[0],
                code=RECHECK[1],
                started_at=clocks.local_midnight(today),
                actor=actor,
                responsible=live.responsible,
                is_next=True,
            )
        for assignment in recheck.assignments.select_related("officer"):
            notify(
                channel="in_app",
                recipient=assignment.officer,
                subject=recheck.reference,
                body=_("%(unit)s 已申请复查（%(ref)s），请在时限内到场复查。")
                % {"unit": inspection.enterprise.name, "ref": recheck.reference},
            )
    return inspection


# --- Internals -----------------------------------------------------------------------------------
def _locked(inspection: Inspection) -> Inspection:
    return Inspection.objects.select_for_update().get(pk=inspection.pk)


def _lead(inspection: Inspection) -> User | None:
    assignments = list(inspection.assignments.select_related("officer").order_by("-is_lead", "pk"))
    return assignments[0].officer if assignments else None


def clocks_of(inspection: Inspection) -> list[Clock]:
    """Every clock of the inspection, oldest first (its page shows them)."""
    return list(clocks.clocks_of(inspection))
