"""Who may do what in fire investigation (the kernel's brigade rule, accounts/policies.py).

Investigators (the inspector role: one body of fire officers) and supervisors of the case's unit
handle it; the detachment sees every case; a party sees only their own; the public sees the
quiet periods and nothing of cases.
"""

from __future__ import annotations

from typing import Any

from lishui_fire.accounts.policies import (
    handles_brigade,
    in_brigade_scope,
    is_handling_staff,
    is_legal_officer,
    is_supervisor_or_admin,
)


def can_read_operations(user: Any) -> bool:
    """Incidents and investigations: the handling staff, and the legal officer who checks the
    determinations before they are signed (法制审核). The discipline officer's work is the
    complaint clues about staff, not the cases (403)."""
    return is_handling_staff(user) or is_legal_officer(user)


def can_record_incident(user: Any, brigade_id: int | None) -> bool:
    return handles_brigade(user, brigade_id)


def can_handle_case(user: Any, brigade_id: int | None) -> bool:
    return handles_brigade(user, brigade_id)


def can_read_case(user: Any, brigade_id: int | None) -> bool:
    return in_brigade_scope(user, brigade_id)


def can_approve_extension(user: Any, case_brigade_id: int | None) -> bool:
    """The next-higher authority approves an extension: for a brigade's case the detachment's
    supervisors; a detachment's case goes to the provincial corps, whose approval the
    detachment's supervisor records."""
    return is_supervisor_or_admin(user) and getattr(user, "sees_all_brigades", False)


def can_manage_quiet_periods(user: Any) -> bool:
    return is_supervisor_or_admin(user)
