"""Pages of the intake part: the brigade's inspections outside plans (complaints, pre-opening
verifications, large events, campaigns, joint checks, cases) and the unit's own view of its
inspections (its registered contact, signed in).

Every change is a POST that calls a service and redirects (PRG); a service's ValidationError
goes back onto the form, a DomainError becomes a message on the page.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lishui_fire.accounts import policies as kernel
from lishui_fire.accounts.decorators import policy_required
from lishui_fire.core.client import client_ip
from lishui_fire.core.errors import DomainError
from lishui_fire.core.masking import mask_name, mask_phone
from lishui_fire.enterprises import selectors as enterprise_selectors

from .. import policies, selectors
from ..forms.intake import ComplaintForm, OpenInspectionForm, ReplyForm
from ..models import Complaint, Inspection, InspectionKind, InspectionStatus
from ..selectors_visits import CONFIRMED_STATUSES
from ..services import intake as services

PAGE_SIZE = 25


def _readers(user: Any) -> bool:
    """The brigade's list: handling staff and the legal officer (who checks, opens nothing)."""
    return kernel.is_handling_staff(user) or kernel.is_legal_officer(user)


def _add_errors(form: BaseForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _unit_in_scope(request: HttpRequest, form: BaseForm) -> Any:
    unit = (
        enterprise_selectors.enterprises_for_user(user=request.user)
        .filter(uscc=form.cleaned_data["uscc"])
        .first()
    )
    if unit is None:
        form.add_error("uscc", _("本大队辖区的社会单位名录中没有这个统一社会信用代码。"))
    return unit


def _remote_addr(request: HttpRequest) -> str | None:
    return client_ip(request)


# --- The brigade's list ----------------------------------------------------------------------------
@policy_required(_readers)
@require_GET
def intake_list(request: HttpRequest) -> HttpResponse:
    queryset = selectors.outside_plan_inspections_for_user(user=request.user)
    kind = request.GET.get("kind", "")
    if kind in selectors.OUTSIDE_PLAN_KINDS:
        queryset = queryset.filter(kind=kind)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    complaint_clocks = selectors.complaint_clocks([r for r in rows if r.kind == "complaint"])
    return render(
        request,
        "inspections/intake/list.html",
        {
            "rows": [{"inspection": r, "clock": complaint_clocks.get(r.pk)} for r in rows],
            "page_obj": page,
            "kinds": [(k, InspectionKind(k).label) for k in selectors.OUTSIDE_PLAN_KINDS],
            "kind": kind,
            "can_open": policies.can_use_intake_pages(request.user),
            "now": timezone.now(),
        },
    )


# --- Opening ---------------------------------------------------------------------------------------
@policy_required(policies.can_use_intake_pages)
@require_http_methods(["GET", "POST"])
def complaint_new(request: HttpRequest) -> HttpResponse:
    form = ComplaintForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        unit = _unit_in_scope(request, form)
        if unit is not None:
            data = form.cleaned_data
            try:
                complaint = services.register_complaint(
                    actor=request.user,
                    enterprise=unit,
                    channel=data["channel"],
                    category=data["category"],
                    content=data["content"],
                    received_at=data["received_at"],
                    complainant_name=data["complainant_name"],
                    complainant_phone=data["complainant_phone"],
                    ticket_number=data["ticket_number"],
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request,
                    _("举报投诉已登记，核查检查 %(ref)s 已指派两名检查人员。")
                    % {"ref": complaint.inspection.reference},
                )
                return _after_opening(request, complaint.inspection_id)
    return render(request, "inspections/intake/complaint_form.html", {"form": form})


@policy_required(policies.can_use_intake_pages)
@require_http_methods(["GET", "POST"])
def intake_open(request: HttpRequest) -> HttpResponse:
    form = OpenInspectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        unit = _unit_in_scope(request, form)
        if unit is not None:
            data = form.cleaned_data
            try:
                inspection = services.open_inspection(
                    actor=request.user,
                    kind=data["kind"],
                    enterprise=unit,
                    reason=data["reason"],
                    joint_department=data["joint_department"],
                    planned_date=data["planned_date"],
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request,
                    _("检查 %(ref)s 已创建，已指派两名检查人员。") % {"ref": inspection.reference},
                )
                return _after_opening(request, inspection.pk)
    return render(request, "inspections/intake/open_form.html", {"form": form})


def _after_opening(request: HttpRequest, pk: int) -> HttpResponse:
    """The new inspection's page, or the list when the two officers drawn do not include the
    inspector who registered it (an inspector sees only the inspections assigned to them)."""
    if selectors.outside_plan_inspections_for_user(user=request.user).filter(pk=pk).exists():
        return redirect("inspections:intake_detail", pk=pk)
    return redirect("inspections:intake_list")


# --- One inspection --------------------------------------------------------------------------------
def _render_detail(
    request: HttpRequest,
    inspection: Inspection,
    *,
    full_phone: str | None = None,
    reply_form: ReplyForm | None = None,
    status: int = 200,
) -> HttpResponse:
    complaint: Complaint | None = None
    if inspection.kind == InspectionKind.COMPLAINT:
        complaint = getattr(inspection, "complaint", None)
    context: dict[str, Any] = {"inspection": inspection, "complaint": complaint}
    if complaint is not None:
        sees = policies.can_see_complainant(request.user, inspection.brigade_id)
        context.update(
            {
                "clock": services.complaint_clock(complaint),
                "sees_complainant": sees,
                "complainant_name": complaint.complainant_name
                if sees
                else mask_name(complaint.complainant_name),
                "complainant_phone": full_phone or mask_phone(complaint.complainant_phone),
                "phone_revealed": bool(full_phone),
                "can_reply": complaint.replied_at is None
                and policies.can_reply_to_complainant(request.user, inspection.brigade_id),
                "reply_form": reply_form or ReplyForm(),
                "now": timezone.now(),
            }
        )
    return render(request, "inspections/intake/detail.html", context, status=status)


@policy_required(_readers)
@require_GET
def intake_detail(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = selectors.get_outside_plan_inspection_for_user(user=request.user, pk=pk)
    return _render_detail(request, inspection)


@policy_required(policies.can_use_intake_pages)
@require_POST
def complaint_reply(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = selectors.get_complaint_for_user(user=request.user, pk=pk)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            services.reply_to_complainant(
                complaint=complaint,
                actor=request.user,
                method=form.cleaned_data["method"],
                text=form.cleaned_data["text"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("inspections:intake_detail", pk=complaint.inspection_id)
        else:
            messages.success(request, _("已记录告知举报人的情况。"))
            return redirect("inspections:intake_detail", pk=complaint.inspection_id)
    inspection = selectors.get_outside_plan_inspection_for_user(
        user=request.user, pk=complaint.inspection_id
    )
    return _render_detail(request, inspection, reply_form=form, status=400)


@policy_required(policies.can_use_intake_pages)
@require_POST
def complaint_phone(request: HttpRequest, pk: int) -> HttpResponse:
    """The complainant's full phone, on an explicit request written to the audit log (PIPL)."""
    complaint = selectors.get_complaint_for_user(user=request.user, pk=pk)
    full = services.reveal_complainant_phone(
        complaint=complaint, actor=request.user, remote_addr=_remote_addr(request)
    )
    inspection = selectors.get_outside_plan_inspection_for_user(
        user=request.user, pk=complaint.inspection_id
    )
    return _render_detail(request, inspection, full_phone=full)


# --- The unit's own view ---------------------------------------------------------------------------
def _request_recheck() -> Any:
    """The visits part's ``request_recheck(inspection, actor)``, once it has landed."""
    name = f"{__package__.rpartition('.')[0]}.services.visits"
    if importlib.util.find_spec(name) is None:
        return None
    return getattr(importlib.import_module(name), "request_recheck", None)


@policy_required(policies.is_enterprise_user)
@require_GET
def my_inspections(request: HttpRequest) -> HttpResponse:
    queryset = selectors.enterprise_inspections_for_user(user=request.user)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "inspections/intake/mine.html",
        {
            "page_obj": page,
            "rows": list(page.object_list),
            "has_unit": bool(request.user.enterprise_uscc),
            "confirmed_statuses": list(CONFIRMED_STATUSES),
        },
    )


@policy_required(policies.is_enterprise_user)
@require_GET
def my_inspection(request: HttpRequest, pk: int) -> HttpResponse:
    """The unit's inspection: the visit, its findings and documents once both officers have
    confirmed the record (before that, only who comes and when); the re-check online."""
    inspection = selectors.get_enterprise_inspection_for_user(user=request.user, pk=pk)
    confirmed = inspection.status in CONFIRMED_STATUSES
    return render(
        request,
        "inspections/intake/my_detail.html",
        {
            "inspection": inspection,
            "confirmed": confirmed,
            "officers": [a.officer.real_name for a in inspection.assignments.all()],
            "findings": list(inspection.findings.select_related("violation")) if confirmed else [],
            "documents": list(inspection.documents.order_by("issued_at", "pk"))
            if confirmed
            else [],
            "recheck_open": _request_recheck() is not None
            and inspection.status == InspectionStatus.RECTIFYING
            and inspection.recheck_requested_at is None,
        },
    )


@policy_required(policies.is_enterprise_user)
@require_POST
def my_recheck(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask for the re-check online (the visits part's service)."""
    inspection = selectors.get_enterprise_inspection_for_user(user=request.user, pk=pk)
    request_recheck = _request_recheck()
    if request_recheck is None:
        messages.error(request, services.recheck_by_phone_message(inspection))
    else:
        try:
            request_recheck(inspection=inspection, actor=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, str(message))
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("复查申请已提交，承办大队将在规定时限内复查。"))
    return redirect(reverse("inspections:my_inspection", kwargs={"pk": inspection.pk}))
