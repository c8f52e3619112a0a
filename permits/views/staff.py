"""Staff pages: the inspector's day, the intake queue, an application with its decisions, the
overdue list, the supervisors' dashboard and door-to-door service requests.

Every state change is a POST that calls a service and redirects (PRG) with a message: a refused
move shows the service's message, a page someone else acted on first shows a stale-page message.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy, pgettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lishui_fire.accounts.contacts import map_url
from lishui_fire.accounts.decorators import policy_required
from lishui_fire.core.calendar import add_working_days, working_days_between
from lishui_fire.core.errors import DomainError
from lishui_fire.core.masking import mask_phone
from lishui_fire.core.pagination import CappedCountPaginator
from lishui_fire.core.templatetags.portal import deadline
from lishui_fire.core.validators import tel_uri

from .. import policies, rules, selectors
from ..forms import staff as forms
from ..models import (
    DecisionOutcome,
    DecisionProposal,
    Delivery,
    DeliveryMethod,
    HomeServiceRequest,
    PermitApplication,
    PermitPath,
    PhotoPurpose,
    SiteVisitKind,
    StopUseOrder,
)
from ..services import applications as services
from ..services import channels
from ..workflow import (
    COMMITMENT_FLOW,
    FINAL_STATUSES,
    HOME_SERVICE_FLOW,
    AmendmentStatus,
    DeliveryStatus,
    HomeServiceStatus,
    ProposalStatus,
)
from ..workflow import PermitStatus as S
from .common import add_errors, labelled_history, remote_addr

PAGE_SIZE = 25
# The day view's "coming visits": the following working days, and at most this many visits
# (a page for the field, not a report; the queue and the slot list hold the rest).
COMING_WORKING_DAYS = 5
COMING_LIMIT = 20
STALE = gettext_lazy("该记录刚被其他人更新，请刷新页面后重试。")


# The queue's row fragment (permits/staff/_queue_row.html) of each language, split at its
# [[slots]]: [text, slot, text, slot, …, text]. The template is rendered once a process and
# language; a row is the fragment with its values put in, escaped (ADR 0033).
_SLOT = re.compile(r"\[\[(\w+)\]\]")
_ROW_PARTS: dict[str, list[str]] = {}


def _queue_row_parts() -> list[str]:
    language = get_language() or ""
    parts = _ROW_PARTS.get(language)
    if parts is None:
        html = render_to_string("permits/staff/_queue_row.html").strip("\n") + "\n"
        parts = _SLOT.split(html)
        if not settings.DEBUG:  # in development an edited template shows at once
            _ROW_PARTS[language] = parts
    return parts


def _queue_rows(rows: list[PermitApplication], today: dt.date) -> list[dict[str, Any]]:
    """The queue's rows, each with its HTML, computed once per page: the detail address by one
    ``reverse`` and each label by one translation per value, not a ``{% url %}`` and two
    ``get_…_display`` per row (half the page's time was its template, ADR 0030).

    A row's HTML is the row fragment filled in (``_queue_row_parts``): the date as
    ``{% deadline %}`` writes it (its own function, once per date of the page) and the badges
    ``_due.html`` and the flags wrote. An ``{% include %}``, a tag, five ``{% if %}`` and
    fourteen variables per row were most of the template's time (ADR 0033)."""
    detail = reverse("permits:staff_application", args=[0])
    stem = detail[: detail.rindex("0/")]
    status_labels = {value: escape(str(label)) for value, label in S.choices}
    path_labels = {value: escape(str(label)) for value, label in PermitPath.choices}
    brigades: dict[int, str] = {}  # a brigade's name once per page, not a language look-up per row
    badges = {
        "overdue": format_html(' <span class="badge overdue">{}</span>', _("已逾期")),
        "due_soon": format_html(' <span class="badge st-due-soon">{}</span>', _("即将到期")),
    }
    green = format_html('<span class="badge st-green">{}</span> ', _("绿色通道"))
    precheck = format_html('<span class="badge">{}</span>', _("已预约体检"))
    flags = {
        (g, p): (green if g else "") + (precheck if p else "")
        for g in (False, True)
        for p in (False, True)
    }
    dates: dict[tuple[dt.date, bool], str] = {}
    parts = _queue_row_parts()
    out = []
    for a in rows:
        a.has_precheck = a.precheck_id is not None
        state = rules.due_state(a.next_due, today)
        if a.next_due:
            key = (a.next_due, bool(a.due_provisional))
            date = dates.get(key)
            if date is None:
                date = dates[key] = deadline(a.next_due, a.due_provisional)
            due = f'<span class="st-due">{date}</span>{badges.get(state, "")}'
        else:
            due = "—"
        values = {
            "row_class": ' class="st-row-overdue"' if state == "overdue" else "",
            "url": escape(f"{stem}{a.pk}/"),
            "reference": escape(a.reference),
            "venue": escape(a.venue_name),
            "brigade": brigades.get(a.brigade_id)
            or brigades.setdefault(a.brigade_id, escape(a.brigade.display_name)),
            "path": path_labels.get(a.path) or escape(a.path),
            "status": status_labels.get(a.status) or escape(a.status),
            "due": due,
            "flags": flags[(bool(a.green_channel), a.has_precheck)],
        }
        html = "".join(values[part] if i % 2 else part for i, part in enumerate(parts))
        out.append(
            {
                "application": a,
                "due_state": state,
                "html": mark_safe(html),  # noqa: S308  (every value above escaped or built escaped)
            }
        )
    return out


# The queue's filter fields as HTML, by (language, bound, status, path): two <select>s whose
# options Django renders through two templates each, a seventh of the page's time, though they
# are the same for every request that asks the same. At most 2 × 2 × 15 × 3 entries a process;
# a form with errors is rendered each time (ADR 0033).
_FILTER_FIELDS: dict[tuple[str, bool, str, str], str] = {}


def _queue_filter_fields(form: forms.QueueFilterForm, status: str, path: str) -> str:
    if form.is_bound and form.errors:
        return render_to_string("includes/form_fields.html", {"form": form})
    key = (get_language() or "", form.is_bound, status, path)
    html = _FILTER_FIELDS.get(key)
    if html is None:
        html = render_to_string("includes/form_fields.html", {"form": form})
        if not settings.DEBUG:  # in development an edited template shows at once
            _FILTER_FIELDS[key] = html
    return html


def _due_badges(rows: list[PermitApplication], today: dt.date) -> list[dict[str, Any]]:
    return [{"application": a, "due_state": rules.due_state(a.next_due, today)} for a in rows]


# --- Inspector's day ---------------------------------------------------------------------------------
@policy_required(policies.can_use_staff_pages)
@require_GET
def today(request: HttpRequest) -> HttpResponse:
    """The inspector's day: booked pre-checks, inspections and verifications due, home visits."""
    user = request.user
    current = timezone.localdate()
    day = current
    raw = request.GET.get("date", "").strip()
    if raw:
        try:
            day = dt.date.fromisoformat(raw)
        except ValueError:
            day = current
            messages.warning(request, _("日期格式应为 YYYY-MM-DD，已显示今天。"))
        if not 2000 <= day.year <= 2100:  # far dates overflow the day arithmetic below
            day = current
            messages.warning(request, _("只能查看 2000 年至 2100 年之间的日期，已显示今天。"))
    items = selectors.inspector_day(user=user, day=day)
    bookings = list(items["bookings"])
    visits = list(items["visits_due"])
    home = list(items["home_visits"])
    # What comes next, so an empty day still leads somewhere: the visits of the following
    # working days, and when those are empty too, the first day that has one.
    until = add_working_days(day, COMING_WORKING_DAYS).date
    coming = selectors.inspector_coming_visits(
        user=user, after=day, until=until, limit=COMING_LIMIT
    )
    coming_rows = sorted(
        [
            *({"kind": "booking", "obj": b, "at": b.slot.starts_at} for b in coming["bookings"]),
            *({"kind": "home", "obj": h, "at": h.appointment_at} for h in coming["home_visits"]),
            # A due date has no hour: the visit leads its day, its card shows no time.
            *(
                {"kind": "application", "obj": a, "at": _local_start(a.next_due)}
                for a in coming["visits_due"]
            ),
        ],
        key=lambda row: row["at"],
    )[:COMING_LIMIT]
    next_day_with_visits = (
        timezone.localtime(coming_rows[0]["at"]).date()
        if coming_rows
        else selectors.next_visit_day(user=user, after=until)
    )
    # The inspector calls from this page: full numbers as tel: links for the records they
    # handle, each showing written to the audit log (one INSERT for the page).
    phones = services.reveal_contact_phones(
        # One entry per record shown, though a visit due soon is on the page twice.
        objs={
            (type(obj), obj.pk): obj
            for obj in (*bookings, *visits, *home, *(row["obj"] for row in coming_rows))
        }.values(),
        actor=user,
        remote_addr=remote_addr(request),
        purpose="inspector day",
    )
    return render(
        request,
        "permits/today.html",
        {
            "day": day,
            "is_today": day == current,
            "previous_day": day - dt.timedelta(days=1),
            "next_day": day + dt.timedelta(days=1),
            "today_date": current,
            "booking_rows": [_visit_card(b, phones, booking=b) for b in bookings],
            "visit_rows": [
                {**row, **_visit_card(row["application"], phones)}
                for row in _due_badges(visits, day)
            ],
            "home_visits": [_visit_card(h, phones, home=h) for h in home],
            "coming_rows": [
                {**row, **_visit_card(row["obj"], phones, **{row["kind"]: row["obj"]})}
                for row in coming_rows
            ],
            "coming_until": until,
            "coming_full": len(coming_rows) >= COMING_LIMIT,
            "next_day_with_visits": next_day_with_visits,
            "empty": not (bookings or visits or home),
        },
    )


def _local_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _visit_card(obj: Any, phones: dict[tuple[type, int], str], **named: Any) -> dict[str, Any]:
    """A visit's contact on the day view: the full number (as a tel: link) when revealed for
    this viewer, else the masked one; the address as a map link."""
    full = phones.get((type(obj), obj.pk))
    address = getattr(obj, "venue_address", None) or getattr(obj, "address", "")
    return {
        **named,
        "phone": full or mask_phone(obj.contact_phone),
        "tel": tel_uri(full) if full else "",
        "address": address,
        "map_url": map_url(address) if address else "",
    }


# --- Intake queue and overdue list ----------------------------------------------------------------------
@policy_required(policies.can_read_applications)
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """受理队列: green channel first, then the nearest statutory date."""
    user = request.user
    form = forms.QueueFilterForm(request.GET or None)
    status = path_ = ""
    if form.is_bound and form.is_valid():
        status, path_ = form.cleaned_data["status"], form.cleaned_data["path"]
    applications = selectors.staff_queue_page(
        user=user, statuses=[status] if status else None, path=path_
    )
    paginator = CappedCountPaginator(applications, PAGE_SIZE, count_with_page=True)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "permits/staff/queue.html",
        {
            "form": form,
            "filter_fields": _queue_filter_fields(form, status, path_),
            "page_obj": page,
            "rows": _queue_rows(list(page.object_list), timezone.localdate()),
            "query": query.urlencode(),
        },
    )


@policy_required(policies.can_read_applications)
@require_GET
def overdue(request: HttpRequest) -> HttpResponse:
    """逾期预警: open applications past their statutory date, the most overdue first."""
    user = request.user
    today_ = timezone.localdate()
    applications = selectors.overdue_applications(user=user, today=today_).order_by(
        "next_due", "pk"
    )
    page = CappedCountPaginator(applications, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"application": a, "days": (today_ - a.next_due).days} for a in page.object_list]
    return render(request, "permits/staff/overdue.html", {"page_obj": page, "rows": rows})


# --- Proposals waiting for approval (ADR 0034) -------------------------------------------------------
def _proposal_rows(user: Any, proposals: list[DecisionProposal], today: dt.date) -> list[dict]:
    """What a row shows, computed once per page: days waiting (calendar days, as a person
    waits), the decision clock's working days left (as the law counts), and whether the caller
    may decide it (a supervisor of the brigade, not on their own proposal)."""
    rows = []
    for p in proposals:
        a = p.application
        due = a.decision_due
        left = late = None
        if due is not None:
            if due >= today:
                left = working_days_between(today, due)
            else:
                late = working_days_between(due, today)
        rows.append(
            {
                "proposal": p,
                "application": a,
                "waiting": (today - timezone.localtime(p.proposed_at).date()).days,
                "due": due,
                "left": left,
                "late": late,
                "due_state": rules.due_state(due, today),
                "may_decide": policies.can_decide_application(user, a)
                and p.proposed_by_id != user.pk,
            }
        )
    return rows


@never_cache
@policy_required(policies.can_read_applications)
@require_GET
def proposals(request: HttpRequest) -> HttpResponse:
    """待审批的拟办意见: the supervisors' list of proposals waiting for their approval (the
    inspector's own, for an inspector), the oldest first; approval stays on the application's
    page."""
    user = request.user
    today_ = timezone.localdate()
    page = CappedCountPaginator(selectors.pending_proposals(user=user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "permits/staff/proposals.html",
        {
            "page_obj": page,
            "rows": _proposal_rows(user, list(page.object_list), today_),
            "own_only": user.is_inspector,
        },
    )


# --- One application ------------------------------------------------------------------------------
def _application_for(request: HttpRequest, pk: int) -> PermitApplication:
    """Staff of the brigade (or the detachment); outside the scope a 404 like a missing one."""
    application = policies.get_application_for_user(user=request.user, pk=pk)
    if application.status == S.DRAFT:
        # A draft is the applicant's own working copy, not yet anything staff act on.
        raise Http404
    return application


@dataclass(frozen=True)
class Action:
    form: type[forms.DecisionForm]
    run: Callable[[PermitApplication, Any, dict[str, Any]], Any]
    done: str
    # Which pages show the form (the service decides what is allowed; this only tidies the page).
    shown: Callable[[PermitApplication, Any, Delivery | None], bool]


def _delivery(application: PermitApplication) -> Delivery:
    try:
        return application.delivery
    except Delivery.DoesNotExist as exc:
        raise DomainError(_("申请人尚未选择文书送达方式。")) from exc


def _is_commitment(a: PermitApplication) -> bool:
    return a.path == PermitPath.COMMITMENT


def _mail_in(delivery: Delivery | None, status: str) -> bool:
    return bool(
        delivery is not None
        and delivery.method == DeliveryMethod.MAIL
        and delivery.status == status
    )


def _may_approve(a: PermitApplication, user: Any, outcome: str | None) -> bool:
    pending = a.pending
    return bool(
        pending is not None
        and policies.can_decide_application(user, a)
        and pending.proposed_by_id != user.pk
        and (outcome is None or pending.outcome == outcome)
    )


ACTIONS: dict[str, Action] = {
    "accept": Action(
        forms.AcceptForm,
        lambda a, u, d: services.accept_application(application=a, actor=u, note=d["note"]),
        gettext_lazy("已受理，受理通知书已生成。"),
        lambda a, u, dl: a.status == S.SUBMITTED and not _is_commitment(a),
    ),
    "return": Action(
        forms.ReturnForm,
        lambda a, u, d: services.return_application(
            application=a, actor=u, missing_items=d["missing_items"], note=d["note"]
        ),
        gettext_lazy("已退回补正，并一次性告知全部需补正内容。"),
        lambda a, u, dl: a.status == S.SUBMITTED,
    ),
    "refuse": Action(
        forms.RefuseForm,
        lambda a, u, d: services.refuse_to_accept(application=a, actor=u, reason=d["reason"]),
        gettext_lazy("已作出不予受理决定。"),
        lambda a, u, dl: a.status == S.SUBMITTED,
    ),
    "inspect": Action(
        forms.InspectionForm,
        lambda a, u, d: services.record_inspection(
            application=a,
            actor=u,
            passed=d["passed"],
            findings=d["findings"],
            visited_at=d["visited_at"],
        ),
        gettext_lazy("现场检查结果已记录。"),
        lambda a, u, dl: a.status == S.ACCEPTED,
    ),
    # The decision (issue 9): the inspector proposes, a supervisor of the brigade approves the
    # proposal (approve / reject, as proposed) or sends it back.
    "propose": Action(
        forms.ProposeForm,
        lambda a, u, d: services.propose_decision(
            application=a, actor=u, outcome=d["outcome"], reason=d["reason"]
        ),
        gettext_lazy("拟办意见已提交，等待大队领导审批。"),
        lambda a, u, dl: (
            a.pending is None
            and (
                (a.status == S.SUBMITTED and _is_commitment(a))
                or (a.status == S.INSPECTED and not _is_commitment(a))
            )
        ),
    ),
    "approve": Action(
        forms.ApproveForm,
        lambda a, u, d: services.approve_application(application=a, actor=u, reason=d["reason"]),
        gettext_lazy("已批准拟办意见，准予许可，意见书已生成。"),
        lambda a, u, dl: _may_approve(a, u, DecisionOutcome.APPROVE),
    ),
    "reject": Action(
        forms.RejectForm,
        lambda a, u, d: services.reject_application(application=a, actor=u, reason=d["reason"]),
        gettext_lazy("已批准拟办意见，作出不予许可决定。"),
        lambda a, u, dl: _may_approve(a, u, DecisionOutcome.REJECT),
    ),
    "send_back": Action(
        forms.SendBackForm,
        lambda a, u, d: services.send_back_proposal(application=a, actor=u, note=d["note"]),
        gettext_lazy("拟办意见已退回重拟。"),
        lambda a, u, dl: _may_approve(a, u, None),
    ),
    "verify": Action(
        forms.VerificationForm,
        lambda a, u, d: services.record_verification(
            application=a,
            actor=u,
            matches=d["matches"],
            findings=d["findings"],
            rectification_due=d["rectification_due"],
            order=d["order"],
            photos=d["photos"],
        ),
        gettext_lazy("核查结果已记录。"),
        lambda a, u, dl: _is_commitment(a) and a.status in (S.APPROVED, S.RECTIFICATION),
    ),
    "revoke": Action(
        forms.RevokeForm,
        lambda a, u, d: services.revoke_permit(application=a, actor=u, reason=d["reason"]),
        gettext_lazy("许可已撤销，撤销决定书已生成。"),
        lambda a, u, dl: (
            policies.can_revoke_permit(u, a) and _is_commitment(a) and a.status == S.RECTIFICATION
        ),
    ),
    "green_channel": Action(
        forms.GreenChannelForm,
        lambda a, u, d: services.set_green_channel(
            application=a, actor=u, enabled=d["enabled"], reason=d["reason"]
        ),
        gettext_lazy("绿色通道设置已保存。"),
        lambda a, u, dl: policies.can_set_green_channel(u, a) and a.status not in FINAL_STATUSES,
    ),
    "mail_posted": Action(
        forms.MailPostedForm,
        lambda a, u, d: services.mark_posted(
            delivery=_delivery(a), actor=u, carrier=d["carrier"], waybill=d["waybill"]
        ),
        gettext_lazy("已登记寄出。"),
        lambda a, u, dl: _mail_in(dl, DeliveryStatus.PENDING) and a.has_documents,
    ),
    "record_service": Action(
        forms.ServiceForm,
        lambda a, u, d: services.record_service(
            application=a,
            actor=u,
            method=d["method"],
            served_at=d["served_at"],
            note=d["note"],
        ),
        gettext_lazy("许可文书送达已登记。"),
        lambda a, u, dl: a.status in rules.GRANTED and a.served_at is None,
    ),
    "mail_delivered": Action(
        forms.MailDeliveredForm,
        lambda a, u, d: services.mark_delivered(delivery=_delivery(a), actor=u),
        gettext_lazy("已登记签收。"),
        lambda a, u, dl: _mail_in(dl, DeliveryStatus.POSTED),
    ),
}


ACTION_TITLES = {
    "accept": gettext_lazy("受理"),
    "return": gettext_lazy("退回补正（一次性告知）"),
    "refuse": pgettext_lazy("action", "不予受理"),
    "inspect": gettext_lazy("记录现场检查"),
    "propose": gettext_lazy("提出拟办意见（报大队领导审批）"),
    "approve": pgettext_lazy("action", "准予许可"),
    "reject": pgettext_lazy("action", "不予许可"),
    "send_back": gettext_lazy("审批：退回重拟"),
    "verify": gettext_lazy("记录核查（复查）结果"),
    "revoke": gettext_lazy("撤销许可"),
    "green_channel": pgettext_lazy("action", "绿色通道"),
    "mail_posted": gettext_lazy("登记文书寄出"),
    "mail_delivered": gettext_lazy("登记文书签收"),
    "record_service": gettext_lazy("登记许可文书送达（当面或其他方式）"),
    "schedule": gettext_lazy("安排上门"),
    "complete": gettext_lazy("办结上门服务"),
    "cancel": gettext_lazy("取消上门服务"),
}


def _action_entry(pk: int, name: str, form: Any) -> dict[str, Any]:
    return {
        "name": name,
        "title": ACTION_TITLES[name],
        "form": form,
        "url": reverse("permits:staff_action", args=[pk, name]),
    }


def _render_detail(
    request: HttpRequest,
    application: PermitApplication,
    *,
    bound: tuple[str, Any] | None = None,
    full_phone: str | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    application = (
        PermitApplication.objects.select_related(
            "brigade",
            "applicant",
            "handled_by",
            "green_channel_set_by",
            "precheck__slot__inspector",
        )
        .prefetch_related(
            "materials",
            "documents",
            "visits__inspector",
            "visits__photos",
            Prefetch(
                "proposals",
                queryset=DecisionProposal.objects.select_related("proposed_by", "decided_by"),
            ),
        )
        .get(pk=application.pk)
    )
    proposals = list(application.proposals.all())
    application.pending = next((p for p in proposals if p.status == ProposalStatus.PENDING), None)
    stop_use = (
        StopUseOrder.objects.select_related("referral").filter(application=application).first()
    )
    try:
        delivery: Delivery | None = application.delivery
    except Delivery.DoesNotExist:
        delivery = None
    visits = list(application.visits.all())
    inspections = [v for v in visits if v.kind == SiteVisitKind.INSPECTION]
    application.last_inspection_passed = bool(inspections and inspections[-1].passed)
    documents = list(application.documents.all())
    application.has_documents = bool(documents)

    # The legal officer reads the file and checks the decisions; no action forms for them.
    can_handle = policies.can_process_application(user, application)
    action_forms = []
    for name, action in ACTIONS.items():
        if not can_handle or not action.shown(application, user, delivery):
            continue
        if bound and bound[0] == name:
            form = bound[1]
        else:
            initial: dict[str, Any] = {"status": application.status}
            if name == "green_channel":
                initial["enabled"] = "no" if application.green_channel else "yes"
            form = action.form(prefix=name, initial=initial)
        action_forms.append(_action_entry(application.pk, name, form))
    if bound and not any(f["name"] == bound[0] for f in action_forms):
        action_forms.insert(0, _action_entry(application.pk, *bound))

    precheck = application.precheck
    findings = (
        # What the notice lists: the items at issue and additions a supervisor approved.
        list(
            precheck.findings.filter(
                Q(amendment__isnull=True) | Q(amendment__status=AmendmentStatus.APPROVED)
            )
        )
        if precheck is not None
        else []
    )
    return render(
        request,
        "permits/staff/detail.html",
        {
            "application": application,
            "due_state": rules.due_state(application.next_due, timezone.localdate()),
            "targets": selectors.internal_targets(application),
            "materials": [
                # The download view of the applicant side serves staff of the brigade too.
                {"material": m, "url": reverse("permits:material_download", args=[m.pk])}
                for m in application.materials.all()
            ],
            "documents": [
                {"document": d, "url": reverse("permits:document_download", args=[d.pk])}
                for d in documents
            ],
            "visits": visits,
            "proposals": proposals,
            "history": labelled_history(application, COMMITMENT_FLOW),
            "precheck": precheck,
            "findings": findings,
            "fixed_state": _fixed_state(precheck, inspections, application),
            "delivery": delivery,
            "delivery_phone": mask_phone(delivery.phone) if delivery else "",
            "masked_phone": mask_phone(application.contact_phone),
            "full_phone": full_phone,
            "action_forms": action_forms,
            "can_handle": can_handle,
            "home_requests": list(application.home_service_requests.all()),
            "stop_use": stop_use,
            "recheck_photos": (
                list(application.photos.filter(purpose=PhotoPurpose.RECHECK_REQUEST))
                if application.recheck_requested_at
                else []
            ),
        },
        status=status,
    )


def _fixed_state(precheck: Any, inspections: list[Any], application: PermitApplication) -> str:
    """Whether the venue fixed what its pre-check found, as far as the visits since show it."""
    if precheck is None:
        return ""
    if inspections:
        return "fixed" if inspections[0].passed else "not_fixed"
    verifications = [v for v in application.visits.all() if v.kind != SiteVisitKind.INSPECTION]
    if verifications:
        return "fixed" if verifications[0].passed else "not_fixed"
    return "unknown"


@never_cache
@policy_required(policies.can_read_applications)
@require_GET
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, _application_for(request, pk))


@policy_required(policies.can_use_staff_pages)
@require_POST
def staff_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One decision on an application, through its service."""
    application = _application_for(request, pk)
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404
    form = spec.form(request.POST, request.FILES, prefix=action)
    if not form.is_valid():
        return _render_detail(request, application, bound=(action, form), status=400)
    if form.cleaned_data["status"] != application.status:
        messages.error(request, STALE)
        return redirect("permits:staff_application", pk=application.pk)
    try:
        spec.run(application, request.user, form.cleaned_data)
    except ValidationError as exc:
        add_errors(form, exc)
        return _render_detail(request, application, bound=(action, form), status=400)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, spec.done)
    return redirect("permits:staff_application", pk=application.pk)


@never_cache
@policy_required(policies.can_use_staff_pages)
@require_POST
def reveal_phone(request: HttpRequest, pk: int) -> HttpResponse:
    """The full contact phone, on an explicit request written to the audit log (PIPL)."""
    application = _application_for(request, pk)
    full = services.reveal_contact_phone(
        obj=application, actor=request.user, remote_addr=remote_addr(request)
    )
    return _render_detail(request, application, full_phone=full)


# --- Window applications (窗口受理) -------------------------------------------------------------------
def _window_brigades(user: Any) -> Any:
    from lishui_fire.accounts.models import OrgUnit

    brigades = OrgUnit.objects.filter(kind=OrgUnit.Kind.BRIGADE).order_by("code")
    if user.sees_all_brigades:
        return brigades
    return brigades.filter(pk=user.org_unit_id)


@never_cache
@policy_required(policies.can_use_staff_pages)
@require_http_methods(["GET", "POST"])
def window_application(request: HttpRequest) -> HttpResponse:
    """窗口受理: staff enter an application received at the counter for the applicant."""
    user = request.user
    form = forms.WindowApplicationForm(
        request.POST or None, request.FILES or None, brigades=_window_brigades(user)
    )
    try:
        form_token = uuid.UUID(str(request.POST.get("form_token", "")))
    except ValueError:
        form_token = uuid.uuid4()
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                application = services.register_window_application(
                    actor=user, form_token=form_token, **form.service_kwargs()
                )
            except ValidationError as exc:
                add_errors(form, exc)
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    _("窗口申请 %(ref)s 已受理登记。") % {"ref": application.reference},
                )
                return redirect("permits:staff_application", pk=application.pk)
    return render(
        request,
        "permits/staff/window.html",
        {"form": form, "form_token": form_token},
        status=status,
    )


# --- Door-to-door service (上门服务) -------------------------------------------------------------------
def _home_request_for(request: HttpRequest, pk: int) -> HomeServiceRequest:
    return policies.get_home_request_for_user(user=request.user, pk=pk)


@policy_required(policies.can_use_staff_pages)
@require_http_methods(["GET", "POST"])
def home_services(request: HttpRequest) -> HttpResponse:
    """The brigade's door-to-door requests; staff log a phone request here."""
    user = request.user
    brigade = user.org_unit
    can_log = brigade is not None and not brigade.is_detachment
    form = forms.HomeServiceLogForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not can_log:
            raise PermissionDenied
        if form.is_valid():
            try:
                created = channels.request_home_service(
                    actor=user, brigade=brigade, **form.cleaned_data
                )
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("电话预约的上门服务已登记。"))
                return redirect("permits:staff_home_service", pk=created.pk)
        status = 400
    show = request.GET.get("show", "open")
    requests = selectors.home_requests_for_user(user=user).order_by("-created_at", "-pk")
    if show != "all":
        requests = requests.filter(
            status__in=(HomeServiceStatus.REQUESTED, HomeServiceStatus.SCHEDULED)
        )
    page = CappedCountPaginator(requests, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"request": r, "phone": mask_phone(r.contact_phone)} for r in page.object_list]
    return render(
        request,
        "permits/staff/home_services.html",
        {
            "form": form if can_log else None,
            "page_obj": page,
            "rows": rows,
            "show": show,
        },
        status=status,
    )


def _render_home_service(
    request: HttpRequest,
    item: HomeServiceRequest,
    *,
    bound: tuple[str, Any] | None = None,
    full_phone: str | None = None,
    status: int = 200,
) -> HttpResponse:
    action_forms = []
    if item.status in (HomeServiceStatus.REQUESTED, HomeServiceStatus.SCHEDULED):
        for name, form_class in HOME_FORMS.items():
            if name == "complete" and item.status != HomeServiceStatus.SCHEDULED:
                continue
            if bound and bound[0] == name:
                form = bound[1]
            elif name == "schedule":
                form = form_class(prefix=name, brigade_id=item.brigade_id)
            else:
                form = form_class(prefix=name)
            action_forms.append(
                {
                    "name": name,
                    "title": ACTION_TITLES[name],
                    "form": form,
                    "url": reverse("permits:staff_home_service_action", args=[item.pk, name]),
                }
            )
    return render(
        request,
        "permits/staff/home_service.html",
        {
            "item": item,
            "masked_phone": mask_phone(item.contact_phone),
            "full_phone": full_phone,
            "action_forms": action_forms,
            "history": labelled_history(item, HOME_SERVICE_FLOW),
            "application_url": (
                reverse("permits:staff_application", args=[item.application_id])
                if item.application_id
                else None
            ),
        },
        status=status,
    )


HOME_FORMS: dict[str, Any] = {
    "schedule": forms.HomeServiceScheduleForm,
    "complete": forms.HomeServiceCompleteForm,
    "cancel": forms.HomeServiceCancelForm,
}
HOME_DONE = {
    "schedule": gettext_lazy("已安排上门时间和人员。"),
    "complete": gettext_lazy("上门服务已办结。"),
    "cancel": gettext_lazy("上门服务已取消。"),
}


@never_cache
@policy_required(policies.can_use_staff_pages)
@require_GET
def home_service_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_home_service(request, _home_request_for(request, pk))


@policy_required(policies.can_use_staff_pages)
@require_POST
def home_service_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    item = _home_request_for(request, pk)
    if action not in HOME_FORMS:
        raise Http404
    kwargs = {"brigade_id": item.brigade_id} if action == "schedule" else {}
    form = HOME_FORMS[action](request.POST, prefix=action, **kwargs)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if action == "schedule":
                channels.schedule_home_service(
                    request=item,
                    actor=request.user,
                    appointment_at=data["appointment_at"],
                    assigned_to=data["assigned_to"],
                )
            elif action == "complete":
                linked = None
                if data["reference"].strip():
                    linked = (
                        selectors.applications_for_user(user=request.user)
                        .filter(reference=data["reference"].strip())
                        .first()
                    )
                    if linked is None:
                        raise ValidationError({"reference": _("未找到该申请编号。")})
                channels.complete_home_service(
                    request=item, actor=request.user, outcome=data["outcome"], application=linked
                )
            else:
                channels.cancel_home_service(request=item, actor=request.user, note=data["note"])
        except ValidationError as exc:
            add_errors(form, exc)
        except DomainError as exc:
            messages.error(request, str(exc))
            return redirect("permits:staff_home_service", pk=item.pk)
        else:
            messages.success(request, HOME_DONE[action])
            return redirect("permits:staff_home_service", pk=item.pk)
    return _render_home_service(request, item, bound=(action, form), status=400)


@never_cache
@policy_required(policies.can_use_staff_pages)
@require_POST
def home_service_reveal_phone(request: HttpRequest, pk: int) -> HttpResponse:
    item = _home_request_for(request, pk)
    full = services.reveal_contact_phone(
        obj=item, actor=request.user, remote_addr=remote_addr(request)
    )
    return _render_home_service(request, item, full_phone=full)
