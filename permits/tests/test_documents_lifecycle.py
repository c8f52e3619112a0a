"""The issued-document life cycle as the permits letters use it (core.documents): numbered in the
decision's transaction, rendered after commit and only then, rendered once, retried when a render
failed, caught up by the sweep, and rendered by the kernel's one task."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.db import transaction
from django.utils import timezone

from lishui_fire.core import documents as kernel
from lishui_fire.core.models import Sequence
from lishui_fire.core.tasks import render_issued_document, render_missing_documents
from permits.models import DocumentKind, PermitDocument, PrecheckNotice
from permits.tasks import render_permit_document, render_precheck_notice
from permits.tests.factories import decide

from .factories import make_application, make_booking, make_slot

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def application(citizen):
    return make_application(citizen, status="submitted", unit_name="丽水市好运来餐饮管理有限公司")


def _decision(application) -> PermitDocument:
    return PermitDocument.objects.get(application=application, kind=DocumentKind.DECISION)


def _stored_letters(settings) -> list:
    root = settings.MEDIA_ROOT / "permits" / "documents"
    return list(root.rglob("*.pdf")) if root.exists() else []


def test_it_numbers_the_letter_in_the_transaction_and_renders_it_after_commit(
    application, inspector, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        decide(application, inspector)
    document = _decision(application)
    assert not document.file, "rendered before the decision committed"
    assert document.brigade_id == application.brigade_id
    assert document.party_name == "丽水市好运来餐饮管理有限公司"
    assert len(document.verification_code) == kernel.VERIFICATION_CODE_LENGTH
    assert set(document.verification_code) <= set(kernel.VERIFICATION_ALPHABET)

    for callback in callbacks:
        callback()
    document.refresh_from_db()
    with document.file.open("rb") as handle:
        pdf = handle.read()
    assert document.sha256 == hashlib.sha256(pdf).hexdigest()
    assert document.rendered_at is not None
    assert document.render_attempts == 1
    assert document.render_error == ""


def test_nothing_is_numbered_or_rendered_when_the_decision_rolls_back(
    application, inspector, django_capture_on_commit_callbacks, monkeypatch, settings
):
    rendered = []
    monkeypatch.setattr(
        "permits.documents.render_permit_document_pdf", lambda d: rendered.append(d) or b"%PDF"
    )

    class Refused(Exception):
        pass

    def approve_then_fail() -> None:
        with transaction.atomic():
            decide(application, inspector)
            raise Refused

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Refused):
        approve_then_fail()

    assert not PermitDocument.objects.exists()
    assert rendered == []
    assert _stored_letters(settings) == []
    # The number was given back: the next letter of the series is still the first.
    assert not Sequence.objects.filter(name__startswith="doc:", last_value__gt=0).exists()


def test_a_second_render_changes_nothing(application, inspector, on_commit, monkeypatch):
    with on_commit():
        decide(application, inspector)
    first = _decision(application)

    def must_not_render(document):
        raise AssertionError("an issued document was rendered again")

    monkeypatch.setattr("permits.documents.render_permit_document_pdf", must_not_render)
    again = kernel.render_issued_document(PermitDocument, first.pk)
    render_issued_document.delay("permits.PermitDocument", first.pk)

    again.refresh_from_db()
    assert (again.number, again.file.name, again.sha256, again.rendered_at) == (
        first.number,
        first.file.name,
        first.sha256,
        first.rendered_at,
    )
    assert again.render_attempts == 1
    assert PermitDocument.objects.count() == 1


def test_a_failed_render_is_counted_and_can_be_retried(
    application, inspector, django_capture_on_commit_callbacks, monkeypatch
):
    with django_capture_on_commit_callbacks(execute=False):
        decide(application, inspector)
    document = _decision(application)

    def broken(document):
        raise OSError("font cache unreadable")

    real = kernel.import_string("permits.documents.render_permit_document_pdf")
    monkeypatch.setattr("permits.documents.render_permit_document_pdf", broken)
    with pytest.raises(OSError, match="font cache unreadable"):
        kernel.render_issued_document(PermitDocument, document.pk)
    document.refresh_from_db()
    assert not document.file
    assert document.render_attempts == 1
    assert "font cache unreadable" in document.render_error

    monkeypatch.setattr("permits.documents.render_permit_document_pdf", real)
    kernel.render_issued_document(PermitDocument, document.pk)
    document.refresh_from_db()
    assert document.file
    assert document.render_attempts == 2
    assert document.render_error == ""
    assert document.number == _decision(application).number


def test_the_sweep_renders_letters_whose_task_never_ran(
    application, inspector, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        decide(application, inspector)
    document = _decision(application)

    # Just issued: its own task is probably running; the sweep leaves it alone.
    assert render_missing_documents.delay().get() == 0
    PermitDocument.objects.filter(pk=document.pk).update(
        issued_at=timezone.now() - dt.timedelta(minutes=6)
    )
    assert render_missing_documents.delay().get() == 1
    document.refresh_from_db()
    assert document.file
    assert render_missing_documents.delay().get() == 0


def test_the_sweep_gives_up_on_a_letter_that_always_fails(application, inspector, monkeypatch):
    with transaction.atomic():
        decide(application, inspector)
    PermitDocument.objects.update(
        issued_at=timezone.now() - dt.timedelta(hours=1),
        render_attempts=kernel.MAX_RENDER_ATTEMPTS,
    )
    assert kernel.render_missing_documents() == 0


def test_the_kernel_task_renders_any_issued_document_by_label(
    application, inspector, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        decide(application, inspector)
    document = _decision(application)
    render_issued_document.delay("permits.PermitDocument", document.pk)
    document.refresh_from_db()
    assert document.file
    with pytest.raises(LookupError):
        kernel.issued_document_model("permits.Delivery")


def test_the_old_task_names_still_render(application, inspector, citizen, supervisor):
    with transaction.atomic():
        decide(application, inspector)
    document = _decision(application)
    render_permit_document.delay(document.pk)
    document.refresh_from_db()
    assert document.file

    slot = make_slot(inspector, starts_in=-dt.timedelta(hours=1))
    booking = make_booking(citizen, slot, status="in_progress", arrived_at=timezone.now())
    from permits.services import prechecks

    with transaction.atomic():
        prechecks.issue_notice(booking=booking, actor=inspector)
    render_precheck_notice.delay(booking.pk)
    assert PrecheckNotice.objects.get(booking=booking).file


def test_every_concrete_issued_document_is_registered():
    models = kernel.issued_document_models()
    assert PermitDocument in models
    assert PrecheckNotice in models
    assert kernel.IssuedDocument not in models
    assert kernel.check_issued_document_renderers() == []
