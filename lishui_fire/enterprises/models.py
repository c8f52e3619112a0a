"""The registry of social units (社会单位): enterprises, their credit rating history, CSV imports.

The tables were created by the kernel (``core``) before the registry became its own app; they keep
their names (``db_table``) so a deployed database moved over without copying a row.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lishui_fire.core.validators import validate_mainland_mobile, validate_uscc


class VenueType(models.TextChoices):
    HOTEL = "hotel", _("宾馆、饭店")
    RESTAURANT = "restaurant", _("餐饮场所")
    MALL = "mall", _("商场、集贸市场")
    TERMINAL = "terminal", _("客运车站、码头、机场候机楼")
    STADIUM = "stadium", _("体育场馆")
    HALL = "hall", _("会堂")
    ENTERTAINMENT = "entertainment", _("公共娱乐场所")
    FACTORY = "factory", _("生产加工企业")
    WAREHOUSE = "warehouse", _("仓储物流")
    HOSPITAL = "hospital", _("医院、养老机构")
    SCHOOL = "school", _("学校、幼儿园")
    HIGHRISE = "highrise", _("高层公共建筑")
    OTHER = "other", _("其他")


class RiskLevel(models.TextChoices):
    HIGH = "high", _("高风险")
    MEDIUM = "medium", _("中风险")
    LOW = "low", _("低风险")


class CreditRating(models.TextChoices):
    A = "A", _("A 级（守信）")
    B = "B", _("B 级（基本守信）")
    C = "C", _("C 级（失信）")
    D = "D", _("D 级（严重失信）")


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
    credit_rating = models.CharField(
        _("信用等级"), max_length=1, choices=CreditRating.choices, default=CreditRating.B
    )
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
                condition=Q(credit_rating__in=["A", "B", "C", "D"]), name="enterprise_rating_a_to_d"
            ),
            models.CheckConstraint(
                condition=Q(risk_level__in=["high", "medium", "low"]), name="enterprise_risk_level"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CreditRatingChange(models.Model):
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="rating_changes"
    )
    from_rating = models.CharField(_("原等级"), max_length=1, blank=True)
    to_rating = models.CharField(_("新等级"), max_length=1, choices=CreditRating.choices)
    reason = models.TextField(_("理由"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(_("变更时间"), default=timezone.now)

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
