"""Measure 3 end to end in real headless Chromium: 双随机、一公开.

A brigade supervisor writes a spot-check plan, publishes it (the commitment goes public) and
draws it; a citizen, not signed in, opens the public page and verifies the draw; the two drawn
inspectors, on their phones, log the visit and confirm the record; the supervisor publishes the
plan's results and the citizen finds the result on the public page, the enterprise named and no
officer's name in full. Only the registry and the officers' certificates are prepared directly.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from inspections.tests.plans_support import certify

try:
    from playwright.sync_api import expect
except ImportError:  # the ``browser`` fixture then skips (or fails under REQUIRE_SERVICES)
    expect = None

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
NO_OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth"
HOTEL = "丽水市莲都区瓯江明珠大酒店有限公司"


@pytest.fixture
def people(make_user, make_enterprise):
    from lishui_fire.accounts.models import Role

    make_enterprise(name=HOTEL, key_unit=True, venue_type="hotel")
    return {
        "supervisor": make_user(
            Role.BRIGADE_SUPERVISOR, unit="LD", username="ld-lead", real_name="李大队"
        ),
        "officers": [
            certify(make_user(Role.INSPECTOR, unit="LD", username=f"ld-insp{n}", real_name=name))
            for n, name in enumerate(("陈立峰", "周思远"))
        ],
    }


def _click_and_wait(page: Any, locator: Any) -> None:
    with page.expect_navigation():
        locator.click()


def test_publish_draw_verify_visit_and_publish_the_result(new_page, log_in, people, org_units):
    from inspections.models import Inspection, InspectionPlan

    supervisor = new_page()
    citizen = new_page(**PHONE)

    # --- 1. The supervisor writes the plan, publishes it and draws it ------------------------
    log_in(supervisor, "ld-lead")
    supervisor.goto("/inspections/plans/manage/new/")
    today = dt.date.today()
    supervisor.get_by_label(re.compile("^计划名称")).fill("莲都区宾馆饭店双随机抽查")
    supervisor.get_by_label(re.compile("^开始日期")).fill(today.isoformat())
    supervisor.get_by_label(re.compile("^结束日期")).fill(
        (today + dt.timedelta(days=30)).isoformat()
    )
    supervisor.get_by_label("莲都区消防救援大队").check()
    supervisor.get_by_label(re.compile("^人员密集场所的重点单位")).fill("100")
    supervisor.get_by_label(re.compile("^检查事项")).fill("A1|疏散通道是否畅通\n消防设施是否完好")
    _click_and_wait(supervisor, supervisor.get_by_role("button", name="保存草稿"))
    _click_and_wait(supervisor, supervisor.get_by_role("button", name="公开计划"))
    expect(supervisor.get_by_text("抽取承诺（抽取前公开）")).to_be_visible()
    plan = InspectionPlan.objects.get()
    commitment = plan.seed_commitment
    _click_and_wait(supervisor, supervisor.get_by_role("button", name="抽取"))
    expect(supervisor.locator("[aria-labelledby=tbl-plan-draw]")).to_contain_text("抽中 1 家单位")

    # --- 2. A citizen opens the public page and verifies the draw -------------------------------
    citizen.goto("/inspections/plans/")
    _click_and_wait(citizen, citizen.get_by_role("link", name="莲都区宾馆饭店双随机抽查"))
    expect(citizen.locator("body")).to_contain_text(commitment)
    expect(citizen.locator("body")).to_contain_text(HOTEL)
    assert "陈立峰" not in citizen.content()
    assert "周思远" not in citizen.content()
    assert citizen.evaluate(NO_OVERFLOW), "the public plan page scrolls sideways on a phone"
    _click_and_wait(citizen, citizen.get_by_role("button", name="验证抽取结果"))
    expect(citizen.get_by_text("验证通过")).to_be_visible()
    expect(citizen.locator("[aria-labelledby=tbl-verify]")).not_to_contain_text("不一致")

    # --- 3. The two inspectors log the visit on their phones and confirm it ----------------------
    inspection = Inspection.objects.get(plan=plan)
    lead, second = (a.officer for a in inspection.assignments.order_by("-is_lead", "pk"))
    phones = []
    for officer in (lead, second):
        phone = new_page(**PHONE)
        log_in(phone, officer.username)
        phones.append(phone)
    lead_phone = phones[0]
    lead_phone.goto(f"/inspections/visits/{inspection.pk}/log/")
    for radio in lead_phone.locator("input[type=radio][value=pass]").all():
        radio.check()
    lead_phone.locator("input[type=radio][value=no_problem]").check()
    assert lead_phone.evaluate(NO_OVERFLOW), "the visit log scrolls sideways on a phone"
    _click_and_wait(lead_phone, lead_phone.get_by_role("button", name="提交检查记录"))
    for phone in phones:
        phone.goto(f"/inspections/visits/{inspection.pk}/")
        _click_and_wait(phone, phone.get_by_role("button", name="我已核对，确认检查记录"))
    inspection.refresh_from_db()
    assert inspection.visited_at is not None
    assert inspection.result == "no_problem"

    # --- 4. The supervisor publishes the results; the citizen sees the one of the hotel ----------
    supervisor.goto(f"/inspections/plans/manage/{plan.pk}/")
    _click_and_wait(supervisor, supervisor.get_by_role("button", name="公开检查结果"))
    citizen.goto(f"/inspections/plans/{plan.pk}/")
    results = citizen.locator("[aria-labelledby=tbl-plan-results]")
    expect(results).to_contain_text(HOTEL)
    expect(results).to_contain_text("未发现问题")
    assert "陈立峰" not in citizen.content()
    assert "周思远" not in citizen.content()
