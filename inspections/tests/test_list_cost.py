"""The inspections list costs its page, not the table (ADR 0030, 0036): the API
``/api/v1/inspections/`` and the staff page (visits), for an inspector (their own), a brigade
supervisor (their brigade) and the detachment (all). The page query is read in an index's order
(the database's plan; permits/tests/list_plans.py), counts are capped, and the query counts stay
the same with more rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from inspections.tests.visits_helpers import make_inspection, make_officer
from permits.tests.list_plans import assert_costs_its_page, page_queries

pytestmark = pytest.mark.django_db

INSPECTIONS = "inspections_inspection"


@pytest.fixture
def partner(org_units):
    return make_officer("LD", username="cost-partner", real_name="王检查")


def _some(inspector, partner, n):
    today = timezone.localdate()
    for i in range(n):
        make_inspection([inspector, partner], planned_date=today + dt.timedelta(days=i % 3))
    make_inspection([make_officer("LQ"), make_officer("LQ")])


@pytest.fixture
def filled(inspector, partner):
    _some(inspector, partner, 4)


@pytest.mark.parametrize("who", ["inspector", "supervisor", "chief"])
def test_the_inspections_api_costs_its_page(filled, api_for, request, who):
    queries = page_queries(api_for(request.getfixturevalue(who)), "/api/v1/inspections/")
    assert_costs_its_page(queries, table=INSPECTIONS)


@pytest.mark.parametrize("who", ["inspector", "supervisor", "chief"])
@pytest.mark.parametrize("show", ["", "?show=all"])
def test_the_inspections_page_costs_its_page(filled, client_for, request, who, show):
    if connection.vendor != "postgresql" and (who, show) == ("chief", ""):
        # SQLite, without statistics, reads the open statuses by their index and sorts them;
        # the plan that counts is PostgreSQL's (CI, ADR 0004), where this case is checked.
        pytest.skip("SQLite's planner picks the status index for this one")
    url = reverse("inspections:visit_list") + show
    queries = page_queries(client_for(request.getfixturevalue(who)), url)
    assert_costs_its_page(queries, table=INSPECTIONS)


def test_the_page_says_at_least_beyond_the_limit_and_pages_on(
    client_for, supervisor, inspector, partner, settings
):
    settings.LIST_EXACT_COUNT_LIMIT = 3
    _some(inspector, partner, 30)
    client = client_for(supervisor)
    first = client.get(reverse("inspections:visit_list")).content.decode()
    assert 'rel="next"' in first
    assert "第 1 页" in first
    assert "第 1 /" not in first  # no total promised past the cap
    last = client.get(reverse("inspections:visit_list") + "?page=2").content.decode()
    assert "第 2 页" in last
    assert 'rel="next"' not in last


@pytest.mark.parametrize(
    ("who", "url", "expected"),
    # The API: its capped count, the page, then one query each for the page's assignments,
    # findings, checklist, documents, re-checks and live clocks. The page: the session, the user,
    # the capped count, the page and its assignments.
    [
        ("inspector", "/api/v1/inspections/", 8),
        ("chief", "/api/v1/inspections/", 8),
        ("inspector", "/inspections/visits/", 5),
        ("supervisor", "/inspections/visits/?show=all", 5),
    ],
)
def test_queries_stay_the_same_with_more_rows(
    filled,
    api_for,
    client_for,
    request,
    inspector,
    partner,
    assert_num_queries_constant,
    who,
    url,
    expected,
):
    user = request.getfixturevalue(who)
    client = api_for(user) if url.startswith("/api/") else client_for(user)
    assert_num_queries_constant(
        client, url, lambda: _some(inspector, partner, 6), expected=expected
    )
