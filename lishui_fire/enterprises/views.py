"""Staff pages of the enterprise registry (社会单位) and the administrators' CSV import."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lishui_fire.accounts.decorators import policy_required
from lishui_fire.core import selectors as core_selectors
from lishui_fire.core.errors import DomainError
from lishui_fire.core.masking import mask_name, mask_phone
from lishui_fire.core.pagination import CappedCountPaginator

from . import policies, selectors, services
from .forms import (
    CreditGradeForm,
    CreditRatingChangeForm,
    DishonestyListingForm,
    EnterpriseFilterForm,
    EnterpriseImportForm,
    ListingRemovalForm,
    ProposalDecisionForm,
    RecalculationForm,
    credit_grade_choices,
    filter_enterprises,
)
from .models import (
    CreditEventKind,
    CreditGrade,
    CreditGradeProposal,
    DishonestyList,
    Enterprise,
    EnterpriseImport,
    ListingStatus,
    RatingSource,
)

PAGE_SIZE = 25
IMPORT_ERRORS_SHOWN = 100


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _enterprise_for(request: HttpRequest, pk: int) -> Enterprise:
    return policies.get_enterprise_for_user(user=request.user, pk=pk)


# --- Registry -----------------------------------------------------------------------------------
@policy_required(policies.can_view_enterprises)
@require_GET
def enterprise_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    brigades = list(core_selectors.brigades_for_user(user=user))
    form = EnterpriseFilterForm(request.GET, brigades=brigades)
    form.is_valid()  # a bad value drops that filter only; the form shows its message
    enterprises = selectors.with_dishonesty_status(
        filter_enterprises(selectors.enterprises_for_user(user=user), **form.filters()),
        day=timezone.localdate(),
    ).order_by(*selectors.LIST_ORDER)
    page = CappedCountPaginator(enterprises, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "enterprise": e,
            "contact_name": mask_name(e.contact_name),
            "contact_phone": mask_phone(e.contact_phone),
            "dishonesty": DishonestyList(status).label
            if (status := selectors.dishonesty_status(e)) != "none"
            else "",
        }
        for e in page.object_list
    ]
    return render(
        request,
        "enterprises/list.html",
        {
            "form": form,
            "page_obj": page,
            "rows": rows,
            "can_import": policies.can_import_enterprises(user),
            "can_review_proposals": policies.can_review_grade_proposals(user),
        },
    )


def _render_detail(
    request: HttpRequest,
    enterprise: Enterprise,
    *,
    rating_form: CreditRatingChangeForm | None = None,
    listing_form: DishonestyListingForm | None = None,
    removal_forms: dict[int, ListingRemovalForm] | None = None,
    full_phone: str | None = None,
    decision_form: ProposalDecisionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    may_change = policies.can_change_credit_rating(request.user, enterprise)
    pending = enterprise.grade_proposals.filter(status="pending").first()
    pending_facts = (
        _fact_rows(pending, selectors.proposal_events([pending])) if pending is not None else []
    )
    if may_change and pending is not None and decision_form is None:
        decision_form = ProposalDecisionForm(prefix=f"p{pending.pk}")
    if may_change and rating_form is None:
        rating_form = CreditRatingChangeForm()
    may_list = policies.can_list_dishonesty(request.user, enterprise)
    if may_list and listing_form is None:
        listing_form = DishonestyListingForm(
            initial={"source_authority": enterprise.brigade.display_name}, prefix="listing"
        )
    history = enterprise.rating_changes.select_related("changed_by", "proposal")
    today = timezone.localdate()
    removal_forms = removal_forms or {}
    listings = [
        {
            "listing": listing,
            "published": listing.is_published_on(today),
            "removal_form": (
                removal_forms.get(listing.pk)
                or ListingRemovalForm(initial={"removed_on": today}, prefix=f"remove-{listing.pk}")
            )
            if may_list and listing.status == ListingStatus.LISTED
            else None,
        }
        for listing in enterprise.dishonesty_listings.select_related("entered_by", "removed_by")
    ]
    return render(
        request,
        "enterprises/detail.html",
        {
            "enterprise": enterprise,
            "credit_grade": enterprise.credit_grade,
            "history": history,
            "rating_form": rating_form if may_change else None,
            "listings": listings,
            "listing_form": listing_form if may_list else None,
            "contact_name": enterprise.contact_name,
            "masked_phone": mask_phone(enterprise.contact_phone),
            "full_phone": full_phone,
            "can_reveal": policies.can_reveal_contact_phone(request.user, enterprise),
            "pending_proposal": pending,
            "pending_facts": pending_facts,
            "decision_form": decision_form if may_change else None,
            "may_recalculate": may_change,
            "published_listings": [row for row in listings if row["published"]],
        },
        status=status,
    )


@policy_required(policies.can_view_enterprises)
@require_GET
def enterprise_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, _enterprise_for(request, pk))


@policy_required(policies.can_change_credit_rating)
@require_POST
def change_rating(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = _enterprise_for(request, pk)
    form = CreditRatingChangeForm(request.POST)
    if form.is_valid():
        try:
            services.change_credit_rating(
                enterprise=enterprise,
                to_rating=form.cleaned_data["to_rating"],
                reason=form.cleaned_data["reason"],
                source=form.cleaned_data.get("source") or RatingSource.MANUAL,
                effective_from=form.cleaned_data.get("effective_from"),
                actor=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("信用等级已变更为 %(rating)s。") % {"rating": enterprise.credit_rating},
            )
            return redirect("enterprises:detail", pk=enterprise.pk)
    return _render_detail(request, enterprise, rating_form=form, status=400)


@policy_required(policies.can_list_dishonesty)
@require_POST
def add_listing(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = _enterprise_for(request, pk)
    form = DishonestyListingForm(request.POST, prefix="listing")
    if form.is_valid():
        try:
            services.list_enterprise_as_dishonest(
                enterprise=enterprise, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("已列入名单。"))
            return redirect("enterprises:detail", pk=enterprise.pk)
    return _render_detail(request, enterprise, listing_form=form, status=400)


@policy_required(policies.can_list_dishonesty)
@require_POST
def remove_listing(request: HttpRequest, pk: int, listing_pk: int) -> HttpResponse:
    enterprise = _enterprise_for(request, pk)
    listing = policies.get_listing_for_user(user=request.user, enterprise=enterprise, pk=listing_pk)
    form = ListingRemovalForm(request.POST, prefix=f"remove-{listing.pk}")
    if form.is_valid():
        try:
            services.remove_dishonesty_listing(
                listing=listing,
                removed_on=form.cleaned_data["removed_on"],
                note=form.cleaned_data["note"],
                actor=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已移出名单（信用修复）。"))
            return redirect("enterprises:detail", pk=enterprise.pk)
    return _render_detail(request, enterprise, removal_forms={listing.pk: form}, status=400)


@never_cache
@policy_required(policies.can_view_enterprises)
@require_POST
def reveal_phone(request: HttpRequest, pk: int) -> HttpResponse:
    """The full number, on an explicit request that is written to the audit log (PIPL)."""
    enterprise = _enterprise_for(request, pk)
    _require(policies.can_reveal_contact_phone(request.user, enterprise))
    full = services.reveal_enterprise_contact_phone(enterprise=enterprise, actor=request.user)
    return _render_detail(request, enterprise, full_phone=full)


# --- CSV import (administrators) ------------------------------------------------------------------
def _recent_imports() -> QuerySet[EnterpriseImport]:
    return EnterpriseImport.objects.select_related("uploaded_by").defer("errors")[:20]


@policy_required(policies.can_import_enterprises)
@require_http_methods(["GET", "POST"])
def imports(request: HttpRequest) -> HttpResponse:
    form = EnterpriseImportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                job = services.start_enterprise_import(
                    uploaded_file=form.cleaned_data["file"], uploaded_by=request.user
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return redirect("enterprises:import_detail", pk=job.pk)
        status = 400
    return render(
        request,
        "enterprises/imports.html",
        {
            "form": form,
            "imports": _recent_imports(),
            "headers": services.IMPORT_COLUMNS,
        },
        status=status,
    )


def _import_for(request: HttpRequest, pk: int) -> EnterpriseImport:
    return policies.get_import_for_user(user=request.user, pk=pk)


@never_cache
@policy_required(policies.can_import_enterprises)
@require_GET
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _import_for(request, pk)
    running = job.status in (EnterpriseImport.Status.PENDING, EnterpriseImport.Status.RUNNING)
    response = render(
        request,
        "enterprises/import_detail.html",
        {
            "job": job,
            "running": running,
            "errors": (job.errors or [])[:IMPORT_ERRORS_SHOWN],
            "more_errors": max(0, len(job.errors or []) - IMPORT_ERRORS_SHOWN),
        },
    )
    if running:
        # The page refreshes itself without script (CSP allows none inline).
        response["Refresh"] = "2"
    return response


def _csv_response(body: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@never_cache
@policy_required(policies.can_import_enterprises)
@require_GET
def import_errors(request: HttpRequest, pk: int) -> HttpResponse:
    job = _import_for(request, pk)
    return _csv_response(
        services.import_error_report_csv(job=job), f"enterprise-import-{job.pk}-errors.csv"
    )


@policy_required(policies.can_import_enterprises)
@require_GET
def import_template(request: HttpRequest) -> HttpResponse:
    return _csv_response(services.import_template_csv(), "enterprise-import-template.csv")


# --- Credit grades: the scale, recalculation proposals ---------------------------------------------
def _render_scale(
    request: HttpRequest,
    *,
    new_form: CreditGradeForm | None = None,
    edit_forms: dict[int, CreditGradeForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    may_maintain = policies.can_maintain_credit_scale(request.user)
    grades = list(CreditGrade.objects.all())
    edit_forms = edit_forms or {}
    rule_set = selectors.scoring_rule_set_on(timezone.localdate())
    return render(
        request,
        "enterprises/credit_scale.html",
        {
            "rows": [
                {
                    "grade": g,
                    "form": (edit_forms.get(g.pk) or CreditGradeForm(instance=g, prefix=f"g{g.pk}"))
                    if may_maintain
                    else None,
                }
                for g in grades
            ],
            "new_form": (new_form or CreditGradeForm(prefix="new")) if may_maintain else None,
            "rule_set": rule_set,
            "weights": list(rule_set.weights.all()) if rule_set else [],
            "thresholds": list(rule_set.thresholds.all()) if rule_set else [],
        },
        status=status,
    )


@policy_required(policies.can_view_credit_scale)
@require_GET
def credit_scale(request: HttpRequest) -> HttpResponse:
    return _render_scale(request)


def _save_grade(request: HttpRequest, grade: CreditGrade | None, prefix: str) -> HttpResponse:
    form = CreditGradeForm(request.POST, instance=grade, prefix=prefix)
    if form.is_valid():
        try:
            saved = services.save_credit_grade(
                grade=grade, data=form.cleaned_data, actor=request.user
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("已保存 %(grade)s。") % {"grade": saved.display_label})
            return redirect("enterprises:credit_scale")
    if grade is None:
        return _render_scale(request, new_form=form, status=400)
    return _render_scale(request, edit_forms={grade.pk: form}, status=400)


@policy_required(policies.can_maintain_credit_scale)
@require_POST
def add_credit_grade(request: HttpRequest) -> HttpResponse:
    return _save_grade(request, None, "new")


@policy_required(policies.can_maintain_credit_scale)
@require_POST
def edit_credit_grade(request: HttpRequest, pk: int) -> HttpResponse:
    grade = policies.get_credit_grade(pk=pk)
    return _save_grade(request, grade, f"g{grade.pk}")


def _fact_rows(proposal: CreditGradeProposal, events: dict[int, Any]) -> list[dict[str, Any]]:
    return [
        {
            **fact,
            "label": CreditEventKind(fact["kind"]).label
            if fact["kind"] in CreditEventKind.values
            else fact["kind"],
            "events": [events[i] for i in fact.get("event_ids", ()) if i in events],
        }
        for fact in proposal.facts
    ]


def _render_proposals(
    request: HttpRequest,
    *,
    decision_forms: dict[int, ProposalDecisionForm] | None = None,
    recalc_form: RecalculationForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    proposals = selectors.pending_proposals_for_user(user=user)
    page = Paginator(proposals, PAGE_SIZE).get_page(request.GET.get("page"))
    events = selectors.proposal_events(page.object_list)
    decision_forms = decision_forms or {}
    brigades = list(core_selectors.brigades_for_user(user=user))
    grade_choices = credit_grade_choices()
    return render(
        request,
        "enterprises/proposals.html",
        {
            "page_obj": page,
            "rows": [
                {
                    "proposal": p,
                    "facts": _fact_rows(p, events),
                    "form": decision_forms.get(p.pk)
                    or ProposalDecisionForm(prefix=f"p{p.pk}", grade_choices=grade_choices),
                }
                for p in page.object_list
            ],
            "recalc_form": recalc_form
            or RecalculationForm(brigades=brigades if len(brigades) > 1 else ()),
            "rule_set": selectors.scoring_rule_set_on(timezone.localdate()),
        },
        status=status,
    )


@policy_required(policies.can_review_grade_proposals)
@require_GET
def grade_proposals(request: HttpRequest) -> HttpResponse:
    return _render_proposals(request)


@policy_required(policies.can_review_grade_proposals)
@require_POST
def recalculate_grades(request: HttpRequest) -> HttpResponse:
    brigades = list(core_selectors.brigades_for_user(user=request.user))
    form = RecalculationForm(request.POST, brigades=brigades if len(brigades) > 1 else ())
    if form.is_valid():
        brigade = form.cleaned_data.get("brigade")
        try:
            services.request_grade_recalculation(
                actor=request.user, brigade_id=int(brigade) if brigade else None
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已开始重新计算信用等级，完成后建议将列在本页。"))
            return redirect("enterprises:grade_proposals")
    return _render_proposals(request, recalc_form=form, status=400)


@policy_required(policies.can_review_grade_proposals)
@require_POST
def decide_proposal(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = policies.get_proposal_for_user(user=request.user, pk=pk)
    form = ProposalDecisionForm(request.POST, prefix=f"p{proposal.pk}")
    if form.is_valid():
        try:
            services.decide_grade_proposal(
                proposal=proposal,
                decision=form.cleaned_data["decision"],
                to_rating=form.cleaned_data.get("to_rating") or "",
                reason=form.cleaned_data.get("reason") or "",
                actor=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("%(name)s 的信用等级已确定为 %(rating)s。")
                % {"name": proposal.enterprise.name, "rating": proposal.decided_rating},
            )
            if request.POST.get("next") == "detail":
                return redirect("enterprises:detail", pk=proposal.enterprise_id)
            return redirect("enterprises:grade_proposals")
    if request.POST.get("next") == "detail":
        return _render_detail(request, proposal.enterprise, decision_form=form, status=400)
    return _render_proposals(request, decision_forms={proposal.pk: form}, status=400)


@policy_required(policies.can_change_credit_rating)
@require_POST
def recalculate_one(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = _enterprise_for(request, pk)
    try:
        proposal = services.propose_grade_for(enterprise=enterprise, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        if proposal is None:
            messages.success(request, _("按现行评分规则计算，等级无需变更。"))
        else:
            messages.success(
                request,
                _("计算建议：%(rating)s（得分 %(score)s），请确认或改定。")
                % {"rating": proposal.proposed_rating, "score": proposal.score},
            )
    return redirect("enterprises:detail", pk=enterprise.pk)
