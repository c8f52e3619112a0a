"""Staff on a phone (390×844): the header menu and the staff tables.

Before, the phone header was five wrapped links taking 18% of the screen; now it is the brand and
one toggle, a <details> (no script: the pages carry none), opened and used with the keyboard
alone. On a desk the links show as a row with no toggle. The staff lists lost their status and
due-date columns off the right edge and the slot table was wider than the screen; now each row
is a card at phone width, and the markup is still a table for a screen reader.
"""

from __future__ import annotations

import datetime as dt

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the ``browser`` fixture then skips (or fails under REQUIRE_SERVICES)
    expect = None

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NO_OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth"
HEADER_SHARE = (
    "document.querySelector('.site-header').getBoundingClientRect().height / window.innerHeight"
)


@pytest.fixture
def inspector(make_user):
    return make_user("inspector", "LD", username="ld-insp", real_name="陈监督")


def _focused_text(page) -> str:
    return page.evaluate("document.activeElement.textContent.trim()")


def test_the_phone_header_is_a_menu_opened_and_used_with_the_keyboard(
    phone_page, inspector, log_in, artifact_path
):
    page = phone_page
    log_in(page, "ld-insp")
    page.goto("/permits/today/")
    menu = page.locator("details.nav-menu")
    toggle = menu.locator("summary")
    home = page.get_by_role("link", name="我的工作台")

    # Closed: the brand and one toggle, a small share of the screen, and no sideways scroll.
    expect(toggle).to_be_visible()
    expect(toggle).to_have_text("菜单")
    expect(home).to_be_hidden()
    assert page.evaluate(HEADER_SHARE) < 0.1, page.evaluate(HEADER_SHARE)
    assert page.evaluate(NO_OVERFLOW)
    box = toggle.bounding_box()
    assert box["width"] >= 44
    assert box["height"] >= 44
    page.screenshot(path=str(artifact_path("phone-menu-closed.png")))

    # The keyboard reaches the toggle right after the brand, and Enter opens it.
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")  # the brand
    page.keyboard.press("Tab")
    assert _focused_text(page) == "菜单"
    page.keyboard.press("Enter")
    assert menu.evaluate("el => el.open")
    for name in ("我的工作台", "修改密码"):
        expect(page.get_by_role("link", name=name)).to_be_visible()
    expect(page.get_by_role("button", name="退出")).to_be_visible()
    assert page.evaluate(NO_OVERFLOW)
    page.screenshot(path=str(artifact_path("phone-menu-open.png")))

    # Space closes and opens it again; Tab then walks into its links, Enter follows one.
    page.keyboard.press("Space")
    assert not menu.evaluate("el => el.open")
    page.keyboard.press("Space")
    assert menu.evaluate("el => el.open")
    for _ in range(4):
        page.keyboard.press("Tab")
        if _focused_text(page) == "修改密码":
            break
    else:
        pytest.fail("Tab never reached 修改密码 inside the open menu")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/accounts/password/change/")
    # A new page starts with the menu closed.
    expect(page.locator("details.nav-menu")).not_to_have_attribute("open", "")
    expect(page.get_by_role("link", name="我的工作台")).to_be_hidden()


def test_on_a_desk_the_links_show_as_a_row_without_a_toggle(page, inspector, log_in):
    log_in(page, "ld-insp")
    page.goto("/permits/today/")
    expect(page.locator("details.nav-menu > summary")).to_be_hidden()
    for name in ("我的工作台", "修改密码"):
        expect(page.get_by_role("link", name=name)).to_be_visible()
    expect(page.get_by_role("button", name="退出")).to_be_visible()
    # One row: every link's top within a few pixels of the first one's.
    tops = page.locator(".top-nav li").evaluate_all(
        "items => items.map(li => li.getBoundingClientRect().top)"
    )
    assert max(tops) - min(tops) < 10, tops


# Cells of a staff table that end beyond the table's box (what a phone would scroll to).
OFF_SCREEN_CELLS = """table => [...table.querySelectorAll('tbody td, tbody th')]
  .filter(cell => cell.getBoundingClientRect().right > table.parentElement.getBoundingClientRect().right + 1)
  .map(cell => cell.textContent.trim().slice(0, 20))"""


def test_staff_tables_show_status_and_due_date_on_a_phone_without_scrolling(
    phone_page, inspector, log_in, make_user
):
    from django.utils import timezone

    from permits.models import PermitApplication
    from permits.tests.factories import make_application, make_booking, make_slot

    citizen = make_user("applicant", username="citizen-t", real_name="张三")
    for n in range(3):
        application = make_application(
            citizen, status="submitted", path="inspection", venue_name=f"丽水市莲都区测试场所{n}号"
        )
        PermitApplication.objects.filter(pk=application.pk).update(
            next_due=timezone.localdate() + dt.timedelta(days=n)
        )
        make_booking(citizen, make_slot(inspector, starts_in=dt.timedelta(days=n + 1)))
    page = phone_page
    log_in(page, "ld-insp")

    for url in ("/permits/staff/queue/", "/permits/precheck/staff/slots/"):
        page.goto(url)
        assert page.evaluate(NO_OVERFLOW), url
        table = page.locator("main table").first
        assert table.evaluate(OFF_SCREEN_CELLS) == [], url
        box = page.locator("main .table-scroll").first
        assert box.evaluate("el => el.scrollWidth <= el.clientWidth"), url
        # Still a table to assistive technology: headers, row headings and cells.
        assert page.get_by_role("columnheader").count() >= 4, url
        assert page.get_by_role("rowheader").count() == 3, url
        assert page.get_by_role("cell").count() >= 9, url

    page.goto("/permits/staff/queue/")
    first_row = page.locator("main table tbody tr").first
    expect(first_row.locator("td.st-key").first).to_contain_text("待受理")  # the status
    expect(first_row.locator("td.st-key").last).to_contain_text(f"{timezone.localdate():%Y}")
    for cell in first_row.locator("td.st-key").all():
        expect(cell).to_be_visible()
        box = cell.bounding_box()
        assert box["x"] + box["width"] <= page.viewport_size["width"]


def test_the_inspections_and_registry_lists_fold_into_cards_on_a_phone(
    phone_page, log_in, make_user
):
    """The same cards outside permits (the st-stack rule lives in the kernel's stylesheet): the
    unplanned inspections keep their status and time limit, the registry its grades, on screen."""
    from inspections.services import intake
    from inspections.tests.intake_factories import certify, make_unit, second_officer

    supervisor = make_user("brigade_supervisor", "LD", username="ld-sup", real_name="潘领导")
    certify(second_officer("LD"), second_officer("LD"))
    for _ in range(3):
        intake.open_inspection(
            actor=supervisor, kind="case", enterprise=make_unit("LD"), reason="案件"
        )
    page = phone_page
    log_in(page, "ld-sup")
    for url in ("/inspections/intake/", "/enterprises/"):
        page.goto(url)
        assert page.evaluate(NO_OVERFLOW), url
        table = page.locator("main table").first
        assert table.evaluate(OFF_SCREEN_CELLS) == [], url
        assert page.get_by_role("rowheader").count() == 3, url
        first_row = page.locator("main table tbody tr").first
        keys = first_row.locator("td.st-key")
        assert keys.count() == 2, url
        for cell in keys.all():
            expect(cell).to_be_visible()
            box = cell.bounding_box()
            assert box["x"] + box["width"] <= page.viewport_size["width"], url
