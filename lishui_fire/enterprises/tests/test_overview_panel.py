"""The registry's overview panel counts units per grade of the table, whatever the grades are."""

from __future__ import annotations

import datetime as dt

from django.test import RequestFactory
from django.urls import reverse

from lishui_fire.core.validators import uscc_check_char
from lishui_fire.enterprises.models import CreditGrade, Enterprise
from lishui_fire.enterprises.overview import panel


def make(org_units, n: int, unit: str, rating: str) -> Enterprise:
    first17 = f"91331102{n:09d}"
    return Enterprise.objects.create(
        uscc=first17 + uscc_check_char(first17),
        name=f"单位{n}",
        address="某地",
        brigade=org_units[unit],
        venue_type="hotel",
        credit_rating=rating,
    )


def test_the_panel_has_a_column_per_grade_row(client_for, chief, org_units):
    CreditGrade.objects.create(
        code="E", label="待评", sort_order=50, effective_from=dt.date(2027, 1, 1)
    )
    make(org_units, 1, "LD", "A")
    make(org_units, 2, "LD", "E")
    make(org_units, 3, "LQ", "E")

    page = client_for(chief).get(reverse("core:overview"))

    assert page.status_code == 200
    text = page.content.decode()
    assert 'title="E 级（待评）"' in text
    request = RequestFactory().get("/overview/")
    request.user = chief
    context = panel(request).context
    assert [g.code for g in context["grades"]] == ["A", "B", "C", "D", "E"]
    counts = {r["brigade"].code: r["counts"] for r in context["rows"]}
    assert counts["LD"] == [1, 0, 0, 0, 1]
    assert counts["LQ"] == [0, 0, 0, 0, 1]
