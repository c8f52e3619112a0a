"""The plans' pages: a supervisor writes, publishes and draws from the browser; the public page
shows the plan, the commitment, the draw and the verification, with nobody's name unmasked."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from inspections.models import InspectionPlan, PlanStatus
from inspections.tests.plans_support import certify, make_plan

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _world(make_enterprise, make_user):
    for _ in range(3):
        make_enterprise()
    make_enterprise(key_unit=True, venue_type="hotel", name="丽水市莲都区星光大酒店")
    for name in ("王建国", "李明华", "赵小红"):
        certify(make_user("inspector", "LD", real_name=name))


def form_data(org_units, **extra):
    today = dt.date.today()
    data = {
        "title": "2026年莲都区第四季度抽查",
        "period_start": today.isoformat(),
        "period_end": (today + dt.timedelta(days=30)).isoformat(),
        "brigades": [org_units["LD"].pk],
        "ratio_general": "50",
        "ratio_crowded_key": "100",
        "items": "A1|疏散通道是否畅通\n消防设施是否完好",
    }
    data.update(extra)
    return data


def test_a_supervisor_writes_publishes_and_draws_on_the_pages(client, supervisor, org_units):
    client.force_login(supervisor)
    assert client.get(reverse("inspections:plan_create")).status_code == 200
    response = client.post(reverse("inspections:plan_create"), form_data(org_units))
    plan = InspectionPlan.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("inspections:plan_staff", args=[plan.pk])
    assert [(i.code, i.text) for i in plan.items.all()] == [
        ("A1", "疏散通道是否畅通"),
        ("", "消防设施是否完好"),
    ]
    page = client.get(reverse("inspections:plan_staff", args=[plan.pk])).content.decode()
    assert "公开计划" in page
    assert "50%" in page
    client.post(reverse("inspections:plan_publish", args=[plan.pk]))
    plan.refresh_from_db()
    assert plan.status == PlanStatus.PUBLISHED
    client.post(reverse("inspections:plan_draw", args=[plan.pk]))
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAWN
    response = client.post(reverse("inspections:plan_draw", args=[plan.pk]), follow=True)
    assert response.status_code == 200
    assert "已经抽取" in response.content.decode()


def test_a_bad_form_shows_field_errors_and_saves_nothing(client, supervisor, org_units):
    client.force_login(supervisor)
    response = client.post(
        reverse("inspections:plan_create"),
        form_data(org_units, ratio_general="", ratio_crowded_key="", items="", title=""),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "请至少为一类单位填写抽查比例" in page
    assert 'aria-invalid="true"' in page
    response = client.post(
        reverse("inspections:plan_create"),
        form_data(org_units, ratio_general="150", brigades=[org_units["LQ"].pk]),
    )
    assert response.status_code == 400
    assert not InspectionPlan.objects.exists()


def test_void_without_a_reason_is_refused_with_a_message(client, supervisor):
    plan = make_plan(supervisor, state="drawn")
    client.force_login(supervisor)
    response = client.post(
        reverse("inspections:plan_void", args=[plan.pk]), {"reason": ""}, follow=True
    )
    assert "须说明理由" in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAWN
    response = client.post(
        reverse("inspections:plan_void", args=[plan.pk]), {"reason": "人员名录有误"}
    )
    replacement = InspectionPlan.objects.get(previous=plan)
    assert response.url == reverse("inspections:plan_staff", args=[replacement.pk])


def test_the_public_page_shows_plan_commitment_draw_and_masks_people(client, supervisor):
    plan = make_plan(supervisor, state="drawn")
    page = client.get(reverse("inspections:plan", args=[plan.pk])).content.decode()
    assert plan.seed_commitment in page
    assert plan.draw.seed in page
    assert plan.candidates_fingerprint in page
    assert "丽水市莲都区星光大酒店" in page
    for name in ("王建国", "李明华", "赵小红", supervisor.real_name):
        assert name not in page
    assert "**" in page  # officers as 王** (code)
    assert reverse("inspections:plan_data", args=[plan.pk]) in page
    assert "scripts/verify_draw.py" in page
    verify = client.get(reverse("inspections:plan_verify", args=[plan.pk])).content.decode()
    assert "验证通过" in verify
    assert "不一致" not in verify


def test_the_seed_is_not_on_the_public_page_before_the_draw(client, supervisor):
    plan = make_plan(supervisor, state="published")
    page = client.get(reverse("inspections:plan", args=[plan.pk])).content.decode()
    assert plan.seed_commitment in page
    assert plan.seed not in page
    data = client.get(reverse("inspections:plan_data", args=[plan.pk])).content.decode()
    assert plan.seed not in data
    assert client.get(reverse("inspections:plan_verify", args=[plan.pk])).status_code == 302


def test_a_tampered_draw_shows_a_mismatch(client, supervisor):
    plan = make_plan(supervisor, state="drawn")
    data = plan.published_data
    data["ratios"] = []
    InspectionPlan.objects.filter(pk=plan.pk).update(published_data=data)
    verify = client.get(reverse("inspections:plan_verify", args=[plan.pk])).content.decode()
    assert "验证未通过" in verify


def test_an_old_version_stays_public_marked_superseded_with_the_reason(client, supervisor):
    from inspections.services import plans as services

    plan = make_plan(supervisor, state="published")
    revision = services.revise_plan(actor=supervisor, plan=plan, reason="增加电气检查事项")
    services.publish_plan(actor=supervisor, plan=revision)
    page = client.get(reverse("inspections:plan", args=[plan.pk])).content.decode()
    assert "已被第 2 版取代" in page
    assert "增加电气检查事项" in page
    listed = client.get(reverse("inspections:plans")).content.decode()
    assert listed.count(plan.title) == 2


def test_a_draft_is_not_public(client, supervisor):
    plan = make_plan(supervisor)
    assert client.get(reverse("inspections:plan", args=[plan.pk])).status_code == 404
