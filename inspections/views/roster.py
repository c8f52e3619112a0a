"""Pages of the officers' roster and the recusal register (回避).

An officer declares a conflict of interest and sees their own declarations and certificates;
supervisors read their brigade's register (the detachment: every brigade) and decide; discipline
officers read it. Every change is a POST to ``services.roster`` followed by a redirect (PRG);
bad input re-renders the form with its messages (400), a refused move is a message, never a 500.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lishui_fire.accounts.decorators import policy_required
from lishui_fire.core.errors import DomainError

from .. import policies
from .. import selectors_roster as selectors
from ..forms_roster import ConflictDecisionForm, ConflictDeclarationForm
from ..models import ConflictStatus
from ..services import roster as services

PER_PAGE = 50


def _nav(request: HttpRequest, current: str = "") -> dict:  # type: ignore[type-arg]
    """The roster pages' links, those the user may open."""
    user = request.user
    return {
        "current": current,
        "declare": policies.can_declare_conflict(user),
        "register": policies.can_read_register(user),
        "certificates": policies.can_read_certificates(user),
    }


def _add_errors(form, exc: ValidationError) -> None:  # type: ignore[no-untyped-def]
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@policy_required(policies.can_declare_conflict)
@require_http_methods(["GET", "POST"])
def my_conflicts(request: HttpRequest) -> HttpResponse:
    form = ConflictDeclarationForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.declare_conflict(
                    officer=request.user,
                    enterprise_uscc=form.cleaned_data["enterprise_uscc"],
                    kind=form.cleaned_data["kind"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request, _("申报已提交，待大队领导决定。决定前，抽取不会派您检查该单位。")
                )
                return redirect("inspections:my_conflicts")
        status = 400
    declarations = selectors.declarations_for_user(user=request.user).filter(officer=request.user)
    certificates = selectors.certificates_for_user(user=request.user).filter(officer=request.user)
    return render(
        request,
        "inspections/roster/my_conflicts.html",
        {
            "form": form,
            "declarations": declarations,
            "certificates": certificates,
            "roster_nav": _nav(request, "mine"),
        },
        status=status,
    )


def _detail(request, declaration, decision_form=None, status=200):  # type: ignore[no-untyped-def]
    pending = declaration.status == ConflictStatus.PENDING
    can_decide = pending and policies.can_decide_conflict(request.user, declaration)
    return render(
        request,
        "inspections/roster/conflict_detail.html",
        {
            "declaration": declaration,
            "can_decide": can_decide,
            "can_withdraw": pending and policies.can_withdraw_conflict(request.user, declaration),
            "decision_form": decision_form or (ConflictDecisionForm() if can_decide else None),
            "clock": services.decision_clock(declaration),
            "roster_nav": _nav(request),
            "now": timezone.now(),
        },
        status=status,
    )


@policy_required(policies.can_open_declaration)
@require_GET
def conflict_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, policies.get_declaration_for_user(user=request.user, pk=pk))


@policy_required(policies.can_open_declaration)
@require_POST
def conflict_decide(request: HttpRequest, pk: int) -> HttpResponse:
    declaration = policies.get_declaration_for_user(user=request.user, pk=pk)
    if not policies.can_decide_conflict(request.user, declaration):
        raise PermissionDenied
    form = ConflictDecisionForm(request.POST)
    if form.is_valid():
        try:
            services.decide_conflict(
                declaration=declaration,
                actor=request.user,
                uphold=form.cleaned_data["decision"] == "uphold",
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("inspections:conflict_detail", pk=pk)
        else:
            messages.success(request, _("已作出决定。"))
            return redirect("inspections:conflict_detail", pk=pk)
    return _detail(request, declaration, decision_form=form, status=400)


@policy_required(policies.can_declare_conflict)
@require_POST
def conflict_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    declaration = policies.get_declaration_for_user(user=request.user, pk=pk)
    if not policies.can_withdraw_conflict(request.user, declaration):
        raise PermissionDenied
    try:
        services.withdraw_conflict(declaration=declaration, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("申报已撤回。"))
    return redirect("inspections:my_conflicts")


@policy_required(policies.can_read_register)
@require_GET
def conflict_register(request: HttpRequest) -> HttpResponse:
    queryset = selectors.register_for_user(user=request.user)
    status = request.GET.get("status", "")
    if status in ConflictStatus.values:
        queryset = queryset.filter(status=status)
    else:
        status = ""
    page = Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "inspections/roster/register.html",
        {
            "page_obj": page,
            "statuses": ConflictStatus.choices,
            "status": status,
            "roster_nav": _nav(request, "register"),
        },
    )


@policy_required(policies.can_read_certificates)
@require_GET
def certificates(request: HttpRequest) -> HttpResponse:
    queryset = selectors.certificates_for_user(user=request.user).order_by(
        "officer__org_unit__sort_order", "officer_id", "-valid_until"
    )
    page = Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "inspections/roster/certificates.html",
        {
            "page_obj": page,
            "today": timezone.localdate(),
            "roster_nav": _nav(request, "certificates"),
        },
    )
