"""The pre-check pages run the same number of SQL queries for 3 rows as for 15."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from permits.models import Finding
from permits.tests.factories import make_booking, make_slot

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def count_queries(client, url) -> int:
    client.get(url)  # warm up: session, content types, translations
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _slots(inspector, n, first_day):
    return [
        make_slot(
            inspector, starts_in=dt.timedelta(days=first_day + i // 3, hours=i % 3 * 3), capacity=2
        )
        for i in range(n)
    ]


def test_slot_calendar_queries_do_not_grow(client_for, citizen, inspector, make_user):
    client = client_for(citizen)
    url = reverse("permits:precheck_slots")
    _slots(inspector, 3, 1)
    few = count_queries(client, url)
    other = make_user("inspector", "LD", real_name="王监督")
    _slots(other, 12, 2)
    assert count_queries(client, url) == few


def test_staff_slot_list_queries_do_not_grow(
    client_for, inspector, make_user, assert_num_queries_constant
):
    client = client_for(inspector)
    url = reverse("permits:precheck_staff_slots")

    def add(n, offset):
        for slot in _slots(inspector, n, offset):
            make_booking(make_user("applicant"), slot)

    add(3, 1)
    # Exact: the session read (the staff idle timeout writes it at most once a minute, not on
    # this request), the user, the brigade twice (user's unit, the filter), the page's count,
    # slots, their bookings, the footer's detachment contact.
    # The user's unit comes with the user, the footer's contact from memory (ADR 0033).
    assert_num_queries_constant(client, url, lambda: add(12, 8), expected=6)


def _findings(booking, inspector, n):
    Finding.objects.bulk_create(
        Finding(
            booking=booking,
            item=f"问题{i}",
            location="一层",
            regulation="消防法第十六条",
            remedy="整改",
            created_by=inspector,
        )
        for i in range(n)
    )


def test_booking_detail_queries_do_not_grow(client_for, citizen, inspector):
    booking = make_booking(
        citizen,
        make_slot(inspector, starts_in=dt.timedelta(minutes=-10)),
        status="in_progress",
    )
    client = client_for(inspector)
    url = reverse("permits:booking_detail", args=[booking.pk])
    _findings(booking, inspector, 3)
    few = count_queries(client, url)
    _findings(booking, inspector, 12)
    assert count_queries(client, url) == few


def test_my_bookings_queries_do_not_grow(client_for, citizen, inspector):
    client = client_for(citizen)
    url = reverse("permits:my_bookings")
    for slot in _slots(inspector, 3, 1):
        make_booking(citizen, slot)
    few = count_queries(client, url)
    for slot in _slots(inspector, 12, 5):
        make_booking(citizen, slot)
    assert count_queries(client, url) == few
