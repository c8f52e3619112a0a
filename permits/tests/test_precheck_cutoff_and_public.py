"""Issue 9, booking: what the online cut-off means for a slot is said before booking, the
confirmation never shows a deadline already past and names the brigade's number wherever it says
"call"; and anyone may see the free slots without signing in."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from lishui_fire.accounts.models import OrgUnit
from permits import rules
from permits.models import PrecheckBooking
from permits.tests.factories import make_booking, make_slot

pytestmark = pytest.mark.django_db

BOOKING = {
    "venue_name": "丽水市莲都区星光KTV",
    "venue_address": "丽水市莲都区丽阳街 12 号",
    "venue_type": "dance",
    "contact_phone": "13957800001",
}
HOTLINE = "0578-2111119"
TEL = 'href="tel:05782111119"'


@pytest.fixture(autouse=True)
def _settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRECHECK_CHANGE_CUTOFF_HOURS = 24
    OrgUnit.objects.filter(code="LD").update(hotline=HOTLINE)


# --- The rule ----------------------------------------------------------------------------------
NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("starts_in", "expected"),
    [
        (dt.timedelta(hours=25), NOW + dt.timedelta(hours=1)),
        (dt.timedelta(hours=24), NOW),  # the last moment is still online
        (dt.timedelta(hours=24) - dt.timedelta(seconds=1), None),
        (dt.timedelta(hours=2), None),
    ],
)
def test_online_change_deadline_is_never_in_the_past(starts_in, expected):
    got = rules.online_change_deadline(starts_at=NOW + starts_in, now=NOW, cutoff_hours=24)
    assert got == expected
    assert got is None or got >= NOW


# --- Before booking: the slot list and the booking form ----------------------------------------
def test_slot_list_says_what_the_cutoff_means_for_each_slot(client_for, citizen, inspector):
    early = make_slot(inspector, starts_in=dt.timedelta(days=3))
    late = make_slot(inspector, starts_in=dt.timedelta(hours=5))
    body = client_for(citizen).get(reverse("permits:precheck_slots"), {"brigade": "LD"})
    body = body.content.decode()
    deadline = timezone.localtime(early.starts_at - dt.timedelta(hours=24))
    assert f"预约后可在 {deadline:%Y-%m-%d %H:%M} 前网上取消或改约" in body
    # The late slot: no deadline at all, but what it means and whom to call.
    late_deadline = timezone.localtime(late.starts_at - dt.timedelta(hours=24))
    assert f"{late_deadline:%Y-%m-%d %H:%M} 前" not in body
    assert "开始前已不足 24 小时：预约后不能在网上取消或改约，只能致电大队" in body
    assert TEL in body


def test_booking_form_of_a_slot_inside_the_cutoff_says_so_with_the_number(
    client_for, citizen, inspector
):
    slot = make_slot(inspector, starts_in=dt.timedelta(hours=5))
    body = client_for(citizen).get(reverse("permits:precheck_book", args=[slot.pk]))
    body = body.content.decode()
    assert "只能致电大队" in body
    assert TEL in body
    assert "前网上取消" not in body


# --- After booking: the confirmation ----------------------------------------------------------
def test_confirmation_of_a_late_booking_shows_no_past_deadline_and_the_number(
    client_for, citizen, inspector
):
    slot = make_slot(inspector, starts_in=dt.timedelta(hours=5))
    client = client_for(citizen)
    response = client.post(
        reverse("permits:precheck_book", args=[slot.pk]),
        {**BOOKING, "county": slot.brigade_id},
        follow=True,
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "预约成功" in body
    past = timezone.localtime(slot.starts_at - dt.timedelta(hours=24))
    assert f"{past:%Y-%m-%d %H:%M}" not in body
    assert "之前可在网上取消" not in body
    assert "不能在网上取消或改约" in body
    assert TEL in body


def test_confirmation_of_an_early_booking_gives_the_deadline_and_the_number(
    client_for, citizen, inspector
):
    slot = make_slot(inspector, starts_in=dt.timedelta(days=3))
    booking = make_booking(citizen, slot)
    body = client_for(citizen).get(reverse("permits:booking_confirmed", args=[booking.pk]))
    body = body.content.decode()
    deadline = timezone.localtime(slot.starts_at - dt.timedelta(hours=24))
    assert f"{deadline:%Y-%m-%d %H:%M} 之前可在网上取消或改约" in body
    assert TEL in body


def test_booking_page_after_the_cutoff_shows_the_brigades_contact(client_for, citizen, inspector):
    slot = make_slot(inspector, starts_in=dt.timedelta(hours=5))
    booking = make_booking(citizen, slot)
    body = client_for(citizen).get(reverse("permits:booking_detail", args=[booking.pk]))
    assert TEL in body.content.decode()


def test_api_cancel_after_the_cutoff_names_the_number(api_for, citizen, inspector):
    slot = make_slot(inspector, starts_in=dt.timedelta(hours=5))
    booking = make_booking(citizen, slot)
    response = api_for(citizen).post(
        reverse("precheck-booking-cancel", args=[booking.pk]), format="json"
    )
    assert response.status_code in (400, 409)
    assert HOTLINE in response.json()["detail"]
    assert PrecheckBooking.objects.get(pk=booking.pk).status == "booked"


# --- Free slots for anyone ------------------------------------------------------------------------
def test_anyone_sees_free_slots_by_county_without_signing_in(client, inspector, other_inspector):
    free = make_slot(inspector, starts_in=dt.timedelta(days=2))
    full = make_slot(inspector, starts_in=dt.timedelta(days=3), booked=1)
    elsewhere = make_slot(other_inspector, starts_in=dt.timedelta(days=2))
    response = client.get(reverse("permits:public_slots"), {"brigade": "LD"})
    assert response.status_code == 200
    body = response.content.decode()
    day = timezone.localtime(free.starts_at)
    assert f"{day:%H:%M}" in body
    assert "共 1 个可预约时段" in body
    assert inspector.real_name not in body
    assert inspector.real_name[0] + "*" not in body
    assert f"{timezone.localtime(full.starts_at):%Y-%m-%d}" not in body
    assert "cache-control" in response.headers
    assert "public" in response["Cache-Control"]
    assert "max-age=60" in response["Cache-Control"]
    everywhere = client.get(reverse("permits:public_slots")).content.decode()
    assert "共 2 个可预约时段" in everywhere
    assert elsewhere.brigade.division_name in everywhere


def test_public_slots_to_a_signed_in_visitor_are_not_shared_cache(client_for, citizen, inspector):
    make_slot(inspector)
    response = client_for(citizen).get(reverse("permits:public_slots"))
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]


def test_public_slots_queries_do_not_grow(client, inspector, make_user, django_assert_num_queries):
    url = reverse("permits:public_slots")
    make_slot(inspector, starts_in=dt.timedelta(days=1))
    make_slot(inspector, starts_in=dt.timedelta(hours=3))  # inside the cut-off: a contact shown
    client.get(url)
    # The brigades of the county filter and the slots with brigade, parent and inspector; the
    # footer's detachment contact is read from memory (ADR 0033): none per slot.
    with django_assert_num_queries(2):
        client.get(url)
    other = make_user("inspector", "LQ", real_name="王监督")
    for i in range(12):
        make_slot(other, starts_in=dt.timedelta(hours=3 + i * 7))
    with django_assert_num_queries(2):
        assert client.get(url).status_code == 200


def test_public_slots_survive_bad_input(client):
    response = client.get(reverse("permits:public_slots"), {"brigade": "XX", "week": "soon"})
    assert response.status_code == 200


def test_a_calendar_with_more_slots_than_a_page_lists_the_first_and_says_so(
    client, client_for, citizen, inspector, settings
):
    """Four weeks of every county can hold thousands of slots: a page lists a bounded number,
    the earliest first, and asks for the venue's county (ADR 0030: a page costs its page)."""
    settings.PRECHECK_CALENDAR_MAX_SLOTS = 3
    # Three hours apart, an hour each: no slot starts when the one before it ends.
    made = [
        make_slot(inspector, starts_in=dt.timedelta(days=1, hours=3 * i), hours=1) for i in range(5)
    ]
    for response in (
        client.get(reverse("permits:public_slots")),
        client_for(citizen).get(reverse("permits:precheck_slots")),
    ):
        body = response.content.decode()
        assert response.status_code == 200
        assert "共 3 个可预约时段" in body
        assert "只列出前 3 个" in body
        shown = [s for s in made if f"{timezone.localtime(s.starts_at):%H:%M}" in body]
        assert shown == made[:3]
    settings.PRECHECK_CALENDAR_MAX_SLOTS = 5
    body = client.get(reverse("permits:public_slots")).content.decode()
    assert "共 5 个可预约时段" in body
    assert "只列出前" not in body
