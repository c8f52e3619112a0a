"""Who may do what in the permits app.

``can_<verb>_<noun>(user, obj)`` predicates drive which buttons a page shows, which pages open
and what a service accepts (the services call them, so the pages, the API, the admin and the
tasks are covered alike); ``get_<noun>_for_user`` fetch and authorise in one call and answer 404
alike for missing and forbidden objects. The kernel predicates (the brigade rule, "supervisor or
administrator") are in ``lishui_fire/accounts/policies.py``.

Roles × permits (the access tables in ``tests/test_*permissions*.py`` check every cell):

=====================  ======================================  =========================  ==========
role                   applications                            pre-checks, door-to-door   full phone
=====================  ======================================  =========================  ==========
applicant              their own                               their own                  their own
inspector, brigade /   their brigade's (all for detachment     their brigade's; act       audited
detachment supervisor, staff and administrators); act;
administrator          supervisors also revoke, green channel
legal officer          reads their unit's (lists, the page,    none (404)                 no
                       decision letters, materials); decides
                       nothing (403 on every action)
discipline officer     none: no applicant record by default    none                       no
                       (403 on staff pages, 404 on records)
=====================  ======================================  =========================  ==========

The decision itself (准予 / 不予许可) is a brigade or detachment supervisor's, on an inspector's
proposal (``can_decide_application``, ADR 0025); the administrator and the legal officer decide
nothing.

The legal officer checks decisions (法制审核), so reading an application's file and letters is
their work; the pre-check is advice before an application, with no decision to check. The
discipline officer sees applicant records only through the discipline cases to come (complaint
clues about staff), never by browsing the permits.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, QuerySet
from django.http import Http404

from lishui_fire.accounts import policies as kernel
from lishui_fire.accounts.models import SUPERVISOR_ROLES

from . import selectors
from .models import HomeServiceRequest, PermitApplication, PrecheckBooking, PrecheckSlot
from .workflow import BookingStatus, PermitStatus

M = TypeVar("M", bound=Model)


def _get(queryset: QuerySet[M], pk: Any) -> M:
    try:
        return queryset.get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError) as exc:  # the model's DoesNotExist
        raise Http404 from exc


# --- Fetch and authorise ---------------------------------------------------------------------------
def get_application_for_user(*, user: Any, pk: Any) -> PermitApplication:
    return _get(selectors.applications_for_user(user=user), pk)


def get_booking_for_user(*, user: Any, pk: Any) -> PrecheckBooking:
    return _get(selectors.bookings_for_user(user=user), pk)


def get_slot_for_user(*, user: Any, pk: Any) -> PrecheckSlot:
    return _get(selectors.slots_for_user(user=user), pk)


def get_home_request_for_user(*, user: Any, pk: Any) -> HomeServiceRequest:
    return _get(
        selectors.home_requests_for_user(user=user).select_related("logged_by", "application"),
        pk,
    )


# --- Who the actor is to the record --------------------------------------------------------------
def is_owner(user: Any, obj: Any) -> bool:
    return bool(kernel.is_signed_in(user) and obj.applicant_id == user.pk)


def _handles(user: Any, obj: Any) -> bool:
    """Handling staff of the record's brigade (or of the detachment)."""
    return kernel.handles_brigade(user, obj.brigade_id)


# --- Pages and roles -------------------------------------------------------------------------------
def can_use_staff_pages(user: Any) -> bool:
    """The inspector's day, door-to-door requests, pre-check slots: handling staff."""
    return kernel.is_handling_staff(user)


def can_read_applications(user: Any) -> bool:
    """The queue, the overdue list and an application's staff page: handlers and the legal
    officer."""
    return kernel.is_handling_staff(user) or kernel.is_legal_officer(user)


def can_supervise(user: Any) -> bool:
    return kernel.is_supervisor_or_admin(user)


# --- Applications ----------------------------------------------------------------------------------
def can_edit_application(user: Any, application: PermitApplication) -> bool:
    return is_owner(user, application) and application.status in (
        PermitStatus.DRAFT,
        PermitStatus.RETURNED,
    )


def can_process_application(user: Any, application: PermitApplication) -> bool:
    """Accept, return, refuse, inspect, decide, verify, post the letters: handling staff of the
    application's brigade (or the detachment). The legal officer checks, never decides."""
    return _handles(user, application)


def can_register_window_application(user: Any, brigade_id: int) -> bool:
    """Enter an application received at the service window: handling staff of that brigade."""
    return kernel.handles_brigade(user, brigade_id)


def can_propose_decision(user: Any, application: PermitApplication) -> bool:
    """The proposed decision (拟办意见): any handling staff of the brigade, usually the inspector."""
    return can_process_application(user, application)


def can_decide_application(user: Any, application: PermitApplication) -> bool:
    """The decision itself (准予 / 不予许可) is approved by a brigade supervisor of the
    application's jurisdiction, or a detachment supervisor (issue 9): not by an inspector alone,
    and not by the system administrator, who keeps the system and signs no licence."""
    return kernel.has_role(user, *SUPERVISOR_ROLES) and kernel.in_brigade_scope(
        user, application.brigade_id
    )


def decision_approvers(application: PermitApplication) -> QuerySet[Any]:
    """Who is told a proposal waits: the brigade's supervisors (the detachment's see it in their
    lists)."""
    from lishui_fire.accounts.models import Role, User

    return User.objects.filter(
        is_active=True, role=Role.BRIGADE_SUPERVISOR, org_unit_id=application.brigade_id
    )


def can_revoke_permit(user: Any, application: PermitApplication) -> bool:
    """A revocation (Fire Law art. 58) is a supervisor's decision."""
    return can_process_application(user, application) and can_supervise(user)


def can_set_green_channel(user: Any, application: PermitApplication) -> bool:
    return can_process_application(user, application) and can_supervise(user)


def can_reveal_contact_phone(user: Any, obj: Any) -> bool:
    """The full number, audited: the handling staff who call the venue (PIPL: only who needs
    it), not the legal or discipline officer."""
    return _handles(user, obj)


# --- Pre-check and door-to-door ---------------------------------------------------------------------
def can_manage_slots(user: Any, brigade_id: int) -> bool:
    """Publish, generate and withdraw the slots of a brigade."""
    return kernel.handles_brigade(user, brigade_id)


def can_inspect_booking(user: Any, booking: PrecheckBooking) -> bool:
    """Arrival, no-show, findings, the notice and amendment requests."""
    return _handles(user, booking)


def can_decide_amendment(user: Any, amendment: Any) -> bool:
    """A supervisor of the brigade other than the one who asked."""
    return (
        _handles(user, amendment.booking)
        and can_supervise(user)
        and amendment.requested_by_id != user.pk
    )


def can_log_home_service(user: Any, brigade_id: int) -> bool:
    """Staff log a request made by phone for their brigade."""
    return kernel.handles_brigade(user, brigade_id)


def can_handle_home_service(user: Any, request: Any) -> bool:
    return _handles(user, request)


def can_see_finding_photo(user: Any, booking: PrecheckBooking, finding: Any) -> bool:
    """Staff (the booking is already in their scope) always; the owner only once the notice is
    issued and lists the item — until then the findings are the inspector's working copy."""
    if kernel.is_staff(user):
        return True
    return booking.notice_issued_at is not None and finding.is_on_notice


def can_download_notice(user: Any, booking: PrecheckBooking) -> bool:
    return booking.status == BookingStatus.NOTICE_ISSUED
