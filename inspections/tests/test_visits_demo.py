"""The demo world's visits: every state, documents, and an overdue clock on the inspectors' and
the supervisor's lists."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from inspections.demo_visits import PREFIX
from inspections.models import Inspection, InspectionDocument
from lishui_fire.accounts.models import User


@pytest.fixture
def seeded(demo_world, db):
    """The demo world, seeded once for the session (conftest's ``demo_world``)."""


def test_the_demo_has_visits_in_every_state_with_documents(seeded):
    demo = Inspection.objects.filter(source_reference__startswith=PREFIX)
    statuses = set(demo.values_list("status", flat=True))
    assert {"assigned", "scheduled", "recorded", "rectifying", "closed", "referred"} <= statuses
    kinds = set(
        InspectionDocument.objects.filter(inspection__in=demo).values_list("kind", flat=True)
    )
    assert kinds == {"record", "immediate", "deadline"}
    assert demo.filter(brigade__code="LQ").exists()
    assert Inspection.objects.filter(kind="recheck", follows__in=demo, status="closed").exists()


def test_the_overdue_clock_is_flagged_for_inspector1_and_supervisor1(seeded, client_for):
    late = Inspection.objects.filter(
        source_reference__startswith=PREFIX, next_due__lt=timezone.localdate()
    )
    assert late.exists()
    for name in ("inspector1", "supervisor1"):
        page = client_for(User.objects.get(username=name)).get(reverse("inspections:visit_list"))
        assert "已逾期" in page.content.decode()
