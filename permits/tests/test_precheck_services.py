"""Rules of pre-check booking and of the one-time notice, through the services."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from lishui_fire.core.calendar import invalidate_calendar_cache
from lishui_fire.core.errors import Conflict, DomainError, IllegalTransition
from lishui_fire.core.models import CalendarDay, CalendarYear, StatusChange
from permits.models import PrecheckBooking, PrecheckSlot
from permits.services import prechecks as services
from permits.tests.factories import make_booking, make_slot, png_upload
from permits.workflow import AmendmentStatus, BookingStatus

pytestmark = pytest.mark.django_db

TZ = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRECHECK_CHANGE_CUTOFF_HOURS = 24


def book(applicant, slot, **extra):
    fields = {
        "venue_name": "丽水市莲都区星光KTV",
        # Each applicant's own venue: one venue holds one open booking (ADR 0027).
        "venue_address": f"丽水市莲都区丽阳街 {applicant.pk} 号",
        "contact_phone": "13957800001",
    }
    fields.update(extra)
    return services.book_precheck(applicant=applicant, slot_id=slot.pk, **fields)


# --- Booking ---------------------------------------------------------------------------------------
def test_booking_takes_a_place_and_the_last_place_fills_the_slot(citizen, other_citizen, inspector):
    slot = make_slot(inspector, capacity=2)
    book(citizen, slot)
    book(other_citizen, slot)
    slot.refresh_from_db()
    assert slot.booked == 2
    assert slot.remaining == 0


def test_a_full_slot_answers_conflict_and_writes_nothing(citizen, other_citizen, inspector):
    slot = make_slot(inspector, capacity=1)
    book(citizen, slot)
    with pytest.raises(Conflict, match="刚刚被约满"):
        book(other_citizen, slot)
    slot.refresh_from_db()
    assert slot.booked == 1
    assert PrecheckBooking.objects.filter(slot=slot).count() == 1


def test_a_started_slot_cannot_be_booked(citizen, inspector):
    slot = make_slot(inspector, starts_in=dt.timedelta(minutes=-5))
    with pytest.raises(services.SlotStarted):
        book(citizen, slot)
    assert not PrecheckBooking.objects.exists()


def test_the_same_applicant_cannot_book_the_same_slot_twice(citizen, inspector):
    slot = make_slot(inspector, capacity=3)
    book(citizen, slot)
    with pytest.raises(Conflict, match="您已预约了这个时段"):
        book(citizen, slot, venue_name="另一家店")
    slot.refresh_from_db()
    assert slot.booked == 1


def test_the_same_applicant_on_a_full_slot_is_told_they_hold_it(citizen, inspector):
    slot = make_slot(inspector, capacity=1)
    book(citizen, slot)
    with pytest.raises(Conflict, match="您已预约了这个时段"):
        book(citizen, slot)


def test_a_bad_phone_is_a_validation_error_and_takes_no_place(citizen, inspector):
    slot = make_slot(inspector)
    with pytest.raises(ValidationError) as exc:
        book(citizen, slot, contact_phone="12345")
    assert "contact_phone" in exc.value.message_dict
    slot.refresh_from_db()
    assert slot.booked == 0


def test_staff_cannot_book(inspector):
    slot = make_slot(inspector)
    with pytest.raises(PermissionDenied):
        book(inspector, slot)


# --- Cancel and reschedule -------------------------------------------------------------------------
def test_cancel_frees_the_place_and_is_recorded(citizen, inspector):
    slot = make_slot(inspector, starts_in=dt.timedelta(days=3))
    booking = book(citizen, slot)
    services.cancel_booking(booking=booking, actor=citizen)
    booking.refresh_from_db()
    slot.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert slot.booked == 0
    assert StatusChange.objects.filter(
        object_id=str(booking.pk), to_status="cancelled", actor=citizen
    ).exists()


def test_cancel_is_refused_after_the_cutoff(citizen, inspector):
    slot = make_slot(inspector, starts_in=dt.timedelta(hours=23))
    booking = book(citizen, slot)
    with pytest.raises(DomainError, match="请致电莲都区消防救援大队（"):
        services.cancel_booking(booking=booking, actor=citizen)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED


def test_reschedule_is_refused_after_the_cutoff_and_keeps_the_booking(citizen, inspector):
    slot = make_slot(inspector, starts_in=dt.timedelta(hours=20))
    other = make_slot(inspector, starts_in=dt.timedelta(days=5))
    booking = book(citizen, slot)
    with pytest.raises(DomainError):
        services.reschedule_booking(booking=booking, actor=citizen, new_slot_id=other.pk)
    booking.refresh_from_db()
    other.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED
    assert other.booked == 0
    assert PrecheckBooking.objects.count() == 1


def test_reschedule_moves_the_booking(citizen, inspector):
    slot = make_slot(inspector, starts_in=dt.timedelta(days=3))
    other = make_slot(inspector, starts_in=dt.timedelta(days=5))
    booking = book(citizen, slot)
    moved = services.reschedule_booking(booking=booking, actor=citizen, new_slot_id=other.pk)
    booking.refresh_from_db()
    slot.refresh_from_db()
    other.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert slot.booked == 0
    assert moved.slot_id == other.pk
    assert other.booked == 1
    assert moved.venue_name == booking.venue_name


def test_reschedule_to_a_full_slot_keeps_the_old_booking(citizen, other_citizen, inspector):
    slot = make_slot(inspector, starts_in=dt.timedelta(days=3))
    full = make_slot(inspector, starts_in=dt.timedelta(days=5))
    book(other_citizen, full)
    booking = book(citizen, slot)
    with pytest.raises(Conflict, match="刚刚被约满"):
        services.reschedule_booking(booking=booking, actor=citizen, new_slot_id=full.pk)
    booking.refresh_from_db()
    slot.refresh_from_db()
    full.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED
    assert slot.booked == 1
    assert full.booked == 1
    assert PrecheckBooking.objects.filter(applicant=citizen).count() == 1


def test_reschedule_only_within_the_brigade(citizen, inspector, other_inspector):
    slot = make_slot(inspector, starts_in=dt.timedelta(days=3))
    elsewhere = make_slot(other_inspector, starts_in=dt.timedelta(days=5))
    booking = book(citizen, slot)
    with pytest.raises(ValidationError):
        services.reschedule_booking(booking=booking, actor=citizen, new_slot_id=elsewhere.pk)


# --- Slots -------------------------------------------------------------------------------------------
def test_publish_slot_checks_the_inspector_belongs_to_the_brigade(supervisor, other_inspector):
    starts = timezone.now() + dt.timedelta(days=2)
    with pytest.raises(ValidationError) as exc:
        services.publish_slot(
            actor=supervisor,
            brigade=supervisor.org_unit,
            inspector=other_inspector,
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=2),
        )
    assert "inspector" in exc.value.message_dict


def test_withdraw_refuses_a_slot_with_a_booking_even_a_cancelled_one(citizen, inspector):
    booked = make_slot(inspector, starts_in=dt.timedelta(days=3))
    booking = book(citizen, booked)
    with pytest.raises(Conflict):
        services.withdraw_slot(slot=booked, actor=inspector)
    services.cancel_booking(booking=booking, actor=citizen)
    # booked is 0 again, but the cancelled booking is history the slot keeps: no 500.
    with pytest.raises(Conflict):
        services.withdraw_slot(slot=booked, actor=inspector)
    free = make_slot(inspector, starts_in=dt.timedelta(days=4))
    services.withdraw_slot(slot=free, actor=inspector)
    assert not PrecheckSlot.objects.filter(pk=free.pk).exists()


def _national_day_2026():
    """The State Council notice for 2026: 1–7 October off, Sunday 20 September and Saturday
    10 October worked (调休). Written here so the test does not depend on the seed's state."""
    CalendarYear.objects.get_or_create(year=2026)
    for day in range(1, 8):
        CalendarDay.objects.update_or_create(
            date=dt.date(2026, 10, day), defaults={"is_workday": False, "note": "国庆节"}
        )
    for date in (dt.date(2026, 9, 20), dt.date(2026, 10, 10)):
        CalendarDay.objects.update_or_create(
            date=date, defaults={"is_workday": True, "note": "国庆节调休上班"}
        )
    invalidate_calendar_cache()  # lookups are cached per year


@time_machine.travel(dt.datetime(2026, 9, 15, 10, 0, tzinfo=TZ), tick=False)
@pytest.mark.parametrize(
    ("weekdays", "expected"),
    [
        # Mon–Fri from Mon 28 Sep for two weeks: 1–7 Oct are holidays; 10 Oct is a Saturday.
        ([0, 1, 2, 3, 4], ["09-28", "09-29", "09-30", "10-08", "10-09"]),
        # Saturday selected: only the make-up Saturday 10 Oct (3 Oct is a holiday, 3 Oct and
        # 4 Oct are weekend days off anyway).
        ([5], ["10-10"]),
        ([0, 1, 2, 3, 4, 5], ["09-28", "09-29", "09-30", "10-08", "10-09", "10-10"]),
    ],
)
def test_weekly_generation_skips_holidays_and_keeps_make_up_days_only_if_selected(
    supervisor, inspector, weekdays, expected
):
    _national_day_2026()
    created = services.generate_weekly_slots(
        actor=supervisor,
        brigade=supervisor.org_unit,
        inspector=inspector,
        weekdays=weekdays,
        start_time=dt.time(9, 0),
        end_time=dt.time(11, 0),
        first_day=dt.date(2026, 9, 28),
        weeks=2,
        capacity=2,
    )
    days = [f"{timezone.localtime(s.starts_at):%m-%d}" for s in created]
    assert days == expected
    assert all(s.capacity == 2 and timezone.localtime(s.starts_at).hour == 9 for s in created)


@time_machine.travel(dt.datetime(2026, 9, 15, 10, 0, tzinfo=TZ), tick=False)
def test_weekly_generation_leaves_existing_slots_and_is_repeatable(supervisor, inspector):
    _national_day_2026()
    kwargs = {
        "actor": supervisor,
        "brigade": supervisor.org_unit,
        "inspector": inspector,
        "weekdays": [1, 3],
        "start_time": dt.time(14, 0),
        "end_time": dt.time(16, 0),
        "first_day": dt.date(2026, 9, 21),
        "weeks": 3,
    }
    first = services.generate_weekly_slots(**kwargs)
    again = services.generate_weekly_slots(**kwargs)
    # Tue/Thu of 21 Sep – 11 Oct, without 1 Oct (Thu) and 6 Oct (Tue).
    assert [f"{timezone.localtime(s.starts_at):%m-%d}" for s in first] == [
        "09-22",
        "09-24",
        "09-29",
        "10-08",
    ]
    assert again == []
    assert PrecheckSlot.objects.count() == 4


@time_machine.travel(dt.datetime(2026, 9, 15, 10, 0, tzinfo=TZ), tick=False)
@pytest.mark.parametrize(
    "first_day",
    [dt.date(2026, 9, 14), dt.date(1999, 12, 1), dt.date(1, 1, 1), dt.date(2027, 9, 17)],
)
def test_weekly_generation_refuses_a_first_day_in_the_past_or_years_ahead(
    supervisor, inspector, first_day
):
    with pytest.raises(ValidationError) as info:
        services.generate_weekly_slots(
            actor=supervisor,
            brigade=supervisor.org_unit,
            inspector=inspector,
            weekdays=[1, 3],
            start_time=dt.time(14, 0),
            end_time=dt.time(16, 0),
            first_day=first_day,
            weeks=2,
        )
    assert "first_day" in info.value.error_dict
    assert not PrecheckSlot.objects.exists()


# --- Findings and the one-time notice -------------------------------------------------------------------
@pytest.fixture
def visit(citizen, inspector):
    """A booking whose slot started ten minutes ago."""
    slot = make_slot(inspector, starts_in=dt.timedelta(minutes=-10))
    return make_booking(citizen, slot)


def finding(booking, actor, **extra):
    fields = {
        "item": "安全出口被货物堵塞",
        "location": "一层东侧安全出口",
        "regulation": "《中华人民共和国消防法》第二十八条",
        "remedy": "立即清除堵塞物，保持安全出口畅通。",
    }
    fields.update(extra)
    return services.add_finding(booking=booking, actor=actor, **fields)


def test_findings_only_after_arrival_and_before_issue(visit, inspector):
    with pytest.raises(DomainError, match="请先登记到场时间"):
        finding(visit, inspector)
    services.record_arrival(booking=visit, actor=inspector)
    first = finding(visit, inspector, photo=png_upload())
    assert first.photo.name.endswith(".png")
    services.issue_notice(booking=visit, actor=inspector)
    with pytest.raises(DomainError, match="补充申请"):
        finding(visit, inspector, item="第二个问题")
    with pytest.raises(DomainError):
        services.remove_finding(finding=first, actor=inspector)
    assert visit.findings.count() == 1


def test_a_finding_refused_because_the_notice_was_just_issued_leaves_no_photo(
    visit, inspector, settings
):
    """The form was open on one phone while the notice was issued on another: the late finding
    is refused and its photo is not left behind in the private store."""
    services.record_arrival(booking=visit, actor=inspector)
    stale = PrecheckBooking.objects.get(pk=visit.pk)  # the page loaded before the issue
    services.issue_notice(booking=visit, actor=inspector)
    photos = settings.MEDIA_ROOT / "permits" / "findings"
    with pytest.raises(DomainError, match="补充申请"):
        finding(stale, inspector, item="晚到的问题", photo=png_upload())
    assert not visit.findings.exists()
    assert not photos.exists() or not any(p.is_file() for p in photos.rglob("*"))


def test_findings_added_and_removed_are_in_the_audit_log(visit, inspector):
    from auditlog.models import LogEntry

    services.record_arrival(booking=visit, actor=inspector)
    item = finding(visit, inspector)
    pk = item.pk
    services.remove_finding(finding=item, actor=inspector)
    actions = set(
        LogEntry.objects.filter(object_pk=str(pk), content_type__model="finding").values_list(
            "action", flat=True
        )
    )
    assert actions == {LogEntry.Action.CREATE, LogEntry.Action.DELETE}


def test_arrival_is_recorded_with_punctuality_and_history(visit, inspector):
    arrived = visit.slot.starts_at + dt.timedelta(minutes=3)
    services.record_arrival(booking=visit, actor=inspector, arrived_at=arrived)
    visit.refresh_from_db()
    assert visit.status == BookingStatus.IN_PROGRESS
    assert visit.arrived_at == arrived
    assert StatusChange.objects.filter(object_id=str(visit.pk), to_status="in_progress").exists()


@pytest.mark.parametrize(
    ("before_start", "allowed"),
    [
        (dt.timedelta(hours=5), False),
        (dt.timedelta(hours=2, minutes=1), False),
        (dt.timedelta(hours=2), True),
        (dt.timedelta(minutes=30), True),
    ],
)
def test_arrival_can_be_recorded_from_two_hours_before_the_start(
    citizen, inspector, before_start, allowed
):
    """Punctuality is a KPI: "arriving" half a day early cannot be recorded as on time."""
    starts = (timezone.now() + before_start).replace(microsecond=0)
    slot = make_slot(inspector, starts_in=dt.timedelta(days=1))
    PrecheckSlot.objects.filter(pk=slot.pk).update(
        starts_at=starts, ends_at=starts + dt.timedelta(hours=1)
    )
    booking = make_booking(citizen, PrecheckSlot.objects.get(pk=slot.pk))
    now = timezone.now()
    if allowed:
        services.record_arrival(booking=booking, actor=inspector, arrived_at=now)
        booking.refresh_from_db()
        assert booking.status == BookingStatus.IN_PROGRESS
    else:
        with pytest.raises(ValidationError) as info:
            services.record_arrival(booking=booking, actor=inspector, arrived_at=now)
        assert "arrived_at" in info.value.error_dict
        booking.refresh_from_db()
        assert booking.status == BookingStatus.BOOKED


def test_an_inspector_of_another_brigade_cannot_record_anything(visit, other_inspector):
    with pytest.raises(PermissionDenied):
        services.record_arrival(booking=visit, actor=other_inspector)


def test_notice_cannot_be_issued_twice(visit, inspector):
    services.record_arrival(booking=visit, actor=inspector)
    services.issue_notice(booking=visit, actor=inspector)
    with pytest.raises(IllegalTransition):
        services.issue_notice(booking=visit, actor=inspector)


@pytest.fixture
def issued(visit, inspector):
    services.record_arrival(booking=visit, actor=inspector)
    finding(visit, inspector)
    return services.issue_notice(booking=visit, actor=inspector)


def test_an_approved_amendment_adds_the_finding_and_bumps_the_version(
    issued, inspector, supervisor
):
    assert issued.notice_version == 1
    assert issued.notice_number
    amendment = services.request_amendment(
        booking=issued, actor=inspector, reason="复核照片时发现配电箱问题，现场遗漏。"
    )
    extra = finding(issued, inspector, item="配电箱周围堆放可燃物", amendment=amendment)
    # Pending: not on the notice yet.
    assert extra not in services.notice_findings(issued)
    services.decide_amendment(amendment=amendment, actor=supervisor, approve=True, note="同意")
    issued.refresh_from_db()
    amendment.refresh_from_db()
    assert amendment.status == AmendmentStatus.APPROVED
    assert amendment.decided_by == supervisor
    assert issued.notice_version == 2
    assert [f.item for f in services.notice_findings(issued)] == [
        "安全出口被货物堵塞",
        "配电箱周围堆放可燃物",
    ]
    assert StatusChange.objects.filter(
        object_id=str(amendment.pk), to_status="approved", actor=supervisor, note="同意"
    ).exists()
    # Decided: closed to further items.
    with pytest.raises(DomainError):
        finding(issued, inspector, item="再加一个", amendment=amendment)


def test_a_refused_amendment_leaves_the_notice_as_issued(issued, inspector, supervisor):
    amendment = services.request_amendment(booking=issued, actor=inspector, reason="补充")
    finding(issued, inspector, item="多余的问题", amendment=amendment)
    services.decide_amendment(amendment=amendment, actor=supervisor, approve=False, note="现场未见")
    issued.refresh_from_db()
    assert issued.notice_version == 1
    assert [f.item for f in services.notice_findings(issued)] == ["安全出口被货物堵塞"]


def test_an_inspector_cannot_approve_an_amendment(issued, inspector, make_user):
    colleague = make_user("inspector", "LD")
    amendment = services.request_amendment(booking=issued, actor=colleague, reason="补充")
    finding(issued, colleague, item="补充问题", amendment=amendment)
    with pytest.raises(DomainError, match="领导审批"):
        services.decide_amendment(amendment=amendment, actor=inspector, approve=True)
    amendment.refresh_from_db()
    assert amendment.status == AmendmentStatus.REQUESTED


def test_the_requester_cannot_approve_their_own_amendment(issued, supervisor, chief):
    amendment = services.request_amendment(booking=issued, actor=supervisor, reason="补充")
    finding(issued, supervisor, item="补充问题", amendment=amendment)
    with pytest.raises(DomainError, match="自己"):
        services.decide_amendment(amendment=amendment, actor=supervisor, approve=True)
    services.decide_amendment(amendment=amendment, actor=chief, approve=True)
    issued.refresh_from_db()
    assert issued.notice_version == 2


def test_only_one_amendment_waits_at_a_time_and_needs_a_reason(issued, inspector):
    with pytest.raises(ValidationError):
        services.request_amendment(booking=issued, actor=inspector, reason="  ")
    services.request_amendment(booking=issued, actor=inspector, reason="补充")
    with pytest.raises(Conflict):
        services.request_amendment(booking=issued, actor=inspector, reason="再补充")


def test_no_show_only_after_the_start(citizen, inspector):
    later = make_booking(citizen, make_slot(inspector, starts_in=dt.timedelta(hours=2)))
    with pytest.raises(DomainError):
        services.mark_no_show(booking=later, actor=inspector)
    past = make_booking(citizen, make_slot(inspector, starts_in=dt.timedelta(minutes=-30)))
    services.mark_no_show(booking=past, actor=inspector, note="电话未接")
    past.refresh_from_db()
    assert past.status == BookingStatus.NO_SHOW
