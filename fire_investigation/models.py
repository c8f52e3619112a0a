"""Tables of measures 5 (精准勘验 + 压缩时限) and 6 (科学施救 + 文明亲民).

Operations (measure 6): the quiet periods supervisors enter from official notices and the
incidents the brigades attend. Investigation (measure 5): the case opened from an incident, its
parties, the protected scene and its narrowing, loss declarations and review applications. The
time limits run on kernel clocks (core.clocks) under rules kept as data (core.DeadlineRule); the
thresholds that are not periods (the simple procedure's loss, jurisdiction by severity) are
``InvestigationLimits`` rows with their legal basis.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from lishui_fire.core.models import ClockColumns
from lishui_fire.core.validators import validate_mainland_mobile

USER = settings.AUTH_USER_MODEL


# --- Operations (measure 6) ----------------------------------------------------------------------
class QuietPeriodKind(models.TextChoices):
    GAOKAO = "gaokao", _("高考")
    XUANKAO = "xuankao", _("选考")
    XUEKAO = "xuekao", _("学考")
    ZHONGKAO = "zhongkao", _("中考")
    OTHER_EXAM = "other_exam", _("其他考试")
    MEETING = "meeting", _("重要会议")


class QuietPeriod(models.Model):
    """An exam or meeting period during which engines use lights only, no siren (静默时段).

    Entered by a supervisor from the official notice, never computed (DOMAIN.md §9.2): the
    dates move every year and the notice is the source. An empty ``brigade`` means the whole
    city.
    """

    name = models.CharField(_("名称"), max_length=128)
    kind = models.CharField(_("类别"), max_length=16, choices=QuietPeriodKind.choices)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    brigade = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name=_("范围（县、市、区）"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("留空为全市。"),
    )
    area = models.TextField(_("区域或考点"), help_text=_("考点名称与地址，每行一个；或会议区域。"))
    radius_m = models.PositiveIntegerField(
        _("静默半径（米）"), default=0, help_text=_("考点周边的静默范围；0 为整个区域。")
    )
    source = models.CharField(_("依据（通知文号或网址）"), max_length=255)
    created_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("静默时段")
        verbose_name_plural = _("静默时段")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="quiet_period_ends_after_start"
            )
        ]
        indexes = [models.Index(fields=["ends_at", "starts_at"], name="quiet_period_window")]

    def __str__(self) -> str:
        return self.name


class IncidentKind(models.TextChoices):
    BUILDING_FIRE = "building_fire", _("建筑火灾")
    VEHICLE_FIRE = "vehicle_fire", _("车辆火灾")
    FOREST_FIRE = "forest_fire", _("森林、草原火灾")
    OTHER_FIRE = "other_fire", _("其他火灾")
    RESCUE = "rescue", _("抢险救援")
    SOCIAL_ASSISTANCE = "social_assistance", _("社会救助")


class Incident(models.Model):
    """One call-out: the alarm (the investigation clock starts here), the response and what the
    fire cost. The water-damage precautions (measure 6, 科学施救) are recorded with it."""

    reference = models.CharField(_("警情编号"), max_length=32, unique=True)
    brigade = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name=_("辖区大队"),
        on_delete=models.PROTECT,
        related_name="incidents",
    )
    kind = models.CharField(_("警情类别"), max_length=24, choices=IncidentKind.choices)
    location = models.CharField(_("地点"), max_length=255)
    alarm_received_at = models.DateTimeField(_("接警时间"))
    dispatched_at = models.DateTimeField(_("出动时间"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("到场时间"), null=True, blank=True)
    extinguished_at = models.DateTimeField(_("扑灭时间"), null=True, blank=True)
    units_dispatched = models.CharField(_("出动力量"), max_length=255, blank=True)
    vehicles = models.PositiveSmallIntegerField(_("出动车辆"), default=0)
    deaths = models.PositiveSmallIntegerField(_("死亡人数"), default=0)
    serious_injuries = models.PositiveSmallIntegerField(_("重伤人数"), default=0)
    minor_injuries = models.PositiveSmallIntegerField(_("轻伤人数"), default=0)
    households_affected = models.PositiveSmallIntegerField(_("受灾户数"), default=0)
    direct_loss_yuan = models.DecimalField(
        _("直接财产损失（元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    # Set when the incident is recorded: the quiet period its alarm fell in, if any.
    quiet_period = models.ForeignKey(
        QuietPeriod,
        verbose_name=_("静默时段"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="incidents",
    )
    # Water damage (科学施救): the precautions taken, from a short checklist, and notes.
    water_precautions = models.JSONField(_("防水渍措施"), default=list, blank=True)
    water_notes = models.TextField(_("水渍损失情况"), blank=True)
    recorded_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-alarm_received_at", "-pk"]
        verbose_name = _("警情")
        verbose_name_plural = _("警情")
        constraints = [
            models.CheckConstraint(
                condition=Q(dispatched_at__isnull=True)
                | Q(dispatched_at__gte=F("alarm_received_at")),
                name="incident_dispatch_after_alarm",
            ),
            models.CheckConstraint(
                condition=Q(arrived_at__isnull=True)
                | (Q(dispatched_at__isnull=False) & Q(arrived_at__gte=F("dispatched_at"))),
                name="incident_arrival_after_dispatch",
            ),
        ]
        indexes = [
            models.Index(fields=["brigade", "-alarm_received_at"], name="incident_brigade_alarm")
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def in_quiet_period(self) -> bool:
        return self.quiet_period_id is not None


class IncidentPhoto(models.Model):
    """A photo of the water-damage precautions or of the damage."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("照片"), upload_to="incidents/%Y/%m/")
    caption = models.CharField(_("说明"), max_length=128, blank=True)
    uploaded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("警情照片")
        verbose_name_plural = _("警情照片")

    def __str__(self) -> str:
        return self.caption or self.image.name


# --- Investigation (measure 5) -------------------------------------------------------------------
class InvestigationLimits(models.Model):
    """The thresholds of fire investigation that are not periods, with their basis and the date
    they take effect (the province sets the simple procedure's "minor loss")."""

    simple_max_loss_yuan = models.DecimalField(
        _("简易程序直接财产损失上限（元）"), max_digits=14, decimal_places=2
    )
    province_deaths = models.PositiveSmallIntegerField(_("省级调查：死亡人数"))
    province_serious_injuries = models.PositiveSmallIntegerField(_("省级调查：重伤人数"))
    province_households = models.PositiveSmallIntegerField(_("省级调查：受灾户数"))
    detachment_deaths = models.PositiveSmallIntegerField(_("支队调查：死亡人数"))
    detachment_serious_injuries = models.PositiveSmallIntegerField(_("支队调查：重伤人数"))
    detachment_households = models.PositiveSmallIntegerField(_("支队调查：受灾户数"))
    legal_basis = models.CharField(_("依据"), max_length=255)
    effective_from = models.DateField(_("生效日期"), unique=True)

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = _("火灾调查限额")
        verbose_name_plural = _("火灾调查限额")

    def __str__(self) -> str:
        return f"{self.effective_from}: {self.legal_basis}"


class Level(models.TextChoices):
    BRIGADE = "brigade", _("大队（县级）")
    DETACHMENT = "detachment", _("支队（市级）")
    PROVINCE = "province", _("总队（省级）")


class Procedure(models.TextChoices):
    SIMPLE = "simple", _("简易调查程序")
    NORMAL = "normal", _("一般调查程序")


class CaseStatus(models.TextChoices):
    INVESTIGATING = "investigating", _("调查中")
    DETERMINED = "determined", _("已认定，待送达")
    SERVED = "served", _("已送达")
    UNDER_REVIEW = "under_review", _("复核中")
    REDETERMINING = "redetermining", _("重新认定中")
    CLOSED = "closed", _("已结案")


class SceneStatus(models.TextChoices):
    NONE = "none", _("未设现场保护")
    PROTECTED = "protected", _("现场保护中")
    NARROWED = "narrowed", _("已缩小保护范围")
    RELEASED = "released", _("已解除保护")


class InvestigationCase(models.Model):
    """A fire investigation, opened from an incident, on the 20- or 30-day clock."""

    reference = models.CharField(_("案件编号"), max_length=32, unique=True)
    incident = models.OneToOneField(
        Incident, verbose_name=_("警情"), on_delete=models.PROTECT, related_name="case"
    )
    # The unit whose investigators run the case (the detachment for a city-level fire).
    brigade = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name=_("调查单位"),
        on_delete=models.PROTECT,
        related_name="fire_cases",
    )
    level = models.CharField(_("管辖级别"), max_length=16, choices=Level.choices)
    procedure = models.CharField(_("调查程序"), max_length=8, choices=Procedure.choices)
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=CaseStatus.choices,
        default=CaseStatus.INVESTIGATING,
        db_index=True,
    )
    # The three facts that decide the clock (rules.determination_rule).
    enterprise_involved = models.BooleanField(_("涉及企业"), default=False)
    has_dispute = models.BooleanField(_("存在争议"), default=False)
    criminal_liability = models.BooleanField(_("涉嫌刑事责任"), default=False)
    arson_suspected = models.BooleanField(_("涉嫌放火"), default=False)
    scene_status = models.CharField(
        _("现场状态"), max_length=16, choices=SceneStatus.choices, default=SceneStatus.NONE
    )
    scene_protected_at = models.DateTimeField(_("现场保护开始"), null=True, blank=True)
    scene_released_at = models.DateTimeField(_("现场解除保护"), null=True, blank=True)
    investigators = models.ManyToManyField(
        USER, verbose_name=_("调查人员"), related_name="fire_cases", blank=True
    )
    # The determination (火灾事故认定).
    cause = models.TextField(_("起火原因"), blank=True)
    origin = models.CharField(_("起火部位"), max_length=255, blank=True)
    ignition_time = models.CharField(_("起火时间"), max_length=64, blank=True)
    ruled_out = models.TextField(_("可以排除的原因"), blank=True)
    not_ruled_out = models.TextField(_("不能排除的原因"), blank=True)
    determined_at = models.DateTimeField(_("认定时间"), null=True, blank=True)
    served_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    notice_posted_on = models.DateField(_("公告送达日期"), null=True, blank=True)
    determination_due = models.DateField(_("认定期限"), null=True, blank=True)
    # The determination period in days (20 or 30, plus an extension granted), kept by the
    # services beside the kernel's clock so that lists read it without a query per row.
    determination_days = models.PositiveSmallIntegerField(
        _("认定时限（日）"), null=True, blank=True
    )
    next_due = models.DateField(_("下一期限"), null=True, blank=True)
    due_provisional = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    CLOCK_COLUMNS = ClockColumns(
        due={"determination": "determination_due"}, next="next_due", provisional="due_provisional"
    )
    reminder_label = "fire_case"

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("火灾事故调查")
        verbose_name_plural = _("火灾事故调查")
        indexes = [
            models.Index(fields=["brigade", "status", "next_due"], name="fire_case_queue"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def facts(self):  # type: ignore[no-untyped-def]
        from .rules import ClockFacts

        return ClockFacts(
            enterprise_involved=self.enterprise_involved,
            has_dispute=self.has_dispute,
            criminal_liability_suspected=self.criminal_liability,
        )


class PartyRole(models.TextChoices):
    OWNER = "owner", _("起火单位或业主")
    DAMAGED = "damaged", _("受损方")
    OTHER = "other", _("其他当事人")


class CaseParty(models.Model):
    """A party to the fire: sees their case and scene, declares losses, may apply for review."""

    case = models.ForeignKey(InvestigationCase, on_delete=models.CASCADE, related_name="parties")
    user = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="fire_parties"
    )
    name = models.CharField(_("当事人"), max_length=128)
    # A mobile number: the party is told of the case by SMS; masked where a role may not see it.
    phone = models.CharField(_("联系电话"), max_length=11, validators=[validate_mainland_mobile])
    role = models.CharField(_("身份"), max_length=16, choices=PartyRole.choices)
    heard_at = models.DateTimeField(_("听取意见时间"), null=True, blank=True)
    hearing_notes = models.TextField(_("当事人意见"), blank=True)
    consents_to_release = models.BooleanField(_("同意解除现场保护"), default=False)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("当事人")
        verbose_name_plural = _("当事人")

    def __str__(self) -> str:
        return self.name


class SceneEventKind(models.TextChoices):
    PROTECT = "protect", _("设立现场保护")
    NARROW = "narrow", _("缩小保护范围")
    RELEASE = "release", _("解除保护")


class SceneEvent(models.Model):
    """One step of the scene's protection: set, narrowed (with the new scope and why), released
    (at the end of the survey, or early on the parties' signed consent)."""

    case = models.ForeignKey(InvestigationCase, on_delete=models.CASCADE, related_name="scene")
    kind = models.CharField(_("事项"), max_length=8, choices=SceneEventKind.choices)
    at = models.DateTimeField(_("时间"))
    scope = models.TextField(_("保护范围"), blank=True)
    reason = models.TextField(_("理由"), blank=True)
    sketch = models.ImageField(_("示意图或照片"), upload_to="scenes/%Y/%m/", blank=True)
    early = models.BooleanField(_("提前解封"), default=False)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("现场保护记录")
        verbose_name_plural = _("现场保护记录")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


class LossDeclaration(models.Model):
    """A damaged party's declaration of direct loss (within 7 days of the fire being out)."""

    case = models.ForeignKey(InvestigationCase, on_delete=models.CASCADE, related_name="losses")
    party = models.ForeignKey(CaseParty, on_delete=models.PROTECT, related_name="losses")
    amount_yuan = models.DecimalField(_("申报损失（元）"), max_digits=14, decimal_places=2)
    items = models.TextField(_("损失清单"))
    declared_on = models.DateField(_("申报日期"))
    in_time = models.BooleanField(_("在申报期限内"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["declared_on", "pk"]
        verbose_name = _("损失申报")
        verbose_name_plural = _("损失申报")

    def __str__(self) -> str:
        return f"{self.party} {self.amount_yuan}"


class ReviewStatus(models.TextChoices):
    RECEIVED = "received", _("已收到，待决定是否受理")
    REFUSED = "refused", _("不予受理")
    ACCEPTED = "accepted", _("已受理")
    UPHELD = "upheld", _("维持原认定")
    REMANDED = "remanded", _("责令重新认定")


class ReviewApplication(models.Model):
    """A party's application for review (复核) to the next-higher authority: once per case."""

    case = models.ForeignKey(InvestigationCase, on_delete=models.PROTECT, related_name="reviews")
    party = models.ForeignKey(CaseParty, on_delete=models.PROTECT, related_name="reviews")
    received_on = models.DateField(_("收到申请日期"))
    grounds = models.TextField(_("复核理由"))
    status = models.CharField(
        _("状态"), max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.RECEIVED
    )
    refusal_codes = models.JSONField(_("不予受理理由"), default=list, blank=True)
    accepted_on = models.DateField(_("受理日期"), null=True, blank=True)
    file_received_on = models.DateField(_("收到原认定说明及案卷日期"), null=True, blank=True)
    decided_on = models.DateField(_("复核决定日期"), null=True, blank=True)
    decision = models.TextField(_("复核决定"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("复核申请")
        verbose_name_plural = _("复核申请")
        constraints = [
            # Once only (art. 35 ¶2): one accepted review per case, even when two parties
            # apply at the same time. An application refused (late, not a party) is no review.
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status__in=["accepted", "upheld", "remanded"]),
                name="fire_review_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.get_status_display()}"
