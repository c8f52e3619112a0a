"""Builders for the intake part's tests and access-matrix world: units, a second officer, the
owner as a unit's registered contact. Set-up only; behaviour goes through the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from inspections.models import Inspection, InspectionStatus
from inspections.workflow import INSPECTION_WORKFLOW
from lishui_fire.accounts.models import OrgUnit, Role, User
from lishui_fire.core.workflow import transition
from lishui_fire.enterprises.models import Enterprise

_counter = {"n": 0}


def _uscc(n: int) -> str:
    from lishui_fire.core.validators import uscc_check_char

    prefix = f"91331102MA2B{n:05d}"[:17]
    return prefix + uscc_check_char(prefix)


def make_unit(brigade: str = "LD", **fields: Any) -> Enterprise:
    _counter["n"] += 1
    n = _counter["n"]
    defaults = {
        "uscc": _uscc(n),
        "name": f"丽水市测试{n}号商贸有限公司",
        "address": f"丽水市莲都区中山街{n}号",
        "brigade": OrgUnit.objects.get(code=brigade),
        "venue_type": "restaurant",
        "contact_name": "王建华",
        "contact_phone": f"1385799{n:04d}",
        "credit_rating": "B",
    }
    defaults.update(fields)
    return Enterprise.objects.create(**defaults)


def certify(*officers: User) -> None:
    """Give each officer an enforcement certificate valid today (the roster draws only those)."""
    from inspections.models import OfficerCertificate

    today = timezone.localdate()
    for officer in officers:
        OfficerCertificate.objects.get_or_create(
            number=f"ZJ-TEST-{officer.pk:06d}",
            defaults={
                "officer": officer,
                "valid_from": today - dt.timedelta(days=365),
                "valid_until": today + dt.timedelta(days=365),
            },
        )


def second_officer(brigade: str = "LD", username: str | None = None) -> User:
    """Another certified inspector of the brigade: an inspection needs two."""
    _counter["n"] += 1
    n = _counter["n"]
    user = User(
        username=username or f"inspector-{brigade.lower()}-{n}",
        role=Role.INSPECTOR,
        real_name=f"检查员{n}",
        org_unit=OrgUnit.objects.get(code=brigade),
    )
    user.set_password("x-unused-password-2026")
    user.save()
    certify(user)
    return user


def make_registered_contact(user: User, unit: Enterprise) -> User:
    """Make ``user`` the unit's registered contact: the unit's code on the account, the
    account's phone the one the registry holds."""
    User.objects.filter(pk=user.pk).update(enterprise_uscc=unit.uscc)
    Enterprise.objects.filter(pk=unit.pk).update(contact_phone=user.phone)
    user.refresh_from_db()
    unit.refresh_from_db()
    return user


def mark_visited(
    inspection: Inspection, *, result: str = "no_problem", at: dt.datetime | None = None
):
    """Set-up for the reply: the visit recorded (the visits part's job in the portal)."""
    from django.db import transaction

    with transaction.atomic():
        transition(
            inspection,
            workflow=INSPECTION_WORKFLOW,
            to=InspectionStatus.RECORDED,
            actor=None,
            updates={"visited_at": at or timezone.now(), "result": result},
        )
    return inspection
