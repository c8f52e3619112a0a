"""Demo data of the intake part (``manage.py seed_demo``; idempotent: found by ticket, permit
reference or reason before anything is created).

citizen1 (叶晓燕) is the registered contact of her restaurant company in Liandu: she sees, signed
in, the complaint verified there within 24 hours and the pre-opening verification of her
commitment permit. Liandu's staff see a second complaint on the 3-working-day clock, a third one
verified and its complainant told by SMS, and a large-event check.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TextIO

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from lishui_fire.accounts.models import OrgUnit
from lishui_fire.core.validators import uscc_check_char
from lishui_fire.core.workflow import transition
from lishui_fire.enterprises.models import CreditRatingChange, Enterprise

from .models import Complaint, Inspection, InspectionKind, InspectionStatus
from .services import intake
from .workflow import INSPECTION_WORKFLOW

CITIZEN_UNIT_USCC_BODY = "91331102MA2DEMA01"  # 17 characters; the check character follows
LARGE_EVENT_REASON = "丽水市 2027 年元旦跨年灯光秀（处州公园，预计 8000 人）举办前消防安全检查"


def _citizen_unit(citizen: Any, ld: OrgUnit) -> Enterprise:
    uscc = CITIZEN_UNIT_USCC_BODY + uscc_check_char(CITIZEN_UNIT_USCC_BODY)
    unit = Enterprise.objects.filter(uscc=uscc).first()
    if unit is None:
        # As the registry's own demo registers its units: the first rating on record.
        unit = Enterprise.objects.create(
            uscc=uscc,
            name=citizen.enterprise_name or "丽水市莲都区瓯江味道餐饮有限公司",
            address="丽水市莲都区解放街 88 号",
            brigade=ld,
            venue_type="restaurant",
            risk_level="medium",
            credit_rating="A",
            contact_name=citizen.real_name,
            contact_phone=citizen.phone,
        )
        CreditRatingChange.objects.create(
            enterprise=unit, from_rating="", to_rating="A", reason="初始评定"
        )
    # The registry's contact phone and the account's credit code: she speaks for the unit.
    if unit.contact_phone != citizen.phone:
        Enterprise.objects.filter(pk=unit.pk).update(contact_phone=citizen.phone)
    if citizen.enterprise_uscc != uscc:
        get_user_model().objects.filter(pk=citizen.pk).update(enterprise_uscc=uscc)
    return unit


def _complaint(ticket: str, **fields: Any) -> Complaint:
    existing = Complaint.objects.filter(ticket_number=ticket).first()
    if existing is not None:
        return existing
    return intake.register_complaint(ticket_number=ticket, **fields)


def _visited(inspection: Inspection, *, result: str, at: dt.datetime) -> None:
    if inspection.status != InspectionStatus.ASSIGNED:
        return
    with transaction.atomic():
        transition(
            inspection,
            workflow=INSPECTION_WORKFLOW,
            to=InspectionStatus.RECORDED,
            actor=None,
            note="演示：已实地核查",
            updates={"visited_at": at, "result": result},
        )


def seed(stdout: TextIO) -> None:
    User = get_user_model()
    users = {u.username: u for u in User.objects.filter(username__in=["citizen1", "supervisor1"])}
    citizen, supervisor = users.get("citizen1"), users.get("supervisor1")
    ld = OrgUnit.objects.filter(code="LD").first()
    if citizen is None or supervisor is None or ld is None:
        return
    now = timezone.now()
    unit = _citizen_unit(citizen, ld)
    others = list(Enterprise.objects.filter(brigade=ld).exclude(pk=unit.pk).order_by("uscc")[:3])
    if len(others) < 3:
        return
    before = Inspection.objects.count()

    # 1. 24 hours: a locked back exit at citizen1's restaurant, reported on 12345 this morning.
    _complaint(
        "12345-DEMO-0001",
        actor=supervisor,
        enterprise=unit,
        channel="hotline_12345",
        category="exit_locked",
        content="餐厅后门安全出口营业期间用铁链锁住。",
        received_at=now - dt.timedelta(hours=3),
        complainant_name="郑文华",
        complainant_phone="13857806611",
    )
    # 2. Three working days: no extinguisher inspection tags, reported online yesterday.
    _complaint(
        "WS-DEMO-0002",
        actor=supervisor,
        enterprise=others[0],
        channel="online",
        category="other",
        content="店内灭火器过期未检，没有检验标签。",
        received_at=now - dt.timedelta(days=1),
        complainant_name="",
        complainant_phone="",
    )
    # 3. Verified and the complainant told by SMS.
    answered = _complaint(
        "12345-DEMO-0003",
        actor=supervisor,
        enterprise=others[1],
        channel="hotline_12345",
        category="evacuation_blocked",
        content="二楼疏散通道堆放纸箱，通道宽度不足。",
        received_at=now - dt.timedelta(days=2, hours=5),
        complainant_name="蓝晓东",
        complainant_phone="15968806622",
    )
    _visited(
        answered.inspection, result="corrected_on_spot", at=now - dt.timedelta(days=2, hours=1)
    )
    if answered.replied_at is None:
        intake.reply_to_complainant(
            complaint=answered,
            actor=supervisor,
            method="sms",
            text="经实地核查，疏散通道堆放物品属实，已责令当场清理并复核通畅。感谢您的监督。",
        )
    # 4. A large-event check.
    if not Inspection.objects.filter(
        kind=InspectionKind.LARGE_EVENT, reason=LARGE_EVENT_REASON
    ).exists():
        intake.open_inspection(
            actor=supervisor,
            kind=InspectionKind.LARGE_EVENT,
            enterprise=others[2],
            reason=LARGE_EVENT_REASON,
            planned_date=timezone.localdate() + dt.timedelta(days=7),
        )
    # 5. The pre-opening verification of citizen1's commitment permit (or a demo reference).
    intake.open_pre_opening_verification(
        permit_reference=_commitment_permit_reference(citizen) or "XK2026LD-DEMO",
        enterprise_id=unit.pk,
        venue_name="瓯江味道·解放街旗舰店",
        actor=supervisor,
    )
    stdout.write(f"  inspections (intake): {Inspection.objects.count() - before} new\n")


def _commitment_permit_reference(citizen: Any) -> str | None:
    """The reference of citizen1's permit granted on the commitment path, read through the
    permits app's selectors (no model of that app is imported here)."""
    try:
        from permits import selectors as permit_selectors
    except ImportError:  # pragma: no cover - the permits app is always installed here
        return None
    granted = (
        permit_selectors.applications_for_user(user=citizen)
        .filter(path="commitment", decided_at__isnull=False)
        .order_by("decided_at", "pk")
        .values_list("reference", flat=True)
        .first()
    )
    return granted
