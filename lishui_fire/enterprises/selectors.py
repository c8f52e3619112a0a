"""Read queries of the registry, scoped to what a user may see."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from lishui_fire.accounts.scoping import scope_queryset
from lishui_fire.core.validators import normalise_code

from .models import Enterprise


def enterprises_for_user(*, user: Any) -> QuerySet[Enterprise]:
    """The enterprises of the user's brigade (every brigade for detachment staff and admins)."""
    return scope_queryset(
        Enterprise.objects.select_related("brigade"),
        user,
        owner_field=None,
        brigade_field="brigade",
    )


def enterprise_with_uscc(*, uscc: str) -> Enterprise | None:
    """The registered unit with this credit code (typed in any case or width), if there is one."""
    code = normalise_code(uscc or "")
    if not code:
        return None
    return Enterprise.objects.filter(uscc=code).first()
