"""Who may do what in measure 3 (``can_<verb>_<noun>``), built on the kernel's predicates.

Each part of the app adds its section; objects outside the caller's scope are 404 (selectors),
a role that may not act at all is 403.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404

from lishui_fire.accounts import policies as kernel
from lishui_fire.accounts.models import Role


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
