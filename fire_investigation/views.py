"""Pages of measures 5 and 6. The public page: what the measures promise (the periods from the
rules in force), the current and coming quiet periods; a party signed in sees their cases."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from lishui_fire.core.clocks import rule_in_force

from . import rules, selectors


def index(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    periods = {
        code: rule_in_force(code, on=today) for code in (rules.PROMISE_RULE, rules.STATUTORY_RULE)
    }
    mine = list(selectors.cases_of_party(user=request.user)[:20])
    return render(
        request,
        "fire_investigation/index.html",
        {
            "promise": periods[rules.PROMISE_RULE],
            "statutory": periods[rules.STATUTORY_RULE],
            "quiet_periods": list(selectors.current_and_coming_quiet_periods()[:20]),
            "now": timezone.now(),
            "mine": mine,
        },
    )
