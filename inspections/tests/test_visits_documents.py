"""The inspection's official documents: issued once on the second confirmation (the record, and
the immediate notice for what was corrected on the spot), the deadline notice when served; each
rendered on the letterhead with its number and verification code, downloadable by the officers,
the brigade's staff and the unit's registered contact, 404 for anyone else."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from inspections.documents import render_inspection_document_pdf
from inspections.models import InspectionDocument
from inspections.services import visits
from inspections.tests.visits_helpers import (
    add_finding,
    confirm_both,
    make_contact,
    make_inspection,
    make_officer,
    png_upload,
    record,
)
from lishui_fire.core.documents import find_issued_document
from permits.tests.pdftext import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(inspector, org_units):
    return [inspector, make_officer("LD", username="doc-partner", real_name="王检查")]


@pytest.fixture
def ordered(team):
    inspection = make_inspection(team)
    add_finding(
        inspection, team[0], corrected=True, description="灭火器压力不足", photo=png_upload()
    )
    add_finding(inspection, team[1], description="安全出口被货物堵塞", location="二层东侧")
    record(
        inspection,
        team[0],
        "ordered_to_correct",
        rectify_by=timezone.localdate() + dt.timedelta(days=15),
    )
    inspection = confirm_both(inspection, *team)
    visits.serve_deadline_notice(inspection=inspection, actor=team[0])
    return inspection


def test_the_three_documents_carry_their_number_the_unit_and_the_findings(ordered):
    documents = {d.kind: d for d in InspectionDocument.objects.filter(inspection=ordered)}
    assert set(documents) == {"record", "immediate", "deadline"}
    assert "监检字" in documents["record"].number
    record_text = pdf_text(render_inspection_document_pdf(documents["record"]))
    assert "消防监督检查记录" in record_text
    assert documents["record"].number in record_text
    assert ordered.enterprise.name in record_text
    assert "安全出口被货物堵塞" in record_text
    assert "XF60-1-3" in record_text
    assert documents["record"].verification_code_display in record_text
    immediate = pdf_text(render_inspection_document_pdf(documents["immediate"]))
    assert "责令立即改正通知书" in immediate
    assert "灭火器压力不足" in immediate
    assert "安全出口被货物堵塞" not in immediate
    deadline = pdf_text(render_inspection_document_pdf(documents["deadline"]))
    assert "责令限期改正通知书" in deadline
    assert (
        f"{ordered.rectify_by:%Y}年{ordered.rectify_by.month}月{ordered.rectify_by.day}日"
        in deadline
    )
    assert "三个工作日内进行复查" in deadline
    assert "灭火器压力不足" not in deadline


def test_a_document_is_verifiable_by_its_number_and_code(ordered):
    document = InspectionDocument.objects.get(inspection=ordered, kind="record")
    found = find_issued_document(number=document.number, code=document.verification_code)
    assert found == document
    assert found.party_masked != ordered.enterprise.name


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("inspector", 200),
        ("supervisor", 200),
        ("chief", 200),
        ("legal_officer", 200),
        ("contact", 200),
        ("other_citizen", 404),
        ("other_inspector", 404),
        ("discipline_officer", 404),
    ],
)
def test_who_downloads_the_record(ordered, client_for, request, who, status):
    user = make_contact(ordered.enterprise) if who == "contact" else request.getfixturevalue(who)
    document = InspectionDocument.objects.get(inspection=ordered, kind="record")
    response = client_for(user).get(reverse("inspections:visit_document", args=[document.pk]))
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "application/pdf"
        assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_the_contact_sees_nothing_before_both_officers_confirmed(team, client_for):
    inspection = make_inspection(team)
    add_finding(inspection, team[0], corrected=True, photo=png_upload())
    record(inspection, team[0], "corrected_on_spot")
    contact = make_contact(inspection.enterprise)
    finding = inspection.findings.get()
    photo = reverse("inspections:visit_finding_photo", args=[finding.pk])
    assert client_for(contact).get(photo).status_code == 404
    confirm_both(inspection, *team)
    assert client_for(contact).get(photo).status_code == 200


def test_a_record_not_rendered_yet_is_being_prepared_not_rendered_in_the_request(
    ordered, client_for, api_for, inspector, monkeypatch
):
    """The kernel's download (ADR 0030): 202 with Retry-After, the render asked for once through
    the jobs door; the page and the API never render a PDF themselves."""
    from lishui_fire.core import documents as kernel

    asked = []
    monkeypatch.setattr(kernel, "enqueue_now", lambda name, *args: asked.append((name, *args)))

    def refuse(document):
        raise AssertionError("a PDF was rendered inside the request")

    monkeypatch.setattr("inspections.documents.render_inspection_document_pdf", refuse)
    document = InspectionDocument.objects.get(inspection=ordered, kind="record")
    InspectionDocument.objects.filter(pk=document.pk).update(file="", sha256="")
    page = client_for(inspector).get(reverse("inspections:visit_document", args=[document.pk]))
    assert page.status_code == 202
    assert page["Retry-After"]
    assert "正在生成" in page.content.decode()
    api = api_for(inspector).get(f"/api/v1/inspections/{ordered.pk}/record.pdf")
    assert api.status_code == 202
    assert api.json()["status"] == "pending"
    assert asked == [(kernel.RENDER_TASK, "inspections.InspectionDocument", document.pk)]
