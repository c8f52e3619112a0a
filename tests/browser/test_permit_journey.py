"""Measure 2 end to end in real headless Chromium (issue 3).

An applicant books a pre-check; the inspector — on a phone, at the venue — records the arrival and
two problems (one with a photo) and issues the one-time notice; the applicant downloads the
notice, applies on the commitment path through the wizard (starting from the booked venue, the
signed commitment counting as the letter, free mailing and the pre-check chosen before
submitting: ADR 0029); the inspector proposes the grant, and the brigade supervisor finds it on
the overview and the page of proposals waiting (ADR 0034) and approves it (ADR 0025); the
applicant follows the timeline and downloads the decision letter.

The whole journey runs twice: with the applicant at a desk and with every actor on a phone, where
no page may scroll sideways. Each actor has a browser context of their own (own cookies). Only the
slot is prepared directly, through the publishing service: the rest is clicks and keystrokes.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone

from permits.tests.factories import pdf_bytes, png_bytes, valid_uscc
from permits.tests.pdftext import pdf_text

try:
    from playwright.sync_api import expect
except ImportError:  # the ``browser`` fixture then skips (or fails under REQUIRE_SERVICES)
    expect = None

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NO_OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth"
# Visible controls smaller than 24×24 CSS px (WCAG 2.5.8), except links inside a sentence.
SMALL_TARGETS = """() => [...document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, summary')]
  .filter(el => el.offsetParent !== null && !el.classList.contains('skip-link'))
  .filter(el => getComputedStyle(el).display !== 'inline')
  .filter(el => { const r = el.getBoundingClientRect(); return r.width < 24 || r.height < 24; })
  .map(el => el.tagName + ' ' + (el.textContent || el.name || el.id).trim().slice(0, 20))"""
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}

VENUE = "丽水市莲都区星光歌舞娱乐有限公司"
ADDRESS = "丽水市莲都区丽阳街 128 号"
UNIT = "丽水星光娱乐有限公司"
APPLICANT_PHONE = "13957801234"
FINDINGS = [
    {
        "问题": "安全出口被货物堵塞",
        "部位": "一层东侧安全出口",
        "违反的规定": "《中华人民共和国消防法》第二十八条",
        "整改建议": "立即清除堵塞物，保持安全出口畅通",
    },
    {
        "问题": "应急照明灯不亮",
        "部位": "二层走道",
        "违反的规定": "GB 51309-2018 第 3.2.1 条",
        "整改建议": "更换蓄电池并逐一试验",
    },
]


@pytest.fixture
def people(make_user):
    from lishui_fire.accounts.models import Role

    return {
        "applicant": make_user(
            Role.APPLICANT, username="citizen1", real_name="王小明", phone=APPLICANT_PHONE
        ),
        "inspector": make_user(Role.INSPECTOR, unit="LD", username="ld-insp", real_name="陈监督"),
        "supervisor": make_user(
            Role.BRIGADE_SUPERVISOR, unit="LD", username="ld-lead", real_name="李大队"
        ),
    }


@pytest.fixture
def slot(people, org_units):
    """A slot starting in 90 minutes: bookable now, and the inspector, already there, may record
    arrival (from two hours before the start)."""
    from permits.services import prechecks

    starts = (timezone.now() + dt.timedelta(minutes=90)).replace(second=0, microsecond=0)
    return prechecks.publish_slot(
        actor=people["inspector"],
        brigade=org_units["LD"],
        inspector=people["inspector"],
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=1),
        capacity=1,
    )


def _check_layout(page: Any, phone: bool) -> None:
    """On a phone nothing may need sideways scrolling; on every page one h1 names it."""
    expect(page.locator("h1")).to_have_count(1)
    if phone:
        assert page.evaluate(NO_OVERFLOW), f"horizontal overflow on {page.url}"
        assert page.evaluate(SMALL_TARGETS) == [], f"targets too small to tap on {page.url}"


def _click_and_wait(page: Any, locator: Any) -> None:
    with page.expect_navigation():
        locator.click()


def _download(page: Any, locator: Any) -> tuple[str, bytes]:
    with page.expect_download() as info:
        locator.click()
    download = info.value
    with open(download.path(), "rb") as handle:
        return download.suggested_filename, handle.read()


def _action(page: Any, title: str) -> Any:
    """The action form (a disclosure on the staff page) whose summary is exactly ``title``."""
    return page.locator("details.st-action").filter(
        has=page.locator("summary", has_text=re.compile(rf"^{re.escape(title)}$"))
    )


def _open(action: Any) -> None:
    if not action.evaluate("el => el.open"):
        action.locator("summary").click()


def _label(page: Any, text: str) -> Any:
    """The field whose label is exactly ``text`` (the required marker "*" aside)."""
    return page.get_by_label(re.compile(rf"^{re.escape(text)}(\s*\*)?$"))


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_precheck_notice_commitment_permit_and_decision_letter(
    device, new_page, log_in, people, slot, org_units, settings, tmp_path
):
    from permits.models import BookingStatus, PermitApplication, PrecheckBooking

    settings.MEDIA_ROOT = tmp_path / "media"
    phone = device == "phone"
    options = PHONE if phone else {}
    applicant = new_page(**options)
    # The inspector works from a phone at the venue in both runs.
    inspector = new_page(**PHONE)
    supervisor = new_page(**options)

    # --- 1. The applicant finds a free slot in Liandu and books it ------------------------------
    log_in(applicant, "citizen1")
    applicant.goto("/permits/precheck/?brigade=LD")
    _check_layout(applicant, phone)
    start, end = timezone.localtime(slot.starts_at), timezone.localtime(slot.ends_at)
    slot_card = applicant.locator(".pc-slot").filter(has_text=f"{start:%H:%M}–{end:%H:%M}")
    expect(slot_card).to_have_count(1)
    expect(slot_card).to_contain_text("陈*")  # the public sees a masked name
    expect(slot_card).not_to_contain_text("陈监督")
    expect(slot_card).to_contain_text("剩余 1 个名额")
    _click_and_wait(applicant, slot_card.get_by_role("link", name=re.compile("^预约")))
    _check_layout(applicant, phone)
    # Where the venue is (ADR 0027): her account names no county, so she says so.
    _label(applicant, "场所所在县（市、区）").select_option(str(org_units["LD"].pk))
    _label(applicant, "场所名称").fill(VENUE)
    _label(applicant, "场所地址").fill(ADDRESS)
    _label(applicant, "场所类型").select_option("dance")
    _label(applicant, "联系手机").fill("139 5780 1234")  # typed as on a phone keypad
    _click_and_wait(applicant, applicant.get_by_role("button", name="确认预约"))
    expect(applicant.locator("main")).to_contain_text(VENUE)
    _check_layout(applicant, phone)
    booking = PrecheckBooking.objects.get(applicant=people["applicant"])
    assert booking.status == BookingStatus.BOOKED
    assert booking.contact_phone == APPLICANT_PHONE
    slot.refresh_from_db()
    assert slot.remaining == 0

    # --- 2. The inspector, on a phone, opens the day's list and the booking --------------------
    log_in(inspector, "ld-insp")
    inspector.goto(f"/permits/today/?date={start:%Y-%m-%d}")
    _check_layout(inspector, True)
    _click_and_wait(inspector, inspector.get_by_role("link", name=VENUE))
    _check_layout(inspector, True)
    # No finding before arrival: the form is not offered yet.
    expect(inspector.get_by_role("button", name="保存问题")).to_have_count(0)
    _click_and_wait(inspector, inspector.get_by_role("button", name="记录到场"))
    expect(inspector.locator(".pc-status")).to_contain_text("准时")

    for n, finding in enumerate(FINDINGS):
        for label, value in finding.items():
            _label(inspector, label).fill(value)
        if n == 0:
            _label(inspector, "照片").set_input_files(
                {"name": "exit.png", "mimeType": "image/png", "buffer": png_bytes()}
            )
        _click_and_wait(inspector, inspector.get_by_role("button", name="保存问题"))
        _check_layout(inspector, True)
        expect(inspector.locator("main")).to_contain_text(finding["问题"])
    expect(inspector.get_by_role("heading", name="发现的问题（2 项）")).to_be_visible()

    # Issuing asks for confirmation and lists everything that will be in the notice.
    _click_and_wait(inspector, inspector.get_by_role("link", name="出具一次性告知书"))
    _check_layout(inspector, True)
    expect(inspector.get_by_role("heading", name="共 2 个问题")).to_be_visible()
    _click_and_wait(inspector, inspector.get_by_role("button", name="确认出具"))
    expect(inspector.get_by_role("heading", name="一次性告知书")).to_be_visible()
    # Final: no more findings can be added once issued.
    expect(inspector.get_by_role("button", name="保存问题")).to_have_count(0)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.NOTICE_ISSUED
    assert booking.findings.count() == 2

    # --- 3. The applicant downloads the one-time notice -----------------------------------------
    applicant.goto("/permits/precheck/mine/")
    _check_layout(applicant, phone)
    _click_and_wait(applicant, applicant.get_by_role("link", name=VENUE).first)
    _check_layout(applicant, phone)
    name, pdf = _download(applicant, applicant.get_by_role("link", name="下载一次性告知书（PDF）"))
    assert name.endswith(".pdf")
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    for expected in (VENUE, booking.notice_number, "安全出口被货物堵塞", "应急照明灯不亮"):
        assert re.sub(r"\s+", "", expected) in text
    assert "139****1234" in text
    assert APPLICANT_PHONE not in text

    # --- 4. The applicant applies on the commitment path --------------------------------------
    applicant.goto("/permits/mine/")
    _check_layout(applicant, phone)
    _click_and_wait(applicant, applicant.get_by_role("link", name="新建消防安全检查申请"))
    _check_layout(applicant, phone)
    # Her pre-check booking already says where the venue is: the wizard offers it.
    _click_and_wait(applicant, applicant.get_by_role("link", name=f"使用“{VENUE}”"))
    _check_layout(applicant, phone)
    expect(_label(applicant, "场所名称")).to_have_value(VENUE)
    expect(_label(applicant, "场所地址")).to_have_value(ADDRESS)
    expect(_label(applicant, "所在县（市、区）")).to_have_value(str(org_units["LD"].pk))
    expect(_label(applicant, "场所类型")).to_have_value("dance")
    _label(applicant, "使用面积（平方米）").fill("860.5")
    _label(applicant, "容纳人数").fill("300")
    _label(applicant, "使用楼层").fill("1-2 层")
    opening = timezone.localdate() + dt.timedelta(days=30)
    _label(applicant, "拟开业日期").fill(opening.isoformat())
    _click_and_wait(applicant, applicant.get_by_role("button", name="保存并继续"))

    _check_layout(applicant, phone)
    _label(applicant, "申请单位名称").fill(UNIT)
    _label(applicant, "统一社会信用代码").fill(valid_uscc(7).lower())  # normalised to upper case
    _label(applicant, "法定代表人/主要负责人").fill("王小明")
    _label(applicant, "联系人").fill("王小明")
    _label(applicant, "联系电话").fill(APPLICANT_PHONE)
    _click_and_wait(applicant, applicant.get_by_role("button", name="保存并继续"))

    _check_layout(applicant, phone)
    applicant.get_by_role("radio", name="告知承诺", exact=True).check()
    _click_and_wait(applicant, applicant.get_by_role("button", name="保存并继续"))

    _check_layout(applicant, phone)
    _label(applicant, "承诺人姓名").fill("王小明")
    applicant.get_by_role("checkbox").check()
    _click_and_wait(applicant, applicant.get_by_role("button", name="签署承诺书"))

    # The letter she has just signed is the commitment material: not asked for again, and the
    # type offered is the one still missing, before and after each upload.
    _check_layout(applicant, phone)
    expect(applicant.locator(".ap-checklist")).to_contain_text("已在线签署，无需上传")
    kind = _label(applicant, "材料类型")
    expect(kind.locator("option[value=commitment_letter]")).to_have_count(0)
    expect(kind).to_have_value("business_licence")
    for filename in ("营业执照.pdf", "消防安全制度.pdf"):
        _label(applicant, "选择文件").set_input_files(
            {"name": filename, "mimeType": "application/pdf", "buffer": pdf_bytes(filename)}
        )
        _click_and_wait(applicant, applicant.get_by_role("button", name="上传", exact=True))
        expect(applicant.get_by_role("link", name=filename).first).to_be_visible()
        expect(kind).to_have_value("other")  # nothing required is missing any more
    _click_and_wait(applicant, applicant.get_by_role("link", name="下一步：送达方式与预约体检"))

    # Free mailing and her pre-check, before submitting, on the first screen of a phone.
    _check_layout(applicant, phone)
    method = _label(applicant, "送达方式")
    linked = _label(applicant, "我的预约体检")
    for control in (method, linked):
        box = control.bounding_box()
        assert box["y"] + box["height"] <= applicant.viewport_size["height"], control
    expect(linked).to_have_value(str(booking.pk))  # linked when the venue was taken from it
    expect(applicant.get_by_role("link", name=re.compile("体检结果和整改情况"))).to_be_visible()
    method.select_option("mail")
    expect(_label(applicant, "收件人")).to_have_value("王小明")
    expect(_label(applicant, "邮寄地址")).to_have_value(ADDRESS)
    _label(applicant, "收件电话").fill(APPLICANT_PHONE)
    _click_and_wait(applicant, applicant.get_by_role("button", name="保存并继续"))

    _check_layout(applicant, phone)
    expect(applicant.locator("main")).to_contain_text("信息和材料已齐全")
    expect(applicant.locator("main")).to_contain_text("免费邮寄")
    _click_and_wait(applicant, applicant.get_by_role("button", name="提交申请"))
    _check_layout(applicant, phone)

    application = PermitApplication.objects.get(applicant=people["applicant"])
    assert application.status == "submitted"
    assert application.unit_uscc == valid_uscc(7)
    expect(applicant.locator("main")).to_contain_text(application.reference)
    # The pre-check is linked, so the brigade sees what was found before; the letters go by mail.
    assert application.precheck_id == booking.pk
    assert application.delivery.method == "mail"
    assert application.delivery.address == ADDRESS

    # --- 5. The inspector proposes the grant; the supervisor finds it waiting, approves (即办) ---
    inspector.goto("/permits/staff/queue/")
    _check_layout(inspector, True)
    row = inspector.locator("tr").filter(has_text=VENUE)
    expect(row).to_have_count(1)
    _click_and_wait(inspector, row.get_by_role("link", name=application.reference))
    _check_layout(inspector, True)
    expect(inspector.locator("main")).to_contain_text("安全出口被货物堵塞")  # the pre-check
    # An inspector alone does not grant (ADR 0025): only the proposal is offered.
    expect(_action(inspector, "准予许可")).to_have_count(0)
    propose = _action(inspector, "提出拟办意见（报大队领导审批）")
    _open(propose)
    propose.get_by_role("radio", name="准予许可").check()
    propose.get_by_label(re.compile("^理由")).fill("材料齐全，符合法定形式，建议当场许可。")
    _click_and_wait(inspector, propose.get_by_role("button", name=re.compile("^提出拟办意见")))
    expect(inspector.locator("body")).to_contain_text("拟办意见已提交，等待大队领导审批。")
    application.refresh_from_db()
    assert application.status == "submitted"  # proposing decides nothing yet
    # Her own proposals, from the staff menu: it waits, and she cannot approve it herself.
    _click_and_wait(inspector, inspector.get_by_role("link", name="我的拟办意见"))
    _check_layout(inspector, True)
    mine = inspector.locator("tbody tr").filter(has_text=VENUE)
    expect(mine).to_contain_text("本人拟办，待领导审批")

    log_in(supervisor, "ld-lead")
    supervisor.goto("/overview/")
    waiting = supervisor.get_by_role("link", name=re.compile("^待您审批的拟办意见"))
    expect(waiting.locator(".count")).to_have_text("1")
    _click_and_wait(supervisor, waiting)
    _check_layout(supervisor, phone)
    row = supervisor.locator("tbody tr").filter(has_text=VENUE)
    expect(row).to_have_count(1)
    for text in (application.reference, "准予许可", "陈监督", "今天提出"):
        expect(row).to_contain_text(text)
    _click_and_wait(supervisor, row.get_by_role("link", name="审批"))
    _check_layout(supervisor, phone)
    expect(supervisor.locator("main")).to_contain_text("建议当场许可")  # the proposal's reason
    approve = _action(supervisor, "准予许可")
    _open(approve)
    approve.get_by_label(re.compile("^审批意见")).fill("同意，当场作出许可。")
    _click_and_wait(supervisor, approve.get_by_role("button", name="准予许可"))
    application.refresh_from_db()
    assert application.status == "approved"
    supervisor.goto("/permits/staff/proposals/")
    expect(supervisor.locator("main")).to_contain_text("没有待审批的拟办意见。")

    # --- 6. The applicant follows the timeline and downloads the decision letter -------------
    applicant.goto("/permits/mine/")
    _click_and_wait(applicant, applicant.get_by_role("link", name=application.reference))
    _check_layout(applicant, phone)
    timeline = applicant.locator(".ap-timeline")
    expect(timeline).to_contain_text("已提交")
    expect(timeline).to_contain_text("准予许可")
    name, pdf = _download(
        applicant, applicant.get_by_role("link", name=re.compile("消防安全检查意见书"))
    )
    assert name.endswith(".pdf")
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    for expected in (VENUE, UNIT, application.reference):
        assert re.sub(r"\s+", "", expected) in text
    assert "139****1234" in text
    assert APPLICANT_PHONE not in text
