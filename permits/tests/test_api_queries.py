"""API lists cost an exact number of SQL queries, the same for 2 rows as for 12.

Two queries each: the page's count and its rows (joined and prefetched in the selectors); a
token or forced authentication costs no session query. A change that adds one updates the pin on
purpose.
"""

from __future__ import annotations

import datetime as dt

import pytest

from permits.tests.factories import make_application, make_booking, make_slot

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_the_permits_list_for_an_applicant(api_for, citizen, assert_num_queries_constant):
    for _ in range(2):
        make_application(citizen, status="submitted")

    def more():
        for _ in range(10):
            make_application(citizen, status="submitted")

    response = assert_num_queries_constant(api_for(citizen), "/api/v1/permits/", more, expected=2)
    assert response.json()["count"] == 12


def test_the_permits_list_for_an_inspector(
    api_for, citizen, inspector, assert_num_queries_constant
):
    for _ in range(2):
        make_application(citizen, status="submitted")

    def more():
        for _ in range(10):
            make_application(citizen, status="submitted")

    response = assert_num_queries_constant(api_for(inspector), "/api/v1/permits/", more, expected=2)
    assert response.json()["count"] == 12


def test_the_bookings_list(api_for, citizen, inspector, assert_num_queries_constant):
    def book(n, first_hour):
        for i in range(n):
            slot = make_slot(inspector, starts_in=dt.timedelta(days=2, hours=first_hour + i))
            make_booking(citizen, slot)

    book(2, 0)
    response = assert_num_queries_constant(
        api_for(citizen), "/api/v1/precheck-bookings/", lambda: book(10, 2), expected=2
    )
    assert len(response.json()["results"]) == 12
