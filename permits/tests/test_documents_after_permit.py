"""The letters after a commitment permit, and every permits letter's reconsideration body.

* the stop-use order (Fire Law art. 58(1)(iv)): number, code, the order, the fine range from
  data, the rights block naming the brigade's own reconsideration body;
* the rectification notice says how to ask for the re-check online;
* the revocation letter names the failed re-check visit and shows its photos (the evidence);
* each letter kind of a 青田 case names 青田县人民政府 (OrgUnit.reconsideration_body), not the
  city's or Liandu's.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from permits.documents import render_permit_document_pdf
from permits.models import DocumentKind, PermitDocument
from permits.services import applications as services

from .factories import (
    deadline_passed,
    failed_recheck,
    in_rectification,
    make_application,
    png_bytes,
)
from .pdftext import pdf_image_count, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _text(application, kind: str) -> str:
    document = PermitDocument.objects.get(application=application, kind=kind)
    return pdf_text(render_permit_document_pdf(document))


def test_the_stop_use_order_letter(citizen, inspector):
    application = in_rectification(citizen, inspector, venue_name="丽水市莲都区好运来KTV")
    document = PermitDocument.objects.get(application=application, kind=DocumentKind.STOP_USE)
    text = pdf_text(render_permit_document_pdf(document))
    assert "责令停止使用（停产停业）决定书" in text
    assert document.number in text
    assert document.verification_code_display.replace(" ", "") in text
    assert "丽水市莲都区好运来KTV" in text
    assert "安全出口数量与承诺不符" in text
    assert "《中华人民共和国消防法》第五十八条第一款第四项" in text
    assert "责令停止使用" in text
    assert "30000元以上300000元以下罚款" in text
    assert "陈述、申辩和要求听证" in text
    rectification = PermitDocument.objects.get(
        application=application, kind=DocumentKind.RECTIFICATION
    )
    assert rectification.number in text
    assert "丽水市莲都区人民政府" in text
    assert "行政复议" in text


def test_the_rectification_notice_says_how_to_ask_for_the_recheck(citizen, inspector):
    application = in_rectification(citizen, inspector)
    text = _text(application, DocumentKind.RECTIFICATION)
    assert "申请复查的方式" in text
    assert f"/permits/my/{application.pk}/recheck/" in text
    assert application.reference in text
    assert "三个工作日内进行复查" in text


def test_the_revocation_letter_names_the_failed_recheck_and_its_photos(
    citizen, inspector, supervisor
):
    application = deadline_passed(in_rectification(citizen, inspector))
    photo = SimpleUploadedFile("p.png", png_bytes(), content_type="image/png")
    application = failed_recheck(application, inspector, photos=(photo,))
    services.revoke_permit(application=application, actor=supervisor, reason="逾期未整改")
    document = PermitDocument.objects.get(application=application, kind=DocumentKind.REVOCATION)
    pdf = render_permit_document_pdf(document)
    text = pdf_text(pdf)
    assert "证据" in text
    assert "复查现场检查记录" in text
    assert "复查：安全出口仍被封堵" in text
    assert "现场照片1张" in text
    # The photo is embedded: one image more than a letter of the same case without photos.
    plain = PermitDocument.objects.get(application=application, kind=DocumentKind.STOP_USE)
    assert pdf_image_count(pdf) == pdf_image_count(render_permit_document_pdf(plain)) + 1


# --- Every letter of a 青田 case names 青田县人民政府 --------------------------------------------
def _qingtian_case(make_user, citizen, kind: str):
    inspector = make_user("inspector", "QT")
    supervisor = make_user("brigade_supervisor", "QT")
    if kind in (DocumentKind.ACCEPTANCE_NOTICE, DocumentKind.NOT_ACCEPTED, DocumentKind.REJECTION):
        application = make_application(citizen, brigade="QT", status="submitted", path="inspection")
        services.issue_document(application=application, kind=kind, actor=inspector)
        return application
    application = in_rectification(citizen, inspector, brigade="QT")
    if kind == DocumentKind.REVOCATION:
        application = failed_recheck(deadline_passed(application), inspector)
        services.revoke_permit(application=application, actor=supervisor, reason="逾期未整改")
    return application


@pytest.mark.parametrize(
    "kind",
    [
        DocumentKind.ACCEPTANCE_NOTICE,
        DocumentKind.NOT_ACCEPTED,
        DocumentKind.DECISION,
        DocumentKind.REJECTION,
        DocumentKind.RECTIFICATION,
        DocumentKind.STOP_USE,
        DocumentKind.REVOCATION,
    ],
)
def test_a_qingtian_letter_names_the_qingtian_government(make_user, citizen, kind):
    application = _qingtian_case(make_user, citizen, kind)
    text = _text(application, kind)
    assert "青田县消防救援大队" in text
    if kind == DocumentKind.ACCEPTANCE_NOTICE:
        # An acceptance decides nothing against the unit: no remedies to name.
        assert "行政复议" not in text
        return
    assert "向青田县人民政府申请行政复议" in text
    assert "丽水市人民政府" not in text
    assert "莲都区人民政府" not in text


def test_every_letter_kind_is_covered():
    """A new letter kind gets its row above (the return notice is never issued as a PDF)."""
    from permits.documents import TEMPLATES

    assert set(TEMPLATES) == {
        DocumentKind.ACCEPTANCE_NOTICE,
        DocumentKind.NOT_ACCEPTED,
        DocumentKind.DECISION,
        DocumentKind.REJECTION,
        DocumentKind.RECTIFICATION,
        DocumentKind.STOP_USE,
        DocumentKind.REVOCATION,
    }
