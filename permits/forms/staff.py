"""Forms of the staff pages: the queue filter and one small form per decision.

Each decision form carries the status the page was rendered with, so that a decision taken on a
page someone else has acted on since is refused instead of applied to a different state.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lishui_fire.accounts.models import OrgUnit, Role, User
from lishui_fire.core.validators import normalise_code

from .. import rules
from ..models import (
    DecisionOutcome,
    HomeServiceReason,
    MaterialKind,
    PermitApplication,
    PermitPath,
    ServiceMethod,
    StopUseKind,
)
from ..workflow import PermitStatus

YES_NO = [("yes", _("是")), ("no", _("否"))]


def _yes(value: str) -> bool:
    return value == "yes"


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("全部待办"))]
        + [(s.value, s.label) for s in PermitStatus if s != PermitStatus.DRAFT],
    )
    path = forms.ChoiceField(
        label=_("办理方式"), required=False, choices=[("", _("全部")), *PermitPath.choices]
    )


# --- Decisions on an application ------------------------------------------------------------------
class DecisionForm(forms.Form):
    """Base: the status the decision was taken against (hidden)."""

    status = forms.CharField(widget=forms.HiddenInput, max_length=32)


class AcceptForm(DecisionForm):
    note = forms.CharField(label=_("受理意见"), required=False, max_length=500)


class ReturnForm(DecisionForm):
    missing_items = forms.CharField(
        label=_("需要补正的全部材料或内容"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("每行一项，一次列出全部（一次性告知）。"),
        max_length=4000,
    )
    note = forms.CharField(
        label=_("补正说明"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=rules.REASON_MAX_LENGTH,
    )

    def clean_missing_items(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["missing_items"].splitlines()]
        items = [line for line in lines if line]
        if not items:
            raise forms.ValidationError(_("请列出需要补正的全部材料或内容。"))
        return items


class RefuseForm(DecisionForm):
    reason = forms.CharField(
        label=_("不予受理的理由"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=rules.REASON_MAX_LENGTH,
    )


class InspectionForm(DecisionForm):
    passed = forms.ChoiceField(
        label=_("现场检查是否合格"), choices=YES_NO, widget=forms.RadioSelect
    )
    findings = forms.CharField(
        label=_("检查情况"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=rules.FINDINGS_MAX_LENGTH,
        help_text=_("不合格时必须写明存在的问题。"),
    )
    visited_at = forms.DateTimeField(
        label=_("检查时间"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("不填则为现在。"),
    )

    def clean_passed(self) -> bool:
        return _yes(self.cleaned_data["passed"])


class ProposeForm(DecisionForm):
    """The inspector's proposed decision, for a supervisor of the brigade to approve."""

    outcome = forms.ChoiceField(
        label=_("拟办意见"), choices=DecisionOutcome.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("理由（不予许可时必填）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=rules.REASON_MAX_LENGTH,
    )


class ApproveForm(DecisionForm):
    reason = forms.CharField(
        label=_("审批意见（可不填，默认采用拟办理由）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=rules.REASON_MAX_LENGTH,
    )


class RejectForm(DecisionForm):
    reason = forms.CharField(
        label=_("审批意见（可不填，默认采用拟办理由）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=rules.REASON_MAX_LENGTH,
    )


class SendBackForm(DecisionForm):
    note = forms.CharField(
        label=_("退回重拟的理由"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=rules.REASON_MAX_LENGTH,
    )


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Several photos in one field (Django's documented pattern); each is checked by content in
    the service (JPEG or PNG, size), so the form only collects them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleImageInput(attrs={"accept": "image/jpeg,image/png"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class VerificationForm(DecisionForm):
    matches = forms.ChoiceField(
        label=_("场所与承诺是否相符"), choices=YES_NO, widget=forms.RadioSelect
    )
    findings = forms.CharField(
        label=_("核查情况"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=rules.FINDINGS_MAX_LENGTH,
    )
    rectification_due = forms.DateField(
        label=_("整改期限"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("首次核查不相符时必填；复查时不填（整改期限以通知书为准）。"),
    )
    order = forms.ChoiceField(
        label=_("核查不符时责令"),
        required=False,
        choices=[("", _("请选择")), *StopUseKind.choices],
        help_text=_("《消防法》第五十八条第一款第四项：首次核查不符时必选。"),
    )
    photos = MultipleImageField(
        label=_("现场照片"), help_text=_("可选多张 JPEG 或 PNG，作为核查、复查记录的证据。")
    )

    def clean_matches(self) -> bool:
        return _yes(self.cleaned_data["matches"])


class RevokeForm(DecisionForm):
    reason = forms.CharField(
        label=_("撤销许可的事实和理由"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=rules.REASON_MAX_LENGTH,
    )


class GreenChannelForm(DecisionForm):
    enabled = forms.ChoiceField(label=_("纳入绿色通道"), choices=YES_NO, widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("理由"),
        required=False,
        max_length=255,
        help_text=_("纳入时必填，如重点建设项目名称。"),
    )

    def clean_enabled(self) -> bool:
        return _yes(self.cleaned_data["enabled"])


class MailPostedForm(DecisionForm):
    carrier = forms.CharField(label=_("快递公司"), max_length=32)
    waybill = forms.CharField(label=_("运单号"), max_length=40)


class MailDeliveredForm(DecisionForm):
    pass


class ServiceForm(DecisionForm):
    """The permit document served another way than download or mail (行政许可法 art. 44)."""

    method = forms.ChoiceField(
        label=_("送达方式"),
        choices=[
            (ServiceMethod.IN_PERSON.value, ServiceMethod.IN_PERSON.label),
            (ServiceMethod.OTHER.value, ServiceMethod.OTHER.label),
        ],
        widget=forms.RadioSelect,
    )
    served_at = forms.DateTimeField(
        label=_("送达时间"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("不填则为现在。"),
    )
    note = forms.CharField(
        label=_("送达说明"),
        required=False,
        max_length=255,
        help_text=_("其他方式送达时必填：送达的方式和经过。"),
    )


# --- Door-to-door service ---------------------------------------------------------------------------
class HomeServiceLogForm(forms.Form):
    """A phone request logged by staff (电话预约)."""

    contact_name = forms.CharField(label=_("联系人"), max_length=64)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=11)
    address = forms.CharField(label=_("上门地址"), max_length=255)
    reason = forms.ChoiceField(label=_("原因"), choices=HomeServiceReason.choices)
    needs = forms.CharField(
        label=_("需要办理的事项"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=rules.REASON_MAX_LENGTH,
    )
    preferred_time = forms.CharField(label=_("希望上门时间"), required=False, max_length=128)


class HomeServiceScheduleForm(forms.Form):
    appointment_at = forms.DateTimeField(
        label=_("上门时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    assigned_to = forms.ModelChoiceField(label=_("上门人员"), queryset=User.objects.none())

    def __init__(self, *args: Any, brigade_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = User.objects.filter(
            org_unit_id=brigade_id,
            role__in=(Role.INSPECTOR, Role.BRIGADE_SUPERVISOR),
            is_active=True,
        ).order_by("real_name", "pk")

    def clean_appointment_at(self) -> dt.datetime:
        value = self.cleaned_data["appointment_at"]
        if value <= timezone.now():
            raise forms.ValidationError(_("上门时间应晚于现在。"))
        return value


class HomeServiceCompleteForm(forms.Form):
    outcome = forms.CharField(
        label=_("办理结果"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=rules.REASON_MAX_LENGTH,
    )
    reference = forms.CharField(
        label=_("关联的申请编号"),
        required=False,
        max_length=32,
        help_text=_("如上门时代为提交了申请，请填写其申请编号。"),
    )


class HomeServiceCancelForm(forms.Form):
    note = forms.CharField(label=_("取消原因"), required=False, max_length=500)


# --- Window applications (窗口受理) ------------------------------------------------------------------
class WindowApplicationForm(forms.ModelForm):
    """An application received at the service window, entered by staff for the applicant."""

    county = forms.ModelChoiceField(
        label=_("所在县（市、区）"),
        queryset=OrgUnit.objects.none(),
        error_messages={"invalid_choice": _("请选择所在县（市、区）。")},
    )
    applicant_name = forms.CharField(
        label=_("申请人（办事人）姓名"), max_length=64, help_text=_("到窗口办理的人。")
    )
    applicant_phone = forms.CharField(
        label=_("申请人手机号码"),
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
        help_text=_(
            "已注册的申请人按手机号码关联到其账号；未注册的为其开立账号，凭此号码查询进度。"
        ),
    )
    unit_uscc = forms.CharField(
        label=_("统一社会信用代码"),
        max_length=30,
        help_text=_("18 位，见营业执照。"),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false"}),
    )
    contact_phone = forms.CharField(
        label=_("联系电话"),
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
    )
    path = forms.ChoiceField(
        label=_("办理方式"), choices=PermitPath.choices, widget=forms.RadioSelect
    )
    signatory = forms.CharField(
        label=_("承诺人（告知承诺方式）"),
        max_length=64,
        required=False,
        help_text=_("在纸质承诺书上签字的法定代表人或主要负责人。"),
    )
    propose_grant = forms.BooleanField(
        label=_("材料齐全、符合法定形式，当场提出准予许可的拟办意见，请大队领导当场审批（即办）"),
        required=False,
    )

    class Meta:
        model = PermitApplication
        fields = (
            "venue_name",
            "venue_address",
            "venue_type",
            "floor_area_m2",
            "capacity",
            "floors",
            "opening_date",
            "unit_name",
            "legal_representative",
            "contact_name",
        )
        widgets = {
            "opening_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "floor_area_m2": forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
            "capacity": forms.NumberInput(attrs={"inputmode": "numeric"}),
        }

    field_order = ("county", "applicant_name", "applicant_phone", "venue_name", "venue_address")

    def __init__(self, *args: Any, brigades: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = brigades
        if brigades.count() == 1:
            self.initial.setdefault("county", brigades.first().pk)
        for kind in MaterialKind:
            self.fields[f"material_{kind.value}"] = forms.FileField(
                label=_("扫描件：%(kind)s") % {"kind": kind.label},
                required=False,
                widget=forms.ClearableFileInput(
                    attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}
                ),
            )
        self.fields["opening_date"].required = True

    def _phone(self, name: str) -> str:
        return "".join(self.cleaned_data[name].replace("-", " ").split())

    def clean_applicant_phone(self) -> str:
        return self._phone("applicant_phone")

    def clean_contact_phone(self) -> str:
        return self._phone("contact_phone")

    def clean_unit_uscc(self) -> str:
        return normalise_code(self.cleaned_data["unit_uscc"])

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        fields = {name: data[name] for name in self.Meta.fields}
        fields.update(
            unit_uscc=data["unit_uscc"], contact_phone=data["contact_phone"], path=data["path"]
        )
        return {
            "brigade": data["county"],
            "applicant_name": data["applicant_name"],
            "applicant_phone": data["applicant_phone"],
            "fields": fields,
            "materials": {
                kind.value: data[f"material_{kind.value}"]
                for kind in MaterialKind
                if data.get(f"material_{kind.value}")
            },
            "signatory": data["signatory"],
            "propose_grant": data["propose_grant"],
        }
