"""Builders for permits tests. They create rows directly (test set-up), so a test can start from
any state; the behaviour under test always goes through the services."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from lishui_fire.accounts.models import OrgUnit
from lishui_fire.core.validators import uscc_check_char
from permits.models import (
    Material,
    PermitApplication,
    PermitPath,
    PrecheckBooking,
    PrecheckSlot,
)
from permits.rules import uploads_required

_counter = {"n": 0}


def _next() -> int:
    _counter["n"] += 1
    return _counter["n"]


def valid_uscc(n: int = 1, division: str = "331102") -> str:
    prefix = f"91{division}MA2{n:08d}"[:17]
    return prefix + uscc_check_char(prefix)


def pdf_bytes(text: str = "test") -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
        + text.encode()
    )


def png_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def pdf_upload(name: str = "材料.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


def png_upload(name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def application_fields(**overrides: Any) -> dict[str, Any]:
    n = _next()
    fields = {
        "venue_name": f"丽水市莲都区好运来大酒店{n}",
        "venue_address": "丽水市莲都区解放街 88 号",
        "venue_type": "hotel",
        "floor_area_m2": Decimal("1200.50"),
        "capacity": 300,
        "floors": "1-3 层",
        "opening_date": timezone.localdate() + dt.timedelta(days=30),
        "unit_name": "丽水市好运来餐饮管理有限公司",
        "unit_uscc": valid_uscc(n),
        "legal_representative": "张三",
        "contact_name": "张三",
        "contact_phone": "13857812345",
        "path": PermitPath.COMMITMENT,
    }
    fields.update(overrides)
    return fields


def make_application(
    applicant: Any,
    *,
    brigade: str = "LD",
    status: str = "draft",
    with_materials: bool = True,
    signed: bool = True,
    **overrides: Any,
) -> PermitApplication:
    unit = OrgUnit.objects.get(code=brigade)
    n = _next()
    now = timezone.now()
    application = PermitApplication.objects.create(
        reference=f"XKTEST{brigade}{n:05d}",
        applicant=applicant,
        brigade=unit,
        status=status,
        submitted_at=now if status != "draft" else None,
        **application_fields(**overrides),
    )
    if application.is_commitment and signed:
        application.commitment_signed_at = now
        application.commitment_signatory = application.legal_representative
        application.save(update_fields=["commitment_signed_at", "commitment_signatory"])
    if with_materials:
        for kind in uploads_required(application.path):
            upload = pdf_upload()
            material = Material(
                application=application,
                kind=kind,
                original_name="材料.pdf",
                content_type="application/pdf",
                size=upload.size,
                sha256="0" * 64,
                uploaded_by=applicant,
            )
            material.file.save(f"test-{n}-{kind}.pdf", upload, save=False)
            material.save()
    return application


def make_slot(
    inspector: Any,
    *,
    starts_in: dt.timedelta = dt.timedelta(days=3),
    capacity: int = 1,
    booked: int = 0,
    hours: int = 2,
) -> PrecheckSlot:
    starts_at = (timezone.now() + starts_in).replace(second=0, microsecond=0)
    return PrecheckSlot.objects.create(
        brigade=inspector.org_unit,
        inspector=inspector,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=hours),
        capacity=capacity,
        booked=booked,
        created_by=inspector,
    )


def make_booking(
    applicant: Any, slot: PrecheckSlot, *, status: str = "booked", **extra: Any
) -> PrecheckBooking:
    PrecheckSlot.objects.filter(pk=slot.pk).update(booked=slot.booked + 1)
    slot.refresh_from_db()
    return PrecheckBooking.objects.create(
        slot=slot,
        applicant=applicant,
        brigade_id=slot.brigade_id,
        venue_name=extra.pop("venue_name", "丽水市莲都区星光KTV"),
        venue_address=extra.pop("venue_address", "丽水市莲都区丽阳街 12 号"),
        contact_phone=extra.pop("contact_phone", "13957800001"),
        status=status,
        **extra,
    )


def decide(
    application: PermitApplication,
    proposer: Any,
    approver: Any = None,
    *,
    outcome: str = "approve",
    reason: str = "",
) -> PermitApplication:
    """The decision through the services (issue 9): ``proposer`` proposes, ``approver`` (by
    default a brigade supervisor of the application's brigade, made if there is none) approves."""
    from lishui_fire.accounts.models import Role, User
    from permits.services import applications as services

    if approver is None:
        approver = (
            User.objects.filter(
                role=Role.BRIGADE_SUPERVISOR, org_unit_id=application.brigade_id, is_active=True
            )
            .exclude(pk=proposer.pk)
            .first()
        )
        if approver is None:
            approver = User.objects.create(
                username=f"approver-{application.brigade.code}-{_next()}",
                role=Role.BRIGADE_SUPERVISOR,
                real_name="审批领导",
                org_unit_id=application.brigade_id,
            )
    services.propose_decision(
        application=application, actor=proposer, outcome=outcome, reason=reason
    )
    application.refresh_from_db()  # the caller's object moves with the decision, as before
    decision = services.approve_application if outcome == "approve" else services.reject_application
    return decision(application=application, actor=approver)


# --- After the permit (commitment path) ------------------------------------------------------------
def in_rectification(applicant: Any, inspector: Any, **overrides: Any) -> PermitApplication:
    """A commitment permit whose verification found a mismatch: under a rectification order
    (and a stop-use order), deadline in 10 days. Through the services."""
    from permits.services import applications as services

    application = make_application(applicant, status="draft", **overrides)
    services.submit_application(application=application, actor=applicant)
    decide(application, inspector)
    services.record_verification(
        application=application,
        actor=inspector,
        matches=False,
        findings="安全出口数量与承诺不符",
        rectification_due=timezone.localdate() + dt.timedelta(days=10),
    )
    return PermitApplication.objects.get(pk=application.pk)


def deadline_passed(application: PermitApplication, days: int = 1) -> PermitApplication:
    """Set-up: the rectification deadline ran out ``days`` ago (as if time had passed)."""
    PermitApplication.objects.filter(pk=application.pk).update(
        rectification_due=timezone.localdate() - dt.timedelta(days=days)
    )
    return PermitApplication.objects.get(pk=application.pk)


def failed_recheck(
    application: PermitApplication, inspector: Any, *, photos: tuple[Any, ...] = ()
) -> PermitApplication:
    """The re-check visit that found the venue still not rectified (through the service)."""
    from permits.services import applications as services

    services.record_verification(
        application=application,
        actor=inspector,
        matches=False,
        findings="复查：安全出口仍被封堵",
        photos=photos,
    )
    return PermitApplication.objects.get(pk=application.pk)


def revocable(applicant: Any, inspector: Any, **overrides: Any) -> PermitApplication:
    """Under an order whose deadline passed, with a failed re-check on record."""
    application = deadline_passed(in_rectification(applicant, inspector, **overrides))
    return failed_recheck(application, inspector)
