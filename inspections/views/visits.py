"""Pages of the visits part: the inspectors' list, an inspection's page, logging the visit on a
phone, the actions (schedule, findings, confirm, return, serve the notice, the re-check request)
and the documents.

Who opens what is said by ``inspections.policies``: the lists answer 403 to roles that have no
inspections (applicants, the discipline officer), an inspection outside the caller's scope is a
404, an action the caller's role may not take on it a 403. Every change is a POST that calls a
service and redirects with a message (PRG); a refused move shows the service's message.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lishui_fire.accounts.decorators import policy_required
from lishui_fire.accounts.policies import authorize
from lishui_fire.core.document_views import serve_issued_document
from lishui_fire.core.errors import DomainError
from lishui_fire.core.pagination import CappedCountPaginator
from lishui_fire.core.views import act
from lishui_fire.core.workflow import history_for

from .. import policies_visits as policies
from .. import rules_visits as rules
from .. import selectors_visits as selectors
from ..forms.visits import FindingForm, RecordForm, ReturnForm, ScheduleForm
from ..models import InspectionKind, InspectionStatus
from ..services import visits as services
from ..workflow import INSPECTION_WORKFLOW

PAGE_SIZE = 25
S = InspectionStatus
OPEN = [S.ASSIGNED, S.SCHEDULED, S.RECORDED, S.RECTIFYING]
staff_page = policy_required(policies.can_read_inspections)


def _back(inspection: Any) -> HttpResponse:
    return redirect("inspections:visit_detail", inspection.pk)


# --- The list ------------------------------------------------------------------------------------
@staff_page
@require_GET
def visit_list(request: HttpRequest) -> HttpResponse:
    """An inspector's inspections (only theirs), a supervisor's brigade, the detachment's all;
    overdue statutory dates first and flagged."""
    user = request.user
    show = request.GET.get("show", "open")
    queryset = selectors.inspection_list_for_user(user=user)
    if show != "all":
        show = "open"
        queryset = queryset.filter(status__in=OPEN)
    page = CappedCountPaginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [
        {
            "inspection": i,
            "due_state": rules.due_state(i.next_due, today),
            "officers": [a.officer for a in i.assignments.all()],
            "mine": any(a.officer_id == user.pk for a in i.assignments.all()),
        }
        for i in page.object_list
    ]
    return render(
        request,
        "inspections/visits/list.html",
        {
            "page": page,
            "rows": rows,
            "show": show,
            "overdue": sum(r["due_state"] == "overdue" for r in rows),
            "is_inspector": user.is_inspector,
        },
    )


# --- One inspection --------------------------------------------------------------------------------
def _detail_context(request: HttpRequest, inspection: Any) -> dict[str, Any]:
    user = request.user
    assignments = list(inspection.assignments.all())
    mine = next((a for a in assignments if a.officer_id == user.pk), None)
    status = inspection.status
    history = list(history_for(inspection))
    for row in history:
        row.to_label = INSPECTION_WORKFLOW.label(row.to_status)
    today = timezone.localdate()
    clocks = services.clocks_of(inspection)
    for clock in clocks:
        clock.state = rules.due_state(clock.due_date, today) if clock.is_live else ""
    return {
        "inspection": inspection,
        "assignments": assignments,
        "findings": list(inspection.findings.select_related("violation")),
        "checklist": list(inspection.checklist.all()),
        "documents": list(inspection.documents.order_by("issued_at", "pk")),
        "clocks": clocks,
        "history": history,
        "rechecks": list(inspection.rechecks.order_by("pk")),
        "can_schedule": status in (S.ASSIGNED, S.SCHEDULED)
        and policies.can_schedule_inspection(user, inspection),
        "can_log": status in (S.ASSIGNED, S.SCHEDULED)
        and policies.can_record_visit(user, inspection),
        "can_confirm": status == S.RECORDED
        and mine is not None
        and mine.confirmed_at is None
        and policies.can_confirm_record(user, inspection),
        "can_return": status == S.RECORDED and policies.can_return_record(user, inspection),
        "can_serve": status == S.RECTIFYING
        and inspection.result == "ordered_to_correct"
        and not any(d.kind == "deadline" for d in inspection.documents.all())
        and policies.can_serve_notice(user, inspection),
        "can_request_recheck": status == S.RECTIFYING
        and inspection.recheck_requested_at is None
        and policies.can_schedule_inspection(user, inspection),
        "schedule_form": ScheduleForm(initial={"planned_date": inspection.planned_date or today}),
        "return_form": ReturnForm(),
    }


@staff_page
@require_GET
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = selectors.get_inspection_for_user(user=request.user, pk=pk)
    return render(request, "inspections/visits/detail.html", _detail_context(request, inspection))


@staff_page
@require_POST
def visit_schedule(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = selectors.get_inspection_for_user(user=request.user, pk=pk)
    form = ScheduleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写正确的计划检查日期（YYYY-MM-DD）。"))
        return _back(inspection)
    act(
        request,
        lambda: services.schedule_inspection(
            inspection=inspection,
            actor=request.user,
            planned_date=form.cleaned_data["planned_date"],
        ),
        _("已安排检查日期。"),
    )
    return _back(inspection)


# --- Logging the visit ----------------------------------------------------------------------------
def _record_form(inspection: Any, data: Any = None) -> RecordForm:
    return RecordForm(
        data,
        lines=services.checklist_for(inspection),
        recheck=inspection.kind == InspectionKind.RECHECK,
    )


def _log_page(
    request: HttpRequest,
    inspection: Any,
    *,
    record_form: RecordForm | None = None,
    finding_form: FindingForm | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "inspections/visits/log.html",
        {
            "inspection": inspection,
            "findings": list(inspection.findings.select_related("violation")),
            "record_form": record_form or _record_form(inspection),
            "finding_form": finding_form or FindingForm(),
            "is_recheck": inspection.kind == InspectionKind.RECHECK,
        },
        status=status,
    )


def _loggable(request: HttpRequest, pk: int) -> Any:
    inspection = selectors.get_inspection_for_user(user=request.user, pk=pk)
    if not policies.can_record_visit(request.user, inspection):
        raise PermissionDenied
    return inspection


@staff_page
@require_http_methods(["GET", "POST"])
def visit_log(request: HttpRequest, pk: int) -> HttpResponse:
    """The phone form: findings one by one, then the checklist and the result."""
    inspection = _loggable(request, pk)
    if inspection.status not in (S.ASSIGNED, S.SCHEDULED):
        messages.error(request, _("该检查已提交记录，不能再记录；如需修改，请先退回。"))
        return _back(inspection)
    if request.method == "GET":
        return _log_page(request, inspection)
    form = _record_form(inspection, request.POST)
    if form.is_valid():
        try:
            services.record_visit(
                inspection=inspection, actor=request.user, **form.service_fields()
            )
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        except DomainError as exc:
            messages.error(request, exc.message)
            return _back(inspection)
        else:
            messages.success(request, _("检查记录已提交，请两名检查人员分别确认。"))
            return _back(inspection)
    return _log_page(request, inspection, record_form=form, status=400)


@staff_page
@require_POST
def finding_add(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = _loggable(request, pk)
    form = FindingForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_finding(inspection=inspection, actor=request.user, **form.service_fields())
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        except DomainError as exc:
            messages.error(request, exc.message)
            return _back(inspection)
        else:
            messages.success(request, _("已记录该问题。"))
            return redirect("inspections:visit_log", inspection.pk)
    return _log_page(request, inspection, finding_form=form, status=400)


@staff_page
@require_POST
def finding_remove(request: HttpRequest, pk: int, finding_pk: int) -> HttpResponse:
    inspection = _loggable(request, pk)
    finding = inspection.findings.filter(pk=finding_pk).first()
    if finding is None:
        raise Http404
    act(
        request,
        lambda: services.remove_finding(finding=finding, actor=request.user),
        _("已删除该问题。"),
    )
    return redirect("inspections:visit_log", inspection.pk)


# --- Confirmations, return, notice, re-check -----------------------------------------------------------
@staff_page
@require_POST
def visit_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = selectors.get_inspection_for_user(user=request.user, pk=pk)
    authorize(policies.can_confirm_record(request.user, inspection))
    act(
        request,
        lambda: services.confirm_record(inspection=inspection, actor=request.user),
        _("已确认检查记录。"),
    )
    return _back(inspection)


@staff_page
@require_POST
def visit_return(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = selectors.get_inspection_for_user(user=request.user, pk=pk)
    authorize(policies.can_return_record(request.user, inspection))
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请写明退回修改的理由。"))
        return _back(inspection)
    act(
        request,
        lambda: services.return_record(
            inspection=inspection, actor=request.user, reason=form.cleaned_data["reason"]
        ),
        _("检查记录已退回修改。"),
    )
    return _back(inspection)


@staff_page
@require_POST
def notice_serve(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = selectors.get_inspection_for_user(user=request.user, pk=pk)
    authorize(policies.can_serve_notice(request.user, inspection))
    act(
        request,
        lambda: services.serve_deadline_notice(inspection=inspection, actor=request.user),
        _("已出具并送达责令限期改正通知书。"),
    )
    return _back(inspection)


@staff_page
@require_POST
def recheck_request(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff record a re-check request the unit made in person (online: the enterprise page)."""
    inspection = selectors.get_inspection_for_user(user=request.user, pk=pk)
    authorize(policies.can_schedule_inspection(request.user, inspection))
    act(
        request,
        lambda: services.request_recheck(inspection, request.user),
        _("已登记复查申请，复查时限自今天起算。"),
    )
    return _back(inspection)


# --- Files ---------------------------------------------------------------------------------------
def _file(storage: Any, name: str, content_type: str, filename: str) -> FileResponse:
    try:
        handle = storage.open(name, "rb")
    except OSError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def visit_document(request: HttpRequest, pk: int) -> HttpResponse:
    """A document of an inspection: its officers, the brigade's staff, the unit's contact."""
    document = selectors.get_document_for_user(user=request.user, pk=pk)
    # Rendered after commit by a task; not there yet, the page says "being prepared" (ADR 0030).
    name = f"{document.inspection.reference}-{document.get_kind_display()}.pdf"
    return serve_issued_document(request, document, name)


@login_required
@require_GET
def finding_photo(request: HttpRequest, pk: int) -> HttpResponse:
    finding = selectors.get_finding_for_user(user=request.user, pk=pk)
    if not finding.photo:
        raise Http404
    is_png = finding.photo.name.endswith(".png")
    return _file(
        finding.photo.storage,
        finding.photo.name,
        "image/png" if is_png else "image/jpeg",
        f"{finding.inspection.reference}-{finding.pk}{'.png' if is_png else '.jpg'}",
    )
