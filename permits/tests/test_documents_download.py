"""Downloading a letter never renders a PDF inside the request (core.document_views and
core.document_api, ADR 0030).

A letter is rendered by the kernel's task after the decision commits. Until that has run (a
busy worker, a broker outage) a download answers "being prepared": 202 with ``Retry-After``,
a translated message (a page that tries again by itself, or JSON), and the render asked for once
through the jobs door however often the person tries. Once the file is stored it is served as it
is: no render, no row lock.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from lishui_fire.core import documents as kernel
from permits.models import DocumentKind, PermitDocument, PrecheckNotice
from permits.services import prechecks as precheck_services

from .factories import decide, make_application, make_booking, make_slot
from .test_documents_broker_down import broker_down  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def asked(monkeypatch):
    """What went through the jobs door (nothing runs: the worker is "busy")."""
    sent: list[tuple] = []
    monkeypatch.setattr(kernel, "enqueue_now", lambda name, *args: sent.append((name, *args)))
    return sent


@pytest.fixture
def no_render(monkeypatch):
    """Any PDF rendered in the request fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("a PDF was rendered inside the request")

    monkeypatch.setattr("permits.documents.render_permit_document_pdf", refuse)
    monkeypatch.setattr("permits.documents.render_precheck_notice_pdf", refuse)
    monkeypatch.setattr(kernel, "render_pdf", refuse)


@pytest.fixture
def no_row_lock(monkeypatch):
    """No lock on the document's row (the first download of a decision still records its
    service, art. 44, which locks the application's clocks: a write, not the download's)."""
    original = QuerySet.select_for_update

    def refuse(self, *args, **kwargs):
        if issubclass(self.model, kernel.IssuedDocument):
            raise AssertionError(f"a download locked a row of {self.model.__name__}")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "select_for_update", refuse)


@pytest.fixture
def decided(citizen, inspector, supervisor, django_capture_on_commit_callbacks):
    application = make_application(citizen, status="submitted")
    with django_capture_on_commit_callbacks(execute=True):  # the worker renders the letter
        decide(application, inspector, supervisor)
    return application


def _decision(application) -> PermitDocument:
    return PermitDocument.objects.get(application=application, kind=DocumentKind.DECISION)


def _not_rendered_yet(document) -> None:
    type(document).objects.filter(pk=document.pk).update(file="", sha256="", rendered_at=None)


@pytest.fixture
def noticed(citizen, inspector, django_capture_on_commit_callbacks):
    slot = make_slot(inspector, starts_in=-dt.timedelta(hours=1))
    booking = make_booking(
        citizen, slot, status="in_progress", arrived_at=timezone.now() - dt.timedelta(minutes=50)
    )
    precheck_services.add_finding(
        booking=booking,
        actor=inspector,
        item="通道堆物",
        location="二层走道",
        regulation="消防法第二十八条",
        remedy="清理杂物",
    )
    with django_capture_on_commit_callbacks(execute=True):
        precheck_services.issue_notice(booking=booking, actor=inspector)
    booking.refresh_from_db()
    return booking


# --- The decision letter, page and API ------------------------------------------------------------
def test_the_page_says_being_prepared_and_asks_for_the_render_once(
    decided, client_for, citizen, asked, no_render
):
    document = _decision(decided)
    _not_rendered_yet(document)
    url = reverse("permits:document_download", args=[document.pk])
    client = client_for(citizen)

    first = client.get(url)
    assert first.status_code == 202
    assert first["Retry-After"] == "3"
    assert first["Content-Type"].startswith("text/html")
    page = first.content.decode()
    assert "正在生成" in page
    assert document.number in page
    assert f'href="{url}"' in page  # try again by hand
    assert "js/document-retry.js" in page  # and by itself (a static script: CSP)
    assert asked == [(kernel.RENDER_TASK, "permits.PermitDocument", document.pk)]

    again = client.get(url)  # a refresh inside the window asks nothing more
    assert again.status_code == 202
    assert len(asked) == 1


def test_the_page_answers_in_english_too(decided, client_for, citizen, asked, no_render):
    document = _decision(decided)
    _not_rendered_yet(document)
    response = client_for(citizen).get(
        reverse("permits:document_download", args=[document.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 202
    assert '<html lang="en"' in response.content.decode()


def test_a_stored_letter_is_served_without_a_lock_or_a_render(
    decided, client_for, api_for, citizen, no_render, no_row_lock, asked
):
    document = _decision(decided)
    assert document.file
    page = client_for(citizen).get(reverse("permits:document_download", args=[document.pk]))
    assert page.status_code == 200
    assert page["Content-Type"] == "application/pdf"
    assert b"".join(page.streaming_content).startswith(b"%PDF")
    api = api_for(citizen).get(f"/api/v1/permits/{decided.pk}/decision.pdf")
    assert api.status_code == 200
    assert api["Content-Type"] == "application/pdf"
    assert api.content.startswith(b"%PDF")
    assert asked == []


def test_the_api_answers_202_with_retry_after_and_asks_once(
    decided, api_for, citizen, asked, no_render
):
    document = _decision(decided)
    _not_rendered_yet(document)
    client = api_for(citizen)
    url = f"/api/v1/permits/{decided.pk}/decision.pdf"
    for accept in ("application/pdf", "application/json"):
        response = client.get(url, HTTP_ACCEPT=accept)
        assert response.status_code == 202
        assert response["Retry-After"] == "3"
        assert response["Content-Type"].startswith("application/json")
        assert response.json()["status"] == "pending"
        assert response.json()["detail"] == "文书正在生成，请稍后重试。"
    assert asked == [(kernel.RENDER_TASK, "permits.PermitDocument", document.pk)]


def test_once_the_worker_has_run_the_next_try_gets_the_pdf(decided, api_for, citizen, asked):
    document = _decision(decided)
    _not_rendered_yet(document)
    client = api_for(citizen)
    url = f"/api/v1/permits/{decided.pk}/decision.pdf"
    assert client.get(url).status_code == 202
    (_name, label, pk) = asked[0]
    kernel.render_issued_document_by_label(label, pk)  # what the worker does with the message
    response = client.get(url)
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


# --- The one-time notice, page and API ---------------------------------------------------------------
def test_the_notice_is_prepared_not_rendered_in_the_request(
    noticed, client_for, api_for, citizen, asked, no_render
):
    notice = PrecheckNotice.objects.get(booking=noticed)
    _not_rendered_yet(notice)
    page = client_for(citizen).get(reverse("permits:notice_pdf", args=[noticed.pk]))
    assert page.status_code == 202
    assert "正在生成" in page.content.decode()
    api = api_for(citizen).get(f"/api/v1/precheck-bookings/{noticed.pk}/notice.pdf")
    assert api.status_code == 202
    assert api["Retry-After"] == "3"
    assert asked == [(kernel.RENDER_TASK, "permits.PrecheckNotice", notice.pk)]


def test_a_stored_notice_is_served_without_a_lock(
    noticed, client_for, api_for, citizen, no_render, no_row_lock, asked
):
    page = client_for(citizen).get(reverse("permits:notice_pdf", args=[noticed.pk]))
    assert page.status_code == 200
    assert b"".join(page.streaming_content).startswith(b"%PDF")
    api = api_for(citizen).get(f"/api/v1/precheck-bookings/{noticed.pk}/notice.pdf")
    assert api.status_code == 200
    assert api.content.startswith(b"%PDF")
    assert asked == []


def test_the_render_takes_no_lock_on_a_row_that_has_its_file(decided, no_row_lock, no_render):
    document = kernel.render_issued_document(PermitDocument, _decision(decided).pk)
    assert document.file


# --- Without a worker: eager mode, and the broker down ------------------------------------------------
def test_in_eager_mode_the_in_process_task_renders_it_and_the_download_gets_it(
    decided, client_for, citizen
):
    """No REDIS_URL (ADR 0003): there is no worker; the asked-for task runs in-process."""
    document = _decision(decided)
    _not_rendered_yet(document)
    response = client_for(citizen).get(reverse("permits:document_download", args=[document.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_the_download_says_being_prepared(
    broker_down,  # noqa: F811  (the fixture imported above)
    client_for,
    api_for,
    citizen,
    inspector,
    supervisor,
    no_render,
):
    application = make_application(citizen, status="submitted")
    decide(application, inspector, supervisor)
    document = _decision(application)
    assert not document.file  # the enqueue met the closed port
    page = client_for(citizen).get(reverse("permits:document_download", args=[document.pk]))
    assert page.status_code == 202
    api = api_for(citizen).get(f"/api/v1/permits/{application.pk}/decision.pdf")
    assert api.status_code == 202
