"""Who may do what in measure 3 (``can_<verb>_<noun>``), built on the kernel's predicates.

Each part of the app adds its section; objects outside the caller's scope are 404 (selectors),
a role that may not act at all is 403.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet
from django.http import Http404

from lishui_fire.accounts import policies as kernel
from lishui_fire.accounts.models import Role

from .models import InspectionPlan


# --- intake ---
def can_use_intake_pages(user: Any) -> bool:
    """Register complaints and open inspections outside plans: the handling staff (inspectors,
    supervisors, administrators). The legal and discipline officers check, they open nothing."""
    return kernel.is_handling_staff(user)


def can_open_inspection(user: Any, brigade_id: int | None) -> bool:
    """Open an inspection outside plans (or register a complaint) for a unit of ``brigade_id``."""
    return kernel.handles_brigade(user, brigade_id)


def can_see_complainant(user: Any, brigade_id: int | None) -> bool:
    """The complainant's name and phone, in full: only the handling staff of the brigade that
    verifies the complaint (PIPL: only who needs them, to call back). Every other reader, the
    legal and discipline officers included, sees them masked; the unit complained about never
    sees them at all."""
    return kernel.handles_brigade(user, brigade_id)


def can_reply_to_complainant(user: Any, brigade_id: int | None) -> bool:
    return kernel.handles_brigade(user, brigade_id)


def is_enterprise_user(user: Any) -> bool:
    """The enterprise's own pages: a signed-in applicant (which units they speak for is the
    selectors' business: ``rules.is_registered_contact``)."""
    return kernel.is_applicant(user)


# --- drawing: roster and recusal ---
#
# The recusal register is personal data: a declaration is read by its officer, the supervisors
# of the officer's brigade (the detachment's supervisors: every brigade) and the discipline
# officers; never by applicants, legal officers, administrators or the public.
#
# ====================  ==========================  ==============================  ============
# role                  declare / withdraw own      read the register               decide
# ====================  ==========================  ==============================  ============
# inspector             yes                         own declarations only           no
# brigade supervisor    yes                         their brigade's                 their brigade's
# detachment superv.    yes                         every brigade                   every brigade
# discipline officer    no                          their unit's (detachment: all)  no
# others                no (403)                    no (403)                        no (403)
# ====================  ==========================  ==============================  ============
# Nobody decides their own declaration.


def can_declare_conflict(user: Any) -> bool:
    from .selectors_roster import DECLARING_ROLES

    return kernel.has_role(user, *DECLARING_ROLES)


def can_read_register(user: Any) -> bool:
    from .selectors_roster import REGISTER_ROLES

    return kernel.has_role(user, *REGISTER_ROLES)


def can_open_declaration(user: Any) -> bool:
    """Roles that open a declaration page at all (which one: ``get_declaration_for_user``)."""
    return can_declare_conflict(user) or can_read_register(user)


def can_decide_conflict(user: Any, declaration: Any) -> bool:
    return bool(
        kernel.has_role(user, Role.BRIGADE_SUPERVISOR, Role.DETACHMENT_SUPERVISOR)
        and kernel.in_brigade_scope(user, declaration.brigade_id)
        and declaration.officer_id != user.pk
    )


def can_withdraw_conflict(user: Any, declaration: Any) -> bool:
    return bool(kernel.is_signed_in(user) and declaration.officer_id == user.pk)


def can_read_certificates(user: Any) -> bool:
    return kernel.is_supervisor_or_admin(user)


def get_declaration_for_user(*, user: Any, pk: Any) -> Any:
    from .selectors_roster import declarations_for_user

    try:
        return declarations_for_user(user=user).get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


# --- dashboard ---
def can_view_dashboard(user: Any) -> bool:
    """The supervisors' view of measure 3: brigade supervisors for their brigade, the detachment
    and administrators for every brigade (the scope is the selectors'); inspectors see their own
    lists, the legal and discipline officers their own work."""
    return kernel.is_supervisor_or_admin(user)


# --- plans ---
# Plans are written, published, drawn and voided by supervisors: a brigade supervisor for their
# own brigade, a detachment supervisor for any brigades. Administrators keep the data (the admin)
# but do not run spot checks; inspectors carry them out and never choose whom they inspect.
PLAN_WRITERS = (Role.BRIGADE_SUPERVISOR, Role.DETACHMENT_SUPERVISOR)


def can_write_plans(user: Any) -> bool:
    return kernel.has_role(user, *PLAN_WRITERS)


def plan_brigades_allowed(user: Any, brigade_ids: Iterable[int]) -> bool:
    """May ``user`` write a plan sampling these brigades? (Every one in their scope.)"""
    ids = list(brigade_ids)
    return (
        can_write_plans(user)
        and bool(ids)
        and all(kernel.in_brigade_scope(user, brigade_id) for brigade_id in ids)
    )


def can_act_on_plan(user: Any, plan: InspectionPlan) -> bool:
    """Publish, draw, void, revise or publish the results of ``plan``."""
    return plan_brigades_allowed(user, [b.pk for b in plan.brigades.all()])


def plans_for_user(user: Any) -> QuerySet[InspectionPlan]:
    """The plans a supervisor sees on the staff pages: those sampling a brigade of theirs
    (every plan for the detachment)."""
    queryset = InspectionPlan.objects.all()
    if not can_write_plans(user):
        return queryset.none()
    if user.sees_all_brigades:
        return queryset
    return queryset.filter(brigades=user.org_unit_id).distinct()


def get_plan_for_user(user: Any, pk: Any) -> InspectionPlan:
    """Fetch and authorise in one call: a plan outside the caller's scope is a 404."""
    try:
        return plans_for_user(user).get(pk=pk)
    except (InspectionPlan.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
