"""A published plan is drawn once, however many supervisors press "draw" at the same moment.

Threads wait behind a barrier and draw the same plan together, each on its own PostgreSQL
connection, as concurrent requests do: exactly one draw wins, every other one is refused with
``StaleState`` (409 in the API), and there is one draw record and one set of inspections.
"""

from __future__ import annotations

from collections import Counter

import pytest
from django.db import connection
from rest_framework.test import APIClient

from conftest import skip_or_fail
from inspections.models import Inspection, InspectionAssignment, PlanDraw
from inspections.services import plans as services
from inspections.tests.plans_support import certify, make_plan
from lishui_fire.core.errors import StaleState
from tests.test_booking_race import race

ATTEMPTS = 8


@pytest.fixture
def postgres(transactional_db):
    if connection.vendor != "postgresql":
        skip_or_fail("the draw race needs PostgreSQL (DATABASE_URL=postgres://…)")


@pytest.fixture
def published(postgres, supervisor, make_enterprise, make_user):
    for _ in range(6):
        make_enterprise()
    for _ in range(4):
        certify(make_user("inspector", "LD"))
    return make_plan(supervisor, state="published")


def _assert_one_draw(plan) -> None:
    assert PlanDraw.objects.filter(plan=plan).count() == 1
    picked = services.selections(PlanDraw.objects.get(plan=plan).result)
    assert Inspection.objects.filter(plan=plan).count() == len(picked)
    assert InspectionAssignment.objects.filter(inspection__plan=plan).count() == 2 * len(picked)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_draws_on_postgresql(published, supervisor):
    def attempt(i: int) -> str:
        try:
            services.draw_plan(actor=supervisor, plan=type(published).objects.get(pk=published.pk))
        except StaleState:
            return "refused"
        return "drawn"

    outcomes, errors, _seconds = race(ATTEMPTS, attempt)
    assert errors == []
    assert outcomes == Counter(drawn=1, refused=ATTEMPTS - 1)
    _assert_one_draw(published)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_draws_through_the_api(published, supervisor):
    url = f"/api/v1/inspection-plans/{published.pk}/draw/"
    clients = []
    for _ in range(ATTEMPTS):
        client = APIClient()
        client.force_authenticate(supervisor)
        clients.append(client)

    def attempt(i: int) -> int:
        return clients[i].post(url).status_code

    outcomes, errors, _seconds = race(ATTEMPTS, attempt)
    assert errors == []
    assert outcomes == Counter({200: 1, 409: ATTEMPTS - 1})
    _assert_one_draw(published)
