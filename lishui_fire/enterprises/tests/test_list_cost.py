"""The registry's list costs its page, not the registry (ADR 0030, 0036): the page
``/enterprises/`` and the API ``/api/v1/enterprises/``, for a brigade's staff (their brigade) and
the detachment (every brigade), with and without the filters. The page query is read in an
index's order (the database's plan; permits/tests/list_plans.py), counts are capped, and the
query counts stay the same with more rows."""

from __future__ import annotations

import pytest
from django.urls import reverse

from inspections.tests.visits_helpers import make_enterprise
from permits.tests.list_plans import assert_costs_its_page, page_queries

pytestmark = pytest.mark.django_db

ENTERPRISES = "core_enterprise"  # the table kept its name (migration 0001)


def _some(n):
    for i in range(n):
        make_enterprise("LD" if i % 3 else "LQ", risk_level="high" if i % 2 else "low")


@pytest.fixture
def filled(org_units):
    _some(6)


@pytest.mark.parametrize("who", ["supervisor", "chief"])
@pytest.mark.parametrize("query", ["", "?county=LD", "?risk_level=high"])
def test_the_enterprises_api_costs_its_page(filled, api_for, request, who, query):
    url = "/api/v1/enterprises/" + query
    assert_costs_its_page(
        page_queries(api_for(request.getfixturevalue(who)), url), table=ENTERPRISES
    )


@pytest.mark.parametrize("who", ["supervisor", "chief"])
@pytest.mark.parametrize("query", ["", "?county=LD", "?risk_level=high"])
def test_the_enterprises_page_costs_its_page(filled, client_for, request, who, query):
    url = reverse("enterprises:list") + query
    queries = page_queries(client_for(request.getfixturevalue(who)), url)
    assert_costs_its_page(queries, table=ENTERPRISES)


def test_the_list_is_in_name_order_and_every_unit_is_reached_once(
    org_units, api_for, chief, settings
):
    settings.LIST_EXACT_COUNT_LIMIT = 3
    for _ in range(5):
        make_enterprise("LD", name="丽水同名单位")  # same name: the id decides, pages are stable
    _some(4)
    client = api_for(chief)
    seen, url = [], "/api/v1/enterprises/?page_size=2"
    while url:
        body = client.get(url).json()
        seen += [(r["name"], r["id"]) for r in body["results"]]
        url = body["next"]
    assert len(seen) == len(set(seen)) == 9
    assert seen == sorted(seen)


@pytest.mark.parametrize("who", ["supervisor", "chief"])
def test_api_queries_stay_the_same_with_more_rows(
    filled, api_for, request, assert_num_queries_constant, who
):
    client = api_for(request.getfixturevalue(who))
    # The capped count and the page (the dishonesty columns are subqueries of the page's query).
    assert_num_queries_constant(client, "/api/v1/enterprises/", lambda: _some(8), expected=2)


@pytest.mark.parametrize("who", ["supervisor", "chief"])
def test_page_queries_stay_the_same_with_more_rows(
    filled, client_for, request, assert_num_queries_constant, who
):
    # The session, the user, the brigades of the filter, the capped count, the page and the
    # credit grades (read twice: the filter's choices and the rows' labels).
    client = client_for(request.getfixturevalue(who))
    assert_num_queries_constant(client, reverse("enterprises:list"), lambda: _some(8), expected=7)
