"""Every main page of every role, through the Django test client (cheap; the browser's checks are
in tests/browser/test_a11y_axe.py): one ``<h1>``, a ``<title>``, ``<html lang>`` of the reader's
language, in Chinese and in English; and no Chinese program text on an English page.

The pages come from the crawler (tests/harness/a11y_crawl.py) over the demo world, up to three
addresses per URL name here (a detail page in several states), signed in as each demo role.

English pages: Chinese that the portal's code contains unmarked for translation fails the test
(it can never be translated). Chinese marked for translation but not yet in the English
catalogue is listed as a skip reason — the English catalogue is filled by ``makemessages`` and a
translator (the lead) — and becomes a failure of test_i18n's catalogue check once
``makemessages`` has added it with an empty translation.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from tests.harness.a11y_crawl import (
    ROLE_USERS,
    chinese_runs,
    crawl,
    start_points,
    structure_problems,
    untranslated,
)

ROOT = Path(settings.BASE_DIR)
PO = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
LANGS = {"zh-hans": "zh-CN", "en": "en"}


def _client(role: str, language: str) -> Client:
    from lishui_fire.accounts.models import User

    client = Client()
    client.cookies["django_language"] = language
    username = ROLE_USERS[role]
    if username:
        client.force_login(
            User.objects.get(username=username),
            backend="lishui_fire.accounts.backends.UsernameOrPhoneBackend",
        )
    return client


@pytest.fixture(scope="module")
def crawled(demo_world: Any, django_db_blocker: Any) -> dict[tuple[str, str], list[Any]]:
    """(role, language) → pages; crawled once for the module, inside the demo world."""
    with django_db_blocker.unblock():
        return {
            (role, language): crawl(_client(role, language), start_points(role), per_name=3)
            for role in ROLE_USERS
            for language in LANGS
        }


@pytest.mark.django_db
def test_the_crawl_reaches_every_roles_main_pages(crawled):
    names = {role: {p.name for p in crawled[(role, "zh-hans")]} for role in ROLE_USERS}
    assert {"core:index", "accounts:login", "api-docs"} <= names["anonymous"]
    assert {"permits:mine", "permits:precheck_slots", "permits:precheck_book"} <= names["applicant"]
    assert {"permits:today", "permits:queue", "permits:staff_application"} <= names["inspector"]
    assert {"core:overview", "enterprises:list"} <= names["brigade_supervisor"]
    assert "enterprises:imports" in names["administrator"]
    # Nobody's crawl wanders into pages their role may not open (they answer 403/404).
    assert "enterprises:list" not in names["applicant"]
    assert "permits:queue" not in names["discipline_officer"]
    total = sum(len(pages) for pages in crawled.values())
    assert total >= 250, total


@pytest.mark.django_db
@pytest.mark.parametrize("language", list(LANGS))
def test_every_page_has_one_h1_a_title_and_the_readers_language(crawled, language):
    offenders = []
    for role in ROLE_USERS:
        for page in crawled[(role, language)]:
            if page.name == "api-docs":
                # Swagger UI draws its <h1> (the API's title) in the browser: checked there.
                problems = [
                    p for p in structure_problems(page.html, LANGS[language]) if "h1" not in p
                ]
            else:
                problems = structure_problems(page.html, LANGS[language])
            offenders += [f"{role} {page.path} ({page.name}): {p}" for p in problems]
    assert not offenders, "\n".join(offenders)


def _catalogue() -> set[str]:
    from tests.test_i18n import _checker

    return {e.msgid for e in _checker().parse_po(PO) if e.msgid and all(e.msgstr.values())}


@pytest.mark.django_db
def test_english_pages_show_no_chinese_program_text(crawled):
    pages = [
        (f"{role} {page.path}", page.html) for role in ROLE_USERS for page in crawled[(role, "en")]
    ]
    found = untranslated(pages, ROOT, _catalogue())

    def listing(runs: dict[str, set[str]]) -> str:
        return "\n".join(
            f"  {run!r} on {', '.join(sorted(where)[:3])}" for run, where in sorted(runs.items())
        )

    assert not found.unmarked, (
        "Chinese on English pages that the code never marks for translation "
        "(wrap it in gettext / {% translate %}):\n" + listing(found.unmarked)
    )
    if found.pending:
        pytest.skip(
            f"{len(found.pending)} string(s) marked for translation await the English catalogue "
            "(makemessages, then translate):\n" + listing(found.pending)
        )


def test_the_english_check_tells_data_from_program_text(tmp_path):
    """The classifier itself: data passes, unmarked and pending program text are reported."""
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "t.html").write_text(
        '{% load i18n %}<h1>{% translate "已翻译" %}</h1><p>{% translate "待翻译" %}</p>'
        "<p>忘了标记</p>",
        encoding="utf-8",
    )
    html = (
        '<html lang="en"><title>T</title><h1>Translated</h1><p>待翻译</p><p>忘了标记</p>'
        '<p>丽水星光娱乐有限公司</p><button lang="zh-CN">中文</button></html>'
    )
    assert set(chinese_runs(html)) == {"待翻译", "忘了标记", "丽水星光娱乐有限公司"}
    found = untranslated([("/x/", html)], tmp_path, catalogue={"已翻译"})
    assert set(found.pending) == {"待翻译"}
    assert set(found.unmarked) == {"忘了标记"}


@pytest.mark.django_db
def test_api_docs_need_no_inline_script(client):
    """/api/docs/ under the strict CSP: Swagger UI's set-up is a same-origin file (?script)."""
    html = client.get("/api/docs/").content.decode()
    assert "<script>" not in html
    assert "<style" not in html
    assert 'src="/api/docs/?script=' in html
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle(" in script.content.decode()
    assert "script-src 'self'" in script["Content-Security-Policy"]
