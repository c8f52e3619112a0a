"""Forms of the applicant's pages: the apply wizard, delivery, pre-check link, door-to-door service.

They parse and check input only; every decision (what may be edited, what is missing, what a
file really is) belongs to the services, whose ValidationErrors the views put back on these forms.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from lishui_fire.accounts.models import OrgUnit
from lishui_fire.core.validators import normalise_code

from .. import rules
from ..models import (
    DeliveryMethod,
    HomeServiceReason,
    HomeServiceRequest,
    MaterialKind,
    PermitApplication,
    PermitPath,
    PrecheckBooking,
)
from .staff import MultipleImageField

VENUE_FIELDS = (
    "venue_name",
    "venue_address",
    "venue_type",
    "floor_area_m2",
    "capacity",
    "floors",
    "opening_date",
)
UNIT_FIELDS = (
    "unit_name",
    "unit_uscc",
    "legal_representative",
    "contact_name",
    "contact_phone",
)
ACCEPTED_UPLOADS = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


def mobile_field(label: Any, **kwargs: Any) -> forms.CharField:
    """Typed with spaces or dashes on a phone keypad; the model checks the normalised value."""
    return forms.CharField(
        label=label,
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
        **kwargs,
    )


def brigades() -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(kind=OrgUnit.Kind.BRIGADE).order_by("sort_order", "code")


class CountyField(forms.ModelChoiceField):
    """The county (县、市、区) of the venue; each is served by its brigade."""

    def label_from_instance(self, obj: OrgUnit) -> str:
        if (get_language() or "").startswith("en"):
            return obj.name_en
        return obj.division_name or obj.name_zh


def county_field(**kwargs: Any) -> CountyField:
    return CountyField(
        queryset=brigades(),
        label=_("所在县（市、区）"),
        empty_label=_("请选择"),
        help_text=_("由场所所在地的消防救援大队办理。"),
        error_messages={"invalid_choice": _("请选择所在县（市、区）。")},
        **kwargs,
    )


class VenueForm(forms.ModelForm):
    """Step 1: the venue."""

    county = county_field()

    class Meta:
        model = PermitApplication
        fields = ("venue_name", "venue_address", "venue_type", *VENUE_FIELDS[3:])
        widgets = {
            "opening_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "floor_area_m2": forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
            "capacity": forms.NumberInput(attrs={"inputmode": "numeric"}),
        }
        help_texts = {
            "venue_address": _("请填写到门牌号，例如：丽水市莲都区解放街 88 号。"),
            "capacity": _("场所同一时间最多容纳的人数。"),
        }

    field_order = ("venue_name", "venue_address", "county", "venue_type")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["venue_type"].choices = [
            ("", _("请选择")),
            *self.fields["venue_type"].choices[1:],
        ]
        self.fields["opening_date"].required = True
        if self.instance.pk:
            self.initial.setdefault("county", self.instance.brigade_id)

    def service_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in VENUE_FIELDS}


class UnitForm(forms.ModelForm):
    """Step 2: the applicant unit and its contact."""

    unit_uscc = forms.CharField(
        label=_("统一社会信用代码"),
        max_length=30,
        help_text=_("18 位，见营业执照。"),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false"}),
    )
    contact_phone = mobile_field(
        _("联系电话"), help_text=_("11 位手机号码，用于接收办理进度短信。")
    )

    class Meta:
        model = PermitApplication
        fields = UNIT_FIELDS
        widgets = {"contact_name": forms.TextInput(attrs={"autocomplete": "name"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in UNIT_FIELDS:
            self.fields[name].required = True

    def clean_unit_uscc(self) -> str:
        return normalise_code(self.cleaned_data["unit_uscc"])

    def clean_contact_phone(self) -> str:
        return "".join(self.cleaned_data["contact_phone"].split())

    def service_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in UNIT_FIELDS}


class PathForm(forms.Form):
    """Step 3: the path the law lets the applicant choose (Fire Law art. 15)."""

    path = forms.ChoiceField(
        label=_("办理方式"),
        choices=PermitPath.choices,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("请选择办理方式。")},
    )


class SignCommitmentForm(forms.Form):
    """The commitment (告知承诺书) is signed by typing the signatory's name and ticking the box."""

    signatory = forms.CharField(
        label=_("承诺人姓名"),
        max_length=64,
        help_text=_("请填写法定代表人或主要负责人的姓名。"),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    agree = forms.BooleanField(
        label=_("我已阅读并同意以上承诺内容，知悉虚假承诺的法律后果。"),
        error_messages={"required": _("请勾选同意承诺内容。")},
    )

    def clean_signatory(self) -> str:
        value = " ".join(self.cleaned_data["signatory"].split())
        if not value:
            raise ValidationError(_("请填写承诺人姓名。"), code="required")
        return value


class MaterialUploadForm(forms.Form):
    """One file of one kind. Its type and size are checked by content in the service."""

    kind = forms.ChoiceField(label=_("材料类型"), choices=MaterialKind.choices)
    file = forms.FileField(
        label=_("选择文件"),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPTED_UPLOADS}),
        error_messages={
            "required": _("请选择要上传的文件。"),
            "empty": _("文件为空，请重新选择。"),
        },
    )

    def __init__(self, *args: Any, path: str, present: Iterable[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offered = rules.upload_kinds(path)
        self.fields["kind"].choices = [
            (v, label) for v, label in MaterialKind.choices if v in offered
        ]
        # After each upload the form proposes the next kind still missing, so a row of uploads
        # is "choose file, upload" each time rather than picking the type again.
        self.fields["kind"].initial = rules.next_upload_kind(path, present)
        self.fields["file"].help_text = _("PDF、JPEG 或 PNG 格式，单个文件不超过 %(mb)d MB。") % {
            "mb": settings.MAX_UPLOAD_BYTES // (1024 * 1024) or 1
        }


class DeliveryForm(forms.Form):
    """How the legal documents reach the applicant (法律文书免费邮寄)."""

    method = forms.ChoiceField(
        label=_("送达方式"),
        choices=DeliveryMethod.choices,
        help_text=_("许可文书可以网上下载，也可以免费邮寄；邮寄请填写收件人、地址和电话。"),
        error_messages={"invalid_choice": _("请选择送达方式。")},
    )
    recipient = forms.CharField(label=_("收件人"), max_length=64, required=False)
    address = forms.CharField(label=_("邮寄地址"), max_length=255, required=False)
    phone = forms.CharField(
        label=_("收件电话"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("method") == DeliveryMethod.MAIL:
            for name in ("recipient", "address", "phone"):
                if not (data.get(name) or "").strip():
                    self.add_error(name, _("选择免费邮寄时必须填写此项。"))
        data["phone"] = "".join((data.get("phone") or "").split())
        return data


class LinkPrecheckForm(forms.Form):
    booking = forms.ModelChoiceField(
        label=_("我的预约体检"),
        queryset=PrecheckBooking.objects.none(),
        required=False,
        empty_label=_("不关联"),
        help_text=_("关联后，办理人员可以看到体检发现的问题和整改情况。"),
    )

    def __init__(self, *args: Any, bookings: QuerySet[PrecheckBooking], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["booking"]
        field.queryset = bookings
        field.label_from_instance = lambda b: (
            f"{b.venue_name}（{timezone.localtime(b.slot.starts_at):%Y-%m-%d %H:%M}，"
            f"{b.get_status_display()}）"
        )


class HomeServiceForm(forms.ModelForm):
    """Door-to-door service (上门服务) for applicants with disabilities or limited mobility."""

    county = county_field()
    contact_phone = mobile_field(_("联系电话"))

    class Meta:
        model = HomeServiceRequest
        fields = ("contact_name", "contact_phone", "address", "reason", "needs", "preferred_time")
        widgets = {"needs": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "needs": _("例如：办理公众聚集场所投入使用、营业前消防安全检查。"),
            "preferred_time": _("例如：工作日上午。我们会电话联系您确认时间。"),
        }

    field_order = ("county", "contact_name", "contact_phone", "address", "reason")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = [("", _("请选择")), *HomeServiceReason.choices]

    def clean_contact_phone(self) -> str:
        return "".join(self.cleaned_data["contact_phone"].split())

    def service_fields(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data[name]
            for name in (
                "contact_name",
                "contact_phone",
                "address",
                "reason",
                "needs",
                "preferred_time",
            )
        }


class RecheckRequestForm(forms.Form):
    """The unit asks for the re-check once it has rectified (申请复查)."""

    note = forms.CharField(
        label=_("整改情况说明"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text=_("可选：写明已整改的问题和整改方法。"),
    )
    photos = MultipleImageField(
        label=_("整改后照片"), help_text=_("可选，可多选 JPEG 或 PNG，最多 9 张。")
    )
