"""Official PDFs of an inspection, rendered on the shared letterhead (core.documents).

消防监督检查记录 (the record of the visit), 责令立即改正通知书 (served on the spot for what was
corrected there) and 责令限期改正通知书 (served within 3 working days of the visit). Legal
instruments are issued in Chinese whatever the reader's interface language. No person's phone
or ID number is printed; the officers are named, as they sign the record.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone, translation

from lishui_fire.accounts.contacts import issuing_authority, reconsideration_body
from lishui_fire.core.documents import render_pdf, verification_context

from .models import InspectionDocument, InspectionDocumentKind

DOCUMENT_LANGUAGE = "zh-hans"
TEMPLATES = {
    InspectionDocumentKind.RECORD: "inspections/visits/documents/record.html",
    InspectionDocumentKind.IMMEDIATE_NOTICE: "inspections/visits/documents/immediate.html",
    InspectionDocumentKind.DEADLINE_NOTICE: "inspections/visits/documents/deadline.html",
}


def _local(value: dt.datetime | None) -> dt.datetime | None:
    return timezone.localtime(value) if value is not None else None


def inspection_document_context(document: InspectionDocument) -> dict[str, Any]:
    inspection = document.inspection
    findings = list(inspection.findings.select_related("violation").order_by("pk"))
    for finding in findings:
        finding.photo_src = f"media:{finding.photo.name}" if finding.photo else ""
    officers = [
        a.officer for a in inspection.assignments.select_related("officer").order_by("-is_lead")
    ]
    numbers = dict(inspection.documents.values_list("kind", "number"))
    return {
        "document": document,
        "inspection": inspection,
        "enterprise": inspection.enterprise,
        "issuer": issuing_authority(inspection.brigade),
        "doc_number": document.number,
        "document_title": f"{document.get_kind_display()} {document.number}",
        "issued_on": timezone.localdate(document.issued_at),
        "visited_at": _local(inspection.visited_at),
        "findings": findings,
        "corrected": [f for f in findings if f.corrected_on_spot],
        "to_correct": [f for f in findings if not f.corrected_on_spot],
        "with_photos": any(f.photo_src for f in findings),
        "checklist": list(inspection.checklist.order_by("pk")),
        "officers": officers,
        "record_number": numbers.get(InspectionDocumentKind.RECORD, ""),
        "reconsideration_body": reconsideration_body(inspection.brigade),
        **verification_context(document),
    }


def render_inspection_document_pdf(document: InspectionDocument) -> bytes:
    with translation.override(DOCUMENT_LANGUAGE):
        return render_pdf(TEMPLATES[document.kind], inspection_document_context(document))
