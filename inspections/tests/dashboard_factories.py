"""Builders for the dashboard part's tests, bench and access-matrix world: plans, inspections in
any state, officers. Set-up only (rows as the other parts' services leave them); behaviour is
what the dashboard reads."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.utils import timezone

from inspections.models import Inspection, InspectionAssignment, InspectionPlan
from lishui_fire.accounts.models import OrgUnit, Role, User

_seq = itertools.count(1)


def officer(brigade: str = "LD", **fields: Any) -> User:
    n = next(_seq)
    user = User(
        username=fields.pop("username", f"dash-officer-{brigade.lower()}-{n}"),
        role=Role.INSPECTOR,
        real_name=fields.pop("real_name", f"检查员{n}"),
        org_unit=OrgUnit.objects.get(code=brigade),
        **fields,
    )
    user.set_password("x-unused-password-2026")
    user.save()
    return user


def plan(*, created_by: User, brigades: tuple[str, ...] = ("LD",), year: int | None = None,
         status: str = "drawn", title: str | None = None) -> InspectionPlan:  # fmt: skip
    year = year or timezone.localdate().year
    n = next(_seq)
    fields: dict[str, Any] = {
        "title": title or f"{year} 年度双随机抽查计划（第 {n} 号）",
        "period_start": dt.date(year, 1, 1),
        "period_end": dt.date(year, 12, 31),
        "status": status,
        "created_by": created_by,
    }
    names = {f.name for f in InspectionPlan._meta.get_fields()}
    if "seed_commitment" in names and status != "draft":
        fields["seed_commitment"] = "0" * 64
    made = InspectionPlan.objects.create(**fields)
    if "brigades" in names:
        made.brigades.set(OrgUnit.objects.filter(code__in=brigades))
    return made


def inspection(unit: Any, *, kind: str = "random", plan: InspectionPlan | None = None,
               status: str = "assigned", created_at: dt.datetime | None = None,
               visited_at: dt.datetime | None = None, officers: tuple[User, ...] = (),
               **fields: Any) -> Inspection:  # fmt: skip
    n = next(_seq)
    made = Inspection.objects.create(
        reference=f"DASH{n:08d}",
        kind=kind,
        plan=plan,
        enterprise=unit,
        brigade_id=unit.brigade_id,
        status=status,
        created_at=created_at or timezone.now(),
        visited_at=visited_at,
        **fields,
    )
    for index, person in enumerate(officers):
        InspectionAssignment.objects.create(inspection=made, officer=person, is_lead=index == 0)
    return made


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, day, hour, minute))
