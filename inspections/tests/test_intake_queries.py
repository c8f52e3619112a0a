"""The intake lists answer in a pinned number of queries, whatever their length."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from inspections.services import intake
from inspections.tests.intake_factories import (
    certify,
    make_registered_contact,
    make_unit,
    second_officer,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit(inspector):
    certify(inspector)
    second_officer("LD")
    return make_unit("LD")


def add(supervisor, unit, n):
    def make():
        for i in range(n):
            intake.register_complaint(
                actor=supervisor,
                enterprise=unit,
                channel="letter",
                category="exit_locked" if i % 2 else "other",
                content=f"来信反映问题{i}",
                received_at=timezone.now() - dt.timedelta(minutes=i),
            )
            intake.open_inspection(actor=supervisor, kind="case", enterprise=unit, reason="案件")

    return make


def test_the_brigades_list(client_for, supervisor, unit, assert_num_queries_constant):
    add(supervisor, unit, 2)()
    url = reverse("inspections:intake_list")
    # The user's unit comes with the user, the footer's contact from memory (ADR 0033).
    assert_num_queries_constant(client_for(supervisor), url, add(supervisor, unit, 6), expected=6)


def test_the_complaints_api(api_for, supervisor, unit, assert_num_queries_constant):
    add(supervisor, unit, 2)()
    assert_num_queries_constant(
        api_for(supervisor), "/api/v1/complaints/", add(supervisor, unit, 6), expected=3
    )


def test_the_units_own_list(client_for, citizen, supervisor, unit, assert_num_queries_constant):
    make_registered_contact(citizen, unit)
    add(supervisor, unit, 2)()
    url = reverse("inspections:my_inspections")
    assert_num_queries_constant(client_for(citizen), url, add(supervisor, unit, 6), expected=5)
