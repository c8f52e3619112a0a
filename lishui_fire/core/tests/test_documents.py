"""Official PDFs: Chinese text (rare characters too) survives, fonts are embedded, ID numbers are
masked, and the renderer reads nothing outside the static files and uploads it is allowed."""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import time
from urllib.parse import unquote

import pytest
from django.template import engines

from lishui_fire.core.documents import (
    DocumentResourceRefused,
    DocumentUrlFetcher,
    pdf_response,
    render_pdf,
    sample_letter_context,
)

RAW_ID = "33110219900101123X"
RARE_NAME = "王𠈌䶮"  # U+2020C (CJK Ext. B) and U+4DAE (Ext. A): real characters in real names


def _tool(name: str) -> str:
    from conftest import skip_or_fail

    path = shutil.which(name)
    if path is None:
        skip_or_fail(f"{name} not found (apt-get install poppler-utils)")
    return path


def pdf_text(pdf: bytes) -> str:
    out = subprocess.run(
        [_tool("pdftotext"), "-enc", "UTF-8", "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
        timeout=60,
    )
    return out.stdout.decode("utf-8")


def pdf_fonts(pdf: bytes, tmp_path) -> list[tuple[str, str]]:
    """(font name, embedded yes/no) for every font pdffonts lists."""
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        [_tool("pdffonts"), str(path)], capture_output=True, check=True, timeout=60, text=True
    )
    rows = []
    for line in out.stdout.splitlines()[2:]:
        # name, type (may contain spaces), encoding, emb, sub, uni, object, generation
        match = re.match(r"^(\S+)\s+.*?\s+(yes|no)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+$", line)
        if match:
            rows.append((match[1], match[2]))
    return rows


@pytest.fixture(scope="module")
def letter_pdf() -> bytes:
    context = sample_letter_context(
        recipient_name=f"张三、{RARE_NAME}", id_number=RAW_ID, phone="13812345678"
    )
    return render_pdf("documents/sample_letter.html", context)


def test_the_chinese_text_and_rare_name_characters_come_back_out_of_the_pdf(letter_pdf):
    text = re.sub(r"\s+", "", pdf_text(letter_pdf))
    assert "丽水市消防救援支队" in text
    assert "丽消告字〔2026〕第0001号" in text
    assert "消防安全告知函" in text
    assert "张三" in text
    assert RARE_NAME in text
    assert "第1页共1页" in text


def test_the_id_number_appears_only_masked(letter_pdf):
    text = re.sub(r"\s+", "", pdf_text(letter_pdf))
    assert RAW_ID not in text
    assert not re.search(r"\d{17}[\dXx]", text)
    assert "331***********123X" in text
    assert "13812345678" not in text
    assert "138****5678" in text


def test_noto_cjk_fonts_are_embedded(letter_pdf, tmp_path):
    fonts = pdf_fonts(letter_pdf, tmp_path)
    cjk = [(name, emb) for name, emb in fonts if "Noto-Serif-CJK-SC" in name]
    assert cjk, fonts
    assert all(emb == "yes" for _, emb in fonts), fonts
    assert any("Noto-Sans-CJK-SC" in name for name, _ in fonts), fonts


def test_a_brigade_issues_under_its_own_name():
    context = sample_letter_context(
        recipient_name="张三", id_number=RAW_ID, issuer="丽水市莲都区消防救援大队"
    )
    text = re.sub(r"\s+", "", pdf_text(render_pdf("documents/sample_letter.html", context)))
    assert "丽水市莲都区消防救援大队" in text


LEAKY_TEMPLATE = """{% extends "documents/letterhead.html" %}
{% block title %}外部资源测试{% endblock %}
{% block body %}
<link rel="stylesheet" href="http://example.com/evil.css">
<link rel="stylesheet" href="file:///etc/passwd">
<p>正文照常生成</p>
<img src="file:///dev/urandom" alt="">
<img src="http://example.com/tracker.png" alt="">
<img src="static:../../../../etc/passwd" alt="">
<img src="media:../../etc/passwd" alt="">
{% endblock %}"""


def test_file_and_http_resources_are_refused_and_the_document_still_renders(
    monkeypatch, caplog, tmp_path
):
    engine = engines["django"]
    template = engine.from_string(LEAKY_TEMPLATE)
    monkeypatch.setattr(
        "lishui_fire.core.documents.render_to_string", lambda name, ctx: template.render(ctx)
    )
    caplog.set_level(logging.WARNING, logger="lishui_fire.core.documents")
    started = time.monotonic()
    pdf = render_pdf("ignored.html", {"issuer": "丽水市消防救援支队"})
    assert (
        time.monotonic() - started < 30
    )  # /dev/urandom would hang forever; example.com would wait
    text = pdf_text(pdf)
    assert "正文照常生成" in re.sub(r"\s+", "", text)
    assert "root:" not in text
    refused = " ".join(r.getMessage() for r in caplog.records)
    for url in (
        "http://example.com/evil.css",
        "file:///etc/passwd",
        "file:///dev/urandom",
        "http://example.com/tracker.png",
        "static:../../../../etc/passwd",
        "media:../../etc/passwd",
    ):
        assert url in refused


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://example.com/",
        "https://example.com/a.css",
        "ftp://example.com/x",
        "static:/etc/passwd",
        "static:css/../../settings.py",
        "media:/etc/passwd",
        "javascript:alert(1)",
    ],
)
def test_the_fetcher_refuses(url):
    with pytest.raises(DocumentResourceRefused):
        DocumentUrlFetcher().fetch(url)


def test_the_fetcher_serves_the_documents_stylesheet_from_static_files():
    response = DocumentUrlFetcher().fetch("static:css/documents.css")
    assert b"Noto Serif CJK SC" in response.read()
    assert response.content_type == "text/css"


def test_the_fetcher_serves_an_upload_through_the_media_scheme(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "a.png").write_bytes(b"\x89PNG fake")
    response = DocumentUrlFetcher().fetch("media:photos/a.png")
    assert response.read() == b"\x89PNG fake"


def test_the_download_keeps_the_chinese_file_name_and_an_ascii_fallback():
    response = pdf_response(b"%PDF-1.7 test", "丽消许字〔2026〕第0001号-决定书.pdf")
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    fallback = re.search(r'filename="([^"]*)"', disposition)[1]
    assert fallback.isascii()
    assert fallback.endswith(".pdf")
    encoded = re.search(r"filename\*=UTF-8''(\S+)", disposition)[1]
    assert unquote(encoded) == "丽消许字〔2026〕第0001号-决定书.pdf"
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize(
    "hostile",
    ['a"; filename="evil.exe', "../../etc/passwd", "line\r\nSet-Cookie: x=1", "决定书\x00.pdf"],
)
def test_a_hostile_file_name_cannot_break_the_header(hostile):
    response = pdf_response(b"%PDF", hostile, inline=True)
    disposition = response["Content-Disposition"]
    assert disposition.startswith("inline; ")
    assert "\r" not in disposition
    assert "\n" not in disposition
    assert disposition.count('"') == 2
    assert "/" not in unquote(re.search(r"filename\*=UTF-8''(\S+)", disposition)[1])
    assert disposition.count("filename=") == 1
    assert re.search(r'filename="[^"]*\.pdf";', disposition)
    assert disposition.endswith(".pdf")
