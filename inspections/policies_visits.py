"""Who may do what with visits (``can_<verb>_<noun>``), built on the kernel's predicates.

Visits (the access rows in ``tests/access_matrix_visits.py`` check every cell):

=====================  ==================================================  =====================
role                   inspections                                         actions
=====================  ==================================================  =====================
inspector              only those assigned to them (404 for the rest)      schedule, log, confirm
                                                                           their own, return,
                                                                           serve the notice
brigade supervisor     their brigade's                                     schedule, return
detachment supervisor  every brigade's                                     schedule, return
administrator          every brigade's                                     schedule, return
legal officer          reads their brigade's (the record and notices)      none (403)
discipline officer     none (403 on the lists, 404 on records)             none
applicant              the registered contact of the inspected unit reads  asks for the re-check
                       its confirmed inspections and documents (the
                       enterprise pages); 403 on staff pages
=====================  ==================================================  =====================
"""

from __future__ import annotations

from typing import Any

from lishui_fire.accounts import policies as kernel

from . import rules
from .models import Inspection
from .selectors_visits import CONFIRMED_STATUSES


def can_read_inspections(user: Any) -> bool:
    """The inspectors' list and an inspection's page: handling staff and the legal officer."""
    return kernel.is_handling_staff(user) or kernel.is_legal_officer(user)


def is_assigned(user: Any, inspection: Inspection) -> bool:
    """One of the officers on the inspection (uses the prefetched assignments when there)."""
    if not kernel.is_signed_in(user):
        return False
    return any(a.officer_id == user.pk for a in inspection.assignments.all())


def _supervises(user: Any, inspection: Inspection) -> bool:
    return kernel.is_supervisor_or_admin(user) and kernel.handles_brigade(
        user, inspection.brigade_id
    )


def can_schedule_inspection(user: Any, inspection: Inspection) -> bool:
    """Plan the date: the assigned officers, or a supervisor of the brigade."""
    return kernel.is_handling_staff(user) and (
        is_assigned(user, inspection) or _supervises(user, inspection)
    )


def can_record_visit(user: Any, inspection: Inspection) -> bool:
    """Log the visit and its findings: the officers who were there."""
    return kernel.is_handling_staff(user) and is_assigned(user, inspection)


def can_confirm_record(user: Any, inspection: Inspection) -> bool:
    return can_record_visit(user, inspection)


def can_return_record(user: Any, inspection: Inspection) -> bool:
    """Send a record back for correction before both confirmed: an officer or a supervisor."""
    return can_schedule_inspection(user, inspection)


def can_serve_notice(user: Any, inspection: Inspection) -> bool:
    return can_record_visit(user, inspection)


def is_enterprise_contact(user: Any, inspection: Inspection) -> bool:
    """The inspected unit's registered contact (``rules.is_registered_contact``: the unit's
    credit code on the applicant account and the registry's contact phone)."""
    return kernel.is_applicant(user) and rules.is_registered_contact(
        user_uscc=user.enterprise_uscc,
        user_phone=user.phone,
        unit_uscc=inspection.enterprise.uscc,
        unit_phone=inspection.enterprise.contact_phone,
    )


def can_request_recheck(user: Any, inspection: Inspection) -> bool:
    """The unit asks online; its officers or the brigade record a request made in person."""
    return is_enterprise_contact(user, inspection) or can_schedule_inspection(user, inspection)


def can_read_as_enterprise(user: Any, inspection: Inspection) -> bool:
    return is_enterprise_contact(user, inspection) and inspection.status in CONFIRMED_STATUSES
