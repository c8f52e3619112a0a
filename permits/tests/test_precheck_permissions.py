"""Who may open each pre-check page: an access table over every persona.

Applicant pages answer 403 to staff; staff pages answer 403 to applicants; a booking outside the
caller's scope (another applicant's, another brigade's) is 404, exactly as a missing one.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from conftest import LOGIN, assert_status
from permits.models import Finding, PrecheckBooking, PrecheckSlot
from permits.services import prechecks as services
from permits.tests.factories import make_booking, make_slot, png_upload

pytestmark = pytest.mark.django_db


def table(*codes):
    """One row of the access table, in conftest.PERSONAS order (``@pytest.mark.access``)."""
    return pytest.mark.access(codes)


@pytest.fixture(autouse=True)
def _fast(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def check(response, expected):
    assert_status(response, expected)


@pytest.fixture
def booked(personas):
    """A booking of the owner in LD, three days ahead."""
    slot = make_slot(personas["inspector"], starts_in=dt.timedelta(days=3), capacity=3)
    return make_booking(personas["owner"], slot)


@pytest.fixture
def visiting(personas):
    """The inspector is at the owner's venue."""
    inspector = personas["inspector"]
    booking = make_booking(
        personas["owner"], make_slot(inspector, starts_in=dt.timedelta(minutes=-15))
    )
    return services.record_arrival(booking=booking, actor=inspector)


@pytest.fixture
def issued(personas, visiting, django_capture_on_commit_callbacks):
    inspector = personas["inspector"]
    services.add_finding(
        booking=visiting,
        actor=inspector,
        item="疏散指示标志损坏",
        location="二层走道",
        regulation="GB 51309-2018",
        remedy="更换",
        photo=png_upload(),
    )
    with django_capture_on_commit_callbacks(execute=False):
        return services.issue_notice(booking=visiting, actor=inspector)


@pytest.fixture
def amendment(personas, issued):
    return services.request_amendment(booking=issued, actor=personas["inspector"], reason="遗漏")


# --- GET pages --------------------------------------------------------------------------------------
@table(200, 200, 200, 200, 200, 200, 200, 200, 200, LOGIN)
def test_slot_calendar(personas, client_for, persona, expected):
    check(client_for(personas[persona]).get(reverse("permits:precheck_slots")), expected)


@table(200, 200, 403, 403, 403, 403, 403, 403, 403, LOGIN)
def test_booking_form(personas, client_for, booked, persona, expected):
    url = reverse("permits:precheck_book", args=[booked.slot_id])
    check(client_for(personas[persona]).get(url), expected)


@table(200, 200, 403, 403, 403, 403, 403, 403, 403, LOGIN)
def test_my_bookings(personas, client_for, booked, persona, expected):
    response = client_for(personas[persona]).get(reverse("permits:my_bookings"))
    check(response, expected)
    if expected == 200:
        assert (booked.venue_name in response.content.decode()) == (persona == "owner")


@table(200, 404, 200, 404, 200, 200, 200, 404, 404, LOGIN)
def test_booking_detail(personas, client_for, booked, persona, expected):
    url = reverse("permits:booking_detail", args=[booked.pk])
    check(client_for(personas[persona]).get(url), expected)


@table(404, 404, 404, 404, 404, 404, 404, 404, 404, LOGIN)
def test_missing_booking_is_404_for_everyone(personas, client_for, persona, expected):
    url = reverse("permits:booking_detail", args=[987654])
    check(client_for(personas[persona]).get(url), expected)


@pytest.mark.parametrize("name", ["booking_confirmed", "booking_cancel", "booking_reschedule"])
@table(200, 404, 403, 404, 403, 403, 403, 404, 404, LOGIN)
def test_owner_only_pages(personas, client_for, booked, name, persona, expected):
    url = reverse(f"permits:{name}", args=[booked.pk])
    check(client_for(personas[persona]).get(url), expected)


@table(200, 404, 200, 404, 200, 200, 200, 404, 404, LOGIN)
def test_notice_pdf(personas, client_for, issued, persona, expected):
    response = client_for(personas[persona]).get(reverse("permits:notice_pdf", args=[issued.pk]))
    check(response, expected)
    if expected == 200:
        assert response["Content-Type"] == "application/pdf"


@table(200, 404, 200, 404, 200, 200, 200, 404, 404, LOGIN)
def test_finding_photo(personas, client_for, issued, persona, expected):
    finding = Finding.objects.get()
    response = client_for(personas[persona]).get(
        reverse("permits:finding_photo", args=[finding.pk])
    )
    check(response, expected)


@table(404, 404, 200, 404, 200, 200, 200, 404, 404, LOGIN)
def test_finding_photo_before_the_notice(personas, client_for, visiting, persona, expected):
    """Until the notice is issued the findings are the inspector's working copy."""
    finding = services.add_finding(
        booking=visiting,
        actor=personas["inspector"],
        item="疏散指示标志损坏",
        location="二层走道",
        regulation="GB 51309-2018",
        remedy="更换",
        photo=png_upload(),
    )
    response = client_for(personas[persona]).get(
        reverse("permits:finding_photo", args=[finding.pk])
    )
    check(response, expected)


@pytest.mark.parametrize("name", ["notice_issue"])
@table(403, 403, 200, 404, 200, 200, 200, 403, 403, LOGIN)
def test_issue_confirmation(personas, client_for, visiting, name, persona, expected):
    url = reverse(f"permits:{name}", args=[visiting.pk])
    check(client_for(personas[persona]).get(url), expected)


@table(403, 403, 200, 404, 200, 200, 200, 403, 403, LOGIN)
def test_amendment_request_form(personas, client_for, issued, persona, expected):
    url = reverse("permits:amendment_request", args=[issued.pk])
    check(client_for(personas[persona]).get(url), expected)


@table(403, 403, 200, 404, 200, 200, 200, 403, 403, LOGIN)
def test_amendment_page(personas, client_for, amendment, persona, expected):
    url = reverse("permits:amendment_detail", args=[amendment.pk])
    check(client_for(personas[persona]).get(url), expected)


@table(403, 403, 403, 403, 200, 200, 200, 403, 403, LOGIN)
def test_pending_amendments(personas, client_for, amendment, persona, expected):
    response = client_for(personas[persona]).get(reverse("permits:amendments_pending"))
    check(response, expected)


@pytest.mark.parametrize("name", ["precheck_staff_slots", "precheck_publish", "precheck_generate"])
@table(403, 403, 200, 200, 200, 200, 200, 403, 403, LOGIN)
def test_staff_slot_pages(personas, client_for, booked, name, persona, expected):
    response = client_for(personas[persona]).get(reverse(f"permits:{name}"))
    check(response, expected)
    if name == "precheck_staff_slots" and expected == 200:
        # Only the slots of the caller's brigade (all of them for the detachment).
        visible = booked.venue_name in response.content.decode()
        assert visible == (persona != "other_brigade_inspector")


# --- State changes ------------------------------------------------------------------------------------------
@table(403, 403, 302, 404, 302, 302, 302, 403, 403, LOGIN)
def test_record_arrival(personas, client_for, persona, expected):
    booking = make_booking(
        personas["owner"], make_slot(personas["inspector"], starts_in=dt.timedelta(minutes=-5))
    )
    response = client_for(personas[persona]).post(
        reverse("permits:booking_arrival", args=[booking.pk])
    )
    check(response, expected)
    booking.refresh_from_db()
    assert (booking.arrived_at is not None) == (expected == 302)


@table(403, 403, 302, 404, 302, 302, 302, 403, 403, LOGIN)
def test_add_finding(personas, client_for, visiting, persona, expected):
    data = {"item": "问题", "location": "部位", "regulation": "规定", "remedy": "整改"}
    response = client_for(personas[persona]).post(
        reverse("permits:finding_add", args=[visiting.pk]), data
    )
    check(response, expected)
    assert Finding.objects.count() == (1 if expected == 302 else 0)


@table(403, 403, 302, 404, 302, 302, 302, 403, 403, LOGIN)
def test_withdraw_slot(personas, client_for, persona, expected):
    slot = make_slot(personas["inspector"], starts_in=dt.timedelta(days=2))
    response = client_for(personas[persona]).post(
        reverse("permits:precheck_withdraw", args=[slot.pk])
    )
    check(response, expected)
    assert PrecheckSlot.objects.filter(pk=slot.pk).exists() == (expected != 302)


@table(302, 404, 403, 404, 403, 403, 403, 404, 404, LOGIN)
def test_cancel_booking(personas, client_for, booked, persona, expected):
    # Staff see the booking, but only its owner cancels online.
    response = client_for(personas[persona]).post(
        reverse("permits:booking_cancel", args=[booked.pk])
    )
    check(response, expected)
    booked.refresh_from_db()
    assert (booked.status == "cancelled") == (persona == "owner")


@table(403, 403, 403, 404, 302, 302, 302, 403, 403, LOGIN)
def test_decide_amendment(personas, client_for, amendment, persona, expected):
    services.add_finding(
        booking=amendment.booking,
        actor=personas["inspector"],
        amendment=amendment,
        item="补充",
        location="部位",
        regulation="规定",
        remedy="整改",
    )
    response = client_for(personas[persona]).post(
        reverse("permits:amendment_decide", args=[amendment.pk]), {"decision": "approve"}
    )
    check(response, expected)
    amendment.refresh_from_db()
    assert (amendment.status == "approved") == (expected == 302)
    assert PrecheckBooking.objects.get(pk=amendment.booking_id).notice_version == (
        2 if expected == 302 else 1
    )
