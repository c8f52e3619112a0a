"""A permit application as the public progress look-up shows it (``AppConfig.progress_lookup``,
core/progress.py): status, dates, what is missing, the brigade. Drafts are private (ADR 0008)
and not found."""

from __future__ import annotations

from django.utils.translation import gettext as _

from lishui_fire.core.progress import CaseProgress

from .models import PermitApplication, PermitPath
from .workflow import PermitStatus


def find(reference: str) -> CaseProgress | None:
    application = (
        PermitApplication.objects.select_related("brigade__parent")
        .exclude(status=PermitStatus.DRAFT)
        .filter(reference__iexact=reference)
        .first()
    )
    if application is None:
        return None
    a = application
    steps = [(_("提交申请"), a.submitted_at), (_("受理"), a.accepted_at)]
    if a.path == PermitPath.COMMITMENT:
        steps = [(_("提交申请"), a.submitted_at), (_("作出许可决定"), a.decided_at)]
        steps.append((_("到场核查"), a.verified_at))
    else:
        steps += [(_("到场检查"), a.inspected_at), (_("作出决定"), a.decided_at)]
    due = [
        (label, day)
        for label, day, done in (
            (_("受理期限"), a.accept_due, a.accepted_at),
            (_("检查期限"), a.inspection_due, a.inspected_at),
            (_("决定期限"), a.decision_due, a.decided_at),
            (_("核查期限"), a.verification_due, a.verified_at),
            (
                _("整改期限"),
                a.rectification_due,
                None if a.status == PermitStatus.RECTIFICATION else True,
            ),
        )
        if day is not None and done is None
    ]
    returned = a.status == PermitStatus.RETURNED
    return CaseProgress(
        reference=a.reference,
        kind=str(PermitApplication._meta.verbose_name),
        title=a.venue_name,
        status=a.get_status_display(),
        phone=a.contact_phone,
        unit=a.brigade,
        record=a,
        steps=steps,
        due=due,
        missing=list(a.missing_items) if returned else [],
        note=a.return_note if returned else "",
    )
