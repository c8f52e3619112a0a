"""Pre-check booking pages for applicants (预约体检): the free-slot calendar, booking, my
bookings, cancelling and rescheduling until the cut-off, and the one booking page, the notice PDF
and the findings' photos the owner shares with the staff of the brigade.

Every state change is a POST that calls ``services.prechecks`` and redirects with a message (PRG).
A full slot, a refused move or a stale page is a message, never a 500. One URL,
``permits:booking_detail``, serves the owner and the staff of the brigade, each their own view
(the staff view is drawn by ``precheck_staff``); anybody else gets 404, as for a booking that does
not exist.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from lishui_fire.accounts.decorators import applicant_required
from lishui_fire.accounts.models import OrgUnit
from lishui_fire.core.document_views import serve_issued_document
from lishui_fire.core.errors import DomainError
from lishui_fire.core.masking import mask_name, mask_phone

from .. import policies, rules, selectors
from ..forms import precheck as forms
from ..models import Finding, PrecheckBooking, PrecheckSlot
from ..services import prechecks as services
from ..workflow import (
    BookingStatus,
)
from .common import act, add_errors, punctuality
from .precheck_staff import render_staff_detail

WINDOW_WEEKS = 4  # the calendar shows four weeks from the chosen Monday
MAX_WEEKS_AHEAD = 53
RESCHEDULE_CHOICES = 60


# --- Small helpers ----------------------------------------------------------------------------
def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _cutoff_hours() -> int:
    return int(getattr(settings, "PRECHECK_CHANGE_CUTOFF_HOURS", 24))


def _can_change(booking: PrecheckBooking) -> bool:
    return booking.status == BookingStatus.BOOKED and rules.can_change_booking(
        starts_at=booking.slot.starts_at, now=timezone.now(), cutoff_hours=_cutoff_hours()
    )


def _own_booking(request: HttpRequest, pk: int) -> PrecheckBooking:
    booking = policies.get_booking_for_user(user=request.user, pk=pk)
    if not policies.is_owner(request.user, booking):
        raise PermissionDenied
    return booking


def _calendar_url(
    brigade: OrgUnit | None,
    day: dt.date | None = None,
    *,
    url_name: str = "permits:precheck_slots",
) -> str:
    query: dict[str, str] = {}
    if brigade is not None:
        query["brigade"] = brigade.code
    if day is not None:
        query["week"] = f"{_monday(day):%Y-%m-%d}"
    url = reverse(url_name)
    return f"{url}?{urlencode(query)}" if query else url


# --- The free-slot calendar -------------------------------------------------------------------
def _slot_row(slot: PrecheckSlot, *, now: dt.datetime, cutoff_hours: int) -> dict[str, Any]:
    """A slot as the calendars show it, with what the cut-off means for it (issue 9): until when a
    booking of it could be cancelled online, or ``None`` when that moment has already passed."""
    return {
        "slot": slot,
        "inspector": mask_name(slot.inspector.real_name),
        "change_until": rules.online_change_deadline(
            starts_at=slot.starts_at, now=now, cutoff_hours=cutoff_hours
        ),
    }


def _calendar(
    request: HttpRequest, *, url_name: str, default_brigade: OrgUnit | None = None
) -> dict[str, Any]:
    """Free slots of a county grouped by week and day, four weeks from the chosen Monday."""
    form = forms.SlotFilterForm(request.GET or None)
    brigade: OrgUnit | None = default_brigade
    this_monday = _monday(timezone.localdate())
    start = this_monday
    if form.is_bound:
        if form.is_valid():
            brigade = form.cleaned_data["brigade"]
            week = form.cleaned_data["week"]
            if week is not None:
                start = min(
                    max(_monday(week), this_monday),
                    this_monday + dt.timedelta(weeks=MAX_WEEKS_AHEAD),
                )
        else:
            messages.warning(request, _("查询条件有误，已显示全部县（市、区）最近四周的时段。"))
            form = forms.SlotFilterForm()
            brigade = None
    elif default_brigade is not None:
        form = forms.SlotFilterForm(initial={"brigade": default_brigade})
    end = start + dt.timedelta(weeks=WINDOW_WEEKS) - dt.timedelta(days=1)
    # The brigade's parent joined too: the contact of a slot inside the cut-off reads it.
    # A page's cost follows its page (ADR 0030): four weeks of every county can hold thousands
    # of slots; past the bound the page shows the first ones and asks for a county or a week.
    limit = settings.PRECHECK_CALENDAR_MAX_SLOTS
    rows = list(
        selectors.free_slots(brigade=brigade, date_from=start, date_to=end).select_related(
            "brigade__parent"
        )[: limit + 1]
    )
    truncated = len(rows) > limit
    rows = rows[:limit]
    now, cutoff = timezone.now(), _cutoff_hours()
    by_day: dict[dt.date, list[dict[str, Any]]] = {}
    for slot in rows:
        by_day.setdefault(timezone.localdate(slot.starts_at), []).append(
            _slot_row(slot, now=now, cutoff_hours=cutoff)
        )
    weeks = []
    for n in range(WINDOW_WEEKS):
        monday = start + dt.timedelta(weeks=n)
        days = [
            {"date": day, "slots": by_day[day]}
            for day in (monday + dt.timedelta(days=i) for i in range(7))
            if day in by_day
        ]
        weeks.append({"start": monday, "end": monday + dt.timedelta(days=6), "days": days})
    previous_start = start - dt.timedelta(weeks=WINDOW_WEEKS)
    following = start + dt.timedelta(weeks=WINDOW_WEEKS)
    return {
        "form": form,
        "brigade": brigade,
        "weeks": weeks,
        "count": len(rows),
        "truncated": truncated,
        "last_shown": timezone.localdate(rows[-1].starts_at) if truncated else None,
        "start": start,
        "end": end,
        "cutoff_hours": cutoff,
        "previous_url": _calendar_url(brigade, max(previous_start, this_monday), url_name=url_name)
        if start > this_monday
        else None,
        "next_url": _calendar_url(brigade, following, url_name=url_name)
        if following <= this_monday + dt.timedelta(weeks=MAX_WEEKS_AHEAD)
        else None,
    }


@login_required
@require_GET
def slots(request: HttpRequest) -> HttpResponse:
    """The calendar for a signed-in user; an applicant starts from her own county."""
    user = request.user
    default = selectors.applicant_county(user=user) if user.is_applicant else None  # type: ignore[union-attr]
    context = _calendar(request, url_name="permits:precheck_slots", default_brigade=default)
    context["can_book"] = user.is_applicant  # type: ignore[union-attr]
    return render(request, "permits/precheck/slots.html", context)


# Anonymous visitors get the same page for a minute from any cache; a signed-in visitor's copy
# carries her name in the header and is hers alone.
PUBLIC_SLOTS_MAX_AGE = 60


@require_GET
def public_slots(request: HttpRequest) -> HttpResponse:
    """Free pre-check slots for anyone, signed in or not (issue 9): county, day, time and the free
    places; no inspector's name, nobody's booking. Booking itself asks to sign in."""
    context = _calendar(request, url_name="permits:public_slots")
    response = render(request, "permits/precheck/public_slots.html", context)
    if request.user.is_authenticated:
        patch_cache_control(response, private=True, no_cache=True)
    else:
        patch_cache_control(response, public=True, max_age=PUBLIC_SLOTS_MAX_AGE)
    return response


# --- Book, confirm, my bookings ---------------------------------------------------------------
@applicant_required
@require_http_methods(["GET", "POST"])
def book(request: HttpRequest, slot_id: int) -> HttpResponse:
    slot = PrecheckSlot.objects.select_related("brigade", "inspector").filter(pk=slot_id).first()
    if slot is None:
        raise Http404
    user = request.user
    if not rules.can_book(starts_at=slot.starts_at, now=timezone.now()):
        messages.error(request, _("该时段已开始或已结束，请选择其他时段。"))
        return redirect(_calendar_url(slot.brigade))
    if request.method == "GET" and slot.remaining == 0:
        messages.error(request, _("该时段刚刚被约满，请选择其他时段。"))
        return redirect(_calendar_url(slot.brigade, timezone.localdate(slot.starts_at)))
    data = request.POST if request.method == "POST" else None
    # Where she booked last: the form's first answer and the early warning, for the page that
    # asks; a bound form starts from what she sent (no look-up on the POST that books).
    home = selectors.applicant_county(user=user) if data is None else None
    # The confirmation box is offered once the page has said the counties differ.
    mismatch_shown = bool(
        data and data.get("county") and data.get("county") != str(slot.brigade_id)
    )
    form = forms.BookingForm(
        data,
        initial={"contact_phone": user.phone, "county": home},  # type: ignore[union-attr]
        ask_confirmation=mismatch_shown,
    )
    mismatch: OrgUnit | None = home if home is not None and home.pk != slot.brigade_id else None
    status = 200
    if request.method == "POST" and form.is_valid():
        mismatch = None
        try:
            booking = services.book_precheck(applicant=user, slot=slot, **form.service_fields())
        except services.CountyMismatch as exc:
            mismatch = exc.venue_county
            form = forms.BookingForm(data, ask_confirmation=True)
            form.is_valid()
            status = 400
        except services.BookingLimitReached as exc:
            messages.error(request, exc.message)
            return redirect("permits:my_bookings")
        except ValidationError as exc:
            add_errors(form, exc)
        except DomainError as exc:
            # Full (lost the race), started, or already booked: back to the calendar.
            messages.error(request, exc.message)
            return redirect(_calendar_url(slot.brigade, timezone.localdate(slot.starts_at)))
        else:
            messages.success(request, _("预约成功。"))
            return redirect("permits:booking_confirmed", pk=booking.pk)
    elif form.is_bound:
        venue_county = form.cleaned_data.get("county") if hasattr(form, "cleaned_data") else None
        if venue_county is not None and venue_county.pk != slot.brigade_id:
            mismatch = venue_county
    return render(
        request,
        "permits/precheck/book.html",
        {
            "slot": slot,
            "form": form,
            "inspector": mask_name(slot.inspector.real_name),
            "cutoff_hours": _cutoff_hours(),
            "change_until": rules.online_change_deadline(
                starts_at=slot.starts_at, now=timezone.now(), cutoff_hours=_cutoff_hours()
            ),
            "mismatch": mismatch,
            "mismatch_message": services.county_mismatch_message(
                venue_county=mismatch, slot_brigade=slot.brigade
            )
            if mismatch is not None
            else "",
            "mismatch_url": _calendar_url(mismatch) if mismatch is not None else "",
        },
        status=400 if form.errors else status,
    )


@login_required
@require_GET
def booking_confirmed(request: HttpRequest, pk: int) -> HttpResponse:
    booking = _own_booking(request, pk)
    reminder = rules.reminder_due_at(timezone.localtime(booking.slot.starts_at))
    now = timezone.now()
    return render(
        request,
        "permits/precheck/confirmed.html",
        {
            "booking": booking,
            "reminder_at": reminder if reminder > now else None,
            "cutoff_hours": _cutoff_hours(),
            # None once the cut-off has passed: then the page says "call", never a past time.
            "change_until": rules.online_change_deadline(
                starts_at=booking.slot.starts_at, now=now, cutoff_hours=_cutoff_hours()
            ),
        },
    )


@applicant_required
@require_GET
def my_bookings(request: HttpRequest) -> HttpResponse:
    bookings = selectors.bookings_for_user(user=request.user).order_by("-slot__starts_at", "-pk")
    page = Paginator(bookings, 25).get_page(request.GET.get("page"))
    rows = [{"booking": b, "can_change": _can_change(b)} for b in page.object_list]
    return render(request, "permits/precheck/my_bookings.html", {"rows": rows, "page_obj": page})


# --- One booking: the owner's view (staff get theirs) -----------------------------------------
@login_required
@require_GET
def booking_detail(request: HttpRequest, pk: int) -> HttpResponse:
    booking = policies.get_booking_for_user(user=request.user, pk=pk)
    if policies.can_use_staff_pages(request.user):
        return render_staff_detail(request, booking)
    issued = booking.status == BookingStatus.NOTICE_ISSUED
    return render(
        request,
        "permits/precheck/booking_owner.html",
        {
            "booking": booking,
            "inspector": mask_name(booking.slot.inspector.real_name),
            "phone": mask_phone(booking.contact_phone),
            "punctuality": punctuality(booking),
            "can_change": _can_change(booking),
            "after_cutoff": booking.status == BookingStatus.BOOKED and not _can_change(booking),
            "cutoff_hours": _cutoff_hours(),
            "findings": services.notice_findings(booking) if issued else [],
            "issued": issued,
        },
    )


# --- Cancel and reschedule until the cut-off --------------------------------------------------
def _after_cutoff(request: HttpRequest, booking: PrecheckBooking) -> HttpResponse:
    messages.error(
        request,
        _("距体检开始已不足 %(h)d 小时，不能在网上取消或改约，请致电%(brigade)s。")
        % {"h": _cutoff_hours(), "brigade": booking.brigade.display_name},
    )
    return redirect("permits:booking_detail", pk=booking.pk)


@login_required
@require_http_methods(["GET", "POST"])
def booking_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    booking = _own_booking(request, pk)
    if booking.status != BookingStatus.BOOKED:
        messages.error(request, _("该预约当前不能取消。"))
        return redirect("permits:booking_detail", pk=booking.pk)
    if not _can_change(booking):
        return _after_cutoff(request, booking)
    if request.method == "POST":
        act(
            request,
            lambda: services.cancel_booking(booking=booking, actor=request.user),
            _("预约已取消。"),
        )
        return redirect("permits:booking_detail", pk=booking.pk)
    return render(request, "permits/precheck/cancel_confirm.html", {"booking": booking})


@login_required
@require_http_methods(["GET", "POST"])
def booking_reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    booking = _own_booking(request, pk)
    if booking.status != BookingStatus.BOOKED:
        messages.error(request, _("该预约当前不能改约。"))
        return redirect("permits:booking_detail", pk=booking.pk)
    if not _can_change(booking):
        return _after_cutoff(request, booking)
    today = timezone.localdate()
    choices = list(
        selectors.free_slots(
            brigade=booking.brigade,
            date_from=today,
            date_to=today + dt.timedelta(weeks=WINDOW_WEEKS + 4),
        ).exclude(pk=booking.slot_id)[:RESCHEDULE_CHOICES]
    )
    form = forms.RescheduleForm(request.POST if request.method == "POST" else None, slots=choices)
    if request.method == "POST" and form.is_valid():
        try:
            new_booking = services.reschedule_booking(
                booking=booking, actor=request.user, new_slot_id=form.cleaned_data["slot"]
            )
        except ValidationError as exc:
            add_errors(form, exc, "slot")
        except DomainError as exc:
            # The old booking is kept: the new place is taken first (see the service).
            messages.error(request, exc.message)
            return redirect("permits:booking_reschedule", pk=booking.pk)
        else:
            messages.success(request, _("已改约，原预约已取消。"))
            return redirect("permits:booking_detail", pk=new_booking.pk)
    return render(
        request,
        "permits/precheck/reschedule.html",
        {"booking": booking, "form": form, "has_choices": bool(choices)},
        status=400 if form.errors else 200,
    )


# --- Documents and photos (owner and staff) ---------------------------------------------------
@login_required
@require_GET
def notice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The one-time notice: the owner and staff of the brigade; 404 for everyone else."""
    booking = policies.get_booking_for_user(user=request.user, pk=pk)
    if booking.status != BookingStatus.NOTICE_ISSUED:
        raise Http404
    notice = booking.notice
    if notice is None:
        raise Http404
    version = f"-第{booking.notice_version}版" if booking.notice_version > 1 else ""
    return serve_issued_document(
        request, notice, f"{booking.notice_number}-一次性告知书{version}.pdf"
    )


@login_required
@require_GET
def finding_photo(request: HttpRequest, pk: int) -> HttpResponse:
    """A finding's photo: staff of the brigade; the owner once the item is on the notice."""
    finding = Finding.objects.select_related("amendment").filter(pk=pk).first()
    if finding is None or not finding.photo:
        raise Http404
    booking = policies.get_booking_for_user(user=request.user, pk=finding.booking_id)
    if not policies.can_see_finding_photo(request.user, booking, finding):
        raise Http404
    try:
        handle = finding.photo.open("rb")
    except OSError as exc:
        raise Http404 from exc
    content_type = "image/png" if finding.photo.name.lower().endswith(".png") else "image/jpeg"
    response = FileResponse(handle, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
