"""Forms of the pre-check pages (预约体检): they parse input; the services decide.

Times are entered as a local date plus start and end times (what a clerk reads off the duty
roster) and combined into aware datetimes in the current time zone (Asia/Shanghai).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lishui_fire.accounts.models import Role, User

from .. import rules
from ..models import GatheringVenueType
from .applicant import brigades, county_field, mobile_field

WEEKDAYS = [
    ("0", _("星期一")),
    ("1", _("星期二")),
    ("2", _("星期三")),
    ("3", _("星期四")),
    ("4", _("星期五")),
    ("5", _("星期六")),
    ("6", _("星期日")),
]
MAX_WEEKS = 12


def inspectors_for(user: Any) -> QuerySet[User]:
    """The inspectors a member of staff may publish slots for: their brigade's, or all."""
    qs = User.objects.filter(role=Role.INSPECTOR, is_active=True).select_related("org_unit")
    if not user.sees_all_brigades:
        qs = qs.filter(org_unit_id=user.org_unit_id)
    return qs.order_by("org_unit__sort_order", "real_name", "pk")


class InspectorField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        name = obj.real_name or obj.username
        return f"{name}（{obj.org_unit.display_name}）" if obj.org_unit else name


def _inspector_field() -> InspectorField:
    return InspectorField(
        queryset=User.objects.none(),
        label=_("监督员"),
        empty_label=_("请选择"),
        error_messages={"invalid_choice": _("请选择本大队的监督员。")},
    )


def _local(day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=timezone.get_current_timezone())


class _TimesMixin(forms.Form):
    start_time = forms.TimeField(
        label=_("开始时间"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    end_time = forms.TimeField(
        label=_("结束时间"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    capacity = forms.IntegerField(
        label=_("可预约数"),
        min_value=1,
        max_value=20,
        initial=1,
        help_text=_("同一时段可接待的场所数，通常为 1。"),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", _("结束时间应晚于开始时间。"))
        return data


class PublishSlotForm(_TimesMixin):
    inspector = _inspector_field()
    day = forms.DateField(
        label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    field_order = ["inspector", "day", "start_time", "end_time", "capacity"]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["inspector"].queryset = inspectors_for(user)

    def clean_day(self) -> dt.date:
        day = self.cleaned_data["day"]
        if day < timezone.localdate():
            raise forms.ValidationError(_("只能发布将来的时段。"))
        if day > timezone.localdate() + rules.SLOT_HORIZON:
            raise forms.ValidationError(_("最多提前一年发布时段。"))
        return day

    def times(self) -> tuple[dt.datetime, dt.datetime]:
        data = self.cleaned_data
        return _local(data["day"], data["start_time"]), _local(data["day"], data["end_time"])


class WeeklySlotsForm(_TimesMixin):
    inspector = _inspector_field()
    weekdays = forms.MultipleChoiceField(
        label=_("每周的哪几天"),
        choices=WEEKDAYS,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("请选择星期几。")},
        help_text=_("法定节假日自动跳过；调休上班的周末只有勾选了该星期几才会生成。"),
    )
    first_day = forms.DateField(
        label=_("从哪天开始"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    weeks = forms.IntegerField(label=_("生成几周"), min_value=1, max_value=MAX_WEEKS, initial=4)

    field_order = [
        "inspector",
        "weekdays",
        "start_time",
        "end_time",
        "first_day",
        "weeks",
        "capacity",
    ]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["inspector"].queryset = inspectors_for(user)

    def clean_weekdays(self) -> list[int]:
        return sorted({int(v) for v in self.cleaned_data["weekdays"]})


class SlotFilterForm(forms.Form):
    """The free-slot calendar: which county, and from which week."""

    brigade = forms.ModelChoiceField(
        queryset=brigades(),
        to_field_name="code",
        label=_("所在县（市、区）"),
        required=False,
        empty_label=_("全部"),
    )
    week = forms.DateField(
        label=_("从哪一周开始"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["brigade"].label_from_instance = lambda o: o.division_name or o.display_name


def _normalise_mobile(value: str) -> str:
    value = re.sub(r"[\s\-()]", "", value or "")
    if value.startswith("+86"):
        value = value[3:]
    return value


class BookingForm(forms.Form):
    venue_name = forms.CharField(
        label=_("场所名称"),
        max_length=128,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    venue_address = forms.CharField(
        label=_("场所地址"),
        max_length=255,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    venue_type = forms.ChoiceField(
        label=_("场所类型"),
        required=False,
        choices=[("", _("暂不确定")), *GatheringVenueType.choices],
    )
    contact_phone = mobile_field(_("联系手机"), help_text=_("体检前一天会发短信提醒。"))
    # Where the venue is (issue 9): a slot of another county is booked only once confirmed.
    county = county_field()
    confirm_county = forms.BooleanField(
        label=_("我确认场所所在县（市、区）与时段所属大队不同，仍要预约这个时段"),
        required=False,
    )

    field_order = ["county", "venue_name", "venue_address", "venue_type", "contact_phone"]

    def __init__(self, *args: Any, ask_confirmation: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["county"].label = _("场所所在县（市、区）")
        if not ask_confirmation:
            # Offered only once the mismatch has been shown (the page's warning explains it).
            self.fields["confirm_county"].widget = forms.HiddenInput()

    def clean_contact_phone(self) -> str:
        return _normalise_mobile(self.cleaned_data["contact_phone"])

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "venue_name": data["venue_name"],
            "venue_address": data["venue_address"],
            "venue_type": data["venue_type"],
            "contact_phone": data["contact_phone"],
            "venue_county": data["county"],
            "confirm_county_mismatch": bool(data.get("confirm_county")),
        }


class RescheduleForm(forms.Form):
    slot = forms.TypedChoiceField(
        label=_("改约到"),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("该时段已不可预约，请重新选择。")},
    )

    def __init__(self, *args: Any, slots: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["slot"].choices = [
            (
                s.pk,
                _("%(day)s %(start)s–%(end)s（剩余 %(left)d 个名额）")
                % {
                    "day": f"{timezone.localtime(s.starts_at):%Y-%m-%d}",
                    "start": f"{timezone.localtime(s.starts_at):%H:%M}",
                    "end": f"{timezone.localtime(s.ends_at):%H:%M}",
                    "left": s.remaining,
                },
            )
            for s in slots
        ]


class ArrivalForm(forms.Form):
    arrived_at = forms.DateTimeField(
        label=_("到场时间"),
        required=False,
        help_text=_("不填则记为现在。"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )


class FindingForm(forms.Form):
    item = forms.CharField(label=_("问题"), max_length=255)
    location = forms.CharField(label=_("部位"), max_length=128)
    regulation = forms.CharField(
        label=_("违反的规定"),
        max_length=255,
        help_text=_("例如：《中华人民共和国消防法》第十六条、GB 50016-2014 第 5.5.17 条"),
    )
    photo = forms.FileField(
        label=_("照片"),
        required=False,
        help_text=_("JPEG 或 PNG，可用手机直接拍照。"),
        widget=forms.ClearableFileInput(
            # No "capture": it would force the camera and hide photos taken earlier.
            attrs={"accept": "image/jpeg,image/png"}
        ),
    )
    remedy = forms.CharField(
        label=_("整改建议"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "item": data["item"],
            "location": data["location"],
            "regulation": data["regulation"],
            "remedy": data["remedy"],
            "photo": data.get("photo") or None,
        }


class NoShowForm(forms.Form):
    note = forms.CharField(label=_("说明"), required=False, max_length=500)


class AmendmentRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("补充告知的理由"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("说明为何体检时未能一次告知，经领导批准后补充。"),
    )


class AmendmentDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("审批结果"),
        choices=[("approve", _("批准补充告知")), ("refuse", _("不予批准"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("审批意见"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("decision") == "refuse" and not (data.get("note") or "").strip():
            self.add_error("note", _("不予批准时请写明理由。"))
        return data
