"""An administrator enters next year's holiday notice in a real browser: from the admin's year
list to the notice page, corrects the pre-filled stand-in, previews, and publishes."""

from __future__ import annotations

import datetime as dt
import re

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the ``browser`` fixture then skips (or fails under REQUIRE_SERVICES)
    expect = None

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_an_administrator_enters_the_2027_notice(page, log_in, administrator, artifact_path):
    from lishui_fire.core.calendar import add_working_days, year_has_data
    from lishui_fire.core.models import CalendarDay, CalendarYear

    CalendarYear.objects.filter(year=2027).delete()
    CalendarDay.objects.filter(date__year=2027).delete()
    log_in(page, administrator.username)
    page.goto("/admin/core/calendaryear/")
    page.get_by_role("link", name="录入年度节假日安排通知").click()
    expect(page).to_have_url(re.compile(r"/admin/core/calendaryear/enter/"))

    holidays = page.get_by_label("放假")
    expect(holidays).to_have_value(re.compile("2027-02-05 至 2027-02-10 春节"))
    # The notice: Spring Festival 5–13 February, make-up Saturday 20 February.
    holidays.fill(
        holidays.input_value().replace(
            "2027-02-05 至 2027-02-10 春节", "2027-02-05 至 2027-02-13 春节"
        )
    )
    page.get_by_label("调休上班日").fill("2027-02-20 春节调休上班")
    page.get_by_label("依据").fill("国务院办公厅关于2027年部分节假日安排的通知（测试）")
    page.get_by_role("button", name="预览").click()
    expect(page.get_by_text("发布后：全年 247 个工作日（-1）。")).to_be_visible()
    page.screenshot(path=artifact_path("calendar-notice-preview.png"), full_page=True)
    assert not year_has_data(2027)

    page.get_by_role("button", name="发布").click()
    expect(page).to_have_url(re.compile(r"/admin/core/calendaryear/$"))
    expect(page.get_by_text("2027 年节假日安排已发布：全年 247 个工作日")).to_be_visible()
    assert year_has_data(2027)
    assert not add_working_days(dt.date(2027, 1, 29), 10).provisional
