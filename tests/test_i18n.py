"""The English catalogue is complete and compiled, and pages follow the reader's language."""

from __future__ import annotations

import gettext
import importlib.util
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def _checker():
    spec = importlib.util.spec_from_file_location(
        "check_translations", ROOT / "scripts" / "check_translations.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while building
    spec.loader.exec_module(module)
    return module


def test_every_english_entry_is_translated_and_not_fuzzy():
    assert _checker().problems(PO) == []


def test_the_checker_catches_empty_and_fuzzy_entries(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        '#: a.py:1\nmsgid "已办结"\nmsgstr "Completed"\n\n'
        '#: a.py:2\nmsgid "草稿"\nmsgstr ""\n\n'
        '#: a.py:3\n#, fuzzy, python-format\nmsgid "共 %(n)d 件"\nmsgstr "%(n)d items"\n\n'
        '#: a.py:4\nmsgid "多行"\nmsgstr ""\n"two "\n"lines"\n',
        encoding="utf-8",
    )
    found = _checker().problems(po)
    assert len(found) == 2
    assert "untranslated: '草稿'" in found[0]
    assert "fuzzy: '共 %(n)d 件'" in found[1]


def test_compiled_catalogue_matches_the_po_file():
    """A .po edited without compilemessages would leave English readers with stale text."""
    with MO.open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    entries = [e for e in _checker().parse_po(PO) if e.msgid and not e.obsolete]
    assert entries

    def compiled_text(e):
        if e.msgctxt is not None:
            return compiled.pgettext(e.msgctxt, e.msgid)
        return compiled.gettext(e.msgid)

    stale = [e.msgid for e in entries if compiled_text(e) != e.msgstr[0]]
    assert stale == []


@pytest.mark.django_db
def test_home_page_in_english(client):
    page = client.get(reverse("core:index"), HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert '<html lang="en">' in html
    assert "The eight measures" in html
    assert "Decided on the spot, delivered free + Pre-check booking" in html
    assert "八项举措" not in html


@pytest.mark.django_db
def test_home_page_in_chinese_by_default(client):
    html = client.get(reverse("core:index")).content.decode()
    assert '<html lang="zh-CN">' in html
    assert "八项举措" in html
    assert "即办即送 + 预约体检" in html
    assert "The eight measures" not in html


@pytest.mark.django_db
def test_language_switch_is_a_plain_form_that_sets_the_cookie(client):
    response = client.post(
        reverse("set_language"), {"language": "en", "next": reverse("core:index")}
    )
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "en"
    html = client.get(reverse("core:index"), HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert "The eight measures" in html
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert "八项举措" in client.get(reverse("core:index")).content.decode()


@pytest.mark.django_db
def test_brackets_around_data_follow_the_language(client, make_user):
    """Full-width （） belong to Chinese text; English gets " (…)"."""
    user = make_user("applicant", real_name="王小明")
    client.force_login(user)
    zh = client.get(reverse("permits:mine")).content.decode()
    en = client.get(reverse("permits:mine"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '王小明<span class="role">（申请人）</span>' in zh
    assert '王小明<span class="role"> (Applicant)</span>' in en
