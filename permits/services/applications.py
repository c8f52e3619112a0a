"""The permit application: draft, submit, accept or return, inspect, decide, verify, revoke."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lishui_fire.accounts import policies as kernel
from lishui_fire.accounts.models import OrgUnit, Role, User
from lishui_fire.accounts.policies import authorize
from lishui_fire.core import audit, clocks, documents, plugins, referrals
from lishui_fire.core.errors import Conflict, DomainError, Forbidden, StaleState
from lishui_fire.core.models import StatusChange
from lishui_fire.core.notifications import notify
from lishui_fire.core.storage import save_or_refuse
from lishui_fire.core.workflow import transition
from lishui_fire.enterprises import selectors as enterprise_selectors

from .. import policies, rules
from ..models import (
    ApplicationPhoto,
    Channel,
    DecisionOutcome,
    DecisionProposal,
    Delivery,
    DeliveryMethod,
    DocumentKind,
    Material,
    PermitApplication,
    PermitDocument,
    PhotoPurpose,
    PrecheckBooking,
    ServiceMethod,
    SiteVisit,
    SiteVisitKind,
    StopUseKind,
    StopUseOrder,
)
from ..workflow import (
    DECIDABLE_STATUSES,
    DELIVERY_FLOW,
    FINAL_STATUSES,
    PROPOSAL_FLOW,
    DeliveryStatus,
    ProposalStatus,
    workflow_for,
)
from ..workflow import PermitStatus as S
from .clocks import completeness_period_ends, completeness_rule, refresh_due_dates
from .common import check_upload, local_date, local_today

if TYPE_CHECKING:
    from lishui_fire.enterprises.models import Enterprise

EDITABLE_FIELDS = (
    "venue_name",
    "venue_address",
    "venue_type",
    "floor_area_m2",
    "capacity",
    "floors",
    "opening_date",
    "unit_name",
    "unit_uscc",
    "legal_representative",
    "contact_name",
    "contact_phone",
    "path",
)
# A draft is saved step by step (the venue first): these may stay empty until submission, which
# lists any still missing among its problems.
LATER_FIELDS = ("unit_name", "unit_uscc", "legal_representative", "contact_name", "contact_phone")


# --- Drafts ---------------------------------------------------------------------------------------
def _check_opening_date(fields: dict[str, Any]) -> None:
    """Not in the past, and not so far ahead that it is surely a typing mistake."""
    value = fields.get("opening_date")
    if value is None:
        return
    today = local_today()
    if value < today:
        raise ValidationError({"opening_date": _("拟开业日期不能早于今天。")})
    if value > today + rules.OPENING_DATE_HORIZON:
        raise ValidationError({"opening_date": _("拟开业日期不能晚于五年以后，请检查年份。")})


@transaction.atomic
def create_draft(
    *, applicant: Any, brigade: OrgUnit, form_token: uuid.UUID | None = None, **fields: Any
) -> PermitApplication:
    """A new application in draft, with its reference number (XK2026LD00001).

    With the ``form_token`` of the form that sent it, a second delivery of the same form (a
    double click, a resent request) returns the draft the first one created.
    """
    authorize(kernel.is_applicant(applicant))
    if brigade.kind != OrgUnit.Kind.BRIGADE:
        raise ValidationError({"county": _("请选择所在县（市、区）。")})
    _check_opening_date(fields)
    if form_token is not None:
        existing = PermitApplication.objects.filter(
            applicant=applicant, form_token=form_token
        ).first()
        if existing is not None:
            return existing
    application = PermitApplication(
        applicant=applicant,
        brigade=brigade,
        form_token=form_token,
        **{k: v for k, v in fields.items() if k in EDITABLE_FIELDS},
    )
    application.full_clean(
        exclude=["reference", "form_token", *(f for f in LATER_FIELDS if f not in fields)]
    )
    try:
        # A savepoint: if a concurrent delivery of the same form won, its number is not used up.
        with transaction.atomic():
            year = local_today().year
            seq = documents.next_sequence_value(f"permit:{brigade.code}", year)
            application.reference = f"XK{year}{brigade.code}{seq:05d}"
            application.save()
    except IntegrityError:
        if form_token is None:
            raise
        return PermitApplication.objects.get(applicant=applicant, form_token=form_token)
    return application


@transaction.atomic
def update_draft(
    *, application: PermitApplication, actor: Any, brigade: OrgUnit | None = None, **fields: Any
) -> PermitApplication:
    """The applicant edits a draft or a returned application; nothing else is editable."""
    authorize(policies.is_owner(actor, application))
    locked = PermitApplication.objects.select_for_update().get(pk=application.pk)
    if locked.status not in (S.DRAFT, S.RETURNED):
        raise DomainError(_("申请已提交，不能再修改。"))
    if locked.updated_at != application.updated_at:
        raise Conflict(_("该申请刚被其他人更新，请刷新页面后重试。"))
    _check_opening_date(fields)
    for name, value in fields.items():
        if name in EDITABLE_FIELDS:
            setattr(locked, name, value)
    if brigade is not None and brigade.pk != locked.brigade_id:
        if locked.submitted_at is not None:
            # Submitted once (now returned for completion): the reference names the county and
            # the brigade holds the file and its clocks; another county is a new application.
            raise ValidationError(
                {
                    "county": _(
                        "申请提交后不能更改所属县（市、区）：该申请由原大队办理，申请编号也按原县"
                        "（市、区）编制。如场所确在其他县（市、区），请撤回本申请后重新申请。"
                    )
                }
            )
        locked.brigade = brigade
    if locked.path != rules.PermitPath.COMMITMENT:
        # A commitment signature means nothing on the inspection path; switching back to the
        # commitment path must be signed again.
        locked.commitment_signed_at = None
        locked.commitment_signatory = ""
    locked.full_clean(exclude=[f for f in LATER_FIELDS if not getattr(locked, f)])
    locked.save()
    return locked


def add_material(
    *, application: PermitApplication, actor: Any, kind: str, uploaded: UploadedFile
) -> Material:
    authorize(policies.is_owner(actor, application))
    if application.status not in (S.DRAFT, S.RETURNED):
        raise DomainError(_("申请已提交，不能再上传材料。"))
    if kind not in rules.MaterialKind.values:
        raise ValidationError({"kind": _("请选择材料类型。")})
    return _store_material(application, kind=kind, uploaded=uploaded, uploaded_by=actor)


def _store_material(
    application: PermitApplication, *, kind: str, uploaded: UploadedFile, uploaded_by: Any
) -> Material:
    content_type, digest = check_upload(uploaded)
    original = (uploaded.name or "file").rsplit("/", 1)[-1][:200]
    stem = original.rsplit(".", 1)[0]
    with transaction.atomic():
        material = Material(
            application=application,
            kind=kind,
            original_name=rules.safe_download_name(stem, content_type),
            content_type=content_type,
            size=uploaded.size or 0,
            sha256=digest,
            uploaded_by=uploaded_by,
        )
        # Stored under a random name: the applicant's file name never reaches the file system.
        # A full disk is a form error and leaves no file and no row (core.storage).
        save_or_refuse(material.file, f"{digest[:16]}{rules.EXTENSIONS[content_type]}", uploaded)
        material.save()
    return material


@transaction.atomic
def remove_material(*, material: Material, actor: Any) -> None:
    application = material.application
    authorize(policies.is_owner(actor, application))
    if application.status not in (S.DRAFT, S.RETURNED):
        raise DomainError(_("申请已提交，不能再删除材料。"))
    material.file.delete(save=False)
    material.delete()


@transaction.atomic
def sign_commitment(*, application: PermitApplication, actor: Any, signatory: str) -> None:
    """The applicant signs the commitment text (告知承诺书) of the commitment path."""
    authorize(policies.is_owner(actor, application))
    if not application.is_commitment:
        raise DomainError(_("只有告知承诺方式需要签署承诺书。"))
    if not signatory.strip():
        raise ValidationError({"signatory": _("请填写承诺人姓名。")})
    updated = PermitApplication.objects.filter(
        pk=application.pk, status__in=(S.DRAFT, S.RETURNED)
    ).update(commitment_signed_at=timezone.now(), commitment_signatory=signatory.strip())
    if not updated:
        raise DomainError(_("申请已提交，不能再修改。"))
    application.refresh_from_db()


def submission_problems(application: PermitApplication) -> list[str]:
    """Everything that stops submission, listed at once (never piecemeal)."""
    problems: list[str] = []
    for name in LATER_FIELDS:
        if not getattr(application, name):
            label = PermitApplication._meta.get_field(name).verbose_name  # type: ignore[union-attr]
            problems.append(_("请填写：%(field)s") % {"field": label})
    kinds = application.materials.values_list("kind", flat=True)
    for kind in rules.missing_materials(application.path, kinds):
        problems.append(_("缺少材料：%(kind)s") % {"kind": rules.MaterialKind(kind).label})
    if application.is_commitment and application.commitment_signed_at is None:
        problems.append(_("尚未签署消防安全告知承诺书。"))
    return problems


@transaction.atomic
def submit_application(*, application: PermitApplication, actor: Any) -> PermitApplication:
    authorize(policies.is_owner(actor, application))
    return _submit(application, actor=actor)


def _submit(application: PermitApplication, *, actor: Any) -> PermitApplication:
    problems = submission_problems(application)
    if problems:
        raise ValidationError(problems)
    updates = {"submitted_at": timezone.now(), "enterprise": _registered_unit(application)}
    _move(application, to=S.SUBMITTED, actor=actor, updates=updates)
    _notify_applicant(
        application,
        _("您的消防安全检查申请 %(ref)s 已提交，我们将在法定时限内办理。")
        % {"ref": application.reference},
    )
    return application


# --- Window applications (窗口受理) ---------------------------------------------------------------
def _counter_applicant(*, name: str, phone: str) -> User:
    """The applicant's account, found by the phone number (one per applicant); one is opened for
    a person who has none, without a password: the application has an owner, who later signs
    in by the phone number (password reset) or follows it by reference and phone."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"applicant_name": _("请填写申请人（办事人）姓名。")})
    existing = User.objects.filter(role=Role.APPLICANT, phone=phone).first()
    if existing is not None:
        return existing
    user = User(role=Role.APPLICANT, real_name=name, phone=phone)
    user.username = f"window-{phone}"
    if User.objects.filter(username=user.username).exists():
        user.username = f"window-{phone}-{uuid.uuid4().hex[:6]}"
    user.set_unusable_password()
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as exc:
        errors = exc.message_dict
        raise ValidationError(
            {"applicant_phone": errors.get("phone", []) + errors.get("real_name", [])}
        ) from exc
    user.save()
    return user


@transaction.atomic
def register_window_application(
    *,
    actor: Any,
    brigade: OrgUnit,
    applicant_name: str,
    applicant_phone: str,
    fields: dict[str, Any],
    materials: dict[str, UploadedFile],
    signatory: str = "",
    propose_grant: bool = False,
    form_token: uuid.UUID | None = None,
) -> PermitApplication:
    """An application received at the service window (窗口受理), entered by staff for the
    applicant: recorded with channel ``window``, its materials scanned, the commitment signed on
    paper, and submitted at once. On the commitment path the officer may propose the grant in
    the same step (即办): the brigade's supervisor approves it on the spot (ADR 0025)."""
    authorize(policies.can_register_window_application(actor, brigade.pk))
    applicant = _counter_applicant(name=applicant_name, phone=applicant_phone)
    if form_token is not None:
        existing = PermitApplication.objects.filter(
            applicant=applicant, form_token=form_token
        ).first()
        if existing is not None:
            return existing  # the same counter form sent twice
    missing = rules.missing_materials(fields.get("path", rules.PermitPath.COMMITMENT), materials)
    if missing:
        raise ValidationError(
            {
                f"material_{kind}": _("请扫描上传：%(kind)s")
                % {"kind": rules.MaterialKind(kind).label}
                for kind in missing
            }
        )
    application = create_draft(
        applicant=applicant, brigade=brigade, form_token=form_token, **fields
    )
    updates: dict[str, Any] = {"channel": Channel.WINDOW, "handled_by": actor}
    if application.is_commitment:
        signatory = " ".join(signatory.split())
        if not signatory:
            raise ValidationError({"signatory": _("请填写在承诺书上签字的承诺人姓名。")})
        updates.update(commitment_signed_at=timezone.now(), commitment_signatory=signatory)
    PermitApplication.objects.filter(pk=application.pk).update(**updates)
    application.refresh_from_db()
    for kind, uploaded in materials.items():
        _store_material(application, kind=kind, uploaded=uploaded, uploaded_by=actor)
    _submit(application, actor=actor)
    if propose_grant:
        if not application.is_commitment:
            raise ValidationError(
                {"propose_grant": _("检查方式须经现场检查后才能作出决定，不能当场许可。")}
            )
        propose_decision(
            application=application,
            actor=actor,
            outcome=DecisionOutcome.APPROVE,
            reason=_("窗口受理，材料齐全、符合法定形式，当场许可（即办）。"),
        )
    return application


def _registered_unit(application: PermitApplication) -> Enterprise | None:
    """The registry's unit with the application's credit code (or the applicant's own)."""
    uscc = application.unit_uscc or application.applicant.enterprise_uscc
    return enterprise_selectors.enterprise_with_uscc(uscc=uscc)


@transaction.atomic
def withdraw_application(*, application: PermitApplication, actor: Any) -> PermitApplication:
    authorize(policies.is_owner(actor, application))
    return _move(application, to=S.WITHDRAWN, actor=actor, note=_("申请人撤回"))


# --- Staff decisions ----------------------------------------------------------------------------------
@transaction.atomic
def accept_application(
    *, application: PermitApplication, actor: Any, note: str = ""
) -> PermitApplication:
    """Inspection path: the application is accepted and the 10-working-day clock starts."""
    authorize(policies.can_process_application(actor, application))
    if application.is_commitment:
        raise DomainError(_("告知承诺申请材料齐全即当场作出许可，无需单独受理。"))
    updates: dict[str, Any] = {"accepted_at": timezone.now(), "handled_by": actor}
    if _completeness_period_over(application):
        # Accepted by law from receipt already (art. 32 ¶1 (4)): the clock runs from receipt.
        updates.update(accepted_at=application.submitted_at, deemed_accepted=True)
    _move(application, to=S.ACCEPTED, actor=actor, note=note, updates=updates)
    issue_document(application=application, kind=DocumentKind.ACCEPTANCE_NOTICE, actor=actor)
    _notify_applicant(
        application,
        _("您的申请 %(ref)s 已受理，我们将于 %(due)s 前到场检查。")
        % {"ref": application.reference, "due": application.inspection_due},
    )
    return application


@transaction.atomic
def return_application(
    *, application: PermitApplication, actor: Any, missing_items: Iterable[str], note: str = ""
) -> PermitApplication:
    """Return for completion, listing everything that is missing at once (一次性告知)."""
    authorize(policies.can_process_application(actor, application))
    _refuse_after_completeness_period(application, _("退回补正"))
    items = [i.strip() for i in missing_items if i and i.strip()]
    if not items:
        raise ValidationError({"missing_items": _("请列出需要补正的全部材料或内容。")})
    _move(
        application,
        to=S.RETURNED,
        actor=actor,
        note="；".join(items),
        updates={"missing_items": items, "return_note": note, "handled_by": actor},
    )
    _notify_applicant(
        application,
        _("您的申请 %(ref)s 需要补正 %(n)d 项材料，请登录查看一次性告知的全部内容。")
        % {"ref": application.reference, "n": len(items)},
    )
    return application


@transaction.atomic
def refuse_to_accept(
    *, application: PermitApplication, actor: Any, reason: str
) -> PermitApplication:
    """不予受理: the application is outside the authority's remit or not a permit matter."""
    authorize(policies.can_process_application(actor, application))
    _refuse_after_completeness_period(application, _("不予受理"))
    if not reason.strip():
        raise ValidationError({"reason": _("请说明不予受理的理由。")})
    _move(
        application,
        to=S.NOT_ACCEPTED,
        actor=actor,
        note=reason,
        updates={"decision_reason": reason, "decided_at": timezone.now(), "handled_by": actor},
    )
    issue_document(application=application, kind=DocumentKind.NOT_ACCEPTED, actor=actor)
    _notify_applicant(
        application,
        _("您的申请 %(ref)s 不予受理，理由见不予受理凭证。") % {"ref": application.reference},
    )
    return application


@transaction.atomic
def record_inspection(
    *,
    application: PermitApplication,
    actor: Any,
    passed: bool,
    findings: str,
    visited_at: dt.datetime | None = None,
) -> SiteVisit:
    """Inspection path: the on-site inspection and its result."""
    authorize(policies.can_process_application(actor, application))
    visited_at = visited_at or timezone.now()
    if visited_at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError({"visited_at": _("检查时间不能晚于现在。")})
    if visited_at < (application.submitted_at or application.created_at):
        # Also keeps typos (0001-01-01) away from the deadline rules and the database.
        raise ValidationError({"visited_at": _("检查时间不能早于申请提交时间。")})
    if not passed and not findings.strip():
        raise ValidationError({"findings": _("检查不合格时请写明存在的问题。")})
    first = not application.visits.filter(kind=SiteVisitKind.INSPECTION).exists()
    updates: dict[str, Any] = {"inspected_at": visited_at}
    if first:
        updates["first_inspection_passed"] = passed
    _move(application, to=S.INSPECTED, actor=actor, note=findings, updates=updates)
    return SiteVisit.objects.create(
        application=application,
        kind=SiteVisitKind.INSPECTION,
        inspector=actor,
        visited_at=visited_at,
        passed=passed,
        findings=findings,
    )


# --- Deemed acceptance (行政许可法 art. 32 ¶1 (4)) -----------------------------------------------
def _completeness_period_over(
    application: PermitApplication, now: dt.datetime | None = None
) -> bool:
    return rules.deemed_accepted(
        status=application.status,
        period_ends=completeness_period_ends(application),
        now=now or timezone.now(),
    ) or (application.deemed_accepted and application.status == S.SUBMITTED)


def _refuse_after_completeness_period(application: PermitApplication, what: str) -> None:
    if not (application.deemed_accepted or _completeness_period_over(application)):
        return
    rule = completeness_rule(application)
    raise DomainError(
        _(
            "自收到申请之日（%(received)s）起 %(period)s 内未一次告知需要补正的全部内容，依法自收到"
            "申请之日起即为受理（%(basis)s），不能再%(what)s；请依法办理。"
        )
        % {
            "received": local_date(application.submitted_at),
            "period": rule.duration,
            "basis": _("《行政许可法》第三十二条第一款第（四）项"),
            "what": what,
        }
    )


def apply_deemed_acceptance(
    *, application: PermitApplication, now: dt.datetime | None = None
) -> bool:
    """Record that the application counts as accepted from receipt, once its completeness
    period ran out with no notice of what is missing. True when it was recorded now.

    Inspection path: accepted, as of receipt (the inspection clock runs from receipt), with
    the acceptance notice; commitment path: the receipt is its acceptance, the decision is owed.
    The applicant is told; the brigade sees it on the case and in the queue."""
    with transaction.atomic():
        locked = PermitApplication.objects.select_for_update().get(pk=application.pk)
        if locked.deemed_accepted or not _completeness_period_over(locked, now):
            return False
        rule = completeness_rule(locked)
        note = _(
            "自收到申请之日起 %(period)s 内未一次告知需要补正的全部内容，依法自收到申请之日起即为"
            "受理（《行政许可法》第三十二条第一款第（四）项）。"
        ) % {"period": rule.duration}
        updates = {"accepted_at": locked.submitted_at, "deemed_accepted": True}
        if locked.is_commitment:
            PermitApplication.objects.filter(pk=locked.pk).update(
                **updates, updated_at=timezone.now()
            )
            StatusChange.objects.create(
                content_type=ContentType.objects.get_for_model(PermitApplication),
                object_id=str(locked.pk),
                from_status=locked.status,
                to_status=locked.status,
                actor=None,
                note=note,
            )
            locked.refresh_from_db()
            refresh_due_dates(locked)
        else:
            _move(locked, to=S.ACCEPTED, actor=None, note=note, updates=updates)
            issue_document(application=locked, kind=DocumentKind.ACCEPTANCE_NOTICE, actor=None)
        _notify_applicant(
            locked,
            _("您的申请 %(ref)s 自收到之日（%(received)s）起依法视为受理，我们将在法定时限内办理。")
            % {"ref": locked.reference, "received": local_date(locked.submitted_at)},
        )
    application.refresh_from_db()
    return True


def sweep_deemed_acceptance(*, now: dt.datetime | None = None) -> int:
    """The beat's sweep: every submitted application whose completeness period has run out.

    Cheap on the table: a working-day period of N days ends no earlier than N calendar days
    after receipt, so only those submitted that long ago are counted."""
    now = now or timezone.now()
    rule = clocks.rule_in_force(rules.ACCEPTANCE, on=timezone.localdate(now))
    candidates = PermitApplication.objects.filter(
        status=S.SUBMITTED,
        deemed_accepted=False,
        submitted_at__lt=now - dt.timedelta(days=rule.count),
    ).order_by("submitted_at", "pk")
    count = 0
    for application in candidates.iterator():
        try:
            count += apply_deemed_acceptance(application=application, now=now)
        except DomainError:
            continue  # moved meanwhile by staff: nothing to deem
    return count


# --- The decision: the inspector proposes, a supervisor approves (issue 9) --------------------------
def _check_decidable(application: PermitApplication, outcome: str, reason: str) -> None:
    """What the decision itself requires, whoever proposes or approves it."""
    flow = workflow_for(application.path)
    if outcome == DecisionOutcome.APPROVE:
        flow.check(application.status, S.APPROVED)
        if application.is_commitment:
            problems = submission_problems(application)
            if problems:
                raise DomainError(
                    _("材料不齐全或不符合法定形式，不能当场许可：") + "；".join(problems)
                )
        else:
            last = application.visits.filter(kind=SiteVisitKind.INSPECTION).last()
            if last is None or not last.passed:
                raise DomainError(_("现场检查不合格，不能作出许可；请作出不予许可决定。"))
        return
    if application.is_commitment:
        raise DomainError(_("告知承诺申请材料不齐全的应退回补正，不属于本事项的应不予受理。"))
    flow.check(application.status, S.REJECTED)
    if not reason.strip():
        raise ValidationError({"reason": _("请写明不予许可的理由。")})


def pending_proposal(application: PermitApplication) -> DecisionProposal | None:
    return application.proposals.filter(status=ProposalStatus.PENDING).first()


@transaction.atomic
def propose_decision(
    *, application: PermitApplication, actor: Any, outcome: str, reason: str = ""
) -> DecisionProposal:
    """The inspector's proposed decision (拟办意见), for a supervisor of the brigade to approve."""
    authorize(policies.can_propose_decision(actor, application))
    if outcome not in DecisionOutcome.values:
        raise ValidationError({"outcome": _("请选择拟办意见：准予许可或不予许可。")})
    reason = reason.strip()
    locked = PermitApplication.objects.select_for_update().get(pk=application.pk)
    if locked.status != application.status:
        raise StaleState(_("该记录刚被其他人更新，请刷新页面后重试。"))
    _check_decidable(locked, outcome, reason)
    if pending_proposal(locked) is not None:
        raise Conflict(_("该申请已有待领导审批的拟办意见；请等待审批，或请领导退回后重拟。"))
    try:
        with transaction.atomic():
            proposal = DecisionProposal.objects.create(
                application=locked, outcome=outcome, reason=reason, proposed_by=actor
            )
    except IntegrityError as exc:  # a concurrent proposal won
        raise Conflict(
            _("该申请已有待领导审批的拟办意见；请等待审批，或请领导退回后重拟。")
        ) from exc
    PermitApplication.objects.filter(pk=locked.pk).update(handled_by=actor)
    application.handled_by = actor
    for approver in policies.decision_approvers(application):
        if approver.pk != actor.pk:
            notify(
                channel="in_app",
                recipient=approver,
                subject=application.reference,
                body=_("申请 %(ref)s 有待您审批的拟办意见：%(outcome)s。")
                % {"ref": application.reference, "outcome": proposal.get_outcome_display()},
            )
    return proposal


def _take_pending(
    application: PermitApplication, actor: Any, outcome: str | None
) -> DecisionProposal:
    """The pending proposal, locked, for a supervisor of the brigade to decide on."""
    authorize(policies.can_process_application(actor, application))
    if not policies.can_decide_application(actor, application):
        raise Forbidden(
            _("许可决定须由大队领导（或支队领导）根据监督员的拟办意见审批；请提交拟办意见。")
        )
    proposal = (
        DecisionProposal.objects.select_for_update()
        .filter(application=application, status=ProposalStatus.PENDING)
        .first()
    )
    if proposal is None:
        raise DomainError(_("该申请尚无待审批的拟办意见：须先由监督员提出拟办意见。"))
    if proposal.proposed_by_id == actor.pk:
        raise DomainError(_("不能审批本人提出的拟办意见，请由另一位领导审批。"))
    if outcome is not None and proposal.outcome != outcome:
        raise DomainError(
            _("拟办意见为“%(proposed)s”；如不同意，请退回重拟。")
            % {"proposed": proposal.get_outcome_display()}
        )
    return proposal


def _close_proposal(proposal: DecisionProposal, *, actor: Any, to: str, note: str) -> None:
    transition(
        proposal,
        workflow=PROPOSAL_FLOW,
        to=to,
        actor=actor,
        note=note,
        updates={"decided_by": actor, "decided_at": timezone.now(), "decision_note": note},
    )


@transaction.atomic
def approve_application(
    *, application: PermitApplication, actor: Any, reason: str = ""
) -> PermitApplication:
    """Grant the permit (意见书) on the inspector's proposal, approved by a supervisor of the
    brigade. Commitment path: at once (即办); inspection path: after a passed inspection."""
    proposal = _take_pending(application, actor, DecisionOutcome.APPROVE)
    _check_decidable(application, DecisionOutcome.APPROVE, proposal.reason)
    note = reason.strip()
    wording = note or proposal.reason
    _move(
        application,
        to=S.APPROVED,
        actor=actor,
        note=_approval_note(proposal, actor, note),
        updates={
            "decided_at": timezone.now(),
            "decision_reason": wording,
            "handled_by": proposal.proposed_by,
        },
    )
    _close_proposal(proposal, actor=actor, to=ProposalStatus.APPROVED, note=note)
    issue_document(application=application, kind=DocumentKind.DECISION, actor=actor)
    if application.is_commitment:
        # The brigade verifies the venue on site (DOMAIN.md §1.2): whichever app keeps the
        # inspections opens that verification; this app names none of them.
        plugins.announce(
            "commitment_permit_granted",
            permit_reference=application.reference,
            enterprise_id=application.enterprise_id,
            brigade_id=application.brigade_id,
            venue_name=application.venue_name,
            actor=actor,
        )
    _notify_applicant(
        application,
        _("您的申请 %(ref)s 已准予许可，可登录下载意见书。") % {"ref": application.reference},
    )
    return application


@transaction.atomic
def reject_application(
    *, application: PermitApplication, actor: Any, reason: str = ""
) -> PermitApplication:
    """不同意投入使用、营业: inspection path, after the inspection, on the inspector's proposal
    approved by a supervisor of the brigade."""
    proposal = _take_pending(application, actor, DecisionOutcome.REJECT)
    note = reason.strip()
    wording = note or proposal.reason
    _check_decidable(application, DecisionOutcome.REJECT, wording)
    _move(
        application,
        to=S.REJECTED,
        actor=actor,
        note=_approval_note(proposal, actor, wording),
        updates={
            "decided_at": timezone.now(),
            "decision_reason": wording,
            "handled_by": proposal.proposed_by,
        },
    )
    _close_proposal(proposal, actor=actor, to=ProposalStatus.APPROVED, note=note)
    issue_document(application=application, kind=DocumentKind.REJECTION, actor=actor)
    _notify_applicant(
        application,
        _("您的申请 %(ref)s 未通过检查，请登录查看决定书及理由。") % {"ref": application.reference},
    )
    return application


# --- After the permit (commitment path): verification, stop-use order, re-check, revocation -----
VERIFICATION_MISMATCH = "permit_verification_mismatch"  # the referral's matter (core.referrals)
STOP_USE_PENALTY = "fire_law.58.1.4"  # the PenaltyRange row of Fire Law art. 58(1)(iv)
PHOTOS_MAX = 9


def _check_photos(photos: Sequence[UploadedFile], field: str = "photos") -> list[tuple[str, str]]:
    """Every photo checked by its content before anything is written: (content type, sha256)."""
    if len(photos) > PHOTOS_MAX:
        raise ValidationError({field: _("最多上传 %(n)d 张照片。") % {"n": PHOTOS_MAX}})
    checked = []
    for photo in photos:
        try:
            checked.append(check_upload(photo, images_only=True))
        except ValidationError as exc:
            raise ValidationError({field: exc.messages}) from exc
    return checked


def _save_photos(
    *,
    application: PermitApplication,
    actor: Any,
    photos: Sequence[UploadedFile],
    checked: list[tuple[str, str]],
    purpose: str,
    visit: SiteVisit | None = None,
) -> list[ApplicationPhoto]:
    saved = []
    for photo, (content_type, digest) in zip(photos, checked, strict=True):
        row = ApplicationPhoto(
            application=application,
            visit=visit,
            purpose=purpose,
            content_type=content_type,
            uploaded_by=actor,
        )
        name = f"{digest[:16]}{rules.EXTENSIONS[content_type]}"
        save_or_refuse(row.image, name, photo, form_field="photos")
        stored = row.image.name
        try:
            row.save()
        except Exception:
            row.image.storage.delete(stored)
            raise
        saved.append(row)
    return saved


def _verification_problems(
    *, matches: bool, findings: str, rectification_due: dt.date | None, recheck: bool
) -> None:
    if matches:
        return
    if not findings.strip():
        raise ValidationError({"findings": _("核查不符时请写明与承诺不符的内容。")})
    if recheck:
        return  # the deadline of the order stands; a re-check sets none
    if rectification_due is None or rectification_due <= local_today():
        raise ValidationError({"rectification_due": _("请填写今天以后的整改期限。")})
    if rectification_due > local_today() + rules.RECTIFICATION_HORIZON:
        # A typing mistake (2062 for 2026); the re-check clock cannot count that far.
        raise ValidationError({"rectification_due": _("整改期限不能晚于一年以后，请检查年份。")})


@transaction.atomic
def send_back_proposal(
    *, application: PermitApplication, actor: Any, note: str
) -> DecisionProposal:
    """The supervisor does not approve the proposal: it goes back to be proposed again."""
    proposal = _take_pending(application, actor, None)
    note = note.strip()
    if not note:
        raise ValidationError({"note": _("请写明退回重拟的理由。")})
    _close_proposal(proposal, actor=actor, to=ProposalStatus.SENT_BACK, note=note)
    notify(
        channel="in_app",
        recipient=proposal.proposed_by,
        subject=application.reference,
        body=_("您对申请 %(ref)s 的拟办意见被退回重拟：%(note)s")
        % {"ref": application.reference, "note": note},
    )
    return proposal


def _approval_note(proposal: DecisionProposal, actor: Any, note: str) -> str:
    text = _("%(proposer)s 拟办，%(approver)s 审批") % {
        "proposer": proposal.proposed_by,
        "approver": actor,
    }
    return f"{text}：{note}" if note else text


@transaction.atomic
def record_verification(
    *,
    application: PermitApplication,
    actor: Any,
    matches: bool,
    findings: str,
    rectification_due: dt.date | None = None,
    visited_at: dt.datetime | None = None,
    order: str = StopUseKind.STOP_USE,
    photos: Sequence[UploadedFile] = (),
) -> SiteVisit:
    """Commitment path: the verification visit (核查), or the re-check (复查) under an order.

    * verification, matches → verified;
    * verification, mismatch (Fire Law art. 58(1)(iv)) → the order to stop use or suspend
      business (``order``) with its decision letter and the enforcement referral for the fine,
      and the rectification notice with its deadline (→ rectification);
    * re-check, passed → verified; failed → recorded, with its findings and photos, as the
      evidence a revocation needs once the deadline has passed (the status stays).
    """
    authorize(policies.can_process_application(actor, application))
    visited_at = visited_at or timezone.now()
    if visited_at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError({"visited_at": _("核查时间不能晚于现在。")})
    recheck = application.status == S.RECTIFICATION
    _verification_problems(
        matches=matches, findings=findings, rectification_due=rectification_due, recheck=recheck
    )
    if not matches and not recheck and order not in StopUseKind.values:
        raise ValidationError({"order": _("请选择责令停止使用或者责令停产停业。")})
    checked = _check_photos(photos)
    kind = SiteVisitKind.RECHECK if recheck else SiteVisitKind.VERIFICATION
    if matches:
        updates: dict[str, Any] = {"verified_at": visited_at}
        if recheck:
            updates["rechecked_at"] = visited_at
        _move(application, to=S.VERIFIED, actor=actor, note=findings, updates=updates)
    elif recheck:
        # No move: the order stands, and the failed re-check is the evidence for revoking.
        locked = PermitApplication.objects.select_for_update().get(pk=application.pk)
        if locked.status != S.RECTIFICATION:
            raise Conflict(_("该记录刚被其他人更新，请刷新页面后重试。"))
        PermitApplication.objects.filter(pk=application.pk).update(
            rechecked_at=visited_at, updated_at=timezone.now()
        )
        application.rechecked_at = visited_at
        refresh_due_dates(application, actor=actor)
    else:
        _move(
            application,
            to=S.RECTIFICATION,
            actor=actor,
            note=findings,
            updates={"verified_at": visited_at, "rectification_due": rectification_due},
        )
    visit = SiteVisit.objects.create(
        application=application,
        kind=kind,
        inspector=actor,
        visited_at=visited_at,
        passed=matches,
        findings=findings,
    )
    _save_photos(
        application=application,
        actor=actor,
        photos=photos,
        checked=checked,
        purpose=PhotoPurpose.VISIT,
        visit=visit,
    )
    if not matches and not recheck:
        stop = _order_stop_use(application=application, visit=visit, kind=order, actor=actor)
        issue_document(application=application, kind=DocumentKind.RECTIFICATION, actor=actor)
        _notify_applicant(application, _stop_use_message(application, stop))
    elif not matches:
        audit.record_change(
            application,
            actor=actor,
            changes={"rechecked_at": (None, visited_at.isoformat())},
            reason=_("复查不合格：%(findings)s") % {"findings": findings[:200]},
        )
        _notify_applicant(
            application,
            _(
                "复查发现场所仍不符合消防安全要求（%(ref)s）。整改期限届满后仍未整改到位的，"
                "将依法撤销许可。"
            )
            % {"ref": application.reference},
        )
    if kind == SiteVisitKind.VERIFICATION:
        # The brigade's inspection of this verification (opened when the permit was granted)
        # records the visit too; the permit stays the record of the decision.
        plugins.announce(
            "commitment_permit_verified",
            permit_reference=application.reference,
            matches=matches,
            visited_at=visited_at,
            rectification_due=rectification_due,
            actor=actor,
        )
    return visit


def _order_stop_use(
    *, application: PermitApplication, visit: SiteVisit, kind: str, actor: Any
) -> StopUseOrder:
    """The order of Fire Law art. 58(1)(iv), its letter, and the referral for the fine."""
    visited_on = timezone.localdate(visit.visited_at)
    penalty = referrals.penalty_in_force(STOP_USE_PENALTY, on=visited_on)
    label = StopUseKind(kind).label
    facts = _(
        "%(unit)s 采用告知承诺方式取得 %(venue)s（%(address)s）投入使用、营业许可（%(ref)s），"
        "经 %(day)s 核查，场所实际情况与承诺内容不符：%(findings)s"
    ) % {
        "unit": application.unit_name,
        "venue": application.venue_name,
        "address": application.venue_address,
        "ref": application.reference,
        "day": f"{visited_on:%Y-%m-%d}",
        "findings": visit.findings,
    }
    referral = referrals.refer_for_enforcement(
        source=application,
        source_reference=application.reference,
        kind=VERIFICATION_MISMATCH,
        brigade_id=application.brigade_id,
        party_name=application.unit_name,
        party_uscc=application.unit_uscc,
        facts=facts,
        evidence=[
            {
                "kind": "site_visit",
                "label": _("核查记录（%(day)s，%(n)d 张照片）")
                % {"day": f"{visited_on:%Y-%m-%d}", "n": visit.photos.count()},
                "ref": f"permits.SiteVisit:{visit.pk}",
            },
            {
                "kind": "commitment",
                "label": _("告知承诺书（%(who)s 签署）")
                % {"who": application.commitment_signatory},
                "ref": f"permits.PermitApplication:{application.pk}",
            },
        ],
        penalty=penalty,
        actor=actor,
    )
    order = StopUseOrder.objects.create(
        application=application,
        visit=visit,
        kind=kind,
        facts=facts,
        legal_basis=penalty.legal_basis,
        fine_min=penalty.fine_min,
        fine_max=penalty.fine_max,
        referral=referral,
        ordered_by=actor,
    )
    issue_document(application=application, kind=DocumentKind.STOP_USE, actor=actor)
    audit.record_change(
        application, actor=actor, changes={"stop_use_order": (None, label)}, reason=facts[:255]
    )
    return order


def _stop_use_message(application: PermitApplication, order: StopUseOrder) -> str:
    """Exactly what the unit is told: the order, the provision, the fine and the deadline."""
    return _(
        "核查发现 %(venue)s 与承诺不符。依据%(basis)s，%(order)s，并将依法处 %(min)s 元以上 "
        "%(max)s 元以下罚款（处罚前告知陈述、申辩和听证权利）；同时责令于 %(due)s 前整改，整改完毕"
        "后可在网上申请复查。详见责令停止使用（停产停业）决定书和责令限期改正通知书（%(ref)s）。"
    ) % {
        "venue": application.venue_name,
        "basis": order.legal_basis,
        "order": order.get_kind_display(),
        "min": f"{order.fine_min:,}",
        "max": f"{order.fine_max:,}",
        "due": application.rectification_due,
        "ref": application.reference,
    }


@transaction.atomic
def request_recheck(
    *,
    application: PermitApplication,
    actor: Any,
    note: str = "",
    photos: Sequence[UploadedFile] = (),
) -> PermitApplication:
    """The unit says it has rectified and asks for the re-check online: the re-check is then
    due within 3 working days of the request (or of the deadline, if that comes first)."""
    authorize(policies.is_owner(actor, application))
    note = (note or "").strip()
    if len(note) > rules.REASON_MAX_LENGTH:
        raise ValidationError(
            {"note": _("整改情况说明不能超过 %(n)d 字。") % {"n": rules.REASON_MAX_LENGTH}}
        )
    checked = _check_photos(photos)
    locked = PermitApplication.objects.select_for_update().get(pk=application.pk)
    refusal = rules.recheck_request_refusal(
        status=locked.status,
        is_commitment=locked.is_commitment,
        requested=locked.recheck_requested_at is not None,
        rechecked=locked.rechecked_at is not None,
    )
    if refusal == "already_requested":
        raise Conflict(_("已申请复查，请等待检查人员到场。"))
    if refusal is not None:
        raise DomainError(RECHECK_REFUSALS[refusal]())
    now = timezone.now()
    PermitApplication.objects.filter(pk=locked.pk, recheck_requested_at__isnull=True).update(
        recheck_requested_at=now, recheck_request_note=note, updated_at=now
    )
    application.recheck_requested_at, application.recheck_request_note = now, note
    _save_photos(
        application=application,
        actor=actor,
        photos=photos,
        checked=checked,
        purpose=PhotoPurpose.RECHECK_REQUEST,
    )
    audit.record_change(
        application, actor=actor, changes={"recheck_requested_at": (None, now.isoformat())}
    )
    refresh_due_dates(application, actor=actor)
    for officer in _recheck_officers(application):
        notify(
            channel="in_app",
            recipient=officer,
            subject=application.reference,
            body=_("%(unit)s 已申请复查（%(ref)s %(venue)s），请于 %(due)s 前到场复查。")
            % {
                "unit": application.unit_name,
                "ref": application.reference,
                "venue": application.venue_name,
                "due": application.recheck_due,
            },
        )
    _notify_applicant(
        application,
        _("已收到您的复查申请（%(ref)s），我们将于 %(due)s 前到场复查。")
        % {"ref": application.reference, "due": application.recheck_due},
    )
    return application


RECHECK_REFUSALS = {
    "no_rectification": lambda: _("只有收到责令限期改正通知书、正在整改的场所才能申请复查。"),
    "rechecked": lambda: _("已经复查过，不能再申请复查。"),
}


def _recheck_officers(application: PermitApplication) -> list[Any]:
    """Who goes: the handling officer and the inspector of the verification, once each."""
    people = [application.handled_by]
    visit = application.visits.filter(kind=SiteVisitKind.VERIFICATION).order_by("-pk").first()
    if visit is not None:
        people.append(visit.inspector)
    unique: dict[int, Any] = {p.pk: p for p in people if p is not None}
    return list(unique.values())


REVOCATION_REFUSALS = {
    "no_rectification": lambda: _(
        "只有经核查不符、责令限期改正而逾期未改正或者复查仍不合格的，才能撤销许可"
        "（《消防法》第五十八条第二款）。"
    ),
    "deadline_not_passed": lambda: _("整改期限尚未届满，不能撤销许可。"),
    "no_failed_recheck": lambda: _(
        "撤销许可前须先记录复查不合格的现场检查（检查情况和照片作为证据）。"
    ),
}


@transaction.atomic
def revoke_permit(*, application: PermitApplication, actor: Any, reason: str) -> PermitApplication:
    """Revoke a commitment-path permit whose rectification order was not met (Fire Law art. 58
    para. 2): the deadline has passed and a failed re-check visit is on record as evidence."""
    authorize(policies.can_process_application(actor, application))
    if not policies.can_revoke_permit(actor, application):
        raise DomainError(_("撤销许可须由大队或支队领导决定。"))
    if not reason.strip():
        raise ValidationError({"reason": _("请写明撤销许可的事实和理由。")})
    locked = PermitApplication.objects.select_for_update().get(pk=application.pk)
    refusal = rules.revocation_refusal(
        status=locked.status,
        rectification_due=locked.rectification_due,
        today=local_today(),
        failed_rechecks=locked.visits.filter(kind=SiteVisitKind.RECHECK, passed=False).count(),
    )
    if refusal is not None:
        raise DomainError(REVOCATION_REFUSALS[refusal]())
    _move(
        application,
        to=S.REVOKED,
        actor=actor,
        note=reason,
        updates={"revocation_reason": reason, "decided_at": timezone.now()},
    )
    issue_document(application=application, kind=DocumentKind.REVOCATION, actor=actor)
    _notify_applicant(
        application,
        _("您的场所许可 %(ref)s 已被撤销，请登录查看撤销决定书。") % {"ref": application.reference},
    )
    return application


# --- Special channel, delivery, pre-check link ----------------------------------------------------------
@transaction.atomic
def set_green_channel(
    *, application: PermitApplication, actor: Any, enabled: bool, reason: str = ""
) -> PermitApplication:
    """Key construction projects go first in every queue with tighter internal targets."""
    authorize(policies.can_process_application(actor, application))
    if not policies.can_set_green_channel(actor, application):
        raise DomainError(_("绿色通道须由大队或支队领导设置。"))
    if enabled and not reason.strip():
        raise ValidationError({"reason": _("请说明纳入绿色通道的理由（如重点建设项目名称）。")})
    if application.status in FINAL_STATUSES:
        raise DomainError(_("已办结的申请不能调整绿色通道。"))
    PermitApplication.objects.filter(pk=application.pk).update(
        green_channel=enabled,
        green_channel_reason=reason.strip() if enabled else "",
        green_channel_set_by=actor,
        green_channel_set_at=timezone.now(),
        updated_at=timezone.now(),
    )
    application.refresh_from_db()
    refresh_due_dates(application, actor=actor)
    audit.record_change(
        application,
        actor=actor,
        changes={"green_channel": (not enabled, enabled)},
        reason=reason,
    )
    return application


@transaction.atomic
def choose_delivery(
    *,
    application: PermitApplication,
    actor: Any,
    method: str,
    recipient: str = "",
    address: str = "",
    phone: str = "",
) -> Delivery:
    """Download, or free mail of the legal documents (法律文书免费邮寄)."""
    authorize(policies.is_owner(actor, application))
    # Chosen in the wizard before submission, or later on the application's page until posted.
    if application.status in (S.WITHDRAWN, S.NOT_ACCEPTED):
        raise DomainError(_("该申请已结束，无需选择文书送达方式。"))
    existing = Delivery.objects.select_for_update().filter(application=application).first()
    if existing is not None and existing.status != DeliveryStatus.PENDING:
        raise DomainError(_("文书已寄出，不能再修改送达方式。"))
    delivery = existing or Delivery(application=application)
    delivery.method = method
    if method == DeliveryMethod.MAIL:
        delivery.recipient, delivery.address, delivery.phone = (
            recipient.strip(),
            address.strip(),
            phone.strip(),
        )
    else:
        delivery.recipient = delivery.address = delivery.phone = ""
    delivery.full_clean(exclude=["application"])
    if method == DeliveryMethod.MAIL and not all(
        (delivery.recipient, delivery.address, delivery.phone)
    ):
        raise ValidationError(_("邮寄送达请填写收件人、地址和电话。"))
    delivery.save()
    return delivery


@transaction.atomic
def mark_posted(*, delivery: Delivery, actor: Any, carrier: str, waybill: str) -> Delivery:
    authorize(policies.can_process_application(actor, delivery.application))
    if delivery.method != DeliveryMethod.MAIL:
        raise DomainError(_("申请人选择了网上下载，无需邮寄。"))
    if not carrier.strip() or not waybill.strip():
        raise ValidationError(_("请填写快递公司和运单号。"))
    transition(
        delivery,
        workflow=DELIVERY_FLOW,
        to=DeliveryStatus.POSTED,
        actor=actor,
        updates={
            "carrier": carrier.strip(),
            "waybill": waybill.strip(),
            "posted_at": timezone.now(),
        },
    )
    _notify_applicant(
        delivery.application,
        _("您的法律文书已寄出：%(carrier)s 运单号 %(waybill)s。")
        % {"carrier": carrier, "waybill": waybill},
    )
    return delivery


@transaction.atomic
def mark_delivered(*, delivery: Delivery, actor: Any) -> Delivery:
    authorize(policies.can_process_application(actor, delivery.application))
    transition(
        delivery,
        workflow=DELIVERY_FLOW,
        to=DeliveryStatus.DELIVERED,
        actor=actor,
        updates={"delivered_at": timezone.now()},
    )
    # Signed for: the permit document (if one was posted) is served by mail.
    _record_served(
        delivery.application,
        how=ServiceMethod.MAIL,
        at=delivery.delivered_at or timezone.now(),
        actor=actor,
    )
    return delivery


# --- Service of the permit document (行政许可法 art. 44) -----------------------------------------
def _record_served(
    application: PermitApplication,
    *,
    how: str,
    at: dt.datetime,
    actor: Any,
    note: str = "",
) -> bool:
    """Stop the service clock: the document reached the applicant. Once: the first wins."""
    updated = PermitApplication.objects.filter(
        pk=application.pk, served_at__isnull=True, status__in=rules.GRANTED
    ).update(served_at=at, served_how=how, service_note=note[:255], updated_at=timezone.now())
    if not updated:
        return False
    application.refresh_from_db()
    refresh_due_dates(application, actor=actor)
    audit.record_change(
        application,
        actor=actor,
        changes={"served_how": ("", how)},
        reason=note or str(ServiceMethod(how).label),
    )
    return True


@transaction.atomic
def record_download_service(*, application: PermitApplication, actor: Any) -> bool:
    """The applicant downloaded the permit document (意见书): it is served (网上下载)."""
    if not policies.is_owner(actor, application):
        return False
    return _record_served(application, how=ServiceMethod.DOWNLOAD, at=timezone.now(), actor=actor)


@transaction.atomic
def record_service(
    *,
    application: PermitApplication,
    actor: Any,
    method: str,
    served_at: dt.datetime | None = None,
    note: str = "",
) -> PermitApplication:
    """Staff record that the permit document was served another way: handed over at the window
    (当面送达) or otherwise (留置送达、公告送达 …, with a note saying how)."""
    authorize(policies.can_process_application(actor, application))
    if method not in (ServiceMethod.IN_PERSON, ServiceMethod.OTHER):
        raise ValidationError({"method": _("请选择送达方式：当面送达或其他方式。")})
    note = note.strip()
    if method == ServiceMethod.OTHER and not note:
        raise ValidationError({"note": _("其他方式送达请写明送达的方式和经过。")})
    if application.status not in rules.GRANTED:
        raise DomainError(_("尚未作出准予许可决定，或许可已撤销，无需登记许可文书送达。"))
    if application.served_at is not None:
        raise DomainError(
            _("许可文书已于 %(at)s 送达（%(how)s），无需再次登记。")
            % {
                "at": f"{timezone.localtime(application.served_at):%Y-%m-%d %H:%M}",
                "how": application.get_served_how_display(),
            }
        )
    served_at = served_at or timezone.now()
    if served_at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError({"served_at": _("送达时间不能晚于现在。")})
    if application.decided_at is not None and served_at < application.decided_at:
        raise ValidationError({"served_at": _("送达时间不能早于作出许可决定的时间。")})
    if not _record_served(application, how=method, at=served_at, actor=actor, note=note):
        raise StaleState(_("该记录刚被其他人更新，请刷新页面后重试。"))
    return application


def reveal_contact_phone(*, obj: Any, actor: Any, remote_addr: str | None = None) -> str:
    """The full contact phone of an application or home-service request, for staff of its
    brigade, recorded in the audit log as an ACCESS (PIPL: every view of a full value)."""
    authorize(policies.can_reveal_contact_phone(actor, obj))
    return audit.reveal(obj, "contact_phone", actor=actor, remote_addr=remote_addr)


def reveal_contact_phones(
    *, objs: Iterable[Any], actor: Any, remote_addr: str | None = None, purpose: str = "reveal"
) -> dict[tuple[type, int], str]:
    """The full contact phones of the records ``actor`` may reveal (a list page the inspector
    calls from), keyed by (model, pk), every view recorded as an ACCESS entry in one INSERT."""
    shown = [obj for obj in objs if policies.can_reveal_contact_phone(actor, obj)]
    audit.record_bulk(
        [
            audit.Entry(obj, audit.ACCESS, {}, {"field": "contact_phone", "purpose": purpose})
            for obj in shown
        ],
        actor=actor,
        remote_addr=remote_addr,
    )
    return {(type(obj), obj.pk): obj.contact_phone for obj in shown}


@transaction.atomic
def link_precheck(
    *, application: PermitApplication, actor: Any, booking: PrecheckBooking | None
) -> PermitApplication:
    """Link the applicant's pre-check so staff see what was found before and whether it was fixed."""
    authorize(policies.is_owner(actor, application))
    if booking is not None and booking.applicant_id != actor.pk:
        raise ValidationError({"precheck": _("只能关联您本人的预约体检。")})
    if application.status in FINAL_STATUSES:
        raise DomainError(_("已办结的申请不能再关联预约体检。"))
    PermitApplication.objects.filter(pk=application.pk).update(precheck=booking)
    application.precheck = booking
    return application


# --- Documents -------------------------------------------------------------------------------------------
DOCUMENT_PREFIX: dict[str, str] = {
    DocumentKind.ACCEPTANCE_NOTICE: "受字",
    DocumentKind.NOT_ACCEPTED: "不受字",
    DocumentKind.DECISION: "检字",
    DocumentKind.REJECTION: "不检字",
    DocumentKind.RECTIFICATION: "限字",
    DocumentKind.REVOCATION: "撤字",
    DocumentKind.STOP_USE: "停字",
}


def issue_document(*, application: PermitApplication, kind: str, actor: Any) -> PermitDocument:
    """Number a document now; its PDF is rendered after commit (and on first download if needed)."""
    year = local_today().year
    brigade = application.brigade
    short = brigade.division_name[:2] if brigade.division_name else brigade.code
    number = documents.next_document_number(
        f"doc:{kind}:{brigade.code}",
        year,
        f"丽{short}消{DOCUMENT_PREFIX[kind]}〔{{year}}〕第{{seq:04d}}号",
    )
    return documents.issue_document(
        PermitDocument,
        number=number,
        application=application,
        kind=kind,
        issued_by=actor,
        brigade=brigade,
        party_name=application.unit_name,
    )


def render_document_file(*, document_id: int) -> PermitDocument:
    """Render and keep the PDF of an issued document, once. Safe to call twice."""
    return documents.render_issued_document(PermitDocument, document_id)


# --- Clocks ------------------------------------------------------------------------------------------------
# The application's statutory dates are clocks (services/clocks.py): ``refresh_due_dates`` makes
# them follow the recorded events; publishing a calendar year recounts them in core.


# --- Internals ------------------------------------------------------------------------------------------------
def _move(
    application: PermitApplication,
    *,
    to: str,
    actor: Any,
    note: str = "",
    updates: dict[str, Any] | None = None,
) -> PermitApplication:
    transition(
        application,
        workflow=workflow_for(application.path),
        to=to,
        actor=actor,
        note=note,
        updates=updates,
    )
    if to not in DECIDABLE_STATUSES and to not in (S.APPROVED, S.REJECTED):
        # The decisions close their proposal themselves (approve/reject); any other way out of
        # the decidable statuses leaves a proposal that nobody may approve any more.
        _lapse_pending_proposal(application, actor=actor, status=to)
    return refresh_due_dates(application, actor=actor)


def _lapse_pending_proposal(application: PermitApplication, *, actor: Any, status: str) -> None:
    """Close the pending proposal, if any, in the transaction that moved the application: it
    was made on what the application was, and a resubmission is proposed on afresh (ADR 0036).
    The history row names who moved the application; the proposer is told in the app."""
    proposal = (
        DecisionProposal.objects.select_for_update()
        .filter(application=application, status=ProposalStatus.PENDING)
        .select_related("proposed_by")
        .first()
    )
    if proposal is None:
        return
    note = _("申请状态变为“%(status)s”，该拟办意见不能再审批，已失效。") % {
        "status": S(status).label
    }
    transition(
        proposal,
        workflow=PROPOSAL_FLOW,
        to=ProposalStatus.LAPSED,
        actor=actor,
        note=note,
        updates={"decision_note": note},
    )
    if getattr(actor, "pk", None) != proposal.proposed_by_id:
        notify(
            channel="in_app",
            recipient=proposal.proposed_by,
            subject=application.reference,
            body=_("您对申请 %(ref)s 的拟办意见已失效：%(note)s")
            % {"ref": application.reference, "note": note},
        )


def _notify_applicant(application: PermitApplication, body: str) -> None:
    notify(
        channel="in_app",
        recipient=application.applicant,
        subject=application.reference,
        body=body,
    )
    notify(
        channel="sms",
        recipient=application.applicant,
        address=application.contact_phone,
        body=body,
    )
