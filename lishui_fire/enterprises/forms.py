"""Forms of the registry's pages: list filters, rating change, dishonesty listing, CSV upload."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from lishui_fire.core.validators import normalise_code

from .models import (
    MANUAL_SOURCES,
    CreditGrade,
    DishonestyList,
    RatingSource,
    RiskLevel,
    VenueType,
)


def _with_blank(choices: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    return [("", _("全部")), *choices]


def credit_grade_choices() -> list[tuple[str, str]]:
    """The grades of the scale, read when a form is built (the table can change at any time)."""
    return [(g.code, g.display_label) for g in CreditGrade.objects.all()]


def _credit_grade_filter_choices() -> list[tuple[str, Any]]:
    return _with_blank(credit_grade_choices())


class EnterpriseFilterForm(forms.Form):
    """The registry list's filters (GET). Every field is optional; a bad value is ignored."""

    q = forms.CharField(
        label=_("名称或信用代码"),
        required=False,
        max_length=64,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    county = forms.ChoiceField(label=_("所属县区"), required=False)
    credit_rating = forms.ChoiceField(
        label=_("信用等级"), required=False, choices=_credit_grade_filter_choices
    )
    risk_level = forms.ChoiceField(
        label=_("风险等级"), required=False, choices=_with_blank(RiskLevel.choices)
    )
    venue_type = forms.ChoiceField(
        label=_("场所类型"), required=False, choices=_with_blank(VenueType.choices)
    )

    def __init__(self, *args: Any, brigades: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["county"].choices = _with_blank(
            [(b.code, b.division_name or b.display_name) for b in brigades]
        )

    def filters(self) -> dict[str, str]:
        """The valid, non-empty filters; call after ``is_valid()``."""
        data = getattr(self, "cleaned_data", {}) or {}
        return {k: v for k, v in data.items() if v}

    def clean_q(self) -> str:
        return " ".join(self.cleaned_data.get("q", "").split())


def _manual_source_choices() -> list[tuple[str, Any]]:
    return [(s, RatingSource(s).label) for s in MANUAL_SOURCES]


class CreditRatingChangeForm(forms.Form):
    to_rating = forms.ChoiceField(label=_("新信用等级"), choices=credit_grade_choices)
    source = forms.ChoiceField(
        label=_("等级来源"),
        choices=_manual_source_choices,
        initial=RatingSource.MANUAL,
        required=False,
        help_text=_("留空为人工调整。"),
    )
    effective_from = forms.DateField(
        label=_("生效日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("留空为今天。"),
    )
    reason = forms.CharField(
        label=_("变更理由"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("例如：依据的处罚决定书文号、整改完成情况或守信表彰。"),
    )


class CreditGradeForm(forms.ModelForm):
    """A grade of the scale; the code only when it is created (units carry it)."""

    class Meta:
        model = CreditGrade
        fields = [
            "code",
            "label",
            "label_en",
            "meaning",
            "sort_order",
            "sampling_multiplier",
            "max_planned_inspections_per_year",
            "basis",
            "effective_from",
        ]
        widgets = {
            "meaning": forms.Textarea(attrs={"rows": 2}),
            "effective_from": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["code"]
        self.fields["basis"].required = True
        self.fields["basis"].help_text = _("评定规则或抽查办法的名称和文号。")


class ProposalDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("处理"),
        choices=[("confirm", _("确认建议等级")), ("override", _("改定为其他等级"))],
        widget=forms.RadioSelect,
        initial="confirm",
    )
    to_rating = forms.ChoiceField(
        label=_("改定等级"),
        required=False,
        choices=(),
        help_text=_("仅在改定时选择。"),
    )
    reason = forms.CharField(
        label=_("理由"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("改定时必须填写。"),
    )

    def __init__(self, *args: Any, grade_choices: Any = None, **kwargs: Any) -> None:
        # A page of proposals reads the scale once and hands it to every form.
        super().__init__(*args, **kwargs)
        if grade_choices is None:
            grade_choices = credit_grade_choices()
        self.fields["to_rating"].choices = [("", "—"), *grade_choices]


class RecalculationForm(forms.Form):
    brigade = forms.ChoiceField(label=_("范围"), required=False)

    def __init__(self, *args: Any, brigades: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["brigade"].choices = [
            ("", _("全部大队")),
            *[(str(b.pk), b.display_name) for b in brigades],
        ]


class DishonestyListingForm(forms.Form):
    """An authority's decision to list a unit; the checks of dates are in the service."""

    list_kind = forms.ChoiceField(label=_("名单"), choices=DishonestyList.choices)
    listed_on = forms.DateField(label=_("列入日期"), widget=forms.DateInput(attrs={"type": "date"}))
    publication_ends_on = forms.DateField(
        label=_("公示截止日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    source_document = forms.CharField(
        label=_("决定文书文号"), max_length=128, help_text=_("例如：丽消信〔2026〕3号")
    )
    source_authority = forms.CharField(label=_("作出决定的机关"), max_length=128)
    reason = forms.CharField(
        label=_("列入理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ListingRemovalForm(forms.Form):
    removed_on = forms.DateField(
        label=_("移出日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(
        label=_("信用修复说明"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("修复决定文号或整改完成情况。"),
    )


class EnterpriseImportForm(forms.Form):
    """Only the file; its checks (type, size, encoding, header) are in ``start_enterprise_import``
    so that every entry point refuses the same files."""

    file = forms.FileField(
        label=_("CSV 文件"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "请使用下载的模板；UTF-8 或 GBK（Excel 默认）编码均可，最大 %(max)d MB。"
        ) % {"max": settings.MAX_UPLOAD_BYTES // (1024 * 1024)}


def filter_enterprises(queryset: QuerySet[Any], **filters: str) -> QuerySet[Any]:
    """Apply the registry filters shared by the list page and the API.

    ``q`` finds a name containing it, or a credit code starting with it (typed with spaces or in
    lower case); ``county`` is a brigade code.
    """
    if term := (filters.get("q") or "").strip():
        code = normalise_code(term)
        queryset = queryset.filter(Q(name__icontains=term) | Q(uscc__startswith=code))
    if county := filters.get("county"):
        queryset = queryset.filter(brigade__code=normalise_code(county))
    for key in ("credit_rating", "risk_level", "venue_type"):
        if value := filters.get(key):
            queryset = queryset.filter(**{key: value})
    return queryset
