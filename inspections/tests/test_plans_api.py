"""The API of plans (API.md): supervisors write, publish, draw (once: 409) and void; anyone
reads the published plans, verifies a draw and reads the results, with no one's name shown."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from inspections.models import Inspection, InspectionPlan, PlanStatus
from inspections.tests.plans_support import certify, make_plan

pytestmark = pytest.mark.django_db

PAYLOAD = {
    "title": "2026年第四季度莲都区双随机抽查",
    "period_start": "2026-12-01",
    "period_end": "2026-12-31",
    "brigades": ["LD"],
    "classes": [{"class": "general", "ratio": "0.5"}, {"class": "crowded_key", "ratio": "1"}],
    "items": [{"code": "A1", "text": "疏散通道是否畅通"}, {"text": "消防设施是否完好"}],
}


@pytest.fixture(autouse=True)
def _world(make_enterprise, make_user):
    for _ in range(4):
        make_enterprise()
    make_enterprise(key_unit=True, venue_type="hotel")
    for _ in range(3):
        certify(make_user("inspector", "LD", real_name="王建国"))


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_a_supervisor_creates_publishes_and_draws_a_plan(supervisor):
    api = client_for(supervisor)
    created = api.post(reverse("inspection-plan-list"), PAYLOAD, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "draft"
    assert body["brigades"] == ["LD"]
    assert {"class": "general", "ratio": "0.5000"} in body["classes"]
    assert body["seed_commitment"] == ""
    pk = body["id"]
    patched = api.patch(
        reverse("inspection-plan-detail", args=[pk]), {"title": "改名"}, format="json"
    )
    assert patched.status_code == 200
    assert patched.json()["title"] == "改名"
    published = api.post(reverse("inspection-plan-publish", args=[pk]))
    assert published.status_code == 200
    commitment = published.json()["seed_commitment"]
    assert len(commitment) == 64
    assert published.json()["status"] == "published"
    assert "seed" not in published.json()
    assert (
        api.patch(
            reverse("inspection-plan-detail", args=[pk]), {"title": "x"}, format="json"
        ).status_code
        == 409
    )
    drawn = api.post(reverse("inspection-plan-draw", args=[pk]))
    assert drawn.status_code == 200
    result = drawn.json()
    assert result["seed_commitment"] == commitment
    assert len(result["seed"]) == 64
    assert result["algorithm"]
    assert result["candidates_fingerprint"]
    assert result["selected"]
    assert all(len(s["inspectors"]) == 2 for s in result["selected"])
    again = api.post(reverse("inspection-plan-draw", args=[pk]))
    assert again.status_code == 409
    assert again.json()["detail"]


def test_bad_input_is_a_400_with_field_errors_and_changes_nothing(supervisor):
    api = client_for(supervisor)
    for bad in (
        {**PAYLOAD, "brigades": ["LQ"]},
        {**PAYLOAD, "brigades": ["XX"]},
        {**PAYLOAD, "classes": [{"class": "general", "ratio": "1.5"}]},
        {**PAYLOAD, "classes": [{"class": "nope", "ratio": "0.1"}]},
        {**PAYLOAD, "items": []},
        {**PAYLOAD, "period_end": "2026-01-01"},
        {**PAYLOAD, "period_start": "not a date"},
        {"title": 5},
        [],
    ):
        response = api.post(reverse("inspection-plan-list"), bad, format="json")
        assert response.status_code == 400, (bad, response.content)
        assert isinstance(response.json(), dict)
    assert not InspectionPlan.objects.exists()


def test_void_needs_a_reason_and_answers_the_replacement(supervisor):
    plan = make_plan(supervisor, state="drawn")
    api = client_for(supervisor)
    assert (
        api.post(reverse("inspection-plan-void", args=[plan.pk]), {}, format="json").status_code
        == 400
    )
    response = api.post(
        reverse("inspection-plan-void", args=[plan.pk]), {"reason": "人员名录有误"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["previous"] == plan.pk
    assert response.json()["version"] == 2
    again = api.post(
        reverse("inspection-plan-void", args=[plan.pk]), {"reason": "再次"}, format="json"
    )
    assert again.status_code == 409


@pytest.mark.parametrize("persona", ["inspector", "administrator", "legal_officer", "citizen"])
def test_only_supervisors_use_the_plans_api(request, persona):
    api = client_for(request.getfixturevalue(persona))
    assert api.get(reverse("inspection-plan-list")).status_code == 403
    assert api.post(reverse("inspection-plan-list"), PAYLOAD, format="json").status_code == 403


def test_another_brigades_supervisor_gets_404(supervisor, make_user):
    plan = make_plan(supervisor, state="published")
    api = client_for(make_user("brigade_supervisor", "LQ"))
    assert api.get(reverse("inspection-plan-detail", args=[plan.pk])).status_code == 404
    assert api.post(reverse("inspection-plan-draw", args=[plan.pk])).status_code == 404


def test_the_public_sees_published_plans_never_a_draft_nor_the_seed_before_the_draw(supervisor):
    draft = make_plan(supervisor)
    published = make_plan(supervisor, state="published")
    api = client_for()
    listed = api.get(reverse("public-inspection-plan-list")).json()
    ids = [p["id"] for p in listed["results"]]
    assert published.pk in ids
    assert draft.pk not in ids
    assert api.get(reverse("public-inspection-plan-detail", args=[draft.pk])).status_code == 404
    body = api.get(reverse("public-inspection-plan-detail", args=[published.pk])).json()
    assert body["seed_commitment"] == published.seed_commitment
    assert body["data"]["candidates"]
    assert body["draw"] is None
    assert published.seed not in json.dumps(body)
    assert api.get(reverse("public-inspection-plan-verify", args=[published.pk])).status_code == 409


def test_anyone_verifies_a_real_draw_and_a_tampered_one_fails(supervisor):
    plan = make_plan(supervisor, state="drawn")
    api = client_for()
    report = api.get(reverse("public-inspection-plan-verify", args=[plan.pk])).json()
    assert report["matches"] is True
    assert all(c["ok"] for c in report["checks"])
    data = plan.published_data
    data["candidates"][0]["name"] = "被篡改的单位"
    InspectionPlan.objects.filter(pk=plan.pk).update(published_data=data)
    report = api.get(reverse("public-inspection-plan-verify", args=[plan.pk])).json()
    assert report["matches"] is False


def test_the_published_document_verifies_with_the_standalone_algorithm(supervisor):
    from inspections import drawing

    plan = make_plan(supervisor, state="drawn")
    doc = client_for().get(reverse("public-inspection-plan-detail", args=[plan.pk])).json()
    if hasattr(drawing, "report"):
        ok, _lines = drawing.report(doc)
        assert ok
    assert drawing.verify(doc["data"], doc["draw"]["seed"], doc["draw"])["matches"]


def test_published_results_name_the_enterprise_and_mask_the_officers(supervisor):
    from django.utils import timezone

    from inspections.services import plans as services

    plan = make_plan(supervisor, state="drawn")
    inspection = plan.inspections.first()
    Inspection.objects.filter(pk=inspection.pk).update(
        status="closed", visited_at=timezone.now(), result="no_problem"
    )
    services.publish_plan_results(actor=supervisor, plan=plan)
    rows = client_for().get(reverse("public-inspection-result-list")).json()["results"]
    assert [r["enterprise"] for r in rows] == [inspection.enterprise.name]
    assert rows[0]["result"] == "no_problem"
    assert rows[0]["inspectors"] == ["王**", "王**"]
    assert "王建国" not in json.dumps(rows, ensure_ascii=False)
    assert (
        client_for().get(reverse("public-inspection-result-list"), {"plan": "x"}).json()["count"]
        == 0
    )
    assert plan.status == PlanStatus.DRAWN
