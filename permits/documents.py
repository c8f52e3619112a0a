"""Official PDFs of the permits app, rendered on the shared letterhead (core.documents)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from lishui_fire.core.documents import render_pdf

from lishui_fire.core.masking import mask_id_number, mask_phone

from .models import DocumentKind, Finding, PermitDocument, PrecheckBooking

TEMPLATES = {
    DocumentKind.ACCEPTANCE_NOTICE: "permits/documents/acceptance.html",
    DocumentKind.NOT_ACCEPTED: "permits/documents/not_accepted.html",
    DocumentKind.DECISION: "permits/documents/decision.html",
    DocumentKind.REJECTION: "permits/documents/rejection.html",
    DocumentKind.RECTIFICATION: "permits/documents/rectification.html",
    DocumentKind.REVOCATION: "permits/documents/revocation.html",
}


def _issuer(brigade: Any) -> str:
    return brigade.name_zh


def render_permit_document_pdf(document: PermitDocument) -> bytes:
    application = document.application
    context = {
        "document": document,
        "application": application,
        "issuer": _issuer(application.brigade),
        "doc_number": document.number,
        "issued_on": timezone.localdate(document.issued_at),
        "contact_phone_masked": mask_phone(application.contact_phone),
        "visits": list(application.visits.select_related("inspector")),
        "mask_id_number": mask_id_number,
    }
    return render_pdf(TEMPLATES[document.kind], context)


def render_notice_pdf(booking: PrecheckBooking, findings: list[Finding]) -> bytes:
    context = {
        "booking": booking,
        "findings": findings,
        "issuer": _issuer(booking.brigade),
        "doc_number": booking.notice_number,
        "issued_on": timezone.localdate(booking.notice_issued_at),
        "contact_phone_masked": mask_phone(booking.contact_phone),
        "applicant_name": booking.applicant.real_name,
        "inspector_name": booking.slot.inspector.real_name,
        "arrived_at": booking.arrived_at,
        "amended": booking.notice_version > 1,
    }
    return render_pdf("permits/documents/notice.html", context)
