"""Access matrix rows of the roster part: the recusal register and the certificates (joined by
access_matrix.py; the rules are in inspections/policies.py, section "drawing: roster").

Columns: owner, other_applicant, inspector (LD), other_brigade_inspector (LQ), supervisor (LD),
chief (detachment), administrator, legal_officer, discipline_officer (detachment), anonymous.

``@conflict`` is the LD inspector's own pending declaration: the register is personal data, read
by the officer, LD's and the detachment's supervisors and the discipline officer; the LQ
inspector gets 404; applicants, administrators and legal officers 403 (the pages are not theirs).
"""

from __future__ import annotations

import datetime as dt

from tests.harness.matrix import Row

DECLARERS = "403 403 ok ok ok ok 403 403 403 login"
REGISTER = "403 403 403 403 ok ok 403 403 ok login"
DECLARATION = "403 403 ok 404 ok ok 403 403 ok login"
DECIDE = "403 403 403 404 ok ok 403 403 403 login"
WITHDRAW = "403 403 ok 404 403 403 403 403 403 login"
CERTIFICATES = "403 403 403 403 ok ok ok 403 403 login"


def world(personas):
    from lishui_fire.accounts.models import OrgUnit
    from lishui_fire.enterprises.models import Enterprise
    from permits.tests.factories import valid_uscc

    from ..services import roster

    ld = OrgUnit.objects.get(code="LD")
    related = Enterprise.objects.create(
        uscc=valid_uscc(100, division="331199"),
        name="矩阵回避测试宾馆",
        address="丽水市莲都区回避路 1 号",
        brigade=ld,
        venue_type="hotel",
    )
    other = Enterprise.objects.create(
        uscc=valid_uscc(200, division="331199"),
        name="矩阵回避测试商场",
        address="丽水市莲都区回避路 2 号",
        brigade=ld,
        venue_type="hotel",
    )
    conflict = roster.declare_conflict(
        officer=personas["inspector"],
        enterprise_uscc=related.uscc,
        kind="relative",
        note="配偶在该单位任消防安全管理人",
    )
    today = dt.date.today()
    roster.record_certificate(
        officer=personas["inspector"],
        number="ZJ-LD-880001",
        valid_from=today - dt.timedelta(days=365),
        valid_until=today + dt.timedelta(days=365),
    )
    return {"conflict": conflict, "conflict_other_unit": other}


ROWS = [
    Row(
        "inspections:my_conflicts",
        "GET",
        DECLARERS,
        shows={"@conflict.enterprise.name": "403 403 ok 404 403 403 403 403 403 login"},
    ),
    Row(
        "inspections:my_conflicts",
        "POST",
        DECLARERS,
        data=lambda w: {
            "enterprise_uscc": w["conflict_other_unit"].uscc,
            "kind": "business_interest",
            "note": "持有该单位股份",
        },
    ),
    Row(
        "inspections:conflict_register",
        "GET",
        REGISTER,
        shows={"@conflict.enterprise.name": "403 403 403 403 ok ok 403 403 ok login"},
    ),
    Row("inspections:conflict_detail", "GET", DECLARATION, pk="@conflict"),
    Row(
        "inspections:conflict_decide",
        "POST",
        DECIDE,
        pk="@conflict",
        data={"decision": "uphold", "reason": "配偶任职，依法回避"},
    ),
    Row("inspections:conflict_withdraw", "POST", WITHDRAW, pk="@conflict"),
    Row("inspections:certificates", "GET", CERTIFICATES),
]
