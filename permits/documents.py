"""Official PDFs of the permits app, rendered on the shared letterhead (core.documents).

The documents are legal instruments issued in Chinese whatever the reader's interface language,
so they are rendered with Chinese active (choice labels such as the venue type come out in the
source language). Personal data is masked: the contact phone appears as 138****2345 and no ID
number is printed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone, translation

from lishui_fire.accounts.contacts import contact_for, issuing_authority, reconsideration_body
from lishui_fire.core.documents import render_pdf, verification_context
from lishui_fire.core.masking import mask_phone

from .models import (
    DocumentKind,
    Finding,
    PermitApplication,
    PermitDocument,
    PrecheckNotice,
    SiteVisit,
    SiteVisitKind,
    StopUseOrder,
)
from .workflow import AmendmentStatus

TEMPLATES = {
    DocumentKind.ACCEPTANCE_NOTICE: "permits/documents/acceptance.html",
    DocumentKind.NOT_ACCEPTED: "permits/documents/not_accepted.html",
    DocumentKind.DECISION: "permits/documents/decision.html",
    DocumentKind.REJECTION: "permits/documents/rejection.html",
    DocumentKind.RECTIFICATION: "permits/documents/rectification.html",
    DocumentKind.REVOCATION: "permits/documents/revocation.html",
    DocumentKind.STOP_USE: "permits/documents/stop_use.html",
}

DOCUMENT_LANGUAGE = "zh-hans"


def _local_date(value: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(value) if value is not None else None


def _last_visit(
    visits: list[SiteVisit], *kinds: str, passed: bool | None = None
) -> SiteVisit | None:
    chosen = [v for v in visits if v.kind in kinds and (passed is None or v.passed == passed)]
    return chosen[-1] if chosen else None


def permit_document_context(document: PermitDocument) -> dict[str, Any]:
    application: PermitApplication = document.application
    visits = list(application.visits.select_related("inspector").prefetch_related("photos"))
    for visit in visits:
        # Photos are fetched by the PDF renderer through the ``media:`` scheme (MEDIA_ROOT only).
        visit.photo_srcs = [f"media:{p.image.name}" for p in visit.photos.all()]
    order = StopUseOrder.objects.filter(application=application).first()
    numbers = dict(application.documents.values_list("kind", "number"))
    inspection = _last_visit(visits, SiteVisitKind.INSPECTION)
    mismatch = _last_visit(visits, SiteVisitKind.VERIFICATION, SiteVisitKind.RECHECK, passed=False)
    return {
        "document": document,
        "application": application,
        "issuer": issuing_authority(application.brigade),
        "doc_number": document.number,
        "document_title": f"{document.get_kind_display()} {document.number}",
        "issued_on": _local_date(document.issued_at),
        "submitted_on": _local_date(application.submitted_at),
        "inspected_on": _local_date(application.inspected_at),
        "verified_on": _local_date(application.verified_at),
        "contact_phone_masked": mask_phone(application.contact_phone),
        "visits": visits,
        "inspection_findings": inspection.findings if inspection else "",
        "mismatch_findings": mismatch.findings if mismatch else "",
        "decision_number": numbers.get(DocumentKind.DECISION, ""),
        "rectification_number": numbers.get(DocumentKind.RECTIFICATION, ""),
        "stop_use_number": numbers.get(DocumentKind.STOP_USE, ""),
        "stop_use": order,
        "failed_rechecks": [v for v in visits if v.kind == SiteVisitKind.RECHECK and not v.passed],
        "recheck_request_url": _recheck_request_url(application),
        # Where to go and whom to call to ask in person (the brigade's, else the detachment's).
        "window": contact_for(application.brigade),
        "reconsideration_body": reconsideration_body(application.brigade),
        **verification_context(document),
    }


def _recheck_request_url(application: PermitApplication) -> str:
    """Where the unit asks for the re-check online (printed on the rectification notice)."""
    from django.conf import settings
    from django.urls import reverse

    base = str(settings.PORTAL_BASE_URL).rstrip("/")
    return base + reverse("permits:request_recheck", args=[application.pk])


def render_permit_document_pdf(document: PermitDocument) -> bytes:
    with translation.override(DOCUMENT_LANGUAGE):
        return render_pdf(TEMPLATES[document.kind], permit_document_context(document))


def notice_findings(notice: PrecheckNotice) -> list[Finding]:
    """The findings version N lists: the original ones and those of the first N-1 approved
    amendments (a version rendered late never shows what a later amendment added)."""
    approved = list(
        notice.booking.amendments.filter(status=AmendmentStatus.APPROVED)
        .order_by("decided_at", "pk")
        .values_list("pk", flat=True)[: max(notice.version - 1, 0)]
    )
    return [
        f
        for f in notice.booking.findings.select_related("amendment")
        if f.amendment_id is None or f.amendment_id in approved
    ]


def notice_context(notice: PrecheckNotice) -> dict[str, Any]:
    booking = notice.booking
    slot = booking.slot
    amendments = list(
        booking.amendments.filter(status=AmendmentStatus.APPROVED).order_by("decided_at", "pk")
    )[: max(notice.version - 1, 0)]
    rows = []
    for finding in notice_findings(notice):
        # Photos are fetched by the PDF renderer through the ``media:`` scheme, which the core
        # url_fetcher resolves only inside MEDIA_ROOT.
        finding.photo_src = f"media:{finding.photo.name}" if finding.photo else ""
        rows.append(finding)
    return {
        "booking": booking,
        "findings": rows,
        "with_photos": any(f.photo_src for f in rows),
        "issuer": issuing_authority(booking.brigade),
        "doc_number": notice.number,
        "document_title": f"一次性告知书 {notice.number}",
        # The date of the first issue: a later version adds to the same notice.
        "issued_on": _local_date(booking.notice_issued_at or notice.issued_at),
        "contact_phone_masked": mask_phone(booking.contact_phone),
        "applicant_name": booking.applicant.real_name,
        "inspector_name": slot.inspector.real_name,
        "slot_starts": timezone.localtime(slot.starts_at),
        "slot_ends": timezone.localtime(slot.ends_at),
        "arrived_local": timezone.localtime(booking.arrived_at) if booking.arrived_at else None,
        "version": notice.version,
        "amended": notice.version > 1,
        "amendments": amendments,
        **verification_context(notice),
    }


def render_precheck_notice_pdf(notice: PrecheckNotice) -> bytes:
    with translation.override(DOCUMENT_LANGUAGE):
        return render_pdf("permits/documents/notice.html", notice_context(notice))
