"""Forms of the recusal register (parsing only; the rules are in services/roster.py)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ConflictKind


class ConflictDeclarationForm(forms.Form):
    enterprise_uscc = forms.CharField(
        label=_("相关单位的统一社会信用代码"),
        max_length=24,
        help_text=_("18 位，可在社会单位名录中查到。"),
    )
    kind = forms.ChoiceField(
        label=_("回避事由"), choices=ConflictKind.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("情况说明"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("如亲属关系、任职期间、持有的权益；选择“其他”时必填。"),
    )


class ConflictDecisionForm(forms.Form):
    DECISIONS = (("uphold", _("决定回避")), ("dismiss", _("决定不予回避")))

    decision = forms.ChoiceField(label=_("决定"), choices=DECISIONS, widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("决定理由"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
