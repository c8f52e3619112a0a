"""Test helpers of the plans part: a plan in each state, and certified officers to draw."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

ITEMS = [
    ("A1", "消防安全责任制落实情况"),
    ("A2", "疏散通道、安全出口是否畅通"),
    ("A3", "消防设施器材是否完好有效"),
]


def plan_kwargs(org_units: dict, *, brigades=("LD",), **extra: Any) -> dict[str, Any]:
    today = dt.date.today()
    kwargs = {
        "title": "2026年莲都区消防监督抽查计划",
        "period_start": today,
        "period_end": today + dt.timedelta(days=60),
        "brigades": [org_units[code] for code in brigades],
        "classes": {"general": Decimal("0.5"), "crowded_key": Decimal("1")},
        "items": ITEMS,
        "description": "",
    }
    kwargs.update(extra)
    return kwargs


def make_plan(actor: Any, *, state: str = "draft", **extra: Any):  # type: ignore[no-untyped-def]
    """A plan of ``actor``'s brigade in ``state``: draft, published or drawn."""
    from inspections.services import plans as services
    from lishui_fire.accounts.models import OrgUnit

    units = {u.code: u for u in OrgUnit.objects.all()}
    plan = services.create_plan(actor=actor, **plan_kwargs(units, **extra))
    if state in ("published", "drawn"):
        plan = services.publish_plan(actor=actor, plan=plan)
    if state == "drawn":
        services.draw_plan(actor=actor, plan=plan)
        plan.refresh_from_db()
    return plan


def certify(officer: Any) -> Any:
    """Give ``officer`` a valid enforcement certificate (only certified officers are drawn)."""
    from inspections.tests.intake_factories import certify as give_certificate

    give_certificate(officer)
    return officer
