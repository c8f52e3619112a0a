"""Objects the visits tests build (enterprises, inspections, a visit recorded and confirmed)."""

from __future__ import annotations

import datetime as dt
import io
import itertools
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from lishui_fire.accounts.models import OrgUnit, Role, User
from lishui_fire.core.validators import uscc_check_char
from lishui_fire.enterprises.models import Enterprise

_counter = itertools.count(1)


def valid_uscc(n: int) -> str:
    first17 = f"91331102{n:09d}"
    return first17 + uscc_check_char(first17)


def make_enterprise(brigade: str = "LD", **extra: Any) -> Enterprise:
    n = next(_counter) + 700_000
    fields = {
        "uscc": valid_uscc(n),
        "name": f"丽水检查测试单位{n}",
        "address": f"丽水市莲都区检查路 {n % 1000} 号",
        "brigade": OrgUnit.objects.get(code=brigade),
        "venue_type": "hotel",
        "contact_name": "李经理",
        "contact_phone": f"137{n:08d}",
        **extra,
    }
    return Enterprise.objects.create(**fields)


def make_officer(brigade: str = "LD", **extra: Any) -> User:
    n = next(_counter)
    return User.objects.create(
        username=extra.pop("username", f"visit-officer-{n}"),
        real_name=extra.pop("real_name", f"检查员{n}"),
        role=extra.pop("role", Role.INSPECTOR),
        org_unit=OrgUnit.objects.get(code=brigade),
        **extra,
    )


def make_inspection(officers, *, enterprise=None, kind: str = "special_campaign", **extra):
    from inspections.services import visits

    enterprise = enterprise or make_enterprise(officers[0].org_unit.code)
    return visits.create_inspection(kind=kind, enterprise=enterprise, officers=officers, **extra)


def png_upload(name: str = "photo.png") -> SimpleUploadedFile:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def violation(code: str = "XF60-1-3"):
    from inspections.models import ViolationCode

    return ViolationCode.objects.get(code=code)


def all_pass(inspection) -> dict[str, str]:
    from inspections.services import visits

    return {key: "pass" for key, _text, _item in visits.checklist_for(inspection)}


def add_finding(inspection, officer, *, corrected: bool = False, **extra):
    from inspections.services import visits

    return visits.add_finding(
        inspection=inspection,
        actor=officer,
        violation=extra.pop("violation", None) or violation(),
        description=extra.pop("description", "二层东侧安全出口被货物堵塞"),
        location=extra.pop("location", "二层东侧"),
        corrected_on_spot=corrected,
        **extra,
    )


def record(inspection, officer, result: str, *, visited_at=None, **extra):
    from inspections.services import visits

    return visits.record_visit(
        inspection=inspection,
        actor=officer,
        result=result,
        visited_at=visited_at or timezone.now() - dt.timedelta(hours=1),
        checklist=extra.pop("checklist", None) or all_pass(inspection),
        **extra,
    )


def confirm_both(inspection, first, second):
    from inspections.models import Inspection
    from inspections.services import visits

    visits.confirm_record(inspection=Inspection.objects.get(pk=inspection.pk), actor=first)
    visits.confirm_record(inspection=Inspection.objects.get(pk=inspection.pk), actor=second)
    return Inspection.objects.get(pk=inspection.pk)


def fresh(inspection):
    from inspections.models import Inspection

    return (
        Inspection.objects.select_related("enterprise", "brigade", "follows")
        .prefetch_related("assignments")
        .get(pk=inspection.pk)
    )


def make_contact(enterprise, **extra):
    """The unit's registered contact: its credit code on an applicant account whose phone is the
    registry's contact phone."""
    n = next(_counter)
    return User.objects.create(
        username=extra.pop("username", f"unit-contact-{n}"),
        real_name=extra.pop("real_name", "单位联系人"),
        role=Role.APPLICANT,
        phone=enterprise.contact_phone,
        enterprise_name=enterprise.name,
        enterprise_uscc=enterprise.uscc,
        **extra,
    )
