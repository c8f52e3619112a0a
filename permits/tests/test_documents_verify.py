"""Anyone holding a paper letter checks it is genuine: the letter prints its verification code, the
address and a QR code of that address; the public page and the API answer with number, kind, issue
date, issuing brigade, masked party and the PDF's SHA-256, or "not found" without saying which
part was wrong; no login, and look-ups are rate-limited."""

from __future__ import annotations

import datetime as dt
import io
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import segno
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from lishui_fire.core import documents as kernel
from permits.models import DocumentKind, PermitDocument, PrecheckNotice
from permits.services import prechecks
from permits.tests.factories import decide

from .factories import make_application, make_booking, make_slot
from .pdftext import pdf_text

pytestmark = pytest.mark.django_db

UNIT = "丽水市好运来餐饮管理有限公司"
PAGE = "core:verify_document"
API = "/api/v1/documents/verify/"


@pytest.fixture(autouse=True)
def _fresh(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PORTAL_BASE_URL = "https://portal.example.org"
    cache.clear()  # the rate limit counts in the cache
    yield
    cache.clear()


@pytest.fixture
def decision(citizen, inspector, django_capture_on_commit_callbacks) -> PermitDocument:
    application = make_application(citizen, status="submitted", unit_name=UNIT)
    with django_capture_on_commit_callbacks(execute=True):
        decide(application, inspector)
    return PermitDocument.objects.get(application=application, kind=DocumentKind.DECISION)


def _pdf(document) -> bytes:
    with document.file.open("rb") as handle:
        return handle.read()


def _link_uris(pdf: bytes) -> list[str]:
    uris = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action is not None and "/URI" in action:
                uris.append(str(action["/URI"]))
    return uris


# --- The letter ------------------------------------------------------------------------------------
def test_the_letter_prints_its_code_and_the_verification_address(decision):
    text = pdf_text(_pdf(decision))
    assert f"验证码：{decision.verification_code_display}" in text
    assert "https://portal.example.org/documents/verify/" in text
    # The QR code is a link to the page with number and code filled in.
    url = kernel.verification_url(decision)
    assert url in _link_uris(_pdf(decision))
    query = parse_qs(urlsplit(url).query)
    assert query == {"number": [decision.number], "code": [decision.verification_code]}


def test_the_qr_code_encodes_the_verification_address(decision):
    context = kernel.verification_context(decision)
    expected = segno.make(kernel.verification_url(decision), error="m")
    assert context["verification_qr"] == expected.svg_data_uri(scale=4, border=2)
    assert context["verification_qr"].startswith("data:image/svg+xml")


def test_each_notice_version_is_a_document_with_its_own_code(
    citizen, inspector, supervisor, django_capture_on_commit_callbacks
):
    slot = make_slot(inspector, starts_in=-dt.timedelta(hours=1))
    booking = make_booking(citizen, slot, status="in_progress", arrived_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        prechecks.issue_notice(booking=booking, actor=inspector)
    amendment = prechecks.request_amendment(booking=booking, actor=inspector, reason="漏记一项")
    prechecks.add_finding(
        booking=booking,
        actor=inspector,
        item="燃气报警缺失",
        location="后厨",
        regulation="GB50028",
        remedy="加装",
        amendment=amendment,
    )
    with django_capture_on_commit_callbacks(execute=True):
        prechecks.decide_amendment(amendment=amendment, actor=supervisor, approve=True)

    first, second = PrecheckNotice.objects.filter(booking=booking).order_by("version")
    assert first.number == second.number == booking.notice_number
    assert first.verification_code != second.verification_code
    assert first.file
    assert second.file
    assert first.sha256 != second.sha256
    assert f"验证码：{second.verification_code_display}" in pdf_text(_pdf(second))
    assert "燃气报警缺失" not in pdf_text(_pdf(first))
    # A paper copy of either version still checks out; the second says which version it is.
    for notice in (first, second):
        response = Client().get(API, {"number": notice.number, "code": notice.verification_code})
        assert response.status_code == 200
        assert response.json()["sha256"] == notice.sha256
    assert (
        "第 2 版"
        in Client()
        .get(API, {"number": second.number, "code": second.verification_code})
        .json()["kind_display"]
    )


# --- The public page -----------------------------------------------------------------------------------
def test_the_page_confirms_a_genuine_letter_without_a_login(decision):
    response = Client().get(
        reverse(PAGE), {"number": decision.number, "code": decision.verification_code}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("<h1") == 1
    assert "该文书为我单位出具" in page
    assert decision.number in page
    assert "公众聚集场所投入使用、营业前消防安全检查意见书" in page
    assert decision.sha256 in page
    assert timezone.localdate(decision.issued_at).isoformat() in page
    assert "莲都" in page
    assert kernel.mask_party(UNIT) in page
    assert UNIT not in page


def test_the_page_accepts_the_code_as_people_type_it(decision):
    typed = decision.verification_code_display.lower().replace("-", " - ")
    response = Client().get(reverse(PAGE), {"number": f" {decision.number} ", "code": typed})
    assert response.status_code == 200
    assert decision.sha256 in response.content.decode()


def test_a_wrong_code_or_number_is_not_found_without_saying_which(decision):
    wrong_code = "2" * 8 if decision.verification_code != "2" * 8 else "3" * 8
    answers = []
    for number, code in (
        (decision.number, wrong_code),
        (decision.number.replace("0001", "0002"), decision.verification_code),
    ):
        response = Client().get(reverse(PAGE), {"number": number, "code": code})
        assert response.status_code == 404
        page = response.content.decode()
        assert "未找到与该文书编号和验证码相符的文书" in page
        assert decision.sha256 not in page
        answers.append(re.findall(r'role="alert">(.*?)</div>', page, re.S))
    assert answers[0] == answers[1]
    assert len(answers[0]) == 1


def test_the_empty_page_shows_the_form(client):
    response = client.get(reverse(PAGE))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="number"' in page
    assert 'name="code"' in page
    assert "未找到" not in page


def test_the_page_is_rate_limited(decision, settings):
    settings.DOCUMENT_VERIFY_RATE = "3/min"
    query = {"number": decision.number, "code": "2" * 8}
    statuses = [Client().get(reverse(PAGE), query).status_code for _i in range(4)]
    assert statuses == [404, 404, 404, 429]
    # Even the right pair waits: the limit is on look-ups, not on failures.
    right = {"number": decision.number, "code": decision.verification_code}
    response = Client().get(reverse(PAGE), right)
    assert response.status_code == 429
    assert "查询过于频繁" in response.content.decode()


# --- The API ---------------------------------------------------------------------------------------------
def test_the_api_answers_for_a_genuine_letter_without_a_login(decision):
    response = Client().get(API, {"number": decision.number, "code": decision.verification_code})
    assert response.status_code == 200
    data = response.json()
    assert data == {
        "genuine": True,
        "kind": "decision",
        "kind_display": "公众聚集场所投入使用、营业前消防安全检查意见书",
        "number": decision.number,
        "issued_at": data["issued_at"],
        "brigade": decision.brigade.name_zh,
        "party": kernel.mask_party(UNIT),
        "sha256": decision.sha256,
    }
    assert dt.datetime.fromisoformat(data["issued_at"]) == decision.issued_at
    assert UNIT not in response.content.decode()


def test_the_api_says_not_found_for_a_wrong_pair(decision):
    for query in (
        {"number": decision.number, "code": "2" * 8},
        {"number": "丽莲消检字〔2026〕第9999号", "code": decision.verification_code},
    ):
        response = Client().get(API, query)
        assert response.status_code == 404
        assert response.json() == {
            "detail": "未找到与该文书编号和验证码相符的文书，请核对后重试。",
            "genuine": False,
        }


@pytest.mark.parametrize("query", [{}, {"number": "x"}, {"code": "ABCDEFGH"}])
def test_the_api_needs_both_number_and_code(query):
    response = Client().get(API, query)
    assert response.status_code == 400
    missing = {"number", "code"} - set(query)
    assert set(response.json()) >= missing


def test_the_api_is_rate_limited(decision, settings):
    settings.DOCUMENT_VERIFY_RATE = "2/min"
    query = {"number": decision.number, "code": decision.verification_code}
    statuses = [Client().get(API, query).status_code for _i in range(3)]
    assert statuses == [200, 200, 429]


def test_a_letter_not_yet_rendered_is_genuine_without_a_digest(
    citizen, inspector, django_capture_on_commit_callbacks
):
    application = make_application(citizen, status="submitted", unit_name=UNIT)
    with django_capture_on_commit_callbacks(execute=False):
        decide(application, inspector)
    document = PermitDocument.objects.get(application=application, kind=DocumentKind.DECISION)
    response = Client().get(API, {"number": document.number, "code": document.verification_code})
    assert response.status_code == 200
    assert response.json()["sha256"] == ""


def test_the_applicant_sees_each_letters_code_on_the_application_page(decision, citizen, client):
    client.force_login(citizen)
    page = client.get(reverse("permits:my_application", args=[decision.application_id]))
    assert page.status_code == 200
    assert decision.verification_code_display in page.content.decode()
