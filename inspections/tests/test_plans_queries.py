"""The plans' reads cost a fixed number of queries, however many units and plans there are."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from inspections import selectors_plans as selectors
from inspections.tests.plans_support import certify, make_plan

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("units", [3, 30])
def test_the_target_roster_is_two_queries(
    make_enterprise, org_units, units, django_assert_num_queries
):
    for n in range(units):
        make_enterprise(key_unit=n % 2 == 0, venue_type="hotel" if n % 3 else "factory")
    with django_assert_num_queries(2):  # the units with their facts, and the grade scale
        rows = selectors.plan_candidates(
            brigade_ids=[org_units["LD"].pk],
            classes=["general", "crowded_key", "other_key"],
            year=dt.date.today().year,
        )
    assert len(rows) == units


def _page_queries(client, url, django_assert_max_num_queries, limit):
    with django_assert_max_num_queries(limit):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("units", [4, 24])
def test_the_public_plan_page_does_not_grow_with_the_draw(
    client, supervisor, make_enterprise, make_user, units, django_assert_max_num_queries
):
    for _ in range(units):
        make_enterprise(key_unit=True, venue_type="hotel")
    for _ in range(4):
        certify(make_user("inspector", "LD"))
    plan = make_plan(supervisor, state="drawn")
    assert len(plan.draw.result["selected"]) == units
    client.get(reverse("inspections:plan", args=[plan.pk]))  # warm the caches
    _page_queries(
        client, reverse("inspections:plan", args=[plan.pk]), django_assert_max_num_queries, 20
    )
    _page_queries(client, reverse("inspections:plans"), django_assert_max_num_queries, 8)
