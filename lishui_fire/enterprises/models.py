"""The registry of social units (社会单位): enterprises, the credit scale and their grades with
their history, dishonesty-list entries, CSV imports.

The tables were created by the kernel (``core``) before the registry became its own app; they keep
their names (``db_table``) so a deployed database moved over without copying a row.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from lishui_fire.core.validators import validate_mainland_mobile, validate_uscc


class VenueType(models.TextChoices):
    """The one vocabulary of venue types, for the registry and for permit applications.

    The first fourteen are the public gathering venues (公众聚集场所) of the Fire Protection Law
    art. 73 and the local guides (DOMAIN.md 1.1), the only ones a pre-opening permit covers
    (``GATHERING_VENUE_TYPES``); the rest are kinds of unit only the registry knows. "Public
    entertainment venue" is the registry's umbrella for units not yet sorted into the law's kinds.
    """

    HOTEL = "hotel", _("宾馆、饭店")
    RESTAURANT = "restaurant", _("餐饮场所")
    MALL = "mall", _("商场")
    MARKET = "market", _("集贸市场")
    TERMINAL = "terminal", _("客运车站候车室、客运码头候船厅、民用机场航站楼")
    STADIUM = "stadium", _("体育场馆")
    HALL = "hall", _("会堂")
    CINEMA = "cinema", _("影剧院、录像厅、礼堂")
    DANCE = "dance", _("歌舞厅、卡拉OK厅、夜总会")
    TEAHOUSE = "teahouse", _("具有娱乐功能的音乐茶座、餐馆")
    GAMES = "games", _("游艺、游乐场所")
    BOWLING = "bowling", _("保龄球馆、旱冰场")
    SAUNA = "sauna", _("桑拿浴室")
    FITNESS = "fitness", _("营业性健身、休闲场所")
    ENTERTAINMENT = "entertainment", _("公共娱乐场所")
    FACTORY = "factory", _("生产加工企业")
    WAREHOUSE = "warehouse", _("仓储物流")
    HOSPITAL = "hospital", _("医院、养老机构")
    SCHOOL = "school", _("学校、幼儿园")
    HIGHRISE = "highrise", _("高层公共建筑")
    OTHER = "other", _("其他")


# The public gathering venues: what a permit application may name (Fire Protection Law art. 73).
GATHERING_VENUE_TYPES: frozenset[str] = frozenset(
    {
        VenueType.HOTEL,
        VenueType.RESTAURANT,
        VenueType.MALL,
        VenueType.MARKET,
        VenueType.TERMINAL,
        VenueType.STADIUM,
        VenueType.HALL,
        VenueType.CINEMA,
        VenueType.DANCE,
        VenueType.TEAHOUSE,
        VenueType.GAMES,
        VenueType.BOWLING,
        VenueType.SAUNA,
        VenueType.FITNESS,
    }
)


def gathering_venue_types() -> list[tuple[str, Any]]:
    """The gathering subset as choices, in the vocabulary's order."""
    return [(value, label) for value, label in VenueType.choices if value in GATHERING_VENUE_TYPES]


def is_gathering_venue_type(code: str) -> bool:
    return code in GATHERING_VENUE_TYPES


class RiskLevel(models.TextChoices):
    HIGH = "high", _("高风险")
    MEDIUM = "medium", _("中风险")
    LOW = "low", _("低风险")


# --- Credit (DOMAIN.md §3): the grade scale and the dishonesty lists are data -------------------
class CreditGrade(models.Model):
    """One grade of the credit scale and what it means for sampling, maintained by supervisors.

    The scale is data, not code: the codes, their labels and the sampling rule each grade carries
    come from the detachment's written rule (or the provincial platform), with its basis and the
    date it applies from. A grade says how trustworthy a unit is; whether it is on a dishonesty
    list (失信 / 严重失信) is a separate record, ``DishonestyListing``.
    """

    code = models.CharField(_("代码"), max_length=8, unique=True)
    label = models.CharField(_("名称"), max_length=64, help_text=_("例如：守信、基本守信。"))
    label_en = models.CharField(_("英文名称"), max_length=64, blank=True)
    meaning = models.TextField(_("含义"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    sampling_multiplier = models.DecimalField(
        _("抽查比例系数"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("1.00"),
        help_text=_("相对于一般抽查比例的倍数：1 为一般比例，0.5 为减半，2 为加倍。"),
    )
    max_planned_inspections_per_year = models.PositiveSmallIntegerField(
        _("每年计划及随机检查次数上限"),
        null=True,
        blank=True,
        help_text=_("留空为不限。投诉举报核查、复查和案件调查中的检查不受此限（无事不扰）。"),
    )
    basis = models.CharField(_("依据"), max_length=255, blank=True)
    effective_from = models.DateField(_("生效日期"))

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("信用等级")
        verbose_name_plural = _("信用等级")
        constraints = [
            models.CheckConstraint(
                condition=Q(sampling_multiplier__gte=0), name="credit_grade_multiplier"
            ),
        ]

    def __str__(self) -> str:
        return self.display_label

    @property
    def display_label(self) -> str:
        """``A 级（守信）`` / ``Grade A (trustworthy)``, in the reader's language."""
        label = self.label_en if get_language() == "en" and self.label_en else self.label
        return _("%(code)s 级（%(label)s）") % {"code": self.code, "label": label}


# The grade a newly registered unit carries until it is rated (a row of ``CreditGrade``).
DEFAULT_CREDIT_RATING = "B"


def validate_credit_grade(value: str) -> None:
    """The code must be a grade of the scale (the table, not a list in code)."""
    if not CreditGrade.objects.filter(code=value).exists():
        raise ValidationError(
            _("未知的信用等级：%(value)s。"), code="unknown_credit_grade", params={"value": value}
        )


class EnterpriseQuerySet(models.QuerySet["Enterprise"]):
    def in_brigade(self, brigade_id: int) -> EnterpriseQuerySet:
        return self.filter(brigade_id=brigade_id)


class Enterprise(models.Model):
    uscc = models.CharField(
        _("统一社会信用代码"), max_length=18, unique=True, validators=[validate_uscc]
    )
    name = models.CharField(_("单位名称"), max_length=128, db_index=True)
    address = models.CharField(_("地址"), max_length=255)
    brigade = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name=_("所属大队（县区）"),
        on_delete=models.PROTECT,
        related_name="enterprises",
        limit_choices_to={"kind": "brigade"},
    )
    venue_type = models.CharField(_("场所类型"), max_length=32, choices=VenueType.choices)
    risk_level = models.CharField(
        _("风险等级"), max_length=8, choices=RiskLevel.choices, default=RiskLevel.MEDIUM
    )
    # The code of a ``CreditGrade`` row (a code rather than a key, so the API, the import files
    # and the rating history keep reading "A"–"D"); checked against the table on every write.
    credit_rating = models.CharField(
        _("信用等级"),
        max_length=8,
        default=DEFAULT_CREDIT_RATING,
        validators=[validate_credit_grade],
    )
    # 消防安全重点单位 (Fire Protection Law art. 17), as the brigade has designated it: the spot-check
    # plans sample key units apart from general units (DOMAIN.md §2.3).
    key_unit = models.BooleanField(_("消防安全重点单位"), default=False)
    contact_name = models.CharField(_("联系人"), max_length=64, blank=True)
    contact_phone = models.CharField(
        _("联系电话"), max_length=11, blank=True, validators=[validate_mainland_mobile]
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EnterpriseQuerySet.as_manager()

    class Meta:
        ordering = ["brigade__sort_order", "name"]
        db_table = "core_enterprise"
        verbose_name = _("社会单位")
        verbose_name_plural = _("社会单位")
        constraints = [
            models.CheckConstraint(
                condition=Q(risk_level__in=["high", "medium", "low"]), name="enterprise_risk_level"
            ),
        ]
        indexes = [
            # The registry list's order (selectors.LIST_ORDER), for a brigade's staff and for
            # the detachment: its page is read in this order, never sorted (ADR 0030, 0036).
            models.Index(fields=["brigade", "name", "id"], name="enterprise_brigade_name_idx"),
            models.Index(fields=["name", "id"], name="enterprise_name_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def credit_grade(self) -> CreditGrade | None:
        """The grade row of ``credit_rating`` (one query; lists use selectors.credit_grades_by_code)."""
        return CreditGrade.objects.filter(code=self.credit_rating).first()


class RatingSource(models.TextChoices):
    """Where a grade came from (DOMAIN.md §3.2: own rules, or the provincial credit platform)."""

    REGISTRATION = "registration", _("登记时初始等级")
    OWN_RULE = "own_rule", _("依本支队评定规则")
    RECALCULATION = "recalculation", _("系统重新计算后经确认")
    PROVINCIAL_IMPORT = "provincial_import", _("省公共信用平台导入")
    MANUAL = "manual", _("人工调整")


# The sources a person may name when changing a grade by hand (a recalculation is decided on
# its proposal, and registration writes its own row).
MANUAL_SOURCES = (RatingSource.OWN_RULE, RatingSource.PROVINCIAL_IMPORT, RatingSource.MANUAL)


class CreditRatingChange(models.Model):
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="rating_changes"
    )
    from_rating = models.CharField(_("原等级"), max_length=8, blank=True)
    to_rating = models.CharField(_("新等级"), max_length=8)
    reason = models.TextField(_("理由"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(_("变更时间"), default=timezone.now)
    source = models.CharField(
        _("来源"), max_length=24, choices=RatingSource.choices, default=RatingSource.MANUAL
    )
    effective_from = models.DateField(_("生效日期"), null=True, blank=True)
    proposal = models.ForeignKey(
        "CreditGradeProposal",
        verbose_name=_("依据的计算建议"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rating_changes",
    )

    class Meta:
        db_table = "core_creditratingchange"
        ordering = ["-changed_at", "-pk"]
        verbose_name = _("信用等级变更")
        verbose_name_plural = _("信用等级变更")

    def __str__(self) -> str:
        return f"{self.from_rating or '—'} → {self.to_rating}"


class EnterpriseImport(models.Model):
    """One CSV upload by an administrator, processed in the background with visible progress."""

    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("处理中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    file = models.FileField(upload_to="imports/%Y/%m/")
    original_name = models.CharField(max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    # One entry per rejected row: line number, credit code and the reasons.
    errors = models.JSONField(default=list, blank=True)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "core_enterpriseimport"
        ordering = ["-created_at"]
        verbose_name = _("单位导入")
        verbose_name_plural = _("单位导入")

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, round(100 * self.processed_rows / self.total_rows))


class CreditEventKind(models.TextChoices):
    """What the credit record of a unit is made of (DOMAIN.md §3.2 CreditEvent)."""

    PENALTY = "penalty", _("行政处罚")
    FALSE_COMMITMENT = "false_commitment", _("虚假承诺")
    PERMIT_REVOKED = "permit_revoked", _("许可被撤销")
    RECTIFIED_ON_TIME = "rectified_on_time", _("按期整改")
    RECTIFIED_LATE = "rectified_late", _("逾期整改或未整改")
    FIRE = "fire", _("发生火灾")
    DISHONESTY_LISTED = "dishonesty_listed", _("列入失信名单")
    COMMENDATION = "commendation", _("表彰奖励")


class CreditEvent(models.Model):
    """One fact of a unit's credit record, written by the app where it happened.

    Apps record through ``enterprises.services.record_credit_event`` (never by importing each
    other): the inspections app writes rectifications, enforcement writes penalties, permits
    writes false commitments. ``source`` names the record it came from (``app.Model:pk``) so the
    same fact is recorded once.
    """

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="credit_events"
    )
    kind = models.CharField(_("类型"), max_length=24, choices=CreditEventKind.choices)
    occurred_on = models.DateField(_("发生日期"))
    source = models.CharField(_("来源"), max_length=64)
    note = models.TextField(_("说明"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    class Meta:
        ordering = ["-occurred_on", "-pk"]
        verbose_name = _("信用记录")
        verbose_name_plural = _("信用记录")
        indexes = [models.Index(fields=["kind", "occurred_on"], name="credit_event_kind_day")]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "kind", "source"], name="credit_event_once_per_source"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.kind} {self.occurred_on}"


class DishonestyList(models.TextChoices):
    """The two lists of the credit rules (应急消〔2020〕331号 and local implementations)."""

    ORDINARY = "ordinary", _("失信行为名单")
    SERIOUS = "serious", _("严重失信主体名单")


class ListingStatus(models.TextChoices):
    LISTED = "listed", _("列入中")
    REMOVED = "removed", _("已信用修复移出")


class DishonestyListingQuerySet(models.QuerySet["DishonestyListing"]):
    def in_force(self) -> DishonestyListingQuerySet:
        """Entries not removed by a credit repair (their publication may still have ended)."""
        return self.filter(status=ListingStatus.LISTED)

    def published_on(self, day: dt.date) -> DishonestyListingQuerySet:
        """Entries in force whose publication period covers ``day``."""
        return self.in_force().filter(listed_on__lte=day, publication_ends_on__gte=day)


class DishonestyListing(models.Model):
    """An enterprise on a dishonesty list (失信 / 严重失信): a record with its dates and source.

    Separate from the credit grade: a grade says how a unit is rated; a listing is a decision of
    an authority with a document number, a publication period and a repair procedure. Written
    only by ``services.credit`` (list, remove on repair); kept after removal, as history.
    """

    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("单位"),
        on_delete=models.PROTECT,
        related_name="dishonesty_listings",
    )
    list_kind = models.CharField(_("名单"), max_length=16, choices=DishonestyList.choices)
    listed_on = models.DateField(_("列入日期"))
    publication_ends_on = models.DateField(_("公示截止日期"))
    source_document = models.CharField(_("决定文书文号"), max_length=128)
    source_authority = models.CharField(_("作出决定的机关"), max_length=128)
    reason = models.TextField(_("列入理由"))
    status = models.CharField(
        _("状态"), max_length=16, choices=ListingStatus.choices, default=ListingStatus.LISTED
    )
    removed_on = models.DateField(_("移出日期"), null=True, blank=True)
    removal_note = models.TextField(_("信用修复说明"), blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("移出操作人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    entered_at = models.DateTimeField(_("录入时间"), default=timezone.now)

    objects = DishonestyListingQuerySet.as_manager()

    class Meta:
        ordering = ["-listed_on", "-pk"]
        verbose_name = _("失信名单记录")
        verbose_name_plural = _("失信名单记录")
        constraints = [
            models.CheckConstraint(
                condition=Q(publication_ends_on__gte=F("listed_on")),
                name="listing_publication_after_listing",
            ),
            models.CheckConstraint(
                condition=Q(status="listed", removed_on__isnull=True)
                | Q(status="removed", removed_on__isnull=False, removed_on__gte=F("listed_on")),
                name="listing_removed_on_with_status",
            ),
            models.CheckConstraint(
                condition=Q(list_kind__in=["ordinary", "serious"]), name="listing_list_kind"
            ),
        ]
        indexes = [
            # A unit's listings in force, the latest publication end first: the registry list's
            # per-row "published until" (selectors.with_dishonesty_status) reads one entry.
            models.Index(
                fields=["enterprise", "-publication_ends_on"],
                condition=Q(status="listed"),
                name="listing_in_force_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.get_list_kind_display()} · {self.listed_on}"

    def is_published_on(self, day: dt.date) -> bool:
        return (
            self.status == ListingStatus.LISTED
            and self.listed_on <= day <= self.publication_ends_on
        )


# --- Credit grades: history sources, scoring rules as data, proposals -----------------------------
class CreditScoringRuleSet(models.Model):
    """A set of scoring rules that turns a unit's credit record into a proposed grade.

    Weights and thresholds are data with their basis and the date they apply from: no official
    A/B/C/D fire scale was found (DOMAIN.md §3.1 [M]), so the seeded set is marked provisional
    until the detachment's written rule replaces it. The set in force on a day is the latest
    ``effective_from`` not after that day.
    """

    name = models.CharField(_("名称"), max_length=128)
    basis = models.TextField(_("依据"))
    effective_from = models.DateField(_("生效日期"))
    provisional = models.BooleanField(
        _("临时规则"), default=True, help_text=_("待支队书面评定规则印发后替换。")
    )
    base_score = models.IntegerField(_("基础分"), default=80)
    lookback_days = models.PositiveIntegerField(
        _("计分期（天）"), default=730, help_text=_("只计算此期间内发生的信用记录。")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-effective_from", "-pk"]
        verbose_name = _("信用评分规则")
        verbose_name_plural = _("信用评分规则")
        constraints = [
            models.CheckConstraint(condition=Q(lookback_days__gte=1), name="scoring_lookback_pos"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.effective_from:%Y-%m-%d}）"


class CreditScoringWeight(models.Model):
    """What one kind of credit event is worth in a rule set, and the best grade it still allows."""

    rule_set = models.ForeignKey(
        CreditScoringRuleSet, on_delete=models.CASCADE, related_name="weights"
    )
    kind = models.CharField(_("信用记录类型"), max_length=24, choices=CreditEventKind.choices)
    points = models.IntegerField(_("每条记录分值"), help_text=_("负数为扣分。"))
    best_grade = models.CharField(
        _("可评最高等级"),
        max_length=8,
        blank=True,
        help_text=_("计分期内有此类记录时，最高只能评为该等级（留空为不限）。"),
    )

    class Meta:
        ordering = ["rule_set", "kind"]
        verbose_name = _("信用评分项")
        verbose_name_plural = _("信用评分项")
        constraints = [
            models.UniqueConstraint(fields=["rule_set", "kind"], name="scoring_weight_once"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.points:+d}"


class CreditGradeThreshold(models.Model):
    """The lowest score that earns a grade in a rule set (below every threshold: the worst one)."""

    rule_set = models.ForeignKey(
        CreditScoringRuleSet, on_delete=models.CASCADE, related_name="thresholds"
    )
    grade_code = models.CharField(_("信用等级"), max_length=8, validators=[validate_credit_grade])
    min_score = models.IntegerField(_("最低分"))

    class Meta:
        ordering = ["rule_set", "-min_score"]
        verbose_name = _("信用等级分数线")
        verbose_name_plural = _("信用等级分数线")
        constraints = [
            models.UniqueConstraint(fields=["rule_set", "grade_code"], name="threshold_once"),
        ]

    def __str__(self) -> str:
        return f"{self.grade_code} ≥ {self.min_score}"


class ProposalStatus(models.TextChoices):
    PENDING = "pending", _("待确认")
    CONFIRMED = "confirmed", _("已确认")
    OVERRIDDEN = "overridden", _("已改定")
    SUPERSEDED = "superseded", _("已被新的计算结果取代")


class CreditGradeProposal(models.Model):
    """A grade the scoring rules propose for a unit, until a supervisor confirms or overrides it.

    ``facts`` keeps what the proposal was computed from (each kind counted, its points, the
    events' ids) so the page shows the reasons, and a later change of the rules does not rewrite
    an old proposal. At most one proposal of a unit is pending.
    """

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="grade_proposals"
    )
    rule_set = models.ForeignKey(
        CreditScoringRuleSet, on_delete=models.PROTECT, related_name="proposals"
    )
    computed_on = models.DateField(_("计算日期"))
    current_rating = models.CharField(_("计算时等级"), max_length=8)
    proposed_rating = models.CharField(_("建议等级"), max_length=8)
    score = models.IntegerField(_("得分"))
    facts = models.JSONField(_("计算依据"), default=list)
    fingerprint = models.CharField(max_length=64)
    status = models.CharField(
        _("状态"), max_length=16, choices=ProposalStatus.choices, default=ProposalStatus.PENDING
    )
    decided_rating = models.CharField(_("确定等级"), max_length=8, blank=True)
    decision_reason = models.TextField(_("确认或改定理由"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("计算时间"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("信用等级建议")
        verbose_name_plural = _("信用等级建议")
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise"],
                condition=Q(status="pending"),
                name="one_pending_grade_proposal",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "confirmed", "overridden", "superseded"]),
                name="grade_proposal_status",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id}: {self.current_rating} → {self.proposed_rating}"
