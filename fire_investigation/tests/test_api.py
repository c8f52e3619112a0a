"""The API.md resources of measures 5 and 6: quiet periods (public read, supervisors write),
incidents (an alarm in a quiet period says so) and investigations (the contract's fields)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from fire_investigation import services
from fire_investigation.models import Incident, QuietPeriod
from lishui_fire.accounts.models import OrgUnit, Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def supervisor(make_user):
    return make_user(Role.BRIGADE_SUPERVISOR, "LD")


@pytest.fixture
def inspectors(make_user):
    return [make_user(Role.INSPECTOR, "LD"), make_user(Role.INSPECTOR, "LD")]


def _period(**fields):
    now = timezone.now()
    values = {
        "name": "2027 年高考",
        "kind": "gaokao",
        "starts_at": now - dt.timedelta(hours=1),
        "ends_at": now + dt.timedelta(days=2),
        "area": "丽水中学考点",
        "radius_m": 1000,
        "source": "丽教〔2027〕1号",
        **fields,
    }
    return QuietPeriod.objects.create(**values)


def test_anyone_lists_the_current_and_coming_quiet_periods_and_not_the_past(api_for):
    now = timezone.now()
    current = _period()
    coming = _period(
        name="2027 年中考",
        starts_at=now + dt.timedelta(days=9),
        ends_at=now + dt.timedelta(days=11),
    )
    _period(
        name="去年高考",
        starts_at=now - dt.timedelta(days=400),
        ends_at=now - dt.timedelta(days=398),
    )
    response = api_for(None).get("/api/v1/quiet-periods/")
    assert response.status_code == 200
    names = [r["name"] for r in response.json()["results"]]
    assert names == [current.name, coming.name]
    assert set(response.json()["results"][0]) >= {"name", "starts_at", "ends_at", "area", "source"}


def test_a_supervisor_enters_a_period_from_its_notice_and_a_missing_source_is_refused(
    api_for, supervisor, inspectors
):
    now = timezone.now()
    body = {
        "name": "2027 年中考",
        "kind": "zhongkao",
        "starts_at": (now + dt.timedelta(days=9)).isoformat(),
        "ends_at": (now + dt.timedelta(days=11)).isoformat(),
        "brigade": "LD",
        "area": "莲都区各考点",
        "source": "",
    }
    refused = api_for(supervisor).post("/api/v1/quiet-periods/", body, format="json")
    assert refused.status_code == 400
    assert "source" in refused.json()
    backwards = {**body, "source": "丽教〔2027〕2号", "ends_at": body["starts_at"]}
    assert (
        api_for(supervisor).post("/api/v1/quiet-periods/", backwards, format="json").status_code
        == 400
    )
    assert not QuietPeriod.objects.exists()
    assert (
        api_for(inspectors[0])
        .post("/api/v1/quiet-periods/", {**body, "source": "x"}, format="json")
        .status_code
        == 403
    )
    made = api_for(supervisor).post(
        "/api/v1/quiet-periods/", {**body, "source": "丽教〔2027〕2号"}, format="json"
    )
    assert made.status_code == 201
    assert QuietPeriod.objects.get().brigade.code == "LD"


def test_an_alarm_inside_a_quiet_period_is_marked_lights_only(api_for, inspectors):
    _period(brigade=OrgUnit.objects.get(code="LD"))
    body = {
        "brigade": "LD",
        "kind": "building_fire",
        "location": "丽水中学对面商铺",
        "alarm_received_at": (timezone.now() - dt.timedelta(minutes=20)).isoformat(),
        "dispatched_at": (timezone.now() - dt.timedelta(minutes=19)).isoformat(),
        "arrived_at": (timezone.now() - dt.timedelta(minutes=12)).isoformat(),
    }
    response = api_for(inspectors[0]).post("/api/v1/incidents/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["in_quiet_period"] is True
    assert response.json()["reference"].startswith(f"JQ{timezone.localdate().year}LD")
    # Another county's alarm at the same time is not in LD's period.
    lq = {**body, "brigade": "LQ"}
    assert api_for(inspectors[0]).post("/api/v1/incidents/", lq, format="json").status_code == 403


def test_an_arrival_before_the_dispatch_is_refused_and_nothing_is_recorded(api_for, inspectors):
    now = timezone.now()
    body = {
        "brigade": "LD",
        "kind": "building_fire",
        "location": "某地",
        "alarm_received_at": (now - dt.timedelta(minutes=20)).isoformat(),
        "dispatched_at": (now - dt.timedelta(minutes=10)).isoformat(),
        "arrived_at": (now - dt.timedelta(minutes=15)).isoformat(),
    }
    response = api_for(inspectors[0]).post("/api/v1/incidents/", body, format="json")
    assert response.status_code == 400
    assert not Incident.objects.exists()


def test_an_investigation_shows_the_contracts_fields(api_for, inspectors):
    incident = Incident.objects.create(
        reference="JQ2026LD00001",
        brigade=OrgUnit.objects.get(code="LD"),
        kind="building_fire",
        location="某厂房",
        alarm_received_at=timezone.now() - dt.timedelta(days=1),
        direct_loss_yuan=Decimal("90000"),
    )
    case = services.open_case(
        actor=inspectors[0],
        incident=incident,
        procedure="normal",
        investigators=inspectors,
        enterprise_involved=True,
        has_dispute=False,
        criminal_liability=False,
    )
    row = api_for(inspectors[0]).get("/api/v1/investigations/").json()["results"][0]
    assert row["reference"] == case.reference
    assert row["days_allowed"] == 20
    assert row["deadline"] == case.determination_due.isoformat()
    assert row["received_at"].startswith(
        timezone.localtime(incident.alarm_received_at).strftime("%Y-%m-%dT%H:%M")
    )
    for field in (
        "enterprise_involved",
        "has_dispute",
        "criminal_liability",
        "status",
        "scene_status",
    ):
        assert field in row
    services.change_facts(actor=inspectors[0], case=case, has_dispute=True, reason="出现争议")
    row = api_for(inspectors[0]).get(f"/api/v1/investigations/{case.pk}/").json()
    assert row["days_allowed"] == 30


def test_a_case_at_the_lab_has_no_deadline_until_it_resumes(api_for, inspectors):
    incident = Incident.objects.create(
        reference="JQ2026LD00009",
        brigade=OrgUnit.objects.get(code="LD"),
        kind="building_fire",
        location="某厂房",
        alarm_received_at=timezone.now() - dt.timedelta(days=3),
    )
    case = services.open_case(
        actor=inspectors[0],
        incident=incident,
        procedure="normal",
        investigators=inspectors,
        enterprise_involved=False,
        has_dispute=False,
        criminal_liability=False,
    )
    services.send_to_lab(actor=inspectors[0], case=case, what="物证送检")
    row = api_for(inspectors[0]).get(f"/api/v1/investigations/{case.pk}/").json()
    assert row["deadline"] is None
    services.lab_result_back(actor=inspectors[0], case=case)
    row = api_for(inspectors[0]).get(f"/api/v1/investigations/{case.pk}/").json()
    assert row["deadline"] is not None
