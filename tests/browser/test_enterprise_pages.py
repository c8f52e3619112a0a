"""The enterprise registry's pages in the portal's layout (issue 9): the list's five filters in a
compact row (three short rows on a 390 px phone, one on a desktop), targets of 44 px, the
record as a two-column grid on a desktop, no sideways scroll."""

from __future__ import annotations

import pytest

from lishui_fire.core.validators import uscc_check_char
from lishui_fire.enterprises.models import Enterprise

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NO_OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth"
# Visible links and buttons of the main content smaller than the given size, by text.
SMALL_TARGETS = """(size) => [...document.querySelectorAll(
    'main a[href], main button, main input:not([type=hidden]), main select')]
  .filter(el => el.offsetParent !== null)
  .filter(el => el.closest('.table-scroll') === null)
  .filter(el => { const r = el.getBoundingClientRect(); return r.height < size; })
  .map(el => (el.textContent || el.name || el.id).trim())"""
# How many distinct rows the filter fields sit in.
FILTER_ROWS = """() => new Set([...document.querySelectorAll('form.filters .field')]
  .map(el => Math.round(el.getBoundingClientRect().top))).size"""


@pytest.fixture
def enterprise(org_units):
    first17 = "91331102000000001"
    return Enterprise.objects.create(
        uscc=first17 + uscc_check_char(first17),
        name="莲都好客宾馆",
        address="丽水市莲都区解放街 1 号",
        brigade=org_units["LD"],
        venue_type="hotel",
        credit_rating="B",
        contact_name="王五",
        contact_phone="13812345678",
    )


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_the_registry_pages_fit_the_screen_with_compact_filters(
    size, page, phone_page, make_user, log_in, enterprise
):
    view = phone_page if size == "phone" else page
    make_user("brigade_supervisor", username="sup1", unit="LD")
    log_in(view, "sup1")

    view.goto("/enterprises/")
    assert view.locator("form.filters .field").count() >= 5
    assert view.evaluate(FILTER_ROWS) <= (3 if size == "phone" else 2)
    assert view.evaluate(NO_OVERFLOW)
    assert view.evaluate(SMALL_TARGETS, 44) == []

    view.goto(f"/enterprises/{enterprise.pk}/")
    facts = view.locator("dl.facts").first
    assert facts.evaluate("el => getComputedStyle(el).display") == "grid"
    columns = facts.evaluate("el => getComputedStyle(el).gridTemplateColumns.split(' ').length")
    assert columns == (1 if size == "phone" else 2)
    assert view.evaluate(NO_OVERFLOW)
    assert view.evaluate(SMALL_TARGETS, 24) == []
