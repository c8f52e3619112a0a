"""Staff pages of the enterprise registry (社会单位) and the administrators' CSV import."""

from __future__ import annotations

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

from . import policies, selectors, services
from .forms import (
    CreditRatingChangeForm,
    DishonestyListingForm,
    EnterpriseFilterForm,
    EnterpriseImportForm,
    ListingRemovalForm,
    filter_enterprises,
)
from .models import DishonestyList, Enterprise, EnterpriseImport, ListingStatus

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
    )
    page = Paginator(enterprises, PAGE_SIZE).get_page(request.GET.get("page"))
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
    status: int = 200,
) -> HttpResponse:
    may_change = policies.can_change_credit_rating(request.user, enterprise)
    if may_change and rating_form is None:
        rating_form = CreditRatingChangeForm()
    may_list = policies.can_list_dishonesty(request.user, enterprise)
    if may_list and listing_form is None:
        listing_form = DishonestyListingForm(
            initial={"source_authority": enterprise.brigade.display_name}, prefix="listing"
        )
    history = enterprise.rating_changes.select_related("changed_by")
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
