"""Workflows carry their open and final statuses and are registered by model label, so a later
app finds every case that finished without importing the apps whose cases they are."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import Q
from django.utils import timezone

from lishui_fire.core import workflow as core_workflow
from lishui_fire.core.workflow import (
    Workflow,
    finished_since,
    register_workflow,
    registered_workflows,
    workflows_for,
)
from permits import workflow as permits_workflow
from permits.models import PermitApplication
from permits.services import applications as services
from permits.tests.factories import decide, make_application
from permits.workflow import PermitStatus as S


class Light(models.TextChoices):
    RED = "red", "red"
    GREEN = "green", "green"
    OFF = "off", "off"


def test_open_and_final_statuses_are_declared_and_checked():
    flow = Workflow(
        choices=Light,
        transitions={Light.RED: {Light.GREEN}, Light.GREEN: {Light.RED, Light.OFF}},
        open_statuses={Light.RED, Light.GREEN},
        final_statuses={Light.OFF},
    )
    assert flow.is_open("red")
    assert flow.is_final("off")
    assert not flow.is_final("green")


def test_a_final_status_with_a_way_out_is_refused():
    with pytest.raises(ValueError, match="no outgoing moves: \\['green'\\]"):
        Workflow(
            choices=Light,
            transitions={Light.RED: {Light.GREEN}, Light.GREEN: {Light.OFF}},
            final_statuses={Light.GREEN, Light.OFF},
        )


def test_unknown_and_both_open_and_final_statuses_are_refused():
    with pytest.raises(ValueError, match="unknown statuses"):
        Workflow(choices=Light, transitions={}, final_statuses={"blue"})
    with pytest.raises(ValueError, match="both open and final"):
        Workflow(choices=Light, transitions={}, open_statuses={"off"}, final_statuses={"off"})


def test_every_permits_workflow_is_registered_under_its_model():
    registry = registered_workflows()
    assert [(r.workflow, r.condition) for r in registry["permits.PermitApplication"]] == [
        (permits_workflow.COMMITMENT_FLOW, Q(path="commitment")),
        (permits_workflow.INSPECTION_FLOW, Q(path="inspection")),
    ]
    for label, flow in [
        ("permits.PrecheckBooking", permits_workflow.BOOKING_FLOW),
        ("permits.HomeServiceRequest", permits_workflow.HOME_SERVICE_FLOW),
        ("permits.NoticeAmendment", permits_workflow.AMENDMENT_FLOW),
        ("permits.Delivery", permits_workflow.DELIVERY_FLOW),
    ]:
        assert [r.workflow for r in workflows_for(label)] == [flow]
    assert workflows_for(PermitApplication) == registry["permits.PermitApplication"]


def test_every_registered_workflow_declares_final_statuses_with_no_way_out():
    for entries in registered_workflows().values():
        for entry in entries:
            assert entry.workflow.final_statuses
            for status in entry.workflow.final_statuses:
                assert entry.workflow.allowed(status) == frozenset()


def test_a_second_workflow_for_a_model_needs_a_condition(monkeypatch):
    monkeypatch.setattr(core_workflow, "_registrations", {})
    flow = Workflow(choices=Light, transitions={}, final_statuses={Light.OFF})
    register_workflow("tests.Lamp", flow)
    register_workflow("tests.Lamp", flow)  # imported twice: harmless
    other = Workflow(choices=Light, transitions={Light.RED: {Light.OFF}})
    with pytest.raises(ImproperlyConfigured, match="condition"):
        register_workflow("tests.Lamp", other)


@pytest.mark.django_db
def test_finished_since_finds_every_finished_case_of_every_app(
    citizen, inspector, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    start = timezone.now()

    def submitted(path):
        app = make_application(citizen, status="draft", path=path)
        return services.submit_application(application=app, actor=citizen)

    with time_machine.travel(start - dt.timedelta(days=3)):
        earlier = services.withdraw_application(application=submitted("inspection"), actor=citizen)
    with time_machine.travel(start + dt.timedelta(hours=1)):
        # Commitment path: granted at once, but not finished until verified.
        granted = decide(submitted("commitment"), inspector)
        verified = decide(submitted("commitment"), inspector)
        services.record_verification(
            application=verified, actor=inspector, matches=True, findings=""
        )
        # Inspection path: the approval is the end.
        inspected = services.accept_application(
            application=submitted("inspection"), actor=inspector
        )
        services.record_inspection(application=inspected, actor=inspector, passed=True, findings="")
        inspected = PermitApplication.objects.get(pk=inspected.pk)
        approved = decide(inspected, inspector)

    finished = finished_since(start)
    assert sorted((c.object_id, c.to_status) for c in finished) == sorted(
        [(str(verified.pk), S.VERIFIED), (str(approved.pk), S.APPROVED)]
    )
    assert str(granted.pk) not in {c.object_id for c in finished}
    assert {c.subject for c in finished} == {
        PermitApplication.objects.get(pk=verified.pk),
        PermitApplication.objects.get(pk=approved.pk),
    }
    assert [c.object_id for c in finished_since(start - dt.timedelta(days=4), until=start)] == [
        str(earlier.pk)
    ]
    assert not finished_since(start, labels=["permits.PrecheckBooking"]).exists()
