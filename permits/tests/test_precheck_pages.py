"""The pre-check pages as an applicant, an inspector and a supervisor use them."""

from __future__ import annotations

import datetime as dt
from urllib.parse import unquote

import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from lishui_fire.core.models import Reminder, StatusChange
from permits.models import Finding, NoticeAmendment, PrecheckBooking, PrecheckSlot
from permits.services import prechecks as services
from permits.tests.factories import make_booking, make_slot, png_bytes
from permits.workflow import AmendmentStatus, BookingStatus

pytestmark = pytest.mark.django_db

BOOKING = {
    "venue_name": "丽水市莲都区星光KTV",
    "venue_address": "丽水市莲都区丽阳街 12 号",
    "venue_type": "dance",
    "contact_phone": "139 5780 0001",
}


@pytest.fixture(autouse=True)
def _settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRECHECK_CHANGE_CUTOFF_HOURS = 24


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- Calendar and booking -----------------------------------------------------------------------------
def test_calendar_lists_free_slots_of_the_county_by_day(
    client_for, citizen, inspector, other_inspector
):
    free = make_slot(inspector, starts_in=dt.timedelta(days=2))
    full = make_slot(inspector, starts_in=dt.timedelta(days=3), booked=1)
    elsewhere = make_slot(other_inspector, starts_in=dt.timedelta(days=2))
    response = client_for(citizen).get(reverse("permits:precheck_slots"), {"brigade": "LD"})
    assert response.status_code == 200
    body = response.content.decode()
    assert reverse("permits:precheck_book", args=[free.pk]) in body
    assert reverse("permits:precheck_book", args=[full.pk]) not in body
    assert reverse("permits:precheck_book", args=[elsewhere.pk]) not in body
    assert f"{timezone.localtime(free.starts_at):%Y-%m-%d}" in body


def test_calendar_navigates_by_week_and_survives_bad_input(client_for, citizen, inspector):
    later = make_slot(inspector, starts_in=dt.timedelta(days=40))
    url = reverse("permits:precheck_slots")
    first = client_for(citizen).get(url, {"brigade": "LD"})
    assert reverse("permits:precheck_book", args=[later.pk]) not in first.content.decode()
    week = f"{timezone.localtime(later.starts_at):%Y-%m-%d}"
    response = client_for(citizen).get(url, {"brigade": "LD", "week": week})
    assert reverse("permits:precheck_book", args=[later.pk]) in response.content.decode()
    for bad in ({"week": "2026-13-45"}, {"brigade": "NOPE"}, {"week": "9999-12-31"}):
        assert client_for(citizen).get(url, bad).status_code == 200


def test_booking_page_books_and_shows_the_confirmation(
    client_for, citizen, inspector, django_capture_on_commit_callbacks
):
    slot = make_slot(inspector, starts_in=dt.timedelta(days=3))
    client = client_for(citizen)
    url = reverse("permits:precheck_book", args=[slot.pk])
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {**BOOKING, "county": slot.brigade_id}, follow=True)
    booking = PrecheckBooking.objects.get()
    assert response.redirect_chain[-1][0] == reverse("permits:booking_confirmed", args=[booking.pk])
    body = response.content.decode()
    assert "预约成功" in body
    assert BOOKING["venue_name"] in body
    assert booking.contact_phone == "13957800001"  # spaces typed on a phone keypad removed
    slot.refresh_from_db()
    assert slot.booked == 1
    assert set(Reminder.objects.values_list("key", flat=True)) == {
        f"precheck:{booking.pk}:applicant",
        f"precheck:{booking.pk}:inspector",
    }


def test_booking_a_full_slot_says_it_was_just_taken(client_for, citizen, other_citizen, inspector):
    slot = make_slot(inspector, starts_in=dt.timedelta(days=3))
    url = reverse("permits:precheck_book", args=[slot.pk])
    client = client_for(citizen)
    client.get(url)  # the page was open while somebody else booked
    make_booking(other_citizen, slot)
    response = client.post(url, {**BOOKING, "county": slot.brigade_id}, follow=True)
    assert response.status_code == 200
    assert any("该时段刚刚被约满" in m for m in messages_of(response))
    assert PrecheckBooking.objects.filter(applicant=citizen).count() == 0


def test_booking_a_started_slot_is_refused_with_a_message(client_for, citizen, inspector):
    slot = make_slot(inspector, starts_in=dt.timedelta(minutes=-1))
    response = client_for(citizen).post(
        reverse("permits:precheck_book", args=[slot.pk]), BOOKING, follow=True
    )
    assert any("已开始或已结束" in m for m in messages_of(response))
    assert not PrecheckBooking.objects.exists()


def test_booking_form_errors_are_shown_not_raised(client_for, citizen, inspector):
    slot = make_slot(inspector)
    response = client_for(citizen).post(
        reverse("permits:precheck_book", args=[slot.pk]), {**BOOKING, "contact_phone": "123"}
    )
    assert response.status_code == 400
    assert "error-summary" in response.content.decode()


# --- Cancel and reschedule -------------------------------------------------------------------------------
def test_cancel_before_the_cutoff(client_for, citizen, inspector):
    slot = make_slot(inspector, starts_in=dt.timedelta(days=3))
    booking = make_booking(citizen, slot)
    client = client_for(citizen)
    url = reverse("permits:booking_cancel", args=[booking.pk])
    assert "确认取消" in client.get(url).content.decode()
    client.post(url)
    booking.refresh_from_db()
    slot.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert slot.booked == 0


def test_after_the_cutoff_the_page_says_to_call_the_brigade(client_for, citizen, inspector):
    booking = make_booking(citizen, make_slot(inspector, starts_in=dt.timedelta(hours=5)))
    client = client_for(citizen)
    detail = client.get(reverse("permits:booking_detail", args=[booking.pk])).content.decode()
    assert "请致电" in detail
    assert reverse("permits:booking_cancel", args=[booking.pk]) not in detail
    response = client.post(reverse("permits:booking_cancel", args=[booking.pk]), follow=True)
    assert any("请致电" in m for m in messages_of(response))
    response = client.post(
        reverse("permits:booking_reschedule", args=[booking.pk]), {"slot": 1}, follow=True
    )
    assert any("请致电" in m for m in messages_of(response))
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED


def test_reschedule_page_moves_the_booking(client_for, citizen, inspector):
    booking = make_booking(citizen, make_slot(inspector, starts_in=dt.timedelta(days=3)))
    other = make_slot(inspector, starts_in=dt.timedelta(days=6))
    client = client_for(citizen)
    url = reverse("permits:booking_reschedule", args=[booking.pk])
    assert f'value="{other.pk}"' in client.get(url).content.decode()
    response = client.post(url, {"slot": other.pk})
    moved = PrecheckBooking.objects.get(slot=other)
    assert response["Location"] == reverse("permits:booking_detail", args=[moved.pk])
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED


def test_reschedule_to_a_slot_that_just_filled_keeps_the_old_booking(
    client_for, citizen, other_citizen, inspector
):
    booking = make_booking(citizen, make_slot(inspector, starts_in=dt.timedelta(days=3)))
    other = make_slot(inspector, starts_in=dt.timedelta(days=6))
    client = client_for(citizen)
    url = reverse("permits:booking_reschedule", args=[booking.pk])
    client.get(url)
    make_booking(other_citizen, other)
    response = client.post(url, {"slot": other.pk}, follow=True)
    assert response.status_code in (200, 400)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED


# --- The inspector at the venue ---------------------------------------------------------------------------
@pytest.fixture
def visit(citizen, inspector):
    return make_booking(citizen, make_slot(inspector, starts_in=dt.timedelta(minutes=-20)))


FINDING = {
    "item": "安全出口被货物堵塞",
    "location": "一层东侧安全出口",
    "regulation": "《中华人民共和国消防法》第二十八条",
    "remedy": "立即清除堵塞物。",
}


def test_inspector_records_arrival_findings_and_issues_the_notice(
    client_for, inspector, citizen, visit, django_capture_on_commit_callbacks
):
    client = client_for(inspector)
    detail = reverse("permits:booking_detail", args=[visit.pk])
    page = client.get(detail).content.decode()
    assert "记录到场" in page
    assert visit.contact_phone in page  # in full for the brigade, and audited
    assert LogEntry.objects.filter(
        action=LogEntry.Action.ACCESS, object_pk=str(visit.pk), actor=inspector
    ).exists()

    client.post(reverse("permits:booking_arrival", args=[visit.pk]))
    visit.refresh_from_db()
    assert visit.status == BookingStatus.IN_PROGRESS
    assert "迟到 20 分钟" in client.get(detail).content.decode()

    photo = SimpleUploadedFile("门口.jpg", png_bytes(), content_type="image/png")
    client.post(reverse("permits:finding_add", args=[visit.pk]), {**FINDING, "photo": photo})
    client.post(
        reverse("permits:finding_add", args=[visit.pk]),
        {**FINDING, "item": "灭火器压力不足", "location": "后厨"},
    )
    assert Finding.objects.filter(booking=visit).count() == 2
    removable = Finding.objects.get(item="灭火器压力不足")
    client.post(reverse("permits:finding_remove", args=[removable.pk]))
    assert Finding.objects.filter(booking=visit).count() == 1

    confirm = client.get(reverse("permits:notice_issue", args=[visit.pk])).content.decode()
    assert "安全出口被货物堵塞" in confirm
    assert "确认出具" in confirm
    with django_capture_on_commit_callbacks(execute=False):
        client.post(reverse("permits:notice_issue", args=[visit.pk]), {"count": "1"})
    visit.refresh_from_db()
    assert visit.status == BookingStatus.NOTICE_ISSUED
    assert visit.notice_number

    # Final: the page no longer offers to add, and a forged POST is refused with a message.
    page = client.get(detail).content.decode()
    assert reverse("permits:finding_add", args=[visit.pk]) not in page
    assert "申请补充告知" in page
    response = client.post(
        reverse("permits:finding_add", args=[visit.pk]),
        {**FINDING, "item": "迟来的问题"},
        follow=True,
    )
    assert any("补充申请" in m for m in messages_of(response))
    assert Finding.objects.filter(booking=visit).count() == 1
    assert list(
        StatusChange.objects.filter(object_id=str(visit.pk)).values_list("to_status", flat=True)
    ) == ["in_progress", "notice_issued"]


def test_issue_refuses_when_the_list_changed_since_the_confirmation(client_for, inspector, visit):
    services.record_arrival(booking=visit, actor=inspector)
    client = client_for(inspector)
    client.post(reverse("permits:notice_issue", args=[visit.pk]), {"count": "3"})
    visit.refresh_from_db()
    assert visit.status == BookingStatus.IN_PROGRESS


def test_a_renamed_executable_is_refused_as_a_photo(client_for, inspector, visit):
    services.record_arrival(booking=visit, actor=inspector)
    exe = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00" + b"\x00" * 200, content_type="image/jpeg")
    response = client_for(inspector).post(
        reverse("permits:finding_add", args=[visit.pk]), {**FINDING, "photo": exe}
    )
    assert response.status_code == 400
    assert "JPEG 或 PNG" in response.content.decode()
    assert not Finding.objects.exists()


def test_arrival_with_a_typed_time_and_punctuality(client_for, inspector, visit):
    when = timezone.localtime(visit.slot.starts_at - dt.timedelta(minutes=5))
    client_for(inspector).post(
        reverse("permits:booking_arrival", args=[visit.pk]),
        {"arrived_at": f"{when:%Y-%m-%dT%H:%M}"},
    )
    visit.refresh_from_db()
    assert visit.arrived_at == when.replace(second=0, microsecond=0)
    page = client_for(inspector).get(reverse("permits:booking_detail", args=[visit.pk]))
    assert "准时" in page.content.decode()


def test_arrival_in_the_future_is_a_form_error(client_for, inspector, visit):
    when = timezone.localtime() + dt.timedelta(hours=2)
    response = client_for(inspector).post(
        reverse("permits:booking_arrival", args=[visit.pk]),
        {"arrived_at": f"{when:%Y-%m-%dT%H:%M}"},
    )
    assert response.status_code == 400
    assert "不能晚于现在" in response.content.decode()


def test_no_show(client_for, inspector, visit):
    client_for(inspector).post(
        reverse("permits:booking_no_show", args=[visit.pk]), {"note": "无人"}
    )
    visit.refresh_from_db()
    assert visit.status == BookingStatus.NO_SHOW


# --- Amendments ---------------------------------------------------------------------------------------------
@pytest.fixture
def issued(visit, inspector):
    services.record_arrival(booking=visit, actor=inspector)
    services.add_finding(booking=visit, actor=inspector, **FINDING)
    return services.issue_notice(booking=visit, actor=inspector)


def test_amendment_requested_by_inspector_and_approved_by_supervisor(
    client_for, issued, inspector, supervisor, django_capture_on_commit_callbacks
):
    ins = client_for(inspector)
    response = ins.post(
        reverse("permits:amendment_request", args=[issued.pk]), {"reason": "复核照片时发现遗漏"}
    )
    amendment = NoticeAmendment.objects.get()
    assert response["Location"] == reverse("permits:amendment_detail", args=[amendment.pk])
    ins.post(
        reverse("permits:amendment_finding_add", args=[amendment.pk]),
        {**FINDING, "item": "配电箱周围堆放可燃物"},
    )
    assert amendment.findings.count() == 1
    # The inspector sees no decision form and cannot force one.
    assert (
        "提交审批"
        not in ins.get(reverse("permits:amendment_detail", args=[amendment.pk])).content.decode()
    )
    assert (
        ins.post(
            reverse("permits:amendment_decide", args=[amendment.pk]), {"decision": "approve"}
        ).status_code
        == 403
    )

    sup = client_for(supervisor)
    pending = sup.get(reverse("permits:amendments_pending")).content.decode()
    assert reverse("permits:amendment_detail", args=[amendment.pk]) in pending
    with django_capture_on_commit_callbacks(execute=True):
        sup.post(
            reverse("permits:amendment_decide", args=[amendment.pk]),
            {"decision": "approve", "note": "同意补充"},
        )
    amendment.refresh_from_db()
    issued.refresh_from_db()
    assert amendment.status == AmendmentStatus.APPROVED
    assert issued.notice_version == 2
    assert [f.item for f in services.notice_findings(issued)] == [
        "安全出口被货物堵塞",
        "配电箱周围堆放可燃物",
    ]
    # Re-rendered as version 2, which is what the applicant now downloads.
    assert "-v2-" in issued.notice_file.name
    response = client_for(issued.applicant).get(reverse("permits:notice_pdf", args=[issued.pk]))
    assert response.status_code == 200
    assert "一次性告知书-第2版.pdf" in unquote(response["Content-Disposition"])


def test_the_supervisor_who_asked_cannot_approve(client_for, issued, supervisor):
    amendment = services.request_amendment(booking=issued, actor=supervisor, reason="补充")
    services.add_finding(booking=issued, actor=supervisor, amendment=amendment, **FINDING)
    client = client_for(supervisor)
    page = client.get(reverse("permits:amendment_detail", args=[amendment.pk])).content.decode()
    assert "不能审批自己" in page
    response = client.post(
        reverse("permits:amendment_decide", args=[amendment.pk]),
        {"decision": "approve"},
        follow=True,
    )
    assert any("自己" in m for m in messages_of(response))
    amendment.refresh_from_db()
    assert amendment.status == AmendmentStatus.REQUESTED


def test_refusing_needs_a_note(client_for, issued, inspector, supervisor):
    amendment = services.request_amendment(booking=issued, actor=inspector, reason="补充")
    response = client_for(supervisor).post(
        reverse("permits:amendment_decide", args=[amendment.pk]), {"decision": "refuse"}
    )
    assert response.status_code == 400
    amendment.refresh_from_db()
    assert amendment.status == AmendmentStatus.REQUESTED


# --- Notice download ----------------------------------------------------------------------------------------
def test_owner_downloads_the_notice_pdf(
    client_for, citizen, issued, django_capture_on_commit_callbacks
):
    response = client_for(citizen).get(reverse("permits:notice_pdf", args=[issued.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response).startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]


def test_no_notice_before_issue(client_for, citizen, visit):
    assert (
        client_for(citizen).get(reverse("permits:notice_pdf", args=[visit.pk])).status_code == 404
    )


def test_owner_page_lists_the_notice_findings(client_for, citizen, issued):
    page = (
        client_for(citizen)
        .get(reverse("permits:booking_detail", args=[issued.pk]))
        .content.decode()
    )
    assert "安全出口被货物堵塞" in page
    assert issued.notice_number in page
    assert "13957800001" not in page  # masked for the applicant too: 139****0001
    assert "139****0001" in page


# --- Staff: slots --------------------------------------------------------------------------------------------
def test_publish_a_slot(client_for, supervisor, inspector):
    day = timezone.localdate() + dt.timedelta(days=5)
    response = client_for(supervisor).post(
        reverse("permits:precheck_publish"),
        {
            "inspector": inspector.pk,
            "day": f"{day:%Y-%m-%d}",
            "start_time": "09:00",
            "end_time": "10:30",
            "capacity": 2,
        },
    )
    assert response.status_code == 302
    slot = PrecheckSlot.objects.get()
    assert slot.capacity == 2
    assert slot.brigade_id == inspector.org_unit_id
    assert timezone.localtime(slot.starts_at).time() == dt.time(9, 0)


@pytest.mark.parametrize(
    "overrides",
    [
        {"capacity": 0},
        {"capacity": 21},
        {"end_time": "08:00"},
        {"day": "2020-01-01"},
        {"inspector": 999999},
    ],
)
def test_publish_refuses_bad_input_with_a_message(client_for, supervisor, inspector, overrides):
    day = timezone.localdate() + dt.timedelta(days=5)
    data = {
        "inspector": inspector.pk,
        "day": f"{day:%Y-%m-%d}",
        "start_time": "09:00",
        "end_time": "10:30",
        "capacity": 1,
        **overrides,
    }
    response = client_for(supervisor).post(reverse("permits:precheck_publish"), data)
    assert response.status_code == 400
    assert not PrecheckSlot.objects.exists()


def test_publish_a_slot_for_an_inspector_of_another_brigade_is_refused(
    client_for, supervisor, other_inspector
):
    day = timezone.localdate() + dt.timedelta(days=5)
    response = client_for(supervisor).post(
        reverse("permits:precheck_publish"),
        {
            "inspector": other_inspector.pk,
            "day": f"{day:%Y-%m-%d}",
            "start_time": "09:00",
            "end_time": "10:00",
            "capacity": 1,
        },
    )
    assert response.status_code == 400
    assert not PrecheckSlot.objects.exists()


def test_weekly_generation_page_reports_created_and_skipped(client_for, supervisor, inspector):
    first = timezone.localdate() + dt.timedelta(days=1)
    response = client_for(supervisor).post(
        reverse("permits:precheck_generate"),
        {
            "inspector": inspector.pk,
            "weekdays": ["0", "2", "4"],
            "start_time": "09:00",
            "end_time": "11:00",
            "first_day": f"{first:%Y-%m-%d}",
            "weeks": 2,
            "capacity": 1,
        },
        follow=True,
    )
    created = PrecheckSlot.objects.count()
    assert created > 0
    assert any(f"已生成 {created} 个时段" in m for m in messages_of(response))


@pytest.mark.parametrize("first_day", ["1999-12-01", "0001-01-01"])
def test_weekly_generation_page_refuses_a_first_day_in_the_past(
    client_for, supervisor, inspector, first_day
):
    response = client_for(supervisor).post(
        reverse("permits:precheck_generate"),
        {
            "inspector": inspector.pk,
            "weekdays": ["1", "3"],
            "start_time": "09:00",
            "end_time": "11:00",
            "first_day": first_day,
            "weeks": 2,
            "capacity": 1,
        },
    )
    assert response.status_code == 400
    assert "开始日期不能早于今天" in response.content.decode()
    assert not PrecheckSlot.objects.exists()


def test_weekly_generation_form_offers_tomorrow_in_iso_form(client_for, supervisor):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    page = client_for(supervisor).get(reverse("permits:precheck_generate")).content.decode()
    assert f'value="{tomorrow:%Y-%m-%d}"' in page  # what <input type="date"> accepts


def test_weekly_generation_page_needs_a_weekday(client_for, supervisor, inspector):
    response = client_for(supervisor).post(
        reverse("permits:precheck_generate"),
        {
            "inspector": inspector.pk,
            "start_time": "09:00",
            "end_time": "11:00",
            "first_day": "2027-01-04",
            "weeks": 2,
            "capacity": 1,
        },
    )
    assert response.status_code == 400
    assert "请选择星期几" in response.content.decode()


def test_staff_slot_list_and_withdraw(client_for, inspector, citizen):
    booked = make_slot(inspector, starts_in=dt.timedelta(days=2), capacity=2)
    booking = make_booking(citizen, booked)
    free = make_slot(inspector, starts_in=dt.timedelta(days=3))
    client = client_for(inspector)
    page = client.get(reverse("permits:precheck_staff_slots")).content.decode()
    assert booking.venue_name in page
    assert "139****0001" in page
    assert reverse("permits:precheck_withdraw", args=[free.pk]) in page
    assert reverse("permits:precheck_withdraw", args=[booked.pk]) not in page
    client.post(reverse("permits:precheck_withdraw", args=[free.pk]))
    response = client.post(reverse("permits:precheck_withdraw", args=[booked.pk]), follow=True)
    assert any("已有预约" in m for m in messages_of(response))
    assert list(PrecheckSlot.objects.values_list("pk", flat=True)) == [booked.pk]
