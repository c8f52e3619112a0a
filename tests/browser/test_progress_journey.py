"""A visitor on a phone looks up a case's progress without an account (issue 9): home page →
进度查询 → reference and phone → the SMS code (read from the test outbox) → the progress, with
the brigade's number as a tel: link."""

from __future__ import annotations

import re

import pytest

from lishui_fire.accounts.models import OrgUnit
from lishui_fire.core import sms
from permits.tests.factories import make_application

try:
    from playwright.sync_api import expect
except ImportError:  # the ``browser`` fixture then skips (or fails under REQUIRE_SERVICES)
    expect = None

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NO_OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth"
PHONE = "13857812345"


def test_a_visitor_on_a_phone_looks_up_her_case_with_an_sms_code(phone_page, make_user, settings):
    settings.SMS_BACKEND = "lishui_fire.core.sms.LocmemSmsBackend"
    sms.outbox.clear()
    brigade = OrgUnit.objects.get(code="QT")
    brigade.hotline = "0578-6821119"
    brigade.save()
    case = make_application(
        make_user("applicant", username="owner1"),
        brigade="QT",
        status="submitted",
        contact_phone=PHONE,
    )
    page = phone_page

    page.goto("/")
    tile = page.locator("ul.tasks a.task", has_text="进度查询")
    box = tile.bounding_box()
    assert box is not None
    assert box["width"] >= 44
    assert box["height"] >= 44
    # One tap: the tile is on the first screen of a 390 × 844 phone.
    assert box["y"] + box["height"] <= 844
    assert page.evaluate(NO_OVERFLOW)
    tile.tap()

    expect(page.locator("h1")).to_have_text("办件进度查询")
    page.get_by_label("申请编号").fill(case.reference)
    page.get_by_label("手机号码").fill(PHONE)
    page.get_by_role("button", name="获取短信验证码").tap()

    expect(page.locator("h1")).to_have_text("输入短信验证码")
    assert [m.to for m in sms.outbox] == [PHONE]
    code = re.search(r"验证码 (\d+)", sms.outbox[-1].body).group(1)
    page.get_by_label("短信验证码").fill(code)
    page.get_by_role("button", name="查看办理进度").tap()

    expect(page.locator("h1")).to_have_text("办理进度")
    expect(page.locator(".progress-status")).to_have_text("已提交，待受理")
    expect(page.get_by_text("138****2345")).to_be_visible()
    tel = page.locator("main a[href='tel:05786821119']")
    expect(tel).to_be_visible()
    assert page.evaluate(NO_OVERFLOW)
    assert PHONE not in page.content()
    sms.outbox.clear()
