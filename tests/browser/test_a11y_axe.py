"""Every main page of every role, in Chinese and English, at a desk and on a phone: zero axe
violations of WCAG 2.0/2.1 A and AA (and 2.2's 2.5.8 target size), no control under 24×24 px,
no sideways scrolling on a phone, no console error (a CSP violation is one), a language on
``<html>``, a title and one ``<h1>`` as the reader sees them.

The demo world (``manage.py seed_demo``) is seeded and committed once for this module and served
by a live server of the module's own; at the end the database is flushed and the migration-seeded
reference rows are put back, as after any transactional test. The pages come from the crawler
(tests/harness/a11y_crawl.py): each role's landing page and every page linked from there, one
address per URL name. One test goes through every language, size and role, so a failure lists
every page at once.

A page anyone may open (the public pages, the API docs) and the password page look the same to
every signed-in role but for the name in the header, so they are checked signed out and for the
first signed-in role only; ``A11Y_ALL_ROLES=1`` (``make a11y``) checks them for every role too.
"""

from __future__ import annotations

import io
import os
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from tests.browser.a11y import NO_SIDEWAYS_SCROLL, SMALL_TARGETS, axe_violations, with_axe
from tests.browser.conftest import DESKTOP, PHONE
from tests.harness.a11y_crawl import DEMO_PASSWORD, ROLE_USERS, crawl, start_points

pytestmark = [pytest.mark.browser]

LANGS = {"zh-hans": "zh-CN", "en": "en"}  # cookie value → expected <html lang>
ALL_ROLES = os.environ.get("A11Y_ALL_ROLES") == "1"
SAME_FOR_EVERY_SIGNED_IN_ROLE = {"accounts:password_change"}  # and every page anonymous sees
SIZES = {
    "desk": {"viewport": DESKTOP},
    "phone": {"viewport": PHONE, "is_mobile": True, "has_touch": True},
}


@pytest.fixture(scope="module")
def demo_site(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Any]:
    """A live server over the committed demo world; the database is emptied afterwards."""
    from django.core.management import call_command
    from pytest_django.live_server_helper import LiveServer

    from lishui_fire.core.calendar import invalidate_calendar_cache
    from lishui_fire.core.reference_data import ensure_reference_data

    with django_db_blocker.unblock():
        # A transactional test before this module may have left the database flushed (the root
        # conftest puts the brigades back only for tests that ask for a database).
        ensure_reference_data()
        invalidate_calendar_cache()
        call_command("seed_demo", stdout=io.StringIO())
        server = LiveServer("localhost")
        try:
            yield server
        finally:
            server.stop()
            call_command("flush", interactive=False, verbosity=0)
            ensure_reference_data()
            invalidate_calendar_cache()


@pytest.fixture(scope="module")
def role_pages(demo_site: Any) -> dict[str, list[Any]]:
    """role → its pages (crawled with the test client, signed in as the role's demo user)."""
    from lishui_fire.accounts.models import User

    pages = {}
    for role, username in ROLE_USERS.items():
        client = Client()
        if username:
            client.force_login(
                User.objects.get(username=username),
                backend="lishui_fire.accounts.backends.UsernameOrPhoneBackend",
            )
        pages[role] = crawl(client, start_points(role))
    return pages


@pytest.fixture(scope="module")
def signed_in_states(browser: Any, demo_site: Any, tmp_path_factory: Any) -> dict[str, Any]:
    """role → Playwright storage state after signing in through the real form (once per role)."""
    states = {}
    for role, username in ROLE_USERS.items():
        if not username:
            states[role] = None
            continue
        context = browser.new_context(base_url=demo_site.url)
        page = context.new_page()
        page.goto("/accounts/login/")
        page.locator("input[name=username]").fill(username)
        page.locator("input[name=password]").fill(DEMO_PASSWORD)
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
        assert "/accounts/login/" not in page.url, f"{username} could not sign in"
        path = tmp_path_factory.mktemp("states") / f"{role}.json"
        context.storage_state(path=str(path))
        context.close()
        states[role] = str(path)
    return states


def open_checked_page(context: Any) -> tuple[Any, list[str]]:
    """A page of ``context`` and the list its console errors and uncaught exceptions go to."""
    errors: list[str] = []
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return page, errors


def check_page(
    page: Any, errors: list[str], name: str, path: str, lang: str, phone: bool
) -> list[str]:
    """Every problem of the page at ``path``, as the browser renders it."""
    errors.clear()
    response = page.goto(path)
    problems = []
    if response is None or response.status != 200:
        return [f"status {response.status if response else None}"]
    if name == "api-docs":  # Swagger UI draws the operations after fetching the schema
        page.locator(".opblock").first.wait_for(timeout=15_000)
    if page.evaluate("() => document.documentElement.lang") != lang:
        problems.append(f"<html lang> is not {lang}")
    if not page.title().strip():
        problems.append("empty <title>")
    if (h1 := page.locator("h1").count()) != 1:
        problems.append(f"{h1} <h1>")
    problems += axe_violations(page, name)
    problems += [f"target under 24×24: {t}" for t in page.evaluate(SMALL_TARGETS)]
    if phone and not page.evaluate(NO_SIDEWAYS_SCROLL):
        width = page.evaluate("() => document.documentElement.scrollWidth")
        problems.append(f"scrolls sideways: {width}px wide on a {PHONE['width']}px screen")
    problems += [f"console: {e}" for e in errors]
    return problems


def _check_every_page(
    browser: Any,
    site: Any,
    role_pages: dict[str, list[Any]],
    states: dict[str, Any],
    lang: str,
    size: str,
) -> tuple[int, list[str]]:
    failures = []
    checked = 0
    shared = {p.name for p in role_pages["anonymous"]} | SAME_FOR_EVERY_SIGNED_IN_ROLE
    seen_signed_in: set[str] = set()
    for role, pages in role_pages.items():
        if role != "anonymous" and not ALL_ROLES:
            pages = [p for p in pages if p.name not in shared or p.name not in seen_signed_in]
            seen_signed_in |= {p.name for p in pages}
        context = with_axe(
            browser.new_context(base_url=site.url, storage_state=states[role], **SIZES[size])
        )
        context.add_cookies([{"name": "django_language", "value": lang, "url": site.url}])
        context.set_default_timeout(20_000)
        page, errors = open_checked_page(context)
        try:
            for item in pages:
                try:
                    problems = check_page(
                        page, errors, item.name, item.path, LANGS[lang], size == "phone"
                    )
                except Exception as exc:  # a page that times out must not hide the others
                    problems = [f"{type(exc).__name__}: {str(exc).splitlines()[0]}"]
                checked += 1
                where = f"{lang} {size} {role} {item.path} ({item.name})"
                failures += [f"{where}: {p}" for p in problems]
        finally:
            context.close()
    return checked, failures


# transaction=True: the live server's threads must see the committed demo world and must never
# wait for a transaction held open by the test (SQLite locks the whole file). One test for every
# language and size, because a transactional test empties the database when it ends.
@pytest.mark.django_db(transaction=True)
def test_every_main_page_of_every_role_passes_axe(browser, demo_site, role_pages, signed_in_states):
    failures = []
    for lang in LANGS:
        for size in SIZES:
            started = time.monotonic()
            checked, found = _check_every_page(
                browser, demo_site, role_pages, signed_in_states, lang, size
            )
            elapsed = time.monotonic() - started
            print(f"axe {lang} {size}: {checked} pages in {elapsed:.1f}s")  # noqa: T201
            assert checked >= 90, f"the crawl found only {checked} pages ({lang} {size})"
            failures += found
    assert not failures, f"{len(failures)} problem(s):\n" + "\n".join(failures)
