"""Who may do what in the permits app: fetch-and-authorise helpers answer 404 alike for missing
and forbidden objects; ``can_*`` predicates drive which buttons a page shows."""

from __future__ import annotations

from typing import Any

from lishui_fire.accounts.scoping import get_object_for_user

from . import selectors
from .models import PermitApplication, PrecheckBooking
from .workflow import BookingStatus, PermitStatus


def get_application_for_user(*, user: Any, pk: Any) -> PermitApplication:
    return get_object_for_user(selectors.applications_for_user(user=user), user, pk=pk)


def get_booking_for_user(*, user: Any, pk: Any) -> PrecheckBooking:
    return get_object_for_user(selectors.bookings_for_user(user=user), user, pk=pk)


def is_owner(user: Any, obj: Any) -> bool:
    return bool(user.is_authenticated and obj.applicant_id == user.pk)


def can_edit_application(user: Any, application: PermitApplication) -> bool:
    return is_owner(user, application) and application.status in (
        PermitStatus.DRAFT,
        PermitStatus.RETURNED,
    )


def can_decide(user: Any, application: PermitApplication) -> bool:
    """Staff of the application's brigade (or detachment) take the decisions."""
    return bool(
        user.is_authenticated
        and user.is_portal_staff
        and (user.sees_all_brigades or user.org_unit_id == application.brigade_id)
    )


def can_supervise(user: Any) -> bool:
    return bool(user.is_authenticated and (user.is_supervisor or user.is_administrator))


def can_see_finding_photo(user: Any, booking: PrecheckBooking, finding: Any) -> bool:
    """Staff (the booking is already in their scope) always; the owner only once the notice is
    issued and lists the item — until then the findings are the inspector's working copy."""
    if user.is_portal_staff:
        return True
    return booking.notice_issued_at is not None and finding.is_on_notice


def can_download_notice(user: Any, booking: PrecheckBooking) -> bool:
    return booking.status == BookingStatus.NOTICE_ISSUED
