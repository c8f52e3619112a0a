"""Pre-check booking (预约体检): slots, bookings, arrival, findings, the one-time notice.

Over-booking is impossible by construction: a booking increments the slot's ``booked`` counter
with ``UPDATE … SET booked = booked + 1 WHERE id = … AND booked < capacity`` and proceeds only
when that statement changed a row; the database's check constraint ``booked <= capacity`` is the
last guard. This holds on PostgreSQL (row locks) and on SQLite (IMMEDIATE transactions take the
write lock at BEGIN), without SELECT … FOR UPDATE, which SQLite ignores.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from lishui_fire.accounts import policies as kernel
from lishui_fire.accounts.contacts import contact_for
from lishui_fire.accounts.models import OrgUnit, Role, User
from lishui_fire.accounts.policies import authorize
from lishui_fire.core import documents
from lishui_fire.core.calendar import is_workday
from lishui_fire.core.errors import Conflict, DomainError
from lishui_fire.core.jobs import enqueue
from lishui_fire.core.notifications import notify
from lishui_fire.core.reminders import cancel_reminders_for, schedule_reminder
from lishui_fire.core.storage import save_or_refuse
from lishui_fire.core.workflow import transition

from .. import policies, rules
from ..models import (
    Finding,
    NoticeAmendment,
    PrecheckBooking,
    PrecheckBookingLimits,
    PrecheckNotice,
    PrecheckSlot,
)
from ..workflow import (
    ACTIVE_BOOKING_STATUSES,
    AMENDMENT_FLOW,
    BOOKING_FLOW,
    AmendmentStatus,
    BookingStatus,
)
from .common import check_upload


def _cutoff_hours() -> int:
    return int(getattr(settings, "PRECHECK_CHANGE_CUTOFF_HOURS", 24))


# --- Slots --------------------------------------------------------------------------------------
@transaction.atomic
def publish_slot(
    *,
    actor: Any,
    brigade: OrgUnit,
    inspector: User,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    capacity: int = 1,
) -> PrecheckSlot:
    """Open a pre-check time. Staff of the brigade publish slots for its own inspectors."""
    authorize(policies.can_manage_slots(actor, brigade.pk))
    errors: dict[str, str] = {}
    if brigade.kind != OrgUnit.Kind.BRIGADE:
        errors["brigade"] = _("请选择大队。")
    if inspector.role != Role.INSPECTOR or inspector.org_unit_id != brigade.pk:
        errors["inspector"] = _("请选择本大队的监督员。")
    if starts_at <= timezone.now():
        errors["starts_at"] = _("只能发布将来的时段。")
    elif starts_at > timezone.now() + rules.SLOT_HORIZON:
        errors["starts_at"] = _("最多提前一年发布时段。")
    if ends_at <= starts_at:
        errors["ends_at"] = _("结束时间应晚于开始时间。")
    elif ends_at - starts_at > dt.timedelta(hours=8):
        errors["ends_at"] = _("一个时段不能超过 8 小时。")
    if not 1 <= capacity <= 20:
        errors["capacity"] = _("可预约数应在 1 到 20 之间。")
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            return PrecheckSlot.objects.create(
                brigade=brigade,
                inspector=inspector,
                starts_at=starts_at,
                ends_at=ends_at,
                capacity=capacity,
                created_by=actor,
            )
    except IntegrityError as exc:
        raise Conflict(_("该监督员在这个时间已有时段。")) from exc


@transaction.atomic
def generate_weekly_slots(
    *,
    actor: Any,
    brigade: OrgUnit,
    inspector: User,
    weekdays: Iterable[int],
    start_time: dt.time,
    end_time: dt.time,
    first_day: dt.date,
    weeks: int,
    capacity: int = 1,
) -> list[PrecheckSlot]:
    """Recurring weekly openings (e.g. every Tuesday and Thursday 9:00–11:00 for 4 weeks).

    Days that are not working days (holidays) are skipped; an existing slot is left as it is.
    """
    authorize(policies.can_manage_slots(actor, brigade.pk))
    if not 1 <= weeks <= 12:
        raise ValidationError({"weeks": _("一次最多生成 12 周。")})
    days = set(weekdays)
    if not days or not days <= set(range(7)):
        raise ValidationError({"weekdays": _("请选择星期几。")})
    if first_day < timezone.localdate():
        raise ValidationError({"first_day": _("开始日期不能早于今天。")})
    if first_day > timezone.localdate() + rules.SLOT_HORIZON:
        raise ValidationError({"first_day": _("最多提前一年发布时段。")})
    tz = timezone.get_current_timezone()
    created: list[PrecheckSlot] = []
    for offset in range(weeks * 7):
        day = first_day + dt.timedelta(days=offset)
        if day.weekday() not in days or not is_workday(day):
            continue
        starts_at = dt.datetime.combine(day, start_time, tzinfo=tz)
        ends_at = dt.datetime.combine(day, end_time, tzinfo=tz)
        if starts_at <= timezone.now():
            continue
        if PrecheckSlot.objects.filter(inspector=inspector, starts_at=starts_at).exists():
            continue
        created.append(
            publish_slot(
                actor=actor,
                brigade=brigade,
                inspector=inspector,
                starts_at=starts_at,
                ends_at=ends_at,
                capacity=capacity,
            )
        )
    return created


@transaction.atomic
def withdraw_slot(*, slot: PrecheckSlot, actor: Any) -> None:
    """Remove a slot nobody has booked."""
    authorize(policies.can_manage_slots(actor, slot.brigade_id))
    # Lock the row while it is still unbooked, so a booking racing the withdrawal either lands
    # first (and we refuse) or finds the slot gone; a plain filtered delete() re-deletes by pk.
    locked = PrecheckSlot.objects.select_for_update().filter(pk=slot.pk, booked=0).first()
    if locked is None:
        raise Conflict(_("该时段已有预约，不能撤下；请先与申请人协商改约。"))
    if locked.bookings.exists():
        # Cancelled bookings are history the slot must keep (PROTECT): deleting would fail.
        raise Conflict(_("该时段有过预约记录（已取消），不能撤下。"))
    locked.delete()


# --- Bookings ------------------------------------------------------------------------------------------
class SlotStarted(DomainError):
    """The slot has started or passed: a bad request (400), not a conflict."""


class CountyMismatch(DomainError):
    """The venue's county is not the slot's: booked only once the applicant confirms (400)."""

    def __init__(self, message: str, *, venue_county: OrgUnit, slot_brigade: OrgUnit) -> None:
        super().__init__(message)
        self.venue_county = venue_county
        self.slot_brigade = slot_brigade


class BookingLimitReached(Conflict):
    """The account or the venue already holds as many open bookings as the limits allow (409)."""


def county_mismatch_message(*, venue_county: OrgUnit, slot_brigade: OrgUnit) -> str:
    return _(
        "场所位于%(venue)s，而这个时段属于%(brigade)s。体检由场所所在地的大队办理，"
        "请改选%(venue)s的时段；如确需预约这个时段（如场所位于两地交界或已与大队约定），请确认后再提交。"
    ) % {
        "venue": venue_county.division_name or venue_county.display_name,
        "brigade": slot_brigade.display_name,
    }


def book_precheck(
    *,
    applicant: Any,
    slot_id: int | None = None,
    slot: PrecheckSlot | None = None,
    venue_name: str,
    venue_address: str,
    contact_phone: str,
    venue_type: str = "",
    venue_county: OrgUnit | None = None,
    venue_county_code: str | None = None,
    confirm_county_mismatch: bool = False,
    replacing: PrecheckBooking | None = None,
) -> PrecheckBooking:
    """Book one place in a slot for a venue; the loser of a race gets ``Conflict``.

    The slot is ``slot_id``, or ``slot`` when the caller has already read it with its brigade
    and inspector (the API's serializer and the booking page do): it is read, not trusted — the
    place itself is taken by the conditional update below. ``venue_county`` is where the venue
    is (or ``venue_county_code``, its brigade's code, as the API says it: the slot's own brigade
    costs no look-up): a county other than the slot's brigade raises ``CountyMismatch`` unless
    ``confirm_county_mismatch``. The open-booking limits (``PrecheckBookingLimits``) are checked
    under advisory locks on the applicant and the venue, so concurrent requests cannot pass them
    together; ``replacing`` is the booking a reschedule gives up, not counted. The confirmation
    and reminders are one job enqueued on commit.
    """
    authorize(kernel.is_applicant(applicant))
    booking = PrecheckBooking(
        applicant=applicant,
        venue_name=venue_name.strip(),
        venue_address=venue_address.strip(),
        contact_phone=contact_phone.strip(),
        venue_type=venue_type,
        venue_county=venue_county,
        county_mismatch_confirmed=False,
    )
    booking.full_clean(exclude=["slot", "brigade", "applicant", "venue_county"])
    booking.venue_key = rules.venue_key(booking.venue_address)
    now = timezone.now()
    if slot is None and slot_id is None:
        raise TypeError("book_precheck needs slot_id or slot")
    try:
        with transaction.atomic():
            if slot is None:
                # The locks and the slot in one statement (ADR 0032); a slot that does not exist
                # takes no lock and books nothing.
                found = _lock_and_read_slot(slot_id, applicant.pk, booking.venue_key)
            else:
                _lock_quota(applicant.pk, booking.venue_key)
                found = slot
            slot = _check_slot(booking, found, now=now, venue_county_code=venue_county_code)
            county = booking.venue_county
            if county is not None and county.pk != slot.brigade_id:
                if not confirm_county_mismatch:
                    raise CountyMismatch(
                        county_mismatch_message(venue_county=county, slot_brigade=slot.brigade),
                        venue_county=county,
                        slot_brigade=slot.brigade,
                    )
                booking.county_mismatch_confirmed = True
            # One statement takes the place if the slot has one and the limits allow it (ADR
            # 0032); only a refusal pays for finding out which rule refused, under the same locks.
            if not _take_place(slot, applicant, booking.venue_key, now=now, replacing=replacing):
                _check_limits(applicant, slot, booking.venue_key, now=now, replacing=replacing)
                raise Conflict(_("该时段刚刚被约满，请选择其他时段。"))
            booking.slot = slot
            booking.brigade = slot.brigade
            booking.save()
            # The confirmation SMS and the day-before reminders are written by a job once the
            # booking commits (never for one that rolled back; the sweep catches a lost job).
            enqueue("permits.announce_booking", booking.pk)
    except IntegrityError as exc:
        # The partial unique index: this applicant already holds a place in this slot.
        raise Conflict(_("您已预约了这个时段。")) from exc
    return booking


def _check_slot(
    booking: PrecheckBooking,
    slot: PrecheckSlot | None,
    *,
    now: dt.datetime,
    venue_county_code: str | None,
) -> PrecheckSlot:
    """The slot, which exists and has not started; the venue's county from its code (API)."""
    if slot is None:
        raise ValidationError({"slot": _("该时段不存在。")})
    if not rules.can_book(starts_at=slot.starts_at, now=now):
        raise SlotStarted(_("该时段已开始或已结束，请选择其他时段。"))
    if venue_county_code is not None:
        booking.venue_county = _county_by_code(venue_county_code, slot.brigade)
    return slot


def _lock_and_read_slot(slot_id: Any, applicant_id: int, venue_key: str) -> PrecheckSlot | None:
    """The slot with its brigade and inspector (the audit entry's description of the booking
    names the inspector), and on PostgreSQL the advisory locks of ``_lock_quota`` taken by the same
    statement: one round trip instead of two. The slot's columns may predate the lock; the
    counts that must not are in ``_take_place``, the next statement."""
    qs = PrecheckSlot.objects.select_related("brigade", "inspector").filter(pk=slot_id)
    if connection.vendor == "postgresql":
        qs = qs.annotate(
            _locked=RawSQL(
                "(SELECT 1 FROM (SELECT pg_advisory_xact_lock(%s, %s), "
                "pg_advisory_xact_lock(hashtext(%s))) AS quota_locks)",
                [QUOTA_LOCK_CLASS, applicant_id, f"precheck-venue:{venue_key}"],
            )
        )
    return qs.first()


def _lock_quota(applicant_id: int, venue_key: str) -> None:
    """Serialise the bookings of one applicant and of one venue until the transaction ends.

    PostgreSQL: transaction-scoped advisory locks, applicant first and venue second (one order,
    so two bookings cannot deadlock). SQLite opens every transaction with BEGIN IMMEDIATE, which
    serialises all writers already (ADR 0005).
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, %s), pg_advisory_xact_lock(hashtext(%s))",
            [QUOTA_LOCK_CLASS, applicant_id, f"precheck-venue:{venue_key}"],
        )


# The first key of the applicant's advisory lock ("PB": pre-check booking), apart from others.
QUOTA_LOCK_CLASS = 0x5042


def _county_by_code(code: str, slot_brigade: OrgUnit) -> OrgUnit:
    """The brigade whose code the API was given; the slot's own (the usual case) without a query."""
    code = str(code).upper()
    if code == slot_brigade.code:
        return slot_brigade
    county = OrgUnit.objects.filter(code=code, kind=OrgUnit.Kind.BRIGADE).first()
    if county is None:
        raise ValidationError({"county": _("未知的县（市、区）代码。")})
    return county


_ACTIVE = sorted(str(status) for status in ACTIVE_BOOKING_STATUSES)


def _take_place_sql() -> str:
    slot, booking = PrecheckSlot._meta.db_table, PrecheckBooking._meta.db_table
    limits = PrecheckBookingLimits._meta.db_table
    # Open: still booked, the slot not ended, not the booking a reschedule gives up.
    open_ = (
        f"SELECT COUNT(*) FROM {booking} b JOIN {slot} s ON s.id = b.slot_id "  # noqa: S608 - the models' table names; values are parameters
        "WHERE b.status = %s AND s.ends_at > %s AND b.id <> %s"
    )
    active = ", ".join(["%s"] * len(_ACTIVE))
    return (
        f"UPDATE {slot} SET booked = booked + 1 "  # noqa: S608 - as above
        "WHERE id = %s AND starts_at > %s AND booked < capacity "
        f"AND NOT EXISTS (SELECT 1 FROM {booking} b WHERE b.slot_id = %s "
        f"AND b.applicant_id = %s AND b.status IN ({active})) "
        f"AND ({open_} AND b.applicant_id = %s) "
        f"< COALESCE((SELECT max_open_per_applicant FROM {limits} WHERE id = 1), %s) "
        f"AND (%s = '' OR ({open_} AND b.venue_key = %s) "
        f"< COALESCE((SELECT max_open_per_venue FROM {limits} WHERE id = 1), %s))"
    )


TAKE_PLACE_SQL = _take_place_sql()


def _take_place(
    slot: PrecheckSlot,
    applicant: Any,
    venue_key: str,
    *,
    now: dt.datetime,
    replacing: PrecheckBooking | None,
) -> bool:
    """``booked = booked + 1`` on the slot if it has not started, has a free place, the applicant
    holds none of its places, and she and the venue are below their limits of open bookings (the
    administrators' row, or the model's defaults without one) — one conditional UPDATE (ADR 0005,
    ADR 0032). Run after ``_lock_quota``, as a statement of its own, so that its snapshot sees
    every booking committed by whoever held the locks before us.

    Raw SQL on purpose: it is the one statement of the hot path, and building it with the ORM
    (three subqueries) cost more CPU than the database spent running it. Portable: PostgreSQL and
    SQLite alike."""
    defaults = PrecheckBookingLimits._meta
    at = connection.ops.adapt_datetimefield_value(now)
    open_ = [BookingStatus.BOOKED.value, at, replacing.pk if replacing is not None else 0]
    params = [
        *(slot.pk, at),
        *(slot.pk, applicant.pk, *_ACTIVE),
        *(*open_, applicant.pk, defaults.get_field("max_open_per_applicant").default),
        *(venue_key, *open_, venue_key, defaults.get_field("max_open_per_venue").default),
    ]
    with connection.cursor() as cursor:
        cursor.execute(TAKE_PLACE_SQL, params)
        return cursor.rowcount == 1


def _check_limits(
    applicant: Any,
    slot: PrecheckSlot,
    venue_key: str,
    *,
    now: dt.datetime,
    replacing: PrecheckBooking | None,
) -> None:
    """Raise the reason a refused ``_take_place`` was refused, if a limit was it (the same rules
    as ``TAKE_PLACE_SQL``, said with their figures); return when it was the slot itself (full, or
    started meanwhile). Tests book to both sides of the limits, so the two cannot drift apart."""
    limits = PrecheckBookingLimits.current()
    open_q = Q(status=BookingStatus.BOOKED, slot__ends_at__gt=now)
    mine = Q(applicant=applicant)
    here = Q(venue_key=venue_key) if venue_key else Q(pk__in=[])
    qs = PrecheckBooking.objects.filter(
        mine & Q(slot=slot, status__in=ACTIVE_BOOKING_STATUSES) | (open_q & (mine | here))
    )
    if replacing is not None:
        qs = qs.exclude(pk=replacing.pk)
    counts = qs.aggregate(
        same_slot=Count("pk", filter=mine & Q(slot=slot, status__in=ACTIVE_BOOKING_STATUSES)),
        applicant=Count("pk", filter=open_q & mine),
        venue=Count("pk", filter=open_q & here),
    )
    if counts["same_slot"]:
        # Said first, or a full slot would answer "just taken" to the person who took it; the
        # unique index still decides a race between two tabs of the same applicant.
        raise Conflict(_("您已预约了这个时段。"))
    if counts["applicant"] >= limits.max_open_per_applicant:
        raise BookingLimitReached(
            _(
                "您已有 %(n)d 个未完成的体检预约，每个账号最多同时预约 %(max)d 个。"
                "请等已约的体检完成，或取消其中一个后再预约。"
            )
            % {"n": counts["applicant"], "max": limits.max_open_per_applicant}
        )
    if counts["venue"] >= limits.max_open_per_venue:
        contact = contact_for(slot.brigade)
        raise BookingLimitReached(
            _(
                "这个场所地址已有未完成的体检预约，每个场所最多同时预约 %(max)d 个。"
                "如需换时间，请在原预约中改约；如原预约不是您本人所约，请致电%(unit)s（%(hotline)s）。"
            )
            % {
                "max": limits.max_open_per_venue,
                "unit": contact.unit_name,
                "hotline": contact.hotline,
            }
        )


def announce_booking(*, booking_id: int) -> None:
    """The confirmation SMS and the day-before reminders of a booking; run once, by the job
    enqueued when the booking committed or by the sweep. Safe to call twice."""
    with transaction.atomic():
        booking = (
            PrecheckBooking.objects.select_for_update()
            .filter(pk=booking_id, announced_at__isnull=True)
            .first()
        )
        if booking is None:
            return
        booking = PrecheckBooking.objects.select_related("slot__inspector", "applicant").get(
            pk=booking.pk
        )
        if booking.status == BookingStatus.BOOKED:
            _schedule_booking_reminders(booking)
            _confirm_booking(booking)
        PrecheckBooking.objects.filter(pk=booking.pk).update(announced_at=timezone.now())


# A booking's job that has not run within this time is run by the sweep (the broker was down).
ANNOUNCE_GRACE = dt.timedelta(minutes=2)


def sweep_unannounced_bookings(*, now: dt.datetime | None = None, limit: int = 200) -> int:
    """Announce the bookings whose job never ran; returns how many."""
    now = now or timezone.now()
    ids = list(
        PrecheckBooking.objects.filter(
            announced_at__isnull=True, created_at__lt=now - ANNOUNCE_GRACE
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in ids:
        announce_booking(booking_id=pk)
    return len(ids)


def cancel_booking(*, booking: PrecheckBooking, actor: Any) -> PrecheckBooking:
    authorize(policies.is_owner(actor, booking))
    if not rules.can_change_booking(
        starts_at=booking.slot.starts_at, now=timezone.now(), cutoff_hours=_cutoff_hours()
    ):
        contact = contact_for(booking.brigade)
        raise DomainError(
            _("距体检开始已不足 %(h)d 小时，不能在网上取消，请致电%(unit)s（%(hotline)s）。")
            % {"h": _cutoff_hours(), "unit": contact.unit_name, "hotline": contact.hotline}
        )
    with transaction.atomic():
        transition(
            booking,
            workflow=BOOKING_FLOW,
            to=BookingStatus.CANCELLED,
            actor=actor,
            updates={"cancelled_at": timezone.now()},
        )
        PrecheckSlot.objects.filter(pk=booking.slot_id, booked__gt=0).update(booked=F("booked") - 1)
        cancel_reminders_for(booking)
    return booking


def reschedule_booking(
    *, booking: PrecheckBooking, actor: Any, new_slot_id: int
) -> PrecheckBooking:
    """Move to another slot: the new place is taken first, so a failed move keeps the old one."""
    authorize(policies.is_owner(actor, booking))
    if new_slot_id == booking.slot_id:
        raise ValidationError({"slot": _("请选择一个不同的时段。")})
    with transaction.atomic():
        new_slot = (
            PrecheckSlot.objects.select_related("brigade", "inspector")
            .filter(pk=new_slot_id)
            .first()
        )
        if new_slot is None or new_slot.brigade_id != booking.brigade_id:
            raise ValidationError({"slot": _("只能改约到同一大队的时段。")})
        new_booking = book_precheck(
            applicant=actor,
            slot=new_slot,
            venue_name=booking.venue_name,
            venue_address=booking.venue_address,
            contact_phone=booking.contact_phone,
            venue_type=booking.venue_type,
            venue_county=booking.venue_county,
            # Same brigade as before (checked above): what she confirmed then still holds.
            confirm_county_mismatch=True,
            replacing=booking,
        )
        cancel_booking(booking=booking, actor=actor)
    return new_booking


@transaction.atomic
def record_arrival(
    *, booking: PrecheckBooking, actor: Any, arrived_at: dt.datetime | None = None
) -> PrecheckBooking:
    """The inspector records the time of arrival at the venue (punctuality is a KPI)."""
    authorize(policies.can_inspect_booking(actor, booking))
    arrived_at = arrived_at or timezone.now()
    if arrived_at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError({"arrived_at": _("到场时间不能晚于现在。")})
    if arrived_at < booking.slot.starts_at - rules.ARRIVAL_EARLIEST:
        raise ValidationError(
            {"arrived_at": _("到场时间早于预约开始时间 2 小时以上，请核对；不能提前登记到场。")}
        )
    transition(
        booking,
        workflow=BOOKING_FLOW,
        to=BookingStatus.IN_PROGRESS,
        actor=actor,
        updates={"arrived_at": arrived_at},
    )
    return booking


@transaction.atomic
def mark_no_show(*, booking: PrecheckBooking, actor: Any, note: str = "") -> PrecheckBooking:
    authorize(policies.can_inspect_booking(actor, booking))
    if timezone.now() < booking.slot.starts_at:
        raise DomainError(_("体检时间尚未开始。"))
    transition(booking, workflow=BOOKING_FLOW, to=BookingStatus.NO_SHOW, actor=actor, note=note)
    return booking


def add_finding(
    *,
    booking: PrecheckBooking,
    actor: Any,
    item: str,
    location: str,
    regulation: str,
    remedy: str,
    photo: UploadedFile | None = None,
    amendment: NoticeAmendment | None = None,
) -> Finding:
    """One problem found. Before the notice is issued, or inside a requested amendment."""
    authorize(policies.can_inspect_booking(actor, booking))
    if amendment is None and booking.status != BookingStatus.IN_PROGRESS:
        if booking.status == BookingStatus.NOTICE_ISSUED:
            raise DomainError(_("告知书已出具，补充问题须提出补充申请并经领导批准。"))
        raise DomainError(_("请先登记到场时间，再记录发现的问题。"))
    if amendment is not None and (
        amendment.booking_id != booking.pk or amendment.status != AmendmentStatus.REQUESTED
    ):
        raise DomainError(_("该补充申请已审批，不能再增加问题。"))
    finding = Finding(
        booking=booking,
        item=item.strip(),
        location=location.strip(),
        regulation=regulation.strip(),
        remedy=remedy.strip(),
        created_by=actor,
        amendment=amendment,
    )
    finding.full_clean(exclude=["booking", "photo", "amendment", "created_by"])
    photo_name = ""
    if photo is not None:
        content_type, digest = check_upload(photo, images_only=True)
        photo_name = f"{digest[:16]}{rules.EXTENSIONS[content_type]}"
    with transaction.atomic():
        # Re-check under the lock: the notice may have been issued while the form was open.
        current = PrecheckBooking.objects.select_for_update().get(pk=booking.pk)
        if amendment is None and current.status != BookingStatus.IN_PROGRESS:
            raise DomainError(_("告知书已出具，补充问题须提出补充申请并经领导批准。"))
        # The photo is written only once the finding is allowed, and removed again if the row
        # is not saved after all: no orphaned files in the private store.
        if photo is not None:
            save_or_refuse(finding.photo, photo_name, photo, form_field="photo")
            stored = finding.photo.name
        try:
            finding.save()
        except Exception:
            if photo is not None:
                finding.photo.storage.delete(stored)
            raise
    return finding


@transaction.atomic
def remove_finding(*, finding: Finding, actor: Any) -> None:
    booking = finding.booking
    authorize(policies.can_inspect_booking(actor, booking))
    if finding.amendment_id is None and booking.status != BookingStatus.IN_PROGRESS:
        raise DomainError(_("告知书已出具，其中的问题不能删除。"))
    amendment = finding.amendment if finding.amendment_id is not None else None
    if amendment is not None and amendment.status != AmendmentStatus.REQUESTED:
        raise DomainError(_("该补充申请已审批，其中的问题不能删除。"))
    finding.photo.delete(save=False)
    finding.delete()


@transaction.atomic
def issue_notice(*, booking: PrecheckBooking, actor: Any) -> PrecheckBooking:
    """Issue the one-time notice (一次性告知书): every problem, at once. Final afterwards."""
    authorize(policies.can_inspect_booking(actor, booking))
    year = timezone.localdate().year
    short = booking.brigade.division_name[:2] or booking.brigade.code
    number = documents.next_document_number(
        f"notice:{booking.brigade.code}", year, f"丽{short}消告字〔{{year}}〕第{{seq:04d}}号"
    )
    issued_at = timezone.now()
    transition(
        booking,
        workflow=BOOKING_FLOW,
        to=BookingStatus.NOTICE_ISSUED,
        actor=actor,
        updates={"notice_number": number, "notice_issued_at": issued_at, "notice_version": 1},
    )
    _issue_notice_version(booking, version=1, actor=actor, issued_at=issued_at)
    notify(
        channel="sms",
        recipient=booking.applicant,
        address=booking.contact_phone,
        body=_("您预约的消防体检（%(venue)s）已出具一次性告知书，请登录下载。")
        % {"venue": booking.venue_name},
    )
    return booking


@transaction.atomic
def request_amendment(*, booking: PrecheckBooking, actor: Any, reason: str) -> NoticeAmendment:
    """Ask to add problems to an issued notice; a supervisor must approve, with the reason kept."""
    authorize(policies.can_inspect_booking(actor, booking))
    if booking.status != BookingStatus.NOTICE_ISSUED:
        raise DomainError(_("告知书尚未出具，可直接记录问题。"))
    if not reason.strip():
        raise ValidationError({"reason": _("请说明补充告知的理由。")})
    if booking.amendments.filter(status=AmendmentStatus.REQUESTED).exists():
        raise Conflict(_("已有一项补充申请在等待审批。"))
    return NoticeAmendment.objects.create(
        booking=booking, reason=reason.strip(), requested_by=actor
    )


@transaction.atomic
def decide_amendment(
    *, amendment: NoticeAmendment, actor: Any, approve: bool, note: str = ""
) -> NoticeAmendment:
    booking = amendment.booking
    authorize(policies.can_inspect_booking(actor, booking))
    if not policies.can_supervise(actor):
        raise DomainError(_("补充告知须由大队或支队领导审批。"))
    if actor.pk == amendment.requested_by_id:
        raise DomainError(_("不能审批自己提出的补充申请。"))
    if approve and not amendment.findings.exists():
        raise DomainError(_("补充申请中没有问题，无需批准。"))
    transition(
        amendment,
        workflow=AMENDMENT_FLOW,
        to=AmendmentStatus.APPROVED if approve else AmendmentStatus.REFUSED,
        actor=actor,
        note=note,
        updates={"decided_by": actor, "decided_at": timezone.now(), "decision_note": note},
    )
    if approve:
        PrecheckBooking.objects.filter(pk=booking.pk).update(notice_version=F("notice_version") + 1)
        booking.refresh_from_db(fields=["notice_version"])
        _issue_notice_version(booking, version=booking.notice_version, actor=actor)
        notify(
            channel="sms",
            recipient=booking.applicant,
            address=booking.contact_phone,
            body=_("您的一次性告知书（%(number)s）经批准补充了问题，请登录查看。")
            % {"number": booking.notice_number},
        )
    return amendment


def notice_findings(booking: PrecheckBooking) -> list[Finding]:
    """The findings a notice lists: the original ones and those of approved amendments."""
    return [f for f in booking.findings.select_related("amendment") if f.is_on_notice]


def render_notice_file(*, booking_id: int) -> PrecheckBooking:
    """Render and keep the current version of the notice PDF. Safe to call twice."""
    booking = PrecheckBooking.objects.get(pk=booking_id)
    if booking.status != BookingStatus.NOTICE_ISSUED:
        raise DomainError(_("告知书尚未出具。"))
    notice = booking.notice
    if notice is None:
        raise DomainError(_("告知书尚未出具。"))
    documents.render_issued_document(PrecheckNotice, notice.pk)
    return booking


# --- Internals ---------------------------------------------------------------------------------------
def _schedule_booking_reminders(booking: PrecheckBooking) -> None:
    starts_local = timezone.localtime(booking.slot.starts_at)
    due_at = rules.reminder_due_at(starts_local)
    if due_at <= timezone.now():
        return  # booked on the day before or later: the confirmation is the reminder
    when = f"{starts_local:%Y-%m-%d %H:%M}"
    # Texts rendered when sent, each in its recipient's language.
    schedule_reminder(
        subject=booking,
        milestone="applicant",
        recipient=booking.applicant,
        # The number given with the booking: the form promises the reminder goes there.
        address=booking.contact_phone,
        due_at=due_at,
        message="permits.precheck.day_before.applicant",
        params={"when": when, "venue": booking.venue_name},
    )
    schedule_reminder(
        subject=booking,
        milestone="inspector",
        recipient=booking.slot.inspector,
        due_at=due_at,
        message="permits.precheck.day_before.inspector",
        params={"when": when, "venue": booking.venue_name, "address": booking.venue_address},
    )


def _confirm_booking(booking: PrecheckBooking) -> None:
    notify(
        channel="sms",
        recipient=booking.applicant,
        address=booking.contact_phone,
        body=_("您已预约 %(when)s 的消防体检（%(venue)s）。")
        % {
            "when": f"{timezone.localtime(booking.slot.starts_at):%Y-%m-%d %H:%M}",
            "venue": booking.venue_name,
        },
        dedupe_key=f"precheck:{booking.pk}:confirmation",
    )


def _issue_notice_version(
    booking: PrecheckBooking, *, version: int, actor: Any, issued_at: dt.datetime | None = None
) -> PrecheckNotice:
    return documents.issue_document(
        PrecheckNotice,
        number=booking.notice_number,
        booking=booking,
        version=version,
        issued_by=actor,
        issued_at=issued_at or timezone.now(),
        brigade=booking.brigade,
        party_name=booking.applicant.real_name,
    )
