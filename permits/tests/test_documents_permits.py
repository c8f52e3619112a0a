"""The permit documents as issued by the services: Chinese text, masked phone, rendered once."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.utils import timezone

from permits.models import DocumentKind, PermitDocument, PermitPath
from permits.services import applications as svc
from permits.tests.factories import decide

from .factories import deadline_passed, failed_recheck, make_application
from .pdftext import pdf_text

pytestmark = pytest.mark.django_db

VENUE = "丽水市莲都区好运来大酒店"
PHONE = "13812342345"
MASKED = "138****2345"


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run the after-commit render task as the request's commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _application(citizen, path: str = PermitPath.COMMITMENT, status: str = "submitted"):
    app = make_application(
        citizen,
        status=status,
        path=path,
        venue_name=VENUE,
        contact_phone=PHONE,
        legal_representative="张三",
        contact_name="张三",
        unit_name="丽水市好运来餐饮管理有限公司",
    )
    return app


def _text(document: PermitDocument) -> str:
    document.refresh_from_db()
    assert document.file, "the PDF was not rendered after commit"
    with document.file.open("rb") as handle:
        return pdf_text(handle.read())


def _document(application, kind: str) -> PermitDocument:
    return PermitDocument.objects.get(application=application, kind=kind)


def test_approving_on_the_commitment_path_issues_the_decision_letter(citizen, inspector, on_commit):
    application = _application(citizen)
    with on_commit():
        decide(application, inspector)

    document = _document(application, DocumentKind.DECISION)
    text = _text(document)
    assert "公众聚集场所投入使用、营业前消防安全检查意见书" in text
    assert document.number in text
    assert VENUE in text
    assert "丽水市好运来餐饮管理有限公司" in text
    assert application.unit_uscc in text
    assert "张三" in text
    assert "同意投入使用、营业" in text
    assert "告知承诺" in text
    # The verification that follows, and what a false commitment costs (Fire Law art. 58).
    assert "二十个工作日内" in text
    assert "核查" in text
    assert "第五十八条" in text
    # The notice of rights: reconsideration within 60 days, litigation within 6 months.
    assert "六十日内" in text
    assert "丽水市莲都区人民政府" in text  # the brigade's own reconsideration body (data)
    assert "行政复议" in text
    assert "六个月内" in text
    assert "行政诉讼" in text
    assert "丽水市莲都区消防救援大队" in text
    assert "（印章）" in text
    assert MASKED in text
    assert PHONE not in text


def test_an_inspection_path_permit_has_no_verification_note(citizen, inspector, on_commit):
    application = _application(citizen, path=PermitPath.INSPECTION)
    with on_commit():
        svc.accept_application(application=application, actor=inspector)
        svc.record_inspection(
            application=application, actor=inspector, passed=True, findings="符合要求"
        )
        decide(application, inspector)

    text = _text(_document(application, DocumentKind.DECISION))
    assert "同意投入使用、营业" in text
    assert "检查（不采用告知承诺）" in text
    assert "二十个工作日内" not in text


def test_rendering_a_document_twice_keeps_the_first_pdf(citizen, inspector, on_commit, monkeypatch):
    application = _application(citizen)
    with on_commit():
        decide(application, inspector)
    document = _document(application, DocumentKind.DECISION)
    with document.file.open("rb") as handle:
        first = handle.read()
    assert document.sha256 == hashlib.sha256(first).hexdigest()

    def must_not_render(*args, **kwargs):
        raise AssertionError("an issued document was rendered again")

    monkeypatch.setattr("permits.documents.render_permit_document_pdf", must_not_render)
    again = svc.render_document_file(document_id=document.pk)

    assert again.file.name == document.file.name
    assert again.sha256 == document.sha256
    with again.file.open("rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == document.sha256


def test_acceptance_notice_states_the_inspection_deadline(citizen, inspector, on_commit):
    application = _application(citizen, path=PermitPath.INSPECTION)
    with on_commit():
        svc.accept_application(application=application, actor=inspector)
    application.refresh_from_db()

    document = _document(application, DocumentKind.ACCEPTANCE_NOTICE)
    text = _text(document)
    assert "受理通知书" in text
    assert document.number in text
    assert "决定予以受理" in text
    due = application.inspection_due
    assert f"{due.year}年{due.month}月{due.day}日" in text
    assert MASKED in text
    assert PHONE not in text


def test_refusal_to_accept_gives_the_reason_and_the_rights(citizen, inspector, on_commit):
    application = _application(citizen)
    with on_commit():
        svc.refuse_to_accept(
            application=application,
            actor=inspector,
            reason="该场所为工业厂房，不属于公众聚集场所。",
        )

    text = _text(_document(application, DocumentKind.NOT_ACCEPTED))
    assert "不予受理凭证" in text
    assert "该场所为工业厂房，不属于公众聚集场所。" in text
    assert "决定不予受理" in text
    assert "六十日内" in text
    assert "六个月内" in text


def test_rejection_letter_gives_the_reasons_and_the_rights(citizen, inspector, on_commit):
    application = _application(citizen, path=PermitPath.INSPECTION)
    with on_commit():
        svc.accept_application(application=application, actor=inspector)
        svc.record_inspection(
            application=application,
            actor=inspector,
            passed=False,
            findings="二层安全出口被铁栅栏封闭",
        )
        decide(
            application, inspector, outcome="reject", reason="安全出口被封闭，不符合消防安全要求。"
        )

    document = _document(application, DocumentKind.REJECTION)
    text = _text(document)
    assert "不同意投入使用、营业决定书" in text
    assert document.number in text
    assert VENUE in text
    assert "二层安全出口被铁栅栏封闭" in text
    assert "安全出口被封闭，不符合消防安全要求。" in text
    assert "六十日内" in text
    assert "丽水市莲都区人民政府" in text  # the brigade's own reconsideration body (data)
    assert "六个月内" in text
    assert MASKED in text
    assert PHONE not in text


def test_a_false_commitment_leads_to_rectification_then_revocation(
    citizen, inspector, supervisor, on_commit
):
    from lishui_fire.accounts.models import OrgUnit

    OrgUnit.objects.filter(code="LD").update(
        window_address="丽水市莲都区紫金路 66 号",
        opening_hours="工作日 9:00–17:00",
        hotline="0578-2111189",
    )
    application = _application(citizen)
    due = timezone.localdate() + dt.timedelta(days=10)
    with on_commit():
        decide(application, inspector)
        svc.record_verification(
            application=application,
            actor=inspector,
            matches=False,
            findings="承诺设置的自动喷水灭火系统未安装",
            rectification_due=due,
        )
    decision_number = _document(application, DocumentKind.DECISION).number

    rectification = _document(application, DocumentKind.RECTIFICATION)
    text = _text(rectification)
    assert "责令限期改正通知书" in text
    # Asking in person: where the window is, when it is open and whom to call (the brigade's).
    assert "丽水市莲都区紫金路66号" in text  # the text is read with its spaces removed
    assert "工作日9:00–17:00" in text
    assert "0578-2111189" in text
    assert rectification.number in text
    assert "承诺设置的自动喷水灭火系统未安装" in text
    assert f"{due.year}年{due.month}月{due.day}日" in text
    assert decision_number in text
    assert "第五十八条" in text

    application = deadline_passed(application)
    with on_commit():
        failed_recheck(application, inspector)
        svc.revoke_permit(
            application=application,
            actor=supervisor,
            reason="逾期未安装自动喷水灭火系统，复查仍不符合承诺。",
        )
    revocation = _document(application, DocumentKind.REVOCATION)
    text = _text(revocation)
    assert "撤销" in text
    assert "许可决定书" in text
    assert revocation.number in text
    assert "逾期未安装自动喷水灭火系统，复查仍不符合承诺。" in text
    assert "第五十八条第二款" in text
    assert decision_number in text
    assert rectification.number in text
    assert MASKED in text
    assert PHONE not in text
