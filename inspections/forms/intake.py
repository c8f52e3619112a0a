"""Forms of the intake part: a complaint, an inspection outside plans, the reply."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lishui_fire.core.validators import normalise_code

from ..models import ComplaintCategory, ComplaintChannel, ComplaintReply, InspectionKind
from ..services.intake import OPENED_BY_HAND

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class UnitField(forms.CharField):
    """The unit by its unified social credit code (a brigade has thousands: no drop-down)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("被检查单位统一社会信用代码"))
        kwargs.setdefault("max_length", 18)
        kwargs.setdefault("min_length", 18)
        kwargs.setdefault("help_text", _("18 位，在社会单位名录中查询。"))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        return normalise_code(super().clean(value) or "")


class ComplaintForm(forms.Form):
    uscc = UnitField()
    channel = forms.ChoiceField(label=_("来源渠道"), choices=ComplaintChannel.choices)
    ticket_number = forms.CharField(
        label=_("工单编号"),
        max_length=40,
        required=False,
        help_text=_("12345 热线或网上举报的工单编号；来信来访可不填。"),
    )
    category = forms.ChoiceField(
        label=_("举报类别"),
        choices=ComplaintCategory.choices,
        help_text=_(
            "疏散通道、安全出口堵塞占用锁闭和擅自停用消防设施的，24 小时内核查；其他 3 个工作日内核查。"
        ),
    )
    content = forms.CharField(
        label=_("举报内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    received_at = forms.DateTimeField(
        label=_("接报时间"),
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
    )
    complainant_name = forms.CharField(label=_("举报人姓名"), max_length=64, required=False)
    complainant_phone = forms.CharField(
        label=_("举报人电话"),
        max_length=11,
        required=False,
        help_text=_("用于告知核查结果；匿名举报可不填。"),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )


class OpenInspectionForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("检查类型"),
        choices=[(k.value, k.label) for k in InspectionKind if k in OPENED_BY_HAND],
    )
    uscc = UnitField()
    reason = forms.CharField(
        label=_("检查事由"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("例如：活动名称与举办时间、专项行动名称、案件编号。"),
    )
    joint_department = forms.CharField(
        label=_("联合检查部门"), max_length=128, required=False, help_text=_("联合检查必填。")
    )
    planned_date = forms.DateField(
        label=_("计划检查日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class ReplyForm(forms.Form):
    method = forms.ChoiceField(label=_("告知方式"), choices=ComplaintReply.choices)
    text = forms.CharField(
        label=_("告知内容或无法告知的原因"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
