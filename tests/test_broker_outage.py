"""Redis stops in the middle of a permit approval: the decision stands, the applicant's page is
not a 500, and the periodic sweeps later send the notifications and render the decision letter
that nobody could enqueue (core.jobs)."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from lishui_fire.celery import app
from lishui_fire.core.models import Notification
from lishui_fire.core.tasks import render_missing_documents, retry_notifications
from permits.models import DocumentKind, PermitApplication
from permits.services import applications as services
from permits.tests.factories import make_application
from permits.workflow import PermitStatus as S

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_an_approval_while_the_broker_is_down_is_saved_and_caught_up_later(
    client_for,
    citizen,
    inspector,
    supervisor,
    broker_down,
    caplog,
    django_capture_on_commit_callbacks,
):
    application = make_application(citizen, status="draft", path="commitment")
    application = services.submit_application(application=application, actor=citizen)
    services.propose_decision(application=application, actor=inspector, outcome="approve")
    before = Notification.objects.count()
    client = client_for(supervisor)
    url = reverse("permits:staff_action", args=[application.pk, "approve"])

    with (
        caplog.at_level(logging.WARNING, logger="lishui_fire.core.jobs"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(url, {"approve-status": S.SUBMITTED, "approve-reason": "当场许可"})

    assert response.status_code == 302  # the usual redirect to the application page
    application = PermitApplication.objects.get(pk=application.pk)
    assert application.status == S.APPROVED
    document = application.documents.get(kind=DocumentKind.DECISION)
    assert not document.file  # its render message was lost
    lost = Notification.objects.filter(status=Notification.Status.PENDING)
    assert lost.count() > before  # the applicant's SMS and in-app message, waiting
    outage = [r for r in caplog.records if r.name == "lishui_fire.core.jobs"]
    assert outage
    assert all(r.levelno == logging.WARNING for r in outage)
    assert client.get(response.url).status_code == 200

    # Redis is back (the tests' in-process broker); the beat runs a little later.
    app.conf.task_always_eager = True
    later = timezone.now() + dt.timedelta(minutes=6)
    with (
        time_machine.travel(later, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert render_missing_documents.delay().get() == 1
        assert retry_notifications.delay().get() >= 2

    document.refresh_from_db()
    assert document.file
    assert document.sha256
    assert not Notification.objects.filter(status=Notification.Status.PENDING).exists()
    # A second beat finds nothing left to do.
    with time_machine.travel(later + dt.timedelta(minutes=10), tick=False):
        assert render_missing_documents.delay().get() == 0
