"""The intake part's demo world: what citizen1 and Liandu's staff see after ``seed_demo``."""

from __future__ import annotations

import pytest
from django.urls import reverse

from inspections.models import Complaint, Inspection
from inspections.services import intake
from lishui_fire.accounts.models import User


@pytest.fixture
def seeded(demo_world, db):
    """The demo world, seeded once for this module."""


def test_citizen1_sees_her_units_complaint_and_pre_opening_verification(seeded, client_for):
    citizen = User.objects.get(username="citizen1")
    page = client_for(citizen).get(reverse("inspections:my_inspections")).content.decode()
    assert "举报投诉核查" in page
    assert "投入使用、营业前核查" in page
    assert "郑文华" not in page  # never who complained


def test_liandu_sees_both_clocks_a_told_complainant_and_a_large_event(seeded, client_for):
    complaints = {c.ticket_number: c for c in Complaint.objects.all()}
    urgent = intake.complaint_clock(complaints["12345-DEMO-0001"])
    ordinary = intake.complaint_clock(complaints["WS-DEMO-0002"])
    assert urgent.rule.unit == "hour"
    assert ordinary.rule.unit == "working_day"
    told = complaints["12345-DEMO-0003"]
    assert told.reply_method == "sms"
    assert told.replied_at is not None
    assert Inspection.objects.filter(kind="large_event").exists()
    supervisor = User.objects.get(username="supervisor1")
    page = client_for(supervisor).get(reverse("inspections:intake_list")).content.decode()
    for complaint in complaints.values():
        assert complaint.inspection.reference in page


def test_citizen1_finds_her_units_inspections_from_her_applications(seeded, client_for):
    citizen = User.objects.get(username="citizen1")
    page = client_for(citizen).get(reverse("permits:mine")).content.decode()
    assert reverse("inspections:my_inspections") in page
