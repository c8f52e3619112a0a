"""Against a real worker process and the real Redis: a committed decision's letter is rendered by
the kernel task through the broker, and the task received twice more leaves one file."""

from __future__ import annotations

import pytest

from lishui_fire.core.tasks import render_issued_document
from permits.models import DocumentKind, PermitDocument
from permits.tests.factories import decide
from tests.celery_fixtures import wait_until

from .factories import make_application

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

TIMEOUT = 90


@pytest.fixture
def media(monkeypatch, settings, tmp_path):
    """One media folder for this process and the worker (which reads MEDIA_ROOT from its env)."""
    root = tmp_path / "media"
    monkeypatch.setenv("MEDIA_ROOT", str(root))
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture
def worker(media, celery_worker_process):
    return celery_worker_process


def _rendered(pk: int) -> bool:
    return bool(PermitDocument.objects.get(pk=pk).file)


def test_a_letter_rendered_three_times_by_a_real_worker_is_one_file(
    media, worker, citizen, inspector
):
    first = make_application(citizen, status="submitted")
    # Autocommit (a transactional test): the render is enqueued through Redis on commit.
    decide(first, inspector)
    document = PermitDocument.objects.get(application=first, kind=DocumentKind.DECISION)
    assert wait_until(lambda: _rendered(document.pk), timeout=TIMEOUT), worker.log()[-4000:]
    document.refresh_from_db()

    # The same message again (a redelivery, a second click of "render"): nothing changes.
    render_issued_document.delay("permits.PermitDocument", document.pk)
    render_issued_document.delay("permits.PermitDocument", document.pk)
    # A second letter afterwards tells us when the worker has got through the queue.
    second = make_application(citizen, status="submitted")
    decide(second, inspector)
    other = PermitDocument.objects.get(application=second, kind=DocumentKind.DECISION)
    assert wait_until(lambda: _rendered(other.pk), timeout=TIMEOUT), worker.log()[-4000:]

    again = PermitDocument.objects.get(pk=document.pk)
    assert (again.file.name, again.sha256, again.rendered_at, again.render_attempts) == (
        document.file.name,
        document.sha256,
        document.rendered_at,
        1,
    )
    letters = sorted(p.name for p in (media / "permits" / "documents").rglob("*.pdf"))
    assert letters == sorted([f"decision-{document.pk}.pdf", f"decision-{other.pk}.pdf"])
