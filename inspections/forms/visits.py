"""Forms of the visits part: parsing only; every decision is the services' (services/visits.py)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import ChecklistOutcome, InspectionResult, ViolationCode

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ScheduleForm(forms.Form):
    planned_date = forms.DateField(label=_("计划检查日期"), widget=DATE)


class FindingForm(forms.Form):
    violation = forms.ModelChoiceField(
        label=_("违法行为"),
        queryset=ViolationCode.objects.filter(active=True).order_by("code"),
        empty_label=_("请选择"),
    )
    description = forms.CharField(label=_("问题描述"), max_length=500)
    location = forms.CharField(
        label=_("部位"), max_length=128, help_text=_("例如：二层东侧安全出口")
    )
    photo = forms.FileField(
        label=_("照片"),
        required=False,
        help_text=_("JPEG 或 PNG，可用手机直接拍照。"),
        # No "capture": it would force the camera and hide photos taken earlier.
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
    )
    corrected_on_spot = forms.BooleanField(label=_("已当场改正"), required=False)

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "violation": data["violation"],
            "description": data["description"],
            "location": data["location"],
            "corrected_on_spot": data["corrected_on_spot"],
            "photo": data.get("photo") or None,
        }


class RecordForm(forms.Form):
    """The record of the visit: one radio group per checklist line, then the result."""

    visited_at = forms.DateTimeField(
        label=_("检查时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )
    result = forms.ChoiceField(
        label=_("检查结果"), choices=InspectionResult.choices, widget=forms.RadioSelect
    )
    rectify_by = forms.DateField(
        label=_("整改期限"),
        required=False,
        widget=DATE,
        help_text=_("责令限期改正时填写。"),
    )
    note = forms.CharField(
        label=_("检查情况"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, lines: list[tuple[str, str, Any]], recheck: bool, **kwargs: Any):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault(
            "visited_at", timezone.localtime().replace(second=0, microsecond=0)
        )
        super().__init__(*args, **kwargs)
        self.lines = lines
        self.checklist_names = []
        for key, text, _item in lines:
            self.fields[key] = forms.ChoiceField(
                label=text, choices=ChecklistOutcome.choices, widget=forms.RadioSelect
            )
            self.checklist_names.append(key)
        if recheck:
            self.fields["rectified_on"] = forms.DateField(
                label=_("整改完成日期"),
                required=False,
                widget=DATE,
                help_text=_("复查合格时填写；单位已在线申请复查的，不填则以申请日期为准。"),
            )

    @property
    def checklist_fields(self) -> list[Any]:
        return [self[name] for name in self.checklist_names]

    @property
    def record_fields(self) -> list[Any]:
        return [self[name] for name in self.fields if name not in self.checklist_names]

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "visited_at": data["visited_at"],
            "result": data["result"],
            "rectify_by": data.get("rectify_by"),
            "note": data.get("note", ""),
            "rectified_on": data.get("rectified_on"),
            "checklist": {name: data[name] for name in self.checklist_names},
        }


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("退回修改的理由"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
