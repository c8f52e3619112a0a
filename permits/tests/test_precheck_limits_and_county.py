"""Issue 9, booking: the venue's county is asked and a mismatch with the slot's brigade is booked
only once confirmed (page and API alike); open bookings are limited per account and per venue by
an administrator's row; the confirmation and reminders leave the request."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import TestCase
from django.urls import reverse

from lishui_fire.accounts.models import OrgUnit
from lishui_fire.core.errors import Conflict
from lishui_fire.core.models import Notification, Reminder
from permits import rules
from permits.models import PrecheckBooking, PrecheckBookingLimits
from permits.services import prechecks as services
from permits.tests.factories import make_application, make_booking, make_slot

pytestmark = pytest.mark.django_db

VENUE = {
    "venue_name": "丽水市莲都区星光KTV",
    "venue_address": "丽水市莲都区丽阳街 12 号",
    "contact_phone": "13957800001",
}


@pytest.fixture
def lq(org_units) -> OrgUnit:
    return org_units["LQ"]


@pytest.fixture
def ld(org_units) -> OrgUnit:
    return org_units["LD"]


def book(applicant, slot, **extra):
    return services.book_precheck(applicant=applicant, slot_id=slot.pk, **{**VENUE, **extra})


# --- The venue key ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("丽水市莲都区丽阳街 12 号", "丽水市莲都区丽阳街12号"),
        ("丽阳街１２号", "丽阳街12号"),  # full-width digits
        ("丽阳街12号（一楼）", "丽阳街 12 号 (一楼)"),
        ("Liyang Road 12", "liyang road 12"),
    ],
)
def test_venue_key_folds_spacing_width_case_and_punctuation(a, b):
    assert rules.venue_key(a) == rules.venue_key(b)


def test_venue_key_keeps_different_addresses_apart():
    assert rules.venue_key("丽阳街 12 号") != rules.venue_key("丽阳街 13 号")


# --- County ----------------------------------------------------------------------------------------------
def test_a_venue_of_another_county_is_not_booked_without_confirmation(citizen, other_inspector, ld):
    slot = make_slot(other_inspector)  # 龙泉
    with pytest.raises(services.CountyMismatch) as caught:
        book(citizen, slot, venue_county=ld)
    assert "莲都" in caught.value.message
    assert "龙泉" in caught.value.message
    assert not PrecheckBooking.objects.exists()
    slot.refresh_from_db()
    assert slot.booked == 0
    booking = book(citizen, slot, venue_county=ld, confirm_county_mismatch=True)
    assert booking.venue_county == ld
    assert booking.county_mismatch_confirmed


def test_a_venue_of_the_slots_county_books_without_a_question(citizen, inspector, ld):
    booking = book(citizen, make_slot(inspector), venue_county=ld)
    assert booking.venue_county == ld
    assert not booking.county_mismatch_confirmed


def test_booking_page_warns_on_a_mismatch_and_books_once_confirmed(
    client_for, citizen, other_inspector, ld
):
    slot = make_slot(other_inspector)
    client = client_for(citizen)
    url = reverse("permits:precheck_book", args=[slot.pk])
    response = client.post(url, {**VENUE, "county": ld.pk})
    assert response.status_code == 400
    body = response.content.decode()
    assert "场所位于莲都区" in body
    assert "confirm_county" in body
    assert f"?brigade={ld.code}" in body  # a link to the venue county's slots
    assert not PrecheckBooking.objects.exists()
    response = client.post(url, {**VENUE, "county": ld.pk, "confirm_county": "on"})
    assert response.status_code == 302
    assert PrecheckBooking.objects.get().county_mismatch_confirmed


def test_booking_page_asks_the_county_and_starts_from_the_applicants(
    client_for, citizen, other_inspector, ld
):
    make_application(citizen, brigade="LD")
    slot = make_slot(other_inspector)
    body = client_for(citizen).get(reverse("permits:precheck_book", args=[slot.pk]))
    body = body.content.decode()
    assert 'name="county"' in body
    assert f'<option value="{ld.pk}" selected>' in body
    assert "场所位于莲都区" in body  # warned before anything is typed


def test_slot_list_starts_from_the_applicants_county(
    client_for, citizen, inspector, other_inspector, ld
):
    here = make_slot(inspector)
    there = make_slot(other_inspector)
    make_booking(citizen, make_slot(inspector, starts_in=dt.timedelta(days=9)), status="cancelled")
    body = client_for(citizen).get(reverse("permits:precheck_slots")).content.decode()
    assert reverse("permits:precheck_book", args=[here.pk]) in body
    assert reverse("permits:precheck_book", args=[there.pk]) not in body
    # "全部" is one choice away.
    body = client_for(citizen).get(reverse("permits:precheck_slots"), {"brigade": ""})
    assert reverse("permits:precheck_book", args=[there.pk]) in body.content.decode()


def test_api_answers_400_with_the_flag_until_confirmed(api_for, citizen, other_inspector):
    slot = make_slot(other_inspector)
    client = api_for(citizen)
    url = reverse("precheck-booking-list")
    payload = {"slot": slot.pk, **VENUE, "county": "LD"}
    response = client.post(url, payload, format="json")
    assert response.status_code == 400
    assert "场所位于莲都区" in response.json()["confirm_county_mismatch"][0]
    response = client.post(url, {**payload, "confirm_county_mismatch": True}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["county"] == "LD"


def test_api_without_a_county_books_as_before(api_for, citizen, inspector):
    response = api_for(citizen).post(
        reverse("precheck-booking-list"), {"slot": make_slot(inspector).pk, **VENUE}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["county"] is None


def test_api_refuses_an_unknown_county(api_for, citizen, inspector):
    response = api_for(citizen).post(
        reverse("precheck-booking-list"),
        {"slot": make_slot(inspector).pk, **VENUE, "county": "XX"},
        format="json",
    )
    assert response.status_code == 400
    assert not PrecheckBooking.objects.exists()


# --- Limits ------------------------------------------------------------------------------------------------
def test_defaults_without_a_row_and_the_administrators_row_wins():
    assert PrecheckBookingLimits.current().max_open_per_applicant == 3
    PrecheckBookingLimits.objects.update_or_create(pk=1, defaults={"max_open_per_applicant": 5})
    assert PrecheckBookingLimits.current().max_open_per_applicant == 5


def test_one_account_holds_at_most_its_limit_of_open_bookings(citizen, inspector):
    PrecheckBookingLimits.objects.update_or_create(pk=1, defaults={"max_open_per_applicant": 2})
    slots = [make_slot(inspector, starts_in=dt.timedelta(days=2 + i)) for i in range(3)]
    book(citizen, slots[0], venue_address="丽阳街 1 号")
    second = book(citizen, slots[1], venue_address="丽阳街 2 号")
    with pytest.raises(services.BookingLimitReached) as caught:
        book(citizen, slots[2], venue_address="丽阳街 3 号")
    assert "每个账号最多同时预约 2 个" in caught.value.message
    slots[2].refresh_from_db()
    assert slots[2].booked == 0
    services.cancel_booking(booking=second, actor=citizen)
    book(citizen, slots[2], venue_address="丽阳街 3 号")  # a cancelled one no longer counts


def test_a_past_or_finished_booking_does_not_count(citizen, inspector):
    PrecheckBookingLimits.objects.update_or_create(pk=1, defaults={"max_open_per_applicant": 1})
    make_booking(citizen, make_slot(inspector, starts_in=dt.timedelta(days=-2)))  # never closed
    make_booking(
        citizen, make_slot(inspector, starts_in=dt.timedelta(days=5)), status="notice_issued"
    )
    book(citizen, make_slot(inspector, starts_in=dt.timedelta(days=3)))


def test_one_venue_holds_one_open_booking_whoever_books_it(citizen, other_citizen, inspector):
    book(citizen, make_slot(inspector, starts_in=dt.timedelta(days=2)))
    with pytest.raises(services.BookingLimitReached) as caught:
        book(
            other_citizen,
            make_slot(inspector, starts_in=dt.timedelta(days=3)),
            venue_address="丽水市莲都区丽阳街12号",
        )
    # Says nothing about whose or when, and whom to call.
    assert "已有未完成的体检预约" in caught.value.message
    assert citizen.real_name not in caught.value.message
    assert "（" in caught.value.message


def test_reschedule_is_not_counted_against_the_venue(citizen, inspector):
    booking = book(citizen, make_slot(inspector, starts_in=dt.timedelta(days=2)))
    other = make_slot(inspector, starts_in=dt.timedelta(days=4))
    moved = services.reschedule_booking(booking=booking, actor=citizen, new_slot_id=other.pk)
    assert moved.slot == other


def test_over_the_limit_is_409_in_the_api_and_a_message_on_the_page(
    api_for, client_for, citizen, inspector
):
    PrecheckBookingLimits.objects.update_or_create(pk=1, defaults={"max_open_per_applicant": 1})
    book(citizen, make_slot(inspector, starts_in=dt.timedelta(days=2)), venue_address="丽阳街 1 号")
    slot = make_slot(inspector, starts_in=dt.timedelta(days=3))
    response = api_for(citizen).post(
        reverse("precheck-booking-list"),
        {"slot": slot.pk, **VENUE, "venue_address": "丽阳街 2 号"},
        format="json",
    )
    assert response.status_code == 409
    assert "每个账号最多同时预约 1 个" in response.json()["detail"]
    response = client_for(citizen).post(
        reverse("permits:precheck_book", args=[slot.pk]),
        {**VENUE, "venue_address": "丽阳街 2 号", "county": slot.brigade_id},
        follow=True,
    )
    assert "每个账号最多同时预约 1 个" in response.content.decode()
    assert PrecheckBooking.objects.filter(applicant=citizen).count() == 1


def test_the_same_slot_twice_still_says_so(citizen, inspector):
    slot = make_slot(inspector, capacity=2)
    book(citizen, slot)
    with pytest.raises(Conflict, match="您已预约了这个时段"):
        book(citizen, slot, venue_address="别处 1 号")


# --- The confirmation and reminders leave the request -------------------------------------------
def test_the_confirmation_and_reminders_are_written_after_commit_once(citizen, inspector):
    slot = make_slot(inspector, starts_in=dt.timedelta(days=3))
    with TestCase.captureOnCommitCallbacks(execute=False) as callbacks:
        booking = book(citizen, slot)
    assert not Notification.objects.exists()  # nothing sent from inside the booking
    assert not Reminder.objects.exists()
    assert len(callbacks) == 1
    callbacks[0]()
    assert (
        Notification.objects.filter(dedupe_key=f"precheck:{booking.pk}:confirmation").count() == 1
    )
    assert Reminder.objects.count() == 2
    booking.refresh_from_db()
    assert booking.announced_at is not None
    services.announce_booking(booking_id=booking.pk)  # a second run changes nothing
    assert Notification.objects.count() == 1


def test_the_sweep_announces_a_booking_whose_job_was_lost(citizen, inspector):
    slot = make_slot(inspector, starts_in=dt.timedelta(days=3))
    with TestCase.captureOnCommitCallbacks(execute=False):
        booking = book(citizen, slot)
    assert services.sweep_unannounced_bookings() == 0  # within its grace
    later = booking.created_at + services.ANNOUNCE_GRACE + dt.timedelta(seconds=1)
    assert services.sweep_unannounced_bookings(now=later) == 1
    assert Notification.objects.filter(dedupe_key=f"precheck:{booking.pk}:confirmation").exists()
    assert services.sweep_unannounced_bookings(now=later) == 0


# --- Door-to-door requests say nothing about other people (issue 9) ------------------------------
def _home_form(phone: str, ld: OrgUnit) -> dict[str, object]:
    return {
        "county": ld.pk,
        "contact_name": "孙七",
        "contact_phone": phone,
        "address": "丽水市莲都区中山街 9 号",
        "reason": "disability",
        "needs": "代为提交消防安全检查申请",
    }


def test_home_service_answers_alike_whether_a_strangers_number_has_a_request(
    client_for, citizen, other_citizen, make_user, ld
):
    from permits.models import HomeServiceRequest

    taken, fresh = "13857800004", "13857800005"
    # A real person's open request for her number.
    assert (
        client_for(other_citizen)
        .post(reverse("permits:home_service"), _home_form(taken, ld))
        .status_code
        == 302
    )
    someone = client_for(citizen)
    with_request = someone.post(reverse("permits:home_service"), _home_form(taken, ld), follow=True)
    stranger = make_user("applicant")
    without = client_for(stranger).post(
        reverse("permits:home_service"), _home_form(fresh, ld), follow=True
    )
    assert with_request.status_code == without.status_code == 200
    assert with_request.redirect_chain == without.redirect_chain
    assert [str(m) for m in with_request.context["messages"]] == [
        str(m) for m in without.context["messages"]
    ]
    assert "无需重复" not in with_request.content.decode()
    # Nobody blocked the real person: her request is untouched, and each account has its own.
    assert (
        HomeServiceRequest.objects.filter(applicant=other_citizen, status="requested").count() == 1
    )
    assert HomeServiceRequest.objects.filter(contact_phone=taken).count() == 2
