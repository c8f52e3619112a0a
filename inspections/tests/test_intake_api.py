"""The intake API: 201 with the clock set, 400 field errors that change nothing, 404 for
objects outside the scope, 409 for the A-grade cap and a result told twice; the complainant's
phone masked in every answer but the audited reveal."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from inspections.models import Complaint, Inspection
from inspections.services import intake
from inspections.tests.intake_factories import (
    certify,
    make_registered_contact,
    make_unit,
    mark_visited,
    second_officer,
)

pytestmark = pytest.mark.django_db
COMPLAINTS = "/api/v1/complaints/"
UNPLANNED = "/api/v1/unplanned-inspections/"
MINE = "/api/v1/my-inspections/"


@pytest.fixture
def unit(inspector):
    certify(inspector)
    second_officer("LD")
    return make_unit("LD")


def payload(unit, **extra):
    data = {
        "enterprise": unit.uscc,
        "channel": "hotline_12345",
        "category": "exit_locked",
        "content": "安全出口上锁",
        "received_at": (timezone.now() - dt.timedelta(minutes=30)).isoformat(),
        "complainant_name": "孙八",
        "complainant_phone": "13712345678",
    }
    data.update(extra)
    return data


def test_a_complaint_is_registered_with_its_24_hour_clock(api_for, inspector, unit):
    response = api_for(inspector).post(COMPLAINTS, payload(unit), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    received = dt.datetime.fromisoformat(payload(unit)["received_at"])
    verify_by = dt.datetime.fromisoformat(body["verify_by"])
    assert abs((verify_by - received) - dt.timedelta(hours=24)) < dt.timedelta(minutes=1)
    assert body["complainant_phone"] == "137****5678"
    assert body["complainant_name"] == "孙八"
    assert body["reference"].startswith("JC")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("category", "gossip"),
        ("channel", "fax"),
        ("received_at", "yesterday"),
        ("complainant_phone", "12345"),
        ("enterprise", "91331102MA2B999999"),
        ("content", ""),
    ],
)
def test_bad_input_is_a_400_on_its_field_and_changes_nothing(
    api_for, inspector, unit, field, value
):
    response = api_for(inspector).post(COMPLAINTS, payload(unit, **{field: value}), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Inspection.objects.exists()


def test_a_future_reception_time_is_a_400(api_for, inspector, unit):
    later = (timezone.now() + dt.timedelta(hours=2)).isoformat()
    response = api_for(inspector).post(COMPLAINTS, payload(unit, received_at=later), format="json")
    assert response.status_code == 400
    assert "received_at" in response.json()


def test_the_masked_name_for_the_legal_officer_and_the_reveal_is_refused(
    api_for, inspector, legal_officer, unit
):
    created = api_for(inspector).post(COMPLAINTS, payload(unit), format="json").json()
    body = api_for(legal_officer).get(f"{COMPLAINTS}{created['id']}/").json()
    assert body["complainant_name"] == "孙*"
    assert body["complainant_phone"] == "137****5678"
    response = api_for(legal_officer).post(f"{COMPLAINTS}{created['id']}/reveal-phone/")
    assert response.status_code == 403
    revealed = api_for(inspector).post(f"{COMPLAINTS}{created['id']}/reveal-phone/")
    assert revealed.json() == {"complainant_phone": "13712345678"}


def test_another_brigade_gets_404_and_applicants_403(
    api_for, inspector, other_inspector, citizen, unit
):
    created = api_for(inspector).post(COMPLAINTS, payload(unit), format="json").json()
    assert api_for(other_inspector).get(f"{COMPLAINTS}{created['id']}/").status_code == 404
    assert (
        api_for(other_inspector)
        .post(
            f"{COMPLAINTS}{created['id']}/reply/", {"method": "phone", "text": "x"}, format="json"
        )
        .status_code
        == 404
    )
    assert api_for(citizen).get(COMPLAINTS).status_code == 403
    assert api_for(None).get(COMPLAINTS).status_code == 401


def test_a_result_told_twice_is_a_409_and_before_verification_too(api_for, inspector, unit):
    created = api_for(inspector).post(COMPLAINTS, payload(unit), format="json").json()
    url = f"{COMPLAINTS}{created['id']}/reply/"
    early = api_for(inspector).post(url, {"method": "phone", "text": "结果"}, format="json")
    assert early.status_code == 409
    assert "尚未完成核查" in early.json()["detail"]
    mark_visited(Inspection.objects.get(pk=created["inspection"]))
    first = api_for(inspector).post(url, {"method": "sms", "text": "已整改"}, format="json")
    assert first.status_code == 200
    assert first.json()["reply_method"] == "sms"
    assert first.json()["verified_at"] is not None
    second = api_for(inspector).post(url, {"method": "sms", "text": "再次"}, format="json")
    assert second.status_code == 409
    assert Complaint.objects.get().reply_text == "已整改"


def test_a_reply_with_a_bad_method_is_a_400(api_for, inspector, unit):
    created = api_for(inspector).post(COMPLAINTS, payload(unit), format="json").json()
    response = api_for(inspector).post(
        f"{COMPLAINTS}{created['id']}/reply/", {"method": "pigeon", "text": "x"}, format="json"
    )
    assert response.status_code == 400
    assert "method" in response.json()


def test_the_cap_is_a_409_for_a_campaign_but_never_for_a_case(api_for, supervisor, inspector):
    certify(inspector)
    second_officer("LD")
    a_unit = make_unit("LD", credit_rating="A")
    body = {"kind": "special_campaign", "enterprise": a_unit.uscc, "reason": "高层建筑专项"}
    assert api_for(supervisor).post(UNPLANNED, body, format="json").status_code == 201
    refused = api_for(supervisor).post(UNPLANNED, {**body, "kind": "joint",
                                                   "joint_department": "住建局"}, format="json")  # fmt: skip
    assert refused.status_code == 409
    assert "无事不扰" in refused.json()["detail"]
    case = api_for(supervisor).post(UNPLANNED, {**body, "kind": "case"}, format="json")
    assert case.status_code == 201
    assert len(case.json()["officers"]) == 2
    complaint = api_for(supervisor).post(COMPLAINTS, payload(a_unit), format="json")
    assert complaint.status_code == 201


def test_a_joint_check_without_its_department_is_a_400(api_for, supervisor, unit):
    body = {"kind": "joint", "enterprise": unit.uscc, "reason": "联合检查"}
    response = api_for(supervisor).post(UNPLANNED, body, format="json")
    assert response.status_code == 400
    assert "joint_department" in response.json()


def test_the_unit_contact_lists_its_own_only(api_for, citizen, other_citizen, supervisor, unit):
    other_unit = make_unit("LD")
    ours = intake.open_inspection(actor=supervisor, kind="case", enterprise=unit, reason="案件")
    theirs = intake.open_inspection(
        actor=supervisor, kind="case", enterprise=other_unit, reason="案件"
    )
    make_registered_contact(citizen, unit)
    ids = [r["id"] for r in api_for(citizen).get(MINE).json()["results"]]
    assert ids == [ours.pk]
    assert api_for(citizen).get(f"{MINE}{theirs.pk}/").status_code == 404
    assert api_for(other_citizen).get(f"{MINE}{ours.pk}/").status_code == 404
    assert api_for(supervisor).get(MINE).status_code == 403


def test_list_queries_do_not_grow_with_rows(api_for, supervisor, unit):
    for n in range(3):
        intake.register_complaint(actor=supervisor, enterprise=unit, channel="letter",
                                  category="other", content=f"来信{n}",
                                  received_at=timezone.now())  # fmt: skip
    client = api_for(supervisor)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(COMPLAINTS).status_code == 200
    for n in range(5):
        intake.register_complaint(actor=supervisor, enterprise=unit, channel="letter",
                                  category="other", content=f"又一封来信{n}",
                                  received_at=timezone.now())  # fmt: skip
    with CaptureQueriesContext(connection) as many:
        assert client.get(COMPLAINTS).json()["count"] == 8
    assert len(many) == len(few)


def test_the_unit_reads_the_result_only_once_confirmed_and_asks_for_the_recheck(
    api_for, citizen, supervisor, inspector, unit
):
    from inspections.tests.visits_helpers import add_finding, confirm_both, record

    partner = second_officer("LD")
    make_registered_contact(citizen, unit)
    check = intake.open_inspection(
        actor=supervisor, kind="case", enterprise=unit, reason="案件", officers=[inspector, partner]
    )
    add_finding(check, inspector)
    record(
        check,
        inspector,
        "ordered_to_correct",
        rectify_by=timezone.localdate() + dt.timedelta(days=9),
    )
    early = api_for(citizen).get(f"{MINE}{check.pk}/").json()
    assert early["confirmed"] is False
    assert early["findings"] == []
    assert early["rectify_by"] is None
    assert early["result"] == ""
    confirm_both(check, inspector, partner)
    body = api_for(citizen).get(f"{MINE}{check.pk}/").json()
    assert body["confirmed"] is True
    assert body["findings"][0]["location"] == "二层东侧"
    assert body["documents"]
    assert "reason" not in body
    asked = api_for(citizen).post(f"{MINE}{check.pk}/recheck/")
    assert asked.status_code == 200, asked.content
    assert asked.json()["recheck_requested_at"] is not None
    assert api_for(citizen).post(f"{MINE}{check.pk}/recheck/").status_code == 409


def test_an_inspector_who_is_not_drawn_still_gets_the_registered_complaint(api_for, inspector):
    """The two officers are drawn from the certified roster: the inspector on the hotline who
    registers a complaint may not be one of them. The answer is the complaint just registered
    (201), never a failed read-back through their own scope; afterwards it is not theirs to see."""
    second_officer("LD")
    second_officer("LD")
    unit = make_unit("LD")  # ``inspector`` has no certificate: never drawn
    response = api_for(inspector).post(COMPLAINTS, payload(unit), format="json")
    assert response.status_code == 201, response.content
    created = Complaint.objects.get(pk=response.json()["id"])
    assert not created.inspection.assignments.filter(officer=inspector).exists()
    assert api_for(inspector).get(f"{COMPLAINTS}{created.pk}/").status_code == 404


def test_the_page_sends_an_inspector_who_is_not_drawn_to_the_list(client, inspector):
    second_officer("LD")
    second_officer("LD")
    unit = make_unit("LD")
    client.force_login(inspector)
    response = client.post(
        "/inspections/intake/complaints/new/",
        {
            **{k: v for k, v in payload(unit).items() if k != "enterprise"},
            "uscc": unit.uscc,
            "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == "/inspections/intake/"
    assert Complaint.objects.filter(inspection__enterprise=unit).count() == 1


def test_before_the_recheck_is_online_the_api_names_the_brigades_number(
    api_for, citizen, supervisor, inspector, unit, monkeypatch
):
    from inspections.api import intake as api
    from lishui_fire.accounts.models import OrgUnit

    OrgUnit.objects.filter(code="LD").update(hotline="0578-2111188")
    monkeypatch.setattr(api, "_request_recheck", lambda: None)
    partner = second_officer("LD")
    make_registered_contact(citizen, unit)
    check = intake.open_inspection(
        actor=supervisor, kind="case", enterprise=unit, reason="案件", officers=[inspector, partner]
    )

    response = api_for(citizen).post(f"{MINE}{check.pk}/recheck/")

    assert response.status_code == 409, response.content
    assert "0578-2111188" in response.json()["detail"]
