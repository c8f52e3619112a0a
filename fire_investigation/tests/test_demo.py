"""The demo world of measures 5 and 6 (API.md: incidents, one inside an exam quiet period;
investigations on the 20- and 30-day tracks, one paused for the lab, one extended)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from conftest import celery_eager
from fire_investigation.models import Incident, InvestigationCase
from lishui_fire.core import clocks

pytestmark = pytest.mark.django_db


def test_the_demo_world_has_every_track_and_is_seeded_once():
    with celery_eager():
        call_command("seed_demo", stdout=io.StringIO())
        call_command("seed_demo", stdout=io.StringIO())
    assert Incident.objects.count() == 5
    assert Incident.objects.filter(quiet_period__isnull=False).count() == 1
    cases = {
        c.procedure + ":" + str(c.determination_days): c for c in InvestigationCase.objects.all()
    }
    assert set(cases) == {"normal:20", "normal:30", "normal:60", "simple:30"}
    statuses = {
        days: clocks.live_clock(case, "determination").status for days, case in cases.items()
    }
    assert statuses["normal:30"] == "paused"  # at the lab
    assert cases["normal:20"].scene_status == "narrowed"
