"""Demo data of the roster part (``seed_demo``, before the plans: a draw needs officers).

Every brigade gets at least three certified enforcement officers (the demo accounts of API.md
first, then roster-only officers who cannot sign in), so a demo draw can give each unit two
officers and honour recusal; the LD inspectors have declared conflicts, one decided by the
brigade supervisor. Idempotent: certificates are keyed by number, declarations by officer and
unit, roster-only officers by username.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from lishui_fire.accounts.models import OrgUnit, Role
from lishui_fire.enterprises.selectors import enterprises_for_user

from .models import ConflictDeclaration, ConflictStatus, OfficerCertificate
from .services import roster

OFFICERS_PER_BRIGADE = 3
# Roster-only officers' names, cycled (no phone, no password: they exist to be drawn).
NAMES = ["王建军", "李晓东", "张海燕", "刘志明", "陈丽华", "杨国平", "赵晓峰", "黄秀英", "吴永强"]


def seed(stdout: Any) -> None:
    User = get_user_model()
    today = timezone.localdate()
    valid_from = dt.date(today.year - 1, 1, 1)
    valid_until = dt.date(today.year + 2, 12, 31)
    certified = 0
    for index, brigade in enumerate(OrgUnit.objects.filter(kind=OrgUnit.Kind.BRIGADE)):
        officers = list(
            User.objects.filter(
                org_unit=brigade,
                role__in=(Role.INSPECTOR, Role.BRIGADE_SUPERVISOR),
                is_active=True,
            ).order_by("pk")
        )
        n = 0
        while len(officers) < OFFICERS_PER_BRIGADE:
            n += 1
            officer, created = User.objects.get_or_create(
                username=f"roster-{brigade.code.lower()}-{n}",
                defaults={
                    "role": Role.INSPECTOR,
                    "org_unit": brigade,
                    "real_name": NAMES[(index * 3 + n) % len(NAMES)],
                },
            )
            if created:
                officer.set_unusable_password()
                officer.save(update_fields=["password"])
            if officer not in officers:
                officers.append(officer)
        for officer in officers:
            number = f"ZJ-{brigade.code}-{officer.pk:05d}"
            if not OfficerCertificate.objects.filter(number=number).exists():
                roster.record_certificate(
                    officer=officer, number=number, valid_from=valid_from, valid_until=valid_until
                )
            certified += 1
    declared = _seed_declarations(User)
    stdout.write(f"{certified} certified officers, {declared} conflict declarations\n")


def _seed_declarations(User: Any) -> int:
    people = {
        u.username: u
        for u in User.objects.filter(username__in=["inspector1", "inspector2", "supervisor1"])
    }
    if len(people) < 3:
        return 0
    units = list(enterprises_for_user(user=people["supervisor1"]).order_by("uscc")[:2])
    if len(units) < 2:
        return 0
    wanted = [
        (people["inspector1"], units[0], "relative", "配偶在该单位任消防安全管理人。", None),
        (people["inspector2"], units[1], "former_employer", "2022 年前在该单位任安全主管。", True),
    ]
    for officer, unit, kind, note, uphold in wanted:
        if ConflictDeclaration.objects.filter(officer=officer, enterprise=unit).exists():
            continue
        declaration = roster.declare_conflict(
            officer=officer, enterprise_uscc=unit.uscc, kind=kind, note=note
        )
        if uphold is not None and declaration.status == ConflictStatus.PENDING:
            roster.decide_conflict(
                declaration=declaration,
                actor=people["supervisor1"],
                uphold=uphold,
                reason="离职未满三年，依法回避。",
            )
    return ConflictDeclaration.objects.count()
