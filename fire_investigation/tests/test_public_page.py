"""The measure's public page: the periods from the rules in force, the quiet periods, and a
party's own cases (nobody else's)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from fire_investigation.models import Incident, InvestigationCase, QuietPeriod
from lishui_fire.accounts.models import OrgUnit
from lishui_fire.core.models import DeadlineRule

pytestmark = pytest.mark.django_db


def test_the_page_shows_the_periods_in_force_and_the_coming_quiet_periods(client):
    now = timezone.now()
    QuietPeriod.objects.create(
        name="2027 年高考",
        kind="gaokao",
        starts_at=now + dt.timedelta(days=3),
        ends_at=now + dt.timedelta(days=5),
        area="丽水中学考点",
        radius_m=1000,
        source="丽教〔2027〕1号",
    )
    DeadlineRule.objects.filter(code="fire.determination.promise").update(count=18)
    html = client.get(reverse("fire_investigation:index")).content.decode()
    assert "18 日内作出认定" in html  # the number is the rule's, not the template's
    assert "30 日内作出认定" in html
    assert "2027 年高考" in html
    assert "只开警灯、不鸣警笛" in html
    assert "丽教〔2027〕1号" in html


def test_a_party_sees_their_case_and_nobody_elses(client_for, make_user):
    party_user = make_user("applicant")
    other = make_user("applicant")
    ld = OrgUnit.objects.get(code="LD")
    incidents = [
        Incident.objects.create(
            reference=f"JQ2026LD0000{n}",
            brigade=ld,
            kind="building_fire",
            location="某地",
            alarm_received_at=timezone.now() - dt.timedelta(days=1),
        )
        for n in (1, 2)
    ]
    mine, theirs = (
        InvestigationCase.objects.create(
            reference=f"HD2026LD0000{n}",
            incident=i,
            brigade=ld,
            level="brigade",
            procedure="normal",
        )
        for n, i in zip((1, 2), incidents, strict=True)
    )
    mine.parties.create(user=party_user, name="张三", phone="13857800001", role="owner")
    theirs.parties.create(user=other, name="李四", phone="13857800002", role="owner")
    html = client_for(party_user).get(reverse("fire_investigation:index")).content.decode()
    assert mine.reference in html
    assert theirs.reference not in html
    anonymous = client_for(None).get(reverse("fire_investigation:index")).content.decode()
    assert mine.reference not in anonymous
