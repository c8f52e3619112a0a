"""Admin for the shared kernel. Sections: calendar, outbox and reminders, workflow history."""

import datetime as dt
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Subquery
from django.http import HttpRequest
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from . import audit, models
from .client import client_ip
from .masking import mask_email, mask_phone, personal_number_fields


# --- Personal data ----------------------------------------------------------------------------
class PersonalDataAdmin(admin.ModelAdmin):
    """Base admin of a model that holds phone or ID-card numbers (found by their validators,
    ``masking.personal_number_fields``). The change page shows them in full, so that an
    administrator can correct one; every showing is written to the audit log like the staff
    pages' "show the full number" (PIPL; DESIGN.md: every view of a full value is audited)."""

    def render_change_form(
        self,
        request: Any,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Any = None,
    ) -> Any:
        if obj is not None and obj.pk is not None:
            for name in personal_number_fields(type(obj)):
                if getattr(obj, name):
                    audit.record_view(
                        obj,
                        actor=request.user,
                        field=name,
                        purpose="admin",
                        remote_addr=client_ip(request),
                    )
        return super().render_change_form(request, context, add, change, form_url, obj)


class MaskedAddressAdmin(admin.ModelAdmin):
    """Read-only admin of a model with an ``address`` (a phone number or an e-mail address):
    shown masked, never in full — the outbox and the reminder ledger are read to check
    deliveries, not to contact anyone."""

    exclude = ("address",)

    def get_readonly_fields(self, request, obj=None):
        return [
            "masked_address" if f.name == "address" else f.name for f in self.model._meta.fields
        ]

    @admin.display(description=_("地址/号码"))
    def masked_address(self, obj):
        address = obj.address
        return mask_email(address) if "@" in address else mask_phone(address)


# --- Calendar ---------------------------------------------------------------------------------
class CalendarYearForm(forms.ModelForm):
    """A year's notice with its exceptions typed as lines, the way the notice reads.

    ``CalendarDay`` has no key to its year (a date is enough), so the days are edited here as
    text rather than as a Django inline; saving goes through ``publish_calendar_year``.
    """

    days = forms.CharField(
        label=_("放假与调休上班日"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 24, "cols": 48, "style": "font-family: monospace"}),
        help_text=_(
            "每行一天：日期 休/班 说明，例如“2027-01-01 休 元旦”“2027-02-20 班 春节调休上班”。"
            "只录入放假的周一至周五和调休上班的周六、周日。保存后，跨入该年的暂定期限自动重算。"
        ),
    )

    source_url = forms.URLField(
        label=models.CalendarYear._meta.get_field("source_url").verbose_name,
        required=False,
        assume_scheme="https",
    )

    class Meta:
        model = models.CalendarYear
        fields = ("year", "source", "source_url")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].required = True
        if self.instance.pk:
            rows = models.CalendarDay.objects.filter(date__year=self.instance.year)
            self.initial["days"] = "\n".join(
                f"{r.date.isoformat()} {'班' if r.is_workday else '休'} {r.note}".rstrip()
                for r in rows
            )

    def clean_days(self) -> list[tuple]:
        parsed, errors = [], []
        for number, line in enumerate(self.cleaned_data["days"].splitlines(), start=1):
            parts = line.split(maxsplit=2)
            if not parts:
                continue
            try:
                day = dt.date.fromisoformat(parts[0])
                kind = parts[1] if len(parts) > 1 else ""
                if kind not in _DAY_KINDS:
                    raise ValueError(kind)
            except ValueError:
                errors.append(
                    _("第 %(n)s 行“%(line)s”看不懂：应为“日期 休/班 说明”。")
                    % {"n": number, "line": line.strip()[:40]}
                )
                continue
            parsed.append((day, _DAY_KINDS[kind], parts[2] if len(parts) > 2 else ""))
        if errors:
            raise forms.ValidationError(errors)
        return parsed

    def clean(self):
        cleaned = super().clean()
        year = cleaned.get("year")
        if year is not None and "days" in cleaned:
            from .calendar import check_calendar_days

            try:
                cleaned["days"] = check_calendar_days(year=year, days=cleaned["days"])
            except ValidationError as error:
                field = "year" if getattr(error, "code", None) == "calendar_year_range" else "days"
                self.add_error(field, error)
        return cleaned


_DAY_KINDS = {"休": False, "班": True, "off": False, "work": True}


@admin.register(models.CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    """A year's notice: every save is a ``publish_calendar_year``, which bumps the calendar
    cache and recomputes provisional deadlines after commit. Administrators usually enter it on
    the page ``enter/`` (``calendar_notice``: date ranges, pre-filled, with a preview); the
    add/change form takes the same days as plain lines."""

    form = CalendarYearForm
    list_display = ("year", "source", "entered_by", "entered_at", "exception_count")
    readonly_fields = ("entered_by", "entered_at")

    def get_readonly_fields(self, request, obj=None):
        # The year is the identity of the notice; a wrong year is a new entry.
        return (*self.readonly_fields, "year") if obj else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        # Deleting would silently make a year provisional; correct it by saving it again.
        return False

    def get_queryset(self, request):
        days = (
            models.CalendarDay.objects.filter(date__year=OuterRef("year"))
            .order_by()
            .values("date__year")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return super().get_queryset(request).annotate(exceptions=Subquery(days))

    @admin.display(description=_("例外日数"))
    def exception_count(self, obj):
        return obj.exceptions or 0

    def get_urls(self):
        from django.urls import path

        # Before the default URLs: their "<object_id>/" would take "enter/" for a pk.
        return [
            path("enter/", self.enter_notice_view, name="core_calendaryear_enter"),
            *super().get_urls(),
        ]

    def enter_notice_view(self, request):
        """The administrators' page for a year's notice (ranges, make-up days, preview)."""
        from .calendar_notice import enter_notice

        return enter_notice(request, self)

    def save_model(self, request, obj, form, change):
        from .calendar import publish_calendar_year

        published = publish_calendar_year(
            year=obj.year,
            days=form.cleaned_data["days"],
            source=obj.source,
            source_url=obj.source_url,
            actor=request.user,
        )
        obj.pk, obj.entered_by, obj.entered_at = (
            published.pk,
            published.entered_by,
            published.entered_at,
        )
        obj._state.adding = False


@admin.register(models.CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """Read-only list of the exceptions; they are edited on their year's page (one door)."""

    list_display = ("date", "weekday", "is_workday", "note")
    list_filter = ("is_workday",)
    search_fields = ("note",)
    date_hierarchy = "date"

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in models.CalendarDay._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("星期"))
    def weekday(self, obj):
        return date_format(obj.date, "l")  # 星期一 / Monday, in the reader's language


# --- Outbox and reminders ---------------------------------------------------------------------
@admin.register(models.Notification)
class NotificationAdmin(MaskedAddressAdmin):
    """The outbox, read-only: rows are written by ``notifications.notify`` and the delivery task.

    The one action is the deliberate resend of a failed row, including one whose outcome is
    unknown (which nothing resends automatically: see ``lishui_fire.core.notifications``).
    """

    list_display = ("created_at", "channel", "masked_address", "recipient", "status", "attempts")
    list_filter = ("status", "channel")
    search_fields = ("dedupe_key", "subject", "recipient__username", "recipient__real_name")
    list_select_related = ("recipient",)
    date_hierarchy = "created_at"
    actions = ["resend_failed"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("重新发送所选的发送失败通知（已人工核实）"))
    def resend_failed(self, request, queryset):
        from .notifications import requeue_notification

        count = sum(
            requeue_notification(notification_id=pk)
            for pk in queryset.filter(status=models.Notification.Status.FAILED).values_list(
                "pk", flat=True
            )
        )
        self.message_user(request, _("已重新排队 %(count)s 条通知。") % {"count": count})


@admin.register(models.Reminder)
class ReminderAdmin(MaskedAddressAdmin):
    """The reminder ledger, read-only; cancelling goes through ``reminders.cancel_reminder``."""

    list_display = (
        "due_at",
        "key",
        "recipient",
        "masked_address",
        "channel",
        "status",
        "sent_at",
    )
    list_filter = ("status", "channel", "content_type")
    search_fields = ("key", "address", "recipient__username", "recipient__real_name")
    list_select_related = ("recipient",)
    date_hierarchy = "due_at"
    actions = ["cancel_scheduled"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("取消所选的待发提醒"))
    def cancel_scheduled(self, request, queryset):
        from .reminders import cancel_reminder

        count = sum(cancel_reminder(key=key) for key in queryset.values_list("key", flat=True))
        self.message_user(request, _("已取消 %(count)s 条提醒。") % {"count": count})


# --- Workflow history ---------------------------------------------------------------------------
@admin.register(models.StatusChange)
class StatusChangeAdmin(admin.ModelAdmin):
    list_display = ("content_type", "object_id", "from_status", "to_status", "actor", "at")
    list_filter = ("content_type",)
    search_fields = ("object_id", "note")
    readonly_fields = [f.name for f in models.StatusChange._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- Statutory time limits and clocks (core.clocks) ----------------------------------------------
@admin.register(models.DeadlineRule)
class DeadlineRuleAdmin(admin.ModelAdmin):
    """Time limits as data: a law that changes is a new row with a later effective date."""

    list_display = ("code", "name", "count", "unit", "target_count", "effective_from")
    list_filter = ("unit",)
    search_fields = ("code", "name", "legal_basis")
    fieldsets = (
        (None, {"fields": ("code", "name", "legal_basis", "effective_from", "start_event")}),
        (
            _("计算方式"),
            {
                "fields": (
                    "count",
                    "unit",
                    "start_inclusive",
                    "roll_forward_if_rest_day",
                    "pauses_stop_clock",
                    "max_extensions",
                    "extension_count",
                    "target_count",
                    "warn_before",
                )
            },
        ),
    )

    def has_delete_permission(self, request, obj=None):
        return False  # clocks refer to their rule: a rule that no longer applies is superseded

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change:
            from .clocks import recount_clocks_of_rule

            # A correction of the row (a typo in the count): the clocks counted on it follow.
            count = recount_clocks_of_rule(rule=obj)
            if count:
                self.message_user(
                    request, _("已按修改后的规则重算 %(count)s 个计时。") % {"count": count}
                )


class ClockPauseInline(admin.TabularInline):
    model = models.ClockPause
    extra = 0
    can_delete = False
    readonly_fields = ("started_at", "ended_at", "reason", "actor", "ended_by")

    def has_add_permission(self, request, obj=None):
        return False


class ClockExtensionInline(admin.TabularInline):
    model = models.ClockExtension
    extra = 0
    can_delete = False
    readonly_fields = ("size", "approver", "approved_at", "reason", "recorded_by")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(models.Clock)
class ClockAdmin(admin.ModelAdmin):
    """Clocks, read-only: they change through the apps' services (core.clocks)."""

    list_display = (
        "content_type",
        "object_id",
        "milestone",
        "rule",
        "status",
        "due_date",
        "target_date",
        "provisional",
        "brigade",
    )
    list_filter = ("status", "provisional", "content_type", "brigade")
    search_fields = ("object_id", "milestone", "rule__code")
    list_select_related = ("rule", "content_type", "brigade")
    inlines = [ClockPauseInline, ClockExtensionInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in models.Clock._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class IssuedDocumentAdmin(admin.ModelAdmin):
    """Base admin of an app's issued documents (``core.documents.IssuedDocument``): an issued
    letter is evidence, so nothing is added or deleted here and every issued field is read-only
    (a wrong letter is withdrawn by the app's own service, which issues a new one)."""

    issued_fields = (
        "kind",
        "number",
        "brigade",
        "party_name",
        "verification_code",
        "file",
        "sha256",
        "issued_at",
        "issued_by",
        "rendered_at",
        "render_attempts",
        "render_error",
    )
    # The app's own fields come first, e.g. ``("application", *issued_fields)``.
    readonly_fields = issued_fields

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(models.PenaltyRange)
class PenaltyRangeAdmin(admin.ModelAdmin):
    """Fine ranges as data: an amended provision is a new row with a later effective date."""

    list_display = ("code", "name", "fine_min", "fine_max", "effective_from")
    search_fields = ("code", "name", "legal_basis")


@admin.register(models.EnforcementReferral)
class EnforcementReferralAdmin(admin.ModelAdmin):
    """Referrals waiting for the enforcement case (read-only here: apps write them)."""

    list_display = ("source_reference", "kind", "brigade", "party_name", "status", "referred_at")
    list_filter = ("status", "brigade")
    search_fields = ("source_reference", "party_name", "party_uscc")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
