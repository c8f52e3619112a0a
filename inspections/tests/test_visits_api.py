"""``/api/v1/inspections/`` as API.md promises it: the fields, the scope, and 400/403/404/409."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from inspections.models import Inspection
from inspections.tests.visits_helpers import (
    add_finding,
    all_pass,
    confirm_both,
    make_contact,
    make_inspection,
    make_officer,
    png_upload,
    record,
)

pytestmark = pytest.mark.django_db
BASE = "/api/v1/inspections/"


@pytest.fixture
def partner(org_units):
    return make_officer("LD", username="api-partner", real_name="王检查")


@pytest.fixture
def mine(inspector, partner):
    return make_inspection([inspector, partner])


def _ordered(inspector, partner):
    inspection = make_inspection([inspector, partner])
    add_finding(inspection, inspector)
    record(
        inspection,
        inspector,
        "ordered_to_correct",
        rectify_by=timezone.localdate() + dt.timedelta(days=10),
    )
    return confirm_both(inspection, inspector, partner)


def test_the_list_shows_an_inspector_only_their_own_with_the_promised_fields(
    api_for, inspector, partner, org_units
):
    ordered = _ordered(inspector, partner)
    other = make_inspection([make_officer("LD"), make_officer("LD")])
    body = api_for(inspector).get(BASE).json()
    ids = {row["id"] for row in body["results"]}
    assert ordered.pk in ids
    assert other.pk not in ids
    row = next(r for r in body["results"] if r["id"] == ordered.pk)
    for field in ("visits", "findings", "result", "rectification_due", "clocks", "officers"):
        assert field in row
    assert row["result"] == "ordered_to_correct"
    assert row["rectification_due"] == ordered.rectify_by.isoformat()
    assert {c["milestone"] for c in row["clocks"]} == {"deadline_notice"}
    assert row["findings"][0]["violation_code"] == "XF60-1-3"
    assert [v["kind"] for v in row["visits"]] == ["special_campaign", "recheck"]


def test_scope_and_roles(api_for, mine, other_inspector, citizen, discipline_officer, chief):
    assert api_for(other_inspector).get(f"{BASE}{mine.pk}/").status_code == 404
    assert api_for(chief).get(f"{BASE}{mine.pk}/").status_code == 200
    for outsider in (citizen, discipline_officer):
        assert api_for(outsider).get(BASE).status_code == 403
    assert api_for(None).get(BASE).status_code == 401


def test_the_visit_through_the_api(api_for, inspector, partner, mine):
    client = api_for(inspector)
    finding = client.post(
        f"{BASE}{mine.pk}/findings/",
        {
            "violation": "XF60-1-1",
            "description": "灭火器过期",
            "location": "一层",
            "corrected_on_spot": "true",
            "photo": png_upload(),
        },
        format="multipart",
    )
    assert finding.status_code == 201, finding.json()
    assert finding.json()["has_photo"] is True
    recorded = client.post(
        f"{BASE}{mine.pk}/record/",
        {"result": "corrected_on_spot", "checklist": all_pass(mine)},
        format="json",
    )
    assert recorded.status_code == 200, recorded.json()
    assert recorded.json()["status"] == "recorded"
    assert client.post(f"{BASE}{mine.pk}/confirm/").status_code == 200
    assert client.post(f"{BASE}{mine.pk}/confirm/").status_code == 409
    done = api_for(partner).post(f"{BASE}{mine.pk}/confirm/").json()
    assert done["status"] == "closed"
    assert {d["kind"] for d in done["documents"]} == {"record", "immediate"}
    pdf = client.get(f"{BASE}{mine.pk}/record.pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert client.get(f"{BASE}{mine.pk}/deadline.pdf").status_code == 404


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"result": "no_problem"}, None),  # the checklist is missing: one error per line
        ({"result": "maybe"}, "result"),
        ({"result": "ordered_to_correct", "checklist": "all"}, "checklist"),
        ({"result": "no_problem", "visited_at": "yesterday"}, "visited_at"),
    ],
)
def test_bad_input_is_a_400_with_field_errors_and_changes_nothing(
    api_for, inspector, mine, payload, field
):
    response = api_for(inspector).post(f"{BASE}{mine.pk}/record/", payload, format="json")
    assert response.status_code == 400
    if field:
        assert field in response.json()
    assert Inspection.objects.get(pk=mine.pk).status == "assigned"


def test_illegal_moves_are_409(api_for, inspector, partner, mine, legal_officer, supervisor):
    client = api_for(inspector)
    assert client.post(f"{BASE}{mine.pk}/confirm/").status_code == 409
    assert client.post(f"{BASE}{mine.pk}/return/", {"reason": "x"}).status_code == 409
    assert client.post(f"{BASE}{mine.pk}/serve-notice/").status_code == 409
    assert client.post(f"{BASE}{mine.pk}/request-recheck/").status_code == 409
    assert api_for(legal_officer).post(f"{BASE}{mine.pk}/schedule/", {}).status_code == 400
    day = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    assert (
        api_for(legal_officer).post(f"{BASE}{mine.pk}/schedule/", {"planned_date": day}).status_code
        == 403
    )
    assert api_for(supervisor).post(f"{BASE}{mine.pk}/record/", {"result": "no_problem"},
                                    format="json").status_code == 403  # fmt: skip
    past = (timezone.localdate() - dt.timedelta(days=2)).isoformat()
    bad = client.post(f"{BASE}{mine.pk}/schedule/", {"planned_date": past})
    assert bad.status_code == 400
    assert "planned_date" in bad.json()


def test_the_units_contact_asks_for_the_recheck_once(api_for, inspector, partner, citizen):
    ordered = _ordered(inspector, partner)
    contact = make_contact(ordered.enterprise)
    assert api_for(citizen).post(f"{BASE}{ordered.pk}/request-recheck/").status_code == 404
    first = api_for(contact).post(f"{BASE}{ordered.pk}/request-recheck/")
    assert first.status_code == 200
    assert first.json()["recheck_requested_at"]
    assert api_for(contact).post(f"{BASE}{ordered.pk}/request-recheck/").status_code == 409
    assert api_for(contact).get(f"{BASE}{ordered.pk}/record.pdf").status_code == 200
    assert api_for(contact).get(BASE).status_code == 403


def test_the_list_costs_the_same_queries_for_two_or_eight(
    api_for, inspector, partner, django_assert_num_queries
):
    client = api_for(inspector)
    for _n in range(2):
        _ordered(inspector, partner)
    client.get(BASE)
    with django_assert_num_queries(8) as few:
        client.get(BASE)
    for _n in range(6):
        _ordered(inspector, partner)
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get(BASE).status_code == 200
