"""Tables of measure 3 (双随机、一公开 spot checks, visits and rectification).

The foundation every part of the app builds on: the plan a draw belongs to, the inspection (one
visit to one unit, whatever brought it about) and the two officers assigned to it. Plans, draws,
the recusal register, visits, findings and documents add their own tables next to these.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lishui_fire.core.documents import IssuedDocument
from lishui_fire.core.models import ClockColumns
from lishui_fire.core.validators import validate_mainland_mobile

USER = settings.AUTH_USER_MODEL


class InspectionKind(models.TextChoices):
    """The forms of inspection of 《消防监督检查规定》 (DOMAIN.md §2.2) and the rule's own re-check.

    Whether a kind counts toward the A-grade yearly cap ("无事不扰") is a rule of ``rules.py``
    (``CAPPED_KINDS``), not a property of this list.
    """

    RANDOM = "random", _("双随机抽查")
    SPECIAL_CAMPAIGN = "special_campaign", _("专项检查")
    JOINT = "joint", _("联合检查")
    COMPLAINT = "complaint", _("举报投诉核查")
    PRE_OPENING = "pre_opening", _("投入使用、营业前核查")
    LARGE_EVENT = "large_event", _("大型群众性活动举办前检查")
    RECHECK = "recheck", _("复查")
    CASE = "case", _("案件调查中的检查")


class InspectionStatus(models.TextChoices):
    ASSIGNED = "assigned", _("待检查")
    SCHEDULED = "scheduled", _("已排期")
    RECORDED = "recorded", _("已检查，待确认")
    RECTIFYING = "rectifying", _("整改中")
    CLOSED = "closed", _("已办结")
    REFERRED = "referred", _("已移交处理")
    CANCELLED = "cancelled", _("已撤销")


class InspectionResult(models.TextChoices):
    NO_PROBLEM = "no_problem", _("未发现问题")
    CORRECTED_ON_SPOT = "corrected_on_spot", _("当场改正")
    ORDERED_TO_CORRECT = "ordered_to_correct", _("责令限期改正")
    FURTHER_ACTION = "further_action", _("移交进一步处理")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已公开，待抽取")
    DRAWN = "drawn", _("已抽取")
    SUPERSEDED = "superseded", _("已被新版本取代")


class InspectionPlan(models.Model):
    """A spot-check plan for a period and a scope (一公开: published before it runs).

    The plan part of the app adds its scope, sampling rules, items, versions and commitment.
    """

    title = models.CharField(_("计划名称"), max_length=128)
    period_start = models.DateField(_("开始日期"))
    period_end = models.DateField(_("结束日期"))
    status = models.CharField(
        _("状态"), max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    # --- plans: scope, versions, publication and the commitment of the draw ---
    description = models.TextField(_("说明"), blank=True)
    # The unit of the supervisor who wrote it (a brigade, or the detachment for a plan that
    # spans brigades); the brigades it samples are ``brigades``.
    org_unit = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name=_("制定单位"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    brigades = models.ManyToManyField(
        "accounts.OrgUnit",
        verbose_name=_("抽查大队"),
        related_name="inspection_plans",
        limit_choices_to={"kind": "brigade"},
    )
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    previous = models.OneToOneField(
        "self",
        verbose_name=_("上一版本"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next_version",
    )
    change_reason = models.TextField(_("修订理由"), blank=True)
    published_at = models.DateTimeField(_("公开时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    superseded_at = models.DateTimeField(_("被取代时间"), null=True, blank=True)
    # Frozen at publication: what the draw runs on (drawing.py's input) and its commitment.
    published_data = models.JSONField(_("公开数据"), null=True, blank=True, editable=False)
    # The secret seed: never shown (nor audited) before the draw reveals it.
    seed = models.CharField(max_length=128, blank=True, editable=False)
    seed_commitment = models.CharField(_("随机种子承诺值"), max_length=128, blank=True)
    candidates_fingerprint = models.CharField(_("检查对象名录指纹"), max_length=128, blank=True)
    inspectors_fingerprint = models.CharField(_("检查人员名录指纹"), max_length=128, blank=True)
    algorithm = models.CharField(_("抽取算法版本"), max_length=64, blank=True)

    # Fields the audit log must not copy (apps.py): the seed is secret until the draw.
    AUDIT_EXCLUDE = ("seed", "published_data")

    class Meta:
        ordering = ["-period_start", "-pk"]
        verbose_name = _("抽查计划")
        verbose_name_plural = _("抽查计划")
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="plan_period_order"
            ),
            # A published plan carries its commitment; a draft none.
            models.CheckConstraint(
                condition=Q(status="draft") | ~Q(seed_commitment=""),
                name="plan_published_commitment",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Inspection(models.Model):
    """One inspection of one unit: drawn by a plan, or brought about by a complaint, a permit,
    an event, a campaign, a joint action, a deadline (re-check) or a case."""

    reference = models.CharField(_("检查编号"), max_length=32, unique=True)
    kind = models.CharField(_("检查类型"), max_length=24, choices=InspectionKind.choices)
    plan = models.ForeignKey(
        InspectionPlan,
        verbose_name=_("抽查计划"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inspections",
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("检查对象"),
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    brigade = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name=_("承办大队"),
        on_delete=models.PROTECT,
        related_name="inspections",
        limit_choices_to={"kind": "brigade"},
    )
    # The inspection this one re-checks (a re-check follows an order to correct).
    follows = models.ForeignKey(
        "self",
        verbose_name=_("原检查"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rechecks",
    )
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=InspectionStatus.choices,
        default=InspectionStatus.ASSIGNED,
        db_index=True,
    )
    planned_date = models.DateField(_("计划检查日期"), null=True, blank=True)
    visited_at = models.DateTimeField(_("检查时间"), null=True, blank=True)
    result = models.CharField(
        _("检查结果"), max_length=24, choices=InspectionResult.choices, blank=True
    )
    rectify_by = models.DateField(_("整改期限"), null=True, blank=True)
    # Outside plans (intake): why the inspection is made, with which department for a joint
    # check, and the record it comes from (a permit's reference for a pre-opening verification).
    reason = models.TextField(_("检查事由"), max_length=2000, blank=True)
    joint_department = models.CharField(_("联合检查部门"), max_length=128, blank=True)
    source_reference = models.CharField(_("来源编号"), max_length=40, blank=True, db_index=True)
    # --- visits: what the officers wrote on the record, and the rectification that follows.
    visit_note = models.TextField(_("检查情况"), blank=True, max_length=4000)
    recorded_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The unit asked for the re-check (online or in person): the re-check clock runs from then.
    recheck_requested_at = models.DateTimeField(_("申请复查时间"), null=True, blank=True)
    # On a re-check: the day the unit finished the correction, as the officers found it.
    rectified_on = models.DateField(_("整改完成日期"), null=True, blank=True)
    # The statutory date of the running clock that comes next (kept by core.clocks).
    next_due = models.DateField(_("下一时限"), null=True, blank=True, db_index=True)
    due_provisional = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    CLOCK_COLUMNS = ClockColumns(next="next_due", provisional="due_provisional")
    reminder_label = "inspection"

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("监督检查")
        verbose_name_plural = _("监督检查")
        indexes = [
            models.Index(fields=["enterprise", "kind", "visited_at"], name="insp_cap_lookup"),
            # The list's order (selectors_visits.inspection_list_for_user), for the detachment and
            # for a brigade: its page is read in this order, never sorted (ADR 0030, 0036).
            models.Index(
                fields=["next_due", "planned_date", "-created_at", "-id"], name="insp_list_idx"
            ),
            models.Index(
                fields=["brigade", "next_due", "planned_date", "-created_at", "-id"],
                name="insp_brigade_list_idx",
            ),
        ]
        constraints = [
            # A re-check always names the inspection it follows; nothing else does.
            models.CheckConstraint(
                condition=Q(kind="recheck", follows__isnull=False)
                | (~Q(kind="recheck") & Q(follows__isnull=True)),
                name="inspection_recheck_follows",
            ),
            # A random spot check belongs to a plan.
            models.CheckConstraint(
                condition=~Q(kind="random") | Q(plan__isnull=False), name="inspection_random_plan"
            ),
            # One inspection per source record and kind: a permit granted twice over (a request
            # sent again) opens one pre-opening verification.
            models.UniqueConstraint(
                fields=["kind", "source_reference"],
                condition=~Q(source_reference=""),
                name="inspection_one_per_source",
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class InspectionAssignment(models.Model):
    """One of the (at least two) certified officers on an inspection, and their confirmation."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="assignments")
    officer = models.ForeignKey(
        USER,
        verbose_name=_("检查人员"),
        on_delete=models.PROTECT,
        related_name="inspection_assignments",
    )
    is_lead = models.BooleanField(_("主办"), default=False)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)

    class Meta:
        ordering = ["inspection", "-is_lead", "pk"]
        verbose_name = _("检查人员分派")
        verbose_name_plural = _("检查人员分派")
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "officer"], name="assignment_one_per_officer"
            ),
            models.UniqueConstraint(
                fields=["inspection"], condition=Q(is_lead=True), name="assignment_one_lead"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.inspection_id}:{self.officer_id}"


# --- intake ---
# Inspections outside plans (complaints, pre-opening verifications, large events, campaigns,
# joint checks, cases): what brought them about, and the complaint's own register.
class ComplaintChannel(models.TextChoices):
    HOTLINE = "hotline_12345", _("12345 热线")
    ONLINE = "online", _("网上举报")
    LETTER = "letter", _("来信")
    IN_PERSON = "in_person", _("来访")


class ComplaintCategory(models.TextChoices):
    """What the complaint is about; the category sets the verification clock (rules.py)."""

    EVACUATION_BLOCKED = "evacuation_blocked", _("疏散通道、安全出口堵塞或占用")
    EXIT_LOCKED = "exit_locked", _("安全出口锁闭、封堵")
    FACILITIES_OFF = "facilities_off", _("擅自停用消防设施")
    OTHER = "other", _("其他消防安全违法行为")


class ComplaintReply(models.TextChoices):
    """How the complainant was told the result (or why they could not be)."""

    SMS = "sms", _("短信告知")
    PHONE = "phone", _("电话告知")
    LETTER = "letter", _("书面告知")
    IMPOSSIBLE = "impossible", _("无法告知（已记录原因）")


class Complaint(models.Model):
    """A report or complaint (举报投诉) and its verification (DOMAIN.md §2.5).

    The complainant's name and phone are personal data: shown masked except to the handling
    staff of the brigade, whose every view of the full phone is audited.
    """

    inspection = models.OneToOneField(
        Inspection,
        verbose_name=_("核查检查"),
        on_delete=models.PROTECT,
        related_name="complaint",
    )
    channel = models.CharField(_("来源渠道"), max_length=16, choices=ComplaintChannel.choices)
    ticket_number = models.CharField(_("工单编号"), max_length=40, blank=True)
    complainant_name = models.CharField(_("举报人姓名"), max_length=64, blank=True)
    complainant_phone = models.CharField(
        _("举报人电话"), max_length=11, blank=True, validators=[validate_mainland_mobile]
    )
    category = models.CharField(_("举报类别"), max_length=24, choices=ComplaintCategory.choices)
    content = models.TextField(_("举报内容"), max_length=2000)
    received_at = models.DateTimeField(_("接报时间"))
    replied_at = models.DateTimeField(_("告知时间"), null=True, blank=True)
    reply_method = models.CharField(
        _("告知方式"), max_length=16, choices=ComplaintReply.choices, blank=True
    )
    reply_text = models.TextField(_("告知内容或无法告知的原因"), max_length=1000, blank=True)
    replied_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    # The audit log keeps the name masked like the phone (read by administrators, PIPL).
    AUDIT_MASK = ("complainant_name",)

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("举报投诉")
        verbose_name_plural = _("举报投诉")
        constraints = [
            # Told the result (or why not) means how and when together.
            models.CheckConstraint(
                condition=(Q(replied_at__isnull=True) & Q(reply_method=""))
                | (Q(replied_at__isnull=False) & ~Q(reply_method="")),
                name="complaint_reply_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.inspection_id}:{self.get_category_display()}"


# --- drawing: roster and recusal ---


class OfficerCertificate(models.Model):
    """An officer's law-enforcement certificate (执法证): only officers holding one that is active
    and valid on the day are drawn (two certified officers per inspection, DOMAIN.md §2.5)."""

    officer = models.ForeignKey(
        USER,
        verbose_name=_("执法人员"),
        on_delete=models.PROTECT,
        related_name="enforcement_certificates",
    )
    number = models.CharField(_("执法证号"), max_length=32, unique=True)
    valid_from = models.DateField(_("有效期起"))
    valid_until = models.DateField(_("有效期至"))
    active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["officer", "-valid_until", "pk"]
        verbose_name = _("执法证")
        verbose_name_plural = _("执法证")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("valid_from")),
                name="certificate_validity_order",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def valid_on(self, day) -> bool:  # type: ignore[no-untyped-def]
        return self.active and self.valid_from <= day <= self.valid_until


class ConflictKind(models.TextChoices):
    """Grounds of recusal (回避) an officer declares (Administrative Penalty Law art. 43;
    DOMAIN.md §2.4)."""

    RELATIVE = "relative", _("近亲属在该单位任职或持有权益")
    FORMER_EMPLOYER = "former_employer", _("曾在该单位任职")
    BUSINESS_INTEREST = "business_interest", _("本人或近亲属与该单位有经济利益")
    OTHER = "other", _("其他可能影响公正执法的关系")


class ConflictStatus(models.TextChoices):
    PENDING = "pending", _("待决定")
    UPHELD = "upheld", _("决定回避")
    DISMISSED = "dismissed", _("决定不予回避")
    WITHDRAWN = "withdrawn", _("已撤回")


# A declaration keeps the officer out of the unit's draws while it is pending (the safe side)
# and once recusal is decided; a dismissed or withdrawn one does not.
EXCLUDING_CONFLICT_STATUSES = (ConflictStatus.PENDING, ConflictStatus.UPHELD)


class ConflictDeclaration(models.Model):
    """An officer's declared conflict of interest with a registered unit (the recusal register).

    Personal data: seen by the officer, the supervisors of their brigade (the detachment's: every
    brigade) and the discipline officers; never public. The public draw data carries only the
    pair (pseudonymous officer code, unit) of a pending or upheld declaration.
    """

    officer = models.ForeignKey(
        USER,
        verbose_name=_("申报人"),
        on_delete=models.PROTECT,
        related_name="conflict_declarations",
    )
    # The officer's brigade when they declared: whose supervisors decide and see it.
    brigade = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name=_("所属单位"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("相关单位"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(_("回避事由"), max_length=24, choices=ConflictKind.choices)
    note = models.TextField(_("情况说明"), max_length=500, blank=True)
    declared_at = models.DateTimeField(_("申报时间"), default=timezone.now)
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=ConflictStatus.choices,
        default=ConflictStatus.PENDING,
        db_index=True,
    )
    decided_by = models.ForeignKey(
        USER,
        verbose_name=_("决定人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    decision_reason = models.TextField(_("决定理由"), max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-declared_at", "-pk"]
        verbose_name = _("利益冲突申报")
        verbose_name_plural = _("利益冲突申报")
        constraints = [
            # One live declaration per officer and unit: a second one adds nothing to the draw.
            models.UniqueConstraint(
                fields=["officer", "enterprise"],
                condition=Q(status__in=["pending", "upheld"]),
                name="conflict_one_live_per_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.officer_id}→{self.enterprise_id}"


# --- visits ---
class ChecklistOutcome(models.TextChoices):
    PASS = "pass", _("符合")
    FAIL = "fail", _("不符合")
    NOT_APPLICABLE = "na", _("不适用")


class ChecklistItem(models.Model):
    """One item the officers check in a visit, by venue type (empty: every type).

    Seeded from the duties 《消防监督检查规定》 art. 10–11 lists (DOMAIN.md §2.5); administrators
    adjust them. ``key_units_only``: the extra duties of key fire-safety units (art. 11).
    """

    code = models.CharField(_("代码"), max_length=32)
    venue_type = models.CharField(_("场所类型"), max_length=32, blank=True)
    key_units_only = models.BooleanField(_("仅消防安全重点单位"), default=False)
    text = models.CharField(_("检查内容"), max_length=255)
    basis = models.CharField(_("依据"), max_length=255)
    confidence = models.CharField(_("可信度"), max_length=4, default="M")
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("检查项目")
        verbose_name_plural = _("检查项目")
        constraints = [
            models.UniqueConstraint(fields=["code", "venue_type"], name="checklist_item_unique"),
        ]

    def __str__(self) -> str:
        return self.text


class ViolationCode(models.Model):
    """The catalogue of violations a finding names (the enforcement part grows it)."""

    code = models.CharField(_("违法行为代码"), max_length=32, unique=True)
    title = models.CharField(_("违法行为"), max_length=255)
    legal_basis = models.CharField(_("法律依据"), max_length=255)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("违法行为代码")
        verbose_name_plural = _("违法行为代码")

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class ChecklistEntry(models.Model):
    """The officers' answer to one checklist item in one visit (the text is copied: an item
    edited later does not change what was checked)."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="checklist")
    item = models.ForeignKey(
        ChecklistItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text = models.CharField(_("检查内容"), max_length=255)
    outcome = models.CharField(_("检查结论"), max_length=4, choices=ChecklistOutcome.choices)

    class Meta:
        ordering = ["inspection", "pk"]
        verbose_name = _("检查项目记录")
        verbose_name_plural = _("检查项目记录")

    def __str__(self) -> str:
        return f"{self.inspection_id}:{self.text}"


def finding_photo_upload_to(instance: InspectionFinding, filename: str) -> str:
    now = timezone.localtime()
    return f"inspections/findings/{now:%Y/%m}/{filename}"


class InspectionFinding(models.Model):
    """One problem found in a visit: the violation, where, a photo, and whether it was
    corrected on the spot."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings")
    violation = models.ForeignKey(
        ViolationCode, verbose_name=_("违法行为"), on_delete=models.PROTECT, related_name="+"
    )
    description = models.CharField(_("问题描述"), max_length=500)
    location = models.CharField(_("部位"), max_length=128)
    photo = models.FileField(
        _("照片"), upload_to=finding_photo_upload_to, max_length=255, blank=True
    )
    corrected_on_spot = models.BooleanField(_("已当场改正"), default=False)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    class Meta:
        ordering = ["inspection", "pk"]
        verbose_name = _("检查发现的问题")
        verbose_name_plural = _("检查发现的问题")

    def __str__(self) -> str:
        return f"{self.inspection_id}:{self.violation_id}"


class InspectionDocumentKind(models.TextChoices):
    RECORD = "record", _("消防监督检查记录")
    IMMEDIATE_NOTICE = "immediate", _("责令立即改正通知书")
    DEADLINE_NOTICE = "deadline", _("责令限期改正通知书")


class InspectionDocument(IssuedDocument):
    """An official document of an inspection, issued once (core.documents)."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("文书"), max_length=16, choices=InspectionDocumentKind.choices)

    renderer = "inspections.documents.render_inspection_document_pdf"
    render_related = ("inspection__brigade", "inspection__enterprise")
    upload_folder = "documents"

    class Meta:
        ordering = ["issued_at", "pk"]
        verbose_name = _("检查文书")
        verbose_name_plural = _("检查文书")
        constraints = [
            models.UniqueConstraint(fields=["inspection", "kind"], name="inspection_document_once"),
            models.UniqueConstraint(fields=["number"], name="inspection_document_number"),
        ]


# --- plans ---
class VenueClass(models.TextChoices):
    """The classes a spot-check plan samples apart (DOMAIN.md §2.3); which class a unit is in is
    ``rules.venue_class``."""

    CROWDED_KEY = "crowded_key", _("人员密集场所的重点单位")
    OTHER_KEY = "other_key", _("其他重点单位")
    GENERAL = "general", _("一般单位")
    PENALISED = "penalised", _("上年度受处罚单位")


class PlanClass(models.Model):
    """One venue class in a plan's scope, with the base sampling ratio the supervisor set."""

    plan = models.ForeignKey(InspectionPlan, on_delete=models.CASCADE, related_name="classes")
    venue_class = models.CharField(_("单位类别"), max_length=16, choices=VenueClass.choices)
    base_ratio = models.DecimalField(_("抽查比例"), max_digits=5, decimal_places=4)

    class Meta:
        ordering = ["plan", "pk"]
        verbose_name = _("抽查类别")
        verbose_name_plural = _("抽查类别")
        constraints = [
            models.UniqueConstraint(fields=["plan", "venue_class"], name="plan_class_once"),
            models.CheckConstraint(
                condition=Q(base_ratio__gte=0, base_ratio__lte=1), name="plan_class_ratio_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id}:{self.venue_class}"


class PlanRatio(models.Model):
    """The sampling ratio of one (class, credit grade): base ratio × the grade's multiplier at
    the time, kept so that the published plan stays as it was when grades change later."""

    plan = models.ForeignKey(InspectionPlan, on_delete=models.CASCADE, related_name="ratios")
    venue_class = models.CharField(_("单位类别"), max_length=16, choices=VenueClass.choices)
    grade = models.CharField(_("信用等级"), max_length=8)
    multiplier = models.DecimalField(_("信用系数"), max_digits=4, decimal_places=2)
    ratio = models.DecimalField(_("抽查比例"), max_digits=5, decimal_places=4)

    class Meta:
        ordering = ["plan", "pk"]
        verbose_name = _("分级抽查比例")
        verbose_name_plural = _("分级抽查比例")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "venue_class", "grade"], name="plan_ratio_once"
            ),
            models.CheckConstraint(
                condition=Q(ratio__gte=0, ratio__lte=1), name="plan_ratio_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id}:{self.venue_class}:{self.grade}"


class PlanItem(models.Model):
    """One matter to check in the single visit (all matters for one unit in one visit)."""

    plan = models.ForeignKey(InspectionPlan, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(_("序号"), default=0)
    code = models.CharField(_("代码"), max_length=32, blank=True)
    text = models.CharField(_("检查事项"), max_length=255)

    class Meta:
        ordering = ["plan", "position", "pk"]
        verbose_name = _("检查事项")
        verbose_name_plural = _("检查事项")

    def __str__(self) -> str:
        return self.text


class PlanDraw(models.Model):
    """The draw of a published plan: its revealed seed and result. A plan is drawn once; a void
    draw stays on record (and on the public page) beside the replacement version's draw."""

    plan = models.OneToOneField(InspectionPlan, on_delete=models.PROTECT, related_name="draw")
    seed = models.CharField(_("随机种子"), max_length=128)
    algorithm = models.CharField(_("抽取算法版本"), max_length=64)
    result = models.JSONField(_("抽取结果"))
    drawn_at = models.DateTimeField(_("抽取时间"), default=timezone.now)
    drawn_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    voided_at = models.DateTimeField(_("作废时间"), null=True, blank=True)
    voided_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    void_reason = models.TextField(_("作废理由"), blank=True)

    class Meta:
        ordering = ["-drawn_at", "-pk"]
        verbose_name = _("抽取记录")
        verbose_name_plural = _("抽取记录")
        constraints = [
            models.CheckConstraint(
                condition=Q(voided_at__isnull=True) | ~Q(void_reason=""),
                name="plan_draw_void_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id}@{self.drawn_at:%Y-%m-%d}"

    @property
    def is_void(self) -> bool:
        return self.voided_at is not None


class PublishedResult(models.Model):
    """The result of one plan inspection, published on the plan's public page (一公开)."""

    plan = models.ForeignKey(
        InspectionPlan, on_delete=models.PROTECT, related_name="published_results"
    )
    inspection = models.OneToOneField(
        Inspection, on_delete=models.PROTECT, related_name="published_result"
    )
    published_at = models.DateTimeField(_("公开时间"), default=timezone.now)
    published_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["plan", "pk"]
        verbose_name = _("公开的检查结果")
        verbose_name_plural = _("公开的检查结果")

    def __str__(self) -> str:
        return f"{self.plan_id}:{self.inspection_id}"
