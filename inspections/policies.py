"""Who may do what in measure 3 (``can_<verb>_<noun>``), built on the kernel's predicates.

Each part of the app adds its section; objects outside the caller's scope are 404 (selectors),
a role that may not act at all is 403.
"""

from __future__ import annotations

from typing import Any

from lishui_fire.accounts import policies as kernel


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
