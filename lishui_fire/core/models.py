"""Tables of the shared kernel: status history, calendar, outbox, reminders, time limits."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext


# --- Workflow history ---------------------------------------------------------------------------
class StatusChange(models.Model):
    """One row per status move of any workflow model: who, when, from, to, and why."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64)
    subject = GenericForeignKey("content_type", "object_id")
    from_status = models.CharField(_("原状态"), max_length=40)
    to_status = models.CharField(_("新状态"), max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.TextField(_("说明"), blank=True)
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "at"])]
        verbose_name = _("状态变更记录")
        verbose_name_plural = _("状态变更记录")

    def __str__(self) -> str:
        return f"{self.content_type_id}:{self.object_id} {self.from_status}→{self.to_status}"


# --- Working-day calendar -------------------------------------------------------------------------
class CalendarYear(models.Model):
    """A year whose State Council holiday notice (国务院办公厅关于…部分节假日安排的通知) is entered.

    A year without a row here has no official data: deadlines reaching into it are provisional.
    """

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    source = models.CharField(_("依据"), max_length=255, blank=True)
    source_url = models.URLField(_("来源网址"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    entered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["year"]
        verbose_name = _("节假日安排年度")
        verbose_name_plural = _("节假日安排年度")

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    """An exception to the Monday–Friday rule in an entered year.

    ``is_workday=False`` on a weekday is a holiday; ``is_workday=True`` on a weekend is an
    adjusted working day (调休补班).
    """

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("是否工作日"))
    note = models.CharField(_("说明"), max_length=64, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("节假日/调休日")
        verbose_name_plural = _("节假日/调休日")

    def __str__(self) -> str:
        return f"{self.date} {'班' if self.is_workday else '休'} {self.note}"


# --- Notifications outbox ----------------------------------------------------------------------------
class Notification(models.Model):
    """An outbox row. Delivered by a Celery task that claims it first, so it is sent once."""

    class Channel(models.TextChoices):
        SMS = "sms", _("短信")
        EMAIL = "email", _("电子邮件")
        IN_APP = "in_app", _("站内消息")

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    channel = models.CharField(max_length=8, choices=Channel.choices)
    address = models.CharField(_("地址/号码"), max_length=254, blank=True)
    subject = models.CharField(_("标题"), max_length=200, blank=True)
    body = models.TextField(_("内容"))
    # Optional idempotency key: the same key never makes a second notification.
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    status = models.CharField(
        max_length=8, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        indexes = [
            models.Index(
                fields=["created_at"], name="notification_pending", condition=Q(status="pending")
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} #{self.pk} ({self.get_status_display()})"


# --- Reminder ledger -----------------------------------------------------------------------------------
class Reminder(models.Model):
    """A reminder due at a moment, unique per (key): the apps' deadline and day-before reminders.

    Apps call ``schedule_reminder`` when a milestone is set; the beat sweep claims due rows and
    turns each into one notification. Running the sweep twice sends nothing new.
    """

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("待提醒")
        SENT = "sent", _("已提醒")
        CANCELLED = "cancelled", _("已取消")

    key = models.CharField(max_length=200, unique=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders"
    )
    channel = models.CharField(max_length=8, choices=Notification.Channel.choices)
    # Where to send it when not the recipient's own phone or e-mail (the number given with a
    # booking, say). Blank: the recipient's address at the moment the reminder goes out.
    address = models.CharField(_("发送地址"), max_length=254, blank=True)
    due_at = models.DateTimeField(db_index=True)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.SCHEDULED, db_index=True
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_at"]
        verbose_name = _("提醒")
        verbose_name_plural = _("提醒")
        indexes = [
            models.Index(fields=["due_at"], name="reminder_due", condition=Q(status="scheduled"))
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.get_status_display()})"


# --- Statutory time limits ---------------------------------------------------------------------------
class TimeLimitUnit(models.TextChoices):
    WORKING_DAY = "working_day", _("工作日")
    CALENDAR_DAY = "calendar_day", _("日")
    HOUR = "hour", _("小时")


class DeadlineRule(models.Model):
    """A statutory or promised time limit, kept as data with its legal basis (DOMAIN.md §0).

    Rules change (2021, 2024, 2025 …): a new row with a later ``effective_from`` replaces an
    old one for clocks that start on or after that date, without a code change.
    """

    code = models.CharField(_("代码"), max_length=64, db_index=True)
    name = models.CharField(_("名称"), max_length=128)
    count = models.PositiveSmallIntegerField(_("期限"))
    unit = models.CharField(_("单位"), max_length=16, choices=TimeLimitUnit.choices)
    # A tighter internal target for green-channel cases (measure 1); empty when none.
    green_channel_count = models.PositiveSmallIntegerField(
        _("绿色通道内部时限"), null=True, blank=True
    )
    start_event = models.CharField(_("起算事件"), max_length=128)
    legal_basis = models.CharField(_("法律依据"), max_length=255)
    effective_from = models.DateField(_("生效日期"))

    class Meta:
        ordering = ["code", "-effective_from"]
        verbose_name = _("办理时限规则")
        verbose_name_plural = _("办理时限规则")
        constraints = [
            models.UniqueConstraint(fields=["code", "effective_from"], name="deadline_rule_unique"),
            models.CheckConstraint(condition=Q(count__gte=0), name="deadline_rule_count"),
        ]

    def __str__(self) -> str:
        return f"{self.name}：{self.duration}"

    @property
    def duration(self) -> str:
        """The time limit as a phrase: 20 个工作日 / 20 working days, 24 小时 / 24 hours."""
        return format_duration(self.count, self.unit)


def format_duration(count: int, unit: str) -> str:
    """A count and its unit, counted properly in either language (never "5 个日")."""
    if unit == TimeLimitUnit.WORKING_DAY:
        text = ngettext("%(n)d 个工作日", "%(n)d 个工作日", count)
    elif unit == TimeLimitUnit.HOUR:
        text = ngettext("%(n)d 小时", "%(n)d 小时", count)
    else:
        text = ngettext("%(n)d 日", "%(n)d 日", count)
    return text % {"n": count}


class Sequence(models.Model):
    """Gap-free yearly counters for reference and document numbers (丽消许字〔2026〕第0001号)."""

    name = models.CharField(max_length=64)
    year = models.PositiveSmallIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["name", "year"], name="sequence_unique")]

    def __str__(self) -> str:
        return f"{self.name} {self.year}: {self.last_value}"
