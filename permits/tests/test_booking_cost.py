"""Booking a pre-check costs a pinned list of SQL statements, through the API and the page
(issue 9: booking ≥ 0.5× a token-authenticated bare POST; ADR 0032), and the one statement that
takes the place enforces the same limits as before, the administrators' figures included.

The pins are the statements a production request sends (a test's savepoints are left out: in
production the booking's transaction is BEGIN … COMMIT, which Django does not log). A change
that adds a statement updates the pin on purpose.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from conftest import skip_or_fail
from lishui_fire.accounts import tokens
from permits.models import PrecheckBooking, PrecheckBookingLimits, PrecheckSlot
from permits.services import prechecks as services
from permits.tests.factories import make_slot

pytestmark = pytest.mark.django_db


def venue(i: int) -> dict[str, str]:
    return {
        "venue_name": "丽水市莲都区星光KTV",
        "venue_address": f"丽水市莲都区丽阳街 {i} 号",
        "contact_phone": "13957800001",
    }


def statements(queries) -> list[str]:
    """What each statement does, as ``VERB table``; savepoints (a test's artefact) left out."""
    kinds = []
    for q in queries:
        sql = q["sql"]
        if sql.startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")):
            continue
        verb = sql.split(None, 1)[0].upper()
        if sql.startswith("SELECT pg_advisory_xact_lock"):
            kinds.append("LOCK applicant, venue")
            continue
        marker = {"SELECT": "FROM", "UPDATE": "UPDATE", "INSERT": "INTO"}[verb]
        table = re.search(rf'{marker} "?(\w+)"?', sql).group(1)  # the first table named so
        locks = " + LOCK applicant, venue" if "pg_advisory_xact_lock" in sql else ""
        kinds.append(f"{verb} {table}{locks}")
    return kinds


def _lock() -> list[str]:
    return ["LOCK applicant, venue"] if connection.vendor == "postgresql" else []


def _slot_with_locks() -> str:
    locks = " + LOCK applicant, venue" if connection.vendor == "postgresql" else ""
    return f"SELECT permits_precheckslot{locks}"


def expected_booking(*, first: list[str], locks: bool = True) -> list[str]:
    """The place, the limits and the same-slot rule are one UPDATE; the booking and its audit
    entry are the two INSERTs. Nothing else: no second read of the slot, no look-up of the county
    when it is the slot's own, no limits row, no inspector for the audit entry's description, no
    brigade for the answer (12 statements before ADR 0032). Through the API the locks are taken
    by the statement that reads the slot."""
    return [
        *first,
        *(_lock() if locks else []),
        "UPDATE permits_precheckslot",
        "INSERT permits_precheckbooking",
        "INSERT auditlog_logentry",
    ]


def test_a_booking_through_the_api_with_a_token_costs_its_pinned_statements(
    citizen, inspector, settings
):
    # The token's own read, every time: its per-process copy (ADR 0031) is pinned by its tests.
    settings.API_TOKEN_CACHE_SECONDS = 0
    slots = [make_slot(inspector, starts_in=dt.timedelta(days=2, hours=i)) for i in range(2)]
    token = tokens.issue(citizen)
    url = reverse("precheck-booking-list")
    client = APIClient(HTTP_AUTHORIZATION=f"Token {token.key}")

    def post(i: int):
        return client.post(url, {"slot": slots[i].pk, **venue(i), "county": "LD"}, format="json")

    assert post(0).status_code == 201  # warm-up: the token's first use, content types
    with CaptureQueriesContext(connection) as queries:
        response = post(1)
    assert response.status_code == 201, response.json()
    # The slot is read in the transaction, by the statement that takes the advisory locks.
    assert statements(queries) == expected_booking(
        first=["SELECT accounts_apitoken", _slot_with_locks()], locks=False
    ), "\n".join(q["sql"][:200] for q in queries)
    body = response.json()
    assert body["brigade"] == "LD"
    assert body["county"] == "LD"
    assert body["starts_at"] is not None
    assert body["contact_phone"] == "13957800001"
    booking = PrecheckBooking.objects.get(pk=body["id"])
    assert booking.venue_county_id == booking.brigade_id == inspector.org_unit_id


def test_the_booking_page_books_with_the_session_and_the_form_and_nothing_more(
    citizen, inspector, client_for
):
    slots = [make_slot(inspector, starts_in=dt.timedelta(days=2, hours=i)) for i in range(2)]
    client = client_for(citizen)

    def post(i: int):
        url = reverse("permits:precheck_book", args=[slots[i].pk])
        return client.post(url, {**venue(i), "county": inspector.org_unit_id})

    assert post(0).status_code == 302
    with CaptureQueriesContext(connection) as queries:
        response = post(1)
    assert response.status_code == 302
    assert "/confirmed/" in response["Location"]
    assert statements(queries) == expected_booking(
        first=[
            "SELECT django_session",
            "SELECT accounts_user",
            "SELECT permits_precheckslot",  # with its brigade and inspector, read once
            "SELECT accounts_orgunit",  # the form's county choice
        ]
    ), "\n".join(q["sql"][:200] for q in queries)


# --- The one statement enforces what the limits say ------------------------------------------------
def test_the_administrators_lower_account_limit_is_what_booking_enforces(citizen, inspector):
    PrecheckBookingLimits.objects.create(pk=1, max_open_per_applicant=1, max_open_per_venue=1)
    slots = [make_slot(inspector, starts_in=dt.timedelta(days=2, hours=i)) for i in range(2)]
    services.book_precheck(applicant=citizen, slot_id=slots[0].pk, **venue(0))
    with pytest.raises(services.BookingLimitReached, match="最多同时预约 1 个"):
        services.book_precheck(applicant=citizen, slot_id=slots[1].pk, **venue(1))
    assert PrecheckSlot.objects.get(pk=slots[1].pk).booked == 0


def test_the_administrators_higher_limits_are_what_booking_enforces(
    citizen, other_citizen, inspector
):
    PrecheckBookingLimits.objects.create(pk=1, max_open_per_applicant=5, max_open_per_venue=2)
    slots = [make_slot(inspector, starts_in=dt.timedelta(days=2, hours=i)) for i in range(7)]
    for i in range(5):  # beyond the default 3
        services.book_precheck(applicant=citizen, slot_id=slots[i].pk, **venue(i))
    with pytest.raises(services.BookingLimitReached):
        services.book_precheck(applicant=citizen, slot_id=slots[5].pk, **venue(5))
    # A venue that already has one open booking takes a second (limit 2), not a third.
    services.book_precheck(applicant=other_citizen, slot_id=slots[5].pk, **venue(0))
    with pytest.raises(services.BookingLimitReached, match="这个场所地址已有未完成的体检预约"):
        services.book_precheck(applicant=other_citizen, slot_id=slots[6].pk, **venue(0))


def test_a_refused_booking_takes_no_place_and_leaves_no_row(citizen, inspector):
    slots = [make_slot(inspector, starts_in=dt.timedelta(days=2, hours=i)) for i in range(4)]
    for i in range(3):
        services.book_precheck(applicant=citizen, slot_id=slots[i].pk, **venue(i))
    with pytest.raises(services.BookingLimitReached):
        services.book_precheck(applicant=citizen, slot_id=slots[3].pk, **venue(3))
    assert PrecheckSlot.objects.get(pk=slots[3].pk).booked == 0
    assert not PrecheckBooking.objects.filter(slot=slots[3]).exists()


def test_a_cancelled_booking_frees_the_accounts_place(citizen, inspector):
    slots = [make_slot(inspector, starts_in=dt.timedelta(days=2, hours=i)) for i in range(4)]
    held = [
        services.book_precheck(applicant=citizen, slot_id=slots[i].pk, **venue(i)) for i in range(3)
    ]
    services.cancel_booking(booking=held[0], actor=citizen)
    services.book_precheck(applicant=citizen, slot_id=slots[3].pk, **venue(3))
    assert PrecheckBooking.objects.filter(applicant=citizen, status="booked").count() == 3


# --- The answer's fields are built once per process (FieldsBuiltOnce, ADR 0032) ----------------------
def test_serializers_built_from_one_copy_are_independent_and_speak_each_callers_language(
    api_for, citizen, inspector
):
    from permits.api.serializers import PrecheckBookingSerializer

    a, b = PrecheckBookingSerializer(), PrecheckBookingSerializer()
    assert a.fields["slot"] is not b.fields["slot"]
    assert a.fields["slot"].parent is a
    assert b.fields["slot"].parent is b
    slot = make_slot(inspector)
    client = api_for(citizen)
    url = reverse("precheck-booking-list")
    said = {}
    for language in ("zh-hans", "en", "zh-hans"):
        response = client.post(
            url,
            {"slot": slot.pk, "venue_address": "丽阳街 1 号"},
            format="json",
            HTTP_ACCEPT_LANGUAGE=language,
        )
        assert response.status_code == 400
        said.setdefault(language, set()).add(response.json()["venue_name"][0])
    assert said["en"] == {"This field is required."}
    assert len(said["zh-hans"]) == 1
    assert said["zh-hans"] != said["en"]


def test_reading_the_slot_for_a_booking_takes_the_applicants_and_the_venues_locks(
    citizen, inspector
):
    """The API's booking reads the slot and takes the advisory locks in one statement: the locks
    must really be held afterwards, or the limits would not be exact under concurrency."""
    if connection.vendor != "postgresql":
        skip_or_fail("advisory locks are PostgreSQL's (DATABASE_URL=postgres://…)")
    slot = make_slot(inspector)
    with transaction.atomic():
        read = services._lock_and_read_slot(slot.pk, citizen.pk, "丽阳街12号")
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                "AND pid = pg_backend_pid() AND granted"
            )
            held = cursor.fetchone()[0]
    assert read == slot
    assert held == 2
