"""Read queries of the shared kernel."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from lishui_fire.accounts.models import OrgUnit


def brigades_for_user(*, user: Any) -> QuerySet[OrgUnit]:
    brigades = OrgUnit.objects.filter(kind=OrgUnit.Kind.BRIGADE)
    if user.sees_all_brigades:
        return brigades
    return brigades.filter(pk=user.org_unit_id)


def brigade_overview(*, user: Any) -> QuerySet[OrgUnit]:
    """Each visible brigade with its enterprise counts by credit rating (one query)."""
    ratings = {
        f"rating_{r.lower()}": Count("enterprises", filter=Q(enterprises__credit_rating=r))
        for r in "ABCD"
    }
    return brigades_for_user(user=user).annotate(
        enterprise_count=Count("enterprises"),
        high_risk=Count("enterprises", filter=Q(enterprises__risk_level="high")),
        **ratings,
    )
