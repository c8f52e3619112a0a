"""Kernel predicates every app's ``policies.py`` is built from: who is signed in as what, which
brigade a member of staff answers for, and the "supervisor or administrator" rule — each written
once here, so that a page, the API, the admin and a task all ask the same question.

The roles, and what each may see by default (an app widens nothing without saying so in its own
``policies.py``):

* applicant: only the records they own.
* inspector, brigade supervisor, detachment supervisor, administrator (the *handling* roles):
  the cases of their brigade's jurisdiction, every brigade for detachment staff and
  administrators; they act on them.
* legal officer (法制员, belongs to a unit): reads the decisions of the cases in their unit's
  jurisdiction to check them; handles no case.
* discipline officer (纪检员, the detachment or a brigade): the only role that sees complaint
  clues about staff; sees no applicant record by default (an app that shows them one passes the
  role to ``scope_queryset`` explicitly, as the discipline cases will).
"""

from __future__ import annotations

from typing import Any

from lishui_fire.core.errors import Forbidden

from .models import HANDLING_ROLES, STAFF_ROLES, SUPERVISING_ROLES, Role


def is_signed_in(user: Any) -> bool:
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and getattr(user, "is_active", False)
    )


def has_role(user: Any, *roles: str) -> bool:
    return is_signed_in(user) and user.role in roles


def is_applicant(user: Any) -> bool:
    return has_role(user, Role.APPLICANT)


def is_staff(user: Any) -> bool:
    """Any member of staff, the legal and discipline officers included."""
    return has_role(user, *STAFF_ROLES)


def is_handling_staff(user: Any) -> bool:
    """Staff who act on cases: inspectors, supervisors, administrators."""
    return has_role(user, *HANDLING_ROLES)


def is_supervisor_or_admin(user: Any) -> bool:
    """Brigade or detachment supervisors and administrators: approvals, revocations, priorities."""
    return has_role(user, *SUPERVISING_ROLES)


def is_legal_officer(user: Any) -> bool:
    return has_role(user, Role.LEGAL_OFFICER)


def is_discipline_officer(user: Any) -> bool:
    return has_role(user, Role.DISCIPLINE_OFFICER)


def sees_all_brigades(user: Any) -> bool:
    return is_staff(user) and user.sees_all_brigades


def in_brigade_scope(user: Any, brigade_id: int | None) -> bool:
    """The brigade rule: staff answer for their own brigade; detachment staff and administrators
    for every brigade."""
    if not is_staff(user):
        return False
    return bool(
        user.sees_all_brigades or (brigade_id is not None and user.org_unit_id == brigade_id)
    )


def handles_brigade(user: Any, brigade_id: int | None) -> bool:
    """Handling staff (not the legal or discipline officer) of this brigade or the detachment."""
    return is_handling_staff(user) and in_brigade_scope(user, brigade_id)


def authorize(allowed: bool) -> None:
    """The last line inside a service: refuse an actor the policy said no to (403)."""
    if not allowed:
        raise Forbidden
