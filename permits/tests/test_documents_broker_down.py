"""Redis down during an approval: the decision and its numbered letter are saved, the request does
not fail, and the catch-up sweep renders the letter once the worker runs again."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from lishui_fire.core.documents import render_missing_documents
from permits.models import DocumentKind, PermitDocument
from permits.tests.factories import decide
from tests.celery_fixtures import _reset_producer_pool

from .factories import make_application

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def broker_down(settings, tmp_path):
    """Eager mode off and the broker on a port where nothing listens."""
    from lishui_fire.celery import app

    settings.MEDIA_ROOT = tmp_path / "media"
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    app.conf.task_always_eager = False
    _reset_producer_pool(app)
    yield
    for key, value in saved.items():
        app.conf[key] = value
    _reset_producer_pool(app)


def test_an_approval_with_the_broker_down_is_saved_and_its_letter_caught_up(
    broker_down, citizen, inspector
):
    application = make_application(citizen, status="submitted")
    # Autocommit: on_commit runs at once and the enqueue meets the closed port.
    decide(application, inspector)

    document = PermitDocument.objects.get(application=application, kind=DocumentKind.DECISION)
    assert not document.file

    PermitDocument.objects.filter(pk=document.pk).update(
        issued_at=timezone.now() - dt.timedelta(minutes=10)
    )
    assert render_missing_documents() == 1
    document.refresh_from_db()
    assert document.file
    assert document.render_attempts == 1
