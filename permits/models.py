"""Permit applications, their materials and documents, special channels, and pre-check booking."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lishui_fire.core.documents import IssuedDocument
from lishui_fire.core.models import ClockColumns
from lishui_fire.core.validators import validate_mainland_mobile, validate_uscc
from lishui_fire.enterprises.models import GATHERING_VENUE_TYPES, VenueType

from .workflow import (
    OPEN_STATUSES,
    AmendmentStatus,
    BookingStatus,
    DeliveryStatus,
    HomeServiceStatus,
    PermitStatus,
    ProposalStatus,
)

USER = settings.AUTH_USER_MODEL
BRIGADE = "accounts.OrgUnit"
# The rows of the staff queue and the overdue list (partial indexes in their order, ADR 0030).
OPEN_ROW = Q(status__in=sorted(str(s) for s in OPEN_STATUSES))


# The public gathering venues of the one venue vocabulary (the registry's): a permit names one.
GatheringVenueType = models.TextChoices(
    "GatheringVenueType",
    [(t.name, (t.value, t.label)) for t in VenueType if t.value in GATHERING_VENUE_TYPES],
    module=__name__,
)


class PermitPath(models.TextChoices):
    COMMITMENT = "commitment", _("告知承诺")
    INSPECTION = "inspection", _("检查（不采用告知承诺）")


class Channel(models.TextChoices):
    ONLINE = "online", _("网上申请")
    WINDOW = "window", _("窗口申请")


class ServiceMethod(models.TextChoices):
    """How the permit document reached the applicant (送达, 行政许可法 art. 44)."""

    DOWNLOAD = "download", _("申请人网上下载")
    MAIL = "mail", _("邮寄签收")
    IN_PERSON = "in_person", _("当面送达（窗口领取）")
    OTHER = "other", _("其他方式（留置送达、公告送达等）")


class PermitApplicationQuerySet(models.QuerySet["PermitApplication"]):
    def open(self) -> PermitApplicationQuerySet:
        from .workflow import OPEN_STATUSES

        return self.filter(status__in=OPEN_STATUSES)

    def queue_order(self) -> PermitApplicationQuerySet:
        """Green-channel cases first, then the nearest statutory date (DOMAIN measure 1)."""
        return self.order_by(
            F("green_channel").desc(),
            F("next_due").asc(nulls_last=True),
            "submitted_at",
            "pk",
        )


class PermitApplication(models.Model):
    """公众聚集场所投入使用、营业前消防安全检查 — one application for one venue."""

    reference = models.CharField(_("申请编号"), max_length=32, unique=True)
    applicant = models.ForeignKey(
        USER, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="permit_applications"
    )
    brigade = models.ForeignKey(
        BRIGADE,
        verbose_name=_("所属县（市、区）"),
        on_delete=models.PROTECT,
        related_name="permit_applications",
    )
    path = models.CharField(
        _("办理方式"), max_length=16, choices=PermitPath.choices, default=PermitPath.COMMITMENT
    )
    channel = models.CharField(
        _("申请渠道"), max_length=8, choices=Channel.choices, default=Channel.ONLINE
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=PermitStatus.choices, default=PermitStatus.DRAFT
    )

    # The venue
    venue_name = models.CharField(_("场所名称"), max_length=128)
    venue_address = models.CharField(_("场所地址"), max_length=255)
    venue_type = models.CharField(_("场所类型"), max_length=16, choices=GatheringVenueType.choices)
    floor_area_m2 = models.DecimalField(
        _("使用面积（平方米）"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(1), MaxValueValidator(1_000_000)],
    )
    capacity = models.PositiveIntegerField(
        _("容纳人数"), validators=[MinValueValidator(1), MaxValueValidator(200_000)]
    )
    floors = models.CharField(_("使用楼层"), max_length=64, help_text=_("例如：1-3 层"))
    opening_date = models.DateField(_("拟开业日期"), null=True, blank=True)

    # The applicant unit and its contact
    unit_name = models.CharField(_("申请单位名称"), max_length=128)
    unit_uscc = models.CharField(_("统一社会信用代码"), max_length=18, validators=[validate_uscc])
    # The registered unit with that code, linked by the service on submission (null when the unit
    # is not in the registry). SET_NULL, not PROTECT: the application keeps the unit's name and
    # code as submitted (the legal record), so correcting the registry (removing a duplicate an
    # import made) must neither be blocked by permits nor take any application with it.
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("登记单位"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="permit_applications",
    )
    legal_representative = models.CharField(_("法定代表人/主要负责人"), max_length=64)
    contact_name = models.CharField(_("联系人"), max_length=64)
    contact_phone = models.CharField(
        _("联系电话"), max_length=11, validators=[validate_mainland_mobile]
    )

    # Commitment path
    commitment_signed_at = models.DateTimeField(_("承诺签署时间"), null=True, blank=True)
    commitment_signatory = models.CharField(_("承诺人"), max_length=64, blank=True)

    # Clock
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    inspected_at = models.DateTimeField(_("检查时间"), null=True, blank=True)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    verified_at = models.DateTimeField(_("核查时间"), null=True, blank=True)
    accept_due = models.DateField(_("受理期限"), null=True, blank=True)
    inspection_due = models.DateField(_("检查期限"), null=True, blank=True)
    decision_due = models.DateField(_("决定期限"), null=True, blank=True)
    verification_due = models.DateField(_("核查期限"), null=True, blank=True)
    rectification_due = models.DateField(_("整改期限"), null=True, blank=True)
    service_due = models.DateField(_("文书送达期限"), null=True, blank=True)
    # 行政许可法 art. 32 ¶1 (4): not told within the period what is missing, the application
    # counts as accepted from the day it was received (accepted_at is then the receipt).
    deemed_accepted = models.BooleanField(_("逾期未告知补正，视为受理"), default=False)
    # 行政许可法 art. 44: the permit document is served within the period from the decision.
    served_at = models.DateTimeField(_("许可文书送达时间"), null=True, blank=True)
    served_how = models.CharField(
        _("许可文书送达方式"), max_length=10, choices=ServiceMethod.choices, blank=True
    )
    service_note = models.CharField(_("送达说明"), max_length=255, blank=True)
    # The unit says it has rectified and asks for the re-check (online): the re-check is due
    # within 3 working days of the request, or of the deadline if that comes first.
    recheck_requested_at = models.DateTimeField(_("申请复查时间"), null=True, blank=True)
    recheck_request_note = models.TextField(_("整改情况说明"), blank=True, max_length=2000)
    rechecked_at = models.DateTimeField(_("复查时间"), null=True, blank=True)
    recheck_due = models.DateField(_("复查期限"), null=True, blank=True)
    # The nearest open statutory date, kept in step with the four above for queue ordering.
    next_due = models.DateField(_("最近期限"), null=True, blank=True, db_index=True)
    # Set when any due date reaches into a year whose holiday notice is not yet entered.
    due_provisional = models.BooleanField(_("期限为暂定"), default=False)
    # The columns above are copies of the application's clocks (core.clocks keeps them, also
    # when a calendar year is published); services/clocks.py says which clocks run when.
    CLOCK_COLUMNS = ClockColumns(
        due={
            "acceptance": "accept_due",
            "inspection": "inspection_due",
            "decision": "decision_due",
            "verification": "verification_due",
            "service": "service_due",
            "recheck": "recheck_due",
        },
        next="next_due",
        provisional="due_provisional",
    )

    # Outcomes
    missing_items = models.JSONField(_("需补正材料"), default=list, blank=True)
    return_note = models.TextField(_("补正说明"), blank=True)
    decision_number = models.CharField(_("文书编号"), max_length=64, blank=True)
    decision_reason = models.TextField(_("决定理由"), blank=True)
    first_inspection_passed = models.BooleanField(_("首次检查合格"), null=True, blank=True)
    revocation_reason = models.TextField(_("撤销理由"), blank=True)

    # Special channels (measure 1)
    green_channel = models.BooleanField(_("绿色通道"), default=False)
    green_channel_reason = models.CharField(_("绿色通道理由"), max_length=255, blank=True)
    green_channel_set_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    green_channel_set_at = models.DateTimeField(null=True, blank=True)

    precheck = models.ForeignKey(
        "PrecheckBooking",
        verbose_name=_("关联的预约体检"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="applications",
    )
    handled_by = models.ForeignKey(
        USER,
        verbose_name=_("承办人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The id of the "new application" form that created this draft: pressing "save" twice, or
    # a resent request, finds this draft instead of creating a second one.
    form_token = models.UUIDField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PermitApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("消防安全检查申请")
        verbose_name_plural = _("消防安全检查申请")
        indexes = [
            models.Index(fields=["brigade", "status", "next_due"]),
            models.Index(fields=["applicant", "-created_at"]),
            # The applicant's own list in its order, the id breaking ties (ADR 0036).
            models.Index(
                fields=["applicant", "-created_at", "-id"], name="permit_applicant_newest_idx"
            ),
            # Every list's order served by an index, for one brigade and for the detachment, so
            # that a page costs its rows, not the table (ADR 0030): the API's newest first, the
            # queue's green channel then the nearest date (PostgreSQL's ASC is NULLS LAST, as
            # queue_order asks), the overdue list's nearest date.
            models.Index(fields=["-created_at", "-id"], name="permit_newest_idx"),
            models.Index(
                fields=["brigade", "-created_at", "-id"], name="permit_brigade_newest_idx"
            ),
            models.Index(
                fields=["-green_channel", "next_due", "submitted_at", "id"],
                condition=OPEN_ROW,
                name="permit_queue_idx",
            ),
            models.Index(
                fields=["brigade", "-green_channel", "next_due", "submitted_at", "id"],
                condition=OPEN_ROW,
                name="permit_brigade_queue_idx",
            ),
            models.Index(fields=["next_due", "id"], condition=OPEN_ROW, name="permit_overdue_idx"),
            models.Index(
                fields=["brigade", "next_due", "id"],
                condition=OPEN_ROW,
                name="permit_brigade_overdue_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="permit_capacity_positive"),
            models.CheckConstraint(
                condition=Q(floor_area_m2__gt=0), name="permit_floor_area_positive"
            ),
            models.CheckConstraint(
                condition=Q(green_channel=False) | ~Q(green_channel_reason=""),
                name="permit_green_channel_has_reason",
            ),
            models.UniqueConstraint(
                fields=["applicant", "form_token"], name="permit_form_token_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.venue_name}"

    def get_absolute_url(self) -> str:
        """The staff page of the case (dashboards and the admin link to it; applicants have
        their own page, reached from 我的申请)."""
        return reverse("permits:staff_application", args=[self.pk])

    @property
    def is_commitment(self) -> bool:
        return self.path == PermitPath.COMMITMENT


class MaterialKind(models.TextChoices):
    COMMITMENT_LETTER = "commitment_letter", _("消防安全告知承诺书")
    APPLICATION_FORM = "application_form", _("消防安全检查申报表")
    BUSINESS_LICENCE = "business_licence", _("营业执照或其他主体资格证明")
    FIRE_RULES = "fire_rules", _("消防安全制度、灭火和应急疏散预案")
    FLOOR_PLANS = "floor_plans", _("场所平面布置图、消防设施平面图")
    OTHER = "other", _("其他材料")


class Material(models.Model):
    """An uploaded material. Stored outside the web root; served only by a checking view."""

    application = models.ForeignKey(
        PermitApplication, on_delete=models.CASCADE, related_name="materials"
    )
    kind = models.CharField(_("材料类型"), max_length=24, choices=MaterialKind.choices)
    file = models.FileField(upload_to="permits/materials/%Y/%m/", max_length=255)
    original_name = models.CharField(_("文件名"), max_length=255)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "uploaded_at"]
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.original_name}"


class SiteVisitKind(models.TextChoices):
    INSPECTION = "inspection", _("现场检查")
    VERIFICATION = "verification", _("承诺核查")
    RECHECK = "recheck", _("整改复查")


class SiteVisit(models.Model):
    """An inspector's visit to the venue of an application, with its result."""

    application = models.ForeignKey(
        PermitApplication, on_delete=models.CASCADE, related_name="visits"
    )
    kind = models.CharField(_("类型"), max_length=16, choices=SiteVisitKind.choices)
    inspector = models.ForeignKey(USER, verbose_name=_("检查人员"), on_delete=models.PROTECT)
    visited_at = models.DateTimeField(_("检查时间"))
    passed = models.BooleanField(_("是否合格/相符"))
    findings = models.TextField(_("检查情况"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["visited_at", "pk"]
        verbose_name = _("现场检查记录")
        verbose_name_plural = _("现场检查记录")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.visited_at:%Y-%m-%d}"


# Free text of a request or a decision fits on a letter (pages and API; see rules).
TEXT_MAX_LENGTH = 2000


class DecisionOutcome(models.TextChoices):
    APPROVE = "approve", _("准予许可")
    REJECT = "reject", _("不予许可")


class DecisionProposal(models.Model):
    """The inspector's proposed decision (拟办意见) on an application, which a brigade supervisor
    (or a detachment supervisor) of its jurisdiction approves or sends back (issue 9): an
    inspector alone no longer issues the decision. Every proposal is kept, sent-back ones too."""

    application = models.ForeignKey(
        PermitApplication, on_delete=models.CASCADE, related_name="proposals"
    )
    outcome = models.CharField(_("拟办意见"), max_length=8, choices=DecisionOutcome.choices)
    reason = models.TextField(_("理由"), blank=True, max_length=TEXT_MAX_LENGTH)
    status = models.CharField(
        _("状态"), max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.PENDING
    )
    proposed_by = models.ForeignKey(
        USER, verbose_name=_("拟办人"), on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(_("拟办时间"), default=timezone.now)
    decided_by = models.ForeignKey(
        USER,
        verbose_name=_("审批人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True, max_length=TEXT_MAX_LENGTH)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["proposed_at", "pk"]
        verbose_name = _("许可决定拟办意见")
        verbose_name_plural = _("许可决定拟办意见")
        constraints = [
            # One proposal at a time waits for approval: a second is a conflict, not a queue.
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(status="pending"),
                name="permit_one_pending_proposal",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} {self.get_status_display()}"


class DocumentKind(models.TextChoices):
    ACCEPTANCE_NOTICE = "acceptance", _("受理通知书")
    RETURN_NOTICE = "return", _("补正材料通知书")
    NOT_ACCEPTED = "not_accepted", _("不予受理凭证")
    DECISION = "decision", _("公众聚集场所投入使用、营业前消防安全检查意见书")
    REJECTION = "rejection", _("不同意投入使用、营业决定书")
    RECTIFICATION = "rectification", _("责令限期改正通知书")
    REVOCATION = "revocation", _("撤销许可决定书")
    STOP_USE = "stop_use", _("责令停止使用（停产停业）决定书")


class PermitDocument(IssuedDocument):
    """An issued document. Rendered once and kept: what was issued never changes afterwards."""

    application = models.ForeignKey(
        PermitApplication, on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField(_("文书"), max_length=16, choices=DocumentKind.choices)

    renderer = "permits.documents.render_permit_document_pdf"
    render_related = ("application__brigade", "application__applicant")

    class Meta:
        ordering = ["issued_at", "pk"]
        verbose_name = _("法律文书")
        verbose_name_plural = _("法律文书")
        constraints = [
            models.UniqueConstraint(fields=["application", "kind"], name="permit_document_once"),
            models.UniqueConstraint(fields=["number"], name="permit_document_number_unique"),
        ]


class PhotoPurpose(models.TextChoices):
    RECHECK_REQUEST = "recheck_request", _("申请复查的整改照片")
    VISIT = "visit", _("现场检查照片")


class ApplicationPhoto(models.Model):
    """A photo of the venue: the unit's, sent with its re-check request, or the inspector's, taken
    at a verification or re-check visit (the evidence a revocation names)."""

    application = models.ForeignKey(
        PermitApplication, on_delete=models.CASCADE, related_name="photos"
    )
    visit = models.ForeignKey(
        SiteVisit, on_delete=models.CASCADE, null=True, blank=True, related_name="photos"
    )
    purpose = models.CharField(_("用途"), max_length=16, choices=PhotoPurpose.choices)
    image = models.ImageField(upload_to="permits/photos/%Y/%m/", max_length=255)
    content_type = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("现场照片")
        verbose_name_plural = _("现场照片")
        constraints = [
            models.CheckConstraint(
                condition=Q(purpose="recheck_request", visit__isnull=True)
                | Q(purpose="visit", visit__isnull=False),
                name="permit_photo_visit_iff_visit_photo",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} {self.pk}"


class StopUseKind(models.TextChoices):
    STOP_USE = "stop_use", _("责令停止使用")
    SUSPEND_BUSINESS = "suspend_business", _("责令停产停业")


class StopUseOrder(models.Model):
    """The order a verification mismatch brings (Fire Law art. 58(1)(iv)): stop using the venue
    or suspend business, and the fine that follows (its range copied from ``PenaltyRange`` when
    ordered). One per permit: the first verification that found the mismatch. The case that
    imposes the fine is the enforcement app's, through ``referral`` (core.referrals)."""

    application = models.OneToOneField(
        PermitApplication, on_delete=models.PROTECT, related_name="stop_use_order"
    )
    visit = models.OneToOneField(SiteVisit, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("责令事项"), max_length=16, choices=StopUseKind.choices)
    facts = models.TextField(_("违法事实"))
    legal_basis = models.CharField(_("法律依据"), max_length=255)
    fine_min = models.PositiveIntegerField(_("罚款下限（元）"))
    fine_max = models.PositiveIntegerField(_("罚款上限（元）"))
    referral = models.ForeignKey(
        "core.EnforcementReferral", on_delete=models.PROTECT, related_name="+"
    )
    ordered_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    ordered_at = models.DateTimeField(_("责令时间"), default=timezone.now)

    class Meta:
        verbose_name = _("责令停止使用（停产停业）")
        verbose_name_plural = _("责令停止使用（停产停业）")

    def __str__(self) -> str:
        return f"{self.application_id} {self.get_kind_display()}"


class DeliveryMethod(models.TextChoices):
    DOWNLOAD = "download", _("网上下载")
    MAIL = "mail", _("免费邮寄")


class Delivery(models.Model):
    """How the applicant receives the documents: download, or free mail with tracking."""

    application = models.OneToOneField(
        PermitApplication, on_delete=models.CASCADE, related_name="delivery"
    )
    method = models.CharField(
        _("送达方式"), max_length=8, choices=DeliveryMethod.choices, default=DeliveryMethod.DOWNLOAD
    )
    recipient = models.CharField(_("收件人"), max_length=64, blank=True)
    address = models.CharField(_("邮寄地址"), max_length=255, blank=True)
    phone = models.CharField(
        _("收件电话"), max_length=11, blank=True, validators=[validate_mainland_mobile]
    )
    carrier = models.CharField(_("快递公司"), max_length=32, blank=True)
    waybill = models.CharField(_("运单号"), max_length=40, blank=True)
    status = models.CharField(
        _("邮寄状态"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    posted_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("文书送达")
        verbose_name_plural = _("文书送达")
        constraints = [
            models.CheckConstraint(
                condition=Q(method="download") | (~Q(recipient="") & ~Q(address="") & ~Q(phone="")),
                name="delivery_mail_has_address",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.get_status_display()}"


class HomeServiceReason(models.TextChoices):
    DISABILITY = "disability", _("残疾人")
    MOBILITY = "mobility", _("行动不便")
    ELDERLY = "elderly", _("高龄老人")
    OTHER = "other", _("其他特殊困难")


# About the applicant's own account only: a request never says whether anybody else has one for a
# number (that would tell a stranger that the person at that number has a disability; issue 9).
ONE_OPEN_HOME_SERVICE_MESSAGE = _(
    "您已有一项正在办理的上门服务申请，无需重复提交；如需变更，请取消原申请或致电大队。"
)


class HomeServiceRequest(models.Model):
    """Door-to-door service (上门服务) for applicants with disabilities or limited mobility."""

    class Source(models.TextChoices):
        ONLINE = "online", _("网上申请")
        PHONE = "phone", _("电话预约（工作人员登记）")

    applicant = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="home_service_requests"
    )
    brigade = models.ForeignKey(BRIGADE, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(_("来源"), max_length=8, choices=Source.choices)
    logged_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    contact_name = models.CharField(_("联系人"), max_length=64)
    contact_phone = models.CharField(
        _("联系电话"), max_length=11, validators=[validate_mainland_mobile]
    )
    address = models.CharField(_("上门地址"), max_length=255)
    reason = models.CharField(_("原因"), max_length=16, choices=HomeServiceReason.choices)
    needs = models.TextField(_("需要办理的事项"), blank=True, max_length=TEXT_MAX_LENGTH)
    preferred_time = models.CharField(_("希望上门时间"), max_length=128, blank=True)
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=HomeServiceStatus.choices,
        default=HomeServiceStatus.REQUESTED,
    )
    appointment_at = models.DateTimeField(_("上门时间"), null=True, blank=True)
    assigned_to = models.ForeignKey(
        USER,
        verbose_name=_("上门人员"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    outcome = models.TextField(_("办理结果"), blank=True, max_length=TEXT_MAX_LENGTH)
    application = models.ForeignKey(
        PermitApplication,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="home_service_requests",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("上门服务申请")
        verbose_name_plural = _("上门服务申请")
        indexes = [
            # The staff's list newest first, for one brigade and for the detachment (ADR 0036).
            models.Index(fields=["-created_at", "-id"], name="home_newest_idx"),
            models.Index(fields=["brigade", "-created_at", "-id"], name="home_brigade_newest_idx"),
        ]
        constraints = [
            # One open online request per account, person (phone) and brigade: a form sent twice
            # is one visit to plan, not two. Tied to the account, not to the phone alone: a rule
            # on the phone told anyone that a stranger's number had an open request, and let
            # anyone block it by asking first (issue 9). Staff, who see their brigade's requests,
            # are told of an open one when they log a call (services.channels).
            models.UniqueConstraint(
                fields=["brigade", "applicant", "contact_phone"],
                condition=Q(status__in=["requested", "scheduled"], applicant__isnull=False),
                name="home_service_one_open_per_applicant",
                violation_error_message=ONE_OPEN_HOME_SERVICE_MESSAGE,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contact_name} {self.get_status_display()}"


class PrecheckSlot(models.Model):
    """A pre-check time an inspector of a brigade offers. ``booked`` never exceeds ``capacity``."""

    brigade = models.ForeignKey(BRIGADE, on_delete=models.PROTECT, related_name="precheck_slots")
    inspector = models.ForeignKey(
        USER, verbose_name=_("监督员"), on_delete=models.PROTECT, related_name="precheck_slots"
    )
    starts_at = models.DateTimeField(_("开始时间"), db_index=True)
    ends_at = models.DateTimeField(_("结束时间"))
    capacity = models.PositiveSmallIntegerField(
        _("可预约数"), default=1, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    booked = models.PositiveSmallIntegerField(_("已预约数"), default=0)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("体检时段")
        verbose_name_plural = _("体检时段")
        indexes = [
            models.Index(fields=["brigade", "starts_at"]),
            # The slot lists of every county at once, in their order (ADR 0030), and of one
            # brigade with the id breaking ties (ADR 0036).
            models.Index(fields=["starts_at", "id"], name="slot_start_idx"),
            models.Index(fields=["brigade", "starts_at", "id"], name="slot_brigade_start_idx"),
        ]
        constraints = [
            # The database itself refuses an over-booking, whatever the code above it does.
            models.CheckConstraint(
                condition=Q(booked__lte=F("capacity")),
                name="slot_not_overbooked",
                violation_error_message=_("可预约数不能少于已预约数。"),
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="slot_capacity_positive"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="slot_ends_after_start",
                violation_error_message=_("结束时间必须晚于开始时间。"),
            ),
            models.UniqueConstraint(
                fields=["inspector", "starts_at"], name="slot_inspector_start_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.starts_at):%Y-%m-%d %H:%M} {self.inspector}"

    @property
    def remaining(self) -> int:
        return max(self.capacity - self.booked, 0)


class PrecheckBooking(models.Model):
    """An applicant's booking of a pre-check (预约体检) for a venue."""

    # Reminder ledger keys read "precheck:<pk>:<milestone>" (core.reminders.reminder_key).
    reminder_label = "precheck"

    slot = models.ForeignKey(PrecheckSlot, on_delete=models.PROTECT, related_name="bookings")
    applicant = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="precheck_bookings")
    brigade = models.ForeignKey(BRIGADE, on_delete=models.PROTECT, related_name="+")
    venue_name = models.CharField(_("场所名称"), max_length=128)
    venue_address = models.CharField(_("场所地址"), max_length=255)
    venue_type = models.CharField(
        _("场所类型"), max_length=16, choices=GatheringVenueType.choices, blank=True
    )
    contact_phone = models.CharField(
        _("联系电话"), max_length=11, validators=[validate_mainland_mobile]
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=BookingStatus.choices, default=BookingStatus.BOOKED
    )
    arrived_at = models.DateTimeField(_("到场时间"), null=True, blank=True)
    # The notice's number, first issue and current version, for lists and search; each version
    # is an issued document of its own (PrecheckNotice), with its file and verification code.
    notice_number = models.CharField(_("告知书编号"), max_length=64, blank=True)
    notice_issued_at = models.DateTimeField(_("告知书出具时间"), null=True, blank=True)
    notice_version = models.PositiveSmallIntegerField(default=0)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Where the venue is, as the applicant said (issue 9); blank for bookings made before, or
    # through the API without it. A county other than the slot's brigade is booked only when
    # she confirmed it, and the staff see that she did (ADR 0027).
    venue_county = models.ForeignKey(
        BRIGADE,
        verbose_name=_("场所所在县（市、区）"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    county_mismatch_confirmed = models.BooleanField(_("申请人确认跨县预约"), default=False)
    # The venue as the open-booking limit counts it: its address, normalised (rules.venue_key).
    venue_key = models.CharField(max_length=255, blank=True, editable=False)
    # When the confirmation and the reminders were written (by the job enqueued on commit);
    # null until then, so the sweep finds a booking whose job never ran.
    announced_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("预约体检")
        verbose_name_plural = _("预约体检")
        indexes = [
            # The staff's booking lists, newest first (ADR 0030).
            models.Index(fields=["-created_at", "-id"], name="booking_newest_idx"),
            models.Index(
                fields=["brigade", "-created_at", "-id"], name="booking_brigade_newest_idx"
            ),
            # The open-booking limits count an applicant's and a venue's open bookings.
            models.Index(fields=["applicant", "status"], name="booking_applicant_status"),
            models.Index(fields=["venue_key", "status"], name="booking_venue_status"),
            models.Index(
                fields=["created_at"],
                condition=Q(announced_at__isnull=True),
                name="booking_unannounced",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["slot", "applicant"],
                condition=Q(status__in=["booked", "in_progress", "notice_issued"]),
                name="booking_one_active_per_slot_and_applicant",
            )
        ]

    def __str__(self) -> str:
        return f"{self.venue_name} @ {self.slot}"

    @property
    def notice(self) -> PrecheckNotice | None:
        """The current version of the one-time notice, if issued."""
        if not self.notice_version:
            return None
        return self.notices.filter(version=self.notice_version).first()

    @property
    def notice_file(self) -> models.fields.files.FieldFile | None:
        notice = self.notice
        return notice.file if notice is not None else None


class PrecheckBookingLimits(models.Model):
    """How many open pre-check bookings one account and one venue may hold (issue 9): one row,
    edited by an administrator. "Open" is a booking still booked whose slot has not ended.

    Defaults and why (ADR 0027): 3 per account lets an agent book for a few venues at once while
    a throwaway account can no longer empty a county's calendar; 1 per venue is all a venue needs
    (another time is a reschedule, which replaces the booking).
    """

    max_open_per_applicant = models.PositiveSmallIntegerField(
        _("每个账号未完成预约上限"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
    )
    max_open_per_venue = models.PositiveSmallIntegerField(
        _("每个场所未完成预约上限"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=_("场所按地址识别（忽略空格、标点和全角半角差异）。"),
    )
    basis = models.CharField(
        _("依据"),
        max_length=255,
        default="丽水市消防救援支队预约体检服务规则：防止恶意占用预约名额（issue 9）",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("预约体检数量限制")
        verbose_name_plural = _("预约体检数量限制")
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="precheck_limits_one_row"),
        ]

    def __str__(self) -> str:
        return str(_("预约体检数量限制"))

    @classmethod
    def current(cls) -> PrecheckBookingLimits:
        """The row in force; the defaults when an administrator has not saved one yet."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)


class Finding(models.Model):
    """One problem found at a pre-check: listed all at once in the one-time notice."""

    booking = models.ForeignKey(PrecheckBooking, on_delete=models.CASCADE, related_name="findings")
    item = models.CharField(_("问题"), max_length=255)
    location = models.CharField(_("部位"), max_length=128)
    regulation = models.CharField(_("违反的规定"), max_length=255)
    remedy = models.TextField(_("整改建议"))
    photo = models.ImageField(upload_to="permits/findings/%Y/%m/", max_length=255, blank=True)
    amendment = models.ForeignKey(
        "NoticeAmendment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="findings",
    )
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("体检发现问题")
        verbose_name_plural = _("体检发现问题")

    def __str__(self) -> str:
        return self.item

    @property
    def is_on_notice(self) -> bool:
        """Listed by the notice: an original finding, or one of an approved amendment."""
        return self.amendment_id is None or self.amendment.status == AmendmentStatus.APPROVED


class NoticeAmendment(models.Model):
    """A supervisor-approved addition to an issued one-time notice, with its reason."""

    booking = models.ForeignKey(
        PrecheckBooking, on_delete=models.CASCADE, related_name="amendments"
    )
    reason = models.TextField(_("补充理由"))
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=AmendmentStatus.choices,
        default=AmendmentStatus.REQUESTED,
    )
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["requested_at", "pk"]
        verbose_name = _("告知书补充")
        verbose_name_plural = _("告知书补充")

    def __str__(self) -> str:
        return f"{self.booking_id}: {self.get_status_display()}"


class PrecheckNotice(IssuedDocument):
    """One version of a booking's one-time notice (一次性告知书), as issued. Every version keeps
    the notice's number; an approved amendment issues the next version, with a code of its own,
    so a paper copy of any version can be checked."""

    booking = models.ForeignKey(PrecheckBooking, on_delete=models.CASCADE, related_name="notices")
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    kind = models.CharField(
        _("文书"), max_length=16, choices=[("notice", _("一次性告知书"))], default="notice"
    )

    renderer = "permits.documents.render_precheck_notice_pdf"
    upload_folder = "notices"
    render_related = ("booking__slot__inspector", "booking__brigade", "booking__applicant")

    class Meta:
        ordering = ["booking", "version"]
        verbose_name = _("一次性告知书")
        verbose_name_plural = _("一次性告知书")
        constraints = [
            models.UniqueConstraint(
                fields=["booking", "version"], name="precheck_notice_version_once"
            ),
        ]

    @property
    def kind_label(self) -> str:
        label = str(self.get_kind_display())
        return f"{label}（第 {self.version} 版）" if self.version > 1 else label

    def pdf_file_name(self, pdf: bytes) -> str:
        digest = hashlib.sha256(pdf).hexdigest()[:8]
        return f"notice-{self.booking_id}-v{self.version}-{digest}.pdf"
