"""Every list of the permits app costs what its page costs, not what the table holds (ADR 0030).

For each list (the applications, slots and bookings API; the staff queue, the overdue list, the
staff's slots, the door-to-door requests; the applicant's lists) the number of queries is pinned
and stays the same with more rows, no query groups the visible rows, the count is capped, and the
page query is read in an index's order (the database's plan says so; list_plans.py). The
benchmark that measures the same at 200,000 rows is bench/lists_bench.py.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from permits.models import HomeServiceRequest

from .factories import make_application, make_booking, make_slot
from .list_plans import assert_costs_its_page, page_queries

pytestmark = pytest.mark.django_db

APPLICATIONS = "permits_permitapplication"
SLOTS = "permits_precheckslot"
BOOKINGS = "permits_precheckbooking"


def _applications(owner, n, **fields):
    return [
        make_application(
            owner, status=fields.pop("status", "submitted"), with_materials=False, **fields
        )
        for _ in range(n)
    ]


@pytest.fixture
def filled(citizen, inspector, other_inspector):
    """A little of everything, in two brigades."""
    _applications(citizen, 3)
    _applications(citizen, 2, brigade="LQ")
    late = _applications(citizen, 2)
    for application in late:
        application.next_due = dt.date.today() - dt.timedelta(days=3)
        application.save(update_fields=["next_due"])
    HomeServiceRequest.objects.create(
        applicant=citizen,
        brigade=late[0].brigade,
        application=late[0],
        contact_name="王五",
        contact_phone="13957800009",
        address="丽水市莲都区丽阳街 1 号",
        reason="elderly",
        source="online",
    )
    for i in range(3):
        slot = make_slot(inspector, starts_in=dt.timedelta(days=2, hours=3 * i))
        make_booking(citizen, slot)
    return citizen


# --- The API ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["citizen", "inspector", "chief"])
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/permits/",
        "/api/v1/permits/?status=submitted",
        "/api/v1/permits/?county=LD",
    ],
)
def test_the_applications_api_costs_its_page(filled, api_for, request, who, url):
    queries = page_queries(api_for(request.getfixturevalue(who)), url)
    assert_costs_its_page(queries, table=APPLICATIONS)


def test_the_applications_api_says_home_service_per_row(filled, api_for, chief):
    rows = api_for(chief).get("/api/v1/permits/?page_size=100").json()["results"]
    assert sorted(r["home_service"] for r in rows) == [False] * (len(rows) - 1) + [True]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/precheck-slots/",
        "/api/v1/precheck-slots/?available=true",
        "/api/v1/precheck-slots/?brigade=LD",
    ],
)
def test_the_slots_api_costs_its_page(filled, api_for, citizen, url):
    assert_costs_its_page(page_queries(api_for(citizen), url), table=SLOTS)


@pytest.mark.parametrize("who", ["supervisor", "chief"])
def test_the_bookings_api_costs_its_page(filled, api_for, request, who):
    queries = page_queries(api_for(request.getfixturevalue(who)), "/api/v1/precheck-bookings/")
    assert_costs_its_page(queries, table=BOOKINGS)


# --- The staff's pages --------------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["supervisor", "chief"])
@pytest.mark.parametrize(
    "name", ["permits:queue", "permits:overdue", "permits:precheck_staff_slots"]
)
def test_the_staff_lists_cost_their_page(filled, client_for, request, who, name):
    table = SLOTS if name == "permits:precheck_staff_slots" else APPLICATIONS
    queries = page_queries(client_for(request.getfixturevalue(who)), reverse(name))
    assert_costs_its_page(queries, table=table)


HOME = "permits_homeservicerequest"


@pytest.mark.parametrize("who", ["supervisor", "chief"])
@pytest.mark.parametrize("show", ["", "?show=all"])
def test_the_door_to_door_list_costs_its_page(filled, client_for, request, who, show):
    url = reverse("permits:staff_home_services") + show
    assert_costs_its_page(page_queries(client_for(request.getfixturevalue(who)), url), table=HOME)


@pytest.mark.parametrize("who", [None, "citizen"])
def test_the_public_slots_page_costs_its_page(filled, client, client_for, request, who):
    """Anyone's page, signed in or not: the free slots read in their start order."""
    browser = client_for(request.getfixturevalue(who)) if who else client
    assert_costs_its_page(page_queries(browser, reverse("permits:public_slots")), table=SLOTS)


def test_the_queue_filtered_to_one_status_still_reads_its_index(filled, client_for, supervisor):
    url = reverse("permits:queue") + "?status=submitted"
    assert_costs_its_page(page_queries(client_for(supervisor), url), table=APPLICATIONS)


# --- Counts capped, pages complete ----------------------------------------------------------------------
def test_beyond_the_limit_the_count_is_a_lower_bound_and_every_row_is_reachable(
    api_for, citizen, chief, settings
):
    settings.LIST_EXACT_COUNT_LIMIT = 3
    made = {a.reference for a in _applications(citizen, 5)}
    client = api_for(chief)
    first = client.get("/api/v1/permits/?page_size=2")
    assert first["X-Count-Exact"] == "false"
    body = first.json()
    assert set(body) == {"count", "next", "previous", "results"}  # API.md's envelope
    assert body["count"] == 3  # at least three
    seen = [r["reference"] for r in body["results"]]
    url = body["next"]
    while url:
        page = client.get(url).json()
        seen += [r["reference"] for r in page["results"]]
        url = page["next"]
    assert sorted(seen) == sorted(made)
    assert client.get("/api/v1/permits/?page_size=2&page=4").status_code == 404


def test_within_the_limit_the_count_is_exact(api_for, citizen, chief, settings):
    settings.LIST_EXACT_COUNT_LIMIT = 5
    _applications(citizen, 5)
    response = api_for(chief).get("/api/v1/permits/?page_size=2")
    assert response["X-Count-Exact"] == "true"
    assert response.json()["count"] == 5


def test_the_queue_page_says_at_least_and_pages_on(client_for, citizen, supervisor, settings):
    settings.LIST_EXACT_COUNT_LIMIT = 3
    _applications(citizen, 30)
    client = client_for(supervisor)
    page = client.get(reverse("permits:queue")).content.decode()
    assert "3 件以上" in page
    assert 'rel="next"' in page
    last = client.get(reverse("permits:queue") + "?page=2").content.decode()
    assert "第 2 页" in last
    assert 'rel="next"' not in last
    assert last.count("XKTESTLD") == 5


# --- Query counts pinned: the same for a few rows and for many ------------------------------------------
def _more(citizen, inspector):
    def make():
        _applications(citizen, 8)
        for i in range(6):
            slot = make_slot(inspector, starts_in=dt.timedelta(days=5, hours=3 * i))
            make_booking(citizen, slot)

    return make


@pytest.mark.parametrize(
    ("who", "url", "expected"),
    [
        ("citizen", "/api/v1/permits/", 2),
        ("chief", "/api/v1/permits/", 2),
        ("citizen", "/api/v1/precheck-slots/", 2),
        ("supervisor", "/api/v1/precheck-bookings/", 2),
    ],
)
def test_api_list_queries_are_pinned(
    filled, api_for, request, inspector, citizen, assert_num_queries_constant, who, url, expected
):
    client = api_for(request.getfixturevalue(who))
    assert_num_queries_constant(client, url, _more(citizen, inspector), expected=expected)


@pytest.mark.parametrize(
    ("who", "name", "expected"),
    # Every page: the session and the user with their unit (one query); the footer's contact is
    # read from memory (ADR 0033). The queue: its page and its capped count in one query.
    [
        ("supervisor", "permits:queue", 3),
        ("chief", "permits:queue", 3),
        ("supervisor", "permits:overdue", 4),
        ("supervisor", "permits:precheck_staff_slots", 6),
        ("supervisor", "permits:staff_home_services", 4),
        ("citizen", "permits:mine", 7),
        ("citizen", "permits:my_bookings", 4),
        ("citizen", "permits:precheck_slots", 5),
    ],
)
def test_page_list_queries_are_pinned(
    filled,
    client_for,
    request,
    inspector,
    citizen,
    assert_num_queries_constant,
    who,
    name,
    expected,
):
    client = client_for(request.getfixturevalue(who))
    assert_num_queries_constant(client, reverse(name), _more(citizen, inspector), expected=expected)
