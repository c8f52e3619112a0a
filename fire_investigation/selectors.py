"""Reads of measures 5 and 6, scoped by the kernel's brigade rule."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from lishui_fire.accounts.policies import is_signed_in, is_staff

from .models import Incident, InvestigationCase, QuietPeriod


def current_and_coming_quiet_periods(*, now: dt.datetime | None = None) -> QuerySet[QuietPeriod]:
    """What the public page and the API list: periods not yet over, the soonest first."""
    now = now or timezone.now()
    return QuietPeriod.objects.filter(ends_at__gt=now).select_related("brigade")


def quiet_period_at(*, moment: dt.datetime, brigade_id: int) -> QuietPeriod | None:
    """The quiet period an incident of ``brigade_id`` at ``moment`` falls in: one of its county
    or one of the whole city."""
    return (
        QuietPeriod.objects.filter(starts_at__lte=moment, ends_at__gt=moment)
        .filter(Q(brigade__isnull=True) | Q(brigade_id=brigade_id))
        .order_by("starts_at", "pk")
        .first()
    )


def incidents_for_user(*, user: Any) -> QuerySet[Incident]:
    if not is_staff(user):
        return Incident.objects.none()
    rows = Incident.objects.select_related("brigade", "quiet_period")
    if user.sees_all_brigades:
        return rows
    return rows.filter(brigade_id=user.org_unit_id)


def cases_for_user(*, user: Any) -> QuerySet[InvestigationCase]:
    """Staff: their unit's cases (a brigade also sees the detachment's cases of its own
    incidents); the detachment: all; a party: the cases they are a party to; others: none."""
    rows = InvestigationCase.objects.select_related("brigade", "incident")
    if is_staff(user):
        if user.sees_all_brigades:
            return rows
        return rows.filter(
            Q(brigade_id=user.org_unit_id) | Q(incident__brigade_id=user.org_unit_id)
        )
    if is_signed_in(user):
        return rows.filter(parties__user=user).distinct()
    return rows.none()


def cases_of_party(*, user: Any) -> QuerySet[InvestigationCase]:
    """The cases ``user`` is a party to (the public page's 我的火灾事故调查), newest first."""
    if not is_signed_in(user):
        return InvestigationCase.objects.none()
    return (
        InvestigationCase.objects.filter(parties__user=user)
        .select_related("brigade", "incident")
        .distinct()
        .order_by("-created_at", "-pk")
    )
