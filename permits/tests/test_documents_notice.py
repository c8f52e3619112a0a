"""The one-time notice (一次性告知书) of a pre-check: every problem, in order, at once; a second
version only with an approved amendment."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from permits.services import prechecks as svc

from .factories import make_booking, make_slot, png_upload
from .pdftext import pdf_image_count, pdf_text

pytestmark = pytest.mark.django_db

VENUE = "丽水市莲都区好运来大酒店"
PHONE = "13812342345"
MASKED = "138****2345"

# Short texts: pdftotext interleaves the lines of table cells that wrap, so a long cell text
# would not come back in one piece.
FINDINGS = [
    ("通道堆物", "二层走道", "消防法第二十八条", "清理杂物"),
    ("应急灯不亮", "一层大堂", "GB51309-2018", "更换蓄电池"),
    ("灭火器欠压", "后厨", "GB50444-2008", "重新充装"),
]


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def booking(citizen, inspector):
    slot = make_slot(inspector, starts_in=-dt.timedelta(hours=1))
    return make_booking(
        citizen,
        slot,
        status="in_progress",
        arrived_at=timezone.now() - dt.timedelta(minutes=62),
        venue_name=VENUE,
        contact_phone=PHONE,
    )


def _notice_text(booking) -> str:
    booking.refresh_from_db()
    assert booking.notice_file, "the notice PDF was not rendered after commit"
    with booking.notice_file.open("rb") as handle:
        return pdf_text(handle.read())


def _record(booking, inspector, rows, **extra):
    for item, location, regulation, remedy in rows:
        svc.add_finding(
            booking=booking,
            actor=inspector,
            item=item,
            location=location,
            regulation=regulation,
            remedy=remedy,
            **extra,
        )


def test_the_notice_lists_every_finding_in_order(booking, inspector, on_commit):
    _record(booking, inspector, FINDINGS)
    with on_commit():
        svc.issue_notice(booking=booking, actor=inspector)

    text = _notice_text(booking)
    assert "一次性告知书" in text
    assert booking.notice_number in text
    assert VENUE in text
    assert inspector.real_name in text
    positions = [text.index(item) for item, *_rest in FINDINGS]
    assert positions == sorted(positions)
    for _item, location, regulation, remedy in FINDINGS:
        assert location in text
        assert regulation in text
        assert remedy in text
    assert "以上为本次体检发现的全部问题，一次性告知" in text
    assert "补充告知" not in text
    assert MASKED in text
    assert PHONE not in text


def test_a_finding_photo_is_embedded_from_media_root(booking, inspector, on_commit):
    svc.add_finding(
        booking=booking,
        actor=inspector,
        item="疏散通道堆放纸箱",
        location="二层东侧走道",
        regulation="《中华人民共和国消防法》第二十八条",
        remedy="立即清理杂物",
        photo=png_upload(),
    )
    with on_commit():
        svc.issue_notice(booking=booking, actor=inspector)
    booking.refresh_from_db()
    with booking.notice_file.open("rb") as handle:
        assert pdf_image_count(handle.read()) >= 1


def test_version_two_adds_only_the_approved_amendment(booking, inspector, supervisor, on_commit):
    _record(booking, inspector, FINDINGS[:2])
    with on_commit():
        svc.issue_notice(booking=booking, actor=inspector)

    refused = svc.request_amendment(booking=booking, actor=inspector, reason="想再加一项")
    _record(booking, inspector, [("拒批问题", "三层", "无", "无")], amendment=refused)
    with on_commit():
        svc.decide_amendment(
            amendment=refused, actor=supervisor, approve=False, note="体检时未发现"
        )

    approved = svc.request_amendment(
        booking=booking, actor=inspector, reason="复核照片发现厨房燃气报警器缺失，当日漏记"
    )
    _record(
        booking,
        inspector,
        [("燃气报警缺失", "后厨", "GB50028", "加装报警器")],
        amendment=approved,
    )
    with on_commit():
        svc.decide_amendment(amendment=approved, actor=supervisor, approve=True)

    booking.refresh_from_db()
    assert booking.notice_version == 2
    text = _notice_text(booking)
    assert "（补充告知，第2版）" in text
    assert "复核照片发现厨房燃气报警器缺失，当日漏记" in text
    assert "燃气报警缺失" in text
    assert "拒批问题" not in text
    first, second = (text.index(item) for item, *_rest in FINDINGS[:2])
    assert first < second < text.index("燃气报警缺失")
    assert "以上为本次体检发现的全部问题，一次性告知" in text
