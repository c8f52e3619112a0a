"""Read queries of the shared kernel."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from lishui_fire.accounts.models import OrgUnit


def brigades_for_user(*, user: Any) -> QuerySet[OrgUnit]:
    brigades = OrgUnit.objects.filter(kind=OrgUnit.Kind.BRIGADE)
    if user.sees_all_brigades:
        return brigades
    return brigades.filter(pk=user.org_unit_id)
