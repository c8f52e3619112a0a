"""The API contract's permission matrix: every endpoint, every role (API.md).

401 anonymous, 403 a role that may not act, 404 outside the caller's scope (never revealing
that another applicant's record exists), 409 for a refused state change.
"""

import datetime as dt

import pytest
from django.utils import timezone

from permits.models import DocumentKind, PermitDocument
from permits.tests.factories import decide, make_application, make_booking, make_slot
from tests.personas import PERSONAS

pytestmark = pytest.mark.django_db

ROLES = PERSONAS


def expect(table):
    return pytest.mark.parametrize(("persona", "status"), list(table.items()))


@expect(dict(zip(ROLES, [200, 200, 200, 200, 200, 200, 200, 200, 200, 401], strict=True)))
def test_list_permits(personas, api_for, persona, status):
    make_application(personas["owner"], status="submitted")
    response = api_for(personas[persona]).get("/api/v1/permits/")
    assert response.status_code == status
    if status == 200:
        visible = {
            "owner": 1,
            "other_applicant": 0,
            "other_brigade_inspector": 0,
            "discipline_officer": 0,  # no applicant record by default
        }.get(persona, 1)
        assert response.json()["count"] == visible


@expect(dict(zip(ROLES, [200, 404, 200, 404, 200, 200, 200, 200, 404, 401], strict=True)))
def test_retrieve_permit(personas, api_for, persona, status):
    application = make_application(personas["owner"], status="submitted")
    response = api_for(personas[persona]).get(f"/api/v1/permits/{application.pk}/")
    assert response.status_code == status


@expect(dict(zip(ROLES, [201, 201, 403, 403, 403, 403, 403, 403, 403, 401], strict=True)))
def test_create_permit(personas, api_for, persona, status):
    from permits.tests.factories import application_fields

    data = {**application_fields(), "county": "LD"}
    data["floor_area_m2"] = str(data["floor_area_m2"])
    data["opening_date"] = data["opening_date"].isoformat()
    response = api_for(personas[persona]).post("/api/v1/permits/", data, format="json")
    assert response.status_code == status
    if status == 201:
        body = response.json()
        assert body["status"] == "draft"
        assert body["reference"].startswith("XK")
        assert body["county"] == "LD"


@expect(dict(zip(ROLES, [200, 404, 403, 403, 403, 403, 403, 403, 403, 401], strict=True)))
def test_patch_draft(personas, api_for, persona, status):
    application = make_application(personas["owner"])
    response = api_for(personas[persona]).patch(
        f"/api/v1/permits/{application.pk}/", {"capacity": 120}, format="json"
    )
    assert response.status_code == status
    application.refresh_from_db()
    assert application.capacity == (120 if status == 200 else 300)


@expect(dict(zip(ROLES, [200, 404, 403, 403, 403, 403, 403, 403, 403, 401], strict=True)))
def test_submit(personas, api_for, persona, status):
    application = make_application(personas["owner"])
    response = api_for(personas[persona]).post(f"/api/v1/permits/{application.pk}/submit/")
    assert response.status_code == status
    application.refresh_from_db()
    assert application.status == ("submitted" if status == 200 else "draft")


@expect(dict(zip(ROLES, [403, 403, 200, 404, 200, 200, 200, 403, 403, 401], strict=True)))
def test_accept(personas, api_for, persona, status):
    application = make_application(personas["owner"], status="submitted", path="inspection")
    response = api_for(personas[persona]).post(f"/api/v1/permits/{application.pk}/accept/")
    assert response.status_code == status
    application.refresh_from_db()
    assert application.status == ("accepted" if status == 200 else "submitted")


@expect(dict(zip(ROLES, [403, 403, 200, 404, 200, 200, 200, 403, 403, 401], strict=True)))
def test_propose_a_decision(personas, api_for, persona, status):
    """Any handling staff of the brigade proposes (拟办); nothing is decided yet."""
    application = make_application(personas["owner"], status="submitted")
    response = api_for(personas[persona]).post(
        f"/api/v1/permits/{application.pk}/propose/", {"outcome": "approve"}, format="json"
    )
    assert response.status_code == status
    application.refresh_from_db()
    assert application.status == "submitted"
    assert application.proposals.exists() == (status == 200)


def _proposed(personas, **kwargs):
    from permits.services.applications import propose_decision

    application = make_application(personas["owner"], **kwargs)
    outcome = "reject" if kwargs.get("path") == "inspection" else "approve"
    propose_decision(
        application=application,
        actor=personas["inspector"],
        outcome=outcome,
        reason="疏散通道堵塞" if outcome == "reject" else "",
    )
    return application


# Issue 9: the decision is a supervisor's (brigade of the jurisdiction, or detachment) on the
# inspector's proposal; the inspector who proposed it, the administrator and the legal officer
# cannot issue it.
@expect(dict(zip(ROLES, [403, 403, 403, 404, 200, 200, 403, 403, 403, 401], strict=True)))
def test_approve_commitment_on_the_spot(personas, api_for, persona, status):
    application = _proposed(personas, status="submitted")
    response = api_for(personas[persona]).post(f"/api/v1/permits/{application.pk}/approve/")
    assert response.status_code == status
    application.refresh_from_db()
    assert application.status == ("approved" if status == 200 else "submitted")
    assert PermitDocument.objects.filter(
        application=application, kind=DocumentKind.DECISION
    ).exists() == (status == 200)


@expect(dict(zip(ROLES, [403, 403, 403, 404, 200, 200, 403, 403, 403, 401], strict=True)))
def test_reject_after_inspection(personas, api_for, persona, status):
    from permits.models import SiteVisit

    application = make_application(
        personas["owner"], status="inspected", path="inspection", inspected_at=timezone.now()
    )
    SiteVisit.objects.create(
        application=application,
        kind="inspection",
        inspector=personas["inspector"],
        visited_at=timezone.now(),
        passed=False,
        findings="疏散通道堵塞",
    )
    from permits.services.applications import propose_decision

    propose_decision(
        application=application, actor=personas["inspector"], outcome="reject", reason="堵塞"
    )
    response = api_for(personas[persona]).post(
        f"/api/v1/permits/{application.pk}/reject/", {"reason": "疏散通道堵塞"}, format="json"
    )
    assert response.status_code == status
    application.refresh_from_db()
    assert application.status == ("rejected" if status == 200 else "inspected")


@expect(dict(zip(ROLES, [200, 404, 200, 404, 200, 200, 200, 200, 404, 401], strict=True)))
def test_decision_pdf(personas, api_for, persona, status):
    application = make_application(personas["owner"], status="submitted")
    from django.db import transaction

    with transaction.atomic():
        decide(application, personas["supervisor"])
    response = api_for(personas[persona]).get(f"/api/v1/permits/{application.pk}/decision.pdf")
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "application/pdf"
        assert b"".join(
            response.streaming_content if response.streaming else [response.content]
        ).startswith(b"%PDF")


@pytest.mark.parametrize("accept", ["application/pdf", "*/*", "application/json"])
def test_pdf_actions_honour_accept_and_errors_stay_json(personas, api_for, accept):
    """A client asking for the PDF by its media type gets it; an error is JSON, labelled so."""
    from django.db import transaction

    approved = make_application(personas["owner"], status="submitted")
    with transaction.atomic():
        decide(approved, personas["supervisor"])
    pending = make_application(personas["owner"], status="submitted")
    client = api_for(personas["owner"])
    ok = client.get(f"/api/v1/permits/{approved.pk}/decision.pdf", HTTP_ACCEPT=accept)
    assert ok.status_code == 200
    assert ok["Content-Type"] == "application/pdf"
    missing = client.get(f"/api/v1/permits/{pending.pk}/decision.pdf", HTTP_ACCEPT=accept)
    assert missing.status_code == 404
    assert missing["Content-Type"].startswith("application/json")
    assert missing.json()["detail"]
    booking = make_booking(personas["owner"], make_slot(personas["inspector"]))
    notice = client.get(f"/api/v1/precheck-bookings/{booking.pk}/notice.pdf", HTTP_ACCEPT=accept)
    assert notice.status_code == 404  # not issued yet
    assert notice["Content-Type"].startswith("application/json")


def test_decision_pdf_before_a_decision_is_404(personas, api_for):
    application = make_application(personas["owner"], status="submitted")
    response = api_for(personas["owner"]).get(f"/api/v1/permits/{application.pk}/decision.pdf")
    assert response.status_code == 404


# --- Illegal transitions and bad input ------------------------------------------------------------
@pytest.mark.parametrize(
    ("path", "status", "action", "body"),
    [
        ("commitment", "submitted", "accept", {}),
        ("inspection", "submitted", "propose", {"outcome": "approve"}),
        ("inspection", "accepted", "propose", {"outcome": "approve"}),
        ("inspection", "approved", "propose", {"outcome": "reject", "reason": "理由"}),
        ("commitment", "withdrawn", "propose", {"outcome": "approve"}),
        ("commitment", "submitted", "approve", {}),  # no proposal to approve
        ("inspection", "inspected", "reject", {"reason": "理由"}),
    ],
)
def test_illegal_transitions_answer_409_and_change_nothing(
    personas, api_for, path, status, action, body
):
    application = make_application(personas["owner"], status=status, path=path)
    actor = "supervisor" if action in ("approve", "reject") else "inspector"
    response = api_for(personas[actor]).post(
        f"/api/v1/permits/{application.pk}/{action}/", body, format="json"
    )
    assert response.status_code == 409
    assert response.json()["detail"]
    application.refresh_from_db()
    assert application.status == status


def test_a_draft_is_the_applicants_alone(personas, api_for, client_for):
    """Until it is submitted, staff see neither the draft nor its materials: 404 everywhere."""
    from permits.models import Material

    application = make_application(personas["owner"], status="draft")
    material = Material.objects.filter(application=application).first()
    assert material is not None
    for persona in ("inspector", "supervisor", "chief"):
        api = api_for(personas[persona])
        assert application.pk not in {
            r["id"] for r in api.get("/api/v1/permits/").json()["results"]
        }
        assert api.get(f"/api/v1/permits/{application.pk}/").status_code == 404
        assert api.post(f"/api/v1/permits/{application.pk}/accept/").status_code == 404
        web = client_for(personas[persona])
        assert web.get(f"/permits/files/materials/{material.pk}/").status_code == 404
    application.refresh_from_db()
    assert application.status == "draft"
    owner = client_for(personas["owner"])
    assert owner.get(f"/permits/files/materials/{material.pk}/").status_code == 200


def test_submit_incomplete_lists_every_problem_with_400(personas, api_for):
    application = make_application(personas["owner"], with_materials=False, signed=False)
    response = api_for(personas["owner"]).post(f"/api/v1/permits/{application.pk}/submit/")
    assert response.status_code == 400
    problems = response.json()["non_field_errors"]
    # The missing material and the missing signature, all at once (the letter signed online is
    # the commitment material, so it is not asked for as an upload).
    assert len(problems) == 2


@pytest.mark.parametrize(
    "payload",
    [
        {"county": "XX"},
        {"unit_uscc": "91331102MA2A000010"},
        {"contact_phone": "12345"},
        {"capacity": 0},
        {"floor_area_m2": "-5"},
        {"venue_type": "casino"},
        {"path": "bribe"},
        {"opening_date": "2026-02-30"},
    ],
)
def test_bad_input_is_400_with_field_messages(personas, api_for, payload):
    from permits.tests.factories import application_fields

    data = {**application_fields(), "county": "LD"}
    data["floor_area_m2"] = str(data["floor_area_m2"])
    data["opening_date"] = data["opening_date"].isoformat()
    data.update(payload)
    response = api_for(personas["owner"]).post("/api/v1/permits/", data, format="json")
    assert response.status_code == 400
    assert set(response.json()) & (set(payload) | {"non_field_errors"})


def test_garbage_json_is_400_not_500(personas, api_for):
    response = api_for(personas["owner"]).post(
        "/api/v1/permits/", "{not json", content_type="application/json"
    )
    assert response.status_code == 400


def test_messages_follow_the_language(personas, api_for):
    application = make_application(personas["owner"], status="submitted")
    client = api_for(personas["inspector"])
    zh = client.post(f"/api/v1/permits/{application.pk}/accept/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    en = client.post(f"/api/v1/permits/{application.pk}/accept/", HTTP_ACCEPT_LANGUAGE="en")
    assert zh.status_code == en.status_code == 409
    assert zh.json()["detail"] != en.json()["detail"]


# --- Pre-check slots and bookings -------------------------------------------------------------------
@expect(dict(zip(ROLES, [200, 200, 200, 200, 200, 200, 200, 200, 200, 401], strict=True)))
def test_list_slots(personas, api_for, persona, status):
    make_slot(personas["inspector"])
    response = api_for(personas[persona]).get("/api/v1/precheck-slots/?brigade=LD")
    assert response.status_code == status
    if status == 200:
        (slot,) = response.json()["results"]
        assert slot["brigade"] == "LD"
        assert slot["remaining"] == 1


def slot_payload(inspector, days=5, hours=(9, 11)):
    day = timezone.localdate() + dt.timedelta(days=days)
    tz = timezone.get_current_timezone()
    return {
        "brigade": "LD",
        "inspector": inspector.pk,
        "starts_at": dt.datetime.combine(day, dt.time(hours[0]), tzinfo=tz).isoformat(),
        "ends_at": dt.datetime.combine(day, dt.time(hours[1]), tzinfo=tz).isoformat(),
        "capacity": 2,
    }


@expect(dict(zip(ROLES, [403, 403, 201, 403, 201, 201, 201, 403, 403, 401], strict=True)))
def test_create_slot(personas, api_for, persona, status):
    response = api_for(personas[persona]).post(
        "/api/v1/precheck-slots/", slot_payload(personas["inspector"]), format="json"
    )
    assert response.status_code == status


def test_slot_in_the_past_or_inverted_is_400(personas, api_for):
    client = api_for(personas["supervisor"])
    past = client.post(
        "/api/v1/precheck-slots/", slot_payload(personas["inspector"], days=-1), format="json"
    )
    inverted = client.post(
        "/api/v1/precheck-slots/", slot_payload(personas["inspector"], hours=(11, 9)), format="json"
    )
    assert past.status_code == 400
    assert inverted.status_code == 400


def booking_payload(slot):
    return {
        "slot": slot.pk,
        "venue_name": "丽水市莲都区星光KTV",
        "venue_address": "丽水市莲都区丽阳街 12 号",
        "contact_phone": "13957800001",
    }


@expect(dict(zip(ROLES, [201, 201, 403, 403, 403, 403, 403, 403, 403, 401], strict=True)))
def test_book(personas, api_for, persona, status):
    slot = make_slot(personas["inspector"])
    response = api_for(personas[persona]).post(
        "/api/v1/precheck-bookings/", booking_payload(slot), format="json"
    )
    assert response.status_code == status
    slot.refresh_from_db()
    assert slot.booked == (1 if status == 201 else 0)


def test_full_slot_is_409_and_started_slot_is_400(personas, api_for):
    full = make_slot(personas["inspector"])
    make_booking(personas["other_applicant"], full)
    started = make_slot(personas["inspector"], starts_in=dt.timedelta(minutes=-5))
    client = api_for(personas["owner"])
    assert (
        client.post("/api/v1/precheck-bookings/", booking_payload(full), format="json").status_code
        == 409
    )
    assert (
        client.post(
            "/api/v1/precheck-bookings/", booking_payload(started), format="json"
        ).status_code
        == 400
    )


@expect(dict(zip(ROLES, [200, 404, 403, 403, 403, 403, 403, 403, 403, 401], strict=True)))
def test_cancel(personas, api_for, persona, status):
    slot = make_slot(personas["inspector"])
    booking = make_booking(personas["owner"], slot)
    response = api_for(personas[persona]).post(f"/api/v1/precheck-bookings/{booking.pk}/cancel/")
    assert response.status_code == status
    slot.refresh_from_db()
    assert slot.booked == (0 if status == 200 else 1)


@expect(dict(zip(ROLES, [200, 404, 200, 404, 200, 200, 200, 404, 404, 401], strict=True)))
def test_bookings_visibility(personas, api_for, persona, status):
    booking = make_booking(personas["owner"], make_slot(personas["inspector"]))
    response = api_for(personas[persona]).get(f"/api/v1/precheck-bookings/{booking.pk}/")
    assert response.status_code == status


@expect(dict(zip(ROLES, [200, 404, 200, 404, 200, 200, 200, 404, 404, 401], strict=True)))
def test_notice_pdf(personas, api_for, persona, status):
    from django.db import transaction

    from permits.services import prechecks

    slot = make_slot(personas["inspector"], starts_in=dt.timedelta(minutes=-30))
    booking = make_booking(personas["owner"], slot, status="in_progress", arrived_at=timezone.now())
    with transaction.atomic():
        prechecks.add_finding(
            booking=booking,
            actor=personas["inspector"],
            item="疏散指示标志损坏",
            location="二层走廊",
            regulation="GB 51309-2018 第 3.2.1 条",
            remedy="更换损坏的标志灯",
        )
        prechecks.issue_notice(booking=booking, actor=personas["inspector"])
    response = api_for(personas[persona]).get(f"/api/v1/precheck-bookings/{booking.pk}/notice.pdf")
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "application/pdf"


def test_slot_list_starts_now_unless_asked_for_dates(personas, api_for):
    """The default list is what can still be booked; staff looking back pass ``date_from``."""
    upcoming = make_slot(personas["inspector"])
    full = make_slot(personas["inspector"], starts_in=dt.timedelta(days=2), booked=1)
    past = make_slot(personas["inspector"], starts_in=dt.timedelta(days=-1))
    client = api_for(personas["owner"])

    def ids(query):
        response = client.get(f"/api/v1/precheck-slots/{query}")
        assert response.status_code == 200
        return {row["id"] for row in response.json()["results"]}

    assert ids("") == {upcoming.pk, full.pk}
    assert ids("?available=true") == {upcoming.pk}
    since = (timezone.localdate() - dt.timedelta(days=2)).isoformat()
    assert ids(f"?date_from={since}") == {upcoming.pk, full.pk, past.pk}


def test_applicants_see_the_inspector_name_masked_as_on_the_pages(personas, api_for):
    make_slot(personas["inspector"])
    name = personas["inspector"].real_name
    for persona, expected in (("owner", name[0] + "*" * (len(name) - 1)), ("inspector", name)):
        (row,) = api_for(personas[persona]).get("/api/v1/precheck-slots/").json()["results"]
        assert row["inspector_name"] == expected, persona
