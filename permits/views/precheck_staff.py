"""Pre-check pages for staff (预约体检): slot publishing and weekly openings, the brigade's slot
list, and the inspector's phone-first booking page (arrival, no-show, findings, the one-time
notice, amendments approved by a supervisor).

Every state change is a POST that calls ``services.prechecks`` and redirects with a message (PRG).
A full slot, a refused move or a stale page is a message, never a 500.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lishui_fire.accounts.decorators import policy_required, supervisor_required
from lishui_fire.accounts.models import OrgUnit
from lishui_fire.core.calendar import is_workday
from lishui_fire.core.client import client_ip
from lishui_fire.core.errors import DomainError
from lishui_fire.core.masking import mask_phone
from lishui_fire.core.pagination import CappedCountPaginator

from .. import policies, selectors
from ..forms import precheck as forms
from ..models import Finding, NoticeAmendment, PrecheckBooking
from ..services import applications as application_services
from ..services import prechecks as services
from ..workflow import (
    ACTIVE_BOOKING_STATUSES,
    AMENDMENT_FLOW,
    BOOKING_FLOW,
    AmendmentStatus,
    BookingStatus,
)
from .common import act, add_errors, labelled_history, punctuality

STAFF_SLOTS_PER_PAGE = 50


# --- Small helpers ----------------------------------------------------------------------------
def _staff_booking(request: HttpRequest, pk: int) -> PrecheckBooking:
    return policies.get_booking_for_user(user=request.user, pk=pk)


def _findings_for(booking: PrecheckBooking) -> QuerySet[Finding]:
    return booking.findings.select_related("amendment").order_by("created_at", "pk")


# --- One booking: the staff view --------------------------------------------------------------
def render_staff_detail(
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
    history = labelled_history(booking, BOOKING_FLOW)
    # The inspector calls the venue from this page, so the number is shown in full, and every
    # showing is written to the audit log (PIPL: each view of a full value).
    phone = application_services.reveal_contact_phone(
        obj=booking, actor=request.user, remote_addr=client_ip(request)
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


# --- Slots ------------------------------------------------------------------------------------
def _staff_brigades(user: Any) -> QuerySet[OrgUnit]:
    qs = OrgUnit.objects.filter(kind=OrgUnit.Kind.BRIGADE)
    if not user.sees_all_brigades:
        qs = qs.filter(pk=user.org_unit_id)
    return qs.order_by("sort_order", "code")


@policy_required(policies.can_use_staff_pages)
@require_GET
def staff_slots(request: HttpRequest) -> HttpResponse:
    """The brigade's upcoming slots with their bookings and remaining places."""
    user = request.user
    brigades = list(_staff_brigades(user))
    code = request.GET.get("brigade", "")
    brigade = next((b for b in brigades if b.code == code), None)
    active = PrecheckBooking.objects.filter(status__in=ACTIVE_BOOKING_STATUSES).order_by("pk")
    qs = (
        selectors.slots_for_user(user=user)
        .filter(ends_at__gt=timezone.now())
        .select_related("inspector", "brigade")
        .prefetch_related(Prefetch("bookings", queryset=active, to_attr="active_bookings"))
        .order_by("starts_at", "pk")
    )
    if brigade is not None:
        qs = qs.filter(brigade=brigade)
    page = CappedCountPaginator(qs, STAFF_SLOTS_PER_PAGE).get_page(request.GET.get("page"))
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


@policy_required(policies.can_use_staff_pages)
@require_http_methods(["GET", "POST"])
def publish(request: HttpRequest) -> HttpResponse:
    user = request.user
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
            add_errors(
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


@policy_required(policies.can_use_staff_pages)
@require_http_methods(["GET", "POST"])
def generate(request: HttpRequest) -> HttpResponse:
    """Recurring weekly openings; holidays are skipped (make-up working days are not)."""
    user = request.user
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
            add_errors(form, exc)
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


@policy_required(policies.can_use_staff_pages)
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    slot = policies.get_slot_for_user(user=user, pk=pk)
    act(request, lambda: services.withdraw_slot(slot=slot, actor=user), _("时段已撤下。"))
    return redirect("permits:precheck_staff_slots")


# --- Inspector: arrival, no-show, findings, the notice ----------------------------------------
@policy_required(policies.can_use_staff_pages)
@require_POST
def arrival(request: HttpRequest, pk: int) -> HttpResponse:
    booking = _staff_booking(request, pk)
    form = forms.ArrivalForm(request.POST)
    if not form.is_valid():
        return render_staff_detail(request, booking, arrival_form=form, status=400)
    when = form.cleaned_data.get("arrived_at")
    try:
        services.record_arrival(booking=booking, actor=request.user, arrived_at=when)
    except ValidationError as exc:
        add_errors(form, exc, "arrived_at")
        return render_staff_detail(request, booking, arrival_form=form, status=400)
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
    return redirect("permits:booking_detail", pk=booking.pk)


@policy_required(policies.can_use_staff_pages)
@require_POST
def no_show(request: HttpRequest, pk: int) -> HttpResponse:
    booking = _staff_booking(request, pk)
    form = forms.NoShowForm(request.POST)
    if not form.is_valid():
        # Not recorded without the note the inspector meant to write.
        return render_staff_detail(request, booking, no_show_form=form, status=400)
    note = form.cleaned_data["note"]
    act(
        request,
        lambda: services.mark_no_show(booking=booking, actor=request.user, note=note),
        _("已记录为未到场。"),
    )
    return redirect("permits:booking_detail", pk=booking.pk)


@policy_required(policies.can_use_staff_pages)
@require_POST
def finding_add(request: HttpRequest, pk: int) -> HttpResponse:
    booking = _staff_booking(request, pk)
    form = forms.FindingForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_finding(booking=booking, actor=request.user, **form.service_fields())
        except ValidationError as exc:
            add_errors(form, exc, "photo")
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("permits:booking_detail", pk=booking.pk)
        else:
            messages.success(
                request, _("已记录问题：%(item)s") % {"item": form.cleaned_data["item"]}
            )
            return redirect(reverse("permits:booking_detail", args=[booking.pk]) + "#findings-h")
    return render_staff_detail(request, booking, finding_form=form, status=400)


def _staff_finding(request: HttpRequest, pk: int) -> Finding:
    user = request.user
    bookings = selectors.bookings_for_user(user=user)
    finding = (
        Finding.objects.select_related("booking", "amendment")
        .filter(pk=pk, booking__in=bookings)
        .first()
    )
    if finding is None:
        raise Http404
    return finding


@policy_required(policies.can_use_staff_pages)
@require_POST
def finding_remove(request: HttpRequest, pk: int) -> HttpResponse:
    finding = _staff_finding(request, pk)
    act(
        request,
        lambda: services.remove_finding(finding=finding, actor=request.user),
        _("已删除问题：%(item)s") % {"item": finding.item},
    )
    if finding.amendment_id:
        return redirect("permits:amendment_detail", pk=finding.amendment_id)
    return redirect(reverse("permits:booking_detail", args=[finding.booking_id]) + "#findings-h")


@policy_required(policies.can_use_staff_pages)
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
        return redirect("permits:booking_detail", pk=booking.pk)
    findings = list(_findings_for(booking).filter(amendment__isnull=True))
    if request.method == "POST":
        # The list the inspector confirmed must be the list issued: another device may have
        # added or removed an item since the confirmation page was drawn.
        if request.POST.get("count") != str(len(findings)):
            messages.error(request, _("问题清单刚刚有变化，请重新核对后再出具。"))
            return redirect("permits:notice_issue", pk=booking.pk)
        act(
            request,
            lambda: services.issue_notice(booking=booking, actor=request.user),
            _("一次性告知书已出具，申请人已收到短信通知。"),
        )
        return redirect("permits:booking_detail", pk=booking.pk)
    return render(
        request, "permits/precheck/issue_confirm.html", {"booking": booking, "findings": findings}
    )


# --- Amendments of an issued notice -----------------------------------------------------------
def _amendments_for(user: Any) -> QuerySet[NoticeAmendment]:
    return NoticeAmendment.objects.filter(
        booking__in=selectors.bookings_for_user(user=user)
    ).select_related("booking__slot__inspector", "booking__brigade", "requested_by", "decided_by")


def _staff_amendment(request: HttpRequest, pk: int) -> NoticeAmendment:
    user = request.user
    amendment = _amendments_for(user).filter(pk=pk).first()
    if amendment is None:
        raise Http404
    return amendment


@policy_required(policies.can_use_staff_pages)
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
            add_errors(form, exc, "reason")
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("permits:booking_detail", pk=booking.pk)
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
    history = labelled_history(amendment, AMENDMENT_FLOW)
    return render(
        request,
        "permits/precheck/amendment.html",
        {
            "amendment": amendment,
            "booking": amendment.booking,
            "findings": list(amendment.findings.order_by("created_at", "pk")),
            "can_add": pending,
            "can_decide": pending and policies.can_decide_amendment(user, amendment),
            "own_request": pending and amendment.requested_by_id == user.pk,  # type: ignore[union-attr]
            "finding_form": finding_form or forms.FindingForm(),
            "decision_form": decision_form or forms.AmendmentDecisionForm(),
            "history": history,
        },
        status=status,
    )


@policy_required(policies.can_use_staff_pages)
@require_GET
def amendment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_amendment(request, _staff_amendment(request, pk))


@policy_required(policies.can_use_staff_pages)
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
            add_errors(form, exc, "photo")
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("permits:amendment_detail", pk=amendment.pk)
        else:
            messages.success(
                request, _("已添加补充问题：%(item)s") % {"item": form.cleaned_data["item"]}
            )
            return redirect("permits:amendment_detail", pk=amendment.pk)
    return _render_amendment(request, amendment, finding_form=form, status=400)


@policy_required(policies.can_use_staff_pages)
@require_POST
def amendment_decide(request: HttpRequest, pk: int) -> HttpResponse:
    amendment = _staff_amendment(request, pk)
    if not policies.can_supervise(request.user):
        raise PermissionDenied
    form = forms.AmendmentDecisionForm(request.POST)
    if not form.is_valid():
        return _render_amendment(request, amendment, decision_form=form, status=400)
    approve = form.cleaned_data["decision"] == "approve"
    act(
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


@supervisor_required
@require_GET
def amendments_pending(request: HttpRequest) -> HttpResponse:
    """Supervisors: amendments waiting for a decision in their brigade(s)."""
    user = request.user
    rows = list(
        _amendments_for(user)
        .filter(status=AmendmentStatus.REQUESTED)
        .order_by("requested_at", "pk")[:200]
    )
    return render(request, "permits/precheck/amendments_pending.html", {"rows": rows})
