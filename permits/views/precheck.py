"""Pre-check booking pages (预约体检): the free-slot calendar, booking, cancelling and
rescheduling for applicants; slot publishing for staff; and the inspector's phone-first booking
page (arrival, findings, the one-time notice, amendments approved by a supervisor).

Every state change is a POST that calls ``services.prechecks`` and redirects with a message (PRG).
A full slot, a refused move or a stale page is a message, never a 500. One URL,
``permits:booking_detail``, serves the owner and the staff of the brigade, each their own view;
anybody else gets 404, as for a booking that does not exist.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.forms import BaseForm
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lishui_fire.accounts.models import OrgUnit
from lishui_fire.accounts.scoping import scope_queryset
from lishui_fire.core.calendar import is_workday
from lishui_fire.core.documents import pdf_response
from lishui_fire.core.errors import DomainError
from lishui_fire.core.masking import mask_name, mask_phone
from lishui_fire.core.workflow import history_for

from .. import policies, rules, selectors
from ..forms import precheck as forms
from ..models import Finding, NoticeAmendment, PrecheckBooking, PrecheckSlot
from ..services import applications as application_services
from ..services import prechecks as services
from ..workflow import (
    ACTIVE_BOOKING_STATUSES,
    AMENDMENT_FLOW,
    BOOKING_FLOW,
    AmendmentStatus,
    BookingStatus,
)

WINDOW_WEEKS = 4  # the calendar shows four weeks from the chosen Monday
MAX_WEEKS_AHEAD = 53
RESCHEDULE_CHOICES = 60
STAFF_SLOTS_PER_PAGE = 50


# --- Small helpers -------------------------------------------------------------------------------
def _require_applicant(request: HttpRequest) -> None:
    if not request.user.is_applicant:  # type: ignore[union-attr]
        raise PermissionDenied


def _require_staff(request: HttpRequest) -> Any:
    if not request.user.is_portal_staff:  # type: ignore[union-attr]
        raise PermissionDenied
    return request.user


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _cutoff_hours() -> int:
    return int(getattr(settings, "PRECHECK_CHANGE_CUTOFF_HOURS", 24))


def _can_change(booking: PrecheckBooking) -> bool:
    return booking.status == BookingStatus.BOOKED and rules.can_change_booking(
        starts_at=booking.slot.starts_at, now=timezone.now(), cutoff_hours=_cutoff_hours()
    )


def _errors_of(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


def _add_errors(form: BaseForm, exc: ValidationError, default_field: str | None = None) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else default_field, errors)
    else:
        form.add_error(default_field, exc.messages)


def _act(request: HttpRequest, action: Callable[[], Any], success: str) -> bool:
    """Run a service call; a refusal becomes an error message. True when it went through."""
    try:
        action()
    except ValidationError as exc:
        for message in _errors_of(exc):
            messages.error(request, message)
        return False
    except DomainError as exc:
        messages.error(request, exc.message)
        return False
    messages.success(request, success)
    return True


def punctuality(booking: PrecheckBooking) -> str:
    """准时 / 迟到 N 分钟, from the arrival against the booked start (按照预约时间)."""
    if booking.arrived_at is None:
        return ""
    starts_at = booking.slot.starts_at
    if rules.is_punctual(
        starts_at=starts_at,
        arrived_at=booking.arrived_at,
        grace_minutes=settings.PRECHECK_PUNCTUALITY_GRACE_MINUTES,
    ):
        return _("准时")
    late = math.floor((booking.arrived_at - starts_at).total_seconds() / 60)
    return _("迟到 %(n)d 分钟") % {"n": late}


def _booking_for(request: HttpRequest, pk: int) -> PrecheckBooking:
    """The booking, if the caller owns it or is staff of its brigade; 404 alike otherwise."""
    return policies.get_booking_for_user(user=request.user, pk=pk)


def _staff_booking(request: HttpRequest, pk: int) -> PrecheckBooking:
    _require_staff(request)
    return _booking_for(request, pk)


def _own_booking(request: HttpRequest, pk: int) -> PrecheckBooking:
    booking = _booking_for(request, pk)
    if not policies.is_owner(request.user, booking):
        raise PermissionDenied
    return booking


def _detail(pk: int) -> HttpResponse:
    return redirect("permits:booking_detail", pk=pk)


def _calendar_url(brigade: OrgUnit | None, day: dt.date | None = None) -> str:
    query: dict[str, str] = {}
    if brigade is not None:
        query["brigade"] = brigade.code
    if day is not None:
        query["week"] = f"{_monday(day):%Y-%m-%d}"
    url = reverse("permits:precheck_slots")
    return f"{url}?{urlencode(query)}" if query else url


# --- Applicant: the free-slot calendar --------------------------------------------------------------
@login_required
@require_GET
def slots(request: HttpRequest) -> HttpResponse:
    """Free slots of a county grouped by week and day, four weeks from the chosen Monday."""
    form = forms.SlotFilterForm(request.GET or None)
    brigade: OrgUnit | None = None
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
    end = start + dt.timedelta(weeks=WINDOW_WEEKS) - dt.timedelta(days=1)
    rows = list(selectors.free_slots(brigade=brigade, date_from=start, date_to=end))

    by_day: dict[dt.date, list[dict[str, Any]]] = {}
    for slot in rows:
        by_day.setdefault(timezone.localdate(slot.starts_at), []).append(
            {"slot": slot, "inspector": mask_name(slot.inspector.real_name)}
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
    return render(
        request,
        "permits/precheck/slots.html",
        {
            "form": form,
            "brigade": brigade,
            "weeks": weeks,
            "count": len(rows),
            "start": start,
            "end": end,
            "previous_url": _calendar_url(brigade, max(previous_start, this_monday))
            if start > this_monday
            else None,
            "next_url": _calendar_url(brigade, start + dt.timedelta(weeks=WINDOW_WEEKS))
            if start + dt.timedelta(weeks=WINDOW_WEEKS)
            <= this_monday + dt.timedelta(weeks=MAX_WEEKS_AHEAD)
            else None,
            "can_book": request.user.is_applicant,  # type: ignore[union-attr]
        },
    )


# --- Applicant: book, confirm, my bookings ----------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def book(request: HttpRequest, slot_id: int) -> HttpResponse:
    _require_applicant(request)
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
    form = forms.BookingForm(
        request.POST if request.method == "POST" else None,
        initial={"contact_phone": user.phone},  # type: ignore[union-attr]
    )
    if request.method == "POST" and form.is_valid():
        try:
            booking = services.book_precheck(
                applicant=user, slot_id=slot.pk, **form.service_fields()
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        except DomainError as exc:
            # Full (lost the race), started, or already booked: back to the calendar.
            messages.error(request, exc.message)
            return redirect(_calendar_url(slot.brigade, timezone.localdate(slot.starts_at)))
        else:
            messages.success(request, _("预约成功。"))
            return redirect("permits:booking_confirmed", pk=booking.pk)
    return render(
        request,
        "permits/precheck/book.html",
        {"slot": slot, "form": form, "inspector": mask_name(slot.inspector.real_name)},
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def booking_confirmed(request: HttpRequest, pk: int) -> HttpResponse:
    booking = _own_booking(request, pk)
    reminder = rules.reminder_due_at(timezone.localtime(booking.slot.starts_at))
    return render(
        request,
        "permits/precheck/confirmed.html",
        {
            "booking": booking,
            "reminder_at": reminder if reminder > timezone.now() else None,
            "cutoff_hours": _cutoff_hours(),
            "change_until": booking.slot.starts_at - dt.timedelta(hours=_cutoff_hours()),
        },
    )


@login_required
@require_GET
def my_bookings(request: HttpRequest) -> HttpResponse:
    _require_applicant(request)
    bookings = selectors.bookings_for_user(user=request.user).order_by("-slot__starts_at", "-pk")
    page = Paginator(bookings, 25).get_page(request.GET.get("page"))
    rows = [{"booking": b, "can_change": _can_change(b)} for b in page.object_list]
    return render(request, "permits/precheck/my_bookings.html", {"rows": rows, "page_obj": page})


# --- One booking: owner's view and staff view ---------------------------------------------------------
def _findings_for(booking: PrecheckBooking) -> QuerySet[Finding]:
    return booking.findings.select_related("amendment").order_by("created_at", "pk")


@login_required
@require_GET
def booking_detail(request: HttpRequest, pk: int) -> HttpResponse:
    booking = _booking_for(request, pk)
    if request.user.is_portal_staff:  # type: ignore[union-attr]
        return _render_staff_detail(request, booking)
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


def _render_staff_detail(
    request: HttpRequest,
    booking: PrecheckBooking,
    *,
    finding_form: forms.FindingForm | None = None,
    arrival_form: forms.ArrivalForm | None = None,
    no_show_form: forms.NoShowForm | None = None,
    status: int = 200,
) -> HttpResponse:
    findings = list(_findings_for(booking))
    amendments = list(
        booking.amendments.select_related("requested_by", "decided_by").order_by(
            "requested_at", "pk"
        )
    )
    started = timezone.now() >= booking.slot.starts_at
    s = booking.status
    history = list(history_for(booking))
    for change in history:
        change.to_label = BOOKING_FLOW.label(change.to_status)
    # The inspector calls the venue from this page, so the number is shown in full, and every
    # showing is written to the audit log (PIPL: each view of a full value).
    phone = application_services.reveal_contact_phone(
        obj=booking, actor=request.user, remote_addr=request.META.get("REMOTE_ADDR") or None
    )
    return render(
        request,
        "permits/precheck/booking_staff.html",
        {
            "booking": booking,
            "phone": phone,
            "original_findings": [f for f in findings if f.amendment_id is None],
            "amendments": [
                {"amendment": a, "findings": [f for f in findings if f.amendment_id == a.pk]}
                for a in amendments
            ],
            "punctuality": punctuality(booking),
            "can_arrive": BOOKING_FLOW.can_move(s, BookingStatus.IN_PROGRESS),
            "can_no_show": BOOKING_FLOW.can_move(s, BookingStatus.NO_SHOW) and started,
            "can_add": s == BookingStatus.IN_PROGRESS,
            "can_issue": BOOKING_FLOW.can_move(s, BookingStatus.NOTICE_ISSUED),
            "issued": s == BookingStatus.NOTICE_ISSUED,
            "can_request_amendment": s == BookingStatus.NOTICE_ISSUED
            and not any(a.status == AmendmentStatus.REQUESTED for a in amendments),
            "finding_form": finding_form or forms.FindingForm(),
            "arrival_form": arrival_form or forms.ArrivalForm(),
            "no_show_form": no_show_form or forms.NoShowForm(),
            "history": history,
        },
        status=status,
    )


# --- Applicant: cancel and reschedule until the cut-off --------------------------------------------
def _after_cutoff(request: HttpRequest, booking: PrecheckBooking) -> HttpResponse:
    messages.error(
        request,
        _("距体检开始已不足 %(h)d 小时，不能在网上取消或改约，请致电%(brigade)s。")
        % {"h": _cutoff_hours(), "brigade": booking.brigade.display_name},
    )
    return _detail(booking.pk)


@login_required
@require_http_methods(["GET", "POST"])
def booking_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    booking = _own_booking(request, pk)
    if booking.status != BookingStatus.BOOKED:
        messages.error(request, _("该预约当前不能取消。"))
        return _detail(booking.pk)
    if not _can_change(booking):
        return _after_cutoff(request, booking)
    if request.method == "POST":
        _act(
            request,
            lambda: services.cancel_booking(booking=booking, actor=request.user),
            _("预约已取消。"),
        )
        return _detail(booking.pk)
    return render(request, "permits/precheck/cancel_confirm.html", {"booking": booking})


@login_required
@require_http_methods(["GET", "POST"])
def booking_reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    booking = _own_booking(request, pk)
    if booking.status != BookingStatus.BOOKED:
        messages.error(request, _("该预约当前不能改约。"))
        return _detail(booking.pk)
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
            _add_errors(form, exc, "slot")
        except DomainError as exc:
            # The old booking is kept: the new place is taken first (see the service).
            messages.error(request, exc.message)
            return redirect("permits:booking_reschedule", pk=booking.pk)
        else:
            messages.success(request, _("已改约，原预约已取消。"))
            return _detail(new_booking.pk)
    return render(
        request,
        "permits/precheck/reschedule.html",
        {"booking": booking, "form": form, "has_choices": bool(choices)},
        status=400 if form.errors else 200,
    )


# --- Documents and photos -------------------------------------------------------------------------
@login_required
@require_GET
def notice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The one-time notice: the owner and staff of the brigade; 404 for everyone else."""
    booking = _booking_for(request, pk)
    if booking.status != BookingStatus.NOTICE_ISSUED:
        raise Http404
    booking = services.render_notice_file(booking_id=booking.pk)
    with booking.notice_file.open("rb") as handle:
        pdf = handle.read()
    version = f"-第{booking.notice_version}版" if booking.notice_version > 1 else ""
    return pdf_response(pdf, f"{booking.notice_number}-一次性告知书{version}.pdf")


@login_required
@require_GET
def finding_photo(request: HttpRequest, pk: int) -> HttpResponse:
    """A finding's photo: staff of the brigade; the owner once the item is on the notice."""
    finding = Finding.objects.select_related("amendment").filter(pk=pk).first()
    if finding is None or not finding.photo:
        raise Http404
    booking = _booking_for(request, finding.booking_id)
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


# --- Staff: slots ------------------------------------------------------------------------------------
def _staff_brigades(user: Any) -> QuerySet[OrgUnit]:
    qs = OrgUnit.objects.filter(kind=OrgUnit.Kind.BRIGADE)
    if not user.sees_all_brigades:
        qs = qs.filter(pk=user.org_unit_id)
    return qs.order_by("sort_order", "code")


@login_required
@require_GET
def staff_slots(request: HttpRequest) -> HttpResponse:
    """The brigade's upcoming slots with their bookings and remaining places."""
    user = _require_staff(request)
    brigades = list(_staff_brigades(user))
    code = request.GET.get("brigade", "")
    brigade = next((b for b in brigades if b.code == code), None)
    active = PrecheckBooking.objects.filter(status__in=ACTIVE_BOOKING_STATUSES).order_by("pk")
    qs = (
        scope_queryset(PrecheckSlot.objects.all(), user, owner_field=None)
        .filter(ends_at__gt=timezone.now())
        .select_related("inspector", "brigade")
        .prefetch_related(Prefetch("bookings", queryset=active, to_attr="active_bookings"))
        .order_by("starts_at", "pk")
    )
    if brigade is not None:
        qs = qs.filter(brigade=brigade)
    page = Paginator(qs, STAFF_SLOTS_PER_PAGE).get_page(request.GET.get("page"))
    rows = [
        {
            "slot": s,
            "bookings": [
                {"booking": b, "phone": mask_phone(b.contact_phone)} for b in s.active_bookings
            ],
        }
        for s in page.object_list
    ]
    return render(
        request,
        "permits/precheck/staff_slots.html",
        {
            "rows": rows,
            "page_obj": page,
            "brigades": brigades if len(brigades) > 1 else [],
            "brigade": brigade,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def publish(request: HttpRequest) -> HttpResponse:
    user = _require_staff(request)
    form = forms.PublishSlotForm(request.POST if request.method == "POST" else None, user=user)
    if request.method == "POST" and form.is_valid():
        inspector = form.cleaned_data["inspector"]
        starts_at, ends_at = form.times()
        try:
            services.publish_slot(
                actor=user,
                brigade=inspector.org_unit,
                inspector=inspector,
                starts_at=starts_at,
                ends_at=ends_at,
                capacity=form.cleaned_data["capacity"],
            )
        except ValidationError as exc:
            _add_errors(
                form,
                exc,
                None,
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("已发布 %(when)s 的体检时段。")
                % {"when": f"{timezone.localtime(starts_at):%Y-%m-%d %H:%M}"},
            )
            return redirect("permits:precheck_staff_slots")
    return render(
        request,
        "permits/precheck/publish.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


def _skipped_days(
    *, weekdays: list[int], first_day: dt.date, weeks: int, created: set[dt.date]
) -> tuple[list[dt.date], list[dt.date]]:
    """The selected days that got no new slot: (holidays, others — past or already there)."""
    holidays: list[dt.date] = []
    others: list[dt.date] = []
    for offset in range(weeks * 7):
        day = first_day + dt.timedelta(days=offset)
        if day.weekday() not in weekdays or day in created:
            continue
        (holidays if not is_workday(day) else others).append(day)
    return holidays, others


@login_required
@require_http_methods(["GET", "POST"])
def generate(request: HttpRequest) -> HttpResponse:
    """Recurring weekly openings; holidays are skipped (make-up working days are not)."""
    user = _require_staff(request)
    form = forms.WeeklySlotsForm(
        request.POST if request.method == "POST" else None,
        user=user,
        initial={"first_day": timezone.localdate() + dt.timedelta(days=1)},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        inspector = data["inspector"]
        try:
            created = services.generate_weekly_slots(
                actor=user,
                brigade=inspector.org_unit,
                inspector=inspector,
                weekdays=data["weekdays"],
                start_time=data["start_time"],
                end_time=data["end_time"],
                first_day=data["first_day"],
                weeks=data["weeks"],
                capacity=data["capacity"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            holidays, others = _skipped_days(
                weekdays=data["weekdays"],
                first_day=data["first_day"],
                weeks=data["weeks"],
                created={timezone.localdate(s.starts_at) for s in created},
            )
            message = _("已生成 %(created)d 个时段，跳过 %(skipped)d 天。") % {
                "created": len(created),
                "skipped": len(holidays) + len(others),
            }
            if holidays:
                message += _("节假日 %(n)d 天：%(days)s。") % {
                    "n": len(holidays),
                    "days": "、".join(f"{d:%m-%d}" for d in holidays),
                }
            if others:
                message += _("已有时段或时间已过 %(n)d 天：%(days)s。") % {
                    "n": len(others),
                    "days": "、".join(f"{d:%m-%d}" for d in others),
                }
            messages.success(request, message)
            return redirect(
                f"{reverse('permits:precheck_staff_slots')}?{urlencode({'brigade': inspector.org_unit.code})}"
            )
    return render(
        request,
        "permits/precheck/generate.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    user = _require_staff(request)
    slot = scope_queryset(PrecheckSlot.objects.all(), user, owner_field=None).filter(pk=pk).first()
    if slot is None:
        raise Http404
    _act(request, lambda: services.withdraw_slot(slot=slot, actor=user), _("时段已撤下。"))
    return redirect("permits:precheck_staff_slots")


# --- Inspector: arrival, no-show, findings, the notice ---------------------------------------------
@login_required
@require_POST
def arrival(request: HttpRequest, pk: int) -> HttpResponse:
    booking = _staff_booking(request, pk)
    form = forms.ArrivalForm(request.POST)
    if not form.is_valid():
        return _render_staff_detail(request, booking, arrival_form=form, status=400)
    when = form.cleaned_data.get("arrived_at")
    try:
        services.record_arrival(booking=booking, actor=request.user, arrived_at=when)
    except ValidationError as exc:
        _add_errors(form, exc, "arrived_at")
        return _render_staff_detail(request, booking, arrival_form=form, status=400)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("已记录到场时间 %(when)s（%(p)s）。")
            % {
                "when": f"{timezone.localtime(booking.arrived_at):%H:%M}",
                "p": punctuality(booking),
            },
        )
    return _detail(booking.pk)


@login_required
@require_POST
def no_show(request: HttpRequest, pk: int) -> HttpResponse:
    booking = _staff_booking(request, pk)
    form = forms.NoShowForm(request.POST)
    if not form.is_valid():
        # Not recorded without the note the inspector meant to write.
        return _render_staff_detail(request, booking, no_show_form=form, status=400)
    note = form.cleaned_data["note"]
    _act(
        request,
        lambda: services.mark_no_show(booking=booking, actor=request.user, note=note),
        _("已记录为未到场。"),
    )
    return _detail(booking.pk)


@login_required
@require_POST
def finding_add(request: HttpRequest, pk: int) -> HttpResponse:
    booking = _staff_booking(request, pk)
    form = forms.FindingForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_finding(booking=booking, actor=request.user, **form.service_fields())
        except ValidationError as exc:
            _add_errors(form, exc, "photo")
        except DomainError as exc:
            messages.error(request, exc.message)
            return _detail(booking.pk)
        else:
            messages.success(
                request, _("已记录问题：%(item)s") % {"item": form.cleaned_data["item"]}
            )
            return redirect(reverse("permits:booking_detail", args=[booking.pk]) + "#findings-h")
    return _render_staff_detail(request, booking, finding_form=form, status=400)


def _staff_finding(request: HttpRequest, pk: int) -> Finding:
    user = _require_staff(request)
    bookings = selectors.bookings_for_user(user=user)
    finding = (
        Finding.objects.select_related("booking", "amendment")
        .filter(pk=pk, booking__in=bookings)
        .first()
    )
    if finding is None:
        raise Http404
    return finding


@login_required
@require_POST
def finding_remove(request: HttpRequest, pk: int) -> HttpResponse:
    finding = _staff_finding(request, pk)
    _act(
        request,
        lambda: services.remove_finding(finding=finding, actor=request.user),
        _("已删除问题：%(item)s") % {"item": finding.item},
    )
    if finding.amendment_id:
        return redirect("permits:amendment_detail", pk=finding.amendment_id)
    return redirect(reverse("permits:booking_detail", args=[finding.booking_id]) + "#findings-h")


@login_required
@require_http_methods(["GET", "POST"])
def notice_issue(request: HttpRequest, pk: int) -> HttpResponse:
    """Issue the one-time notice: a confirmation listing every finding, then final."""
    booking = _staff_booking(request, pk)
    if booking.status != BookingStatus.IN_PROGRESS:
        messages.error(
            request,
            _("告知书已出具。")
            if booking.status == BookingStatus.NOTICE_ISSUED
            else _("请先登记到场时间，再出具告知书。"),
        )
        return _detail(booking.pk)
    findings = list(_findings_for(booking).filter(amendment__isnull=True))
    if request.method == "POST":
        # The list the inspector confirmed must be the list issued: another device may have
        # added or removed an item since the confirmation page was drawn.
        if request.POST.get("count") != str(len(findings)):
            messages.error(request, _("问题清单刚刚有变化，请重新核对后再出具。"))
            return redirect("permits:notice_issue", pk=booking.pk)
        _act(
            request,
            lambda: services.issue_notice(booking=booking, actor=request.user),
            _("一次性告知书已出具，申请人已收到短信通知。"),
        )
        return _detail(booking.pk)
    return render(
        request, "permits/precheck/issue_confirm.html", {"booking": booking, "findings": findings}
    )


# --- Amendments of an issued notice -------------------------------------------------------------------
def _amendments_for(user: Any) -> QuerySet[NoticeAmendment]:
    return NoticeAmendment.objects.filter(
        booking__in=selectors.bookings_for_user(user=user)
    ).select_related("booking__slot__inspector", "booking__brigade", "requested_by", "decided_by")


def _staff_amendment(request: HttpRequest, pk: int) -> NoticeAmendment:
    user = _require_staff(request)
    amendment = _amendments_for(user).filter(pk=pk).first()
    if amendment is None:
        raise Http404
    return amendment


@login_required
@require_http_methods(["GET", "POST"])
def amendment_request(request: HttpRequest, pk: int) -> HttpResponse:
    booking = _staff_booking(request, pk)
    form = forms.AmendmentRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            amendment = services.request_amendment(
                booking=booking, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            _add_errors(form, exc, "reason")
        except DomainError as exc:
            messages.error(request, exc.message)
            return _detail(booking.pk)
        else:
            messages.success(
                request, _("补充申请已提出。请在此添加要补充的问题，然后等待领导审批。")
            )
            return redirect("permits:amendment_detail", pk=amendment.pk)
    return render(
        request,
        "permits/precheck/amendment_request.html",
        {"booking": booking, "form": form},
        status=400 if form.errors else 200,
    )


def _render_amendment(
    request: HttpRequest,
    amendment: NoticeAmendment,
    *,
    finding_form: forms.FindingForm | None = None,
    decision_form: forms.AmendmentDecisionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    pending = amendment.status == AmendmentStatus.REQUESTED
    history = list(history_for(amendment))
    for change in history:
        change.to_label = AMENDMENT_FLOW.label(change.to_status)
    return render(
        request,
        "permits/precheck/amendment.html",
        {
            "amendment": amendment,
            "booking": amendment.booking,
            "findings": list(amendment.findings.order_by("created_at", "pk")),
            "can_add": pending,
            "can_decide": pending
            and policies.can_supervise(user)
            and amendment.requested_by_id != user.pk,  # type: ignore[union-attr]
            "own_request": pending and amendment.requested_by_id == user.pk,  # type: ignore[union-attr]
            "finding_form": finding_form or forms.FindingForm(),
            "decision_form": decision_form or forms.AmendmentDecisionForm(),
            "history": history,
        },
        status=status,
    )


@login_required
@require_GET
def amendment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_amendment(request, _staff_amendment(request, pk))


@login_required
@require_POST
def amendment_finding_add(request: HttpRequest, pk: int) -> HttpResponse:
    amendment = _staff_amendment(request, pk)
    form = forms.FindingForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_finding(
                booking=amendment.booking,
                actor=request.user,
                amendment=amendment,
                **form.service_fields(),
            )
        except ValidationError as exc:
            _add_errors(form, exc, "photo")
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("permits:amendment_detail", pk=amendment.pk)
        else:
            messages.success(
                request, _("已添加补充问题：%(item)s") % {"item": form.cleaned_data["item"]}
            )
            return redirect("permits:amendment_detail", pk=amendment.pk)
    return _render_amendment(request, amendment, finding_form=form, status=400)


@login_required
@require_POST
def amendment_decide(request: HttpRequest, pk: int) -> HttpResponse:
    amendment = _staff_amendment(request, pk)
    if not policies.can_supervise(request.user):
        raise PermissionDenied
    form = forms.AmendmentDecisionForm(request.POST)
    if not form.is_valid():
        return _render_amendment(request, amendment, decision_form=form, status=400)
    approve = form.cleaned_data["decision"] == "approve"
    _act(
        request,
        lambda: services.decide_amendment(
            amendment=amendment,
            actor=request.user,
            approve=approve,
            note=form.cleaned_data["note"],
        ),
        _("已批准补充告知，告知书已更新为新版本。") if approve else _("已不予批准。"),
    )
    return redirect("permits:amendment_detail", pk=amendment.pk)


@login_required
@require_GET
def amendments_pending(request: HttpRequest) -> HttpResponse:
    """Supervisors: amendments waiting for a decision in their brigade(s)."""
    user = _require_staff(request)
    if not policies.can_supervise(user):
        raise PermissionDenied
    rows = list(
        _amendments_for(user)
        .filter(status=AmendmentStatus.REQUESTED)
        .order_by("requested_at", "pk")[:200]
    )
    return render(request, "permits/precheck/amendments_pending.html", {"rows": rows})


urlpatterns = [
    path("precheck/", slots, name="precheck_slots"),
    path("precheck/slots/<int:slot_id>/book/", book, name="precheck_book"),
    path("precheck/mine/", my_bookings, name="my_bookings"),
    path("precheck/bookings/<int:pk>/", booking_detail, name="booking_detail"),
    path("precheck/bookings/<int:pk>/confirmed/", booking_confirmed, name="booking_confirmed"),
    path("precheck/bookings/<int:pk>/cancel/", booking_cancel, name="booking_cancel"),
    path("precheck/bookings/<int:pk>/reschedule/", booking_reschedule, name="booking_reschedule"),
    path("precheck/bookings/<int:pk>/notice.pdf", notice_pdf, name="notice_pdf"),
    path("precheck/bookings/<int:pk>/arrival/", arrival, name="booking_arrival"),
    path("precheck/bookings/<int:pk>/no-show/", no_show, name="booking_no_show"),
    path("precheck/bookings/<int:pk>/findings/", finding_add, name="finding_add"),
    path("precheck/bookings/<int:pk>/issue/", notice_issue, name="notice_issue"),
    path("precheck/bookings/<int:pk>/amendments/new/", amendment_request, name="amendment_request"),
    path("precheck/findings/<int:pk>/remove/", finding_remove, name="finding_remove"),
    path("precheck/findings/<int:pk>/photo/", finding_photo, name="finding_photo"),
    path("precheck/amendments/<int:pk>/", amendment_detail, name="amendment_detail"),
    path(
        "precheck/amendments/<int:pk>/findings/",
        amendment_finding_add,
        name="amendment_finding_add",
    ),
    path("precheck/amendments/<int:pk>/decide/", amendment_decide, name="amendment_decide"),
    path("precheck/staff/slots/", staff_slots, name="precheck_staff_slots"),
    path("precheck/staff/slots/new/", publish, name="precheck_publish"),
    path("precheck/staff/slots/weekly/", generate, name="precheck_generate"),
    path("precheck/staff/slots/<int:pk>/withdraw/", withdraw, name="precheck_withdraw"),
    path("precheck/staff/amendments/", amendments_pending, name="amendments_pending"),
]
