"""Tables of the shared kernel: status history, calendar, outbox, reminders, time limits."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .clock_rules import RuleSpec


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
    """A reminder due at a moment, one per (subject, milestone): deadline and day-before reminders.

    Apps call ``reminders.schedule_reminder`` when a milestone is set; the beat sweep claims due
    rows in batches and turns each into one notification. Running the sweep twice sends nothing
    new. The text is rendered when the reminder is sent, in the recipient's language, from a
    registered message (``message`` + ``params``); ``body`` is a fixed text for callers without one.
    """

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("待提醒")
        SENT = "sent", _("已提醒")
        CANCELLED = "cancelled", _("已取消")

    # "<subject label>:<subject pk>:<milestone>" (see reminders.reminder_key), or a free key
    # for reminders about no row. Also the notification's dedupe key, behind "reminder:".
    key = models.CharField(max_length=200, unique=True)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    object_id = models.CharField(max_length=64, blank=True)
    subject = GenericForeignKey("content_type", "object_id")
    milestone = models.CharField(_("节点"), max_length=64, blank=True)
    # Nobody with an account (an enterprise contact, a fire-case party): the address alone.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminders",
    )
    channel = models.CharField(max_length=8, choices=Notification.Channel.choices)
    # Where to send it when not the recipient's own phone or e-mail (the number given with a
    # booking, say). Blank: the recipient's address at the moment the reminder goes out.
    address = models.CharField(_("发送地址"), max_length=254, blank=True)
    # The language of an address-only recipient; blank: the recipient's own at sending time.
    language = models.CharField(_("语言"), max_length=16, blank=True)
    due_at = models.DateTimeField(db_index=True)
    # A code in some app's messages.MESSAGES, rendered with params when sent.
    message = models.CharField(_("消息模板"), max_length=100, blank=True)
    params = models.JSONField(default=dict, blank=True)
    title = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.SCHEDULED, db_index=True
    )
    # The sweep run that claimed the row (one UPDATE per batch, then read back by this token).
    claim = models.CharField(max_length=32, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_at"]
        verbose_name = _("提醒")
        verbose_name_plural = _("提醒")
        indexes = [
            models.Index(fields=["due_at"], name="reminder_due", condition=Q(status="scheduled")),
            models.Index(fields=["content_type", "object_id"], name="reminder_subject"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "milestone"],
                condition=Q(content_type__isnull=False),
                name="reminder_subject_milestone_unique",
            ),
            models.CheckConstraint(
                condition=Q(recipient__isnull=False) | ~Q(address=""),
                name="reminder_recipient_or_address",
            ),
            models.CheckConstraint(
                condition=~Q(message="") | ~Q(body=""), name="reminder_has_text"
            ),
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
    # A tighter internal target (the green channel's, measure 1), in the same unit: shown beside
    # the statutory date, never in its place; missing it is not a statutory overdue. Empty: none.
    target_count = models.PositiveSmallIntegerField(
        _("内部目标时限（绿色通道）"), null=True, blank=True
    )
    # Civil Code art. 201: the day the period starts is not counted, unless the rule says so.
    start_inclusive = models.BooleanField(_("起算当日计入"), default=False)
    # Civil Code art. 203: a calendar-day period ending on a rest day ends on the next working
    # day. Working-day periods always end on a working day; hours never roll.
    roll_forward_if_rest_day = models.BooleanField(_("期满日为休息日时顺延"), default=True)
    # E.g. lab testing in a fire investigation (检验、鉴定时间不计入).
    pauses_stop_clock = models.BooleanField(_("中止期间不计入"), default=True)
    max_extensions = models.PositiveSmallIntegerField(_("可延长次数"), default=0)
    extension_count = models.PositiveSmallIntegerField(_("每次延长期限"), default=0)
    warn_before = models.PositiveSmallIntegerField(
        _("提前预警"),
        default=2,
        help_text=_("到期前多久提醒（按日计的规则为自然日，按小时计的为小时；0 为不预警）。"),
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
            models.CheckConstraint(
                condition=Q(max_extensions=0) | Q(extension_count__gt=0),
                name="deadline_rule_extension_size",
                violation_error_message=_("允许延长时，请填写每次延长的期限。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}：{self.duration}"

    @property
    def duration(self) -> str:
        """The time limit as a phrase: 20 个工作日 / 20 working days, 24 小时 / 24 hours."""
        return format_duration(self.count, self.unit)

    @property
    def spec(self) -> RuleSpec:
        """The counting fields, for the pure counting in ``core.clock_rules``."""
        return RuleSpec(
            unit=self.unit,
            count=self.count,
            start_inclusive=self.start_inclusive,
            roll_forward_if_rest_day=self.roll_forward_if_rest_day,
            pauses_stop_clock=self.pauses_stop_clock,
            max_extensions=self.max_extensions,
            extension_count=self.extension_count,
        )


def format_duration(count: int, unit: str) -> str:
    """A count and its unit, counted properly in either language (never "5 个日")."""
    if unit == TimeLimitUnit.WORKING_DAY:
        text = ngettext("%(n)d 个工作日", "%(n)d 个工作日", count)
    elif unit == TimeLimitUnit.HOUR:
        text = ngettext("%(n)d 小时", "%(n)d 小时", count)
    else:
        text = ngettext("%(n)d 日", "%(n)d 日", count)
    return text % {"n": count}


# --- Statutory clocks (core.clocks) -------------------------------------------------------------------
@dataclass(frozen=True)
class ClockColumns:
    """A subject model's denormalised due-date columns, kept equal to its clocks by core.clocks.

    Declared on the model as ``CLOCK_COLUMNS``. ``due`` maps a milestone to the column holding
    its statutory date (running or met clocks); ``next`` is the column holding the date of the
    running clock marked ``is_next``; ``provisional`` is True when any of those is provisional.
    """

    due: dict[str, str] = field(default_factory=dict)
    next: str | None = None
    provisional: str | None = None


class Clock(models.Model):
    """One statutory time limit running for one milestone of one case (any model).

    The due moment is derived: ``core.clocks`` counts it from the rule, the start, the pauses
    and the extensions (``core.clock_rules``) and stores it here, so that dashboards read one
    indexed table. ``brigade`` is denormalised from the subject for the same reason.
    """

    class Status(models.TextChoices):
        RUNNING = "running", _("计时中")
        PAUSED = "paused", _("中止计时")
        STOPPED = "stopped", _("已结束")

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    subject = GenericForeignKey("content_type", "object_id")
    milestone = models.CharField(_("环节"), max_length=64)
    rule = models.ForeignKey(
        DeadlineRule, verbose_name=_("时限规则"), on_delete=models.PROTECT, related_name="clocks"
    )
    brigade = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name=_("所属大队"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Who is reminded (warning, due, overdue); empty: nobody (the queue shows it anyway).
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Outcome(models.TextChoices):
        OPEN = "", _("未结束")
        MET = "met", _("已办结")  # the milestone was reached: its date stays on record
        CANCELLED = "cancelled", _("已撤销")  # the clock no longer applies (file returned …)

    status = models.CharField(
        _("状态"), max_length=8, choices=Status.choices, default=Status.RUNNING
    )
    outcome = models.CharField(
        _("结束方式"), max_length=10, choices=Outcome.choices, blank=True, default=Outcome.OPEN
    )
    # The milestone the subject owes now (its date is the subject's "next due").
    is_next = models.BooleanField(_("当前环节"), default=False)
    started_at = models.DateTimeField(_("起算时间"))
    # A clock that starts when another runs out (the latest lawful decision date of a permit
    # not yet inspected follows the inspection limit): recounted whenever that one is.
    after = models.ForeignKey(
        "self",
        verbose_name=_("接续于"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="followers",
    )
    # The instant the period runs out (for day units, the midnight ending the last day); empty
    # while paused. ``due_date`` is the last day to act.
    due_at = models.DateTimeField(_("期满时间"), null=True, blank=True)
    due_date = models.DateField(_("法定期限"), null=True, blank=True)
    provisional = models.BooleanField(_("期限为暂定"), default=False)
    # The internal target (green channel): never the statutory date.
    with_target = models.BooleanField(_("适用内部目标时限"), default=False)
    target_at = models.DateTimeField(_("内部目标时间"), null=True, blank=True)
    target_date = models.DateField(_("内部目标日期"), null=True, blank=True)
    stopped_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    stop_reason = models.CharField(_("结束原因"), max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_at", "pk"]
        verbose_name = _("法定时限计时")
        verbose_name_plural = _("法定时限计时")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "milestone"],
                condition=Q(stopped_at__isnull=True),
                name="clock_live_unique",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["running", "paused", "stopped"]), name="clock_status"
            ),
            models.CheckConstraint(
                condition=Q(stopped_at__isnull=True, status__in=["running", "paused"])
                | Q(stopped_at__isnull=False, status="stopped"),
                name="clock_stopped_consistent",
            ),
        ]
        indexes = [
            # The dashboards: live clocks of a brigade by due moment (and by target).
            models.Index(
                fields=["brigade", "due_at"],
                name="clock_live_due",
                condition=Q(stopped_at__isnull=True),
            ),
            models.Index(
                fields=["brigade", "target_at"],
                name="clock_live_target",
                condition=Q(stopped_at__isnull=True, target_at__isnull=False),
            ),
            models.Index(fields=["content_type", "object_id"], name="clock_subject"),
            models.Index(fields=["id"], name="clock_provisional", condition=Q(provisional=True)),
        ]

    def __str__(self) -> str:
        return f"{self.content_type_id}:{self.object_id} {self.milestone}"

    @property
    def is_live(self) -> bool:
        return self.stopped_at is None


class ClockPause(models.Model):
    """A period the clock does not run (中止计时), e.g. evidence at the lab."""

    clock = models.ForeignKey(Clock, on_delete=models.CASCADE, related_name="pauses")
    started_at = models.DateTimeField(_("中止时间"))
    ended_at = models.DateTimeField(_("恢复时间"), null=True, blank=True)
    reason = models.CharField(_("中止原因"), max_length=255)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("恢复操作人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["started_at", "pk"]
        verbose_name = _("中止计时")
        verbose_name_plural = _("中止计时")
        constraints = [
            # At most one open pause per clock.
            models.UniqueConstraint(
                fields=["clock"], condition=Q(ended_at__isnull=True), name="clock_one_open_pause"
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at")),
                name="clock_pause_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.clock_id}: {self.started_at:%Y-%m-%d} – {self.ended_at or '…'}"


class ClockExtension(models.Model):
    """An extension granted with the approval the rule requires (e.g. the higher authority)."""

    clock = models.ForeignKey(Clock, on_delete=models.CASCADE, related_name="extensions")
    size = models.PositiveSmallIntegerField(_("延长期限"))
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("批准人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("批准时间"))
    reason = models.CharField(_("延长理由"), max_length=255)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["approved_at", "pk"]
        verbose_name = _("延长期限")
        verbose_name_plural = _("延长期限")
        constraints = [
            models.CheckConstraint(condition=Q(size__gt=0), name="clock_extension_size"),
        ]

    def __str__(self) -> str:
        return f"{self.clock_id}: +{self.size}"


class Sequence(models.Model):
    """Gap-free yearly counters for reference and document numbers (丽消许字〔2026〕第0001号)."""

    name = models.CharField(max_length=64)
    year = models.PositiveSmallIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["name", "year"], name="sequence_unique")]

    def __str__(self) -> str:
        return f"{self.name} {self.year}: {self.last_value}"


# --- One-time codes by SMS ---------------------------------------------------------------------------
class PhoneCode(models.Model):
    """A one-time code sent by SMS to whoever holds a phone number (core/phone_codes.py).

    Only a keyed hash of the code is kept. ``matched`` is False when the number did not belong
    to what the code unlocks: nothing was sent, the row exists so that the answer, the attempt
    count and the throttles look exactly the same either way (no enumeration), and no code ever
    passes it.
    """

    purpose = models.CharField(_("用途"), max_length=32)
    key = models.CharField(_("对象"), max_length=64, help_text=_("验证码解锁的对象，如申请编号"))
    phone_masked = models.CharField(_("手机号码（已遮蔽）"), max_length=16)
    code_hash = models.CharField(max_length=64)
    matched = models.BooleanField(_("号码相符"), default=False)
    attempts = models.PositiveSmallIntegerField(_("已尝试次数"), default=0)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("失效时间"))
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["purpose", "key", "created_at"])]
        verbose_name = _("短信验证码")
        verbose_name_plural = _("短信验证码")

    def __str__(self) -> str:
        return f"{self.purpose}:{self.key} {self.phone_masked}"


class IdempotencyKey(models.Model):
    """A create request sent with ``Idempotency-Key``: its answer, replayed on a resend.

    Keyed by caller, method, address and the client's key; the unique constraint decides a race
    between two deliveries of the same request (``core/idempotency.py``). Kept for
    ``IDEMPOTENCY_KEY_TTL_HOURS``, then the key may be used again.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("用户")
    )
    key = models.CharField(_("幂等键"), max_length=255)
    method = models.CharField(_("方法"), max_length=8)
    path = models.CharField(_("地址"), max_length=255)
    request_hash = models.CharField(_("请求摘要"), max_length=64)
    status_code = models.PositiveSmallIntegerField(_("响应状态"))
    response_body = models.JSONField(_("响应内容"), null=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    expires_at = models.DateTimeField(_("失效时间"), db_index=True)

    class Meta:
        verbose_name = _("幂等请求")
        verbose_name_plural = _("幂等请求")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "method", "path", "key"], name="core_idempotency_key_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.key}"


# --- Penalties as data and referrals to enforcement ------------------------------------------------
class PenaltyRange(models.Model):
    """The fine a provision sets, as data with its legal basis (DOMAIN.md §0: never in code).

    Like ``DeadlineRule``: a later row with a later ``effective_from`` replaces an amended
    provision for facts found on or after that date. The apps that refer cases seed their rows.
    """

    code = models.CharField(_("代码"), max_length=64, db_index=True)
    name = models.CharField(_("违法行为"), max_length=255)
    fine_min = models.PositiveIntegerField(_("罚款下限（元）"))
    fine_max = models.PositiveIntegerField(_("罚款上限（元）"))
    other_measures = models.CharField(_("其他处理"), max_length=255, blank=True)
    legal_basis = models.CharField(_("法律依据"), max_length=255)
    effective_from = models.DateField(_("生效日期"))

    class Meta:
        ordering = ["code", "-effective_from"]
        verbose_name = _("罚款幅度")
        verbose_name_plural = _("罚款幅度")
        constraints = [
            models.UniqueConstraint(fields=["code", "effective_from"], name="penalty_range_unique"),
            models.CheckConstraint(
                condition=Q(fine_min__lte=models.F("fine_max")),
                name="penalty_range_min_le_max",
                violation_error_message=_("罚款下限不能高于上限。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}：{self.fine_min}–{self.fine_max} 元"


class ReferralStatus(models.TextChoices):
    PENDING = "pending", _("待立案")
    OPENED = "opened", _("已立案")
    DECLINED = "declined", _("不予立案")


class EnforcementReferral(models.Model):
    """A matter an app hands to enforcement (立案查处): the facts, the provision, the evidence.

    The enforcement app to come picks up the pending rows (``core.referrals``) and opens its
    case; until then the row is the record that a case is owed. The source is named by app
    label, model and id (no foreign key into a domain app), plus its human reference.
    """

    source_app = models.CharField(_("来源应用"), max_length=32)
    source_model = models.CharField(_("来源记录类型"), max_length=64)
    source_id = models.CharField(_("来源记录"), max_length=64)
    source_reference = models.CharField(_("来源编号"), max_length=64)
    kind = models.CharField(_("事由"), max_length=64)
    brigade = models.ForeignKey(
        "accounts.OrgUnit", verbose_name=_("承办单位"), on_delete=models.PROTECT, related_name="+"
    )
    party_name = models.CharField(_("当事人"), max_length=128)
    party_uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    legal_basis = models.CharField(_("法律依据"), max_length=255)
    facts = models.TextField(_("违法事实"))
    # A list of items, each with a kind, a label and a "app.Model:pk" reference to the record.
    evidence = models.JSONField(_("证据"), default=list, blank=True)
    penalty = models.ForeignKey(
        PenaltyRange,
        verbose_name=_("罚款幅度"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    fine_min = models.PositiveIntegerField(_("罚款下限（元）"), null=True, blank=True)
    fine_max = models.PositiveIntegerField(_("罚款上限（元）"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=ReferralStatus.choices, default=ReferralStatus.PENDING
    )
    case_reference = models.CharField(_("案件编号"), max_length=64, blank=True)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("移送人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    referred_at = models.DateTimeField(_("移送时间"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-referred_at", "-pk"]
        verbose_name = _("移送立案记录")
        verbose_name_plural = _("移送立案记录")
        indexes = [models.Index(fields=["status", "brigade"])]
        constraints = [
            # One referral per source record and matter: an event announced twice is one case.
            models.UniqueConstraint(
                fields=["source_app", "source_model", "source_id", "kind"],
                name="enforcement_referral_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_reference} {self.get_status_display()}"
