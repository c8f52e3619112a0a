"""Who may do what in the registry.

Staff who handle cases and the legal officer read the registry of their brigade (detachment
staff and administrators: all of it) — the legal officer checks penalty decisions against the
unit's record; the discipline officer does not browse it (no applicant or unit record by
default, see ``lishui_fire/accounts/policies.py``). Supervisors and administrators rate units
of their scope and enter them on dishonesty lists; the handling staff reveal a contact phone
(audited); administrators import files. The fetch-and-authorise helpers answer 404 alike for a
missing unit and another brigade's. The services call these predicates too, so the API, admin
and tasks are covered.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from lishui_fire.accounts import policies as kernel
from lishui_fire.accounts.models import CASE_READER_ROLES

from . import selectors
from .models import (
    CreditGrade,
    CreditGradeProposal,
    DishonestyListing,
    Enterprise,
    EnterpriseImport,
)


def can_view_enterprises(user: Any) -> bool:
    return kernel.has_role(user, *CASE_READER_ROLES)


def can_change_credit_rating(user: Any, enterprise: Enterprise | None = None) -> bool:
    """Brigade and detachment supervisors and administrators, for a unit of their scope;
    inspectors and the legal officer only read. Without ``enterprise``: whether the role may
    rate at all (which buttons a page shows)."""
    if not kernel.is_supervisor_or_admin(user):
        return False
    return enterprise is None or kernel.in_brigade_scope(user, enterprise.brigade_id)


def can_reveal_contact_phone(user: Any, enterprise: Enterprise) -> bool:
    """The full number, audited (PIPL): the handling staff of the unit's brigade."""
    return kernel.handles_brigade(user, enterprise.brigade_id)


def can_list_dishonesty(user: Any, enterprise: Enterprise | None = None) -> bool:
    """Entering and removing dishonesty-list entries: the same people who rate units."""
    return can_change_credit_rating(user, enterprise)


def can_view_credit_scale(user: Any) -> bool:
    """The grade scale and the scoring rules: everyone who reads the registry."""
    return can_view_enterprises(user)


def can_maintain_credit_scale(user: Any) -> bool:
    """The scale is the detachment's (one for every brigade): detachment supervisors and
    administrators maintain it; a brigade supervisor reads it."""
    return kernel.is_supervisor_or_admin(user) and kernel.sees_all_brigades(user)


def can_review_grade_proposals(user: Any) -> bool:
    """Recalculation proposals: the people who rate units (each for their scope)."""
    return can_change_credit_rating(user)


def can_import_enterprises(user: Any) -> bool:
    return kernel.has_role(user, "administrator")


def get_enterprise_for_user(*, user: Any, pk: Any) -> Enterprise:
    """Fetch and authorise in one call: another brigade's enterprise is a 404 like a missing one."""
    try:
        return selectors.enterprises_for_user(user=user).get(pk=pk)
    except (Enterprise.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def get_listing_for_user(*, user: Any, enterprise: Enterprise, pk: Any) -> DishonestyListing:
    """A listing of ``enterprise`` (already fetched with ``get_enterprise_for_user``), else 404."""
    try:
        return enterprise.dishonesty_listings.get(pk=pk)
    except (DishonestyListing.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def get_proposal_for_user(*, user: Any, pk: Any) -> CreditGradeProposal:
    """A grade proposal of a unit in the user's scope (another brigade's: 404 like a missing one)."""
    try:
        return CreditGradeProposal.objects.select_related("enterprise__brigade").get(
            pk=pk, enterprise__in=selectors.enterprises_for_user(user=user).values("pk")
        )
    except (CreditGradeProposal.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def get_credit_grade(*, pk: Any) -> CreditGrade:
    try:
        return CreditGrade.objects.get(pk=pk)
    except (CreditGrade.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def get_import_for_user(*, user: Any, pk: Any) -> EnterpriseImport:
    """An import job, for administrators (the only ones who may import); else 404 like missing."""
    if not can_import_enterprises(user):
        raise Http404
    try:
        return EnterpriseImport.objects.select_related("uploaded_by").get(pk=pk)
    except (EnterpriseImport.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
