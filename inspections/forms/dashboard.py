"""The dashboard's filters (GET): the brigade (detachment staff only) and the year."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

FIRST_YEAR = 2020


class DashboardFilterForm(forms.Form):
    brigade = forms.ChoiceField(label=_("大队"), required=False)
    year = forms.TypedChoiceField(label=_("年度"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, brigades: Any = (), all_brigades: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        choices = [(b.code, b.display_name) for b in brigades]
        self.fields["brigade"].choices = (
            [("", _("全部大队")), *choices] if all_brigades else choices
        )
        this_year = timezone.localdate().year
        self.fields["year"].choices = [
            (str(y), str(y)) for y in range(this_year, FIRST_YEAR - 1, -1)
        ]
